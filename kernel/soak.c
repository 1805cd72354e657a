/*
 * `soak SECONDS SEED QD [phase=S] [reset=S] [t=S] [cap=D:Q ...]`: mixed
 * random reads and writes on every prepared disk at once, through the
 * port's asynchronous API, for SECONDS; then what was done, in a form the
 * host replays (tools/soak.py) to check every block of the image files
 * itself.
 * Numbers are decimal (0x for hex).
 *
 * A prepared disk holds a soak record in every block (the host writes
 * generation 0 into the image before the boot); block 0's record names the
 * disk (its id).  Disks without one are left alone.
 *
 * What is done, so that the host can replay it:
 *   - each disk's first min(blocks, SOAK_MAX_AREA) blocks are cut into
 *     SOAK_LANES lanes of equal contiguous ranges (what is left past the
 *     last lane is never touched);
 *   - a lane has at most one operation in flight, so its operations happen
 *     in order; operation n of a lane (n = 1, 2, ...) comes from the lane's
 *     own generator (splitmix64, seeded from SEED, the disk id and the lane):
 *     read or write, 1 to 8 KiB worth of blocks, a start in the lane;
 *   - a write puts a record in each of its blocks: magic, disk id,
 *     generation n, LBA, block size, the CRC-32 of those, then a fill
 *     computed from them (struct soak_rec, rec_fill);
 *   - queue depth per disk: phases of PHASE seconds (default 5) cycle
 *     through QD 1, 4 and QD; a disk with room takes the next idle lane in
 *     round-robin order.  cap=D:Q holds disk id D to at most Q at a time
 *     (tools/soak.py caps the disks it injects faults into: see there).
 * A failed attempt (bus reset, UNIT ATTENTION, a CHECK CONDITION whose sense
 * was lost, timeout, a device error) is retried, up to SOAK_TRIES attempts; an operation that still fails is
 * reported, and a write that failed leaves the old or the new record.
 * Reads are checked against a table of what each block may hold, but the
 * host, reading the image files, is the judge.
 *
 * Every RESET seconds (default 0: never) one adapter's bus is reset, the
 * adapters in turn, alternately through the port's own bus reset (what a
 * timeout does: HwResetBus) and through an SRB_FUNCTION_RESET_BUS request.
 * t=S is each request's TimeOutValue (default 10).
 *
 * Lines for the host (DISK is the disk id, LANE 0-31, OP the lane's count):
 *   soak: disk DISK: sdN (ahci0 0:1:0), B blocks of S bytes, 32 lanes of N blocks,
 *         1-M blocks an operation
 *   soak: dDISK: at most Q requests at a time         (a cap= for it)
 *   soak: phase N: QD Q
 *   soak: reset N: ahci0 by HwResetBus
 *   soak: dDISK lane LANE op OP: write lba A+N: MEDIUM ERROR: ... (try T)
 *   soak: dDISK lane LANE op OP: write lba A+N: failed after T tries
 *   soak: MISMATCH dDISK lane LANE op OP: lba A: ...
 *   soak: dDISK ops: N0 N1 ... N31          operations finished per lane
 *   soak: total: ...
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "parse.h"
#include "heap.h"
#include "crc32.h"
#include "disk.h"
#include "sense.h"
#include "scsiport.h"
#include "time.h"

#define SOAK_LANES          32              /* per disk; also the deepest queue */
#define SOAK_MAX_DISKS      8
#define SOAK_MAX_ADAPTERS   8
#define SOAK_MAX_AREA       (1u << 20)      /* blocks per disk (the table is 8 B a block) */
#define SOAK_MIN_LANE       64              /* blocks per lane, at least */
#define SOAK_MAX_BYTES      8192            /* per operation */
#define SOAK_WRITE_SHARE    128             /* of 256: half the operations write */
#define SOAK_TRIES          8               /* attempts per operation */
#define SOAK_PHASE_S        5
#define SOAK_TIMEOUT_S      10
#define SOAK_REPORT_S       10              /* a progress line */
#define SOAK_MISMATCH_LINES 32
#define SOAK_FIXED_ARGS     4               /* soak SECONDS SEED QD */
#define SOAK_MAGIC          "SOAKBLK1"
#define SOAK_FILL_STEP      0x9E3779B9u
#define SOAK_POISON         0xA5            /* a read buffer, before the read */

/* The head of every block a soak writes (and the host pre-fills). */
struct soak_rec {
    char magic[8];
    uint32_t disk;
    uint32_t gen;                   /* the lane's operation number; 0: the host's */
    uint32_t lba_lo, lba_hi;
    uint32_t size;                  /* block size */
    uint32_t crc;                   /* CRC-32 of the bytes before it */
} __packed;
_Static_assert(sizeof(struct soak_rec) == 32, "soak record");

/* What a block may hold: generation gen, or up to hi after a failed write. */
struct soak_blk {
    uint32_t gen;
    uint32_t hi;                    /* 0: gen exactly */
};

