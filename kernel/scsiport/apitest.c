/*
 * `selftest ddkabi`: the simple ScsiPort routines (api.c, apilog.c,
 * systime.c) called as a miniport calls them, each result checked against
 * the kernel's own path to the same thing:
 *
 *  - port accessors on the PCI configuration mechanism #1 (0xCF8/0xCFC),
 *    compared with pci_read*() (ECAM on q35), and on the Interrupt Line
 *    register of 00:00.0 - a read/write scratch byte for software (PCI 3.0,
 *    6.2.4) - as a write target, restored afterwards.  If that byte does
 *    not hold a value on this machine, the write checks are skipped;
 *  - register accessors on a freshly allocated RAM page, each width and
 *    each buffer form, with guard bytes around what is written;
 *  - the two address conversions called from assembly, to see the NT ABI
 *    itself: stdcall (the callee pops), the 64-bit result in EDX:EAX;
 *  - ScsiPortQuerySystemTime: monotonic, advancing with stall(), and a
 *    plausible RTC date, printed so the host can compare it with its own
 *    clock;
 *  - ScsiPortMoveMemory with overlaps both ways;
 *  - ScsiDebugPrint with the DDK's %I64 forms (the host reads the line);
 *  - with an adapter present: LogError counting, ValidateRange refused
 *    outside HwFindAdapter, the subordinate-DMA refusals.
 * Interrupts are off while 0xCF8 is borrowed, and it is put back.
 */
#include "port.h"
#include "selftest.h"
#include "nttime.h"
#include "report.h"
#include "console.h"
#include "string.h"
#include "heap.h"
#include "time.h"
#include "pci.h"
#include "io.h"

#define G               "ddkabi"
#define PCI_CFG_ADDR    0xCF8
#define PCI_CFG_DATA    0xCFC
#define PCI_CFG_ENABLE  0x80000000u
#define PCI_INTR_LINE   0x3C        /* Interrupt Line (R/W), then Interrupt Pin (RO) */
#define GUARD           0xA5

static uint32_t cfg_addr(unsigned reg)
{
    return PCI_CFG_ENABLE | (reg & 0xFC);   /* bus 0, device 0, function 0 */
}

/* ---- port accessors --------------------------------------------------------------- */

struct cfg_reads {
    USHORT vendor, device;
    UCHAR vendor_lo;
    ULONG dword, addr_back;
    USHORT buf16[4];
    UCHAR buf8[6];
    ULONG buf32[4];
};

/* Reads of 00:00.0's ID through the port accessors; 0xCF8 restored. */
static void cfg_read_ids(struct cfg_reads *r)
{
    uint32_t flags = irq_save(), saved = inl(PCI_CFG_ADDR);

    ScsiPortWritePortUlong((PULONG)PCI_CFG_ADDR, cfg_addr(0));
    r->addr_back = ScsiPortReadPortUlong((PULONG)PCI_CFG_ADDR);
    r->vendor = ScsiPortReadPortUshort((PUSHORT)PCI_CFG_DATA);
    r->device = ScsiPortReadPortUshort((PUSHORT)(PCI_CFG_DATA + 2));
    r->vendor_lo = ScsiPortReadPortUchar((PUCHAR)PCI_CFG_DATA);
    r->dword = ScsiPortReadPortUlong((PULONG)PCI_CFG_DATA);
    ScsiPortReadPortBufferUshort((PUSHORT)PCI_CFG_DATA, r->buf16, 3);
    ScsiPortReadPortBufferUchar((PUCHAR)PCI_CFG_DATA, r->buf8, 4);
    ScsiPortReadPortBufferUlong((PULONG)PCI_CFG_DATA, r->buf32, 3);
    outl(PCI_CFG_ADDR, saved);
    irq_restore(flags);
}

