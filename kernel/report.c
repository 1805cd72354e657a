/* PASS/FAIL/SKIP lines and their counts. */
#include "report.h"
#include "console.h"

static int passed, failed, skipped;

static void line(const char *tag, const char *group, const char *fmt, va_list ap)
{
    printf("%s: %s: ", tag, group);
    vprintf(fmt, ap);
    console_putc('\n');
}

void test_pass(const char *group, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line("PASS", group, fmt, ap);
    va_end(ap);
    passed++;
}

void test_fail(const char *group, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line("FAIL", group, fmt, ap);
    va_end(ap);
    failed++;
}

void test_skip(const char *group, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line("SKIP", group, fmt, ap);
    va_end(ap);
    skipped++;
}

bool test_check(bool ok, const char *group, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    line(ok ? "PASS" : "FAIL", group, fmt, ap);
    va_end(ap);
    if (ok)
        passed++;
    else
        failed++;
    return ok;
}

void test_summary(void)
{
    if (skipped)
        printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
    else
        printf("%d passed, %d failed\n", passed, failed);
}

int test_failures(void)
{
    return failed;
}

int test_count(void)
{
    return passed + failed + skipped;
}
