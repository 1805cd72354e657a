/* Block devices over the port driver (see disk.h). */
#include "disk.h"
#include "scsiport.h"
#include "console.h"
#include "string.h"
#include "heap.h"
#include "time.h"
#include "cmdline.h"

#define DISK_TIMEOUT_S      30
#define DISK_RETRIES        3
#define NOT_READY_WAIT_MS   500
#define NOT_READY_TRIES     60      /* 30 s for "becoming ready" */
#define BOUNCE_BYTES        (256u * 1024)
#define PAGE                4096u

static struct disk *disks[DISK_MAX];   /* allocated as devices are found */
static int ndisks;
static int nnamed[3];                /* devices named cdN, sdN, devN so far */
static uint8_t *bounce;             /* one DMA-able bounce buffer */

static uint32_t rw_timeout(void);

/* Peripheral device types 00h-0Eh; "" where we have no name. */
const char *__attribute__((cold)) disk_type_name(uint8_t type)
{
    const char *name = "";

    if (type <= REDUCED_BLOCK_DEVICE)
        name = nth_string("Hard Disk\0Tape\0Printer\0Processor\0WORM\0CD-ROM\0\0"  /* 00-06 */
                          "Optical Device\0Medium Changer\0\0\0\0"                  /* 07-0b */
                          "RAID Controller\0\0Simplified Direct-Access", type);    /* 0c-0e */
    return *name ? name : "Unknown";
}

/* SRB status codes 00h-26h by name; "" where we have none. */
static const char *srb_status_name(UCHAR st)
{
    const char *name = "";

    st = SRB_STATUS(st);
    if (st <= SRB_STATUS_INSUFFICIENT_RESOURCES)
        name = nth_string("\0SUCCESS\0ABORTED\0\0ERROR\0BUSY\0INVALID_REQUEST\0"    /* 00-06 */
                          "INVALID_PATH_ID\0NO_DEVICE\0TIMEOUT\0SELECTION_TIMEOUT\0"  /* 07-0a */
                          "COMMAND_TIMEOUT\0\0\0BUS_RESET\0PARITY_ERROR\0"            /* 0b-0f */
                          "REQUEST_SENSE_FAILED\0NO_HBA\0DATA_OVERRUN\0"               /* 10-12 */
                          "UNEXPECTED_BUS_FREE\0PHASE_SEQUENCE_FAILURE\0\0"            /* 13-15 */
                          "REQUEST_FLUSHED\0\0\0\0\0\0\0\0\0\0"                  /* 16-1f */
                          "INVALID_LUN\0INVALID_TARGET_ID\0BAD_FUNCTION\0"             /* 20-22 */
                          "ERROR_RECOVERY\0\0\0INSUFFICIENT_RESOURCES", st);          /* 23-26 */
    return *name ? name : "unknown";
}

/* ---- one command, with retries ------------------------------------------------ */

enum verdict { V_OK, V_RETRY, V_WAIT_RETRY, V_FAIL };

static bool is_rw(uint8_t op)
{
    return op == SCSIOP_READ || op == SCSIOP_WRITE || op == SCSIOP_READ16 ||
           op == SCSIOP_WRITE16 || op == SCSIOP_READ6 || op == SCSIOP_WRITE6 ||
           op == SCSIOP_READ12 || op == SCSIOP_WRITE12;
}

static bool is_flush(uint8_t op)
{
    return op == SCSIOP_SYNCHRONIZE_CACHE || op == SCSIOP_SYNCHRONIZE_CACHE16;
}

/*
 * What to do with a finished command.  An underrun (DATA_OVERRUN with a
 * shorter DataTransferLength, NT's convention) is fine for commands that
 * return "up to" an allocation length, never for a block transfer.
 */
