/*
 * sptest: the adversarial checks of the ScsiPort API, run inside the
 * miniport's callbacks, and the log that carries their results to the
 * kernel (SPT_CMD_LOG).  Each check calls a routine the way a miniport
 * may, or may not, and compares the answer with the rule of DESIGN.md
 * ("The seed routines"), the seeds and reference/scsiport-api.md.
 *
 * Every call made here that the port must refuse is counted by kind in
 * spt_refused: the port promises exactly one log line per refusal, and the
 * host counts the lines.
 */
#include "sptest_priv.h"

#define UNCACHED_PROBE      5000            /* an offset inside the uncached extension */
#define SRBEXT_PROBE        8
#define LUEXT_PROBE         4
#define STALL_US            10000
#define NT_TICKS_PER_US     10
#define UNSET_LENGTH        0xDEADBEEFu
#define INTR_LINE           0x3C            /* PCI Interrupt Line: scratch for software */
#define PCI_BAR_IO_MASK     0xFFFFFFFCu
#define PCI_BAR_MEM_MASK    0xFFFFFFF0u

struct spt_first spt_first;
struct spt_refusals spt_refused;

static struct spt_result log_entry[SPT_LOG_MAX];
static ULONG log_count, log_lost;

/* ---- the log -------------------------------------------------------------------------- */

