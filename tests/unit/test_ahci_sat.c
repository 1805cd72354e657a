/*
 * Host tests of the AHCI miniport's SCSI-to-ATA translation (hba/ahci_sat.c):
 * CDB -> task file / reply / sense, ATA registers -> sense, FIS layout.
 * The IDENTIFY data is built here field by field, so every expectation
 * follows from a value this file set.  READ/WRITE(10/16), and the
 * miniport's fast path for them (sat_rw_fast), are also checked against an
 * oracle written here from SBC-3 and ACS-3 (the second half of the file).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "scsi.h"
#include "ahci_sat.h"

static USHORT id[256];
static struct sat_disk disk;
static UCHAR reply[SAT_REPLY_MAX];

static void id_string(unsigned word, const char *s, unsigned chars)
{
    for (unsigned i = 0; i < chars; i += 2) {
        UCHAR a = i < strlen(s) ? (UCHAR)s[i] : ' ';
        UCHAR b = i + 1 < strlen(s) ? (UCHAR)s[i + 1] : ' ';
        id[word + i / 2] = (USHORT)(a << 8 | b);
    }
}

/* A 48-bit NCQ disk: 0x123456789 sectors of 512 bytes, 4 KiB physical. */
static void make_disk(unsigned long long sectors, BOOLEAN ncq)
{
    memset(id, 0, sizeof(id));
    id_string(ID_SERIAL, "SN123", ID_SERIAL_LEN);
    id_string(ID_FW_REV, "FW01REV2", ID_FW_REV_LEN);
    id_string(ID_MODEL, "TEST DISK MODEL 1234", ID_MODEL_LEN);
    id[ID_CAPABILITIES] = ID_CAP_LBA | ID_CAP_DMA;
    id[ID_LBA28_SECTORS] = 0xFFFF;
    id[ID_LBA28_SECTORS + 1] = 0x0FFF;
    id[ID_SATA_CAP] = ncq ? ID_SATA_CAP_NCQ : 0;
    id[ID_QUEUE_DEPTH] = 31;
    id[ID_CMDSET_82] = id[ID_CMDSET_85] = ID_82_SMART | ID_82_WRITE_CACHE | ID_82_LOOK_AHEAD;
    id[ID_CMDSET_83] = id[ID_CMDSET_86] = ID_83_LBA48 | ID_83_FLUSH_EXT;
    id[ID_CMDSET_84] = id[ID_CMDSET_87] = 0x4000 | ID_84_FUA_EXT | ID_84_WWN;
    for (int i = 0; i < 4; i++)
        id[ID_LBA48_SECTORS + i] = (USHORT)(sectors >> (16 * i));
    id[ID_SECTOR_SIZE] = ID_SS_VALID | ID_SS_MULTIPLE | 3;
    id[ID_WWN] = 0x5000;
    id[ID_WWN + 1] = 0x1234;
    id[ID_WWN + 2] = 0x5678;
    id[ID_WWN + 3] = 0x9ABC;
    id[ID_ROTATION_RATE] = 1;
    assert_true(sat_disk_init(&disk, id, TRUE));
}

static void xlate(const UCHAR *cdb, UCHAR len, ULONG data_len, struct sat_xlat *x)
{
    memset(reply, 0xEE, sizeof(reply));
    sat_translate(&disk, cdb, len, data_len, reply, x);
}

static void assert_check(const struct sat_xlat *x, UCHAR key, UCHAR asc, UCHAR ascq)
{
    assert_int_equal(x->kind, SAT_CHECK);
    assert_int_equal(x->sense.key, key);
    assert_int_equal(x->sense.asc, asc);
    assert_int_equal(x->sense.ascq, ascq);
}

static ULONG be32(const UCHAR *p)
{
    return (ULONG)p[0] << 24 | (ULONG)p[1] << 16 | (ULONG)p[2] << 8 | p[3];
}

/* ---- IDENTIFY parsing ------------------------------------------------------------------- */

static void test_identify(void **state)
{
    (void)state;
    make_disk(0x123456789ull, TRUE);
    assert_true(disk.lba48);
    assert_true(disk.ncq);
    assert_int_equal(disk.queue_depth, 32);
    assert_true(disk.sectors == 0x123456789ull);
    assert_int_equal(disk.sector_size, 512);
    assert_int_equal(disk.phys_exp, 3);
    assert_true(disk.fua);
    assert_true(disk.write_cache);
    /* The HBA without NCQ: no NCQ whatever the disk says. */
    assert_true(sat_disk_init(&disk, id, FALSE));
    assert_false(disk.ncq);
    /* No LBA: unusable. */
    id[ID_CAPABILITIES] = 0;
    assert_false(sat_disk_init(&disk, id, TRUE));
}

static void test_id_string(void **state)
{
    char s[41];

    (void)state;
    make_disk(1000, FALSE);
    sat_id_string(id, ID_MODEL, ID_MODEL_LEN, s);
    assert_string_equal(s, "TEST DISK MODEL 1234");
    sat_id_string(id, ID_SERIAL, ID_SERIAL_LEN, s);
    assert_string_equal(s, "SN123");
}

/* ---- INQUIRY ---------------------------------------------------------------------------- */

