/* Segment selectors of the kernel's GDT (boot/entry.S). */
#ifndef GDT_H
#define GDT_H

#define GDT_KCODE   0x08
#define GDT_KDATA   0x10
#define GDT_TSS     0x18    /* the running task */
#define GDT_DF_TSS  0x20    /* double fault task: own stack, survives stack overflow */

/* Fills each kernel stack before use; `meminfo` finds how deep it has been used. */
#define STACK_PAINT 0x5354414Bu /* "KATS" */

/*
 * The boot stack (boot/entry.S, in the image): kmain's until paging is on,
 * then the double-fault task's.  Start-up uses some 0.7 KiB of it (`meminfo`
 * tells), a fault report on top of that 0.7 KiB more; the double-fault
 * report alone 0.7 KiB.
 */
#define BOOT_STACK_SIZE 0x800

#ifndef __ASSEMBLY__
#include "types.h"
extern uint64_t gdt[5];
extern uint64_t boot_tsc;   /* TSC at _start, 0 if the CPU has none */
extern uint8_t boot_stack_bottom[], boot_stack_top[];  /* page-aligned bottom */
/* Run fn on the stack that ends at top (page-aligned); fn never returns. */
void stack_switch(uint32_t top, void (*fn)(void)) __noreturn;
#endif
#endif
