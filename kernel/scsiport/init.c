/*
 * Adapter discovery and bring-up: ScsiPortInitialize and what HwFindAdapter
 * may call (GetDeviceBase, FreeDeviceBase, GetUncachedExtension, GetBusData,
 * SetBusDataByOffset), then interrupt connection, HwInitialize and the bus
 * scan.  Also the linker-built table of miniports run at boot.
 *
 * PCI discovery follows NT: with VendorId/DeviceId in HW_INITIALIZATION_DATA
 * the port matches them as case-insensitive ASCII-hex prefixes over every
 * PCI function and hands each match to HwFindAdapter with its BARs in
 * AccessRanges; without them HwFindAdapter is called once per PCI bus and
 * scans for itself with ScsiPortGetBusData, using HwContext as its cursor
 * and *Again to be called back.
 */
#include "port.h"
#include "scsiport.h"
#include "ranges.h"
#include "console.h"
#include "string.h"
#include "heap.h"
#include "pci.h"
#include "vm.h"
#include "io.h"
#include "cmdline.h"
#include "power.h"
#include "disk.h"
#include "boottime.h"

#define SP_FIND_CALLS_MAX   64      /* HwFindAdapter calls per bus: a miniport
                                       that always says Again is stopped here */

/* ---- what HwFindAdapter may call ------------------------------------------ */

static struct sp_adapter *find_ctx(PVOID ext, const char *who)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, who);

    if (ad && !ad->in_find_adapter) {
        pr_err(ad->name, "%s called outside HwFindAdapter; refused", who);
        return NULL;
    }
    return ad;
}

PVOID NTAPI ScsiPortGetDeviceBase(PVOID ext, INTERFACE_TYPE BusType, ULONG SystemIoBusNumber,
                                  SCSI_PHYSICAL_ADDRESS IoAddress, ULONG NumberOfBytes,
                                  BOOLEAN InIoSpace)
{
    static const char who[] = "ScsiPortGetDeviceBase";
    struct sp_adapter *ad = find_ctx(ext, who);
    uint64_t pa = (uint64_t)IoAddress.QuadPart;
    struct sp_mapping *m;
    const char *why;
    void *va;

    (void)BusType;
    (void)SystemIoBusNumber;
    if (!ad)
        return NULL;
    if (!NumberOfBytes)
        why = "zero length";
    else if (ad->nmaps == (int)ARRAY_SIZE(ad->maps))
        why = "too many mappings";
    else if (InIoSpace && (pa == 0 || pa + NumberOfBytes > 0x10000))
        why = "not in the I/O port space";
    else if (!(va = InIoSpace ? (void *)(uintptr_t)pa : vm_map_mmio(pa, NumberOfBytes)))
        why = "cannot map";
    else {
        m = &ad->maps[ad->nmaps++];
        m->va = va;
        m->pa = pa;
        m->len = NumberOfBytes;
        m->io = InIoSpace;
        return va;
    }
    pr_err(ad->name, "%s(%s 0x%llx+%lu): %s", who, InIoSpace ? "io" : "mem", pa, NumberOfBytes,
           why);
    return NULL;
}

VOID NTAPI ScsiPortFreeDeviceBase(PVOID ext, PVOID MappedAddress)
{
    static const char who[] = "ScsiPortFreeDeviceBase";
    struct sp_adapter *ad = sp_adapter_from_ext(ext, who);

    if (!ad)
        return;
    for (int i = 0; i < ad->nmaps; i++) {
        struct sp_mapping *m = &ad->maps[i];
        if (m->va != MappedAddress)
            continue;
        if (!m->io)
            vm_unmap_mmio(m->va, m->len);
        *m = ad->maps[--ad->nmaps];
        return;
    }
    pr_err(ad->name, "%s(%p): not a mapping of this adapter", who, MappedAddress);
}

/*
 * Directly, not through ScsiPortFreeDeviceBase: an adapter being dropped
 * after HwFindAdapter is no longer found by its device extension.
 */
static void free_all_mappings(struct sp_adapter *ad)
{
    while (ad->nmaps) {
        struct sp_mapping *m = &ad->maps[--ad->nmaps];
        if (!m->io)
            vm_unmap_mmio(m->va, m->len);
    }
}

