/*
 * LSI53C8xx miniport, off the per-I/O path (built for size; lsi.c keeps
 * what a 4 KiB read goes through): buffers of several physical runs,
 * completions other than GOOD with the whole buffer moved (residuals,
 * autosense, failures), transfer agreement messages, and everything that
 * stops SCRIPTS - phase mismatch, selection time-out, unexpected
 * disconnect, SCRIPTS INT codes, parity, gross and DMA errors.  See lsi.c
 * for the design.
 */
#include "lsivar.h"

/* ---- small helpers ------------------------------------------------------------------- */

/* "MA|UDC": the set bits of an 8-bit register by name (names: bit 7's first, space-separated). */
static void lsi_bits(char *buf, ULONG size, ULONG value, const char *names)
{
    ULONG n = 0;

    for (ULONG bit = 0x80; bit; bit >>= 1) {
        ULONG len = 0;
        while (names[len] && names[len] != ' ')
            len++;
        if ((value & bit) && n + len + 2 <= size) {
            if (n)
                buf[n++] = '|';
            memcpy(buf + n, names, len);
            n += len;
        }
        names += len + (names[len] == ' ');
    }
    if (!n)
        buf[n++] = '-';
    buf[n] = '\0';
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

/* ---- transfer agreements ------------------------------------------------------------- */

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
void lsi_nego_start(struct lsi_adapter *ad, ULONG idx)
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

/* ---- scatter/gather ------------------------------------------------------------------ */

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
UCHAR lsi_map_sg(struct lsi_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG idx, PUCHAR va, ULONG len,
                 BOOLEAN in)
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

/* ---- completion, the unusual cases ---------------------------------------------------- */

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
    lsi_set_msgout(ccb_of(ad, idx), lsi_identify_msg(srb->Lun, srb->SrbFlags),
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

void lsi_cell_done_slow(struct lsi_adapter *ad, ULONG idx)
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
    static const char *const names[3] = { DSTAT_BITS, SIST0_BITS, SIST1_BITS };
    UCHAR regs[3] = { dstat & ~DSTAT_DFE, sist0, sist1 };
    char b[3][40];
    BOOLEAN parity = (sist0 & SIST0_PAR) || (dstat & DSTAT_MDPE);

    for (ULONG i = 0; i < 3; i++)
        lsi_bits(b[i], sizeof(b[i]), regs[i], names[i]);
    ScsiDebugPrint(0, "lsi%lu: DSTAT %s SIST0 %s SIST1 %s at DSP 0x%lx\n", ad->index, b[0], b[1],
                   b[2], lsi_rd32(ad, DSP));
    lsi_log_fail(ad, lsi_current(ad),
                 parity ? SP_BUS_PARITY_ERROR : (dstat ? SP_INTERNAL_ADAPTER_ERROR :
                                                 SP_PROTOCOL_ERROR),
                 (ULONG)dstat << 16 | (ULONG)sist0 << 8 | sist1,
                 parity ? SRB_STATUS_PARITY_ERROR : SRB_STATUS_PHASE_SEQUENCE_FAILURE);
    lsi_reset_all(ad, 0);
}

/* SCRIPTS stopped (or a SCSI event): ISTAT showed SIP and/or DIP. */
void lsi_halted(struct lsi_adapter *ad, UCHAR istat)
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
