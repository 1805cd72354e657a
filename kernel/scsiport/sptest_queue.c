/*
 * `selftest scsiport`, the port-level half: requests submitted straight to
 * the port (scsiport.h), each with the SRB status the port's code gives it
 * (submit.c, core.c) or the behaviour NT's port had (reference/
 * scsiport-api.md 1.12): malformed SRBs answered without the miniport
 * seeing them, the functions only the port handles, queue freezing and
 * its release, BUSY and QUEUE FULL retried, a request that times out
 * (HwResetBus, then the reset hold), and the REQUEST SENSE the port issues
 * for a miniport without AutoRequestSense.  Every wait is bounded.
 */
#include "sptest_cmd.h"
#include "scsiport.h"
#include "report.h"
#include "console.h"
#include "string.h"
#include "heap.h"
#include "time.h"

#define SETTLE_MS           50          /* synchronous miniport: plenty */
#define BUSY_TIMES          3
#define QFULL_TIMES         2
#define DEFER_TIMER_MS      20          /* sptest.c's SPT_DEFER_TIMER_US */
#define DEFER_LBA           33
#define TIMEOUT_S           1
#define TIMEOUT_WAIT_MS     8000
#define PAST_END_LBA        (SPT_BLOCKS - 1)  /* 2 blocks from here: one past the end */

/* ---- building requests ---------------------------------------------------------------- */

static struct scsi_request *read_req(struct sp_lu *lu, uint32_t lba, uint16_t n, void *buf,
                                     uint32_t flags, SENSE_DATA *sense)
{
    UCHAR cdb[10];

    spt_read10_cdb(cdb, lba, n);
    return spt_req(lu, cdb, sizeof(cdb), buf, (uint32_t)n * SPT_BLOCK_SIZE,
                   SRB_FLAGS_DATA_IN | flags, 5, sense);
}

/* A request with no CDB: a function the port handles (RELEASE_QUEUE, ...). */
static struct scsi_request *func_req(struct sp_lu *lu, UCHAR function)
{
    UCHAR cdb[6] = { SCSIOP_TEST_UNIT_READY };
    struct scsi_request *r = spt_req(lu, cdb, sizeof(cdb), NULL, 0, 0, 5, NULL);

    if (r)
        r->srb.Function = function;
    return r;
}

/* Run a function request; its SrbStatus, 0 if it did not finish. */
static UCHAR run_func(struct sp_lu *lu, UCHAR function, const char *what)
{
    struct scsi_request *r = func_req(lu, function);
    UCHAR st = 0;

    if (r && spt_run(r, SPT_WAIT_MS, what))
        st = r->srb.SrbStatus;
    spt_req_end(r);
    return st;
}

/* READ of n blocks at lba: SrbStatus, and whether the data is the pattern. */
static UCHAR run_read(struct sp_lu *lu, uint32_t lba, uint16_t n, uint32_t flags, bool *data_ok)
{
    uint8_t *buf = kzalloc((size_t)n * SPT_BLOCK_SIZE);
    struct scsi_request *r = buf ? read_req(lu, lba, n, buf, flags, NULL) : NULL;
    UCHAR st = 0;

    if (r && spt_run(r, SPT_WAIT_MS, "read"))
        st = r->srb.SrbStatus;
    *data_ok = st == SRB_STATUS_SUCCESS && spt_pattern_ok(buf, lba, n);
    spt_req_end(r);
    kfree(buf);
    return st;
}

static void expect_read_works(struct spt_dev *d, uint32_t lba, const char *when)
{
    bool ok;

    spt_expect(run_read(d->lu, lba, 8, 0, &ok), SRB_STATUS_SUCCESS, "%c: %s: READ(10) of 8 "
               "blocks completes", d->role, when);
    spt_expect_ok(ok, "data differs", "%c: %s: the blocks hold the pattern", d->role, when);
}

/* A READ past the end with its sense: the CHECK CONDITION ILLEGAL REQUEST 21/00. */
static UCHAR run_past_end(struct sp_lu *lu, uint32_t flags, bool with_sense, SENSE_DATA *sense,
                          UCHAR *scsi_status)
{
    uint8_t *buf = kzalloc(2 * SPT_BLOCK_SIZE);
    struct scsi_request *r = buf ? read_req(lu, PAST_END_LBA, 2, buf, flags,
                                            with_sense ? sense : NULL) : NULL;
    UCHAR st = 0;

    if (r && spt_run(r, SPT_WAIT_MS, "read past the end")) {
        st = r->srb.SrbStatus;
        *scsi_status = r->srb.ScsiStatus;
    }
    spt_req_end(r);
    kfree(buf);
    return st;
}