static enum verdict judge(struct disk *d, const SCSI_REQUEST_BLOCK *srb, const uint8_t *sense,
                          uint32_t asked)
{
    UCHAR st = SRB_STATUS(srb->SrbStatus);

    d->last_sense_valid = false;
    if (st == SRB_STATUS_SUCCESS)
        return V_OK;
    if (st == SRB_STATUS_DATA_OVERRUN && srb->DataTransferLength < asked && !is_rw(srb->Cdb[0]))
        return V_OK;
    if (srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID)
        d->last_sense_valid = sense_parse(sense, srb->SenseInfoBufferLength, &d->last_sense);
    if (st == SRB_STATUS_BUS_RESET || st == SRB_STATUS_TIMEOUT ||
        st == SRB_STATUS_COMMAND_TIMEOUT || st == SRB_STATUS_UNEXPECTED_BUS_FREE ||
        st == SRB_STATUS_PARITY_ERROR || st == SRB_STATUS_PHASE_SEQUENCE_FAILURE)
        return V_RETRY;
    if (st != SRB_STATUS_ERROR || !d->last_sense_valid)
        return V_FAIL;
    switch (d->last_sense.key) {
    case SCSI_SENSE_RECOVERED_ERROR:
        return V_OK;
    case SCSI_SENSE_UNIT_ATTENTION:
        return V_RETRY;
    case SCSI_SENSE_ABORTED_COMMAND:
        /*
         * Not for a cache flush: a device goes on past the blocks it could
         * not write (ACS-3 FLUSH CACHE), so a second flush that succeeds
         * proves nothing about the first; the caller must hear it failed.
         */
        return is_flush(srb->Cdb[0]) ? V_FAIL : V_RETRY;
    case SCSI_SENSE_NO_SENSE:
        /* CHECK CONDITION with no sense at all: the sense was lost (a
           target without autosense clears it when another command ends). */
        return d->last_sense.asc == 0 && d->last_sense.ascq == 0 && !is_flush(srb->Cdb[0]) ?
               V_RETRY : V_FAIL;
    case SCSI_SENSE_NOT_READY:
        return d->last_sense.asc == 0x04 && d->last_sense.ascq == 0x01 ? V_WAIT_RETRY : V_FAIL;
    default:
        return V_FAIL;
    }
}

static void report(struct disk *d, const char *what, uint64_t lba, const SCSI_REQUEST_BLOCK *srb)
{
    char text[96];

    d->errors++;
    console_fresh_line();
    if (d->last_sense_valid) {
        if (d->last_sense.info_valid && (!strcmp(what, "read") || !strcmp(what, "write") ||
                                         !strcmp(what, "verify")))
            lba = d->last_sense.info;           /* the block that failed */
        sense_format(text, sizeof(text), &d->last_sense);
        printf("%s: %s lba %llu: %s\n", d->name, what, (unsigned long long)lba, text);
    } else {
        printf("%s: %s lba %llu: SRB status %s (%02x)%s\n", d->name, what,
               (unsigned long long)lba, srb_status_name(srb->SrbStatus),
               SRB_STATUS(srb->SrbStatus),
               srb->ScsiStatus ? ", target status set" : "");
    }
}

/*
 * The request for one command: the disk's own, so that a synchronous
 * command costs no allocation, or - when that one is out (a rescan run
 * from another command's wait reaches this disk) - one from the pool.
 */
static struct scsi_request *cmd_req_get(struct disk *d)
{
    if (!d->req)
        d->req = scsi_req_alloc();
    if (d->req && !d->req_busy) {
        d->req_busy = true;
        return d->req;
    }
    return scsi_req_alloc();
}

static void cmd_req_put(struct disk *d, struct scsi_request *r)
{
    if (r == d->req)
        d->req_busy = false;
    else
        scsi_req_free(r);
}

/* One command as disk_command's arguments give it; the CDB is 16 bytes, unused ones zero. */
struct cmd {
    uint8_t cdb[16];
    unsigned cdb_len;
    void *buf;
    uint32_t len;
    uint32_t flags;                 /* SrbFlags, with DISK_QUIET */
    uint32_t timeout_s;
    const char *what;
    uint64_t lba;
};

