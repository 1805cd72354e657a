/*
 * AHCI miniport bring-up: BIOS/OS handoff, HBA reset, the ports brought up
 * together (one deadline per phase, so an empty or slow port delays no
 * other), IDENTIFY, the uncached DMA memory, PCI discovery (the miniport
 * scans every bus for class 01/06/01 itself), HwInitialize,
 * HwAdapterControl and DriverEntry.  The request path is in ahci.c.
 *
 * Spec: AHCI 1.3.1 sections 10.1 (initialisation), 10.4 (resets), 10.6.3
 * (BIOS/OS handoff).
 */
#include "miniport.h"
#include "srb.h"
#include "scsi.h"
#include "ahcireg.h"
#include "atareg.h"
#include "ahci_sat.h"
#include "ahcivar.h"

/* Chip quirks: consulted once per controller; logic tests the flags, never the IDs. */
static const struct ahci_quirk {
    USHORT vendor, device;
    ULONG flags;
} ahci_quirks[] = {
    { 0x8086, 0x2922, 0 },                          /* Intel ICH9 6-port (QEMU's): none */
    { 0x1106, 0x3349, AHCI_Q_NO_NCQ },              /* VIA VT8251 */
    { 0x1002, 0x4380, AHCI_Q_32BIT_ONLY },          /* ATI SB600 */
    { 0x1B4B, 0x9170, AHCI_Q_NO_NCQ },              /* Marvell 88SE9170 */
};

static struct ahci_find {
    ULONG bus;                      /* bus the cursor is on */
    ULONG slot;                     /* next device * 8 + function to look at */
    UCHAR found;                    /* controllers attached so far */
} ahci_find_ctx;

/* ---- bring-up: all ports in step, one deadline per phase (10.1, 10.4) -------------- */

/* Stop every port's engines (after HBA reset they already are), then program them. */
static void ahci_ports_setup(struct ahci_adapter *ad, ULONG mask)
{
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        struct ahci_port *pt = &ad->port[p];
        if (!(mask & (1u << p)))
            continue;
        if (!ahci_port_stop(ad, pt) || !ahci_port_stop_fis(ad, pt))
            ahci_log(ad, pt, "engines do not stop", ahci_pread(ad, pt, PX_CMD), 0);
        memset(pt->mem->list, 0, sizeof(pt->mem->list));   /* all 32 headers */
        ahci_cmd_list_init(pt);
        memset(&pt->mem->rfis, 0, sizeof(pt->mem->rfis));
        ahci_pwrite(ad, pt, PX_CLB, ahci_mem_pa(pt, pt->mem->list));
        ahci_pwrite(ad, pt, PX_CLBU, 0);
        ahci_pwrite(ad, pt, PX_FB, ahci_mem_pa(pt, &pt->mem->rfis));
        ahci_pwrite(ad, pt, PX_FBU, 0);
        ahci_port_arm(ad, pt, 0);
        ahci_port_clear_errors(ad, pt);
        /* FIS receive on, device powered and spun up. */
        ahci_pwrite(ad, pt, PX_CMD, (ahci_pread(ad, pt, PX_CMD) & ~PX_CMD_ICC_MASK) |
                    PX_CMD_FRE | PX_CMD_POD | PX_CMD_SUD);
        pt->linked = pt->ready = FALSE;
    }
}

/* COMRESET every port in mask without a link (or all of them when forced). */
static void ahci_ports_comreset(struct ahci_adapter *ad, ULONG mask, BOOLEAN force)
{
    ULONG reset = 0;

    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        if ((mask & (1u << p)) &&
            (force || PX_SSTS_DET(ahci_pread(ad, &ad->port[p], PX_SSTS)) != PX_SSTS_DET_PHY)) {
            ahci_port_comreset_assert(ad, &ad->port[p]);
            reset |= 1u << p;
        }
    }
    if (!reset)
        return;
    ScsiPortStallExecution(AHCI_COMRESET_HOLD_US);
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++)
        if (reset & (1u << p))
            ahci_port_comreset_release(ad, &ad->port[p]);
}

