/*
 * The board's own static claims (see board.h): what the board has beyond
 * the PC platform (kernel/scsiport/rangecmds.c) and its PCI functions' BARs.
 *
 * To add one, append a line to board_claims[] below:
 *
 *     { .io = false, .start = 0xFE000000, .len = 0x1000, .what = "FPGA window" },
 *     { .io = true,  .start = 0x62,       .len = 1,      .what = "EC data" },
 *     { .io = true,  .start = 0x66,       .len = 1,      .what = "EC command" },
 *
 * With .pci_vendor/.pci_device set, the entry applies only when that PCI
 * function is present (the chipset part that decodes the range), so one
 * table serves several boards.  An entry that overlaps a platform claim or
 * runs past the top of its space is reported at boot and ignored (`ranges`
 * lists what was taken).  For a one-off, the boot option
 * claim=mem:0xfe000000+0x1000,io:0x62+1 does the same without a rebuild.
 *
 * The boards we ship for are QEMU's pc (i440FX + PIIX3/PIIX4 PM) and q35
 * (Q35 + ICH9) machines; below are their chipset and emulator devices at
 * fixed addresses (QEMU's `info mtree`), not otherwise described: the
 * rest of ICH9's ACPI block (PMBASE 0x600; the FADT names only the PM1,
 * PM timer and GPE0 parts), PIIX4's SMBus (set through the PM function's
 * configuration space, not a BAR), the ACPI hotplug ports of QEMU's DSDT.
 */
#include "board.h"

#define PIIX3_ISA       0x8086, 0x7000
#define PIIX4_PM        0x8086, 0x7113
#define ICH9_LPC        0x8086, 0x2918

#define IO(s, n, w)             { true, s, n, w, 0, 0 }
#define IO_IF(s, n, w, id)      { true, s, n, w, id }
#define MEM_IF(s, n, w, id)     { false, s, n, w, id }

const struct board_claim board_claims[] = {
    IO(0x007E, 2, "QEMU kvmvapic"),
    IO(0x0510, 12, "QEMU fw_cfg"),                  /* + DMA address at 0x514 */
    IO(0x5658, 1, "QEMU vmport"),
    IO_IF(0x0630, 0x08, "ICH9 SMI_EN/SMI_STS", ICH9_LPC),
    IO_IF(0x0660, 0x20, "ICH9 TCO", ICH9_LPC),
    IO_IF(0x0CC0, 0x18, "ACPI PCI hotplug", ICH9_LPC),
    IO_IF(0x0CD8, 0x20, "ACPI CPU hotplug", ICH9_LPC),
    MEM_IF(0xFED1C000, 0x4000, "ICH9 RCRB", ICH9_LPC),
    IO_IF(0x0700, 0x40, "PIIX4 SMBus", PIIX4_PM),
    IO_IF(0xAE00, 0x18, "ACPI PCI hotplug", PIIX3_ISA),
    IO_IF(0xAF00, 0x20, "ACPI CPU hotplug", PIIX3_ISA),
};

const unsigned board_nclaims = ARRAY_SIZE(board_claims);
