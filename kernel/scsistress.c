/*
 * Commands that exercise an adapter beyond what `scsi` does, for the host
 * tests (tests/qemu/test_lsi.py) and for a board engineer:
 *
 *   sgbuf PAGES        map PAGES separately allocated pages, in reverse
 *                      order, contiguously in the scattered window: a
 *                      buffer whose every page is its own S/G entry
 *   scsicdb DEV DIR LEN [t=SECONDS] [nd] BYTES...
 *                      one raw CDB (hex bytes) to device DEV through the
 *                      port, no disk-layer checks or retries; DIR is in,
 *                      out or none, LEN hex bytes of data (in a DMA buffer);
 *                      nd: no disconnect privilege (so: untagged)
 *   scsistress DEPTH COUNT BLOCKS DEV[,DEV...]
 *                      COUNT reads of BLOCKS blocks at pseudo-random LBAs,
 *                      DEPTH of them in flight across the devices, each
 *                      into its own buffer; one line per read with its CRC
 *
 * Numbers are hex, as in `scsi`.
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "parse.h"
#include "disk.h"
#include "scsiport.h"
#include "sense.h"
#include "crc32.h"
#include "heap.h"
#include "pmem.h"
#include "vm.h"
#include "time.h"

#define SGBUF_MAX_PAGES     4096        /* 16 MiB */
#define CDB_BUF_BYTES       (64u * 1024)
#define STRESS_MAX_DEPTH    64
#define STRESS_MAX_DEVS     8
#define STRESS_MAX_BYTES    (64u * 1024)
#define STRESS_TIMEOUT_S    30
#define STRESS_WAIT_MS      120000      /* every request has ended by then */

/* ---- sgbuf ----------------------------------------------------------------------- */

static int do_sgbuf(int argc, char **argv)
{
    static uint32_t pages[SGBUF_MAX_PAGES];
    uint32_t n;
    void *va;

    if (argc != 2)
        return CMD_USAGE;
    if (!parse_u32(argv[1], 16, &n) || n == 0 || n > SGBUF_MAX_PAGES) {
        printf("sgbuf: '%s': want 1 to %x pages\n", argv[1], SGBUF_MAX_PAGES);
        return CMD_FAIL;
    }
    for (uint32_t i = 0; i < n; i++) {
        pages[n - 1 - i] = pmem_alloc_page();   /* reverse: no two neighbours adjacent */
        if (!pages[n - 1 - i]) {
            printf("sgbuf: out of pages after %u\n", i);
            for (uint32_t k = 0; k < i; k++)
                pmem_free(pages[n - 1 - k], 1);
            return CMD_FAIL;
        }
    }
    va = vm_map_scattered(pages, n);
    if (!va) {
        printf("sgbuf: the scattered window has no room for %u pages\n", n);
        for (uint32_t i = 0; i < n; i++)
            pmem_free(pages[i], 1);
        return CMD_FAIL;
    }
    printf("sgbuf va %08x pages %u size %08x\n", (uint32_t)va, n, n * PAGE_SIZE);
    return CMD_OK;
}
SHELL_COMMAND(sgbuf, do_sgbuf, "pages", "map separately allocated pages contiguously (S/G tests)");

/* ---- scsicdb ----------------------------------------------------------------------- */

static const char *status_name(UCHAR st)
{
    switch (SRB_STATUS(st)) {
    case SRB_STATUS_SUCCESS: return "SUCCESS";
    case SRB_STATUS_ERROR: return "ERROR";
    case SRB_STATUS_BUSY: return "BUSY";
    case SRB_STATUS_INVALID_REQUEST: return "INVALID_REQUEST";
    case SRB_STATUS_NO_DEVICE: return "NO_DEVICE";
    case SRB_STATUS_TIMEOUT: return "TIMEOUT";
    case SRB_STATUS_SELECTION_TIMEOUT: return "SELECTION_TIMEOUT";
    case SRB_STATUS_BUS_RESET: return "BUS_RESET";
    case SRB_STATUS_PARITY_ERROR: return "PARITY_ERROR";
    case SRB_STATUS_DATA_OVERRUN: return "DATA_OVERRUN";
    case SRB_STATUS_UNEXPECTED_BUS_FREE: return "UNEXPECTED_BUS_FREE";
    case SRB_STATUS_PHASE_SEQUENCE_FAILURE: return "PHASE_SEQUENCE_FAILURE";
    case SRB_STATUS_REQUEST_SENSE_FAILED: return "REQUEST_SENSE_FAILED";
    default: return "other";
    }
}

