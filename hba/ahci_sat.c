/*
 * SCSI to ATA Translation (T10 SAT-3) for ATA disks behind the AHCI
 * miniport: CDB -> ATA task file or emulated reply, ATA registers -> sense.
 * Pure functions over plain structures (ahci_sat.h); compiled into the
 * miniport and, for tests, on the host (tests/unit/test_ahci_sat.c).
 *
 * Choices where SAT leaves room or QEMU forces one:
 *  - An ATA read, write or verify at an address already checked to be in
 *    range that the device aborts (ERR with ABRT and no other cause bit)
 *    is a medium error: the device could not move that data.  QEMU reports
 *    every host I/O error this way, and a retried ABORTED COMMAND would
 *    hide an unreadable sector from the disk layer.
 *  - An aborted FLUSH CACHE (EXT) is a medium error too, WRITE ERROR as for
 *    a write: cached data did not reach the medium.  Retrying it proves
 *    nothing, since the next FLUSH goes on past the blocks that failed
 *    (ACS-3, FLUSH CACHE EXT); only the caller, which still has the data,
 *    can recover.
 *  - Underruns are the caller's business: a reply is cut to the CDB's
 *    allocation length here and to DataTransferLength by the caller.
 *  - No MODE SELECT, no UNMAP/WRITE SAME: they get INVALID COMMAND
 *    OPERATION CODE like every other opcode not listed in sat_translate.
 *  - The CONTROL byte is checked before the opcode: an opcode not
 *    translated here with NACA or LINK set gets INVALID FIELD IN CDB (both
 *    are ILLEGAL REQUEST; SAM-3 orders neither first).  A reserved or
 *    vendor-specific group, where SPC gives no CDB size, is an unknown
 *    opcode at once.
 */
#include "scsi.h"
#include "ahci_sat.h"

#define SAT_VENDOR                  "ATA     "   /* SAT-3 6.4.2: T10 vendor id of ATA devices */

/*
 * CDB fields ddk/scsi.h has no mask for.  This SATL reports PROT_EN = 0
 * (READ CAPACITY(16)), NormACA = 0 and LINKED = 0 (INQUIRY), so a CDB
 * with any of them set is refused: SBC-3 for the protection fields, SAM-3
 * for the CONTROL byte.
 */
#define SAT_CDB_PROTECT             0xE0    /* byte 1 of READ/WRITE/VERIFY(10/12/16): xPROTECT */
#define SAT_CONTROL_NACA            0x04    /* CONTROL byte: normal ACA */
#define SAT_CONTROL_LINK            0x01    /* CONTROL byte: linked command (obsolete) */
#define SAT_CONTROL_REFUSED         (SAT_CONTROL_NACA | SAT_CONTROL_LINK)

/* ---- small helpers ------------------------------------------------------------------- */

ULONG sat_be32(const UCHAR *p)
{
    return (ULONG)p[0] << 24 | (ULONG)p[1] << 16 | (ULONG)p[2] << 8 | p[3];
}

ULONGLONG sat_be64(const UCHAR *p)
{
    return (ULONGLONG)sat_be32(p) << 32 | sat_be32(p + 4);
}

static ULONG be16(const UCHAR *p)
{
    return (ULONG)p[0] << 8 | p[1];
}

static void put_be16(UCHAR *p, ULONG v)
{
    USHORT be = __builtin_bswap16((USHORT)v);

    __builtin_memcpy(p, &be, 2);
}

static void put_be32(UCHAR *p, ULONG v)
{
    ULONG be = __builtin_bswap32(v);

    __builtin_memcpy(p, &be, 4);
}

static void put_be64(UCHAR *p, ULONGLONG v)
{
    put_be32(p, (ULONG)(v >> 32));
    put_be32(p + 4, (ULONG)v);
}

static ULONG min_ul(ULONG a, ULONG b)
{
    return a < b ? a : b;
}

static ULONGLONG id_u64(const USHORT *id, unsigned w)
{
    return (ULONGLONG)id[w] | (ULONGLONG)id[w + 1] << 16 | (ULONGLONG)id[w + 2] << 32 |
           (ULONGLONG)id[w + 3] << 48;
}

/* IDENTIFY strings: two characters per word, first one in the high byte. */
static void id_chars(const USHORT *id, unsigned word, unsigned chars, UCHAR *out)
{
    for (unsigned i = 0; i < chars; i++) {
        USHORT w = id[word + i / 2];
        UCHAR c = (UCHAR)((i & 1) ? w : w >> 8);
        out[i] = (c >= 0x20 && c < 0x7F) ? c : ' ';
    }
}

