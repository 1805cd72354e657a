/*
 * libFuzzer harness: PCI decoding and traversal as pure logic
 * (kernel/pcibar.c, kernel/pciscan.c).  Configuration space is what the
 * devices say, and a broken or hostile device says anything.
 *
 * Input: a mode byte, then
 *   0  a BAR: value, sizing read-back, whether a next slot exists, and the
 *      next slot's value and read-back; also a class and a capability ID;
 *   1  one function's 256-byte configuration space and a limit, for the
 *      capability walk;
 *   2  a topology: a flag (scan all buses) and up to MAX_FNS functions, each
 *      bus, device, function, vendor ID, header type and secondary bus.
 *
 * Properties:
 *  - pci_bar_decode consumes 2 slots exactly for a 64-bit memory BAR with
 *    a next slot; its type, base, size and prefetch bit are what PCI 3.0
 *    6.2.5.1 says for those register values (size: the lowest writable
 *    address bit; nothing for a read-back with no address bits);
 *  - class and capability names are never NULL, class names fit 23 columns;
 *  - the capability walk follows the list from the right pointer (CardBus
 *    bridges keep theirs at 14h), stops on a pointer into the header or one
 *    already seen (and says so), and at max or 48 entries;
 *  - the bus scan reads only existing bus/device/function/offsets, reports
 *    each present function at most once and no absent one, scans every
 *    bus (all functions, multi-function rules applied) with the all-bus
 *    flag or after finding nothing from bus 0, and otherwise exactly bus 0
 *    and the buses behind bridges reached, where a bridge is followed only
 *    to a secondary bus above its own.
 */
#include <stdarg.h>

#include "pciscan.h"
#include "console.h"
#include "fuzz.h"

int log_level = LOG_DEBUG;

/* The log, formatted (so every format and its arguments are exercised) and dropped. */
void klog(int level, const char *dev, const char *fmt, ...)
{
    char line[256];
    va_list ap;

    (void)level;
    (void)dev;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
}

/* ---- BARs and names ------------------------------------------------------------------- */

static uint64_t low_bit(uint64_t v)
{
    for (int i = 0; i < 64; i++)
        if (v & (1ull << i))
            return 1ull << i;
    return 0;
}

static void fuzz_bar(struct fz *f)
{
    uint32_t lo = fz_u32(f), lo_mask = fz_u32(f), hi = fz_u32(f), hi_mask = fz_u32(f);
    bool has_hi = fz_bool(f), mem64 = !(lo & 1) && (lo & 6) == 4;
    struct pci_bar b, w = { .type = PCI_BAR_NONE };
    int slots = pci_bar_decode(lo, lo_mask, has_hi, hi, hi_mask, &b);
    const char *cls = pci_class_name(fz_u8(f));

    FZ_CHECK(pci_bar_is_mem64(lo) == mem64, "is_mem64(%x)", lo);
    FZ_CHECK(slots == (mem64 && has_hi ? 2 : 1), "BAR %x: %d slots", lo, slots);
    if (lo & 1) {
        w.size = low_bit(lo_mask & ~3u);
        w.base = lo & ~3u;
        w.type = PCI_BAR_IO;
    } else if (mem64 && has_hi) {
        w.size = low_bit((uint64_t)hi_mask << 32 | (lo_mask & ~0xFu));
        w.base = (uint64_t)hi << 32 | (lo & ~0xFu);
        w.type = PCI_BAR_MEM64;
    } else if ((lo & 6) < 4) {
        w.size = low_bit(lo_mask & ~0xFu);
        w.base = lo & ~0xFu;
        w.type = PCI_BAR_MEM32;
    }
    if (!w.size)
        w = (struct pci_bar){ .type = PCI_BAR_NONE };
    else
        w.prefetch = w.type != PCI_BAR_IO && (lo & 8);
    FZ_CHECK(b.type == w.type && b.base == w.base && b.size == w.size && b.prefetch == w.prefetch,
             "BAR %x mask %x / %x %x: type %d base %llx size %llx; model %d %llx %llx", lo,
             lo_mask, hi, hi_mask, b.type, (unsigned long long)b.base,
             (unsigned long long)b.size, w.type, (unsigned long long)w.base,
             (unsigned long long)w.size);
    FZ_CHECK(cls && strlen(cls) <= 23, "class name '%s'", cls ? cls : "(null)");
    FZ_CHECK(pci_cap_name(fz_u8(f)) != NULL, "capability name");
}

