/*
 * Pure logic behind the physical page allocator, built for the host too
 * (tests/unit/test_pmem.c): sanitising a firmware memory map, carving the
 * usable page ranges out of it, and searching a page bitmap.
 */
#ifndef MEMMAP_H
#define MEMMAP_H

#include "types.h"
#include "pmem.h"

#define MEMMAP_MAX_IN   128         /* raw entries considered */

/* [start, end): byte addresses, page-aligned in the usable lists. */
struct mem_range {
    uint64_t start, end;
};

/* The end of r, or UINT64_MAX when it would run past 2^64.  Out of line: it has many callers. */
uint64_t memmap_region_end(const struct mem_region *r);

/*
 * Sort in[0..n) into out: non-overlapping, ascending, zero-length entries
 * dropped, adjacent entries of one type merged, and where entries overlap
 * the more restrictive type wins (available < ACPI < NVS < reserved < bad).
 * An entry running past 2^64 is cut there.  Returns the entry count, at
 * most max (the highest entries are dropped when there are more).
 */
int memmap_sanitize(const struct mem_region *in, int n, struct mem_region *out, int max);

/*
 * Remove [start, end) from the sorted, disjoint ranges r[0..n) (room for
 * max).  Returns the new count, or -1 (r unchanged) when a split needs room
 * that is not there.
 */
int memrange_remove(struct mem_range *r, int n, int max, uint64_t start, uint64_t end);

/*
 * The usable pages: "available" entries of a sanitised map clipped to
 * [PAGE_SIZE, limit) and shrunk to whole pages, minus each of excl[0..nexcl)
 * grown to whole pages.  Returns the count of ranges in out, or -1 when out
 * is too small.
 */
int memmap_usable(const struct mem_region *map, int n, uint64_t limit,
                  const struct mem_range *excl, int nexcl,
                  struct mem_range *out, int max);

/*
 * End of RAM for the identity map: the end of the highest available, ACPI
 * or NVS entry below limit, carried on over entries (other than bad ones)
 * that start exactly where it ends: firmware carves its tables out of the
 * top of RAM and marks them reserved (SeaBIOS does).  Clipped to limit,
 * rounded up to a page.  0 if there is no RAM below limit.
 */
uint64_t memmap_ram_top(const struct mem_region *map, int n, uint64_t limit);

/* Bytes of "available" RAM in the map at or above `from`. */
uint64_t memmap_available_above(const struct mem_region *map, int n, uint64_t from);

/* Whole pages of "available" RAM below limit (page 0 included). */
uint32_t memmap_available_pages(const struct mem_region *map, int n, uint64_t limit);

/* ---- page bitmap: bit set = page not free (in use, or not ours) ---------- */

struct page_bitmap {
    uint32_t *bits;
    uint32_t npages;            /* pages covered: 0 .. npages-1 */
};

static inline bool pbm_test(const struct page_bitmap *b, uint32_t page)
{
    return (b->bits[page / 32] >> (page % 32)) & 1;
}

void pbm_set(struct page_bitmap *b, uint32_t first, uint32_t n);
void pbm_clear(struct page_bitmap *b, uint32_t first, uint32_t n);
/* True when all of first .. first+n-1 are clear (free). */
bool pbm_all_clear(const struct page_bitmap *b, uint32_t first, uint32_t n);
/* True when all of first .. first+n-1 are set. */
bool pbm_all_set(const struct page_bitmap *b, uint32_t first, uint32_t n);

/*
 * First run of n free pages whose first page is a multiple of align (a power
 * of two), searching upwards from `from` and then from 0 up to `from`.
 * Returns the first page, or UINT32_MAX when there is none.
 */
uint32_t pbm_find_run(const struct page_bitmap *b, uint32_t n, uint32_t align, uint32_t from);

#endif
