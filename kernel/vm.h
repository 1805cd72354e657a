/*
 * Paging: 32-bit, non-PAE.  The virtual address space:
 *
 *   0x00000000  page 0: never mapped (NULL dereferences trap)
 *   0x00001000  RAM, identity mapped (VA == PA), up to pmem_ram_top()
 *               (4 KiB pages; 4 MiB pages beyond the first 4 MiB with PSE)
 *   VM_SCATTER_BASE  the scattered window: physically scattered pages
 *               mapped virtually contiguous (tests and S/G exercise)
 *   VM_MMIO_BASE     device memory, mapped cache-disabled on request
 *   TRAP_PAGE_VA     the IDT and the device vectors' handlers (trap.h),
 *               an unmapped page below it
 *   0xFFC00000  the last 4 MiB: never mapped
 *
 * The kernel's text and read-only data are mapped read-only.  Both kernel
 * stacks have a guard page below them (struct kstack).
 */
#ifndef VM_H
#define VM_H

#include "types.h"
#include "pagewalk.h"
#include "cpureg.h"

#define VM_RAM_LIMIT        0xC0000000u     /* identity map stops here */
#define VM_SCATTER_BASE     0xC0000000u
#define VM_SCATTER_SIZE     0x10000000u     /* 256 MiB */
#define VM_MMIO_BASE        0xD0000000u
#define VM_MMIO_END         0xFFBFE000u     /* then a gap, the trap page, the last 4 MiB */

/* Page tables, paging on, the run-time kernel stack (not yet in use). */
void vm_init(void);

/*
 * A kernel stack: [bottom, top), painted with STACK_PAINT (gdt.h) before
 * use, and below it a guard page [guard, bottom) where a write faults.
 */
struct kstack {
    uint32_t guard, bottom, top;
};
#define KSTACK_SIZE         0x4000u         /* 16 KiB: NT gave miniports 12 KiB */

/*
 * The run-time stack, from the page allocator, its guard not mapped: vm_init
 * sets it up, kmain runs on it from then on.  All zero before.
 */
extern struct kstack kernel_stack;
/*
 * The boot stack in the image (boot/entry.S), its guard the last page of
 * read-only data: kmain's until paging is on, the double-fault task's.
 */
extern const struct kstack boot_stack;

/* Bytes of ks ever used: from its top down to the lowest word not holding the paint. */
uint32_t kstack_used(const struct kstack *ks);

/*
 * A fresh, zeroed page mapped at TRAP_PAGE_VA for the interrupt tables;
 * false without memory.  Once, after vm_init.
 */
bool vm_map_trap_page(void);

/*
 * The page walk: for virtual address va, the physical address (*pa) and the
 * number of bytes physically contiguous from there, walking the live page
 * tables, at most maxlen.  Returns 0 for an unmapped address.  Before
 * paging is on, addresses are physical.
 */
uint32_t vm_walk(uint32_t va, uint32_t maxlen, uint64_t *pa);

/*
 * The page tables lie in identity-mapped RAM below this, reached at their
 * physical address; 0 until paging is on.  Written by vm_init only.
 */
extern uint32_t vm_tables_below;

static inline __attribute__((always_inline))
const uint32_t *vm_live_table(uint32_t phys, void *ctx)
{
    (void)ctx;
    return phys - 1 < vm_tables_below - 1 ? (const uint32_t *)(uintptr_t)phys : NULL;
}

/*
 * vm_walk, inline: for the one caller per I/O (ScsiPortGetPhysicalAddress),
 * where it compiles to a few instructions when the page holds maxlen.
 */
static inline __attribute__((always_inline))
uint32_t vm_walk_inline(uint32_t va, uint32_t maxlen, uint64_t *pa)
{
    if (__builtin_expect(!vm_tables_below, 0)) {
        *pa = va;
        return (uint32_t)MIN((uint64_t)maxlen, PT_ADDR_SPACE_END - va);
    }
    /* The live directory: in identity-mapped RAM, or paging would not work. */
    return pt_walk_dir((const uint32_t *)(uintptr_t)(read_cr3() & PTE_ADDR), va, maxlen, pa,
                       vm_live_table, NULL);
}

/*
 * Device memory, cache-disabled (PCD|PWT), below 4 GiB.  The result keeps
 * the page offset of pa.  NULL on failure (logged).  Each mapping is
 * followed by an unmapped guard page.  Unmap with the same len.
 */
void *vm_map_mmio(uint64_t pa, uint32_t len);
void vm_unmap_mmio(void *va, uint32_t len);

/*
 * The scattered window: map npages physical pages (page-aligned, non-zero)
 * at consecutive virtual addresses, cached, followed by an unmapped guard
 * page.  NULL when the window is full (logged).
 */
void *vm_map_scattered(const uint32_t *pages, uint32_t npages);
void vm_unmap_scattered(void *va, uint32_t npages);

/*
 * May the shell (md, mw, crc32, scsi read ...) touch [addr, addr+len)?
 * NULL if yes, otherwise the reason:
 *   "wraps past 4 GiB"        addr + len runs past the address space
 *   "past the end of RAM"     beyond the identity map, below VM_RAM_LIMIT
 *   "not mapped"              some byte is not mapped (page 0, a guard page,
 *                             an unused part of a window)
 *   and for writes only:
 *   "refused: over the kernel image"  (text, data, bss, the boot stack)
 *   "refused: over the kernel stack"
 *   "refused: over the interrupt tables"  (at TRAP_PAGE_VA or in RAM)
 *   "refused: over the page tables"
 *   "refused: over the page allocator's bitmap"
 *   "refused: not RAM"        an identity-mapped byte outside the map's
 *                             "available" RAM (ACPI tables, BIOS, holes)
 * Reads of anything mapped are allowed, the MMIO window included (md on a
 * device register is what a board engineer wants); writes to mapped window
 * pages are allowed too.  len 0 is always allowed.
 * vm_check_access_at also gives the first offending address in *bad.
 */
const char *vm_check_access(uint32_t addr, uint32_t len, bool write);
const char *vm_check_access_at(uint32_t addr, uint32_t len, bool write, uint32_t *bad);

/* Physical addresses of the kernel image: [start, end). */
void vm_kernel_range(uint32_t *start, uint32_t *end);

/* The page tables, for reports. */
struct vm_info {
    uint32_t pd;                /* page directory, physical */
    uint32_t tables;            /* page tables in use (besides the directory) */
    uint32_t ident_end;         /* identity map: [PAGE_SIZE, ident_end) */
    bool pse;                   /* 4 MiB pages in use */
    bool paging;
};
void vm_get_info(struct vm_info *vi);

#endif
