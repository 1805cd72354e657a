/*
 * Which port-owned object a virtual address lies in, and how far it runs:
 * the pure part of ScsiPortGetPhysicalAddress (unit-tested on the host).
 */
#ifndef SCSIPORT_PHYSCLAMP_H
#define SCSIPORT_PHYSCLAMP_H

#include <stdbool.h>
#include <stdint.h>

struct pa_region {
    uintptr_t base;
    uint32_t len;                   /* bytes; 0: absent */
    uint32_t slot;                  /* 0: one object; else the size of each object */
    int kind;                       /* the caller's tag */
};

/*
 * If va lies in [base, base + len), sets *left to the bytes from va to the
 * end and returns true.  One comparison: below base, the offset wraps past
 * any length.  len 0 holds nothing.
 */
static inline bool pa_in(uintptr_t base, uint32_t len, uintptr_t va, uint32_t *left)
{
    uintptr_t off = va - base;

    if (off >= len)
        return false;
    *left = len - (uint32_t)off;
    return true;
}

/*
 * If va lies in one of the n regions, returns that region's kind and sets
 * *left to the bytes from va to the end of the object (the slot, for
 * slotted regions).  Returns -1 otherwise.
 */
int pa_find(const struct pa_region *r, int n, uintptr_t va, uint32_t *left);

#endif
