/*
 * PCI: configuration mechanism #1 (ECAM where the ACPI MCFG gives it), every
 * bus, device and function behind bridges, BARs decoded and sized, the
 * capability list walked.
 */
#ifndef PCI_H
#define PCI_H

#include "types.h"

enum pci_bar_type { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64 };

struct pci_bar {
    uint8_t type;               /* enum pci_bar_type */
    bool prefetch;
    uint64_t base;
    uint64_t size;
};

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class, subclass, progif, rev;
    uint8_t hdr_type;           /* without the multi-function bit */
    uint16_t subsys_vendor, subsys_id;
    uint8_t irq_line, irq_pin;  /* Interrupt Line/Pin registers */
    uint8_t msi_cap, msix_cap, pcie_cap;   /* config offsets, 0 if absent */
    struct pci_bar bar[6];      /* type 1 (bridges): bar[0..1] only */
    uint8_t secondary_bus;      /* bridges */
};

void pci_init(void);
int pci_count(void);
struct pci_dev *pci_get(int index);
struct pci_dev *pci_find_bdf(unsigned bus, unsigned dev, unsigned fn);

uint32_t pci_read32(unsigned bus, unsigned dev, unsigned fn, unsigned off);
uint16_t pci_read16(unsigned bus, unsigned dev, unsigned fn, unsigned off);
uint8_t pci_read8(unsigned bus, unsigned dev, unsigned fn, unsigned off);
void pci_write32(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint32_t v);
void pci_write16(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint16_t v);
void pci_write8(unsigned bus, unsigned dev, unsigned fn, unsigned off, uint8_t v);

/* The capability list in order (bounded walk: at most max entries, stops on a loop). */
struct pci_cap { uint8_t pos, id; };
int pci_cap_list(const struct pci_dev *d, struct pci_cap *caps, int max);

/* Offset of the first (next) capability with this ID after 'after' (0 = start); 0 if none. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t after);
/* Turn on the requested Command register bits (never turns any off). */
void pci_enable(const struct pci_dev *d, bool io, bool mem, bool bus_master);
/* Program and enable MSI (one vector); false if the device has no MSI. */
bool pci_msi_enable(const struct pci_dev *d, uint32_t addr, uint32_t data);
/* MSI off and the function back on INTx (Interrupt Disable cleared). */
void pci_msi_disable(const struct pci_dev *d);
void pci_intx_disable(const struct pci_dev *d, bool disable);

/*
 * The mechanism in use: "ECAM", "conf1" (also before pci_init: the accessors
 * work from the start through mechanism #1), or "none" when neither answers.
 */
const char *pci_mechanism(void);
uint64_t pci_ecam_base(void);           /* physical, 0 unless ECAM is in use */
int pci_bus_count(void);                /* buses scanned that held a device */

/*
 * Pure helpers (kernel/pcibar.c, unit-tested on the host).
 *
 * A BAR is sized by writing all-ones and reading back: lo and lo_mask are
 * the register's value and the read-back; for a 64-bit memory BAR (see
 * pci_bar_is_mem64), hi and hi_mask are the same for the next slot and
 * has_hi says whether that slot exists.  Fills *b (type PCI_BAR_NONE for an
 * absent (reads back 0) or malformed BAR) and returns the slots consumed, 1 or 2.
 */
bool pci_bar_is_mem64(uint32_t lo);
int pci_bar_decode(uint32_t lo, uint32_t lo_mask, bool has_hi, uint32_t hi,
                   uint32_t hi_mask, struct pci_bar *b);
const char *pci_class_name(uint8_t class);  /* "Mass storage controller" */
const char *pci_cap_name(uint8_t id);       /* "MSI", "PCIe", ... or "?" */

#define PCI_CAP_PM      0x01
#define PCI_CAP_VNDR    0x09
#define PCI_CAP_SATA    0x12
#define PCI_CAP_MSI     0x05
#define PCI_CAP_PCIE    0x10
#define PCI_CAP_MSIX    0x11

#endif
