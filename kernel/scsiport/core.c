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
#include "pmem.h"

struct sp_adapter *sp_adapters[SP_MAX_ADAPTERS];
int sp_nadapters;
struct sp_adapter *sp_probing;          /* inside HwFindAdapter */
struct sp_adapter *sp_last_ad;          /* lookup cache */

struct sp_pool_run sp_pool_runs[SP_POOL_RUNS];
int sp_pool_nruns;
static struct scsi_request *free_list;
static int free_count, pool_total;

/* ---- lookups that validate what a miniport hands us ------------------------ */

struct sp_adapter *sp_adapter_search(PVOID ext, const char *who)
{
    for (int i = 0; i < sp_nadapters; i++) {
        if (sp_adapters[i]->devext == ext) {
            sp_last_ad = sp_adapters[i];
            return sp_last_ad;
        }
    }
    if (sp_probing && sp_probing->devext == ext)
        return sp_probing;
    pr_err("scsiport", "%s: %p is no adapter's device extension; ignored", who, ext);
    return NULL;
}

static bool in_pool(const void *p)
{
    for (int i = 0; i < sp_pool_nruns; i++) {
        uintptr_t off = (uintptr_t)p - sp_pool_runs[i].base;
        if (off < sp_pool_runs[i].bytes)
            return !(off & (SP_REQ_STRIDE - 1));
    }
    return false;
}

/* sp_req_from_srb said no: why, once (who NULL: the caller says it). */
struct scsi_request *sp_req_refuse(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb,
                                   const char *who)
{
    if (!who)
        return NULL;
    pr_err(ad->name, "%s: SRB %p is not %s; ignored", who, srb,
           in_pool(srb) ? "active on this adapter" : "one the port handed out");
    return NULL;
}

/* ---- the request pool ------------------------------------------------------ */

/*
 * Add a run of at least n requests, filling whole pages; false (after one
 * line) when the heap or the pool's limits say no.
 */
bool __attribute__((cold)) sp_pool_grow(unsigned n)
{
    uint32_t bytes = ALIGN_UP(n * SP_REQ_STRIDE, PAGE_SIZE);
    unsigned count = bytes / SP_REQ_STRIDE;
    const char *why = NULL;
    uint8_t *run = NULL;

    if (sp_pool_nruns == SP_POOL_RUNS || pool_total + count > SP_MAX_REQUESTS)
        why = "over the pool's limit";
    else if (!(run = kmalloc(bytes)))
        why = "out of memory";
    if (why) {
        pr_err("scsiport", "request pool: %d request blocks, all in use; no %u more (%s)",
               pool_total, count, why);
        return false;
    }
    sp_pool_runs[sp_pool_nruns].base = (uintptr_t)run;
    sp_pool_runs[sp_pool_nruns].bytes = bytes;
    sp_pool_nruns++;
    for (unsigned i = count; i-- > 0;) {
        struct scsi_request *r = (struct scsi_request *)(run + i * SP_REQ_STRIDE);
        r->state = REQ_FREE;
        r->next = free_list;
        free_list = r;
    }
    free_count += (int)count;
    pool_total += (int)count;
    return true;
}

/* Requests an adapter may have at the miniport at once, and the port's own beside them. */
unsigned __attribute__((cold)) sp_adapter_depth(const struct sp_adapter *ad)
{
    unsigned per_lu = ad->cfg.TaggedQueuing || ad->cfg.MultipleRequestPerLu ? SP_LU_DEPTH : 1;

    return per_lu + 2;                  /* the scan's INQUIRY, the port's REQUEST SENSE */
}

struct scsi_request *__attribute__((cold)) scsi_req_alloc(void)
{
    struct scsi_request *r;

    if (!free_list && !sp_pool_grow(SP_POOL_GROW))
        return NULL;
    r = free_list;
    free_list = r->next;
    free_count--;
    memset(r, 0, sizeof(*r));
    r->state = REQ_IDLE;
    r->srb.Length = sizeof(SCSI_REQUEST_BLOCK);
    r->srb.QueueTag = SP_UNTAGGED;
    return r;
}

void __attribute__((cold)) scsi_req_free(struct scsi_request *r)
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

int __attribute__((cold)) scsi_req_free_count(void)
{
    return free_count;
}

/* ---- logical units --------------------------------------------------------- */

