/*
 * sptest: a ScsiPort miniport for testing the port itself, bound to QEMU's
 * pci-testdev (PCI 1b36:0005; `-device pci-testdev`, twice for every check).
 * The fake adapter, bus and disk are described in sptest.h; the checks the
 * callbacks run are in sptest_chk.c.  DDK headers only, like any miniport.
 *
 * Requests complete synchronously in HwStartIo (MapBuffers: the data is
 * copied), except the vendor commands that keep a request on purpose: one
 * for HwInterrupt (the port polls it: the device has no interrupt pin), one
 * for HwTimer and one that only a bus reset ends (HwResetBus).
 */
#include "sptest_priv.h"

ULONG NTAPI DriverEntry(PVOID DriverObject, PVOID RegistryPath);

#define SPT_PHYS_BREAKS         17
#define SPT_INIT_TIMER_US       10000   /* the HwInitialize timer */
#define SPT_CANCEL_TIMER_US     1000    /* armed and cancelled at once */
#define SPT_DEFER_TIMER_US      20000   /* SPT_CMD_DEFER_TIMER */
#define SPT_ERRORCODE_CURRENT   0x70    /* fixed format, current error */

static const struct spt_variant variants[] = {
    { SPT_ROLE_A, TRUE, TRUE, TRUE },
    { SPT_ROLE_X, TRUE, TRUE, FALSE },
    { SPT_ROLE_B, FALSE, FALSE, FALSE },
};

/* ---- small helpers -------------------------------------------------------------------- */

static ULONG be32(const UCHAR *p)
{
    return (ULONG)p[0] << 24 | (ULONG)p[1] << 16 | (ULONG)p[2] << 8 | p[3];
}

static void put_be32(PUCHAR p, ULONG v)
{
    p[0] = (UCHAR)(v >> 24);
    p[1] = (UCHAR)(v >> 16);
    p[2] = (UCHAR)(v >> 8);
    p[3] = (UCHAR)v;
}

static ULONG min_ul(ULONG a, ULONG b)
{
    return a < b ? a : b;
}

/* Ready for the next request, and this one is done (the DDK's order). */
static void spt_done(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, UCHAR status)
{
    srb->SrbStatus = status;
    x->x_last_srb = srb;
    ScsiPortNotification(NextRequest, x);
    ScsiPortNotification(RequestComplete, x, srb);
}

/* Copy n bytes of answer into DataBuffer; DataTransferLength says how many went. */
static void spt_answer(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, const void *data, ULONG n)
{
    n = min_ul(n, srb->DataTransferLength);
    memcpy(srb->DataBuffer, data, n);
    srb->DataTransferLength = n;
    spt_done(x, srb, SRB_STATUS_SUCCESS);
}

/* CHECK CONDITION: sense with the status (AutoRequestSense) or kept for REQUEST SENSE. */
static void spt_check_condition(struct spt_ext *x, struct spt_lu *lu, PSCSI_REQUEST_BLOCK srb,
                                UCHAR key, UCHAR asc, UCHAR ascq)
{
    SENSE_DATA s;
    UCHAR status = SRB_STATUS_ERROR;

    memset(&s, 0, sizeof(s));
    s.ErrorCode = SPT_ERRORCODE_CURRENT;
    s.SenseKey = key;
    s.AdditionalSenseLength = sizeof(s) - 8;
    s.AdditionalSenseCode = asc;
    s.AdditionalSenseCodeQualifier = ascq;
    srb->ScsiStatus = SCSISTAT_CHECK_CONDITION;
    srb->DataTransferLength = 0;
    if (x->x_var->auto_sense && srb->SenseInfoBuffer && srb->SenseInfoBufferLength &&
        !(srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE)) {
        srb->SenseInfoBufferLength = (UCHAR)min_ul(srb->SenseInfoBufferLength, sizeof(s));
        memcpy(srb->SenseInfoBuffer, &s, srb->SenseInfoBufferLength);
        status |= SRB_STATUS_AUTOSENSE_VALID;
    } else if (lu) {
        lu->lu_sense = s;
        lu->lu_sense_pending = TRUE;
    }
    spt_done(x, srb, status);
}

