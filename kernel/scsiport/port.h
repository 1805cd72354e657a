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
 * Request memory: requests come from one port-owned pool, so an SRB
 * pointer handed back by a miniport is validated with a range check.
 */
#ifndef SCSIPORT_PORT_H
#define SCSIPORT_PORT_H

#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "types.h"

#define SP_MAX_ADAPTERS     8
#define SP_MAX_ACCESS_RANGES 16
#define SP_MAX_REQUESTS     512     /* pool of requests, all adapters */
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
    uint8_t user_sense_len;
    uint8_t state;                  /* REQ_* */
    uint8_t busy_retries;
    bool port_sense;                /* this is the port's own REQUEST SENSE */
    bool timed_out;                 /* past its deadline; completes as TIMEOUT */
    uint16_t slot;                  /* index in the adapter's active table */
    uint16_t pool_index;
    uint32_t ticks_left;            /* timeout: SP_TICK_MS ticks to go, while active */
    uint64_t not_before_us;         /* BUSY retry delay, while queued */
    struct scsi_request *sense_for; /* port sense: the request it serves */
};

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

/* core.c */
struct sp_adapter *sp_adapter_from_ext(PVOID HwDeviceExtension, const char *who);
/* who NULL: no log line (the caller reports the refusal itself). */
struct scsi_request *sp_req_from_srb(struct sp_adapter *ad, PSCSI_REQUEST_BLOCK srb,
                                     const char *who);
struct sp_lu *sp_lu_find(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun);
struct sp_lu *sp_lu_get(struct sp_adapter *ad, unsigned path, unsigned target, unsigned lun);
void sp_lu_forget(struct sp_lu *lu);
void lu_enqueue_tail(struct sp_lu *lu, struct scsi_request *r);
void lu_enqueue_head(struct sp_lu *lu, struct scsi_request *r);
struct scsi_request *lu_dequeue(struct sp_lu *lu);
void sp_dpc(struct sp_adapter *ad, uint64_t now);
void sp_start_next(struct sp_adapter *ad);
bool sp_start_direct(struct sp_adapter *ad, struct scsi_request *r);
void sp_complete_now(struct scsi_request *req, UCHAR status);
void sp_core_init(void);
void sp_reset_bus(struct sp_adapter *ad, ULONG path, const char *why);

/* Has ad deferred work at now?  (What sp_dpc would find; the poll loop asks first.) */
static inline bool sp_dpc_due(const struct sp_adapter *ad, uint64_t now)
{
    return ad->dpc_pending || ad->enable_cb || now >= ad->next_due_us ||
           (ad->nqueued && ad->next_request);
}

/* intr.c: interrupt connection and polling */
void sp_connect_interrupt(struct sp_adapter *ad);
void sp_poll_adapter(struct sp_adapter *ad);

/* scan.c */
void sp_scan_adapter(struct sp_adapter *ad);

#endif
