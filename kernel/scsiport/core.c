/*
 * The port driver's request engine: the request pool, per-LU queues, tag
 * assignment, starting requests (HwStartIo), the notifications a miniport
 * sends, deferred completion processing, autosense, BUSY retries, queue
 * freezing, timeouts and bus resets.  See port.h for the execution model.
 */
#include "port.h"
#include "scsiport.h"
#include "console.h"
#include "string.h"
#include "time.h"
#include "io.h"
#include "heap.h"

struct sp_adapter *sp_adapters[SP_MAX_ADAPTERS];
int sp_nadapters;
struct sp_adapter *sp_probing;          /* inside HwFindAdapter */

static struct scsi_request pool[SP_MAX_REQUESTS];
static struct scsi_request *free_list;
static int free_count;
static struct sp_adapter *last_ad;      /* lookup cache */

/* ---- lookups that validate what a miniport hands us ------------------------ */

static struct sp_adapter *__attribute__((noinline)) adapter_search(PVOID ext, const char *who)
{
    for (int i = 0; i < sp_nadapters; i++) {
        if (sp_adapters[i]->devext == ext) {
            last_ad = sp_adapters[i];
            return last_ad;
        }
    }
    if (sp_probing && sp_probing->devext == ext)
        return sp_probing;
    pr_err("scsiport", "%s: %p is no adapter's device extension; ignored", who, ext);
    return NULL;
}

/* Every miniport call names its adapter this way: the last one found is tried first. */
struct sp_adapter *sp_adapter_from_ext(PVOID ext, const char *who)
{
    struct sp_adapter *ad = last_ad;

    if (ad && ad->devext == ext)
        return ad;
    return adapter_search(ext, who);
}

struct scsi_request *sp_req_from_srb(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb,
                                     const char *who)
{
    uintptr_t off = (uintptr_t)srb - (uintptr_t)pool;     /* below the pool: wraps, too big */
    struct scsi_request *r;

    if (off >= sizeof(pool) || off % sizeof(pool[0])) {
        if (who)
            pr_err(ad->name, "%s: SRB %p is not one the port handed out; ignored", who, srb);
        return NULL;
    }
    r = (struct scsi_request *)srb;
    if (r->state != REQ_ACTIVE || r->lu->ad != ad) {
        if (who)
            pr_err(ad->name, "%s: SRB %p is not active on this adapter; ignored", who, srb);
        return NULL;
    }
    return r;
}

/* ---- the request pool ------------------------------------------------------ */

void sp_core_init(void)
{
    for (int i = SP_MAX_REQUESTS - 1; i >= 0; i--) {
        pool[i].pool_index = (uint16_t)i;
        pool[i].next = free_list;
        free_list = &pool[i];
    }
    free_count = SP_MAX_REQUESTS;
}

struct scsi_request *scsi_req_alloc(void)
{
    struct scsi_request *r;

    if (!free_list)
        return NULL;
    r = free_list;
    free_list = r->next;
    free_count--;
    uint16_t idx = r->pool_index;
    memset(r, 0, sizeof(*r));
    r->pool_index = idx;
    r->state = REQ_IDLE;
    r->srb.Length = sizeof(SCSI_REQUEST_BLOCK);
    r->srb.QueueTag = SP_UNTAGGED;
    return r;
}

void scsi_req_free(struct scsi_request *r)
{
    if (!r)
        return;
    if (r->state != REQ_IDLE && r->state != REQ_DONE) {
        pr_err("scsiport", "freeing a request that is still in use (state %d); kept", r->state);
        return;
    }
    r->state = REQ_FREE;
    r->next = free_list;
    free_list = r;
    free_count++;
}

int scsi_req_free_count(void)
{
    return free_count;
}

/* ---- logical units --------------------------------------------------------- */

struct sp_lu *sp_lu_find(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun)
{
    for (struct sp_lu *lu = ad->lus; lu; lu = lu->next)
        if (lu->path == path && lu->target == target && lu->lun == lun)
            return lu;
    return NULL;
}

