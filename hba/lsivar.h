/*
 * LSI53C8xx miniport: the driver's own state (the ScsiPort device
 * extension) and what lsi.c and lsi_init.c share.  Hardware facts are in
 * lsireg.h, the SCRIPTS program and its DMA memory in lsi_scripts.h.
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
BOOLEAN lsi_wait(struct lsi_adapter *ad, ULONG reg, UCHAR mask, UCHAR value, ULONG timeout_ms);
void lsi_bits(char *buf, ULONG size, ULONG value, const char *const names[8]);
volatile UCHAR *lsi_cell_byte(struct lsi_adapter *ad, enum lsi_cell c);
void lsi_rings_reset(struct lsi_adapter *ad);
BOOLEAN NTAPI LsiHwStartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb);
BOOLEAN NTAPI LsiHwInterrupt(PVOID ext);

/* lsi_init.c */
BOOLEAN lsi_chip_start(struct lsi_adapter *ad, BOOLEAN chip_reset);
void lsi_reset_all(struct lsi_adapter *ad, const char *why);

#endif
