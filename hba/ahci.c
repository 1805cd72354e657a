/*
 * AHCI 1.3.1 SATA host controller: a ScsiPort miniport.  SATA disks are
 * driven through SCSI-to-ATA translation (ahci_sat.c), ATAPI drives get
 * their CDBs in PACKET commands; every transfer is bus-master DMA, disks
 * that allow it use NCQ (up to 32 commands per port).  Each port is a
 * SCSI target on path 0, LUN 0 only.
 *
 * Spec: Serial ATA AHCI 1.3.1; Serial ATA 3.x for FISes; ACS-3 for ATA
 * commands; T10 SAT-3 for the translation.
 *
 * QEMU: built into -M q35 (ich9-ahci at 00:1f.2, six ports):
 *     -drive file=d.img,format=raw,if=none,id=d0 -device ide-hd,drive=d0,bus=ide.2
 * or on -M pc: -device ahci,id=ahci0 -device ide-hd,drive=d0,bus=ahci0.0
 *
 * Files: ahcireg.h, atareg.h (hardware facts); ahcivar.h (driver state,
 * DMA memory plan); this file: the per-request path (register helpers,
 * building and issuing commands, completion, HwInterrupt, HwStartIo),
 * compiled for speed; ahci_port.c: the rest of the run-time driver, for
 * size (port steps - stop, start, COMRESET, restart -, synchronous
 * commands, errors, resets and hot-plug, other SRB functions);
 * ahci_init.c: handoff, HBA reset, ports brought up in parallel, IDENTIFY,
 * HwFindAdapter, DriverEntry; ahci_sat.c: SCSI-to-ATA translation;
 * ahci_ioctl.c: SMART.
 *
 * Execution: ScsiPort serialises every entry point against HwInterrupt,
 * so nothing here locks.  The driver's own commands (IDENTIFY, READ LOG
 * EXT, REQUEST SENSE) run synchronously, polled, with a deadline, and only
 * on a port with nothing else issued.  Every wait is bounded.
 */
#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "ntddscsi.h"
#include "ahcireg.h"
#include "atareg.h"
#include "ahci_sat.h"
#include "ahcivar.h"


/* ---- register access: the only callers of ScsiPortRead/WriteRegisterUlong ---------- */

ULONG ahci_read(struct ahci_adapter *ad, ULONG reg)
{
    return ScsiPortReadRegisterUlong((PULONG)(ad->abar + reg));
}

void ahci_write(struct ahci_adapter *ad, ULONG reg, ULONG val)
{
    ScsiPortWriteRegisterUlong((PULONG)(ad->abar + reg), val);
}

ULONG ahci_pread(struct ahci_adapter *ad, struct ahci_port *pt, ULONG reg)
{
    return ahci_read(ad, AHCI_PORT(pt->num) + reg);
}

void ahci_pwrite(struct ahci_adapter *ad, struct ahci_port *pt, ULONG reg, ULONG val)
{
    ahci_write(ad, AHCI_PORT(pt->num) + reg, val);
}

/* ---- small helpers ------------------------------------------------------------------ */

struct ahci_srbx *ahci_srbx(PSCSI_REQUEST_BLOCK srb)
{
    return srb->SrbExtension;
}

/* The index of v's lowest set bit (v != 0): one BSF. */
ULONG ahci_lowest_bit(ULONG v)
{
    return (ULONG)__builtin_ctz(v);
}

/* ---- building and issuing commands -------------------------------------------------- */

struct ahci_cmd_table *ahci_table(struct ahci_port *pt, ULONG slot)
{
    return (struct ahci_cmd_table *)pt->mem->table[slot];
}

ULONG ahci_mem_pa(struct ahci_port *pt, const void *va)
{
    return pt->mem_pa + (ULONG)((const UCHAR *)va - (const UCHAR *)pt->mem);
}

/* Does [pa, ...) continue the PRD entry e, which has room left? */
static BOOLEAN ahci_prd_extends(const struct ahci_prd *e, ULONGLONG pa)
{
    ULONG have = (e->dbc_i & AHCI_PRD_DBC_MASK) + 1;

    return have < AHCI_PRD_MAX_BYTES && ((ULONGLONG)e->dbau << 32 | e->dba) + have == pa;
}

