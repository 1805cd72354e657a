/*
 * Requests entering the port: checked, handled here when only the port
 * handles them (CLAIM, ATTACH, RELEASE, RELEASE_QUEUE, FLUSH_QUEUE,
 * LOCK/UNLOCK, SHUTDOWN/FLUSH without CachesData), otherwise started or
 * queued on their logical unit for HwStartIo.  A malformed SRB gets the SRB
 * status NT would give it and never reaches the miniport.  The usual
 * request (scsi_submit in core.c) passes the same checks in fewer steps.
 */
#include "port.h"
#include "scsiport.h"
#include "console.h"
#include "string.h"

void __attribute__((cold)) scsi_req_cdb(struct scsi_request *r, struct sp_lu *lu, const void *cdb,
                                        unsigned cdb_len, void *buf, uint32_t len, uint32_t flags,
                                        uint32_t timeout_s)
{
    scsi_req_fill(r, lu, cdb_len, buf, len, flags, timeout_s, NULL, 0);
    __builtin_memset(r->srb.Cdb, 0, sizeof(r->srb.Cdb));    /* four stores, inline */
    memcpy(r->srb.Cdb, cdb, MIN(cdb_len, sizeof(r->srb.Cdb)));
}

/*
 * The LU an SRB addresses, or the SRB status that says why there is none.
 * The LU the submitter named is taken when the SRB's address is its own
 * (scsi_req_cdb fills both): no search on the usual path.
 */
static UCHAR address_lu(struct scsi_request *r, struct sp_adapter *ad, struct sp_lu **out)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    UCHAR buses = ad->cfg.NumberOfBuses ? ad->cfg.NumberOfBuses : 1;
    struct sp_lu *lu = r->lu;

    if (lu && lu->path == srb->PathId && lu->target == srb->TargetId && lu->lun == srb->Lun) {
        *out = lu;
        return SRB_STATUS_SUCCESS;
    }

    if (srb->PathId >= buses)
        return SRB_STATUS_INVALID_PATH_ID;
    if (srb->TargetId >= ad->cfg.MaximumNumberOfTargets)
        return SRB_STATUS_INVALID_TARGET_ID;
    if (srb->Lun >= MAX(ad->cfg.MaximumNumberOfLogicalUnits, 1))
        return SRB_STATUS_INVALID_LUN;
    lu = sp_lu_find(ad, srb->PathId, srb->TargetId, srb->Lun);
    if (!lu)
        return SRB_STATUS_NO_DEVICE;
    *out = lu;
    return SRB_STATUS_SUCCESS;
}

static void flush_queue(struct sp_lu *lu)
{
    struct scsi_request *q;

    while ((q = lu_dequeue(lu)) != NULL)
        sp_complete_now(q, SRB_STATUS_REQUEST_FLUSHED);
}

/* Functions only the port handles.  Returns false if the miniport must see it. */
static bool port_function(struct sp_adapter *ad, struct sp_lu *lu, struct scsi_request *r)
{
    switch (r->srb.Function) {
    case SRB_FUNCTION_CLAIM_DEVICE:
    case SRB_FUNCTION_ATTACH_DEVICE:
        lu->claimed = true;
        break;
    case SRB_FUNCTION_RELEASE_DEVICE:
    case SRB_FUNCTION_REMOVE_DEVICE:
        lu->claimed = false;
        break;
    case SRB_FUNCTION_RELEASE_QUEUE:
        lu->frozen = false;
        break;
    case SRB_FUNCTION_FLUSH_QUEUE:
        flush_queue(lu);
        lu->frozen = false;
        break;
    case SRB_FUNCTION_LOCK_QUEUE:
        lu->locked = true;
        break;
    case SRB_FUNCTION_UNLOCK_QUEUE:
        lu->locked = false;
        break;
    case SRB_FUNCTION_SHUTDOWN:
    case SRB_FUNCTION_FLUSH:
        if (ad->cfg.CachesData)
            return false;
        break;
    default:
        return false;
    }
    sp_complete_now(r, SRB_STATUS_SUCCESS);
    sp_start_next(ad);
    return true;
}

static bool miniport_function(UCHAR f)
{
    switch (f) {
    case SRB_FUNCTION_EXECUTE_SCSI:
    case SRB_FUNCTION_IO_CONTROL:
    case SRB_FUNCTION_RECEIVE_EVENT:
    case SRB_FUNCTION_SHUTDOWN:
    case SRB_FUNCTION_FLUSH:
    case SRB_FUNCTION_ABORT_COMMAND:
    case SRB_FUNCTION_RELEASE_RECOVERY:
    case SRB_FUNCTION_RESET_BUS:
    case SRB_FUNCTION_RESET_DEVICE:
    case SRB_FUNCTION_TERMINATE_IO:
        return true;
    default:
        return false;
    }
}

/* Which adapter: the LU the submitter named, else the first adapter (tests). */
static struct sp_adapter *req_adapter(struct scsi_request *r)
{
    return r->lu ? r->lu->ad : r->adapter;
}

/* A request for the miniport: its checks; SRB_STATUS_SUCCESS if it may go on. */
static UCHAR check_for_miniport(struct scsi_request *r)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;

    if (!miniport_function(srb->Function) || srb->Function == SRB_FUNCTION_WMI)
        return SRB_STATUS_BAD_FUNCTION;
    if (srb->Function == SRB_FUNCTION_EXECUTE_SCSI || srb->Function == SRB_FUNCTION_IO_CONTROL) {
        UCHAR st = sp_check_shape(srb);
        if (st != SRB_STATUS_SUCCESS)
            return st;
    } else if (!srb->TimeOutValue) {
        srb->TimeOutValue = 10;
    }
    if (srb->SrbFlags & SRB_FLAGS_IS_ACTIVE)
        return SRB_STATUS_INVALID_REQUEST;
    return SRB_STATUS_SUCCESS;
}

/*
 * A request scsi_submit did not find usual: every check, in the order that
 * decides which SRB status a bad request gets.
 */
void __attribute__((noinline, cold)) sp_submit_checked(struct scsi_request *r)
{
    struct sp_adapter *ad = req_adapter(r);
    struct sp_lu *lu = NULL;
    UCHAR st;

    if (!ad || !ad->initialized || ad->quiesced) {
        sp_complete_now(r, SRB_STATUS_NO_HBA);
        return;
    }
    st = address_lu(r, ad, &lu);
    if (st != SRB_STATUS_SUCCESS) {
        sp_complete_now(r, st);
        return;
    }
    r->lu = lu;
    if (r->srb.Function != SRB_FUNCTION_EXECUTE_SCSI && port_function(ad, lu, r))
        return;
    st = check_for_miniport(r);
    if (st != SRB_STATUS_SUCCESS) {
        sp_complete_now(r, st);
        return;
    }
    sp_start_or_queue(ad, lu, r);
}