/* One try of c, with the sense buffer the port copies autosense into. */
static void __attribute__((noinline)) cmd_try(struct disk *d, struct scsi_request *r,
                                              const struct cmd *c, uint8_t *sense)
{
    scsi_req_fill(r, d->lu, c->cdb_len, c->buf, c->len,
                  (c->flags & ~DISK_QUIET) | SRB_FLAGS_NO_QUEUE_FREEZE, c->timeout_s,
                  sense, SP_SENSE_SLOT);
    __builtin_memcpy(r->srb.Cdb, c->cdb, sizeof(r->srb.Cdb));     /* four moves, inline */
    r->srb.QueueSortKey = (ULONG)c->lba;
    scsi_exec(r);
}

/* After the first try: the verdict, retries where they help, one line if it failed. */
static int __attribute__((noinline, cold)) cmd_finish(struct disk *d, struct scsi_request *r,
                                                      const struct cmd *c, uint8_t *sense)
{
    int retries = 0, waits = 0;
    enum verdict v;

    for (;;) {
        v = judge(d, &r->srb, sense, c->len);
        if (v == V_RETRY && retries++ < DISK_RETRIES) {
            cmd_try(d, r, c, sense);
            continue;
        }
        if (v == V_WAIT_RETRY && waits++ < NOT_READY_TRIES) {
            stall(NOT_READY_WAIT_MS * 1000);
            cmd_try(d, r, c, sense);
            continue;
        }
        break;
    }
    if (v != V_OK && !(c->flags & DISK_QUIET))
        report(d, c->what, c->lba, &r->srb);
    cmd_req_put(d, r);
    return v == V_OK ? 0 : -1;
}

static int cmd_run(struct disk *d, const struct cmd *c)
{
    uint8_t sense[SP_SENSE_SLOT];
    struct scsi_request *r;

    if (d->gone) {
        printf("%s: %s: device is gone\n", d->name, c->what);
        return -1;
    }
    r = cmd_req_get(d);
    if (!r) {
        printf("%s: %s: out of request blocks\n", d->name, c->what);
        return -1;
    }
    cmd_try(d, r, c, sense);
    return cmd_finish(d, r, c, sense);
}

int __attribute__((cold)) disk_command(struct disk *d, const uint8_t *cdb, unsigned cdb_len,
                                       void *buf, uint32_t len, uint32_t flags, uint32_t timeout_s,
                                       const char *what, uint64_t lba)
{
    struct cmd c = { .cdb_len = cdb_len, .buf = buf, .len = len, .flags = flags,
                     .timeout_s = timeout_s, .what = what, .lba = lba };

    memcpy(c.cdb, cdb, MIN(cdb_len, sizeof(c.cdb)));
    return cmd_run(d, &c);
}

/*
 * Which transfers may take disk_rw's short path: a medium of known size,
 * the device still there, and for a write one that takes writes.  Kept up
 * to date wherever one of those changes.
 */
static void fast_ops_update(struct disk *d)
{
    d->fast_ops = 0;
    if (!d->block || !d->medium || d->gone)
        return;
    d->fast_ops = 1u << DISK_READ;
    if (d->type != READ_ONLY_DIRECT_ACCESS_DEVICE)
        d->fast_ops |= 1u << DISK_WRITE;
}

/* ---- capacity ------------------------------------------------------------------ */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, (uint32_t)(v >> 32));
    put_be32(p + 4, (uint32_t)v);
}

