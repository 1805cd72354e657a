/*
 * The system's claimed-range table (rules in ranges.h): what the platform
 * owns, seeded once at boot, the legacy ATA blocks, and the `ranges`
 * command that prints it.
 *
 * Platform claims, by where they come from:
 *   - the PC's fixed legacy devices and x86's fixed memory ranges
 *     (platform_io[], platform_mem[]);
 *   - what the kernel knows at run time: the console UART, QEMU's
 *     isa-debug-exit, the kernel image;
 *   - ACPI: the FADT's fixed-hardware I/O blocks (PM1a/b event and
 *     control, PM2 control, PM timer, GPE0/1) and SMI command port, the
 *     LAPIC and IOAPIC windows (MADT), the HPET block, the PCI ECAM window
 *     (MCFG);
 *   - the board's own claims (kernel/board.c) and the claim= boot option,
 *     owned by "board".
 * The option-ROM area 0xC8000-0xDFFFF is deliberately left free: an ISA
 * adapter's BIOS lives there, and its miniport may validate it.
 */
#include "ranges.h"
#include "board.h"
#include "console.h"
#include "cmdline.h"
#include "shell.h"
#include "string.h"
#include "acpi.h"
#include "acpitab.h"
#include "power.h"
#include "pci.h"
#include "vm.h"
#include "heap.h"

/*
 * Room for the boot-time claims (some 40 on a PC) and a few adapters'
 * AccessRanges; doubled whenever it fills up.
 */
#define SYS_RANGES_FIRST    64

static struct range_table sys_ranges;
static bool sys_ranges_ready;
static const char board_owner[] = "board";   /* owner tag of board claims */

struct fixed_claim {
    uint32_t start, len;
    const char *what;
};

/* The PC's fixed I/O devices (ports: 16 bits). */
static const struct {
    uint16_t start, len;
    const char *what;
} platform_io[] = {
    { 0x000, 0x20, "8237 DMA 1" },
    { 0x020, 0x02, "8259 PIC 1" },
    { 0x040, 0x04, "8254 PIT" },
    { 0x060, 0x01, "8042 data" },
    { 0x061, 0x01, "system control port B" },
    { 0x064, 0x01, "8042 command" },
    { 0x070, 0x02, "CMOS/RTC" },
    { 0x080, 0x01, "POST code" },
    { 0x081, 0x0F, "DMA page registers" },
    { 0x092, 0x01, "system control port A" },
    { 0x0A0, 0x02, "8259 PIC 2" },
    { 0x0B2, 0x02, "APM control/status" },
    { 0x0C0, 0x20, "8237 DMA 2" },
    { 0x0F0, 0x01, "FPU error" },
    { 0x3B0, 0x30, "VGA" },
    { 0x3F0, 0x06, "floppy controller" },   /* 0x3F6 is ATA's, 0x3F7 shared with it */
    { 0x4D0, 0x02, "8259 ELCR" },
    { 0xCF8, 0x08, "PCI config" },
};

/* The PC's fixed memory ranges. */
static const struct fixed_claim platform_mem[] = {
    { 0xA0000, 0x20000, "VGA memory" },
    { 0xC0000, 0x08000, "VGA BIOS" },
    { 0xE0000, 0x20000, "system BIOS" },
    { 0xFEE00000, 0x100000, "MSI / local APIC" },   /* the interrupt address range */
    { 0xFFC00000, 0x400000, "firmware flash" },     /* below 4 GiB: the reset vector */
};

/* FADT fixed-hardware register blocks: offset of the port, of its length. */
#define FADT_PM1A_EVT_BLK   56
#define FADT_PM1B_EVT_BLK   60
#define FADT_PM2_CNT_BLK    72
#define FADT_PM_TMR_BLK     76
#define FADT_GPE0_BLK       80
#define FADT_GPE1_BLK       84
#define FADT_PM1_EVT_LEN    88
#define FADT_PM2_CNT_LEN    90
#define FADT_PM_TMR_LEN     91
#define FADT_GPE0_BLK_LEN   92
#define FADT_GPE1_BLK_LEN   93

static const struct {
    uint8_t blk, len;
    const char *what;
} fadt_blocks[] = {
    { FADT_PM1A_EVT_BLK, FADT_PM1_EVT_LEN, "ACPI PM1a_EVT" },
    { FADT_PM1B_EVT_BLK, FADT_PM1_EVT_LEN, "ACPI PM1b_EVT" },
    { FADT_PM1A_CNT_BLK, FADT_PM1_CNT_LEN, "ACPI PM1a_CNT" },
    { FADT_PM1B_CNT_BLK, FADT_PM1_CNT_LEN, "ACPI PM1b_CNT" },
    { FADT_PM2_CNT_BLK, FADT_PM2_CNT_LEN, "ACPI PM2_CNT" },
    { FADT_PM_TMR_BLK, FADT_PM_TMR_LEN, "ACPI PM_TMR" },
    { FADT_GPE0_BLK, FADT_GPE0_BLK_LEN, "ACPI GPE0" },
    { FADT_GPE1_BLK, FADT_GPE1_BLK_LEN, "ACPI GPE1" },
};

