/*
 * `disktest`: write patterns the host can check, for the reliability tests.
 *
 *   disktest seq lba# cnt gen [every] [fua]
 *       Writes blocks lba#..lba#+cnt-1 of the current device, one per
 *       command, each holding a self-describing record (magic, generation,
 *       LBA, CRC of the record).  After every `every` blocks (default 8) and
 *       at the end it sends SYNCHRONIZE CACHE and, once that is
 *       acknowledged, prints "disktest: flushed N" (N blocks are durable).
 *       With fua, each write is WRITE(10) with FUA and every acknowledged
 *       block is durable by itself: "disktest: durable N" after each.
 *
 * The host kills QEMU at a random moment and checks that every block
 * before the last reported N carries its record: nothing acknowledged is
 * lost.
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "parse.h"
#include "heap.h"
#include "crc32.h"
#include "disk.h"
#include "scsiport.h"

#define RECORD_MAGIC "ATASCSI!"

struct record {
    char magic[8];
    uint32_t gen;
    uint32_t lba_lo, lba_hi;
    uint32_t crc;                   /* of the bytes before it */
} __attribute__((packed));

static struct disk *pick_disk(void)
{
    for (int i = 0; i < disk_count(); i++) {
        struct disk *d = disk_get(i);
        if (d && d->block && d->medium && d->type == DIRECT_ACCESS_DEVICE)
            return d;
    }
    return NULL;
}

static void fill(uint8_t *blk, uint32_t size, uint32_t gen, uint64_t lba)
{
    struct record *r = (struct record *)blk;

    memset(blk, (int)(gen & 0xFF), size);
    memcpy(r->magic, RECORD_MAGIC, 8);
    r->gen = gen;
    r->lba_lo = (uint32_t)lba;
    r->lba_hi = (uint32_t)(lba >> 32);
    r->crc = crc32(0, r, offsetof(struct record, crc));
}

static int write_fua(struct disk *d, uint64_t lba, uint8_t *blk)
{
    uint8_t cdb[10] = { SCSIOP_WRITE, 0x08 };   /* FUA */

    cdb[2] = (uint8_t)(lba >> 24);
    cdb[3] = (uint8_t)(lba >> 16);
    cdb[4] = (uint8_t)(lba >> 8);
    cdb[5] = (uint8_t)lba;
    cdb[8] = 1;
    return disk_command(d, cdb, 10, blk, d->block_size, SRB_FLAGS_DATA_OUT, 30, "write", lba);
}

static int do_seq(int argc, char **argv)
{
    uint64_t lba, cnt, gen, every = 8;
    bool fua = argc > 6 && !strcmp(argv[6], "fua");
    struct disk *d = pick_disk();
    uint8_t *blk;

    if (argc < 5 || !parse_u64(argv[2], 16, &lba) || !parse_u64(argv[3], 16, &cnt) ||
        !parse_u64(argv[4], 16, &gen) || (argc > 5 && !parse_u64(argv[5], 16, &every)) ||
        !every)
        return CMD_USAGE;
    if (!d) {
        printf("disktest: no disk\n");
        return CMD_FAIL;
    }
    if (lba >= d->blocks || cnt > d->blocks - lba) {
        printf("disktest: %s has %llu blocks\n", d->name, (unsigned long long)d->blocks);
        return CMD_FAIL;
    }
    blk = dma_alloc(d->block_size);
    if (!blk)
        return CMD_FAIL;
    for (uint64_t i = 0; i < cnt; i++) {
        fill(blk, d->block_size, (uint32_t)gen, lba + i);
        if (fua ? write_fua(d, lba + i, blk) : disk_rw(d, DISK_WRITE, lba + i, 1, blk, NULL, NULL)) {
            dma_free(blk, d->block_size);
            return CMD_FAIL;
        }
        if (fua) {
            printf("disktest: durable %llu\n", (unsigned long long)(i + 1));
        } else if ((i + 1) % every == 0 || i + 1 == cnt) {
            if (disk_flush(d)) {
                dma_free(blk, d->block_size);
                return CMD_FAIL;
            }
            printf("disktest: flushed %llu\n", (unsigned long long)(i + 1));
        }
    }
    dma_free(blk, d->block_size);
    return CMD_OK;
}

static int do_disktest(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "seq"))
        return do_seq(argc, argv);
    return CMD_USAGE;
}
SHELL_COMMAND(disktest, do_disktest, "seq lba# cnt gen [every] [fua]",
              "write self-checking records with flushes, for power-loss tests");
