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
 * the assembler), lsivar.h (driver state), this file (register helpers,
 * starting requests, the interrupt, completion and errors), lsi_init.c
 * (HwFindAdapter, chip and bus reset, HwInitialize, HwResetBus,
 * HwAdapterControl, DriverEntry).
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

/* Wait until (reg & mask) == value; FALSE after timeout_ms. */
BOOLEAN __attribute__((cold)) lsi_wait(struct lsi_adapter *ad, ULONG reg, UCHAR mask, UCHAR value,
                                       ULONG timeout_ms)
{
    for (ULONG us = 0; us <= timeout_ms * 1000; us += LSI_POLL_US) {
        if ((lsi_rd(ad, reg) & mask) == value)
            return TRUE;
        ScsiPortStallExecution(LSI_POLL_US);
    }
    return FALSE;
}

/* ---- small helpers ------------------------------------------------------------------- */

/* Orders our memory writes before the chip can see what follows (and the reverse). */
static void lsi_barrier(void)
{
    __sync_synchronize();
}

/* "MA|UDC": the set bits of an 8-bit register by name (names[0] is bit 7). */
void __attribute__((cold)) lsi_bits(char *buf, ULONG size, ULONG value, const char *const names[8])
{
    ULONG n = 0;

    buf[0] = '\0';
    for (ULONG b = 0; b < 8; b++) {
        ULONG len = (ULONG)strlen(names[b]);
        if (!(value & (0x80u >> b)) || n + len + 2 > size)
            continue;
        if (n)
            buf[n++] = '|';
        memcpy(buf + n, names[b], len);
        n += len;
        buf[n] = '\0';
    }
    if (!n && size > 1) {
        buf[0] = '-';
        buf[1] = '\0';
    }
}

volatile UCHAR *lsi_cell_byte(struct lsi_adapter *ad, enum lsi_cell c)
{
    return ad->misc + LSI_MISC_CELLS + (ULONG)c * LSI_MISC_CELL_SIZE;
}

static struct lsi_ccb *ccb_of(struct lsi_adapter *ad, ULONG idx)
{
    return &ad->cells[idx];
}

static ULONG ccb_pa(struct lsi_adapter *ad, ULONG idx)
{
    return ad->arena_pa + idx * LSI_CELL_SIZE;
}

static struct lsi_tbl *sg_entry(struct lsi_adapter *ad, ULONG idx, ULONG i)
{
    return (struct lsi_tbl *)((PUCHAR)ccb_of(ad, idx) + lsi_sg_offset(i));
}

/* Empty rings, idle cells: after start-up and after a reset. */
void __attribute__((cold)) lsi_rings_reset(struct lsi_adapter *ad)
{
    for (ULONG i = 0; i < LSI_RING_SLOTS; i++) {
        ad->startq[i] = 0;
        ad->doneq[i] = 0;
    }
    ad->start_tail = 0;
    ad->done_head = 0;
    for (ULONG i = 0; i < LSI_CELLS; i++) {
        struct lsi_ccb *c = ccb_of(ad, i);
        ULONG pa = ccb_pa(ad, i);
        ad->slot[i].state = SLOT_FREE;
        c->resume = ad->label[LSI_L_BAD_RESEL];
        c->msgout.addr = pa + (ULONG)FIELD_OFFSET(struct lsi_ccb, msgout_bytes);
        c->cmd.addr = pa + (ULONG)FIELD_OFFSET(struct lsi_ccb, cdb);
        c->status_tbl.count = 1;
        c->status_tbl.addr = pa + (ULONG)FIELD_OFFSET(struct lsi_ccb, status);
    }
    *(volatile ULONG *)lsi_cell_byte(ad, LSI_C_STARTQ) = ad->misc_pa + LSI_MISC_STARTQ;
    *(volatile ULONG *)lsi_cell_byte(ad, LSI_C_DONEQ) = ad->misc_pa + LSI_MISC_DONEQ;
    *(volatile ULONG *)lsi_cell_byte(ad, LSI_C_ARENA) = ad->arena_pa;
    *(volatile ULONG *)lsi_cell_byte(ad, LSI_C_OVERRUN_ADDR) = ad->label[LSI_L_OVERRUN];
    *lsi_cell_byte(ad, LSI_C_NOP) = SCSIMESS_NO_OPERATION;
    *lsi_cell_byte(ad, LSI_C_REJECT) = SCSIMESS_MESSAGE_REJECT;
    ad->untagged_busy = FALSE;
    ad->nego_due = (USHORT)((1u << ad->chip->targets) - 1);
    ad->nego_busy = 0;
    lsi_barrier();
}

