/*
 * `pci msi b.d.f addr data | off`: program a function's MSI capability
 * through pci_msi_enable, or turn it off.  A test of the kernel's MSI set-up
 * more than a board engineer's command: linked into build/kernel.elf only
 * (DIAG_OBJS), it adds itself to the `pci` command and its usage line
 * (pcicmds.h).
 */
#include "pci.h"
#include "pcicmds.h"
#include "shell.h"
#include "console.h"
#include "parse.h"
#include "string.h"

int pci_msi_command(int argc, char **argv)
{
    const struct pci_dev *d;
    uint32_t addr, data;

    if (argc != 4 && argc != 5)
        return CMD_USAGE;
    d = pci_dev_arg(argv[2]);
    if (!d)
        return CMD_FAIL;
    if (!d->msi_cap) {
        printf("pci: %02x.%02x.%02x has no MSI capability\n", d->bus, d->dev, d->fn);
        return CMD_FAIL;
    }
    if (argc == 4 && strcmp(argv[3], "off") == 0) {
        pci_msi_disable(d);
        printf("%02x.%02x.%02x: MSI disabled\n", d->bus, d->dev, d->fn);
        return CMD_OK;
    }
    if (argc != 5 || !parse_u32(argv[3], 16, &addr) || !parse_u32(argv[4], 16, &data) ||
        data > 0xffff || (addr & 3)) {
        printf("pci: want 'pci msi b.d.f addr data' (addr dword-aligned, data 16 bits) "
               "or 'pci msi b.d.f off'\n");
        return CMD_FAIL;
    }
    pci_msi_enable(d, addr, data);
    printf("%02x.%02x.%02x: MSI enabled, address %08x data %04x\n", d->bus, d->dev, d->fn,
           addr, data);
    return CMD_OK;
}

const char pci_usage[sizeof(pci_usage)] = PCI_USAGE(PCI_MSI_USAGE);
