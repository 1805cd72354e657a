/*
 * Time: the TSC calibrated against the PIT at boot (the PIT itself is the
 * clock on CPUs without a TSC), a monotonic microsecond/millisecond clock,
 * stall(), and deadlines, which every hardware wait in the project uses:
 *
 *     struct deadline d = deadline_ms(AHCI_RESET_TIMEOUT_MS);
 *     while (!(read(...) & READY))
 *         if (deadline_passed(&d))
 *             return -ETIMEDOUT;
 */
#ifndef TIME_H
#define TIME_H

#include "types.h"

void time_init(void);
uint64_t time_us(void);         /* since boot, monotonic, 64-bit: never wraps */
uint64_t time_ms(void);
uint64_t tsc_hz(void);          /* 0 without a TSC */
void stall(uint32_t us);        /* busy-wait */

struct deadline {
    uint64_t end_us;
};

static inline struct deadline deadline_us(uint64_t us)
{
    return (struct deadline){ time_us() + us };
}

static inline struct deadline deadline_ms(uint64_t ms)
{
    return deadline_us(ms * 1000);
}

static inline bool deadline_passed(const struct deadline *d)
{
    return time_us() >= d->end_us;
}

/* Microseconds from kernel entry (boot_tsc) to now; 0 if unknown. */
uint64_t time_since_entry_us(void);

/*
 * The clock counts from kernel entry with a TSC, from time_init without.
 * time_init() runs from kmain; a clock read before it calibrates first, so
 * a deadline is never stuck at 0.  The clock works with interrupts off.
 */
const char *time_source(void);          /* "TSC" or "PIT" */
/* intr.c, at the end of intr_init: the PIT clock's IRQ 0 (no-op with a TSC). */
void time_start_tick(void);
uint32_t time_tick_count(void);         /* IRQ 0 ticks seen by the PIT clock */

#endif