struct sp_lu *sp_lu_get(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun)
{
    struct sp_lu *lu = sp_lu_find(ad, path, target, lun);

    if (lu)
        return lu;
    lu = kzalloc(sizeof(*lu));
    if (!lu)
        return NULL;
    if (ad->cfg.SpecificLuExtensionSize) {
        lu->luext = kzalloc(ad->cfg.SpecificLuExtensionSize);
        if (!lu->luext) {
            kfree(lu);
            return NULL;
        }
    }
    lu->ad = ad;
    lu->path = (uint8_t)path;
    lu->target = (uint8_t)target;
    lu->lun = (uint8_t)lun;
    lu->next = ad->lus;
    ad->lus = lu;
    ad->lu_count++;
    return lu;
}

/* Drop an LU that is not there (after a scan); only when idle. */
void sp_lu_forget(struct sp_lu *lu)
{
    struct sp_adapter *ad = lu->ad;

    if (lu->active || lu->qhead || lu->disk)
        return;
    for (struct sp_lu **pp = &ad->lus; *pp; pp = &(*pp)->next) {
        if (*pp == lu) {
            *pp = lu->next;
            break;
        }
    }
    if (ad->rr_next == lu)
        ad->rr_next = NULL;
    ad->lu_count--;
    kfree(lu->luext);
    kfree(lu);
}

/* ---- the adapter's clock events --------------------------------------------- */

/*
 * An adapter's timed events - the timeout tick, the miniport's timer, the
 * hold after a reset, BUSY retries - each has its own time; next_due_us is
 * never later than any of them, so a round of deferred work with nothing
 * due costs one comparison.  Lowered as events are armed, recomputed
 * whenever the timers are looked at.
 *
 * Timeouts are counted, as NT counted them, in ticks: a request starts
 * with its TimeOutValue in ticks (plus the tick under way), and every
 * SP_TICK_MS while requests are active each one loses a tick.  Starting a
 * request thus needs no clock; it times out between TimeOutValue and
 * TimeOutValue + SP_TICK_MS after it started.
 */
static void due_at(struct sp_adapter *ad, uint64_t t)
{
    if (t < ad->next_due_us)
        ad->next_due_us = t;
}

static void retry_at(struct sp_adapter *ad, uint64_t t)
{
    if (!ad->retry_due_us || t < ad->retry_due_us)
        ad->retry_due_us = t;
    due_at(ad, t);
}

/* ---- queueing and starting ------------------------------------------------- */

static void lu_enqueue(struct sp_lu *lu, struct scsi_request *r, bool at_head)
{
    r->state = REQ_QUEUED;
    lu->ad->nqueued++;
    if (at_head) {
        r->next = lu->qhead;
        lu->qhead = r;
        if (!lu->qtail)
            lu->qtail = r;
    } else {
        r->next = NULL;
        if (lu->qtail)
            lu->qtail->next = r;
        else
            lu->qhead = r;
        lu->qtail = r;
    }
}

void lu_enqueue_tail(struct sp_lu *lu, struct scsi_request *r)
{
    lu_enqueue(lu, r, false);
}

void lu_enqueue_head(struct sp_lu *lu, struct scsi_request *r)
{
    lu_enqueue(lu, r, true);
}

struct scsi_request *lu_dequeue(struct sp_lu *lu)
{
    struct scsi_request *r = lu->qhead;

    if (r) {
        lu->ad->nqueued--;
        lu->qhead = r->next;
        if (!lu->qhead)
            lu->qtail = NULL;
        r->next = NULL;
    }
    return r;
}

/*
 * Tagged: the adapter queues several requests per LU, the submitter asked
 * for a queue action, and the LU said in its INQUIRY data that it queues
 * (CmdQue) - so the scan's own INQUIRY, and any request to a device that
 * would reject a tag message, goes untagged, one at a time.
 */