int __attribute__((cold)) disk_read_capacity(struct disk *d)
{
    uint8_t cdb10[10] = { SCSIOP_READ_CAPACITY };
    uint8_t cdb16[16] = { SCSIOP_SERVICE_ACTION_IN16, SERVICE_ACTION_READ_CAPACITY16 };
    uint8_t tur[6] = { SCSIOP_TEST_UNIT_READY };
    uint8_t *buf = dma_alloc(PAGE);
    uint64_t last;
    uint32_t bs;
    int rc = -1;

    if (!buf)
        return -1;
    d->medium = false;
    fast_ops_update(d);
    if (disk_command(d, tur, 6, NULL, 0, 0, 10, "test unit ready", 0) < 0 && d->type == READ_ONLY_DIRECT_ACCESS_DEVICE)
        goto out;                       /* a CD without a disc */
    if (disk_command(d, cdb10, 10, buf, 8, SRB_FLAGS_DATA_IN, 10, "read capacity", 0) < 0)
        goto out;
    last = be32(buf);
    bs = be32(buf + 4);
    d->use16 = false;
    if (last == 0xFFFFFFFFu) {
        put_be32(cdb16 + 10, 32);
        if (disk_command(d, cdb16, 16, buf, 32, SRB_FLAGS_DATA_IN, 10, "read capacity(16)", 0) < 0)
            goto out;
        last = be64(buf);
        bs = be32(buf + 8);
        d->use16 = true;
    }
    if (bs == 0 || (bs & (bs - 1)) || bs > 65536) {
        printf("%s: read capacity: block size %u is not usable\n", d->name, (unsigned)bs);
        goto out;
    }
    d->block_size = bs;
    d->block_shift = (uint8_t)__builtin_ctz(bs);
    d->blocks = last + 1;
    d->max_blocks = MAX(d->max_bytes / bs, 1u);
    d->medium = true;
    fast_ops_update(d);
    rc = 0;
out:
    dma_free(buf, PAGE);
    return rc;
}

/*
 * Does the device cache writes (MODE SENSE caching page, WCE)?  Only then is
 * SYNCHRONIZE CACHE sent before power-off; a device without the page is
 * taken to have no write cache, as NT's disk driver took it.
 */
static bool caching_wce(struct disk *d)
{
    uint8_t cdb[6] = { SCSIOP_MODE_SENSE, 0x08, MODE_PAGE_CACHING, 0, 0x20, 0 };
    uint8_t *buf = dma_alloc(PAGE);
    bool wce = false;

    if (!buf)
        return true;                    /* cannot ask: flush to be safe */
    if (disk_command(d, cdb, 6, buf, 0x20, SRB_FLAGS_DATA_IN | DISK_QUIET, 10,
                     "mode sense", 0) == 0) {
        const uint8_t *page = buf + 4 + buf[3];     /* header, block descriptors */
        if (buf[3] + 4u + 3 <= 0x20u && (page[0] & 0x3F) == MODE_PAGE_CACHING)
            wce = page[2] & 0x04;
    }
    dma_free(buf, PAGE);
    return wce;
}

/* ---- attach / detach ------------------------------------------------------------- */

static void copy_field(char *dst, const UCHAR *src, int n)
{
    int end = n;

    while (end > 0 && (src[end - 1] == ' ' || src[end - 1] == 0))
        end--;
    for (int i = 0; i < end; i++)
        dst[i] = (src[i] >= 0x20 && src[i] < 0x7F) ? (char)src[i] : '?';
    dst[end] = '\0';
}

/* The adapter's limits, as NT's class drivers read them from IO_SCSI_CAPABILITIES. */
static void limits(struct disk *d)
{
    struct sp_adapter *ad = d->lu->ad;
    ULONG mtl = ad->cfg.MaximumTransferLength, nopb = ad->cfg.NumberOfPhysicalBreaks;
    uint32_t max = mtl == SP_UNINITIALIZED_VALUE || mtl == 0 ? 8u << 20 : mtl;

    d->one_page = false;
    if (nopb != SP_UNINITIALIZED_VALUE) {
        if (nopb >= 2)
            max = MIN(max, (nopb - 1) * PAGE);
        else {
            max = MIN(max, PAGE);
            d->one_page = true;
        }
    }
    max = MIN(max, 8u << 20);
    d->align_mask = ad->cfg.AlignmentMask;
    d->max_bytes = max;
}

static bool is_block_type(uint8_t t)
{
    return t == DIRECT_ACCESS_DEVICE || t == READ_ONLY_DIRECT_ACCESS_DEVICE ||
           t == OPTICAL_DEVICE || t == REDUCED_BLOCK_DEVICE || t == WRITE_ONCE_READ_MULTIPLE_DEVICE;
}

