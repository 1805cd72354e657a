/*
 * PCI: configuration access, enumeration, BAR sizing, capabilities, MSI.
 *
 * Specs: PCI Local Bus Specification 3.0 (mechanism #1 in 3.2.2.3.2, the
 * header in chapter 6, MSI in 6.8); PCI-to-PCI Bridge Architecture 1.2
 * (type 1 header); PCI Express Base 3.0 section 7.2.2 (ECAM); PCI Firmware
 * 3.0 section 4.1.2 (the ACPI MCFG table).
 *
 * Configuration space is reached through ECAM when the MCFG describes it
 * and it can be mapped, otherwise through mechanism #1 (0xCF8/0xCFC).  ECAM
 * is mapped one bus (1 MiB) at a time, on the first access to that bus, so
 * a machine with three buses does not pay page tables for 256.
 * Enumeration starts at bus 0 and follows PCI-to-PCI bridges through the
 * secondary bus numbers firmware assigned; every function found goes into a
 * table on the heap (grown during the scan, never after), sorted by
 * bus/device/function, with its BARs sized.
 *
 * Boot option pci=<word>[,<word>]: "conf1" forces mechanism #1 even where
 * ECAM is available; "allbus" scans all 256 buses instead of following
 * bridges (also the fallback when bus 0 holds nothing).
 */
#include "pci.h"
#include "pcireg.h"
#include "pciscan.h"
#include "acpi.h"
#include "vm.h"
#include "cmdline.h"
#include "console.h"
#include "string.h"
#include "io.h"
#include "heap.h"

#define PCI_MAX_DEVICES     64      /* functions recorded at most */
#define PCI_TABLE_FIRST     8       /* the table's first size; it doubles */

/* Mechanism #1 first: until pci_init chooses, config space is reached through it. */
enum pci_mech { MECH_CONF1, MECH_NONE, MECH_ECAM };

static struct {
    enum pci_mech mech;             /* how pci_read/write reach config space */
    bool no_conf1;                  /* mechanism #1 does not answer (it serves buses outside ECAM) */
    volatile uint8_t **ecam;        /* heap, per ECAM bus: its mapped config space, or NULL */
    uint64_t ecam_pa;               /* MCFG base address (bus 0) */
    uint8_t ecam_first, ecam_last;  /* bus range ECAM decodes */
    bool allbus;                    /* pci=allbus: scan every bus */
    struct pci_dev *devs;           /* heap, grown while the scan finds functions */
    int ndevs;                      /* entries used in devs[] */
    int cap;                        /* entries devs[] has room for */
    int nfound;                     /* functions found, may exceed ndevs */
    int nbuses;                     /* distinct buses holding a function */
} pci;

/* ---- configuration access ------------------------------------------------- */

static uint32_t all_ones(unsigned width)
{
    return width == 4 ? 0xffffffffu : width == 2 ? 0xffffu : 0xffu;
}

/* A caller bug (bad bus/device/function, misaligned or out-of-range offset)? */
static bool cfg_valid(unsigned b, unsigned d, unsigned f, unsigned off, unsigned width)
{
    if (b < PCI_MAX_BUS && d < PCI_MAX_DEV && f < PCI_MAX_FN &&
        (off & (width - 1)) == 0 && off + width <= PCI_ECAM_SIZE)
        return true;
    pr_err("pci", "bad config access %x.%x.%x offset %x width %u", b, d, f, off, width);
    return false;
}

/*
 * Map one bus's ECAM window.  If that fails (vm_map_mmio says why), the
 * rest of the run uses mechanism #1.
 */
static bool ecam_map_bus(unsigned b)
{
    volatile uint8_t **bus = &pci.ecam[b - pci.ecam_first];
    uint32_t flags = irq_save();
    bool ok = true;

    if (!*bus) {
        *bus = vm_map_mmio(pci.ecam_pa + PCI_ECAM_OFFSET(b, 0, 0, 0), PCI_ECAM_BUS_SIZE);
        if (!*bus) {
            pr_debug("pci", "ECAM for bus %02x not mapped; mechanism #1 from now on", b);
            pci.mech = pci.no_conf1 ? MECH_NONE : MECH_CONF1;
            ok = false;
        }
    }
    irq_restore(flags);
    return ok;
}