static bool req_tagged(const struct sp_adapter *ad, const struct scsi_request *r)
{
    ULONG f = r->srb.SrbFlags;

    if (!ad->cfg.TaggedQueuing && !ad->cfg.MultipleRequestPerLu)
        return false;
    if ((f & SRB_FLAGS_DISABLE_DISCONNECT) || !(f & SRB_FLAGS_QUEUE_ACTION_ENABLE))
        return false;
    return r->lu->inquiry.CommandQueue;
}

static bool lu_can_start(struct sp_adapter *ad, const struct sp_lu *lu,
                         const struct scsi_request *r, uint64_t now)
{
    ULONG f = r->srb.SrbFlags;

    if (lu->frozen && !(f & SRB_FLAGS_BYPASS_FROZEN_QUEUE))
        return false;
    if (lu->locked && !(f & SRB_FLAGS_BYPASS_LOCKED_QUEUE))
        return false;
    if (r->not_before_us > now) {
        retry_at(ad, r->not_before_us);             /* the wait loop wakes for it */
        return false;
    }
    if (lu->active == 0)
        return true;
    if (!req_tagged(ad, r) || lu->active_untagged)
        return false;
    return lu->active < SP_LU_DEPTH;
}

/* The next request to start: LUs in round-robin order (only those with work). */
static struct scsi_request *pick(struct sp_adapter *ad, uint64_t now)
{
    struct sp_lu *start = ad->rr_next ? ad->rr_next : ad->lus, *lu = start;

    if (!lu)
        return NULL;
    do {
        if (lu->qhead && lu_can_start(ad, lu, lu->qhead, now)) {
            ad->rr_next = lu->next;
            return lu_dequeue(lu);
        }
        lu = lu->next ? lu->next : ad->lus;
    } while (lu != start);
    return NULL;
}

/* A free slot, searched from the one after the last taken (tags go round). */
static int slot_alloc(struct sp_adapter *ad)
{
    unsigned s = ad->free_slot_hint;

    for (unsigned n = 0; n < SP_ADAPTER_SLOTS; n++, s++) {
        if (s >= SP_ADAPTER_SLOTS)
            s = 0;
        if (!ad->active[s]) {
            ad->free_slot_hint = (uint16_t)(s + 1);
            return (int)s;
        }
    }
    return -1;
}

/* Hand one request to the miniport. */
static void start_one(struct sp_adapter *ad, struct scsi_request *r, int slot)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    struct sp_lu *lu = r->lu;
    uint32_t flags;

    r->slot = (uint16_t)slot;
    ad->active[slot] = r;
    ad->nactive++;
    srb->SrbExtension = ad->srbext_slot ? ad->srbext_pool + (uint32_t)slot * ad->srbext_slot : NULL;
    srb->QueueTag = req_tagged(ad, r) ? (UCHAR)(slot + 1) : SP_UNTAGGED;
    if (srb->QueueTag != SP_UNTAGGED && !srb->QueueAction)
        srb->QueueAction = SRB_SIMPLE_TAG_REQUEST;
    /* Autosense into DMA-able memory beside the SRB extension. */
    if (ad->cfg.AutoRequestSense && srb->SenseInfoBuffer && srb->SenseInfoBufferLength &&
        !(srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE)) {
        r->user_sense = srb->SenseInfoBuffer;
        r->user_sense_len = srb->SenseInfoBufferLength;
        srb->SenseInfoBuffer = ad->sense_pool + (uint32_t)slot * SP_SENSE_SLOT;
        if (srb->SenseInfoBufferLength > SP_SENSE_SLOT)
            srb->SenseInfoBufferLength = SP_SENSE_SLOT;
    }
    srb->SrbStatus = SRB_STATUS_PENDING;
    srb->ScsiStatus = 0;
    srb->SrbFlags |= SRB_FLAGS_IS_ACTIVE;
    r->state = REQ_ACTIVE;
    r->ticks_left = srb->TimeOutValue < UINT32_MAX / (1000 / SP_TICK_MS) ?
                    srb->TimeOutValue * (1000 / SP_TICK_MS) + 1 : UINT32_MAX;
    if (ad->nactive == 1)
        due_at(ad, ad->next_tick_us);   /* ticks run again (at once, if the last is long past) */
    lu->active++;
    if (srb->QueueTag == SP_UNTAGGED)
        lu->active_untagged++;
    ad->next_request = false;
    ad->started++;

    flags = irq_save();
    ad->hw.HwStartIo(ad->devext, srb);
    irq_restore(flags);
}

