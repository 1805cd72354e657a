/*
 * The ScsiPort port driver's own state: what NT's scsiport.sys kept per
 * driver, per adapter, per logical unit and per request.
 *
 * Execution model (one CPU, no threads):
 *  - Mainline code (the disk layer, the shell, the bus scan) submits
 *    requests and waits for them with scsi_wait_req(), which runs the
 *    port's deferred work ("DPC"): completions, starting queued requests,
 *    timeouts, the miniport timer, rescans.  One clock reading serves a
 *    whole round of deferred work; a round with nothing due reads nothing
 *    else and calls nothing (see sp_dpc).
 *  - The interrupt handler only calls HwInterrupt; whatever the miniport
 *    reports through ScsiPortNotification there is recorded in the
 *    adapter's notification state and processed by the next DPC run.
 *  - Every call into the miniport other than HwInterrupt is made with
 *    interrupts disabled, so it is serialised against HwInterrupt.
 *
 * Request memory: requests come from the port's pool, page runs taken
 * from the heap as adapters are found (their queue depths) and as users
 * keep requests (a disk's own, a benchmark's in-flight set), never on the
 * per-request path.  Requests sit SP_REQ_STRIDE bytes apart in each run,
 * so an SRB pointer handed back by a miniport is validated with a range
 * check and a mask.
 */
#ifndef SCSIPORT_PORT_H
#define SCSIPORT_PORT_H

#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "types.h"

#define SP_MAX_ADAPTERS     8
#define SP_MAX_ACCESS_RANGES 16
#define SP_MAX_REQUESTS     1024    /* pool of requests, all adapters, at most */
#define SP_REQ_STRIDE       128     /* bytes from one request to the next in the pool */
#define SP_POOL_RUNS        16      /* heap runs the pool may grow to */
#define SP_POOL_GROW        32      /* requests added when the pool runs dry */
#define SP_ADAPTER_SLOTS    254     /* active at once per adapter; tag = slot + 1 */
#define SP_LU_DEPTH         32      /* tagged requests per LU */
#define SP_SENSE_SLOT       32      /* DMA-able sense bytes per slot */
#define SP_RESET_HOLD_MS    1000    /* quiet time after a bus reset */
#define SP_TICK_MS          100     /* timeouts are counted in these */
#define SP_BUSY_RETRIES     20      /* BUSY / QUEUE FULL, NT's count */
#define SP_BUSY_DELAY_MS    100
#define SP_MAX_LUN_SCAN     8       /* NT's MaxLunCount */

struct sp_adapter;
struct sp_lu;
struct scsi_request;

/* What DriverEntry's DriverObject argument points to: the miniport's name. */
struct sp_driver_object {
    const char *name;               /* "ahci", "lsi" */
    ULONG (NTAPI *entry)(PVOID DriverObject, PVOID RegistryPath);
    int adapters;                   /* found so far, for naming ahci0, ahci1 */
};

/* Linker-built table of miniports (section .drvtab); see Makefile. */
extern struct sp_driver_object *const __drvtab_start[], *const __drvtab_end[];

typedef void (*scsi_done_fn)(struct scsi_request *req);

/*
 * One request: the SRB as the miniport sees it, plus the port's own
 * bookkeeping.  The SRB is first, so a PSCSI_REQUEST_BLOCK from a miniport
 * converts back with a range check on the pool.
 */
struct scsi_request {
    SCSI_REQUEST_BLOCK srb;
    struct sp_lu *lu;
    struct sp_adapter *adapter;     /* when submitted without an LU (tests) */
    struct scsi_request *next;      /* LU queue / completion list */
    scsi_done_fn done;
    void *ctx;                      /* the submitter's */
    void *user_sense;               /* caller's sense buffer (autosense redirect) */
    struct scsi_request *sense_for; /* port sense: the request it serves */
    uint32_t ticks_left;            /* timeout: SP_TICK_MS ticks to go, while active */
    uint16_t slot;                  /* index in the adapter's active table */
    uint8_t user_sense_len;
    uint8_t state;                  /* REQ_* */
    uint8_t busy_retries;
    bool port_sense;                /* this is the port's own REQUEST SENSE */
    bool timed_out;                 /* past its deadline; completes as TIMEOUT */
    uint64_t not_before_us;         /* BUSY retry delay, while queued */
};
_Static_assert(sizeof(struct scsi_request) <= SP_REQ_STRIDE, "a request outgrows its pool slot");
_Static_assert((SP_REQ_STRIDE & (SP_REQ_STRIDE - 1)) == 0, "the SRB check masks with the stride");