PVOID NTAPI ScsiPortGetUncachedExtension(PVOID ext, PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                         ULONG NumberOfBytes)
{
    static const char who[] = "ScsiPortGetUncachedExtension";
    struct sp_adapter *ad = find_ctx(ext, who);
    const char *why;

    if (!ad)
        return NULL;
    if (ad->uncached)
        why = "already allocated, once per adapter";
    else if (!NumberOfBytes)
        why = "zero length";
    else if (!ConfigInfo || !ConfigInfo->Master)
        why = "the adapter is not a bus master (set Master)";
    else if (!(ad->uncached = dma_alloc(NumberOfBytes)))
        why = "out of DMA memory";
    else {
        ad->uncached_size = NumberOfBytes;
        return ad->uncached;
    }
    pr_err(ad->name, "%s: %s (%lu bytes)", who, why, NumberOfBytes);
    return NULL;
}

/* PCI_SLOT_NUMBER: bits 0-4 device, 5-7 function. */
static bool slot_bdf(ULONG bus, ULONG slot, unsigned *dev, unsigned *fn)
{
    if (bus > 255 || (slot & ~0xFFu))
        return false;
    *dev = slot & 0x1F;
    *fn = (slot >> 5) & 7;
    return true;
}

ULONG NTAPI ScsiPortGetBusData(PVOID ext, ULONG BusDataType, ULONG SystemIoBusNumber,
                               ULONG SlotNumber, PVOID Buffer, ULONG Length)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortGetBusData");
    unsigned dev, fn;
    uint8_t *out;
    ULONG n;

    if (!ad || !Buffer)
        return 0;
    if (BusDataType != PCIConfiguration || !slot_bdf(SystemIoBusNumber, SlotNumber, &dev, &fn))
        return 0;
    if (pci_read16(SystemIoBusNumber, dev, fn, 0) == 0xFFFF) {
        /* No device: NT returns just the vendor ID, PCI_INVALID_VENDORID. */
        if (Length < 2)
            return 0;
        *(USHORT *)Buffer = PCI_INVALID_VENDORID;
        return 2;
    }
    if (Length == 0) {
        /* The Length 0 form: the port's buffer (one per adapter, reused). */
        if (!ad->busdata && !(ad->busdata = kzalloc(256)))
            return 0;
        out = ad->busdata;
        *(PVOID *)Buffer = out;
        Length = 256;
    } else {
        out = Buffer;
        if (Length > 256)
            Length = 256;
    }
    for (n = 0; n < Length; n++)
        out[n] = pci_read8(SystemIoBusNumber, dev, fn, n);
    return Length;
}

ULONG NTAPI ScsiPortSetBusDataByOffset(PVOID ext, ULONG BusDataType, ULONG SystemIoBusNumber,
                                       ULONG SlotNumber, PVOID Buffer, ULONG Offset, ULONG Length)
{
    struct sp_adapter *ad = sp_adapter_from_ext(ext, "ScsiPortSetBusDataByOffset");
    unsigned dev, fn;
    const uint8_t *in = Buffer;
    ULONG n;

    if (!ad || !Buffer || BusDataType != PCIConfiguration ||
        !slot_bdf(SystemIoBusNumber, SlotNumber, &dev, &fn) || Offset >= 256)
        return 0;
    if (pci_read16(SystemIoBusNumber, dev, fn, 0) == 0xFFFF)
        return 0;
    if (Length > 256 - Offset)
        Length = 256 - Offset;
    for (n = 0; n < Length; n++)
        pci_write8(SystemIoBusNumber, dev, fn, Offset + n, in[n]);
    return Length;
}

/* ---- adapters ---------------------------------------------------------------- */

static struct sp_adapter *adapter_new(struct sp_driver_object *drv,
                                      const HW_INITIALIZATION_DATA *hw, PVOID ctx)
{
    struct sp_adapter *ad = kzalloc(sizeof(*ad));

    if (!ad)
        return NULL;
    ad->devext_size = hw->DeviceExtensionSize;
    ad->devext = kzalloc(hw->DeviceExtensionSize ? hw->DeviceExtensionSize : 16);
    if (!ad->devext) {
        kfree(ad);
        return NULL;
    }
    ad->magic = SP_ADAPTER_MAGIC;
    ad->drv = drv;
    ad->hw = *hw;
    ad->hw_context = ctx;
    snprintf(ad->name, sizeof(ad->name), "%s%d", drv->name, drv->adapters);
    return ad;
}

