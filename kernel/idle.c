/*
 * Waiting for the next interrupt.  The port driver's wait loop calls
 * cpu_idle() with interrupts disabled once it has checked that no work is
 * pending; interrupts are let in and taken, and the loop looks again.
 */
#include "scsiport.h"
#include "io.h"

void cpu_idle(void)
{
    sti();
    pause();
    cli();
}
