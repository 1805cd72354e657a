/*
 * The SCSI SCRIPTS program the LSI53C8xx runs for us, and the small
 * two-pass assembler that places it at start-up (its absolute addresses
 * depend on where the uncached extension landed).
 *
 * How a request flows (the host side is lsi.c):
 *
 *   host:  fill cell[tag], put tag in the start ring, write ISTAT.SIGP
 *   IDLE:  WAIT RESELECT wakes on SIGP -> SIGP -> START takes the tag from
 *          the ring, DSA = cell[tag]
 *   SELECT with ATN, MSG OUT (IDENTIFY, SIMPLE QUEUE TAG), COMMAND
 *   DISPATCH on the phase: the target usually disconnects (SAVE DATA
 *          POINTER, DISCONNECT) -> START again, then IDLE
 *   target reselects: IDENTIFY, SIMPLE QUEUE TAG n -> DSA = cell[n]
 *   DATA jumps through the cell's resume address into the block of
 *          LSI_MAX_SG table-indirect moves, entered so that the cell's
 *          last entries are used; AFTER_DATA marks the data phase done
 *   STATUS, COMMAND COMPLETE, bus free -> DONE writes the tag to the done
 *          ring and raises INTFLY -> START
 *
 * Anything unusual stops SCRIPTS with an interrupt (a SCRIPTS INT code,
 * phase mismatch, selection time-out...) and the host resumes it.  The
 * register roles: DSA the connected request's cell, SCRATCHA a temporary,
 * SCRATCHB the address of OVERRUN (stored into a cell once its data phase
 * is done), TEMP the RETURN address.  No self-modifying code.
 *
 * Facts from the LSI53C895A Technical Manual, chapter 6; the emulation in
 * QEMU's hw/scsi/lsi53c895a.c executes every instruction used here.
 */
#include "lsi_scripts.h"

/* ---- the source form --------------------------------------------------------------- */

/*
 * A byte string, since it is most of the driver's read-only data.  An
 * instruction is a tag (enum src_how), its first word (little endian)
 * and, unless A_NONE, one byte that gives the second word; a label is
 * the one byte SRC_LABEL | label; a block of data moves is S_DATA_MOVES
 * and the phase.
 */
enum src_how {
    S_DATA_MOVES,               /* LSI_MAX_SG table moves, next byte the phase */
    A_NONE,                     /* an instruction whose second word is 0 */
    A_IMM,                      /* ... is the argument byte */
    A_LABEL,                    /* ... is that label's address */
    A_CELL,                     /* ... is cell (arg & 15)'s address + (arg >> 4) */
};
#define SRC_LABEL               0x80u
_Static_assert(LSI_C_COUNT <= 16 && LSI_L_COUNT <= SRC_LABEL, "cells and labels fit a byte");

/* x as a byte, which must hold it (a negative array size stops the build if not). */
#define ARG(x, limit)           ((UCHAR)((x) + 0 * sizeof(char[(x) < (limit) ? 1 : -1])))
#define OFF(f)                  ((ULONG)FIELD_OFFSET(struct lsi_ccb, f))
#define W_(x)                   (UCHAR)(x), (UCHAR)((x) >> 8), (UCHAR)((x) >> 16), \
                                (UCHAR)((x) >> 24)
#define I0_(op)                 A_NONE, W_(op)
#define I_(op, how, arg)        how, W_(op), arg
#define I_IMM(op, imm)          I_(op, A_IMM, ARG(imm, 256))
#define I_LABEL(op, l)          I_(op, A_LABEL, ARG(l, LSI_L_COUNT))
#define I_CELL(op, cell, o)     I_(op, A_CELL, ARG((o) << 4, 256) | ARG(cell, LSI_C_COUNT))
#define LABEL(l)                (SRC_LABEL | ARG(l, LSI_L_COUNT))
#define DATA_MOVES(ph)          S_DATA_MOVES, ph

/* Block Move */
#define MOVE_TBL(ph, off) \
    I_IMM(SCR_BMOV | SCR_BMOV_MOVE | SCR_BMOV_TABLE | SCR_PHASE(ph), off)
#define MOVE_ABS(ph, n, cell, o) \
    I_CELL(SCR_BMOV | SCR_BMOV_MOVE | SCR_PHASE(ph) | (n), cell, o)
