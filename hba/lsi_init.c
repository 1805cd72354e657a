/*
 * LSI53C8xx miniport, bring-up and resets: the chip table, HwFindAdapter
 * (registers, the uncached extension and the memory plan, the SCRIPTS
 * program assembled for where it landed), chip reset and set-up, the SCSI
 * bus reset, HwInitialize, HwResetBus, HwAdapterControl, DriverEntry.
 * See lsi.c for the design.
 *
 * Start-up resets the chip, not the SCSI bus: a free bus needs no reset,
 * since the first selection of each target sets its transfers async and
 * narrow again (lsi.c), and the 250 ms reset-to-selection wait is most of
 * a boot.  The bus is reset (and allowed to settle) only when it is not
 * free after the chip reset, or with the boot option lsi=reset.
 *
 * Resets: HwResetBus (and the driver's own error recovery) stops SCRIPTS
 * (ISTAT.ABRT), resets the SCSI bus, reports everything outstanding as
 * BUS_RESET, then resets the chip (ISTAT.SRST) and starts SCRIPTS again.
 * QEMU note: QEMU's model asserts on SRST that no command is queued
 * inside it, and a command that failed while disconnected (see
 * lsi_resel_mismatch) stays queued there for good - the SCSI bus reset
 * cannot take it away either, since QEMU's SCSI layer has already
 * finished it; after that happened the chip is set up again without SRST
 * (ad->srst_unsafe), and SCRIPTS restart through a WAIT RESELECT, which
 * also takes QEMU's model out of the state its abort left it in.
 */
#include "lsivar.h"

static const struct lsi_chip lsi_chips[] = {
    { LSI_PCI_53C895A, "53C895A", 16 },     /* wide: IDs 0-15 */
    { LSI_PCI_53C810, "53C810", 8 },
};

/* DeviceId strings for ScsiPortInitialize, in lsi_chips[] order. */
static char lsi_device_ids[][5] = { "0012", "0001" };

static ULONG lsi_adapters;                  /* found so far: lsi0, lsi1, ... */

/* ---- chip steps (LSI53C895A Technical Manual, chapter 5) ------------------------------- */

/* Wait until (reg & mask) == value; FALSE after timeout_ms. */
static BOOLEAN lsi_wait(struct lsi_adapter *ad, ULONG reg, UCHAR mask, UCHAR value,
                        ULONG timeout_ms)
{
    for (ULONG us = 0; us <= timeout_ms * 1000; us += LSI_POLL_US) {
        if ((lsi_rd(ad, reg) & mask) == value)
            return TRUE;
        ScsiPortStallExecution(LSI_POLL_US);
    }
    return FALSE;
}

/* ISTAT.SRST: the whole chip to its power-on state. */
static BOOLEAN lsi_chip_reset(struct lsi_adapter *ad)
{
    lsi_wr(ad, ISTAT, ISTAT_SRST);
    ScsiPortStallExecution(LSI_POLL_US);
    lsi_wr(ad, ISTAT, 0);
    return lsi_wait(ad, ISTAT, ISTAT_SRST, 0, LSI_CHIP_RESET_TIMEOUT_MS);
}

/* Registers that hold what we write: the chip is there and answering. */
static BOOLEAN lsi_regs_respond(struct lsi_adapter *ad)
{
    lsi_wr32(ad, SCRATCHA, 0x5AA5C33Cu);
    if (lsi_rd32(ad, SCRATCHA) != 0x5AA5C33Cu)
        return FALSE;
    lsi_wr32(ad, SCRATCHA, 0);
    return lsi_rd32(ad, SCRATCHA) == 0;
}

/* Read interrupt status until none is left (bounded: each read clears a layer). */
static void lsi_clear_interrupts(struct lsi_adapter *ad)
{
    lsi_wr(ad, ISTAT, ISTAT_INTF);
    for (ULONG i = 0; i < 4; i++) {
        UCHAR istat = lsi_rd(ad, ISTAT);
        if (!(istat & (ISTAT_SIP | ISTAT_DIP)))
            return;
        if (istat & ISTAT_DIP)
            lsi_rd(ad, DSTAT);
        if (istat & ISTAT_SIP) {
            lsi_rd(ad, SIST0);
            lsi_rd(ad, SIST1);
        }
        ScsiPortStallExecution(LSI_POLL_US);
    }
}

