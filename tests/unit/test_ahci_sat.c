/*
 * Host tests of the AHCI miniport's SCSI-to-ATA translation (hba/ahci_sat.c):
 * CDB -> task file / reply / sense, ATA registers -> sense, FIS layout.
 * The IDENTIFY data is built here field by field, so every expectation
 * follows from a value this file set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
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
    assert_int_equal(be32(reply + 8), 65535);

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
    assert_false(x.passthru);
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
    cdb[8] = 0;                                             /* zero blocks: no-op even past */
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
        cmocka_unit_test(test_passthrough16),
        cmocka_unit_test(test_passthrough12_nondata),
        cmocka_unit_test(test_error_sense),
        cmocka_unit_test(test_fixed_and_passthru_sense),
        cmocka_unit_test(test_fis_ncq_and_lba28),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
