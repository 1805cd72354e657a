/*
 * Symbios/LSI 53C895A (and 53C810) PCI-SCSI I/O processor: a ScsiPort
 * miniport in which the chip's SCRIPTS processor does the SCSI protocol -
 * selection, messages, disconnect and reselection, tagged queuing - and
 * the host only fills in per-request cells and takes completions.
 *
 * Spec: LSI53C895A PCI to Ultra2 SCSI Controller Technical Manual
 * (registers: chapter 5, SCSI SCRIPTS instruction set: chapter 6); SCSI-2
 * (X3.131-1994) for messages and phases.
 *
 * QEMU:
 *     -device lsi53c895a,id=lsi0 -drive file=d0.img,format=raw,if=none,id=d0
 *     -device scsi-hd,drive=d0,bus=lsi0.0,scsi-id=2
 * (also scsi-cd, and -device lsi53c810 for the older chip; QEMU 7.2 allows
 * scsi-id 0-7 and LUN 0 only on this bus).
 *
 * Design, for the cost per request (the targets: at most 64 SCRIPTS
 * instructions and 3 register accesses per 4 KiB read at queue depth 1;
 * measured under QEMU: 60 and 2, test_lsi.py test_cost_per_4k_read):
 *  - Requests are handed over through memory: the host fills the cell of
 *    the request's queue tag (lsi_scripts.h), puts the tag in the start
 *    ring and writes ISTAT.SIGP, which wakes SCRIPTS sleeping in WAIT
 *    RESELECT.  SCRIPTS report a finished request by writing its tag to
 *    the done ring and raising INTFLY; the interrupt handler clears INTF
 *    (writing SIGP back if the start ring still holds work) and reads the
 *    ring.  A read costs two register accesses; ISTAT is read only when
 *    the done ring is empty (an error, or a shared interrupt not ours).
 *  - The SCRIPTS program lives in host memory (the uncached extension),
 *    not in the 895A's 4 KiB SCRIPTS RAM: one code path for the 53C810,
 *    which has no SCRIPTS RAM; the program is patched with physical
 *    addresses at start-up with plain memory writes instead of a load
 *    through BAR2; and QEMU fetches from guest RAM directly where a
 *    SCRIPTS RAM fetch is an MMIO dispatch per word.
 *  - Cells are indexed by the queue tag the port assigns (1..254) and the
 *    one untagged request uses cell 255, so reselection finds its cell in
 *    two SCRIPTS instructions.  While an untagged request is out the
 *    driver holds back NextRequest: it never has two.
 *  - Transfers are async and narrow, which any SCSI target accepts.  A
 *    target may still hold a faster agreement from an earlier owner of the
 *    bus (an option ROM, the OS before a warm reboot), and start-up no
 *    longer resets a free bus, so the first request to each target after
 *    start-up or a reset carries WDTR (8-bit, which also ends any
 *    synchronous agreement; on the wide 895A) or SDTR (offset 0); every
 *    answer SPI allows is taken (lsi_ext_msg, lsi_msg_reject).
 *  - Autosense is ours: on CHECK CONDITION the same cell is reused for a
 *    REQUEST SENSE (HEAD OF QUEUE tag) into the SRB's sense buffer.
 *
 * Errors: selection time-out completes the request (no log line: empty
 * IDs are normal during a scan); phase mismatch moves the cell's data
 * pointer (short transfers come back as DATA_OVERRUN with the length
 * fixed); unexpected disconnect completes the connected request; parity
 * and protocol errors, bad reselections and DMA faults are logged
 * (ScsiPortLogError) and reset the bus, which completes everything
 * outstanding with BUS_RESET.
 *
 * Files: lsireg.h (hardware), lsi_scripts.[ch] (the program, its memory,
 * the assembler), lsivar.h (driver state, helpers both C files use), this
 * file (register helpers and the per-I/O path: starting requests, the
 * interrupt, completion of the usual request), lsi_slow.c (the rest of
 * completion, scatter/gather, negotiation, errors: built for size),
 * lsi_init.c (HwFindAdapter, chip and bus reset, HwInitialize,
 * HwResetBus, HwAdapterControl, DriverEntry).
 *
 * Execution: ScsiPort serialises every entry point against HwInterrupt;
 * nothing here locks.  Every wait is bounded.
 */
#include "lsivar.h"

/* ---- register access: the only callers of ScsiPortRead/WriteRegister ---------------- */

UCHAR lsi_rd(struct lsi_adapter *ad, ULONG reg)
{
    return ScsiPortReadRegisterUchar(ad->regs + reg);
}

void lsi_wr(struct lsi_adapter *ad, ULONG reg, UCHAR val)
{
    ScsiPortWriteRegisterUchar(ad->regs + reg, val);
}