/* Start what the queues hold, as far as the miniport takes it; now: the clock. */
static void start_queued(struct sp_adapter *ad, uint64_t now)
{
    if (!ad->initialized || ad->quiesced || ad->in_start)
        return;
    if (ad->hold_until_us) {
        if (now < ad->hold_until_us)
            return;
        ad->hold_until_us = 0;
    }
    ad->in_start = true;
    while (ad->next_request && ad->nqueued && ad->nactive < SP_ADAPTER_SLOTS) {
        struct scsi_request *r = pick(ad, now);
        int slot;

        if (!r)
            break;
        slot = slot_alloc(ad);
        start_one(ad, r, slot);
    }
    ad->in_start = false;
}

/* The clock (for a hold or a BUSY delay) is read only when something waits to start. */
void sp_start_next(struct sp_adapter *ad)
{
    if (ad->nqueued && ad->next_request)
        start_queued(ad, time_us());
}

/*
 * Start a newly submitted request at once when nothing waits before it and
 * the miniport and the LU can take it - the usual case below the queue
 * depth, as NT's IoStartPacket went straight to StartIo.  False: queue it.
 */
bool sp_start_direct(struct sp_adapter *ad, struct scsi_request *r)
{
    if (ad->nqueued || !ad->next_request || ad->in_start || ad->hold_until_us ||
        ad->nactive >= SP_ADAPTER_SLOTS || !lu_can_start(ad, r->lu, r, 0))
        return false;
    ad->in_start = true;
    start_one(ad, r, slot_alloc(ad));
    ad->in_start = false;
    return true;
}

/* ---- completion -------------------------------------------------------------- */

static void to_caller(struct scsi_request *r)
{
    r->state = REQ_DONE;
    if (r->done)
        r->done(r);
}

/* Complete a request that never reached the miniport (or is being forced). */
void sp_complete_now(struct scsi_request *r, UCHAR status)
{
    r->srb.SrbStatus = status;
    to_caller(r);
}

static void release_slot(struct sp_adapter *ad, struct scsi_request *r)
{
    struct sp_lu *lu = r->lu;

    ad->active[r->slot] = NULL;
    ad->nactive--;
    lu->active--;
    if (r->srb.QueueTag == SP_UNTAGGED)
        lu->active_untagged--;
    r->srb.SrbFlags &= ~SRB_FLAGS_IS_ACTIVE;
    ad->completed++;
}

static void copy_back_sense(struct scsi_request *r)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    unsigned n;

    if (!r->user_sense)
        return;
    if (srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID) {
        n = MIN(srb->SenseInfoBufferLength, r->user_sense_len);
        memcpy(r->user_sense, srb->SenseInfoBuffer, n);
        srb->SenseInfoBufferLength = (UCHAR)n;
    } else {
        srb->SenseInfoBufferLength = r->user_sense_len;
    }
    srb->SenseInfoBuffer = r->user_sense;
    r->user_sense = NULL;
}

static bool needs_port_sense(const struct sp_adapter *ad, const struct scsi_request *r)
{
    const SCSI_REQUEST_BLOCK *srb = &r->srb;

    return SRB_STATUS(srb->SrbStatus) == SRB_STATUS_ERROR &&
           srb->ScsiStatus == SCSISTAT_CHECK_CONDITION &&
           !(srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID) &&
           srb->SenseInfoBuffer && srb->SenseInfoBufferLength &&
           !(srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE) &&
           !r->port_sense && !ad->cfg.AutoRequestSense;
}

