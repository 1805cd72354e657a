/*
 * ACPI tables (ACPI 6.4, chapter 5): find the RSDP, walk the RSDT or XSDT,
 * keep a pointer to every table whose checksum holds, and read what the
 * kernel needs: the MADT (interrupt controllers), the FADT and the DSDT's
 * \_S5 (power-off, reset), the MCFG (PCI ECAM) and the HPET.
 *
 * The RSDP is searched where BIOSes put it (first KiB of the EBDA, then
 * 0xE0000-0xFFFFF) and, for UEFI firmware, on 16-byte boundaries through
 * the ACPI, NVS and small reserved regions of the memory map.  Tables in the
 * identity map (RAM up to pmem_ram_top(), which covers the reserved block
 * SeaBIOS keeps them in) are read in place; anything else is mapped with
 * vm_map_mmio().
 */
#include "acpi.h"
#include "acpitab.h"
#include "console.h"
#include "string.h"
#include "io.h"
#include "pmem.h"
#include "vm.h"
#include "time.h"

#define ACPI_MAX_TABLES         32
#define ACPI_TABLE_MAX_LEN      (4u << 20)  /* refuse anything larger as corrupt */
#define ACPI_RESERVED_SCAN_MAX  (1u << 20)  /* larger reserved regions are not RSDP homes */
#define BDA_EBDA_SEG            0x40E       /* BIOS data area: EBDA segment */
#define ACPI_ENABLE_TIMEOUT_MS  300
#define ACPI_S5_TIMEOUT_MS      1000
#define ACPI_RESET_TIMEOUT_MS   500

struct acpi_table {
    uint32_t pa;                        /* phys_map reaches nothing above 4 GiB */
    const struct acpi_sdt *hdr;         /* mapped, whole table */
};

static struct {
    bool present;
    uint64_t rsdp_pa;
    struct acpi_rsdp rsdp;              /* a copy */
    struct acpi_table tab[ACPI_MAX_TABLES];
    int ntab;
    struct acpi_madt_info madt;
    struct acpi_mcfg_info mcfg;
    struct acpi_fadt_info fadt;
    bool fadt_ok;
    bool s5_ok;
    uint8_t slp_typ_a, slp_typ_b;
    uint64_t hpet_base;
} acpi;

/* ---- reaching physical memory -------------------------------------------- */

/* A pointer to len bytes at physical pa, or NULL. */
static const void *phys_map(uint64_t pa, uint32_t len)
{
    struct vm_info vi;

    if (pa + len > 0x100000000ull)
        return NULL;                    /* no PAE: out of reach */
    vm_get_info(&vi);
    if (!vi.paging || (pa >= PAGE_SIZE && pa + len <= vi.ident_end))
        return (const void *)(uintptr_t)pa;
    return vm_map_mmio(pa, len);
}

static void phys_unmap(const void *va, uint64_t pa, uint32_t len)
{
    if ((uintptr_t)va != pa)
        vm_unmap_mmio((void *)va, len);
}

/* ---- the RSDP ------------------------------------------------------------ */

/* Scan [pa, pa+len) on 16-byte boundaries; true and acpi.rsdp filled if found. */
static bool rsdp_scan(uint64_t pa, uint32_t len)
{
    const uint8_t *va = phys_map(pa, len);
    bool found = false;

    if (!va)
        return false;
    for (uint32_t off = 0; off + ACPI_RSDP_V1_LEN <= len && !found; off += 16) {
        const struct acpi_rsdp *r = (const void *)(va + off);
        if (r->signature[0] != 'R' || !acpi_rsdp_valid(r, len - off))
            continue;
        memset(&acpi.rsdp, 0, sizeof(acpi.rsdp));
        memcpy(&acpi.rsdp, r, r->revision >= 2 ? sizeof(*r) : ACPI_RSDP_V1_LEN);
        acpi.rsdp_pa = pa + off;
        found = true;
    }
    phys_unmap(va, pa, len);
    return found;
}