/* The connected request's cell (from DSA), or 0 if DSA is not on a cell. */
static ULONG lsi_current(struct lsi_adapter *ad)
{
    ULONG dsa = lsi_rd32(ad, DSA), off = dsa - ad->arena_pa;

    if (dsa < ad->arena_pa || off >= LSI_ARENA_SIZE || off % LSI_CELL_SIZE)
        return 0;
    return off / LSI_CELL_SIZE;
}

static void lsi_resume(struct lsi_adapter *ad, enum lsi_label l)
{
    lsi_wr32(ad, DSP, ad->label[l]);
}

/* ---- the start ring ------------------------------------------------------------------ */

/* Does the start ring hold a tag SCRIPTS have not taken yet? */
static BOOLEAN lsi_start_pending(struct lsi_adapter *ad)
{
    UCHAR head = *lsi_cell_byte(ad, LSI_C_STARTQ);  /* low byte of the head slot's address */

    return ad->startq[head] != 0;
}

/* Queue cell idx for SCRIPTS and wake them. */
static void lsi_start_cell(struct lsi_adapter *ad, UCHAR idx)
{
    UCHAR t = ad->start_tail;

    lsi_barrier();                              /* the cell before the tag */
    ad->startq[(UCHAR)(t + 1)] = 0;             /* SCRIPTS stop at the next slot */
    ad->startq[t] = idx;
    ad->start_tail = (UCHAR)(t + 1);
    lsi_barrier();
    lsi_wr(ad, ISTAT, ISTAT_SIGP);
}

/* ---- building a request -------------------------------------------------------------- */

/* IDENTIFY for lun, with the disconnect privilege unless the request forbids it. */
static inline UCHAR lsi_identify(UCHAR lun, ULONG srb_flags)
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

/* WDTR (8-bit) or SDTR (offset 0) at m; its length. */
static ULONG lsi_nego_msg(UCHAR *m, UCHAR nego, UCHAR period)
{
    m[0] = SCSIMESS_EXTENDED_MESSAGE;
    if (nego == NEGO_WDTR) {
        m[1] = SCSIMESS_WIDE_DATA_LENGTH;
        m[2] = SCSIMESS_WIDE_DATA_REQUEST;
        m[3] = 0;                               /* 2^0 bytes wide */
        return 2 + SCSIMESS_WIDE_DATA_LENGTH;
    }
    m[1] = SCSIMESS_SYNCH_DATA_LENGTH;
    m[2] = SCSIMESS_SYNCHRONOUS_DATA_REQ;
    m[3] = period;
    m[4] = 0;                                   /* REQ/ACK offset 0: asynchronous */
    return 2 + SCSIMESS_SYNCH_DATA_LENGTH;
}

/*
 * The first request to a target since start-up or a reset: its selection
 * also says async and narrow (SPI: WDTR resets the synchronous agreement
 * too, so a wide chip needs no SDTR unless the target rejects WDTR).
 */
static void __attribute__((cold)) lsi_nego_start(struct lsi_adapter *ad, ULONG idx)
{
    struct lsi_ccb *c = ccb_of(ad, idx);
    struct lsi_slot *s = &ad->slot[idx];
    ULONG n = c->msgout.count;                  /* after IDENTIFY and the tag */

    s->nego = ad->chip->targets > 8 ? NEGO_WDTR : NEGO_SDTR;
    s->negotiates = TRUE;
    c->msgout.count = n + lsi_nego_msg(c->msgout_bytes + n, s->nego, LSI_SDTR_PERIOD);
    ad->nego_busy |= (USHORT)(1u << s->target);
}

