/*
 * The page walk over 32-bit, non-PAE page tables (Intel SDM vol. 3A, 4.3),
 * as a pure function: the caller supplies the way to reach a table from its
 * physical address.  The kernel passes its identity map (vm_walk); the host
 * unit test (tests/unit/test_pagewalk.c) passes synthetic tables.
 */
#ifndef PAGEWALK_H
#define PAGEWALK_H

#include "types.h"

/* Page-directory and page-table entry bits. */
#define PTE_P       (1u << 0)       /* present */
#define PTE_RW      (1u << 1)       /* writable */
#define PTE_US      (1u << 2)       /* user */
#define PTE_PWT     (1u << 3)       /* write-through */
#define PTE_PCD     (1u << 4)       /* cache disable */
#define PTE_A       (1u << 5)       /* accessed */
#define PTE_D       (1u << 6)       /* dirty */
#define PDE_PS      (1u << 7)       /* PDE: 4 MiB page (CR4.PSE) */
#define PTE_G       (1u << 8)       /* global */
#define PTE_ADDR    0xfffff000u     /* PTE / PDE of a table: 4 KiB frame */
#define PDE_4M_ADDR 0xffc00000u     /* PDE of a 4 MiB page: bits 31:22 */
#define PDE_4M_HI(pde)  (((pde) >> 13) & 0xffu)   /* PSE-36: bits 39:32 */

#define PGSIZE_4K   0x1000u
#define PGSIZE_4M   0x400000u
#define PT_ADDR_SPACE_END   0x100000000ull
#define PDX(va)     ((va) >> 22)            /* page-directory index */
#define PTX(va)     (((va) >> 12) & 0x3ffu) /* page-table index */

/*
 * The 1024 entries of the table at physical address phys (page-aligned: the
 * walk masks every address it passes), or NULL.
 */
typedef const uint32_t *(*pt_table_fn)(uint32_t phys, void *ctx);

/*
 * Translate va through the directory pd (already reached): its physical
 * address and the bytes from va to the end of its page (4 KiB or 4 MiB).
 * False when va is not mapped or its page table cannot be reached.
 */
static inline __attribute__((always_inline))
bool pt_translate(const uint32_t *pd, uint32_t va, pt_table_fn table, void *ctx,
                  uint64_t *pa, uint32_t *left)
{
    uint32_t pde = pd[PDX(va)], pte;
    const uint32_t *pt;

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

/*
 * Translate va through the directory pd.  Returns the number of
 * bytes, at most maxlen, that are physically contiguous from va: the walk
 * goes on over page boundaries only while the next virtual page maps the
 * next physical byte, and stops at the top of the address space.  *pa gets
 * the physical address of va.  An unmapped va (or a table the accessor
 * cannot reach) gives 0 and *pa = 0.  maxlen 0 gives 0 with *pa still set
 * when va is mapped.  PDE_PS is honoured as the CPU does with CR4.PSE set.
 *
 * The common case - the page holding va holds maxlen bytes - costs one
 * directory read (a 4 MiB page) or a directory and a table read, and one
 * pass of the loop; longer runs read one entry per further page, and only
 * as many as maxlen needs.  Inline, so that the kernel's walk
 * (vm_walk_inline, with its accessor inline too) is one function without
 * indirect calls; pt_walk (pt_walk_inline behind a call) is the same code
 * for the host tests.  One translation site, not a first one before the
 * loop: the walk is inlined twice in the kernel, and a second site costs
 * 400 bytes to save the per-I/O path a few instructions.
 */
static inline __attribute__((always_inline))
uint32_t pt_walk_dir(const uint32_t *pd, uint32_t va, uint32_t maxlen, uint64_t *pa,
                     pt_table_fn table, void *ctx)
{
    uint64_t start, next;
    uint32_t run = 0, left;     /* run < maxlen inside the loop */

    for (;;) {
        if (!pt_translate(pd, va + run, table, ctx, &next, &left)) {
            if (!run)
                start = 0;
            break;
        }
        if (!run)
            start = next;
        else if (next != start + run)
            break;
        if (left >= maxlen - run) {
            run = maxlen;
            break;
        }
        run += left;
        if (va + run < va)      /* the top of the address space */
            break;
    }
    *pa = start;
    return run;
}

/* The same from the directory's physical address (NULL from the accessor: 0). */
static inline __attribute__((always_inline))
uint32_t pt_walk_inline(uint32_t pd_phys, uint32_t va, uint32_t maxlen, uint64_t *pa,
                        pt_table_fn table, void *ctx)
{
    const uint32_t *pd = table(pd_phys, ctx);

    if (!pd) {
        *pa = 0;
        return 0;
    }
    return pt_walk_dir(pd, va, maxlen, pa, table, ctx);
}

uint32_t pt_walk(uint32_t pd_phys, uint32_t va, uint32_t maxlen, uint64_t *pa,
                 pt_table_fn table, void *ctx);

#endif