static struct disk *arg_disk(const char *cmd, const char *arg)
{
    uint32_t n;
    struct disk *d;

    if (!parse_u32(arg, 16, &n) || !(d = disk_get((int)n))) {
        printf("%s: '%s' is not a device (scsi info lists them)\n", cmd, arg);
        return NULL;
    }
    return d;
}

/* DIR LEN [t=S] [nd]: the request's flags, length and timeout. */
static bool cdb_shape(int argc, char **argv, uint32_t *flags, uint32_t *len, uint32_t *timeout,
                      int *next)
{
    const char *dir = argv[2];

    *flags = !strcmp(dir, "in") ? SRB_FLAGS_DATA_IN : !strcmp(dir, "out") ? SRB_FLAGS_DATA_OUT : 0;
    if (!*flags && strcmp(dir, "none")) {
        printf("scsicdb: direction '%s': want in, out or none\n", dir);
        return false;
    }
    if (!parse_u32(argv[3], 16, len) || *len > CDB_BUF_BYTES || (!*len != !*flags)) {
        printf("scsicdb: length '%s': want 1 to %x with in/out, 0 with none\n", argv[3],
               CDB_BUF_BYTES);
        return false;
    }
    *timeout = 10;
    for (*next = 4; *next < argc; (*next)++) {
        const char *a = argv[*next];
        if (!strcmp(a, "nd")) {
            *flags |= SRB_FLAGS_DISABLE_DISCONNECT;     /* untagged, no disconnect privilege */
        } else if (!strncmp(a, "t=", 2)) {
            if (!parse_u32(a + 2, 16, timeout) || !*timeout) {
                printf("scsicdb: '%s': want t=SECONDS (hex, not 0)\n", a);
                return false;
            }
        } else {
            break;
        }
    }
    return true;
}

static bool cdb_bytes(int argc, char **argv, int first, uint8_t *cdb, unsigned *n)
{
    *n = 0;
    for (int i = first; i < argc; i++) {
        uint32_t b;
        if (*n == 16 || !parse_u32(argv[i], 16, &b) || b > 0xFF) {
            printf("scsicdb: CDB byte '%s': want up to 16 hex bytes\n", argv[i]);
            return false;
        }
        cdb[(*n)++] = (uint8_t)b;
    }
    if (!*n)
        printf("scsicdb: no CDB bytes\n");
    return *n != 0;
}

static void cdb_report(struct scsi_request *r, const uint8_t *buf, const uint8_t *sense)
{
    PSCSI_REQUEST_BLOCK srb = &r->srb;
    struct sense_info si;
    char text[96];

    printf("scsicdb: status %s (%02x), scsi status %02x, %u bytes", status_name(srb->SrbStatus),
           SRB_STATUS(srb->SrbStatus), srb->ScsiStatus, (unsigned)srb->DataTransferLength);
    if (srb->DataTransferLength && buf)
        printf(", crc32 %08x", crc32(0, buf, srb->DataTransferLength));
    printf("\n");
    if ((srb->SrbStatus & SRB_STATUS_AUTOSENSE_VALID) &&
        sense_parse(sense, srb->SenseInfoBufferLength, &si)) {
        sense_format(text, sizeof(text), &si);
        printf("scsicdb: sense %x/%02x/%02x: %s\n", si.key, si.asc, si.ascq, text);
    }
}

