/*
 * AHCI miniport: what runs off the per-request path, compiled for size
 * (the Makefile's OPT; ahci.c is -O2 for the I/O path).  Port steps
 * (stop, start, COMRESET, restart), the driver's own synchronous commands,
 * completions other than a plain read or write, error recovery, resets and
 * hot-plug, and the SRB functions other than a SCSI command.  ahci.c's
 * header comment describes the driver; this file is part of it.
 */
#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "ntddscsi.h"
#include "ahcireg.h"
#include "atareg.h"
#include "ahci_sat.h"
#include "ahcivar.h"

/* ---- waits and small helpers --------------------------------------------------------- */

/* Wait until (reg & mask) == value; FALSE after timeout_ms. */
BOOLEAN __attribute__((cold)) ahci_wait(struct ahci_adapter *ad, ULONG reg, ULONG mask, ULONG value,
                                        ULONG timeout_ms)
{
    for (ULONG us = 0; us <= timeout_ms * 1000; us += AHCI_POLL_US) {
        if ((ahci_read(ad, reg) & mask) == value)
            return TRUE;
        ScsiPortStallExecution(AHCI_POLL_US);
    }
    return FALSE;
}

BOOLEAN __attribute__((cold)) ahci_pwait(struct ahci_adapter *ad, struct ahci_port *pt, ULONG reg,
                                         ULONG mask, ULONG value, ULONG timeout_ms)
{
    return ahci_wait(ad, AHCI_PORT(pt->num) + reg, mask, value, timeout_ms);
}

ULONG __attribute__((cold)) ahci_ports_mask(struct ahci_adapter *ad, BOOLEAN with_device)
{
    ULONG m = 0;

    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++)
        if (ad->port[p].implemented && (!with_device || ad->port[p].dev != AHCI_DEV_NONE))
            m |= 1u << p;
    return m;
}

void __attribute__((cold)) ahci_log(struct ahci_adapter *ad, struct ahci_port *pt, const char *what,
                                    ULONG v1, ULONG v2)
{
    ScsiDebugPrint(0, "ahci%u: port %u: %s (0x%08lx 0x%08lx)\n", ad->index, pt->num, what,
                   v1, v2);
}

/* ---- port steps (AHCI 1.3.1 section 10) --------------------------------------------- */

/* Clear an engine's enable bit in PxCMD and wait for its running bit to fall (10.1.2). */
static BOOLEAN ahci_port_halt(struct ahci_adapter *ad, struct ahci_port *pt, ULONG enable,
                              ULONG running)
{
    ULONG cmd = ahci_pread(ad, pt, PX_CMD);

    if (cmd & enable)
        ahci_pwrite(ad, pt, PX_CMD, cmd & ~enable);
    return ahci_pwait(ad, pt, PX_CMD, running, 0, AHCI_ENGINE_TIMEOUT_MS);
}

/* Stop the command list engine: clear ST, wait for CR. */
BOOLEAN __attribute__((cold)) ahci_port_stop(struct ahci_adapter *ad, struct ahci_port *pt)
{
    return ahci_port_halt(ad, pt, PX_CMD_ST, PX_CMD_CR);
}

/* Stop the FIS receive engine: clear FRE, wait for FR. */
BOOLEAN __attribute__((cold)) ahci_port_stop_fis(struct ahci_adapter *ad, struct ahci_port *pt)
{
    return ahci_port_halt(ad, pt, PX_CMD_FRE, PX_CMD_FR);
}

void __attribute__((cold)) ahci_port_start(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ULONG cmd = ahci_pread(ad, pt, PX_CMD);

    ahci_pwrite(ad, pt, PX_CMD, cmd | PX_CMD_ST);
}

/*
 * Clear what PxIS holds and, where IS is a latch (or not yet known to be
 * live), the port's IS bit after it (PxIS first, then IS).  Every
 * PxIS clear outside the interrupt handler comes here, so a latched IS bit
 * never outlives the events it stood for: the handler, which with one port
 * armed reads that port's PxIS and not IS, would leave such a bit holding
 * INTx asserted (or, with MSI, IS never falling to zero for the next message).
 */
void __attribute__((cold)) ahci_port_clear_is(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ahci_pwrite(ad, pt, PX_IS, ahci_pread(ad, pt, PX_IS));
    if (ad->is_mode != AHCI_IS_LIVE)
        ahci_write(ad, AHCI_IS, 1u << pt->num);
}