/* The negotiating request is over: done with the target unless nobody answered. */
static void lsi_nego_end(struct lsi_adapter *ad, struct lsi_slot *s, UCHAR srb_status)
{
    USHORT bit = (USHORT)(1u << s->target);

    s->negotiates = FALSE;
    ad->nego_busy &= (USHORT)~bit;
    if (srb_status != SRB_STATUS_SELECTION_TIMEOUT)
        ad->nego_due &= (USHORT)~bit;
}

/* cdb: 16 bytes (the SRB's Cdb is), len of them sent. */
static void lsi_set_cdb(struct lsi_adapter *ad, ULONG idx, const UCHAR *cdb, ULONG len)
{
    struct lsi_ccb *c = ccb_of(ad, idx);

    __builtin_memcpy(c->cdb, cdb, sizeof(c->cdb));      /* four stores, inline */
    c->cmd.count = len;
    c->status = LSI_STATUS_NONE;
    c->overrun = 0;
}

/* Append one physically contiguous run to tbl[]; FALSE if there is no room. */
static BOOLEAN sg_add(struct lsi_tbl *tbl, ULONG *n, ULONG pa, ULONG len)
{
    struct lsi_tbl *last = *n ? &tbl[*n - 1] : 0;

    if (last && last->addr + last->count == pa && last->count + len <= SCR_COUNT_MASK) {
        last->count += len;
        return TRUE;
    }
    if (*n == LSI_MAX_SG)
        return FALSE;
    tbl[*n].addr = pa;
    tbl[*n].count = len;
    (*n)++;
    return TRUE;
}

/*
 * Describe va..va+len (len > 0) as table-indirect moves, one per
 * physically contiguous run, in the last entries of cell idx, and point
 * the cell's resume address at the first of them.  SRB_STATUS_SUCCESS, or
 * why not.
 */
static UCHAR __attribute__((noinline, cold)) lsi_map_sg(struct lsi_adapter *ad,
                                                        PSCSI_REQUEST_BLOCK srb, ULONG idx,
                                                        PUCHAR va, ULONG len, BOOLEAN in)
{
    struct lsi_tbl tbl[LSI_MAX_SG];
    ULONG n = 0, first;

    while (len) {
        ULONG run = 0;
        SCSI_PHYSICAL_ADDRESS pa = ScsiPortGetPhysicalAddress(ad, srb, va, &run);
        if (!run || pa.HighPart) {
            ScsiDebugPrint(0, "lsi%lu: %u:%u: buffer %p has no 32-bit physical address\n",
                           ad->index, srb->TargetId, srb->Lun, va);
            return SRB_STATUS_INVALID_REQUEST;
        }
        run = run < len ? run : len;
        if (run > SCR_COUNT_MASK)
            run = SCR_COUNT_MASK & ~3u;
        if (!sg_add(tbl, &n, pa.LowPart, run)) {
            ScsiDebugPrint(0, "lsi%lu: %u:%u: buffer %p+%lu needs more than %u S/G entries\n",
                           ad->index, srb->TargetId, srb->Lun, srb->DataBuffer,
                           srb->DataTransferLength, LSI_MAX_SG);
            return SRB_STATUS_INVALID_REQUEST;
        }
        va += run;
        len -= run;
    }
    first = LSI_MAX_SG - n;
    for (ULONG i = 0; i < n; i++)
        *sg_entry(ad, idx, first + i) = tbl[i];
    ccb_of(ad, idx)->resume = ad->label[in ? LSI_L_DATAIN : LSI_L_DATAOUT] + 8 * first;
    return SRB_STATUS_SUCCESS;
}

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
    lsi_set_msgout(c, lsi_identify(lun, flags), tag_msg, tag);
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