static void expect_illegal_block(struct spt_dev *d, const SENSE_DATA *s, const char *how)
{
    spt_expect((uint32_t)s->SenseKey << 16 | (uint32_t)s->AdditionalSenseCode << 8 |
               s->AdditionalSenseCodeQualifier,
               (uint32_t)SCSI_SENSE_ILLEGAL_REQUEST << 16 | SCSI_ADSENSE_ILLEGAL_BLOCK << 8,
               "%c: READ past the end: %s sense ILLEGAL REQUEST 21/00", d->role, how);
}

/* A phase that went wrong may leave the LU frozen, locked or with requests waiting. */
void spt_recover(struct spt_dev *d, const char *after)
{
    struct sp_lu *lu = d->lu;

    if (!lu->frozen && !lu->locked && !lu->qhead)
        return;
    test_fail(SPT_GROUP, "%c: after %s: the LU is left%s%s%s; flushed and unlocked", d->role,
              after, lu->frozen ? " frozen" : "", lu->locked ? " locked" : "",
              lu->qhead ? " with requests queued" : "");
    run_func(lu, SRB_FUNCTION_FLUSH_QUEUE, "recovery FLUSH_QUEUE");
    run_func(lu, SRB_FUNCTION_UNLOCK_QUEUE, "recovery UNLOCK_QUEUE");
}

/* ---- malformed SRBs and port-only functions ------------------------------------------- */

static void m_function(struct scsi_request *r) { r->srb.Function = 0x30; }
static void m_wmi(struct scsi_request *r) { r->srb.Function = SRB_FUNCTION_WMI; }
static void m_path(struct scsi_request *r) { r->srb.PathId = 1; }
static void m_target_range(struct scsi_request *r) { r->srb.TargetId = SPT_TARGETS; }
static void m_target_empty(struct scsi_request *r) { r->srb.TargetId = 1; }
static void m_target_self(struct scsi_request *r) { r->srb.TargetId = SPT_INITIATOR_ID; }
static void m_lun_range(struct scsi_request *r) { r->srb.Lun = SPT_LUNS; }
static void m_lun_empty(struct scsi_request *r) { r->srb.Lun = 1; }
static void m_in_no_len(struct scsi_request *r) { r->srb.DataTransferLength = 0; }
static void m_len_no_dir(struct scsi_request *r) { r->srb.SrbFlags &= ~SRB_FLAGS_DATA_IN; }
static void m_no_buffer(struct scsi_request *r) { r->srb.DataBuffer = NULL; }
static void m_cdb0(struct scsi_request *r) { r->srb.CdbLength = 0; }
static void m_cdb17(struct scsi_request *r) { r->srb.CdbLength = 17; }
static void m_sense(struct scsi_request *r) { r->srb.SenseInfoBuffer = NULL; }
static void m_timeout(struct scsi_request *r) { r->srb.TimeOutValue = 0; }
static void m_length(struct scsi_request *r) { r->srb.Length = 0; }
static void m_active(struct scsi_request *r) { r->srb.SrbFlags |= SRB_FLAGS_IS_ACTIVE; }
static void m_no_hba(struct scsi_request *r) { r->lu = NULL; r->adapter = NULL; }

