/*
 * Diagnostic commands, beyond the shell's contract (DESIGN.md): time,
 * sleep, timeinfo, irqinfo, acpi and echo (bootstages.c, meminfo.c,
 * scsiport/errlog.c and scsismart.c have four more).  They are linked into build/kernel.elf
 * only (DIAG_OBJS in the Makefile), as a U-Boot product build leaves out
 * the CONFIG_CMD_* it does not need: the product image, kernel-min.elf,
 * keeps the storage stack and the contract's commands.  The listings live
 * with what they list (intr_dump, acpi_dump), so leaving this
 * file out leaves them out too.
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "acpi.h"
#include "intr.h"
#include "time.h"

/* "time: 1.234 seconds", U-Boot's report, with minutes when there are any. */
static void print_elapsed(uint64_t us)
{
    uint64_t ms = (us + 500) / 1000;
    unsigned min = (unsigned)(ms / 60000), s = (unsigned)(ms / 1000 % 60);

    printf("time:");
    if (min)
        printf(" %u minutes,", min);
    printf(" %u.%03u seconds\n", s, (unsigned)(ms % 1000));
}

static int do_time(int argc, char **argv)
{
    const struct shell_cmd *c;
    uint64_t start;
    int ret;

    if (argc < 2)
        return CMD_USAGE;
    c = shell_find(argv[1]);
    if (!c) {
        printf("time: no command '%s'\n", argv[1]);
        return CMD_FAIL;
    }
    start = time_us();
    ret = c->fn(argc - 1, argv + 1);
    print_elapsed(time_us() - start);
    if (ret == CMD_USAGE) {
        shell_print_usage(c);
        return CMD_FAIL;
    }
    return ret;
}
SHELL_COMMAND(time, do_time, "command [args ...]", "run a command and report how long it took");

/* "2", "0.5", "1.25": seconds with up to three decimals, as U-Boot's sleep takes. */
static bool parse_seconds(const char *s, uint32_t *ms)
{
    uint32_t whole = 0, frac = 0, scale = 1000;

    if (!*s)
        return false;
    for (; *s && *s != '.'; s++) {
        if (!isdigit(*s) || whole > 1000000)
            return false;
        whole = whole * 10 + (uint32_t)(*s - '0');
    }
    if (*s == '.')
        for (s++; *s; s++) {
            if (!isdigit(*s))
                return false;
            if (scale > 1)
                frac += (scale /= 10) * (uint32_t)(*s - '0');
        }
    *ms = whole * 1000 + frac;
    return true;
}

/* Busy-waits with stall() in slices up to one deadline, so Ctrl-C stops it. */
static int do_sleep(int argc, char **argv)
{
    uint32_t ms;
    uint64_t end, now;

    if (argc != 2)
        return CMD_USAGE;
    if (!parse_seconds(argv[1], &ms)) {
        printf("sleep: '%s' is not a number of seconds\n", argv[1]);
        return CMD_FAIL;
    }
    end = time_us() + (uint64_t)ms * 1000;
    while ((now = time_us()) < end) {
        stall((uint32_t)MIN(end - now, 10000ull));
        if (console_interrupted()) {
            printf("sleep: interrupted\n");
            return CMD_FAIL;
        }
    }
    return CMD_OK;
}
SHELL_COMMAND(sleep, do_sleep, "seconds", "wait, e.g. 'sleep 2' or 'sleep 0.25'");

static int do_timeinfo(int argc, char **argv)
{
    uint64_t us = time_us(), hz = tsc_hz();

    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    printf("clock: %s", time_source());
    if (hz)
        printf(" at %u.%03u MHz", (unsigned)(hz / 1000000), (unsigned)(hz / 1000 % 1000));
    else
        printf(" channel 2, %u IRQ 0 ticks", time_tick_count());
    printf("\nuptime: %u.%06u s\n", (unsigned)(us / 1000000), (unsigned)(us % 1000000));
    return CMD_OK;
}
SHELL_COMMAND(timeinfo, do_timeinfo, "", "show the clock source and the uptime");

static int do_irqinfo(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    intr_dump();
    return CMD_OK;
}
SHELL_COMMAND(irqinfo, do_irqinfo, "", "interrupt vectors in use, counts, spurious/unclaimed");

static int do_acpi(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    acpi_dump();
    return CMD_OK;
}
SHELL_COMMAND(acpi, do_acpi, "", "list the ACPI tables and what power-off/reset use");

static int do_echo(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    console_putc('\n');
    return CMD_OK;
}
SHELL_COMMAND(echo, do_echo, "[word ...]", "print the words");