/* ---- the capability list -------------------------------------------------------------- */

static uint8_t cfg_read8(void *ctx, unsigned off)
{
    FZ_CHECK(off < 256, "configuration read at %x", off);
    return ((const uint8_t *)ctx)[off];
}

static void fuzz_caps(struct fz *f)
{
    uint8_t cfg[256] = { 0 }, seen[64] = { 0 }, pos;
    struct pci_cap caps[64], want[64];
    int max = fz_u8(f) % 64, n, wn = 0;
    bool looped, wloop = false;
    size_t got;
    const uint8_t *p = fz_bytes(f, sizeof(cfg), &got);

    memcpy(cfg, p, got);
    n = pci_cap_walk(cfg_read8, cfg, caps, max, &looped);
    pos = 0;
    if (cfg[0x06] & 0x10)
        pos = ((cfg[0x0E] & 0x7F) == 2 ? cfg[0x14] : cfg[0x34]) & 0xFC;
    for (; pos && wn < max && wn < 48; pos = cfg[pos + 1] & 0xFC) {
        if (pos < 0x40 || seen[pos / 4]) {
            wloop = true;
            break;
        }
        seen[pos / 4] = 1;
        want[wn].pos = pos;
        want[wn++].id = cfg[pos];
    }
    FZ_CHECK(n == wn && looped == wloop, "%d capabilities (looped %d), model %d (%d)", n,
             looped, wn, wloop);
    for (int i = 0; i < n; i++)
        FZ_CHECK(caps[i].pos == want[i].pos && caps[i].id == want[i].id,
                 "capability %d at %02x id %02x, model %02x %02x", i, caps[i].pos, caps[i].id,
                 want[i].pos, want[i].id);
}

/* ---- the bus scan --------------------------------------------------------------------- */

#define MAX_FNS     24
#define BDF(b, d, f)    ((b) << 8 | (d) << 3 | (f))

struct topo {
    struct pci_scan *s;
    int n;
    struct { unsigned bdf; uint16_t vendor; uint8_t hdr, sec; } fn[MAX_FNS + 1];
    uint8_t at[256 * 256];              /* BDF -> fn index, 0: nothing */
    uint8_t found[256 * 256];
    unsigned found_bdf[MAX_FNS];
    int nfound;
};

static void check_access(struct topo *t, unsigned b, unsigned d, unsigned f, unsigned off)
{
    FZ_CHECK(b < 256 && d < 32 && f < 8 && off < 256, "read of %x.%x.%x offset %x", b, d, f, off);
    FZ_CHECK(t->s->npending >= 0 && t->s->npending <= PCI_MAX_BUS, "%d buses pending",
             t->s->npending);
}

static uint16_t topo_read16(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off)
{
    struct topo *t = ctx;
    int i;

    check_access(t, b, d, f, off);
    i = t->at[BDF(b, d, f)];
    return i && off == PCI_VENDOR_ID ? t->fn[i].vendor : 0xFFFF;
}

static uint8_t topo_read8(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off)
{
    struct topo *t = ctx;
    int i;

    check_access(t, b, d, f, off);
    i = t->at[BDF(b, d, f)];
    if (!i)
        return 0xFF;
    return off == PCI_HEADER_TYPE ? t->fn[i].hdr : off == PCI_SECONDARY_BUS ? t->fn[i].sec : 0xFF;
}

static bool present(const struct topo *t, unsigned bdf)
{
    return t->at[bdf] && t->fn[t->at[bdf]].vendor != 0xFFFF && t->fn[t->at[bdf]].vendor != 0;
}

static void topo_found(void *ctx, unsigned b, unsigned d, unsigned f)
{
    struct topo *t = ctx;

    check_access(t, b, d, f, 0);
    FZ_CHECK(present(t, BDF(b, d, f)) && !t->found[BDF(b, d, f)] && t->nfound < MAX_FNS,
             "%02x.%02x.%x reported absent or twice", b, d, f);
    t->found[BDF(b, d, f)] = 1;
    t->found_bdf[t->nfound++] = BDF(b, d, f);
}