static bool rsdp_scan_memmap(void)
{
    const struct mem_region *r;
    int n = pmem_regions(&r);

    for (int i = 0; i < n; i++) {
        uint64_t base = ALIGN_UP(r[i].base, 16), end = r[i].base + r[i].len;

        if (r[i].type == MB_MMAP_AVAILABLE || r[i].type == MB_MMAP_BAD || end <= base)
            continue;
        if (r[i].type != MB_MMAP_ACPI && r[i].type != MB_MMAP_NVS &&
            end - base > ACPI_RESERVED_SCAN_MAX)
            continue;                   /* a big reserved hole is MMIO, not tables */
        if (end > 0x100000000ull || end - base > ACPI_TABLE_MAX_LEN)
            continue;
        if (rsdp_scan(base, (uint32_t)(end - base)))
            return true;
    }
    return false;
}

static bool rsdp_find(void)
{
    const uint16_t *bda = phys_map(BDA_EBDA_SEG, 2);
    uint32_t ebda = 0;

    if (bda) {
        ebda = (uint32_t)*bda << 4;
        phys_unmap(bda, BDA_EBDA_SEG, 2);
    }
    if (ebda >= 0x80000 && ebda < 0xA0000 && rsdp_scan(ebda, 1024))
        return true;
    if (rsdp_scan(0xE0000, 0x20000))
        return true;
    return rsdp_scan_memmap();
}

/* ---- tables -------------------------------------------------------------- */

/* Map a whole table at pa and check it; NULL (logged) if unusable. */
static const struct acpi_sdt *table_map(uint64_t pa)
{
    const struct acpi_sdt *h = phys_map(pa, sizeof(*h));
    uint32_t len;

    if (!h) {
        pr_warn("acpi", "table at %08llx: cannot map it", (unsigned long long)pa);
        return NULL;
    }
    len = h->length;
    phys_unmap(h, pa, sizeof(*h));
    if (len < sizeof(*h) || len > ACPI_TABLE_MAX_LEN) {
        pr_warn("acpi", "table at %08llx: length %u is implausible", (unsigned long long)pa, len);
        return NULL;
    }
    h = phys_map(pa, len);
    if (h && !acpi_checksum_ok(h, len)) {
        pr_warn("acpi", "%.4s at %08llx: bad checksum, ignored", h->signature,
                (unsigned long long)pa);
        phys_unmap(h, pa, len);
        return NULL;
    }
    return h;
}

static void table_add(uint64_t pa)
{
    const struct acpi_sdt *h;

    if (!pa || acpi.ntab == ACPI_MAX_TABLES)
        return;
    h = table_map(pa);
    if (!h)
        return;
    acpi.tab[acpi.ntab].pa = (uint32_t)pa;
    acpi.tab[acpi.ntab].hdr = h;
    acpi.ntab++;
}

/* The RSDT (32-bit entries) or XSDT (64-bit entries): add every table listed. */
static bool root_walk(void)
{
    bool x = acpi.rsdp.revision >= 2 && acpi.rsdp.xsdt;
    uint64_t pa = x ? acpi.rsdp.xsdt : acpi.rsdp.rsdt;
    const struct acpi_sdt *root = table_map(pa);
    uint32_t esize = x ? 8 : 4, n;

    if (!root || memcmp(root->signature, x ? "XSDT" : "RSDT", 4) != 0) {
        pr_err("acpi", "no valid %s at %08llx", x ? "XSDT" : "RSDT", (unsigned long long)pa);
        return false;
    }
    n = (root->length - sizeof(*root)) / esize;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t off = sizeof(*root) + i * esize;
        table_add(x ? acpi_get64(root, off) : acpi_get32(root, off));
    }
    phys_unmap(root, pa, root->length);
    return true;
}

const void *acpi_find_table(const char sig[4], int index)
{
    for (int i = 0; i < acpi.ntab; i++)
        if (memcmp(acpi.tab[i].hdr->signature, sig, 4) == 0 && index-- == 0)
            return acpi.tab[i].hdr;
    return NULL;
}

/* ---- the tables the kernel reads ----------------------------------------- */

static void madt_read(void)
{
    const struct acpi_sdt *t = acpi_find_table("APIC", 0);

    if (t && !acpi_madt_parse(t, t->length, &acpi.madt))
        pr_warn("acpi", "MADT is malformed; ignoring it");
}