void __attribute__((cold)) ahci_port_clear_errors(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ahci_pwrite(ad, pt, PX_SERR, PX_SERR_ALL);
    ahci_port_clear_is(ad, pt);
}

/*
 * Write PxIE, keeping ad->armed a superset of the ports whose PxIE is
 * non-zero at every instant: a port joins the mask before its PxIE is set
 * and leaves it only after PxIE is cleared (and with it PxIS and its IS
 * bit).  AhciHwInterrupt trusts the mask to skip IS when one port is armed;
 * a superset only ever sends it the longer way (see there).
 */
void __attribute__((cold)) ahci_port_arm(struct ahci_adapter *ad, struct ahci_port *pt, ULONG ie)
{
    if (ie) {
        ad->armed |= 1u << pt->num;
        pt->ie = ie;
        ahci_pwrite(ad, pt, PX_IE, ie);
        return;
    }
    ahci_pwrite(ad, pt, PX_IE, 0);
    pt->ie = 0;
    ahci_port_clear_is(ad, pt);
    ad->armed &= ~(1u << pt->num);
}

/* COMRESET (10.4.2): DET=1 for at least 1 ms, then DET=0; partial/slumber stay off. */
void __attribute__((cold)) ahci_port_comreset_assert(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ULONG sctl = ahci_pread(ad, pt, PX_SCTL) & ~(PX_SCTL_DET_MASK | PX_SCTL_IPM_MASK);

    ahci_pwrite(ad, pt, PX_SCTL, sctl | PX_SCTL_IPM_NONE | PX_SCTL_DET_COMRESET);
}

void __attribute__((cold)) ahci_port_comreset_release(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ULONG sctl = ahci_pread(ad, pt, PX_SCTL) & ~PX_SCTL_DET_MASK;

    ahci_pwrite(ad, pt, PX_SCTL, sctl | PX_SCTL_DET_NONE);
}

BOOLEAN __attribute__((cold)) ahci_port_busy(ULONG tfd)
{
    return (PX_TFD_STS(tfd) & (ATA_STS_BSY | ATA_STS_DRQ)) != 0;
}

/* One port's COMRESET, link and ready wait; the device's state is reset. */
static BOOLEAN ahci_port_comreset(struct ahci_adapter *ad, struct ahci_port *pt, ULONG ready_ms)
{
    ahci_port_comreset_assert(ad, pt);
    ScsiPortStallExecution(AHCI_COMRESET_HOLD_US);
    ahci_port_comreset_release(ad, pt);
    if (!ahci_pwait(ad, pt, PX_SSTS, 0xF, PX_SSTS_DET_PHY, AHCI_LINK_TIMEOUT_MS))
        return FALSE;
    ahci_pwrite(ad, pt, PX_SERR, PX_SERR_ALL);
    return ahci_pwait(ad, pt, PX_TFD, ATA_STS_BSY | ATA_STS_DRQ, 0, ready_ms);
}

/*
 * Error recovery (AHCI 1.3.1 section 6.2.2): clear ST, wait for CR, clear
 * SERR and IS, COMRESET if the device is stuck busy (or asked to), set ST.
 * Whatever was issued is the caller's to finish or replay.
 */
static BOOLEAN ahci_port_restart(struct ahci_adapter *ad, struct ahci_port *pt, BOOLEAN comreset)
{
    BOOLEAN ok = TRUE;

    if (!ahci_port_stop(ad, pt))
        comreset = TRUE;
    ahci_port_clear_errors(ad, pt);
    /* ST=0 clears PxCI and PxSACT; an HBA that leaves them set needs the reset. */
    if (ahci_port_busy(ahci_pread(ad, pt, PX_TFD)) || ahci_pread(ad, pt, PX_CI) ||
        ahci_pread(ad, pt, PX_SACT))
        comreset = TRUE;
    if (comreset)
        ok = ahci_port_comreset(ad, pt, AHCI_RECOVERY_READY_MS);
    ahci_port_clear_errors(ad, pt);
    if (ok)
        ahci_port_start(ad, pt);
    else
        ahci_log(ad, pt, "device does not come back after COMRESET",
                 ahci_pread(ad, pt, PX_SSTS), ahci_pread(ad, pt, PX_TFD));
    return ok;
}

