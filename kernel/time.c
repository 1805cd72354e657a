/*
 * Time: the TSC, calibrated against the 8254 PIT at boot, is the clock.
 * Without a TSC (or with `notsc=1`) the clock is PIT channel 2 left running
 * as a 16-bit down-counter (mode 2, period 65536 ticks = 54.9 ms): each read
 * latches it and adds the ticks since the previous read.  That works with
 * interrupts off as long as somebody reads the clock at least every 54 ms
 * (every wait loop does); once interrupts work, a 100 Hz IRQ 0 from channel
 * 0 reads it too, so no wrap is lost while nobody is looking.
 *
 * The 8254's ports and modes: Intel 82C54 datasheet; port 0x61 (gate of
 * channel 2, its OUT pin) as on every PC since the AT.
 */
#include "time.h"
#include "timecalc.h"
#include "intr.h"
#include "io.h"
#include "gdt.h"
#include "console.h"
#include "cmdline.h"

#define PIT_HZ          1193182u    /* input clock, 14.31818 MHz / 12 */
#define PIT_CH0         0x40        /* counter 0 data (IRQ 0) */
#define PIT_CH2         0x42        /* counter 2 data (gated by port B) */
#define PIT_CMD         0x43        /* control word */
#define   PIT_SC_CH0        (0u << 6)   /* select counter 0 */
#define   PIT_SC_CH2        (2u << 6)   /* select counter 2 */
#define   PIT_RW_LATCH      (0u << 4)   /* counter latch command */
#define   PIT_RW_LOHI       (3u << 4)   /* LSB then MSB */
#define   PIT_MODE0         (0u << 1)   /* interrupt on terminal count */
#define   PIT_MODE2         (2u << 1)   /* rate generator */
#define PORT_B          0x61        /* system control port B */
#define   PORTB_GATE2       0x01    /* timer 2 gate */
#define   PORTB_SPKR        0x02    /* speaker data enable */
#define   PORTB_OUT2        0x20    /* timer 2 output (read) */

#define CAL_TICKS       23864u      /* 20 ms of PIT ticks per calibration run */
#define CAL_RUNS        5
#define CAL_MAX_POLLS   10000000u   /* a dead PIT must not hang the boot */
#define CAL_MAX_CYCLES  (1ull << 33)
#define TICK_HZ         100u        /* IRQ 0 rate on the PIT clock */

static struct {
    bool ready;
    bool use_tsc;               /* else PIT channel 2 */
    uint64_t tsc_hz;            /* 0 without a TSC */
    uint32_t mult;              /* counter -> us, see timecalc.h */
    uint64_t tsc0;              /* TSC at time 0 (kernel entry) */
    uint16_t pit_last;          /* channel 2 at the previous read */
    uint64_t pit_ticks;         /* channel 2 ticks since time 0 */
    uint32_t ticks_irq;         /* IRQ 0 interrupts seen (PIT clock only) */
} clk;

/* ---- the TSC and its calibration ---------------------------------------- */

static bool cpu_has_tsc(void)
{
    uint32_t f = read_eflags(), a, b, c, d;

    __asm__ volatile("pushl %0; popfl" : : "r"(f ^ (1u << 21)) : "cc");
    if (!((read_eflags() ^ f) & (1u << 21)))
        return false;                   /* EFLAGS.ID stuck: no CPUID */
    __asm__ volatile("pushl %0; popfl" : : "r"(f) : "cc");
    cpuid(0, &a, &b, &c, &d);
    if (a < 1)
        return false;
    cpuid(1, &a, &b, &c, &d);
    return d & (1u << 4);
}

struct cal_run {
    uint64_t cycles;            /* TSC cycles in CAL_TICKS PIT ticks */
    uint64_t err;               /* uncertainty of that, in cycles */
};

/*
 * One run: channel 2 in mode 0 counts CAL_TICKS down and raises OUT2.  The
 * start lies within the MSB write, the end between the last read that saw
 * OUT2 low and the first that saw it high; the run reports both spans.
 */
static bool cal_run_once(struct cal_run *r)
{
    uint64_t t0, t1, low = 0, high, t;
    uint32_t polls;

    outb(PORT_B, (inb(PORT_B) & ~PORTB_SPKR) | PORTB_GATE2);
    outb(PIT_CMD, PIT_SC_CH2 | PIT_RW_LOHI | PIT_MODE0);
    outb(PIT_CH2, CAL_TICKS & 0xFF);
    t0 = rdtsc();
    outb(PIT_CH2, CAL_TICKS >> 8);      /* counting starts here */
    t1 = rdtsc();
    for (polls = 0; polls < CAL_MAX_POLLS; polls++) {
        t = rdtsc();
        if (inb(PORT_B) & PORTB_OUT2)
            break;
        low = t;
        if (t - t0 > CAL_MAX_CYCLES)
            return false;
    }
    high = rdtsc();
    if (polls == CAL_MAX_POLLS || !low)
        return false;
    r->cycles = (low + high) / 2 - (t0 + t1) / 2;
    r->err = (high - low) + (t1 - t0);
    return true;
}

