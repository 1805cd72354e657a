/*
 * Boot stages timed with the TSC: each init step calls boot_mark() when it
 * is done, and `boottime` (in build/kernel.elf) prints the table (stage, when it ended, how long
 * it took), from kernel entry (boot_tsc) to "ready".  Marks are raw TSC
 * reads, turned into time once the TSC is calibrated; after boot_done()
 * (the ready line) nothing more is recorded.
 */
#ifndef BOOTTIME_H
#define BOOTTIME_H

#include "types.h"

/* "pci" or, with who, "ahci0 scan": who is copied, what must be a literal. */
void boot_mark(const char *who, const char *what);
void boot_done(void);
bool boot_in_progress(void);

#endif