static void adapter_free(struct sp_adapter *ad)
{
    free_all_mappings(ad);
    if (ad->uncached)
        dma_free(ad->uncached, ad->uncached_size);
    ad->magic = 0;
    kfree(ad->busdata);
    kfree(ad->devext);
    kfree(ad);
}

/*
 * PORT_CONFIGURATION_INFORMATION as NT filled it before HwFindAdapter, on a
 * new adapter (adapter_new zeroed it and its AccessRanges).
 */
static void config_defaults(struct sp_adapter *ad, ULONG bus)
{
    PPORT_CONFIGURATION_INFORMATION c = &ad->cfg;
    const HW_INITIALIZATION_DATA *hw = &ad->hw;

    c->Length = sizeof(*c);
    c->SystemIoBusNumber = bus;
    c->AdapterInterfaceType = hw->AdapterInterfaceType;
    c->InterruptMode = hw->AdapterInterfaceType == PCIBus ? LevelSensitive : Latched;
    c->MaximumTransferLength = SP_UNINITIALIZED_VALUE;
    c->NumberOfPhysicalBreaks = SP_UNINITIALIZED_VALUE;
    c->DmaChannel = SP_UNINITIALIZED_VALUE;
    c->DmaPort = SP_UNINITIALIZED_VALUE;
    c->DmaSpeed = Compatible;
    c->NumberOfAccessRanges = MIN(hw->NumberOfAccessRanges, (ULONG)SP_MAX_ACCESS_RANGES);
    c->AccessRanges = (ACCESS_RANGE (*)[])ad->ranges;
    memset(c->InitiatorBusId, SP_UNINITIALIZED_VALUE & 0xFF, sizeof(c->InitiatorBusId));
    c->AtdiskPrimaryClaimed = ranges_atdisk_claimed(true);
    c->AtdiskSecondaryClaimed = ranges_atdisk_claimed(false);
    c->MapBuffers = hw->MapBuffers;
    c->NeedPhysicalAddresses = hw->NeedPhysicalAddresses;
    c->TaggedQueuing = hw->TaggedQueuing;
    c->AutoRequestSense = hw->AutoRequestSense;
    c->MultipleRequestPerLu = hw->MultipleRequestPerLu;
    c->ReceiveEvent = hw->ReceiveEvent;
    c->MaximumNumberOfTargets = SCSI_MAXIMUM_TARGETS;
    c->DeviceExtensionSize = hw->DeviceExtensionSize;
    c->SpecificLuExtensionSize = hw->SpecificLuExtensionSize;
    c->SrbExtensionSize = hw->SrbExtensionSize;
    c->MaximumNumberOfLogicalUnits = SCSI_MAXIMUM_LOGICAL_UNITS;
}

/* BARs into AccessRanges, the interrupt line, the slot. */
static void config_from_pci(struct sp_adapter *ad, struct pci_dev *d)
{
    PPORT_CONFIGURATION_INFORMATION c = &ad->cfg;
    ULONG n = 0;

    for (int i = 0; i < 6 && n < c->NumberOfAccessRanges; i++) {
        const struct pci_bar *b = &d->bar[i];
        if (b->type == PCI_BAR_NONE || !b->size)
            continue;
        ad->ranges[n].RangeStart.QuadPart = (LONGLONG)b->base;
        ad->ranges[n].RangeLength = (ULONG)b->size;
        ad->ranges[n].RangeInMemory = b->type != PCI_BAR_IO;
        n++;
    }
    c->SystemIoBusNumber = d->bus;
    c->SlotNumber = (ULONG)d->dev | (ULONG)d->fn << 5;
    if (d->irq_pin && d->irq_line && d->irq_line != 0xFF) {
        c->BusInterruptLevel = d->irq_line;
        c->BusInterruptVector = d->irq_line;
    }
    ad->pci = d;
}

