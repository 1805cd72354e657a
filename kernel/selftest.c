/*
 * In-guest checks of the clock and of interrupt delivery, against clocks
 * the kernel does not use for time: the HPET main counter (IA-PC HPET 1.0a,
 * found through the ACPI HPET table) and the CMOS RTC (MC146818: seconds
 * register, periodic interrupt on IRQ 8).  With QEMU's "edu" PCI device
 * (-device edu; QEMU docs/specs/edu.rst) the PCI paths are checked too: a
 * level-triggered INTx line and an MSI, raised and acknowledged at will.
 *
 * Bounds are generous: QEMU's TCG on a loaded host is noisy, and a check
 * that flakes is worse than none.  Clock comparisons allow 10 %.  Interrupt
 * rates allow more below than above: when QEMU's vCPU thread is descheduled
 * for two periods, the emulated RTC and PIT drop the ticks it missed (their
 * lost-tick policy), which is the host's doing; extra ticks would be ours.
 * (At 64 Hz the RTC keeps every tick here; at 1 kHz QEMU dropped a fifth.)
 * Every wait is bounded twice, by the clock under test and by an iteration
 * count, so a broken clock fails a check instead of hanging the run.
 *
 * Also the `selftest` command, which runs these and the ScsiPort checks
 * (scsiport/apitest.c, scsiport/sptest_cmd.c); build/kernel.elf only.
 */
#include "selftest.h"
#include "shell.h"
#include "string.h"
#include "report.h"
#include "time.h"
#include "intr.h"
#include "acpi.h"
#include "vm.h"
#include "io.h"
#include "console.h"
#include "pci.h"

/* HPET registers. */
#define HPET_GCAP_ID        0x000   /* bits 63:32: counter period, fs */
#define HPET_PERIOD         0x004
#define HPET_GEN_CONF       0x010
#define   HPET_ENABLE_CNF       (1u << 0)
#define HPET_MAIN_CNT       0x0F0   /* low 32 bits */
#define HPET_REGS_LEN       0x400
#define HPET_MAX_PERIOD_FS  100000000u  /* spec: at most 100 ns */
#define FS_PER_US           1000000000ull

/* CMOS RTC. */
#define CMOS_INDEX          0x70
#define CMOS_DATA           0x71
#define RTC_SECONDS         0x00
#define RTC_REG_A           0x0A
#define   RTC_A_UIP             0x80    /* update in progress */
#define   RTC_A_RS_MASK         0x0F    /* periodic rate select */
#define   RTC_A_RS_64HZ         0x0A    /* 32768 >> (RS - 1) */
#define RTC_REG_B           0x0B
#define   RTC_B_PIE             0x40    /* periodic interrupt enable */
#define RTC_REG_C           0x0C        /* flags; reading clears them and the IRQ */
#define   RTC_C_PF              0x40    /* periodic interrupt flag */
#define RTC_IRQ             8
#define RTC_PERIODIC_HZ     64

/* QEMU edu device (1234:11e8), BAR 0 registers. */
#define EDU_VENDOR          0x1234
#define EDU_DEVICE          0x11e8
#define EDU_ID              0x00    /* 0x010000ed */
#define EDU_IRQ_STATUS      0x24
#define EDU_IRQ_RAISE       0x60    /* write: OR into the status, assert */
#define EDU_IRQ_ACK         0x64    /* write: clear bits; deassert at 0 */
#define EDU_REGS_LEN        0x100
#define EDU_LEVEL_REPEATS   3       /* deliveries left unacknowledged */
#define EDU_RAISES          20

#define SPIN_MAX            20000000u   /* iteration bound behind every clock-bounded wait */
#define RATE_WINDOW_US      200000
#define RATE_MAX_PPM        1000        /* calibrated to 100 ppm; the reads add a little */

/* ---- the HPET ------------------------------------------------------------ */

struct hpet {
    volatile uint8_t *regs;
    uint32_t period_fs;
};

