/*
 * The disk layer: block devices over the port driver, what NT's class
 * drivers did.  Capacity from READ CAPACITY (10, then 16 past 2 TiB);
 * READ/WRITE(10) or (16) chosen by capacity; requests split by the
 * adapter's MaximumTransferLength and NumberOfPhysicalBreaks (an SG entry
 * count, as NT's storage stack treats it: at most (NOPB - 1) pages, so a
 * buffer that does not start on a page boundary still fits); bounce
 * buffers where a buffer breaks the adapter's AlignmentMask; retries on
 * UNIT ATTENTION, bus resets, timeouts and "becoming ready"; errors
 * reported once with decoded sense.
 */
#ifndef DISK_H
#define DISK_H

#include "types.h"
#include "sense.h"

struct sp_lu;
struct scsi_request;

#define DISK_MAX 32

struct disk {
    struct sp_lu *lu;
    int index;                  /* "scsi device <index>" */
    char name[8];               /* sd0, cd0, dev0 */
    bool gone;                  /* detached: left in the table, unusable */
    uint8_t type;               /* peripheral device type */
    bool removable;
    bool block;                 /* a block device (disk, CD, optical, RBC) */
    bool medium;                /* capacity known (a CD may have none) */
    bool use16;                 /* READ/WRITE(16) */
    bool write_cache;           /* flush before power-off */
    uint32_t block_size;
    uint8_t block_shift;        /* log2(block_size) */
    uint8_t fast_ops;           /* 1 << DISK_READ / DISK_WRITE: a transfer may take disk_rw's
                                   short path (a medium, not gone, writable for a write) */
    uint32_t timeout_s;         /* per transfer (disk.timeout=) */
    uint64_t blocks;
    char vendor[9], product[17], revision[5];
    uint32_t max_bytes;         /* per request, from the adapter's limits */
    uint32_t max_blocks;        /* ... in blocks (at least 1), once the block size is known */
    uint32_t align_mask;
    bool one_page;              /* NumberOfPhysicalBreaks <= 1: one SG entry */
    struct sense_info last_sense;
    bool last_sense_valid;
    uint32_t errors;
    struct scsi_request *req;   /* the disk's own request (NULL: use the pool) */
    bool req_busy;              /* ... out: a nested command takes one from the pool */
};

enum disk_op { DISK_READ, DISK_WRITE, DISK_VERIFY };

/* Called after each chunk of a long transfer; return false to stop (Ctrl-C). */
typedef bool (*disk_progress_fn)(void *ctx, uint64_t done_blocks, uint64_t total_blocks);

void disk_attach(struct sp_lu *lu);
void disk_detach(struct sp_lu *lu);
int disk_count(void);
struct disk *disk_get(int index);           /* NULL if none (or gone) */

/* 0 on success; -1 after one printed line; 1 when progress() said stop. */
int disk_rw(struct disk *d, enum disk_op op, uint64_t lba, uint64_t count, void *buf,
            disk_progress_fn progress, void *ctx);
int disk_flush(struct disk *d);
int disk_read_capacity(struct disk *d);
void disk_flush_all(void);
const char *disk_type_name(uint8_t type);

/* In disk_command's flags (a class-driver bit of SrbFlags): no error line. */
#define DISK_QUIET  0x80000000u

/* One raw command with the disk layer's retries; fills d->last_sense. */
int disk_command(struct disk *d, const uint8_t *cdb, unsigned cdb_len, void *buf,
                 uint32_t len, uint32_t flags, uint32_t timeout_s, const char *what,
                 uint64_t lba);

#endif