/* The port's own REQUEST SENSE, for miniports without AutoRequestSense. */
static bool issue_port_sense(struct sp_adapter *ad, struct scsi_request *orig)
{
    struct scsi_request *s = scsi_req_alloc();
    PSCSI_REQUEST_BLOCK srb;

    if (!s)
        return false;
    srb = &s->srb;
    srb->Function = SRB_FUNCTION_EXECUTE_SCSI;
    srb->PathId = orig->srb.PathId;
    srb->TargetId = orig->srb.TargetId;
    srb->Lun = orig->srb.Lun;
    srb->CdbLength = 6;
    srb->Cdb[0] = SCSIOP_REQUEST_SENSE;
    srb->Cdb[4] = orig->srb.SenseInfoBufferLength;
    srb->DataBuffer = orig->srb.SenseInfoBuffer;
    srb->DataTransferLength = orig->srb.SenseInfoBufferLength;
    srb->TimeOutValue = 2;
    srb->SrbFlags = SRB_FLAGS_DATA_IN | SRB_FLAGS_BYPASS_FROZEN_QUEUE |
                    SRB_FLAGS_DISABLE_DISCONNECT | SRB_FLAGS_NO_QUEUE_FREEZE |
                    SRB_FLAGS_DISABLE_AUTOSENSE;
    s->lu = orig->lu;
    s->port_sense = true;
    s->sense_for = orig;
    orig->lu->frozen = true;            /* nothing overtakes the sense */
    lu_enqueue(orig->lu, s, true);
    (void)ad;
    return true;
}

static void finish_port_sense(struct scsi_request *s)
{
    struct scsi_request *orig = s->sense_for;
    UCHAR st = SRB_STATUS(s->srb.SrbStatus);

    if (st == SRB_STATUS_SUCCESS || st == SRB_STATUS_DATA_OVERRUN) {
        orig->srb.SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
        orig->srb.SenseInfoBufferLength = (UCHAR)s->srb.DataTransferLength;
    } else {
        orig->srb.SrbStatus = SRB_STATUS_REQUEST_SENSE_FAILED;
    }
    orig->lu->frozen = false;
    s->state = REQ_DONE;
    scsi_req_free(s);
}

static bool is_busy(const SCSI_REQUEST_BLOCK *srb)
{
    UCHAR st = SRB_STATUS(srb->SrbStatus);

    return st == SRB_STATUS_BUSY ||
           (st == SRB_STATUS_ERROR && (srb->ScsiStatus == SCSISTAT_BUSY ||
                                       srb->ScsiStatus == SCSISTAT_QUEUE_FULL));
}

/* After the miniport is done with r: sense, retries, freeze, then the caller. */
static void finish(struct sp_adapter *ad, struct scsi_request *r)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    struct scsi_request *orig;

    release_slot(ad, r);
    copy_back_sense(r);
    if (srb->SrbStatus == SRB_STATUS_SUCCESS && !r->timed_out && !r->port_sense) {
        to_caller(r);                   /* the usual case: nothing else applies */
        return;
    }
    if (r->timed_out) {
        srb->SrbStatus = (UCHAR)(SRB_STATUS_TIMEOUT | (srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID));
        r->timed_out = false;
    }
    if (r->port_sense) {
        orig = r->sense_for;
        finish_port_sense(r);
        r = orig;
        srb = &r->srb;
    } else if (needs_port_sense(ad, r)) {
        if (issue_port_sense(ad, r)) {
            r->state = REQ_SENSE_WAIT;
            return;
        }
        srb->SrbStatus = SRB_STATUS_REQUEST_SENSE_FAILED;
    } else if (is_busy(srb) && r->busy_retries < SP_BUSY_RETRIES) {
        r->busy_retries++;
        r->not_before_us = time_us() + SP_BUSY_DELAY_MS * 1000u;
        retry_at(ad, r->not_before_us);
        lu_enqueue(r->lu, r, true);
        return;
    }
    if (SRB_STATUS(srb->SrbStatus) != SRB_STATUS_SUCCESS &&
        !(srb->SrbFlags & SRB_FLAGS_NO_QUEUE_FREEZE)) {
        r->lu->frozen = true;
        srb->SrbStatus |= SRB_STATUS_QUEUE_FROZEN;
    }
    to_caller(r);
}

