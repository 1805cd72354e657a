/*
 * Device interrupts: 8259 PICs remapped (and masked when the APICs take
 * over), LAPIC + IOAPIC when the ACPI MADT shows them, MSI helpers, spurious
 * interrupts counted and ignored.  Handlers of a shared line are chained.
 *
 * The kernel's interrupt policy:
 *
 *  - Interrupts are enabled (IF=1) from the end of intr_init() on; every
 *    line and vector is masked until something attaches to it.
 *  - A handler runs in interrupt context: IF=0 (interrupt gate), on the
 *    interrupted stack, never nested, one CPU.  It must be short and must
 *    not wait for anything but a register it just wrote (deadline-bounded:
 *    the clock works with IF=0).  It acknowledges its device (the ScsiPort
 *    layer calls the miniport's HwInterrupt here), records what happened,
 *    and returns true if the interrupt was its device's.  Completions are
 *    processed outside, at task level.
 *  - intr.c sends the end-of-interrupt after the chain has run (8259 EOI
 *    for 8259 lines, local APIC EOI for I/O APIC lines and MSI), so a
 *    level-triggered line must be quiet by the time the handlers return.
 *  - Task-level code that shares data with a handler brackets its accesses
 *    with irq_save()/irq_restore() (io.h).
 *  - Boot options: noapic=1 keeps lines on the 8259s (the local APIC stays
 *    on in virtual-wire mode for MSI); nolapic=1 leaves the local APIC off.
 */
#ifndef INTR_H
#define INTR_H

#include "types.h"

/* Returns true if the interrupt was its device's (for shared-line stats). */
typedef bool (*irq_fn_t)(void *ctx);

void intr_init(void);
/* True when lines go through the I/O APIC (false: 8259s). */
bool intr_have_apic(void);

/*
 * Attach fn to a legacy/PCI INTx line (ISA IRQ number as PCI's Interrupt
 * Line register gives it; MADT overrides applied).  level: level-triggered
 * (PCI) vs edge (ISA).  Shared: several handlers per line.  Returns the
 * vector, or -1.
 *
 * With the I/O APIC, the MADT's override for the IRQ decides the GSI, and
 * its polarity and trigger where they are not "conforming"; otherwise the
 * line is active high with the trigger asked for (QEMU's MADT gives
 * level/active-high overrides for the PCI IRQs 5, 9, 10 and 11).  irq >= 16
 * is taken as a GSI.  With the 8259s, level also sets the line's ELCR bit.
 */
int irq_attach(unsigned irq, bool level, irq_fn_t fn, void *ctx);
void irq_detach(unsigned irq, irq_fn_t fn, void *ctx);

/*
 * Allocate a vector for MSI and return the message address/data to program
 * into the device.  Returns the vector, or -1 (no LAPIC, or out of vectors).
 */
int msi_alloc(irq_fn_t fn, void *ctx, uint32_t *addr, uint32_t *data);
void msi_free(int vector);

/* The MSI message for a vector delivered to one CPU: fixed, edge, physical. */
static inline uint32_t msi_address(uint8_t apic_id)
{
    return 0xFEE00000u | (uint32_t)apic_id << 12;
}

static inline uint32_t msi_data(unsigned vector)
{
    return vector & 0xFF;
}

struct intr_stats {
    uint32_t total;
    uint32_t spurious;
    uint32_t unclaimed;         /* nobody's handler said it was theirs */
};
void intr_get_stats(struct intr_stats *st);
uint32_t intr_vector_count(int vector);     /* interrupts taken on it */
void intr_dump(void);                       /* the irqinfo listing */

/*
 * Arm a one-shot wake-up interrupt us microseconds from now (the local APIC
 * timer), so that a wait can halt the CPU and still notice its deadline.
 * False when there is no local APIC timer.
 */
bool intr_wakeup_after(uint32_t us);
uint32_t intr_wakeup_count(void);           /* wake-up interrupts taken so far */

/* Send this CPU a fixed interrupt on vector (tests); false without a LAPIC. */
bool intr_self_ipi(int vector);

#endif
