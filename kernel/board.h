/*
 * What this board owns beyond the PC platform: address ranges that no
 * adapter may claim (ScsiPortValidateRange refuses them; `ranges` lists
 * them with the owner "board").  The table is in kernel/board.c; more can
 * be added at boot with claim=io:START+LEN,mem:START+LEN.
 */
#ifndef BOARD_H
#define BOARD_H

#include "types.h"

struct board_claim {
    bool io;                    /* I/O port space, else physical memory */
    uint64_t start;             /* first port / byte */
    uint64_t len;               /* ports / bytes */
    const char *what;           /* shown by `ranges` (23 characters kept) */
    uint16_t pci_vendor;        /* claimed only if this PCI function exists */
    uint16_t pci_device;        /* (the chipset part that decodes it); 0: always */
};

extern const struct board_claim board_claims[];
extern const unsigned board_nclaims;

#endif