enum {
    REQ_FREE,                       /* in the pool */
    REQ_IDLE,                       /* allocated, not submitted */
    REQ_QUEUED,                     /* on its LU's queue */
    REQ_ACTIVE,                     /* at the miniport */
    REQ_COMPLETING,                 /* reported done, not yet processed */
    REQ_SENSE_WAIT,                 /* waiting for the port's REQUEST SENSE */
    REQ_DONE,                       /* handed back to the submitter */
};

/* A logical unit: address, the miniport's LU extension, the queue. */
struct sp_lu {
    struct sp_adapter *ad;
    struct sp_lu *next;             /* adapter's list */
    uint8_t path, target, lun;
    bool present;                   /* answered INQUIRY with a device */
    bool seen;                      /* reached by the current scan */
    bool frozen;                    /* queue frozen after an error */
    bool locked;                    /* LOCK_QUEUE */
    bool claimed;                   /* CLAIM_DEVICE */
    uint16_t active;                /* requests at the miniport */
    uint16_t active_untagged;
    struct scsi_request *qhead, *qtail;   /* waiting to start */
    void *luext;                    /* SpecificLuExtensionSize bytes */
    INQUIRYDATA inquiry;
    void *disk;                     /* the disk layer's device, if any */
};

/* A mapping made by ScsiPortGetDeviceBase. */
struct sp_mapping {
    void *va;
    uint64_t pa;
    uint32_t len;
    bool io;
};

enum sp_irq_mode { SP_IRQ_POLL, SP_IRQ_INTX, SP_IRQ_MSI };

struct sp_adapter {
    uint32_t magic;                 /* SP_ADAPTER_MAGIC while alive */
    char name[16];                  /* "ahci0" */
    int index;
    struct sp_driver_object *drv;
    HW_INITIALIZATION_DATA hw;
    PVOID hw_context;
    PORT_CONFIGURATION_INFORMATION cfg;
    ACCESS_RANGE ranges[SP_MAX_ACCESS_RANGES];
    void *devext;
    uint32_t devext_size;
    uint8_t *busdata;               /* GetBusData's Length 0 form */
    void *pci;                      /* struct pci_dev *, when known */

    /* DMA memory */
    uint8_t *uncached;
    uint32_t uncached_size;
    uint8_t *srbext_pool;           /* SP_ADAPTER_SLOTS slots */
    uint32_t srbext_slot;           /* bytes per slot (8-aligned), 0 if none */
    uint8_t *sense_pool;            /* SP_ADAPTER_SLOTS * SP_SENSE_SLOT */

    /* mappings from GetDeviceBase */
    struct sp_mapping maps[SP_MAX_ACCESS_RANGES * 2];
    int nmaps;

    /* interrupts */
    enum sp_irq_mode irq_mode;
    int irq_vector;
    uint32_t interrupts;            /* HwInterrupt said TRUE */
    bool interrupts_disabled;       /* CallEnableInterrupts pending */

    /* phase */
    bool in_find_adapter;
    bool initialized;
    bool quiesced;                  /* ScsiStopAdapter done */

    /* notification state, written by the miniport (ISR or StartIo) */
    volatile bool next_request;     /* NextRequest */
    struct scsi_request *volatile done_head, *volatile done_tail;
    volatile bool dpc_pending;
    volatile bool reset_detected;
    volatile bool rescan;
    PHW_INTERRUPT enable_cb;        /* CallEnableInterrupts */
    PHW_TIMER timer_fn;             /* RequestTimerCall */
    uint64_t timer_due_us;          /* 0: not armed */

