/*
 * `scsi bench [seq|rand|write] [qd] [size] [total]`: MB/s and IOPS of the
 * current device.
 *
 *   seq     sequential reads       defaults: QD 1, 128 KiB, 512 MiB
 *   rand    random reads           defaults: QD 1, 4 KiB, 32 MiB (8192 I/Os)
 *   write   sequential writes      defaults: QD 1, 128 KiB, 512 MiB
 *           (it overwrites the device)
 *   no argument: seq, then rand at QD 1 and at QD 32
 *
 * Sizes are decimal with an optional k, m or g (KiB, MiB, GiB), or hex
 * with 0x.  A sequential job longer than the device wraps to block 0.
 *
 * QD 1 goes through disk_rw(), exactly as `scsi read` does.  A deeper
 * queue goes through the port's asynchronous API: qd requests are kept in
 * flight, each resubmitted as soon as its completion has been seen.  Random
 * blocks come from a fixed-seed generator, so every run reads the same ones.
 *
 * For the host-side counters (tools/bench): the job's I/O loop, and only
 * it, is bracketed by port 0x80 writes (0xa5 before, 0x5a after), which
 * QEMU's memory_region_ops trace events show, and by the marker
 * instructions of bench_mark_begin/end(), which the TCG plugin counts
 * guest instructions between.
 */
#include "scsibench.h"
#include "shell.h"
#include "console.h"
#include "string.h"
#include "parse.h"
#include "disk.h"
#include "scsiport.h"
#include "heap.h"
#include "time.h"
#include "io.h"

#define BENCH_MAX_QD        64
#define BENCH_MAX_SIZE      (4u << 20)
#define BENCH_TIMEOUT_S     30          /* per request, as the disk layer's */
#define BENCH_STALL_US      ((BENCH_TIMEOUT_S + 30) * 1000000ull)
#define BENCH_LOOK_EVERY    128         /* I/Os between two looks for Ctrl-C */
#define BENCH_IDLE_LOOK     256         /* idle rounds between two clock reads */
#define BENCH_SEED          0x2545F491u     /* xorshift32: any non-zero start */
#define PORT_POST           0x80        /* POST-code port: the trace markers */
#define MARK_BEGIN          0xa5
#define MARK_END            0x5a

enum bench_kind { BENCH_SEQ, BENCH_RAND, BENCH_WRITE };

static const char *const kind_name[] = { "seq read", "rand read", "seq write" };

struct bench_slot;

/* One job: what to do and how far it got. */
struct bench_job {
    struct disk *d;
    enum bench_kind kind;
    uint32_t qd;
    uint32_t size;                  /* bytes per I/O */
    uint32_t bpi;                   /* blocks per I/O */
    uint32_t slots;                 /* I/O-sized slots on the device */
    uint64_t ios;                   /* I/Os to do */
    uint64_t issued, done;
    uint64_t next_look;             /* done count of the next Ctrl-C look */
    uint32_t rng;                   /* xorshift32 state (rand) */
    uint32_t seq_slot;              /* next slot (seq, write) */
    bool stop;                      /* Ctrl-C or an error */
    bool failed;
    bool interrupted;
    struct bench_slot *free;        /* async: slots not in flight */
};

/* Async: one request in flight, its buffer and sense. */
struct bench_slot {
    struct bench_job *job;
    struct scsi_request *req;
    uint8_t *buf;
    uint64_t lba;
    struct bench_slot *next_free;
    uint8_t sense[SP_SENSE_SLOT];
};

