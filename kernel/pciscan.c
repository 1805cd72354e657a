/*
 * PCI traversal, pure: the bus walk (PCI-to-PCI Bridge Architecture 1.2,
 * section 3.2.5: secondary bus numbers) and the capability list (PCI 3.0
 * section 6.7).  Every read goes through the caller's callbacks.
 */
#include "pciscan.h"
#include "console.h"

static bool bus_test_and_mark(struct pci_scan *s, unsigned bus)
{
    uint32_t bit = 1u << (bus % 32);
    bool seen = s->bus_seen[bus / 32] & bit;

    s->bus_seen[bus / 32] |= bit;
    return seen;
}

/* Queue the bus behind a bridge, unless its number is impossible or already reached. */
static void bridge_follow(struct pci_scan *s, unsigned b, unsigned d, unsigned f)
{
    unsigned sec = s->read8(s->ctx, b, d, f, PCI_SECONDARY_BUS);

    if (sec <= b) {
        pr_warn("pci", "%02x.%02x.%02x: bridge to bus %02x from bus %02x%s; not followed",
                b, d, f, sec, b, sec == 0 ? " (not configured)" : "");
        return;
    }
    if (bus_test_and_mark(s, sec)) {
        pr_warn("pci", "%02x.%02x.%02x: bridge to bus %02x, already reached; not followed",
                b, d, f, sec);
        return;
    }
    s->pending[s->npending++] = sec;
}

static bool function_present(struct pci_scan *s, unsigned b, unsigned d, unsigned f)
{
    uint16_t vendor = s->read16(s->ctx, b, d, f, PCI_VENDOR_ID);

    return vendor != PCI_VENDOR_NONE && vendor != 0x0000;
}

static void function_found(struct pci_scan *s, unsigned b, unsigned d, unsigned f)
{
    uint8_t hdr = s->read8(s->ctx, b, d, f, PCI_HEADER_TYPE) & PCI_HDR_TYPE_MASK;

    s->nfound++;
    s->found(s->ctx, b, d, f);
    if (hdr == PCI_HDR_BRIDGE && !s->allbus)
        bridge_follow(s, b, d, f);
}

/* Every device on a bus; functions 1-7 only where function 0 says multi-function. */
static void bus_scan(struct pci_scan *s, unsigned b)
{
    for (unsigned d = 0; d < PCI_MAX_DEV; d++) {
        unsigned nfn;

        if (!function_present(s, b, d, 0))
            continue;
        nfn = (s->read8(s->ctx, b, d, 0, PCI_HEADER_TYPE) & PCI_HDR_MULTIFN) ? PCI_MAX_FN : 1;
        for (unsigned f = 0; f < nfn; f++)
            if (function_present(s, b, d, f))
                function_found(s, b, d, f);
    }
}

void pci_scan_run(struct pci_scan *s)
{
    s->nfound = 0;
    s->fell_back = false;
    s->npending = 0;
    for (unsigned i = 0; i < ARRAY_SIZE(s->bus_seen); i++)
        s->bus_seen[i] = 0;
    if (!s->allbus) {
        bus_test_and_mark(s, 0);
        s->pending[s->npending++] = 0;
        while (s->npending > 0)
            bus_scan(s, s->pending[--s->npending]);
        if (s->nfound > 0)
            return;
        pr_info("pci", "nothing found from bus 0; scanning all buses");
        s->fell_back = s->allbus = true;
    }
    for (unsigned b = 0; b < PCI_MAX_BUS; b++)
        bus_scan(s, b);
}

static uint8_t cap_first(uint8_t (*read8)(void *ctx, unsigned off), void *ctx)
{
    if (!(read8(ctx, PCI_STATUS) & PCI_STS_CAP_LIST))
        return 0;
    if ((read8(ctx, PCI_HEADER_TYPE) & PCI_HDR_TYPE_MASK) == PCI_HDR_CARDBUS)
        return read8(ctx, PCI_CB_CAP_PTR) & PCI_CAP_PTR_MASK;
    return read8(ctx, PCI_CAP_PTR) & PCI_CAP_PTR_MASK;
}

int pci_cap_walk(uint8_t (*read8)(void *ctx, unsigned off), void *ctx,
                 struct pci_cap *caps, int max, bool *looped)
{
    uint64_t seen = 0;                  /* one bit per dword of config space */
    uint8_t pos = cap_first(read8, ctx);
    int n = 0;

    *looped = false;
    while (pos && n < max && n < PCI_CAP_MAX_WALK) {
        if (pos < PCI_CAP_FIRST || (seen & (1ull << (pos / 4)))) {
            *looped = true;
            break;
        }
        seen |= 1ull << (pos / 4);
        caps[n].pos = pos;
        caps[n].id = read8(ctx, pos + PCI_CAP_ID);
        n++;
        pos = read8(ctx, pos + PCI_CAP_NEXT) & PCI_CAP_PTR_MASK;
    }
    return n;
}