/* cd0, cd1, ... for CD-ROMs; sd0, ... for other block devices; dev0, ... for the rest. */
static void name_disk(struct disk *d)
{
    int kind = d->type == READ_ONLY_DIRECT_ACCESS_DEVICE ? 0 : d->block ? 1 : 2;

    snprintf(d->name, sizeof(d->name), "%s%d", nth_string("cd\0sd\0dev", (unsigned)kind),
             nnamed[kind]++);
}

void __attribute__((cold)) disk_attach(struct sp_lu *lu)
{
    struct disk *d = lu->disk;

    if (!d) {
        if (ndisks == DISK_MAX) {
            pr_err("disk", "more than %d devices; %u:%u:%u not attached", DISK_MAX,
                   lu->path, lu->target, lu->lun);
            return;
        }
        d = kzalloc(sizeof(*d));
        if (!d) {
            pr_err("disk", "out of memory for device %u:%u:%u; not attached",
                   lu->path, lu->target, lu->lun);
            return;
        }
        d->index = ndisks;
        disks[ndisks++] = d;
        d->lu = lu;
        lu->disk = d;
        d->type = lu->inquiry.DeviceType;
        d->block = is_block_type(d->type);
        name_disk(d);
    }
    d->gone = false;
    d->removable = lu->inquiry.RemovableMedia;
    copy_field(d->vendor, lu->inquiry.VendorId, 8);
    copy_field(d->product, lu->inquiry.ProductId, 16);
    copy_field(d->revision, lu->inquiry.ProductRevisionLevel, 4);
    limits(d);
    d->timeout_s = rw_timeout();        /* read disk.timeout= now, before the report */
    fast_ops_update(d);
    if (d->block)
        disk_read_capacity(d);
    d->write_cache = d->type == DIRECT_ACCESS_DEVICE && d->medium && caching_wce(d);
}

void __attribute__((cold)) disk_detach(struct sp_lu *lu)
{
    struct disk *d = lu->disk;

    if (!d)
        return;
    d->gone = true;
    fast_ops_update(d);
    d->lu = NULL;
    lu->disk = NULL;
    pr_info(d->name, "device removed");
}

int disk_count(void)
{
    return ndisks;
}

struct disk *disk_get(int index)
{
    return index >= 0 && index < ndisks && !disks[index]->gone ? disks[index] : NULL;
}

/* ---- transfers -------------------------------------------------------------------- */

static const char *const op_name[] = { "read", "write", "verify" };

/* READ/WRITE/VERIFY(10), or (16) past 2^32 blocks or 0xFFFF per command; c->cdb is zero. */
static void build_rw(const struct disk *d, enum disk_op op, uint64_t lba, uint32_t n,
                            struct cmd *c)
{
    static const uint8_t op10[] = { SCSIOP_READ, SCSIOP_WRITE, SCSIOP_VERIFY };
    static const uint8_t op16[] = { SCSIOP_READ16, SCSIOP_WRITE16, SCSIOP_VERIFY16 };
    uint8_t *cdb = c->cdb;

    if (d->use16 || lba + n > 0xFFFFFFFFull || n > 0xFFFF) {
        cdb[0] = op16[op];
        put_be64(cdb + 2, lba);
        put_be32(cdb + 10, n);
        c->cdb_len = 16;
    } else {
        cdb[0] = op10[op];
        put_be32(cdb + 2, (uint32_t)lba);
        cdb[7] = (uint8_t)(n >> 8);
        cdb[8] = (uint8_t)n;
        c->cdb_len = 10;
    }
}

/* The command for n blocks at lba, from or into io (bytes of them; 0 for a verify). */
static void __attribute__((noinline)) rw_cmd(const struct disk *d, enum disk_op op,
                                             uint64_t lba, uint32_t n, void *io, uint32_t bytes,
                                             struct cmd *c)
{
    static const uint32_t dir[] = { SRB_FLAGS_DATA_IN, SRB_FLAGS_DATA_OUT, 0 };