/* I/O */
#define SELECT_ATN_TBL(off, l) \
    I_LABEL(SCR_IO | SCR_IO_SELECT | SCR_IO_TABLE | SCR_IO_SEL_ATN | (off), l)
#define WAIT_DISCONNECT()       I0_(SCR_IO | SCR_IO_WAIT_DISC)
#define WAIT_RESELECT(l)        I_LABEL(SCR_IO | SCR_IO_WAIT_RESEL, l)
#define CLEAR_ACK()             I0_(SCR_IO | SCR_IO_CLEAR | SCR_IO_ACK)
#define SET_ATN()               I0_(SCR_IO | SCR_IO_SET | SCR_IO_ATN)
/* Read/Write: "MOVE reg TO SFBR" is reg | 0, as the manual's assembler encodes it */
#define MOVE_TO_SFBR(r)         I0_(SCR_RW_TO_SFBR | SCR_OP_OR | SCR_RW_REG(r))
#define MOVE_FROM_SFBR(r)       I0_(SCR_RW_FROM_SFBR | SCR_OP_OR | SCR_RW_REG(r))
#define MOVE_DATA(r, d) \
    I0_(SCR_RW_RMW | SCR_OP_MOVE | SCR_RW_REG(r) | SCR_RW_DATA(d))
#define MOVE_AND(r, d) \
    I0_(SCR_RW_RMW | SCR_OP_AND | SCR_RW_REG(r) | SCR_RW_DATA(d))
#define MOVE_ADD(r, d) \
    I0_(SCR_RW_RMW | SCR_OP_ADD | SCR_RW_REG(r) | SCR_RW_DATA(d))
/* Load/Store */
#define LOAD_ABS(r, n, cell, o) \
    I_CELL(SCR_LDST | SCR_LDST_LOAD | SCR_LDST_REG(r) | SCR_LDST_COUNT(n), cell, o)
#define STORE_ABS(r, n, cell, o) \
    I_CELL(SCR_LDST | SCR_LDST_REG(r) | SCR_LDST_COUNT(n), cell, o)
#define LOAD_REL(r, n, off) \
    I_IMM(SCR_LDST | SCR_LDST_DSAREL | SCR_LDST_LOAD | SCR_LDST_REG(r) | SCR_LDST_COUNT(n), off)
#define STORE_REL(r, n, off) \
    I_IMM(SCR_LDST | SCR_LDST_DSAREL | SCR_LDST_REG(r) | SCR_LDST_COUNT(n), off)
/* Transfer Control */
#define TC_JUMP                 (SCR_TC | SCR_TC_JUMP)
#define TC_INT                  (SCR_TC | SCR_TC_INT)
#define CMP_DATA(d)             (SCR_TC_CMP_DATA | SCR_TC_MASK(0xFF) | SCR_TC_DATA(d))
#define CMP_MASK(d, m)          (SCR_TC_CMP_DATA | SCR_TC_MASK(m) | SCR_TC_DATA(d))
#define WHEN(ph)                (SCR_TC_CMP_PHASE | SCR_TC_WAIT | SCR_PHASE(ph))
#define IF(ph)                  (SCR_TC_CMP_PHASE | SCR_PHASE(ph))
#define JUMP(l)                 I_LABEL(TC_JUMP | SCR_TC_IFTRUE, l)
#define JUMP_IF_DATA(l, d)      I_LABEL(TC_JUMP | SCR_TC_IFTRUE | CMP_DATA(d), l)
#define JUMP_IFNOT_DATA(l, d)   I_LABEL(TC_JUMP | CMP_DATA(d), l)
#define JUMP_WHEN(l, ph)        I_LABEL(TC_JUMP | SCR_TC_IFTRUE | WHEN(ph), l)
#define JUMP_WHENNOT(l, ph)     I_LABEL(TC_JUMP | WHEN(ph), l)
#define JUMP_IF(l, ph)          I_LABEL(TC_JUMP | SCR_TC_IFTRUE | IF(ph), l)
#define JUMP_IFNOT(l, ph)       I_LABEL(TC_JUMP | IF(ph), l)
#define INT(code)               I_IMM(TC_INT | SCR_TC_IFTRUE, code)
#define INT_IF_DATA(code, d)    I_IMM(TC_INT | SCR_TC_IFTRUE | CMP_DATA(d), code)
#define INT_IFNOT_MASK(c, d, m) I_IMM(TC_INT | CMP_MASK(d, m), c)
#define INT_FLY()               I0_(TC_INT | SCR_TC_INTFLY | SCR_TC_IFTRUE)
#define RETURN()                I0_(SCR_TC | SCR_TC_RETURN | SCR_TC_IFTRUE)