#define LAPIC_WINDOW        0x1000
#define IOAPIC_WINDOW       0x1000
#define HPET_WINDOW         0x400
#define ECAM_BUS_BYTES      (1ull << 20)    /* 32 devices x 8 functions x 4 KiB */

/* The legacy ATA blocks: command block, then control register. */
static const struct range_req atdisk_blocks[2][2] = {
    { { RANGE_BUS_ISA, 0, true, 0x170, 8 }, { RANGE_BUS_ISA, 0, true, 0x376, 1 } },
    { { RANGE_BUS_ISA, 0, true, 0x1F0, 8 }, { RANGE_BUS_ISA, 0, true, 0x3F6, 1 } },
};

/* Log a refused claim once: what, where, why and who holds it. */
static void report_refused(const char *who, const struct range_req *q, enum range_err e,
                           const struct range *c)
{
    if (e == RANGE_E_CLAIMED)
        pr_err("ranges", "%s (%s 0x%llx+0x%llx): overlaps %s's %s; ignored", who,
               q->io ? "io" : "mem", q->start, q->len, c->owner_name, c->what);
    else
        pr_err("ranges", "%s (%s 0x%llx+0x%llx): %s; ignored", who, q->io ? "io" : "mem",
               q->start, q->len, range_strerror(e));
}

static void claim_as(const void *owner, const char *name, bool io, uint64_t start,
                     uint64_t len, const char *what)
{
    struct range_req q = { RANGE_BUS_INTERNAL, 0, io, start, len };
    const struct range *c = NULL;
    enum range_err e = ranges_claim(&q, owner, name, what, &c);

    if (e != RANGE_OK)
        report_refused(what, &q, e, c);
}

static void claim_platform(bool io, uint64_t start, uint32_t len, const char *what)
{
    claim_as(RANGE_OWNER_PLATFORM, "platform", io, start, len, what);
}

static void claim_fixed(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(platform_io); i++)
        claim_platform(true, platform_io[i].start, platform_io[i].len, platform_io[i].what);
    for (unsigned i = 0; i < ARRAY_SIZE(platform_mem); i++)
        claim_platform(false, platform_mem[i].start, platform_mem[i].len, platform_mem[i].what);
}

static void claim_kernel_devices(void)
{
    uint32_t start, end;

    claim_platform(true, console_port(), 8, "console UART");
    if (qemu_debug_exit_present())
        claim_platform(true, 0xF4, 4, "isa-debug-exit");
    vm_kernel_range(&start, &end);
    if (end > start)
        claim_platform(false, start, end - start, "kernel image");
}

/* The FADT's I/O blocks (ACPI 6.4, 5.2.9: 32-bit port, 8-bit length). */
static void claim_fadt(void)
{
    const struct acpi_sdt *t = acpi_find_table("FACP", 0);
    uint32_t port;
    uint8_t len;

    if (!t || t->length < FADT_V1_LEN)
        return;
    for (unsigned i = 0; i < ARRAY_SIZE(fadt_blocks); i++) {
        memcpy(&port, (const uint8_t *)t + fadt_blocks[i].blk, sizeof(port));
        len = ((const uint8_t *)t)[fadt_blocks[i].len];
        if (port && len)
            claim_platform(true, port, len, fadt_blocks[i].what);
    }
    memcpy(&port, (const uint8_t *)t + FADT_SMI_CMD, sizeof(port));
    if (port)
        claim_platform(true, port, 1, "ACPI SMI_CMD");
}

static void claim_acpi(void)
{
    const struct acpi_madt_info *m = acpi_madt();
    const struct acpi_mcfg_info *mc = acpi_mcfg();
    uint64_t hpet = acpi_hpet_base();

    if (!acpi_present())
        return;
    claim_fadt();
    if (m && m->present) {
        claim_platform(false, m->lapic_addr, LAPIC_WINDOW, "local APIC");
        for (int i = 0; i < m->nioapic && i < (int)ARRAY_SIZE(m->ioapic); i++)
            claim_platform(false, m->ioapic[i].addr, IOAPIC_WINDOW, "I/O APIC");
    }
    if (hpet)
        claim_platform(false, hpet, HPET_WINDOW, "HPET");
    if (mc && mc->present)
        claim_platform(false, mc->base + mc->bus_start * ECAM_BUS_BYTES,
                       (mc->bus_end - mc->bus_start + 1u) * ECAM_BUS_BYTES, "PCI ECAM");
}

static bool pci_present(uint16_t vendor, uint16_t device)
{
    for (int i = 0; i < pci_count(); i++)
        if (pci_get(i)->vendor == vendor && pci_get(i)->device == device)
            return true;
    return false;
}

