/*
 * Shell commands of the platform: poweroff and reset (diagcmds.c has the
 * diagnostic ones).
 */
#include "shell.h"
#include "console.h"
#include "report.h"
#include "power.h"

static int do_poweroff(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    if (test_count())
        test_summary();
    power_off(EXIT_PASS);
}
SHELL_COMMAND(poweroff, do_poweroff, "",
              "power off (QEMU: exit status says pass/fail; else ACPI S5)");

static int do_reset(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    power_reset();
}
SHELL_COMMAND(reset, do_reset, "", "reset the machine");