/* Add [pa, pa+len) to the PRDT, merging with the last entry; FALSE when full. */
static BOOLEAN ahci_prd_add(struct ahci_prd *prd, ULONG *n, ULONGLONG pa, ULONG len)
{
    while (len) {
        ULONG take;

        if (*n && ahci_prd_extends(&prd[*n - 1], pa)) {
            struct ahci_prd *last = &prd[*n - 1];
            ULONG have = (last->dbc_i & AHCI_PRD_DBC_MASK) + 1;
            take = len < AHCI_PRD_MAX_BYTES - have ? len : AHCI_PRD_MAX_BYTES - have;
            last->dbc_i = have + take - 1;
        } else {
            if (*n == AHCI_PRDT_ENTRIES)
                return FALSE;
            take = len < AHCI_PRD_MAX_BYTES ? len : AHCI_PRD_MAX_BYTES;
            prd[*n].dba = (ULONG)pa;
            prd[*n].dbau = (ULONG)(pa >> 32);
            prd[*n].reserved = 0;
            prd[*n].dbc_i = take - 1;
            (*n)++;
        }
        pa += take;
        len -= take;
    }
    return TRUE;
}

/* The PRDT for [va, va+len): one ScsiPortGetPhysicalAddress per physical run. */
static ULONG ahci_prdt_build(struct ahci_adapter *ad, struct ahci_port *pt, ULONG slot,
                             PSCSI_REQUEST_BLOCK srb, PUCHAR va, ULONG len)
{
    struct ahci_prd *prd = ahci_table(pt, slot)->prdt;
    ULONG n = 0, off = 0, run;

    while (off < len) {
        SCSI_PHYSICAL_ADDRESS pa = ScsiPortGetPhysicalAddress(ad, srb, va + off, &run);
        if (!run || !pa.QuadPart || (pa.LowPart & 1) || (pa.HighPart && !ad->s64))
            return 0;
        if (run > len - off)
            run = len - off;
        if (!n && run <= AHCI_PRD_MAX_BYTES) {
            prd[0].dba = pa.LowPart;            /* the first run: one entry, nothing to merge */
            prd[0].dbau = (ULONG)pa.HighPart;
            prd[0].reserved = 0;
            prd[0].dbc_i = run - 1;
            n = 1;
        } else if (!ahci_prd_add(prd, &n, (ULONGLONG)pa.QuadPart, run)) {
            return 0;
        }
        off += run;
    }
    return n;
}

/* PRDT for the port's own DMA block (scratch, bounce, identify). */
ULONG ahci_prdt_own(struct ahci_port *pt, ULONG slot, const void *va, ULONG len)
{
    ULONG n = 0;

    ahci_prd_add(ahci_table(pt, slot)->prdt, &n, ahci_mem_pa(pt, va), len);
    return n;
}

/*
 * Command header and command table for slot; prdtl entries are already in
 * place and CTBA was set when the port was (ahci_ports_setup).  Only what
 * the HBA reads is written: the CFL DWORDs of the CFIS, the packet_len
 * bytes of ACMD for ATAPI (the CDB arrives zero-padded).
 */
inline void ahci_cmd_fill(struct ahci_port *pt, ULONG slot, const struct ata_tf *tf,
                          const UCHAR *acmd, ULONG prdtl)
{
    struct ahci_cmd_table *t = ahci_table(pt, slot);
    struct ahci_cmd_hdr *h = &pt->mem->list[slot];
    ULONG flags = sizeof(struct fis_reg_h2d) / 4;

    sat_tf_to_fis(tf, (UCHAR)slot, t->cfis);
    if (tf->flags & ATA_TF_DATA_OUT)
        flags |= AHCI_CMD_W;
    if (tf->flags & ATA_TF_ATAPI) {
        flags |= AHCI_CMD_A;
        memcpy(t->acmd, acmd, pt->packet_len);
    } else if (prdtl && !(tf->flags & ATA_TF_NCQ)) {
        flags |= AHCI_CMD_P;        /* PRDs may be prefetched: not with NCQ or ATAPI */
    }
    h->flags = (USHORT)flags;
    h->prdtl = (USHORT)prdtl;
    h->prdbc = 0;
}