/* ---- the disk ------------------------------------------------------------------------- */

static void spt_fill_block(PUCHAR dst, ULONG lba)
{
    PULONG w = (PULONG)dst;

    for (ULONG k = 0; k < SPT_BLOCK_SIZE / sizeof(ULONG); k++)
        w[k] = SPT_PATTERN(lba, k);
}

static void spt_inquiry(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, struct spt_lu *lu)
{
    INQUIRYDATA d;

    if (srb->Cdb[1] & 1) {              /* EVPD: no vital product data pages */
        spt_check_condition(x, lu, srb, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_INVALID_CDB, 0);
        return;
    }
    memset(&d, 0, sizeof(d));
    d.DeviceType = DIRECT_ACCESS_DEVICE;
    d.Versions = 5;                     /* SPC-3: REPORT LUNS */
    d.ResponseDataFormat = 2;
    d.AdditionalLength = INQUIRYDATABUFFERSIZE - 5;
    d.CommandQueue = x->x_var->tagged;
    memcpy(d.VendorId, "SPTEST  ", 8);
    memcpy(d.ProductId, "ScsiPort test LU", 16);
    memcpy(d.ProductRevisionLevel, "0001", 4);
    spt_answer(x, srb, &d, min_ul(INQUIRYDATABUFFERSIZE, srb->Cdb[4]));
}

static void spt_read_capacity(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    UCHAR d[8];

    put_be32(d, SPT_BLOCKS - 1);
    put_be32(d + 4, SPT_BLOCK_SIZE);
    spt_answer(x, srb, d, sizeof(d));
}

static void spt_report_luns(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    UCHAR d[16];

    memset(d, 0, sizeof(d));
    put_be32(d, 8);                     /* one LUN: 0 */
    spt_answer(x, srb, d, min_ul(sizeof(d), be32(srb->Cdb + 6)));
}

static void spt_request_sense(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, struct spt_lu *lu)
{
    SENSE_DATA s;

    x->x_stats.request_sense++;
    x->x_stats.request_sense_flags = srb->SrbFlags;
    memset(&s, 0, sizeof(s));
    s.ErrorCode = SPT_ERRORCODE_CURRENT;
    s.AdditionalSenseLength = sizeof(s) - 8;
    if (lu->lu_sense_pending)
        s = lu->lu_sense;
    lu->lu_sense_pending = FALSE;
    spt_answer(x, srb, &s, min_ul(sizeof(s), srb->Cdb[4]));
}

static void spt_rw10(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, struct spt_lu *lu, BOOLEAN write)
{
    ULONG lba = be32(srb->Cdb + 2), n = (ULONG)srb->Cdb[7] << 8 | srb->Cdb[8];
    ULONG bytes, len;
    PUCHAR disk;

    if (lba >= SPT_BLOCKS || n > SPT_BLOCKS - lba) {
        spt_check_condition(x, lu, srb, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_BLOCK, 0);
        return;
    }
    bytes = n * SPT_BLOCK_SIZE;
    len = min_ul(bytes, srb->DataTransferLength);
    disk = x->x_uncached + lba * SPT_BLOCK_SIZE;
    if (write)
        memcpy(disk, srb->DataBuffer, len);
    else
        memcpy(srb->DataBuffer, disk, len);
    srb->DataTransferLength = len;
    spt_done(x, srb, len == bytes ? SRB_STATUS_SUCCESS : SRB_STATUS_DATA_OVERRUN);
}

/* ---- vendor commands ------------------------------------------------------------------ */

static void spt_stats(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    struct spt_stats *s = &x->x_stats;

    s->magic = SPT_STATS_MAGIC;
    s->role = x->x_var->role;
    s->auto_sense = x->x_var->auto_sense;
    s->need_phys = x->x_var->need_phys;
    s->tagged = x->x_var->tagged;
    s->refused = spt_refused;
    spt_answer(x, srb, s, sizeof(*s));
}

