/*
 * Kernel entry from boot/entry.S.  The init calls, in dependency order:
 * on the boot stack until paging is on, then on the run-time stack.
 */
#include "types.h"
#include "multiboot.h"
#include "console.h"
#include "cmdline.h"
#include "shell.h"
#include "string.h"
#include "parse.h"
#include "gdt.h"
#include "trap.h"
#include "pmem.h"
#include "vm.h"
#include "heap.h"
#include "acpi.h"
#include "time.h"
#include "intr.h"
#include "pci.h"
#include "power.h"
#include "scsiport.h"
#include "boottime.h"

/* console=com1..com4 or an I/O port (0x2f8); loglevel=0..3: before the heap. */
static void apply_console_options(void)
{
    static const uint16_t com[] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };
    char val[24];
    const char *v = cmdline_peek("console", val, sizeof(val));
    uint32_t port;

    if (v) {
        if (!strncmp(v, "com", 3) && v[3] >= '1' && v[3] <= '4' && !v[4])
            console_set_port(com[v[3] - '1']);
        else if (parse_u32(v, 16, &port) && port && port <= 0xFFF8)
            console_set_port((uint16_t)port);
        else
            pr_err("cmdline", "console=%s: want com1..com4 or an I/O port like 0x2f8", v);
    }
    v = cmdline_peek("loglevel", val, sizeof(val));
    if (v && v[0] >= '0' && v[0] <= '3' && !v[1])
        log_level = v[0] - '0';
    else if (v)
        pr_err("cmdline", "loglevel=%s: want 0 (errors) to 3 (debug)", v);
}

/* The time from kernel entry to here, when the CPU has a TSC to tell it. */
static void ready_line(void)
{
    uint64_t us = time_since_entry_us();

    if (us)
        printf("ready in %u.%03u ms\n", (unsigned)(us / 1000), (unsigned)(us % 1000));
    else
        printf("ready\n");
}

/*
 * Start-up ran on the boot stack before paging could guard it (the page
 * below is still writable then): if it came within a frame of the end, a
 * frame that skipped the last words may have run past it; stop there.
 */
static void check_boot_stack(void)
{
    uint32_t used = kstack_used(&boot_stack), size = boot_stack.top - boot_stack.bottom;

    if (used + 256 > size)
        panic("kmain: start-up used %u of the boot stack's %u bytes and may have overrun it",
              used, size);
}

/* The rest of start-up, on the run-time stack; then the shell, for good. */
static void __noreturn kmain_run(void)
{
    trap_init_vectors();            /* the whole IDT, device vectors */
    heap_init();                    /* kmalloc */
    cmdline_setup();                /* the options and commands, parsed */
    boot_mark(NULL, "heap");
    acpi_init();                    /* RSDP, MADT, FADT, MCFG */
    boot_mark(NULL, "acpi");
    time_init();                    /* TSC against the PM timer or the PIT */
    boot_mark(NULL, "time");
    intr_init();                    /* PIC, LAPIC, IOAPIC */
    boot_mark(NULL, "intr");
    pci_init();                     /* every bus, device, function */
    boot_mark(NULL, "pci");
    scsiport_init();                /* every miniport: find, initialise, scan */
    cmdline_report();               /* unknown options, malformed words */
    ready_line();                   /* time from entry to here */
    boot_done();                    /* the last boot stage (boottime) */

    if (cmdline_script())
        shell_run_script(cmdline_script());
    shell_interactive();
}

void kmain(uint32_t magic, struct mb_info *mbi);

void kmain(uint32_t magic, struct mb_info *mbi)
{
    console_init();                 /* COM1 115200 8N1 */
    if (magic != MB_BOOT_MAGIC) {
        printf("\nata-scsi: not loaded by a multiboot loader (magic %08x); stopping\n", magic);
        return;
    }
    cmdline_init((mbi->flags & MBI_CMDLINE) ? (const char *)mbi->cmdline : "");
    apply_console_options();        /* console=, loglevel= */
    printf("\nata-scsi %s\n", KERNEL_VERSION);
    boot_mark(NULL, "console");
    trap_init();                    /* IDT, fault reports, double-fault task */
    boot_mark(NULL, "trap");
    pmem_init(mbi);                 /* page allocator over the memory map */
    boot_mark(NULL, "pmem");
    vm_init();                      /* page tables, paging on, the run-time stack */
    boot_mark(NULL, "vm");
    check_boot_stack();             /* start-up's depth before paging */
    stack_switch(kernel_stack.top, kmain_run);
}