static bool hpet_open(struct hpet *h)
{
    uint64_t pa = acpi_hpet_base();

    if (!pa || !(h->regs = vm_map_mmio(pa, HPET_REGS_LEN)))
        return false;
    h->period_fs = mmio_read32(h->regs + HPET_PERIOD);
    if (!h->period_fs || h->period_fs > HPET_MAX_PERIOD_FS) {
        vm_unmap_mmio((void *)h->regs, HPET_REGS_LEN);
        return false;
    }
    mmio_write32(h->regs + HPET_GEN_CONF,
                 mmio_read32(h->regs + HPET_GEN_CONF) | HPET_ENABLE_CNF);
    return true;
}

static uint32_t hpet_now(const struct hpet *h)
{
    return mmio_read32(h->regs + HPET_MAIN_CNT);
}

/* Microseconds between two counter reads (32-bit: fine for 42 s at 10 ns). */
static uint64_t hpet_us(const struct hpet *h, uint32_t from, uint32_t to)
{
    return (uint64_t)(uint32_t)(to - from) * h->period_fs / FS_PER_US;
}

/* ---- the CMOS RTC -------------------------------------------------------- */

static uint8_t cmos_read(uint8_t reg)
{
    uint32_t f = irq_save();
    uint8_t v;

    outb(CMOS_INDEX, reg);
    v = inb(CMOS_DATA);
    irq_restore(f);
    return v;
}

static void cmos_write(uint8_t reg, uint8_t v)
{
    uint32_t f = irq_save();

    outb(CMOS_INDEX, reg);
    outb(CMOS_DATA, v);
    irq_restore(f);
}

/* Seconds register, read outside an update. */
static uint8_t rtc_seconds(void)
{
    for (uint32_t i = 0; i < SPIN_MAX && (cmos_read(RTC_REG_A) & RTC_A_UIP); i++)
        ;
    return cmos_read(RTC_SECONDS);
}

/* Wait for the seconds to change; returns the clock then, 0 on timeout. */
static uint64_t rtc_edge(void)
{
    uint8_t s0 = rtc_seconds();
    struct deadline d = deadline_ms(1500);

    for (uint32_t i = 0; i < SPIN_MAX && !deadline_passed(&d); i++)
        if (rtc_seconds() != s0)
            return time_us();
    return 0;
}

/* ---- time checks --------------------------------------------------------- */

#define G "time"

static bool within(uint64_t v, uint64_t want, unsigned pct)
{
    return v * 100 >= want * (100 - pct) && v * 100 <= want * (100 + pct);
}

static void check_stall_by_hpet(const struct hpet *h)
{
    uint32_t a, b;
    uint64_t us;

    a = hpet_now(h);
    stall(2000000);
    b = hpet_now(h);
    us = hpet_us(h, a, b);
    test_check(within(us, 2000000, 10), G, "stall(2000000) took %u.%02u s by the HPET%s",
               (unsigned)(us / 1000000), (unsigned)(us / 10000 % 100),
               within(us, 2000000, 10) ? "" : ": want 1.80-2.20 s");
}

/* The HPET counts 2 s; time_ms() must advance by as much. */
static void check_clock_by_hpet(const struct hpet *h)
{
    uint64_t want = 2000000ull * FS_PER_US / h->period_fs, t0, ms;
    uint32_t a = hpet_now(h), i;

    t0 = time_ms();
    for (i = 0; i < 4 * SPIN_MAX && (uint32_t)(hpet_now(h) - a) < want; i++)
        pause();
    ms = time_ms() - t0;
    test_check(within(ms, 2000, 10), G, "time_ms() advanced %u ms while the HPET counted 2.00 s%s",
               (unsigned)ms, within(ms, 2000, 10) ? "" : ": want 1800-2200");
}

/* Three RTC second edges are 2 s apart. */
static void check_clock_by_rtc(void)
{
    uint64_t t0, t1 = 0;

    t0 = rtc_edge();
    if (t0 && rtc_edge())
        t1 = rtc_edge();
    if (!t0 || !t1) {
        test_fail(G, "RTC second edges: the seconds register did not change within 1.5 s");
        return;
    }
    t1 = (t1 - t0) / 1000;
    test_check(within(t1, 2000, 10), G, "time_ms() between RTC second edges 2 s apart: %u ms%s",
               (unsigned)t1, within(t1, 2000, 10) ? "" : ": want 1800-2200");
}