static void spt_busy(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, struct spt_lu *lu)
{
    UCHAR seq = srb->Cdb[3];

    if (lu->lu_busy_seq != seq) {       /* a new request, not a retry */
        lu->lu_busy_seq = seq;
        lu->lu_busy_left = srb->Cdb[2];
        lu->lu_busy_attempts = 0;
    }
    lu->lu_busy_attempts++;
    if (lu->lu_busy_left) {
        lu->lu_busy_left--;
        x->x_stats.busy_answers++;
        if (srb->Cdb[4]) {
            srb->ScsiStatus = SCSISTAT_QUEUE_FULL;
            spt_done(x, srb, SRB_STATUS_ERROR);
        } else {
            spt_done(x, srb, SRB_STATUS_BUSY);
        }
        return;
    }
    spt_answer(x, srb, &lu->lu_busy_attempts, sizeof(lu->lu_busy_attempts));
}

/* Keep the request; say ready for the next one (another LU, another tag). */
static void spt_keep(struct spt_ext *x, PSCSI_REQUEST_BLOCK *slot, PSCSI_REQUEST_BLOCK srb)
{
    *slot = srb;
    ScsiPortNotification(NextRequest, x);
}

/* SPT_CMD_DEFER_TIMER: end the kept request with every address a wildcard. */
static void NTAPI spt_timer_defer(PVOID ext)
{
    struct spt_ext *x = SPT_EXT(ext);
    PSCSI_REQUEST_BLOCK srb = x->x_held_timer;

    if (!srb)
        return;
    x->x_held_timer = NULL;
    spt_checks_held(x, SPT_CTX_TIMER, srb);
    ScsiPortCompleteRequest(x, SP_UNTAGGED, SP_UNTAGGED, SP_UNTAGGED, SRB_STATUS_ABORTED);
    spt_true(x, SPT_CTX_TIMER, "after CompleteRequest(SP_UNTAGGED x3): GetSrb = NULL",
             ScsiPortGetSrb(x, srb->PathId, srb->TargetId, srb->Lun, srb->QueueTag) == NULL);
}

static void spt_vendor(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, struct spt_lu *lu)
{
    switch (srb->Cdb[1]) {
    case SPT_CMD_LOG:
        srb->DataTransferLength = spt_log_fetch(srb->DataBuffer, srb->DataTransferLength);
        spt_done(x, srb, SRB_STATUS_SUCCESS);
        return;
    case SPT_CMD_STATS:
        spt_stats(x, srb);
        return;
    case SPT_CMD_CHECKS:
        spt_checks_startio(x, srb);
        spt_done(x, srb, SRB_STATUS_SUCCESS);
        return;
    case SPT_CMD_WALK:
        spt_walk(x, srb);
        spt_done(x, srb, SRB_STATUS_SUCCESS);
        return;
    case SPT_CMD_BUSDATA:
        spt_checks_busdata(x, srb);
        spt_done(x, srb, SRB_STATUS_SUCCESS);
        return;
    case SPT_CMD_BUSY:
        spt_busy(x, srb, lu);
        return;
    case SPT_CMD_HOLD:
        spt_keep(x, &x->x_held_reset, srb);
        return;
    case SPT_CMD_DEFER_IRQ:
        spt_keep(x, &x->x_held_irq, srb);
        return;
    case SPT_CMD_DEFER_TIMER:
        spt_keep(x, &x->x_held_timer, srb);
        ScsiPortNotification(RequestTimerCall, x, spt_timer_defer, (ULONG)SPT_DEFER_TIMER_US);
        return;
    default:
        spt_check_condition(x, lu, srb, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_INVALID_CDB, 0);
        return;
    }
}

/* ---- HwStartIo ------------------------------------------------------------------------ */

/* What the port promises about every EXECUTE_SCSI request it passes on. */
static BOOLEAN spt_well_formed(const SCSI_REQUEST_BLOCK *srb)
{
    ULONG dir = srb->SrbFlags & SRB_FLAGS_UNSPECIFIED_DIRECTION;

    return srb->Length == sizeof(SCSI_REQUEST_BLOCK) && srb->CdbLength >= 1 &&
           srb->CdbLength <= 16 && srb->TimeOutValue != 0 &&
           (srb->DataTransferLength == 0) == (dir == 0) &&
           (!srb->DataTransferLength || srb->DataBuffer) &&
           (!srb->SenseInfoBufferLength || srb->SenseInfoBuffer) &&
           srb->PathId == 0 && srb->TargetId < SPT_TARGETS && srb->Lun < SPT_LUNS;
}