/* Would an all-bus scan report this function? */
static bool scannable(const struct topo *t, unsigned bdf)
{
    unsigned fn0 = bdf & ~7u;

    return present(t, bdf) && present(t, fn0) &&
           ((bdf & 7) == 0 || (t->fn[t->at[fn0]].hdr & PCI_HDR_MULTIFN));
}

/* Every function an all-bus scan reports on bus (all buses if bus < 0) was found. */
static void check_bus_fully_found(const struct topo *t, int bus)
{
    for (int i = 1; i <= t->n; i++) {
        unsigned bdf = t->fn[i].bdf;

        if (bus >= 0 && bdf >> 8 != (unsigned)bus)
            continue;
        FZ_CHECK(t->at[bdf] != i || !scannable(t, bdf) || t->found[bdf],
                 "%02x.%02x.%x not found, though its bus was scanned", bdf >> 8,
                 (bdf >> 3) & 31, bdf & 7);
    }
}

/* Bridge mode: bus 0, and exactly the buses behind found bridges above their own bus. */
static void check_reached(const struct topo *t)
{
    bool behind[256] = { false };

    check_bus_fully_found(t, 0);
    for (int i = 0; i < t->nfound; i++) {
        unsigned bdf = t->found_bdf[i];
        unsigned hdr = t->fn[t->at[bdf]].hdr, sec = t->fn[t->at[bdf]].sec;

        if ((hdr & PCI_HDR_TYPE_MASK) == PCI_HDR_BRIDGE && sec > bdf >> 8) {
            behind[sec] = true;
            check_bus_fully_found(t, (int)sec);
        }
    }
    for (int i = 0; i < t->nfound; i++) {
        unsigned bdf = t->found_bdf[i];
        FZ_CHECK(bdf < 256 || behind[bdf >> 8], "%02x.%02x.%x found, behind no bridge",
                 bdf >> 8, (bdf >> 3) & 31, bdf & 7);
    }
}

static void topo_clear(struct topo *t)
{
    for (int i = 1; i <= t->n; i++)
        t->at[t->fn[i].bdf] = 0;
    for (int i = 0; i < t->nfound; i++)
        t->found[t->found_bdf[i]] = 0;
    t->n = t->nfound = 0;
}

static void fuzz_scan(struct fz *f)
{
    static struct topo t;
    static struct pci_scan s;
    bool allbus;

    topo_clear(&t);
    memset(&s, 0, sizeof(s));
    t.s = &s;
    t.n = fz_u8(f) % (MAX_FNS + 1);
    allbus = fz_bool(f);
    for (int i = 1; i <= t.n; i++) {
        uint8_t how = fz_u8(f);
        unsigned bus = how & 1 ? fz_u8(f) : fz_u8(f) % 4, dev = fz_u8(f) % 32, fn = fz_u8(f) % 8;

        t.fn[i].bdf = BDF(bus, dev, fn);
        t.fn[i].vendor = how & 2 ? fz_u16(f) : 0x8086;
        t.fn[i].hdr = fz_u8(f);
        t.fn[i].sec = fz_u8(f);
        t.at[t.fn[i].bdf] = (uint8_t)i;         /* the same BDF twice: the last one */
    }
    s.read8 = topo_read8;
    s.read16 = topo_read16;
    s.found = topo_found;
    s.ctx = &t;
    s.allbus = allbus;
    pci_scan_run(&s);
    FZ_CHECK(s.nfound == t.nfound, "nfound %d, reported %d", s.nfound, t.nfound);
    FZ_CHECK(!s.fell_back || !allbus, "fell back with the all-bus flag set");
    if (allbus || s.fell_back) {
        check_bus_fully_found(&t, -1);
        return;
    }
    FZ_CHECK(s.nfound > 0, "nothing found and no fallback");
    check_reached(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };

    switch (fz_u8(&f) % 3) {
    case 0: fuzz_bar(&f); break;
    case 1: fuzz_caps(&f); break;
    default: fuzz_scan(&f); break;
    }
    return 0;
}