/* Wait for PHY communication on every port at once; empty ports give up early. */
static void ahci_ports_link(struct ahci_adapter *ad, ULONG mask)
{
    ULONG pending = mask;

    for (ULONG us = 0; pending && us <= AHCI_LINK_TIMEOUT_MS * 1000; us += AHCI_POLL_US * 10) {
        for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
            struct ahci_port *pt = &ad->port[p];
            ULONG det;
            if (!(pending & (1u << p)))
                continue;
            det = PX_SSTS_DET(ahci_pread(ad, pt, PX_SSTS));
            if (det == PX_SSTS_DET_PHY)
                pt->linked = TRUE;
            if (pt->linked || (det != PX_SSTS_DET_PRESENT && us >= AHCI_LINK_NODEV_MS * 1000))
                pending &= ~(1u << p);
        }
        ScsiPortStallExecution(AHCI_POLL_US * 10);
    }
}

/* Wait for BSY and DRQ to clear on every linked port at once (spin-up: 30 s). */
static void ahci_ports_ready(struct ahci_adapter *ad, ULONG mask)
{
    ULONG pending = 0;

    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++)
        if ((mask & (1u << p)) && ad->port[p].linked) {
            ahci_pwrite(ad, &ad->port[p], PX_SERR, PX_SERR_ALL);   /* link-up noise */
            pending |= 1u << p;
        }
    for (ULONG us = 0; pending && us <= AHCI_READY_TIMEOUT_MS * 1000; us += AHCI_POLL_US * 10) {
        for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
            if ((pending & (1u << p)) && !ahci_port_busy(ahci_pread(ad, &ad->port[p], PX_TFD))) {
                ad->port[p].ready = TRUE;
                pending &= ~(1u << p);
            }
        }
        ScsiPortStallExecution(AHCI_POLL_US * 10);
    }
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++)
        if (pending & (1u << p))
            ahci_log(ad, &ad->port[p], "device stays busy; port not used",
                     ahci_pread(ad, &ad->port[p], PX_TFD), 0);
}

/* Signature -> device kind; the port's ATAPI bit; interrupts on; ST. */
static void ahci_port_go(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ULONG sig = ahci_pread(ad, pt, PX_SIG), cmd = ahci_pread(ad, pt, PX_CMD);

    pt->dev = AHCI_DEV_NONE;
    if (!pt->ready)
        return;
    if (sig == AHCI_SIG_ATAPI)
        pt->dev = AHCI_DEV_ATAPI;
    else if (sig == AHCI_SIG_ATA || sig == 0xFFFFFFFFu)
        pt->dev = AHCI_DEV_ATA;     /* an unreported signature: IDENTIFY decides */
    else {
        ahci_log(ad, pt, "unsupported device signature (port multiplier, SEMB)", sig, 0);
        return;
    }
    cmd = pt->dev == AHCI_DEV_ATAPI ? cmd | PX_CMD_ATAPI : cmd & ~PX_CMD_ATAPI;
    ahci_pwrite(ad, pt, PX_CMD, cmd);
    ahci_port_clear_errors(ad, pt);
    ahci_port_arm(ad, pt, PX_IE_DEFAULT);
    ahci_port_start(ad, pt);
}

static void ahci_port_describe(struct ahci_adapter *ad, struct ahci_port *pt)
{
    sat_id_string(pt->mem->identify, ID_MODEL, ID_MODEL_LEN, pt->model);
    if (pt->dev == AHCI_DEV_ATAPI)
        ScsiDebugPrint(1, "ahci%u: port %u: link up, ATAPI drive \"%s\"\n", ad->index,
                       pt->num, pt->model);
    else
        ScsiDebugPrint(1, "ahci%u: port %u: link up, ATA disk \"%s\" %I64u sectors%s\n",
                       ad->index, pt->num, pt->model, pt->sat.sectors, pt->sat.ncq ? ", NCQ" : "");
}

