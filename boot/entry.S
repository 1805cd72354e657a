/*
 * Multiboot (v1) entry.  The loader (GRUB or QEMU's -kernel) enters at _start
 * in 32-bit protected mode with paging off, EAX = 0x2BADB002 and EBX = the
 * physical address of the multiboot information.  We take nothing else from
 * it: install our own GDT, switch to the boot stack (painted first, so that
 * `meminfo` can tell how deep start-up used it; the page below it becomes
 * read-only, its guard, once paging is on), note the TSC, and call
 * kmain(magic, mbi).  kmain moves to the run-time stack with stack_switch.
 */
#include "multiboot.h"
#include "gdt.h"

    .section .multiboot, "a"
    .align 4
mb_header:
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long -(MB_HEADER_MAGIC + MB_HEADER_FLAGS)

    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    movl %eax, %esi                 /* keep magic and mbi across cpuid */
    movl %ebx, %ebp

    movl $boot_stack_bottom, %edi   /* paint the stack (STACK_PAINT), for meminfo */
    movl $boot_stack_top, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    movl $STACK_PAINT, %eax
    rep stosl
    movl %ebp, %edi

    lgdt gdt_desc                   /* our GDT: null, code, data, 2 TSS */
    ljmp $GDT_KCODE, $1f
1:  movl $GDT_KDATA, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    movl %eax, %ss
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp                 /* ends the backtrace */

    /* TSC at entry, for "time from entry to ready", when the CPU has one:
     * EFLAGS.ID toggles => CPUID exists; CPUID.1:EDX bit 4 => TSC. */
    pushfl
    popl %eax
    movl %eax, %ecx
    xorl $0x200000, %eax
    pushl %eax
    popfl
    pushfl
    popl %eax
    pushl %ecx
    popfl
    cmpl %eax, %ecx
    je 2f
    movl $1, %eax
    cpuid
    testl $0x10, %edx
    jz 2f
    rdtsc
    movl %eax, boot_tsc
    movl %edx, boot_tsc + 4
2:
    pushl %edi                      /* struct mb_info * (physical = virtual) */
    pushl %esi                      /* magic */
    call kmain
3:  cli
    hlt
    jmp 3b

/* stack_switch(top, fn) (gdt.h): a fresh stack, its first frame ends the backtrace. */
    .globl stack_switch
stack_switch:
    movl 8(%esp), %eax              /* fn */
    movl 4(%esp), %esp              /* top */
    xorl %ebp, %ebp
    call *%eax
    jmp 3b

    .section .bootstack, "aw", @nobits
    .balign 4096                    /* the page below: its guard (linker.ld) */
    .globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .data
    .align 8
    .globl gdt
gdt:
    .quad 0                         /* 0x00 null */
    .quad 0x00cf9a000000ffff        /* 0x08 kernel code: base 0, 4 GiB, ring 0, r/x */
    .quad 0x00cf92000000ffff        /* 0x10 kernel data: base 0, 4 GiB, ring 0, r/w */
    .quad 0                         /* 0x18 TSS of the running task (filled in C) */
    .quad 0                         /* 0x20 TSS of the double-fault task (filled in C) */
gdt_end:
    .align 4
    .word 0
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt

    .globl boot_tsc
    .align 8
boot_tsc:
    .quad 0
    .section .note.GNU-stack, "", @progbits
