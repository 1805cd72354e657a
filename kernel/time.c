/*
 * Time: the TSC, calibrated at boot (tsccal.c: against the ACPI PM timer,
 * else the 8254 PIT), is the clock.
 * Without a TSC (or with `notsc=1`) the clock is PIT channel 2 left running
 * as a 16-bit down-counter (mode 2, period 65536 ticks = 54.9 ms): each read
 * latches it and adds the ticks since the previous read.  That works with
 * interrupts off as long as somebody reads the clock at least every 54 ms
 * (every wait loop does); once interrupts work, a 100 Hz IRQ 0 from channel
 * 0 reads it too, so no wrap is lost while nobody is looking.
 *
 * The 8254's ports and modes: pit.h.
 */
#include "time.h"
#include "timecalc.h"
#include "tsccal.h"
#include "pit.h"
#include "intr.h"
#include "io.h"
#include "gdt.h"
#include "console.h"
#include "cmdline.h"

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

/* ---- the PIT channel 2 clock --------------------------------------------- */

static void pit_clock_start(void)
{
    pit_ch2_start();
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
void __attribute__((cold)) time_start_tick(void)
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
    struct tsc_cal cal;

    if (!tsc_calibrate(&cal) || !clock_mult(cal.hz)) {
        pr_err("time", "TSC calibration failed (no PM timer or PIT answered); "
               "using the PIT as the clock");
        return;
    }
    clk.tsc_hz = cal.hz;
    clk.mult = clock_mult(cal.hz);
    clk.tsc0 = boot_tsc ? boot_tsc : rdtsc();
    clk.use_tsc = true;
    pr_info("time", "TSC %u.%u MHz (calibrated against %s in %u.%u ms, within %u ppm)",
            (unsigned)(cal.hz / 1000000), (unsigned)(cal.hz / 100000 % 10), cal.ref,
            cal.window_us / 1000, cal.window_us / 100 % 10, cal.ppm);
}

void __attribute__((cold)) time_init(void)
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

/* The PIT clock, and the first reading before time_init (which calibrates). */
static uint64_t __attribute__((noinline, cold)) time_us_slow(void)
{
    if (!clk.ready)
        time_init();
    if (clk.use_tsc)
        return clock_scale(rdtsc() - clk.tsc0, clk.mult);
    return clock_scale(pit_clock_ticks(), clk.mult);
}

/*
 * The TSC case of clock_scale, as the two MULs it is: the deferred work
 * reads the clock once per round, and compiled C spends twice the
 * instructions on 64-bit register juggling.
 */
static inline uint64_t tsc_us(void)
{
    uint32_t lo, hi, delta_hi, frac;

    __asm__ volatile("rdtsc\n\t"
                     "subl %[t0lo], %%eax\n\t"
                     "sbbl %[t0hi], %%edx\n\t"
                     "movl %%edx, %[dhi]\n\t"
                     "mull %[mult]\n\t"             /* lo * mult */
                     "movl %%edx, %[frac]\n\t"      /* ... >> 32 */
                     "movl %[dhi], %%eax\n\t"
                     "mull %[mult]\n\t"             /* hi * mult */
                     "addl %[frac], %%eax\n\t"
                     "adcl $0, %%edx"
                     : "=&a"(lo), "=&d"(hi), [dhi] "=&r"(delta_hi), [frac] "=&r"(frac)
                     : [t0lo] "m"(((uint32_t *)&clk.tsc0)[0]),
                       [t0hi] "m"(((uint32_t *)&clk.tsc0)[1]), [mult] "m"(clk.mult)
                     : "cc");
    return (uint64_t)hi << 32 | lo;
}

/* Every round of deferred work reads the clock: the TSC case is a handful of instructions. */
uint64_t time_us(void)
{
    if (__builtin_expect(clk.use_tsc, 1))       /* set only once calibrated */
        return tsc_us();
    return time_us_slow();
}

uint64_t __attribute__((cold)) time_ms(void)
{
    return time_us() / 1000;
}

uint64_t __attribute__((cold)) tsc_hz(void)
{
    return clk.use_tsc ? clk.tsc_hz : 0;
}

void __attribute__((cold)) stall(uint32_t us)
{
    uint64_t end = time_us() + us;

    while (time_us() < end)
        pause();
}

uint64_t __attribute__((cold)) time_since_entry_us(void)
{
    if (!clk.ready || !clk.use_tsc || !boot_tsc)
        return 0;
    return clock_scale(rdtsc() - boot_tsc, clk.mult);
}

const char *__attribute__((cold)) time_source(void)
{
    return clk.use_tsc ? "TSC" : "PIT";
}

uint32_t __attribute__((cold)) time_tick_count(void)
{
    return clk.ticks_irq;
}
