/*
 * Entry stubs for the 256 IDT vectors, the two common entries, and the
 * entry of the double-fault task.
 *
 * The kernel is flat and never leaves ring 0 (the GDT has no user or v86
 * segments, no iret ever lowers the privilege), so an interrupt changes no
 * segment register and the entries neither save nor reload them.
 *
 * Exceptions, vectors 0-31 (exc_stubs, EXC_STUB_SIZE bytes each): a stub
 * pushes a zero error code when the CPU pushes none (Intel SDM vol. 3
 * table 6-1: 8, 10-14, 17, 21; AMD adds 29 and 30), then its vector, and
 * joins trap_common, which saves every general register (the fault report
 * shows them all), completing a struct trapframe (trap.h), and calls
 * trap_dispatch(tf).
 *
 * Device vectors, 32-255 (irq_stubs): a stub pushes its vector minus 128
 * (a sign-extended byte: two bytes of code) and joins irq_common, which
 * saves only what the C calling convention lets a callee clobber (EAX,
 * ECX, EDX) and calls the vector's handler straight from trap_vectors[]
 * (on the trap page at a fixed address, trap.h) with its argument.  The
 * stubs come in groups of IRQ_GROUP_STUBS in IRQ_GROUP_SIZE bytes, as
 * Linux's i386 entry once laid them out: IRQ_STUB_SIZE bytes each, a short
 * jump to the group's one long jump to irq_common, which the group's last
 * stub falls into; 4.6 bytes a vector instead of 8 for one jump more.
 *
 * The stubs come from .rept loops (.altmacro's %vec passes the counter's
 * value); .org fails the build if a stub outgrows its size.
 */
#include "gdt.h"
#include "trap.h"

    .altmacro
.macro exc_stub vector
    .if (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || \
        (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    pushl $0                        /* no error code from the CPU */
    .endif
    pushl $\vector
    jmp trap_common
    .org exc_stubs + (\vector + 1) * EXC_STUB_SIZE, 0xCC
.endm

#define IRQ_GROUP(v)    (((v) - T_IRQ_BASE) / IRQ_GROUP_STUBS)
#define IRQ_IN_GROUP(v) (((v) - T_IRQ_BASE) % IRQ_GROUP_STUBS)

.macro irq_stub vector
    pushl $(\vector - 128)
    .if IRQ_IN_GROUP(\vector) == IRQ_GROUP_STUBS - 1
1:  jmp irq_common                  /* the group's jump */
    .org irq_stubs + (IRQ_GROUP(\vector) + 1) * IRQ_GROUP_SIZE, 0xCC
    .else
    jmp 1f
    .org irq_stubs + IRQ_GROUP(\vector) * IRQ_GROUP_SIZE + \
         (IRQ_IN_GROUP(\vector) + 1) * IRQ_STUB_SIZE, 0xCC
    .endif
.endm

    .text
    .balign 16
    .globl exc_stubs
exc_stubs:
    .set vec, 0
    .rept T_IRQ_BASE
    exc_stub %vec
    .set vec, vec + 1
    .endr

    .balign IRQ_GROUP_SIZE
    .globl irq_stubs
irq_stubs:
    .rept 256 - T_IRQ_BASE
    irq_stub %vec
    .set vec, vec + 1
    .endr

/* The stack holds vector, error code, EIP, CS, EFLAGS. */
trap_common:
    pushal
    cld
    pushl %esp                      /* struct trapframe * */
    call trap_dispatch
    addl $4, %esp
    popal
    addl $8, %esp                   /* vector, error code */
    iret

/*
 * The stack holds vector - 128, EIP, CS, EFLAGS.  EAX takes the vector's
 * slot; trap_vectors[vector - T_IRQ_BASE] is at TRAP_VECTORS_VA +
 * (vector - 128) * 8 + (128 - T_IRQ_BASE) * 8.
 */
#define TV_BASE (TRAP_VECTORS_VA + (128 - T_IRQ_BASE) * TRAP_VECTOR_SIZE)
irq_common:
    pushl %ecx
    pushl %edx
    movl 8(%esp), %ecx
    movl %eax, 8(%esp)
    cld
    pushl TV_BASE + 4(, %ecx, TRAP_VECTOR_SIZE)    /* arg */
    call *TV_BASE(, %ecx, TRAP_VECTOR_SIZE)         /* fn(arg) */
    addl $4, %esp
    popl %edx
    popl %ecx
    popl %eax
    iret

/*
 * The double-fault task starts here (its TSS: EIP, ESP = the boot stack's top,
 * interrupts off).  The CPU pushed the error code on the new stack, where a
 * C function expects its return address: call with it as the argument.
 */
    .globl trap_df_entry
trap_df_entry:
    xorl %ebp, %ebp                 /* ends a backtrace of this task */
    call trap_double_fault          /* (error code); does not return */
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