/* The ECAM address of a register, or NULL when ECAM does not cover that bus. */
static volatile uint8_t *ecam_reg(unsigned b, unsigned d, unsigned f, unsigned off)
{
    if (pci.mech != MECH_ECAM || b < pci.ecam_first || b > pci.ecam_last)
        return NULL;
    if (!pci.ecam[b - pci.ecam_first] && !ecam_map_bus(b))
        return NULL;
    return pci.ecam[b - pci.ecam_first] + PCI_ECAM_OFFSET(0, d, f, off);
}

static uint32_t conf1_address(unsigned b, unsigned d, unsigned f, unsigned off)
{
    return PCI_CONF1_ENABLE | (b << 16) | (d << 11) | (f << 8) | (off & 0xfc);
}

/* Mechanism #1: the address latch and the data window must not be split by an interrupt. */
static uint32_t conf1_read(unsigned b, unsigned d, unsigned f, unsigned off, unsigned width)
{
    uint32_t flags = irq_save(), v;
    uint16_t port = PCI_CONF1_DATA + (off & 3);

    outl(PCI_CONF1_ADDR, conf1_address(b, d, f, off));
    v = width == 1 ? inb(port) : width == 2 ? inw(port) : inl(port);
    irq_restore(flags);
    return v;
}

static void conf1_write(unsigned b, unsigned d, unsigned f, unsigned off, unsigned width,
                        uint32_t v)
{
    uint32_t flags = irq_save();
    uint16_t port = PCI_CONF1_DATA + (off & 3);

    outl(PCI_CONF1_ADDR, conf1_address(b, d, f, off));
    if (width == 1)
        outb(port, v);
    else if (width == 2)
        outw(port, v);
    else
        outl(port, v);
    irq_restore(flags);
}

static uint32_t cfg_read(unsigned b, unsigned d, unsigned f, unsigned off, unsigned width)
{
    volatile uint8_t *r;

    if (!cfg_valid(b, d, f, off, width))
        return all_ones(width);
    r = ecam_reg(b, d, f, off);
    if (r)
        return width == 1 ? mmio_read8(r) : width == 2 ? mmio_read16(r) : mmio_read32(r);
    if (pci.no_conf1 || off >= PCI_CONF1_SIZE)
        return all_ones(width);
    return conf1_read(b, d, f, off, width);
}

static void cfg_write(unsigned b, unsigned d, unsigned f, unsigned off, unsigned width,
                      uint32_t v)
{
    volatile uint8_t *r;

    if (!cfg_valid(b, d, f, off, width))
        return;
    r = ecam_reg(b, d, f, off);
    if (r) {
        if (width == 1)
            mmio_write8(r, v);
        else if (width == 2)
            mmio_write16(r, v);
        else
            mmio_write32(r, v);
    } else if (!pci.no_conf1 && off < PCI_CONF1_SIZE) {
        conf1_write(b, d, f, off, width, v);
    }
}

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return cfg_read(bus, dev, fn, off, 4);
}

uint16_t pci_read16(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return cfg_read(bus, dev, fn, off, 2);
}

uint8_t pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off)
{
    return cfg_read(bus, dev, fn, off, 1);
}

void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v)
{
    cfg_write(bus, dev, fn, off, 4, v);
}

void pci_write16(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint16_t v)
{
    cfg_write(bus, dev, fn, off, 2, v);
}

void pci_write8(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint8_t v)
{
    cfg_write(bus, dev, fn, off, 1, v);
}

/* Shorthands on a found function. */
static uint8_t rd8(const struct pci_dev *d, unsigned off)
{
    return pci_read8(d->bus, d->dev, d->fn, off);
}

static uint16_t rd16(const struct pci_dev *d, unsigned off)
{
    return pci_read16(d->bus, d->dev, d->fn, off);
}

static uint32_t rd32(const struct pci_dev *d, unsigned off)
{
    return pci_read32(d->bus, d->dev, d->fn, off);
}

static void wr16(const struct pci_dev *d, unsigned off, uint16_t v)
{
    pci_write16(d->bus, d->dev, d->fn, off, v);
}

static void wr32(const struct pci_dev *d, unsigned off, uint32_t v)
{
    pci_write32(d->bus, d->dev, d->fn, off, v);
}

/* ---- choosing the mechanism ----------------------------------------------- */

