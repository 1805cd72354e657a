/* The shell's general commands: help and version. */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "cmdline.h"

extern const struct shell_cmd __shellcmds_start[], __shellcmds_end[];

static int do_help(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            const struct shell_cmd *c = shell_find(argv[i]);
            if (!c) {
                printf("help: no command '%s'\n", argv[i]);
                return CMD_FAIL;
            }
            printf("%s - %s\n", c->name, c->help);
            shell_print_usage(c);
        }
        return CMD_OK;
    }
    for (const struct shell_cmd *c = __shellcmds_start; c < __shellcmds_end; c++)
        printf("%-10s %s%s%-*s - %s\n", c->name, "", c->usage,
               (int)(strlen(c->usage) < 26 ? 26 - strlen(c->usage) : 0), "", c->help);
    return CMD_OK;
}
SHELL_COMMAND(help, do_help, "[command ...]", "list commands, or show one command's syntax");

static int do_version(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    printf("ata-scsi " KERNEL_VERSION " (i386, multiboot)\n");
    printf("command line: %.*s\n", CMDLINE_MAX - 1, cmdline_raw());
    return CMD_OK;
}
SHELL_COMMAND(version, do_version, "", "print the kernel version and command line");