/* ---- the program ------------------------------------------------------------------- */

#define SDU_OFF                 ((UCHAR)~SCNTL2_SDU)

static const UCHAR lsi_program[] = {
LABEL(LSI_L_INIT),
    LOAD_ABS(SCRATCHB0, 4, LSI_C_OVERRUN_ADDR, 0),  /* SCRATCHB = OVERRUN, for AFTER_DATA */
    JUMP(LSI_L_START),                              /* look for work */
LABEL(LSI_L_SIGP),
    MOVE_TO_SFBR(CTEST2),                           /* reading CTEST2 clears ISTAT.SIGP */
LABEL(LSI_L_START),
    LOAD_ABS(DSA0, 4, LSI_C_STARTQ, 0),             /* DSA = the start ring's head slot */
    LOAD_REL(SCRATCHA0, 1, 0),                      /* the tag queued there (0: none) */
    MOVE_TO_SFBR(SCRATCHA0),                        /* into SFBR, to compare */
    JUMP_IF_DATA(LSI_L_IDLE, 0),                    /* nothing to start: wait */
    MOVE_ADD(DSA0, 1),                              /* head + 1; the 8-bit add wraps the ring */
    STORE_ABS(DSA0, 1, LSI_C_STARTQ, 0),            /* the new head */
    LOAD_ABS(DSA0, 4, LSI_C_ARENA, 0),              /* DSA = cell 0 */
    MOVE_FROM_SFBR(DSA1),                           /* DSA = cell[tag] */
LABEL(LSI_L_SELECT),
    SELECT_ATN_TBL(OFF(select), LSI_L_RESEL_DURING_SELECT), /* arbitrate, select with ATN */
    MOVE_TBL(PHASE_MSG_OUT, OFF(msgout)),           /* IDENTIFY [+ SIMPLE QUEUE TAG, tag] */
    MOVE_TBL(PHASE_COMMAND, OFF(cmd)),              /* the CDB */
LABEL(LSI_L_DISPATCH),
    JUMP_WHEN(LSI_L_MSGIN, PHASE_MSG_IN),           /* wait for REQ; messages first */
    JUMP_IF(LSI_L_DATA, PHASE_DATA_IN),             /* data phases: through the cell */
    JUMP_IF(LSI_L_DATA, PHASE_DATA_OUT),
    JUMP_IF(LSI_L_STATUS, PHASE_STATUS),            /* status */
    JUMP_IF(LSI_L_MSGOUT, PHASE_MSG_OUT),           /* the target wants a message */
    JUMP_IF(LSI_L_COMMAND, PHASE_COMMAND),          /* the target wants the CDB again */
    INT(LSI_SIR_BAD_PHASE),                         /* a reserved phase: the host resets */
LABEL(LSI_L_DATA),
    LOAD_REL(TEMP, 4, OFF(resume)),                 /* TEMP = this cell's next data move */
    RETURN(),                                       /* jump there */
LABEL(LSI_L_DATAOUT),
    DATA_MOVES(PHASE_DATA_OUT),                     /* MOVE FROM sg[i], WHEN DATA_OUT, each i */
    JUMP(LSI_L_AFTER_DATA),                         /* all of the buffer went out */
LABEL(LSI_L_DATAIN),
    DATA_MOVES(PHASE_DATA_IN),                      /* MOVE FROM sg[i], WHEN DATA_IN, each i */
LABEL(LSI_L_AFTER_DATA),
    STORE_REL(SCRATCHB0, 4, OFF(resume)),           /* buffer done: more data is overrun */
LABEL(LSI_L_STATUS),
    MOVE_TBL(PHASE_STATUS, OFF(status_tbl)),        /* the status byte into the cell */
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_MSGIN, 0),      /* the message that follows it */
    JUMP_IFNOT_DATA(LSI_L_MSGIN_GOT, 0x00),         /* not COMMAND COMPLETE: decode it */