void __attribute__((cold)) sat_id_string(const USHORT *id, unsigned word, unsigned chars, char *out)
{
    unsigned n = chars;

    id_chars(id, word, chars, (UCHAR *)out);
    while (n && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

/* A word is valid when bit 15 is 0 and bit 14 is 1 (ACS-3 7.12.7). */
static BOOLEAN id_word_valid(USHORT w)
{
    return (w & 0xC000) == 0x4000;
}

BOOLEAN __attribute__((cold)) sat_disk_init(struct sat_disk *d, const USHORT *id, BOOLEAN hba_ncq)
{
    USHORT ss = id[ID_SECTOR_SIZE];

    memset(d, 0, sizeof(*d));
    d->id = id;
    if (!(id[ID_CAPABILITIES] & ID_CAP_LBA))
        return FALSE;
    d->lba48 = (id[ID_CMDSET_83] & ID_83_LBA48) && (id[ID_CMDSET_86] & ID_83_LBA48);
    d->sectors = d->lba48 ? id_u64(id, ID_LBA48_SECTORS) & 0xFFFFFFFFFFFFull :
                            (ULONGLONG)id[ID_LBA28_SECTORS] | (ULONGLONG)id[ID_LBA28_SECTORS + 1] << 16;
    d->sector_size = ATA_SECTOR_SIZE;
    if ((ss & ID_SS_VALID_MASK) == ID_SS_VALID) {
        if (ss & ID_SS_LONG_LOGICAL) {
            ULONG words = (ULONG)id[ID_LOGICAL_SIZE] | (ULONG)id[ID_LOGICAL_SIZE + 1] << 16;
            if (words >= 256 && words <= 32768 && !(words & (words - 1)))
                d->sector_size = words * 2;     /* a power of two */
        }
        if (ss & ID_SS_MULTIPLE)
            d->phys_exp = (UCHAR)(ss & 0x0F);
    }
    d->sector_shift = (UCHAR)__builtin_ctz(d->sector_size);
    if (id_word_valid(id[ID_ALIGNMENT]))
        d->lowest_aligned = id[ID_ALIGNMENT] & 0x3FFF;
    d->ncq = hba_ncq && d->lba48 && (id[ID_SATA_CAP] & ID_SATA_CAP_NCQ) &&
             id[ID_SATA_CAP] != 0xFFFF;
    d->queue_depth = d->ncq ? (UCHAR)((id[ID_QUEUE_DEPTH] & 0x1F) + 1) : 1;
    if (d->ncq && d->queue_depth < 2)
        d->ncq = FALSE;
    d->fua = d->lba48 && (d->ncq || (id_word_valid(id[ID_CMDSET_87]) &&
                                     (id[ID_CMDSET_87] & ID_84_FUA_EXT)));
    d->write_cache = (id[ID_CMDSET_85] & ID_82_WRITE_CACHE) != 0;
    d->read_ahead = (id[ID_CMDSET_85] & ID_82_LOOK_AHEAD) != 0;
    d->removable = (id[ID_CONFIG] & ID_CONFIG_REMOVABLE) != 0;
    return d->sectors != 0;
}

/* ---- results ---------------------------------------------------------------------- */

/* Not inlined, nor xl_check: each is used a dozen times, and a call is shorter. */
static void __attribute__((noinline)) xl_reply(struct sat_xlat *x, ULONG built, ULONG alloc)
{
    x->kind = SAT_REPLY;
    x->reply_len = min_ul(built, alloc);
}

static void __attribute__((noinline))
xl_check(struct sat_xlat *x, UCHAR key, UCHAR asc, UCHAR ascq)
{
    x->kind = SAT_CHECK;
    x->sense.key = key;
    x->sense.asc = asc;
    x->sense.ascq = ascq;
}

static void xl_invalid_field(struct sat_xlat *x)
{
    xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_INVALID_CDB, 0);
}

static void xl_ata(struct sat_xlat *x)
{
    x->kind = SAT_ATA;
}

ULONG __attribute__((cold)) sat_fixed_sense(const struct sat_sense *s, UCHAR *buf, ULONG len)
{
    UCHAR sense[SENSE_BUFFER_SIZE];
    ULONG n = min_ul(len, sizeof(sense));

    memset(sense, 0, sizeof(sense));
    sense[0] = 0x70;                            /* current error, fixed format */
    sense[2] = s->key & 0x0F;
    sense[7] = SENSE_BUFFER_SIZE - 8;           /* additional sense length */
    sense[12] = s->asc;
    sense[13] = s->ascq;
    memcpy(buf, sense, n);
    return n;
}

/* ---- ATA status -> sense ---------------------------------------------------------- */

static BOOLEAN cmd_reads(UCHAR c)
{
    return c == ATA_CMD_READ_DMA_EXT || c == ATA_CMD_READ_DMA || c == ATA_CMD_READ_FPDMA_QUEUED ||
           c == ATA_CMD_READ_VERIFY_EXT || c == ATA_CMD_READ_VERIFY;
}

static BOOLEAN cmd_writes(UCHAR c)
{
    return c == ATA_CMD_WRITE_DMA_EXT || c == ATA_CMD_WRITE_DMA ||
           c == ATA_CMD_WRITE_DMA_FUA_EXT || c == ATA_CMD_WRITE_FPDMA_QUEUED;
}

static BOOLEAN cmd_flushes(UCHAR c)
{
    return c == ATA_CMD_FLUSH_CACHE_EXT || c == ATA_CMD_FLUSH_CACHE;
}

/* A medium error's ASC: UNRECOVERED READ ERROR, or WRITE ERROR for data not written. */
static UCHAR medium_error_asc(UCHAR c)
{
    return cmd_writes(c) || cmd_flushes(c) ? SCSI_ADSENSE_WRITE_ERROR : 0x11;
}

/*
 * SAT-3 table 11-ish: the error register's cause bits in priority order,
 * the first one set decides.  A medium error's ASC depends on the command.
 */
#define SAT_ASC_MEDIUM              0xFF    /* table only: medium_error_asc() */
static const struct sat_cause {
    UCHAR bit, key, asc, ascq;
} sat_causes[] = {
    /* INFORMATION UNIT iuCRC ERROR DETECTED */
    { ATA_ERR_ICRC, SCSI_SENSE_ABORTED_COMMAND, 0x47, 0x03 },
    { ATA_ERR_UNC, SCSI_SENSE_MEDIUM_ERROR, SAT_ASC_MEDIUM, 0 },
    /* LBA OUT OF RANGE */
    { ATA_ERR_IDNF, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_BLOCK, 0 },
    { ATA_ERR_MC, SCSI_SENSE_UNIT_ATTENTION, SCSI_ADSENSE_MEDIUM_CHANGED, 0 },
    /* MEDIUM REMOVAL REQUEST */
    { ATA_ERR_MCR, SCSI_SENSE_UNIT_ATTENTION, SCSI_ADSENSE_OPERATOR_REQUEST, 0x01 },
    { ATA_ERR_NM, SCSI_SENSE_NOT_READY, SCSI_ADSENSE_NO_MEDIA_IN_DEVICE, 0 },
};

void __attribute__((cold)) sat_ata_error_sense(UCHAR command, UCHAR status, UCHAR error,
                                               struct sat_sense *s)
{
    const struct sat_cause *c;

    s->key = SCSI_SENSE_ABORTED_COMMAND;        /* failed without saying why */
    s->asc = s->ascq = 0;
    if (status & ATA_STS_DF) {
        s->key = SCSI_SENSE_HARDWARE_ERROR;
        s->asc = 0x44;                          /* INTERNAL TARGET FAILURE */
        return;
    }
    if (!(status & ATA_STS_ERR))
        return;
    for (c = sat_causes; c < sat_causes + RTL_NUMBER_OF(sat_causes); c++) {
        if (error & c->bit) {
            s->key = c->key;
            s->asc = c->asc == SAT_ASC_MEDIUM ? medium_error_asc(command) : c->asc;
            s->ascq = c->ascq;
            return;
        }
    }
    if ((error & ATA_ERR_ABRT) &&
        (cmd_reads(command) || cmd_writes(command) || cmd_flushes(command))) {
        s->key = SCSI_SENSE_MEDIUM_ERROR;       /* see the head comment */
        s->asc = medium_error_asc(command);
    }
}

ULONG __attribute__((cold)) sat_passthru_sense(const struct ata_result *r, BOOLEAN extend,
                                               BOOLEAN error, UCHAR command, UCHAR *buf, ULONG len)
{
    UCHAR sense[8 + 2 + SAT_DESC_ATA_STATUS_LEN];
    struct sat_sense s = { SCSI_SENSE_RECOVERED_ERROR, 0x00, 0x1D };  /* ATA PT INFO AVAILABLE */
    UCHAR *d = sense + 8;

    if (error)
        sat_ata_error_sense(command, r->status, r->error, &s);
    memset(sense, 0, sizeof(sense));
    sense[0] = 0x72;                            /* current error, descriptor format */
    sense[1] = s.key;
    sense[2] = s.asc;
    sense[3] = s.ascq;
    sense[7] = 2 + SAT_DESC_ATA_STATUS_LEN;
    d[0] = SAT_DESC_ATA_STATUS;
    d[1] = SAT_DESC_ATA_STATUS_LEN;
    d[2] = extend ? 1 : 0;
    d[3] = r->error;
    d[4] = (UCHAR)(r->count >> 8);
    d[5] = (UCHAR)r->count;
    d[6] = (UCHAR)(r->lba >> 24);
    d[7] = (UCHAR)r->lba;
    d[8] = (UCHAR)(r->lba >> 32);
    d[9] = (UCHAR)(r->lba >> 8);
    d[10] = (UCHAR)(r->lba >> 40);
    d[11] = (UCHAR)(r->lba >> 16);
    d[12] = r->device;
    d[13] = r->status;
    len = min_ul(len, sizeof(sense));
    memcpy(buf, sense, len);
    return len;
}

/* ---- task files ------------------------------------------------------------------- */

void __attribute__((cold)) sat_tf_identify(struct ata_tf *tf, BOOLEAN packet)
{
    memset(tf, 0, sizeof(*tf));
    tf->command = packet ? ATA_CMD_IDENTIFY_PACKET : ATA_CMD_IDENTIFY;
    tf->flags = ATA_TF_DATA_IN;
    tf->bytes = ATA_IDENTIFY_WORDS * 2;
}

void __attribute__((cold)) sat_tf_read_log(struct ata_tf *tf, UCHAR log, ULONG bytes)
{
    memset(tf, 0, sizeof(*tf));
    tf->command = ATA_CMD_READ_LOG_EXT;
    tf->lba = log;                              /* LBA 7:0 log address, 47:32 page */
    tf->count = (USHORT)(bytes / ATA_SECTOR_SIZE);
    tf->flags = ATA_TF_LBA48 | ATA_TF_DATA_IN;
    tf->bytes = bytes;
}

void __attribute__((cold)) sat_tf_flush(struct ata_tf *tf, BOOLEAN lba48)
{
    memset(tf, 0, sizeof(*tf));
    tf->command = lba48 ? ATA_CMD_FLUSH_CACHE_EXT : ATA_CMD_FLUSH_CACHE;
    tf->flags = lba48 ? ATA_TF_LBA48 : 0;
}

/* ---- READ / WRITE / VERIFY ---------------------------------------------------------- */

struct rw {
    ULONGLONG lba;
    ULONG count;                    /* blocks */
    UCHAR fua;                      /* ATA_DEV_FUA if the CDB has FUA, else 0 */
};

_Static_assert(CDB_FORCE_MEDIA_ACCESS << 4 == ATA_DEV_FUA, "FUA: CDB byte 1 bit 3 to Device bit 7");

/* FUA as the FPDMA commands' Device bit: no branch on the path of every read and write. */
static inline UCHAR rw_fua(UCHAR byte1)
{
    return (UCHAR)((byte1 & CDB_FORCE_MEDIA_ACCESS) << 4);
}

/*
 * LBA, count and FUA of READ/WRITE/VERIFY(6/10/12/16), whose CDB the
 * dispatcher has found size bytes long; FALSE if it asks for protection
 * information.  LBA from byte 2, 4 bytes (8 in a 16-byte CDB); the count
 * ends 2 bytes before the CONTROL byte (a 10-byte CDB: bytes 7-8).
 */
static BOOLEAN rw_fields(const UCHAR *cdb, UCHAR size, struct rw *rw)
{
    if (size == 6) {
        rw->lba = ((ULONG)(cdb[1] & 0x1F) << 16) | be16(cdb + 2);
        rw->count = cdb[4] ? cdb[4] : 256;
        rw->fua = 0;
        return TRUE;
    }
    rw->lba = size == 16 ? sat_be64(cdb + 2) : sat_be32(cdb + 2);
    rw->count = size == 10 ? be16(cdb + 7) : sat_be32(cdb + size - 6);
    rw->fua = rw_fua(cdb[1]);
    return !(cdb[1] & SAT_CDB_PROTECT);
}

/* The opcode's low nibble tells the READ, WRITE and VERIFY opcodes apart. */
#define RW_OP_WRITE                 0x0A
#define RW_OP_VERIFY                0x0F
_Static_assert((SCSIOP_READ6 & 0x0F) == 0x08 && (SCSIOP_READ & 0x0F) == 0x08 &&
               (SCSIOP_READ12 & 0x0F) == 0x08 && (SCSIOP_READ16 & 0x0F) == 0x08 &&
               (SCSIOP_WRITE6 & 0x0F) == RW_OP_WRITE && (SCSIOP_WRITE & 0x0F) == RW_OP_WRITE &&
               (SCSIOP_WRITE12 & 0x0F) == RW_OP_WRITE && (SCSIOP_WRITE16 & 0x0F) == RW_OP_WRITE &&
               (SCSIOP_VERIFY & 0x0F) == RW_OP_VERIFY && (SCSIOP_VERIFY12 & 0x0F) == RW_OP_VERIFY &&
               (SCSIOP_VERIFY16 & 0x0F) == RW_OP_VERIFY, "READ/WRITE/VERIFY opcode nibbles");

/*
 * The task file of a READ/WRITE/VERIFY whose fields have passed every
 * check.  Every field is set here (the path of every read and write: no
 * clearing first); inline, so the fast path below gets its own copy with
 * the verify branch folded away.
 */
static inline void rw_taskfile(const struct sat_disk *d, BOOLEAN write, BOOLEAN verify,
                               const struct rw *rw, struct ata_tf *tf)
{
    BOOLEAN lba48 = d->lba48, ncq = d->ncq;     /* read once: tf's stores may alias d */
    ULONG bytes = rw->count * d->sector_size;

    tf->features = tf->features_exp = 0;
    tf->control = 0;
    tf->count = 0;
    tf->bytes = 0;
    tf->lba = rw->lba;
    tf->device = ATA_DEV_LBA;
    tf->flags = lba48 ? ATA_TF_LBA48 : 0;
    if (verify) {
        tf->command = lba48 ? ATA_CMD_READ_VERIFY_EXT : ATA_CMD_READ_VERIFY;
        tf->count = (USHORT)rw->count;          /* 65536 wraps to 0, as ATA wants */
        return;
    }
    tf->bytes = bytes;
    tf->flags |= write ? ATA_TF_DATA_OUT : ATA_TF_DATA_IN;
    if (ncq) {
        tf->command = write ? ATA_CMD_WRITE_FPDMA_QUEUED : ATA_CMD_READ_FPDMA_QUEUED;
        tf->features = (UCHAR)rw->count;        /* NCQ: the sector count is in Features */
        tf->features_exp = (UCHAR)(rw->count >> 8);
        tf->device = ATA_DEV_LBA | rw->fua;     /* reads too, as libata sets it */
        tf->flags |= ATA_TF_NCQ;
        return;
    }
    tf->count = (USHORT)rw->count;
    if (!lba48)
        tf->command = write ? ATA_CMD_WRITE_DMA : ATA_CMD_READ_DMA;
    else if (write && rw->fua)
        tf->command = ATA_CMD_WRITE_DMA_FUA_EXT;
    else
        tf->command = write ? ATA_CMD_WRITE_DMA_EXT : ATA_CMD_READ_DMA_EXT;
}

/* A protection field or NACA/LINK set, in one test: the fast path's share of the refusals. */
static inline BOOLEAN cdb_refused(UCHAR byte1, UCHAR control)
{
    return ((byte1 & SAT_CDB_PROTECT) | (control & SAT_CONTROL_REFUSED)) != 0;
}

_Static_assert(SCSIOP_WRITE == (SCSIOP_READ | 0x02) && SCSIOP_WRITE16 == (SCSIOP_READ16 | 0x02) &&
               !(SCSIOP_READ & 0x02) && !(SCSIOP_READ16 & 0x02),
               "bit 1 of the opcode tells READ(10/16) from WRITE(10/16)");

/*
 * READ/WRITE(10/16) to a 48-bit disk with nothing to refuse - nearly every
 * request: the task file straight from the CDB, as sat_rw would make it,
 * without the dispatcher.  FALSE for anything else (another opcode, a
 * 28-bit disk, a protection field or NACA/LINK set, a count of 0 or over
 * the limit, blocks past the end, FUA the disk lacks, a buffer too short),
 * which sat_translate then answers, errors included.
 */
BOOLEAN sat_rw_fast(const struct sat_disk *d, const UCHAR *cdb, UCHAR cdb_len, ULONG data_len,
                    struct ata_tf *tf)
{
    UCHAR op = cdb[0];
    struct rw rw;

    if ((op | 0x02) == SCSIOP_WRITE && cdb_len >= 10) {            /* READ(10), WRITE(10) */
        if (cdb_refused(cdb[1], cdb[9]))
            return FALSE;
        rw.lba = sat_be32(cdb + 2);
        rw.count = be16(cdb + 7);
    } else if ((op | 0x02) == SCSIOP_WRITE16 && cdb_len >= 16) {    /* READ(16), WRITE(16) */
        if (sat_be32(cdb + 2) >> 16)
            return FALSE;                       /* past any 48-bit disk */
        if (cdb_refused(cdb[1], cdb[15]))
            return FALSE;
        rw.lba = sat_be64(cdb + 2);
        rw.count = sat_be32(cdb + 10);
    } else {
        return FALSE;
    }
    /* lba < 2^48 and count <= 2^16 here: lba + count cannot overflow. */
    rw.fua = rw_fua(cdb[1]);
    if (!d->lba48 || rw.count - 1 >= SAT_MAX_SECTORS || rw.lba + rw.count > d->sectors ||
        rw.count > data_len >> d->sector_shift || (rw.fua && !d->fua && (op & 0x02)))
        return FALSE;
    rw_taskfile(d, (op & 0x02) != 0, FALSE, &rw, tf);
    return TRUE;
}

static void sat_rw(const struct sat_disk *d, const UCHAR *cdb, UCHAR size, ULONG data_len,
                   struct sat_xlat *x)
{
    struct rw rw;
    ULONG max = d->lba48 ? SAT_MAX_SECTORS : ATA_MAX_SECTORS_LBA28;
    BOOLEAN write = (cdb[0] & 0x0F) == RW_OP_WRITE, verify = (cdb[0] & 0x0F) == RW_OP_VERIFY;

    if (!rw_fields(cdb, size, &rw)) {
        xl_invalid_field(x);
        return;
    }
    if (rw.lba > d->sectors || rw.count > d->sectors - rw.lba) {
        xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_BLOCK, 0);
        return;
    }
    if (rw.count == 0) {                        /* no blocks: nothing to do (SBC) */
        xl_reply(x, 0, 0);
        return;
    }
    if (verify && (cdb[1] & 0x06)) {
        xl_invalid_field(x);                    /* BYTCHK: no compare here */
        return;
    }
    if (rw.count > max || (rw.fua && write && !d->fua) ||
        (!verify && data_len < (ULONGLONG)rw.count * d->sector_size)) {
        xl_invalid_field(x);
        return;
    }
    if (!d->lba48 && rw.lba + rw.count - 1 > ATA_MAX_LBA28) {
        xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_BLOCK, 0);
        return;
    }
    rw_taskfile(d, write, verify, &rw, &x->tf);
    xl_ata(x);
}

