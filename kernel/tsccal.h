/*
 * Measuring the TSC's rate at boot (kernel/tsccal.c), for time.c.  The
 * boot option tsccal=pit skips the ACPI PM timer and uses the PIT.
 */
#ifndef TSCCAL_H
#define TSCCAL_H

#include "types.h"

struct tsc_cal {
    uint64_t hz;
    const char *ref;            /* "the ACPI PM timer", "the PIT" */
    uint32_t window_us;         /* how long the measurement took */
    uint32_t ppm;               /* worst-case error of hz, parts per million */
};

/* False if no reference counter answered. */
bool tsc_calibrate(struct tsc_cal *out);

#endif