static void copy_what(char *dst, const char *src)
{
    size_t n = strlen(src);

    if (n > SPT_WHAT_LEN - 1)
        n = SPT_WHAT_LEN - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void spt_result(struct spt_ext *x, UCHAR ctx, UCHAR verdict, const char *what,
                ULONGLONG got, ULONGLONG want)
{
    struct spt_result *e;

    if (log_count == SPT_LOG_MAX) {
        log_lost++;
        return;
    }
    e = &log_entry[log_count++];
    memset(e, 0, sizeof(*e));
    e->verdict = verdict;
    e->role = x->x_var->role;
    e->context = ctx;
    e->got = got;
    e->want = want;
    copy_what(e->what, what);
}

BOOLEAN spt_eq(struct spt_ext *x, UCHAR ctx, const char *what, ULONGLONG got, ULONGLONG want)
{
    spt_result(x, ctx, got == want ? SPT_PASS : SPT_FAIL, what, got, want);
    return got == want;
}

BOOLEAN spt_true(struct spt_ext *x, UCHAR ctx, const char *what, BOOLEAN ok)
{
    return spt_eq(x, ctx, what, ok ? 1 : 0, 1);
}

/* Hands over as many entries as fit in bytes; the rest stay for the next call. */
ULONG spt_log_fetch(struct spt_log *out, ULONG bytes)
{
    ULONG fit, n;

    if (bytes < sizeof(*out))
        return 0;
    fit = (bytes - sizeof(*out)) / sizeof(struct spt_result);
    n = log_count < fit ? log_count : fit;
    out->magic = SPT_LOG_MAGIC;
    out->count = n;
    out->lost = log_lost;
    out->reserved = 0;
    memcpy(out->entry, log_entry, n * sizeof(struct spt_result));
    memmove(log_entry, log_entry + n, (log_count - n) * sizeof(struct spt_result));
    log_count -= n;
    log_lost = 0;
    return sizeof(*out) + n * sizeof(struct spt_result);
}

/* ---- the routines, with the refusals counted ------------------------------------------ */

static SCSI_PHYSICAL_ADDRESS gpa(struct spt_ext *x, PVOID ext, PSCSI_REQUEST_BLOCK srb, PVOID va,
                                 PULONG len)
{
    SCSI_PHYSICAL_ADDRESS pa = ScsiPortGetPhysicalAddress(ext, srb, va, len);

    if (pa.QuadPart == 0) {
        if (ext == (PVOID)x)
            spt_refused.physaddr++;
        else
            spt_refused.bad_ext++;
    }
    return pa;
}

/* GetPhysicalAddress must refuse: 0 and Length 0.  got: PA, Length in bits 32-63. */
static void gpa_refused(struct spt_ext *x, UCHAR ctx, const char *what, PVOID ext,
                        PSCSI_REQUEST_BLOCK srb, PVOID va)
{
    ULONG len = UNSET_LENGTH;
    SCSI_PHYSICAL_ADDRESS pa = gpa(x, ext, srb, va, &len);

    spt_eq(x, ctx, what, (ULONGLONG)pa.LowPart | (ULONGLONG)len << 32, 0);
}

/* GetPhysicalAddress must translate, with Length == want_len; returns the PA. */
static ULONGLONG gpa_len(struct spt_ext *x, UCHAR ctx, const char *what, PSCSI_REQUEST_BLOCK srb,
                         PVOID va, ULONG want_len)
{
    ULONG len = UNSET_LENGTH;
    SCSI_PHYSICAL_ADDRESS pa = gpa(x, x, srb, va, &len);

    if (pa.QuadPart == 0)
        spt_eq(x, ctx, what, 0, 1);         /* got 0: no translation */
    else
        spt_eq(x, ctx, what, len, want_len);
    return (ULONGLONG)pa.QuadPart;
}

/* Extension address with Srb NULL: translated only with NeedPhysicalAddresses. */
static ULONGLONG gpa_ext(struct spt_ext *x, UCHAR ctx, const char *ok_what, const char *no_what,
                         PVOID va, ULONG want_len)
{
    if (x->x_var->need_phys)
        return gpa_len(x, ctx, ok_what, NULL, va, want_len);
    gpa_refused(x, ctx, no_what, x, NULL, va);
    return 0;
}

static BOOLEAN validate(struct spt_ext *x, INTERFACE_TYPE bus, ULONGLONG start, ULONG len,
                        BOOLEAN io)
{
    SCSI_PHYSICAL_ADDRESS a;

    a.QuadPart = (LONGLONG)start;
    return ScsiPortValidateRange(x, bus, x->x_bus, a, len, io);
}

static void validate_eq(struct spt_ext *x, const char *what, INTERFACE_TYPE bus,
                        ULONGLONG start, ULONG len, BOOLEAN io, BOOLEAN want)
{
    BOOLEAN got = validate(x, bus, start, len, io);

    spt_eq(x, SPT_CTX_FIND, what, got, want);
}

/* A malformed range: refused with a warning line. */
static void validate_malformed(struct spt_ext *x, const char *what, INTERFACE_TYPE bus,
                               ULONGLONG start, ULONG len, BOOLEAN io)
{
    BOOLEAN got = validate(x, bus, start, len, io);

    if (!got)
        spt_refused.validate_malformed++;
    spt_eq(x, SPT_CTX_FIND, what, got, FALSE);
}

/* ---- HwFindAdapter -------------------------------------------------------------------- */

static void checks_find_platform(struct spt_ext *x)
{
    validate_eq(x, "ValidateRange(own memory BAR) = TRUE", PCIBus, x->x_mem_bar,
                SPT_MEM_BAR_LEN, FALSE, TRUE);
    validate_eq(x, "ValidateRange(own I/O BAR) = TRUE", PCIBus, x->x_io_bar,
                SPT_IO_BAR_LEN, TRUE, TRUE);
    validate_eq(x, "ValidateRange(own I/O BAR, Isa bus: one I/O space) = TRUE", Isa,
                x->x_io_bar, SPT_IO_BAR_LEN, TRUE, TRUE);
    validate_eq(x, "ValidateRange(io 0x20+2, the PIC) = FALSE", PCIBus, 0x20, 2, TRUE, FALSE);
    validate_eq(x, "ValidateRange(io 0x3F8+8, the console UART) = FALSE", PCIBus, 0x3F8, 8,
                TRUE, FALSE);
    validate_eq(x, "ValidateRange(io 0xCF8+8, PCI configuration) = FALSE", PCIBus, 0xCF8, 8,
                TRUE, FALSE);
    validate_eq(x, "ValidateRange(mem 0xFEE00000+0x1000, the LAPIC) = FALSE", PCIBus,
                0xFEE00000u, 0x1000, FALSE, FALSE);
    validate_malformed(x, "ValidateRange(own memory BAR, length 0) = FALSE", PCIBus,
                       x->x_mem_bar, 0, FALSE);
    validate_malformed(x, "ValidateRange(io 0xFFF0+0x20: past the top) = FALSE", PCIBus,
                       0xFFF0, 0x20, TRUE);
    validate_malformed(x, "ValidateRange(mem 2^64-0x1000+0x2000: wraps) = FALSE", PCIBus,
                       0xFFFFFFFFFFFFF000ull, 0x2000, FALSE);
    validate_malformed(x, "ValidateRange(own memory BAR on VMEBus) = FALSE", VMEBus,
                       x->x_mem_bar, SPT_MEM_BAR_LEN, FALSE);
}

/* X and B: the first adapter's claims are not ours. */
static void checks_find_others(struct spt_ext *x)
{
    if (x->x_var->role == SPT_ROLE_A)
        return;
    if (!spt_first.valid) {
        spt_result(x, SPT_CTX_FIND, SPT_SKIP, "ValidateRange(A's BARs): no adapter A", 0, 0);
        return;
    }
    validate_eq(x, "ValidateRange(A's memory BAR) = FALSE", PCIBus, spt_first.mem_bar,
                SPT_MEM_BAR_LEN, FALSE, FALSE);
    validate_eq(x, "ValidateRange(A's I/O BAR) = FALSE", PCIBus, spt_first.io_bar,
                SPT_IO_BAR_LEN, TRUE, FALSE);
    validate_eq(x, "ValidateRange(last byte of A's memory BAR + 1) = FALSE", PCIBus,
                spt_first.mem_bar + SPT_MEM_BAR_LEN - 1, 2, FALSE, FALSE);
}

/* GetDeviceBase must refuse: NULL. */
static void device_base_refused(struct spt_ext *x, UCHAR ctx, const char *what,
                                ULONGLONG start, ULONG len, BOOLEAN io)
{
    SCSI_PHYSICAL_ADDRESS a;
    PVOID va;

    a.QuadPart = (LONGLONG)start;
    va = ScsiPortGetDeviceBase(x, PCIBus, x->x_bus, a, len, io);
    if (!va)
        spt_refused.device_base++;
    spt_true(x, ctx, what, va == NULL);
}

static void checks_find_device_base(struct spt_ext *x)
{
    device_base_refused(x, SPT_CTX_FIND, "GetDeviceBase(own memory BAR, length 0) = NULL",
                        x->x_mem_bar, 0, FALSE);
    device_base_refused(x, SPT_CTX_FIND, "GetDeviceBase(io 0xFFF0+0x20: past the top) = NULL",
                        0xFFF0, 0x20, TRUE);
}

static void checks_find(struct spt_ext *x)
{
    checks_find_platform(x);
    checks_find_others(x);
    checks_find_device_base(x);
}

/*
 * X: report A's memory BAR as AccessRanges[0] and let the port judge.  A
 * miniport that found nothing would free its mappings; X keeps them, so
 * the port's own clean-up of a refused adapter is exercised too.
 */
void spt_checks_overlap(struct spt_ext *x, PPORT_CONFIGURATION_INFORMATION cfg)
{
    PACCESS_RANGE r = &(*cfg->AccessRanges)[0];

    if (!spt_first.valid)
        return;
    r->RangeStart.QuadPart = (LONGLONG)spt_first.mem_bar;
    r->RangeLength = SPT_MEM_BAR_LEN;
    r->RangeInMemory = TRUE;
}

/* ---- the device: AccessRanges, configuration space, mappings -------------------------- */

static BOOLEAN identify_ranges(struct spt_ext *x, PPORT_CONFIGURATION_INFORMATION cfg)
{
    PACCESS_RANGE r = &(*cfg->AccessRanges)[0];
    BOOLEAN ok;

    ok = spt_eq(x, SPT_CTX_FIND, "port filled NumberOfAccessRanges >= 2",
                cfg->NumberOfAccessRanges >= 2, 1);
    ok = ok && spt_true(x, SPT_CTX_FIND, "AccessRanges[0]: the 4 KiB memory BAR",
                        r[0].RangeInMemory && r[0].RangeLength == SPT_MEM_BAR_LEN &&
                        r[0].RangeStart.QuadPart != 0);
    ok = ok && spt_true(x, SPT_CTX_FIND, "AccessRanges[1]: the 256-byte I/O BAR",
                        !r[1].RangeInMemory && r[1].RangeLength == SPT_IO_BAR_LEN &&
                        r[1].RangeStart.QuadPart != 0);
    if (ok) {
        x->x_mem_bar = (ULONGLONG)r[0].RangeStart.QuadPart;
        x->x_io_bar = (ULONGLONG)r[1].RangeStart.QuadPart;
    }
    return ok;
}

/* Decoding on (the port enables it only after FOUND): a miniport's own job. */
static void identify_enable(struct spt_ext *x, PPCI_COMMON_CONFIG pci)
{
    USHORT want = PCI_ENABLE_IO_SPACE | PCI_ENABLE_MEMORY_SPACE;
    USHORT cmd = pci->Command | want;

    if ((pci->Command & want) == want)
        return;
    spt_eq(x, SPT_CTX_FIND, "SetBusDataByOffset(Command) writes 2 bytes",
           ScsiPortSetBusDataByOffset(x, PCIConfiguration, x->x_bus, x->x_slot, &cmd,
                                      FIELD_OFFSET(PCI_COMMON_CONFIG, Command), 2), 2);
}

static BOOLEAN identify_config(struct spt_ext *x)
{
    PCI_COMMON_CONFIG pci;
    ULONG n;

    n = ScsiPortGetBusData(x, PCIConfiguration, x->x_bus, x->x_slot, &pci, PCI_COMMON_HDR_LENGTH);
    if (!spt_eq(x, SPT_CTX_FIND, "GetBusData(own slot, 64 bytes) returns 64", n,
                PCI_COMMON_HDR_LENGTH))
        return FALSE;
    if (!spt_eq(x, SPT_CTX_FIND, "GetBusData: own slot is 1b36:0005",
                (ULONG)pci.VendorID << 16 | pci.DeviceID,
                (ULONG)SPT_PCI_VENDOR << 16 | SPT_PCI_DEVICE))
        return FALSE;
    spt_eq(x, SPT_CTX_FIND, "GetBusData: BAR 0 is AccessRanges[0]",
           pci.u.type0.BaseAddresses[0] & PCI_BAR_MEM_MASK, x->x_mem_bar);
    spt_eq(x, SPT_CTX_FIND, "GetBusData: BAR 1 is AccessRanges[1]",
           pci.u.type0.BaseAddresses[1] & PCI_BAR_IO_MASK, x->x_io_bar);
    identify_enable(x, &pci);
    return TRUE;
}

static BOOLEAN name_is(const char *want, UCHAR (*rd)(struct spt_ext *, ULONG), struct spt_ext *x)
{
    size_t n = strlen(want);

    for (size_t i = 0; i <= n; i++)
        if (rd(x, SPT_REG_NAME + (ULONG)i) != (UCHAR)want[i])
            return FALSE;
    return TRUE;
}

static UCHAR reg_read(struct spt_ext *x, ULONG off)
{
    return ScsiPortReadRegisterUchar(x->x_regs + off);
}

static UCHAR port_read(struct spt_ext *x, ULONG off)
{
    return ScsiPortReadPortUchar(x->x_ports + off);
}

/* Map both BARs and ask the device its test names through each. */
static BOOLEAN identify_device(struct spt_ext *x)
{
    SCSI_PHYSICAL_ADDRESS a;
    BOOLEAN ok;

    a.QuadPart = (LONGLONG)x->x_mem_bar;
    x->x_regs = ScsiPortGetDeviceBase(x, PCIBus, x->x_bus, a, SPT_MEM_BAR_LEN, FALSE);
    a.QuadPart = (LONGLONG)x->x_io_bar;
    x->x_ports = ScsiPortGetDeviceBase(x, PCIBus, x->x_bus, a, SPT_IO_BAR_LEN, TRUE);
    if (!spt_true(x, SPT_CTX_FIND, "GetDeviceBase maps both BARs", x->x_regs && x->x_ports))
        return FALSE;
    /* One selected test for the whole device: select through a BAR, read it back there. */
    ScsiPortWriteRegisterUchar(x->x_regs + SPT_REG_TEST, 0);
    ok = spt_true(x, SPT_CTX_FIND, "the memory BAR answers \"" SPT_MMIO_NAME "\"",
                  name_is(SPT_MMIO_NAME, reg_read, x));
    ScsiPortWritePortUchar(x->x_ports + SPT_REG_TEST, 0);
    return spt_true(x, SPT_CTX_FIND, "the I/O BAR answers \"" SPT_PORTIO_NAME "\"",
                    name_is(SPT_PORTIO_NAME, port_read, x)) && ok;
}

/* Is this our pci-testdev?  The ranges are validated before they are mapped. */
BOOLEAN spt_identify(struct spt_ext *x, PPORT_CONFIGURATION_INFORMATION cfg)
{
    if (!identify_ranges(x, cfg) || !identify_config(x))
        return FALSE;
    checks_find(x);
    return identify_device(x);
}

/* ---- the extensions ------------------------------------------------------------------- */

/* The uncached extension and the device extension, by physical address and back. */
void spt_checks_uncached(struct spt_ext *x, UCHAR ctx)
{
    PUCHAR va = x->x_uncached + UNCACHED_PROBE;
    SCSI_PHYSICAL_ADDRESS pa;
    ULONGLONG p;

    p = gpa_ext(x, ctx, "GetPhysicalAddress(NULL, uncached+5000): Length to its end",
                "GetPhysicalAddress(NULL, uncached) without NeedPhys -> 0, 0",
                va, SPT_UNCACHED_SIZE - UNCACHED_PROBE);
    gpa_ext(x, ctx, "GetPhysicalAddress(NULL, device extension+8): Length to its end",
            "GetPhysicalAddress(NULL, device ext) without NeedPhys -> 0, 0",
            (PUCHAR)x + 8, sizeof(*x) - 8);
    if (!p)
        return;
    pa.QuadPart = (LONGLONG)p;
    spt_true(x, ctx, "GetVirtualAddress(PA of uncached+5000) round trip",
             ScsiPortGetVirtualAddress(x, pa) == va);
    pa.QuadPart = (LONGLONG)(p - UNCACHED_PROBE + SPT_UNCACHED_SIZE);
    spt_refused.virtaddr++;
    spt_true(x, ctx, "GetVirtualAddress(PA just past the uncached extension) = NULL",
             ScsiPortGetVirtualAddress(x, pa) == NULL);
}

/* Routines only HwFindAdapter may call, called from elsewhere. */
void spt_checks_outside(struct spt_ext *x, UCHAR ctx)
{
    BOOLEAN got = validate(x, PCIBus, x->x_mem_bar, SPT_MEM_BAR_LEN, FALSE);

    if (!got)
        spt_refused.validate_outside++;
    spt_eq(x, ctx, "ValidateRange(own memory BAR) outside HwFindAdapter = FALSE", got, FALSE);
    device_base_refused(x, ctx, "GetDeviceBase outside HwFindAdapter = NULL", x->x_mem_bar,
                        SPT_MEM_BAR_LEN, FALSE);
}

/* ---- HwStartIo: SPT_CMD_CHECKS -------------------------------------------------------- */

static void startio_data(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR c = SPT_CTX_STARTIO;
    PUCHAR buf = srb->DataBuffer;
    ULONG dtl = srb->DataTransferLength;

    gpa_len(x, c, "GetPhysicalAddress(Srb, DataBuffer): Length = DataTransferLength",
            srb, buf, dtl);
    gpa_len(x, c, "GetPhysicalAddress(Srb, last byte of DataBuffer): Length 1",
            srb, buf + dtl - 1, 1);
    spt_true(x, c, "GetPhysicalAddress(Srb, DataBuffer, Length NULL) translates",
             gpa(x, x, srb, buf, NULL).QuadPart != 0);
    gpa_refused(x, c, "GetPhysicalAddress(Srb, DataBuffer+DataTransferLength) -> 0, 0",
                x, srb, buf + dtl);
    gpa_refused(x, c, "GetPhysicalAddress(Srb, device extension) -> 0, 0", x, srb, x);
    gpa_refused(x, c, "GetPhysicalAddress(NULL, DataBuffer) -> 0, 0", x, NULL, buf);
    gpa_refused(x, c, "GetPhysicalAddress(NULL, NULL) -> 0, 0", x, NULL, NULL);
}

static void startio_bad_srbs(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR c = SPT_CTX_STARTIO;
    PUCHAR buf = srb->DataBuffer;

    gpa_refused(x, c, "GetPhysicalAddress(an SRB the port never gave) -> 0, 0",
                x, &x->x_fake_srb, buf);
    gpa_refused(x, c, "GetPhysicalAddress(Srb+4: inside an SRB) -> 0, 0",
                x, (PSCSI_REQUEST_BLOCK)((PUCHAR)srb + 4), buf);
    if (x->x_last_srb && x->x_last_srb != srb)
        gpa_refused(x, c, "GetPhysicalAddress(a completed SRB) -> 0, 0", x, x->x_last_srb, buf);
    else
        spt_result(x, c, SPT_SKIP, "GetPhysicalAddress(a completed SRB): none distinct", 0, 0);
    gpa_refused(x, c, "GetPhysicalAddress(bogus device extension) -> 0, 0",
                x->x_scratch, NULL, x->x_uncached);
}

static void startio_sense_srbext(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR c = SPT_CTX_STARTIO;
    PUCHAR ext = srb->SrbExtension;
    ULONGLONG pa;

    if (spt_true(x, c, "the request carries a sense buffer", srb->SenseInfoBuffer != NULL))
        gpa_len(x, c, "GetPhysicalAddress(Srb, SenseInfoBuffer): its length", srb,
                srb->SenseInfoBuffer, srb->SenseInfoBufferLength);
    if (!spt_true(x, c, "SrbExtension is set", ext != NULL))
        return;
    if (x->x_var->need_phys)
        gpa_len(x, c, "GetPhysicalAddress(Srb, SrbExtension+8): Length to its end", srb,
                ext + SRBEXT_PROBE, SPT_SRBEXT_SIZE - SRBEXT_PROBE);
    else
        gpa_refused(x, c, "GetPhysicalAddress(Srb, SrbExtension) without NeedPhys -> 0, 0",
                    x, srb, ext + SRBEXT_PROBE);
    pa = gpa_ext(x, c, "GetPhysicalAddress(NULL, SrbExtension+8): Length to its end",
                 "GetPhysicalAddress(NULL, SrbExtension) without NeedPhys -> 0, 0",
                 ext + SRBEXT_PROBE, SPT_SRBEXT_SIZE - SRBEXT_PROBE);
    if (pa) {
        SCSI_PHYSICAL_ADDRESS p;
        p.QuadPart = (LONGLONG)pa;
        spt_true(x, c, "GetVirtualAddress(PA of SrbExtension+8) round trip",
                 ScsiPortGetVirtualAddress(x, p) == ext + SRBEXT_PROBE);
    }
}

static void startio_lu(struct spt_ext *x)
{
    const UCHAR c = SPT_CTX_STARTIO;
    struct spt_lu *lu = ScsiPortGetLogicalUnit(x, 0, 0, 0);

    if (!spt_true(x, c, "GetLogicalUnit(0,0,0): the LU extension, signed", lu &&
                  lu->lu_signature == SPT_LU_SIGNATURE))
        return;
    spt_true(x, c, "GetLogicalUnit(0,0,0) twice: the same pointer",
             ScsiPortGetLogicalUnit(x, 0, 0, 0) == lu);
    spt_true(x, c, "GetLogicalUnit(0,1,0), no device there = NULL",
             ScsiPortGetLogicalUnit(x, 0, 1, 0) == NULL);
    spt_true(x, c, "GetLogicalUnit(1,0,0), no such path = NULL",
             ScsiPortGetLogicalUnit(x, 1, 0, 0) == NULL);
    spt_true(x, c, "GetLogicalUnit(0,0,1), no such LUN = NULL",
             ScsiPortGetLogicalUnit(x, 0, 0, 1) == NULL);
    gpa_ext(x, c, "GetPhysicalAddress(NULL, LU extension+4): Length to its end",
            "GetPhysicalAddress(NULL, LU extension) without NeedPhys -> 0, 0",
            (PUCHAR)lu + LUEXT_PROBE, SPT_LUEXT_SIZE - LUEXT_PROBE);
}

static void startio_get_srb(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR c = SPT_CTX_STARTIO;
    UCHAR tag = srb->QueueTag;
    BOOLEAN want_tag = srb->Cdb[2] && x->x_var->tagged;

    spt_eq(x, c, want_tag ? "tagged request: QueueTag assigned (not SP_UNTAGGED)"
                          : "untagged request: QueueTag SP_UNTAGGED",
           tag != SP_UNTAGGED, want_tag);
    spt_true(x, c, "GetSrb(0,0,0, its QueueTag) = the request",
             ScsiPortGetSrb(x, 0, 0, 0, tag) == srb);
    if (tag == SP_UNTAGGED) {
        spt_true(x, c, "GetSrb(0,0,1, SP_UNTAGGED), another LUN = NULL",
                 ScsiPortGetSrb(x, 0, 0, 1, SP_UNTAGGED) == NULL);
        spt_true(x, c, "GetSrb(0,0,0, tag 7), no tagged request = NULL",
                 ScsiPortGetSrb(x, 0, 0, 0, 7) == NULL);
    } else {
        spt_true(x, c, "GetSrb(0,0,0, SP_UNTAGGED) for a tagged request = NULL",
                 ScsiPortGetSrb(x, 0, 0, 0, SP_UNTAGGED) == NULL);
        spt_true(x, c, "GetSrb(0,0,0, another tag) = NULL",
                 ScsiPortGetSrb(x, 0, 0, 0, tag % 200 + 1) == NULL);
        spt_true(x, c, "GetSrb(0,0,0, tag 0x1000), out of range = NULL",
                 ScsiPortGetSrb(x, 0, 0, 0, 0x1000) == NULL);
    }
}

/* Notifications and completions that must not touch the request. */
static void startio_notify(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR c = SPT_CTX_STARTIO;
    UCHAR tag = srb->QueueTag;

    ScsiPortNotification(RequestComplete, x, &x->x_fake_srb);
    ScsiPortNotification(RequestComplete, x, (PSCSI_REQUEST_BLOCK)((PUCHAR)srb + 4));
    spt_refused.notify_bad_srb += 2;
    ScsiPortNotification(RequestComplete, x->x_scratch, srb);
    spt_refused.bad_ext++;
    spt_true(x, c, "RequestComplete(bogus SRBs, bogus extension) ignored",
             ScsiPortGetSrb(x, 0, 0, 0, tag) == srb);
    ScsiPortCompleteRequest(x, 0, 0, 1, SRB_STATUS_ABORTED);
    ScsiPortCompleteRequest(x, 1, SP_UNTAGGED, SP_UNTAGGED, SRB_STATUS_ABORTED);
    ScsiPortCompleteRequest(x, SP_UNTAGGED, 2, SP_UNTAGGED, SRB_STATUS_ABORTED);
    spt_true(x, c, "CompleteRequest(other LUN / path / target) leaves the request",
             ScsiPortGetSrb(x, 0, 0, 0, tag) == srb);
}

static void startio_misc(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    const UCHAR c = SPT_CTX_STARTIO;
    LARGE_INTEGER t0, t1;
    ULONGLONG dt;
    UCHAR i;

    ScsiPortQuerySystemTime(&t0);
    ScsiPortStallExecution(STALL_US);
    ScsiPortQuerySystemTime(&t1);
    dt = (ULONGLONG)(t1.QuadPart - t0.QuadPart);
    spt_true(x, c, "StallExecution(10 ms): 10 ms to 1 s by QuerySystemTime",
             dt >= STALL_US * NT_TICKS_PER_US && dt < 100 * STALL_US * NT_TICKS_PER_US);
    spt_eq(x, c, "ConvertUlongToPhysicalAddress(0x89ABCDEF): zero-extended",
           (ULONGLONG)ScsiPortConvertUlongToPhysicalAddress(0x89ABCDEFu).QuadPart,
           0x89ABCDEFull);
    for (i = 0; i < sizeof(x->x_scratch); i++)
        x->x_scratch[i] = i;
    ScsiPortMoveMemory(x->x_scratch + 4, x->x_scratch, 32);
    ScsiPortMoveMemory(x->x_scratch, x->x_scratch + 6, 32);
    spt_true(x, c, "MoveMemory overlapping, both directions",
             x->x_scratch[0] == 2 && x->x_scratch[29] == 31 && x->x_scratch[31] == 37 &&
             x->x_scratch[39] == 39);
    ScsiPortLogError(x, srb, 0, 0, 0, SP_INTERNAL_ADAPTER_ERROR, 0x5350C0DEu);
}

void spt_checks_startio(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    spt_checks_outside(x, SPT_CTX_STARTIO);
    startio_data(x, srb);
    startio_bad_srbs(x, srb);
    startio_sense_srbext(x, srb);
    startio_lu(x);
    startio_get_srb(x, srb);
    startio_notify(x, srb);
    startio_misc(x, srb);
    spt_checks_uncached(x, SPT_CTX_STARTIO);
}

/* ---- HwStartIo: SPT_CMD_WALK ---------------------------------------------------------- */

/* A scatter/gather list as a bus-master miniport builds one: Length by Length. */
void spt_walk(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    struct spt_walk w;
    PUCHAR buf = srb->DataBuffer;
    ULONG off = 0, len;

    memset(&w, 0, sizeof(w));
    w.magic = SPT_WALK_MAGIC;
    while (off < srb->DataTransferLength && w.count < SPT_WALK_MAX) {
        SCSI_PHYSICAL_ADDRESS pa = gpa(x, x, srb, buf + off, &len);
        struct spt_run *r = &w.run[w.count++];
        r->offset = off;
        r->length = pa.QuadPart ? len : 0;
        r->pa = (ULONGLONG)pa.QuadPart;
        if (!r->length)
            break;
        off += len;
    }
    w.end = off;
    memcpy(buf, &w, sizeof(w) < srb->DataTransferLength ? sizeof(w) : srb->DataTransferLength);
}

/* ---- HwStartIo: SPT_CMD_BUSDATA ------------------------------------------------------- */

static ULONG bus_read(struct spt_ext *x, ULONG slot, PVOID buf, ULONG len)
{
    return ScsiPortGetBusData(x, PCIConfiguration, x->x_bus, slot, buf, len);
}

static ULONG bus_write(struct spt_ext *x, ULONG slot, UCHAR v, ULONG off)
{
    return ScsiPortSetBusDataByOffset(x, PCIConfiguration, x->x_bus, slot, &v, off, 1);
}

static void busdata_reads(struct spt_ext *x, ULONG empty)
{
    const UCHAR c = SPT_CTX_STARTIO;
    UCHAR cfg[256];
    PPCI_COMMON_CONFIG p = NULL;
    ULONG n;

    memset(cfg, 0, sizeof(cfg));
    n = bus_read(x, empty, cfg, sizeof(cfg));
    spt_eq(x, c, "GetBusData(empty slot) returns 2", n, 2);
    spt_eq(x, c, "GetBusData(empty slot): PCI_INVALID_VENDORID", *(PUSHORT)cfg,
           PCI_INVALID_VENDORID);
    n = bus_read(x, x->x_slot, &p, 0);
    spt_true(x, c, "GetBusData(Length 0): size and a port-allocated buffer",
             n >= PCI_COMMON_HDR_LENGTH && p != NULL);
    if (p)
        spt_eq(x, c, "GetBusData(Length 0): the buffer holds 1b36:0005",
               (ULONG)p->VendorID << 16 | p->DeviceID,
               (ULONG)SPT_PCI_VENDOR << 16 | SPT_PCI_DEVICE);
    spt_eq(x, c, "GetBusData(Cmos: not this port's bus data) returns 0",
           ScsiPortGetBusData(x, Cmos, 0, 0, cfg, 16), 0);
}

/* The Interrupt Line register: written, read back, restored. */
static void busdata_writes(struct spt_ext *x, ULONG empty)
{
    const UCHAR c = SPT_CTX_STARTIO;
    UCHAR cfg[PCI_COMMON_HDR_LENGTH], orig, v;

    bus_read(x, x->x_slot, cfg, sizeof(cfg));
    orig = cfg[INTR_LINE];
    v = orig ^ 0x5A;
    spt_eq(x, c, "SetBusDataByOffset(Interrupt Line) writes 1 byte",
           bus_write(x, x->x_slot, v, INTR_LINE), 1);
    bus_read(x, x->x_slot, cfg, sizeof(cfg));
    spt_eq(x, c, "GetBusData reads the new Interrupt Line back", cfg[INTR_LINE], v);
    bus_write(x, x->x_slot, orig, INTR_LINE);
    bus_read(x, x->x_slot, cfg, sizeof(cfg));
    spt_eq(x, c, "Interrupt Line restored", cfg[INTR_LINE], orig);
    spt_eq(x, c, "SetBusDataByOffset(offset 256) writes nothing",
           bus_write(x, x->x_slot, v, 256), 0);
    spt_eq(x, c, "SetBusDataByOffset(empty slot) writes nothing",
           bus_write(x, empty, v, INTR_LINE), 0);
}

void spt_checks_busdata(struct spt_ext *x, PSCSI_REQUEST_BLOCK srb)
{
    busdata_reads(x, srb->Cdb[2]);
    busdata_writes(x, srb->Cdb[2]);
}

/* ---- a request the miniport kept, from HwInterrupt, HwTimer or HwResetBus ------------- */

void spt_checks_held(struct spt_ext *x, UCHAR ctx, PSCSI_REQUEST_BLOCK held)
{
    UCHAR tag = held->QueueTag;

    spt_checks_outside(x, ctx);
    spt_true(x, ctx, "GetSrb(its address, its QueueTag) = the kept request",
             ScsiPortGetSrb(x, held->PathId, held->TargetId, held->Lun, tag) == held);
    ScsiPortCompleteRequest(x, held->PathId, held->TargetId, (UCHAR)(held->Lun + 1),
                            SRB_STATUS_BUS_RESET);
    spt_true(x, ctx, "CompleteRequest(another LUN) leaves the kept request",
             ScsiPortGetSrb(x, held->PathId, held->TargetId, held->Lun, tag) == held);
    if (held->DataTransferLength)
        gpa_len(x, ctx, "GetPhysicalAddress(kept Srb, DataBuffer) outside HwStartIo",
                held, held->DataBuffer, held->DataTransferLength);
}
