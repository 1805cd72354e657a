/*
 * Waiting for the next interrupt.  The port driver's wait loop calls
 * cpu_idle_until() with interrupts disabled once it has seen that no work
 * is pending: a one-shot local APIC timer is armed for the next deadline
 * (at most IDLE_MAX_US away) and the CPU halts until that or a device
 * interrupt.  "sti; hlt" is atomic: an interrupt that became pending
 * before the hlt ends it at once.  Without a local APIC timer the wait
 * spins instead.
 *
 * A wait that ends by a device interrupt leaves its timer running; the
 * next wait keeps it when it would fire no later than that wait's own
 * deadline (it is still pending while no wake-up interrupt has been taken
 * since it was armed), so a wait per request costs no timer programming.
 */
#include "scsiport.h"
#include "intr.h"
#include "time.h"
#include "io.h"

#define IDLE_MAX_US 100000

static struct {
    bool armed;                 /* a timer was armed ... */
    uint32_t wakeups;           /* ... when intr_wakeup_count() was this */
    uint64_t due_us;            /* ... to fire at this time */
} idle_timer;

static bool timer_pending_by(uint64_t deadline_us)
{
    return idle_timer.armed && idle_timer.wakeups == intr_wakeup_count() &&
           idle_timer.due_us <= deadline_us;
}

/*
 * The clock is read only when a timer must be armed: a wake-up still
 * pending fires at the latest by deadline_us (and by IDLE_MAX_US from when
 * it was armed), so halting on it needs no reading.  Should the deadline
 * have passed already, that timer's interrupt is due and ends the halt.
 */
void cpu_idle_until(uint64_t deadline_us)
{
    uint64_t now, us;

    if (!timer_pending_by(deadline_us)) {
        now = time_us();
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
        idle_timer.armed = true;
        idle_timer.wakeups = intr_wakeup_count();
        idle_timer.due_us = now + us;
    }
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
