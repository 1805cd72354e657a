/*
 * The page walk (see pagewalk.h).  No hardware access and no globals: the
 * same code runs in the kernel over the live tables and on the host over
 * synthetic ones.
 */
#include "pagewalk.h"

#define ADDR_SPACE_END  0x100000000ull

/*
 * One translation: the physical address of va and the bytes left in its
 * page (4 KiB or 4 MiB).  False when va is not mapped.
 */
static bool translate(uint32_t pd_phys, uint32_t va, pt_table_fn table, void *ctx,
                      uint64_t *pa, uint32_t *left)
{
    const uint32_t *pd = table(pd_phys, ctx), *pt;
    uint32_t pde, pte;

    if (!pd)
        return false;
    pde = pd[PDX(va)];
    if (!(pde & PTE_P))
        return false;
    if (pde & PDE_PS) {
        *pa = ((uint64_t)PDE_4M_HI(pde) << 32) | (pde & PDE_4M_ADDR) | (va & (PGSIZE_4M - 1));
        *left = PGSIZE_4M - (va & (PGSIZE_4M - 1));
        return true;
    }
    pt = table(pde & PTE_ADDR, ctx);
    if (!pt)
        return false;
    pte = pt[PTX(va)];
    if (!(pte & PTE_P))
        return false;
    *pa = (pte & PTE_ADDR) | (va & (PGSIZE_4K - 1));
    *left = PGSIZE_4K - (va & (PGSIZE_4K - 1));
    return true;
}

uint32_t pt_walk(uint32_t pd_phys, uint32_t va, uint32_t maxlen, uint64_t *pa,
                 pt_table_fn table, void *ctx)
{
    uint64_t run, start_pa, next_pa;
    uint32_t left;

    *pa = 0;
    if (!translate(pd_phys, va, table, ctx, &start_pa, &left))
        return 0;
    *pa = start_pa;
    run = left;
    while (run < maxlen && va + run < ADDR_SPACE_END) {
        if (!translate(pd_phys, (uint32_t)(va + run), table, ctx, &next_pa, &left) ||
            next_pa != start_pa + run)
            break;
        run += left;
    }
    return run < maxlen ? (uint32_t)run : maxlen;
}
