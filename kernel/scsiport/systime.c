/*
 * ScsiPortQuerySystemTime: NT time (nttime.h) from the CMOS RTC
 * (MC146818A), read once at the first call, plus the monotonic clock since
 * then.  The RTC keeps UTC under QEMU (-rtc base=utc, the default).
 *
 * Reading the RTC: registers are read only while the update-in-progress
 * bit of status A is clear, twice, until two reads agree (an update
 * between them would change one) - bounded by RTC_READ_TIMEOUT_MS.  The
 * century comes from the CMOS register the FADT names (CENTURY), else the
 * year is taken as 20xx.  If the RTC cannot be read, or holds no valid
 * date, one warning says so and the time counts from boot.
 */
#include "port.h"
#include "nttime.h"
#include "console.h"
#include "string.h"
#include "time.h"
#include "acpi.h"
#include "acpitab.h"
#include "io.h"

#define CMOS_INDEX          0x70
#define CMOS_DATA           0x71
#define RTC_SEC             0x00
#define RTC_MIN             0x02
#define RTC_HOUR            0x04
#define RTC_DAY             0x07    /* day of the month */
#define RTC_MON             0x08
#define RTC_YEAR            0x09
#define RTC_STATUS_A        0x0A
#define   RTC_A_UIP             (1u << 7)   /* update in progress */
#define RTC_STATUS_B        0x0B
#define FADT_CENTURY        108     /* uint8_t: CMOS index of the century, 0 if none */
#define RTC_READ_TIMEOUT_MS 50      /* an update takes under 2 ms, once a second */

static struct {
    bool read;                  /* first call done */
    bool from_rtc;              /* base_nt came from the RTC */
    uint64_t base_nt;           /* NT time at base_us */
    uint64_t base_us;           /* time_us() when the RTC was read */
} systime;

static uint8_t cmos_read(uint8_t reg)
{
    outb(CMOS_INDEX, reg);
    return inb(CMOS_DATA);
}

/* The CMOS index of the century register, from the FADT; 0 if none. */
static uint8_t century_register(void)
{
    const struct acpi_sdt *t = acpi_find_table("FACP", 0);

    if (!t || t->length <= FADT_CENTURY)
        return 0;
    return ((const uint8_t *)t)[FADT_CENTURY];
}

/* One snapshot, taken only while no update is in progress. */
static bool rtc_snapshot(struct rtc_raw *r, uint8_t century_reg)
{
    uint32_t flags = irq_save();
    bool ok = !(cmos_read(RTC_STATUS_A) & RTC_A_UIP);

    memset(r, 0, sizeof(*r));
    if (ok) {
        r->sec = cmos_read(RTC_SEC);
        r->min = cmos_read(RTC_MIN);
        r->hour = cmos_read(RTC_HOUR);
        r->day = cmos_read(RTC_DAY);
        r->mon = cmos_read(RTC_MON);
        r->year = cmos_read(RTC_YEAR);
        r->regb = cmos_read(RTC_STATUS_B);
        r->has_century = century_reg != 0;
        r->century = century_reg ? cmos_read(century_reg) : 0;
    }
    irq_restore(flags);
    return ok;
}

static bool rtc_read(struct rtc_raw *r)
{
    struct deadline d = deadline_ms(RTC_READ_TIMEOUT_MS);
    uint8_t century_reg = century_register();
    struct rtc_raw again;

    do {
        if (rtc_snapshot(r, century_reg) && rtc_snapshot(&again, century_reg) &&
            memcmp(r, &again, sizeof(again)) == 0)
            return true;
    } while (!deadline_passed(&d));
    return false;
}

static void systime_init(void)
{
    struct rtc_raw raw;
    struct civil_time t;

    systime.read = true;
    if (!rtc_read(&raw)) {
        pr_warn("scsiport", "ScsiPortQuerySystemTime: RTC busy for %u ms; counting from boot",
                RTC_READ_TIMEOUT_MS);
        return;
    }
    if (!rtc_decode(&raw, &t)) {
        pr_warn("scsiport", "ScsiPortQuerySystemTime: RTC holds no valid date "
                "(%02x-%02x-%02x %02x:%02x:%02x, B=%02x); counting from boot",
                raw.year, raw.mon, raw.day, raw.hour, raw.min, raw.sec, raw.regb);
        return;
    }
    systime.base_us = time_us();
    systime.base_nt = civil_to_nt(&t);
    systime.from_rtc = true;
}

bool systime_from_rtc(void)
{
    if (!systime.read)
        systime_init();
    return systime.from_rtc;
}

VOID NTAPI ScsiPortQuerySystemTime(PLARGE_INTEGER CurrentTime)
{
    if (!systime.read)
        systime_init();
    if (CurrentTime)
        CurrentTime->QuadPart = (LONGLONG)(systime.base_nt +
                                           (time_us() - systime.base_us) * NT_TICKS_PER_US);
}