struct sp_lu *__attribute__((cold)) sp_lu_find(struct sp_adapter *ad, unsigned path,
                                               unsigned target, unsigned lun)
{
    for (struct sp_lu *lu = ad->lus; lu; lu = lu->next)
        if (lu->path == path && lu->target == target && lu->lun == lun)
            return lu;
    return NULL;
}

struct sp_lu *__attribute__((cold)) sp_lu_get(struct sp_adapter *ad, unsigned path, unsigned target,
                                              unsigned lun)
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
void __attribute__((cold)) sp_lu_forget(struct sp_lu *lu)
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
 * TimeOutValue + SP_TICK_MS after it started.  A tick that comes late (the
 * CPU was busy, or held up in the device) counts every SP_TICK_MS that
 * passed, so a timeout is measured on the clock, not in rounds of work.
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
static inline bool req_tagged(const struct sp_adapter *ad, const struct scsi_request *r)
{
    ULONG f = r->srb.SrbFlags;

    if (!ad->cfg.TaggedQueuing && !ad->cfg.MultipleRequestPerLu)
        return false;
    if ((f & SRB_FLAGS_DISABLE_DISCONNECT) || !(f & SRB_FLAGS_QUEUE_ACTION_ENABLE))
        return false;
    return r->lu->inquiry.CommandQueue;
}

/* The LU's queue is open to r: not frozen or locked against it. */
static inline bool lu_open(const struct sp_lu *lu, const struct scsi_request *r)
{
    ULONG f = r->srb.SrbFlags;

    if (lu->frozen && !(f & SRB_FLAGS_BYPASS_FROZEN_QUEUE))
        return false;
    return !lu->locked || (f & SRB_FLAGS_BYPASS_LOCKED_QUEUE);
}

/* The LU has room for r beside what it has at the miniport. */
static inline bool lu_room(const struct sp_adapter *ad, const struct sp_lu *lu,
                           const struct scsi_request *r)
{
    if (lu->active == 0)
        return true;
    if (!req_tagged(ad, r) || lu->active_untagged)
        return false;
    return lu->active < SP_LU_DEPTH;
}

static bool lu_can_start(struct sp_adapter *ad, const struct sp_lu *lu,
                         const struct scsi_request *r, uint64_t now)
{
    if (!lu_open(lu, r))
        return false;
    if (r->not_before_us > now) {
        retry_at(ad, r->not_before_us);             /* the wait loop wakes for it */
        return false;
    }
    return lu_room(ad, lu, r);
}

/* lu's first queued request, when it may start now; the round-robin moves past lu. */
static struct scsi_request *take(struct sp_adapter *ad, struct sp_lu *lu, uint64_t now)
{
    if (!lu->qhead || !lu_can_start(ad, lu, lu->qhead, now))
        return NULL;
    ad->rr_next = lu->next;
    return lu_dequeue(lu);
}

/*
 * The next request to start: LUs in round-robin order, from rr_next to the
 * end of the list, then from its head up to rr_next.  Both passes end at
 * the list's end, so a stale rr_next cannot make them go round for ever.
 */
static struct scsi_request *pick(struct sp_adapter *ad, uint64_t now)
{
    struct sp_lu *start = ad->rr_next ? ad->rr_next : ad->lus, *lu;
    struct scsi_request *r;

    for (lu = start; lu; lu = lu->next)
        if ((r = take(ad, lu, now)) != NULL)
            return r;
    for (lu = ad->lus; lu && lu != start; lu = lu->next)
        if ((r = take(ad, lu, now)) != NULL)
            return r;
    return NULL;
}

/*
 * A free slot, searched from the one after the last taken (tags go round);
 * the caller has checked that nactive < SP_ADAPTER_SLOTS.
 */
static inline unsigned slot_alloc(struct sp_adapter *ad)
{
    unsigned s = ad->free_slot_hint;

    for (;;) {
        if (s >= SP_ADAPTER_SLOTS)
            s = 0;
        if (!ad->active[s])
            break;
        s++;
    }
    ad->free_slot_hint = (uint16_t)(s + 1);
    return s;
}