static int do_scsicdb(int argc, char **argv)
{
    static uint8_t *buf;
    uint8_t cdb[16], sense[SP_SENSE_SLOT];
    uint32_t flags, len, timeout;
    struct scsi_request *r;
    unsigned ncdb;
    struct disk *d;
    int next;

    if (argc < 5)
        return CMD_USAGE;
    if (!(d = arg_disk("scsicdb", argv[1])) ||
        !cdb_shape(argc, argv, &flags, &len, &timeout, &next) ||
        !cdb_bytes(argc, argv, next, cdb, &ncdb))
        return CMD_FAIL;
    if (!buf && !(buf = dma_alloc(CDB_BUF_BYTES))) {
        printf("scsicdb: no memory for the data buffer\n");
        return CMD_FAIL;
    }
    if (!(r = scsi_req_alloc())) {
        printf("scsicdb: out of request blocks\n");
        return CMD_FAIL;
    }
    memset(sense, 0, sizeof(sense));
    scsi_req_cdb(r, d->lu, cdb, ncdb, len ? buf : NULL, len, flags | SRB_FLAGS_NO_QUEUE_FREEZE,
                 timeout);
    r->srb.SenseInfoBuffer = sense;
    r->srb.SenseInfoBufferLength = sizeof(sense);
    scsi_exec(r);
    cdb_report(r, (flags & SRB_FLAGS_DATA_IN) ? buf : NULL, sense);
    scsi_req_free(r);
    return CMD_OK;
}
SHELL_COMMAND(scsicdb, do_scsicdb, "dev in|out|none len [t=seconds] [nd] cdb-bytes...",
              "send one raw CDB through the port (hex), print status, sense, data CRC");

/* ---- scsistress --------------------------------------------------------------------- */

struct stress_slot {
    struct scsi_request *r;
    struct disk *d;
    uint64_t lba;
    uint32_t blocks;
    uint8_t *buf;
    uint8_t sense[SP_SENSE_SLOT];
    volatile bool done;
};

struct stress {
    struct disk *dev[STRESS_MAX_DEVS];
    uint16_t max_active[STRESS_MAX_DEVS];
    int ndev;
    uint32_t depth, count, blocks;
    uint32_t issued, finished, errors, in_flight, max_in_flight;
    uint32_t rng;
    struct stress_slot slot[STRESS_MAX_DEPTH];
};

static void stress_done(struct scsi_request *r)
{
    struct stress_slot *s = r->ctx;

    s->done = true;
}

static bool stress_devices(struct stress *st, char *list)
{
    char *p = list;

    st->ndev = 0;
    while (*p) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (st->ndev == STRESS_MAX_DEVS) {
            printf("scsistress: at most %d devices\n", STRESS_MAX_DEVS);
            return false;
        }
        if (!(st->dev[st->ndev] = arg_disk("scsistress", p)))
            return false;
        if (!st->dev[st->ndev]->medium || st->dev[st->ndev]->blocks <= st->blocks ||
            st->blocks * st->dev[st->ndev]->block_size > STRESS_MAX_BYTES) {
            printf("scsistress: %s has no room for %u-block reads\n", st->dev[st->ndev]->name,
                   st->blocks);
            return false;
        }
        st->ndev++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return st->ndev > 0;
}

/* Start read number st->issued in slot s: device round robin, pseudo-random LBA. */
static bool stress_issue(struct stress *st, struct stress_slot *s)
{
    struct disk *d = st->dev[st->issued % st->ndev];
    uint8_t cdb[10] = { SCSIOP_READ };

    s->r = scsi_req_alloc();
    if (!s->r)
        return false;
    st->rng = st->rng * 1103515245u + 12345u;
    s->d = d;
    s->blocks = st->blocks;
    s->lba = (st->rng >> 8) % (d->blocks - st->blocks);
    s->done = false;
    cdb[2] = (uint8_t)(s->lba >> 24);
    cdb[3] = (uint8_t)(s->lba >> 16);
    cdb[4] = (uint8_t)(s->lba >> 8);
    cdb[5] = (uint8_t)s->lba;
    cdb[8] = (uint8_t)s->blocks;
    scsi_req_cdb(s->r, d->lu, cdb, sizeof(cdb), s->buf, s->blocks * d->block_size,
                 SRB_FLAGS_DATA_IN | SRB_FLAGS_QUEUE_ACTION_ENABLE | SRB_FLAGS_NO_QUEUE_FREEZE,
                 STRESS_TIMEOUT_S);
    s->r->srb.SenseInfoBuffer = s->sense;
    s->r->srb.SenseInfoBufferLength = sizeof(s->sense);
    st->issued++;
    st->in_flight++;
    if (st->in_flight > st->max_in_flight)
        st->max_in_flight = st->in_flight;
    scsi_submit(s->r, stress_done, s);
    return true;
}

