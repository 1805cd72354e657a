/*
 * The bus scan, with NT's rules: INQUIRY (36 bytes, 4 s, synchronous
 * transfers off) to every path, every target but the initiator's own id,
 * and LUN 0 up to min(8, MaximumNumberOfLogicalUnits) - or the LUNs that
 * REPORT LUNS lists where the device supports it.  Two retries unless the
 * target is not there (SELECTION_TIMEOUT, NO_DEVICE); an underrun is
 * fine; ILLEGAL REQUEST or a "not supported" qualifier skips that LUN;
 * any other failure ends the LUN loop for the target.
 */
#include "port.h"
#include "scsiport.h"
#include "disk.h"
#include "console.h"
#include "string.h"

#define INQUIRY_TIMEOUT_S   4
#define INQUIRY_TRIES       3
#define REPORT_LUNS_MAX     64

enum probe { PROBE_PRESENT, PROBE_ABSENT, PROBE_SKIP, PROBE_STOP };

static UCHAR run_cdb(struct sp_lu *lu, const UCHAR *cdb, unsigned cdb_len, void *buf,
                     uint32_t len, SENSE_DATA *sense, uint32_t *xfer)
{
    struct scsi_request *r = scsi_req_alloc();
    UCHAR st;

    if (!r)
        return SRB_STATUS_INSUFFICIENT_RESOURCES;
    scsi_req_cdb(r, lu, cdb, cdb_len, buf, len,
                 SRB_FLAGS_DATA_IN | SRB_FLAGS_DISABLE_SYNCH_TRANSFER | SRB_FLAGS_NO_QUEUE_FREEZE,
                 INQUIRY_TIMEOUT_S);
    memset(sense, 0, sizeof(*sense));
    r->srb.SenseInfoBuffer = sense;
    r->srb.SenseInfoBufferLength = sizeof(*sense);
    st = scsi_exec(r);
    if (xfer)
        *xfer = r->srb.DataTransferLength;
    if (st != SRB_STATUS_SUCCESS && st != SRB_STATUS_DATA_OVERRUN &&
        (r->srb.SrbStatus & SRB_STATUS_AUTOSENSE_VALID) &&
        (sense->SenseKey & 0x0F) == SCSI_SENSE_ILLEGAL_REQUEST)
        st = SRB_STATUS_INVALID_REQUEST;
    scsi_req_free(r);
    return st;
}

static enum probe inquiry(struct sp_lu *lu)
{
    UCHAR cdb[6] = { SCSIOP_INQUIRY, 0, 0, 0, INQUIRYDATABUFFERSIZE, 0 };
    SENSE_DATA sense;
    INQUIRYDATA inq;
    UCHAR st = SRB_STATUS_ERROR;

    for (int t = 0; t < INQUIRY_TRIES; t++) {
        memset(&inq, 0, sizeof(inq));
        st = run_cdb(lu, cdb, sizeof(cdb), &inq, INQUIRYDATABUFFERSIZE, &sense, NULL);
        if (st == SRB_STATUS_SUCCESS || st == SRB_STATUS_DATA_OVERRUN ||
            st == SRB_STATUS_SELECTION_TIMEOUT || st == SRB_STATUS_NO_DEVICE ||
            st == SRB_STATUS_INVALID_REQUEST)
            break;
    }
    if (st == SRB_STATUS_SELECTION_TIMEOUT || st == SRB_STATUS_NO_DEVICE)
        return PROBE_ABSENT;
    if (st == SRB_STATUS_INVALID_REQUEST)
        return PROBE_SKIP;
    if (st != SRB_STATUS_SUCCESS && st != SRB_STATUS_DATA_OVERRUN)
        return PROBE_STOP;
    if (inq.DeviceTypeQualifier == DEVICE_QUALIFIER_NOT_SUPPORTED ||
        inq.DeviceType == UNKNOWN_OR_NO_DEVICE)
        return PROBE_SKIP;
    lu->inquiry = inq;
    return PROBE_PRESENT;
}