/* ---- INQUIRY -------------------------------------------------------------------- */

static ULONG inquiry_std(const struct sat_disk *d, UCHAR *r)
{
    memset(r, 0, 36);
    r[0] = DIRECT_ACCESS_DEVICE;
    r[1] = d->removable ? 0x80 : 0;
    r[2] = 0x05;                                /* SPC-3 */
    r[3] = 0x02;                                /* response data format 2 */
    r[4] = 36 - 5;
    r[7] = d->ncq ? 0x02 : 0;                   /* CMDQUE */
    memcpy(r + 8, SAT_VENDOR, 8);
    id_chars(d->id, ID_MODEL, 16, r + 16);
    /* Revision: the last four firmware characters, or the first four if those are blank. */
    id_chars(d->id, ID_FW_REV + 2, 4, r + 32);
    if (!memcmp(r + 32, "    ", 4))
        id_chars(d->id, ID_FW_REV, 4, r + 32);
    return 36;
}

static ULONG vpd_header(UCHAR *r, UCHAR page, ULONG len)
{
    r[0] = DIRECT_ACCESS_DEVICE;
    r[1] = page;
    put_be16(r + 2, len);
    return 4 + len;
}

static ULONG vpd_supported(UCHAR *r)
{
    static const UCHAR pages[] = { 0x00, 0x80, 0x83, 0x89, 0xB0, 0xB1 };

    memcpy(r + 4, pages, sizeof(pages));
    return vpd_header(r, 0x00, sizeof(pages));
}

