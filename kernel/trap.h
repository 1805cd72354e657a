/*
 * Interrupt descriptor table, exceptions and the fault report.
 *
 * Every exception prints vector, name, error code, registers, CR2 and a
 * backtrace, then stops (through QEMU's isa-debug-exit with a failure status
 * when present).  The double fault runs as its own task on its own stack, so
 * a stack overflow into the guard page is reported too.
 */
#ifndef TRAP_H
#define TRAP_H

#include "types.h"

struct trapframe {
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;  /* pushal */
    uint32_t gs, fs, es, ds;
    uint32_t vector;
    uint32_t error;             /* 0 for vectors without one */
    uint32_t eip, cs, eflags;   /* pushed by the CPU */
};

#define T_PAGE_FAULT    14
#define T_IRQ_BASE      32      /* first vector for device interrupts */
#define T_SPURIOUS      255

typedef void (*vector_handler_t)(struct trapframe *tf);

void trap_init(void);
/* Route vector (>= T_IRQ_BASE) to fn; used by intr.c. */
void trap_set_handler(unsigned vector, vector_handler_t fn);
void backtrace(uint32_t ebp);

#endif