/* Mechanism #1 is there when CONFIG_ADDRESS holds what was written to it. */
static bool conf1_probe(void)
{
    uint32_t flags = irq_save(), saved = inl(PCI_CONF1_ADDR);
    bool ok;

    outl(PCI_CONF1_ADDR, PCI_CONF1_ENABLE);
    ok = inl(PCI_CONF1_ADDR) == PCI_CONF1_ENABLE;
    outl(PCI_CONF1_ADDR, saved);
    irq_restore(flags);
    return ok;
}

/*
 * Does ECAM agree with mechanism #1 about the first bus's device 0?  A
 * wrong MCFG would otherwise make every bus look empty or garbled.
 */
static bool ecam_agrees(void)
{
    unsigned b = pci.ecam_first;
    volatile uint8_t *r = ecam_reg(b, 0, 0, PCI_VENDOR_ID);
    uint32_t via_ecam, via_conf1;

    if (!r)
        return false;
    if (pci.no_conf1)
        return true;
    via_ecam = mmio_read32(r);
    via_conf1 = conf1_read(b, 0, 0, PCI_VENDOR_ID, 4);
    if (via_ecam == via_conf1)
        return true;
    pr_warn("pci", "ECAM at %llx reads %08x at %02x.00.00 where mechanism #1 reads %08x; "
            "not using ECAM", (unsigned long long)pci.ecam_pa, via_ecam, b, via_conf1);
    vm_unmap_mmio((void *)pci.ecam[0], PCI_ECAM_BUS_SIZE);
    pci.ecam[0] = NULL;
    return false;
}

/* ECAM for segment 0 from the MCFG, if it is there and answers sensibly. */
static bool ecam_setup(void)
{
    const struct acpi_mcfg_info *m = acpi_mcfg();

    if (!m || !m->present)
        return false;
    if (m->segment != 0 || m->bus_end < m->bus_start) {
        pr_warn("pci", "MCFG segment %u buses %02x-%02x unusable; using mechanism #1",
                m->segment, m->bus_start, m->bus_end);
        return false;
    }
    pci.ecam = kzalloc((m->bus_end - m->bus_start + 1u) * sizeof(*pci.ecam));
    if (!pci.ecam) {
        pr_err("pci", "no memory for ECAM's bus table; using mechanism #1");
        return false;
    }
    pci.ecam_pa = m->base;
    pci.ecam_first = m->bus_start;
    pci.ecam_last = m->bus_end;
    pci.mech = MECH_ECAM;
    return ecam_agrees();
}

/* The pci= boot option.  Returns whether ECAM may be used. */
static bool parse_option(void)
{
    const char *v = cmdline_get("pci");
    char word[16];
    bool ecam_ok = true;

    while (v && *v) {
        size_t n = 0;

        while (v[n] && v[n] != ',')
            n++;
        strlcpy(word, v, MIN(n + 1, sizeof(word)));
        if (n < sizeof(word) && strcmp(word, "conf1") == 0)
            ecam_ok = false;
        else if (n < sizeof(word) && strcmp(word, "allbus") == 0)
            pci.allbus = true;
        else
            pr_err("pci", "pci=%s: want conf1 and/or allbus, comma-separated", cmdline_get("pci"));
        v += n + (v[n] == ',');
    }
    return ecam_ok;
}

static void mech_init(void)
{
    bool ecam_ok = parse_option();

    pci.no_conf1 = !conf1_probe();
    if (ecam_ok && ecam_setup())
        pci.mech = MECH_ECAM;
    else
        pci.mech = pci.no_conf1 ? MECH_NONE : MECH_CONF1;
}

const char *pci_mechanism(void)
{
    return pci.mech == MECH_ECAM ? "ECAM" : pci.mech == MECH_CONF1 ? "conf1" : "none";
}

uint64_t pci_ecam_base(void)
{
    return pci.mech == MECH_ECAM ? pci.ecam_pa : 0;
}

/* ---- capabilities ---------------------------------------------------------- */

static uint8_t cap_read8(void *ctx, unsigned off)
{
    return rd8(ctx, off);
}

int pci_cap_list(const struct pci_dev *d, struct pci_cap *caps, int max)
{
    bool looped;

    return pci_cap_walk(cap_read8, (void *)d, caps, max, &looped);
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after)
{
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    int n = pci_cap_list(d, caps, PCI_CAP_MAX_WALK), i = 0;

    if (after) {
        while (i < n && caps[i].pos != after)
            i++;
        i++;
    }
    for (; i < n; i++)
        if (caps[i].id == id)
            return caps[i].pos;
    return 0;
}

