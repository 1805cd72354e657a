/*
 * Interrupt descriptor table, exceptions and the fault report.
 *
 * Every exception prints vector, name, error code, registers, CR2 and a
 * backtrace, then stops (through QEMU's isa-debug-exit with a failure status
 * when present).  The double fault runs as its own task on its own stack
 * (the boot stack, which kmain has left), so a stack overflow into the guard
 * page is reported too.  An NMI is reported and execution continues.
 */
#ifndef TRAP_H
#define TRAP_H

#define T_DOUBLE_FAULT  8
#define T_PAGE_FAULT    14
#define T_IRQ_BASE      32      /* first vector for device interrupts */
#define T_SPURIOUS      255

#define EXC_STUB_SIZE   9       /* bytes per exception entry stub in vectors.S */
#define IRQ_STUB_SIZE   4       /* bytes per device-vector entry stub ... */
#define IRQ_GROUP_STUBS 7       /* ... in groups of 7 sharing one jump */
#define IRQ_GROUP_SIZE  32      /* bytes per group */
#define TRAP_VECTOR_SIZE 8      /* sizeof(struct trap_vector) */

/*
 * The interrupt tables, on one page at a fixed virtual address (vm.h) that
 * trap_init_vectors maps: the IDT, then the device vectors' handlers
 * (trap_vectors, which the entry stubs index at this link-time address).
 * Until then an IDT of the 32 exceptions in the image serves.
 */
#define TRAP_PAGE_VA    0xFFBFF000
#define TRAP_IDT_VA     TRAP_PAGE_VA                    /* 256 gates of 8 bytes */
#define TRAP_VECTORS_VA (TRAP_PAGE_VA + 256 * 8)        /* 224 struct trap_vector */

#ifndef __ASSEMBLY__
#include "types.h"

/*
 * What the exception entry saves, lowest address first.  The kernel runs
 * in ring 0 only, with flat segments it never reloads: the CPU pushes no
 * SS:ESP, the interrupted ESP is the address just past this frame
 * (trapframe_esp()), and the segment registers are as they are now.
 */
struct trapframe {
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;  /* pushal */
    uint32_t vector;
    uint32_t error;             /* 0 for vectors without one */
    uint32_t eip, cs, eflags;   /* pushed by the CPU */
};

static inline uint32_t trapframe_esp(const struct trapframe *tf)
{
    return (uint32_t)(tf + 1);
}

/* The exceptions' IDT, TSSs (ltr), double-fault task gate.  First in kmain. */
void trap_init(void);

/* The whole IDT and the device vectors, on the trap page.  After vm_init. */
void trap_init_vectors(void);

/*
 * A device vector's handler: called straight from its entry stub as
 * fn(arg), interrupts off (interrupt gate), on the interrupted stack.  It
 * owns the interrupt controller's end-of-interrupt (intr.c sends it).
 */
typedef void (*vector_fn_t)(void *arg);

struct trap_vector {
    vector_fn_t fn;
    void *arg;
};
_Static_assert(sizeof(struct trap_vector) == TRAP_VECTOR_SIZE, "vectors.S indexes by this");

/* Route vector (T_IRQ_BASE..255) to fn(arg); fn NULL makes it unhandled again. */
void trap_set_handler(unsigned vector, vector_fn_t fn, void *arg);
bool trap_has_handler(unsigned vector);

/*
 * A device vector without a handler is counted, logged once, and then
 * passed to this hook (intr.c sets it to send the EOI), and we return.
 * The first 8 such vectors are counted one by one (trap_unhandled_count),
 * any further ones together.
 */
void trap_set_unhandled_hook(void (*fn)(unsigned vector));
uint32_t trap_unhandled_count(unsigned vector);

/*
 * The double-fault task switch loads CR3 from the double-fault TSS, so the
 * paging code must tell us the page directory it loads (vm_init calls this
 * right after writing CR3, and again if it ever switches directories).
 */
void trap_set_cr3(uint32_t cr3);

/* Print the return addresses of the EBP chain starting at frame ebp. */
void backtrace(uint32_t ebp);
/* The same, after a line for eip (the faulting instruction) as frame #0. */
void backtrace_from(uint32_t eip, uint32_t ebp);

/* Name of the kernel function containing addr (NULL if none), offset in *off. */
const char *ksym_lookup(uint32_t addr, uint32_t *off);

/*
 * Shared by the fault report (trap.c) and panic() (panic.c).  Every report
 * begins with trap_report_enter(): it disables interrupts and, if a report
 * is already under way (a fault inside the report), prints one short line
 * and stops instead of returning.  trap_stop() ends the run: QEMU's
 * isa-debug-exit with EXIT_FAULT when present, else halt, interrupts off.
 */
void trap_report_enter(const char *what, uint32_t eip);
void trap_stop(void) __noreturn;

/* Test of the re-entry guard: the next fault report faults itself. */
void trap_break_next_report(void);

#endif /* __ASSEMBLY__ */
#endif