static ULONG vpd_serial(const struct sat_disk *d, UCHAR *r)
{
    id_chars(d->id, ID_SERIAL, ID_SERIAL_LEN, r + 4);
    return vpd_header(r, 0x80, ID_SERIAL_LEN);
}

/* Device identification: the NAA WWN when the disk has one, and the T10 vendor id. */
static ULONG vpd_devid(const struct sat_disk *d, UCHAR *r)
{
    const USHORT *id = d->id;
    UCHAR *p = r + 4;

    if (id_word_valid(id[ID_CMDSET_87]) && (id[ID_CMDSET_87] & ID_84_WWN)) {
        p[0] = 0x01;                            /* binary */
        p[1] = 0x03;                            /* NAA, associated with the LU */
        p[3] = 8;
        for (int i = 0; i < 4; i++)
            put_be16(p + 4 + 2 * i, id[ID_WWN + i]);
        p += 12;
    }
    p[0] = 0x02;                                /* ASCII */
    p[1] = 0x01;                                /* T10 vendor identification */
    p[3] = 8 + ID_MODEL_LEN + ID_SERIAL_LEN;
    memcpy(p + 4, SAT_VENDOR, 8);
    id_chars(id, ID_MODEL, ID_MODEL_LEN, p + 12);
    id_chars(id, ID_SERIAL, ID_SERIAL_LEN, p + 12 + ID_MODEL_LEN);
    p += 4 + p[3];
    return vpd_header(r, 0x83, (ULONG)(p - r - 4));
}

