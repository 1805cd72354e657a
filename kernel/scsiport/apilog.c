/*
 * What miniports say: ScsiPortLogError (the system error log: one line,
 * counted per adapter, the last ERRLOG_KEEP entries kept for the `errlog`
 * command) and ScsiDebugPrint (the DDK's DebugPrint((level, fmt, ...))).
 *
 * ScsiDebugPrint levels: the DDK prints level 0 and 1 for things worth
 * seeing (errors, adapter found) and 2 and up for tracing, so levels 0-1
 * go to LOG_INFO and 2+ to LOG_DEBUG (`loglevel=3` shows them).  The
 * message carries no adapter, so the prefix is "miniport"; each line of
 * it is one log line (DDK messages end in "\n", which is dropped).
 */
#include "port.h"
#include "scsiport.h"
#include "console.h"
#include "string.h"
#include "time.h"
#include "heap.h"

#define DEBUGPRINT_BUF      256     /* as NT's ScsiDebugPrint */
#define ERRLOG_KEEP         16

struct errlog_entry {
    uint64_t when_us;
    char adapter[16];
    UCHAR path, target, lun;
    ULONG code, unique;
};

static struct errlog_entry *errlog; /* heap, on the first entry: most runs log none */
static uint32_t errlog_total;       /* entries ever kept; the ring holds the last */

static const char *const sp_error_names[] = {
    [SP_BUS_PARITY_ERROR] = "SP_BUS_PARITY_ERROR",
    [SP_UNEXPECTED_DISCONNECT] = "SP_UNEXPECTED_DISCONNECT",
    [SP_INVALID_RESELECTION] = "SP_INVALID_RESELECTION",
    [SP_BUS_TIME_OUT] = "SP_BUS_TIME_OUT",
    [SP_PROTOCOL_ERROR] = "SP_PROTOCOL_ERROR",
    [SP_INTERNAL_ADAPTER_ERROR] = "SP_INTERNAL_ADAPTER_ERROR",
    [SP_REQUEST_TIMEOUT] = "SP_REQUEST_TIMEOUT",
    [SP_IRQ_NOT_RESPONDING] = "SP_IRQ_NOT_RESPONDING",
    [SP_BAD_FW_WARNING] = "SP_BAD_FW_WARNING",
    [SP_BAD_FW_ERROR] = "SP_BAD_FW_ERROR",
    [SP_LOST_WMI_MINIPORT_REQUEST] = "SP_LOST_WMI_MINIPORT_REQUEST",
};

static const char *sp_error_name(ULONG code)
{
    if (code < ARRAY_SIZE(sp_error_names) && sp_error_names[code])
        return sp_error_names[code];
    return "unknown error code";
}

/* Without memory for the ring the entry is only in the log line. */
static void errlog_add(const struct sp_adapter *ad, UCHAR path, UCHAR target, UCHAR lun,
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

VOID NTAPI ScsiPortLogError(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, UCHAR PathId,
                            UCHAR TargetId, UCHAR Lun, ULONG ErrorCode, ULONG UniqueId)
{
    struct sp_adapter *ad = sp_adapter_from_ext(HwDeviceExtension, "ScsiPortLogError");

    (void)Srb;                  /* NT records it in the dump data; the line says enough */
    if (!ad)
        return;
    ad->errors_logged++;
    errlog_add(ad, PathId, TargetId, Lun, ErrorCode, UniqueId);
    pr_info(ad->name, "error log: %u:%u:%u %s (0x%lx) unique 0x%lx", PathId, TargetId, Lun,
            sp_error_name(ErrorCode), ErrorCode, UniqueId);
}

static void errlog_print(const struct errlog_entry *e)
{
    printf("%5u.%06u %-8s %u:%u:%u %s (0x%lx) unique 0x%lx\n",
           (unsigned)(e->when_us / 1000000), (unsigned)(e->when_us % 1000000), e->adapter,
           e->path, e->target, e->lun, sp_error_name(e->code), e->code, e->unique);
}

void errlog_show(void)
{
    uint32_t first = errlog_total > ERRLOG_KEEP ? errlog_total - ERRLOG_KEEP : 0;

    printf("%u error log entries", (unsigned)errlog_total);
    if (first)
        printf(", the last %d:", ERRLOG_KEEP);
    printf("\n");
    for (uint32_t i = first; i < errlog_total; i++)
        errlog_print(&errlog[i % ERRLOG_KEEP]);
}

/* One log line per line of the message; empty lines are dropped. */
static void debugprint_lines(int level, char *msg)
{
    while (*msg) {
        char *nl = strchr(msg, '\n');
        if (nl)
            *nl = '\0';
        size_t n = strlen(msg);
        while (n && msg[n - 1] == '\r')
            msg[--n] = '\0';
        if (n)
            LOG(level, "miniport", "%s", msg);
        if (!nl)
            break;
        msg = nl + 1;
    }
}

VOID __cdecl ScsiDebugPrint(ULONG DebugPrintLevel, PCCHAR DebugMessage, ...)
{
    int level = DebugPrintLevel <= 1 ? LOG_INFO : LOG_DEBUG;
    char buf[DEBUGPRINT_BUF];
    va_list ap;

    if (level > log_level || !DebugMessage)
        return;
    va_start(ap, DebugMessage);
    vsnprintf(buf, sizeof(buf), DebugMessage, ap);
    va_end(ap);
    debugprint_lines(level, buf);
}