/* ---- completion ---------------------------------------------------------------------- */

void ahci_complete(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, UCHAR status)
{
    srb->SrbStatus = status;
    ScsiPortNotification(RequestComplete, ad, srb);
}

/* Success, or an underrun when fewer bytes moved than the SRB asked for. */
void ahci_complete_xfer(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG moved)
{
    srb->ScsiStatus = SCSISTAT_GOOD;
    if (moved < srb->DataTransferLength) {
        srb->DataTransferLength = moved;
        ahci_complete(ad, srb, SRB_STATUS_DATA_OVERRUN);
        return;
    }
    ahci_complete(ad, srb, SRB_STATUS_SUCCESS);
}

/* A command finished without error: a read or write, most of the time. */
inline void ahci_done_ok(struct ahci_adapter *ad, struct ahci_port *pt, ULONG slot,
                         PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);

    if (x->kind == AHCI_K_ATA && !(x->flags & (AHCI_X_CK_COND | AHCI_X_BOUNCE)))
        ahci_complete_xfer(ad, srb, x->len);
    else
        ahci_done_other(ad, pt, slot, srb);
}

/* ---- issuing requests ---------------------------------------------------------------- */

static BOOLEAN ahci_srb_queued(const struct ahci_srbx *x)
{
    return (x->xl.tf.flags & ATA_TF_NCQ) && !(x->flags & AHCI_X_NONQ);
}

/* A free slot for x, or -1: NCQ only with other NCQ, anything else alone. */
static int ahci_slot_for(struct ahci_port *pt, const struct ahci_srbx *x)
{
    ULONG limit = ahci_srb_queued(x) ? pt->depth : pt->slots;
    ULONG freemask = ~pt->busy & (limit >= 32 ? 0xFFFFFFFFu : (1u << limit) - 1);

    if (ahci_srb_queued(x) ? pt->busy != pt->ncq : pt->busy != 0)
        return -1;
    return freemask ? (int)ahci_lowest_bit(freemask) : -1;
}

/*
 * Build the PRDT for x's data (x->len != 0): the SRB's buffer, or the
 * bounce buffer for odd sizes.  The entries used; 0 when the buffer cannot
 * be described.
 */
static ULONG ahci_data_prdt(struct ahci_adapter *ad, struct ahci_port *pt, ULONG slot,
                            PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);

    if (((ULONG)x->data | x->len) & 1) {
        if (x->len > AHCI_SMALL_BUF)
            return 0;
        x->flags |= AHCI_X_BOUNCE;
        memset(pt->mem->bounce, 0, AHCI_SMALL_BUF);
        if (x->xl.tf.flags & ATA_TF_DATA_OUT)
            memcpy(pt->mem->bounce, x->data, x->len);
        return ahci_prdt_own(pt, slot, pt->mem->bounce, (x->len + 1) & ~1u);
    }
    return ahci_prdt_build(ad, pt, slot, srb, x->data, x->len);
}

/* An NCQ read or write made the plain DMA command it stands for (48-bit: NCQ implies it). */
static void ahci_tf_unqueue(struct ata_tf *tf)
{
    tf->command = tf->command == ATA_CMD_WRITE_FPDMA_QUEUED ? ATA_CMD_WRITE_DMA_EXT :
                                                              ATA_CMD_READ_DMA_EXT;
    tf->count = (USHORT)(tf->features | tf->features_exp << 8);
    tf->features = tf->features_exp = 0;
    tf->device = ATA_DEV_LBA;
    tf->flags &= ~ATA_TF_NCQ;
}

/*
 * Put srb in slot and issue it.  A command that would be queued goes as
 * plain DMA when the port runs at depth 1 (alone: nothing issued, nothing
 * waiting; and the command before it found the port idle too, see
 * ahci_submit): the same work for the disk, but no PxSACT write.
 * At depth 2 or more commands stay queued, so none waits behind a plain
 * one.  A FUA write stays queued: the disk may have FUA only in FPDMA
 * WRITE (sat_disk_init).
 */
