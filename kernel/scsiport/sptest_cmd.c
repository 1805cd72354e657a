/*
 * `selftest scsiport`: the ScsiPort API exercised through a real adapter,
 * the test miniport hba/sptest.c bound to QEMU's pci-testdev (boot with
 * `-device pci-testdev`, twice for the second adapter and the overlap
 * attempt; see hba/sptest.h).
 *
 * Two halves.  The miniport runs the adversarial calls inside its own
 * callbacks (HwFindAdapter, HwInitialize, HwStartIo, HwInterrupt,
 * HwTimer, HwResetBus) and logs each result; this file drives it with
 * vendor commands, fetches the log and prints it as PASS/FAIL lines.  The
 * port-level half (sptest_queue.c) submits requests itself: malformed
 * SRBs, queue freezing, BUSY retries, timeouts, the port's own REQUEST
 * SENSE.  Where the kernel knows the truth independently it compares:
 * the physical runs of a scattered buffer against the page tables, the
 * disk's pattern, the claimed-range table against the adapters' BARs.
 * The last line counts the refusals the miniport provoked, so the host can
 * check that each one produced exactly one log line.
 */
#include "sptest_cmd.h"
#include "scsiport.h"
#include "ranges.h"
#include "selftest.h"
#include "report.h"
#include "console.h"
#include "string.h"
#include "heap.h"
#include "pmem.h"
#include "vm.h"
#include "time.h"
#include "pci.h"
#include "disk.h"
#include "crc32.h"

#define TIMER_WAIT_MS       1000        /* for the HwInitialize timer to have run */
#define CANCEL_WAIT_MS      50          /* the cancelled timer was due after 1 ms */
#define CHECKS_BUF          4096
#define CRC_BLOCKS          32

/* ---- reporting ------------------------------------------------------------------------ */

