/*
 * The AHCI miniport's software state: per adapter (the ScsiPort device
 * extension), per port, per request (the SRB extension), and the DMA
 * memory plan.  Shared by ahci.c (the request path), ahci_port.c (port
 * steps, errors, resets), ahci_init.c (bring-up) and ahci_ioctl.c
 * (SRB_FUNCTION_IO_CONTROL: the SMART/IDENTIFY miniport IOCTLs).
 * Hardware facts are in ahcireg.h and atareg.h.
 */
#ifndef AHCIVAR_H
#define AHCIVAR_H

#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "ahcireg.h"
#include "atareg.h"
#include "ahci_sat.h"

/*
 * DMA memory, one block per implemented port, carved from the uncached
 * extension (physically contiguous, so one translation covers a block):
 *
 *   0x0000  32 command tables, 1 KiB each: CFIS, ACMD, 56 PRD entries
 *   0x8000  command list: 32 headers (1 KiB aligned)
 *   0x8400  received FIS area (256-byte aligned)
 *   0x8500  IDENTIFY data of the attached device
 *   0x8700  scratch: data of the driver's own commands (READ LOG, REQUEST SENSE)
 *   0x8900  bounce: odd-length transfers of up to 512 bytes
 *   0x8B00  padding, so the next block's command list stays 1 KiB aligned
 */
#define AHCI_PRDT_ENTRIES       56
#define AHCI_TABLE_BYTES        1024
#define AHCI_SMALL_BUF          512

struct ahci_port_mem {
    UCHAR table[AHCI_MAX_SLOTS][AHCI_TABLE_BYTES];
    struct ahci_cmd_hdr list[AHCI_MAX_SLOTS];
    struct ahci_rfis rfis;
    USHORT identify[ATA_IDENTIFY_WORDS];
    UCHAR scratch[AHCI_SMALL_BUF];
    UCHAR bounce[AHCI_SMALL_BUF];
    UCHAR pad[256];
};
_Static_assert(sizeof(struct ahci_cmd_table) + AHCI_PRDT_ENTRIES * sizeof(struct ahci_prd) ==
               AHCI_TABLE_BYTES, "a command table with its PRDT fills 1 KiB");
_Static_assert(FIELD_OFFSET(struct ahci_port_mem, list) == 0x8000, "command list at 0x8000");
_Static_assert(FIELD_OFFSET(struct ahci_port_mem, rfis) == 0x8400, "received FIS at 0x8400");
_Static_assert(sizeof(struct ahci_port_mem) % AHCI_CMD_LIST_ALIGN == 0,
               "blocks keep the command list 1 KiB aligned");

/* The driver's own timing (hardware timeouts are in ahcireg.h). */
#define AHCI_POLL_US            10      /* register poll step */
#define AHCI_LINK_NODEV_MS      20      /* DET still 0 this long after reset: nothing there */
#define AHCI_SENSE_TIMEOUT_MS   2000    /* REQUEST SENSE to an ATAPI drive */
#define AHCI_LOG_TIMEOUT_MS     2000    /* READ LOG EXT after an NCQ error */
#define AHCI_RECOVERY_READY_MS  10000   /* BSY/DRQ clear after a COMRESET in recovery */
#define AHCI_RETRIES            2       /* interface errors: tries after the first */
#define AHCI_HOTPLUG_DELAY_US   100000  /* let a plugged link settle before probing */
#define AHCI_SENSE_LEN          18

/* Largest transfer: 65536 sectors of 512 bytes (one 48-bit command). */
#define AHCI_MAX_TRANSFER       (SAT_MAX_SECTORS * ATA_SECTOR_SIZE)

/* What is attached to a port. */
enum ahci_dev {
    AHCI_DEV_NONE,
    AHCI_DEV_ATA,
    AHCI_DEV_ATAPI,
};

/* Quirk flags (the table in ahci.c, consulted once per controller). */
#define AHCI_Q_NO_NCQ           0x01    /* NCQ unreliable: never issue FPDMA QUEUED */
#define AHCI_Q_32BIT_ONLY       0x02    /* CAP.S64A lies: use 32-bit addresses */
#define AHCI_Q_PI_FROM_CAP      0x04    /* PI reads 0: derive the ports from CAP.NP */