static void mcfg_read(void)
{
    const struct acpi_sdt *t = acpi_find_table("MCFG", 0);
    struct acpi_mcfg_entry e;

    if (!t)
        return;
    for (uint32_t off = MCFG_ENTRIES; off + sizeof(e) <= t->length; off += sizeof(e)) {
        memcpy(&e, (const uint8_t *)t + off, sizeof(e));
        if (e.segment != 0 || e.bus_end < e.bus_start || !e.base)
            continue;
        acpi.mcfg.present = true;
        acpi.mcfg.base = e.base;
        acpi.mcfg.segment = e.segment;
        acpi.mcfg.bus_start = e.bus_start;
        acpi.mcfg.bus_end = e.bus_end;
        return;
    }
}

static void hpet_read(void)
{
    const struct acpi_sdt *t = acpi_find_table("HPET", 0);
    struct acpi_gas g;

    if (!t || t->length < HPET_TAB_LEN)
        return;
    memcpy(&g, (const uint8_t *)t + HPET_TAB_ADDRESS, sizeof(g));
    if (g.space == ACPI_GAS_MEMORY)
        acpi.hpet_base = g.address;
}

/* The FADT, and through it the DSDT (listed with the tables) and its \_S5. */
static void fadt_read(void)
{
    const struct acpi_sdt *t = acpi_find_table("FACP", 0), *dsdt;

    if (!t)
        return;
    acpi.fadt_ok = acpi_fadt_parse(t, t->length, &acpi.fadt);
    if (!acpi.fadt_ok) {
        pr_warn("acpi", "FADT is %u bytes, too short; no ACPI power-off", t->length);
        return;
    }
    table_add(acpi.fadt.dsdt);
    dsdt = acpi_find_table("DSDT", 0);
    if (!dsdt)
        return;
    acpi.s5_ok = acpi_aml_find_s5((const uint8_t *)(dsdt + 1), dsdt->length - sizeof(*dsdt),
                                  &acpi.slp_typ_a, &acpi.slp_typ_b);
    if (!acpi.s5_ok)
        pr_warn("acpi", "no \\_S5 package in the DSDT; no ACPI power-off");
}

static void acpi_log_summary(void)
{
    char list[ACPI_MAX_TABLES * 5 + 1];
    int n = 0;

    for (int i = 0; i < acpi.ntab; i++)
        if (memcmp(acpi.tab[i].hdr->signature, "DSDT", 4) != 0)
            n += snprintf(list + n, sizeof(list) - n, " %.4s", acpi.tab[i].hdr->signature);
    list[n] = '\0';
    pr_info("acpi", "RSDP at %08llx rev %u (%.6s) tables:%s", (unsigned long long)acpi.rsdp_pa,
            acpi.rsdp.revision, acpi.rsdp.oem_id, list);
    if (acpi.madt.present)
        pr_debug("acpi", "MADT: LAPIC %08x, %d IOAPIC(s), %d override(s)%s",
                 acpi.madt.lapic_addr, acpi.madt.nioapic, acpi.madt.noverride,
                 acpi.madt.has_8259 ? ", 8259s" : "");
}

void acpi_init(void)
{
    if (!rsdp_find()) {
        pr_info("acpi", "no RSDP found; running without ACPI");
        return;
    }
    if (!root_walk())
        return;
    acpi.present = true;
    madt_read();
    mcfg_read();
    hpet_read();
    fadt_read();
    acpi_log_summary();
}

bool acpi_present(void)
{
    return acpi.present;
}

const struct acpi_madt_info *acpi_madt(void)
{
    return &acpi.madt;
}

const struct acpi_mcfg_info *acpi_mcfg(void)
{
    return &acpi.mcfg;
}

uint64_t acpi_hpet_base(void)
{
    return acpi.hpet_base;
}

uint16_t acpi_pm_timer(bool *bits32)
{
    if (!acpi.fadt_ok)
        return 0;
    *bits32 = acpi.fadt.pm_tmr_32;
    return acpi.fadt.pm_tmr;
}

/* ---- power-off and reset ------------------------------------------------- */

/* Legacy (SMI) mode: ask the firmware for ACPI mode, so SLP_EN is honoured. */
static void acpi_enable_mode(void)
{
    struct deadline d;

    if (inw(acpi.fadt.pm1a_cnt) & PM1_SCI_EN)
        return;
    if (!acpi.fadt.smi_cmd || !acpi.fadt.acpi_enable)
        return;                         /* hardware without legacy mode */
    outb(acpi.fadt.smi_cmd, acpi.fadt.acpi_enable);
    d = deadline_ms(ACPI_ENABLE_TIMEOUT_MS);
    while (!(inw(acpi.fadt.pm1a_cnt) & PM1_SCI_EN))
        if (deadline_passed(&d)) {
            pr_warn("acpi", "SCI_EN still clear %u ms after ACPI_ENABLE; trying S5 anyway",
                    ACPI_ENABLE_TIMEOUT_MS);
            return;
        }
}

