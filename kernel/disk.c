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

static struct disk disks[DISK_MAX];
static int ndisks;
static int nsd, ncd, ndev;
static uint8_t *bounce;             /* one DMA-able bounce buffer */

static uint32_t rw_timeout(void);

const char *disk_type_name(uint8_t type)
{
    switch (type) {
    case DIRECT_ACCESS_DEVICE: return "Hard Disk";
    case SEQUENTIAL_ACCESS_DEVICE: return "Tape";
    case PRINTER_DEVICE: return "Printer";
    case PROCESSOR_DEVICE: return "Processor";
    case WRITE_ONCE_READ_MULTIPLE_DEVICE: return "WORM";
    case READ_ONLY_DIRECT_ACCESS_DEVICE: return "CD-ROM";
    case OPTICAL_DEVICE: return "Optical Device";
    case MEDIUM_CHANGER: return "Medium Changer";
    case ARRAY_CONTROLLER_DEVICE: return "RAID Controller";
    case REDUCED_BLOCK_DEVICE: return "Simplified Direct-Access";
    default: return "Unknown";
    }
}

static const char *srb_status_name(UCHAR st)
{
    switch (SRB_STATUS(st)) {
    case SRB_STATUS_SUCCESS: return "SUCCESS";
    case SRB_STATUS_ABORTED: return "ABORTED";
    case SRB_STATUS_ERROR: return "ERROR";
    case SRB_STATUS_BUSY: return "BUSY";
    case SRB_STATUS_INVALID_REQUEST: return "INVALID_REQUEST";
    case SRB_STATUS_INVALID_PATH_ID: return "INVALID_PATH_ID";
    case SRB_STATUS_NO_DEVICE: return "NO_DEVICE";
    case SRB_STATUS_TIMEOUT: return "TIMEOUT";
    case SRB_STATUS_SELECTION_TIMEOUT: return "SELECTION_TIMEOUT";
    case SRB_STATUS_COMMAND_TIMEOUT: return "COMMAND_TIMEOUT";
    case SRB_STATUS_BUS_RESET: return "BUS_RESET";
    case SRB_STATUS_PARITY_ERROR: return "PARITY_ERROR";
    case SRB_STATUS_REQUEST_SENSE_FAILED: return "REQUEST_SENSE_FAILED";
    case SRB_STATUS_NO_HBA: return "NO_HBA";
    case SRB_STATUS_DATA_OVERRUN: return "DATA_OVERRUN";
    case SRB_STATUS_UNEXPECTED_BUS_FREE: return "UNEXPECTED_BUS_FREE";
    case SRB_STATUS_PHASE_SEQUENCE_FAILURE: return "PHASE_SEQUENCE_FAILURE";
    case SRB_STATUS_REQUEST_FLUSHED: return "REQUEST_FLUSHED";
    case SRB_STATUS_INVALID_LUN: return "INVALID_LUN";
    case SRB_STATUS_INVALID_TARGET_ID: return "INVALID_TARGET_ID";
    case SRB_STATUS_BAD_FUNCTION: return "BAD_FUNCTION";
    case SRB_STATUS_ERROR_RECOVERY: return "ERROR_RECOVERY";
    case SRB_STATUS_INSUFFICIENT_RESOURCES: return "INSUFFICIENT_RESOURCES";
    default: return "unknown";
    }
}

/* ---- one command, with retries ------------------------------------------------ */

enum verdict { V_OK, V_RETRY, V_WAIT_RETRY, V_FAIL };