LABEL(LSI_L_COMPLETE),
    MOVE_AND(SCNTL2, SDU_OFF),                      /* the coming bus free is expected */
    CLEAR_ACK(),                                    /* accept the message */
    WAIT_DISCONNECT(),                              /* bus free */
LABEL(LSI_L_DONE),
    MOVE_TO_SFBR(DSA1),                             /* the tag (cell index) ... */
    MOVE_FROM_SFBR(SCRATCHA0),                      /* ... into SCRATCHA0 */
    LOAD_ABS(DSA0, 4, LSI_C_DONEQ, 0),              /* DSA = the done ring's tail slot */
    STORE_REL(SCRATCHA0, 1, 0),                     /* post the tag */
    MOVE_ADD(DSA0, 1),                              /* tail + 1, wrapping */
    STORE_ABS(DSA0, 1, LSI_C_DONEQ, 0),             /* the new tail */
    INT_FLY(),                                      /* tell the host, keep running */
    JUMP(LSI_L_START),                              /* next request */
LABEL(LSI_L_MSGIN),
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_MSGIN, 0),      /* one message byte into SFBR */
LABEL(LSI_L_MSGIN_GOT),
    JUMP_IF_DATA(LSI_L_SAVE_DP, 0x02),              /* SAVE DATA POINTER */
    JUMP_IF_DATA(LSI_L_DISCONNECT, 0x04),           /* DISCONNECT */
    JUMP_IF_DATA(LSI_L_COMPLETE, 0x00),             /* COMMAND COMPLETE */
    JUMP_IF_DATA(LSI_L_EXTMSG, 0x01),               /* EXTENDED MESSAGE (WDTR, SDTR) */
    INT_IF_DATA(LSI_SIR_MSG_REJECT, 0x07),          /* MESSAGE REJECT: host */
    INT_IFNOT_MASK(LSI_SIR_BAD_MSG, 0x03, 0xFF),    /* anything but RESTORE POINTERS: host */
    INT(LSI_SIR_RESTORE_DP),                        /* RESTORE POINTERS: host */
LABEL(LSI_L_SAVE_DP),
    CLEAR_ACK(),                                    /* the resume address is the pointer */
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_MSGIN, 0),      /* DISCONNECT, as a rule (else: mismatch) */
    JUMP_IF_DATA(LSI_L_DISCONNECT, 0x04),
    JUMP(LSI_L_MSGIN_GOT),                          /* another message */
LABEL(LSI_L_DISCONNECT),
    MOVE_AND(SCNTL2, SDU_OFF),                      /* the coming bus free is expected */
    CLEAR_ACK(),                                    /* accept DISCONNECT */
    WAIT_DISCONNECT(),                              /* bus free */
    JUMP(LSI_L_START),                              /* start another meanwhile */
LABEL(LSI_L_IDLE),
    WAIT_RESELECT(LSI_L_SIGP),                      /* sleep: reselection, or SIGP -> SIGP */
LABEL(LSI_L_RESELECTED),
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_MSGIN, 0),      /* IDENTIFY */
    INT_IFNOT_MASK(LSI_SIR_NO_IDENTIFY, 0x80, 0x80), /* must be an IDENTIFY */
    CLEAR_ACK(),                                    /* accept it */
    JUMP_WHENNOT(LSI_L_RESEL_UNTAGGED, PHASE_MSG_IN), /* no queue tag: the untagged cell */
LABEL(LSI_L_RESEL_TAG),
    MOVE_ABS(PHASE_MSG_IN, 2, LSI_C_MSGIN, 1),      /* queue tag message, tag */
    INT_IFNOT_MASK(LSI_SIR_BAD_TAG_MSG, 0x20, 0xFC), /* a queue tag message, 20h-22h */
    CLEAR_ACK(),                                    /* accept it */
    LOAD_ABS(DSA0, 4, LSI_C_ARENA, 0),              /* DSA = cell 0 */
    LOAD_ABS(DSA1, 1, LSI_C_MSGIN, 2),              /* DSA = cell[tag] */
    JUMP_WHEN(LSI_L_DATA, PHASE_DATA_IN),           /* the usual case: read data follows */
    JUMP(LSI_L_DISPATCH),                           /* anything else */
LABEL(LSI_L_RESEL_UNTAGGED),
    LOAD_ABS(DSA0, 4, LSI_C_ARENA, 0),              /* DSA = cell 0 */
    MOVE_DATA(DSA1, LSI_UNTAGGED_CELL),             /* DSA = the untagged request's cell */
    JUMP(LSI_L_DISPATCH),
