/*
 * ACPI tables: found from the RSDP (BIOS areas, then the reserved parts of
 * the memory map, for UEFI firmware), checksummed, and read for what the
 * kernel needs: the MADT (LAPIC, IOAPICs, interrupt overrides), the FADT
 * (power-off and reset), the MCFG (PCI ECAM).
 */
#ifndef ACPI_H
#define ACPI_H

#include "types.h"

void acpi_init(void);
bool acpi_present(void);
/* A table by signature ("APIC", "FACP", "MCFG", "HPET", ...), index-th of that kind. */
const void *acpi_find_table(const char sig[4], int index);

struct acpi_madt_info {
    bool present;
    uint32_t lapic_addr;
    int nioapic;
    struct { uint8_t id; uint32_t addr; uint32_t gsi_base; } ioapic[4];
    /* ISA IRQ overrides: irq -> gsi, with MPS flags (polarity, trigger) */
    int noverride;
    struct { uint32_t gsi; uint16_t flags; uint8_t irq; } override[16];
    bool has_8259;
};
const struct acpi_madt_info *acpi_madt(void);

struct acpi_mcfg_info {
    bool present;
    uint64_t base;
    uint16_t segment;
    uint8_t bus_start, bus_end;
};
const struct acpi_mcfg_info *acpi_mcfg(void);

/* HPET register block (physical) from the HPET table; 0 if none. */
uint64_t acpi_hpet_base(void);

/* The FADT's PM timer (3.579545 MHz): its I/O port, 0 if none; *bits32 its width. */
uint16_t acpi_pm_timer(bool *bits32);

/* Print the RSDP, every table found, and what power-off/reset will use. */
void acpi_dump(void);

/*
 * From the FADT and the DSDT's \_S5 package.  Each returns false at once if
 * unavailable, or after a bounded wait if the machine did not go down.
 */
bool acpi_poweroff(void);
bool acpi_reset(void);

#endif