static const struct {
    const char *what;
    void (*mangle)(struct scsi_request *r);
    UCHAR want;
} bad_srbs[] = {
    { "unknown Function 0x30", m_function, SRB_STATUS_BAD_FUNCTION },
    { "Function WMI (not a WMI provider)", m_wmi, SRB_STATUS_BAD_FUNCTION },
    { "PathId 1 (one bus)", m_path, SRB_STATUS_INVALID_PATH_ID },
    { "TargetId 4 (MaximumNumberOfTargets 4)", m_target_range, SRB_STATUS_INVALID_TARGET_ID },
    { "TargetId 1 (nothing there)", m_target_empty, SRB_STATUS_NO_DEVICE },
    { "TargetId 3 (the initiator's own id)", m_target_self, SRB_STATUS_NO_DEVICE },
    { "Lun 2 (MaximumNumberOfLogicalUnits 2)", m_lun_range, SRB_STATUS_INVALID_LUN },
    { "Lun 1 (nothing there)", m_lun_empty, SRB_STATUS_NO_DEVICE },
    { "DATA_IN with DataTransferLength 0", m_in_no_len, SRB_STATUS_INVALID_REQUEST },
    { "DataTransferLength with no direction", m_len_no_dir, SRB_STATUS_INVALID_REQUEST },
    { "DataBuffer NULL with a length", m_no_buffer, SRB_STATUS_INVALID_REQUEST },
    { "CdbLength 0", m_cdb0, SRB_STATUS_INVALID_REQUEST },
    { "CdbLength 17", m_cdb17, SRB_STATUS_INVALID_REQUEST },
    { "SenseInfoBufferLength with no buffer", m_sense, SRB_STATUS_INVALID_REQUEST },
    { "TimeOutValue 0", m_timeout, SRB_STATUS_INVALID_REQUEST },
    { "SRB Length 0", m_length, SRB_STATUS_BAD_SRB_BLOCK_LENGTH },
    { "SRB_FLAGS_IS_ACTIVE set by the caller", m_active, SRB_STATUS_INVALID_REQUEST },
    { "no LU and no adapter", m_no_hba, SRB_STATUS_NO_HBA },
};

static const struct {
    const char *what;
    UCHAR function;
} port_functions[] = {
    { "CLAIM_DEVICE", SRB_FUNCTION_CLAIM_DEVICE },
    { "ATTACH_DEVICE", SRB_FUNCTION_ATTACH_DEVICE },
    { "RELEASE_DEVICE", SRB_FUNCTION_RELEASE_DEVICE },
    { "SHUTDOWN (CachesData FALSE)", SRB_FUNCTION_SHUTDOWN },
    { "FLUSH (CachesData FALSE)", SRB_FUNCTION_FLUSH },
    { "LOCK_QUEUE", SRB_FUNCTION_LOCK_QUEUE },
    { "UNLOCK_QUEUE", SRB_FUNCTION_UNLOCK_QUEUE },
    { "RELEASE_QUEUE (not frozen)", SRB_FUNCTION_RELEASE_QUEUE },
    { "FLUSH_QUEUE (nothing queued)", SRB_FUNCTION_FLUSH_QUEUE },
};

static void run_bad_srbs(struct spt_dev *d)
{
    uint8_t *buf = kzalloc(SPT_BLOCK_SIZE);
    SENSE_DATA sense;

    for (unsigned i = 0; buf && i < ARRAY_SIZE(bad_srbs); i++) {
        struct scsi_request *r = read_req(d->lu, 1, 1, buf, 0, &sense);
        if (!r)
            break;
        bad_srbs[i].mangle(r);
        if (spt_run(r, SPT_WAIT_MS, bad_srbs[i].what))
            spt_expect(r->srb.SrbStatus, bad_srbs[i].want, "%c: port refuses %s", d->role,
                       bad_srbs[i].what);
        spt_req_end(r);
    }
    kfree(buf);
}

void spt_test_malformed(struct spt_dev *d)
{
    struct spt_stats before, after;
    SENSE_DATA sense;
    UCHAR st, ss = 0;

    if (!spt_get_stats(d->lu, &before))
        return;
    run_bad_srbs(d);
    for (unsigned i = 0; i < ARRAY_SIZE(port_functions); i++)
        spt_expect(run_func(d->lu, port_functions[i].function, port_functions[i].what),
                   SRB_STATUS_SUCCESS, "%c: the port completes %s itself", d->role,
                   port_functions[i].what);
    if (spt_get_stats(d->lu, &after)) {
        spt_expect(after.srbs - before.srbs, 1, "%c: the miniport saw none of them (only the "
                   "statistics request)", d->role);
        spt_expect(after.malformed, 0, "%c: no malformed SRB ever reached HwStartIo", d->role);
    }
    st = run_past_end(d->lu, SRB_FLAGS_NO_QUEUE_FREEZE, true, &sense, &ss);
    spt_expect(st, SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID, "%c: READ past the end: "
               "ERROR with AUTOSENSE_VALID, queue not frozen (NO_QUEUE_FREEZE)", d->role);
    spt_expect(ss, SCSISTAT_CHECK_CONDITION, "%c: READ past the end: CHECK CONDITION", d->role);
    expect_illegal_block(d, &sense, "miniport's autosense, copied back by the port:");
    expect_read_works(d, 100, "after the malformed requests");
}