/* Initiator mode, our ID, async transfers, the interrupts we handle: register, value. */
static const UCHAR lsi_setup[][2] = {
    { DCNTL, DCNTL_COM },                       /* Read/Write instructions on; IRQ open drain */
    { DMODE, 0 },                               /* 2-transfer bursts, auto start */
    { SCNTL0, SCNTL0_ARB1 | SCNTL0_ARB0 | SCNTL0_EPC },     /* full arbitration, parity */
    { SCNTL1, 0 },
    { SCNTL3, SCNTL3_SCF_DIV2 | SCNTL3_CCF_DIV2 },          /* 40 MHz SCSI clock */
    { SCID, SCID_RRE | LSI_INITIATOR_ID },
    { RESPID0, 1u << LSI_INITIATOR_ID },
    { RESPID1, 0 },
    { SXFER, 0 },                               /* asynchronous */
    { STIME0, STIME0_SEL_204MS },
    { STEST3, STEST3_TE },
    { DIEN, DSTAT_MDPE | DSTAT_BF | DSTAT_ABRT | DSTAT_SIR | DSTAT_IID },
    { SIEN0, SIST0_MA | SIST0_SGE | SIST0_UDC | SIST0_RST | SIST0_PAR },
    { SIEN1, SIST1_STO | SIST1_SBMC },
};

static void lsi_setup_registers(struct lsi_adapter *ad)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(lsi_setup); i++)
        lsi_wr(ad, lsi_setup[i][0], lsi_setup[i][1]);
}

/* Stop SCRIPTS wherever they are (ISTAT.ABRT), bounded. */
static void lsi_abort_scripts(struct lsi_adapter *ad)
{
    lsi_wr(ad, ISTAT, ISTAT_ABRT);
    if (!lsi_wait(ad, ISTAT, ISTAT_DIP, ISTAT_DIP, LSI_ABORT_TIMEOUT_MS))
        ScsiDebugPrint(0, "lsi%lu: SCRIPTS did not stop on ABRT\n", ad->index);
    lsi_wr(ad, ISTAT, 0);
    lsi_clear_interrupts(ad);
}

/* Assert SCSI RST/ for the reset hold time, then wait for the bus to let go of it. */
static void lsi_bus_reset(struct lsi_adapter *ad)
{
    lsi_wr(ad, SCNTL1, SCNTL1_RST);
    ScsiPortStallExecution(LSI_RESET_HOLD_US);
    lsi_wr(ad, SCNTL1, 0);
    if (!lsi_wait(ad, SSTAT0, SSTAT0_RST, 0, LSI_CHIP_RESET_TIMEOUT_MS))
        ScsiDebugPrint(0, "lsi%lu: SCSI RST/ stays asserted\n", ad->index);
    lsi_clear_interrupts(ad);
}

/* Is the SCSI bus free: neither BSY nor SEL nor RST over a few looks? */
static BOOLEAN lsi_bus_free(struct lsi_adapter *ad)
{
    for (ULONG i = 0; i < LSI_BUS_FREE_SAMPLES; i++) {
        if ((lsi_rd(ad, SBCL) & (SBCL_BSY | SBCL_SEL)) || (lsi_rd(ad, SSTAT0) & SSTAT0_RST))
            return FALSE;
        ScsiPortStallExecution(LSI_POLL_US);
    }
    return TRUE;
}

/* Set the chip up (with an SRST first if asked). */
BOOLEAN lsi_chip_start(struct lsi_adapter *ad, BOOLEAN chip_reset)
{
    if (chip_reset && !lsi_chip_reset(ad)) {
        ScsiDebugPrint(0, "lsi%lu: chip reset does not complete\n", ad->index);
        return FALSE;
    }
    if (!lsi_regs_respond(ad)) {
        ScsiDebugPrint(0, "lsi%lu: registers do not respond\n", ad->index);
        return FALSE;
    }
    lsi_setup_registers(ad);
    lsi_clear_interrupts(ad);
    return TRUE;
}

/* Empty rings, idle cells: after start-up and after a reset. */
static void lsi_rings_reset(struct lsi_adapter *ad)
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

/*
 * Start SCRIPTS with empty rings: at RESTART, a WAIT RESELECT that the
 * SIGP after it ends, on to INIT.  Whatever an abort left QEMU's model
 * waiting for (a reselection, a DMA), the DSP write runs one instruction
 * there and the WAIT RESELECT puts it in the state the SIGP wakes.  A bus
 * that still shows REQ (no target may, after a reset; QEMU's model, reset
 * without SRST, may still present a status or messages from before) is
 * emptied first (FLUSH), so that nothing stale reaches the next request.
 */
static void lsi_scripts_go(struct lsi_adapter *ad)
{
    BOOLEAN stale = (lsi_rd(ad, SBCL) & SBCL_REQ) != 0;

    lsi_rings_reset(ad);
    ad->ready = TRUE;
    lsi_wr32(ad, DSP, ad->label[stale ? LSI_L_RESTART_FLUSH : LSI_L_RESTART]);
    lsi_wr(ad, ISTAT, ISTAT_SIGP);
}

