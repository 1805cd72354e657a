/*
 * The `scsi` command's parts: scsicmds.c dispatches, scsibench.c and
 * scsismart.c run a subcommand each.  `scsi smart` is a diagnostic that
 * the product image leaves out: scsismart.c, when linked, supplies
 * scsi_smart() and the usage and help lines that name it, in place of
 * scsicmds.c's weak ones.
 */
#ifndef SCSICMDS_H
#define SCSICMDS_H

#include "scsibench.h"

#define SCSI_SMART_USAGE    "smart [what] | "
#define SCSI_SMART_HELP     "SMART, "
#define SCSI_USAGE(smart)                                                   \
    "scan | info | device [n] | read addr blk# cnt | write addr blk# cnt | " \
    "verify blk# cnt | flush | sense | " smart SCSI_BENCH_USAGE
#define SCSI_HELP(smart)                                                    \
    "SCSI devices: list, select, read, write, verify, flush, sense, " smart "bench"

/* One size for both versions, as the (LTO) linker wants; the short one ends in NULs. */
extern const char scsi_usage[sizeof(SCSI_USAGE(SCSI_SMART_USAGE))];
extern const char scsi_help[sizeof(SCSI_HELP(SCSI_SMART_HELP))];

/* The current device, or NULL after "scsi CMD: ..." saying why there is none. */
struct disk *scsi_cur_disk(const char *cmd);

/* `scsi smart [what]`: argv[1] is "smart", argc 2 or 3 (scsicmds.c checks);
   NULL where scsismart.o is not linked. */
int scsi_smart(int argc, char **argv) __attribute__((weak));

#endif