/* What IDENTIFY said: the translation's view of a disk, or an ATAPI drive's packet size. */
static BOOLEAN ahci_port_identified(struct ahci_adapter *ad, struct ahci_port *pt)
{
    const USHORT *id = pt->mem->identify;

    if (pt->dev == AHCI_DEV_ATAPI) {
        pt->packet_len = (id[ID_CONFIG] & ID_CONFIG_PKT_LEN_MASK) == 1 ? 16 : 12;
        pt->depth = 1;
    } else {
        if (!sat_disk_init(&pt->sat, id, ad->ncq)) {
            ahci_log(ad, pt, "disk without LBA addressing; not used", id[ID_CAPABILITIES], 0);
            return FALSE;
        }
        pt->packet_len = 12;
        pt->depth = pt->sat.ncq ? pt->sat.queue_depth : 1;
        if (pt->depth > pt->slots)
            pt->depth = pt->slots;
    }
    ahci_port_describe(ad, pt);
    return TRUE;
}

/* Tell the HBA whether an ATAPI device is attached (PxCMD.ATAPI); the engine restarts. */
static void ahci_port_set_kind(struct ahci_adapter *ad, struct ahci_port *pt)
{
    ULONG cmd;

    ahci_port_stop(ad, pt);
    cmd = ahci_pread(ad, pt, PX_CMD);
    cmd = pt->dev == AHCI_DEV_ATAPI ? cmd | PX_CMD_ATAPI : cmd & ~PX_CMD_ATAPI;
    ahci_pwrite(ad, pt, PX_CMD, cmd | PX_CMD_ST);
}

/* IDENTIFY (PACKET) DEVICE on one port; an abort makes it try the other kind once. */
static BOOLEAN ahci_port_identify(struct ahci_adapter *ad, struct ahci_port *pt)
{
    struct ata_tf tf;
    ULONG tfd = 0;

    for (int tries = 0; tries < 2; tries++) {
        sat_tf_identify(&tf, pt->dev == AHCI_DEV_ATAPI);
        if (ahci_exec_sync(ad, pt, &tf, NULL, pt->mem->identify, AHCI_CMD_TIMEOUT_MS, &tfd))
            return ahci_port_identified(ad, pt);
        if (!(PX_TFD_ERR(tfd) & ATA_ERR_ABRT))
            break;
        pt->dev = pt->dev == AHCI_DEV_ATAPI ? AHCI_DEV_ATA : AHCI_DEV_ATAPI;
        ahci_port_set_kind(ad, pt);
    }
    ahci_log(ad, pt, "IDENTIFY failed; port not used", tfd, 0);
    return FALSE;
}

/*
 * Bring up the ports in mask together: program, COMRESET where there is no
 * link, wait for links and for ready with one deadline each, start, identify.
 */
void ahci_ports_bringup(struct ahci_adapter *ad, ULONG mask, BOOLEAN force_comreset)
{
    ahci_ports_setup(ad, mask);
    ahci_ports_comreset(ad, mask, force_comreset);
    ahci_ports_link(ad, mask);
    ahci_ports_ready(ad, mask);
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        struct ahci_port *pt = &ad->port[p];
        if (!(mask & (1u << p)))
            continue;
        ahci_port_go(ad, pt);
        if (pt->dev != AHCI_DEV_NONE && !ahci_port_identify(ad, pt))
            pt->dev = AHCI_DEV_NONE;
        ahci_port_clear_is(ad, pt);
    }
}

/* ---- initialisation ---------------------------------------------------------------------- */

/* Ports up from scratch (also ScsiRestartAdapter: the port has nothing outstanding then). */
static BOOLEAN NTAPI AhciHwInitialize(PVOID ext)
{
    struct ahci_adapter *ad = ext;
    ULONG mask = ahci_ports_mask(ad, FALSE);

    ahci_write(ad, AHCI_GHC, AHCI_GHC_AE);          /* interrupts off while ports come up */
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        PSCSI_REQUEST_BLOCK v[AHCI_MAX_SLOTS];
        ahci_port_unissue(&ad->port[p], v);
        ad->port[p].wait_head = ad->port[p].wait_tail = NULL;
    }
    ahci_ports_bringup(ad, mask, FALSE);
    ahci_write(ad, AHCI_IS, ahci_read(ad, AHCI_IS));
    ahci_write(ad, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_IE);
    return TRUE;
}

