/* Segment selectors of the kernel's GDT (boot/entry.S). */
#ifndef GDT_H
#define GDT_H

#define GDT_KCODE   0x08
#define GDT_KDATA   0x10
#define GDT_TSS     0x18    /* the running task */
#define GDT_DF_TSS  0x20    /* double fault task: own stack, survives stack overflow */

/* Fills the boot stack at entry; `meminfo` finds how deep it has been used. */
#define STACK_PAINT 0x5354414Bu /* "KATS" */

#ifndef __ASSEMBLY__
#include "types.h"
extern uint64_t gdt[5];
extern uint64_t boot_tsc;   /* TSC at _start, 0 if the CPU has none */
#endif
#endif