/* ---- notifications (the miniport may call these from HwInterrupt) ------------ */

static void done_push(struct sp_adapter *ad, struct scsi_request *r)
{
    r->state = REQ_COMPLETING;
    r->next = NULL;
    if (ad->done_tail)
        ad->done_tail->next = r;
    else
        ad->done_head = r;
    ad->done_tail = r;
    ad->dpc_pending = true;
}

static void notify_complete(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    struct scsi_request *r = sp_req_from_srb(ad, srb, "RequestComplete");

    if (!r)
        return;
    if (srb->SrbStatus == SRB_STATUS_PENDING) {
        pr_err(ad->name, "RequestComplete with status PENDING (SRB %p, CDB %02x); "
               "reported as an error", srb, srb->Cdb[0]);
        srb->SrbStatus = SRB_STATUS_ERROR;
    }
    done_push(ad, r);
}

static void notify_timer(struct sp_adapter *ad, PHW_TIMER fn, ULONG us)
{
    ad->timer_fn = fn;
    ad->timer_due_us = (fn && us) ? time_us() + us : 0;
    if (ad->timer_due_us)
        due_at(ad, ad->timer_due_us);
    ad->dpc_pending = true;
}

VOID __cdecl ScsiPortNotification(SCSI_NOTIFICATION_TYPE type, PVOID ext, ...)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortNotification");
    va_list ap;

    if (!ad)
        return;
    va_start(ap, ext);
    switch (type) {
    case RequestComplete:                       /* the one of every request */
        notify_complete(ad, va_arg(ap, PSCSI_REQUEST_BLOCK));
        break;
    case NextRequest:
    case NextLuRequest:
        /*
         * The start rules already keep an untagged request alone on its LU,
         * so NextLuRequest means what NextRequest means.  Deferred work is
         * needed only when requests wait (from StartIo the start loop goes
         * on by itself).
         */
        ad->next_request = true;
        if (ad->nqueued)
            ad->dpc_pending = true;
        break;
    case ResetDetected:
        ad->reset_detected = true;
        ad->dpc_pending = true;
        break;
    case CallDisableInterrupts: {
        PHW_INTERRUPT fn = va_arg(ap, PHW_INTERRUPT);
        uint32_t f = irq_save();
        if (fn)
            fn(ad->devext);
        irq_restore(f);
        break;
    }
    case CallEnableInterrupts:
        ad->enable_cb = va_arg(ap, PHW_INTERRUPT);
        ad->dpc_pending = true;
        break;
    case RequestTimerCall: {
        PHW_TIMER fn = va_arg(ap, PHW_TIMER);
        notify_timer(ad, fn, va_arg(ap, ULONG));
        break;
    }
    case BusChangeDetected:
        ad->rescan = true;
        ad->dpc_pending = true;
        break;
    case WMIEvent:
    case WMIReregister:
        if (!ad->wmi_logged++)
            pr_warn(ad->name, "WMI notifications are not supported; ignored");
        break;
    default:
        pr_err(ad->name, "ScsiPortNotification: unknown type %d; ignored", (int)type);
        break;
    }
    va_end(ap);
}

static bool matches(UCHAR want, UCHAR have)
{
    return want == SP_UNTAGGED || want == have;
}

VOID NTAPI ScsiPortCompleteRequest(PVOID ext, UCHAR PathId, UCHAR TargetId, UCHAR Lun,
                                   UCHAR SrbStatus)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortCompleteRequest");

    if (!ad)
        return;
    for (unsigned s = 0; s < SP_ADAPTER_SLOTS; s++) {
        struct scsi_request *r = ad->active[s];
        if (!r || r->state != REQ_ACTIVE)
            continue;
        if (!matches(PathId, r->srb.PathId) || !matches(TargetId, r->srb.TargetId) ||
            !matches(Lun, r->srb.Lun))
            continue;
        r->srb.SrbStatus = SrbStatus;
        r->srb.DataTransferLength = 0;
        done_push(ad, r);
    }
}