static void check_port_reads(void)
{
    struct cfg_reads r;
    uint32_t id = pci_read32(0, 0, 0, 0);
    bool ok16 = true, ok8 = true, ok32 = true;

    memset(&r, GUARD, sizeof(r));
    cfg_read_ids(&r);
    test_check(r.addr_back == cfg_addr(0), G, "ReadPortUlong(0xcf8) reads back WritePortUlong: "
               "0x%08lx", r.addr_back);
    test_check(r.vendor == (id & 0xFFFF) && r.device == id >> 16, G,
               "ReadPortUshort: 00:00.0 is %04x:%04x, pci_read32 says %04x:%04x",
               r.vendor, r.device, (unsigned)(id & 0xFFFF), (unsigned)(id >> 16));
    test_check(r.vendor_lo == (id & 0xFF), G, "ReadPortUchar: 0x%02x", r.vendor_lo);
    test_check(r.dword == id, G, "ReadPortUlong: 0x%08lx", r.dword);
    for (int i = 0; i < 3; i++) {
        ok16 &= r.buf16[i] == (id & 0xFFFF);
        ok32 &= r.buf32[i] == id;
    }
    for (int i = 0; i < 4; i++)
        ok8 &= r.buf8[i] == (id & 0xFF);
    test_check(ok16 && r.buf16[3] == 0xA5A5, G, "ReadPortBufferUshort: 3 reads of one port, "
               "4th element untouched");
    test_check(ok8 && r.buf8[4] == GUARD, G, "ReadPortBufferUchar: 4 reads, 5th untouched");
    test_check(ok32 && r.buf32[3] == 0xA5A5A5A5u, G, "ReadPortBufferUlong: 3 reads, "
               "4th untouched");
}

/* Write v to the Interrupt Line byte with the accessor `how`, read it back raw. */
enum { W8, W16, W32, WB8, WB16 };

static uint8_t intr_line_write(int how, uint8_t v)
{
    uint16_t pin = pci_read8(0, 0, 0, PCI_INTR_LINE + 1);
    uint32_t upper = pci_read32(0, 0, 0, PCI_INTR_LINE) & 0xFFFFFF00u;
    UCHAR b8[3] = { (UCHAR)~v, 0x11, v };
    USHORT b16[3] = { 0x1111, 0x2222, (USHORT)(pin << 8 | v) };
    uint32_t flags = irq_save(), saved = inl(PCI_CFG_ADDR);
    uint8_t back;

    outl(PCI_CFG_ADDR, cfg_addr(PCI_INTR_LINE));
    switch (how) {
    case W8:   ScsiPortWritePortUchar((PUCHAR)PCI_CFG_DATA, v); break;
    case W16:  ScsiPortWritePortUshort((PUSHORT)PCI_CFG_DATA, (USHORT)(pin << 8 | v)); break;
    case W32:  ScsiPortWritePortUlong((PULONG)PCI_CFG_DATA, upper | v); break;
    case WB8:  ScsiPortWritePortBufferUchar((PUCHAR)PCI_CFG_DATA, b8, 3); break;
    case WB16: ScsiPortWritePortBufferUshort((PUSHORT)PCI_CFG_DATA, b16, 3); break;
    }
    back = inb(PCI_CFG_DATA);
    outl(PCI_CFG_ADDR, saved);
    irq_restore(flags);
    return back;
}

/* Write form of the buffer routine: the last of three addresses sticks. */
static void check_port_buffer_ulong_write(void)
{
    ULONG seq[3] = { cfg_addr(0), cfg_addr(8), cfg_addr(PCI_INTR_LINE) };
    uint32_t flags = irq_save(), saved = inl(PCI_CFG_ADDR), back;

    ScsiPortWritePortBufferUlong((PULONG)PCI_CFG_ADDR, seq, 3);
    back = inl(PCI_CFG_ADDR);
    outl(PCI_CFG_ADDR, saved);
    irq_restore(flags);
    test_check(back == seq[2], G, "WritePortBufferUlong(0xcf8, 3 values): last one holds "
               "(0x%08x)", (unsigned)back);
}

static void check_port_writes(void)
{
    static const char *const names[] = { "WritePortUchar", "WritePortUshort",
                                         "WritePortUlong", "WritePortBufferUchar",
                                         "WritePortBufferUshort" };
    static const uint8_t values[] = { 0x5A, 0xA7, 0x3C, 0x77, 0x66 };
    uint8_t orig = pci_read8(0, 0, 0, PCI_INTR_LINE), flipped = (uint8_t)~orig;

    check_port_buffer_ulong_write();
    pci_write8(0, 0, 0, PCI_INTR_LINE, flipped);
    if (pci_read8(0, 0, 0, PCI_INTR_LINE) != flipped) {
        test_skip(G, "port writes: 00:00.0's Interrupt Line holds no value here");
        return;
    }
    for (int how = W8; how <= WB16; how++) {
        uint8_t back = intr_line_write(how, values[how]);
        test_check(back == values[how], G, "%s to 00:00.0 Interrupt Line: wrote 0x%02x, "
                   "read 0x%02x", names[how], values[how], back);
    }
    pci_write8(0, 0, 0, PCI_INTR_LINE, orig);
    test_check(pci_read8(0, 0, 0, PCI_INTR_LINE) == orig, G, "Interrupt Line restored");
}