static int hexval(char c)
{
    c = (char)tolower(c);
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "8086" matches 0x8086; "80" matches 80xx: NT's case-insensitive prefix match. */
static bool id_matches(const void *ascii, USHORT len, uint16_t id)
{
    const char *s = ascii;

    if (!s || !len || len > 4)
        return false;
    for (unsigned i = 0; i < len; i++) {
        int v = hexval(s[i]);
        if (v < 0 || v != ((id >> (12 - 4 * i)) & 0xF))
            return false;
    }
    return true;
}

static bool pci_dev_taken(const struct pci_dev *d)
{
    for (int i = 0; i < sp_nadapters; i++)
        if (sp_adapters[i]->pci == d)
            return true;
    return false;
}

static const char *sp_return_name(ULONG r)
{
    switch (r) {
    case SP_RETURN_NOT_FOUND: return "NOT_FOUND";
    case SP_RETURN_FOUND: return "FOUND";
    case SP_RETURN_ERROR: return "ERROR";
    case SP_RETURN_BAD_CONFIG: return "BAD_CONFIG";
    default: return "an undefined value";
    }
}

/* One HwFindAdapter call; returns its SP_RETURN_* value. */
static ULONG call_find(struct sp_adapter *ad, BOOLEAN *again)
{
    char *args = (char *)cmdline_get(ad->drv->name);
    ULONG r;
    uint32_t f;

    *again = FALSE;
    ad->in_find_adapter = true;
    sp_probing = ad;
    f = irq_save();
    r = ad->hw.HwFindAdapter(ad->devext, ad->hw_context, NULL, args, &ad->cfg, again);
    irq_restore(f);
    sp_probing = NULL;
    ad->in_find_adapter = false;
    return r;
}

/* The miniport's PCI function, when it scanned for itself. */
static void find_pci_after(struct sp_adapter *ad)
{
    unsigned dev, fn;

    if (ad->pci || ad->hw.AdapterInterfaceType != PCIBus)
        return;
    if (slot_bdf(ad->cfg.SystemIoBusNumber, ad->cfg.SlotNumber, &dev, &fn))
        ad->pci = pci_find_bdf(ad->cfg.SystemIoBusNumber, dev, fn);
}

/* Per-request DMA memory: SRB extensions and autosense buffers. */
static bool alloc_request_memory(struct sp_adapter *ad)
{
    ULONG ext = ad->cfg.SrbExtensionSize;

    ad->srbext_slot = ext ? ALIGN_UP(ext, 8u) : 0;
    if (ad->srbext_slot) {
        ad->srbext_pool = dma_alloc(ad->srbext_slot * SP_ADAPTER_SLOTS);
        if (!ad->srbext_pool)
            return false;
    }
    ad->sense_pool = dma_alloc(SP_SENSE_SLOT * SP_ADAPTER_SLOTS);
    return ad->sense_pool != NULL;
}

static void adapter_start(struct sp_adapter *ad);

/* HwFindAdapter said FOUND: claim, allocate, connect, initialise, scan. */
static bool adapter_commit(struct sp_adapter *ad)
{
    if (sp_nadapters == SP_MAX_ADAPTERS) {
        pr_err(ad->name, "too many adapters (%d); this one is left alone", SP_MAX_ADAPTERS);
        return false;
    }
    find_pci_after(ad);
    if (!sp_ranges_commit(ad))
        return false;
    if (!alloc_request_memory(ad)) {
        pr_err(ad->name, "out of DMA memory for SRB extensions");
        sp_ranges_release(ad);
        return false;
    }
    ad->index = sp_nadapters;
    sp_adapters[sp_nadapters++] = ad;
    ad->drv->adapters++;
    adapter_start(ad);
    return true;
}

static void log_found(struct sp_adapter *ad)
{
    static const char *const mode[] = {
        [SP_IRQ_POLL] = "polled", [SP_IRQ_INTX] = "INTx", [SP_IRQ_MSI] = "MSI",
    };
    struct pci_dev *d = ad->pci;

    if (d)
        pr_info(ad->name, "%04x:%04x at %02x:%02x.%x, %s",
                d->vendor, d->device, d->bus, d->dev, d->fn, mode[ad->irq_mode]);
    else
        pr_info(ad->name, "found (%s)", mode[ad->irq_mode]);
}

static void adapter_start(struct sp_adapter *ad)
{
    BOOLEAN ok;
    uint32_t f;

    if (ad->pci)
        pci_enable(ad->pci, true, true, ad->cfg.Master);
    sp_connect_interrupt(ad);
    f = irq_save();
    ok = ad->hw.HwInitialize(ad->devext);
    irq_restore(f);
    if (!ok) {
        pr_err(ad->name, "HwInitialize failed; adapter not used");
        sp_disconnect_interrupt(ad);
        return;
    }
    ad->initialized = true;
    ad->next_request = true;
    log_found(ad);
    boot_mark(ad->name, "initialize");
    if (!boot_in_progress()) {          /* at boot: once every adapter is up */
        sp_pool_grow(sp_adapter_depth(ad));
        sp_scan_adapter(ad);
    }
}

#define FIND_NO_MEMORY      ((ULONG)-1)     /* find_one: no adapter to call it on */

/*
 * One HwFindAdapter call on a new adapter (d: the PCI function matched by
 * ID, else NULL), committed when it says FOUND; *found counts those.
 * Returns its SP_RETURN_* value, or FIND_NO_MEMORY.
 */
static ULONG find_one(struct sp_driver_object *drv, const HW_INITIALIZATION_DATA *hw,
                      PVOID ctx, ULONG bus, struct pci_dev *d, BOOLEAN *again, int *found)
{
    struct sp_adapter *ad = adapter_new(drv, hw, ctx);
    ULONG r;

    if (!ad)
        return FIND_NO_MEMORY;
    config_defaults(ad, bus);
    if (d)
        config_from_pci(ad, d);
    r = call_find(ad, again);
    if (r == SP_RETURN_FOUND && adapter_commit(ad)) {
        (*found)++;
        return r;
    }
    if (r != SP_RETURN_NOT_FOUND && r != SP_RETURN_FOUND) {
        if (d)
            pr_err(ad->name, "HwFindAdapter returned %s for %02x:%02x.%x",
                   sp_return_name(r), d->bus, d->dev, d->fn);
        else
            pr_err(ad->name, "HwFindAdapter returned %s on bus %lu", sp_return_name(r), bus);
    }
    adapter_free(ad);
    return r == FIND_NO_MEMORY ? SP_RETURN_ERROR : r;   /* a miniport's bad value is its error */
}

/* Returns adapters found; stops when the miniport says so. */
static int find_by_ids(struct sp_driver_object *drv, const HW_INITIALIZATION_DATA *hw,
                       PVOID ctx)
{
    int found = 0;

    for (int i = 0; i < pci_count(); i++) {
        struct pci_dev *d = pci_get(i);
        BOOLEAN again;
        ULONG r;

        if (!id_matches(hw->VendorId, hw->VendorIdLength, d->vendor) ||
            !id_matches(hw->DeviceId, hw->DeviceIdLength, d->device) || pci_dev_taken(d))
            continue;
        r = find_one(drv, hw, ctx, d->bus, d, &again, &found);
        if (r == FIND_NO_MEMORY || (r == SP_RETURN_FOUND && !again))
            break;
    }
    return found;
}

/* Is there a PCI bus with this number (one with a device on it)? */
static bool pci_bus_exists(ULONG bus)
{
    for (int i = 0; i < pci_count(); i++)
        if (pci_get(i)->bus == bus)
            return true;
    return false;
}

/* The miniport scans each bus itself (HwContext is its cursor). */
static int find_by_scan(struct sp_driver_object *drv, const HW_INITIALIZATION_DATA *hw,
                        PVOID ctx, ULONG buses)
{
    int found = 0;

    for (ULONG bus = 0; bus < buses; bus++) {
        if (hw->AdapterInterfaceType == PCIBus && !pci_bus_exists(bus))
            continue;
        for (int calls = 0; calls < SP_FIND_CALLS_MAX; calls++) {
            BOOLEAN again;
            ULONG r = find_one(drv, hw, ctx, bus, NULL, &again, &found);

            if (r == FIND_NO_MEMORY)
                return found;
            if (!again || r == SP_RETURN_NOT_FOUND)
                break;
            if (calls == SP_FIND_CALLS_MAX - 1)
                pr_err(drv->name, "HwFindAdapter keeps asking to be called again on bus %lu; "
                       "stopped after %d calls", bus, SP_FIND_CALLS_MAX);
        }
    }
    return found;
}

static bool hw_init_data_ok(struct sp_driver_object *drv, PHW_INITIALIZATION_DATA hw)
{
    const char *bad = NULL;

    if (!hw)
        bad = "no HW_INITIALIZATION_DATA";
    else if (hw->HwInitializationDataSize < sizeof(HW_INITIALIZATION_DATA))
        bad = "HwInitializationDataSize is too small (revision mismatch)";
    else if (!hw->HwInitialize || !hw->HwStartIo || !hw->HwFindAdapter || !hw->HwResetBus)
        bad = "a required entry point (HwInitialize, HwStartIo, HwFindAdapter, HwResetBus) is NULL";
    if (bad)
        pr_err(drv->name, "ScsiPortInitialize: %s", bad);
    return !bad;
}

static struct sp_driver_object anonymous_driver = { "miniport", NULL, 0 };

static struct sp_driver_object *driver_object(PVOID arg)
{
    for (struct sp_driver_object *const *p = __drvtab_start; p < __drvtab_end; p++)
        if (*p == arg)
            return *p;
    return &anonymous_driver;
}

ULONG NTAPI ScsiPortInitialize(PVOID Argument1, PVOID Argument2,
                               struct _HW_INITIALIZATION_DATA *hw, PVOID HwContext)
{
    struct sp_driver_object *drv = driver_object(Argument1);
    int found;

    (void)Argument2;
    if (!hw_init_data_ok(drv, hw))
        return hw ? STATUS_REVISION_MISMATCH : STATUS_INVALID_PARAMETER;
    switch (hw->AdapterInterfaceType) {
    case PCIBus:
        if (hw->VendorIdLength && hw->DeviceIdLength)
            found = find_by_ids(drv, hw, HwContext);
        else
            found = find_by_scan(drv, hw, HwContext, 256);
        break;
    case Isa:
    case Eisa:
    case Internal:
        found = find_by_scan(drv, hw, HwContext, 1);
        break;
    default:
        pr_err(drv->name, "ScsiPortInitialize: bus type %d is not supported here",
               (int)hw->AdapterInterfaceType);
        return STATUS_DEVICE_DOES_NOT_EXIST;
    }
    return found ? STATUS_SUCCESS : STATUS_DEVICE_DOES_NOT_EXIST;
}

/* ---- boot ------------------------------------------------------------------------ */

static void quiesce_all(void)
{
    scsiport_quiesce();
}

/* Requests for the adapters found at boot, as deep as each one queues: one run. */
static void pool_for_adapters(void)
{
    unsigned n = 0;

    for (int i = 0; i < sp_nadapters; i++)
        if (sp_adapters[i]->initialized)
            n += sp_adapter_depth(sp_adapters[i]);
    if (n)
        sp_pool_grow(n);
}

/*
 * Every miniport's DriverEntry (HwFindAdapter and HwInitialize for each of
 * its adapters), the request pool they need, then the bus scans: an
 * adapter's start-up waits (a SCSI bus reset's settle time, links coming
 * up) run while the others scan.
 * ScsiPortInitialize called after boot scans its adapters at once.
 */
void scsiport_init(void)
{
    ranges_init_platform();
    for (struct sp_driver_object *const *p = __drvtab_start; p < __drvtab_end; p++) {
        struct sp_driver_object *drv = *p;
        ULONG st = drv->entry(drv, NULL);
        if (st != STATUS_SUCCESS && !drv->adapters)
            pr_debug(drv->name, "DriverEntry: no adapter (status 0x%08lx)", st);
    }
    pool_for_adapters();
    for (int i = 0; i < sp_nadapters; i++) {
        if (!sp_adapters[i]->initialized)
            continue;
        sp_scan_adapter(sp_adapters[i]);
        boot_mark(sp_adapters[i]->name, "scan");
    }
    power_register_quiesce(quiesce_all);
}

/* Before power-off or reset: flush write caches, then stop every adapter. */
void scsiport_quiesce(void)
{
    disk_flush_all();
    for (int i = 0; i < sp_nadapters; i++) {
        struct sp_adapter *ad = sp_adapters[i];
        struct {
            ULONG max;
            BOOLEAN supported[ScsiAdapterControlMax];
        } list = { ScsiAdapterControlMax, { 0 } };
        uint32_t f;

        if (!ad->initialized || ad->quiesced)
            continue;
        ad->quiesced = true;
        if (ad->hw.HwAdapterControl) {
            f = irq_save();
            ad->hw.HwAdapterControl(ad->devext, ScsiQuerySupportedControlTypes, &list);
            if (list.supported[ScsiStopAdapter])
                ad->hw.HwAdapterControl(ad->devext, ScsiStopAdapter, NULL);
            irq_restore(f);
        }
        sp_disconnect_interrupt(ad);
    }
}