ULONG lsi_rd32(struct lsi_adapter *ad, ULONG reg)
{
    return ScsiPortReadRegisterUlong((PULONG)(ad->regs + reg));
}

void lsi_wr32(struct lsi_adapter *ad, ULONG reg, ULONG val)
{
    ScsiPortWriteRegisterUlong((PULONG)(ad->regs + reg), val);
}

/* ---- building a request -------------------------------------------------------------- */

/*
 * lsi_map_sg, with the usual buffer - one physically contiguous run - done
 * here (anything else is looked up again from its start there).
 */
static inline UCHAR lsi_map_data(struct lsi_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG idx,
                                 PUCHAR va, ULONG len, BOOLEAN in)
{
    struct lsi_tbl *e = sg_entry(ad, idx, LSI_MAX_SG - 1);
    SCSI_PHYSICAL_ADDRESS pa;
    ULONG run = 0;

    if (!len) {
        ccb_of(ad, idx)->resume = ad->label[LSI_L_OVERRUN];
        return SRB_STATUS_SUCCESS;
    }
    pa = ScsiPortGetPhysicalAddress(ad, srb, va, &run);
    if (run < len || pa.HighPart || len > SCR_COUNT_MASK)
        return lsi_map_sg(ad, srb, idx, va, len, in);
    e->addr = pa.LowPart;                       /* one run: the last entry, directly */
    e->count = len;
    ccb_of(ad, idx)->resume = ad->label[in ? LSI_L_DATAIN : LSI_L_DATAOUT] + 8 * (LSI_MAX_SG - 1);
    return SRB_STATUS_SUCCESS;
}

/* Fill in cell idx for srb's command; SRB_STATUS_SUCCESS, or why not. */
static UCHAR lsi_build(struct lsi_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG idx)
{
    struct lsi_ccb *c = ccb_of(ad, idx);
    ULONG flags = srb->SrbFlags;                /* read before the stores into the cell */
    ULONG len = flags & SRB_FLAGS_UNSPECIFIED_DIRECTION ? srb->DataTransferLength : 0;
    UCHAR lun = srb->Lun, tag = srb->QueueTag;
    UCHAR tag_msg = srb->QueueAction ? srb->QueueAction : SCSIMESS_SIMPLE_QUEUE_TAG;

    c->select = (struct lsi_seltbl){ .sxfer = 0,        /* asynchronous, narrow */
                                     .sdid = srb->TargetId,
                                     .scntl3 = SCNTL3_SCF_DIV2 | SCNTL3_CCF_DIV2 };
    lsi_set_msgout(c, lsi_identify_msg(lun, flags), tag_msg, tag);
    lsi_set_cdb(ad, idx, srb->Cdb, srb->CdbLength);
    return lsi_map_data(ad, srb, idx, srb->DataBuffer, len, (flags & SRB_FLAGS_DATA_IN) != 0);
}

static UCHAR lsi_check(struct lsi_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    if (srb->TargetId == LSI_INITIATOR_ID || srb->TargetId >= ad->chip->targets)
        return SRB_STATUS_INVALID_TARGET_ID;
    if (srb->Lun >= LSI_MAX_LUNS)
        return SRB_STATUS_INVALID_LUN;
    if (!srb->CdbLength || srb->CdbLength > sizeof(srb->Cdb))
        return SRB_STATUS_INVALID_REQUEST;
    if (srb->QueueTag == 0 || ad->slot[srb->QueueTag].state != SLOT_FREE) {
        ScsiDebugPrint(0, "lsi%lu: %u:%u: queue tag %u is already in use\n", ad->index,
                       srb->TargetId, srb->Lun, srb->QueueTag);
        return SRB_STATUS_ERROR;
    }
    return SRB_STATUS_SUCCESS;
}

static void lsi_start_scsi(struct lsi_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    UCHAR idx = srb->QueueTag;                  /* SP_UNTAGGED is the untagged cell */
    UCHAR path = srb->PathId, target = srb->TargetId, lun = srb->Lun;
    struct lsi_slot *s = &ad->slot[idx];
    UCHAR st = lsi_check(ad, srb);

    if (st == SRB_STATUS_SUCCESS)
        st = lsi_build(ad, srb, idx);
    if (st != SRB_STATUS_SUCCESS) {
        srb->SrbStatus = st;
        ScsiPortNotification(RequestComplete, ad, srb);
        ScsiPortNotification(NextRequest, ad);
        return;
    }
    s->state = SLOT_ACTIVE;
    s->srb = srb;
    s->target = target;
    s->lun = lun;
    s->tag = idx;
    s->moved = FALSE;
    s->negotiates = FALSE;
    if ((ad->nego_due & ~ad->nego_busy) & (1u << target))
        lsi_nego_start(ad, idx);
    if (idx == LSI_UNTAGGED_CELL)
        ad->untagged_busy = TRUE;
    lsi_start_cell(ad, idx);
    if (idx != LSI_UNTAGGED_CELL)
        ScsiPortNotification(NextLuRequest, ad, path, target, lun);
}