    uint64_t hold_until_us;         /* after a reset; 0 once passed */
    uint64_t next_tick_us;          /* the timeout tick, while requests are active */
    bool tick_restart;              /* requests active again: the next tick counts one */
    uint64_t retry_due_us;          /* earliest BUSY retry; 0: none */
    uint64_t next_due_us;           /* none of the four times above is earlier: when
                                       the adapter next has work without an interrupt */
    uint32_t nqueued;               /* requests on the LU queues */
    bool in_start;                  /* sp_start_next is running */
    uint32_t wmi_logged;
    struct scsi_request *active[SP_ADAPTER_SLOTS];
    uint16_t nactive;
    uint16_t free_slot_hint;
    struct sp_lu *lus;
    struct sp_lu *rr_next;          /* round-robin start for the next pick */
    uint32_t lu_count;

    /* counters */
    uint32_t started, completed, timeouts, resets, errors_logged;
};

#define SP_ADAPTER_MAGIC 0x53504144u    /* "SPAD" */

extern struct sp_adapter *sp_adapters[SP_MAX_ADAPTERS];
extern int sp_nadapters;
extern struct sp_adapter *sp_probing;       /* inside HwFindAdapter */

/* core.c: what the inline lookups below need */
extern struct sp_adapter *sp_last_ad;
struct sp_adapter *sp_adapter_search(PVOID HwDeviceExtension, const char *who);
struct sp_pool_run {
    uintptr_t base;                 /* first request */
    uint32_t bytes;                 /* requests * SP_REQ_STRIDE */
};
extern struct sp_pool_run sp_pool_runs[SP_POOL_RUNS];
extern int sp_pool_nruns;
struct scsi_request *sp_req_refuse(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb,
                                   const char *who);

/*
 * The adapter a miniport names by its device extension; NULL (after one
 * log line naming who) if none.  The last one found is tried first: inline,
 * as it is part of every miniport call.
 */
static inline struct sp_adapter *sp_adapter_from_ext(PVOID ext, const char *who)
{
    struct sp_adapter *ad = sp_last_ad;

    if (ad && ad->devext == ext)
        return ad;
    return sp_adapter_search(ext, who);
}

/*
 * The request behind an SRB a miniport hands back: one from the pool,
 * active on ad.  Otherwise NULL, after a log line naming who (who NULL: no
 * line; the caller reports the refusal itself).
 */
static inline struct scsi_request *sp_req_from_srb(struct sp_adapter *ad,
                                                   PSCSI_REQUEST_BLOCK srb, const char *who)
{
    for (int i = 0; i < sp_pool_nruns; i++) {
        uintptr_t off = (uintptr_t)srb - sp_pool_runs[i].base;    /* below: wraps, too big */
        if (off < sp_pool_runs[i].bytes) {
            struct scsi_request *r = (struct scsi_request *)srb;
            if (!(off & (SP_REQ_STRIDE - 1)) && r->state == REQ_ACTIVE && r->lu->ad == ad)
                return r;
            break;
        }
    }
    return sp_req_refuse(ad, srb, who);
}

struct sp_lu *sp_lu_find(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun);
struct sp_lu *sp_lu_get(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun);
void sp_lu_forget(struct sp_lu *lu);
struct scsi_request *lu_dequeue(struct sp_lu *lu);
void sp_dpc(struct sp_adapter *ad, uint64_t now);
void sp_start_next(struct sp_adapter *ad);
void sp_start_or_queue(struct sp_adapter *ad, struct sp_lu *lu, struct scsi_request *r);
void sp_complete_now(struct scsi_request *req, UCHAR status);
bool sp_pool_grow(unsigned n);         /* false after one line */
unsigned sp_adapter_depth(const struct sp_adapter *ad);
void sp_reset_bus(struct sp_adapter *ad, ULONG path, const char *why);

