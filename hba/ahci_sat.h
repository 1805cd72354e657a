/*
 * SCSI to ATA Translation (T10 SAT-3) for the AHCI miniport's ATA disks:
 * the pure part.  Everything here works on plain structures - a CDB in,
 * an ATA task file or an emulated reply or sense data out; ATA status and
 * error registers in, sense data out - so it builds for the host (cmocka
 * test, fuzzing) as well as in the miniport.  No hardware, no ScsiPort
 * calls, no SRB.
 */
#ifndef AHCI_SAT_H
#define AHCI_SAT_H

#include "miniport.h"
#include "atareg.h"

/* What the translation knows about one ATA disk (from IDENTIFY DEVICE). */
struct sat_disk {
    const USHORT *id;               /* the IDENTIFY data, 256 words (VPD 89h, strings) */
    ULONGLONG sectors;              /* user-addressable logical sectors */
    ULONG sector_size;              /* logical sector, bytes */
    UCHAR sector_shift;             /* log2(sector_size) */
    UCHAR phys_exp;                 /* log2(physical sector / logical sector) */
    USHORT lowest_aligned;          /* first LBA aligned to a physical sector */
    UCHAR queue_depth;              /* NCQ depth when ncq, else 1 */
    BOOLEAN lba48;                  /* 48-bit commands */
    BOOLEAN ncq;                    /* READ/WRITE go as FPDMA QUEUED (disk and HBA allow it) */
    BOOLEAN fua;                    /* WRITE DMA FUA EXT, or NCQ's FUA bit */
    BOOLEAN write_cache;            /* volatile write cache enabled */
    BOOLEAN read_ahead;             /* read look-ahead enabled */
    BOOLEAN removable;
};

/* An ATA command: the registers of a Register H2D FIS, and what moves. */
struct ata_tf {
    UCHAR command;
    UCHAR features;
    UCHAR features_exp;             /* Features 15:8 (48-bit, NCQ count 15:8) */
    UCHAR device;
    UCHAR control;
    USHORT count;                   /* Count 15:0 (NCQ: tag in 7:3, set when issued) */
    ULONGLONG lba;                  /* LBA 47:0 */
    ULONG flags;
#define   ATA_TF_LBA48              0x01    /* 48-bit register set */
#define   ATA_TF_DATA_IN            0x02    /* device to host */
#define   ATA_TF_DATA_OUT           0x04    /* host to device */
#define   ATA_TF_NCQ                0x08    /* FPDMA QUEUED: issued with PxSACT */
#define   ATA_TF_ATAPI              0x10    /* PACKET: the CDB goes in ACMD */
    ULONG bytes;                    /* data bytes the command moves */
};

/* The registers a command finished with (D2H Register FIS or NCQ log). */
struct ata_result {
    UCHAR status;
    UCHAR error;
    UCHAR device;
    USHORT count;
    ULONGLONG lba;
};

/* Sense key and additional sense code / qualifier. */
struct sat_sense {
    UCHAR key;
    UCHAR asc;
    UCHAR ascq;
};

/* What to do with a CDB. */
enum sat_kind {
    SAT_REPLY,                      /* answered here: reply_len bytes in the reply buffer */
    SAT_CHECK,                      /* CHECK CONDITION with 'sense' */
    SAT_ATA,                        /* issue 'tf' (data: the SRB's buffer) */
};

struct sat_xlat {
    enum sat_kind kind;
    struct ata_tf tf;               /* SAT_ATA */
    ULONG reply_len;                /* SAT_REPLY: bytes to return (allocation length applied) */
    struct sat_sense sense;         /* SAT_CHECK */
    BOOLEAN passthru;               /* ATA PASS-THROUGH: report registers on error */
    BOOLEAN ck_cond;                /* ... and on success too */
    BOOLEAN extend;                 /* ... with the 48-bit register set */
};

#define SAT_REPLY_MAX               1024    /* the reply buffer a caller must provide */
#define SAT_MAX_SECTORS             ATA_MAX_SECTORS_LBA48

/*
 * READ/WRITE(10/16) to a 48-bit disk with nothing to refuse: *tf as
 * sat_translate would set it.  FALSE for anything else (sat_translate
 * then decides).
 */
BOOLEAN sat_rw_fast(const struct sat_disk *d, const UCHAR *cdb, UCHAR cdb_len, ULONG data_len,
                    struct ata_tf *tf);