static void ahci_issue(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb,
                       ULONG slot, BOOLEAN alone)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    struct ata_tf *tf = &x->xl.tf;
    ULONG prdtl = 0, bit = 1u << slot;

    if (x->len && (prdtl = ahci_data_prdt(ad, pt, slot, srb)) == 0) {
        ScsiDebugPrint(0, "ahci%u: port %u: buffer %p+%lu cannot be described by %u PRD "
                       "entries of even length; refused\n", ad->index, pt->num, x->data,
                       x->len, AHCI_PRDT_ENTRIES);
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    /* A replay the NCQ log could not place, or a lone command: plain DMA from now on. */
    if ((tf->flags & ATA_TF_NCQ) &&
        ((x->flags & AHCI_X_NONQ) || (alone && pt->lone_run >= 2 && !(tf->device & ATA_DEV_FUA))))
        ahci_tf_unqueue(tf);
    ahci_cmd_fill(pt, slot, tf, srb->Cdb, prdtl);
    pt->slot[slot] = srb;
    pt->busy |= bit;
    if (tf->flags & ATA_TF_NCQ) {
        pt->ncq |= bit;
        ahci_pwrite(ad, pt, PX_SACT, bit);
    }
    ahci_pwrite(ad, pt, PX_CI, bit);
}

/* Issue what waits, in order, as far as the queue rules allow. */
static void ahci_port_kick(struct ahci_adapter *ad, struct ahci_port *pt)
{
    PSCSI_REQUEST_BLOCK srb;

    while ((srb = pt->wait_head) != NULL) {
        struct ahci_srbx *x = ahci_srbx(srb);
        int slot = ahci_slot_for(pt, x);
        if (slot < 0)
            break;
        pt->wait_head = x->next;
        if (!pt->wait_head)
            pt->wait_tail = NULL;
        ahci_issue(ad, pt, srb, (ULONG)slot, !pt->busy && !pt->wait_head);
    }
}

void ahci_submit(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    int slot;

    /* An idle port takes anything in slot 0; two in a row: the port runs at depth 1. */
    if (!pt->busy && !pt->wait_head) {
        if (pt->lone_run < 2)
            pt->lone_run++;
        ahci_issue(ad, pt, srb, 0, TRUE);
        return;
    }
    pt->lone_run = 0;
    if (!pt->wait_head && (slot = ahci_slot_for(pt, x)) >= 0) {
        ahci_issue(ad, pt, srb, (ULONG)slot, !pt->busy);    /* nothing waits: no queueing */
        return;
    }
    x->next = NULL;
    if (pt->wait_tail)
        ahci_srbx(pt->wait_tail)->next = srb;
    else
        pt->wait_head = srb;
    pt->wait_tail = srb;
    ahci_port_kick(ad, pt);
}

/* ---- interrupts ------------------------------------------------------------------------ */

/*
 * The slots whose commands have finished, with as few register reads as
 * the state allows.  Queued and non-queued commands never mix on a port:
 * with NCQ commands out, a finished one has its PxSACT bit cleared; a
 * non-queued command is out alone, and a D2H Register FIS with BSY and DRQ
 * clear (PxIS.DHRS: it is in memory) ends it - the HBA clears its PxCI bit
 * on that FIS, before the interrupt (AHCI 1.3.1 5.3.7).  Anything else (a
 * PIO command; a FIS that came with an error or a link event, such as a
 * reset's signature) asks PxCI.
 */
static ULONG ahci_port_finished(struct ahci_adapter *ad, struct ahci_port *pt, ULONG pis)
{
    /*
     * PxCI (PxSACT for NCQ) is the only proof a slot is done: a D2H FIS
     * bit and a clean FIS in memory can be left over from the previous
     * command in that slot, and trusting them once acknowledged a write the
     * device then failed (found by make soak).
     */
    (void)pis;
    if (pt->ncq)
        return pt->busy & ~ahci_pread(ad, pt, PX_SACT);
    return pt->busy & ~ahci_pread(ad, pt, PX_CI);
}

