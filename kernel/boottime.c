/*
 * The boot's progress: boot_mark() at the end of each start-up stage, and
 * boot_done() at the ready line, after which nothing more is a boot stage.
 * The stages' table and the `boottime` command that prints it are
 * diagnostics (bootstages.c, in build/kernel.elf only); without them, as in
 * the product image, a mark is this empty default and costs a call.
 */
#include "boottime.h"

static bool done;

void __attribute__((weak)) boot_mark(const char *who, const char *what)
{
    (void)who;
    (void)what;
}

void boot_done(void)
{
    boot_mark(NULL, "ready");
    done = true;
}

bool boot_in_progress(void)
{
    return !done;
}
