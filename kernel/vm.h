/*
 * Paging: 32-bit, non-PAE.  The virtual address space:
 *
 *   0x00000000  page 0: never mapped (NULL dereferences trap)
 *   0x00001000  RAM, identity mapped (VA == PA), up to pmem_ram_top()
 *               (4 KiB pages; 4 MiB pages beyond the first 4 MiB with PSE)
 *   VM_SCATTER_BASE  the scattered window: physically scattered pages
 *               mapped virtually contiguous (tests and S/G exercise)
 *   VM_MMIO_BASE     device memory, mapped cache-disabled on request
 *   0xFFFFFFFF
 *
 * The kernel stack has an unmapped guard page below it.
 */
#ifndef VM_H
#define VM_H

#include "types.h"

#define VM_RAM_LIMIT        0xC0000000u     /* identity map stops here */
#define VM_SCATTER_BASE     0xC0000000u
#define VM_SCATTER_SIZE     0x10000000u     /* 256 MiB */
#define VM_MMIO_BASE        0xD0000000u
#define VM_MMIO_END         0xFFC00000u     /* last 4 MiB: page-table self-use */

void vm_init(void);

/*
 * The page walk: for virtual address va, the physical address (*pa) and the
 * number of bytes physically contiguous from there, walking the live page
 * tables, at most maxlen.  Returns 0 for an unmapped address.
 */
uint32_t vm_walk(uint32_t va, uint32_t maxlen, uint64_t *pa);

/* Device memory, cache-disabled (PCD|PWT).  NULL on failure. */
void *vm_map_mmio(uint64_t pa, uint32_t len);
void vm_unmap_mmio(void *va, uint32_t len);

/*
 * The scattered window: map npages physical pages at consecutive virtual
 * addresses.  NULL when the window is full.
 */
void *vm_map_scattered(const uint32_t *pages, uint32_t npages);
void vm_unmap_scattered(void *va, uint32_t npages);

/*
 * May the shell (md, mw, crc32, scsi read ...) touch [addr, addr+len)?
 * NULL if yes, otherwise the reason ("over the kernel image", "not mapped",
 * "past the end of RAM", "over the page tables", ...).
 */
const char *vm_check_access(uint32_t addr, uint32_t len, bool write);

/* Physical addresses of the kernel image and the page tables, for reports. */
void vm_kernel_range(uint32_t *start, uint32_t *end);

#endif