static void ahci_port_done(struct ahci_adapter *ad, struct ahci_port *pt, ULONG pis)
{
    ULONG done = ahci_port_finished(ad, pt, pis);

    while (done) {
        ULONG s = ahci_lowest_bit(done);
        PSCSI_REQUEST_BLOCK srb = pt->slot[s];
        done &= ~(1u << s);
        pt->slot[s] = NULL;
        pt->busy &= ~(1u << s);
        pt->ncq &= ~(1u << s);
        ahci_done_ok(ad, pt, s, srb);
    }
}

/*
 * An NCQ error shows as a Set Device Bits FIS with ERR; some HBAs (QEMU)
 * raise no TFES for it.  The FIS is in memory: no PxTFD read on the way.
 */
static BOOLEAN ahci_ncq_failed(const struct ahci_port *pt, ULONG pis)
{
    return pt->ncq && (pis & PX_IS_SDBS) && (pt->mem->rfis.sdbfis.status & ATA_STS_ERR);
}

/*
 * The task file a failed command ended with.  A non-queued command's own
 * D2H Register FIS is in memory when PxIS.DHRS came with the error, and it
 * is the one to believe: PxTFD may already hold a later FIS (QEMU goes on
 * finishing the queued commands of before a port restart, and their Set
 * Device Bits FISes overwrite it).  Otherwise (NCQ, a link error) PxTFD.
 */
static ULONG ahci_error_tfd(struct ahci_adapter *ad, struct ahci_port *pt, ULONG pis)
{
    const struct fis_reg_d2h *f = &pt->mem->rfis.rfis;

    if (!pt->ncq && (pis & PX_IS_DHRS))
        return (ULONG)f->error << 8 | f->status;
    return ahci_pread(ad, pt, PX_TFD);
}

/* One port's interrupt: pis (its PxIS) cleared; completions, errors, hot-plug. */
static void ahci_port_intr(struct ahci_adapter *ad, struct ahci_port *pt, ULONG pis)
{
    ahci_pwrite(ad, pt, PX_IS, pis);
    if (pis & (PX_IS_PCS | PX_IS_PRCS))
        ahci_port_hotplug(ad, pt);
    if (pis & (PX_IS_INFS | PX_IS_UFS))
        ahci_pwrite(ad, pt, PX_SERR, PX_SERR_ALL);  /* recovered by the HBA */
    if (pt->busy) {
        if ((pis & (PX_IS_FATAL | PX_IS_OFS)) || ahci_ncq_failed(pt, pis))
            ahci_port_error(ad, pt, pis, ahci_error_tfd(ad, pt, pis));
        else
            ahci_port_done(ad, pt, pis);
    }
    if (pt->wait_head)
        ahci_port_kick(ad, pt);
}

/*
 * INTx (shared), MSI or polled: the same answer; FALSE when nothing is
 * ours.  IS only names the ports to look at (a single MSI can stand for
 * events on several), so when one port alone is armed (ad->armed, a
 * superset of the ports whose PxIE is non-zero) that port's PxIS is read
 * instead: only it can raise an interrupt, and PxCI / PxSACT stay the proof
 * of completion either way.  Where IS is live (QEMU) it is then exactly
 * that port's bit, so a PxIS with no enabled bit set means not ours.  Where
 * IS is a latch the port's bit is written back after PxIS, as before, and
 * an interrupt PxIS does not explain falls through to IS, so a stray
 * latched bit is still found and cleared.
 *
 * Races: ScsiPort serialises this against every other entry point, so the
 * mask cannot change under it, and ahci_port_arm sets a port's mask bit
 * before its PxIE and clears it after; a port armed during a reset or a
 * hot-plug bring-up (its IDENTIFY polled with PxIE already on) therefore
 * makes two bits and the IS path below from that instant.  An interrupt
 * that port raised just before it was disarmed is cleared with it
 * (ahci_port_clear_is), so it cannot be left for the single-port path to
 * miss.
 */