/* Hand one request to the miniport (inline: it is every request's path). */
static inline __attribute__((always_inline)) void start_one(struct sp_adapter *ad,
                                                             struct scsi_request *r)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    struct sp_lu *lu = r->lu;
    unsigned slot = slot_alloc(ad);
    uint32_t flags;

    r->slot = (uint16_t)slot;
    ad->active[slot] = r;
    srb->SrbExtension = ad->srbext_slot ? ad->srbext_pool + slot * ad->srbext_slot : NULL;
    if (req_tagged(ad, r)) {
        srb->QueueTag = (UCHAR)(slot + 1);
        if (!srb->QueueAction)
            srb->QueueAction = SRB_SIMPLE_TAG_REQUEST;
    } else {
        srb->QueueTag = SP_UNTAGGED;
        lu->active_untagged++;
    }
    /* Autosense into DMA-able memory beside the SRB extension. */
    if (ad->cfg.AutoRequestSense && srb->SenseInfoBuffer && srb->SenseInfoBufferLength &&
        !(srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE)) {
        r->user_sense = srb->SenseInfoBuffer;
        r->user_sense_len = srb->SenseInfoBufferLength;
        srb->SenseInfoBuffer = ad->sense_pool + slot * SP_SENSE_SLOT;
        if (srb->SenseInfoBufferLength > SP_SENSE_SLOT)
            srb->SenseInfoBufferLength = SP_SENSE_SLOT;
    }
    srb->SrbStatus = SRB_STATUS_PENDING;
    srb->ScsiStatus = 0;
    srb->SrbFlags |= SRB_FLAGS_IS_ACTIVE;
    r->state = REQ_ACTIVE;
    r->ticks_left = srb->TimeOutValue < UINT32_MAX / (1000 / SP_TICK_MS) ?
                    srb->TimeOutValue * (1000 / SP_TICK_MS) + 1 : UINT32_MAX;
    if (ad->nactive++ == 0) {           /* ticks run again (at once, if the last is long past) */
        ad->tick_restart = true;
        due_at(ad, ad->next_tick_us);
    }
    lu->active++;
    ad->next_request = false;
    ad->started++;

    flags = irq_save();
    ad->hw.HwStartIo(ad->devext, srb);
    irq_restore(flags);
}

/* start_one where it is not the usual request's path. */
static void __attribute__((noinline)) start_one_call(struct sp_adapter *ad,
                                                     struct scsi_request *r)
{
    start_one(ad, r);
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

