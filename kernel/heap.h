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

#endif
