/*
 * `scsi bench`: throughput and IOPS of one device, measured through the
 * same layers a user's read takes.  The `scsi` command (scsicmds.c) hands
 * the subcommand's arguments here with the current device.
 */
#ifndef SCSIBENCH_H
#define SCSIBENCH_H

struct disk;

#define SCSI_BENCH_USAGE    "bench [seq|rand|write] [qd] [size] [total]"

/* argv[0] is the first word after "bench"; returns CMD_OK, CMD_FAIL or CMD_USAGE. */
int scsi_bench(struct disk *d, int argc, char **argv);

#endif
