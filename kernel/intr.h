/*
 * Device interrupts: 8259 PICs remapped (and masked when the APICs take
 * over), LAPIC + IOAPIC when the ACPI MADT shows them, MSI helpers, spurious
 * interrupts counted and ignored.  Handlers of a shared line are chained.
 */
#ifndef INTR_H
#define INTR_H

#include "types.h"

/* Returns true if the interrupt was its device's (for shared-line stats). */
typedef bool (*irq_fn_t)(void *ctx);

void intr_init(void);
bool intr_have_apic(void);

/*
 * Attach fn to a legacy/PCI INTx line (ISA IRQ number as PCI's Interrupt
 * Line register gives it; MADT overrides applied).  level: level-triggered
 * (PCI) vs edge (ISA).  Shared: several handlers per line.  Returns the
 * vector, or -1.
 */
int irq_attach(unsigned irq, bool level, irq_fn_t fn, void *ctx);
void irq_detach(unsigned irq, irq_fn_t fn, void *ctx);

/*
 * Allocate a vector for MSI and return the message address/data to program
 * into the device.  Returns the vector, or -1 (no LAPIC, or out of vectors).
 */
int msi_alloc(irq_fn_t fn, void *ctx, uint32_t *addr, uint32_t *data);
void msi_free(int vector);

struct intr_stats {
    uint32_t total;
    uint32_t spurious;
    uint32_t unclaimed;         /* nobody's handler said it was theirs */
};
void intr_get_stats(struct intr_stats *st);

#endif