struct ahci_port {
    UCHAR num;                      /* port number, also the SCSI target id */
    UCHAR dev;                      /* enum ahci_dev */
    BOOLEAN implemented;            /* bit set in PI */
    BOOLEAN linked;                 /* bring-up: PHY communication established */
    BOOLEAN ready;                  /* bring-up: BSY and DRQ clear */
    BOOLEAN changed;                /* hot-plug event, looked at from the timer */
    UCHAR packet_len;               /* ATAPI: CDB bytes in a PACKET (12 or 16) */
    UCHAR slots;                    /* usable command slots (CAP.NCS) */
    UCHAR depth;                    /* NCQ tags usable on this device */
    UCHAR lone_run;                 /* commands in a row that found the port idle */
    struct ahci_port_mem *mem;      /* its DMA block */
    ULONG mem_pa;                   /* physical address of mem */
    ULONG ie;                       /* what PxIE holds (ahci_port_arm) */
    ULONG busy;                     /* command slots issued */
    ULONG ncq;                      /* of those, issued as FPDMA QUEUED (in PxSACT) */
    PSCSI_REQUEST_BLOCK slot[AHCI_MAX_SLOTS];
    PSCSI_REQUEST_BLOCK wait_head;  /* accepted, not yet issued, in arrival order */
    PSCSI_REQUEST_BLOCK wait_tail;
    struct sat_disk sat;            /* ATA disks: what the translation needs */
    char model[ID_MODEL_LEN + 1];
};

/*
 * What the global IS register is, learnt from the driver's own polled
 * commands (ahci_port_ack; IDENTIFY at bring-up is the first): a
 * latch software must clear (AHCI 1.3.1 3.1.3; a single MSI is sent only as
 * IS becomes non-zero), or a live OR of the ports' PxIS (QEMU's ich9-ahci),
 * which needs no write.  Until shown live it is treated as a latch.
 */
enum {
    AHCI_IS_UNKNOWN,
    AHCI_IS_LATCH,
    AHCI_IS_LIVE,
};

struct ahci_adapter {
    PUCHAR abar;                    /* mapped ABAR */
    ULONG abar_len;
    UCHAR index;                    /* the n of ahci<n>, for log lines */
    UCHAR ntargets;                 /* highest implemented port + 1 */
    BOOLEAN s64;                    /* 64-bit addresses (CAP.S64A, no quirk) */
    BOOLEAN ncq;                    /* CAP.SNCQ and no quirk */
    BOOLEAN timer_armed;            /* hot-plug timer pending */
    UCHAR is_mode;                  /* AHCI_IS_*: what IS is on this HBA */
    ULONG armed;                    /* ports whose PxIE may be non-zero (ahci_port_arm) */
    ULONG cap;                      /* CAP at attach */
    ULONG pi;                       /* Ports Implemented */
    ULONG vs;                       /* AHCI version */
    ULONG quirks;                   /* AHCI_Q_* */
    PUCHAR uncached;                /* the uncached extension */
    UCHAR reply[SAT_REPLY_MAX];     /* emulated SCSI replies are built here */
    struct ahci_port port[AHCI_MAX_PORTS];
};

/* Per-request state in the SRB extension (not zeroed by the port: HwStartIo does it). */
struct ahci_srbx {
    PSCSI_REQUEST_BLOCK next;       /* the port's wait queue */
    struct sat_xlat xl;             /* the translation: xl.tf is the command, kept for a replay */
    PVOID data;                     /* what the PRDT describes */
    ULONG len;
    UCHAR kind;                     /* AHCI_K_* */
    UCHAR flags;                    /* AHCI_X_* */
    UCHAR retries;
};

enum {
    AHCI_K_ATA,                     /* a translated SCSI command to an ATA disk */
    AHCI_K_ATAPI,                   /* a CDB in a PACKET command */
    AHCI_K_SMART,                   /* IOCTL_SCSI_MINIPORT_* SMART command */
    AHCI_K_FLUSH,                   /* SRB_FUNCTION_SHUTDOWN / FLUSH */
};

#define AHCI_X_PASSTHRU         0x01    /* ATA PASS-THROUGH: registers in sense on error */
#define AHCI_X_CK_COND          0x02    /* ... and on success */
#define AHCI_X_EXTEND           0x04    /* ... 48-bit register set */
#define AHCI_X_NONQ             0x08    /* replay an NCQ command non-queued */
#define AHCI_X_BOUNCE           0x10    /* data through the port's bounce buffer */