static void check_monotonic(void)
{
    uint64_t prev_us = time_us(), prev_ms = time_ms(), first = prev_us, us, ms;
    uint32_t back = 0, n = 200000;

    for (uint32_t i = 0; i < n; i++) {
        us = time_us();
        ms = time_ms();
        back += (us < prev_us) + (ms < prev_ms);
        prev_us = us;
        prev_ms = ms;
    }
    test_check(back == 0 && prev_us > first, G,
               "time_us()/time_ms() monotonic over %u reads each (%u went back, %u us elapsed)",
               n, back, (unsigned)(prev_us - first));
}

/* A 500 ms deadline is not passed at once, then passes after 450-550 ms. */
static void check_deadline(const struct hpet *h)
{
    struct deadline d = deadline_ms(500), z = deadline_us(0);
    bool early = deadline_passed(&d);
    uint32_t a = h ? hpet_now(h) : 0, i;
    uint64_t t0 = time_us(), us;

    for (i = 0; i < 4 * SPIN_MAX && !deadline_passed(&d); i++)
        pause();
    us = h ? hpet_us(h, a, hpet_now(h)) : time_us() - t0;
    test_check(!early && deadline_passed(&z) && deadline_passed(&d) && within(us, 500000, 10), G,
               "deadline_ms(500) expired after %u ms by the %s%s", (unsigned)(us / 1000),
               h ? "HPET" : "clock", early ? ": it had passed at once" :
               !within(us, 500000, 10) ? ": want 450-550" : "");
}

/* The HPET counter at the moment of a clock read: the middle of the tightest of a few brackets. */
static uint64_t clock_at_hpet(const struct hpet *h, uint32_t *at)
{
    uint32_t best = UINT32_MAX, a, b;
    uint64_t us = 0, t;

    *at = 0;
    for (int i = 0; i < 5; i++) {
        a = hpet_now(h);
        t = time_us();
        b = hpet_now(h);
        if (b - a < best) {
            best = b - a;
            *at = a + (b - a) / 2;
            us = t;
        }
    }
    return us;
}

/* The clock's rate against the HPET's over RATE_WINDOW_US: how well the TSC was calibrated. */
static void check_rate_by_hpet(const struct hpet *h)
{
    uint32_t a = 0, b = 0;
    uint64_t t0 = clock_at_hpet(h, &a), t1, hus;
    int64_t ppm;

    stall(RATE_WINDOW_US);
    t1 = clock_at_hpet(h, &b);
    hus = hpet_us(h, a, b);
    ppm = ((int64_t)(t1 - t0) - (int64_t)hus) * 1000000 / (int64_t)(hus ? hus : 1);
    test_check(ppm >= -RATE_MAX_PPM && ppm <= RATE_MAX_PPM, G,
               "the clock's rate against the HPET's over %u ms: %d ppm off%s",
               RATE_WINDOW_US / 1000, (int)ppm,
               ppm >= -RATE_MAX_PPM && ppm <= RATE_MAX_PPM ? "" : ": want at most 1000");
}

/* PIT clock only: IRQ 0 keeps it at 100 Hz. */
static void check_pit_tick(void)
{
    uint32_t n0 = time_tick_count(), n;
    bool ok;

    stall(1000000);
    n = time_tick_count() - n0;
    ok = n >= 60 && n <= 110;
    test_check(ok, G, "PIT clock: %u IRQ 0 ticks in 1 s%s", n, ok ? "" : ": want 60-110");
}

void selftest_time(void)
{
    struct hpet h;
    bool hpet = hpet_open(&h);

    printf("selftest time: clock %s, %u MHz\n", time_source(), (unsigned)(tsc_hz() / 1000000));
    if (hpet) {
        check_stall_by_hpet(&h);
        check_clock_by_hpet(&h);
        check_rate_by_hpet(&h);
    } else {
        test_skip(G, "HPET checks: no usable HPET");
    }
    check_clock_by_rtc();
    check_monotonic();
    check_deadline(hpet ? &h : NULL);
    if (!tsc_hz())
        check_pit_tick();
    if (hpet)
        vm_unmap_mmio((void *)h.regs, HPET_REGS_LEN);
}