/*
 * Clear pis from PxIS after a polled command, and - when it held an enabled
 * bit that IS reflects - learn what IS is: if the port's IS bit falls with
 * PxIS, IS is a live OR of the ports (QEMU) and the interrupt handler need
 * not write it; if the bit stays, IS is the spec's latch.  A latch seen
 * once stays the answer.
 */
static void ahci_port_ack(struct ahci_adapter *ad, struct ahci_port *pt, ULONG pis)
{
    ULONG bit = 1u << pt->num;
    BOOLEAN probe = ad->is_mode != AHCI_IS_LATCH && (pis & pt->ie) &&
                    (ahci_read(ad, AHCI_IS) & bit);

    ahci_pwrite(ad, pt, PX_IS, pis);
    if (probe)
        ad->is_mode = (ahci_read(ad, AHCI_IS) & bit) ? AHCI_IS_LATCH : AHCI_IS_LIVE;
    if (ad->is_mode != AHCI_IS_LIVE)
        ahci_write(ad, AHCI_IS, bit);       /* see ahci_port_clear_is */
}

/* ---- the driver's own commands ---------------------------------------------------- */

/* Point every command header of the port at its command table (once per bring-up). */
void __attribute__((cold)) ahci_cmd_list_init(struct ahci_port *pt)
{
    for (ULONG s = 0; s < AHCI_MAX_SLOTS; s++) {
        pt->mem->list[s].ctba = ahci_mem_pa(pt, ahci_table(pt, s));
        pt->mem->list[s].ctbau = 0;     /* the DMA block is below 4 GiB (checked at attach) */
    }
}

static void ahci_cmd_issue(struct ahci_adapter *ad, struct ahci_port *pt, ULONG slot,
                           BOOLEAN ncq)
{
    if (ncq)
        ahci_pwrite(ad, pt, PX_SACT, 1u << slot);
    ahci_pwrite(ad, pt, PX_CI, 1u << slot);
}

/*
 * The driver's own command on slot 0 of an idle port, polled to the end.
 * TRUE on success; *tfd gets PxTFD either way.  On failure the port is
 * restarted (6.2.2), so it is usable again.
 */
BOOLEAN __attribute__((cold)) ahci_exec_sync(struct ahci_adapter *ad, struct ahci_port *pt,
                                             const struct ata_tf *tf, const UCHAR *acmd, void *buf,
                                             ULONG timeout_ms, ULONG *tfd)
{
    ULONG prdtl = buf && tf->bytes ? ahci_prdt_own(pt, 0, buf, tf->bytes) : 0;
    ULONG us, is = 0;

    ahci_cmd_fill(pt, 0, tf, acmd, prdtl);
    ahci_pwrite(ad, pt, PX_IS, PX_IS_DONE);
    ahci_cmd_issue(ad, pt, 0, FALSE);
    for (us = 0; us <= timeout_ms * 1000; us += AHCI_POLL_US) {
        is = ahci_pread(ad, pt, PX_IS);
        if ((is & PX_IS_FATAL) || !(ahci_pread(ad, pt, PX_CI) & 1))
            break;
        ScsiPortStallExecution(AHCI_POLL_US);
    }
    *tfd = ahci_pread(ad, pt, PX_TFD);
    ahci_port_ack(ad, pt, is);
    if (!(is & PX_IS_FATAL) && us <= timeout_ms * 1000 && !(PX_TFD_STS(*tfd) & ATA_STS_ERR))
        return TRUE;
    ahci_port_restart(ad, pt, !(is & PX_IS_TFES));
    return FALSE;
}

/*
 * A PACKET command moving len bytes in direction dir (ATA_TF_DATA_IN or
 * _OUT): DMA when there is data, the byte count limit in LBA 23:8.
 */
static void __attribute__((noinline)) ahci_tf_packet(struct ata_tf *tf, ULONG len, ULONG dir)
{
    memset(tf, 0, sizeof(*tf));
    tf->command = ATA_CMD_PACKET;
    tf->features = len ? ATAPI_FEAT_DMA : 0;
    tf->lba = (ULONGLONG)(len < 0xFFFE ? len : 0xFFFE) << 8;
    tf->flags = ATA_TF_ATAPI | (len ? dir : 0);
    tf->bytes = len;
}

