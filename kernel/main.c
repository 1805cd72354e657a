/*
 * Kernel entry from boot/entry.S.  The init calls, in dependency order.
 */
#include "types.h"
#include "multiboot.h"
#include "console.h"
#include "cmdline.h"
#include "shell.h"
#include "string.h"
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

/* Transitional while the core lands piece by piece: a missing piece is skipped. */
#define INIT_WEAK __attribute__((weak))
void trap_init(void) INIT_WEAK;
void pmem_init(const struct mb_info *mbi) INIT_WEAK;
void vm_init(void) INIT_WEAK;
void heap_init(void) INIT_WEAK;
void acpi_init(void) INIT_WEAK;
void time_init(void) INIT_WEAK;
void intr_init(void) INIT_WEAK;
void pci_init(void) INIT_WEAK;
uint64_t time_since_entry_us(void) INIT_WEAK;

static void apply_console_options(void)
{
    const char *v = cmdline_get("loglevel");

    if (v && v[0] >= '0' && v[0] <= '3' && !v[1])
        log_level = v[0] - '0';
    else if (v)
        pr_err("cmdline", "loglevel=%s: want 0 (errors) to 3 (debug)", v);
}

void kmain(uint32_t magic, struct mb_info *mbi);

void kmain(uint32_t magic, struct mb_info *mbi)
{
    console_init();                     /* COM1 115200 8N1 */
    printf("\nata-scsi %s\n", KERNEL_VERSION);
    if (magic != MB_BOOT_MAGIC) {
        printf("boot: not loaded by a multiboot loader (magic %08x); stopping\n", magic);
        return;
    }
    cmdline_init((mbi->flags & MBI_CMDLINE) ? (const char *)mbi->cmdline : "");
    apply_console_options();
    if (trap_init) trap_init();         /* IDT, fault reports, double-fault task */
    if (pmem_init) pmem_init(mbi);      /* page allocator over the memory map */
    if (vm_init) vm_init();             /* page tables, paging on, stack guard */
    if (heap_init) heap_init();         /* kmalloc */
    if (acpi_init) acpi_init();         /* RSDP, MADT, FADT, MCFG */
    if (time_init) time_init();         /* TSC against the PIT */
    if (intr_init) intr_init();         /* PIC, LAPIC, IOAPIC */
    if (pci_init) pci_init();           /* every bus, device, function */
    cmdline_report();                   /* unknown options, malformed words */
    if (time_since_entry_us)
        printf("ready in %u.%03u ms\n", (unsigned)(time_since_entry_us() / 1000),
               (unsigned)(time_since_entry_us() % 1000));
    else
        printf("ready\n");

    if (cmdline_script())
        shell_run_script(cmdline_script());
    shell_interactive();
}