#undef G

/* ---- interrupt checks ---------------------------------------------------- */

#define G "irq"

static volatile uint32_t rtc_hits, rtc_empty, decoy_hits, msi_hits;

static bool rtc_handler(void *ctx)
{
    (void)ctx;
    outb(CMOS_INDEX, RTC_REG_C);
    if (!(inb(CMOS_DATA) & RTC_C_PF)) {
        rtc_empty++;                    /* nothing pending: not ours */
        return false;
    }
    rtc_hits++;
    return true;
}

/* A second device on the line that never has anything to say. */
static bool decoy_handler(void *ctx)
{
    (void)ctx;
    decoy_hits++;
    return false;
}

static bool msi_handler(void *ctx)
{
    (void)ctx;
    msi_hits++;
    return true;
}

/* msi_alloc's message: address for this CPU's APIC ID (from CPUID), data = vector. */
static void check_msi(void)
{
    uint32_t addr, data, a, b, c, d, id;
    int v = msi_alloc(msi_handler, NULL, &addr, &data);
    bool fired;

    if (v < 0) {
        test_skip(G, "MSI: no local APIC");
        return;
    }
    cpuid(1, &a, &b, &c, &d);
    id = b >> 24;
    test_check(addr == (0xFEE00000u | id << 12) && data == (uint32_t)v, G,
               "msi_alloc: vector %#x, address %08x, data %04x (APIC ID %u)", v, addr, data, id);
    msi_hits = 0;
    fired = intr_self_ipi(v);
    stall(1000);
    test_check(fired && msi_hits == 1 && intr_vector_count(v) == 1, G,
               "MSI vector %#x: one self-IPI, handler ran %u time(s)", v, msi_hits);
    msi_free(v);
}

struct rtc_counts {
    uint32_t hits, empty, decoys;
    struct intr_stats st;
};

/* All the counters at one instant (no interrupt in between). */
static void rtc_snapshot(struct rtc_counts *c)
{
    uint32_t f = irq_save();

    c->hits = rtc_hits;
    c->empty = rtc_empty;
    c->decoys = decoy_hits;
    intr_get_stats(&c->st);
    irq_restore(f);
}

/*
 * Rate, shared chain, statistics: every interrupt runs both handlers, and
 * one is counted unclaimed exactly when the RTC had nothing pending.
 */
static void rtc_periodic_check(int vector)
{
    struct rtc_counts a, b;
    uint32_t n, calls, after;
    bool ok;

    rtc_snapshot(&a);
    stall(1000000);
    rtc_snapshot(&b);
    n = b.hits - a.hits;
    calls = n + (b.empty - a.empty);
    /* QEMU drops RTC ticks when the host is busy: a generous lower bound. */
    ok = n >= RTC_PERIODIC_HZ * 4 / 10 && n <= RTC_PERIODIC_HZ * 11 / 10;
    test_check(ok, G, "RTC periodic interrupt through the %s (IRQ 8, vector %#x): %u in 1 s%s",
               intr_have_apic() ? "I/O APIC" : "8259", vector, n,
               ok ? "" : ": want 25-70 (64 Hz)");
    test_check(b.decoys - a.decoys == calls && b.st.unclaimed - a.st.unclaimed == b.empty - a.empty,
               G, "shared line: both handlers ran on all %u interrupts (%u/%u), %u unclaimed",
               calls, b.decoys - a.decoys, calls, b.st.unclaimed - a.st.unclaimed);
    irq_detach(RTC_IRQ, decoy_handler, NULL);
    rtc_snapshot(&a);
    stall(200000);
    rtc_snapshot(&b);
    after = b.hits - a.hits;
    test_check(b.decoys == a.decoys && after > 0, G,
               "detached handler not called again (%u interrupts since)", after);
}