/* ---- completion other than a plain transfer ----------------------------------------- */

/* Sense data into the SRB (autosense), CHECK CONDITION. */
static void ahci_complete_sense(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb,
                                const UCHAR *sense, ULONG len)
{
    UCHAR status = SRB_STATUS_ERROR;

    srb->ScsiStatus = SCSISTAT_CHECK_CONDITION;
    srb->DataTransferLength = 0;
    if (srb->SenseInfoBuffer && srb->SenseInfoBufferLength &&
        !(srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE)) {
        if (len > srb->SenseInfoBufferLength)
            len = srb->SenseInfoBufferLength;
        memcpy(srb->SenseInfoBuffer, sense, len);
        srb->SenseInfoBufferLength = (UCHAR)len;
        status |= SRB_STATUS_AUTOSENSE_VALID;
    }
    ahci_complete(ad, srb, status);
}

void __attribute__((noinline, cold))
ahci_complete_check(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, const struct sat_sense *s)
{
    UCHAR sense[SENSE_BUFFER_SIZE];

    ahci_complete_sense(ad, srb, sense, sat_fixed_sense(s, sense, sizeof(sense)));
}

_Static_assert(FIELD_OFFSET(struct fis_reg_d2h, status) == ATA_NCQ_LOG_STATUS &&
               FIELD_OFFSET(struct fis_reg_d2h, error) == ATA_NCQ_LOG_ERROR &&
               FIELD_OFFSET(struct fis_reg_d2h, lba0) == ATA_NCQ_LOG_LBA0 &&
               FIELD_OFFSET(struct fis_reg_d2h, lba1) == ATA_NCQ_LOG_LBA1 &&
               FIELD_OFFSET(struct fis_reg_d2h, lba2) == ATA_NCQ_LOG_LBA2 &&
               FIELD_OFFSET(struct fis_reg_d2h, lba3) == ATA_NCQ_LOG_LBA3 &&
               FIELD_OFFSET(struct fis_reg_d2h, lba4) == ATA_NCQ_LOG_LBA4 &&
               FIELD_OFFSET(struct fis_reg_d2h, lba5) == ATA_NCQ_LOG_LBA5,
               "the NCQ error log page starts as a D2H Register FIS");

/*
 * The registers of a D2H Register FIS, or of the NCQ error log page, which
 * begins with the same layout (SATA 3.x 13.7.4).
 */
static void ahci_fis_result(const struct fis_reg_d2h *f, struct ata_result *r)
{
    r->status = f->status;
    r->error = f->error;
    r->device = f->device;
    r->count = (USHORT)(f->count | f->count_exp << 8);
    r->lba = (ULONGLONG)(f->lba4 | f->lba5 << 8) << 32 |
             (ULONG)(f->lba0 | f->lba1 << 8 | f->lba2 << 16 | (ULONG)f->lba3 << 24);
}

/* The registers a command ended with: the D2H Register FIS, status and error from PxTFD. */
static void ahci_result(struct ahci_port *pt, ULONG tfd, struct ata_result *r)
{
    ahci_fis_result(&pt->mem->rfis.rfis, r);
    r->status = (UCHAR)PX_TFD_STS(tfd);
    r->error = (UCHAR)PX_TFD_ERR(tfd);
}

static void ahci_bounce_in(struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb, ULONG moved)
{
    struct ahci_srbx *x = ahci_srbx(srb);

    if ((x->flags & AHCI_X_BOUNCE) && (x->xl.tf.flags & ATA_TF_DATA_IN))
        memcpy(x->data, pt->mem->bounce, moved < x->len ? moved : x->len);
}