/* LUNs from REPORT LUNS (flat/peripheral addressing only); 0 if unsupported. */
static int report_luns(struct sp_lu *lu0, UCHAR *luns, int max)
{
    static UCHAR buf[8 + 8 * REPORT_LUNS_MAX];
    UCHAR cdb[12] = { SCSIOP_REPORT_LUNS };
    SENSE_DATA sense;
    uint32_t want = 16, len;
    int n = 0;

    for (int pass = 0; pass < 2; pass++) {
        memset(buf, 0, sizeof(buf));
        cdb[6] = (UCHAR)(want >> 24);
        cdb[7] = (UCHAR)(want >> 16);
        cdb[8] = (UCHAR)(want >> 8);
        cdb[9] = (UCHAR)want;
        UCHAR st = run_cdb(lu0, cdb, sizeof(cdb), buf, want, &sense, NULL);
        if (st != SRB_STATUS_SUCCESS && st != SRB_STATUS_DATA_OVERRUN)
            return 0;
        len = (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
        if (len + 8 <= want || want == sizeof(buf))
            break;
        want = MIN(len + 8, (uint32_t)sizeof(buf));
    }
    for (uint32_t off = 8; off + 8 <= MIN(len + 8, want) && n < max; off += 8) {
        if ((buf[off] & 0xC0) != 0 || buf[off] != 0)
            continue;                   /* only single-level LUNs 0..255 */
        luns[n++] = buf[off + 1];
    }
    return n;
}

/* Probe one LUN: the LU object stays if something answered. */
static enum probe probe_lun(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun)
{
    struct sp_lu *lu = sp_lu_get(ad, path, target, lun);
    bool was_present;
    enum probe p;

    if (!lu)
        return PROBE_STOP;
    was_present = lu->present;
    lu->seen = true;
    p = inquiry(lu);
    lu->present = p == PROBE_PRESENT;
    if (lu->present)
        disk_attach(lu);
    else if (was_present)
        disk_detach(lu);
    if (!lu->present)
        sp_lu_forget(lu);
    return p;
}

static void scan_target(struct sp_adapter *ad, unsigned path, unsigned target)
{
    unsigned max_lun = MIN(SP_MAX_LUN_SCAN, MAX(ad->cfg.MaximumNumberOfLogicalUnits, 1));
    UCHAR luns[REPORT_LUNS_MAX];
    struct sp_lu *lu0;
    int n;

    if (probe_lun(ad, path, target, 0) != PROBE_PRESENT)
        return;                         /* no LUN 0: nothing behind this id */
    lu0 = sp_lu_find(ad, path, target, 0);
    if (lu0 && (lu0->inquiry.Versions & 7) >= 3) {      /* SPC: REPORT LUNS */
        n = report_luns(lu0, luns, REPORT_LUNS_MAX);
        for (int i = 0; i < n; i++)
            if (luns[i] != 0 && luns[i] < MAX(ad->cfg.MaximumNumberOfLogicalUnits, 1))
                probe_lun(ad, path, target, luns[i]);
        if (n > 0)
            return;
    }
    for (unsigned lun = 1; lun < max_lun; lun++) {
        enum probe p = probe_lun(ad, path, target, lun);
        if (p == PROBE_STOP)
            break;
    }
}

void sp_scan_adapter(struct sp_adapter *ad)
{
    unsigned buses = ad->cfg.NumberOfBuses ? ad->cfg.NumberOfBuses : 1;

    for (unsigned path = 0; path < buses; path++) {
        UCHAR self = ad->cfg.InitiatorBusId[path < 8 ? path : 7];
        for (unsigned t = 0; t < ad->cfg.MaximumNumberOfTargets; t++)
            if (t != self)
                scan_target(ad, path, t);
    }
}

/* A rescan also notices devices that are gone: any LU the scan did not reach. */
void sp_rescan(struct sp_adapter *ad)
{
    struct sp_lu *lu, *next;

    for (lu = ad->lus; lu; lu = lu->next)
        lu->seen = false;
    sp_scan_adapter(ad);
    for (lu = ad->lus; lu; lu = next) {
        next = lu->next;
        if (lu->seen)
            continue;
        if (lu->present)
            disk_detach(lu);
        lu->present = false;
        sp_lu_forget(lu);
    }
}

void scsi_run_rescans(void)
{
    for (int i = 0; i < sp_nadapters; i++) {
        struct sp_adapter *ad = sp_adapters[i];
        if (ad->rescan && ad->initialized) {
            ad->rescan = false;
            pr_info(ad->name, "bus change reported; rescanning");
            sp_rescan(ad);
        }
    }
}