/* Chip set up again and SCRIPTS started, after a reset or a stop. */
static void lsi_restart(struct lsi_adapter *ad)
{
    if (lsi_chip_start(ad, !ad->srst_unsafe))
        lsi_scripts_go(ad);
}

/*
 * Everything outstanding ends: SCRIPTS stopped, the SCSI bus reset (the
 * targets drop their commands), the port told, SCRIPTS restarted.
 */
void lsi_reset_all(struct lsi_adapter *ad, const char *why)
{
    ad->resets++;
    if (why)
        ScsiDebugPrint(0, "lsi%lu: %s; resetting the SCSI bus\n", ad->index, why);
    ad->ready = FALSE;
    lsi_abort_scripts(ad);
    lsi_bus_reset(ad);
    ScsiPortCompleteRequest(ad, 0, SP_UNTAGGED, SP_UNTAGGED, SRB_STATUS_BUS_RESET);
    ScsiPortNotification(ResetDetected, ad);
    lsi_restart(ad);
    ScsiPortNotification(NextRequest, ad);
}

/* ---- ScsiPort entry points ----------------------------------------------------------- */

static BOOLEAN NTAPI LsiHwInitialize(PVOID ext)
{
    struct lsi_adapter *ad = ext;
    BOOLEAN reset;

    ad->ready = FALSE;
    if (!lsi_chip_start(ad, TRUE))
        return FALSE;
    reset = ad->force_reset || !lsi_bus_free(ad);
    if (reset) {
        lsi_bus_reset(ad);
        ScsiPortStallExecution(ad->settle_ms * 1000);   /* reset to selection */
        lsi_clear_interrupts(ad);
    }
    lsi_scripts_go(ad);
    ScsiDebugPrint(1, "lsi%lu: SCSI ID %u, %u targets, SCRIPTS at 0x%lx (%lu words), %s%s, "
                   "%lu ms settle\n", ad->index, LSI_INITIATOR_ID, ad->chip->targets,
                   ad->label[LSI_L_INIT], ad->nwords, reset ? "bus reset" : "bus free, no reset",
                   ad->force_reset ? " (lsi=reset)" : "", reset ? ad->settle_ms : 0);
    return TRUE;
}

static BOOLEAN NTAPI LsiHwResetBus(PVOID ext, ULONG PathId)
{
    (void)PathId;
    lsi_reset_all(ext, 0);
    return TRUE;
}

static void lsi_stop(struct lsi_adapter *ad)
{
    ad->ready = FALSE;
    lsi_wr(ad, DIEN, 0);
    lsi_wr(ad, SIEN0, 0);
    lsi_wr(ad, SIEN1, 0);
    lsi_abort_scripts(ad);
}