    __builtin_memset(c->cdb, 0, sizeof(c->cdb));    /* four stores, inline */
    build_rw(d, op, lba, n, c);
    c->buf = io;
    c->len = bytes;
    c->flags = dir[op] | SRB_FLAGS_QUEUE_ACTION_ENABLE;     /* tagged where the LU queues */
    c->timeout_s = d->timeout_s;
    c->what = op_name[op];
    c->lba = lba;
}

static inline bool needs_bounce(const struct disk *d, const void *buf, uint32_t bytes)
{
    uintptr_t p = (uintptr_t)buf;

    if (p & d->align_mask)
        return true;
    return d->one_page && ((p & (PAGE - 1)) + bytes > PAGE);
}

/* Seconds a transfer may take before the port resets the bus (disk.timeout=). */
static uint32_t rw_timeout(void)
{
    static uint32_t t;

    if (!t) {
        t = cmdline_get_u32("disk.timeout", DISK_TIMEOUT_S);
        if (t == 0 || t > 3600) {
            pr_err("disk", "disk.timeout=%u: want 1..3600 seconds; using %u", (unsigned)t,
                   DISK_TIMEOUT_S);
            t = DISK_TIMEOUT_S;
        }
    }
    return t;
}

/* One request's worth of a transfer; bounce: buf breaks the adapter's limits. */
static int rw_chunk(struct disk *d, enum disk_op op, uint64_t lba, uint32_t n, uint8_t *buf,
                    bool bounce_it)
{
    uint32_t bytes = op == DISK_VERIFY ? 0 : n * d->block_size;
    uint8_t *io = buf;
    struct cmd c;
    int rc;

    if (bounce_it) {
        if (!bounce && !(bounce = dma_alloc(BOUNCE_BYTES))) {
            printf("%s: %s lba %llu: no memory for a bounce buffer\n", d->name, op_name[op],
                   (unsigned long long)lba);
            return -1;
        }
        io = bounce;
        if (op == DISK_WRITE)
            memcpy(io, buf, bytes);
    }
    rw_cmd(d, op, lba, n, bytes ? io : NULL, bytes, &c);
    rc = cmd_run(d, &c);
    if (rc == 0 && io != buf && op == DISK_READ)
        memcpy(buf, io, bytes);
    return rc;
}

/* Any transfer: checked, split by the adapter's limits, bounced where the buffer breaks them. */
static int __attribute__((noinline, cold)) rw_split(struct disk *d, enum disk_op op, uint64_t lba,
                                                    uint64_t count, uint8_t *p,
                                                    disk_progress_fn progress, void *ctx)
{
    uint64_t done = 0;
    uint32_t per;

    if (!d->block || !d->medium) {
        printf("%s: %s: %s\n", d->name, op_name[op],
               d->block ? "no medium" : "not a block device");
        return -1;
    }
    if (lba >= d->blocks || count > d->blocks - lba) {
        printf("%s: %s: blocks %llu+%llu are past the end (%llu blocks)\n", d->name, op_name[op],
               (unsigned long long)lba, (unsigned long long)count, (unsigned long long)d->blocks);
        return -1;
    }
    if (op == DISK_WRITE && d->type == READ_ONLY_DIRECT_ACCESS_DEVICE) {
        printf("%s: write: read-only device\n", d->name);
        return -1;
    }
    per = op == DISK_VERIFY ? 0xFFFF : d->max_blocks;
    while (done < count) {
        uint32_t n = (uint32_t)MIN((uint64_t)per, count - done);
        bool bounce_it = op != DISK_VERIFY && needs_bounce(d, p, n * d->block_size);
        if (bounce_it)
            n = MIN(n, BOUNCE_BYTES / d->block_size);
        if (rw_chunk(d, op, lba + done, n, p, bounce_it) < 0)
            return -1;
        done += n;
        if (op != DISK_VERIFY)
            p += (size_t)n * d->block_size;
        if (progress && !progress(ctx, done, count))
            return 1;
    }
    return 0;
}