/* submit.c: any request that is not the usual well-formed EXECUTE_SCSI */
void sp_submit_checked(struct scsi_request *r);

/* The shape of an EXECUTE_SCSI / IO_CONTROL SRB; SRB_STATUS_SUCCESS if acceptable. */
static inline UCHAR sp_check_shape(const SCSI_REQUEST_BLOCK *srb)
{
    ULONG dir = srb->SrbFlags & SRB_FLAGS_UNSPECIFIED_DIRECTION;

    if (srb->Length != sizeof(SCSI_REQUEST_BLOCK))
        return SRB_STATUS_BAD_SRB_BLOCK_LENGTH;
    if (srb->TimeOutValue == 0)
        return SRB_STATUS_INVALID_REQUEST;      /* no wait here is unbounded */
    if (srb->Function == SRB_FUNCTION_EXECUTE_SCSI &&
        (srb->CdbLength == 0 || srb->CdbLength > 16))
        return SRB_STATUS_INVALID_REQUEST;
    if ((srb->DataTransferLength == 0) != (dir == 0))
        return SRB_STATUS_INVALID_REQUEST;
    if (srb->DataTransferLength && !srb->DataBuffer)
        return SRB_STATUS_INVALID_REQUEST;
    if (srb->SenseInfoBufferLength && !srb->SenseInfoBuffer)
        return SRB_STATUS_INVALID_REQUEST;
    return SRB_STATUS_SUCCESS;
}

/* Has ad deferred work at now?  (What sp_dpc would find; the poll loop asks first.) */
static inline bool sp_dpc_due(const struct sp_adapter *ad, uint64_t now)
{
    return ad->dpc_pending || ad->enable_cb || now >= ad->next_due_us ||
           (ad->nqueued && ad->next_request);
}

/* intr.c: interrupt connection and polling */
void sp_connect_interrupt(struct sp_adapter *ad);
void sp_poll_adapter(struct sp_adapter *ad);

/*
 * For submitters (see scsiport.h).  Fill in an EXECUTE_SCSI request to lu:
 * every SRB field a miniport may read but the CDB's bytes, which the caller
 * writes into r->srb.Cdb (all 16, unused ones zero).  flags:
 * SRB_FLAGS_DATA_IN/OUT, ...; sense: the caller's buffer for autosense, or
 * NULL.  Inline: every request's path; scsi_req_cdb (scsiport.h) is the
 * same with the CDB copied in.
 */
static inline void scsi_req_fill(struct scsi_request *r, struct sp_lu *lu, unsigned cdb_len,
                                 void *buf, uint32_t len, uint32_t flags, uint32_t timeout_s,
                                 void *sense, uint8_t sense_len)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;

    srb->Length = sizeof(SCSI_REQUEST_BLOCK);
    srb->Function = SRB_FUNCTION_EXECUTE_SCSI;
    srb->SrbStatus = SRB_STATUS_PENDING;
    srb->ScsiStatus = 0;
    srb->PathId = lu->path;
    srb->TargetId = lu->target;
    srb->Lun = lu->lun;
    srb->QueueTag = SP_UNTAGGED;
    srb->QueueAction = 0;
    srb->CdbLength = (UCHAR)cdb_len;
    srb->SenseInfoBufferLength = sense ? sense_len : 0;
    srb->SrbFlags = flags;
    srb->DataTransferLength = len;
    srb->TimeOutValue = timeout_s;
    srb->DataBuffer = buf;
    srb->SenseInfoBuffer = sense;
    srb->NextSrb = NULL;
    srb->OriginalRequest = NULL;
    srb->SrbExtension = NULL;
    srb->QueueSortKey = 0;
    r->lu = lu;
}
/* scan.c */
void sp_scan_adapter(struct sp_adapter *ad);
/* apilog.c; errlog_add's default keeps nothing, errlog.c's a ring for `errlog` */
const char *sp_error_name(ULONG code);
void errlog_add(const struct sp_adapter *ad, UCHAR path, UCHAR target, UCHAR lun,
                ULONG code, ULONG unique);

#endif