static SCSI_ADAPTER_CONTROL_STATUS NTAPI AhciHwAdapterControl(PVOID ext,
                                                              SCSI_ADAPTER_CONTROL_TYPE type,
                                                              PVOID params)
{
    struct ahci_adapter *ad = ext;
    PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = params;

    switch (type) {
    case ScsiQuerySupportedControlTypes:
        for (ULONG t = 0; t < list->MaxControlType; t++)
            list->SupportedTypeList[t] = t == ScsiQuerySupportedControlTypes ||
                                         t == ScsiStopAdapter || t == ScsiRestartAdapter;
        return ScsiAdapterControlSuccess;
    case ScsiStopAdapter:
        ahci_write(ad, AHCI_GHC, AHCI_GHC_AE);
        for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
            if (!ad->port[p].implemented)
                continue;
            ahci_port_stop(ad, &ad->port[p]);
            ahci_port_stop_fis(ad, &ad->port[p]);
            ahci_port_arm(ad, &ad->port[p], 0);
        }
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        return AhciHwInitialize(ext) ? ScsiAdapterControlSuccess : ScsiAdapterControlUnsuccessful;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* BIOS/OS handoff (10.6.3): ask for ownership, give the BIOS its 25 ms (2 s when busy). */
static void ahci_handoff(struct ahci_adapter *ad)
{
    if (!(ahci_read(ad, AHCI_CAP2) & AHCI_CAP2_BOH))
        return;
    ahci_write(ad, AHCI_BOHC, ahci_read(ad, AHCI_BOHC) | AHCI_BOHC_OOS);
    if (ahci_wait(ad, AHCI_BOHC, AHCI_BOHC_BOS, 0, AHCI_BOHC_TIMEOUT_MS))
        return;
    if ((ahci_read(ad, AHCI_BOHC) & AHCI_BOHC_BB) &&
        ahci_wait(ad, AHCI_BOHC, AHCI_BOHC_BOS | AHCI_BOHC_BB, 0, AHCI_BOHC_BUSY_TIMEOUT_MS))
        return;
    ScsiDebugPrint(0, "ahci%u: BIOS keeps the controller (BOHC 0x%lx); taking it\n", ad->index,
                   ahci_read(ad, AHCI_BOHC));
}

/* HBA reset (10.4.3) polled with a deadline; AE set and read back (some HBAs drop it). */
static BOOLEAN ahci_hba_reset(struct ahci_adapter *ad)
{
    ahci_write(ad, AHCI_GHC, ahci_read(ad, AHCI_GHC) | AHCI_GHC_AE);
    ahci_write(ad, AHCI_GHC, AHCI_GHC_AE | AHCI_GHC_HR);
    if (!ahci_wait(ad, AHCI_GHC, AHCI_GHC_HR, 0, AHCI_RESET_TIMEOUT_MS)) {
        ScsiDebugPrint(0, "ahci%u: HBA reset does not complete (GHC 0x%lx)\n", ad->index,
                       ahci_read(ad, AHCI_GHC));
        return FALSE;
    }
    for (int tries = 0; tries < 5; tries++) {
        ahci_write(ad, AHCI_GHC, AHCI_GHC_AE);
        if (ahci_read(ad, AHCI_GHC) & AHCI_GHC_AE)
            return TRUE;
        ScsiPortStallExecution(1000);
    }
    ScsiDebugPrint(0, "ahci%u: AHCI Enable does not stick\n", ad->index);
    return FALSE;
}

/* Carve the uncached extension into per-port DMA blocks. */
static BOOLEAN ahci_dma_setup(struct ahci_adapter *ad, PPORT_CONFIGURATION_INFORMATION cfg)
{
    ULONG n = 0, size, len;
    PUCHAR base;

    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++)
        n += ad->port[p].implemented;
    size = n * sizeof(struct ahci_port_mem) + AHCI_CMD_LIST_ALIGN;
    ad->uncached = ScsiPortGetUncachedExtension(ad, cfg, size);
    if (!ad->uncached)
        return FALSE;
    base = (PUCHAR)(((ULONG_PTR)ad->uncached + AHCI_CMD_LIST_ALIGN - 1) &
                    ~(ULONG_PTR)(AHCI_CMD_LIST_ALIGN - 1));
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        struct ahci_port *pt = &ad->port[p];
        SCSI_PHYSICAL_ADDRESS pa;
        if (!pt->implemented)
            continue;
        pt->mem = (struct ahci_port_mem *)base;
        memset(pt->mem, 0, sizeof(*pt->mem));
        pa = ScsiPortGetPhysicalAddress(ad, NULL, pt->mem, &len);
        if (!pa.QuadPart || pa.HighPart || len < sizeof(*pt->mem) ||
            (pa.LowPart & (AHCI_CMD_LIST_ALIGN - 1))) {
            ScsiDebugPrint(0, "ahci%u: uncached extension not contiguous below 4 GiB "
                           "(pa 0x%lx, %lu bytes)\n", ad->index, pa.LowPart, len);
            return FALSE;
        }
        pt->mem_pa = pa.LowPart;
        base += sizeof(struct ahci_port_mem);
    }
    return TRUE;
}