static void check_rtc_periodic(void)
{
    uint8_t a = cmos_read(RTC_REG_A), b = cmos_read(RTC_REG_B);
    int vector;

    irq_attach(RTC_IRQ, false, decoy_handler, NULL);
    vector = irq_attach(RTC_IRQ, false, rtc_handler, NULL);
    if (vector < 0) {
        irq_detach(RTC_IRQ, decoy_handler, NULL);
        test_fail(G, "RTC periodic interrupt: irq_attach(8) failed");
        return;
    }
    cmos_write(RTC_REG_A, (a & ~RTC_A_RS_MASK) | RTC_A_RS_64HZ);
    cmos_write(RTC_REG_B, b | RTC_B_PIE);
    cmos_read(RTC_REG_C);
    rtc_periodic_check(vector);
    cmos_write(RTC_REG_B, b & ~RTC_B_PIE);
    cmos_write(RTC_REG_A, a);
    cmos_read(RTC_REG_C);
    irq_detach(RTC_IRQ, rtc_handler, NULL);
}

/* ---- PCI INTx and MSI through the edu device ----------------------------- */

struct edu {
    const struct pci_dev *pci;
    volatile uint8_t *regs;
    volatile uint32_t hits;         /* handler calls that found status set */
    uint32_t ignore;                /* calls left to return without acknowledging */
};

static bool edu_handler(void *ctx)
{
    struct edu *e = ctx;
    uint32_t st = mmio_read32(e->regs + EDU_IRQ_STATUS);

    if (!st)
        return false;
    e->hits++;
    if (e->ignore) {
        e->ignore--;                    /* a level line comes straight back */
        return true;
    }
    mmio_write32(e->regs + EDU_IRQ_ACK, st);
    return true;
}

/* Raise once and wait (bounded) until `want` deliveries were seen; the count. */
static uint32_t edu_raise_wait(struct edu *e, uint32_t want)
{
    uint32_t h0 = e->hits;
    struct deadline d = deadline_ms(200);

    mmio_write32(e->regs + EDU_IRQ_RAISE, 1);
    for (uint32_t i = 0; i < SPIN_MAX && e->hits - h0 < want && !deadline_passed(&d); i++)
        pause();
    stall(2000);                        /* room for a delivery too many */
    return e->hits - h0;
}

/*
 * Level-triggered INTx: with the first few deliveries left unacknowledged
 * the line stays asserted and the interrupt must come back each time (an
 * edge-programmed line would deliver once); then one delivery per raise.
 */
static void check_edu_intx(struct edu *e)
{
    unsigned line = e->pci->irq_line;
    uint32_t n, ok = 0;
    int vector;

    if (line == 0 || line >= 0xFF) {
        test_skip(G, "edu INTx: no Interrupt Line assigned");
        return;
    }
    pci_intx_disable(e->pci, false);
    vector = irq_attach(line, true, edu_handler, e);
    stall(10000);
    if (!test_check(vector >= 0 && e->hits == 0, G, "edu INTx: IRQ %u attached quiet (vector %#x, "
                    "%u calls before any raise)", line, vector, e->hits))
        goto out;
    e->ignore = EDU_LEVEL_REPEATS;
    n = edu_raise_wait(e, EDU_LEVEL_REPEATS + 1);
    test_check(n == EDU_LEVEL_REPEATS + 1, G, "edu INTx: level-triggered through the %s: "
               "unacknowledged, delivered %u times (want %u)",
               intr_have_apic() ? "I/O APIC" : "8259", n, EDU_LEVEL_REPEATS + 1);
    for (int i = 0; i < EDU_RAISES; i++)
        ok += edu_raise_wait(e, 1) == 1;
    test_check(ok == EDU_RAISES, G, "edu INTx: %u of %u raises delivered exactly once", ok,
               EDU_RAISES);
out:
    irq_detach(line, edu_handler, e);
    mmio_write32(e->regs + EDU_IRQ_ACK, ~0u);
}

