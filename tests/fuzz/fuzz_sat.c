/*
 * libFuzzer harness: the AHCI miniport's SCSI-to-ATA translation
 * (hba/ahci_sat.c), with sense decoding (kernel/sense.c) reading back what
 * it builds.
 *
 * Input: flags (bit 0: the HBA does NCQ), 18 IDENTIFY words (the ones
 * sat_disk_init reads, in the order of id_words[] below), the SRB's
 * DataTransferLength (u32), the CDB length (1 + byte % 16) and that many
 * CDB bytes; then an ATA completion (command, status, error, device,
 * count, LBA, the EXTEND and error flags) and a sense buffer length for the
 * sense builders.
 *
 * Properties, for a disk sat_disk_init accepts:
 *  - the CDB is read only within its CdbLength and the reply only within
 *    SAT_REPLY_MAX bytes (both exact-size heap blocks: ASan);
 *  - a CHECK CONDITION from the translator is ILLEGAL REQUEST;
 *  - nothing is accepted (translated or answered) unless its opcode's group
 *    gives the CDB a size, CdbLength holds it, and its CONTROL byte (the
 *    last) has neither NACA nor LINK (INQUIRY says NormACA = 0, LINKED = 0);
 *  - an ATA command never moves more than DataTransferLength, moves data
 *    exactly when it has a direction, and never both directions;
 *  - an accepted READ/WRITE/VERIFY addresses LBA..LBA+count-1 inside the
 *    disk (counted from the CDB here, not by the translator), with a count
 *    the command can carry, 28-bit limits on a 28-bit disk, bytes =
 *    count * sector size, the right direction, no FUA the disk lacks, an
 *    NCQ command's FUA bit exactly when the CDB has FUA, and no
 *    RDPROTECT/WRPROTECT/VRPROTECT (READ CAPACITY(16) says PROT_EN = 0);
 *  - the FIS's Device Control byte is 0 (the CDB's CONTROL is not it);
 *  - the miniport's fast path, sat_rw_fast, called as the miniport calls
 *    it (before any CDB length check), reads the CDB only within its
 *    CdbLength, takes only READ/WRITE(10/16) on a 48-bit disk, and when it
 *    takes one gives the task file sat_translate gives;
 *  - ATA error -> sense never says NO SENSE, and the fixed and descriptor
 *    sense built from it are cut to the buffer and decode back to the same
 *    key/ASC/ASCQ;
 *  - IDENTIFY strings come out printable, trimmed and within their length.
 */
#include <stdbool.h>

#include "scsi.h"
#include "ahci_sat.h"
#include "sense.h"
#include "fuzz.h"

/* The IDENTIFY words sat_disk_init looks at, in input order. */
static const unsigned id_words[] = {
    ID_CONFIG, ID_CAPABILITIES, ID_LBA28_SECTORS, ID_LBA28_SECTORS + 1,
    ID_QUEUE_DEPTH, ID_SATA_CAP, ID_CMDSET_83, ID_CMDSET_85, ID_CMDSET_86, ID_CMDSET_87,
    ID_LBA48_SECTORS, ID_LBA48_SECTORS + 1, ID_LBA48_SECTORS + 2, ID_LBA48_SECTORS + 3,
    ID_SECTOR_SIZE, ID_LOGICAL_SIZE, ID_LOGICAL_SIZE + 1, ID_ALIGNMENT,
};

static void id_text(USHORT *id, unsigned word, const char *s, unsigned chars)
{
    for (unsigned i = 0; i < chars; i += 2)
        id[word + i / 2] = (USHORT)((UCHAR)s[i % 8] << 8 | (UCHAR)s[(i + 1) % 8]);
}

static void make_identify(struct fz *f, USHORT *id)
{
    memset(id, 0, 256 * sizeof(*id));
    id_text(id, ID_SERIAL, "SN000042", ID_SERIAL_LEN);
    id_text(id, ID_FW_REV, "FW1 FW2 ", ID_FW_REV_LEN);
    id_text(id, ID_MODEL, "FUZZDISK", ID_MODEL_LEN);
    id[ID_WWN] = 0x5000;
    for (unsigned i = 0; i < sizeof(id_words) / sizeof(id_words[0]); i++)
        id[id_words[i]] = fz_u16(f);
}

/* ---- READ/WRITE/VERIFY, decoded here independently of the translator ---------------- */

