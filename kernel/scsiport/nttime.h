/*
 * NT system time for ScsiPortQuerySystemTime: 100 ns units since
 * 1601-01-01 00:00 UTC (the Gregorian calendar extended back), and the
 * decoding of the MC146818 RTC's registers into a calendar time.  Pure;
 * built for the host too (tests/unit/test_nttime.c).
 */
#ifndef SCSIPORT_NTTIME_H
#define SCSIPORT_NTTIME_H

#include "types.h"

#define NT_TICKS_PER_SEC    10000000ull
#define NT_TICKS_PER_US     10u

struct civil_time {
    unsigned year;              /* 1601 and later */
    unsigned mon;               /* 1-12 */
    unsigned day;               /* 1-31 */
    unsigned hour, min, sec;
};

/* RTC registers as read (MC146818A: 0x00 seconds ... 0x09 year, 0x0B status B). */
struct rtc_raw {
    uint8_t sec, min, hour, day, mon, year;
    uint8_t century;            /* the FADT's CENTURY register, if has_century */
    bool has_century;           /* else the year is 2000 + year */
    uint8_t regb;               /* status register B */
#define RTC_B_24H           (1u << 1)   /* hours 0-23, else 1-12 with bit 7 = PM */
#define RTC_B_BINARY        (1u << 2)   /* data mode binary, else BCD */
#define RTC_HOUR_PM         0x80
};

/* False for values no RTC should hold (bad BCD digits, month 13, ...). */
bool rtc_decode(const struct rtc_raw *r, struct civil_time *t);

/* Valid dates from 1601 on (as rtc_decode checks them). */
bool civil_valid(const struct civil_time *t);
uint64_t civil_to_nt(const struct civil_time *t);
void nt_to_civil(uint64_t nt, struct civil_time *t);

#ifndef HOST_TEST
/*
 * systime.c: the wall clock behind ScsiPortQuerySystemTime, read from the
 * RTC at the first call.  False if the RTC could not be read, in which case
 * the time counts from boot (from 1601-01-01).
 */
bool systime_from_rtc(void);
#endif

#endif
