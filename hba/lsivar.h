/*
 * LSI53C8xx miniport: the driver's own state (the ScsiPort device
 * extension) and what lsi.c, lsi_slow.c and lsi_init.c share.  Hardware
 * facts are in lsireg.h, the SCRIPTS program and its DMA memory in
 * lsi_scripts.h.
 */
#ifndef LSIVAR_H
#define LSIVAR_H

#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "lsireg.h"
#include "lsi_scripts.h"

#define LSI_INITIATOR_ID        7
#define LSI_MAX_LUNS            8
#define LSI_MAX_TRANSFER        (256u * 1024)   /* (LSI_MAX_SG - 1) pages */
#define LSI_UX_SIZE             (4u * LSI_ARENA_SIZE)   /* 3 arenas + room to align them */
#define LSI_MISC_SIZE           0x1000u
#define LSI_MISC_STARTQ         0x000u          /* start ring, 256 slots */
#define LSI_MISC_DONEQ          0x100u          /* done ring, 256 slots */
#define LSI_MISC_CELLS          0x200u          /* enum lsi_cell, 16 bytes each */
#define LSI_MISC_CELL_SIZE      16u
#define LSI_MISC_SCRIPT         0x300u          /* the program */
#define LSI_SETTLE_MS           250             /* SCSI reset-to-selection time */
#define LSI_BUS_FREE_SAMPLES    10              /* looks at BSY/SEL, LSI_POLL_US apart */
#define LSI_SDTR_PERIOD         0x19u           /* 100 ns (Fast-10); moot with offset 0 */
#define LSI_RESET_HOLD_US       25              /* RST/ asserted at least this long */
#define LSI_CHIP_RESET_TIMEOUT_MS 10
#define LSI_ABORT_TIMEOUT_MS    10
#define LSI_POLL_US             10
#define LSI_STATUS_NONE         0xFFu           /* cell status before STATUS phase */

_Static_assert(LSI_MISC_SCRIPT + 4 * LSI_SCRIPT_WORDS <= LSI_MISC_SIZE,
               "program fits the misc area");
_Static_assert(LSI_MISC_CELLS + LSI_MISC_CELL_SIZE * LSI_C_COUNT <= LSI_MISC_SCRIPT, "cells fit");

/* What the PCI device ID tells: checked once, driver logic tests the fields. */
struct lsi_chip {
    USHORT device_id;
    const char *name;
    UCHAR targets;              /* 16: wide-capable bus */
};

enum lsi_slot_state {
    SLOT_FREE,
    SLOT_ACTIVE,                /* the request's own command */
    SLOT_SENSE,                 /* our REQUEST SENSE after CHECK CONDITION */
};

/* The transfer agreement message we sent last on a connection. */
enum lsi_nego {
    NEGO_NONE,
    NEGO_WDTR,                  /* WDTR, 8-bit (which also makes the target asynchronous) */
    NEGO_SDTR,                  /* SDTR, offset 0: asynchronous */
};

/* Host-side state of one cell (indexed like the cells: by queue tag). */
struct lsi_slot {
    UCHAR state;                /* enum lsi_slot_state */
    UCHAR target, lun;
    UCHAR tag;                  /* QueueTag, or SP_UNTAGGED */
    UCHAR check_status;         /* the status autosense is running for */
    BOOLEAN moved;              /* the host moved the data pointer (phase mismatch) */
    BOOLEAN negotiates;         /* this request carries its target's negotiation */
    UCHAR nego;                 /* enum lsi_nego: awaiting the answer to this */
    PSCSI_REQUEST_BLOCK srb;    /* the request (the port keeps it until we complete it) */
};

/* The device extension: everything about one adapter. */
struct lsi_adapter {
    PUCHAR regs;                /* register BAR, mapped */
    ULONG index;                /* lsiN */
    const struct lsi_chip *chip;
    ULONG settle_ms;            /* after a bus reset at start */
    BOOLEAN force_reset;        /* lsi=reset: reset the bus at start even when it is free */
    BOOLEAN ready;              /* SCRIPTS running: interrupts are ours to take */
    BOOLEAN untagged_busy;      /* the untagged cell is in use (NextRequest held) */
    BOOLEAN srst_unsafe;        /* QEMU keeps a dead command: no more ISTAT.SRST */

    /* DMA memory (the uncached extension) */
    PUCHAR ux;                  /* virtual */
    ULONG ux_pa;
    struct lsi_ccb *cells;      /* arena A, virtual */
    ULONG arena_pa;
    PUCHAR misc;                /* misc area, virtual */
    ULONG misc_pa;
    ULONG label[LSI_L_COUNT];   /* program addresses (physical) */
    ULONG nwords;