/* A command other than a plain ATA transfer finished without error. */
void __attribute__((noinline, cold)) ahci_done_other(struct ahci_adapter *ad,
                                                            struct ahci_port *pt, ULONG slot,
                                                            PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    ULONG moved = pt->mem->list[slot].prdbc;
    struct ata_result r;
    UCHAR sense[8 + 2 + SAT_DESC_ATA_STATUS_LEN];

    if (x->xl.tf.flags & ATA_TF_NCQ || !(x->xl.tf.flags & ATA_TF_ATAPI))
        moved = x->len;             /* ATA moves what it was asked for; NCQ leaves PRDBC */
    ahci_bounce_in(pt, srb, moved);
    switch (x->kind) {
    case AHCI_K_SMART:
        ahci_result(pt, ahci_pread(ad, pt, PX_TFD), &r);
        ahci_ioctl_done(ad, pt, srb, &r, TRUE);
        return;
    case AHCI_K_FLUSH:
        ahci_complete(ad, srb, SRB_STATUS_SUCCESS);
        return;
    case AHCI_K_ATA:
        if (x->flags & AHCI_X_CK_COND) {
            ahci_result(pt, ahci_pread(ad, pt, PX_TFD), &r);
            ahci_complete_sense(ad, srb, sense, sat_passthru_sense(&r,
                                (x->flags & AHCI_X_EXTEND) != 0, FALSE, x->xl.tf.command,
                                sense, sizeof(sense)));
            return;
        }
        break;
    default:
        break;
    }
    ahci_complete_xfer(ad, srb, moved);
}

/* Put srb back at the front of the wait queue (after an error, to be issued again). */
static void ahci_requeue_front(struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);

    x->next = pt->wait_head;
    pt->wait_head = srb;
    if (!pt->wait_tail)
        pt->wait_tail = srb;
}

/* ---- errors --------------------------------------------------------------------------- */

/*
 * REQUEST SENSE to an ATAPI drive after CHECK CONDITION; the key from the
 * error register otherwise.
 */
static void ahci_atapi_failed(struct ahci_adapter *ad, struct ahci_port *pt,
                              PSCSI_REQUEST_BLOCK srb, ULONG err_tfd)
{
    static const UCHAR cdb[16] = { SCSIOP_REQUEST_SENSE, 0, 0, 0, AHCI_SENSE_LEN, 0 };
    struct sat_sense s = { (UCHAR)ATAPI_ERR_SENSE_KEY(PX_TFD_ERR(err_tfd)), 0, 0 };
    struct ata_tf tf;
    ULONG tfd;

    ahci_tf_packet(&tf, AHCI_SENSE_LEN, ATA_TF_DATA_IN);
    memset(pt->mem->scratch, 0, AHCI_SENSE_LEN);
    if (ahci_exec_sync(ad, pt, &tf, cdb, pt->mem->scratch, AHCI_SENSE_TIMEOUT_MS, &tfd) &&
        (pt->mem->scratch[0] & 0x7E) == 0x70) {
        ahci_complete_sense(ad, srb, pt->mem->scratch, AHCI_SENSE_LEN);
        return;
    }
    if (!s.key)
        s.key = SCSI_SENSE_ABORTED_COMMAND;
    ahci_complete_check(ad, srb, &s);
}

/* A command the device failed (status ERR/DF): the right sense for its kind. */
static void ahci_failed(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb,
                        const struct ata_result *r)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    UCHAR sense[8 + 2 + SAT_DESC_ATA_STATUS_LEN];
    struct sat_sense s;

    switch (x->kind) {
    case AHCI_K_ATAPI:
        ahci_atapi_failed(ad, pt, srb, (ULONG)r->error << 8 | r->status);
        return;
    case AHCI_K_SMART:
        ahci_ioctl_done(ad, pt, srb, r, FALSE);
        return;
    case AHCI_K_ATA:
        if (x->flags & AHCI_X_PASSTHRU) {
            ahci_complete_sense(ad, srb, sense, sat_passthru_sense(r,
                                (x->flags & AHCI_X_EXTEND) != 0, TRUE, x->xl.tf.command,
                                sense, sizeof(sense)));
            return;
        }
        break;
    default:
        break;
    }
    sat_ata_error_sense(x->xl.tf.command, r->status, r->error, &s);
    ahci_complete_check(ad, srb, &s);
}

/* An interface or host-bus error: retry, then ABORTED COMMAND. */
static void ahci_link_failed(struct ahci_adapter *ad, struct ahci_port *pt,
                             PSCSI_REQUEST_BLOCK srb)
{
    static const struct sat_sense s = { SCSI_SENSE_ABORTED_COMMAND, 0x47, 0 };  /* parity/CRC */
    struct ahci_srbx *x = ahci_srbx(srb);

    if (x->retries++ < AHCI_RETRIES) {
        ahci_requeue_front(pt, srb);
        return;
    }
    ahci_complete_check(ad, srb, &s);
}