/* ahci.c: registers (the only callers of ScsiPortRead/WriteRegisterUlong) */
ULONG ahci_read(struct ahci_adapter *ad, ULONG reg);
void ahci_write(struct ahci_adapter *ad, ULONG reg, ULONG val);
ULONG ahci_pread(struct ahci_adapter *ad, struct ahci_port *pt, ULONG reg);
void ahci_pwrite(struct ahci_adapter *ad, struct ahci_port *pt, ULONG reg, ULONG val);

/* ahci_port.c: waits, helpers and port steps */
BOOLEAN ahci_wait(struct ahci_adapter *ad, ULONG reg, ULONG mask, ULONG value, ULONG timeout_ms);
BOOLEAN ahci_pwait(struct ahci_adapter *ad, struct ahci_port *pt, ULONG reg, ULONG mask,
                   ULONG value, ULONG timeout_ms);

ULONG ahci_ports_mask(struct ahci_adapter *ad, BOOLEAN with_device);
void ahci_log(struct ahci_adapter *ad, struct ahci_port *pt, const char *what, ULONG v1, ULONG v2);
BOOLEAN ahci_port_stop(struct ahci_adapter *ad, struct ahci_port *pt);
BOOLEAN ahci_port_stop_fis(struct ahci_adapter *ad, struct ahci_port *pt);
void ahci_port_start(struct ahci_adapter *ad, struct ahci_port *pt);
void ahci_port_arm(struct ahci_adapter *ad, struct ahci_port *pt, ULONG ie);
void ahci_port_clear_is(struct ahci_adapter *ad, struct ahci_port *pt);
void ahci_port_clear_errors(struct ahci_adapter *ad, struct ahci_port *pt);
void ahci_port_comreset_assert(struct ahci_adapter *ad, struct ahci_port *pt);
void ahci_port_comreset_release(struct ahci_adapter *ad, struct ahci_port *pt);
BOOLEAN ahci_port_busy(ULONG tfd);
void ahci_cmd_list_init(struct ahci_port *pt);
BOOLEAN ahci_exec_sync(struct ahci_adapter *ad, struct ahci_port *pt, const struct ata_tf *tf,
                       const UCHAR *acmd, void *buf, ULONG timeout_ms, ULONG *tfd);
ULONG ahci_port_unissue(struct ahci_port *pt, PSCSI_REQUEST_BLOCK out[AHCI_MAX_SLOTS]);

/* ahci_port.c: off the per-request path (called from ahci.c) */
void ahci_complete_check(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb,
                         const struct sat_sense *s);
void ahci_done_other(struct ahci_adapter *ad, struct ahci_port *pt, ULONG slot,
                     PSCSI_REQUEST_BLOCK srb);
void ahci_port_error(struct ahci_adapter *ad, struct ahci_port *pt, ULONG pis, ULONG tfd);
void ahci_port_hotplug(struct ahci_adapter *ad, struct ahci_port *pt);
void ahci_reply(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG len);
void ahci_scsi_atapi(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb);
void ahci_start_other(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb);
BOOLEAN NTAPI AhciHwResetBus(PVOID ext, ULONG path);

/* ahci.c: the request path */
ULONG ahci_lowest_bit(ULONG v);
ULONG ahci_mem_pa(struct ahci_port *pt, const void *va);
struct ahci_srbx *ahci_srbx(PSCSI_REQUEST_BLOCK srb);
struct ahci_cmd_table *ahci_table(struct ahci_port *pt, ULONG slot);
ULONG ahci_prdt_own(struct ahci_port *pt, ULONG slot, const void *va, ULONG len);
void ahci_cmd_fill(struct ahci_port *pt, ULONG slot, const struct ata_tf *tf, const UCHAR *acmd,
                   ULONG prdtl);
void ahci_submit(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb);
void ahci_complete(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, UCHAR status);
void ahci_complete_xfer(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG moved);
void ahci_done_ok(struct ahci_adapter *ad, struct ahci_port *pt, ULONG slot,
                  PSCSI_REQUEST_BLOCK srb);
struct ahci_port *ahci_target(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb);
BOOLEAN NTAPI AhciHwStartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb);
BOOLEAN NTAPI AhciHwInterrupt(PVOID ext);

/* ahci_init.c: bring-up */
void ahci_ports_bringup(struct ahci_adapter *ad, ULONG mask, BOOLEAN force_comreset);

/* ahci_ioctl.c */
void ahci_ioctl_start(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb);
void ahci_ioctl_done(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb,
                     const struct ata_result *res, BOOLEAN ok);

#endif /* AHCIVAR_H */
