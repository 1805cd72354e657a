/*
 * In-guest checks of the platform (`selftest time`, `selftest irq`): each
 * prints PASS/FAIL/SKIP lines through report.h; `poweroff` prints the
 * summary and carries the verdict in QEMU's exit status.
 */
#ifndef SELFTEST_H
#define SELFTEST_H

void selftest_time(void);       /* stall() and the clock vs the HPET and the RTC */
void selftest_irq(void);        /* RTC periodic IRQ 8, shared chain, MSI vectors */
void selftest_ddkabi(void);     /* the simple ScsiPort routines (scsiport/apitest.c) */
void selftest_scsiport(void);   /* the API through the test miniport (scsiport/sptest_cmd.c) */

#endif