bool spt_expect(uint64_t got, uint64_t want, const char *fmt, ...)
{
    char what[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (got == want)
        test_pass(SPT_GROUP, "%s", what);
    else
        test_fail(SPT_GROUP, "%s: got 0x%llx, want 0x%llx", what, got, want);
    return got == want;
}

bool spt_expect_ok(bool ok, const char *why, const char *fmt, ...)
{
    char what[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (ok)
        test_pass(SPT_GROUP, "%s", what);
    else
        test_fail(SPT_GROUP, "%s: %s", what, why);
    return ok;
}

/* ---- requests ------------------------------------------------------------------------- */

struct scsi_request *spt_req(struct sp_lu *lu, const UCHAR *cdb, unsigned cdb_len, void *buf,
                             uint32_t len, uint32_t flags, uint32_t timeout_s, SENSE_DATA *sense)
{
    struct scsi_request *r = scsi_req_alloc();

    if (!r) {
        test_fail(SPT_GROUP, "request pool: empty");
        return NULL;
    }
    scsi_req_cdb(r, lu, cdb, cdb_len, buf, len, flags, timeout_s);
    if (sense) {
        memset(sense, 0, sizeof(*sense));
        r->srb.SenseInfoBuffer = sense;
        r->srb.SenseInfoBufferLength = sizeof(*sense);
    }
    return r;
}

void spt_settle(uint32_t ms)
{
    struct deadline d = deadline_ms(ms);

    while (!deadline_passed(&d))
        scsi_poll();
}

/* Wait for a submitted request, at most ms. */
bool spt_wait(struct scsi_request *r, uint32_t ms)
{
    struct deadline d = deadline_ms(ms);

    while (r->state != REQ_DONE) {
        if (deadline_passed(&d))
            return false;
        scsi_poll();
    }
    return true;
}

/* Submit and wait, at most ms: a request that never ends is a FAIL, not a hang. */
bool spt_run(struct scsi_request *r, uint32_t ms, const char *what)
{
    scsi_submit(r, NULL, NULL);
    if (spt_wait(r, ms))
        return true;
    test_fail(SPT_GROUP, "%s: not finished after %u ms (request state %d)", what,
              (unsigned)ms, r->state);
    return false;
}

/* A request that never finished stays allocated: the port may still hold it. */
void spt_req_end(struct scsi_request *r)
{
    if (r && (r->state == REQ_DONE || r->state == REQ_IDLE))
        scsi_req_free(r);
}

UCHAR spt_vendor(struct sp_lu *lu, UCHAR cmd, const UCHAR *args, unsigned nargs, void *buf,
                 uint32_t len, uint32_t flags, uint32_t timeout_s)
{
    UCHAR cdb[SPT_CDB_LEN] = { SPT_OP, cmd };
    struct scsi_request *r;
    UCHAR st = 0;

    memcpy(cdb + 2, args, MIN(nargs, sizeof(cdb) - 2));
    r = spt_req(lu, cdb, sizeof(cdb), buf, len, flags | (len ? SRB_FLAGS_DATA_IN : 0),
                timeout_s, NULL);
    if (r && spt_run(r, SPT_WAIT_MS + timeout_s * 1000, "sptest vendor command"))
        st = r->srb.SrbStatus;
    spt_req_end(r);
    return st;
}

/* Statistics bypass a frozen queue, so they can be read at any time. */
bool spt_get_stats(struct sp_lu *lu, struct spt_stats *s)
{
    memset(s, 0, sizeof(*s));
    return spt_vendor(lu, SPT_CMD_STATS, NULL, 0, s, sizeof(*s), SRB_FLAGS_BYPASS_FROZEN_QUEUE,
                      5) == SRB_STATUS_SUCCESS && s->magic == SPT_STATS_MAGIC;
}

/* ---- the miniport's log --------------------------------------------------------------- */

static const char *ctx_name(UCHAR c)
{
    static const char *const names[] = {
        [SPT_CTX_FIND] = "HwFindAdapter", [SPT_CTX_INIT] = "HwInitialize",
        [SPT_CTX_STARTIO] = "HwStartIo", [SPT_CTX_INTERRUPT] = "HwInterrupt",
        [SPT_CTX_TIMER] = "HwTimer", [SPT_CTX_RESET] = "HwResetBus",
        [SPT_CTX_CONTROL] = "HwAdapterControl",
    };

    return c < ARRAY_SIZE(names) && names[c] ? names[c] : "?";
}

static void print_entry(struct spt_result *e)
{
    e->what[SPT_WHAT_LEN - 1] = '\0';
    switch (e->verdict) {
    case SPT_PASS:
        test_pass(SPT_GROUP, "%c %s: %s", e->role, ctx_name(e->context), e->what);
        break;
    case SPT_SKIP:
        test_skip(SPT_GROUP, "%c %s: %s", e->role, ctx_name(e->context), e->what);
        break;
    default:
        test_fail(SPT_GROUP, "%c %s: %s: got 0x%llx, want 0x%llx", e->role,
                  ctx_name(e->context), e->what, e->got, e->want);
        break;
    }
}

void spt_print_log(struct sp_lu *lu)
{
    struct spt_log *log = kzalloc(SPT_LOG_BYTES);
    UCHAR st;

    if (!log) {
        test_fail(SPT_GROUP, "miniport log: no memory for %u bytes", (unsigned)SPT_LOG_BYTES);
        return;
    }
    st = spt_vendor(lu, SPT_CMD_LOG, NULL, 0, log, SPT_LOG_BYTES, SRB_FLAGS_BYPASS_FROZEN_QUEUE, 5);
    if (st != SRB_STATUS_SUCCESS || log->magic != SPT_LOG_MAGIC || log->count > SPT_LOG_MAX)
        test_fail(SPT_GROUP, "miniport log: SRB status 0x%02x, magic 0x%08lx", st, log->magic);
    else if (log->lost)
        test_fail(SPT_GROUP, "miniport log: %lu results lost (log full)", log->lost);
    for (ULONG i = 0; st == SRB_STATUS_SUCCESS && i < log->count && i < SPT_LOG_MAX; i++)
        print_entry(&log->entry[i]);
    kfree(log);
}

/* ---- the disk's content --------------------------------------------------------------- */

void spt_read10_cdb(UCHAR *cdb, uint32_t lba, uint16_t n)
{
    memset(cdb, 0, 10);
    cdb[0] = SCSIOP_READ;
    cdb[2] = (UCHAR)(lba >> 24);
    cdb[3] = (UCHAR)(lba >> 16);
    cdb[4] = (UCHAR)(lba >> 8);
    cdb[5] = (UCHAR)lba;
    cdb[7] = (UCHAR)(n >> 8);
    cdb[8] = (UCHAR)n;
}

bool spt_pattern_ok(const void *buf, uint32_t lba, uint32_t n)
{
    const uint32_t *w = buf;

    for (uint32_t b = 0; b < n; b++)
        for (uint32_t k = 0; k < SPT_BLOCK_SIZE / 4; k++)
            if (w[b * (SPT_BLOCK_SIZE / 4) + k] != SPT_PATTERN(lba + b, k))
                return false;
    return true;
}

/* ---- the adapters --------------------------------------------------------------------- */

static int count_testdevs(void)
{
    int n = 0;

    for (int i = 0; i < pci_count(); i++)
        if (pci_get(i)->vendor == SPT_PCI_VENDOR && pci_get(i)->device == SPT_PCI_DEVICE)
            n++;
    return n;
}

static int find_devs(struct spt_dev *devs, int max)
{
    int n = 0;

    for (int i = 0; i < sp_nadapters && n < max; i++) {
        struct sp_adapter *ad = sp_adapters[i];
        struct spt_stats s;
        if (strcmp(ad->drv->name, "sptest") || !ad->initialized)
            continue;
        devs[n].ad = ad;
        devs[n].lu = sp_lu_find(ad, 0, 0, 0);
        devs[n].role = devs[n].lu && spt_get_stats(devs[n].lu, &s) ? s.role : '?';
        n++;
    }
    return n;
}

/* Who holds the range [start, start+len) in the claimed-range table. */
static const void *range_owner(uint64_t start, uint32_t len, bool io)
{
    struct range_req q = { RANGE_BUS_PCI, 0, io, start, len };
    const struct range *c = NULL;

    if (range_test(ranges_table(), &q, NULL, &c) != RANGE_E_CLAIMED || !c)
        return NULL;
    return c->owner;
}

static void check_claims(struct spt_dev *d)
{
    struct pci_dev *p = d->ad->pci;

    if (!spt_expect_ok(p != NULL, "no PCI function recorded", "%s: bound to a pci-testdev",
                       d->ad->name))
        return;
    spt_expect_ok(range_owner(p->bar[0].base, (uint32_t)p->bar[0].size, false) == d->ad,
                  "claimed by someone else, or not at all",
                  "%s: memory BAR %llx+%llx claimed by %s", d->ad->name, p->bar[0].base,
                  p->bar[0].size, d->ad->name);
    spt_expect_ok(range_owner(p->bar[1].base, (uint32_t)p->bar[1].size, true) == d->ad,
                  "claimed by someone else, or not at all",
                  "%s: I/O BAR %llx+%llx claimed by %s", d->ad->name, p->bar[1].base,
                  p->bar[1].size, d->ad->name);
}

/* One adapter per pci-testdev, at most two (A, B): X, the overlap, refused. */
static int check_adapters(struct spt_dev *devs)
{
    int testdevs = count_testdevs(), n = find_devs(devs, 2);
    int want = MIN(testdevs, 2);

    spt_expect((uint64_t)n, (uint64_t)want, "%d pci-testdev(s): %d sptest adapter(s), "
               "the overlapping one refused", testdevs, want);
    for (int i = 0; i < n; i++) {
        spt_expect(devs[i].role, i == 0 ? SPT_ROLE_A : SPT_ROLE_B, "%s: role %c",
                   devs[i].ad->name, i == 0 ? SPT_ROLE_A : SPT_ROLE_B);
        check_claims(&devs[i]);
    }
    if (n == 2) {
        struct pci_dev *b = devs[1].ad->pci;
        spt_expect_ok(b && b != devs[0].ad->pci &&
                      devs[1].ad->ranges[0].RangeStart.QuadPart == (LONGLONG)b->bar[0].base,
                      "B holds A's range", "%s's AccessRanges[0] is its own BAR 0",
                      devs[1].ad->name);
    }
    return n;
}

/* ---- what happened at boot ------------------------------------------------------------ */

/* The HwInitialize timer ran once; the timer it armed and cancelled never did. */
static void check_timers(struct spt_dev *d)
{
    struct deadline dl = deadline_ms(TIMER_WAIT_MS);
    struct spt_stats s;

    if (!d->lu)
        return;
    while (spt_get_stats(d->lu, &s) && !s.timer_runs && !deadline_passed(&dl))
        spt_settle(10);
    spt_settle(CANCEL_WAIT_MS);
    if (!spt_get_stats(d->lu, &s)) {
        test_fail(SPT_GROUP, "%s: statistics: no answer", d->ad->name);
        return;
    }
    spt_expect(s.timer_runs, 1, "%c: RequestTimerCall from HwInitialize: the timer ran once",
               d->role);
    spt_expect(s.cancelled_runs, 0, "%c: RequestTimerCall(fn, 0) cancels: it never ran",
               d->role);
    spt_expect_ok(s.interrupts > 0, "never called", "%c: the port polls HwInterrupt "
                  "(no interrupt pin): %lu calls", d->role, s.interrupts);
}

/* The scan: LUN 0:0:0 found, targets 1 and 2 asked, the initiator id never. */
static void check_scan(struct spt_dev *d)
{
    struct disk *dk = d->lu ? d->lu->disk : NULL;
    struct spt_stats s;

    if (!spt_expect_ok(d->lu && d->lu->present, "no LU", "%c: the scan found LU 0:0:0", d->role))
        return;
    spt_expect_ok(!memcmp(d->lu->inquiry.VendorId, "SPTEST  ", 8), "vendor differs",
                  "%c: INQUIRY data kept (vendor SPTEST)", d->role);
    spt_expect_ok(sp_lu_find(d->ad, 0, 1, 0) == NULL, "LU object kept",
                  "%c: no LU left behind for the empty target 1", d->role);
    if (spt_get_stats(d->lu, &s)) {
        spt_expect_ok(s.inquiries[1] && s.inquiries[2], "not asked",
                      "%c: the scan asked targets 1 and 2", d->role);
        spt_expect(s.inquiries[SPT_INITIATOR_ID], 0,
                   "%c: the scan skipped the initiator id %d", d->role, SPT_INITIATOR_ID);
    }
    if (spt_expect_ok(dk != NULL, "not attached", "%c: a disk on LU 0:0:0", d->role))
        spt_expect(dk->blocks * dk->block_size, SPT_DISK_BYTES,
                   "%c: %s: READ CAPACITY: %u blocks of %u", d->role, dk->name, SPT_BLOCKS,
                   SPT_BLOCK_SIZE);
}

/* ---- HwStartIo checks ----------------------------------------------------------------- */

/*
 * SPT_CMD_CHECKS, with an earlier request still allocated (so the miniport
 * has a completed SRB that is not the current one to try).
 */
static void run_checks(struct spt_dev *d, bool tagged)
{
    UCHAR cdb[SPT_CDB_LEN] = { SPT_OP, SPT_CMD_STATS };
    uint8_t *buf = kzalloc(CHECKS_BUF);
    struct spt_stats s;
    struct scsi_request *prev, *r = NULL;
    SENSE_DATA sense;

    prev = spt_req(d->lu, cdb, sizeof(cdb), &s, sizeof(s), SRB_FLAGS_DATA_IN, 5, NULL);
    if (!buf || !prev || !spt_run(prev, SPT_WAIT_MS, "statistics"))
        goto out;
    cdb[1] = SPT_CMD_CHECKS;
    cdb[2] = tagged;
    r = spt_req(d->lu, cdb, sizeof(cdb), buf, CHECKS_BUF,
                SRB_FLAGS_DATA_IN | (tagged ? SRB_FLAGS_QUEUE_ACTION_ENABLE : 0), 10, &sense);
    if (r && spt_run(r, SPT_WAIT_MS, "checks"))
        spt_expect(r->srb.SrbStatus, SRB_STATUS_SUCCESS, "%c: HwStartIo checks (%s) completed",
                   d->role, tagged ? "tagged" : "untagged");
out:
    spt_req_end(r);
    spt_req_end(prev);
    kfree(buf);
    spt_print_log(d->lu);
}

static void test_busdata(struct spt_dev *d)
{
    struct pci_dev *p = d->ad->pci;
    unsigned bus = p ? p->bus : 0, dev;
    UCHAR arg;

    for (dev = PCI_MAX_DEVICES; dev-- > 0;)
        if (pci_read16(bus, dev, 0, 0) == 0xFFFF)
            break;
    if (dev >= PCI_MAX_DEVICES) {
        test_skip(SPT_GROUP, "%c: bus data checks: no empty slot on bus %u", d->role, bus);
        return;
    }
    arg = (UCHAR)dev;                   /* PCI_SLOT_NUMBER: device dev, function 0 */
    spt_expect(spt_vendor(d->lu, SPT_CMD_BUSDATA, &arg, 1, NULL, 0, 0, 5), SRB_STATUS_SUCCESS,
               "%c: bus data checks (empty slot %02x:%02x.0) completed", d->role, bus, dev);
    spt_print_log(d->lu);
}

/* ---- scatter/gather walks ------------------------------------------------------------- */

/* The miniport's runs against the page tables: same offsets, lengths, addresses. */
static bool walk_matches(const struct spt_walk *w, const uint8_t *buf, uint32_t len,
                         char *why, size_t whylen)
{
    uint32_t off = 0;

    for (ULONG i = 0; i < w->count; i++) {
        const struct spt_run *run = &w->run[i];
        uint64_t pa = 0;
        uint32_t want = off < len ? vm_walk((uint32_t)(uintptr_t)buf + off, len - off, &pa) : 0;
        if (run->offset != off || run->length != want || (want && run->pa != pa)) {
            snprintf(why, whylen, "run %lu: offset %lx len %lx pa %llx; page walk: "
                     "offset %x len %x pa %llx", i, run->offset, run->length, run->pa, off,
                     want, pa);
            return false;
        }
        if (!want)
            break;
        off += want;
    }
    if (w->end != off) {
        snprintf(why, whylen, "stopped at %lx, the runs reach %x", w->end, off);
        return false;
    }
    return true;
}

/* Walk buf (len bytes) in the miniport; expect runs runs reaching end. */
static void walk(struct spt_dev *d, uint8_t *buf, uint32_t len, uint32_t runs, uint32_t end,
                 const char *what)
{
    UCHAR cdb[SPT_CDB_LEN] = { SPT_OP, SPT_CMD_WALK };
    struct scsi_request *r = spt_req(d->lu, cdb, sizeof(cdb), buf, len, SRB_FLAGS_DATA_IN, 5, NULL);
    struct spt_walk w;
    char why[160];

    if (!r || !spt_run(r, SPT_WAIT_MS, what)) {
        spt_req_end(r);
        return;
    }
    memcpy(&w, buf, sizeof(w));
    if (spt_expect(r->srb.SrbStatus, SRB_STATUS_SUCCESS, "%c: walk %s: completed", d->role, what) &&
        spt_expect(w.magic, SPT_WALK_MAGIC, "%c: walk %s: the answer", d->role, what)) {
        spt_expect_ok(walk_matches(&w, buf, len, why, sizeof(why)), why,
                      "%c: walk %s: GetPhysicalAddress runs = the page tables'", d->role, what);
        spt_expect(w.count, runs, "%c: walk %s: %u run(s)", d->role, what, (unsigned)runs);
        spt_expect(w.end, end, "%c: walk %s: ends at byte 0x%x", d->role, what, (unsigned)end);
    }
    spt_req_end(r);
}

/* Pages 5, 2-3, 0, 7 of an 8-page run: four physical runs, each break known. */
static const uint8_t scatter_order[] = { 5, 2, 3, 0, 7 };
#define SCATTER_RUN     8
#define SCATTER_RUNS    4

static void test_walks(struct spt_dev *d)
{
    uint32_t pages[ARRAY_SIZE(scatter_order)], n = ARRAY_SIZE(scatter_order);
    uint32_t base, len;
    uint8_t *ident = kmalloc(3 * PAGE_SIZE + 512), *va;

    if (ident)
        walk(d, ident + 100, 3 * PAGE_SIZE + 100, 1, 3 * PAGE_SIZE + 100,
             "identity-mapped buffer");
    kfree(ident);
    base = pmem_alloc_run(SCATTER_RUN, 1);
    if (!base) {
        test_fail(SPT_GROUP, "%c: walk: no %u pages for the scattered window", d->role,
                  SCATTER_RUN);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        pages[i] = base + scatter_order[i] * PAGE_SIZE;
    va = vm_map_scattered(pages, n);
    if (va) {
        len = n * PAGE_SIZE - 200 - 300;
        walk(d, va + 200, len, SCATTER_RUNS, len, "scattered window");
        /* The last mapped page and the unmapped guard page after it. */
        walk(d, va + (n - 1) * PAGE_SIZE + 2048, PAGE_SIZE, 2, 2048,
             "into the window's unmapped guard page");
        vm_unmap_scattered(va, n);
    } else {
        test_fail(SPT_GROUP, "%c: walk: vm_map_scattered failed", d->role);
    }
    pmem_free(base, SCATTER_RUN);
}

/* ---- the end: data for the host, refusals counted ------------------------------------- */

static void print_crc(struct spt_dev *d)
{
    uint8_t *buf = kmalloc(CRC_BLOCKS * SPT_BLOCK_SIZE);
    struct disk *dk = d->lu->disk;

    if (!buf || !dk || disk_rw(dk, DISK_READ, 0, CRC_BLOCKS, buf, NULL, NULL) != 0) {
        test_fail(SPT_GROUP, "%c: read of blocks 0-%d through the disk layer failed", d->role,
                  CRC_BLOCKS - 1);
    } else {
        spt_expect_ok(spt_pattern_ok(buf, 0, CRC_BLOCKS), "data differs",
                      "%c: %s: blocks 0-%d hold the pattern", d->role, dk->name, CRC_BLOCKS - 1);
        printf("sptest: %s blocks 0-%d crc32 %08x\n", d->ad->name, CRC_BLOCKS - 1,
               (unsigned)crc32(0, buf, CRC_BLOCKS * SPT_BLOCK_SIZE));
    }
    kfree(buf);
}

static void print_refusals(struct spt_dev *d)
{
    struct spt_stats s;

    if (!spt_get_stats(d->lu, &s)) {
        test_fail(SPT_GROUP, "refusal counts: no answer");
        return;
    }
    printf("sptest: refusals physaddr %lu bad_ext %lu virtaddr %lu validate_outside %lu "
           "validate_malformed %lu notify_bad_srb %lu device_base %lu uncached %lu\n",
           s.refused.physaddr, s.refused.bad_ext, s.refused.virtaddr, s.refused.validate_outside,
           s.refused.validate_malformed, s.refused.notify_bad_srb, s.refused.device_base,
           s.refused.uncached);
}

static const struct {
    const char *name;
    void (*fn)(struct spt_dev *d);
} phases_a[] = {
    { "the bus data checks", test_busdata },
    { "the malformed requests", spt_test_malformed },
    { "the queue freeze tests", spt_test_freeze },
    { "the BUSY tests", spt_test_busy },
    { "the deferred completions", spt_test_deferred },
    { "the timeout", spt_test_timeout },
};

static void test_adapter(struct spt_dev *d)
{
    check_scan(d);
    if (!d->lu || !d->lu->present)
        return;
    run_checks(d, false);
    if (d->role == SPT_ROLE_A)
        run_checks(d, true);
    spt_recover(d, "the HwStartIo checks");
    test_walks(d);
    spt_print_log(d->lu);
    spt_recover(d, "the walks");
    if (d->role == SPT_ROLE_A) {
        for (unsigned i = 0; i < ARRAY_SIZE(phases_a); i++) {
            phases_a[i].fn(d);
            spt_recover(d, phases_a[i].name);
        }
    } else {
        spt_test_port_sense(d);
        spt_recover(d, "the port's REQUEST SENSE tests");
    }
    print_crc(d);
}

void selftest_scsiport(void)
{
    struct spt_dev devs[2];
    int n;

    printf("selftest scsiport: %d adapter(s) in all\n", sp_nadapters);
    n = check_adapters(devs);
    if (n == 0 || !devs[0].lu) {
        test_fail(SPT_GROUP, "no sptest adapter with LU 0:0:0 (boot with -device pci-testdev)");
        return;
    }
    for (int i = 0; i < n; i++)
        check_timers(&devs[i]);
    spt_print_log(devs[0].lu);          /* HwFindAdapter, HwInitialize, HwTimer of A, X, B */
    for (int i = 0; i < n; i++)
        test_adapter(&devs[i]);
    print_refusals(&devs[0]);
}