/* The best of a few runs (smallest uncertainty); 0 if the PIT never answered. */
static uint64_t tsc_calibrate(void)
{
    struct cal_run best = { 0, ~0ull }, r;

    for (int i = 0; i < CAL_RUNS; i++) {
        if (!cal_run_once(&r))
            continue;
        if (r.err < best.err)
            best = r;
        if (best.err * 2000 < best.cycles)
            break;                      /* within 0.05 %: good enough */
    }
    outb(PORT_B, inb(PORT_B) & ~(PORTB_GATE2 | PORTB_SPKR));
    if (!best.cycles)
        return 0;
    return best.cycles * PIT_HZ / CAL_TICKS;
}

/* ---- the PIT channel 2 clock --------------------------------------------- */

static uint16_t pit_ch2_read(void)
{
    uint8_t lo, hi;

    outb(PIT_CMD, PIT_SC_CH2 | PIT_RW_LATCH);
    lo = inb(PIT_CH2);
    hi = inb(PIT_CH2);
    return (uint16_t)(lo | hi << 8);
}

static void pit_clock_start(void)
{
    outb(PORT_B, (inb(PORT_B) & ~PORTB_SPKR) | PORTB_GATE2);
    outb(PIT_CMD, PIT_SC_CH2 | PIT_RW_LOHI | PIT_MODE2);
    outb(PIT_CH2, 0);                   /* 0 = 65536 */
    outb(PIT_CH2, 0);
    clk.pit_last = pit_ch2_read();
    clk.pit_ticks = 0;
}

/* Fold the ticks since the last read in; returns ticks since time 0. */
static uint64_t pit_clock_ticks(void)
{
    uint32_t flags = irq_save();
    uint16_t now = pit_ch2_read();
    uint64_t t;

    clk.pit_ticks += (uint16_t)(clk.pit_last - now);
    clk.pit_last = now;
    t = clk.pit_ticks;
    irq_restore(flags);
    return t;
}

static bool pit_tick(void *ctx)
{
    (void)ctx;
    clk.ticks_irq++;
    pit_clock_ticks();
    return true;
}

/* Called by intr_init once interrupts work: the PIT clock's 100 Hz keeper. */
void time_start_tick(void)
{
    uint16_t reload = (PIT_HZ + TICK_HZ / 2) / TICK_HZ;

    if (!clk.ready || clk.use_tsc)
        return;
    outb(PIT_CMD, PIT_SC_CH0 | PIT_RW_LOHI | PIT_MODE2);
    outb(PIT_CH0, reload & 0xFF);
    outb(PIT_CH0, reload >> 8);
    if (irq_attach(0, false, pit_tick, NULL) < 0)
        pr_warn("time", "no IRQ 0: the PIT clock relies on being read every 54 ms");
}

/* ---- set-up -------------------------------------------------------------- */

static void time_init_tsc(void)
{
    uint64_t hz = tsc_calibrate();

    if (!hz || !clock_mult(hz)) {
        pr_err("time", "TSC calibration against the PIT failed; using the PIT as the clock");
        return;
    }
    clk.tsc_hz = hz;
    clk.mult = clock_mult(hz);
    clk.tsc0 = boot_tsc ? boot_tsc : rdtsc();
    clk.use_tsc = true;
    pr_info("time", "TSC %u.%u MHz (calibrated against the PIT)",
            (unsigned)(hz / 1000000), (unsigned)(hz / 100000 % 10));
}

void time_init(void)
{
    bool notsc = cmdline_flag("notsc");

    if (clk.ready)
        return;
    if (!notsc && cpu_has_tsc())
        time_init_tsc();
    if (!clk.use_tsc) {
        clk.mult = clock_mult(PIT_HZ);
        pit_clock_start();
        pr_info("time", "%s; the clock is PIT channel 2", notsc ? "TSC not used (notsc=1)" :
                                                           "no TSC");
    }
    clk.ready = true;
}

/* ---- the clock ----------------------------------------------------------- */

uint64_t time_us(void)
{
    if (__builtin_expect(!clk.ready, 0))
        time_init();                    /* a wait before time_init: calibrate now */
    if (clk.use_tsc)
        return clock_scale(rdtsc() - clk.tsc0, clk.mult);
    return clock_scale(pit_clock_ticks(), clk.mult);
}

uint64_t time_ms(void)
{
    return time_us() / 1000;
}

uint64_t tsc_hz(void)
{
    return clk.use_tsc ? clk.tsc_hz : 0;
}

void stall(uint32_t us)
{
    uint64_t end = time_us() + us;

    while (time_us() < end)
        pause();
}

uint64_t time_since_entry_us(void)
{
    if (!clk.ready || !clk.use_tsc || !boot_tsc)
        return 0;
    return clock_scale(rdtsc() - boot_tsc, clk.mult);
}

const char *time_source(void)
{
    return clk.use_tsc ? "TSC" : "PIT";
}

uint32_t time_tick_count(void)
{
    return clk.ticks_irq;
}