/* Finish with srb: the port gets it back; the untagged cell frees NextRequest. */
static void lsi_finish(struct lsi_adapter *ad, ULONG idx, PSCSI_REQUEST_BLOCK srb)
{
    if (ad->slot[idx].negotiates)
        lsi_nego_end(ad, &ad->slot[idx], srb->SrbStatus);
    ad->slot[idx].state = SLOT_FREE;
    ccb_of(ad, idx)->resume = ad->label[LSI_L_BAD_RESEL];
    ScsiPortNotification(RequestComplete, ad, srb);
    if (idx == LSI_UNTAGGED_CELL) {
        ad->untagged_busy = FALSE;
        ScsiPortNotification(NextRequest, ad);
    }
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
 * The block of data moves (LSI_L_DATAOUT or LSI_L_DATAIN) that SCRIPTS
 * address addr falls in, and the S/G entry its move uses; 0 if neither.
 */
static enum lsi_label lsi_data_block(struct lsi_adapter *ad, ULONG addr, ULONG *entry)
{
    _Static_assert(LSI_L_DATAIN == LSI_L_DATAOUT + 1, "the two blocks' labels in a row");

    for (enum lsi_label b = LSI_L_DATAOUT; b <= LSI_L_DATAIN; b++) {
        if (addr - ad->label[b] < 8 * LSI_MAX_SG) {
            *entry = (addr - ad->label[b]) / 8;
            return b;
        }
    }
    return 0;
}

/* Bytes of cell idx's buffer the data phase did not reach (none once at OVERRUN). */
static ULONG lsi_residual(struct lsi_adapter *ad, ULONG idx)
{
    ULONG first, sum = 0;

    if (!lsi_data_block(ad, ccb_of(ad, idx)->resume, &first))
        return 0;
    for (ULONG i = first; i < LSI_MAX_SG; i++)
        sum += sg_entry(ad, idx, i)->count & SCR_COUNT_MASK;
    return sum;
}

/* CHECK CONDITION: reuse the cell for REQUEST SENSE.  FALSE if there is no autosense. */
static BOOLEAN lsi_sense_start(struct lsi_adapter *ad, ULONG idx, PSCSI_REQUEST_BLOCK srb)
{
    UCHAR cdb[16] = { SCSIOP_REQUEST_SENSE, 0, 0, 0, srb->SenseInfoBufferLength, 0 };

    if ((srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE) || !srb->SenseInfoBuffer ||
        !srb->SenseInfoBufferLength)
        return FALSE;
    lsi_set_msgout(ccb_of(ad, idx), lsi_identify(srb->Lun, srb->SrbFlags),
                   SCSIMESS_HEAD_OF_QUEUE_TAG, srb->QueueTag);
    lsi_set_cdb(ad, idx, cdb, 6);
    if (lsi_map_sg(ad, srb, idx, srb->SenseInfoBuffer, srb->SenseInfoBufferLength, TRUE) !=
        SRB_STATUS_SUCCESS)
        return FALSE;
    ad->slot[idx].state = SLOT_SENSE;
    ad->slot[idx].check_status = SCSISTAT_CHECK_CONDITION;
    ad->slot[idx].moved = FALSE;
    ad->slot[idx].nego = NEGO_NONE;
    lsi_start_cell(ad, idx);
    return TRUE;
}

static void lsi_command_done(struct lsi_adapter *ad, ULONG idx, PSCSI_REQUEST_BLOCK srb)
{
    struct lsi_ccb *c = ccb_of(ad, idx);
    ULONG resid = lsi_residual(ad, idx);
    UCHAR status = c->status;

    srb->ScsiStatus = status == LSI_STATUS_NONE ? SCSISTAT_GOOD : status;
    srb->DataTransferLength -= resid < srb->DataTransferLength ? resid : srb->DataTransferLength;
    if (status == SCSISTAT_GOOD)
        srb->SrbStatus = resid || c->overrun ? SRB_STATUS_DATA_OVERRUN : SRB_STATUS_SUCCESS;
    else if (status == SCSISTAT_CHECK_CONDITION && lsi_sense_start(ad, idx, srb))
        return;
    else if (status == LSI_STATUS_NONE)
        srb->SrbStatus = SRB_STATUS_PHASE_SEQUENCE_FAILURE;
    else
        srb->SrbStatus = SRB_STATUS_ERROR;
    lsi_finish(ad, idx, srb);
}

static void lsi_sense_done(struct lsi_adapter *ad, ULONG idx, PSCSI_REQUEST_BLOCK srb)
{
    ULONG resid = lsi_residual(ad, idx);

    srb->ScsiStatus = ad->slot[idx].check_status;
    srb->SrbStatus = SRB_STATUS_ERROR;
    if (ccb_of(ad, idx)->status == SCSISTAT_GOOD && resid < srb->SenseInfoBufferLength) {
        srb->SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
        srb->SenseInfoBufferLength -= (UCHAR)resid;
    }
    lsi_finish(ad, idx, srb);
}

/*
 * The request behind a cell.  The port completes a request only when we
 * do, or after HwResetBus, which frees every cell: a cell's SRB pointer
 * stays good while the cell is in use.
 */
static PSCSI_REQUEST_BLOCK lsi_srb_of(struct lsi_adapter *ad, ULONG idx)
{
    return ad->slot[idx].state == SLOT_FREE ? 0 : ad->slot[idx].srb;
}

static void __attribute__((noinline, cold)) lsi_cell_done_slow(struct lsi_adapter *ad, ULONG idx)
{
    PSCSI_REQUEST_BLOCK srb;

    if (ad->slot[idx].state == SLOT_FREE) {
        ScsiDebugPrint(0, "lsi%lu: SCRIPTS finished cell %lu, which has no request; ignored\n",
                       ad->index, idx);
        return;
    }
    srb = ad->slot[idx].srb;
    if (ad->slot[idx].state == SLOT_SENSE)
        lsi_sense_done(ad, idx, srb);
    else
        lsi_command_done(ad, idx, srb);
}

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

/* Complete cell idx's request with status (an error the chip reported). */
static void lsi_fail_cell(struct lsi_adapter *ad, ULONG idx, UCHAR status)
{
    PSCSI_REQUEST_BLOCK srb = idx ? lsi_srb_of(ad, idx) : 0;

    if (!srb)
        return;
    if (ad->slot[idx].state == SLOT_SENSE)
        status = SRB_STATUS_ERROR;          /* the command failed; its sense did not come */
    srb->SrbStatus = status;
    srb->ScsiStatus = ad->slot[idx].state == SLOT_SENSE ? ad->slot[idx].check_status : 0;
    srb->DataTransferLength = 0;
    lsi_finish(ad, idx, srb);
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

/* ---- SCRIPTS stopped: errors and the unusual ---------------------------------------- */

/* Log err (with code) against cell idx's request, if it has one, and complete it with status. */
static void lsi_log_fail(struct lsi_adapter *ad, ULONG idx, ULONG err, ULONG code, UCHAR status)
{
    struct lsi_slot *s = &ad->slot[idx];
    PSCSI_REQUEST_BLOCK srb = idx ? lsi_srb_of(ad, idx) : 0;

    ScsiPortLogError(ad, srb, 0, srb ? s->target : 0, srb ? s->lun : 0, err, code);
    lsi_fail_cell(ad, idx, status);
}

/* Log a protocol error against cell idx, fail its request, reset the bus. */
static void lsi_protocol_error(struct lsi_adapter *ad, ULONG idx, const char *what, ULONG code,
                               ULONG err)
{
    ScsiDebugPrint(0, "lsi%lu: %s (0x%lx)\n", ad->index, what, code);
    lsi_log_fail(ad, idx, err, code, SRB_STATUS_PHASE_SEQUENCE_FAILURE);
    lsi_reset_all(ad, 0);
}

/* A data move stopped early: point the cell at what is left of it. */
static void lsi_data_mismatch(struct lsi_adapter *ad, ULONG idx, enum lsi_label block, ULONG j,
                              ULONG left)
{
    struct lsi_tbl *e = sg_entry(ad, idx, j);

    if (left > e->count)
        left = e->count;
    e->addr += e->count - left;
    e->count = left;
    ccb_of(ad, idx)->resume = ad->label[block] + 8 * (left ? j : j + 1);
    ad->slot[idx].moved = TRUE;
}

/* Empty the DMA and SCSI FIFOs of what a stopped transfer left. */
static void lsi_clear_fifos(struct lsi_adapter *ad)
{
    lsi_wr(ad, CTEST3, CTEST3_CLF);
    lsi_wr(ad, STEST3, STEST3_TE | STEST3_CSF);
}

/* Data out stopped early: bytes fetched but still in the chip go back to the count. */
static ULONG lsi_out_fifo_bytes(struct lsi_adapter *ad, ULONG dbc)
{
    ULONG n = 0;
    UCHAR sstat0;

    if (!(lsi_rd(ad, DSTAT) & DSTAT_DFE))
        n = (lsi_rd(ad, DFIFO) - (dbc & DFIFO_BO_MASK)) & DFIFO_BO_MASK;
    sstat0 = lsi_rd(ad, SSTAT0);
    n += !!(sstat0 & SSTAT0_OLF) + !!(sstat0 & SSTAT0_ORF);
    lsi_clear_fifos(ad);                        /* drop them */
    return n;
}

/* The request with a cell that is out; 0 if there is not exactly one. */
static ULONG lsi_lone_request(struct lsi_adapter *ad)
{
    ULONG found = 0, count = 0;

    for (ULONG i = 1; i < LSI_CELLS; i++) {
        if (ad->slot[i].state != SLOT_FREE) {
            found = i;
            count++;
        }
    }
    return count == 1 ? found : 0;
}

/*
 * A phase mismatch while waiting for reselection, or on its IDENTIFY or
 * tag message.  QEMU's model (hw/scsi/lsi53c895a.c, lsi_command_complete)
 * gets here when a disconnected command fails before it reconnects: it
 * presents STATUS without reselecting.  With one request out, the status
 * can only be its own; anything else is a protocol error.
 */
static void lsi_resel_mismatch(struct lsi_adapter *ad, UCHAR phase)
{
    ULONG idx = lsi_lone_request(ad);

    if (phase != PHASE_STATUS) {
        lsi_protocol_error(ad, 0, "reselection without IDENTIFY and queue tag", phase,
                           SP_INVALID_RESELECTION);
        return;
    }
    ad->srst_unsafe = TRUE;                     /* that command stays queued in QEMU */
    if (!idx) {
        lsi_protocol_error(ad, 0, "status without reselection, with several requests out",
                           phase, SP_INVALID_RESELECTION);
        return;
    }
    lsi_wr32(ad, DSA, ccb_pa(ad, idx));
    lsi_resume(ad, LSI_L_STATUS);
}

/*
 * SIST0.MA: SCRIPTS stopped on a block move whose phase is not the bus's
 * (or, see above, in WAIT RESELECT).  A data move that stopped early moves
 * the cell's data pointer; every other case goes on at DISPATCH.
 */
static void lsi_phase_mismatch(struct lsi_adapter *ad)
{
    UCHAR dcmd = lsi_rd(ad, DCMD), phase = lsi_rd(ad, SSTAT1) & SSTAT1_PHASE;
    ULONG insn, dbc, idx, j, *l = ad->label;
    enum lsi_label block;

    ad->phase_mismatches++;
    if (dcmd == (SCR_IO | SCR_IO_WAIT_RESEL) >> 24) {
        lsi_resel_mismatch(ad, phase);
        return;
    }
    insn = lsi_rd32(ad, DSP) - 8;
    if ((dcmd & 0xC0) != SCR_BMOV >> 24) {
        lsi_protocol_error(ad, lsi_current(ad), "phase mismatch outside a block move", insn,
                           SP_PROTOCOL_ERROR);
        return;
    }
    if (insn == l[LSI_L_RESELECTED] || insn == l[LSI_L_RESEL_TAG]) {
        lsi_resel_mismatch(ad, phase);
        return;
    }
    idx = lsi_current(ad);
    if (!idx || ad->slot[idx].state == SLOT_FREE) {
        lsi_protocol_error(ad, idx, "phase mismatch with no request connected", insn,
                           SP_PROTOCOL_ERROR);
        return;
    }
    dbc = lsi_rd32(ad, DBC) & DBC_MASK;
    block = lsi_data_block(ad, insn, &j);
    if (block == LSI_L_DATAOUT)
        dbc += lsi_out_fifo_bytes(ad, dbc);
    if (block)
        lsi_data_mismatch(ad, idx, block, j, dbc);
    lsi_resume(ad, LSI_L_DISPATCH);
}

/* Selection time-out: nobody at that ID.  Normal during a scan: no log line. */
static void lsi_select_timeout(struct lsi_adapter *ad)
{
    lsi_fail_cell(ad, lsi_current(ad), SRB_STATUS_SELECTION_TIMEOUT);
    lsi_resume(ad, LSI_L_START);
}

static void lsi_unexpected_disconnect(struct lsi_adapter *ad)
{
    ULONG idx = lsi_current(ad);
    struct lsi_slot *s = &ad->slot[idx];

    ScsiDebugPrint(0, "lsi%lu: %u:%u: unexpected disconnect\n", ad->index, s->target, s->lun);
    lsi_log_fail(ad, idx, SP_UNEXPECTED_DISCONNECT, lsi_rd32(ad, DSP),
                 SRB_STATUS_UNEXPECTED_BUS_FREE);
    lsi_clear_fifos(ad);
    lsi_resume(ad, LSI_L_START);
}

/* Answer the message in hand with the cell's message-out entry (SCRIPTS REPLY). */
static void lsi_reply(struct lsi_adapter *ad, ULONG idx, UCHAR nego, UCHAR period)
{
    struct lsi_ccb *c = ccb_of(ad, idx);

    c->msgout.count = lsi_nego_msg(c->msgout_bytes, nego, period);
    ad->slot[idx].nego = nego;
    lsi_barrier();
    lsi_resume(ad, LSI_L_REPLY);
}

/*
 * The target sent WDTR or SDTR (SCRIPTS EXTMSG; ACK still asserted on its
 * last byte).  The answer to ours is taken if it is 8-bit / offset 0 and
 * refused otherwise (SPI: a refused answer leaves the transfers narrow
 * and asynchronous); one the target starts is answered with ours.
 */
static void lsi_ext_msg(struct lsi_adapter *ad, ULONG idx)
{
    volatile UCHAR *m = lsi_cell_byte(ad, LSI_C_MSGIN);    /* 01h, length, code, values */
    BOOLEAN wdtr = m[1] == SCSIMESS_WIDE_DATA_LENGTH && m[2] == SCSIMESS_WIDE_DATA_REQUEST;
    BOOLEAN sdtr = m[1] == SCSIMESS_SYNCH_DATA_LENGTH && m[2] == SCSIMESS_SYNCHRONOUS_DATA_REQ;
    UCHAR sent = ad->slot[idx].nego, asks = sdtr ? m[4] : m[3];     /* offset / width */

    ad->slot[idx].nego = NEGO_NONE;
    if ((wdtr && sent == NEGO_WDTR) || (sdtr && sent == NEGO_SDTR))
        lsi_resume(ad, asks == 0 ? LSI_L_ACK_DISPATCH : LSI_L_REJECT);
    else if (wdtr || sdtr)
        lsi_reply(ad, idx, wdtr ? NEGO_WDTR : NEGO_SDTR, sdtr ? m[3] : 0);
    else
        lsi_resume(ad, LSI_L_REJECT);           /* an extended message we do not take */
}

/*
 * MESSAGE REJECT (ACK still asserted): fine as the answer to our WDTR (a
 * narrow target, which may still be synchronous: SDTR follows at once) or
 * SDTR (an asynchronous-only target); a protocol error otherwise.
 */
static void lsi_msg_reject(struct lsi_adapter *ad, ULONG idx)
{
    UCHAR sent = ad->slot[idx].nego;

    ad->slot[idx].nego = NEGO_NONE;
    if (sent == NEGO_WDTR)
        lsi_reply(ad, idx, NEGO_SDTR, LSI_SDTR_PERIOD);
    else if (sent == NEGO_SDTR)
        lsi_resume(ad, LSI_L_ACK_DISPATCH);
    else
        lsi_protocol_error(ad, idx, "MESSAGE REJECT of a message we need", LSI_SIR_MSG_REJECT,
                           SP_PROTOCOL_ERROR);
}

/* A SCRIPTS INT instruction (DSTAT.SIR): DSPS holds the code. */
static void lsi_script_int(struct lsi_adapter *ad)
{
    ULONG code = lsi_rd32(ad, DSPS), idx = lsi_current(ad), err = SP_PROTOCOL_ERROR;
    volatile UCHAR *msg = lsi_cell_byte(ad, LSI_C_MSGIN);
    BOOLEAN connected = idx && ad->slot[idx].state != SLOT_FREE;
    const char *what = "message in with no request connected";

    switch (code) {
    case LSI_SIR_EXT_MSG:
        if (connected) {
            lsi_ext_msg(ad, idx);
            return;
        }
        break;
    case LSI_SIR_MSG_REJECT:
        if (connected) {
            lsi_msg_reject(ad, idx);
            return;
        }
        break;
    case LSI_SIR_RESTORE_DP:
        if (connected && !ad->slot[idx].moved) {
            lsi_resume(ad, LSI_L_ACK_DISPATCH); /* nothing moved: nothing to restore */
            return;
        }
        what = "RESTORE POINTERS after a partial transfer";
        break;
    case LSI_SIR_BAD_MSG:
        ScsiDebugPrint(0, "lsi%lu: message 0x%02x not handled\n", ad->index, msg[0]);
        what = "unexpected message in";
        break;
    case LSI_SIR_BAD_RESEL:
        ScsiDebugPrint(0, "lsi%lu: reselected by ID %u with tag %u, which is not out\n",
                       ad->index, lsi_rd(ad, SSID) & SSID_ID_MASK, msg[2]);
        /* fall through */
    case LSI_SIR_NO_IDENTIFY:
    case LSI_SIR_BAD_TAG_MSG:
        what = "invalid reselection";
        err = SP_INVALID_RESELECTION;
        idx = 0;
        break;
    default:
        what = "SCSI bus phase or SCRIPTS state not handled";
        break;
    }
    lsi_protocol_error(ad, idx, what, code, err);
}

/* Parity, gross and DMA errors: log them, reset. */
static void lsi_fatal(struct lsi_adapter *ad, UCHAR dstat, UCHAR sist0, UCHAR sist1)
{
    static const char *const dstat_names[8] = { DSTAT_BITS };
    static const char *const sist0_names[8] = { SIST0_BITS };
    static const char *const sist1_names[8] = { SIST1_BITS };
    char d[48], s0[48], s1[32];
    BOOLEAN parity = (sist0 & SIST0_PAR) || (dstat & DSTAT_MDPE);

    lsi_bits(d, sizeof(d), dstat & ~DSTAT_DFE, dstat_names);
    lsi_bits(s0, sizeof(s0), sist0, sist0_names);
    lsi_bits(s1, sizeof(s1), sist1, sist1_names);
    ScsiDebugPrint(0, "lsi%lu: DSTAT %s SIST0 %s SIST1 %s at DSP 0x%lx\n", ad->index, d, s0, s1,
                   lsi_rd32(ad, DSP));
    lsi_log_fail(ad, lsi_current(ad),
                 parity ? SP_BUS_PARITY_ERROR : (dstat ? SP_INTERNAL_ADAPTER_ERROR :
                                                 SP_PROTOCOL_ERROR),
                 (ULONG)dstat << 16 | (ULONG)sist0 << 8 | sist1,
                 parity ? SRB_STATUS_PARITY_ERROR : SRB_STATUS_PHASE_SEQUENCE_FAILURE);
    lsi_reset_all(ad, 0);
}

/* SCRIPTS stopped (or a SCSI event): ISTAT showed SIP and/or DIP. */
static void __attribute__((noinline, cold)) lsi_halted(struct lsi_adapter *ad, UCHAR istat)
{
    UCHAR dstat = 0, sist0 = 0, sist1 = 0;

    if (istat & ISTAT_DIP)
        dstat = lsi_rd(ad, DSTAT);
    if (istat & ISTAT_SIP) {
        sist0 = lsi_rd(ad, SIST0);
        sist1 = lsi_rd(ad, SIST1);
    }
    if (sist0 & SIST0_RST)
        lsi_reset_all(ad, "SCSI bus reset by another initiator");
    else if ((dstat & DSTAT_ERRORS) || (sist0 & (SIST0_SGE | SIST0_PAR)) ||
             (sist1 & (SIST1_SBMC | SIST1_HTH | SIST1_GEN)))
        lsi_fatal(ad, dstat, sist0, sist1);
    else if (sist1 & SIST1_STO)
        lsi_select_timeout(ad);
    else if (sist0 & SIST0_UDC)
        lsi_unexpected_disconnect(ad);
    else if (sist0 & SIST0_MA)
        lsi_phase_mismatch(ad);
    else if (dstat & DSTAT_SIR)
        lsi_script_int(ad);
}

/* ---- the interrupt (also called from the port's wait loop when polled) --------------- */

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