LABEL(LSI_L_RESEL_DURING_SELECT),
    LOAD_ABS(DSA0, 4, LSI_C_STARTQ, 0),             /* DSA = start ring head slot */
    MOVE_ADD(DSA0, 0xFF),                           /* head - 1: start that request later */
    STORE_ABS(DSA0, 1, LSI_C_STARTQ, 0),            /* put it back */
    JUMP(LSI_L_RESELECTED),                         /* serve the reselecting target */
LABEL(LSI_L_OVERRUN),
    JUMP_WHEN(LSI_L_OVERRUN_OUT, PHASE_DATA_OUT),   /* the target wants more data */
    JUMP_IFNOT(LSI_L_DISPATCH, PHASE_DATA_IN),      /* data phase over */
    MOVE_ABS(PHASE_DATA_IN, 1, LSI_C_BUCKET, 0),    /* drain a byte we have no room for */
LABEL(LSI_L_OVERRUN_MARK),
    MOVE_DATA(SCRATCHA0, 1),                        /* mark the cell: overrun */
    STORE_REL(SCRATCHA0, 1, OFF(overrun)),
    JUMP(LSI_L_OVERRUN),                            /* again */
LABEL(LSI_L_OVERRUN_OUT),
    MOVE_ABS(PHASE_DATA_OUT, 1, LSI_C_BUCKET, 0),   /* pad with a byte we do not have */
    JUMP(LSI_L_OVERRUN_MARK),
LABEL(LSI_L_ACK_DISPATCH),
    CLEAR_ACK(),                                    /* accept the message */
    JUMP(LSI_L_DISPATCH),
LABEL(LSI_L_MSGOUT),
    MOVE_ABS(PHASE_MSG_OUT, 1, LSI_C_NOP, 0),       /* nothing to say: NO OPERATION */
    JUMP(LSI_L_DISPATCH),
LABEL(LSI_L_COMMAND),
    MOVE_TBL(PHASE_COMMAND, OFF(cmd)),              /* the CDB again */
    JUMP(LSI_L_DISPATCH),
LABEL(LSI_L_EXTMSG),
    CLEAR_ACK(),                                    /* take EXTENDED MESSAGE */
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_MSGIN, 1),      /* its length */
    JUMP_IF_DATA(LSI_L_EXT_WDTR, 0x02),             /* 2: WDTR, as a rule */
    JUMP_IFNOT_DATA(LSI_L_REJECT, 0x03),            /* not 3 (SDTR) either: refuse it */
    CLEAR_ACK(),
    MOVE_ABS(PHASE_MSG_IN, 3, LSI_C_MSGIN, 2),      /* code, period, offset */
    INT(LSI_SIR_EXT_MSG),                           /* host: accept, refuse or answer */
LABEL(LSI_L_EXT_WDTR),
    CLEAR_ACK(),
    MOVE_ABS(PHASE_MSG_IN, 2, LSI_C_MSGIN, 2),      /* code, width exponent */
    INT(LSI_SIR_EXT_MSG),                           /* host: accept, refuse or answer */
LABEL(LSI_L_REJECT),
    SET_ATN(),                                      /* before the ACK of the byte in hand */
LABEL(LSI_L_REJECT_DRAIN),
    CLEAR_ACK(),
    JUMP_WHENNOT(LSI_L_REJECT_SEND, PHASE_MSG_IN),  /* the target stops at ATN, or ... */
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_BUCKET, 0),     /* ... ends the message first */
    JUMP(LSI_L_REJECT_DRAIN),
LABEL(LSI_L_REJECT_SEND),
    MOVE_ABS(PHASE_MSG_OUT, 1, LSI_C_REJECT, 0),    /* MESSAGE REJECT (ATN drops on it) */
    JUMP(LSI_L_DISPATCH),
LABEL(LSI_L_REPLY),
    SET_ATN(),                                      /* before the ACK of the last byte in */
    CLEAR_ACK(),
    MOVE_TBL(PHASE_MSG_OUT, OFF(msgout)),           /* the answer the host put in the cell */
    JUMP(LSI_L_DISPATCH),