/* Record where MSI, MSI-X and the PCIe capability live (first of each). */
static void caps_record(struct pci_dev *d)
{
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    bool looped;
    int n = pci_cap_walk(cap_read8, d, caps, PCI_CAP_MAX_WALK, &looped);

    if (looped)
        pr_warn("pci", "%02x.%02x.%02x: capability list loops or points into the header "
                "after %d entries; walk stopped", d->bus, d->dev, d->fn, n);
    for (int i = n - 1; i >= 0; i--) {
        if (caps[i].id == PCI_CAP_MSI)
            d->msi_cap = caps[i].pos;
        else if (caps[i].id == PCI_CAP_MSIX)
            d->msix_cap = caps[i].pos;
        else if (caps[i].id == PCI_CAP_PCIE)
            d->pcie_cap = caps[i].pos;
    }
}

/* ---- BARs ------------------------------------------------------------------ */

/* Write all-ones, read back, restore.  Decode must be off while this runs. */
static uint32_t bar_probe(const struct pci_dev *d, unsigned off, uint32_t *value)
{
    uint32_t mask;

    *value = rd32(d, off);
    wr32(d, off, 0xffffffffu);
    mask = rd32(d, off);
    wr32(d, off, *value);
    return mask;
}

/* Size BAR i of n; returns the slots it takes (2 for a 64-bit memory BAR). */
static int bar_size_one(struct pci_dev *d, int i, int n)
{
    unsigned off = PCI_BAR0 + 4 * i;
    uint32_t lo, lo_mask, hi = 0, hi_mask = 0;
    bool has_hi = i + 1 < n;

    lo_mask = bar_probe(d, off, &lo);
    if (pci_bar_is_mem64(lo) && has_hi)
        hi_mask = bar_probe(d, off + 4, &hi);
    return pci_bar_decode(lo, lo_mask, has_hi, hi, hi_mask, &d->bar[i]);
}

static int bar_count(const struct pci_dev *d)
{
    switch (d->hdr_type) {
    case PCI_HDR_NORMAL:  return PCI_NUM_BARS;
    case PCI_HDR_BRIDGE:  return PCI_NUM_BARS_BRIDGE;
    case PCI_HDR_CARDBUS: return PCI_NUM_BARS_CARDBUS;
    default:              return 0;
    }
}

/*
 * Size every BAR with I/O and memory decode off, so the all-ones pattern is
 * never decoded as an address; then restore the command register.  Host
 * bridges keep decoding: on some chipsets that would cut off memory.
 */
