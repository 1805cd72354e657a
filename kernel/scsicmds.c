/*
 * The `scsi` command, in U-Boot's syntax and output shapes: scan, info,
 * device, read, write; plus verify, flush and sense.  Numbers are hex.
 * Long transfers show progress on one line and stop at Ctrl-C.
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "parse.h"
#include "disk.h"
#include "scsiport.h"
#include "vm.h"
#include "time.h"
#include "scsicmds.h"

static int current = -1;                /* "scsi device" */

/* Until a device is chosen, the first one the scan found is current. */
static void pick_default(void)
{
    for (int i = 0; current < 0 && i < disk_count(); i++)
        if (disk_get(i))
            current = i;
}

struct disk *scsi_cur_disk(const char *cmd)
{
    struct disk *d;

    pick_default();
    d = disk_get(current);

    if (!d) {
        if (current < 0)
            printf("scsi %s: no SCSI devices (scsi scan looks again)\n", cmd);
        else
            printf("scsi %s: device %d is gone\n", cmd, current);
    }
    return d;
}

static void print_capacity(const struct disk *d)
{
    uint64_t bytes = d->blocks * d->block_size;
    uint64_t mb10 = bytes * 10 / (1024 * 1024);

    printf("            Capacity: %llu.%llu MB = %llu.%llu GB (%llu x %u)\n",
           mb10 / 10, mb10 % 10, mb10 / 10240, (mb10 / 1024) % 10,
           (unsigned long long)d->blocks, (unsigned)d->block_size);
}

static void print_device(const struct disk *d)
{
    struct sp_lu *lu = d->lu;

    printf("  Device %d: (%s %u:%u:%u) Vendor: %s Prod.: %s Rev: %s\n", d->index,
           lu->ad->name, lu->path, lu->target, lu->lun, d->vendor, d->product, d->revision);
    printf("            Type: %s%s (%s)\n", d->removable ? "Removable " : "",
           disk_type_name(d->type), d->name);
    if (d->block && d->medium)
        print_capacity(d);
    else if (d->block)
        printf("            Capacity: not available (no medium)\n");
}

static int do_info(int argc __unused, char **argv __unused)
{
    int shown = 0;

    for (int i = 0; i < disk_count(); i++) {
        struct disk *d = disk_get(i);
        if (d) {
            print_device(d);
            shown++;
        }
    }
    if (!shown)
        printf("No SCSI devices found\n");
    pick_default();
    return CMD_OK;
}

static int do_scan(int argc, char **argv)
{
    printf("scanning bus for devices...\n");
    for (int i = 0; i < sp_nadapters; i++)
        if (sp_adapters[i]->initialized)
            sp_rescan(sp_adapters[i]);
    return do_info(argc, argv);
}

static int do_device(int argc, char **argv)
{
    uint32_t n;

    if (argc == 2) {
        struct disk *d = scsi_cur_disk("device");
        if (!d)
            return CMD_FAIL;
        print_device(d);
        return CMD_OK;
    }
    if (!parse_u32(argv[2], 16, &n)) {
        printf("scsi device: '%s' is not a hex number\n", argv[2]);
        return CMD_FAIL;
    }
    if (!disk_get((int)n)) {
        printf("scsi device: no device %u (scsi info lists them)\n", (unsigned)n);
        return CMD_FAIL;
    }
    current = (int)n;
    print_device(disk_get(current));
    printf("... is now current device\n");
    return CMD_OK;
}

/* ---- transfers ------------------------------------------------------------------- */

struct progress {
    struct disk *d;
    uint64_t start_us, last_us;
    bool shown;
};

static bool show_progress(void *ctx, uint64_t done, uint64_t total)
{
    struct progress *p = ctx;
    uint64_t now = time_us(), el = now - p->start_us;

    if (console_interrupted()) {
        if (p->shown)
            printf("\n");
        printf("interrupted at block %llu of %llu\n", (unsigned long long)done,
               (unsigned long long)total);
        return false;
    }
    if (now - p->last_us < 250000 || done == total || el < 500000)
        return true;
    p->last_us = now;
    uint64_t bytes = done * p->d->block_size;
    uint64_t kbs = el ? bytes * 1000 / el : 0;     /* KB/s (10^3) */
    uint64_t left_s = done ? (el * (total - done) / done) / 1000000 : 0;
    printf("\r  %3u%%  %llu.%llu MB/s  %llu s left   ", (unsigned)(done * 100 / total),
           kbs / 1000, (kbs / 100) % 10, left_s);
    p->shown = true;
    return true;
}

