/* NT time and RTC decoding (see nttime.h).  Pure. */
#include "nttime.h"

#define SECS_PER_DAY        86400u
#define DAYS_400Y           146097u     /* 1601 starts a 400-year cycle */
#define DAYS_100Y           36524u
#define DAYS_4Y             1461u
#define DAYS_1Y             365u

static const uint16_t days_before_month[13] = {
    0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
};

static bool leap_year(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const uint8_t dim[13] = { 0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

    return dim[m] + (m == 2 && leap_year(y));
}

/* Days in year y before the first of month m. */
static unsigned month_start(unsigned y, unsigned m)
{
    return days_before_month[m] + (m > 2 && leap_year(y) ? 1u : 0u);
}

bool civil_valid(const struct civil_time *t)
{
    return t->year >= 1601 && t->mon >= 1 && t->mon <= 12 && t->day >= 1 &&
           t->day <= days_in_month(t->year, t->mon) && t->hour < 24 && t->min < 60 &&
           t->sec < 60;
}

/* Days from 1601-01-01 to the date. */
static uint64_t civil_days(const struct civil_time *t)
{
    uint64_t n = t->year - 1601;
    uint64_t days = n * DAYS_1Y + n / 4 - n / 100 + n / 400;

    return days + month_start(t->year, t->mon) + t->day - 1;
}

uint64_t civil_to_nt(const struct civil_time *t)
{
    uint64_t s = civil_days(t) * SECS_PER_DAY + t->hour * 3600u + t->min * 60u + t->sec;

    return s * NT_TICKS_PER_SEC;
}

/* Year and day of year from days since 1601-01-01, cycle by cycle. */
static unsigned year_of(uint64_t days, unsigned *yday)
{
    unsigned y = 1601 + 400 * (unsigned)(days / DAYS_400Y);
    unsigned d = (unsigned)(days % DAYS_400Y);
    unsigned c = MIN(d / DAYS_100Y, 3u);        /* the 400th year's last day */

    d -= c * DAYS_100Y;
    y += 100 * c + 4 * (d / DAYS_4Y);
    d %= DAYS_4Y;
    c = MIN(d / DAYS_1Y, 3u);                   /* the leap year's last day */
    *yday = d - c * DAYS_1Y;
    return y + c;
}

void nt_to_civil(uint64_t nt, struct civil_time *t)
{
    uint64_t s = nt / NT_TICKS_PER_SEC;
    unsigned secs = (unsigned)(s % SECS_PER_DAY), yday, m = 12;

    t->year = year_of(s / SECS_PER_DAY, &yday);
    while (m > 1 && yday < month_start(t->year, m))
        m--;
    t->mon = m;
    t->day = yday - month_start(t->year, m) + 1;
    t->hour = secs / 3600;
    t->min = secs / 60 % 60;
    t->sec = secs % 60;
}

/* One RTC byte, BCD or binary; false for a bad BCD digit. */
static bool rtc_value(uint8_t v, bool binary, unsigned *out)
{
    if (binary) {
        *out = v;
        return true;
    }
    if ((v & 0x0F) > 9 || (v >> 4) > 9)
        return false;
    *out = (v >> 4) * 10u + (v & 0x0F);
    return true;
}

/* 12-hour mode: 12 AM is 0, 1-11 PM are 13-23. */
static bool rtc_hour(const struct rtc_raw *r, unsigned *hour)
{
    bool binary = r->regb & RTC_B_BINARY;

    if (r->regb & RTC_B_24H)
        return rtc_value(r->hour, binary, hour);
    if (!rtc_value(r->hour & ~RTC_HOUR_PM, binary, hour) || *hour < 1 || *hour > 12)
        return false;
    *hour = *hour % 12 + ((r->hour & RTC_HOUR_PM) ? 12 : 0);
    return true;
}

bool rtc_decode(const struct rtc_raw *r, struct civil_time *t)
{
    bool binary = r->regb & RTC_B_BINARY;
    unsigned yy, cc = 20;

    if (!rtc_value(r->sec, binary, &t->sec) || !rtc_value(r->min, binary, &t->min) ||
        !rtc_hour(r, &t->hour) || !rtc_value(r->day, binary, &t->day) ||
        !rtc_value(r->mon, binary, &t->mon) || !rtc_value(r->year, binary, &yy))
        return false;
    if (r->has_century && !rtc_value(r->century, binary, &cc))
        return false;
    if (yy > 99)
        return false;
    t->year = cc * 100 + yy;
    return civil_valid(t);
}