BOOLEAN NTAPI AhciHwInterrupt(PVOID ext)
{
    struct ahci_adapter *ad = ext;
    ULONG armed = ad->armed, is;

    if (armed && !(armed & (armed - 1))) {
        struct ahci_port *pt = &ad->port[ahci_lowest_bit(armed)];
        ULONG pis = ahci_pread(ad, pt, PX_IS);
        if ((pis & pt->ie) && pis != 0xFFFFFFFFu) {
            ahci_port_intr(ad, pt, pis);
            if (ad->is_mode != AHCI_IS_LIVE)
                ahci_write(ad, AHCI_IS, armed);
            return TRUE;
        }
        if (ad->is_mode == AHCI_IS_LIVE)
            return FALSE;
    }
    is = ahci_read(ad, AHCI_IS);
    if (!is || is == 0xFFFFFFFFu)
        return FALSE;
    for (ULONG pending = is & ad->pi; pending;) {
        ULONG p = ahci_lowest_bit(pending);
        pending &= ~(1u << p);
        ahci_port_intr(ad, &ad->port[p], ahci_pread(ad, &ad->port[p], PX_IS));
    }
    if (ad->is_mode != AHCI_IS_LIVE)
        ahci_write(ad, AHCI_IS, is);
    return TRUE;
}

/* ---- the request path ------------------------------------------------------------------ */

/*
 * A SCSI command to an ATA disk: READ/WRITE(10/16) straight to a task file
 * (sat_rw_fast), everything else through the translator.
 */
static void ahci_scsi_ata(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    struct sat_xlat *xl = &x->xl;

    x->kind = AHCI_K_ATA;
    x->data = srb->DataBuffer;
    if (sat_rw_fast(&pt->sat, srb->Cdb, srb->CdbLength, srb->DataTransferLength, &xl->tf)) {
        x->len = xl->tf.bytes;
        ahci_submit(ad, pt, srb);
        return;
    }
    sat_translate(&pt->sat, srb->Cdb, srb->CdbLength, srb->DataTransferLength, ad->reply, xl);
    switch (xl->kind) {
    case SAT_REPLY:
        ahci_reply(ad, srb, xl->reply_len);
        return;
    case SAT_CHECK:
        ahci_complete_check(ad, srb, &xl->sense);
        return;
    case SAT_ATA:
        break;
    }
    x->len = xl->tf.bytes;
    x->flags = (UCHAR)((xl->passthru ? AHCI_X_PASSTHRU : 0) | (xl->ck_cond ? AHCI_X_CK_COND : 0) |
                       (xl->extend ? AHCI_X_EXTEND : 0));
    ahci_submit(ad, pt, srb);
}

/* The port an SRB addresses, or NULL when no device answers there. */
struct ahci_port *ahci_target(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    if (srb->PathId != 0 || srb->TargetId >= AHCI_MAX_PORTS)
        return NULL;
    if (ad->port[srb->TargetId].dev == AHCI_DEV_NONE)
        return NULL;
    return &ad->port[srb->TargetId];
}

/* A SCSI command to a device that answers: its path sets every field of x it reads. */
static void ahci_execute_scsi(struct ahci_adapter *ad, struct ahci_port *pt,
                              PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_srbx *x = ahci_srbx(srb);

    x->flags = 0;
    x->retries = 0;
    if (pt->dev == AHCI_DEV_ATAPI)
        ahci_scsi_atapi(ad, pt, srb);
    else
        ahci_scsi_ata(ad, pt, srb);
}

/*
 * A SCSI command to a device first: the per-request path.  Held requests
 * wait in the driver's own queue, so the LU is ready for more at once.
 */
BOOLEAN NTAPI AhciHwStartIo(PVOID ext, PSCSI_REQUEST_BLOCK srb)
{
    struct ahci_adapter *ad = ext;
    struct ahci_port *pt = NULL;

    if (srb->Function == SRB_FUNCTION_EXECUTE_SCSI && srb->Lun == 0)
        pt = ahci_target(ad, srb);
    if (pt) {
        ahci_execute_scsi(ad, pt, srb);
        ScsiPortNotification(NextLuRequest, ad, 0, pt->num, 0);
        return TRUE;
    }
    ahci_start_other(ad, srb);
    ScsiPortNotification(NextRequest, ad);
    return TRUE;
}
