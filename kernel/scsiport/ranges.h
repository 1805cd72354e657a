/*
 * The claimed-range table behind ScsiPortValidateRange (DESIGN.md, "The
 * seed routines"): who owns which I/O ports and which physical memory.
 * Fixed storage, no heap.  The table starts with what the platform owns
 * (rangecmds.c: interrupt controllers, timers, CMOS, PCI configuration
 * ports, the console UART, VGA, the kernel image, ACPI blocks, the board's
 * own claims from kernel/board.c and the claim= boot option) and grows as
 * adapters are found: the AccessRanges a miniport reports with
 * SP_RETURN_FOUND are claimed for that adapter (validate.c).
 *
 * Address spaces.  On x86 there is one I/O space (64 KiB) and one physical
 * memory space (taken as 2^64 bytes), seen identically from every bus:
 * ISA, EISA and PCI I/O ports are the same CPU ports, and a PCI BAR on bus
 * 3 is a CPU physical address like one on bus 0.  So the supported bus
 * types (Internal, Isa, Eisa, MicroChannel, PCIBus) and every bus number
 * collapse to the one "system" space, and overlap is checked there; the
 * bus type and number are kept in each entry only to be printed.  Other
 * bus types (TurboChannel, VMEBus, NuBus, PCMCIA, ... or out-of-range
 * values) have no meaning on this platform and are refused.
 *
 * Ranges are half-open: [start, start + len).  Two overlap iff
 * a < b + m && b < a + n (computed on the inclusive last byte, so a range
 * ending exactly at 2^64 works); adjacency is not overlap; containment is.
 * I/O and memory never overlap each other.
 *
 * Owners are opaque pointers (the adapter, for adapter claims); NULL is
 * the platform.  A claim overlapping a claim by a different owner is
 * refused; a claim by the same owner is accepted (one entry already
 * containing it: nothing added; otherwise a new entry).  A check by an
 * owner ignores that owner's own claims, so an adapter's ranges validate.
 *
 * A table's entries are storage its user hands over (range_table_init);
 * the system's table takes them from the heap and grows when it is full
 * (ranges_claim), so the image carries no table sized for the worst case.
 *
 * Pure logic: built for the kernel and for the host (-DHOST_TEST,
 * tests/unit/test_ranges.c).
 */
#ifndef SCSIPORT_RANGES_H
#define SCSIPORT_RANGES_H

#include "types.h"

#define RANGE_MAX           128         /* entries in a fixed table (the host tests') */
#define RANGE_IO_TOP        0x10000ull  /* x86 I/O space: ports 0..0xFFFF */
#define RANGE_NAME_LEN      16          /* owner name, with the NUL */
#define RANGE_WHAT_LEN      24          /* description, with the NUL */

/* Bus types, numbered as the DDK's INTERFACE_TYPE (validate.c asserts it). */
enum {
    RANGE_BUS_INTERNAL = 0,
    RANGE_BUS_ISA = 1,
    RANGE_BUS_EISA = 2,
    RANGE_BUS_MCA = 3,                  /* MicroChannel */
    RANGE_BUS_PCI = 5,
};

#define RANGE_OWNER_PLATFORM    NULL

/* What is asked about: a range in a bus's I/O or memory space. */
struct range_req {
    int bus_type;                       /* RANGE_BUS_* (INTERFACE_TYPE) */
    uint32_t bus;                       /* SystemIoBusNumber */
    bool io;                            /* I/O space, else memory */
    uint64_t start;                     /* bus-relative first byte */
    uint64_t len;                       /* bytes; 0 is refused */
};

/* One claim. */
struct range {
    struct range_req at;
    const void *owner;                  /* adapter, or NULL: the platform */
    char owner_name[RANGE_NAME_LEN];    /* "platform", "board", "ahci0" */
    char what[RANGE_WHAT_LEN];          /* "8259 PIC 1", "AccessRanges[0]" */
};