/* ATA Information (SAT-3 12.4.2): the SATL, the signature, IDENTIFY data. */
static ULONG vpd_ata_info(const struct sat_disk *d, UCHAR *r)
{
    UCHAR *sig = r + 36;

    memset(r + 4, 0, 568);
    memcpy(r + 8, "ATA-SCSI", 8);               /* SAT vendor: this translation layer */
    memcpy(r + 16, "AHCI miniport   ", 16);
    memcpy(r + 32, "1.0 ", 4);
    sig[0] = 0x34;                              /* D2H register FIS with the ATA signature */
    sig[4] = 0x01;                              /* LBA low */
    sig[12] = 0x01;                             /* count */
    r[56] = ATA_CMD_IDENTIFY;
    memcpy(r + 60, d->id, ATA_IDENTIFY_WORDS * 2);  /* little-endian (x86), as the device sent it */
    return vpd_header(r, 0x89, 568);
}

/*
 * The Block Limits VPD page (SBC-3).  MAXIMUM TRANSFER LENGTH is what
 * sat_rw takes: one ATA command's count, and no more bytes than a 32-bit
 * DataTransferLength holds (65535 blocks of 64 KiB).
 */
static ULONG vpd_block_limits(const struct sat_disk *d, UCHAR *r)
{
    ULONG max = d->lba48 ? SAT_MAX_SECTORS : ATA_MAX_SECTORS_LBA28;

    memset(r + 4, 0, 0x3C);
    put_be16(r + 6, 1u << d->phys_exp);         /* optimal transfer length granularity */
    put_be32(r + 8, min_ul(max, 0xFFFFFFFFu >> d->sector_shift));
    return vpd_header(r, 0xB0, 0x3C);
}

