/*
 * What miniports say: ScsiPortLogError (the system error log: one line,
 * counted per adapter; errlog.c keeps the last entries for the `errlog`
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

const char *sp_error_name(ULONG code)
{
    if (code < ARRAY_SIZE(sp_error_names) && sp_error_names[code])
        return sp_error_names[code];
    return "unknown error code";
}

/* The `errlog` command's ring (errlog.c, in build/kernel.elf) replaces this. */
void __attribute__((weak)) errlog_add(const struct sp_adapter *ad, UCHAR path, UCHAR target,
                                      UCHAR lun, ULONG code, ULONG unique)
{
    (void)ad, (void)path, (void)target, (void)lun, (void)code, (void)unique;
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
