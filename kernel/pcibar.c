/*
 * Pure PCI decoding: Base Address Register sizing results (PCI 3.0 section
 * 6.2.5.1), class and capability names.  No hardware access here, so the
 * same file builds for the host unit test (tests/unit/test_pcibar.c).
 */
#include "pci.h"
#include "pcireg.h"

/* Lowest set bit: the size a sizing read-back implies (its low zero bits are the size). */
static uint64_t lowest_bit(uint64_t v)
{
    return v & (~v + 1);
}

bool pci_bar_is_mem64(uint32_t lo)
{
    return !(lo & PCI_BAR_SPACE_IO) &&
           (lo & PCI_BAR_MEM_TYPE_MASK) == PCI_BAR_MEM_TYPE_64;
}

/* I/O BAR: bits 1:0 are flags; a 16-bit decoder reads its upper half back as 0. */
static int decode_io(uint32_t lo, uint32_t lo_mask, struct pci_bar *b)
{
    uint32_t mask = lo_mask & PCI_BAR_IO_MASK;

    if (mask == 0)
        return 1;
    b->type = PCI_BAR_IO;
    b->base = lo & PCI_BAR_IO_MASK;
    b->size = lowest_bit(mask);
    return 1;
}

static int decode_mem64(uint32_t lo, uint32_t lo_mask, bool has_hi, uint32_t hi,
                        uint32_t hi_mask, struct pci_bar *b)
{
    uint64_t mask;

    if (!has_hi)                /* a 64-bit BAR in the last slot: malformed */
        return 1;
    mask = ((uint64_t)hi_mask << 32) | (lo_mask & PCI_BAR_MEM_MASK);
    if (mask == 0)
        return 2;
    b->type = PCI_BAR_MEM64;
    b->prefetch = (lo & PCI_BAR_MEM_PREFETCH) != 0;
    b->base = ((uint64_t)hi << 32) | (lo & PCI_BAR_MEM_MASK);
    b->size = lowest_bit(mask);
    return 2;
}

int pci_bar_decode(uint32_t lo, uint32_t lo_mask, bool has_hi, uint32_t hi,
                   uint32_t hi_mask, struct pci_bar *b)
{
    uint32_t mask;

    *b = (struct pci_bar){ .type = PCI_BAR_NONE };
    if (lo & PCI_BAR_SPACE_IO)
        return decode_io(lo, lo_mask, b);
    switch (lo & PCI_BAR_MEM_TYPE_MASK) {
    case PCI_BAR_MEM_TYPE_64:
        return decode_mem64(lo, lo_mask, has_hi, hi, hi_mask, b);
    case PCI_BAR_MEM_TYPE_32:
    case PCI_BAR_MEM_TYPE_1M:   /* a 32-bit BAR whose base firmware kept below 1 MiB */
        break;
    default:                    /* type 11b is reserved */
        return 1;
    }
    mask = lo_mask & PCI_BAR_MEM_MASK;
    if (mask == 0)
        return 1;
    b->type = PCI_BAR_MEM32;
    b->prefetch = (lo & PCI_BAR_MEM_PREFETCH) != 0;
    b->base = lo & PCI_BAR_MEM_MASK;
    b->size = lowest_bit(mask);
    return 1;
}

/* Base class names, at most 23 characters so the `pci` listing keeps its columns. */
static const char *const class_names[] = {
    [0x00] = "Unclassified device",
    [0x01] = "Mass storage controller",
    [0x02] = "Network controller",
    [0x03] = "Display controller",
    [0x04] = "Multimedia device",
    [0x05] = "Memory controller",
    [0x06] = "Bridge device",
    [0x07] = "Simple comm. controller",
    [0x08] = "Base system peripheral",
    [0x09] = "Input device",
    [0x0a] = "Docking station",
    [0x0b] = "Processor",
    [0x0c] = "Serial bus controller",
    [0x0d] = "Wireless controller",
    [0x0e] = "Intelligent controller",
    [0x0f] = "Satellite controller",
    [0x10] = "Encryption controller",
    [0x11] = "Signal processing ctlr",
    [0x12] = "Processing accelerator",
    [0x13] = "Instrumentation",
};

const char *pci_class_name(uint8_t class)
{
    if (class < ARRAY_SIZE(class_names) && class_names[class])
        return class_names[class];
    if (class == 0x40)
        return "Co-processor";
    if (class == 0xff)
        return "Unassigned class";
    return "Reserved class";
}

/* Capability IDs (PCI Code and ID Assignment Specification, section 2). */
static const char *const cap_names[] = {
    [0x01] = "PM",
    [0x02] = "AGP",
    [0x03] = "VPD",
    [0x04] = "Slot-ID",
    [0x05] = "MSI",
    [0x06] = "HotSwap",
    [0x07] = "PCI-X",
    [0x08] = "HyperTransport",
    [0x09] = "Vendor",
    [0x0a] = "DebugPort",
    [0x0b] = "CPCI-CRC",
    [0x0c] = "SHPC",
    [0x0d] = "Bridge-SSVID",
    [0x0e] = "AGP8x",
    [0x0f] = "Secure",
    [0x10] = "PCIe",
    [0x11] = "MSI-X",
    [0x12] = "SATA",
    [0x13] = "AF",
    [0x14] = "EA",
};

const char *pci_cap_name(uint8_t id)
{
    if (id < ARRAY_SIZE(cap_names) && cap_names[id])
        return cap_names[id];
    return "?";
}