static ULONG ahci_quirks_for(USHORT vendor, USHORT device)
{
    for (ULONG i = 0; i < RTL_NUMBER_OF(ahci_quirks); i++)
        if (ahci_quirks[i].vendor == vendor && ahci_quirks[i].device == device)
            return ahci_quirks[i].flags;
    return 0;
}

/* CAP, PI and the per-port state that follows from them. */
static void ahci_read_caps(struct ahci_adapter *ad)
{
    ULONG ports = 0;

    ad->cap = ahci_read(ad, AHCI_CAP);
    ad->vs = ahci_read(ad, AHCI_VS);
    ad->pi = ahci_read(ad, AHCI_PI);
    if (!ad->pi || (ad->quirks & AHCI_Q_PI_FROM_CAP))
        ad->pi = AHCI_CAP_NP(ad->cap) >= 32 ? 0xFFFFFFFFu : (1u << AHCI_CAP_NP(ad->cap)) - 1;
    ad->s64 = (ad->cap & AHCI_CAP_S64A) && !(ad->quirks & AHCI_Q_32BIT_ONLY);
    ad->ncq = (ad->cap & AHCI_CAP_SNCQ) && !(ad->quirks & AHCI_Q_NO_NCQ);
    for (ULONG p = 0; p < AHCI_MAX_PORTS; p++) {
        struct ahci_port *pt = &ad->port[p];
        pt->num = (UCHAR)p;
        pt->implemented = (ad->pi >> p) & 1;
        pt->slots = (UCHAR)AHCI_CAP_NCS(ad->cap);
        if (pt->implemented)
            ports = p + 1;
    }
    ad->ntargets = (UCHAR)ports;
}

/* What the port driver is told (and the DMA rules the disk layer splits by). */
static void ahci_config(struct ahci_adapter *ad, PPORT_CONFIGURATION_INFORMATION cfg)
{
    cfg->NumberOfBuses = 1;
    cfg->MaximumNumberOfTargets = ad->ntargets;
    cfg->MaximumNumberOfLogicalUnits = 1;
    cfg->InitiatorBusId[0] = ad->ntargets;          /* no port has this id */
    cfg->ScatterGather = TRUE;
    cfg->Master = TRUE;
    cfg->CachesData = TRUE;                         /* SHUTDOWN/FLUSH reach HwStartIo */
    cfg->Dma32BitAddresses = TRUE;
    cfg->NumberOfPhysicalBreaks = AHCI_PRDT_ENTRIES;    /* an SG entry count, as the port reads it */
    cfg->MaximumTransferLength = AHCI_MAX_TRANSFER;
    cfg->AlignmentMask = 1;                         /* PRD addresses are word aligned */
    cfg->NeedPhysicalAddresses = TRUE;
    cfg->TaggedQueuing = TRUE;
    cfg->MultipleRequestPerLu = TRUE;
    cfg->AutoRequestSense = TRUE;
    cfg->MapBuffers = TRUE;                         /* emulated replies write DataBuffer */
    cfg->SrbExtensionSize = sizeof(struct ahci_srbx);
    if (ad->s64 && (cfg->Dma64BitAddresses & SCSI_DMA64_SYSTEM_SUPPORTED))
        cfg->Dma64BitAddresses = SCSI_DMA64_MINIPORT_SUPPORTED;
}