/* SLP_TYP first, then SLP_TYP | SLP_EN (as ACPI 16.1.7 orders it). */
static void pm1_sleep(uint16_t port, uint8_t typ)
{
    uint16_t v;

    if (!port)
        return;
    v = inw(port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN);
    v |= (typ << PM1_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK;
    outw(port, v);
    outw(port, v | PM1_SLP_EN);
}

bool acpi_poweroff(void)
{
    struct deadline d;

    if (!acpi.fadt_ok || !acpi.s5_ok || !acpi.fadt.pm1a_cnt)
        return false;
    printf("acpi: entering S5 (PM1a_CNT %04x SLP_TYPa %u)\n", acpi.fadt.pm1a_cnt,
           acpi.slp_typ_a);
    acpi_enable_mode();
    cli();
    pm1_sleep(acpi.fadt.pm1a_cnt, acpi.slp_typ_a);
    pm1_sleep(acpi.fadt.pm1b_cnt, acpi.slp_typ_b);
    d = deadline_ms(ACPI_S5_TIMEOUT_MS);
    while (!deadline_passed(&d))
        pause();
    pr_err("acpi", "still running %u ms after entering S5", ACPI_S5_TIMEOUT_MS);
    return false;
}

bool acpi_reset(void)
{
    const struct acpi_gas *g = &acpi.fadt.reset_reg;
    struct deadline d;

    if (!acpi.fadt_ok || !acpi.fadt.reset_ok)
        return false;
    printf("acpi: reset through the FADT reset register (%s %llx <- %02x)\n",
           g->space == ACPI_GAS_IO ? "io" : "mem", (unsigned long long)g->address,
           acpi.fadt.reset_value);
    if (g->space == ACPI_GAS_IO && g->address <= 0xFFFF) {
        outb((uint16_t)g->address, acpi.fadt.reset_value);
    } else if (g->space == ACPI_GAS_MEMORY) {
        volatile uint8_t *r = vm_map_mmio(g->address, 1);
        if (r)
            mmio_write8(r, acpi.fadt.reset_value);
    }
    d = deadline_ms(ACPI_RESET_TIMEOUT_MS);
    while (!deadline_passed(&d))
        pause();
    pr_warn("acpi", "reset register had no effect after %u ms", ACPI_RESET_TIMEOUT_MS);
    return false;
}

/* ---- listing ------------------------------------------------------------- */

void acpi_dump(void)
{
    if (!acpi.present) {
        printf("no ACPI tables\n");
        return;
    }
    printf("RSDP     %08llx rev %u %.6s\n", (unsigned long long)acpi.rsdp_pa,
           acpi.rsdp.revision, acpi.rsdp.oem_id);
    for (int i = 0; i < acpi.ntab; i++) {
        const struct acpi_sdt *h = acpi.tab[i].hdr;
        printf("%.4s     %08x len %5u rev %u %.6s %.8s\n", h->signature,
               acpi.tab[i].pa, h->length, h->revision, h->oem_id,
               h->oem_table_id);
    }
    if (acpi.s5_ok)
        printf("S5: PM1a_CNT %04x PM1b_CNT %04x SLP_TYP %u/%u\n", acpi.fadt.pm1a_cnt,
               acpi.fadt.pm1b_cnt, acpi.slp_typ_a, acpi.slp_typ_b);
    if (acpi.fadt.reset_ok)
        printf("reset: %s %llx <- %02x\n", acpi.fadt.reset_reg.space == ACPI_GAS_IO ? "io" : "mem",
               (unsigned long long)acpi.fadt.reset_reg.address, acpi.fadt.reset_value);
    if (acpi.mcfg.present)
        printf("ECAM: %08llx buses %02x-%02x\n", (unsigned long long)acpi.mcfg.base,
               acpi.mcfg.bus_start, acpi.mcfg.bus_end);
    if (acpi.hpet_base)
        printf("HPET: %08llx\n", (unsigned long long)acpi.hpet_base);
}