static void spt_execute(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb, struct spt_lu *lu)
{
    switch (srb->Cdb[0]) {
    case SCSIOP_TEST_UNIT_READY:
    case SCSIOP_SYNCHRONIZE_CACHE:
        spt_done(x, srb, SRB_STATUS_SUCCESS);
        break;
    case SCSIOP_INQUIRY:
        spt_inquiry(x, srb, lu);
        break;
    case SCSIOP_READ_CAPACITY:
        spt_read_capacity(x, srb);
        break;
    case SCSIOP_REPORT_LUNS:
        spt_report_luns(x, srb);
        break;
    case SCSIOP_REQUEST_SENSE:
        spt_request_sense(x, srb, lu);
        break;
    case SCSIOP_READ:
    case SCSIOP_WRITE:
        spt_rw10(x, srb, lu, srb->Cdb[0] == SCSIOP_WRITE);
        break;
    case SPT_OP:
        spt_vendor(x, srb, lu);
        break;
    default:
        spt_check_condition(x, lu, srb, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_COMMAND,
                            0);
        break;
    }
}

static BOOLEAN NTAPI spt_start_io(PVOID ext, PSCSI_REQUEST_BLOCK srb)
{
    struct spt_ext *x = SPT_EXT(ext);
    struct spt_lu *lu;

    x->x_stats.srbs++;
    if (srb->Function != SRB_FUNCTION_EXECUTE_SCSI) {
        spt_done(x, srb, srb->Function == SRB_FUNCTION_RESET_BUS ? SRB_STATUS_SUCCESS
                                                                 : SRB_STATUS_INVALID_REQUEST);
        return TRUE;
    }
    if (!spt_well_formed(srb)) {
        x->x_stats.malformed++;
        spt_done(x, srb, SRB_STATUS_INVALID_REQUEST);
        return TRUE;
    }
    if (srb->Cdb[0] == SCSIOP_INQUIRY)
        x->x_stats.inquiries[srb->TargetId]++;
    if (srb->TargetId != 0) {
        spt_done(x, srb, SRB_STATUS_SELECTION_TIMEOUT);
        return TRUE;
    }
    lu = ScsiPortGetLogicalUnit(x, srb->PathId, srb->TargetId, srb->Lun);
    if (srb->Lun != 0 || !lu) {
        spt_done(x, srb, SRB_STATUS_INVALID_LUN);
        return TRUE;
    }
    lu->lu_signature = SPT_LU_SIGNATURE;
    spt_execute(x, srb, lu);
    return TRUE;
}

/* ---- HwInterrupt, HwTimer, HwResetBus ------------------------------------------------- */

/* No interrupt line: the port calls this from its poll; a kept request completes here. */
static BOOLEAN NTAPI spt_interrupt(PVOID ext)
{
    struct spt_ext *x = SPT_EXT(ext);
    PSCSI_REQUEST_BLOCK srb = x->x_held_irq;

    x->x_stats.interrupts++;
    if (!srb)
        return FALSE;
    x->x_held_irq = NULL;
    spt_checks_held(x, SPT_CTX_INTERRUPT, srb);
    if (srb->DataTransferLength >= SPT_BLOCK_SIZE)
        spt_fill_block(srb->DataBuffer, be32(srb->Cdb + 2));
    srb->SrbStatus = SRB_STATUS_SUCCESS;
    x->x_last_srb = srb;
    ScsiPortNotification(RequestComplete, x, srb);
    return TRUE;
}

static void NTAPI spt_timer_cancelled(PVOID ext)
{
    SPT_EXT(ext)->x_stats.cancelled_runs++;
}