/* ---- queue freeze --------------------------------------------------------------------- */

static struct scsi_request *submit_read(struct spt_dev *d, uint32_t lba, uint8_t *buf,
                                        uint32_t flags, SENSE_DATA *sense)
{
    struct scsi_request *r = read_req(d->lu, lba, 1, buf, flags, sense);

    if (r)
        scsi_submit(r, NULL, NULL);
    return r;
}

/* A failed request freezes the LU; the next one waits; RELEASE_QUEUE lets it go. */
static void freeze_release(struct spt_dev *d, uint8_t *buf)
{
    struct scsi_request *bad, *queued, *bypass;
    SENSE_DATA sense;

    bad = submit_read(d, SPT_BLOCKS, buf, 0, &sense);
    queued = submit_read(d, 7, buf + SPT_BLOCK_SIZE, 0, NULL);
    spt_settle(SETTLE_MS);
    if (!bad || !queued)
        goto out;
    spt_expect(bad->state == REQ_DONE ? bad->srb.SrbStatus : 0,
               SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN,
               "%c: a failed request: status has SRB_STATUS_QUEUE_FROZEN", d->role);
    spt_expect(queued->state, REQ_QUEUED, "%c: frozen LU: the next request stays queued", d->role);
    bypass = read_req(d->lu, 8, 1, buf + 2 * SPT_BLOCK_SIZE, SRB_FLAGS_BYPASS_FROZEN_QUEUE, NULL);
    if (bypass && spt_run(bypass, SPT_WAIT_MS, "BYPASS_FROZEN_QUEUE request"))
        spt_expect_ok(bypass->srb.SrbStatus == SRB_STATUS_SUCCESS &&
                      spt_pattern_ok(buf + 2 * SPT_BLOCK_SIZE, 8, 1), "failed or wrong data",
                      "%c: BYPASS_FROZEN_QUEUE gets through a frozen LU", d->role);
    spt_req_end(bypass);
    spt_expect(queued->state, REQ_QUEUED, "%c: ... and the queued one still waits", d->role);
    spt_expect(run_func(d->lu, SRB_FUNCTION_RELEASE_QUEUE, "RELEASE_QUEUE"), SRB_STATUS_SUCCESS,
               "%c: RELEASE_QUEUE completes", d->role);
    spt_expect_ok(spt_wait(queued, SPT_WAIT_MS) && queued->srb.SrbStatus == SRB_STATUS_SUCCESS &&
                  spt_pattern_ok(buf + SPT_BLOCK_SIZE, 7, 1), "not run, failed or wrong data",
                  "%c: after RELEASE_QUEUE the queued request runs", d->role);
out:
    spt_req_end(bad);
    spt_req_end(queued);
}

/* Frozen again: FLUSH_QUEUE completes the waiting request as REQUEST_FLUSHED. */
static void freeze_flush(struct spt_dev *d, uint8_t *buf)
{
    struct scsi_request *bad, *queued;
    SENSE_DATA sense;

    bad = submit_read(d, SPT_BLOCKS, buf, 0, &sense);
    queued = submit_read(d, 9, buf + SPT_BLOCK_SIZE, 0, NULL);
    spt_settle(SETTLE_MS);
    if (!bad || !queued)
        goto out;
    spt_expect(queued->state, REQ_QUEUED, "%c: frozen again: a request waits", d->role);
    spt_expect(run_func(d->lu, SRB_FUNCTION_FLUSH_QUEUE, "FLUSH_QUEUE"), SRB_STATUS_SUCCESS,
               "%c: FLUSH_QUEUE completes", d->role);
    spt_expect(spt_wait(queued, SPT_WAIT_MS) ? queued->srb.SrbStatus : 0,
               SRB_STATUS_REQUEST_FLUSHED, "%c: FLUSH_QUEUE: the waiting request ends "
               "REQUEST_FLUSHED", d->role);
    spt_expect(d->lu->frozen, false, "%c: FLUSH_QUEUE unfreezes the LU", d->role);
out:
    spt_req_end(bad);
    spt_req_end(queued);
}