static ULONG vpd_characteristics(const struct sat_disk *d, UCHAR *r)
{
    memset(r + 4, 0, 0x3C);
    put_be16(r + 4, d->id[ID_ROTATION_RATE]);
    r[7] = (UCHAR)(d->id[ID_FORM_FACTOR] & 0x0F);
    return vpd_header(r, 0xB1, 0x3C);
}

static void sat_inquiry(const struct sat_disk *d, const UCHAR *cdb, UCHAR *r, struct sat_xlat *x)
{
    ULONG alloc = be16(cdb + 3), n;

    if (cdb[1] & 0x02) {                        /* CMDDT: obsolete */
        xl_invalid_field(x);
        return;
    }
    if (!(cdb[1] & CDB_INQUIRY_EVPD)) {
        if (cdb[2]) {
            xl_invalid_field(x);
            return;
        }
        xl_reply(x, inquiry_std(d, r), alloc);
        return;
    }
    switch (cdb[2]) {
    case 0x00: n = vpd_supported(r); break;
    case 0x80: n = vpd_serial(d, r); break;
    case 0x83: n = vpd_devid(d, r); break;
    case 0x89: n = vpd_ata_info(d, r); break;
    case 0xB0: n = vpd_block_limits(d, r); break;
    case 0xB1: n = vpd_characteristics(d, r); break;
    default:
        xl_invalid_field(x);
        return;
    }
    xl_reply(x, n, alloc);
}

/* ---- READ CAPACITY, MODE SENSE, REQUEST SENSE, REPORT LUNS ------------------------------- */

static void sat_read_capacity10(const struct sat_disk *d, UCHAR *r, struct sat_xlat *x)
{
    ULONGLONG last = d->sectors - 1;

    put_be32(r, last > 0xFFFFFFFFull ? 0xFFFFFFFFu : (ULONG)last);
    put_be32(r + 4, d->sector_size);
    xl_reply(x, 8, 8);
}

static void sat_read_capacity16(const struct sat_disk *d, const UCHAR *cdb, UCHAR *r,
                                struct sat_xlat *x)
{
    if ((cdb[1] & 0x1F) != SERVICE_ACTION_READ_CAPACITY16) {
        xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_COMMAND, 0);
        return;
    }
    memset(r, 0, 32);
    put_be64(r, d->sectors - 1);
    put_be32(r + 8, d->sector_size);
    r[13] = d->phys_exp;                        /* logical blocks per physical block exponent */
    put_be16(r + 14, d->lowest_aligned);
    xl_reply(x, 32, sat_be32(cdb + 10));
}

/* Caching mode page (SBC-3 6.4.5): WCE and DRA from IDENTIFY. */
static ULONG page_caching(const struct sat_disk *d, UCHAR pc, UCHAR *p)
{
    memset(p, 0, 20);
    p[0] = MODE_PAGE_CACHING;
    p[1] = 18;
    if (pc == 1)                                /* changeable: nothing (no MODE SELECT) */
        return 20;
    p[2] = d->write_cache ? 0x04 : 0;           /* WCE */
    p[12] = d->read_ahead ? 0 : 0x20;           /* DRA */
    return 20;
}

static ULONG page_control(UCHAR pc, UCHAR *p)
{
    memset(p, 0, 12);
    p[0] = MODE_PAGE_CONTROL;
    p[1] = 10;
    if (pc != 1)
        p[3] = 0x10;                            /* queue algorithm: unrestricted */
    put_be16(p + 8, 0xFFFF);                    /* busy timeout period: unlimited */
    return 12;
}

static ULONG page_recovery(UCHAR pc, UCHAR *p)
{
    memset(p, 0, 12);
    p[0] = MODE_PAGE_ERROR_RECOVERY;
    p[1] = 10;
    if (pc != 1)
        p[2] = 0x80;                            /* AWRE: the disk reallocates on its own */
    return 12;
}

/* The pages asked for, after a header of hdr bytes and a block descriptor; 0 if unknown. */
static ULONG mode_pages(const struct sat_disk *d, UCHAR page, UCHAR pc, UCHAR *p)
{
    ULONG n = 0;

    if (page == MODE_PAGE_ERROR_RECOVERY || page == MODE_SENSE_RETURN_ALL)
        n += page_recovery(pc, p + n);
    if (page == MODE_PAGE_CACHING || page == MODE_SENSE_RETURN_ALL)
        n += page_caching(d, pc, p + n);
    if (page == MODE_PAGE_CONTROL || page == MODE_SENSE_RETURN_ALL)
        n += page_control(pc, p + n);
    return n;
}

