/* The clamp behind ScsiPortGetPhysicalAddress. */
#include "physclamp.h"

int pa_find(const struct pa_region *r, int n, uintptr_t va, uint32_t *left)
{
    for (int i = 0; i < n; i++) {
        uint32_t off;

        if (!pa_in(r[i].base, r[i].len, va, left))
            continue;
        off = r[i].len - *left;
        if (r[i].slot && r[i].slot - off % r[i].slot < *left)
            *left = r[i].slot - off % r[i].slot;    /* else a partial last slot */
        return r[i].kind;
    }
    return -1;
}