/* Armed by HwInitialize: the checks of timer context, then a timer armed and cancelled. */
static void NTAPI spt_timer_init(PVOID ext)
{
    struct spt_ext *x = SPT_EXT(ext);

    x->x_stats.timer_runs++;
    spt_checks_outside(x, SPT_CTX_TIMER);
    spt_checks_uncached(x, SPT_CTX_TIMER);
    ScsiPortNotification(RequestTimerCall, x, spt_timer_cancelled, (ULONG)SPT_CANCEL_TIMER_US);
    ScsiPortNotification(RequestTimerCall, x, spt_timer_cancelled, (ULONG)0);
}

/* The port's answer to a timeout: complete everything outstanding on the bus. */
static BOOLEAN NTAPI spt_reset_bus(PVOID ext, ULONG path)
{
    struct spt_ext *x = SPT_EXT(ext);
    PSCSI_REQUEST_BLOCK held = x->x_held_reset;

    x->x_stats.resets++;
    spt_eq(x, SPT_CTX_RESET, "HwResetBus: the timed-out request's PathId", path, 0);
    if (held)
        spt_checks_held(x, SPT_CTX_RESET, held);
    ScsiPortCompleteRequest(x, SP_UNTAGGED, SP_UNTAGGED, SP_UNTAGGED, SRB_STATUS_BUS_RESET);
    if (held)
        spt_true(x, SPT_CTX_RESET, "after CompleteRequest(SP_UNTAGGED x3): GetSrb = NULL",
                 ScsiPortGetSrb(x, held->PathId, held->TargetId, held->Lun,
                                held->QueueTag) == NULL);
    x->x_held_reset = x->x_held_irq = x->x_held_timer = NULL;
    ScsiPortNotification(NextRequest, x);
    return TRUE;
}

/* ---- HwAdapterControl ----------------------------------------------------------------- */