/* Fill d from IDENTIFY DEVICE data; FALSE if the disk cannot be used (no LBA). */
BOOLEAN sat_disk_init(struct sat_disk *d, const USHORT *id, BOOLEAN hba_ncq);

/* Copy an IDENTIFY string (byte-swapped words), trimmed of trailing spaces. */
void sat_id_string(const USHORT *id, unsigned word, unsigned chars, char *out);

/* Translate one CDB for disk d.  data_len: the SRB's DataTransferLength. */
void sat_translate(const struct sat_disk *d, const UCHAR *cdb, UCHAR cdb_len, ULONG data_len,
                   UCHAR *reply, struct sat_xlat *x);

/* Sense for an ATA command that completed with ERR or DF in its status. */
void sat_ata_error_sense(UCHAR command, UCHAR status, UCHAR error, struct sat_sense *s);

/* Fixed-format sense data (18 bytes); returns the bytes written (<= len). */
ULONG sat_fixed_sense(const struct sat_sense *s, UCHAR *buf, ULONG len);

/*
 * Descriptor-format sense with the ATA Status Return descriptor, for ATA
 * PASS-THROUGH: on error (error TRUE: key/asc from the registers) or for
 * CK_COND (RECOVERED ERROR, ATA PASS THROUGH INFORMATION AVAILABLE).
 */
ULONG sat_passthru_sense(const struct ata_result *r, BOOLEAN extend, BOOLEAN error,
                         UCHAR command, UCHAR *buf, ULONG len);

/* One little-endian DWORD of a FIS (the FIS may sit at any byte address). */
static inline void sat_fis_dword(UCHAR *fis, unsigned i, ULONG v)
{
    __builtin_memcpy(fis + 4 * i, &v, 4);
}

/*
 * The 20-byte Register H2D FIS for tf (tag: NCQ tag, else ignored), as its
 * five DWORDs (SATA 3.x 10.5.5): byte 0 type, 1 C bit, 2 command, 3
 * features; 4-6 LBA 23:0, 7 device; 8-10 LBA 47:24, 11 features 15:8;
 * 12-13 count, 14 ICC, 15 control; 16-19 reserved.  Inline: it is on the
 * path of every command the miniport issues.
 */
static inline void sat_tf_to_fis(const struct ata_tf *tf, UCHAR tag, UCHAR fis[20])
{
    ULONG flags = tf->flags, lba = (ULONG)tf->lba;

    /* Each DWORD from fresh loads and stored at once: fis may alias tf. */
    sat_fis_dword(fis, 0, 0x27 |                /* Register H2D */
                          0x80u << 8 |          /* C: command register update */
                          (ULONG)tf->command << 16 | (ULONG)tf->features << 24);
    if (flags & (ATA_TF_LBA48 | ATA_TF_NCQ)) {
        ULONG count = tf->count;
        sat_fis_dword(fis, 1, (lba & 0xFFFFFF) | (ULONG)tf->device << 24);
        sat_fis_dword(fis, 2, lba >> 24 | ((ULONG)(tf->lba >> 32) & 0xFFFF) << 8 |
                              (ULONG)tf->features_exp << 24);
        if (flags & ATA_TF_NCQ)
            count = (count & 0xFF00) | (ULONG)((tag & 0x1F) << ATA_NCQ_TAG_SHIFT);
        sat_fis_dword(fis, 3, count | (ULONG)tf->control << 24);
    } else {
        sat_fis_dword(fis, 1, (lba & 0xFFFFFF) | ((ULONG)tf->device | ((lba >> 24) & 0x0F)) << 24);
        sat_fis_dword(fis, 2, 0);               /* LBA 27:24 went in Device */
        sat_fis_dword(fis, 3, (tf->count & 0xFFu) | (ULONG)tf->control << 24);
    }
    sat_fis_dword(fis, 4, 0);
}

/* The taskfile the DRIVER issues itself. */
void sat_tf_identify(struct ata_tf *tf, BOOLEAN packet);
void sat_tf_read_log(struct ata_tf *tf, UCHAR log, ULONG bytes);
void sat_tf_flush(struct ata_tf *tf, BOOLEAN lba48);

/* Big-endian helpers for CDB fields. */
ULONG sat_be32(const UCHAR *p);
ULONGLONG sat_be64(const UCHAR *p);

#endif /* AHCI_SAT_H */