LABEL(LSI_L_RESTART),
    WAIT_RESELECT(LSI_L_INIT),                      /* the host's SIGP ends the wait: INIT */
    JUMP(LSI_L_RESELECTED),                         /* a target from before the reset */
LABEL(LSI_L_RESTART_FLUSH),
    WAIT_RESELECT(LSI_L_FLUSH),                     /* as RESTART, by way of FLUSH */
    JUMP(LSI_L_RESELECTED),
LABEL(LSI_L_FLUSH),
    JUMP_IF(LSI_L_FLUSH_MSG, PHASE_MSG_IN),         /* IF: REQ is up already */
    JUMP_IFNOT(LSI_L_INIT, PHASE_STATUS),           /* nothing (more) to take */
    MOVE_ABS(PHASE_STATUS, 1, LSI_C_BUCKET, 0),     /* a status byte nobody waits for */
    JUMP(LSI_L_FLUSH),
LABEL(LSI_L_FLUSH_MSG),
    MOVE_ABS(PHASE_MSG_IN, 1, LSI_C_BUCKET, 0),     /* a message byte nobody waits for */
    CLEAR_ACK(),
    JUMP(LSI_L_FLUSH),
LABEL(LSI_L_BAD_RESEL),
    INT(LSI_SIR_BAD_RESEL),                         /* resume address of an idle cell */
LABEL(LSI_L_END),
};

/* ---- the assembler ------------------------------------------------------------------ */

#define NO_LABEL    0xFFFFFFFFu

/* The second word of an instruction; NO_LABEL for an undefined label or cell. */
static ULONG second_word(UCHAR how, UCHAR arg, const ULONG *label_pa, const ULONG *cell_pa)
{
    switch (how) {
    case A_NONE:
        return 0;
    case A_IMM:
        return arg;
    case A_LABEL:
        return arg < LSI_L_COUNT ? label_pa[arg] : NO_LABEL;
    case A_CELL:
        return (arg & 15) < LSI_C_COUNT ? cell_pa[arg & 15] + (arg >> 4) : NO_LABEL;
    default:
        return NO_LABEL;
    }
}

/*
 * One pass over the source.  Without words, place the labels (FALSE if
 * one is defined twice); with them, emit the program (FALSE if it names
 * an undefined label or cell).  *total: its length in words.
 */
static BOOLEAN lsi_pass(ULONG *words, ULONG base, const ULONG *cell_pa, ULONG *label_pa,
                        ULONG *total)
{
    const UCHAR *p = lsi_program;
    ULONG pc = 0;

    while (p < lsi_program + sizeof(lsi_program)) {
        UCHAR how = *p++;
        if (how & SRC_LABEL) {
            how &= ~SRC_LABEL;
            if (!words && (how >= LSI_L_COUNT || label_pa[how] != NO_LABEL))
                return FALSE;
            if (!words)
                label_pa[how] = base + 4 * pc;
        } else if (how == S_DATA_MOVES) {
            for (ULONG i = 0; i < LSI_MAX_SG; i++, pc += 2) {
                if (words) {
                    words[pc] = SCR_BMOV | SCR_BMOV_MOVE | SCR_BMOV_TABLE | SCR_PHASE(*p);
                    words[pc + 1] = lsi_sg_offset(i);
                }
            }
            p++;
        } else {
            UCHAR arg = how == A_NONE ? 0 : p[4];
            if (words) {
                words[pc] = p[0] | p[1] << 8 | (ULONG)p[2] << 16 | (ULONG)p[3] << 24;
                words[pc + 1] = second_word(how, arg, label_pa, cell_pa);
                if (words[pc + 1] == NO_LABEL)
                    return FALSE;
            }
            p += how == A_NONE ? 4 : 5;
            pc += 2;
        }
    }
    *total = pc;
    return TRUE;
}

/* Cold: it runs once per adapter, at start-up (and the Makefile builds this file -O2). */
ULONG __attribute__((cold)) lsi_script_assemble(ULONG *words, ULONG max_words, ULONG base,
                                                const ULONG *cell_pa, ULONG *label_pa)
{
    ULONG total;

    for (ULONG l = 0; l < LSI_L_COUNT; l++)
        label_pa[l] = NO_LABEL;
    if (!lsi_pass(0, base, cell_pa, label_pa, &total) || total > max_words ||
        !lsi_pass(words, base, cell_pa, label_pa, &total))
        return 0;
    return total;
}
