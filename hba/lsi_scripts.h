/*
 * The LSI53C8xx SCRIPTS program and the memory it works on: the per-request
 * cells (what DSA points at while a request is connected), the rings the
 * host and the SCRIPTS processor share, and the start-up assembler.
 *
 * DMA memory plan (all in the uncached extension, physically contiguous):
 *
 *   arena A  64 KiB, 64 KiB aligned: 256 cells of 256 bytes, cell i at A + i*256.
 *            Cell t (1..254) belongs to the request with queue tag t, cell
 *            255 to the one untagged request (SP_UNTAGGED is 255), cell 0 is
 *            unused (0 marks an empty ring slot); so on reselection DSA is
 *            the arena base with DSA1 set to the tag byte the target sent.
 *   arena B  A + 64 KiB: scatter/gather entries 24..55 of cell i at B + i*256
 *   arena C  A + 128 KiB: entries 56..64 of cell i at C + i*256
 *   misc     the SCRIPTS program, the start and done rings (256 one-byte
 *            slots each, 256-byte aligned so an 8-bit add wraps them), the
 *            data cells the program loads and stores (see enum lsi_cell).
 *
 * Table-indirect moves address a cell's entries DSA-relative, so entry i
 * is at DSA + lsi_sg_offset(i) whichever arena holds it.
 */
#ifndef LSI_SCRIPTS_H
#define LSI_SCRIPTS_H

#include "ntdef.h"
#include "lsireg.h"

#define LSI_CELLS           256
#define LSI_CELL_SIZE       256
#define LSI_UNTAGGED_CELL   255         /* the one untagged request (SP_UNTAGGED) */
#define LSI_ARENA_SIZE      0x10000u
#define LSI_ARENAS          3
#define LSI_SG_IN_A         24          /* entries in the cell itself */
#define LSI_SG_PER_ARENA    32          /* entries per cell in arenas B and C */
#define LSI_MAX_SG          65          /* 64 pages + a partial first one: 256 KiB */
#define LSI_RING_SLOTS      256

/*
 * One request's cell, as the SCRIPTS processor reads it (arena A).  Little
 * endian, 32-bit addresses; table entries are what table-indirect SELECT
 * and MOVE fetch.
 */
struct lsi_ccb {
    ULONG resume;                   /* 0x00 SCRIPTS address of the next data move */
    struct lsi_seltbl select;       /* 0x04 SCNTL3, target ID, SXFER */
    struct lsi_tbl msgout;          /* 0x08 IDENTIFY [+ queue tag message] */
    struct lsi_tbl cmd;             /* 0x10 the CDB */
    struct lsi_tbl status_tbl;      /* 0x18 one byte into .status */
    UCHAR status;                   /* 0x20 SCSI status byte, written by SCRIPTS */
    UCHAR overrun;                  /* 0x21 nonzero: SCRIPTS drained data past the buffer */
    UCHAR reserved[2];              /* 0x22 */
    UCHAR msgout_bytes[12];         /* 0x24 IDENTIFY, tag message, tag, WDTR or SDTR;
                                       later the answer to a message in */
    UCHAR cdb[16];                  /* 0x30 */
    struct lsi_tbl sg[LSI_SG_IN_A]; /* 0x40 scatter/gather entries 0..23 */
};
_Static_assert(sizeof(struct lsi_ccb) == LSI_CELL_SIZE, "a cell is 256 bytes");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, select) == 0x04, "select entry");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, msgout) == 0x08, "message-out entry");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, cmd) == 0x10, "command entry");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, status_tbl) == 0x18, "status entry");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, status) == 0x20, "status byte");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, msgout_bytes) == 0x24, "message-out bytes");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, cdb) == 0x30, "CDB bytes");
_Static_assert(FIELD_OFFSET(struct lsi_ccb, sg) == 0x40, "first S/G entries");
_Static_assert(LSI_SG_IN_A + 2 * LSI_SG_PER_ARENA >= LSI_MAX_SG, "S/G entries fit the arenas");

