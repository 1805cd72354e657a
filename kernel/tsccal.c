/*
 * The TSC's frequency, measured against a reference counter of known rate:
 * the ACPI PM timer (3.579545 MHz, ACPI 6.4 section 4.8.3.3) when the FADT
 * has one, else channel 2 of the 8254 PIT (1.193182 MHz) left free-running.
 *
 * A sample is the TSC at an edge of the reference (the moment it ticks
 * over), bracketed by the reads on either side of the edge; the rate is
 * taken between two samples, and the window grows until the worst-case
 * error - half of each bracket - is below CAL_PPM of it.  Fast reference
 * reads make the window short (2-5 ms under QEMU); slow or jittery ones
 * make it longer, up to CAL_MAX_US, never less accurate.
 */
#include "tsccal.h"
#include "acpi.h"
#include "cmdline.h"
#include "console.h"
#include "io.h"
#include "pit.h"
#include "string.h"

#define PM_TIMER_HZ     3579545u
#define CAL_PPM         100         /* worst-case error to reach */
#define CAL_MIN_US      1000        /* never a shorter window */
#define CAL_MAX_US      50000       /* the PIT wraps after 54.9 ms */
#define CAL_TRIES       3           /* edges per sample; the tightest is kept */
#define CAL_SPIN_MAX    100000      /* reads waiting for one tick: a dead reference */
#define CAL_MAX_CYCLES  (1ull << 33)    /* a reference that goes backwards: give up */

struct refclk {
    const char *name;
    uint32_t hz;
    uint32_t mask;              /* counter width */
    uint16_t port;
    uint32_t (*read)(const struct refclk *c);
};

struct sample {
    uint64_t tsc;               /* the middle of the bracket around the edge */
    uint64_t width;             /* the bracket, in TSC cycles */
    uint32_t ref;               /* the reference's value from the edge on */
};

static uint32_t pm_timer_read(const struct refclk *c)
{
    return inl(c->port);
}

/* Channel 2 counts down; as a count up. */
static uint32_t pit_read(const struct refclk *c)
{
    (void)c;
    return (uint16_t)-pit_ch2_read();
}

/*
 * The TSC when the reference ticks over: between the start of the last read
 * that saw the old value and the end of the first that saw the new one.
 * The tightest of a few edges; false if the reference does not move.
 */
static bool edge_take(const struct refclk *c, struct sample *s)
{
    s->width = UINT64_MAX;
    for (int e = 0; e < CAL_TRIES; e++) {
        uint64_t before = rdtsc(), t0, t1 = 0;
        uint32_t old = c->read(c) & c->mask, v = old;

        for (int i = 0; i < CAL_SPIN_MAX && v == old; i++) {
            t0 = rdtsc();
            v = c->read(c) & c->mask;
            t1 = rdtsc();
            if (v == old)
                before = t0;
        }
        if (v == old)
            return false;
        if (t1 - before < s->width) {
            s->tsc = before + (t1 - before) / 2;
            s->width = t1 - before;
            s->ref = v;
        }
    }
    return true;
}

/* Widen the window until it is good to CAL_PPM (or CAL_MAX_US); false if the reference is dead. */
static bool cal_measure(const struct refclk *c, struct tsc_cal *out)
{
    uint32_t min_ticks = c->hz / (1000000 / CAL_MIN_US);
    uint32_t max_ticks = c->hz / (1000000 / CAL_MAX_US);
    struct sample a, b;
    uint64_t cyc, err;
    uint32_t ticks;

    if (!edge_take(c, &a))
        return false;
    for (;;) {
        if (!edge_take(c, &b))
            return false;
        ticks = (b.ref - a.ref) & c->mask;
        cyc = b.tsc - a.tsc;
        if (ticks >= min_ticks) {
            err = (a.width + b.width) / 2;
            if (err * 1000000 <= (uint64_t)CAL_PPM * cyc || ticks >= max_ticks)
                break;
        } else if (cyc > CAL_MAX_CYCLES) {
            return false;
        }
    }
    out->hz = cyc * c->hz / ticks;
    out->ref = c->name;
    out->window_us = (uint32_t)((uint64_t)ticks * 1000000 / c->hz);
    out->ppm = (uint32_t)((err * 1000000 + cyc - 1) / cyc);
    return true;
}

bool tsc_calibrate(struct tsc_cal *out)
{
    const char *want = cmdline_get("tsccal");
    struct refclk pm = { "the ACPI PM timer", PM_TIMER_HZ, 0xFFFFFF, 0, pm_timer_read };
    struct refclk pit = { "the PIT", PIT_HZ, 0xFFFF, 0, pit_read };
    bool bits32 = false, ok;

    if (want && strcmp(want, "pit")) {
        pr_err("time", "tsccal=%s: want pit (or nothing: the PM timer where there is one)", want);
        want = NULL;
    }
    pm.port = acpi_pm_timer(&bits32);
    if (bits32)
        pm.mask = 0xFFFFFFFFu;
    if (pm.port && !want && cal_measure(&pm, out))
        return true;
    pit_ch2_start();
    ok = cal_measure(&pit, out);
    pit_ch2_stop();
    return ok;
}