static void bars_size(struct pci_dev *d)
{
    uint16_t cmd = rd16(d, PCI_COMMAND);
    bool host = d->class == PCI_CLASS_BRIDGE && d->subclass == 0x00;
    bool off = !host && (cmd & (PCI_CMD_IO | PCI_CMD_MEM));
    int n = bar_count(d);

    if (off)
        wr16(d, PCI_COMMAND, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
    for (int i = 0; i < n; )
        i += bar_size_one(d, i, n);
    if (off)
        wr16(d, PCI_COMMAND, cmd);
}

/* ---- enumeration ----------------------------------------------------------- */

/* One line per function at loglevel=3: identity, class, interrupt, BARs. */
static void dev_log(const struct pci_dev *d)
{
    static const char *const kind[] = {
        [PCI_BAR_IO] = "io", [PCI_BAR_MEM32] = "mem32", [PCI_BAR_MEM64] = "mem64",
    };
    char line[200] = "";
    int n = 0;

    for (int i = 0; i < 6 && n < (int)sizeof(line); i++) {
        const struct pci_bar *b = &d->bar[i];

        if (b->type != PCI_BAR_NONE)
            n += snprintf(line + n, sizeof(line) - n, " bar%d %s%s %llx/%llx", i,
                          kind[b->type], b->prefetch ? "p" : "",
                          (unsigned long long)b->base, (unsigned long long)b->size);
    }
    pr_debug("pci", "%02x.%02x.%02x %04x:%04x class %02x%02x%02x irq %u pin %u%s",
             d->bus, d->dev, d->fn, d->vendor, d->device, d->class, d->subclass,
             d->progif, d->irq_line, d->irq_pin, line);
}

/* Fill one table entry from the function's header. */
static void dev_probe(struct pci_dev *d, unsigned b, unsigned dv, unsigned f)
{
    uint32_t class_rev;

    memset(d, 0, sizeof(*d));
    d->bus = b;
    d->dev = dv;
    d->fn = f;
    d->vendor = rd16(d, PCI_VENDOR_ID);
    d->device = rd16(d, PCI_DEVICE_ID);
    class_rev = rd32(d, PCI_REVISION_ID);
    d->rev = class_rev;
    d->progif = class_rev >> 8;
    d->subclass = class_rev >> 16;
    d->class = class_rev >> 24;
    d->hdr_type = rd8(d, PCI_HEADER_TYPE) & PCI_HDR_TYPE_MASK;
    if (d->hdr_type == PCI_HDR_NORMAL) {
        d->subsys_vendor = rd16(d, PCI_SUBSYS_VENDOR_ID);
        d->subsys_id = rd16(d, PCI_SUBSYS_ID);
    }
    if (d->hdr_type == PCI_HDR_BRIDGE)
        d->secondary_bus = rd8(d, PCI_SECONDARY_BUS);
    d->irq_line = rd8(d, PCI_INTERRUPT_LINE);
    d->irq_pin = rd8(d, PCI_INTERRUPT_PIN);
    caps_record(d);
    bars_size(d);
    dev_log(d);
}

static uint8_t scan_read8(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off)
{
    (void)ctx;
    return pci_read8(b, d, f, off);
}

static uint16_t scan_read16(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off)
{
    (void)ctx;
    return pci_read16(b, d, f, off);
}

/* Room for one more entry (the table only moves during pci_init); false if none. */
static bool table_grow(void)
{
    int cap = pci.cap ? 2 * pci.cap : PCI_TABLE_FIRST;
    struct pci_dev *t;

    if (pci.ndevs < pci.cap)
        return true;
    if (pci.cap == PCI_MAX_DEVICES)
        return false;
    cap = MIN(cap, PCI_MAX_DEVICES);
    t = kmalloc(cap * sizeof(*t));
    if (!t)
        return false;
    if (pci.devs)
        memcpy(t, pci.devs, pci.ndevs * sizeof(*t));
    kfree(pci.devs);
    pci.devs = t;
    pci.cap = cap;
    return true;
}

/* Each function the walk finds goes into the table while there is room. */
static void scan_found(void *ctx, unsigned b, unsigned d, unsigned f)
{
    (void)ctx;
    if (table_grow())
        dev_probe(&pci.devs[pci.ndevs++], b, d, f);
}

static unsigned bdf_key(const struct pci_dev *d)
{
    return ((unsigned)d->bus << 8) | (d->dev << 3) | d->fn;
}

/* Insertion sort by bus/device/function; count the distinct buses. */
static void table_sort(void)
{
    for (int i = 1; i < pci.ndevs; i++) {
        struct pci_dev t = pci.devs[i];
        int j = i;

        for (; j > 0 && bdf_key(&pci.devs[j - 1]) > bdf_key(&t); j--)
            pci.devs[j] = pci.devs[j - 1];
        pci.devs[j] = t;
    }
    pci.nbuses = 0;
    for (int i = 0; i < pci.ndevs; i++)
        if (i == 0 || pci.devs[i].bus != pci.devs[i - 1].bus)
            pci.nbuses++;
}

static void summary(void)
{
    if (pci.nfound > pci.ndevs)
        pr_warn("pci", "%d functions found; only the first %d recorded%s",
                pci.nfound, pci.ndevs, pci.ndevs < PCI_MAX_DEVICES ? " (out of memory)" : "");
    if (pci.mech == MECH_ECAM)
        pr_info("pci", "%d devices on %d buses (ECAM at %llx)", pci.ndevs, pci.nbuses,
                (unsigned long long)pci.ecam_pa);
    else
        pr_info("pci", "%d devices on %d buses (%s)", pci.ndevs, pci.nbuses,
                pci.mech == MECH_CONF1 ? "conf1" : "no configuration mechanism");
}

void pci_init(void)
{
    struct pci_scan scan = {
        .read8 = scan_read8, .read16 = scan_read16, .found = scan_found,
    };

    mech_init();
    if (pci.mech != MECH_NONE) {
        scan.allbus = pci.allbus;
        pci_scan_run(&scan);
        pci.nfound = scan.nfound;
    }
    table_sort();
    summary();
}

int pci_count(void)
{
    return pci.ndevs;
}

int pci_bus_count(void)
{
    return pci.nbuses;
}

struct pci_dev *pci_get(int index)
{
    return index >= 0 && index < pci.ndevs ? &pci.devs[index] : NULL;
}

struct pci_dev *pci_find_bdf(unsigned bus, unsigned dev, unsigned fn)
{
    for (int i = 0; i < pci.ndevs; i++) {
        struct pci_dev *d = &pci.devs[i];
        if (d->bus == bus && d->dev == dev && d->fn == fn)
            return d;
    }
    return NULL;
}

/* ---- driver helpers -------------------------------------------------------- */

/* Turn on the requested command bits; never turns any off. */
void pci_enable(const struct pci_dev *d, bool io, bool mem, bool bus_master)
{
    uint16_t cmd = rd16(d, PCI_COMMAND), want = cmd;

    if (io)
        want |= PCI_CMD_IO;
    if (mem)
        want |= PCI_CMD_MEM;
    if (bus_master)
        want |= PCI_CMD_MASTER;
    if (want != cmd)
        wr16(d, PCI_COMMAND, want);
}

void pci_intx_disable(const struct pci_dev *d, bool disable)
{
    uint16_t cmd = rd16(d, PCI_COMMAND);
    uint16_t want = disable ? cmd | PCI_CMD_INTX_DISABLE : cmd & ~PCI_CMD_INTX_DISABLE;

    if (want != cmd)
        wr16(d, PCI_COMMAND, want);
}

/* MSI and MSI-X must never be on together. */
static void msix_disable(const struct pci_dev *d)
{
    uint16_t ctrl;

    if (!d->msix_cap)
        return;
    ctrl = rd16(d, d->msix_cap + PCI_MSIX_CTRL);
    if (ctrl & PCI_MSIX_CTRL_ENABLE)
        wr16(d, d->msix_cap + PCI_MSIX_CTRL, ctrl & ~PCI_MSIX_CTRL_ENABLE);
}

/*
 * One vector (Multiple Message Enable = 0): address and data programmed
 * with MSI off, vector 0 unmasked where per-vector masking exists, then MSI
 * on and INTx off (PCI 3.0 section 6.8.1).
 */
bool pci_msi_enable(const struct pci_dev *d, uint32_t addr, uint32_t data)
{
    unsigned c = d->msi_cap, mask_reg;
    uint16_t ctrl;

    if (!c)
        return false;
    ctrl = rd16(d, c + PCI_MSI_CTRL);
    wr16(d, c + PCI_MSI_CTRL, ctrl & ~PCI_MSI_CTRL_ENABLE);
    msix_disable(d);
    wr32(d, c + PCI_MSI_ADDR_LO, addr);
    if (ctrl & PCI_MSI_CTRL_64BIT) {
        wr32(d, c + PCI_MSI_ADDR_HI, 0);
        wr16(d, c + PCI_MSI_DATA_64, data);
        mask_reg = c + PCI_MSI_MASK_64;
    } else {
        wr16(d, c + PCI_MSI_DATA_32, data);
        mask_reg = c + PCI_MSI_MASK_32;
    }
    if (ctrl & PCI_MSI_CTRL_PVM)
        wr32(d, mask_reg, rd32(d, mask_reg) & ~1u);
    ctrl = (ctrl & ~PCI_MSI_CTRL_MME) | PCI_MSI_CTRL_ENABLE;
    wr16(d, c + PCI_MSI_CTRL, ctrl);
    pci_intx_disable(d, true);
    return true;
}

/* MSI off and the function back on INTx. */
void pci_msi_disable(const struct pci_dev *d)
{
    uint16_t ctrl;

    if (!d->msi_cap)
        return;
    ctrl = rd16(d, d->msi_cap + PCI_MSI_CTRL);
    if (ctrl & PCI_MSI_CTRL_ENABLE)
        wr16(d, d->msi_cap + PCI_MSI_CTRL, ctrl & ~PCI_MSI_CTRL_ENABLE);
    pci_intx_disable(d, false);
}
