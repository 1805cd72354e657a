/*
 * PCI traversal as pure logic over configuration-read callbacks: the bus
 * walk behind bridges and the capability-list walk.  kernel/pci.c runs
 * them on the hardware; tests/unit/test_pciscan.c on synthetic topologies
 * (loops, bad bus numbers, empty bus 0, a broken capability list).
 */
#ifndef PCISCAN_H
#define PCISCAN_H

#include "pci.h"
#include "pcireg.h"

struct pci_scan {
    /* set by the caller */
    uint8_t (*read8)(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off);
    uint16_t (*read16)(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off);
    void (*found)(void *ctx, unsigned b, unsigned d, unsigned f);   /* each function */
    void *ctx;
    bool allbus;                /* scan all 256 buses instead of following bridges */
    /* filled in by pci_scan_run */
    int nfound;                 /* functions reported to found() */
    bool fell_back;             /* nothing reachable from bus 0: all buses scanned */
    uint32_t bus_seen[PCI_MAX_BUS / 32];    /* buses scanned or queued */
    uint8_t pending[PCI_MAX_BUS];           /* buses waiting (a stack: depth first) */
    int npending;
};

/*
 * Depth-first from bus 0 through PCI-to-PCI bridges' secondary bus
 * numbers; a bridge whose secondary bus is not above its own bus, or names
 * a bus already reached, is reported and not followed.  When bus 0 yields
 * nothing, or s->allbus is set, every bus is scanned instead.
 */
void pci_scan_run(struct pci_scan *s);

/*
 * The capability list of one function, read through read8(ctx, offset):
 * at most max entries and never more than PCI_CAP_MAX_WALK; *looped is set
 * when a pointer repeats or points into the header.
 */
int pci_cap_walk(uint8_t (*read8)(void *ctx, unsigned off), void *ctx,
                 struct pci_cap *caps, int max, bool *looped);

#endif