void spt_test_freeze(struct spt_dev *d)
{
    uint8_t *buf = kzalloc(4 * SPT_BLOCK_SIZE);
    struct spt_stats before, after;

    if (!buf || !spt_get_stats(d->lu, &before))
        goto out;
    freeze_release(d, buf);
    freeze_flush(d, buf);
    if (spt_get_stats(d->lu, &after))
        spt_expect(after.srbs - before.srbs, 5, "%c: HwStartIo saw the 2 failing, the bypass, "
                   "the released request and the statistics; not the flushed one", d->role);
    expect_read_works(d, 200, "after the freeze tests");
out:
    if (d->lu->frozen || d->lu->qhead)
        run_func(d->lu, SRB_FUNCTION_FLUSH_QUEUE, "clean-up FLUSH_QUEUE");
    kfree(buf);
}

/* ---- BUSY and QUEUE FULL -------------------------------------------------------------- */

static void busy_once(struct spt_dev *d, UCHAR times, UCHAR seq, bool qfull)
{
    UCHAR args[3] = { times, seq, qfull };
    uint32_t attempts = 0;
    uint64_t t0 = time_us(), us;
    UCHAR st;

    st = spt_vendor(d->lu, SPT_CMD_BUSY, args, sizeof(args), &attempts, sizeof(attempts),
                    SRB_FLAGS_NO_QUEUE_FREEZE, 10);
    us = time_us() - t0;
    spt_expect(st, SRB_STATUS_SUCCESS, "%c: %s %u times, then success: the port retried",
               d->role, qfull ? "QUEUE FULL" : "BUSY", times);
    spt_expect(attempts, times + 1u, "%c: %s: HwStartIo saw %u attempts", d->role,
               qfull ? "QUEUE FULL" : "BUSY", times + 1u);
    spt_expect_ok(us >= (uint64_t)times * SP_BUSY_DELAY_MS * 900, "retried too soon",
                  "%c: %s: retries about %u ms apart (%llu ms in all)", d->role,
                  qfull ? "QUEUE FULL" : "BUSY", SP_BUSY_DELAY_MS, us / 1000);
}

void spt_test_busy(struct spt_dev *d)
{
    busy_once(d, BUSY_TIMES, 1, false);
    busy_once(d, QFULL_TIMES, 2, true);
}

/* ---- requests completed from HwInterrupt and HwTimer ---------------------------------- */

void spt_test_deferred(struct spt_dev *d)
{
    UCHAR lba[4] = { 0, 0, 0, DEFER_LBA };
    uint8_t *buf = kzalloc(SPT_BLOCK_SIZE);
    uint64_t t0;
    UCHAR st;

    if (!buf)
        return;
    st = spt_vendor(d->lu, SPT_CMD_DEFER_IRQ, lba, sizeof(lba), buf, SPT_BLOCK_SIZE, 0, 5);
    spt_expect(st, SRB_STATUS_SUCCESS, "%c: a request completed from HwInterrupt", d->role);
    spt_expect_ok(st == SRB_STATUS_SUCCESS && spt_pattern_ok(buf, DEFER_LBA, 1), "data differs",
                  "%c: ... with its data", d->role);
    t0 = time_us();
    st = spt_vendor(d->lu, SPT_CMD_DEFER_TIMER, NULL, 0, NULL, 0,
                    SRB_FLAGS_QUEUE_ACTION_ENABLE | SRB_FLAGS_NO_QUEUE_FREEZE, 5);
    spt_expect(st, SRB_STATUS_ABORTED, "%c: a tagged request ended from HwTimer by "
               "CompleteRequest(SP_UNTAGGED x3, ABORTED)", d->role);
    spt_expect_ok(time_us() - t0 >= DEFER_TIMER_MS * 900u, "too soon",
                  "%c: ... after the %u ms timer", d->role, DEFER_TIMER_MS);
    kfree(buf);
    spt_print_log(d->lu);
}

/* ---- a timeout: HwResetBus, the request ends TIMEOUT, new requests held a while ------- */

static void after_timeout(struct spt_dev *d, uint64_t t_reset)
{
    bool ok;
    UCHAR st;

    spt_expect(d->lu->frozen, true, "%c: the timed-out request froze the LU", d->role);
    spt_expect(run_func(d->lu, SRB_FUNCTION_RELEASE_QUEUE, "RELEASE_QUEUE"), SRB_STATUS_SUCCESS,
               "%c: RELEASE_QUEUE after the timeout", d->role);
    st = run_read(d->lu, 300, 8, 0, &ok);
    spt_expect_ok(st == SRB_STATUS_SUCCESS && ok, "failed or wrong data",
                  "%c: a request after the timeout works", d->role);
    spt_expect_ok(time_us() - t_reset >= SP_RESET_HOLD_MS * 900ull, "not held",
                  "%c: ... once the %u ms reset hold is over", d->role, SP_RESET_HOLD_MS);
}

