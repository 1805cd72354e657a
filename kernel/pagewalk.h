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
#define PDX(va)     ((va) >> 22)            /* page-directory index */
#define PTX(va)     (((va) >> 12) & 0x3ffu) /* page-table index */

/* The 1024 entries of the table at physical address phys, or NULL. */
typedef const uint32_t *(*pt_table_fn)(uint32_t phys, void *ctx);

/*
 * Translate va through the directory at pd_phys.  Returns the number of
 * bytes, at most maxlen, that are physically contiguous from va: the walk
 * goes on over page boundaries only while the next virtual page maps the
 * next physical byte, and stops at the top of the address space.  *pa gets
 * the physical address of va.  An unmapped va (or a table the accessor
 * cannot reach) gives 0 and *pa = 0.  maxlen 0 gives 0 with *pa still set
 * when va is mapped.  PDE_PS is honoured as the CPU does with CR4.PSE set.
 */
uint32_t pt_walk(uint32_t pd_phys, uint32_t va, uint32_t maxlen, uint64_t *pa,
                 pt_table_fn table, void *ctx);

#endif
