/*
 * vmmark b|e: the benchmark markers, from inside a Linux guest, the same
 * two the kernel's `scsi bench` emits around a job's I/O loop:
 *
 *   b: POST code 0xa5 to port 0x80 (QEMU trace window), then xchg %bx,%bx
 *      (instruction-count window of tools/bench/insncount.c)
 *   e: xchg %cx,%cx, then 0x5a to port 0x80
 *
 * fio runs it as --exec_prerun / --exec_postrun.  Both are no-ops to the
 * CPU.  Built static, as root's /bin/vmmark in the bench initramfs.
 */
#include <stdio.h>
#include <sys/io.h>

#define PORT_POST   0x80

int main(int argc, char **argv)
{
    int begin = argc > 1 && argv[1][0] == 'b';

    if (argc != 2 || (argv[1][0] != 'b' && argv[1][0] != 'e')) {
        fprintf(stderr, "usage: vmmark b|e\n");
        return 2;
    }
    if (ioperm(PORT_POST, 1, 1) != 0) {
        perror("vmmark: ioperm");
        return 1;
    }
    if (begin) {
        outb(0xa5, PORT_POST);
        __asm__ volatile("xchg %%bx, %%bx" ::: "memory");
    } else {
        __asm__ volatile("xchg %%cx, %%cx" ::: "memory");
        outb(0x5a, PORT_POST);
    }
    return 0;
}