enum soak_kind { K_OK, K_RESET, K_UA, K_NOSENSE, K_TIMEOUT, K_BUSY, K_DEVICE, K_OTHER, K_KINDS };

static const char *const kind_name[K_KINDS] = {
    "ok", "reset", "unit attention", "sense lost", "timeout", "busy", "device", "other",
};

struct soak;
struct soak_disk;

/* One lane: its generator, its count, and its operation in flight. */
struct soak_lane {
    struct soak_disk *sd;
    uint32_t index;
    uint64_t rng;                   /* splitmix64 state */
    uint32_t ops;                   /* operations finished (ok or failed) */
    bool busy;                      /* an operation is out */
    volatile bool done;             /* its current attempt has come back */
    bool write;
    bool retried;                   /* an attempt of this operation failed */
    bool troubled;                  /* ... with a device error (reported) */
    bool lost;                      /* never came back */
    uint32_t op;                    /* its number: ops + 1 */
    uint64_t lba;
    uint32_t blocks;
    uint32_t tries;
    struct scsi_request *r;
    uint8_t *buf;
    uint8_t sense[SP_SENSE_SLOT];
};

struct soak_count {
    uint32_t reads, writes;
    uint64_t blocks;
    uint32_t kind[K_KINDS];         /* failed attempts by kind */
    uint32_t recovered;             /* operations that failed an attempt, then worked */
    uint32_t failed, failed_writes, mismatches, lost;
};

struct soak_disk {
    struct soak *s;
    struct disk *d;
    uint32_t id;
    uint32_t bs;
    uint32_t lane_blocks;
    uint32_t max_blocks;            /* per operation */
    struct soak_blk *tab;           /* SOAK_LANES * lane_blocks */
    uint32_t in_flight;
    uint32_t qd_cap;                /* at most this many out, whatever the phase */
    uint32_t cursor;                /* next lane to consider */
    struct soak_count n;
    struct soak_lane lane[SOAK_LANES];
};

/* An adapter that has soak disks: resets go to it. */
struct soak_adapter {
    struct sp_adapter *ad;
    struct sp_lu *lu;               /* addressed by the reset request */
    uint32_t resets0, timeouts0;    /* the port's counters at the start */
};

/* cap=D:Q from the command line. */
struct soak_cap {
    uint32_t id, qd;
};

struct soak {
    uint32_t seconds, seed, qd_max, phase_s, reset_s, timeout_s;
    struct soak_cap cap[SOAK_MAX_DISKS];
    int ncaps;
    struct soak_disk *disk[SOAK_MAX_DISKS];
    int ndisks;
    struct soak_adapter adapter[SOAK_MAX_ADAPTERS];
    int nadapters;
    uint32_t qd, phase, resets;
    uint64_t end_ms, next_phase_ms, next_reset_ms, next_report_ms, last_progress_ms;
    uint64_t stall_ms;
    struct scsi_request *reset_req;
    volatile bool reset_done;
    volatile uint32_t completions;  /* callbacks since the last look */
    uint32_t in_flight;             /* lanes busy + the reset request */
    uint32_t mismatch_lines;
    bool stopping;
};

static bool soak_poisoned;          /* requests of a stalled run are still out */

/* ---- records ---------------------------------------------------------------------- */

static uint32_t rec_key(uint32_t disk, uint64_t lba, uint32_t gen)
{
    uint32_t x = disk * 0x9E3779B1u ^ (uint32_t)lba * 0x85EBCA77u ^
                 (uint32_t)(lba >> 32) * 0x27D4EB2Fu ^ gen * 0xC2B2AE3Du;

    x ^= x >> 15;
    x *= 0x2C1B3C6Du;
    x ^= x >> 12;
    x *= 0x297A2D39u;
    x ^= x >> 15;
    return x;
}

static void rec_fill(uint8_t *blk, uint32_t size, uint32_t disk, uint64_t lba, uint32_t gen)
{
    struct soak_rec *r = (struct soak_rec *)blk;
    uint32_t *w = (uint32_t *)(blk + sizeof(*r));
    uint32_t v = rec_key(disk, lba, gen);

    memcpy(r->magic, SOAK_MAGIC, 8);
    r->disk = disk;
    r->gen = gen;
    r->lba_lo = (uint32_t)lba;
    r->lba_hi = (uint32_t)(lba >> 32);
    r->size = size;
    r->crc = crc32(0, r, offsetof(struct soak_rec, crc));
    for (uint32_t i = 0; i < (size - sizeof(*r)) / 4; i++, v += SOAK_FILL_STEP)
        w[i] = v;
}