/* Program labels whose addresses the driver needs or the program jumps to. */
enum lsi_label {
    LSI_L_INIT,                 /* entry after a chip reset: constants, then START */
    LSI_L_SIGP,                 /* the host set ISTAT.SIGP while we waited */
    LSI_L_START,                /* take the next request from the start ring */
    LSI_L_SELECT,
    LSI_L_DISPATCH,             /* act on the current bus phase */
    LSI_L_DATA,                 /* jump to the cell's resume address */
    LSI_L_DATAOUT,              /* LSI_MAX_SG table moves, DATA OUT */
    LSI_L_DATAIN,               /* LSI_MAX_SG table moves, DATA IN */
    LSI_L_AFTER_DATA,
    LSI_L_STATUS,
    LSI_L_COMPLETE,
    LSI_L_DONE,
    LSI_L_MSGIN,
    LSI_L_MSGIN_GOT,
    LSI_L_SAVE_DP,
    LSI_L_ACK_DISPATCH,         /* accept a message, then DISPATCH */
    LSI_L_DISCONNECT,
    LSI_L_IDLE,
    LSI_L_RESELECTED,
    LSI_L_RESEL_TAG,
    LSI_L_RESEL_UNTAGGED,
    LSI_L_RESEL_DURING_SELECT,
    LSI_L_OVERRUN,              /* drain or pad a data phase the buffer does not cover */
    LSI_L_OVERRUN_MARK,
    LSI_L_OVERRUN_OUT,
    LSI_L_MSGOUT,
    LSI_L_COMMAND,
    LSI_L_EXTMSG,               /* EXTENDED MESSAGE in: its length, then the rest */
    LSI_L_EXT_WDTR,
    LSI_L_REJECT,               /* refuse the message coming in: MESSAGE REJECT */
    LSI_L_REJECT_DRAIN,
    LSI_L_REJECT_SEND,
    LSI_L_REPLY,                /* answer a message with the cell's message-out entry */
    LSI_L_RESTART,              /* entry with the chip in any state: SIGP goes on to INIT */
    LSI_L_RESTART_FLUSH,        /* the same, when the bus still shows REQ after a reset */
    LSI_L_FLUSH,                /* take what the bus still presents, then INIT */
    LSI_L_FLUSH_MSG,
    LSI_L_BAD_RESEL,            /* the resume address of an idle cell */
    LSI_L_END,
    LSI_L_COUNT
};

/* Data cells in the misc area the program addresses absolutely. */
enum lsi_cell {
    LSI_C_STARTQ,               /* address of the start ring's head slot */
    LSI_C_DONEQ,                /* address of the done ring's tail slot */
    LSI_C_ARENA,                /* address of arena A (cell 0) */
    LSI_C_OVERRUN_ADDR,         /* address of LSI_L_OVERRUN */
    LSI_C_MSGIN,                /* message-in bytes (8) */
    LSI_C_BUCKET,               /* overrun bit bucket */
    LSI_C_NOP,                  /* a NO OPERATION message byte */
    LSI_C_REJECT,               /* a MESSAGE REJECT message byte */
    LSI_C_COUNT
};

/* SCRIPTS INT codes (DSPS) the host acts on. */
#define LSI_SIR_BAD_PHASE       0x10u   /* a reserved phase, or none we know */
#define LSI_SIR_BAD_MSG         0x11u   /* a message-in byte we do not handle (C_MSGIN) */
#define LSI_SIR_NO_IDENTIFY     0x12u   /* reselection without IDENTIFY */
#define LSI_SIR_BAD_TAG_MSG     0x13u   /* a tagged reselection without a queue tag message */
#define LSI_SIR_BAD_RESEL       0x14u   /* reselected for a cell with no request */
#define LSI_SIR_RESTORE_DP      0x15u   /* RESTORE POINTERS received */
#define LSI_SIR_MSG_REJECT      0x16u   /* MESSAGE REJECT received (ACK still asserted) */
#define LSI_SIR_EXT_MSG         0x17u   /* a WDTR or SDTR in C_MSGIN (ACK still asserted) */

/* DSA-relative offset of scatter/gather entry i of a cell (inline: the driver's hot path). */
static inline ULONG lsi_sg_offset(ULONG i)
{
    if (i < LSI_SG_IN_A)
        return (ULONG)FIELD_OFFSET(struct lsi_ccb, sg) + i * sizeof(struct lsi_tbl);
    i -= LSI_SG_IN_A;
    return LSI_ARENA_SIZE * (1 + i / LSI_SG_PER_ARENA) +
           (i % LSI_SG_PER_ARENA) * sizeof(struct lsi_tbl);
}

/* Instruction words the program needs (LSI_SCRIPT_WORDS is enough). */
#define LSI_SCRIPT_WORDS        512

/*
 * Assemble the program for base (its physical address) into words[];
 * cell_pa[] gives each enum lsi_cell's physical address.  Fills label_pa[]
 * (LSI_L_COUNT entries) and returns the number of words, or 0 if the
 * program does not fit max_words or names an undefined label.
 */
ULONG lsi_script_assemble(ULONG *words, ULONG max_words, ULONG base, const ULONG *cell_pa,
                          ULONG *label_pa);

#endif