        if (!r)
            break;
        start_one_call(ad, r);
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
 * depth, as NT's IoStartPacket went straight to StartIo: no queue, no
 * clock (a new request has no BUSY delay).  Nothing a miniport may call
 * from HwStartIo starts requests, so there is no nesting to guard against
 * here.  Otherwise r waits on lu's queue.
 */
static inline bool can_start_now(const struct sp_adapter *ad, const struct sp_lu *lu,
                                 const struct scsi_request *r)
{
    return !ad->nqueued && ad->next_request && !ad->in_start && !ad->hold_until_us &&
           ad->nactive < SP_ADAPTER_SLOTS && lu_open(lu, r) && lu_room(ad, lu, r);
}

static void queue(struct sp_adapter *ad, struct sp_lu *lu, struct scsi_request *r)
{
    /* Only the queue head is considered: a bypass must not wait behind the freeze. */
    lu_enqueue(lu, r, (r->srb.SrbFlags & SRB_FLAGS_BYPASS_FROZEN_QUEUE) && lu->frozen);
    sp_start_next(ad);
}

void sp_start_or_queue(struct sp_adapter *ad, struct sp_lu *lu, struct scsi_request *r)
{
    if (can_start_now(ad, lu, r))
        start_one_call(ad, r);
    else
        queue(ad, lu, r);
}

/*
 * The usual request - EXECUTE_SCSI, well formed, addressed to the LU the
 * submitter named, on a working adapter - passes the same checks as any
 * other, in fewer steps: its adapter, or NULL for sp_submit_checked.
 */
static inline struct sp_adapter *usual_request(const struct scsi_request *r)
{
    const SCSI_REQUEST_BLOCK *srb = &r->srb;
    const struct sp_lu *lu = r->lu;
    struct sp_adapter *ad;

    if (!lu || srb->Function != SRB_FUNCTION_EXECUTE_SCSI || lu->path != srb->PathId ||
        lu->target != srb->TargetId || lu->lun != srb->Lun)
        return NULL;
    ad = lu->ad;
    if (!ad->initialized || ad->quiesced || sp_check_shape(srb) != SRB_STATUS_SUCCESS ||
        (srb->SrbFlags & SRB_FLAGS_IS_ACTIVE))
        return NULL;
    return ad;
}

void scsi_submit(struct scsi_request *r, scsi_done_fn done, void *ctx)
{
    struct sp_adapter *ad;

    r->done = done;
    r->ctx = ctx;
    r->busy_retries = 0;
    r->timed_out = false;
    r->not_before_us = 0;
    ad = usual_request(r);
    if (!ad)
        sp_submit_checked(r);
    else if (can_start_now(ad, r->lu, r))
        start_one(ad, r);
    else
        queue(ad, r->lu, r);
}

UCHAR scsi_exec(struct scsi_request *r)
{
    scsi_submit(r, NULL, NULL);
    scsi_wait_req(r);
    return SRB_STATUS(r->srb.SrbStatus);
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

static inline void release_slot(struct sp_adapter *ad, struct scsi_request *r)
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

/* The caller's sense buffer back in the SRB, with what autosense put in ours. */
static void copy_back_sense(struct scsi_request *r)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    unsigned n;

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

/* After the miniport is done with r, unless it simply succeeded: sense, retries, freeze. */
static void __attribute__((noinline, cold)) finish_error(struct sp_adapter *ad,
                                                         struct scsi_request *r)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    struct scsi_request *orig;

    if (r->timed_out) {
        srb->SrbStatus = (UCHAR)(SRB_STATUS_TIMEOUT |
                                 (srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID));
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

/* After the miniport is done with r: the usual case, success, straight to the caller. */
static inline void finish(struct sp_adapter *ad, struct scsi_request *r)
{
    release_slot(ad, r);
    if (r->user_sense)
        copy_back_sense(r);
    if (r->srb.SrbStatus == SRB_STATUS_SUCCESS && !r->timed_out && !r->port_sense)
        to_caller(r);
    else
        finish_error(ad, r);
}

/* ---- notifications (the miniport may call these from HwInterrupt) ------------ */

static inline void done_push(struct sp_adapter *ad, struct scsi_request *r)
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

static void __attribute__((noinline, cold))
complete_pending(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    pr_err(ad->name, "RequestComplete with status PENDING (SRB %p, CDB %02x); "
           "reported as an error", srb, srb->Cdb[0]);
    srb->SrbStatus = SRB_STATUS_ERROR;
}

static inline void notify_complete(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    struct scsi_request *r = sp_req_from_srb(ad, srb, "RequestComplete");

    if (!r)
        return;
    if (srb->SrbStatus == SRB_STATUS_PENDING)
        complete_pending(ad, srb);
    done_push(ad, r);
}

/*
 * The start rules already keep an untagged request alone on its LU, so
 * NextLuRequest means what NextRequest means.  Deferred work is needed only
 * when requests wait (from StartIo the start loop goes on by itself).
 */
static inline void notify_next(struct sp_adapter *ad)
{
    ad->next_request = true;
    if (ad->nqueued)
        ad->dpc_pending = true;
}

static void notify_timer(struct sp_adapter *ad, PHW_TIMER fn, ULONG us)
{
    ad->timer_fn = fn;
    ad->timer_due_us = (fn && us) ? time_us() + us : 0;
    if (ad->timer_due_us)
        due_at(ad, ad->timer_due_us);
    ad->dpc_pending = true;
}

/* The notifications a request's life does not need: resets, timers, interrupts, hot-plug. */
static void __attribute__((noinline, cold)) notify_other(struct sp_adapter *ad,
                                                         SCSI_NOTIFICATION_TYPE type, va_list ap)
{
    switch (type) {
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
}

/* Every request's two (RequestComplete, NextRequest) are tested first. */
VOID __cdecl ScsiPortNotification(SCSI_NOTIFICATION_TYPE type, PVOID ext, ...)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortNotification");
    va_list ap;

    if (!ad)
        return;
    va_start(ap, ext);
    if (type == RequestComplete)
        notify_complete(ad, va_arg(ap, PSCSI_REQUEST_BLOCK));
    else if (type == NextRequest || type == NextLuRequest)
        notify_next(ad);
    else
        notify_other(ad, type, ap);
    va_end(ap);
}

static bool matches(UCHAR want, UCHAR have)
{
    return want == SP_UNTAGGED || want == have;
}

VOID NTAPI __attribute__((cold)) ScsiPortCompleteRequest(PVOID ext, UCHAR PathId, UCHAR TargetId,
                                                         UCHAR Lun, UCHAR SrbStatus)
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

static inline bool srb_at(const struct scsi_request *r, UCHAR PathId, UCHAR TargetId, UCHAR Lun)
{
    return r->srb.PathId == PathId && r->srb.TargetId == TargetId && r->srb.Lun == Lun;
}

/* A tag is the slot + 1: one lookup; an untagged request is searched for. */
PSCSI_REQUEST_BLOCK NTAPI ScsiPortGetSrb(PVOID ext, UCHAR PathId, UCHAR TargetId,
                                         UCHAR Lun, LONG QueueTag)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortGetSrb");
    struct scsi_request *r;

    if (!ad)
        return NULL;
    if ((ULONG)(QueueTag - 1) < SP_ADAPTER_SLOTS) {
        r = ad->active[QueueTag - 1];
        if (r && r->state == REQ_ACTIVE && r->srb.QueueTag == QueueTag &&
            srb_at(r, PathId, TargetId, Lun))
            return &r->srb;
        return NULL;
    }
    if (QueueTag != SP_UNTAGGED && QueueTag != -1)
        return NULL;
    for (unsigned s = 0; s < SP_ADAPTER_SLOTS; s++) {
        r = ad->active[s];
        if (r && r->state == REQ_ACTIVE && r->srb.QueueTag == SP_UNTAGGED &&
            srb_at(r, PathId, TargetId, Lun))
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

static const char *__attribute__((cold)) cdb_name(UCHAR op)
{
    static const UCHAR ops[] = {
        SCSIOP_TEST_UNIT_READY, SCSIOP_REQUEST_SENSE, SCSIOP_INQUIRY, SCSIOP_READ6,
        SCSIOP_WRITE6, SCSIOP_READ, SCSIOP_WRITE, SCSIOP_READ16, SCSIOP_WRITE16,
        SCSIOP_READ_CAPACITY, SCSIOP_SYNCHRONIZE_CACHE, SCSIOP_REPORT_LUNS,
    };
    static const char *const names[ARRAY_SIZE(ops)] = {
        "TEST UNIT READY", "REQUEST SENSE", "INQUIRY", "READ(6)",
        "WRITE(6)", "READ(10)", "WRITE(10)", "READ(16)", "WRITE(16)",
        "READ CAPACITY(10)", "SYNCHRONIZE CACHE", "REPORT LUNS",
    };

    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
        if (ops[i] == op)
            return names[i];
    return "command";
}

/* The timeout tick: requests out of ticks are timed out, and their bus reset (once). */
/* Ticks that have passed at now: one, and one more for each SP_TICK_MS the tick is late. */
static uint32_t ticks_passed(struct sp_adapter *ad, uint64_t now)
{
    uint64_t late = now - ad->next_tick_us;

    if (ad->tick_restart) {                 /* next_tick_us is from before the idle time */
        ad->tick_restart = false;
        return 1;
    }
    if (late > 3600ull * 1000000)
        late = 3600ull * 1000000;
    return 1 + (uint32_t)late / (SP_TICK_MS * 1000u);
}

static void tick(struct sp_adapter *ad, uint64_t now)
{
    uint32_t n = ticks_passed(ad, now);
    int reset_path = -1;

    ad->next_tick_us = now + SP_TICK_MS * 1000u;
    for (unsigned s = 0; s < SP_ADAPTER_SLOTS; s++) {
        struct scsi_request *r = ad->active[s];
        if (!r || r->state != REQ_ACTIVE || r->timed_out)
            continue;
        r->ticks_left = r->ticks_left > n ? r->ticks_left - n : 0;
        if (r->ticks_left == 0) {
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

/* After a bus reset: no new request for SP_RESET_HOLD_MS. */
static void __attribute__((noinline, cold)) hold_new_requests(struct sp_adapter *ad)
{
    ad->hold_until_us = time_us() + SP_RESET_HOLD_MS * 1000u;
    due_at(ad, ad->hold_until_us);
}

static void __attribute__((noinline, cold)) reset_hold(struct sp_adapter *ad)
{
    hold_new_requests(ad);
    pr_warn(ad->name, "bus reset detected; holding new requests for %u ms", SP_RESET_HOLD_MS);
}

/* Completions the miniport reported, taken atomically from the ISR's list. */
static inline __attribute__((always_inline)) void drain(struct sp_adapter *ad)
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

    if (reset)
        reset_hold(ad);
    while (list) {
        struct scsi_request *r = list;
        list = r->next;
        finish(ad, r);
    }
}

/* drain() where it is not every request's path. */
static void __attribute__((noinline, cold)) drain_done(struct sp_adapter *ad)
{
    drain(ad);
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
        drain(ad);
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
void __attribute__((cold)) sp_reset_bus(struct sp_adapter *ad, ULONG path, const char *why)
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
    hold_new_requests(ad);
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
