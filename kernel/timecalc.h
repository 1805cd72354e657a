/*
 * Fixed-point clock scaling, so the per-I/O clock read needs no 64-bit
 * division: a counter running at hz is turned into microseconds as
 *
 *     us = delta * mult / 2^32,   mult = round(2^32 * 10^6 / hz)
 *
 * computed as two 32x32->64 multiplications.  Exact in the integer part for
 * any 64-bit delta (no overflow for centuries); relative error at most
 * 0.5 / mult (under 0.4 ppm for a 3 GHz TSC, 0.0001 ppm for the PIT).
 * Pure; unit-tested on the host (tests/unit/test_timecalc.c).
 */
#ifndef TIMECALC_H
#define TIMECALC_H

#include "types.h"

#define US_PER_S    1000000ull

/* Multiplier for a counter at hz (hz > 10^6 so that it fits; 0 otherwise). */
static inline uint32_t clock_mult(uint64_t hz)
{
    if (hz <= US_PER_S)
        return 0;
    return (uint32_t)(((US_PER_S << 32) + hz / 2) / hz);
}

static inline uint64_t clock_scale(uint64_t delta, uint32_t mult)
{
    uint32_t lo = (uint32_t)delta, hi = (uint32_t)(delta >> 32);

    return (uint64_t)hi * mult + (((uint64_t)lo * mult) >> 32);
}

#endif
