/*
 * Ending a run.  Under QEMU with isa-debug-exit (iobase 0xf4) the exit status
 * tells pass or fail: QEMU exits with (code << 1) | 1.  Otherwise ACPI S5
 * (from the FADT, on both pc and q35) or reset.
 */
#ifndef POWER_H
#define POWER_H

#include "types.h"

#define EXIT_PASS   0           /* QEMU status 1 */
#define EXIT_FAIL   1           /* QEMU status 3: a test or a boot command failed */
#define EXIT_FAULT  2           /* QEMU status 5: a CPU fault or panic */

bool qemu_debug_exit_present(void);
void qemu_debug_exit(int code);         /* returns only if the device is absent */

/* Quiesce hooks (adapters) run first; then debug-exit if present, else ACPI S5. */
void power_off(int code) __noreturn;
void power_reset(void) __noreturn;
void power_register_quiesce(void (*fn)(void));

#endif