/*
 * Which NCQ command failed: READ LOG EXT page 10h (SATA 13.7.4).  Returns
 * the tag and the failed command's registers, or -1 when the log is not
 * there (QEMU has none) or names no queued command.
 */
static int ahci_ncq_log(struct ahci_adapter *ad, struct ahci_port *pt, struct ata_result *r)
{
    const UCHAR *log = pt->mem->scratch;
    struct ata_tf tf;
    ULONG tfd;

    sat_tf_read_log(&tf, ATA_LOG_NCQ_ERROR, ATA_SECTOR_SIZE);
    if (!ahci_exec_sync(ad, pt, &tf, NULL, pt->mem->scratch, AHCI_LOG_TIMEOUT_MS, &tfd) ||
        (log[0] & ATA_NCQ_LOG_NQ))
        return -1;
    ahci_fis_result((const struct fis_reg_d2h *)log, r);
    return log[0] & ATA_NCQ_LOG_TAG_MASK;
}

/*
 * NCQ commands were out and the device's error log did not say which one
 * failed (QEMU has no log 10h): COMRESET before any of them is issued
 * again.  Stopping the engine only cleared PxCI and PxSACT; the device may
 * still hold its queue, and an HBA may go on with the commands (QEMU 7.2
 * does, in its block layer) and finish them later: into buffers handed
 * back by then, or in the middle of a later command's recovery (QEMU
 * issue #437, a crash).  The reset ends them all (QEMU cancels each and
 * waits for it) and clears the ERR a failed command left in the status.
 */
static void ahci_ncq_reset(struct ahci_adapter *ad, struct ahci_port *pt, ULONG victims,
                           ULONG tfd)
{
    ahci_log(ad, pt, "NCQ error, log 10h unreadable: COMRESET", victims, tfd);
    ahci_port_restart(ad, pt, TRUE);
}

/* Take every issued command off the port; returns their slots. */
ULONG __attribute__((cold)) ahci_port_unissue(struct ahci_port *pt,
                                              PSCSI_REQUEST_BLOCK out[AHCI_MAX_SLOTS])
{
    ULONG victims = pt->busy;

    for (ULONG s = 0; s < AHCI_MAX_SLOTS; s++) {
        out[s] = pt->slot[s];
        pt->slot[s] = NULL;
    }
    pt->busy = pt->ncq = 0;
    return victims;
}

/*
 * After an error interrupt: finish what completed, restart the port, then
 * settle each command that was outstanding: the failed one gets its error,
 * the innocent ones are issued again (non-queued, after a COMRESET, when an
 * NCQ failure could not be pinned on one tag: the replay then finds it).
 */
void __attribute__((noinline, cold)) ahci_port_error(struct ahci_adapter *ad,
                                                            struct ahci_port *pt, ULONG pis,
                                                            ULONG tfd)
{
    PSCSI_REQUEST_BLOCK v[AHCI_MAX_SLOTS];
    BOOLEAN device_err = (pis & PX_IS_TFES) || (PX_TFD_STS(tfd) & (ATA_STS_ERR | ATA_STS_DF));
    BOOLEAN link_err = (pis & (PX_IS_HBFS | PX_IS_HBDS | PX_IS_IFS | PX_IS_OFS)) != 0;
    ULONG ncq = pt->ncq, victims, done;
    struct ata_result r;
    int tag = -1;

    done = pt->busy & ~(ahci_pread(ad, pt, PX_CI) | ahci_pread(ad, pt, PX_SACT)) & ncq;
    ahci_result(pt, tfd, &r);
    victims = ahci_port_unissue(pt, v);
    for (ULONG s = 0; s < AHCI_MAX_SLOTS; s++)
        if (done & (1u << s))
            ahci_done_ok(ad, pt, s, v[s]);
    victims &= ~done;
    if (link_err)
        ahci_log(ad, pt, "interface error", pis, ahci_pread(ad, pt, PX_SERR));
    ahci_port_restart(ad, pt, link_err);
    if (device_err && !link_err && (victims & ncq))
        tag = ahci_ncq_log(ad, pt, &r);
    if (tag < 0 && !link_err && (victims & ncq))
        ahci_ncq_reset(ad, pt, victims & ncq, tfd);
    for (ULONG s = AHCI_MAX_SLOTS; s-- > 0;) {
        if (!(victims & (1u << s)))
            continue;
        if (link_err)
            ahci_link_failed(ad, pt, v[s]);
        else if (!(ncq & (1u << s)) || (int)s == tag)
            ahci_failed(ad, pt, v[s], &r);
        else {
            if (tag < 0)
                ahci_srbx(v[s])->flags |= AHCI_X_NONQ;
            ahci_requeue_front(pt, v[s]);
        }
    }
}

