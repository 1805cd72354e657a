/*
 * ScsiPortValidateRange and the adapter's claims in the claimed-range table
 * (ranges.h; DESIGN.md "The seed routines"; reference/scsiport-api.md 2.2).
 *
 * ValidateRange answers only inside HwFindAdapter: elsewhere it returns
 * FALSE with one error line.  Inside, it says whether the range is valid
 * and free of everybody else's claims; the adapter's own ranges (claimed
 * when an earlier HwFindAdapter of the same adapter returned FOUND)
 * validate.  A refusal for a conflict is an ordinary answer (a miniport
 * probing its default addresses expects it) and is logged at debug level;
 * a refusal for a malformed range (zero length, past the top of the space,
 * a bus type this platform does not have) is the miniport's mistake and is
 * logged as a warning.
 */
#include "port.h"
#include "ranges.h"
#include "console.h"

/* The pure table numbers bus types as INTERFACE_TYPE does. */
_Static_assert(RANGE_BUS_INTERNAL == (int)Internal && RANGE_BUS_ISA == (int)Isa &&
               RANGE_BUS_EISA == (int)Eisa && RANGE_BUS_MCA == (int)MicroChannel &&
               RANGE_BUS_PCI == (int)PCIBus, "RANGE_BUS_* must match INTERFACE_TYPE");

/* "io 0x300+8", "mem 0xfebf0000+0x1000": small lengths read the same in any base. */
static const char *fmt_range(char *buf, size_t size, const struct range_req *q)
{
    snprintf(buf, size, q->len < 10 ? "%s 0x%llx+%llu" : "%s 0x%llx+0x%llx",
             q->io ? "io" : "mem", q->start, q->len);
    return buf;
}

#define RANGE_TEXT_LEN      48          /* "mem 0x<16>+0x<16>", with the NUL */

BOOLEAN NTAPI ScsiPortValidateRange(PVOID HwDeviceExtension, INTERFACE_TYPE BusType,
                                    ULONG SystemIoBusNumber, SCSI_PHYSICAL_ADDRESS IoAddress,
                                    ULONG NumberOfBytes, BOOLEAN InIoSpace)
{
    static const char who[] = "ScsiPortValidateRange";
    struct sp_adapter *ad = sp_adapter_from_ext(HwDeviceExtension, who);
    struct range_req q = { (int)BusType, SystemIoBusNumber, InIoSpace != FALSE,
                           (uint64_t)IoAddress.QuadPart, NumberOfBytes };
    const struct range *c = NULL;
    enum range_err e;
    char at[RANGE_TEXT_LEN];

    if (!ad)
        return FALSE;
    fmt_range(at, sizeof(at), &q);
    if (!ad->in_find_adapter) {
        pr_err(ad->name, "%s(%s) outside HwFindAdapter: refused", who, at);
        return FALSE;
    }
    e = range_test(ranges_table(), &q, ad, &c);
    if (e == RANGE_E_CLAIMED)
        pr_debug(ad->name, "%s(%s): held by %s (%s)", who, at, c->owner_name, c->what);
    else if (e != RANGE_OK)
        pr_warn(ad->name, "%s(%s, %s bus %lu): %s", who, at, range_bus_name(q.bus_type),
                (unsigned long)q.bus, range_strerror(e));
    return e == RANGE_OK;
}

/* One AccessRanges entry: claim it for ad; false (logged) if refused. */
static bool commit_range(struct sp_adapter *ad, unsigned i, const ACCESS_RANGE *a)
{
    struct range_req q = { (int)ad->cfg.AdapterInterfaceType, ad->cfg.SystemIoBusNumber,
                           !a->RangeInMemory, (uint64_t)a->RangeStart.QuadPart,
                           a->RangeLength };
    const struct range *c = NULL;
    char what[RANGE_WHAT_LEN], at[RANGE_TEXT_LEN];
    enum range_err e;

    snprintf(what, sizeof(what), "AccessRanges[%u]", i);
    e = ranges_claim(&q, ad, ad->name, what, &c);
    if (e == RANGE_OK)
        return true;
    fmt_range(at, sizeof(at), &q);
    if (e == RANGE_E_CLAIMED)
        pr_err(ad->name, "%s (%s) overlaps %s's %s: adapter not started", what, at,
               c->owner_name, c->what);
    else
        pr_err(ad->name, "%s (%s): %s: adapter not started", what, at, range_strerror(e));
    return false;
}

/* AtdiskPrimaryClaimed or AtdiskSecondaryClaimed, if the miniport set it. */
static bool commit_atdisk(struct sp_adapter *ad, bool primary)
{
    if (!(primary ? ad->cfg.AtdiskPrimaryClaimed : ad->cfg.AtdiskSecondaryClaimed))
        return true;
    return ranges_claim_atdisk(ad, ad->name, primary);
}

bool sp_ranges_commit(struct sp_adapter *ad)
{
    ULONG n = ad->cfg.NumberOfAccessRanges;

    if (n > SP_MAX_ACCESS_RANGES) {
        pr_err(ad->name, "%lu AccessRanges reported, the port keeps %d: adapter not started",
               n, SP_MAX_ACCESS_RANGES);
        return false;
    }
    for (ULONG i = 0; i < n && ad->cfg.AccessRanges; i++) {
        const ACCESS_RANGE *a = &(*ad->cfg.AccessRanges)[i];
        if (a->RangeLength && !commit_range(ad, i, a))
            goto release;
    }
    if (!commit_atdisk(ad, true) || !commit_atdisk(ad, false))
        goto release;
    return true;
release:
    sp_ranges_release(ad);
    return false;
}

void sp_ranges_release(struct sp_adapter *ad)
{
    range_release_owner(ranges_table(), ad);
}
