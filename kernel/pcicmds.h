/*
 * The `pci` command's parts: pcicmds.c has every subcommand but `pci msi`,
 * a diagnostic that the product image leaves out.  pcimsi.c, when linked,
 * supplies pci_msi_command() and the usage line that names it, in place of
 * pcicmds.c's weak ones.
 */
#ifndef PCICMDS_H
#define PCICMDS_H

#include "pci.h"

#define PCI_MSI_USAGE   " | msi b.d.f addr data|off"
#define PCI_USAGE(msi)                                                       \
    "[bus] [long] | header b.d.f | bar|cap [b.d.f] | display[.b|.w|.l] b.d.f " \
    "[off [count]] | write[.b|.w|.l] b.d.f off value" msi

/* One size for both versions, as the (LTO) linker wants; the short one ends in NULs. */
extern const char pci_usage[sizeof(PCI_USAGE(PCI_MSI_USAGE))];

/* The recorded function b.d.f names, or NULL after saying what is wrong. */
struct pci_dev *pci_dev_arg(const char *s);

/* argv[1] is "msi"; NULL where pcimsi.o is not linked. */
int pci_msi_command(int argc, char **argv) __attribute__((weak));

#endif
