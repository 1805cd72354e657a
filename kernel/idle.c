/*
 * Waiting for the next interrupt.  The port driver's wait loop calls
 * cpu_idle_until() with interrupts disabled once it has seen that no work
 * is pending: a one-shot local APIC timer is armed for the next deadline
 * (at most IDLE_MAX_US away) and the CPU halts until that or a device
 * interrupt.  "sti; hlt" is atomic: an interrupt that became pending
 * before the hlt ends it at once.  Without a local APIC timer the wait
 * spins instead.
 */
#include "scsiport.h"
#include "intr.h"
#include "time.h"
#include "io.h"

#define IDLE_MAX_US 100000

void cpu_idle_until(uint64_t deadline_us)
{
    uint64_t now = time_us();
    uint64_t us;

    if (deadline_us <= now)
        return;
    us = deadline_us - now;
    if (us > IDLE_MAX_US)
        us = IDLE_MAX_US;
    if (!intr_wakeup_after((uint32_t)us)) {
        sti();
        pause();
        cli();
        return;
    }
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