PSCSI_REQUEST_BLOCK NTAPI ScsiPortGetSrb(PVOID ext, UCHAR PathId, UCHAR TargetId,
                                         UCHAR Lun, LONG QueueTag)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortGetSrb");
    struct scsi_request *r;

    if (!ad)
        return NULL;
    if (QueueTag != SP_UNTAGGED && QueueTag != -1) {
        if (QueueTag < 1 || QueueTag > SP_ADAPTER_SLOTS)
            return NULL;
        r = ad->active[QueueTag - 1];
        if (r && r->state == REQ_ACTIVE && r->srb.QueueTag == QueueTag &&
            r->srb.PathId == PathId && r->srb.TargetId == TargetId && r->srb.Lun == Lun)
            return &r->srb;
        return NULL;
    }
    for (unsigned s = 0; s < SP_ADAPTER_SLOTS; s++) {
        r = ad->active[s];
        if (r && r->state == REQ_ACTIVE && r->srb.QueueTag == SP_UNTAGGED &&
            r->srb.PathId == PathId && r->srb.TargetId == TargetId && r->srb.Lun == Lun)
            return &r->srb;
    }
    return NULL;
}

PVOID NTAPI ScsiPortGetLogicalUnit(PVOID ext, UCHAR PathId, UCHAR TargetId, UCHAR Lun)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortGetLogicalUnit");
    struct sp_lu *lu;

    if (!ad)
        return NULL;
    lu = sp_lu_find(ad, PathId, TargetId, Lun);
    return lu ? lu->luext : NULL;
}

/* ---- deferred work ------------------------------------------------------------ */

static void run_timer(struct sp_adapter *ad)
{
    PHW_TIMER fn = ad->timer_fn;
    uint32_t f;

    ad->timer_due_us = 0;
    if (!fn)
        return;
    f = irq_save();
    fn(ad->devext);
    irq_restore(f);
}

static const char *cdb_name(UCHAR op)
{
    switch (op) {
    case SCSIOP_TEST_UNIT_READY: return "TEST UNIT READY";
    case SCSIOP_REQUEST_SENSE: return "REQUEST SENSE";
    case SCSIOP_INQUIRY: return "INQUIRY";
    case SCSIOP_READ6: return "READ(6)";
    case SCSIOP_WRITE6: return "WRITE(6)";
    case SCSIOP_READ: return "READ(10)";
    case SCSIOP_WRITE: return "WRITE(10)";
    case SCSIOP_READ16: return "READ(16)";
    case SCSIOP_WRITE16: return "WRITE(16)";
    case SCSIOP_READ_CAPACITY: return "READ CAPACITY(10)";
    case SCSIOP_SYNCHRONIZE_CACHE: return "SYNCHRONIZE CACHE";
    case SCSIOP_REPORT_LUNS: return "REPORT LUNS";
    default: return "command";
    }
}

/* The timeout tick: requests out of ticks are timed out, and their bus reset (once). */
static void tick(struct sp_adapter *ad, uint64_t now)
{
    int reset_path = -1;

    ad->next_tick_us = now + SP_TICK_MS * 1000u;
    for (unsigned s = 0; s < SP_ADAPTER_SLOTS; s++) {
        struct scsi_request *r = ad->active[s];
        if (!r || r->state != REQ_ACTIVE || r->timed_out)
            continue;
        if (--r->ticks_left == 0) {
            r->timed_out = true;
            ad->timeouts++;
            pr_err(ad->name, "%u:%u:%u: %s timed out after %u s",
                   r->srb.PathId, r->srb.TargetId, r->srb.Lun, cdb_name(r->srb.Cdb[0]),
                   (unsigned)r->srb.TimeOutValue);
            if (reset_path < 0)
                reset_path = r->srb.PathId;
        }
    }
    if (reset_path >= 0)
        sp_reset_bus(ad, (ULONG)reset_path, "request timeout");
}