static void test_inquiry_standard(void **state)
{
    UCHAR cdb[6] = { SCSIOP_INQUIRY, 0, 0, 0, 96, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1000, TRUE);
    xlate(cdb, 6, 96, &x);
    assert_int_equal(x.kind, SAT_REPLY);
    assert_int_equal(x.reply_len, 36);
    assert_int_equal(reply[0], DIRECT_ACCESS_DEVICE);
    assert_int_equal(reply[4], 31);
    assert_int_equal(reply[7] & 0x02, 0x02);                /* CMDQUE with NCQ */
    assert_memory_equal(reply + 8, "ATA     ", 8);
    assert_memory_equal(reply + 16, "TEST DISK MODEL ", 16);
    assert_memory_equal(reply + 32, "REV2", 4);
    /* Allocation length cuts the reply. */
    cdb[4] = 5;
    xlate(cdb, 6, 96, &x);
    assert_int_equal(x.reply_len, 5);
    /* A page code without EVPD is an invalid field. */
    cdb[2] = 0x80;
    xlate(cdb, 6, 96, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_inquiry_vpd(void **state)
{
    UCHAR cdb[6] = { SCSIOP_INQUIRY, 1, 0x00, 0x02, 0x00, 0 };
    static const UCHAR pages[] = { 0x00, 0x80, 0x83, 0x89, 0xB0, 0xB1 };
    struct sat_xlat x;

    (void)state;
    make_disk(1000, TRUE);
    xlate(cdb, 6, 512, &x);
    assert_int_equal(x.kind, SAT_REPLY);
    assert_int_equal(reply[1], 0x00);
    assert_int_equal(reply[3], sizeof(pages));
    assert_memory_equal(reply + 4, pages, sizeof(pages));

    cdb[2] = 0x80;                                          /* serial */
    xlate(cdb, 6, 512, &x);
    assert_int_equal(reply[3], 20);
    assert_memory_equal(reply + 4, "SN123               ", 20);

    cdb[2] = 0x83;                                          /* WWN first, then T10 */
    xlate(cdb, 6, 512, &x);
    assert_int_equal(reply[4], 0x01);
    assert_int_equal(reply[5], 0x03);
    assert_int_equal(reply[7], 8);
    assert_int_equal(reply[8], 0x50);
    assert_int_equal(reply[15], 0xBC);
    assert_int_equal(reply[16], 0x02);
    assert_int_equal(reply[17], 0x01);
    assert_memory_equal(reply + 20, "ATA     TEST DISK", 17);

    cdb[2] = 0x89;                                          /* ATA information */
    cdb[3] = 0x02;
    cdb[4] = 0x40;
    xlate(cdb, 6, 1024, &x);
    assert_int_equal(x.reply_len, 572);
    assert_int_equal(reply[2] << 8 | reply[3], 0x238);
    assert_int_equal(reply[56], 0xEC);
    assert_int_equal(reply[60 + 2 * ID_CAPABILITIES + 1], (ID_CAP_LBA | ID_CAP_DMA) >> 8);

    cdb[2] = 0xB0;
    cdb[3] = 0;
    cdb[4] = 0xFF;
    xlate(cdb, 6, 512, &x);
    assert_int_equal(reply[3], 0x3C);
    assert_int_equal(be32(reply + 8), 65536);             /* MAXIMUM TRANSFER LENGTH */

    cdb[2] = 0xB1;
    xlate(cdb, 6, 512, &x);
    assert_int_equal(reply[5], 1);                          /* non-rotating */

    cdb[2] = 0x86;                                          /* not offered */
    xlate(cdb, 6, 512, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
}

/* ---- capacity ----------------------------------------------------------------------------- */

static void test_read_capacity(void **state)
{
    UCHAR c10[10] = { SCSIOP_READ_CAPACITY };
    UCHAR c16[16] = { SCSIOP_SERVICE_ACTION_IN16, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32 };
    struct sat_xlat x;

    (void)state;
    make_disk(0x123456789ull, TRUE);
    xlate(c10, 10, 8, &x);
    assert_int_equal(x.reply_len, 8);
    assert_int_equal(be32(reply), 0xFFFFFFFFu);             /* too big: use (16) */
    assert_int_equal(be32(reply + 4), 512);
    xlate(c16, 16, 32, &x);
    assert_int_equal(x.reply_len, 32);
    assert_int_equal(be32(reply), 0x1);
    assert_int_equal(be32(reply + 4), 0x23456788);
    assert_int_equal(reply[13], 3);
    make_disk(2097152, TRUE);
    xlate(c10, 10, 8, &x);
    assert_int_equal(be32(reply), 2097151);
    c16[1] = 0x12;                                          /* GET LBA STATUS: not here */
    xlate(c16, 16, 32, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0);
}

/* ---- reads and writes ---------------------------------------------------------------------- */

static void test_read10_ncq(void **state)
{
    UCHAR cdb[10] = { SCSIOP_READ, 0, 0, 0, 0x12, 0x34, 0, 0x01, 0x00, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(0x100000, TRUE);
    xlate(cdb, 10, 256 * 512, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_int_equal(x.tf.command, ATA_CMD_READ_FPDMA_QUEUED);
    assert_true(x.tf.lba == 0x1234);
    assert_int_equal(x.tf.features, 0x00);                  /* 256 sectors in Features */
    assert_int_equal(x.tf.features_exp, 0x01);
    assert_int_equal(x.tf.flags & (ATA_TF_NCQ | ATA_TF_DATA_IN), ATA_TF_NCQ | ATA_TF_DATA_IN);
    assert_int_equal(x.tf.bytes, 256 * 512);
    assert_int_equal(x.tf.device, ATA_DEV_LBA);
    assert_false(x.passthru);
    cdb[1] = 0x08;                                          /* FUA: Device bit 7, as on writes */
    xlate(cdb, 10, 256 * 512, &x);
    assert_int_equal(x.tf.command, ATA_CMD_READ_FPDMA_QUEUED);
    assert_int_equal(x.tf.device, ATA_DEV_LBA | ATA_DEV_FUA);
}

static void test_write16_fua_dma(void **state)
{
    UCHAR cdb[16] = { SCSIOP_WRITE16, 0x08, 0, 0, 0, 0, 0, 0, 0x10, 0x00, 0, 0, 0, 8, 0, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(0x100000, FALSE);                             /* no NCQ: FUA EXT */
    xlate(cdb, 16, 8 * 512, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_int_equal(x.tf.command, ATA_CMD_WRITE_DMA_FUA_EXT);
    assert_int_equal(x.tf.count, 8);
    assert_true(x.tf.lba == 0x1000);
    assert_int_equal(x.tf.flags & ATA_TF_DATA_OUT, ATA_TF_DATA_OUT);
    make_disk(0x100000, TRUE);                              /* NCQ: the FUA bit */
    xlate(cdb, 16, 8 * 512, &x);
    assert_int_equal(x.tf.command, ATA_CMD_WRITE_FPDMA_QUEUED);
    assert_int_equal(x.tf.device, ATA_DEV_LBA | ATA_DEV_FUA);
}

static void test_rw6_and_12(void **state)
{
    UCHAR r6[6] = { SCSIOP_READ6, 0x01, 0x02, 0x03, 0, 0 };
    UCHAR w12[12] = { SCSIOP_WRITE12, 0, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(0x100000, FALSE);
    xlate(r6, 6, 256 * 512, &x);
    assert_int_equal(x.tf.command, ATA_CMD_READ_DMA_EXT);
    assert_true(x.tf.lba == 0x10203);
    assert_int_equal(x.tf.count, 256);                      /* 0 means 256 */
    xlate(w12, 12, 3 * 512, &x);
    assert_int_equal(x.tf.command, ATA_CMD_WRITE_DMA_EXT);
    assert_int_equal(x.tf.count, 3);
    assert_true(x.tf.lba == 5);
}

static void test_lba_out_of_range(void **state)
{
    UCHAR cdb[10] = { SCSIOP_READ, 0, 0, 0, 0x03, 0xFF, 0, 0, 1, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    xlate(cdb, 10, 512, &x);                                /* the last block: fine */
    assert_int_equal(x.kind, SAT_ATA);
    cdb[8] = 2;                                             /* one past the end */
    xlate(cdb, 10, 1024, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0);
    cdb[4] = 0xFF;                                          /* far past */
    xlate(cdb, 10, 1024, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x21, 0);
    cdb[8] = 0;                                             /* zero blocks: GOOD, no command */
    cdb[4] = 0;
    xlate(cdb, 10, 0, &x);
    assert_int_equal(x.kind, SAT_REPLY);
    assert_int_equal(x.reply_len, 0);
}

static void test_short_buffer(void **state)
{
    UCHAR cdb[10] = { SCSIOP_READ, 0, 0, 0, 0, 0, 0, 0, 4, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    xlate(cdb, 10, 3 * 512, &x);                            /* 4 blocks into 3 */
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_verify_and_sync(void **state)
{
    UCHAR v[10] = { SCSIOP_VERIFY, 0, 0, 0, 0, 7, 0, 0, 9, 0 };
    UCHAR s[10] = { SCSIOP_SYNCHRONIZE_CACHE };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    xlate(v, 10, 0, &x);
    assert_int_equal(x.tf.command, ATA_CMD_READ_VERIFY_EXT);
    assert_int_equal(x.tf.count, 9);
    assert_int_equal(x.tf.bytes, 0);
    v[1] = 0x02;                                            /* BYTCHK */
    xlate(v, 10, 0, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
    xlate(s, 10, 0, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_int_equal(x.tf.command, ATA_CMD_FLUSH_CACHE_EXT);
}

/* ---- the emulated rest ---------------------------------------------------------------------- */

static void test_mode_sense_caching(void **state)
{
    UCHAR m6[6] = { SCSIOP_MODE_SENSE, 0, MODE_PAGE_CACHING, 0, 0xFF, 0 };
    UCHAR m10[10] = { SCSIOP_MODE_SENSE10, 0x08, MODE_SENSE_RETURN_ALL, 0, 0, 0, 0, 0x01, 0, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    xlate(m6, 6, 255, &x);
    assert_int_equal(x.kind, SAT_REPLY);
    assert_int_equal(x.reply_len, 4 + 8 + 20);
    assert_int_equal(reply[0], 4 + 8 + 20 - 1);
    assert_int_equal(reply[2], MODE_DSP_FUA_SUPPORTED);
    assert_int_equal(reply[3], 8);
    assert_int_equal(be32(reply + 8) & 0xFFFFFF, 512);      /* block length */
    assert_int_equal(reply[12], MODE_PAGE_CACHING);
    assert_int_equal(reply[14] & 0x04, 0x04);               /* WCE */
    id[ID_CMDSET_85] &= (USHORT)~ID_82_WRITE_CACHE;
    sat_disk_init(&disk, id, TRUE);
    xlate(m6, 6, 255, &x);
    assert_int_equal(reply[14] & 0x04, 0);
    xlate(m10, 10, 256, &x);                                /* all pages, no descriptor */
    assert_int_equal(x.reply_len, 8 + 12 + 20 + 12);
    assert_int_equal(reply[7], 0);
    m6[2] = 0xC0 | MODE_PAGE_CACHING;                       /* saved values */
    xlate(m6, 6, 255, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x39, 0);
    m6[2] = 0x1C;                                           /* a page not offered */
    xlate(m6, 6, 255, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_misc_commands(void **state)
{
    UCHAR tur[6] = { SCSIOP_TEST_UNIT_READY };
    UCHAR rs[6] = { SCSIOP_REQUEST_SENSE, 0, 0, 0, 18, 0 };
    UCHAR rl[12] = { SCSIOP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0 };
    UCHAR ss[6] = { SCSIOP_START_STOP_UNIT, 0, 0, 0, 0, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    xlate(tur, 6, 0, &x);
    assert_int_equal(x.kind, SAT_REPLY);
    assert_int_equal(x.reply_len, 0);
    xlate(rs, 6, 18, &x);
    assert_int_equal(x.reply_len, 18);
    assert_int_equal(reply[0], 0x70);
    assert_int_equal(reply[2], 0);
    xlate(rl, 12, 16, &x);
    assert_int_equal(x.reply_len, 16);
    assert_int_equal(be32(reply), 8);
    assert_int_equal(reply[8] | reply[9], 0);
    xlate(ss, 6, 0, &x);                                    /* stop */
    assert_int_equal(x.tf.command, ATA_CMD_STANDBY_IMMEDIATE);
    ss[4] = 1;                                              /* start */
    xlate(ss, 6, 0, &x);
    assert_int_equal(x.tf.command, ATA_CMD_IDLE_IMMEDIATE);
}

static void test_unsupported_opcode(void **state)
{
    static const UCHAR ops[] = { SCSIOP_FORMAT_UNIT, SCSIOP_MODE_SELECT, 0x42, 0xC0, 0xFF };
    UCHAR cdb[16] = { 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    for (unsigned i = 0; i < sizeof(ops); i++) {
        cdb[0] = ops[i];
        xlate(cdb, 16, 0, &x);
        assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x20, 0);
    }
    cdb[0] = SCSIOP_READ16;                                 /* a 16-byte command in 10 bytes */
    xlate(cdb, 10, 0, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
}

/* ---- fields this SATL refuses: protection, NACA, LINK ---------------------------------------- */

/* Each command translated here, in a form it takes on make_disk's disk. */
static const struct {
    UCHAR cdb[16];
    UCHAR len;
    ULONG data_len;
} accepted[] = {
    { { SCSIOP_TEST_UNIT_READY }, 6, 0 },
    { { SCSIOP_REQUEST_SENSE, 0, 0, 0, 18 }, 6, 18 },
    { { SCSIOP_INQUIRY, 0, 0, 0, 36 }, 6, 36 },
    { { SCSIOP_INQUIRY, 1, 0xB0, 0, 64 }, 6, 64 },
    { { SCSIOP_MODE_SENSE, 0, MODE_PAGE_CACHING, 0, 0xFF }, 6, 255 },
    { { SCSIOP_START_STOP_UNIT, 0, 0, 0, 1 }, 6, 0 },
    { { SCSIOP_READ6, 0, 0, 8, 1 }, 6, 512 },
    { { SCSIOP_WRITE6, 0, 0, 8, 1 }, 6, 512 },
    { { SCSIOP_READ_CAPACITY }, 10, 8 },
    { { SCSIOP_MODE_SENSE10, 0, MODE_SENSE_RETURN_ALL, 0, 0, 0, 0, 1, 0 }, 10, 256 },
    { { SCSIOP_SYNCHRONIZE_CACHE }, 10, 0 },
    { { SCSIOP_READ, 0, 0, 0, 0, 8, 0, 0, 1 }, 10, 512 },
    { { SCSIOP_WRITE, 0x08, 0, 0, 0, 8, 0, 0, 1 }, 10, 512 },
    { { SCSIOP_VERIFY, 0, 0, 0, 0, 8, 0, 0, 1 }, 10, 0 },
    { { SCSIOP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 0, 16 }, 12, 16 },
    { { SCSIOP_READ12, 0, 0, 0, 0, 8, 0, 0, 0, 1 }, 12, 512 },
    { { SCSIOP_WRITE12, 0, 0, 0, 0, 8, 0, 0, 0, 1 }, 12, 512 },
    { { SCSIOP_VERIFY12, 0, 0, 0, 0, 8, 0, 0, 0, 1 }, 12, 0 },
    { { SCSIOP_ATA_PASSTHROUGH12, SAT_PROTO_NON_DATA << 1, 0, ATA_SMART_ENABLE, 0, 0,
        ATA_SMART_LBA_MID, ATA_SMART_LBA_HIGH, 0xA0, ATA_CMD_SMART }, 12, 0 },
    { { SCSIOP_SERVICE_ACTION_IN16, SERVICE_ACTION_READ_CAPACITY16, [13] = 32 }, 16, 32 },
    { { SCSIOP_SYNCHRONIZE_CACHE16 }, 16, 0 },
    { { SCSIOP_READ16, 0, [9] = 8, [13] = 1 }, 16, 512 },
    { { SCSIOP_WRITE16, 0, [9] = 8, [13] = 1 }, 16, 512 },
    { { SCSIOP_VERIFY16, 0, [9] = 8, [13] = 1 }, 16, 0 },
    { { SCSIOP_ATA_PASSTHROUGH16, SAT_PROTO_PIO_IN << 1,
        SAT_PT_T_DIR | SAT_PT_BYT_BLOK | SAT_TLEN_COUNT, [6] = 1, [14] = ATA_CMD_IDENTIFY },
      16, 512 },
};
#define NACCEPTED                   (sizeof(accepted) / sizeof(accepted[0]))

static void assert_same_tf(const struct ata_tf *a, const struct ata_tf *b)
{
    assert_int_equal(a->command, b->command);
    assert_int_equal(a->features, b->features);
    assert_int_equal(a->features_exp, b->features_exp);
    assert_int_equal(a->device, b->device);
    assert_int_equal(a->control, b->control);
    assert_int_equal(a->count, b->count);
    assert_true(a->lba == b->lba);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->bytes, b->bytes);
}

/*
 * SAM-3: NormACA = 0 and LINKED = 0 in INQUIRY, so a CONTROL byte with
 * NACA or LINK is INVALID FIELD IN CDB, for every command, both paths.
 * The CONTROL byte is the CDB's last by its opcode's group, whatever the
 * SRB's CdbLength; its other bits (vendor specific, reserved) change
 * nothing, and never reach the FIS's Device Control.
 */
static void test_control_byte(void **state)
{
    static const UCHAR refused[] = { 0x01, 0x04, 0x05, 0xFF };
    static const UCHAR ignored[] = { 0x02, 0x38, 0x40, 0x80, 0xFA };
    UCHAR cdb[16], fis[20];
    struct sat_xlat base, x;
    struct ata_tf tf;

    (void)state;
    make_disk(0x100000, TRUE);
    for (unsigned i = 0; i < NACCEPTED; i++) {
        UCHAR len = accepted[i].len, ctl = (UCHAR)(len - 1);
        ULONG dl = accepted[i].data_len;

        memcpy(cdb, accepted[i].cdb, 16);
        xlate(cdb, len, dl, &base);
        assert_true(base.kind != SAT_CHECK);
        for (unsigned k = 0; k < sizeof(refused); k++) {
            cdb[ctl] = refused[k];
            xlate(cdb, len, dl, &x);
            assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_INVALID_CDB, 0);
            xlate(cdb, 16, dl, &x);                         /* a longer CdbLength */
            assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_INVALID_CDB, 0);
            assert_false(sat_rw_fast(&disk, cdb, len, dl, &tf));
        }
        for (unsigned k = 0; k < sizeof(ignored); k++) {
            cdb[ctl] = ignored[k];
            xlate(cdb, len, dl, &x);
            assert_int_equal(x.kind, base.kind);
            if (x.kind == SAT_ATA) {
                assert_same_tf(&x.tf, &base.tf);
                sat_tf_to_fis(&x.tf, 0, fis);
                assert_int_equal(fis[15], 0);               /* Device Control */
            }
        }
        cdb[ctl] = 0;
        for (unsigned b = len; b < 16; b++)
            cdb[b] = 0x05;                                  /* past the CDB: not its CONTROL */
        xlate(cdb, 16, dl, &x);
        assert_int_equal(x.kind, base.kind);
    }
}

/* An opcode of a reserved or vendor-specific group: unknown, whatever its length and bytes. */
static void test_unsized_groups(void **state)
{
    static const UCHAR ops[] = { 0x60, 0x7E, 0x7F, 0xC0, 0xE5, 0xFF };
    UCHAR cdb[16];
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    memset(cdb, 0x05, sizeof(cdb));
    for (unsigned i = 0; i < sizeof(ops); i++) {
        cdb[0] = ops[i];
        for (UCHAR len = 1; len <= 16; len++) {
            xlate(cdb, len, 512, &x);
            assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_COMMAND, 0);
        }
    }
}

/*
 * SBC-3: with PROT_EN = 0 a non-zero RDPROTECT/WRPROTECT/VRPROTECT is
 * INVALID FIELD IN CDB, on both paths.  READ/WRITE(6) have no such field:
 * those bits are taken as they always were.
 */
static void test_protect_field(void **state)
{
    static const UCHAR prot[] = { 0x20, 0x40, 0x80, 0xE0, 0xE8 };
    UCHAR cdb[16];
    struct sat_xlat x;
    struct ata_tf tf;

    (void)state;
    make_disk(0x100000, TRUE);
    for (unsigned i = 0; i < NACCEPTED; i++) {
        UCHAR op = accepted[i].cdb[0], len = accepted[i].len;
        BOOLEAN rw = op == SCSIOP_READ || op == SCSIOP_WRITE || op == SCSIOP_VERIFY ||
                     op == SCSIOP_READ12 || op == SCSIOP_WRITE12 || op == SCSIOP_VERIFY12 ||
                     op == SCSIOP_READ16 || op == SCSIOP_WRITE16 || op == SCSIOP_VERIFY16;

        if (!rw)
            continue;
        memcpy(cdb, accepted[i].cdb, 16);
        for (unsigned k = 0; k < sizeof(prot); k++) {
            cdb[1] = (UCHAR)((accepted[i].cdb[1] & 0x1F) | prot[k]);
            xlate(cdb, len, accepted[i].data_len, &x);
            assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_INVALID_CDB, 0);
            assert_false(sat_rw_fast(&disk, cdb, len, accepted[i].data_len, &tf));
        }
    }
    memcpy(cdb, accepted[6].cdb, 16);                       /* READ(6) */
    assert_int_equal(cdb[0], SCSIOP_READ6);
    cdb[1] = 0xE1;                                          /* reserved bits, LBA 20:16 */
    xlate(cdb, 6, 512, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_true(x.tf.lba == 0x10008);
    cdb[0] = SCSIOP_WRITE6;
    xlate(cdb, 6, 512, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_int_equal(x.tf.command, ATA_CMD_WRITE_FPDMA_QUEUED);
}

/* ---- ATA PASS-THROUGH ---------------------------------------------------------------------- */

static void test_passthrough16(void **state)
{
    /* IDENTIFY DEVICE: PIO in, 1 block in Count, CK_COND. */
    UCHAR cdb[16] = { SCSIOP_ATA_PASSTHROUGH16, SAT_PROTO_PIO_IN << 1,
                      SAT_PT_CK_COND | SAT_PT_T_DIR | SAT_PT_BYT_BLOK | SAT_TLEN_COUNT, 0, 0, 0, 1,
                      0, 0, 0, 0, 0, 0, 0, ATA_CMD_IDENTIFY, 0 };
    struct sat_xlat x;

    (void)state;
    make_disk(1024, TRUE);
    xlate(cdb, 16, 512, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_int_equal(x.tf.command, ATA_CMD_IDENTIFY);
    assert_int_equal(x.tf.bytes, 512);
    assert_int_equal(x.tf.flags & ATA_TF_DATA_IN, ATA_TF_DATA_IN);
    assert_true(x.passthru);
    assert_true(x.ck_cond);
    assert_false(x.extend);
    xlate(cdb, 16, 256, &x);                                /* buffer too small */
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
    /* 48-bit READ LOG EXT, extend bit: the high registers come from the odd bytes. */
    memset(cdb, 0, sizeof(cdb));
    cdb[0] = SCSIOP_ATA_PASSTHROUGH16;
    cdb[1] = SAT_PROTO_PIO_IN << 1 | 1;
    cdb[2] = SAT_PT_T_DIR | SAT_PT_BYT_BLOK | SAT_TLEN_COUNT;
    cdb[6] = 1;
    cdb[8] = 0x10;
    cdb[7] = 0xAA;                                          /* LBA 31:24 */
    cdb[14] = ATA_CMD_READ_LOG_EXT;
    xlate(cdb, 16, 512, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_true(x.tf.lba == 0xAA000010ull);
    assert_true(x.extend);
    /* FPDMA and resets are refused. */
    cdb[1] = SAT_PROTO_FPDMA << 1;
    xlate(cdb, 16, 512, &x);
    assert_check(&x, SCSI_SENSE_ILLEGAL_REQUEST, 0x24, 0);
}

static void test_passthrough12_nondata(void **state)
{
    UCHAR cdb[12] = { SCSIOP_ATA_PASSTHROUGH12, SAT_PROTO_NON_DATA << 1, 0, ATA_SMART_ENABLE, 0,
                      0, ATA_SMART_LBA_MID, ATA_SMART_LBA_HIGH, 0xA0, ATA_CMD_SMART, 0, 0 };
    struct sat_xlat x;
    UCHAR fis[20];

    (void)state;
    make_disk(1024, TRUE);
    xlate(cdb, 12, 0, &x);
    assert_int_equal(x.kind, SAT_ATA);
    assert_int_equal(x.tf.bytes, 0);
    sat_tf_to_fis(&x.tf, 0, fis);
    assert_int_equal(fis[0], 0x27);
    assert_int_equal(fis[1], 0x80);
    assert_int_equal(fis[2], ATA_CMD_SMART);
    assert_int_equal(fis[3], ATA_SMART_ENABLE);
    assert_int_equal(fis[5], ATA_SMART_LBA_MID);
    assert_int_equal(fis[6], ATA_SMART_LBA_HIGH);
    assert_int_equal(fis[7], 0xA0);                         /* device kept as given */
}

/* ---- ATA errors -> sense ----------------------------------------------------------------------- */

static void test_error_sense(void **state)
{
    struct sat_sense s;

    (void)state;
    sat_ata_error_sense(ATA_CMD_READ_DMA_EXT, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_UNC, &s);
    assert_int_equal(s.key, SCSI_SENSE_MEDIUM_ERROR);
    assert_int_equal(s.asc, 0x11);
    sat_ata_error_sense(ATA_CMD_READ_FPDMA_QUEUED, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ABRT, &s);
    assert_int_equal(s.key, SCSI_SENSE_MEDIUM_ERROR);       /* in-range read the disk aborted */
    assert_int_equal(s.asc, 0x11);
    sat_ata_error_sense(ATA_CMD_WRITE_DMA_EXT, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ABRT, &s);
    assert_int_equal(s.key, SCSI_SENSE_MEDIUM_ERROR);
    assert_int_equal(s.asc, 0x0C);
    sat_ata_error_sense(ATA_CMD_SMART, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ABRT, &s);
    assert_int_equal(s.key, SCSI_SENSE_ABORTED_COMMAND);
    assert_int_equal(s.asc, 0);
    assert_int_equal(s.ascq, 0);
    sat_ata_error_sense(ATA_CMD_READ_DMA_EXT, ATA_STS_DRDY | ATA_STS_ERR,
                        ATA_ERR_ICRC | ATA_ERR_ABRT, &s);
    assert_int_equal(s.key, SCSI_SENSE_ABORTED_COMMAND);
    assert_int_equal(s.asc, 0x47);
    sat_ata_error_sense(ATA_CMD_READ_DMA_EXT, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_IDNF, &s);
    assert_int_equal(s.key, SCSI_SENSE_ILLEGAL_REQUEST);
    assert_int_equal(s.asc, 0x21);
    sat_ata_error_sense(ATA_CMD_READ_DMA_EXT, ATA_STS_DF | ATA_STS_ERR, ATA_ERR_UNC, &s);
    assert_int_equal(s.key, SCSI_SENSE_HARDWARE_ERROR);
    sat_ata_error_sense(ATA_CMD_READ_DMA_EXT, ATA_STS_ERR, ATA_ERR_NM, &s);
    assert_int_equal(s.key, SCSI_SENSE_NOT_READY);
    assert_int_equal(s.asc, 0x3A);
}

/*
 * A flush the device aborted is cached data not written: MEDIUM ERROR,
 * WRITE ERROR (0c/00) as for a write, never the ABORTED COMMAND the disk
 * layer would retry.  A CRC error on the link is still the retryable one.
 */
static void test_flush_error_sense(void **state)
{
    static const UCHAR flushes[] = { ATA_CMD_FLUSH_CACHE, ATA_CMD_FLUSH_CACHE_EXT };
    struct sat_sense s;
    UCHAR buf[SENSE_BUFFER_SIZE];

    (void)state;
    for (unsigned i = 0; i < sizeof(flushes); i++) {
        memset(&s, 0xEE, sizeof(s));
        sat_ata_error_sense(flushes[i], ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ABRT, &s);
        assert_int_equal(s.key, SCSI_SENSE_MEDIUM_ERROR);
        assert_int_equal(s.asc, 0x0C);
        assert_int_equal(s.ascq, 0x00);
        assert_int_equal(sat_fixed_sense(&s, buf, sizeof(buf)), sizeof(buf));
        assert_int_equal(buf[2], SCSI_SENSE_MEDIUM_ERROR);
        assert_int_equal(buf[12], 0x0C);
        assert_int_equal(buf[13], 0x00);
        sat_ata_error_sense(flushes[i], ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_UNC, &s);
        assert_int_equal(s.key, SCSI_SENSE_MEDIUM_ERROR);
        assert_int_equal(s.asc, 0x0C);
        sat_ata_error_sense(flushes[i], ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ICRC | ATA_ERR_ABRT,
                            &s);
        assert_int_equal(s.key, SCSI_SENSE_ABORTED_COMMAND);
        assert_int_equal(s.asc, 0x47);
        sat_ata_error_sense(flushes[i], ATA_STS_DRDY | ATA_STS_DF | ATA_STS_ERR, ATA_ERR_ABRT, &s);
        assert_int_equal(s.key, SCSI_SENSE_HARDWARE_ERROR);
    }
    /* Reads keep 11h; the other non-data commands stay ABORTED COMMAND. */
    sat_ata_error_sense(ATA_CMD_READ_VERIFY_EXT, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ABRT, &s);
    assert_int_equal(s.key, SCSI_SENSE_MEDIUM_ERROR);
    assert_int_equal(s.asc, 0x11);
    sat_ata_error_sense(ATA_CMD_IDLE_IMMEDIATE, ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_ABRT, &s);
    assert_int_equal(s.key, SCSI_SENSE_ABORTED_COMMAND);
    assert_int_equal(s.asc, 0);
}

static void test_fixed_and_passthru_sense(void **state)
{
    struct sat_sense s = { SCSI_SENSE_MEDIUM_ERROR, 0x11, 0x00 };
    struct ata_result r = { ATA_STS_DRDY | ATA_STS_ERR, ATA_ERR_UNC, 0x40, 0x0102,
                            0x665544332211ull };
    UCHAR buf[32];

    (void)state;
    assert_int_equal(sat_fixed_sense(&s, buf, sizeof(buf)), 18);
    assert_int_equal(buf[0], 0x70);
    assert_int_equal(buf[2], 3);
    assert_int_equal(buf[7], 10);
    assert_int_equal(buf[12], 0x11);
    assert_int_equal(sat_fixed_sense(&s, buf, 8), 8);       /* cut to the buffer */
    assert_int_equal(sat_passthru_sense(&r, TRUE, TRUE, ATA_CMD_READ_DMA_EXT, buf, 32), 22);
    assert_int_equal(buf[0], 0x72);
    assert_int_equal(buf[1], SCSI_SENSE_MEDIUM_ERROR);
    assert_int_equal(buf[7], 14);
    assert_int_equal(buf[8], 0x09);
    assert_int_equal(buf[9], 0x0C);
    assert_int_equal(buf[10], 1);
    assert_int_equal(buf[11], ATA_ERR_UNC);
    assert_int_equal(buf[12], 0x01);
    assert_int_equal(buf[13], 0x02);
    assert_int_equal(buf[14], 0x44);                        /* LBA 31:24 */
    assert_int_equal(buf[15], 0x11);                        /* LBA 7:0 */
    assert_int_equal(buf[18], 0x66);                        /* LBA 47:40 */
    assert_int_equal(buf[19], 0x33);                        /* LBA 23:16 */
    assert_int_equal(buf[21], ATA_STS_DRDY | ATA_STS_ERR);
    sat_passthru_sense(&r, FALSE, FALSE, ATA_CMD_IDENTIFY, buf, 32);
    assert_int_equal(buf[1], SCSI_SENSE_RECOVERED_ERROR);
    assert_int_equal(buf[2], 0x00);
    assert_int_equal(buf[3], 0x1D);
}

/* ---- FIS ------------------------------------------------------------------------------------- */

static void test_fis_ncq_and_lba28(void **state)
{
    UCHAR cdb[16] = { SCSIOP_READ16, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0, 0, 0x01, 0x02, 0, 0 };
    struct ata_tf tf;
    struct sat_xlat x;
    UCHAR fis[20];

    (void)state;
    make_disk(0xFFFFFFFFFFFFull, TRUE);
    xlate(cdb, 16, 0x102 * 512, &x);
    sat_tf_to_fis(&x.tf, 17, fis);
    assert_int_equal(fis[2], ATA_CMD_READ_FPDMA_QUEUED);
    assert_int_equal(fis[3], 0x02);                         /* count 7:0 in Features */
    assert_int_equal(fis[11], 0x01);
    assert_int_equal(fis[12], 17 << 3);                     /* tag */
    assert_int_equal(fis[4], 0xBC);
    assert_int_equal(fis[10], 0x12);                        /* LBA 47:40 */
    assert_int_equal(fis[7], ATA_DEV_LBA);
    memset(&tf, 0, sizeof(tf));                             /* LBA28: bits 27:24 in Device */
    tf.command = ATA_CMD_READ_DMA;
    tf.device = ATA_DEV_LBA;
    tf.lba = 0x0ABCDEF;
    tf.lba |= 0x5000000;
    tf.count = 4;
    sat_tf_to_fis(&tf, 0, fis);
    assert_int_equal(fis[7], ATA_DEV_LBA | 0x5);
    assert_int_equal(fis[8], 0);
    sat_tf_read_log(&tf, ATA_LOG_NCQ_ERROR, 512);
    sat_tf_to_fis(&tf, 0, fis);
    assert_int_equal(fis[2], ATA_CMD_READ_LOG_EXT);
    assert_int_equal(fis[4], 0x10);
    assert_int_equal(fis[12], 1);
}

/* ---- READ/WRITE(10/16) and the fast path, against an oracle ---------------------------------
 *
 * The oracle below decodes the CDB by the SBC-3 layouts and says what must
 * happen from the rules of SBC-3/SAM-3 and ACS-3, plus this SATL's stated
 * choices where SAT-3 leaves room (marked "choice").  It reads only the
 * test's own description of the disk (struct model), never struct
 * sat_disk, and builds the expected Register H2D FIS byte by byte from the
 * SATA 3.x layout.  Every request is run three ways: sat_rw_fast,
 * sat_translate, and sat_translate on the same request spelled as
 * READ/WRITE(12), which the fast path never takes - the general
 * translation with the fast path bypassed.
 */

/* ATA commands by their ACS-3 opcodes, spelled out here rather than taken from atareg.h. */
#define ACS_READ_DMA_EXT            0x25
#define ACS_WRITE_DMA_EXT           0x35
#define ACS_WRITE_DMA_FUA_EXT       0x3D
#define ACS_READ_FPDMA_QUEUED       0x60
#define ACS_WRITE_FPDMA_QUEUED      0x61
#define ACS_READ_DMA                0xC8
#define ACS_WRITE_DMA               0xCA
#define ACS_DEV_LBA                 0x40    /* Device bit 6 */
#define ACS_DEV_FUA                 0x80    /* Device bit 7 of the FPDMA commands */

/* A disk as these tests describe it: the IDENTIFY data is built from this. */
struct model {
    const char *name;
    unsigned long long sectors;
    unsigned sector_size;           /* logical, bytes */
    BOOLEAN lba48;                  /* words 83/86 bit 10 */
    BOOLEAN disk_ncq;               /* word 76 bit 8 */
    BOOLEAN hba_ncq;                /* the HBA lets NCQ through */
    BOOLEAN fua_ext;                /* word 84/87 bit 6: WRITE DMA FUA EXT */
};

static const struct model models[] = {
    { "ncq-512", 0x123456789ull, 512, TRUE, TRUE, TRUE, TRUE },
    { "dma-fua-512", 0x123456789ull, 512, TRUE, FALSE, TRUE, TRUE },
    { "dma-nofua-512", 1000000, 512, TRUE, FALSE, TRUE, FALSE },
    { "ncq-disk-on-non-ncq-hba", 0x100000, 512, TRUE, TRUE, FALSE, FALSE },
    { "ncq-4096", 0x140000000ull, 4096, TRUE, TRUE, TRUE, TRUE },
    { "dma-4096", 5000, 4096, TRUE, FALSE, TRUE, TRUE },
    { "ncq-65536", 0x20000, 65536, TRUE, TRUE, TRUE, TRUE },
    { "small-ncq", 1000, 512, TRUE, TRUE, TRUE, TRUE },
    { "max-48bit-ncq", 0xFFFFFFFFFFFFull, 512, TRUE, TRUE, TRUE, TRUE },
    { "max-48bit-dma", 0xFFFFFFFFFFFFull, 512, TRUE, FALSE, FALSE, TRUE },
    { "lba28", 0x0FFFFFFF, 512, FALSE, FALSE, TRUE, FALSE },
    { "lba28-small", 300, 512, FALSE, TRUE, TRUE, TRUE },
};
#define NMODELS                     (sizeof(models) / sizeof(models[0]))

static BOOLEAN model_ncq(const struct model *m)
{
    return m->lba48 && m->disk_ncq && m->hba_ncq;   /* FPDMA QUEUED is a 48-bit command */
}

/* FUA writes: the FPDMA FUA bit, or WRITE DMA FUA EXT; 28-bit ATA has neither. */
static BOOLEAN model_fua(const struct model *m)
{
    return m->lba48 && (model_ncq(m) || m->fua_ext);
}

static void use_model(const struct model *m)
{
    unsigned long long lba28 = m->sectors < 0x0FFFFFFF ? m->sectors : 0x0FFFFFFF;

    memset(id, 0, sizeof(id));
    id_string(ID_MODEL, "ORACLE DISK", ID_MODEL_LEN);
    id[ID_CAPABILITIES] = ID_CAP_LBA | ID_CAP_DMA;
    id[ID_LBA28_SECTORS] = (USHORT)lba28;
    id[ID_LBA28_SECTORS + 1] = (USHORT)(lba28 >> 16);
    id[ID_QUEUE_DEPTH] = 31;
    id[ID_SATA_CAP] = m->disk_ncq ? ID_SATA_CAP_NCQ : 0;
    id[ID_CMDSET_83] = id[ID_CMDSET_86] = m->lba48 ? ID_83_LBA48 | ID_83_FLUSH_EXT : 0;
    id[ID_CMDSET_84] = id[ID_CMDSET_87] = 0x4000 | (m->fua_ext ? ID_84_FUA_EXT : 0);
    for (int i = 0; m->lba48 && i < 4; i++)
        id[ID_LBA48_SECTORS + i] = (USHORT)(m->sectors >> (16 * i));
    id[ID_SECTOR_SIZE] = ID_SS_VALID;
    if (m->sector_size != 512) {
        id[ID_SECTOR_SIZE] |= ID_SS_LONG_LOGICAL;
        id[ID_LOGICAL_SIZE] = (USHORT)(m->sector_size / 2);
        id[ID_LOGICAL_SIZE + 1] = (USHORT)(m->sector_size / 2 >> 16);
    }
    assert_true(sat_disk_init(&disk, id, m->hba_ncq));
}

static ULONGLONG be_n(const UCHAR *p, unsigned n)
{
    ULONGLONG v = 0;

    for (unsigned i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_be_n(UCHAR *p, ULONGLONG v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (UCHAR)(v >> (8 * (n - 1 - i)));
}

/* Why a READ/WRITE(10/16) must be refused; any one of them may be the one reported. */
#define WHY_CDB_LEN                 0x001   /* CDB shorter than its opcode's size */
#define WHY_PROTECT                 0x002   /* RDPROTECT/WRPROTECT != 0 with PROT_EN = 0 (SBC-3) */
#define WHY_NACA                    0x004   /* NACA = 1, NormACA = 0 (SAM-3 CONTROL byte) */
#define WHY_LINK                    0x008   /* LINK = 1, LINKED = 0 (SAM-3; SPC-4: obsolete) */
#define WHY_RANGE                   0x010   /* LBA + TRANSFER LENGTH > capacity (SBC-3) */
#define WHY_TOO_LONG                0x020   /* choice: no split over one ATA command's limit */
#define WHY_FUA                     0x040   /* choice: FUA write without FUA (DPOFUA = 0) */
#define WHY_SHORT_BUF               0x080   /* choice: DataTransferLength < the blocks' bytes */

/* What the oracle expects for one request. */
struct want {
    unsigned why;                   /* WHY_*; 0: it must go through */
    ULONGLONG blocks;
    BOOLEAN ata;                    /* an ATA command, as below, is a right answer */
    BOOLEAN lba48, ncq;
    UCHAR command, features, features_exp, device;
    USHORT count;                   /* Count 15:0 before an NCQ tag goes in */
    ULONGLONG lba;
    ULONG flags, bytes;
};

static BOOLEAN op_rw16(UCHAR op)
{
    return op == SCSIOP_READ16 || op == SCSIOP_WRITE16;
}

static BOOLEAN op_rw10_16(UCHAR op)
{
    return op == SCSIOP_READ || op == SCSIOP_WRITE || op_rw16(op);
}

static BOOLEAN op_write(UCHAR op)
{
    return op == SCSIOP_WRITE || op == SCSIOP_WRITE16;
}

static unsigned oracle_why(const struct model *m, const UCHAR *cdb, unsigned size, ULONGLONG lba,
                           ULONGLONG n, ULONG data_len)
{
    UCHAR control = cdb[size - 1];
    unsigned why = 0;

    if (cdb[1] & 0xE0)
        why |= WHY_PROTECT;
    if (control & 0x04)
        why |= WHY_NACA;
    if (control & 0x01)
        why |= WHY_LINK;
    if (lba > m->sectors || n > m->sectors - lba)
        why |= WHY_RANGE;
    if (n == 0)                                 /* SBC-3: no blocks is not an error */
        return why;
    if (n > (m->lba48 ? 65536u : 256u))         /* ACS-3: Count 0 means 65536 / 256 */
        why |= WHY_TOO_LONG;
    if (op_write(cdb[0]) && (cdb[1] & 0x08) && !model_fua(m))
        why |= WHY_FUA;
    if ((ULONGLONG)data_len < n * m->sector_size)
        why |= WHY_SHORT_BUF;
    return why;
}

/* The ATA command for n blocks at lba (ACS-3: READ/WRITE DMA (EXT), FPDMA QUEUED, FUA EXT). */
static void oracle_command(const struct model *m, BOOLEAN write, BOOLEAN fua, ULONGLONG lba,
                           ULONGLONG n, struct want *w)
{
    w->ata = TRUE;
    w->lba48 = m->lba48;
    w->ncq = model_ncq(m);
    w->lba = lba;
    w->device = ACS_DEV_LBA;
    w->bytes = (ULONG)(n * m->sector_size);
    w->flags = (m->lba48 ? ATA_TF_LBA48 : 0) | (write ? ATA_TF_DATA_OUT : ATA_TF_DATA_IN);
    if (w->ncq) {
        w->command = write ? ACS_WRITE_FPDMA_QUEUED : ACS_READ_FPDMA_QUEUED;
        w->features = (UCHAR)n;                 /* the block count is in Features 15:0 */
        w->features_exp = (UCHAR)(n >> 8);
        w->device |= fua ? ACS_DEV_FUA : 0;     /* a read's FUA too, as libata sets it */
        w->flags |= ATA_TF_NCQ;
    } else if (m->lba48) {
        w->command = !write ? ACS_READ_DMA_EXT : fua ? ACS_WRITE_DMA_FUA_EXT : ACS_WRITE_DMA_EXT;
        w->count = (USHORT)n;
    } else {
        w->command = write ? ACS_WRITE_DMA : ACS_READ_DMA;
        w->count = (UCHAR)n;
    }
}

static void oracle(const struct model *m, const UCHAR *cdb, UCHAR len, ULONG data_len,
                   struct want *w)
{
    BOOLEAN sixteen = op_rw16(cdb[0]);
    unsigned size = sixteen ? 16 : 10;
    ULONGLONG lba, n;

    memset(w, 0, sizeof(*w));
    if (len < size) {
        w->why = WHY_CDB_LEN;
        return;
    }
    lba = be_n(cdb + 2, sixteen ? 8 : 4);
    n = sixteen ? be_n(cdb + 10, 4) : be_n(cdb + 7, 2);
    w->blocks = n;
    w->why = oracle_why(m, cdb, size, lba, n, data_len);
    if (n != 0 && !w->why)
        oracle_command(m, op_write(cdb[0]), (cdb[1] & 0x08) != 0, lba, n, w);
}

/* The Register H2D FIS (SATA 3.x 10.5.5) the oracle's command makes with NCQ tag 'tag'. */
static void oracle_fis(const struct want *w, UCHAR tag, UCHAR fis[20])
{
    memset(fis, 0, 20);
    fis[0] = 0x27;                              /* Register Host to Device */
    fis[1] = 0x80;                              /* C */
    fis[2] = w->command;
    fis[3] = w->features;
    fis[4] = (UCHAR)w->lba;
    fis[5] = (UCHAR)(w->lba >> 8);
    fis[6] = (UCHAR)(w->lba >> 16);
    fis[7] = w->device;
    if (w->lba48) {
        fis[8] = (UCHAR)(w->lba >> 24);
        fis[9] = (UCHAR)(w->lba >> 32);
        fis[10] = (UCHAR)(w->lba >> 40);
        fis[11] = w->features_exp;
        fis[13] = (UCHAR)(w->count >> 8);
    } else {
        fis[7] |= (UCHAR)((w->lba >> 24) & 0x0F);   /* LBA 27:24 */
    }
    fis[12] = w->ncq ? (UCHAR)(tag << 3) : (UCHAR)w->count;
}

/* One request under test. */
struct rq {
    const struct model *m;
    UCHAR cdb[16];
    UCHAR len;
    ULONG data_len;
    UCHAR tag;                      /* NCQ tag the FIS is built with */
};

static void rq_fail(const struct rq *r, const char *what, unsigned long long got,
                    unsigned long long want)
{
    char hex[16 * 3 + 1] = "";

    for (unsigned i = 0; i < 16; i++)
        snprintf(hex + 3 * i, 4, "%02x%s", r->cdb[i], i + 1 == r->len ? "|" : " ");
    fail_msg("%s (got %#llx, want %#llx): disk %s, CDB %s(length %u), DataTransferLength %#lx",
             what, got, want, r->m->name, hex, r->len, (unsigned long)r->data_len);
}

#define RQ_EQ(r, what, got, want) do {                                              \
        unsigned long long got_ = (got), want_ = (want);                            \
        if (got_ != want_)                                                          \
            rq_fail((r), (what), got_, want_);                                      \
    } while (0)

static void judge_fis(const struct rq *r, const struct want *w, const struct ata_tf *tf)
{
    UCHAR fis[20], want[20];
    static const char *const names[20] = {
        "FIS type", "FIS C bit", "FIS command", "FIS features 7:0", "FIS LBA 7:0",
        "FIS LBA 15:8", "FIS LBA 23:16", "FIS device", "FIS LBA 31:24", "FIS LBA 39:32",
        "FIS LBA 47:40", "FIS features 15:8", "FIS count 7:0 / NCQ tag", "FIS count 15:8",
        "FIS ICC", "FIS control", "FIS reserved 16", "FIS reserved 17", "FIS reserved 18",
        "FIS reserved 19",
    };

    memset(fis, 0xCC, sizeof(fis));
    sat_tf_to_fis(tf, r->tag, fis);
    oracle_fis(w, r->tag, want);
    for (int i = 0; i < 20; i++)
        RQ_EQ(r, names[i], fis[i], want[i]);
}

static void judge_tf(const struct rq *r, const struct want *w, const struct ata_tf *tf)
{
    RQ_EQ(r, "command", tf->command, w->command);
    RQ_EQ(r, "features 7:0", tf->features, w->features);
    RQ_EQ(r, "features 15:8", tf->features_exp, w->features_exp);
    RQ_EQ(r, "device", tf->device, w->device);
    RQ_EQ(r, "control", tf->control, 0);
    RQ_EQ(r, "count", w->lba48 ? tf->count : tf->count & 0xFF, w->count);
    RQ_EQ(r, "LBA", tf->lba, w->lba);
    RQ_EQ(r, "flags", tf->flags, w->flags);
    RQ_EQ(r, "bytes", tf->bytes, w->bytes);
    RQ_EQ(r, "bytes within DataTransferLength", tf->bytes <= r->data_len, 1);
    judge_fis(r, w, tf);
}

/* The translator's answer for r against the oracle's. */
static void judge(const struct rq *r, const struct want *w, const struct sat_xlat *x)
{
    RQ_EQ(r, "pass-through flags on a READ/WRITE", x->passthru | x->ck_cond | x->extend, 0);
    switch (x->kind) {
    case SAT_CHECK:
        RQ_EQ(r, "CHECK CONDITION for a request SBC accepts", w->why != 0, 1);
        RQ_EQ(r, "sense key", x->sense.key, SCSI_SENSE_ILLEGAL_REQUEST);
        RQ_EQ(r, "ASCQ", x->sense.ascq, 0);
        if (x->sense.asc == SCSI_ADSENSE_ILLEGAL_BLOCK)
            RQ_EQ(r, "LBA OUT OF RANGE, but the blocks are in range", w->why & WHY_RANGE,
                  WHY_RANGE);
        else if (x->sense.asc == SCSI_ADSENSE_INVALID_CDB)
            RQ_EQ(r, "INVALID FIELD IN CDB, but no field is wrong", (w->why & ~WHY_RANGE) != 0, 1);
        else
            RQ_EQ(r, "ASC", x->sense.asc, SCSI_ADSENSE_INVALID_CDB);
        return;
    case SAT_REPLY:
        RQ_EQ(r, "GOOD without a command, but there are blocks to move", w->blocks, 0);
        RQ_EQ(r, "GOOD without a command for a request SBC refuses", w->why, 0);
        RQ_EQ(r, "reply length of a zero-block READ/WRITE", x->reply_len, 0);
        return;
    case SAT_ATA:
        RQ_EQ(r, "an ATA command where SBC wants none", w->ata, 1);
        judge_tf(r, w, &x->tf);
        return;
    }
    RQ_EQ(r, "kind", x->kind, SAT_ATA);
}

static void tf_same(const struct rq *r, const char *what, const struct ata_tf *a,
                    const struct ata_tf *b)
{
    RQ_EQ(r, what, a->command, b->command);
    RQ_EQ(r, what, a->features, b->features);
    RQ_EQ(r, what, a->features_exp, b->features_exp);
    RQ_EQ(r, what, a->device, b->device);
    RQ_EQ(r, what, a->control, b->control);
    RQ_EQ(r, what, a->count, b->count);
    RQ_EQ(r, what, a->lba, b->lba);
    RQ_EQ(r, what, a->flags, b->flags);
    RQ_EQ(r, what, a->bytes, b->bytes);
}

static void xlat_same(const struct rq *r, const char *what, const struct sat_xlat *a,
                      const struct sat_xlat *b)
{
    RQ_EQ(r, what, a->kind, b->kind);
    RQ_EQ(r, what, a->passthru | a->ck_cond << 1 | a->extend << 2,
          b->passthru | b->ck_cond << 1 | b->extend << 2);
    if (a->kind == SAT_ATA)
        tf_same(r, what, &a->tf, &b->tf);
    else if (a->kind == SAT_CHECK)
        RQ_EQ(r, what, a->sense.key << 16 | a->sense.asc << 8 | a->sense.ascq,
              b->sense.key << 16 | b->sense.asc << 8 | b->sense.ascq);
    else
        RQ_EQ(r, what, a->reply_len, b->reply_len);
}

/* r as READ(12)/WRITE(12), if it can be said that way; the fast path never takes those. */
static BOOLEAN rq_as_12(const struct rq *r, struct rq *r12)
{
    BOOLEAN sixteen = op_rw16(r->cdb[0]);
    unsigned size = sixteen ? 16 : 10;
    ULONGLONG lba;

    if (!op_rw10_16(r->cdb[0]) || r->len < size)
        return FALSE;
    lba = be_n(r->cdb + 2, sixteen ? 8 : 4);
    if (lba >> 32)
        return FALSE;
    *r12 = *r;
    memset(r12->cdb, 0, sizeof(r12->cdb));
    r12->cdb[0] = op_write(r->cdb[0]) ? SCSIOP_WRITE12 : SCSIOP_READ12;
    r12->cdb[1] = r->cdb[1];
    put_be_n(r12->cdb + 2, lba, 4);
    put_be_n(r12->cdb + 6, sixteen ? be_n(r->cdb + 10, 4) : be_n(r->cdb + 7, 2), 4);
    r12->cdb[10] = r->cdb[sixteen ? 14 : 6];    /* group number */
    r12->cdb[11] = r->cdb[size - 1];            /* control */
    r12->len = 12;
    return TRUE;
}

/* Which of the three ways took a request, over a test. */
struct tally {
    unsigned fast, general, bypassed, refused;
};

/* The fast path, the translator and the translator without the fast path, against the oracle. */
static void run_rq(const struct rq *r, struct tally *t)
{
    struct want w;
    struct sat_xlat x, x12;
    struct ata_tf tf;
    struct rq r12;
    BOOLEAN fast;

    if (op_rw10_16(r->cdb[0]))
        oracle(r->m, r->cdb, r->len, r->data_len, &w);
    memset(&tf, 0xA5, sizeof(tf));
    fast = sat_rw_fast(&disk, r->cdb, r->len, r->data_len, &tf);
    if (!op_rw10_16(r->cdb[0])) {
        RQ_EQ(r, "fast path took another opcode", fast, FALSE);
        return;
    }
    memset(&x, 0x5A, sizeof(x));
    sat_translate(&disk, r->cdb, r->len, r->data_len, reply, &x);
    judge(r, &w, &x);
    if (fast) {
        RQ_EQ(r, "fast path on a 28-bit disk", r->m->lba48, TRUE);
        RQ_EQ(r, "fast path's answer, translator's kind", x.kind, SAT_ATA);
        tf_same(r, "fast path and translator differ", &tf, &x.tf);
        judge_tf(r, &w, &tf);
        t->fast++;
    } else {
        RQ_EQ(r, "fast path declined a plain READ/WRITE",
              r->m->lba48 && w.why == 0 && w.blocks != 0, FALSE);
        t->general++;
    }
    t->refused += x.kind == SAT_CHECK;
    if (rq_as_12(r, &r12)) {
        memset(&x12, 0x3C, sizeof(x12));
        sat_translate(&disk, r12.cdb, r12.len, r12.data_len, reply, &x12);
        xlat_same(r, "READ/WRITE(12) of the same request differs", &x12, &x);
        judge(&r12, &w, &x12);
        t->bypassed++;
    }
}

static struct rq rq_make(const struct model *m, UCHAR op, ULONGLONG lba, ULONG n, ULONG data_len)
{
    struct rq r = { .m = m, .len = op_rw16(op) ? 16 : 10, .data_len = data_len };

    r.cdb[0] = op;
    if (op_rw16(op)) {
        put_be_n(r.cdb + 2, lba, 8);
        put_be_n(r.cdb + 10, n, 4);
    } else {
        put_be_n(r.cdb + 2, lba, 4);
        put_be_n(r.cdb + 7, n, 2);
    }
    return r;
}

static ULONG bytes_for(const struct model *m, ULONGLONG n)
{
    ULONGLONG b = n * m->sector_size;

    return b > 0xFFFFFFFFull ? 0xFFFFFFFFu : (ULONG)b;
}

static const UCHAR rw_ops[] = { SCSIOP_READ, SCSIOP_WRITE, SCSIOP_READ16, SCSIOP_WRITE16 };

/* Every model and opcode at each LBA of interest, with n blocks and a buffer that fits. */
static void run_lbas(ULONG n, struct tally *t)
{
    for (unsigned i = 0; i < NMODELS; i++) {
        const struct model *m = &models[i];
        unsigned long long s = m->sectors;
        const unsigned long long lbas[] = {
            0, 1, s - 1, s - n, s - n + 1, s, s + 1, (1ull << 28) - 1, 1ull << 28,
            (1ull << 28) + 1, 0xFFFFFFFFull, 1ull << 32, (1ull << 32) + 1, 0x123456789ABull,
            (1ull << 48) - 1, 1ull << 48, 1ull << 63, ~0ull,
        };

        use_model(m);
        for (unsigned k = 0; k < sizeof(lbas) / sizeof(lbas[0]); k++) {
            for (unsigned o = 0; o < sizeof(rw_ops); o++) {
                struct rq r = rq_make(m, rw_ops[o], lbas[k], n, bytes_for(m, n));

                r.tag = (UCHAR)(k + o);
                if (op_rw16(rw_ops[o]) || (lbas[k] >> 32 == 0 && n <= 0xFFFF))
                    run_rq(&r, t);
            }
        }
    }
}

static void test_fast_models(void **state)
{
    UCHAR ms[6] = { SCSIOP_MODE_SENSE, 0, MODE_PAGE_CACHING, 0, 0xFF, 0 };
    UCHAR rc16[16] = { SCSIOP_SERVICE_ACTION_IN16, SERVICE_ACTION_READ_CAPACITY16 };
    UCHAR inq[6] = { SCSIOP_INQUIRY, 0, 0, 0, 36, 0 };
    UCHAR b0[6] = { SCSIOP_INQUIRY, 1, 0xB0, 0, 64, 0 };
    struct tally t = { 0 };
    struct sat_xlat x;
    ULONG max, want_max;

    (void)state;
    rc16[13] = 32;
    for (unsigned i = 0; i < NMODELS; i++) {
        const struct model *m = &models[i];

        use_model(m);
        assert_true(disk.sectors == m->sectors);
        assert_int_equal(disk.sector_size, m->sector_size);
        assert_int_equal(1u << disk.sector_shift, m->sector_size);
        assert_int_equal(disk.lba48, m->lba48);
        assert_int_equal(disk.ncq, model_ncq(m));
        assert_int_equal(disk.fua, model_fua(m));
        /* What the disk advertises, which the oracle's refusals follow from. */
        xlate(ms, 6, 255, &x);
        assert_int_equal(reply[2] & MODE_DSP_FUA_SUPPORTED,
                         model_fua(m) ? MODE_DSP_FUA_SUPPORTED : 0);
        xlate(rc16, 16, 32, &x);
        assert_int_equal(reply[12] & 0x01, 0);             /* PROT_EN */
        xlate(inq, 6, 36, &x);
        assert_int_equal(reply[3] & 0x20, 0);              /* NormACA */
        assert_int_equal(reply[7] & 0x08, 0);              /* LINKED */
        /*
         * Block Limits: MAXIMUM TRANSFER LENGTH is the most one ATA command
         * carries that a 32-bit DataTransferLength can hold; a transfer of
         * that many blocks is taken and one more is not.
         */
        xlate(b0, 6, 64, &x);
        max = be32(reply + 8);
        want_max = m->lba48 ? 65536u : 256u;
        if (want_max > 0xFFFFFFFFu / m->sector_size)
            want_max = 0xFFFFFFFFu / m->sector_size;
        assert_int_equal(max, want_max);
        if (max <= m->sectors) {
            struct rq r = rq_make(m, SCSIOP_READ16, 0, max, bytes_for(m, max));

            run_rq(&r, &t);
            xlate(r.cdb, r.len, r.data_len, &x);
            assert_int_equal(x.kind, SAT_ATA);
        }
        if (max < m->sectors) {
            struct rq r = rq_make(m, SCSIOP_READ16, 0, max + 1, bytes_for(m, max + 1));

            run_rq(&r, &t);
            xlate(r.cdb, r.len, r.data_len, &x);
            assert_int_equal(x.kind, SAT_CHECK);
        }
    }
    assert_true(t.fast + t.general >= NMODELS - 3);
}

static void test_fast_lba_boundaries(void **state)
{
    static const ULONG counts[] = { 1, 8, 256 };
    struct tally t = { 0 };

    (void)state;
    for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
        run_lbas(counts[c], &t);
    assert_true(t.fast > 100 && t.general > 100 && t.bypassed > 100);
}

static void test_fast_transfer_lengths(void **state)
{
    static const ULONG counts[] = { 0, 255, 257, 4096, 65535, 65536, 65537, 0x1000000,
                                    0xFFFFFFFF };
    struct tally t = { 0 };

    (void)state;
    for (unsigned c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
        run_lbas(counts[c], &t);
    assert_true(t.fast > 100 && t.general > 100 && t.bypassed > 100);
}

/* cdb[1], the group number and the control byte, each bit alone and some together. */
static void test_fast_cdb_bits(void **state)
{
    static const UCHAR byte1[] = { 0x08, 0x10, 0x18, 0x20, 0x40, 0x80, 0xE0, 0x04, 0x02, 0x01,
                                   0xFF, 0x07 };
    static const UCHAR ctl[] = { 0x01, 0x02, 0x04, 0x40, 0x80, 0xC0, 0x38, 0xFF };
    struct tally t = { 0 };

    (void)state;
    for (unsigned i = 0; i < NMODELS; i++) {
        const struct model *m = &models[i];

        use_model(m);
        for (unsigned o = 0; o < sizeof(rw_ops); o++) {
            unsigned size = op_rw16(rw_ops[o]) ? 16 : 10;
            struct rq base = rq_make(m, rw_ops[o], m->sectors - 4, 4, 4 * m->sector_size), r;

            base.tag = 31;
            for (unsigned b = 0; b < sizeof(byte1); b++) {
                r = base;
                r.cdb[1] = byte1[b];
                run_rq(&r, &t);
            }
            for (unsigned c = 0; c < sizeof(ctl); c++) {
                r = base;
                r.cdb[size - 1] = ctl[c];
                run_rq(&r, &t);
            }
            r = base;
            r.cdb[size - 2] = 0xFF;                 /* group number and reserved bits */
            run_rq(&r, &t);
            r.cdb[size - 2] = 0x1F;
            run_rq(&r, &t);
        }
    }
    assert_true(t.fast > 100 && t.general > 50 && t.refused > 50);
}

/* DataTransferLength around the blocks' size, and every CDB length. */
static void test_fast_buffer_and_cdb_length(void **state)
{
    struct tally t = { 0 };

    (void)state;
    for (unsigned i = 0; i < NMODELS; i++) {
        const struct model *m = &models[i];
        ULONG need = 3 * m->sector_size;
        const ULONG lens[] = { 0, 1, need - m->sector_size, need - 1, need, need + 1,
                               need + m->sector_size, 0xFFFFFFFF };

        use_model(m);
        for (unsigned o = 0; o < sizeof(rw_ops); o++) {
            for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
                struct rq r = rq_make(m, rw_ops[o], 7, 3, lens[k]);

                run_rq(&r, &t);
            }
            for (UCHAR len = 1; len <= 16; len++) {
                struct rq r = rq_make(m, rw_ops[o], 7, 3, need);

                r.len = len;
                run_rq(&r, &t);
            }
        }
    }
    assert_true(t.fast > 50 && t.general > 50);
}

/* Hand-computed FIS bytes, a check on the oracle itself. */
static void test_fast_vectors(void **state)
{
    static const struct {
        unsigned model;
        UCHAR cdb[16];
        UCHAR tag;
        UCHAR fis[16];
    } v[] = {
        /* NCQ READ(16) of 0x0102 blocks at 0x123456789A (> 2^32), tag 9. */
        { 8, { 0x88, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9A, 0, 0, 0x01, 0x02, 0, 0 }, 9,
          { 0x27, 0x80, 0x60, 0x02, 0x9A, 0x78, 0x56, 0x40, 0x34, 0x12, 0, 0x01, 0x48, 0, 0, 0 } },
        /* NCQ WRITE(10), FUA, 65535 blocks at 0, tag 31. */
        { 0, { 0x2A, 0x08, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0 }, 31,
          { 0x27, 0x80, 0x61, 0xFF, 0, 0, 0, 0xC0, 0, 0, 0, 0xFF, 0xF8, 0, 0, 0 } },
        /* NCQ WRITE(16), 65536 blocks (Features 0) at 0x10000000 (2^28). */
        { 0, { 0x8A, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 0, 0, 0, 0 }, 0,
          { 0x27, 0x80, 0x61, 0, 0, 0, 0, 0x40, 0x10, 0, 0, 0, 0, 0, 0, 0 } },
        /* WRITE DMA FUA EXT: WRITE(16), FUA, 8 blocks at 0x1000, tag ignored. */
        { 1, { 0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 8, 0, 0 }, 5,
          { 0x27, 0x80, 0x3D, 0, 0, 0x10, 0, 0x40, 0, 0, 0, 0, 8, 0, 0, 0 } },
        /* NCQ READ(16), FUA: Device bit 7 on a read too, 8 blocks at 0x1000, tag 2. */
        { 0, { 0x88, 0x08, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 8, 0, 0 }, 2,
          { 0x27, 0x80, 0x60, 8, 0, 0x10, 0, 0xC0, 0, 0, 0, 0, 0x10, 0, 0, 0 } },
        /* READ DMA EXT: READ(10), DPO and FUA (no FUA read without NCQ), 0x1234 blocks. */
        { 1, { 0x28, 0x18, 0x00, 0x0A, 0xBC, 0xDE, 0, 0x12, 0x34, 0 }, 3,
          { 0x27, 0x80, 0x25, 0, 0xDE, 0xBC, 0x0A, 0x40, 0, 0, 0, 0, 0x34, 0x12, 0, 0 } },
        /* 4096-byte sectors, NCQ READ(10) of 2 blocks at 0x01020304. */
        { 4, { 0x28, 0, 0x01, 0x02, 0x03, 0x04, 0, 0, 2, 0 }, 1,
          { 0x27, 0x80, 0x60, 2, 0x04, 0x03, 0x02, 0x40, 0x01, 0, 0, 0, 0x08, 0, 0, 0 } },
        /* 28-bit READ DMA: READ(10) of 256 blocks (Count 0) at 0x0ABCDEF0 - 256. */
        { 10, { 0x28, 0, 0x0A, 0xBC, 0xDD, 0xF0, 0, 0x01, 0x00, 0 }, 0,
          { 0x27, 0x80, 0xC8, 0, 0xF0, 0xDD, 0xBC, 0x4A, 0, 0, 0, 0, 0, 0, 0, 0 } },
    };
    struct sat_xlat x;
    UCHAR fis[20];

    (void)state;
    for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        const struct model *m = &models[v[i].model];
        struct rq r = { .m = m, .len = op_rw16(v[i].cdb[0]) ? 16 : 10, .tag = v[i].tag };
        struct want w;
        ULONGLONG n;

        memcpy(r.cdb, v[i].cdb, 16);
        n = op_rw16(r.cdb[0]) ? be_n(r.cdb + 10, 4) : be_n(r.cdb + 7, 2);
        r.data_len = (ULONG)(n * m->sector_size);
        use_model(m);
        oracle(m, r.cdb, r.len, r.data_len, &w);
        oracle_fis(&w, r.tag, fis);
        assert_memory_equal(fis, v[i].fis, 16);
        assert_memory_equal(fis + 16, "\0\0\0\0", 4);
        xlate(r.cdb, r.len, r.data_len, &x);
        assert_int_equal(x.kind, SAT_ATA);
        sat_tf_to_fis(&x.tf, r.tag, fis);
        assert_memory_equal(fis, v[i].fis, 16);
    }
}

/* A small fixed-seed generator (xorshift64*), so a failure repeats. */
static ULONGLONG rng_state = 0x5A7F0A57ull;

static ULONGLONG rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static ULONGLONG rng_lba(const struct model *m, ULONGLONG n)
{
    ULONGLONG s = m->sectors, near = rng() % 3 - 1;

    switch (rng() % 12) {
    case 0: return 0;
    case 1: return s - 1;
    case 2: return s - n;
    case 3: return s - n + 1;
    case 4: return s + near;
    case 5: return (1ull << 28) + near;
    case 6: return (1ull << 32) + near;
    case 7: return (1ull << 48) + near;
    case 8: return rng();
    case 9: return (ULONG)rng();
    default: return rng() % s;
    }
}

static ULONG rng_count(void)
{
    static const ULONG edge[] = { 0, 1, 255, 256, 257, 65535, 65536, 65537, 0xFFFFFFFF };

    switch (rng() % 4) {
    case 0: return edge[rng() % (sizeof(edge) / sizeof(edge[0]))];
    case 1: return (ULONG)rng() & 0xFFFF;
    case 2: return (ULONG)rng();
    default: return 1 + (ULONG)(rng() % 128);
    }
}

static ULONG rng_data_len(const struct model *m, ULONGLONG n)
{
    ULONG b = bytes_for(m, n);

    switch (rng() % 8) {
    case 0: return b - 1;
    case 1: return b - m->sector_size;
    case 2: return b + (ULONG)(rng() % 4096);
    case 3: return (ULONG)rng();
    case 4: return 0xFFFFFFFF;
    default: return b;
    }
}

static UCHAR rng_op(void)
{
    static const UCHAR other[] = { SCSIOP_READ12, SCSIOP_WRITE12, SCSIOP_READ6, SCSIOP_WRITE6,
                                   SCSIOP_VERIFY, SCSIOP_VERIFY16, 0x29, 0x2B, 0x89, 0x8B,
                                   0x2C, 0x2E, 0x8C, 0x8E, 0xAE };

    if (rng() % 16)
        return rw_ops[rng() % sizeof(rw_ops)];
    return rng() % 2 ? other[rng() % sizeof(other)] : (UCHAR)rng();
}

static struct rq rng_rq(const struct model *m)
{
    UCHAR op = rng_op();
    ULONG n = rng_count();
    struct rq r = rq_make(m, op, rng_lba(m, n), n, rng_data_len(m, n));
    unsigned size = op_rw16(op) ? 16 : 10;

    for (unsigned i = size; i < 16; i++)
        r.cdb[i] = (UCHAR)rng();                /* past the CDB: never read */
    if (rng() % 2)
        r.cdb[1] = (UCHAR)rng() & (rng() % 2 ? 0x18 : 0xFF);
    if (rng() % 4 == 0)
        r.cdb[size - 2] = (UCHAR)rng();         /* group number */
    if (rng() % 4 == 0)
        r.cdb[size - 1] = (UCHAR)rng();         /* control */
    if (rng() % 8 == 0)
        r.len = (UCHAR)(1 + rng() % 16);
    r.tag = (UCHAR)(rng() % 32);
    return r;
}

static void test_fast_random(void **state)
{
    struct tally t = { 0 };

    (void)state;
    rng_state = 0x5A7F0A57ull;
    for (unsigned i = 0; i < NMODELS; i++) {
        use_model(&models[i]);
        for (unsigned k = 0; k < 20000; k++) {
            struct rq r = rng_rq(&models[i]);

            run_rq(&r, &t);
        }
    }
    assert_true(t.fast > 10000 && t.general > 10000 && t.bypassed > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identify),
        cmocka_unit_test(test_id_string),
        cmocka_unit_test(test_inquiry_standard),
        cmocka_unit_test(test_inquiry_vpd),
        cmocka_unit_test(test_read_capacity),
        cmocka_unit_test(test_read10_ncq),
        cmocka_unit_test(test_write16_fua_dma),
        cmocka_unit_test(test_rw6_and_12),
        cmocka_unit_test(test_lba_out_of_range),
        cmocka_unit_test(test_short_buffer),
        cmocka_unit_test(test_verify_and_sync),
        cmocka_unit_test(test_mode_sense_caching),
        cmocka_unit_test(test_misc_commands),
        cmocka_unit_test(test_unsupported_opcode),
        cmocka_unit_test(test_control_byte),
        cmocka_unit_test(test_unsized_groups),
        cmocka_unit_test(test_protect_field),
        cmocka_unit_test(test_passthrough16),
        cmocka_unit_test(test_passthrough12_nondata),
        cmocka_unit_test(test_error_sense),
        cmocka_unit_test(test_flush_error_sense),
        cmocka_unit_test(test_fixed_and_passthru_sense),
        cmocka_unit_test(test_fis_ncq_and_lba28),
        cmocka_unit_test(test_fast_models),
        cmocka_unit_test(test_fast_vectors),
        cmocka_unit_test(test_fast_lba_boundaries),
        cmocka_unit_test(test_fast_transfer_lengths),
        cmocka_unit_test(test_fast_cdb_bits),
        cmocka_unit_test(test_fast_buffer_and_cdb_length),
        cmocka_unit_test(test_fast_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