static void claim_board(void)
{
    for (unsigned i = 0; i < board_nclaims; i++) {
        const struct board_claim *b = &board_claims[i];
        if (!b->pci_vendor || pci_present(b->pci_vendor, b->pci_device))
            claim_as(board_owner, "board", b->io, b->start, b->len, b->what);
    }
}

/* claim=io:0x300+0x20,mem:0xfe000000+0x1000 */
static void claim_option(void)
{
    const char *opt = cmdline_get("claim");
    struct range_req q;

    for (const char *p = opt; p && *p;) {
        size_t n = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);
        if (n && !range_parse_claim(p, n, &q))
            pr_err("ranges", "claim=%.*s: want io:START+LEN or mem:START+LEN; ignored",
                   (int)n, p);
        else if (n)
            claim_as(board_owner, "board", q.io, q.start, q.len, "claim=");
        p += n + (p[n] == ',');
    }
}

void ranges_init_platform(void)
{
    if (sys_ranges_ready)
        return;
    sys_ranges_ready = true;
    range_table_init(&sys_ranges, kmalloc(SYS_RANGES_FIRST * sizeof(struct range)),
                     SYS_RANGES_FIRST);
    claim_fixed();
    claim_kernel_devices();
    claim_acpi();
    claim_board();
    claim_option();
    pr_debug("ranges", "%d claims at boot", sys_ranges.n);
}

struct range_table *ranges_table(void)
{
    ranges_init_platform();
    return &sys_ranges;
}

/* Move the table to one twice as big; false (table unchanged) without heap. */
static bool sys_ranges_grow(void)
{
    int cap = sys_ranges.cap ? 2 * sys_ranges.cap : SYS_RANGES_FIRST;
    struct range *r = kmalloc((size_t)cap * sizeof(*r));

    if (!r)
        return false;
    if (sys_ranges.n)
        memcpy(r, sys_ranges.r, (size_t)sys_ranges.n * sizeof(*r));
    kfree(sys_ranges.r);
    sys_ranges.r = r;
    sys_ranges.cap = cap;
    return true;
}

enum range_err ranges_claim(const struct range_req *q, const void *owner, const char *name,
                            const char *what, const struct range **conflict)
{
    struct range_table *t = ranges_table();
    enum range_err e = range_claim(t, q, owner, name, what, conflict);

    if (e == RANGE_E_FULL && sys_ranges_grow())
        e = range_claim(t, q, owner, name, what, conflict);
    return e;
}

bool ranges_atdisk_claimed(bool primary)
{
    const struct range_table *t = ranges_table();

    return range_claimed(t, &atdisk_blocks[primary][0]) ||
           range_claimed(t, &atdisk_blocks[primary][1]);
}

bool ranges_claim_atdisk(const void *owner, const char *name, bool primary)
{
    static const char *const what[2][2] = {
        { "ATA secondary", "ATA secondary control" },
        { "ATA primary", "ATA primary control" },
    };
    const struct range_req *b = atdisk_blocks[primary];
    const struct range *c = NULL;
    enum range_err e;

    if (!range_check(ranges_table(), &b[0], owner))
        return true;            /* someone else's: the port set the flag */
    for (int i = 0; i < 2; i++) {
        e = ranges_claim(&b[i], owner, name, what[primary][i], &c);
        if (e != RANGE_OK) {
            pr_err(name, "%s (io 0x%llx): %s%s", what[primary][i], b[i].start,
                   e == RANGE_E_CLAIMED ? "held by " : "",
                   e == RANGE_E_CLAIMED ? c->owner_name : range_strerror(e));
            return false;
        }
    }
    return true;
}

/* ---- the `ranges` command ---------------------------------------------------- */

static void print_range(const struct range *r)
{
    char bus[16], span[48];

    snprintf(bus, sizeof(bus), "%s/%u", range_bus_name(r->at.bus_type), (unsigned)r->at.bus);
    snprintf(span, sizeof(span), r->at.io ? "0x%04llx-0x%04llx" : "0x%08llx-0x%08llx",
             r->at.start, r->at.start + (r->at.len - 1));
    printf("%-5s %-10s %-23s %-9s %s\n", r->at.io ? "io" : "mem", bus, span, r->owner_name,
           r->what);
}

static int do_ranges(int argc, char **argv)
{
    const struct range_table *t = ranges_table();

    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    printf("%-5s %-10s %-23s %-9s %s\n", "space", "bus", "first-last", "owner", "what");
    for (int i = 0; i < t->n; i++)
        print_range(&t->r[i]);
    printf("%d of %d entries used\n", t->n, t->cap);
    return CMD_OK;
}
SHELL_COMMAND(ranges, do_ranges, "",
              "the claimed I/O and memory ranges (ScsiPortValidateRange's table)");