static bool is_rw(uint8_t op)
{
    return op == SCSIOP_READ || op == SCSIOP_WRITE || op == SCSIOP_READ16 ||
           op == SCSIOP_WRITE16 || op == SCSIOP_READ6 || op == SCSIOP_WRITE6 ||
           op == SCSIOP_READ12 || op == SCSIOP_WRITE12;
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
    case SCSI_SENSE_ABORTED_COMMAND:
        return V_RETRY;
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

int disk_command(struct disk *d, const uint8_t *cdb, unsigned cdb_len, void *buf,
                 uint32_t len, uint32_t flags, uint32_t timeout_s, const char *what,
                 uint64_t lba)
{
    bool quiet = flags & DISK_QUIET;

    uint8_t sense[SP_SENSE_SLOT];
    struct scsi_request *r;
    int retries = 0, waits = 0;
    enum verdict v;

    if (d->gone) {
        printf("%s: %s: device is gone\n", d->name, what);
        return -1;
    }
    r = cmd_req_get(d);
    if (!r) {
        printf("%s: %s: out of request blocks\n", d->name, what);
        return -1;
    }
    for (;;) {
        scsi_req_cdb(r, d->lu, cdb, cdb_len, buf, len,
                     (flags & ~DISK_QUIET) | SRB_FLAGS_NO_QUEUE_FREEZE, timeout_s);
        r->srb.SenseInfoBuffer = sense;
        r->srb.SenseInfoBufferLength = sizeof(sense);
        r->srb.QueueSortKey = (ULONG)lba;
        scsi_exec(r);
        v = judge(d, &r->srb, sense, len);
        if (v == V_RETRY && retries++ < DISK_RETRIES)
            continue;
        if (v == V_WAIT_RETRY && waits++ < NOT_READY_TRIES) {
            stall(NOT_READY_WAIT_MS * 1000);
            continue;
        }
        break;
    }
    if (v != V_OK && !quiet)
        report(d, what, lba, &r->srb);
    cmd_req_put(d, r);
    return v == V_OK ? 0 : -1;
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

int disk_read_capacity(struct disk *d)
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
    d->blocks = last + 1;
    d->max_blocks = MAX(d->max_bytes / bs, 1u);
    d->medium = true;
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

static void name_disk(struct disk *d)
{
    if (d->type == READ_ONLY_DIRECT_ACCESS_DEVICE)
        snprintf(d->name, sizeof(d->name), "cd%d", ncd++);
    else if (d->block)
        snprintf(d->name, sizeof(d->name), "sd%d", nsd++);
    else
        snprintf(d->name, sizeof(d->name), "dev%d", ndev++);
}

void disk_attach(struct sp_lu *lu)
{
    struct disk *d = lu->disk;

    if (!d) {
        if (ndisks == DISK_MAX) {
            pr_err("disk", "more than %d devices; %u:%u:%u not attached", DISK_MAX,
                   lu->path, lu->target, lu->lun);
            return;
        }
        d = &disks[ndisks];
        memset(d, 0, sizeof(*d));
        d->index = ndisks++;
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
    rw_timeout();                       /* read disk.timeout= now, before the report */
    if (d->block)
        disk_read_capacity(d);
    d->write_cache = d->type == DIRECT_ACCESS_DEVICE && d->medium && caching_wce(d);
}

void disk_detach(struct sp_lu *lu)
{
    struct disk *d = lu->disk;

    if (!d)
        return;
    d->gone = true;
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
    return index >= 0 && index < ndisks && !disks[index].gone ? &disks[index] : NULL;
}

/* ---- transfers -------------------------------------------------------------------- */

static void build_rw(const struct disk *d, enum disk_op op, uint64_t lba, uint32_t n,
                     uint8_t *cdb, unsigned *len)
{
    static const uint8_t op10[] = { SCSIOP_READ, SCSIOP_WRITE, SCSIOP_VERIFY };
    static const uint8_t op16[] = { SCSIOP_READ16, SCSIOP_WRITE16, SCSIOP_VERIFY16 };

    __builtin_memset(cdb, 0, 16);       /* four stores, inline: this is every transfer's path */
    if (d->use16 || lba + n > 0xFFFFFFFFull || n > 0xFFFF) {
        cdb[0] = op16[op];
        put_be64(cdb + 2, lba);
        put_be32(cdb + 10, n);
        *len = 16;
    } else {
        cdb[0] = op10[op];
        put_be32(cdb + 2, (uint32_t)lba);
        cdb[7] = (uint8_t)(n >> 8);
        cdb[8] = (uint8_t)n;
        *len = 10;
    }
}

static bool needs_bounce(const struct disk *d, const void *buf, uint32_t bytes)
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
    static const char *const what[] = { "read", "write", "verify" };
    static const uint32_t dir[] = { SRB_FLAGS_DATA_IN, SRB_FLAGS_DATA_OUT, 0 };
    uint32_t bytes = op == DISK_VERIFY ? 0 : n * d->block_size;
    uint32_t flags = dir[op] | SRB_FLAGS_QUEUE_ACTION_ENABLE;     /* tagged where the LU queues */
    uint8_t cdb[16];
    unsigned cdb_len;
    uint8_t *io = buf;
    int rc;

    build_rw(d, op, lba, n, cdb, &cdb_len);
    if (bounce_it) {
        if (!bounce && !(bounce = dma_alloc(BOUNCE_BYTES))) {
            printf("%s: %s lba %llu: no memory for a bounce buffer\n", d->name, what[op],
                   (unsigned long long)lba);
            return -1;
        }
        io = bounce;
        if (op == DISK_WRITE)
            memcpy(io, buf, bytes);
    }
    rc = disk_command(d, cdb, cdb_len, io, bytes, flags, rw_timeout(), what[op], lba);
    if (rc == 0 && io != buf && op == DISK_READ)
        memcpy(buf, io, bytes);
    return rc;
}

int disk_rw(struct disk *d, enum disk_op op, uint64_t lba, uint64_t count, void *buf,
            disk_progress_fn progress, void *ctx)
{
    static const char *const what[] = { "read", "write", "verify" };
    uint8_t *p = buf;
    uint64_t done = 0;
    uint32_t per;

    if (!d->block || !d->medium) {
        printf("%s: %s: %s\n", d->name, what[op], d->block ? "no medium" : "not a block device");
        return -1;
    }
    if (lba >= d->blocks || count > d->blocks - lba) {
        printf("%s: %s: blocks %llu+%llu are past the end (%llu blocks)\n", d->name, what[op],
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

int disk_flush(struct disk *d)
{
    uint8_t cdb[10] = { SCSIOP_SYNCHRONIZE_CACHE };

    return disk_command(d, cdb, 10, NULL, 0, 0, 60, "flush", 0);
}

void disk_flush_all(void)
{
    for (int i = 0; i < ndisks; i++) {
        struct disk *d = &disks[i];
        if (!d->gone && d->write_cache && d->medium)
            disk_flush(d);
    }
}
