/* Kernel heap: small allocations carved from pages of the page allocator. */
#ifndef HEAP_H
#define HEAP_H

#include "types.h"

void heap_init(void);
void *kmalloc(size_t size);             /* 16-byte aligned; NULL when out of memory */
void *kzalloc(size_t size);
void kfree(void *p);
/* Physically contiguous, page-aligned, zeroed, below 4 GiB: for DMA. */
void *dma_alloc(size_t size);
void dma_free(void *p, size_t size);

struct heap_stats {
    uint32_t arena_bytes;       /* taken from the page allocator for small blocks */
    uint32_t first_arena;       /* where the first arena lies (0: none yet) */
    uint32_t used_bytes;        /* of which in live blocks (headers included) */
    uint32_t big_bytes;         /* in live page runs of their own */
    uint32_t allocs, frees;     /* calls that succeeded */
    uint32_t failures;          /* kmalloc calls that found no memory */
    uint32_t bad_frees;         /* kfree of something that was not a live block */
};
void heap_get_stats(struct heap_stats *st);

#endif