static SCSI_ADAPTER_CONTROL_STATUS NTAPI spt_adapter_control(PVOID ext,
                                                             SCSI_ADAPTER_CONTROL_TYPE type,
                                                             PVOID param)
{
    struct spt_ext *x = SPT_EXT(ext);
    PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = param;
    SCSI_PHYSICAL_ADDRESS a;
    BOOLEAN got;

    switch (type) {
    case ScsiQuerySupportedControlTypes:
        if (list->MaxControlType > ScsiStopAdapter)
            list->SupportedTypeList[ScsiStopAdapter] = TRUE;
        if (list->MaxControlType > ScsiRestartAdapter)
            list->SupportedTypeList[ScsiRestartAdapter] = TRUE;
        return ScsiAdapterControlSuccess;
    case ScsiStopAdapter:
        /* Said on the console: nothing can fetch the log after this. */
        a.QuadPart = (LONGLONG)x->x_mem_bar;
        got = ScsiPortValidateRange(x, PCIBus, x->x_bus, a, SPT_MEM_BAR_LEN, FALSE);
        DebugPrint((0, "sptest %c: HwAdapterControl(ScsiStopAdapter): ValidateRange %s\n",
                    x->x_var->role, got ? "ACCEPTED outside HwFindAdapter: FAIL" : "refused"));
        return ScsiAdapterControlSuccess;
    case ScsiRestartAdapter:
        return ScsiAdapterControlSuccess;
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

/* ---- HwFindAdapter, HwInitialize ------------------------------------------------------ */

static void spt_config(PPORT_CONFIGURATION_INFORMATION cfg)
{
    cfg->NumberOfBuses = 1;
    cfg->MaximumNumberOfTargets = SPT_TARGETS;
    cfg->InitiatorBusId[0] = SPT_INITIATOR_ID;
    cfg->MaximumNumberOfLogicalUnits = SPT_LUNS;
    cfg->Master = TRUE;
    cfg->ScatterGather = TRUE;
    cfg->Dma32BitAddresses = TRUE;
    cfg->NumberOfPhysicalBreaks = SPT_PHYS_BREAKS;
    cfg->MaximumTransferLength = SPT_MAX_TRANSFER;
    cfg->AlignmentMask = 3;
}

static ULONG NTAPI spt_find_adapter(PVOID ext, PVOID ctx, PVOID bus_info, PCHAR args,
                                    PPORT_CONFIGURATION_INFORMATION cfg, PBOOLEAN again)
{
    struct spt_ext *x = SPT_EXT(ext);

    *again = FALSE;
    x->x_var = ctx;
    x->x_bus = cfg->SystemIoBusNumber;
    x->x_slot = cfg->SlotNumber;
    if (!spt_identify(x, cfg))
        return SP_RETURN_NOT_FOUND;
    if (x->x_var->role == SPT_ROLE_X) {
        spt_checks_overlap(x, cfg);
        return spt_first.valid ? SP_RETURN_FOUND : SP_RETURN_NOT_FOUND;
    }
    spt_config(cfg);
    x->x_uncached = ScsiPortGetUncachedExtension(x, cfg, SPT_UNCACHED_SIZE);
    if (!spt_true(x, SPT_CTX_FIND, "GetUncachedExtension(2 MiB + 512)", x->x_uncached != NULL))
        return SP_RETURN_ERROR;
    spt_refused.uncached++;
    spt_true(x, SPT_CTX_FIND, "GetUncachedExtension a second time = NULL",
             ScsiPortGetUncachedExtension(x, cfg, SPT_BLOCK_SIZE) == NULL);
    spt_checks_uncached(x, SPT_CTX_FIND);
    if (x->x_var->role == SPT_ROLE_A) {
        spt_first.valid = TRUE;
        spt_first.mem_bar = x->x_mem_bar;
        spt_first.io_bar = x->x_io_bar;
    }
    return SP_RETURN_FOUND;
}

static BOOLEAN NTAPI spt_initialize(PVOID ext)
{
    struct spt_ext *x = SPT_EXT(ext);

    if (x->x_var->role == SPT_ROLE_X) {     /* its claim overlaps A's: never started */
        spt_true(x, SPT_CTX_INIT, "the port started X, whose AccessRanges overlap A's", FALSE);
        return FALSE;
    }
    for (ULONG lba = 0; lba < SPT_BLOCKS; lba++)
        spt_fill_block(x->x_uncached + lba * SPT_BLOCK_SIZE, lba);
    spt_checks_outside(x, SPT_CTX_INIT);
    spt_checks_uncached(x, SPT_CTX_INIT);
    ScsiPortNotification(RequestTimerCall, x, spt_timer_init, (ULONG)SPT_INIT_TIMER_US);
    return TRUE;
}

/* ---- DriverEntry ---------------------------------------------------------------------- */

static ULONG spt_port_init(PVOID drv, PVOID reg, const struct spt_variant *v)
{
    HW_INITIALIZATION_DATA hw;

    memset(&hw, 0, sizeof(hw));
    hw.HwInitializationDataSize = sizeof(hw);
    hw.AdapterInterfaceType = PCIBus;
    hw.HwInitialize = spt_initialize;
    hw.HwStartIo = spt_start_io;
    hw.HwInterrupt = spt_interrupt;
    hw.HwFindAdapter = spt_find_adapter;
    hw.HwResetBus = spt_reset_bus;
    hw.HwAdapterControl = spt_adapter_control;
    hw.DeviceExtensionSize = sizeof(struct spt_ext);
    hw.SpecificLuExtensionSize = SPT_LUEXT_SIZE;
    hw.SrbExtensionSize = SPT_SRBEXT_SIZE;
    hw.NumberOfAccessRanges = 2;
    hw.MapBuffers = TRUE;
    hw.NeedPhysicalAddresses = v->need_phys;
    hw.AutoRequestSense = v->auto_sense;
    hw.TaggedQueuing = v->tagged;
    hw.VendorId = SPT_VENDOR_ID;
    hw.VendorIdLength = 4;
    hw.DeviceId = SPT_DEVICE_ID;
    hw.DeviceIdLength = 4;
    return ScsiPortInitialize(drv, reg, &hw, (PVOID)v);
}

/* One ScsiPortInitialize per variant (A, X, B); the best status wins, as on NT. */
ULONG NTAPI DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    ULONG best = STATUS_DEVICE_DOES_NOT_EXIST;

    for (ULONG i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        ULONG st = spt_port_init(DriverObject, RegistryPath, &variants[i]);
        if (st < best)
            best = st;
    }
    return best;
}
