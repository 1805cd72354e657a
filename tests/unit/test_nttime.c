/* NT time and RTC decoding (kernel/scsiport/nttime.c), against the C library's calendar. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>
#include "scsiport/nttime.h"

#define EPOCH_1601_TO_1970  11644473600ull      /* seconds */

static uint64_t nt_from_libc(time_t s)
{
    return ((uint64_t)s + EPOCH_1601_TO_1970) * NT_TICKS_PER_SEC;
}

static struct civil_time civil_from_libc(time_t s)
{
    struct tm tm;

    gmtime_r(&s, &tm);
    return (struct civil_time){ (unsigned)tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
                                (unsigned)tm.tm_mday, (unsigned)tm.tm_hour,
                                (unsigned)tm.tm_min, (unsigned)tm.tm_sec };
}

static void check_both_ways(time_t s)
{
    struct civil_time c = civil_from_libc(s), back;

    assert_true(civil_valid(&c));
    assert_int_equal(civil_to_nt(&c), nt_from_libc(s));
    nt_to_civil(nt_from_libc(s), &back);
    assert_int_equal(back.year, c.year);
    assert_int_equal(back.mon, c.mon);
    assert_int_equal(back.day, c.day);
    assert_int_equal(back.hour, c.hour);
    assert_int_equal(back.min, c.min);
    assert_int_equal(back.sec, c.sec);
}

static void test_epochs(void **state)
{
    (void)state;
    struct civil_time t = { 1601, 1, 1, 0, 0, 0 };
    assert_int_equal(civil_to_nt(&t), 0);
    t = (struct civil_time){ 1970, 1, 1, 0, 0, 0 };
    assert_int_equal(civil_to_nt(&t), EPOCH_1601_TO_1970 * NT_TICKS_PER_SEC);
    nt_to_civil(0, &t);
    assert_int_equal(t.year, 1601);
    assert_int_equal(t.mon, 1);
    assert_int_equal(t.day, 1);
    /* sub-second ticks are dropped by nt_to_civil */
    nt_to_civil(NT_TICKS_PER_SEC - 1, &t);
    assert_int_equal(t.sec, 0);
}

/* Month, year, century and 400-year edges, and leap days. */
static void test_edges_against_libc(void **state)
{
    (void)state;
    static const char *const dates[] = {
        "1601-12-31", "1604-02-29", "1700-02-28", "1700-03-01", "1899-12-31", "1900-03-01",
        "1969-12-31", "1970-01-01", "1999-12-31", "2000-02-29", "2000-12-31", "2001-01-01",
        "2020-02-29", "2024-12-31", "2038-01-19", "2099-12-31", "2100-02-28", "2100-03-01",
        "2400-02-29", "2400-12-31", "2401-01-01",
    };
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        struct tm tm = { 0 };
        assert_non_null(strptime(dates[i], "%Y-%m-%d", &tm));
        tm.tm_hour = 23;
        tm.tm_min = 59;
        tm.tm_sec = 59;
        time_t s = timegm(&tm);
        check_both_ways(s);
        check_both_ways(s + 1);
        check_both_ways(s - 86399);
    }
}

static void test_random_against_libc(void **state)
{
    (void)state;
    srandom(1601);
    for (int i = 0; i < 100000; i++) {
        /* 1601 .. about 2500 */
        int64_t s = (int64_t)((((uint64_t)random() << 31) | (uint64_t)random()) %
                              (900ull * 365 * 86400)) - (int64_t)EPOCH_1601_TO_1970;
        check_both_ways((time_t)s);
    }
}