static VOID NTAPI AhciHwTimer(PVOID ext);

/* PxIS.PCS / PRCS: look at the port from the timer, once the link has settled. */
void __attribute__((noinline, cold))
ahci_port_hotplug(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ahci_pwrite(ad, pt, PX_SERR, PX_SERR_DIAG_X | PX_SERR_DIAG_N);
    pt->changed = TRUE;
    if (!ad->timer_armed) {
        ad->timer_armed = TRUE;
        ScsiPortNotification(RequestTimerCall, ad, AhciHwTimer, AHCI_HOTPLUG_DELAY_US);
    }
}

/* ---- resets ------------------------------------------------------------------------------ */

/* Every port with a device, COMRESET together; what was outstanding is handed back. */
static void ahci_reset_ports(struct ahci_adapter *ad, ULONG mask,
                             void (*drop)(struct ahci_adapter *, PSCSI_REQUEST_BLOCK))
{
    ULONG before = ahci_ports_mask(ad, TRUE);

    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        struct ahci_port *pt = &ad->port[p];
        PSCSI_REQUEST_BLOCK v[AHCI_MAX_SLOTS], srb;
        ULONG victims;
        if (!(mask & (1u << p)))
            continue;
        victims = ahci_port_unissue(pt, v);
        for (ULONG s = 0; s < AHCI_MAX_SLOTS && drop; s++)
            if (victims & (1u << s))
                drop(ad, v[s]);
        while ((srb = pt->wait_head) != NULL) {
            pt->wait_head = ahci_srbx(srb)->next;
            if (drop)
                drop(ad, srb);
        }
        pt->wait_tail = NULL;
    }
    ahci_ports_bringup(ad, mask, TRUE);
    if (ahci_ports_mask(ad, TRUE) != before)
        ScsiPortNotification(BusChangeDetected, ad, 0);
}

static void ahci_drop_reset(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    ahci_complete(ad, srb, SRB_STATUS_BUS_RESET);
}

/* The port driver's bus reset (a request timed out): everything back as BUS_RESET. */
BOOLEAN NTAPI __attribute__((cold)) AhciHwResetBus(PVOID ext, ULONG path)
{
    struct ahci_adapter *ad = ext;

    ScsiDebugPrint(0, "ahci%u: bus reset\n", ad->index);
    ahci_reset_ports(ad, ahci_ports_mask(ad, FALSE), NULL);
    ScsiPortCompleteRequest(ad, (UCHAR)path, SP_UNTAGGED, SP_UNTAGGED, SRB_STATUS_BUS_RESET);
    ScsiPortNotification(NextRequest, ad);
    return TRUE;
}

/* Deferred hot-plug handling: a device gone or a device new. */
static VOID NTAPI __attribute__((cold)) AhciHwTimer(PVOID ext)
{
    struct ahci_adapter *ad = ext;
    ULONG probe = 0;

    ad->timer_armed = FALSE;
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        struct ahci_port *pt = &ad->port[p];
        if (!pt->changed)
            continue;
        pt->changed = FALSE;
        if (PX_SSTS_DET(ahci_pread(ad, pt, PX_SSTS)) == PX_SSTS_DET_PHY) {
            if (pt->dev == AHCI_DEV_NONE)
                probe |= 1u << p;
        } else if (pt->dev != AHCI_DEV_NONE) {
            ScsiDebugPrint(1, "ahci%u: port %u: device removed\n", ad->index, pt->num);
            pt->dev = AHCI_DEV_NONE;
            probe |= 1u << p;       /* resets the port and fails what was outstanding */
        }
    }
    if (probe) {
        ahci_reset_ports(ad, probe, ahci_drop_reset);
        ScsiPortNotification(BusChangeDetected, ad, 0);
    }
}

/* ---- requests other than a disk read or write ----------------------------------------- */

