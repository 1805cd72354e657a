/*
 * sptest: state shared by the miniport's two files, sptest.c (the fake
 * adapter and disk, the callbacks) and sptest_chk.c (the checks and their
 * log).  DDK types only.
 */
#ifndef SPTEST_PRIV_H
#define SPTEST_PRIV_H

#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "sptest.h"

/* One ScsiPortInitialize call: which adapter it makes. */
struct spt_variant {
    UCHAR role;                     /* SPT_ROLE_* */
    BOOLEAN need_phys;              /* HW_INITIALIZATION_DATA.NeedPhysicalAddresses */
    BOOLEAN auto_sense;             /* .AutoRequestSense */
    BOOLEAN tagged;                 /* .TaggedQueuing */
};

/* The per-LU extension. */
struct spt_lu {
    ULONG lu_signature;             /* SPT_LU_SIGNATURE once seen */
    UCHAR lu_busy_seq;              /* SPT_CMD_BUSY: the request being answered */
    UCHAR lu_busy_left;             /* busy answers still to give */
    UCHAR lu_sense_pending;         /* no AutoRequestSense: sense kept for REQUEST SENSE */
    UCHAR lu_reserved;
    ULONG lu_busy_attempts;
    SENSE_DATA lu_sense;
    UCHAR lu_pad[6];
};

#define SPT_LUEXT_SIZE          sizeof(struct spt_lu)

/* The device extension: everything the miniport knows about one adapter. */
struct spt_ext {
    const struct spt_variant *x_var;
    ULONG x_bus, x_slot;            /* PCI location (ConfigInfo) */
    ULONGLONG x_mem_bar, x_io_bar;  /* bus addresses of BAR 0 and BAR 1 */
    PUCHAR x_regs;                  /* BAR 0, mapped */
    PUCHAR x_ports;                 /* BAR 1, mapped (a port number) */
    PUCHAR x_uncached;              /* SPT_UNCACHED_SIZE bytes: the disk first */
    PSCSI_REQUEST_BLOCK x_held_reset;   /* SPT_CMD_HOLD */
    PSCSI_REQUEST_BLOCK x_held_timer;   /* SPT_CMD_DEFER_TIMER */
    PSCSI_REQUEST_BLOCK x_held_irq;     /* SPT_CMD_DEFER_IRQ */
    PSCSI_REQUEST_BLOCK x_last_srb;     /* the request completed before this one */
    SCSI_REQUEST_BLOCK x_fake_srb;      /* an SRB the port never handed out */
    struct spt_stats x_stats;
    UCHAR x_scratch[40];            /* ScsiPortMoveMemory checks */
};

#define SPT_EXT(p)              ((struct spt_ext *)(p))

/* sptest_chk.c: the log */
void spt_result(struct spt_ext *x, UCHAR ctx, UCHAR verdict, const char *what,
                ULONGLONG got, ULONGLONG want);
BOOLEAN spt_eq(struct spt_ext *x, UCHAR ctx, const char *what, ULONGLONG got,
               ULONGLONG want);
BOOLEAN spt_true(struct spt_ext *x, UCHAR ctx, const char *what, BOOLEAN ok);
ULONG spt_log_fetch(struct spt_log *out, ULONG bytes);
extern struct spt_refusals spt_refused;

/* sptest_chk.c: the checks, by context */
void spt_checks_overlap(struct spt_ext *x, PPORT_CONFIGURATION_INFORMATION cfg);
void spt_checks_uncached(struct spt_ext *x, UCHAR ctx);
void spt_checks_outside(struct spt_ext *x, UCHAR ctx);
void spt_checks_startio(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb);
void spt_checks_busdata(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb);
void spt_checks_held(struct spt_ext *x, UCHAR ctx, PSCSI_REQUEST_BLOCK held);
void spt_walk(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb);
BOOLEAN spt_identify(struct spt_ext *x, PPORT_CONFIGURATION_INFORMATION cfg);

/* What A found, for the overlap checks of X and B. */
struct spt_first {
    BOOLEAN valid;
    ULONGLONG mem_bar, io_bar;
};
extern struct spt_first spt_first;

#endif