struct rw_ref {
    bool is_rw, write, verify, fua, protect;
    uint64_t lba, count;
};

static uint64_t be(const UCHAR *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static struct rw_ref rw_decode(const UCHAR *c)
{
    struct rw_ref r = { .is_rw = true };

    switch (c[0]) {
    case SCSIOP_READ6: case SCSIOP_WRITE6:
        r.lba = (uint64_t)(c[1] & 0x1F) << 16 | be(c + 2, 2);
        r.count = c[4] ? c[4] : 256;
        r.write = c[0] == SCSIOP_WRITE6;
        return r;                               /* no FUA bit in the 6-byte CDBs */
    case SCSIOP_READ: case SCSIOP_WRITE: case SCSIOP_VERIFY:
        r.lba = be(c + 2, 4);
        r.count = be(c + 7, 2);
        break;
    case SCSIOP_READ12: case SCSIOP_WRITE12: case SCSIOP_VERIFY12:
        r.lba = be(c + 2, 4);
        r.count = be(c + 6, 4);
        break;
    case SCSIOP_READ16: case SCSIOP_WRITE16: case SCSIOP_VERIFY16:
        r.lba = be(c + 2, 8);
        r.count = be(c + 10, 4);
        break;
    default:
        r.is_rw = false;
        return r;
    }
    r.write = c[0] == SCSIOP_WRITE || c[0] == SCSIOP_WRITE12 || c[0] == SCSIOP_WRITE16;
    r.verify = c[0] == SCSIOP_VERIFY || c[0] == SCSIOP_VERIFY12 || c[0] == SCSIOP_VERIFY16;
    r.fua = (c[1] & 0x08) != 0;
    r.protect = (c[1] & 0xE0) != 0;             /* none in the 6-byte CDBs either */
    return r;
}

static void check_rw(const struct sat_disk *d, const struct rw_ref *r, const struct ata_tf *tf)
{
    uint64_t max = d->lba48 ? ATA_MAX_SECTORS_LBA48 : ATA_MAX_SECTORS_LBA28;
    unsigned mask = d->lba48 ? 0xFFFF : 0xFF;
    unsigned n = (tf->flags & ATA_TF_NCQ) ? (unsigned)(tf->features | tf->features_exp << 8)
                                          : tf->count;

    FZ_CHECK(r->count >= 1 && r->count <= max, "count %llu accepted", (unsigned long long)r->count);
    FZ_CHECK(r->lba <= d->sectors && r->count <= d->sectors - r->lba,
             "LBA %llu + %llu past the disk's %llu sectors", (unsigned long long)r->lba,
             (unsigned long long)r->count, (unsigned long long)d->sectors);
    FZ_CHECK(!r->protect, "a protection field accepted");
    FZ_CHECK(tf->lba == r->lba, "task file LBA %llx, CDB LBA %llx",
             (unsigned long long)tf->lba, (unsigned long long)r->lba);
    FZ_CHECK((n & mask) == (r->count & mask), "task file count %u for %llu blocks", n,
             (unsigned long long)r->count);
    if (!d->lba48) {
        FZ_CHECK(r->lba + r->count - 1 <= ATA_MAX_LBA28 && !(tf->flags & ATA_TF_LBA48),
                 "28-bit disk: LBA %llx + %llu", (unsigned long long)r->lba,
                 (unsigned long long)r->count);
    }
    if (r->verify) {
        FZ_CHECK(tf->bytes == 0 && !(tf->flags & (ATA_TF_DATA_IN | ATA_TF_DATA_OUT)),
                 "VERIFY moves %lu bytes", (unsigned long)tf->bytes);
        return;
    }
    FZ_CHECK(tf->bytes == r->count * d->sector_size, "%llu blocks of %lu bytes, task file %lu",
             (unsigned long long)r->count, (unsigned long)d->sector_size,
             (unsigned long)tf->bytes);
    FZ_CHECK(tf->flags & (r->write ? ATA_TF_DATA_OUT : ATA_TF_DATA_IN), "wrong direction");
    FZ_CHECK(!(r->write && r->fua && !d->fua), "FUA write accepted on a disk without FUA");
    if (tf->flags & ATA_TF_NCQ)
        FZ_CHECK(((tf->device & ATA_DEV_FUA) != 0) == r->fua, "NCQ Device %02x, CDB FUA %d",
                 tf->device, r->fua);
}

/* ---- what every translation must satisfy ---------------------------------------------- */

static void check_ata(const struct sat_xlat *x, ULONG data_len)
{
    const struct ata_tf *tf = &x->tf;
    bool in = tf->flags & ATA_TF_DATA_IN, out = tf->flags & ATA_TF_DATA_OUT;
    UCHAR fis[20];

    FZ_CHECK(tf->bytes <= data_len, "ATA command moves %lu bytes, DataTransferLength %lu",
             (unsigned long)tf->bytes, (unsigned long)data_len);
    FZ_CHECK(!(in && out), "both directions");
    FZ_CHECK((tf->bytes != 0) == (in || out), "%lu bytes, flags %lx",
             (unsigned long)tf->bytes, (unsigned long)tf->flags);
    sat_tf_to_fis(tf, 0, fis);
    FZ_CHECK(fis[0] == 0x27 && fis[2] == tf->command, "FIS type %02x command %02x", fis[0], fis[2]);
    FZ_CHECK(fis[15] == 0, "FIS Device Control %02x", fis[15]);
}

/* The CDB size SPC's group code gives an opcode; 0 for the groups it leaves open. */
static unsigned group_size(UCHAR op)
{
    static const UCHAR size[8] = { 6, 10, 10, 0, 16, 12, 0, 0 };

    return size[op >> 5];
}

static void check_translation(const struct sat_disk *d, const UCHAR *cdb, UCHAR cdb_len,
                              ULONG data_len, const struct sat_xlat *x)
{
    struct rw_ref r = rw_decode(cdb);
    unsigned size = group_size(cdb[0]);

    if (x->kind != SAT_CHECK)
        FZ_CHECK(size && cdb_len >= size && !(cdb[size - 1] & 0x05),
                 "opcode %02x, CdbLength %u accepted with CONTROL %02x", cdb[0], cdb_len,
                 size ? cdb[size - 1] : 0);
    switch (x->kind) {
    case SAT_REPLY:
        FZ_CHECK(x->reply_len <= SAT_REPLY_MAX, "reply of %lu bytes", (unsigned long)x->reply_len);
        break;
    case SAT_CHECK:
        FZ_CHECK(x->sense.key == SCSI_SENSE_ILLEGAL_REQUEST, "sense key %x", x->sense.key);
        break;
    case SAT_ATA:
        check_ata(x, data_len);
        if (r.is_rw)
            check_rw(d, &r, &x->tf);
        break;
    default:
        FZ_CHECK(0, "kind %d", (int)x->kind);
    }
}

/* sat_rw_fast on the exact-size CDB: what it takes, sat_translate must translate the same. */
static void check_fast(const struct sat_disk *d, const UCHAR *cdb, UCHAR cdb_len, ULONG data_len,
                       const struct sat_xlat *x)
{
    struct ata_tf tf;
    UCHAR op = cdb[0];

    memset(&tf, 0xA5, sizeof(tf));
    if (!sat_rw_fast(d, cdb, cdb_len, data_len, &tf))
        return;
    FZ_CHECK(d->lba48 && (op == SCSIOP_READ || op == SCSIOP_WRITE || op == SCSIOP_READ16 ||
                          op == SCSIOP_WRITE16), "fast path took opcode %02x", op);
    FZ_CHECK(x->kind == SAT_ATA && !x->passthru, "fast path took what the translator answers "
             "with kind %d", (int)x->kind);
    FZ_CHECK(tf.command == x->tf.command && tf.features == x->tf.features &&
             tf.features_exp == x->tf.features_exp && tf.device == x->tf.device &&
             tf.control == x->tf.control && tf.count == x->tf.count && tf.lba == x->tf.lba &&
             tf.flags == x->tf.flags && tf.bytes == x->tf.bytes,
             "fast path: command %02x count %u LBA %llx, translator: %02x %u %llx", tf.command,
             tf.count, (unsigned long long)tf.lba, x->tf.command, x->tf.count,
             (unsigned long long)x->tf.lba);
}

/* ---- ATA registers -> sense -> decoded again --------------------------------------- */

static void check_decodes(const UCHAR *buf, ULONG n, const struct sat_sense *s, bool desc)
{
    struct sense_info si;
    ULONG need = desc ? 4 : 14;

    FZ_CHECK(sense_parse(buf, n, &si) == (n >= (desc ? 4u : 3u)), "sense_parse of %lu bytes",
             (unsigned long)n);
    if (n < need)
        return;
    FZ_CHECK(si.key == s->key && si.asc == s->asc && si.ascq == s->ascq,
             "built %x/%02x/%02x, decoded %x/%02x/%02x", s->key, s->asc, s->ascq, si.key,
             si.asc, si.ascq);
}

static void fuzz_sense_builders(struct fz *f)
{
    struct ata_result r;
    struct sat_sense s;
    UCHAR command = fz_u8(f), *buf;
    ULONG len, n;
    bool extend, error;

    r.status = fz_u8(f);
    r.error = fz_u8(f);
    r.device = fz_u8(f);
    r.count = fz_u16(f);
    r.lba = fz_u64(f);
    extend = fz_bool(f);
    error = fz_bool(f);
    len = fz_u8(f) % 40;
    sat_ata_error_sense(command, r.status, r.error, &s);
    FZ_CHECK(s.key != SCSI_SENSE_NO_SENSE && s.key <= 0x0F, "key %x", s.key);
    if (r.status & ATA_STS_DF)
        FZ_CHECK(s.key == SCSI_SENSE_HARDWARE_ERROR, "DF gave key %x", s.key);

    buf = malloc(len ? len : 1);
    if (!buf)
        abort();
    n = sat_fixed_sense(&s, buf, len);
    FZ_CHECK(n == (len < 18 ? len : 18), "fixed sense: %lu of %lu", (unsigned long)n,
             (unsigned long)len);
    check_decodes(buf, n, &s, false);
    n = sat_passthru_sense(&r, extend, error, command, buf, len);
    FZ_CHECK(n == (len < 22 ? len : 22), "descriptor sense: %lu of %lu", (unsigned long)n,
             (unsigned long)len);
    if (!error)
        s = (struct sat_sense){ SCSI_SENSE_RECOVERED_ERROR, 0x00, 0x1D };
    check_decodes(buf, n, &s, true);
    free(buf);
}

static void fuzz_id_strings(const USHORT *id)
{
    static const unsigned field[][2] = {
        { ID_SERIAL, ID_SERIAL_LEN }, { ID_FW_REV, ID_FW_REV_LEN }, { ID_MODEL, ID_MODEL_LEN },
    };

    for (int i = 0; i < 3; i++) {
        char *s = malloc(field[i][1] + 1);
        size_t n;

        if (!s)
            abort();
        sat_id_string(id, field[i][0], field[i][1], s);
        n = strlen(s);
        FZ_CHECK(n <= field[i][1] && (n == 0 || s[n - 1] != ' '), "IDENTIFY string '%s'", s);
        for (size_t k = 0; k < n; k++)
            FZ_CHECK(s[k] >= 0x20 && s[k] < 0x7F, "byte %02x in an IDENTIFY string", s[k]);
        free(s);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    static USHORT id[256];
    struct sat_disk d;
    struct sat_xlat x;
    BOOLEAN hba_ncq = fz_u8(&f) & 1;
    ULONG data_len;
    UCHAR cdb_len, cdb_full[16] = { 0 }, *cdb, *reply;
    size_t got;
    const uint8_t *p;

    make_identify(&f, id);
    data_len = fz_u32(&f);
    cdb_len = (UCHAR)(1 + fz_u8(&f) % 16);
    p = fz_bytes(&f, cdb_len, &got);
    memcpy(cdb_full, p, got);
    if (!sat_disk_init(&d, id, hba_ncq))
        return 0;
    FZ_CHECK(d.sectors != 0 && d.sector_size >= 512 && d.queue_depth >= 1, "disk %llu x %lu",
             (unsigned long long)d.sectors, (unsigned long)d.sector_size);
    fuzz_id_strings(id);

    cdb = fz_dup(cdb_full, cdb_len);
    reply = malloc(SAT_REPLY_MAX);
    if (!reply)
        abort();
    sat_translate(&d, cdb, cdb_len, data_len, reply, &x);
    check_translation(&d, cdb_full, cdb_len, data_len, &x);
    check_fast(&d, cdb, cdb_len, data_len, &x);
    free(reply);
    free(cdb);

    fuzz_sense_builders(&f);
    return 0;
}