/* PCI memory space and bus mastering on. */
static void ahci_pci_enable(PVOID ext, ULONG bus, ULONG slot, PPCI_COMMON_CONFIG pci)
{
    USHORT cmd = pci->Command | PCI_ENABLE_MEMORY_SPACE | PCI_ENABLE_BUS_MASTER;

    if (cmd != pci->Command)
        ScsiPortSetBusDataByOffset(ext, PCIConfiguration, bus, slot, &cmd,
                                   FIELD_OFFSET(PCI_COMMON_CONFIG, Command), sizeof(cmd));
}

/* Map ABAR: the generic block first, then as far as the last implemented port. */
static BOOLEAN ahci_map(struct ahci_adapter *ad, ULONG bus, SCSI_PHYSICAL_ADDRESS pa)
{
    ULONG len = AHCI_PORT(0);

    if (!ScsiPortValidateRange(ad, PCIBus, bus, pa, len, FALSE))
        return FALSE;
    ad->abar = ScsiPortGetDeviceBase(ad, PCIBus, bus, pa, len, FALSE);
    if (!ad->abar)
        return FALSE;
    ahci_read_caps(ad);
    ScsiPortFreeDeviceBase(ad, ad->abar);
    len = AHCI_PORT(ad->ntargets);
    ad->abar = NULL;
    if (!ad->ntargets || !ScsiPortValidateRange(ad, PCIBus, bus, pa, len, FALSE))
        return FALSE;
    ad->abar = ScsiPortGetDeviceBase(ad, PCIBus, bus, pa, len, FALSE);
    ad->abar_len = len;
    return ad->abar != NULL;
}

static ULONG ahci_attach(struct ahci_adapter *ad, struct ahci_find *f,
                         PPORT_CONFIGURATION_INFORMATION cfg, ULONG bus, ULONG slot,
                         PPCI_COMMON_CONFIG pci)
{
    ULONG bar = pci->u.type0.BaseAddresses[AHCI_PCI_BAR];
    SCSI_PHYSICAL_ADDRESS pa;

    memset(ad, 0, sizeof(*ad));
    ad->index = f->found;
    ad->quirks = ahci_quirks_for(pci->VendorID, pci->DeviceID);
    pa.QuadPart = bar & PCI_ADDRESS_MEMORY_ADDRESS_MASK;
    if ((bar & PCI_ADDRESS_IO_SPACE) || !pa.QuadPart || !ahci_map(ad, bus, pa)) {
        ScsiDebugPrint(0, "ahci: %lx:%lx: ABAR 0x%lx not usable; controller skipped\n",
                       bus, slot, bar);
        return SP_RETURN_NOT_FOUND;
    }
    ahci_pci_enable(ad, bus, slot, pci);
    ahci_handoff(ad);
    if (!ahci_hba_reset(ad))
        goto unmap;
    ahci_read_caps(ad);                 /* PI again: some HBAs restore it only now */
    cfg->SlotNumber = slot;
    cfg->BusInterruptLevel = pci->u.type0.InterruptLine;
    cfg->BusInterruptVector = pci->u.type0.InterruptLine;
    cfg->InterruptMode = LevelSensitive;
    (*cfg->AccessRanges)[0].RangeStart = pa;
    (*cfg->AccessRanges)[0].RangeLength = ad->abar_len;
    (*cfg->AccessRanges)[0].RangeInMemory = TRUE;
    ahci_config(ad, cfg);
    if (!ahci_dma_setup(ad, cfg))
        goto unmap;
    ScsiDebugPrint(1, "ahci%u: %04x:%04x AHCI %lu.%lu, %lu ports (PI 0x%lx), %lu slots%s%s\n",
                   ad->index, pci->VendorID, pci->DeviceID, ad->vs >> 16, (ad->vs >> 8) & 0xFF,
                   AHCI_CAP_NP(ad->cap), ad->pi, AHCI_CAP_NCS(ad->cap),
                   ad->ncq ? ", NCQ" : "", ad->s64 ? ", 64-bit" : "");
    f->found++;
    return SP_RETURN_FOUND;
unmap:
    ScsiPortFreeDeviceBase(ad, ad->abar);
    return SP_RETURN_ERROR;
}

