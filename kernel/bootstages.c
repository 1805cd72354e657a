/*
 * Boot stages timed with the TSC (see boottime.h): the table boot_mark()
 * fills, and the `boottime` command that prints it.  A diagnostic, in
 * build/kernel.elf only; this boot_mark() replaces boottime.c's empty one.
 */
#include "boottime.h"
#include "timecalc.h"
#include "time.h"
#include "gdt.h"
#include "io.h"
#include "shell.h"
#include "string.h"
#include "console.h"

#define BOOT_MARKS      24
#define BOOT_WHO_LEN    12

static struct {
    uint64_t tsc;
    const char *what;
    char who[BOOT_WHO_LEN];
} marks[BOOT_MARKS];
static int nmarks, dropped;

void boot_mark(const char *who, const char *what)
{
    if (!boot_in_progress() || !boot_tsc)
        return;
    if (nmarks == BOOT_MARKS) {
        dropped++;
        return;
    }
    marks[nmarks].tsc = rdtsc();
    marks[nmarks].what = what;
    if (who)
        strlcpy(marks[nmarks].who, who, sizeof(marks[nmarks].who));
    nmarks++;
}

/* "12.345" milliseconds from TSC cycles. */
static void print_ms(uint64_t cycles, uint32_t mult)
{
    uint64_t us = clock_scale(cycles, mult);

    printf("%5u.%03u", (unsigned)(us / 1000), (unsigned)(us % 1000));
}

static bool boottime_show(void)
{
    uint64_t prev = boot_tsc;
    uint32_t mult = clock_mult(tsc_hz());

    if (!mult || !nmarks) {
        printf("boottime: no TSC, so the boot stages were not timed\n");
        return false;
    }
    printf("   ends at (ms)   took (ms)  stage\n");
    for (int i = 0; i < nmarks; i++) {
        printf("     ");
        print_ms(marks[i].tsc - boot_tsc, mult);
        printf("   ");
        print_ms(marks[i].tsc - prev, mult);
        printf("  %s%s%s\n", marks[i].who, marks[i].who[0] ? " " : "", marks[i].what);
        prev = marks[i].tsc;
    }
    if (dropped)
        printf("(%d later stages not recorded: the table holds %d)\n", dropped, BOOT_MARKS);
    return true;
}

static int do_boottime(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    return boottime_show() ? CMD_OK : CMD_FAIL;
}
SHELL_COMMAND(boottime, do_boottime, "", "how long each boot stage took, from kernel entry to ready");