static void test_invalid_dates(void **state)
{
    (void)state;
    static const struct civil_time bad[] = {
        { 1600, 12, 31, 0, 0, 0 }, { 2023, 2, 29, 0, 0, 0 }, { 2100, 2, 29, 0, 0, 0 },
        { 2024, 0, 1, 0, 0, 0 }, { 2024, 13, 1, 0, 0, 0 }, { 2024, 4, 31, 0, 0, 0 },
        { 2024, 1, 0, 0, 0, 0 }, { 2024, 1, 1, 24, 0, 0 }, { 2024, 1, 1, 0, 60, 0 },
        { 2024, 1, 1, 0, 0, 60 },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(civil_valid(&bad[i]));
    struct civil_time ok = { 2024, 2, 29, 23, 59, 59 };
    assert_true(civil_valid(&ok));
}

static struct civil_time decode_ok(struct rtc_raw r)
{
    struct civil_time t;

    assert_true(rtc_decode(&r, &t));
    return t;
}

static void test_rtc_bcd_24h(void **state)
{
    (void)state;
    struct rtc_raw r = { .sec = 0x59, .min = 0x07, .hour = 0x23, .day = 0x31, .mon = 0x12,
                         .year = 0x99, .century = 0x20, .has_century = true,
                         .regb = RTC_B_24H };
    struct civil_time t = decode_ok(r);
    assert_int_equal(t.year, 2099);
    assert_int_equal(t.mon, 12);
    assert_int_equal(t.day, 31);
    assert_int_equal(t.hour, 23);
    assert_int_equal(t.min, 7);
    assert_int_equal(t.sec, 59);
    r.century = 0x19;
    assert_int_equal(decode_ok(r).year, 1999);
    r.has_century = false;                      /* no century register: 20xx */
    assert_int_equal(decode_ok(r).year, 2099);
}

static void test_rtc_binary_and_12h(void **state)
{
    (void)state;
    struct rtc_raw r = { .sec = 5, .min = 30, .hour = 12, .day = 1, .mon = 3, .year = 24,
                         .regb = RTC_B_BINARY };
    /* 12 AM is midnight, 12 PM noon, 11 PM is 23 */
    assert_int_equal(decode_ok(r).hour, 0);
    r.hour = 12 | RTC_HOUR_PM;
    assert_int_equal(decode_ok(r).hour, 12);
    r.hour = 11 | RTC_HOUR_PM;
    assert_int_equal(decode_ok(r).hour, 23);
    r.hour = 1;
    assert_int_equal(decode_ok(r).hour, 1);
    assert_int_equal(decode_ok(r).year, 2024);
    /* BCD 12-hour */
    r = (struct rtc_raw){ .sec = 0, .min = 0, .hour = 0x12 | RTC_HOUR_PM, .day = 0x15,
                          .mon = 0x06, .year = 0x25, .regb = 0 };
    assert_int_equal(decode_ok(r).hour, 12);
    r.hour = 0x09 | RTC_HOUR_PM;
    assert_int_equal(decode_ok(r).hour, 21);
    /* binary 24-hour */
    r = (struct rtc_raw){ .sec = 59, .min = 59, .hour = 23, .day = 29, .mon = 2, .year = 24,
                          .century = 20, .has_century = true,
                          .regb = RTC_B_BINARY | RTC_B_24H };
    struct civil_time t = decode_ok(r);
    assert_int_equal(t.year, 2024);
    assert_int_equal(t.day, 29);
}

static void test_rtc_garbage(void **state)
{
    (void)state;
    struct civil_time t;
    struct rtc_raw good = { .sec = 0x10, .min = 0x20, .hour = 0x08, .day = 0x02, .mon = 0x11,
                            .year = 0x25, .regb = RTC_B_24H };
    assert_true(rtc_decode(&good, &t));
    struct rtc_raw r = good;
    r.sec = 0x5A;                               /* bad BCD digit */
    assert_false(rtc_decode(&r, &t));
    r = good; r.mon = 0x13;
    assert_false(rtc_decode(&r, &t));
    r = good; r.hour = 0x24;
    assert_false(rtc_decode(&r, &t));
    r = good; r.day = 0x31;                     /* 31 November */
    assert_false(rtc_decode(&r, &t));
    r = good; r.regb = 0; r.hour = 0x00;        /* 12-hour mode has no hour 0 */
    assert_false(rtc_decode(&r, &t));
    r = good; r.regb = 0; r.hour = 0x13;
    assert_false(rtc_decode(&r, &t));
    r = good; r.regb = RTC_B_24H | RTC_B_BINARY; r.year = 100;
    assert_false(rtc_decode(&r, &t));
    r = good; r.has_century = true; r.century = 0xFF;   /* floating bus */
    assert_false(rtc_decode(&r, &t));
    r = (struct rtc_raw){ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, true, 0xFF };
    assert_false(rtc_decode(&r, &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_edges_against_libc),
        cmocka_unit_test(test_random_against_libc),
        cmocka_unit_test(test_invalid_dates),
        cmocka_unit_test(test_rtc_bcd_24h),
        cmocka_unit_test(test_rtc_binary_and_12h),
        cmocka_unit_test(test_rtc_garbage),
    };
    return cmocka_run_group_tests_name("nttime", tests, NULL, NULL);
}