static BOOLEAN ahci_is_ahci(const PCI_COMMON_CONFIG *pci)
{
    return pci->BaseClass == PCI_CLASS_MASS_STORAGE_CTLR && pci->SubClass == AHCI_PCI_SUBCLASS &&
           pci->ProgIf == AHCI_PCI_PROGIF && PCI_CONFIGURATION_TYPE(pci) == PCI_DEVICE_TYPE;
}

/* The miniport scans each bus itself: HwContext is the cursor, *Again asks for more. */
static ULONG NTAPI AhciHwFindAdapter(PVOID ext, PVOID context, PVOID bus_info, PCHAR args,
                                     PPORT_CONFIGURATION_INFORMATION cfg, PBOOLEAN again)
{
    struct ahci_find *f = context;
    ULONG bus = cfg->SystemIoBusNumber, r;
    PCI_COMMON_CONFIG pci;

    if (f->bus != bus) {
        f->bus = bus;
        f->slot = 0;
    }
    while (f->slot < PCI_MAX_DEVICES * PCI_MAX_FUNCTION) {
        PCI_SLOT_NUMBER s;
        ULONG dev = f->slot / PCI_MAX_FUNCTION, fn = f->slot % PCI_MAX_FUNCTION, n;
        s.u.AsULONG = 0;
        s.u.bits.DeviceNumber = dev;
        s.u.bits.FunctionNumber = fn;
        f->slot++;
        n = ScsiPortGetBusData(ext, PCIConfiguration, bus, s.u.AsULONG, &pci,
                               PCI_COMMON_HDR_LENGTH);
        if (n == 0)
            break;                              /* no such bus */
        if (n < PCI_COMMON_HDR_LENGTH || pci.VendorID == PCI_INVALID_VENDORID) {
            if (fn == 0)
                f->slot = (dev + 1) * PCI_MAX_FUNCTION;
            continue;
        }
        if (fn == 0 && !PCI_MULTIFUNCTION_DEVICE(&pci))
            f->slot = (dev + 1) * PCI_MAX_FUNCTION;
        if (!ahci_is_ahci(&pci))
            continue;
        r = ahci_attach(ext, f, cfg, bus, s.u.AsULONG, &pci);
        if (r != SP_RETURN_NOT_FOUND) {
            *again = TRUE;              /* after an ERROR too: the next one gets a fresh start */
            return r;
        }
    }
    *again = FALSE;
    return SP_RETURN_NOT_FOUND;
}

ULONG NTAPI DriverEntry(PVOID DriverObject, PVOID RegistryPath);

ULONG NTAPI DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA hw;

    memset(&hw, 0, sizeof(hw));
    hw.HwInitializationDataSize = sizeof(hw);
    hw.AdapterInterfaceType = PCIBus;
    hw.HwInitialize = AhciHwInitialize;
    hw.HwStartIo = AhciHwStartIo;
    hw.HwInterrupt = AhciHwInterrupt;
    hw.HwFindAdapter = AhciHwFindAdapter;
    hw.HwResetBus = AhciHwResetBus;
    hw.HwAdapterControl = AhciHwAdapterControl;
    hw.DeviceExtensionSize = sizeof(struct ahci_adapter);
    hw.SrbExtensionSize = sizeof(struct ahci_srbx);
    hw.NumberOfAccessRanges = 1;
    hw.MapBuffers = TRUE;
    hw.NeedPhysicalAddresses = TRUE;
    hw.TaggedQueuing = TRUE;
    hw.AutoRequestSense = TRUE;
    hw.MultipleRequestPerLu = TRUE;
    ahci_find_ctx.bus = 0;
    ahci_find_ctx.slot = 0;
    ahci_find_ctx.found = 0;
    return ScsiPortInitialize(DriverObject, RegistryPath, &hw, &ahci_find_ctx);
}