    /* the rings */
    volatile UCHAR *startq;
    volatile UCHAR *doneq;
    UCHAR start_tail;           /* next start slot the host fills */
    UCHAR done_head;            /* next done slot the host reads */

    struct lsi_slot slot[LSI_CELLS];

    /* transfer agreements: every target async and narrow, negotiated so */
    USHORT nego_due;            /* targets to negotiate with at their next selection */
    USHORT nego_busy;           /* ... whose negotiation a request carries now */

    /* counters, for the log */
    ULONG resets, phase_mismatches;
};

/* lsi.c */
UCHAR lsi_rd(struct lsi_adapter *ad, ULONG reg);
void lsi_wr(struct lsi_adapter *ad, ULONG reg, UCHAR val);
ULONG lsi_rd32(struct lsi_adapter *ad, ULONG reg);
void lsi_wr32(struct lsi_adapter *ad, ULONG reg, ULONG val);
BOOLEAN NTAPI LsiHwStartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb);
BOOLEAN NTAPI LsiHwInterrupt(PVOID ext);

/* lsi_slow.c: everything off the per-I/O path that lsi.c hands over (hence cold) */
void __attribute__((cold)) lsi_nego_start(struct lsi_adapter *ad, ULONG idx);
UCHAR __attribute__((cold)) lsi_map_sg(struct lsi_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG idx,
                                       PUCHAR va, ULONG len, BOOLEAN in);
void __attribute__((cold)) lsi_cell_done_slow(struct lsi_adapter *ad, ULONG idx);
void __attribute__((cold)) lsi_halted(struct lsi_adapter *ad, UCHAR istat);

/* lsi_init.c */
BOOLEAN lsi_chip_start(struct lsi_adapter *ad, BOOLEAN chip_reset);
void lsi_reset_all(struct lsi_adapter *ad, const char *why);

/* ---- small helpers, for lsi.c's per-I/O path and lsi_slow.c alike ------------------- */

/* Orders our memory writes before the chip can see what follows (and the reverse). */
static inline void lsi_barrier(void)
{
    __sync_synchronize();
}

static inline volatile UCHAR *lsi_cell_byte(struct lsi_adapter *ad, enum lsi_cell c)
{
    return ad->misc + LSI_MISC_CELLS + (ULONG)c * LSI_MISC_CELL_SIZE;
}

static inline struct lsi_ccb *ccb_of(struct lsi_adapter *ad, ULONG idx)
{
    return &ad->cells[idx];
}

static inline ULONG ccb_pa(struct lsi_adapter *ad, ULONG idx)
{
    return ad->arena_pa + idx * LSI_CELL_SIZE;
}

static inline struct lsi_tbl *sg_entry(struct lsi_adapter *ad, ULONG idx, ULONG i)
{
    return (struct lsi_tbl *)((PUCHAR)ccb_of(ad, idx) + lsi_sg_offset(i));
}

/* Queue cell idx for SCRIPTS and wake them. */
static inline void lsi_start_cell(struct lsi_adapter *ad, UCHAR idx)
{
    UCHAR t = ad->start_tail;

    lsi_barrier();                              /* the cell before the tag */
    ad->startq[(UCHAR)(t + 1)] = 0;             /* SCRIPTS stop at the next slot */
    ad->startq[t] = idx;
    ad->start_tail = (UCHAR)(t + 1);
    lsi_barrier();
    lsi_wr(ad, ISTAT, ISTAT_SIGP);
}

/* IDENTIFY for lun, with the disconnect privilege unless the request forbids it. */
static inline UCHAR lsi_identify_msg(UCHAR lun, ULONG srb_flags)
{
    UCHAR ident = SCSIMESS_IDENTIFY | (lun & 0x07);

    return srb_flags & SRB_FLAGS_DISABLE_DISCONNECT ? ident : ident | SCSIMESS_IDENTIFY_WITH_DISCON;
}

/* IDENTIFY, and the queue tag message unless untagged (the entry's address is set once). */
static inline void lsi_set_msgout(struct lsi_ccb *c, UCHAR ident, UCHAR tag_msg, UCHAR tag)
{
    c->msgout_bytes[0] = ident;
    c->msgout_bytes[1] = tag_msg;               /* sent only when tagged */
    c->msgout_bytes[2] = tag;
    c->msgout.count = tag != SP_UNTAGGED ? 3 : 1;
}

/* cdb: 16 bytes (the SRB's Cdb is), len of them sent. */
static inline void lsi_set_cdb(struct lsi_adapter *ad, ULONG idx, const UCHAR *cdb, ULONG len)
{
    struct lsi_ccb *c = ccb_of(ad, idx);

    __builtin_memcpy(c->cdb, cdb, sizeof(c->cdb));      /* four stores, inline */
    c->cmd.count = len;
    c->status = LSI_STATUS_NONE;
    c->overrun = 0;
}

#endif
