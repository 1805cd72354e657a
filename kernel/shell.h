/*
 * The shell: one command table (built by the linker from SHELL_COMMAND
 * entries anywhere in the kernel), used by the boot-time commands after
 * "--" and by the interactive prompt on the serial console.
 *
 * Command functions return CMD_OK, CMD_FAIL (they printed why) or
 * CMD_USAGE (the shell prints the usage line).
 */
#ifndef SHELL_H
#define SHELL_H

#include "types.h"

#define CMD_OK      0
#define CMD_FAIL    1
#define CMD_USAGE   (-1)

#define SHELL_MAX_LINE  256
#define SHELL_MAX_ARGS  24      /* scsicdb: dev, dir, len, t=, nd and 16 CDB bytes */

struct shell_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *usage;          /* arguments, e.g. "addr len" */
    const char *help;           /* one line */
};

#define SHELL_COMMAND(name_, fn_, usage_, help_)                            \
    static const struct shell_cmd shell_cmd_##name_                         \
    __attribute__((used, section(".shellcmds." #name_), aligned(4))) =     \
        { #name_, fn_, usage_, help_ }

int shell_run_line(char *line);         /* ';'-separated commands; returns failures */
void shell_run_script(char *script);    /* boot-time commands */
void shell_interactive(void) __noreturn;
const struct shell_cmd *shell_find(const char *name);
void shell_print_usage(const struct shell_cmd *c);
int shell_script_failures(void);

/* Called while the shell waits for input (adapters poll, timers run). */
void shell_set_idle(void (*fn)(void));

#endif
