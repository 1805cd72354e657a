/*
 * Kernel heap: first-fit over an address-ordered free list (K&R style),
 * with neighbours merged on free.  The heap grows by 64 KiB arenas from the
 * page allocator and never shrinks; a request of 32 KiB or more gets its own
 * page run, returned to the allocator on free.
 *
 * Every block starts with a 16-byte header, so the pointers handed out are
 * 16-byte aligned.  kfree checks the header and reports (once per call,
 * never panics) pointers that are not live heap blocks; a header merged
 * into its free neighbour keeps MAGIC_FREE, so a late second free of it is
 * still caught.
 */
#include "heap.h"
#include "pmem.h"
#include "console.h"
#include "string.h"
#include "io.h"

#define HEAP_ALIGN          16u
#define HEAP_ARENA_PAGES    16u                 /* 64 KiB */
#define HEAP_BIG_BYTES      (32u * 1024)        /* from here on: a page run of its own */
#define HEAP_MAX_BYTES      0x7fff0000u

#define MAGIC_USED  0x55534544u     /* "USED" */
#define MAGIC_FREE  0x46524545u     /* "FREE" */
#define MAGIC_BIG   0x42494721u     /* "BIG!" */

struct block {
    uint32_t magic;
    uint32_t size;              /* bytes, header included; pages for MAGIC_BIG */
    struct block *next;         /* free list, ascending addresses */
    uint32_t pad;
};
_Static_assert(sizeof(struct block) == HEAP_ALIGN, "heap block header");

static struct block *free_list;
static struct heap_stats stats;

/* Put b on the free list, merging it with the blocks right before and after. */
static void insert_free(struct block *b)
{
    struct block *prev = NULL, *next = free_list;

    while (next && next < b) {
        prev = next;
        next = next->next;
    }
    b->magic = MAGIC_FREE;
    if (next && (char *)b + b->size == (char *)next) {
        b->size += next->size;
        next = next->next;
    }
    b->next = next;
    if (prev && (char *)prev + prev->size == (char *)b) {
        prev->size += b->size;
        prev->next = b->next;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

static bool grow(void)
{
    uint32_t pa = pmem_alloc_run(HEAP_ARENA_PAGES, 1);
    struct block *b = (struct block *)(uintptr_t)pa;

    if (!pa)
        return false;
    b->size = HEAP_ARENA_PAGES * PAGE_SIZE;
    if (!stats.first_arena)
        stats.first_arena = pa;
    stats.arena_bytes += b->size;
    insert_free(b);
    return true;
}

/* First fit: take need bytes from the first free block that has them. */
static struct block *take(uint32_t need)
{
    struct block **link = &free_list, *b;

    for (b = free_list; b; link = &b->next, b = b->next) {
        if (b->size < need)
            continue;
        if (b->size - need >= 2 * HEAP_ALIGN) {
            struct block *rest = (struct block *)((char *)b + need);

            rest->magic = MAGIC_FREE;
            rest->size = b->size - need;
            rest->next = b->next;
            b->size = need;
            *link = rest;
        } else {
            *link = b->next;
        }
        b->magic = MAGIC_USED;
        b->next = NULL;
        return b;
    }
    return NULL;
}

static void *alloc_big(size_t size)
{
    uint32_t npages = (uint32_t)((size + HEAP_ALIGN + PAGE_SIZE - 1) / PAGE_SIZE);
    uint32_t pa = pmem_alloc_run(npages, 1);
    struct block *b = (struct block *)(uintptr_t)pa;

    if (!pa)
        return NULL;
    b->magic = MAGIC_BIG;
    b->size = npages;
    b->next = NULL;
    stats.big_bytes += npages * PAGE_SIZE;
    return b + 1;
}

void heap_init(void)
{
    uint32_t irq = irq_save();

    if (!free_list && !grow())
        pr_err("heap", "no memory for the first arena");
    irq_restore(irq);
}

void *kmalloc(size_t size)
{
    uint32_t need = (uint32_t)ALIGN_UP(size + HEAP_ALIGN, (size_t)HEAP_ALIGN);
    uint32_t irq;
    struct block *b;
    void *p = NULL;

    if (size > HEAP_MAX_BYTES) {
        stats.failures++;
        return NULL;
    }
    irq = irq_save();
    if (need >= HEAP_BIG_BYTES) {
        p = alloc_big(size);
    } else {
        b = take(need);
        if (!b && grow())
            b = take(need);
        if (b) {
            stats.used_bytes += b->size;
            p = b + 1;
        }
    }
    if (p)
        stats.allocs++;
    else
        stats.failures++;
    irq_restore(irq);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);

    if (p)
        memset(p, 0, size);
    return p;
}

/* The header of p if p is a live heap block; otherwise says why not. */
static struct block *check_ptr(void *p)
{
    uint32_t a = (uint32_t)p;
    struct block *b = (struct block *)p - 1;

    if ((a & (HEAP_ALIGN - 1)) || a < PAGE_SIZE + HEAP_ALIGN ||
        !pmem_is_allocated(a - HEAP_ALIGN)) {
        pr_err("heap", "kfree(%08x): not a heap pointer", a);
        return NULL;
    }
    if (b->magic == MAGIC_FREE) {
        pr_err("heap", "kfree(%08x): already free", a);
        return NULL;
    }
    if (b->magic != MAGIC_USED && b->magic != MAGIC_BIG) {
        pr_err("heap", "kfree(%08x): not a heap block (header %08x)", a, b->magic);
        return NULL;
    }
    return b;
}

void kfree(void *p)
{
    struct block *b;
    uint32_t irq;

    if (!p)
        return;
    irq = irq_save();
    b = check_ptr(p);
    if (!b) {
        stats.bad_frees++;
    } else if (b->magic == MAGIC_BIG) {
        b->magic = MAGIC_FREE;
        stats.big_bytes -= b->size * PAGE_SIZE;
        stats.frees++;
        pmem_free((uint32_t)b, b->size);
    } else {
        stats.used_bytes -= b->size;
        stats.frees++;
        insert_free(b);
    }
    irq_restore(irq);
}

void *dma_alloc(size_t size)
{
    uint32_t pa;

    if (size == 0 || size > HEAP_MAX_BYTES)
        return NULL;
    pa = pmem_alloc_run((uint32_t)((size + PAGE_SIZE - 1) / PAGE_SIZE), 1);
    if (!pa)
        return NULL;
    memset((void *)(uintptr_t)pa, 0, ALIGN_UP(size, (size_t)PAGE_SIZE));
    return (void *)(uintptr_t)pa;
}

void dma_free(void *p, size_t size)
{
    if (!p || size == 0)
        return;
    pmem_free((uint32_t)p, (uint32_t)((size + PAGE_SIZE - 1) / PAGE_SIZE));
}

void heap_get_stats(struct heap_stats *st)
{
    uint32_t irq = irq_save();

    memcpy(st, &stats, sizeof(*st));    /* a call: smaller than the inline copy */
    irq_restore(irq);
}