/* Density code and the reserved byte 4 are 0: blocks and sector size fit in 24 bits. */
static void block_descriptor(const struct sat_disk *d, UCHAR *b)
{
    put_be32(b, d->sectors > 0xFFFFFF ? 0xFFFFFF : (ULONG)d->sectors);
    put_be32(b + 4, d->sector_size);
}

static void sat_mode_sense(const struct sat_disk *d, const UCHAR *cdb, UCHAR *r,
                           struct sat_xlat *x)
{
    BOOLEAN ten = cdb[0] == SCSIOP_MODE_SENSE10;
    ULONG hdr = ten ? MODE_HEADER_LENGTH10 : MODE_HEADER_LENGTH;
    ULONG bd = (cdb[1] & 0x08) ? 0 : MODE_BLOCK_DESC_LENGTH;     /* DBD */
    UCHAR page = cdb[2] & 0x3F, pc = cdb[2] >> 6, sub = cdb[3];
    ULONG n, alloc = ten ? be16(cdb + 7) : cdb[4];

    if (pc == 3) {
        xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, 0x39, 0);   /* SAVING PARAMETERS NOT SUPPORTED */
        return;
    }
    if (sub && !(sub == 0xFF && page == MODE_SENSE_RETURN_ALL)) {
        xl_invalid_field(x);
        return;
    }
    memset(r, 0, hdr + bd);
    n = mode_pages(d, page, pc, r + hdr + bd);
    if (!n) {
        xl_invalid_field(x);
        return;
    }
    if (bd)
        block_descriptor(d, r + hdr);
    n += hdr + bd;
    if (ten) {
        put_be16(r, n - 2);
        r[3] = d->fua ? MODE_DSP_FUA_SUPPORTED : 0;
        put_be16(r + 6, bd);
    } else {
        r[0] = (UCHAR)(n - 1);
        r[2] = d->fua ? MODE_DSP_FUA_SUPPORTED : 0;
        r[3] = (UCHAR)bd;
    }
    xl_reply(x, n, alloc);
}

/* No sense is held (autosense returns it with the failing command): NO SENSE. */
static void sat_request_sense(const UCHAR *cdb, UCHAR *r, struct sat_xlat *x)
{
    struct sat_sense none = { SCSI_SENSE_NO_SENSE, 0, 0 };

    if (cdb[1] & 0x01) {                        /* DESC: descriptor format */
        memset(r, 0, 8);
        r[0] = 0x72;
        xl_reply(x, 8, cdb[4]);
        return;
    }
    xl_reply(x, sat_fixed_sense(&none, r, SENSE_BUFFER_SIZE), cdb[4]);
}

static void sat_report_luns(const UCHAR *cdb, UCHAR *r, struct sat_xlat *x)
{
    memset(r, 0, 16);
    put_be32(r, 8);                             /* one LUN: 0 */
    xl_reply(x, 16, sat_be32(cdb + 6));
}

/* START STOP UNIT: START -> IDLE IMMEDIATE, STOP -> STANDBY IMMEDIATE (SAT-3 9.11). */
static void sat_start_stop(const UCHAR *cdb, struct sat_xlat *x)
{
    UCHAR pc = cdb[4] >> 4;
    BOOLEAN start = (cdb[4] & 0x01) != 0;

    memset(&x->tf, 0, sizeof(x->tf));
    if (cdb[4] & 0x02) {                        /* LOEJ: a fixed disk has nothing to eject */
        xl_reply(x, 0, 0);
        return;
    }
    if (pc == 0)
        x->tf.command = start ? ATA_CMD_IDLE_IMMEDIATE : ATA_CMD_STANDBY_IMMEDIATE;
    else if (pc == 1 || pc == 2)
        x->tf.command = ATA_CMD_IDLE_IMMEDIATE;
    else if (pc == 3)
        x->tf.command = ATA_CMD_STANDBY_IMMEDIATE;
    else {
        xl_invalid_field(x);
        return;
    }
    xl_ata(x);
}

/* ---- ATA PASS-THROUGH (12/16) --------------------------------------------------------- */

/* Bytes the pass-through CDB says move (t_length, byt_blok, t_type). */
static ULONG pt_bytes(const struct sat_disk *d, UCHAR b2, const struct ata_tf *tf)
{
    ULONG n;

    switch (SAT_PT_T_LENGTH(b2)) {
    case SAT_TLEN_FEATURES:
        n = tf->features;
        break;
    case SAT_TLEN_COUNT:
        n = (tf->flags & ATA_TF_LBA48) ? tf->count : (tf->count & 0xFF);
        if (!n)
            n = (tf->flags & ATA_TF_LBA48) ? 65536 : 256;
        break;
    default:
        return 0;
    }
    if (b2 & SAT_PT_BYT_BLOK)
        n *= (b2 & SAT_PT_T_TYPE) ? d->sector_size : ATA_SECTOR_SIZE;
    return n;
}

/*
 * The task file of ATA PASS-THROUGH(12/16) (SAT-3).  The last byte is
 * the SCSI CONTROL byte, not ATA Device Control: Device Control stays 0
 * (its SRST and nIEN are the HBA's business).  Each register's CDB byte
 * comes from a table (0: none), in the order of struct pt_regs.
 */
struct pt_regs {
    UCHAR features, features_exp;
    UCHAR count[2];                 /* little-endian, as lba */
    UCHAR lba[6];
    UCHAR device, command;
};