/* Completions the miniport reported, taken atomically from the ISR's list. */
static void drain_done(struct sp_adapter *ad)
{
    struct scsi_request *list;
    uint32_t f = irq_save();
    bool reset;

    list = ad->done_head;
    ad->done_head = ad->done_tail = NULL;
    ad->dpc_pending = false;
    reset = ad->reset_detected;
    ad->reset_detected = false;
    irq_restore(f);

    if (reset) {
        ad->hold_until_us = time_us() + SP_RESET_HOLD_MS * 1000u;
        due_at(ad, ad->hold_until_us);
        pr_warn(ad->name, "bus reset detected; holding new requests for %u ms", SP_RESET_HOLD_MS);
    }
    while (list) {
        struct scsi_request *r = list;
        list = r->next;
        finish(ad, r);
    }
}

static uint64_t earliest_event(const struct sp_adapter *ad)
{
    uint64_t next = ad->nactive ? ad->next_tick_us : UINT64_MAX;

    if (ad->timer_due_us && ad->timer_due_us < next)
        next = ad->timer_due_us;
    if (ad->hold_until_us && ad->hold_until_us < next)
        next = ad->hold_until_us;
    if (ad->retry_due_us && ad->retry_due_us < next)
        next = ad->retry_due_us;
    return next;
}

/* Whatever is due at now: the miniport's timer, timeouts, the end of a hold or retry delay. */
static void check_timers(struct sp_adapter *ad, uint64_t now)
{
    if (ad->timer_due_us && now >= ad->timer_due_us)
        run_timer(ad);
    if (ad->nactive && now >= ad->next_tick_us)
        tick(ad, now);
    if (ad->hold_until_us && now >= ad->hold_until_us)
        ad->hold_until_us = 0;
    if (ad->retry_due_us && now >= ad->retry_due_us)
        ad->retry_due_us = 0;           /* start_queued re-arms it for any still waiting */
    ad->next_due_us = earliest_event(ad);
}

/*
 * One round of deferred work for ad, now being the clock read once for the
 * whole round (by scsi_poll).  Each step is a flag or a comparison when it
 * has nothing to do.
 */
void sp_dpc(struct sp_adapter *ad, uint64_t now)
{
    if (ad->enable_cb) {
        PHW_INTERRUPT cb = ad->enable_cb;
        ad->enable_cb = NULL;
        cb(ad->devext);                 /* system interrupts on, as NT did */
    }
    if (ad->dpc_pending)
        drain_done(ad);
    if (now >= ad->next_due_us) {
        check_timers(ad, now);
        if (ad->dpc_pending)
            drain_done(ad);             /* the timer or a reset completed some */
    }
    if (ad->nqueued && ad->next_request)
        start_queued(ad, now);
}

/*
 * Reset a bus: HwResetBus, then whatever the miniport did not complete
 * itself is completed here (a request must never be left waiting), and new
 * requests are held back for SP_RESET_HOLD_MS.
 */
void sp_reset_bus(struct sp_adapter *ad, ULONG path, const char *why)
{
    uint32_t f;
    BOOLEAN ok;

    ad->resets++;
    pr_warn(ad->name, "resetting bus %u (%s)", (unsigned)path, why);
    f = irq_save();
    ok = ad->hw.HwResetBus(ad->devext, path);
    irq_restore(f);
    if (!ok)
        pr_err(ad->name, "HwResetBus(%u) failed", (unsigned)path);
    ad->hold_until_us = time_us() + SP_RESET_HOLD_MS * 1000u;
    due_at(ad, ad->hold_until_us);
    ad->next_request = true;
    drain_done(ad);
    for (unsigned s = 0; s < SP_ADAPTER_SLOTS; s++) {
        struct scsi_request *r = ad->active[s];
        if (r && r->state == REQ_ACTIVE && r->srb.PathId == path && r->timed_out) {
            pr_err(ad->name, "%u:%u:%u: miniport kept a timed-out request after the reset; "
                   "completed by the port", r->srb.PathId, r->srb.TargetId, r->srb.Lun);
            r->srb.SrbStatus = SRB_STATUS_TIMEOUT;
            done_push(ad, r);
        }
    }
    drain_done(ad);
}
