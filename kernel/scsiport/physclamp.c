/* The clamp behind ScsiPortGetPhysicalAddress. */
#include "physclamp.h"

int pa_find(const struct pa_region *r, int n, uintptr_t va, uint32_t *left)
{
    for (int i = 0; i < n; i++) {
        uintptr_t off;

        if (!r[i].len || va < r[i].base)
            continue;
        off = va - r[i].base;
        if (off >= r[i].len)
            continue;
        if (r[i].slot)
            *left = r[i].slot - (uint32_t)(off % r[i].slot);
        else
            *left = r[i].len - (uint32_t)off;
        if (*left > r[i].len - off)         /* a partial last slot */
            *left = r[i].len - (uint32_t)off;
        return r[i].kind;
    }
    return -1;
}