BOOLEAN NTAPI LsiHwStartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb)
{
    struct lsi_adapter *ad = ext;

    switch (srb->Function) {
    case SRB_FUNCTION_EXECUTE_SCSI:
        lsi_start_scsi(ad, srb);
        return TRUE;
    case SRB_FUNCTION_RESET_BUS:
    case SRB_FUNCTION_RESET_DEVICE:
    case SRB_FUNCTION_RESET_LOGICAL_UNIT:
        srb->SrbStatus = SRB_STATUS_SUCCESS;
        ScsiPortNotification(RequestComplete, ad, srb);
        lsi_reset_all(ad, "reset requested");  /* ... and NextRequest */
        return TRUE;
    case SRB_FUNCTION_SHUTDOWN:
    case SRB_FUNCTION_FLUSH:
        srb->SrbStatus = SRB_STATUS_SUCCESS;    /* the adapter caches nothing */
        break;
    default:
        srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
        break;
    }
    ScsiPortNotification(RequestComplete, ad, srb);
    ScsiPortNotification(NextRequest, ad);
    return TRUE;
}

/* ---- completion ---------------------------------------------------------------------- */

/*
 * SCRIPTS finished cell idx.  The usual case - a tagged command, GOOD
 * status, the whole buffer moved, no negotiation riding on it - is
 * completed here; lsi_cell_done_slow sorts out everything else.
 */
static inline void lsi_cell_done(struct lsi_adapter *ad, ULONG idx)
{
    struct lsi_slot *s = &ad->slot[idx];
    struct lsi_ccb *c = ccb_of(ad, idx);
    PSCSI_REQUEST_BLOCK srb = s->srb;

    if (s->state != SLOT_ACTIVE || s->negotiates || idx == LSI_UNTAGGED_CELL ||
        c->status != SCSISTAT_GOOD || c->overrun || c->resume != ad->label[LSI_L_OVERRUN]) {
        lsi_cell_done_slow(ad, idx);
        return;
    }
    srb->ScsiStatus = SCSISTAT_GOOD;
    srb->SrbStatus = SRB_STATUS_SUCCESS;
    s->state = SLOT_FREE;
    c->resume = ad->label[LSI_L_BAD_RESEL];
    ScsiPortNotification(RequestComplete, ad, srb);
}

/* Take every tag SCRIPTS posted to the done ring. */
static void lsi_drain(struct lsi_adapter *ad)
{
    UCHAR idx;

    while ((idx = ad->doneq[ad->done_head]) != 0) {
        ad->doneq[ad->done_head] = 0;
        ad->done_head++;
        lsi_barrier();                          /* the cell after the tag */
        lsi_cell_done(ad, idx);
    }
}

/* ---- the interrupt (also called from the port's wait loop when polled) --------------- */

/* Does the start ring hold a tag SCRIPTS have not taken yet? */
static BOOLEAN lsi_start_pending(struct lsi_adapter *ad)
{
    UCHAR head = *lsi_cell_byte(ad, LSI_C_STARTQ);  /* low byte of the head slot's address */

    return ad->startq[head] != 0;
}

/* INTF cleared; SIGP written back while the start ring holds work SCRIPTS did not take. */
static void lsi_ack_intf(struct lsi_adapter *ad)
{
    lsi_wr(ad, ISTAT, ISTAT_INTF | (lsi_start_pending(ad) ? ISTAT_SIGP : 0));
}

BOOLEAN NTAPI LsiHwInterrupt(PVOID ext)
{
    struct lsi_adapter *ad = ext;
    UCHAR istat;

    if (!ad->ready)
        return FALSE;
    if (ad->doneq[ad->done_head]) {             /* the usual case: no register read */
        lsi_ack_intf(ad);
        lsi_drain(ad);
        return TRUE;
    }
    istat = lsi_rd(ad, ISTAT);
    if (!(istat & (ISTAT_INTF | ISTAT_SIP | ISTAT_DIP)))
        return FALSE;                           /* a shared line: not ours */
    if (istat & ISTAT_INTF) {
        lsi_ack_intf(ad);
        lsi_drain(ad);
    }
    if (istat & (ISTAT_SIP | ISTAT_DIP))
        lsi_halted(ad, istat);
    return TRUE;
}