/* An emulated reply: copied out, cut to the data buffer. */
void __attribute__((noinline, cold)) ahci_reply(struct ahci_adapter *ad,
                                                       PSCSI_REQUEST_BLOCK srb, ULONG len)
{
    if (len > srb->DataTransferLength)
        len = srb->DataTransferLength;
    if (len)
        memcpy(srb->DataBuffer, ad->reply, len);
    ahci_complete_xfer(ad, srb, len);
}

void __attribute__((noinline, cold)) ahci_scsi_atapi(struct ahci_adapter *ad,
                                                            struct ahci_port *pt,
                                                            PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    ULONG len = srb->DataTransferLength;

    if (srb->CdbLength > pt->packet_len) {
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    x->kind = AHCI_K_ATAPI;
    ahci_tf_packet(&x->xl.tf, len, (srb->SrbFlags & SRB_FLAGS_DATA_OUT) &&
                   !(srb->SrbFlags & SRB_FLAGS_DATA_IN) ? ATA_TF_DATA_OUT : ATA_TF_DATA_IN);
    x->data = srb->DataBuffer;
    x->len = len;
    if (srb->CdbLength < pt->packet_len)
        memset(srb->Cdb + srb->CdbLength, 0, pt->packet_len - srb->CdbLength);
    ahci_submit(ad, pt, srb);
}

/* SHUTDOWN / FLUSH: FLUSH CACHE (EXT) to a disk that caches writes. */
static void ahci_flush(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_port *pt = ahci_target(ad, srb);
    struct ahci_srbx *x = ahci_srbx(srb);

    if (!pt || pt->dev != AHCI_DEV_ATA) {
        ahci_complete(ad, srb, SRB_STATUS_SUCCESS);
        return;
    }
    x->kind = AHCI_K_FLUSH;
    sat_tf_flush(&x->xl.tf, pt->sat.lba48);
    ahci_submit(ad, pt, srb);
}

/* Best effort: a command still waiting in the driver is taken back; an issued one is not. */
static void ahci_abort(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    PSCSI_REQUEST_BLOCK victim = srb->NextSrb, *pp;
    struct ahci_port *pt = ahci_target(ad, srb);

    if (pt && victim) {
        PSCSI_REQUEST_BLOCK prev = NULL;
        for (pp = &pt->wait_head; *pp; prev = *pp, pp = &ahci_srbx(*pp)->next) {
            if (*pp != victim)
                continue;
            *pp = ahci_srbx(victim)->next;
            if (pt->wait_tail == victim)
                pt->wait_tail = prev;
            ahci_complete(ad, victim, SRB_STATUS_ABORTED);
            ahci_complete(ad, srb, SRB_STATUS_SUCCESS);
            return;
        }
    }
    ahci_complete(ad, srb, SRB_STATUS_ABORT_FAILED);
}

/* Every function but a SCSI command to a device; x starts from zero. */
void __attribute__((noinline, cold))
ahci_start_other(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_port *pt;

    memset(ahci_srbx(srb), 0, sizeof(struct ahci_srbx));
    switch (srb->Function) {
    case SRB_FUNCTION_EXECUTE_SCSI:
        pt = ahci_target(ad, srb);
        ahci_complete(ad, srb, pt ? SRB_STATUS_INVALID_LUN : SRB_STATUS_SELECTION_TIMEOUT);
        break;
    case SRB_FUNCTION_IO_CONTROL:
        ahci_ioctl_start(ad, srb);
        break;
    case SRB_FUNCTION_SHUTDOWN:
    case SRB_FUNCTION_FLUSH:
        ahci_flush(ad, srb);
        break;
    case SRB_FUNCTION_RESET_BUS:
        ahci_reset_ports(ad, ahci_ports_mask(ad, FALSE), ahci_drop_reset);
        ahci_complete(ad, srb, SRB_STATUS_SUCCESS);
        break;
    case SRB_FUNCTION_RESET_DEVICE:
        pt = ahci_target(ad, srb);
        if (pt)
            ahci_reset_ports(ad, 1u << pt->num, ahci_drop_reset);
        ahci_complete(ad, srb, pt ? SRB_STATUS_SUCCESS : SRB_STATUS_SELECTION_TIMEOUT);
        break;
    case SRB_FUNCTION_ABORT_COMMAND:
        ahci_abort(ad, srb);
        break;
    default:
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        break;
    }
}