/* r[0..n) kept sorted: I/O before memory, then by start, then by length. */
struct range_table {
    struct range *r;                    /* room for cap entries */
    int n, cap;
};

enum range_err {
    RANGE_OK,
    RANGE_E_EMPTY,                      /* zero length */
    RANGE_E_WRAP,                       /* runs past the top of the space */
    RANGE_E_BUS,                        /* bus type not supported here */
    RANGE_E_FULL,                       /* no free entry */
    RANGE_E_CLAIMED,                    /* overlaps another owner's claim */
};

void range_table_init(struct range_table *t, struct range *storage, int cap);
const char *range_strerror(enum range_err e);   /* "zero length", ... */
const char *range_bus_name(int bus_type);       /* "isa", "pci", ... or "?" */

/*
 * Is q valid and free of claims by anyone other than owner?  On
 * RANGE_E_CLAIMED, *conflict (if not NULL) is the first such claim.
 */
enum range_err range_test(const struct range_table *t, const struct range_req *q,
                          const void *owner, const struct range **conflict);
bool range_check(const struct range_table *t, const struct range_req *q,
                 const void *owner);

/* Does anybody at all hold a byte of q? (false for an invalid q) */
bool range_claimed(const struct range_table *t, const struct range_req *q);

/*
 * Claim q for owner; name and what are copied (truncated to fit).
 * RANGE_E_FULL when a new entry is needed and the table has no room.
 */
enum range_err range_claim(struct range_table *t, const struct range_req *q,
                           const void *owner, const char *name, const char *what,
                           const struct range **conflict);

/* Drop every claim of owner; returns how many there were. */
int range_release_owner(struct range_table *t, const void *owner);

/*
 * One item of the claim= boot option: "io:0x300+0x20" or
 * "mem:0xfe000000+0x1000" (numbers hex by default, as parse_u64 takes
 * them).  n is the item's length in s (it need not be NUL-terminated).
 * False on bad syntax; *q is then untouched.  Bus type Internal, bus 0.
 */
bool range_parse_claim(const char *s, size_t n, struct range_req *q);

#ifndef HOST_TEST
/* ---- the system's table (rangecmds.c, validate.c) ----------------------- */

struct sp_adapter;

/*
 * Seed the table with the platform's and the board's claims and the claim=
 * boot option (bad items: one error line each, ignored).  Idempotent; runs
 * from scsiport_init, before any HwFindAdapter.
 */
void ranges_init_platform(void);
struct range_table *ranges_table(void);     /* seeded on first use */

/*
 * range_claim on the system's table, which grows (from the heap) when it
 * is full: RANGE_E_FULL only when the heap has no room for a bigger one.
 */
enum range_err ranges_claim(const struct range_req *q, const void *owner, const char *name,
                            const char *what, const struct range **conflict);

/*
 * The legacy ATA blocks (0x1F0-0x1F7 + 0x3F6 primary, 0x170-0x177 + 0x376
 * secondary) are not platform claims.  claimed: anybody holds a byte of
 * either piece (ConfigInfo's AtdiskPrimaryClaimed / AtdiskSecondaryClaimed);
 * claim: both pieces for owner, or nothing when someone else holds the
 * command block (the port set the flag, not the miniport); false, logged,
 * when a piece is refused (the caller, sp_ranges_commit, then releases
 * whatever owner holds).
 */
bool ranges_atdisk_claimed(bool primary);
bool ranges_claim_atdisk(const void *owner, const char *name, bool primary);

/*
 * After HwFindAdapter returned SP_RETURN_FOUND: claim every AccessRanges
 * entry it reported (RangeLength 0 skipped) and, if it set
 * AtdiskPrimaryClaimed / AtdiskSecondaryClaimed on a block nobody held, that
 * block.  All or nothing: false (one log line naming the holder) when a
 * range is refused, with nothing of ad's left claimed.
 */
bool sp_ranges_commit(struct sp_adapter *ad);
void sp_ranges_release(struct sp_adapter *ad);      /* every claim of ad */
#endif

#endif