/*
 * The usual transfer - a read or write of 1 to max_blocks blocks inside
 * the device, into a buffer the adapter takes as it is - is one command
 * on the disk's own request, checked as rw_split would check it.
 */
static inline bool rw_short(const struct disk *d, enum disk_op op, uint64_t lba,
                            uint64_t count, const void *buf)
{
    uint64_t end = lba + count;

    return (d->fast_ops >> op & 1) && count - 1 < d->max_blocks && end <= d->blocks &&
           end > lba && d->req && !d->req_busy &&
           !needs_bounce(d, buf, (uint32_t)count << d->block_shift);
}

/*
 * The short path's CDB, written straight into the SRB.  (10) does unless
 * the disk needs (16): n <= max_blocks <= 8 MiB / 512 < 0x10000, and
 * without use16 the device has at most 2^32 - 1 blocks, all of them
 * addressable by (10).
 */
static inline void rw_cdb(const struct disk *d, enum disk_op op, uint64_t lba, uint32_t n,
                          PSCSI_REQUEST_BLOCK srb)
{
    uint8_t *cdb = srb->Cdb;

    __builtin_memset(cdb, 0, sizeof(srb->Cdb));     /* four stores, inline */
    if (!d->use16) {
        cdb[0] = op == DISK_READ ? SCSIOP_READ : SCSIOP_WRITE;
        put_be32(cdb + 2, (uint32_t)lba);
        cdb[7] = (uint8_t)(n >> 8);
        cdb[8] = (uint8_t)n;
        srb->CdbLength = 10;
    } else {
        cdb[0] = op == DISK_READ ? SCSIOP_READ16 : SCSIOP_WRITE16;
        put_be64(cdb + 2, lba);
        put_be32(cdb + 10, n);
        srb->CdbLength = 16;
    }
}

/* A short transfer; anything but success goes on as disk_command would. */
static int rw_one(struct disk *d, enum disk_op op, uint64_t lba, uint32_t n, void *buf)
{
    static const uint32_t dir[] = { SRB_FLAGS_DATA_IN, SRB_FLAGS_DATA_OUT };
    uint32_t bytes = n << d->block_shift;
    struct scsi_request *r = d->req;
    uint8_t sense[SP_SENSE_SLOT];
    struct cmd c;

    d->req_busy = true;
    scsi_req_fill(r, d->lu, 0, buf, bytes,
                  dir[op] | SRB_FLAGS_QUEUE_ACTION_ENABLE | SRB_FLAGS_NO_QUEUE_FREEZE,
                  d->timeout_s, sense, sizeof(sense));
    rw_cdb(d, op, lba, n, &r->srb);
    r->srb.QueueSortKey = (ULONG)lba;
    if (scsi_exec(r) == SRB_STATUS_SUCCESS) {
        d->last_sense_valid = false;
        d->req_busy = false;
        return 0;
    }
    rw_cmd(d, op, lba, n, buf, bytes, &c);      /* what a retry sends */
    return cmd_finish(d, r, &c, sense);
}

int disk_rw(struct disk *d, enum disk_op op, uint64_t lba, uint64_t count, void *buf,
            disk_progress_fn progress, void *ctx)
{
    if (!rw_short(d, op, lba, count, buf))
        return rw_split(d, op, lba, count, buf, progress, ctx);
    if (rw_one(d, op, lba, (uint32_t)count, buf) < 0)
        return -1;
    return progress && !progress(ctx, count, count) ? 1 : 0;
}

int __attribute__((cold)) disk_flush(struct disk *d)
{
    uint8_t cdb[10] = { SCSIOP_SYNCHRONIZE_CACHE };

    return disk_command(d, cdb, 10, NULL, 0, 0, 60, "flush", 0);
}

void __attribute__((cold)) disk_flush_all(void)
{
    for (int i = 0; i < ndisks; i++) {
        struct disk *d = disks[i];
        if (!d->gone && d->write_cache && d->medium)
            disk_flush(d);
    }
}