static void pt_registers(const UCHAR *cdb, struct ata_tf *tf)
{
    static const UCHAR at[3][sizeof(struct pt_regs)] = {
        { 3, 0, 4, 0, 5, 6, 7, 0, 0, 0, 8, 9 },             /* 12 */
        { 4, 0, 6, 0, 8, 10, 12, 0, 0, 0, 13, 14 },         /* 16 */
        { 4, 3, 6, 5, 8, 10, 12, 7, 9, 11, 13, 14 },        /* 16 with EXTEND */
    };
    const UCHAR *pick = at[cdb[0] == SCSIOP_ATA_PASSTHROUGH12 ? 0 : 1 + SAT_PT_EXTEND(cdb[1])];
    UCHAR v[sizeof(struct pt_regs)];
    struct pt_regs r;
    USHORT lba_hi;
    ULONG lba_lo;

    for (unsigned i = 0; i < sizeof(v); i++)
        v[i] = pick[i] ? cdb[pick[i]] : 0;
    __builtin_memcpy(&r, v, sizeof(r));
    memset(tf, 0, sizeof(*tf));
    tf->features = r.features;
    tf->features_exp = r.features_exp;
    tf->count = (USHORT)(r.count[0] | r.count[1] << 8);
    __builtin_memcpy(&lba_lo, r.lba, 4);
    __builtin_memcpy(&lba_hi, r.lba + 4, 2);
    tf->lba = (ULONGLONG)lba_hi << 32 | lba_lo;
    tf->device = r.device;
    tf->command = r.command;
    if (pick[1])
        tf->flags = ATA_TF_LBA48;
}

static void sat_passthrough(const struct sat_disk *d, const UCHAR *cdb, ULONG data_len,
                            struct sat_xlat *x)
{
    UCHAR proto = SAT_PT_PROTOCOL(cdb[1]), b2 = cdb[2];
    struct ata_tf *tf = &x->tf;
    ULONG bytes;

    pt_registers(cdb, tf);
    bytes = pt_bytes(d, b2, tf);
    switch (proto) {
    case SAT_PROTO_NON_DATA:
        if (bytes) {
            xl_invalid_field(x);
            return;
        }
        break;
    case SAT_PROTO_PIO_IN:
    case SAT_PROTO_PIO_OUT:
    case SAT_PROTO_DMA:
    case SAT_PROTO_UDMA_IN:
    case SAT_PROTO_UDMA_OUT:
        if (!bytes || bytes > data_len ||
            (proto == SAT_PROTO_PIO_IN && !(b2 & SAT_PT_T_DIR)) ||
            (proto == SAT_PROTO_PIO_OUT && (b2 & SAT_PT_T_DIR))) {
            xl_invalid_field(x);
            return;
        }
        tf->flags |= (b2 & SAT_PT_T_DIR) ? ATA_TF_DATA_IN : ATA_TF_DATA_OUT;
        tf->bytes = bytes;
        break;
    default:                                    /* resets, FPDMA, diagnostics: not here */
        xl_invalid_field(x);
        return;
    }
    x->passthru = TRUE;
    x->ck_cond = (b2 & SAT_PT_CK_COND) != 0;
    x->extend = (tf->flags & ATA_TF_LBA48) != 0;
    xl_ata(x);
}

/* ---- the dispatcher ------------------------------------------------------------------ */

/*
 * The CDB's size by the opcode's group code (SPC-4): the CONTROL byte is
 * its last.  0 for the reserved and vendor-specific groups, whose sizes
 * SPC leaves open and none of whose opcodes is translated here.
 */
static UCHAR cdb_size(UCHAR op)
{
    switch (op >> 5) {
    case 0: return 6;
    case 1: case 2: return 10;
    case 4: return 16;
    case 5: return 12;
    default: return 0;
    }
}

void __attribute__((cold)) sat_translate(const struct sat_disk *d, const UCHAR *cdb, UCHAR cdb_len,
                                         ULONG data_len, UCHAR *reply, struct sat_xlat *x)
{
    UCHAR size = cdb_size(cdb[0]);

    /* Each outcome sets what it returns (tf, reply_len or sense); the flags are common. */
    x->passthru = x->ck_cond = x->extend = FALSE;
    if (!size) {
        xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_COMMAND, 0);
        return;
    }
    if (cdb_len < size || (cdb[size - 1] & SAT_CONTROL_REFUSED)) {
        xl_invalid_field(x);
        return;
    }
    switch (cdb[0]) {
    case SCSIOP_TEST_UNIT_READY: xl_reply(x, 0, 0); break;
    case SCSIOP_REQUEST_SENSE: sat_request_sense(cdb, reply, x); break;
    case SCSIOP_INQUIRY: sat_inquiry(d, cdb, reply, x); break;
    case SCSIOP_READ_CAPACITY: sat_read_capacity10(d, reply, x); break;
    case SCSIOP_SERVICE_ACTION_IN16: sat_read_capacity16(d, cdb, reply, x); break;
    case SCSIOP_MODE_SENSE:
    case SCSIOP_MODE_SENSE10: sat_mode_sense(d, cdb, reply, x); break;
    case SCSIOP_REPORT_LUNS: sat_report_luns(cdb, reply, x); break;
    case SCSIOP_START_STOP_UNIT: sat_start_stop(cdb, x); break;
    case SCSIOP_SYNCHRONIZE_CACHE:
    case SCSIOP_SYNCHRONIZE_CACHE16:
        sat_tf_flush(&x->tf, d->lba48);
        xl_ata(x);
        break;
    case SCSIOP_ATA_PASSTHROUGH12:
    case SCSIOP_ATA_PASSTHROUGH16:
        sat_passthrough(d, cdb, data_len, x);
        break;
    case SCSIOP_READ6: case SCSIOP_WRITE6:
    case SCSIOP_READ: case SCSIOP_WRITE: case SCSIOP_VERIFY:
    case SCSIOP_READ12: case SCSIOP_WRITE12: case SCSIOP_VERIFY12:
    case SCSIOP_READ16: case SCSIOP_WRITE16: case SCSIOP_VERIFY16:
        sat_rw(d, cdb, size, data_len, x);
        break;
    default:
        xl_check(x, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_COMMAND, 0);
        break;
    }
}