static void check_bad_port(void)
{
    UCHAR b[2] = { 0, GUARD };

    test_check(ScsiPortReadPortUchar((PUCHAR)0xFEBF0000u) == 0xFF, G,
               "ReadPortUchar on a memory address: refused, 0xff");
    ScsiPortReadPortBufferUchar((PUCHAR)0x12345678u, b, 1);
    test_check(b[0] == 0xFF && b[1] == GUARD, G,
               "ReadPortBufferUchar on a memory address: refused, buffer 0xff");
}

/* ---- register accessors ------------------------------------------------------------ */

static bool all_are(const uint8_t *p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static void check_register_single(uint8_t *page)
{
    memset(page, GUARD, 64);
    ScsiPortWriteRegisterUchar(page + 1, 0x12);
    ScsiPortWriteRegisterUshort((PUSHORT)(page + 4), 0x3456);
    ScsiPortWriteRegisterUlong((PULONG)(page + 8), 0x789ABCDEu);
    test_check(page[0] == GUARD && page[1] == 0x12 && page[2] == GUARD, G,
               "WriteRegisterUchar: one byte");
    test_check(page[4] == 0x56 && page[5] == 0x34 && page[6] == GUARD && page[3] == GUARD, G,
               "WriteRegisterUshort: two bytes, little-endian");
    test_check(page[8] == 0xDE && page[11] == 0x78 && page[12] == GUARD && page[7] == GUARD, G,
               "WriteRegisterUlong: four bytes, little-endian");
    test_check(ScsiPortReadRegisterUchar(page + 1) == 0x12 &&
               ScsiPortReadRegisterUshort((PUSHORT)(page + 4)) == 0x3456 &&
               ScsiPortReadRegisterUlong((PULONG)(page + 8)) == 0x789ABCDEu, G,
               "ReadRegisterUchar/Ushort/Ulong read them back");
}

/* Buffer forms: a run of registers <-> buffer, guards on both sides. */
static void check_register_buffers(uint8_t *page)
{
    uint8_t *reg = page + 0x100, *buf = page + 0x800;
    static const char *const w[] = { "WriteRegisterBufferUchar", "WriteRegisterBufferUshort",
                                     "WriteRegisterBufferUlong" };
    static const char *const r[] = { "ReadRegisterBufferUchar", "ReadRegisterBufferUshort",
                                     "ReadRegisterBufferUlong" };
    static const ULONG counts[] = { 37, 19, 11 };

    for (int k = 0; k < 3; k++) {
        ULONG n = counts[k], bytes = n << k;
        memset(page, GUARD, 4096);
        for (ULONG i = 0; i < bytes; i++)
            buf[i] = (uint8_t)(i * 7 + k + 1);
        if (k == 0) ScsiPortWriteRegisterBufferUchar(reg, buf, n);
        if (k == 1) ScsiPortWriteRegisterBufferUshort((PUSHORT)reg, (PUSHORT)buf, n);
        if (k == 2) ScsiPortWriteRegisterBufferUlong((PULONG)reg, (PULONG)buf, n);
        test_check(memcmp(reg, buf, bytes) == 0 && reg[-1] == GUARD && reg[bytes] == GUARD,
                   G, "%s: %lu elements copied, nothing around them", w[k], n);
        memset(buf, GUARD, bytes + 1);
        if (k == 0) ScsiPortReadRegisterBufferUchar(reg, buf, n);
        if (k == 1) ScsiPortReadRegisterBufferUshort((PUSHORT)reg, (PUSHORT)buf, n);
        if (k == 2) ScsiPortReadRegisterBufferUlong((PULONG)reg, (PULONG)buf, n);
        test_check(memcmp(reg, buf, bytes) == 0 && buf[bytes] == GUARD &&
                   all_are(page, 0x100, GUARD), G, "%s: %lu elements back", r[k], n);
    }
}

static void check_registers(void)
{
    uint8_t *page = dma_alloc(4096);

    if (!page) {
        test_fail(G, "register accessors: no page: dma_alloc failed");
        return;
    }
    check_register_single(page);
    check_register_buffers(page);
    dma_free(page, 4096);
}

/* ---- the NT ABI of the conversions ------------------------------------------------- */

/* stdcall, one ULONG argument, SCSI_PHYSICAL_ADDRESS back in EDX:EAX. */
static uint64_t call_ulong_to_pa(ULONG v, uint32_t *popped)
{
    void *fn = (void *)ScsiPortConvertUlongToPhysicalAddress;
    uint32_t lo, hi, before, after;

    __asm__ volatile("movl %%esp, %2\n\t"
                     "pushl %5\n\t"
                     "call *%4\n\t"
                     "movl %%esp, %3"
                     : "=a"(lo), "=d"(hi), "=&S"(before), "=&D"(after), "+c"(fn)
                     : "b"(v) : "memory", "cc");
    *popped = after - before;           /* 0 when the callee popped its argument */
    return (uint64_t)hi << 32 | lo;
}

/* stdcall, the 8-byte union by value on the stack, ULONG back in EAX. */
static uint32_t call_pa_to_ulong(uint32_t lo, uint32_t hi, uint32_t *popped)
{
    void *fn = (void *)(ScsiPortConvertPhysicalAddressToUlong);
    uint32_t r, before, after;

    __asm__ volatile("movl %%esp, %1\n\t"
                     "pushl %4\n\t"
                     "pushl %5\n\t"
                     "call *%3\n\t"
                     "movl %%esp, %2"
                     : "=a"(r), "=&S"(before), "=&D"(after), "+c"(fn), "+d"(hi)
                     : "b"(lo) : "memory", "cc");
    *popped = after - before;
    return r;
}

static void check_conversions(void)
{
    static const ULONG vals[] = { 0, 1, 0x7FFFFFFFu, 0x80000000u, 0xFEDCBA98u, 0xFFFFFFFFu };
    SCSI_PHYSICAL_ADDRESS pa;
    bool ok = true, abi = true;
    uint32_t popped;

    for (unsigned i = 0; i < ARRAY_SIZE(vals); i++) {
        pa = ScsiPortConvertUlongToPhysicalAddress(vals[i]);
        ok &= pa.QuadPart == (LONGLONG)vals[i] && pa.HighPart == 0 && pa.LowPart == vals[i];
        ok &= (ScsiPortConvertPhysicalAddressToUlong)(pa) == vals[i];
        abi &= call_ulong_to_pa(vals[i], &popped) == vals[i] && popped == 0;
    }
    test_check(ok, G, "ConvertUlongToPhysicalAddress zero-extends; round trip through "
               "ConvertPhysicalAddressToUlong");
    test_check(abi, G, "ConvertUlongToPhysicalAddress: EDX:EAX, stdcall (callee pops 4)");
    pa.QuadPart = 0x00000009ABCDEF01ll;
    test_check((ScsiPortConvertPhysicalAddressToUlong)(pa) == 0xABCDEF01u &&
               ScsiPortConvertPhysicalAddressToUlong(pa) == 0xABCDEF01u, G,
               "ConvertPhysicalAddressToUlong (export and macro) drop HighPart 9");
    test_check(call_pa_to_ulong(0x12345678u, 0xFFFFFFFFu, &popped) == 0x12345678u &&
               popped == 0, G, "ConvertPhysicalAddressToUlong: EAX, stdcall (callee pops 8)");
}

/* ---- time, memory, debug output ----------------------------------------------------- */

static void check_stall(void)
{
    uint64_t t0 = time_us();

    ScsiPortStallExecution(5000);
    test_check(time_us() - t0 >= 5000, G, "StallExecution(5000): %u us passed",
               (unsigned)(time_us() - t0));
}

static void check_system_time(void)
{
    LARGE_INTEGER a, b;
    struct civil_time t;
    bool rtc = systime_from_rtc();

    ScsiPortQuerySystemTime(&a);
    stall(2000);
    ScsiPortQuerySystemTime(&b);
    ScsiPortQuerySystemTime(NULL);
    test_check(b.QuadPart - a.QuadPart >= 20000 && b.QuadPart - a.QuadPart < 10000000, G,
               "QuerySystemTime advances with a 2 ms stall: %lu00 ns",
               (unsigned long)((b.QuadPart - a.QuadPart) / 100));
    nt_to_civil((uint64_t)b.QuadPart, &t);
    printf("ddkabi: system time %04u-%02u-%02u %02u:%02u:%02u UTC (NT 0x%llx)\n", t.year,
           t.mon, t.day, t.hour, t.min, t.sec, (unsigned long long)b.QuadPart);
    test_check(rtc && t.year >= 2020 && t.year <= 2100, G, "QuerySystemTime: RTC date, year "
               "%u%s", t.year, rtc ? "" : " (RTC unreadable)");
}

static void check_move_memory(void)
{
    char s[16];
    static char src[] = "abcdefgh";

    memcpy(s, "0123456789", 11);
    ScsiPortMoveMemory(s + 2, s, 6);        /* destination above the source */
    test_check(memcmp(s, "0101234589", 11) == 0, G, "MoveMemory, overlap upwards: %s", s);
    memcpy(s, "0123456789", 11);
    ScsiPortMoveMemory(s, s + 3, 6);        /* destination below the source */
    test_check(memcmp(s, "3456786789", 11) == 0, G, "MoveMemory, overlap downwards: %s", s);
    ScsiPortMoveMemory(s, src, 0);
    ScsiPortMoveMemory(s, src, sizeof(src));
    test_check(strcmp(s, src) == 0, G, "MoveMemory, apart; length 0 moves nothing");
}

static void check_debug_print(void)
{
    ScsiDebugPrint(0, "ddkabi: DebugPrint %I64x %I64u %s %d\n", 0x123456789ABCDEF0ull,
                   18446744073709551615ull, "str", -42);
    DebugPrint((1, "ddkabi: DebugPrint line one\nddkabi: DebugPrint line two\n"));
    DebugPrint((3, "ddkabi: DebugPrint level 3\n"));
    test_pass(G, "ScsiDebugPrint returned (the host checks its lines)");
}

/* ---- through an adapter --------------------------------------------------------------- */

static void check_with_adapter(void)
{
    struct sp_adapter *ad = sp_nadapters ? sp_adapters[0] : NULL;
    SCSI_REQUEST_BLOCK srb, copy;
    uint32_t logged;

    if (!ad) {
        test_skip(G, "LogError, ValidateRange, FlushDma, IoMapTransfer: no adapter");
        return;
    }
    logged = ad->errors_logged;
    ScsiPortLogError(ad->devext, NULL, 0, 3, 0, SP_BUS_TIME_OUT, 0x1234);
    test_check(ad->errors_logged == logged + 1, G, "%s: LogError counted", ad->name);
    test_check(!ScsiPortValidateRange(ad->devext, PCIBus, 0,
                                      ScsiPortConvertUlongToPhysicalAddress(0x300), 8, TRUE),
               G, "%s: ValidateRange outside HwFindAdapter: FALSE", ad->name);
    memset(&srb, 0x5C, sizeof(srb));
    copy = srb;
    ScsiPortFlushDma(ad->devext);
    ScsiPortIoMapTransfer(ad->devext, &srb, (PVOID)0x100000, 512);
    test_check(memcmp(&srb, &copy, sizeof(srb)) == 0, G,
               "%s: IoMapTransfer refused, SRB left alone", ad->name);
}

static void check_bad_extension(void)
{
    static uint32_t not_an_extension[4];

    ScsiPortLogError(not_an_extension, NULL, 0, 0, 0, SP_BUS_PARITY_ERROR, 1);
    ScsiPortFlushDma(not_an_extension);
    test_check(!ScsiPortValidateRange(not_an_extension, PCIBus, 0,
                                      ScsiPortConvertUlongToPhysicalAddress(0x300), 8, TRUE),
               G, "LogError, FlushDma, ValidateRange with a bad extension: refused");
}

void selftest_ddkabi(void)
{
    check_port_reads();
    check_port_writes();
    check_bad_port();
    check_registers();
    check_conversions();
    check_stall();
    check_system_time();
    check_move_memory();
    check_debug_print();
    check_bad_extension();
    check_with_adapter();
}