/* "sd0: bench: " and the rest of a line about the job; false, for the caller to return. */
static bool __attribute__((noinline, cold)) __printf(2, 3)
job_error(const struct bench_job *j, const char *fmt, ...)
{
    va_list ap;

    printf("%s: bench: ", j->d->name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return false;
}

/* ---- arguments ------------------------------------------------------------ */

/* Decimal with an optional k/m/g suffix, or hex with 0x. */
static bool __attribute__((cold)) parse_size(const char *s, uint64_t *out)
{
    static const char units[] = "kmg";          /* KiB, MiB, GiB */
    char num[24];
    size_t n = strlen(s);
    unsigned shift = 0;
    const char *unit;
    uint64_t v;

    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_u64(s, 16, out);
    if (n == 0 || n >= sizeof(num))
        return false;
    unit = strchr(units, s[n - 1] | 0x20);          /* | 0x20: either case */
    if (unit) {
        shift = 10 * (unsigned)(unit - units + 1);
        n--;
    }
    memcpy(num, s, n);
    num[n] = '\0';
    if (!parse_u64(num, 10, &v) || v > (UINT64_MAX >> shift))
        return false;
    *out = v << shift;
    return true;
}

/* The kind's word, in enum bench_kind's order. */
static bool __attribute__((cold)) parse_kind(const char *s, enum bench_kind *k)
{
    for (unsigned i = BENCH_SEQ; i <= BENCH_WRITE; i++) {
        if (!strcmp(s, nth_string("seq\0rand\0write", i))) {
            *k = (enum bench_kind)i;
            return true;
        }
    }
    return false;
}

/* The job's shape from the words after the kind; false after one line. */
static bool __attribute__((noinline, cold)) parse_shape(int argc, char **argv, struct bench_job *j,
                                                        uint64_t *total)
{
    uint64_t v;

    if (argc > 0) {
        if (!parse_size(argv[0], &v) || v < 1 || v > BENCH_MAX_QD) {
            printf("scsi bench: queue depth '%s': want 1 to %u\n", argv[0], BENCH_MAX_QD);
            return false;
        }
        j->qd = (uint32_t)v;
    }
    if (argc > 1) {
        if (!parse_size(argv[1], &v) || v == 0 || v > BENCH_MAX_SIZE) {
            printf("scsi bench: size '%s': want 1 block to %u KiB\n", argv[1],
                   BENCH_MAX_SIZE >> 10);
            return false;
        }
        j->size = (uint32_t)v;
    }
    if (argc > 2 && !parse_size(argv[2], total)) {
        printf("scsi bench: total '%s' is not a size (e.g. 512m)\n", argv[2]);
        return false;
    }
    return true;
}

/* The device can take this job; false after one line. */
static bool __attribute__((noinline, cold)) check_job(struct bench_job *j, uint64_t total)
{
    struct disk *d = j->d;

    if (!d->block || !d->medium)
        return job_error(j, "%s\n", d->block ? "no medium" : "not a block device");
    if (j->kind == BENCH_WRITE && d->type == READ_ONLY_DIRECT_ACCESS_DEVICE)
        return job_error(j, "read-only device\n");
    if (j->size % d->block_size)
        return job_error(j, "size %u is not a whole number of %u-byte blocks\n",
                         (unsigned)j->size, (unsigned)d->block_size);
    if (j->size / d->block_size > d->blocks)
        return job_error(j, "size %u is larger than the device\n", (unsigned)j->size);
    if (j->qd > 1 && j->size > d->max_bytes)
        return job_error(j, "%u KiB per request is over the adapter's limit of %u KiB at QD > 1\n",
                         (unsigned)(j->size >> 10), (unsigned)(d->max_bytes >> 10));
    if (total < j->size)
        return job_error(j, "total %llu is less than one I/O of %u bytes\n",
                         (unsigned long long)total, (unsigned)j->size);
    j->bpi = j->size / d->block_size;
    j->slots = (uint32_t)MIN(d->blocks / j->bpi, (uint64_t)UINT32_MAX);
    j->ios = total / j->size;
    return true;
}

/* ---- the I/O pattern -------------------------------------------------------- */

/* The next I/O's first block: a random slot (Marsaglia's xorshift32), or the next one. */
static inline __attribute__((always_inline)) uint64_t next_lba(struct bench_job *j)
{
    uint32_t slot;

    j->issued++;
    if (j->kind == BENCH_RAND) {
        j->rng ^= j->rng << 13;
        j->rng ^= j->rng >> 17;
        j->rng ^= j->rng << 5;
        slot = j->rng % j->slots;
    } else {
        slot = j->seq_slot;
        if (++j->seq_slot == j->slots)
            j->seq_slot = 0;
    }
    return (uint64_t)slot * j->bpi;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* READ/WRITE(10), or (16) where the disk layer would use it, straight into the SRB. */
static void build_cdb(const struct bench_job *j, uint64_t lba, PSCSI_REQUEST_BLOCK srb)
{
    bool wr = j->kind == BENCH_WRITE;
    uint8_t *cdb = srb->Cdb;

    __builtin_memset(cdb, 0, sizeof(srb->Cdb));     /* four stores, inline */
    if (j->d->use16 || lba + j->bpi > 0xFFFFFFFFull) {
        cdb[0] = wr ? SCSIOP_WRITE16 : SCSIOP_READ16;
        put_be32(cdb + 2, (uint32_t)(lba >> 32));
        put_be32(cdb + 6, (uint32_t)lba);
        put_be32(cdb + 10, j->bpi);
        srb->CdbLength = 16;
    } else {
        cdb[0] = wr ? SCSIOP_WRITE : SCSIOP_READ;
        put_be32(cdb + 2, (uint32_t)lba);
        cdb[7] = (uint8_t)(j->bpi >> 8);
        cdb[8] = (uint8_t)j->bpi;
        srb->CdbLength = 10;
    }
}

/* Every BENCH_LOOK_EVERY I/Os: a Ctrl-C stops the job. */
static void look_for_interrupt(struct bench_job *j)
{
    if (j->done < j->next_look)
        return;
    j->next_look = j->done + BENCH_LOOK_EVERY;
    if (console_interrupted()) {
        j->interrupted = true;
        j->stop = true;
    }
}

/* ---- QD 1: the disk layer, as `scsi read` ------------------------------------ */

static void run_sync(struct bench_job *j, uint8_t *buf)
{
    enum disk_op op = j->kind == BENCH_WRITE ? DISK_WRITE : DISK_READ;

    while (j->issued < j->ios && !j->stop) {
        if (disk_rw(j->d, op, next_lba(j), j->bpi, buf, NULL, NULL) != 0) {
            j->failed = j->stop = true;         /* disk_rw said why */
            break;
        }
        j->done++;
        look_for_interrupt(j);
    }
}

/* ---- QD > 1: the port's asynchronous API --------------------------------------- */

static void __attribute__((noinline, cold)) report_error(const struct bench_slot *s)
{
    const SCSI_REQUEST_BLOCK *srb = &s->req->srb;
    struct sense_info si;
    char text[96];

    if ((srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID) &&
        sense_parse(s->sense, srb->SenseInfoBufferLength, &si))
        sense_format(text, sizeof(text), &si);
    else
        snprintf(text, sizeof(text), "SRB status %02x", SRB_STATUS(srb->SrbStatus));
    job_error(s->job, "%s lba %llu: %s\n", s->job->kind == BENCH_WRITE ? "write" : "read",
              (unsigned long long)s->lba, text);
}

/* Completion, from the port's deferred work: the slot is free again. */
static void slot_done(struct scsi_request *r)
{
    struct bench_slot *s = r->ctx;
    struct bench_job *j = s->job;

    j->done++;
    if (SRB_STATUS(r->srb.SrbStatus) != SRB_STATUS_SUCCESS && !j->failed) {
        report_error(s);
        j->failed = j->stop = true;
    }
    s->next_free = j->free;
    j->free = s;
}

static void slot_submit(struct bench_job *j, struct bench_slot *s)
{
    uint32_t dir = j->kind == BENCH_WRITE ? SRB_FLAGS_DATA_OUT : SRB_FLAGS_DATA_IN;
    struct scsi_request *r = s->req;

    s->lba = next_lba(j);
    scsi_req_fill(r, j->d->lu, 0, s->buf, j->size,
                  dir | SRB_FLAGS_QUEUE_ACTION_ENABLE | SRB_FLAGS_NO_QUEUE_FREEZE,
                  BENCH_TIMEOUT_S, s->sense, sizeof(s->sense));
    build_cdb(j, s->lba, &r->srb);
    r->srb.QueueSortKey = (ULONG)s->lba;
    scsi_submit(r, slot_done, s);
}

/* No completion for BENCH_STALL_US: the port's own timeouts did not fire. */
static bool __attribute__((noinline, cold)) stalled(struct bench_job *j, uint64_t *last_done,
                                                    uint64_t *since_us)
{
    uint64_t now = time_us();

    if (j->done != *last_done) {
        *last_done = j->done;
        *since_us = now;
        return false;
    }
    if (now - *since_us < BENCH_STALL_US)
        return false;
    job_error(j, "no completion for %u s with %llu requests in flight; giving up\n",
              (unsigned)(BENCH_STALL_US / 1000000), (unsigned long long)(j->issued - j->done));
    return true;
}

/* Keep qd requests in flight until all are issued and back; false if stuck. */
static bool run_async(struct bench_job *j)
{
    uint64_t last_done = 0, since_us = time_us();
    uint32_t idle = 0;

    for (;;) {
        while (j->free && j->issued < j->ios && !j->stop) {
            struct bench_slot *s = j->free;
            j->free = s->next_free;
            slot_submit(j, s);
        }
        if (j->done == j->issued)
            return true;
        uint64_t seen = j->done;
        scsi_poll();
        if (j->done != seen) {
            look_for_interrupt(j);
            continue;
        }
        if (++idle % BENCH_IDLE_LOOK == 0 && stalled(j, &last_done, &since_us))
            return false;
        scsi_wait_event();
    }
}

/*
 * After a stall the requests still out may complete later: their slots (and
 * buffers) are left allocated and report to a job that outlives this one.
 */
static void __attribute__((noinline, cold)) orphan_slots(struct bench_slot *slots, uint32_t n)
{
    static struct bench_job orphans = { .stop = true, .failed = true };

    for (uint32_t i = 0; i < n; i++)
        slots[i].job = &orphans;
}

static void __attribute__((noinline, cold)) free_slots(struct bench_slot *slots, uint32_t n,
                                                       uint32_t size)
{
    for (uint32_t i = 0; i < n; i++) {
        if (slots[i].req)
            scsi_req_free(slots[i].req);
        if (slots[i].buf)
            dma_free(slots[i].buf, size);
    }
    kfree(slots);
}

static struct bench_slot *__attribute__((noinline, cold)) alloc_slots(struct bench_job *j)
{
    struct bench_slot *slots = kzalloc(j->qd * sizeof(*slots));

    if (!slots)
        return NULL;
    for (uint32_t i = 0; i < j->qd; i++) {
        slots[i].job = j;
        slots[i].req = scsi_req_alloc();
        slots[i].buf = dma_alloc(j->size);
        if (!slots[i].req || !slots[i].buf) {
            free_slots(slots, j->qd, j->size);
            return NULL;
        }
        slots[i].next_free = j->free;
        j->free = &slots[i];
    }
    return slots;
}

/* ---- one job --------------------------------------------------------------------- */

static void __attribute__((noinline, cold)) print_result(const struct bench_job *j, uint64_t us,
                                                         uint32_t irqs)
{
    uint64_t bytes = j->done * j->size;
    uint64_t mbs10 = us ? bytes * 10 / us : 0;         /* 10^6 B/s, x10 */
    uint64_t iops = us ? j->done * 1000000 / us : 0;
    uint64_t irq100 = j->done ? (uint64_t)irqs * 100 / j->done : 0;

    bool kib = j->size % 1024 == 0;

    printf("%s: %s, %u %s, QD %u: %llu I/Os in %llu.%03llu ms: %llu.%llu MB/s, %llu IOPS, "
           "%llu.%02llu interrupts/I/O%s\n", j->d->name, kind_name[j->kind],
           (unsigned)(kib ? j->size >> 10 : j->size), kib ? "KiB" : "B", (unsigned)j->qd,
           (unsigned long long)j->done, us / 1000, us % 1000, mbs10 / 10, mbs10 % 10, iops,
           irq100 / 100, irq100 % 100, j->interrupted ? " (interrupted)" : "");
}

/* The measured part: the I/O loop between the markers, and nothing else. */
static bool measure(struct bench_job *j, uint8_t *buf, uint64_t *us, uint32_t *irqs)
{
    struct sp_adapter *ad = j->d->lu->ad;
    uint32_t irq0 = ad->interrupts;
    uint64_t t0, t1;
    bool ok = true;

    outb(PORT_POST, MARK_BEGIN);
    bench_mark_begin();
    t0 = time_us();
    if (buf)
        run_sync(j, buf);
    else
        ok = run_async(j);
    t1 = time_us();
    bench_mark_end();
    outb(PORT_POST, MARK_END);
    *us = t1 - t0;
    *irqs = ad->interrupts - irq0;
    return ok;
}

static int run_job(struct bench_job *j)
{
    struct bench_slot *slots = NULL;
    uint8_t *buf = NULL;
    uint32_t irqs;
    uint64_t us;

    if (j->qd == 1)
        buf = dma_alloc(j->size);
    else
        slots = alloc_slots(j);
    if (!buf && !slots) {
        job_error(j, "no memory or requests for %u x %u bytes in flight\n", (unsigned)j->qd,
                  (unsigned)j->size);
        return CMD_FAIL;
    }
    console_interrupted();                      /* forget an old ^C */
    j->rng = BENCH_SEED;
    j->next_look = BENCH_LOOK_EVERY;
    if (!measure(j, buf, &us, &irqs)) {
        orphan_slots(slots, j->qd);             /* requests still out: keep their memory */
        return CMD_FAIL;
    }
    if (buf)
        dma_free(buf, j->size);
    else
        free_slots(slots, j->qd, j->size);
    if (j->failed)
        return CMD_FAIL;
    print_result(j, us, irqs);
    return j->interrupted ? CMD_FAIL : CMD_OK;
}

static int bench_one(struct disk *d, enum bench_kind kind, int argc, char **argv)
{
    struct bench_job j = { .d = d, .kind = kind, .qd = 1 };
    uint64_t total;

    j.size = kind == BENCH_RAND ? 4096 : 128 * 1024;
    total = kind == BENCH_RAND ? 32ull << 20 : 512ull << 20;
    if (!parse_shape(argc, argv, &j, &total) || !check_job(&j, total))
        return CMD_FAIL;
    return run_job(&j);
}

int scsi_bench(struct disk *d, int argc, char **argv)
{
    static char *qd32[] = { "32" };
    enum bench_kind kind;
    int rc;

    if (argc == 0) {
        rc = bench_one(d, BENCH_SEQ, 0, NULL);
        if (rc == CMD_OK)
            rc = bench_one(d, BENCH_RAND, 0, NULL);
        if (rc == CMD_OK)
            rc = bench_one(d, BENCH_RAND, 1, qd32);
        return rc;
    }
    if (argc > 4)
        return CMD_USAGE;
    if (!parse_kind(argv[0], &kind)) {
        printf("scsi bench: '%s' is not seq, rand or write\n", argv[0]);
        return CMD_FAIL;
    }
    return bench_one(d, kind, argc - 1, argv + 1);
}
