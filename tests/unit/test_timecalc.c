/*
 * kernel/timecalc.h: the fixed-point counter -> microseconds scaling used on
 * every clock read, against exact 128-bit arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "timecalc.h"

typedef unsigned __int128 u128;

static uint64_t rand64(void)
{
    return (uint64_t)rand() << 62 ^ (uint64_t)rand() << 31 ^ (uint64_t)rand();
}

static const uint64_t rates[] = {
    1000001, 1193182, 3579545, 14318180, 100000000, 999999999,
    1000000000, 2593906000ull, 2893200000ull, 3999999999ull, 5000000000ull, 10000000000ull,
};

/* The two 32x32 products are exactly floor(delta * mult / 2^32). */
static void test_split_is_exact(void **state)
{
    (void)state;
    srand(7);
    for (unsigned r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        uint32_t mult = clock_mult(rates[r]);
        for (int i = 0; i < 20000; i++) {
            uint64_t d = rand64() >> (rand() % 64);
            assert_true(clock_scale(d, mult) == (uint64_t)(((u128)d * mult) >> 32));
        }
        assert_true(clock_scale(UINT64_MAX, mult) == (uint64_t)(((u128)UINT64_MAX * mult) >> 32));
        assert_int_equal(clock_scale(0, mult), 0);
    }
}

/* Against the true value delta * 10^6 / hz: within 0.5 / mult (relative) + 1 us. */
static void test_accuracy(void **state)
{
    (void)state;
    srand(11);
    for (unsigned r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        uint64_t hz = rates[r];
        uint32_t mult = clock_mult(hz);
        for (int i = 0; i < 20000; i++) {
            uint64_t d = rand64() % (hz * 86400 * 365 * 50);     /* up to 50 years */
            uint64_t truth = (uint64_t)((u128)d * 1000000 / hz);
            uint64_t got = clock_scale(d, mult);
            uint64_t diff = got > truth ? got - truth : truth - got;
            assert_true(diff <= truth / (2ull * mult) + 1);
        }
    }
    /* One second of each counter is one second. */
    for (unsigned r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        uint64_t us = clock_scale(rates[r], clock_mult(rates[r]));
        assert_true(us >= 999999 && us <= 1000001);
    }
}

static void test_monotonic(void **state)
{
    uint32_t mult = clock_mult(2893200000ull);
    uint64_t prev = 0;

    (void)state;
    for (uint64_t d = 0; d < 50000000; d += 997) {
        uint64_t us = clock_scale(d, mult);
        assert_true(us >= prev);
        prev = us;
    }
    prev = clock_scale(0xFFFFFFFFull - 5000, mult);     /* across the 2^32 boundary of delta */
    for (uint64_t d = 0xFFFFFFFFull - 4999; d < 0x100000000ull + 5000; d++) {
        uint64_t us = clock_scale(d, mult);
        assert_true(us >= prev && us - prev <= 1);
        prev = us;
    }
}

static void test_mult_range(void **state)
{
    (void)state;
    assert_int_equal(clock_mult(1000000), 0);           /* too slow to fit: refused */
    assert_int_equal(clock_mult(0), 0);
    assert_true(clock_mult(1000001) > 0);
    assert_int_equal(clock_mult(1193182), 3599591090u); /* round(2^32 * 10^6 / 1193182) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_is_exact),
        cmocka_unit_test(test_accuracy),
        cmocka_unit_test(test_monotonic),
        cmocka_unit_test(test_mult_range),
    };
    return cmocka_run_group_tests_name("timecalc", tests, NULL, NULL);
}
