/*
 * Entry stubs for all 256 IDT vectors, the common trap entry, and the entry
 * of the double-fault task.
 *
 * Every stub is TRAP_STUB_SIZE bytes, padded with int3: trap.c computes
 * stub n's address as trap_stubs + n * TRAP_STUB_SIZE.  The 256 stubs come
 * from one .rept loop (.altmacro's %vec passes the counter's value).  A stub
 * pushes a zero error code when the CPU pushes none (Intel SDM vol. 3 table
 * 6-1: 8, 10-14, 17, 21; AMD adds 29 and 30), then its vector number, and
 * joins trap_common, which completes a struct trapframe (trap.h) and calls
 * trap_dispatch(tf).
 */
#include "gdt.h"
#include "trap.h"

    .altmacro
.macro trap_stub vector
    .if (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || \
        (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    pushl $0                        /* no error code from the CPU */
    .endif
    pushl $\vector
    jmp trap_common
    .org trap_stubs + (\vector + 1) * TRAP_STUB_SIZE, 0xCC  /* fails if the stub is larger */
.endm

    .text
    .balign TRAP_STUB_SIZE
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    trap_stub %vec
    .set vec, vec + 1
    .endr

/* The stack now holds vector, error code, EIP, CS, EFLAGS. */
trap_common:
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    pushal
    movl $GDT_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    cld
    pushl %esp                      /* struct trapframe * */
    call trap_dispatch
    addl $4, %esp
    popal
    popl %gs
    popl %fs
    popl %es
    popl %ds
    addl $8, %esp                   /* vector, error code */
    iret

/*
 * The double-fault task starts here (its TSS: EIP, ESP = df_stack_top,
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