static void stress_finish(struct stress *st, struct stress_slot *s)
{
    PSCSI_REQUEST_BLOCK srb = &s->r->srb;

    if (SRB_STATUS(srb->SrbStatus) == SRB_STATUS_SUCCESS) {
        printf("stress: %s lba %llu cnt %u crc %08x\n", s->d->name, (unsigned long long)s->lba,
               s->blocks, crc32(0, s->buf, s->blocks * s->d->block_size));
    } else {
        printf("stress: %s lba %llu cnt %u failed: %s (%02x), scsi status %02x\n", s->d->name,
               (unsigned long long)s->lba, s->blocks, status_name(srb->SrbStatus),
               SRB_STATUS(srb->SrbStatus), srb->ScsiStatus);
        st->errors++;
    }
    scsi_req_free(s->r);
    s->r = NULL;
    st->finished++;
    st->in_flight--;
}

/* Highest number of requests each device had at the miniport at once. */
static void stress_sample(struct stress *st)
{
    for (int i = 0; i < st->ndev; i++)
        if (st->dev[i]->lu->active > st->max_active[i])
            st->max_active[i] = st->dev[i]->lu->active;
}

static void stress_run(struct stress *st)
{
    uint64_t until = time_ms() + STRESS_WAIT_MS;
    bool stop = false;

    while (st->finished < st->issued || (!stop && st->issued < st->count)) {
        bool progress = false;
        for (uint32_t i = 0; i < st->depth; i++) {
            struct stress_slot *s = &st->slot[i];
            if (s->r && s->done) {
                stress_finish(st, s);
                progress = true;
            }
            if (!s->r && !stop && st->issued < st->count && stress_issue(st, s))
                progress = true;
        }
        stress_sample(st);
        if (console_interrupted())
            stop = true;
        if (time_ms() > until) {
            printf("scsistress: %u requests still out after %u s; giving up on them\n",
                   st->issued - st->finished, STRESS_WAIT_MS / 1000);
            st->errors += st->issued - st->finished;
            return;
        }
        if (!progress) {
            scsi_poll();
            scsi_wait_event();
        }
    }
}

static void stress_summary(const struct stress *st)
{
    printf("stress: %u reads, %u errors, max in flight %u, max at the adapter per device:",
           st->finished, st->errors, st->max_in_flight);
    for (int i = 0; i < st->ndev; i++)
        printf(" %s %u", st->dev[i]->name, st->max_active[i]);
    printf("\n");
}

static bool stress_args(struct stress *st, int argc, char **argv)
{
    if (argc != 5)
        return false;
    if (!parse_u32(argv[1], 16, &st->depth) || !st->depth || st->depth > STRESS_MAX_DEPTH ||
        !parse_u32(argv[2], 16, &st->count) || !st->count ||
        !parse_u32(argv[3], 16, &st->blocks) || !st->blocks || st->blocks > 0xFF) {
        printf("scsistress: want depth 1-%x, count > 0, blocks 1-ff\n", STRESS_MAX_DEPTH);
        return false;
    }
    return stress_devices(st, argv[4]);
}

static int do_scsistress(int argc, char **argv)
{
    static struct stress st;

    memset(&st, 0, sizeof(st));
    if (argc != 5)
        return CMD_USAGE;
    if (!stress_args(&st, argc, argv))
        return CMD_FAIL;
    st.rng = 0x5eed;
    for (uint32_t i = 0; i < st.depth; i++) {
        st.slot[i].buf = kmalloc(STRESS_MAX_BYTES);
        if (!st.slot[i].buf) {
            printf("scsistress: no memory for %u buffers\n", st.depth);
            for (uint32_t k = 0; k < i; k++)
                kfree(st.slot[k].buf);
            return CMD_FAIL;
        }
    }
    stress_run(&st);
    stress_summary(&st);
    for (uint32_t i = 0; i < st.depth; i++)
        if (!st.slot[i].r)
            kfree(st.slot[i].buf);              /* a buffer still in use stays allocated */
    return st.errors ? CMD_FAIL : CMD_OK;
}
SHELL_COMMAND(scsistress, do_scsistress, "depth count blocks dev[,dev...]",
              "many reads in flight across devices; one CRC line per read");