static int transfer(struct disk *d, enum disk_op op, uint64_t addr, uint64_t blk, uint64_t cnt,
                    const char *cmd)
{
    static const char *const done_word[] = { "read", "written", "verified" };
    struct progress p = { d, time_us(), time_us(), false };
    uint64_t bytes = cnt * d->block_size;
    const char *why;
    int rc;

    if (op != DISK_VERIFY) {
        if (addr > 0xFFFFFFFFull || bytes > 0xFFFFFFFFull - addr) {
            printf("scsi %s: %llx+%llx bytes is past the 4 GiB address space; refused\n", cmd,
                   (unsigned long long)addr, (unsigned long long)bytes);
            return CMD_FAIL;
        }
        why = vm_check_access((uint32_t)addr, (uint32_t)bytes, op == DISK_READ);
        if (why) {
            printf("scsi %s: memory %08llx..%08llx: %s; refused\n", cmd,
                   (unsigned long long)addr, (unsigned long long)(addr + bytes - 1), why);
            return CMD_FAIL;
        }
    }
    if (d->block && d->medium && (blk >= d->blocks || cnt > d->blocks - blk)) {
        printf("%s: %s: blocks %llu+%llu are past the end (%llu blocks)\n", d->name, cmd,
               (unsigned long long)blk, (unsigned long long)cnt, (unsigned long long)d->blocks);
        return CMD_FAIL;
    }
    printf("\nSCSI %s: device %d block # %llu, count %llu ... ", cmd, d->index,
           (unsigned long long)blk, (unsigned long long)cnt);
    console_interrupted();              /* forget an old ^C */
    rc = disk_rw(d, op, blk, cnt, (void *)(uintptr_t)addr, show_progress, &p);
    if (p.shown || rc)
        console_fresh_line();
    printf("%llu blocks %s: %s\n", (unsigned long long)cnt, done_word[op],
           rc == 0 ? "OK" : rc > 0 ? "INTERRUPTED" : "ERROR");
    return rc ? CMD_FAIL : CMD_OK;
}

/* read addr blk# cnt, write addr blk# cnt, verify blk# cnt (the first letter tells them apart). */
static int do_transfer(int argc, char **argv)
{
    static const char *const names[] = { "addr", "blk#", "cnt" };
    const char *cmd = argv[1];
    enum disk_op op = cmd[0] == 'r' ? DISK_READ : cmd[0] == 'w' ? DISK_WRITE : DISK_VERIFY;
    uint64_t v[3] = { 0 };              /* verify has no addr */
    struct disk *d;

    for (int i = 5 - argc; i < 3; i++) {
        const char *arg = argv[argc - 3 + i];
        if (!parse_u64(arg, 16, &v[i])) {
            printf("scsi %s: %s '%s' is not a hex number\n", cmd, names[i], arg);
            return CMD_FAIL;
        }
    }
    d = scsi_cur_disk(cmd);
    if (!d)
        return CMD_FAIL;
    return transfer(d, op, v[0], v[1], v[2], cmd);
}

static int do_flush(int argc __unused, char **argv __unused)
{
    struct disk *d = scsi_cur_disk("flush");

    if (!d)
        return CMD_FAIL;
    if (disk_flush(d) < 0)
        return CMD_FAIL;
    printf("%s: cache flushed\n", d->name);
    return CMD_OK;
}

static int do_sense(int argc __unused, char **argv __unused)
{
    struct disk *d = scsi_cur_disk("sense");
    char text[96];

    if (!d)
        return CMD_FAIL;
    if (!d->last_sense_valid) {
        printf("%s: no sense data from the last command\n", d->name);
        return CMD_OK;
    }
    sense_format(text, sizeof(text), &d->last_sense);
    printf("%s: %s\n", d->name, text);
    printf("  response code %02x, key %x, ASC %02x, ASCQ %02x%s", d->last_sense.response,
           d->last_sense.key, d->last_sense.asc, d->last_sense.ascq,
           d->last_sense.info_valid ? "" : "\n");
    if (d->last_sense.info_valid)
        printf(", information %llu\n", (unsigned long long)d->last_sense.info);
    return CMD_OK;
}

static int do_bench(int argc, char **argv)
{
    struct disk *d = scsi_cur_disk("bench");

    return d ? scsi_bench(d, argc - 2, argv + 2) : CMD_FAIL;
}

/* The subcommands, each with the word counts it takes (the command's own included). */
static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    uint8_t min_argc, max_argc;
} subs[] = {
    { "scan", do_scan, 2, 2 },
    { "info", do_info, 2, 2 },
    { "device", do_device, 2, 3 },
    { "read", do_transfer, 5, 5 },
    { "write", do_transfer, 5, 5 },
    { "verify", do_transfer, 4, 4 },
    { "flush", do_flush, 2, 2 },
    { "sense", do_sense, 2, 2 },
    { "smart", scsi_smart, 2, 3 },      /* NULL without scsismart.o: unknown */
    { "bench", do_bench, 2, 6 },
};

static int do_scsi(int argc, char **argv)
{
    for (unsigned i = 0; argc > 1 && i < ARRAY_SIZE(subs); i++) {
        if (strcmp(argv[1], subs[i].name) || !subs[i].fn)
            continue;
        if (argc < subs[i].min_argc || argc > subs[i].max_argc)
            return CMD_USAGE;
        return subs[i].fn(argc, argv);
    }
    if (argc > 1)
        printf("scsi: unknown subcommand '%s'\n", argv[1]);
    return CMD_USAGE;
}
const char scsi_usage[sizeof(scsi_usage)] __attribute__((weak)) = SCSI_USAGE("");
const char scsi_help[sizeof(scsi_help)] __attribute__((weak)) = SCSI_HELP("");
SHELL_COMMAND(scsi, do_scsi, scsi_usage, scsi_help);