static SCSI_ADAPTER_CONTROL_STATUS NTAPI LsiHwAdapterControl(PVOID ext,
                                                             SCSI_ADAPTER_CONTROL_TYPE type,
                                                             PVOID params)
{
    struct lsi_adapter *ad = ext;
    PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = params;

    switch (type) {
    case ScsiQuerySupportedControlTypes:
        for (ULONG t = 0; t < list->MaxControlType; t++)
            list->SupportedTypeList[t] = t == ScsiQuerySupportedControlTypes ||
                                         t == ScsiStopAdapter || t == ScsiRestartAdapter;
        return ScsiAdapterControlSuccess;
    case ScsiStopAdapter:
        lsi_stop(ad);
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        lsi_restart(ad);
        return ad->ready ? ScsiAdapterControlSuccess : ScsiAdapterControlUnsuccessful;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* ---- HwFindAdapter ------------------------------------------------------------------- */

static const struct lsi_chip *lsi_identify(struct lsi_adapter *ad,
                                           PPORT_CONFIGURATION_INFORMATION cfg)
{
    USHORT id[2];

    if (ScsiPortGetBusData(ad, PCIConfiguration, cfg->SystemIoBusNumber, cfg->SlotNumber, id,
                           sizeof(id)) != sizeof(id) || id[0] != LSI_PCI_VENDOR)
        return 0;
    for (ULONG i = 0; i < RTL_NUMBER_OF(lsi_chips); i++)
        if (lsi_chips[i].device_id == id[1])
            return &lsi_chips[i];
    return 0;
}

/* The register BAR: the first memory range (BAR1); BAR0 is the same in I/O space. */
static BOOLEAN lsi_map_registers(struct lsi_adapter *ad, PPORT_CONFIGURATION_INFORMATION cfg)
{
    for (ULONG i = 0; i < cfg->NumberOfAccessRanges; i++) {
        ACCESS_RANGE *r = &(*cfg->AccessRanges)[i];
        if (!r->RangeInMemory || r->RangeLength < LSI_REG_SPAN)
            continue;
        if (!ScsiPortValidateRange(ad, cfg->AdapterInterfaceType, cfg->SystemIoBusNumber,
                                   r->RangeStart, r->RangeLength, FALSE))
            return FALSE;
        ad->regs = ScsiPortGetDeviceBase(ad, cfg->AdapterInterfaceType, cfg->SystemIoBusNumber,
                                         r->RangeStart, r->RangeLength, FALSE);
        return ad->regs != 0;
    }
    return FALSE;
}

/* Does the comma-separated word at p start with key?  Then the rest of it, else 0. */
static PCHAR lsi_arg_word(PCHAR p, const char *key)
{
    while (*key && *p == *key) {
        p++;
        key++;
    }
    return *key ? 0 : p;
}

/* A word of the argument string it does not take: said once, ignored. */
static void lsi_bad_arg(PCHAR word)
{
    char w[24];
    ULONG n = 0;

    while (word[n] && word[n] != ',' && n < sizeof(w) - 1) {
        w[n] = word[n];
        n++;
    }
    w[n] = 0;
    ScsiDebugPrint(0, "lsi: option '%s' not understood (want settle=MS or reset); ignored\n", w);
}

/*
 * The argument string (boot option lsi=...): comma-separated words,
 * "settle=N" (ms after a bus reset at start) and "reset" (reset the bus
 * at start even when it is free).  Any other word is reported and ignored.
 */
static void lsi_parse_args(struct lsi_adapter *ad, PCHAR args)
{
    ad->settle_ms = LSI_SETTLE_MS;
    ad->force_reset = FALSE;
    for (PCHAR p = args; p && *p; p++) {
        PCHAR v;
        ULONG ms = 0;
        if (p != args && p[-1] != ',')
            continue;
        if ((v = lsi_arg_word(p, "settle=")) != 0 && *v >= '0' && *v <= '9') {
            for (; *v >= '0' && *v <= '9' && ms < 100000; v++)
                ms = ms * 10 + (ULONG)(*v - '0');
            if (*v == ',' || !*v)
                ad->settle_ms = ms;
            else
                lsi_bad_arg(p);
        } else if ((v = lsi_arg_word(p, "reset")) != 0 && (*v == ',' || !*v)) {
            ad->force_reset = TRUE;
        } else if (*p != ',') {
            lsi_bad_arg(p);
        }
    }
}

static void lsi_config(struct lsi_adapter *ad, PPORT_CONFIGURATION_INFORMATION cfg)
{
    cfg->MaximumTransferLength = LSI_MAX_TRANSFER;
    cfg->NumberOfPhysicalBreaks = LSI_MAX_SG;
    cfg->AlignmentMask = 0;                     /* block moves take any byte address */
    cfg->ScatterGather = TRUE;
    cfg->Master = TRUE;
    cfg->CachesData = FALSE;
    cfg->Dma32BitAddresses = TRUE;
    cfg->NeedPhysicalAddresses = TRUE;
    cfg->TaggedQueuing = TRUE;
    cfg->MultipleRequestPerLu = TRUE;
    cfg->AutoRequestSense = TRUE;
    cfg->NumberOfBuses = 1;
    cfg->InitiatorBusId[0] = LSI_INITIATOR_ID;
    cfg->MaximumNumberOfTargets = ad->chip->targets;
    cfg->MaximumNumberOfLogicalUnits = LSI_MAX_LUNS;
    cfg->InterruptMode = LevelSensitive;
}

/*
 * The memory plan of lsi_scripts.h inside the uncached extension: the
 * arenas on the first 64 KiB boundary, the misc area in a page before or
 * after them.
 */
static BOOLEAN lsi_memory(struct lsi_adapter *ad, PPORT_CONFIGURATION_INFORMATION cfg)
{
    ULONG len = 0, gap;
    SCSI_PHYSICAL_ADDRESS pa;

    ad->ux = ScsiPortGetUncachedExtension(ad, cfg, LSI_UX_SIZE);
    if (!ad->ux)
        return FALSE;
    pa = ScsiPortGetPhysicalAddress(ad, 0, ad->ux, &len);
    if (len < LSI_UX_SIZE || pa.HighPart) {
        ScsiDebugPrint(0, "lsi%lu: uncached extension not contiguous below 4 GiB\n", ad->index);
        return FALSE;
    }
    ad->ux_pa = pa.LowPart;
    ad->arena_pa = (ad->ux_pa + LSI_ARENA_SIZE - 1) & ~(LSI_ARENA_SIZE - 1);
    gap = ad->arena_pa - ad->ux_pa;
    ad->cells = (struct lsi_ccb *)(ad->ux + gap);
    ad->misc_pa = gap >= LSI_MISC_SIZE ? ad->ux_pa : ad->arena_pa + LSI_ARENAS * LSI_ARENA_SIZE;
    ad->misc = ad->ux + (ad->misc_pa - ad->ux_pa);
    ad->startq = ad->misc + LSI_MISC_STARTQ;
    ad->doneq = ad->misc + LSI_MISC_DONEQ;
    return TRUE;
}

/* Assemble the program into the misc area for its physical address. */
static BOOLEAN lsi_assemble(struct lsi_adapter *ad)
{
    ULONG cell_pa[LSI_C_COUNT];

    for (ULONG c = 0; c < LSI_C_COUNT; c++)
        cell_pa[c] = ad->misc_pa + LSI_MISC_CELLS + c * LSI_MISC_CELL_SIZE;
    ad->nwords = lsi_script_assemble((ULONG *)(ad->misc + LSI_MISC_SCRIPT), LSI_SCRIPT_WORDS,
                                     ad->misc_pa + LSI_MISC_SCRIPT, cell_pa, ad->label);
    if (!ad->nwords)
        ScsiDebugPrint(0, "lsi%lu: SCRIPTS program does not assemble\n", ad->index);
    return ad->nwords != 0;
}

static ULONG NTAPI LsiHwFindAdapter(PVOID ext, PVOID ctx, PVOID bus, PCHAR args,
                                    PPORT_CONFIGURATION_INFORMATION cfg, PBOOLEAN again)
{
    struct lsi_adapter *ad = ext;

    (void)ctx;
    (void)bus;
    *again = TRUE;                              /* there may be more of them */
    ad->index = lsi_adapters;
    ad->chip = lsi_identify(ad, cfg);
    if (!ad->chip)
        return SP_RETURN_NOT_FOUND;
    if (!lsi_map_registers(ad, cfg)) {
        ScsiDebugPrint(0, "lsi%lu: no usable register BAR\n", ad->index);
        return SP_RETURN_ERROR;
    }
    lsi_config(ad, cfg);
    lsi_parse_args(ad, args);
    if (!lsi_memory(ad, cfg) || !lsi_assemble(ad)) {
        ScsiPortFreeDeviceBase(ad, ad->regs);
        return SP_RETURN_ERROR;
    }
    lsi_adapters++;
    ScsiDebugPrint(1, "lsi%lu: %s, registers at %p, DMA memory at 0x%lx\n", ad->index,
                   ad->chip->name, ad->regs, ad->ux_pa);
    return SP_RETURN_FOUND;
}

/* ---- registration --------------------------------------------------------------------- */

ULONG NTAPI DriverEntry(PVOID DriverObject, PVOID RegistryPath);

ULONG NTAPI DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA hw;
    ULONG status = STATUS_DEVICE_DOES_NOT_EXIST;

    memset(&hw, 0, sizeof(hw));
    hw.HwInitializationDataSize = sizeof(hw);
    hw.AdapterInterfaceType = PCIBus;
    hw.HwInitialize = LsiHwInitialize;
    hw.HwStartIo = LsiHwStartIo;
    hw.HwInterrupt = LsiHwInterrupt;
    hw.HwFindAdapter = LsiHwFindAdapter;
    hw.HwResetBus = LsiHwResetBus;
    hw.HwAdapterControl = LsiHwAdapterControl;
    hw.DeviceExtensionSize = sizeof(struct lsi_adapter);
    hw.NumberOfAccessRanges = 3;                /* I/O registers, memory registers, SCRIPTS RAM */
    hw.NeedPhysicalAddresses = TRUE;
    hw.TaggedQueuing = TRUE;
    hw.AutoRequestSense = TRUE;
    hw.MultipleRequestPerLu = TRUE;
    hw.VendorId = "1000";
    hw.VendorIdLength = 4;
    for (ULONG i = 0; i < RTL_NUMBER_OF(lsi_device_ids); i++) {
        hw.DeviceId = lsi_device_ids[i];
        hw.DeviceIdLength = 4;
        if (ScsiPortInitialize(DriverObject, RegistryPath, &hw, 0) == STATUS_SUCCESS)
            status = STATUS_SUCCESS;
    }
    return status;
}
