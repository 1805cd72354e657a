/*
 * The `errlog` command: the last ERRLOG_KEEP ScsiPortLogError entries, kept
 * in a ring taken from the heap at the first one (most runs log none).  A
 * diagnostic, in build/kernel.elf only; without it the entries are only in
 * the log lines ScsiPortLogError prints (apilog.c).
 */
#include "port.h"
#include "console.h"
#include "shell.h"
#include "string.h"
#include "time.h"
#include "heap.h"

#define ERRLOG_KEEP         16

struct errlog_entry {
    uint64_t when_us;
    char adapter[16];
    UCHAR path, target, lun;
    ULONG code, unique;
};

static struct errlog_entry *errlog; /* heap, on the first entry: most runs log none */
static uint32_t errlog_total;       /* entries ever kept; the ring holds the last */

/* Without memory for the ring the entry is only in the log line. */
void errlog_add(const struct sp_adapter *ad, UCHAR path, UCHAR target, UCHAR lun,
                ULONG code, ULONG unique)
{
    struct errlog_entry *e;

    if (!errlog)
        errlog = kmalloc(ERRLOG_KEEP * sizeof(*errlog));
    if (!errlog)
        return;
    e = &errlog[errlog_total % ERRLOG_KEEP];
    e->when_us = time_us();
    strlcpy(e->adapter, ad->name, sizeof(e->adapter));
    e->path = path;
    e->target = target;
    e->lun = lun;
    e->code = code;
    e->unique = unique;
    errlog_total++;
}

static void errlog_print(const struct errlog_entry *e)
{
    printf("%5u.%06u %-8s %u:%u:%u %s (0x%lx) unique 0x%lx\n",
           (unsigned)(e->when_us / 1000000), (unsigned)(e->when_us % 1000000), e->adapter,
           e->path, e->target, e->lun, sp_error_name(e->code), e->code, e->unique);
}

static void errlog_show(void)
{
    uint32_t first = errlog_total > ERRLOG_KEEP ? errlog_total - ERRLOG_KEEP : 0;

    printf("%u error log entries", (unsigned)errlog_total);
    if (first)
        printf(", the last %d:", ERRLOG_KEEP);
    printf("\n");
    for (uint32_t i = first; i < errlog_total; i++)
        errlog_print(&errlog[i % ERRLOG_KEEP]);
}

static int do_errlog(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    errlog_show();
    return CMD_OK;
}
SHELL_COMMAND(errlog, do_errlog, "", "the miniports' ScsiPortLogError entries (last 16)");
