/*
 * Physical memory: the RAM map from multiboot, and a page allocator over it.
 *
 * Usable pages are the multiboot "available" ranges below 4 GiB and below
 * VM_RAM_LIMIT, minus page 0 (never handed out: several miniports read a
 * physical address of 0 as failure), the kernel image, the multiboot
 * structures and modules.  RAM above that is counted, reported once, unused.
 * Allocated memory is identity mapped, so a physical address is also a
 * pointer.
 */
#ifndef PMEM_H
#define PMEM_H

#include "types.h"
#include "multiboot.h"

#define PAGE_SIZE   4096u
#define PAGE_SHIFT  12

struct mem_region {
    uint64_t base;
    uint64_t len;
    uint32_t type;              /* MB_MMAP_* */
};

#define PMEM_MAX_REGIONS 128
#define PMEM_MAX_MODULES 16

struct pmem_stats {
    uint64_t ram_total;         /* bytes of "available" RAM in the map */
    uint64_t ram_unused;        /* of which above 4 GiB or VM_RAM_LIMIT, unused */
    uint32_t pages_managed;     /* pages the allocator owns (free + in use) */
    uint32_t pages_free;
    uint32_t pages_reserved;    /* available RAM kept back: page 0, kernel, modules, mbi */
    uint32_t allocs, frees;     /* calls that succeeded */
    uint32_t failures;          /* calls that found no memory */
};

void pmem_init(const struct mb_info *mbi);
int pmem_regions(const struct mem_region **out);   /* the sanitised map */
/*
 * End of RAM below the limit, for the identity map: the highest available
 * (or ACPI/NVS) byte, carried on over reserved entries that start right
 * there (firmware keeps its ACPI tables at the top of RAM, marked reserved).
 */
uint64_t pmem_ram_top(void);
/* The page ranges the allocator manages (sorted, [start, end)). */
struct mem_range;
int pmem_usable(const struct mem_range **out);
/*
 * Where the allocator's bitmap lives (carved from RAM), with its copies of
 * the memory map and of the usable ranges right after it: [start, end).
 */
void pmem_bitmap_range(uint32_t *start, uint32_t *end);

uint32_t pmem_alloc_page(void);                     /* 0 when none is left */
uint32_t pmem_alloc_run(uint32_t npages, uint32_t align_pages); /* contiguous, aligned */
void pmem_free(uint32_t pa, uint32_t npages);
bool pmem_is_allocated(uint32_t pa);                /* handed out and not freed */
bool pmem_is_managed(uint32_t pa);                  /* the allocator owns the page */
void pmem_get_stats(struct pmem_stats *st);

/* Multiboot modules, kept untouched for whoever wants them (tests use them). */
int pmem_modules(const struct mb_module **out);

#endif
