/*
 * The 8254 PIT (Intel 82C54 datasheet) and port B (0x61: channel 2's gate,
 * the speaker, as on every PC since the AT): registers, and channel 2 as a
 * free-running 16-bit down-counter, which time.c (the clock without a TSC)
 * and tsccal.c (the TSC's calibration without a PM timer) both use.
 */
#ifndef PIT_H
#define PIT_H

#include "types.h"
#include "io.h"

#define PIT_HZ          1193182u    /* input clock, 14.31818 MHz / 12 */
#define PIT_CH0         0x40        /* counter 0 data (IRQ 0) */
#define PIT_CH2         0x42        /* counter 2 data (gated by port B) */
#define PIT_CMD         0x43        /* control word */
#define   PIT_SC_CH0        (0u << 6)   /* select counter 0 */
#define   PIT_SC_CH2        (2u << 6)   /* select counter 2 */
#define   PIT_RW_LATCH      (0u << 4)   /* counter latch command */
#define   PIT_RW_LOHI       (3u << 4)   /* LSB then MSB */
#define   PIT_MODE2         (2u << 1)   /* rate generator */
#define PORT_B          0x61        /* system control port B */
#define   PORTB_GATE2       0x01    /* timer 2 gate */
#define   PORTB_SPKR        0x02    /* speaker data enable */

/* Channel 2 counting down from 65536, round and round; speaker off. */
static inline void pit_ch2_start(void)
{
    outb(PORT_B, (inb(PORT_B) & ~PORTB_SPKR) | PORTB_GATE2);
    outb(PIT_CMD, PIT_SC_CH2 | PIT_RW_LOHI | PIT_MODE2);
    outb(PIT_CH2, 0);                   /* 0 = 65536 */
    outb(PIT_CH2, 0);
}

static inline void pit_ch2_stop(void)
{
    outb(PORT_B, inb(PORT_B) & ~(PORTB_GATE2 | PORTB_SPKR));
}

/* Channel 2's count, latched. */
static inline uint16_t pit_ch2_read(void)
{
    uint8_t lo, hi;

    outb(PIT_CMD, PIT_SC_CH2 | PIT_RW_LATCH);
    lo = inb(PIT_CH2);
    hi = inb(PIT_CH2);
    return (uint16_t)(lo | hi << 8);
}

#endif