void spt_test_timeout(struct spt_dev *d)
{
    UCHAR cdb[SPT_CDB_LEN] = { SPT_OP, SPT_CMD_HOLD };
    struct spt_stats before, after;
    struct scsi_request *r;
    uint64_t t0, t1;

    if (!spt_get_stats(d->lu, &before))
        return;
    r = spt_req(d->lu, cdb, sizeof(cdb), NULL, 0, 0, TIMEOUT_S, NULL);
    t0 = time_us();
    if (!r || !spt_run(r, TIMEOUT_WAIT_MS, "request the miniport keeps")) {
        spt_req_end(r);
        return;
    }
    t1 = time_us();
    spt_expect(r->srb.SrbStatus, SRB_STATUS_TIMEOUT | SRB_STATUS_QUEUE_FROZEN,
               "%c: a request never completed: SRB_STATUS_TIMEOUT (queue frozen)", d->role);
    spt_expect_ok(t1 - t0 >= TIMEOUT_S * 900000ull && t1 - t0 < TIMEOUT_S * 4000000ull,
                  "outside 0.9 to 4 times TimeOutValue", "%c: ... after its TimeOutValue of "
                  "%u s (%llu ms)", d->role, TIMEOUT_S, (t1 - t0) / 1000);
    spt_req_end(r);
    after_timeout(d, t1);
    if (spt_get_stats(d->lu, &after))
        spt_expect(after.resets - before.resets, 1, "%c: the port called HwResetBus once",
                   d->role);
    spt_print_log(d->lu);
}

/* ---- the port's own REQUEST SENSE (adapter B: no AutoRequestSense) -------------------- */

void spt_test_port_sense(struct spt_dev *d)
{
    struct spt_stats s0, s1, s2;
    SENSE_DATA sense;
    UCHAR st, ss = 0;

    if (!spt_get_stats(d->lu, &s0))
        return;
    st = run_past_end(d->lu, SRB_FLAGS_NO_QUEUE_FREEZE, true, &sense, &ss);
    spt_expect(st, SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID, "%c: no AutoRequestSense: "
               "the port fetched the sense (AUTOSENSE_VALID)", d->role);
    spt_expect(ss, SCSISTAT_CHECK_CONDITION, "%c: ... status CHECK CONDITION kept", d->role);
    expect_illegal_block(d, &sense, "the port's REQUEST SENSE:");
    if (spt_get_stats(d->lu, &s1)) {
        spt_expect(s1.request_sense - s0.request_sense, 1, "%c: one REQUEST SENSE reached the "
                   "miniport", d->role);
        spt_expect(s1.request_sense_flags & (SRB_FLAGS_BYPASS_FROZEN_QUEUE | SRB_FLAGS_DATA_IN),
                   SRB_FLAGS_BYPASS_FROZEN_QUEUE | SRB_FLAGS_DATA_IN,
                   "%c: ... DATA_IN, bypassing the frozen queue", d->role);
    }
    st = run_past_end(d->lu, SRB_FLAGS_NO_QUEUE_FREEZE | SRB_FLAGS_DISABLE_AUTOSENSE, true,
                      &sense, &ss);
    spt_expect(st, SRB_STATUS_ERROR, "%c: DISABLE_AUTOSENSE: no sense fetched", d->role);
    st = run_past_end(d->lu, SRB_FLAGS_NO_QUEUE_FREEZE, false, &sense, &ss);
    spt_expect(st, SRB_STATUS_ERROR, "%c: no sense buffer: no sense fetched", d->role);
    if (spt_get_stats(d->lu, &s2))
        spt_expect(s2.request_sense - s1.request_sense, 0, "%c: ... and no REQUEST SENSE sent",
                   d->role);
    st = run_past_end(d->lu, 0, true, &sense, &ss);
    spt_expect(st, SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN,
               "%c: without NO_QUEUE_FREEZE: sense fetched, then the LU frozen", d->role);
    spt_expect(run_func(d->lu, SRB_FUNCTION_RELEASE_QUEUE, "RELEASE_QUEUE"), SRB_STATUS_SUCCESS,
               "%c: RELEASE_QUEUE", d->role);
    expect_read_works(d, 400, "after the port's REQUEST SENSE");
}