static void check_edu_msi(struct edu *e)
{
    uint32_t addr, data, ok = 0;
    int v = msi_alloc(edu_handler, e, &addr, &data);

    if (v < 0) {
        test_skip(G, "edu MSI: no local APIC");
        return;
    }
    pci_enable(e->pci, false, true, true);      /* MSI is a bus-master write */
    if (!pci_msi_enable(e->pci, addr, data)) {
        test_fail(G, "edu MSI: pci_msi_enable failed (no MSI capability?)");
        msi_free(v);
        return;
    }
    for (int i = 0; i < EDU_RAISES; i++)
        ok += edu_raise_wait(e, 1) == 1;
    test_check(ok == EDU_RAISES && intr_vector_count(v) == EDU_RAISES, G,
               "edu MSI: vector %#x, %u of %u raises delivered exactly once", v, ok, EDU_RAISES);
    pci_msi_disable(e->pci);
    msi_free(v);
    mmio_write32(e->regs + EDU_IRQ_ACK, ~0u);
}

static const struct pci_dev *edu_find(void)
{
    for (int i = 0; i < pci_count(); i++) {
        const struct pci_dev *d = pci_get(i);
        if (d->vendor == EDU_VENDOR && d->device == EDU_DEVICE)
            return d;
    }
    return NULL;
}

static void check_edu(void)
{
    static struct edu e;

    e.pci = edu_find();
    if (!e.pci) {
        test_skip(G, "PCI INTx and MSI: no edu device (-device edu)");
        return;
    }
    if (e.pci->bar[0].type != PCI_BAR_MEM32 ||
        !(e.regs = vm_map_mmio(e.pci->bar[0].base, EDU_REGS_LEN))) {
        test_fail(G, "edu: BAR 0 is not a usable memory BAR");
        return;
    }
    pci_enable(e.pci, false, true, false);
    if (!test_check(mmio_read32(e.regs + EDU_ID) >> 16 == 0x0100, G,
                    "edu at %02x:%02x.%u answers (id %08x)", e.pci->bus, e.pci->dev, e.pci->fn,
                    mmio_read32(e.regs + EDU_ID)))
        goto out;
    check_edu_intx(&e);
    check_edu_msi(&e);
out:
    vm_unmap_mmio((void *)e.regs, EDU_REGS_LEN);
}

void selftest_irq(void)
{
    struct intr_stats s;

    if (!(read_eflags() & EFLAGS_IF)) {
        test_fail(G, "interrupts are off at the shell");
        return;
    }
    check_rtc_periodic();
    check_msi();
    check_edu();
    intr_get_stats(&s);
    printf("selftest irq: %u interrupts so far, %u spurious, %u unclaimed\n", s.total,
           s.spurious, s.unclaimed);
}

#undef G

/* ---- the command ------------------------------------------------------- */

static const struct {
    const char *name;
    void (*fn)(void);
    bool everywhere;            /* needs nothing a board may lack: part of plain `selftest` */
    const char *help;
} selftests[] = {
    { "time", selftest_time, true, "stall() and the clock against the HPET and the RTC" },
    { "irq", selftest_irq, true, "interrupt delivery: RTC periodic IRQ 8, shared lines, MSI vectors" },
    { "ddkabi", selftest_ddkabi, true, "the simple ScsiPort routines: accessors, conversions, time" },
    { "scsiport", selftest_scsiport, false, "the ScsiPort API through hba/sptest on pci-testdev" },
};

static int do_selftest(int argc, char **argv)
{
    if (argc > 2)
        return CMD_USAGE;
    if (argc == 1) {
        for (unsigned i = 0; i < ARRAY_SIZE(selftests); i++)
            if (selftests[i].everywhere)
                selftests[i].fn();
        return CMD_OK;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(selftests); i++) {
        if (strcmp(argv[1], selftests[i].name) == 0) {
            selftests[i].fn();
            return CMD_OK;
        }
    }
    printf("selftest: no test '%s'; there are:", argv[1]);
    for (unsigned i = 0; i < ARRAY_SIZE(selftests); i++)
        printf(" %s", selftests[i].name);
    printf("\n");
    return CMD_FAIL;
}
SHELL_COMMAND(selftest, do_selftest, "[time|irq|ddkabi|scsiport]",
              "in-guest checks; no argument: all that need no test device");