/* NULL if blk is disk's record for lba (its generation in *gen), else what is wrong. */
static const char *rec_check(const uint8_t *blk, uint32_t size, uint32_t disk, uint64_t lba,
                             uint32_t *gen)
{
    const struct soak_rec *r = (const struct soak_rec *)blk;
    const uint32_t *w = (const uint32_t *)(blk + sizeof(*r));
    uint32_t v;

    if (memcmp(r->magic, SOAK_MAGIC, 8))
        return "no soak record";
    if (r->crc != crc32(0, r, offsetof(struct soak_rec, crc)))
        return "record CRC wrong";
    if (r->disk != disk || r->size != size)
        return "record of another disk";
    if (r->lba_lo != (uint32_t)lba || r->lba_hi != (uint32_t)(lba >> 32))
        return "record of another block";
    v = rec_key(disk, lba, r->gen);
    for (uint32_t i = 0; i < (size - sizeof(*r)) / 4; i++, v += SOAK_FILL_STEP)
        if (w[i] != v)
            return "fill wrong";
    *gen = r->gen;
    return NULL;
}

/* ---- the lanes' operations --------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Operation number ops + 1 of lane l: read or write, where, how long. */
static void lane_draw(struct soak_lane *l)
{
    struct soak_disk *sd = l->sd;
    uint64_t r = splitmix64(&l->rng);
    uint32_t lo = (uint32_t)r, hi = (uint32_t)(r >> 32);

    l->op = l->ops + 1;
    l->write = (lo & 0xFF) < SOAK_WRITE_SHARE;
    l->blocks = 1 + (lo >> 8) % sd->max_blocks;
    l->lba = (uint64_t)l->index * sd->lane_blocks + hi % (sd->lane_blocks - l->blocks + 1);
    l->tries = 0;
    l->retried = l->troubled = false;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* READ/WRITE(10), or (16) where the disk layer would use it. */
static unsigned build_cdb(const struct soak_lane *l, uint8_t *cdb)
{
    memset(cdb, 0, 16);
    if (l->sd->d->use16 || l->lba + l->blocks > 0xFFFFFFFFull) {
        cdb[0] = l->write ? SCSIOP_WRITE16 : SCSIOP_READ16;
        put_be32(cdb + 2, (uint32_t)(l->lba >> 32));
        put_be32(cdb + 6, (uint32_t)l->lba);
        put_be32(cdb + 10, l->blocks);
        return 16;
    }
    cdb[0] = l->write ? SCSIOP_WRITE : SCSIOP_READ;
    put_be32(cdb + 2, (uint32_t)l->lba);
    cdb[7] = (uint8_t)(l->blocks >> 8);
    cdb[8] = (uint8_t)l->blocks;
    return 10;
}

/* Completion, from the port's deferred work (or at once from scsi_submit). */
static void lane_done(struct scsi_request *r)
{
    struct soak_lane *l = r->ctx;

    l->done = true;
    l->sd->s->completions++;
}

/* One attempt of the lane's current operation. */
static void lane_submit(struct soak *s, struct soak_lane *l)
{
    struct soak_disk *sd = l->sd;
    uint32_t dir = l->write ? SRB_FLAGS_DATA_OUT : SRB_FLAGS_DATA_IN;
    uint8_t cdb[16];
    unsigned len;

    l->done = false;
    l->tries++;
    if (sd->d->gone || !sd->d->lu) {
        l->r->srb.SrbStatus = SRB_STATUS_NO_DEVICE;
        l->done = true;
        return;
    }
    if (!l->write)
        memset(l->buf, SOAK_POISON, l->blocks * sd->bs);    /* a read that moves nothing shows */
    len = build_cdb(l, cdb);
    scsi_req_cdb(l->r, sd->d->lu, cdb, len, l->buf, l->blocks * sd->bs,
                 dir | SRB_FLAGS_QUEUE_ACTION_ENABLE | SRB_FLAGS_NO_QUEUE_FREEZE, s->timeout_s);
    l->r->srb.SenseInfoBuffer = l->sense;
    l->r->srb.SenseInfoBufferLength = sizeof(l->sense);
    l->r->srb.QueueSortKey = (ULONG)l->lba;
    scsi_submit(l->r, lane_done, l);
}

static void lane_start(struct soak *s, struct soak_lane *l)
{
    struct soak_disk *sd = l->sd;

    lane_draw(l);
    if (l->write)
        for (uint32_t i = 0; i < l->blocks; i++)
            rec_fill(l->buf + i * sd->bs, sd->bs, sd->id, l->lba + i, l->op);
    l->busy = true;
    sd->in_flight++;
    s->in_flight++;
    lane_submit(s, l);
}

/* ---- completions ------------------------------------------------------------------- */

static enum soak_kind classify(const struct soak_lane *l, struct sense_info *si)
{
    const SCSI_REQUEST_BLOCK *srb = &l->r->srb;
    UCHAR st = SRB_STATUS(srb->SrbStatus);

    if (st == SRB_STATUS_SUCCESS)
        return srb->DataTransferLength == l->blocks * l->sd->bs ? K_OK : K_OTHER;
    if (st == SRB_STATUS_BUS_RESET || st == SRB_STATUS_ABORTED ||
        st == SRB_STATUS_REQUEST_FLUSHED)
        return K_RESET;
    if (st == SRB_STATUS_TIMEOUT || st == SRB_STATUS_COMMAND_TIMEOUT)
        return K_TIMEOUT;
    if (st == SRB_STATUS_BUSY || (st == SRB_STATUS_ERROR &&
                                  (srb->ScsiStatus == SCSISTAT_BUSY ||
                                   srb->ScsiStatus == SCSISTAT_QUEUE_FULL)))
        return K_BUSY;
    if (st == SRB_STATUS_ERROR && (srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID) &&
        sense_parse(l->sense, srb->SenseInfoBufferLength, si)) {
        /*
         * CHECK CONDITION whose sense says nothing: the sense was gone by the
         * time REQUEST SENSE came (QEMU's scsi-disk drops it when another
         * tagged command to the LU completes first, typically a UNIT
         * ATTENTION after a reset).  Nothing was done; try again.
         */
        if (si->key == SCSI_SENSE_NO_SENSE && !si->asc && !si->ascq)
            return K_NOSENSE;
        return si->key == SCSI_SENSE_UNIT_ATTENTION ? K_UA : K_DEVICE;
    }
    return K_OTHER;
}

static void lane_say(const struct soak_lane *l, const char *what)
{
    console_fresh_line();
    printf("soak: d%u lane %u op %u: %s lba %llu+%u: %s\n", l->sd->id, l->index, l->op,
           l->write ? "write" : "read", (unsigned long long)l->lba, l->blocks, what);
}

/* A failed attempt worth a line: the device's error, or something unexpected. */
static void report_attempt(const struct soak_lane *l, enum soak_kind k,
                           const struct sense_info *si)
{
    const SCSI_REQUEST_BLOCK *srb = &l->r->srb;
    char text[112];
    int n;

    if (k == K_DEVICE)
        n = sense_format(text, sizeof(text), si);
    else if (SRB_STATUS(srb->SrbStatus) == SRB_STATUS_SUCCESS)
        n = snprintf(text, sizeof(text), "short transfer: %u bytes",
                     (unsigned)srb->DataTransferLength);
    else
        n = snprintf(text, sizeof(text), "SRB status %02x, SCSI status %02x",
                     SRB_STATUS(srb->SrbStatus), srb->ScsiStatus);
    snprintf(text + n, sizeof(text) - (size_t)n, " (try %u)", l->tries);
    lane_say(l, text);
}

static void mismatch(struct soak *s, const struct soak_lane *l, uint64_t lba, const char *why,
                     const struct soak_blk *b)
{
    l->sd->n.mismatches++;
    if (s->mismatch_lines++ >= SOAK_MISMATCH_LINES)
        return;
    console_fresh_line();
    printf("soak: MISMATCH d%u lane %u op %u: lba %llu: %s (expected generation %u",
           l->sd->id, l->index, l->op, (unsigned long long)lba, why, b->gen);
    if (b->hi)
        printf(" to %u", b->hi);
    printf(")\n");
}

/* A read came back: every block must hold one of the records it may hold. */
static void check_read(struct soak *s, const struct soak_lane *l)
{
    struct soak_disk *sd = l->sd;
    char why[48];

    for (uint32_t i = 0; i < l->blocks; i++) {
        uint64_t lba = l->lba + i;
        const struct soak_blk *b = &sd->tab[lba];
        uint32_t gen;
        const char *bad = rec_check(l->buf + i * sd->bs, sd->bs, sd->id, lba, &gen);
        if (!bad && gen != b->gen && !(b->hi && gen > b->gen && gen <= b->hi)) {
            snprintf(why, sizeof(why), "holds generation %u", gen);
            bad = why;
        }
        if (bad)
            mismatch(s, l, lba, bad, b);
    }
}

/* What the lane's blocks hold now that its write has ended (ok or not). */
static void note_write(const struct soak_lane *l, bool ok)
{
    for (uint32_t i = 0; i < l->blocks; i++) {
        struct soak_blk *b = &l->sd->tab[l->lba + i];
        if (ok) {
            b->gen = l->op;
            b->hi = 0;
        } else {
            b->hi = l->op;
        }
    }
}

static void lane_finish(struct soak *s, struct soak_lane *l)
{
    l->busy = false;
    l->ops++;
    l->sd->in_flight--;
    s->in_flight--;
}

static void lane_success(struct soak *s, struct soak_lane *l)
{
    struct soak_count *n = &l->sd->n;

    if (l->write) {
        note_write(l, true);
        n->writes++;
    } else {
        check_read(s, l);
        n->reads++;
    }
    n->blocks += l->blocks;
    n->recovered += l->retried;
    if (l->troubled)
        lane_say(l, "recovered");
    lane_finish(s, l);
}

static void lane_failed(struct soak *s, struct soak_lane *l)
{
    char text[40];

    snprintf(text, sizeof(text), "failed after %u tries", l->tries);
    lane_say(l, text);
    l->sd->n.failed++;
    if (l->write) {
        note_write(l, false);
        l->sd->n.failed_writes++;
    }
    lane_finish(s, l);
}

/* The lane's attempt is back: done, tried again, or given up. */
static void lane_reap(struct soak *s, struct soak_lane *l)
{
    struct sense_info si;
    enum soak_kind k = classify(l, &si);

    if (k == K_OK) {
        lane_success(s, l);
        return;
    }
    l->sd->n.kind[k]++;
    l->retried = true;
    if (k == K_DEVICE || k == K_OTHER) {
        report_attempt(l, k, &si);
        l->troubled = true;
    }
    if (l->tries < SOAK_TRIES)
        lane_submit(s, l);
    else
        lane_failed(s, l);
}

/* ---- resets -------------------------------------------------------------------------- */

static void reset_done(struct scsi_request *r)
{
    struct soak *s = r->ctx;

    s->reset_done = true;
    s->completions++;
}

static void reset_by_srb(struct soak *s, struct soak_adapter *a)
{
    struct scsi_request *r = scsi_req_alloc();

    if (!r) {
        printf("soak: out of request blocks for the reset\n");
        return;
    }
    r->srb.Function = SRB_FUNCTION_RESET_BUS;
    r->srb.PathId = a->lu->path;
    r->srb.TargetId = a->lu->target;
    r->srb.Lun = a->lu->lun;
    r->srb.TimeOutValue = s->timeout_s;
    r->srb.SrbFlags = SRB_FLAGS_NO_QUEUE_FREEZE;
    r->lu = a->lu;
    s->reset_req = r;
    s->reset_done = false;
    s->in_flight++;
    scsi_submit(r, reset_done, s);
}

static void reset_reap(struct soak *s)
{
    UCHAR st = SRB_STATUS(s->reset_req->srb.SrbStatus);

    if (st != SRB_STATUS_SUCCESS)
        printf("soak: the reset request ended with SRB status %02x\n", st);
    scsi_req_free(s->reset_req);
    s->reset_req = NULL;
    s->in_flight--;
}

/* Every reset_s seconds: the next adapter, by HwResetBus or by request, in turn. */
static void reset_step(struct soak *s, uint64_t now)
{
    struct soak_adapter *a;
    bool by_srb;

    if (!s->reset_s || s->stopping || now < s->next_reset_ms || s->reset_req)
        return;
    s->next_reset_ms = now + s->reset_s * 1000ull;
    a = &s->adapter[s->resets % (uint32_t)s->nadapters];
    by_srb = (s->resets / (uint32_t)s->nadapters) % 2;
    s->resets++;
    console_fresh_line();
    printf("soak: reset %u: %s by %s\n", s->resets, a->ad->name,
           by_srb ? "SRB_FUNCTION_RESET_BUS" : "HwResetBus");
    if (by_srb)
        reset_by_srb(s, a);
    else
        sp_reset_bus(a->ad, a->lu->path, "soak");
}

/* ---- the run --------------------------------------------------------------------------- */

static uint32_t phase_qd(const struct soak *s, uint32_t phase)
{
    uint32_t list[3], n = 0;

    list[n++] = 1;
    if (s->qd_max > 4)
        list[n++] = 4;
    if (s->qd_max > 1)
        list[n++] = s->qd_max;
    return list[phase % n];
}

static void print_progress(struct soak *s, uint64_t now, uint64_t start)
{
    uint32_t ios = 0, errs = 0;

    for (int i = 0; i < s->ndisks; i++) {
        const struct soak_count *n = &s->disk[i]->n;
        ios += n->reads + n->writes + n->failed;
        for (int k = 1; k < K_KINDS; k++)
            errs += n->kind[k];
    }
    printf("soak: %u s: %u I/Os, %u failed attempts, %u resets\n",
           (unsigned)((now - start) / 1000), ios, errs, s->resets);
}

/* Phases, resets, progress lines, the end. */
static void schedule(struct soak *s, uint64_t now, uint64_t start)
{
    if (!s->stopping && (now >= s->end_ms || console_interrupted())) {
        s->stopping = true;
        console_fresh_line();
        printf("soak: stopping after %u s; %u requests to finish\n",
               (unsigned)((now - start) / 1000), s->in_flight);
        return;
    }
    if (!s->stopping && now >= s->next_phase_ms) {
        s->qd = phase_qd(s, s->phase++);
        s->next_phase_ms = now + s->phase_s * 1000ull;
        console_fresh_line();
        printf("soak: phase %u: QD %u\n", s->phase, s->qd);
    }
    if (now >= s->next_report_ms) {
        s->next_report_ms = now + SOAK_REPORT_S * 1000u;
        print_progress(s, now, start);
    }
    reset_step(s, now);
}

/* Take in whatever came back; true if anything did. */
static bool reap_all(struct soak *s)
{
    bool any = false;

    s->completions = 0;
    for (int i = 0; i < s->ndisks; i++) {
        struct soak_disk *sd = s->disk[i];
        for (uint32_t k = 0; k < SOAK_LANES; k++) {
            struct soak_lane *l = &sd->lane[k];
            if (l->busy && l->done && !l->lost) {
                lane_reap(s, l);
                any = true;
            }
        }
    }
    if (s->reset_req && s->reset_done) {
        reset_reap(s);
        any = true;
    }
    return any;
}

/* Fill every disk up to the phase's queue depth, idle lanes in turn. */
static void issue_all(struct soak *s)
{
    for (int i = 0; i < s->ndisks; i++) {
        struct soak_disk *sd = s->disk[i];
        uint32_t qd = MIN(s->qd, sd->qd_cap);
        for (uint32_t n = 0; n < SOAK_LANES && sd->in_flight < qd; n++) {
            struct soak_lane *l = &sd->lane[sd->cursor];
            sd->cursor = (sd->cursor + 1) % SOAK_LANES;
            if (!l->busy)
                lane_start(s, l);
        }
    }
}

/* Nothing came back for stall_ms: the port lost requests.  They stay out. */
static bool stalled(struct soak *s, uint64_t now)
{
    if (!s->in_flight || now - s->last_progress_ms < s->stall_ms)
        return false;
    console_fresh_line();
    printf("soak: no completion for %u s with %u requests out; giving up on them\n",
           (unsigned)(s->stall_ms / 1000), s->in_flight);
    for (int i = 0; i < s->ndisks; i++) {
        for (uint32_t k = 0; k < SOAK_LANES; k++) {
            struct soak_lane *l = &s->disk[i]->lane[k];
            char text[48];
            if (!l->busy || l->done)
                continue;
            snprintf(text, sizeof(text), "lost (try %u, request state %u)", l->tries,
                     l->r->state);
            lane_say(l, text);
            l->lost = true;
            l->sd->n.lost++;
        }
    }
    if (s->reset_req && !s->reset_done)
        printf("soak: LOST: the reset request (state %u)\n", s->reset_req->state);
    soak_poisoned = true;
    return true;
}

static void soak_run(struct soak *s)
{
    uint64_t start = time_ms(), now;

    s->end_ms = start + s->seconds * 1000ull;
    s->next_phase_ms = start;
    s->next_report_ms = start + SOAK_REPORT_S * 1000u;
    s->next_reset_ms = start + s->reset_s * 1000ull;
    s->last_progress_ms = start;
    for (;;) {
        now = time_ms();
        schedule(s, now, start);
        if (reap_all(s))
            s->last_progress_ms = now;
        if (!s->stopping)
            issue_all(s);
        if ((s->stopping && !s->in_flight) || stalled(s, now))
            break;
        scsi_poll();
        if (!s->completions)
            scsi_wait_event();
    }
}

/* ---- the report -------------------------------------------------------------------------- */

static void add_counts(struct soak_count *t, const struct soak_count *n)
{
    t->reads += n->reads;
    t->writes += n->writes;
    t->blocks += n->blocks;
    for (int k = 0; k < K_KINDS; k++)
        t->kind[k] += n->kind[k];
    t->recovered += n->recovered;
    t->failed += n->failed;
    t->failed_writes += n->failed_writes;
    t->mismatches += n->mismatches;
    t->lost += n->lost;
}

static void report_disk(const struct soak_disk *sd)
{
    const struct soak_count *n = &sd->n;

    printf("soak: d%u ops:", sd->id);
    for (uint32_t k = 0; k < SOAK_LANES; k++)
        printf(" %u", sd->lane[k].ops);
    printf("\nsoak: d%u: %u reads, %u writes, %llu blocks, %u recovered, %u failed "
           "(%u writes), %u mismatches, %u lost\n", sd->id, n->reads, n->writes,
           (unsigned long long)n->blocks, n->recovered, n->failed, n->failed_writes,
           n->mismatches, n->lost);
}

static void report_total(const struct soak *s, const struct soak_count *t)
{
    uint32_t errs = 0;

    for (int k = 1; k < K_KINDS; k++)
        errs += t->kind[k];
    printf("soak: total: %u I/Os (%u reads, %u writes, %llu KiB), %u failed attempts (",
           t->reads + t->writes + t->failed, t->reads, t->writes,
           (unsigned long long)(t->blocks * s->disk[0]->bs / 1024), errs);
    for (int k = 1; k < K_KINDS; k++)
        printf("%s%s %u", k > 1 ? ", " : "", kind_name[k], t->kind[k]);
    printf("), %u recovered, %u failed (%u writes), %u resets, %u mismatches, %u lost\n",
           t->recovered, t->failed, t->failed_writes, s->resets, t->mismatches, t->lost);
    for (int i = 0; i < s->nadapters; i++) {
        const struct soak_adapter *a = &s->adapter[i];
        printf("soak: %s: %u bus resets by the port, %u timeouts\n", a->ad->name,
               a->ad->resets - a->resets0, a->ad->timeouts - a->timeouts0);
    }
}

static int soak_report(const struct soak *s)
{
    struct soak_count t;

    memset(&t, 0, sizeof(t));
    for (int i = 0; i < s->ndisks; i++) {
        report_disk(s->disk[i]);
        add_counts(&t, &s->disk[i]->n);
    }
    report_total(s, &t);
    if (t.mismatches || t.lost) {
        printf("soak: FAIL: %u mismatches, %u requests lost\n", t.mismatches, t.lost);
        return CMD_FAIL;
    }
    printf("soak: done\n");
    return CMD_OK;
}

/* ---- setting up ------------------------------------------------------------------------ */

/* The disk's id from the soak record in its block 0; false if it has none. */
static bool read_id(struct disk *d, uint32_t *id)
{
    const struct soak_rec *r;
    uint8_t *blk = dma_alloc(d->block_size);
    bool ok;

    if (!blk)
        return false;
    ok = disk_rw(d, DISK_READ, 0, 1, blk, NULL, NULL) == 0;
    r = (const struct soak_rec *)blk;
    *id = r->disk;
    ok = ok && !memcmp(r->magic, SOAK_MAGIC, 8) &&
         r->crc == crc32(0, r, offsetof(struct soak_rec, crc)) && r->size == d->block_size &&
         r->lba_lo == 0 && r->lba_hi == 0;
    dma_free(blk, d->block_size);
    return ok;
}

static void free_disk(struct soak_disk *sd)
{
    for (uint32_t k = 0; k < SOAK_LANES; k++) {
        if (sd->lane[k].r)
            scsi_req_free(sd->lane[k].r);
        if (sd->lane[k].buf)
            dma_free(sd->lane[k].buf, SOAK_MAX_BYTES);
    }
    kfree(sd->tab);
    kfree(sd);
}

static bool init_lanes(struct soak *s, struct soak_disk *sd)
{
    for (uint32_t k = 0; k < SOAK_LANES; k++) {
        struct soak_lane *l = &sd->lane[k];
        l->sd = sd;
        l->index = k;
        l->rng = ((uint64_t)s->seed << 32) ^ ((uint64_t)sd->id << 8) ^ k;
        l->r = scsi_req_alloc();
        l->buf = dma_alloc(SOAK_MAX_BYTES);
        if (!l->r || !l->buf)
            return false;
    }
    return true;
}

/* Shape and memory for one prepared disk; NULL after a line saying why. */
static struct soak_disk *new_disk(struct soak *s, struct disk *d, uint32_t id)
{
    uint64_t area = MIN(d->blocks, (uint64_t)SOAK_MAX_AREA);
    struct soak_disk *sd = kzalloc(sizeof(*sd));

    if (!sd || area / SOAK_LANES < SOAK_MIN_LANE || d->block_size > SOAK_MAX_BYTES ||
        d->block_size < 512 || d->block_size % 4) {
        printf("soak: %s: %s\n", d->name, sd ? "too small, or odd blocks" : "no memory");
        kfree(sd);
        return NULL;
    }
    sd->s = s;
    sd->d = d;
    sd->id = id;
    sd->bs = d->block_size;
    sd->lane_blocks = (uint32_t)(area / SOAK_LANES);
    sd->qd_cap = SOAK_LANES;
    for (int i = 0; i < s->ncaps; i++)
        if (s->cap[i].id == id)
            sd->qd_cap = s->cap[i].qd;
    sd->max_blocks = MAX(1u, MIN(SOAK_MAX_BYTES, d->max_bytes) / sd->bs);
    if (d->one_page)
        sd->max_blocks = MAX(1u, MIN(sd->max_blocks, 4096 / sd->bs));
    sd->tab = kzalloc(sizeof(*sd->tab) * SOAK_LANES * sd->lane_blocks);
    if (!sd->tab || !init_lanes(s, sd)) {
        printf("soak: %s: no memory or request blocks for %u lanes\n", d->name, SOAK_LANES);
        free_disk(sd);
        return NULL;
    }
    return sd;
}

static bool add_adapter(struct soak *s, struct sp_lu *lu)
{
    for (int i = 0; i < s->nadapters; i++)
        if (s->adapter[i].ad == lu->ad)
            return true;
    if (s->nadapters == SOAK_MAX_ADAPTERS)
        return false;
    s->adapter[s->nadapters++] = (struct soak_adapter){ lu->ad, lu, lu->ad->resets,
                                                        lu->ad->timeouts };
    return true;
}

static bool id_taken(const struct soak *s, uint32_t id)
{
    for (int i = 0; i < s->ndisks; i++)
        if (s->disk[i]->id == id)
            return true;
    return false;
}

/* Every disk with a soak record in block 0; false after a line saying why. */
static bool find_disks(struct soak *s)
{
    for (int i = 0; i < disk_count() && s->ndisks < SOAK_MAX_DISKS; i++) {
        struct disk *d = disk_get(i);
        struct soak_disk *sd;
        uint32_t id;
        if (!d || !d->medium || d->type != DIRECT_ACCESS_DEVICE || !read_id(d, &id))
            continue;
        if (id_taken(s, id)) {
            printf("soak: %s: disk id %u is on two disks\n", d->name, id);
            return false;
        }
        if (!(sd = new_disk(s, d, id)) || !add_adapter(s, d->lu))
            return false;
        s->disk[s->ndisks++] = sd;
        printf("soak: disk %u: %s (%s %u:%u:%u), %llu blocks of %u bytes, %u lanes of %u "
               "blocks, 1-%u blocks an operation\n", id, d->name, d->lu->ad->name, d->lu->path,
               d->lu->target, d->lu->lun, (unsigned long long)d->blocks, sd->bs, SOAK_LANES,
               sd->lane_blocks, sd->max_blocks);
        if (sd->qd_cap < SOAK_LANES)
            printf("soak: d%u: at most %u requests at a time\n", id, sd->qd_cap);
    }
    if (!s->ndisks)
        printf("soak: no disk holds soak records (tools/soak.py prepares images)\n");
    return s->ndisks > 0;
}

/* cap=D:Q: disk id D never has more than Q (1-32) out; false if malformed. */
static bool parse_cap(struct soak *s, const char *a)
{
    char id[12];
    const char *colon = strchr(a, ':');
    size_t n = colon ? (size_t)(colon - a) : 0;
    struct soak_cap c;

    if (!colon || !n || n >= sizeof(id) || s->ncaps == SOAK_MAX_DISKS)
        return false;
    memcpy(id, a, n);
    id[n] = 0;
    if (!parse_u32(id, 10, &c.id) || !parse_u32(colon + 1, 10, &c.qd) || !c.qd ||
        c.qd > SOAK_LANES)
        return false;
    s->cap[s->ncaps++] = c;
    return true;
}

/* SECONDS SEED QD [phase=S] [reset=S] [t=S] [cap=D:Q ...]; false after a line saying why. */
static bool parse_args(struct soak *s, int argc, char **argv)
{
    s->phase_s = SOAK_PHASE_S;
    s->timeout_s = SOAK_TIMEOUT_S;
    if (!parse_u32(argv[1], 10, &s->seconds) || !s->seconds || s->seconds > 1000000 ||
        !parse_u32(argv[2], 10, &s->seed) ||
        !parse_u32(argv[3], 10, &s->qd_max) || !s->qd_max || s->qd_max > SOAK_LANES) {
        printf("soak: want seconds (1-1000000), a seed, and a queue depth 1-%u\n", SOAK_LANES);
        return false;
    }
    for (int i = SOAK_FIXED_ARGS; i < argc; i++) {
        const char *a = argv[i];
        uint32_t *v;
        if (!strncmp(a, "cap=", 4)) {
            if (parse_cap(s, a + 4))
                continue;
            printf("soak: '%s': want cap=D:Q (disk id D, at most Q requests, 1-%u; up to %u)\n",
                   a, SOAK_LANES, SOAK_MAX_DISKS);
            return false;
        }
        v = !strncmp(a, "phase=", 6) ? &s->phase_s :
                      !strncmp(a, "reset=", 6) ? &s->reset_s :
                      !strncmp(a, "t=", 2) ? &s->timeout_s : NULL;
        if (!v || !parse_u32(strchr(a, '=') + 1, 10, v) || *v > 3600 ||
            (v != &s->reset_s && !*v)) {
            printf("soak: '%s': want phase=S, reset=S or t=S (seconds, 1-3600; reset=0: none)\n",
                   a);
            return false;
        }
    }
    s->stall_ms = (3ull * s->timeout_s + 15) * 1000;
    return true;
}

static int do_soak(int argc, char **argv)
{
    static struct soak s;
    int rc;

    if (argc < SOAK_FIXED_ARGS)
        return CMD_USAGE;
    if (soak_poisoned) {
        printf("soak: requests of an earlier soak are still out; reset the machine first\n");
        return CMD_FAIL;
    }
    memset(&s, 0, sizeof(s));
    if (!parse_args(&s, argc, argv))
        return CMD_FAIL;
    if (!find_disks(&s)) {
        for (int i = 0; i < s.ndisks; i++)
            free_disk(s.disk[i]);
        return CMD_FAIL;
    }
    printf("soak: %u s, seed %u, QD up to %u, phases of %u s, resets every %u s, "
           "timeout %u s\n", s.seconds, s.seed, s.qd_max, s.phase_s, s.reset_s, s.timeout_s);
    soak_run(&s);
    rc = soak_report(&s);
    if (!soak_poisoned)
        for (int i = 0; i < s.ndisks; i++)
            free_disk(s.disk[i]);
    return rc;
}
SHELL_COMMAND(soak, do_soak, "seconds seed qd [phase=s] [reset=s] [t=s] [cap=d:q ...]",
              "random reads and writes on every soak-prepared disk; the host verifies");
