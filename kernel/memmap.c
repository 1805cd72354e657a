/*
 * The memory map and the page bitmap as pure data: no hardware, no globals,
 * so the same file is unit-tested on the host (tests/unit/test_pmem.c).
 */
#include "memmap.h"

#define PAGE_MASK64     ((uint64_t)PAGE_SIZE - 1)

/* ---- sanitising ---------------------------------------------------------- */

/* How restrictive a type is: where entries overlap the highest rank wins. */
static int type_rank(uint32_t type)
{
    switch (type) {
    case MB_MMAP_AVAILABLE: return 0;
    case MB_MMAP_ACPI:      return 1;
    case MB_MMAP_NVS:       return 2;
    case MB_MMAP_BAD:       return 4;
    default:                return 3;  /* reserved, and anything unknown */
    }
}

uint64_t __attribute__((noinline)) memmap_region_end(const struct mem_region *r)
{
    uint64_t end = r->base + r->len;

    return end < r->base ? UINT64_MAX : end;
}

/*
 * The lowest entry boundary (a base or an end) above `after`, or the lowest
 * of all when `any`; false when there is none.  Found by a scan each time, so
 * the sanitiser needs no memory of its own: at most 2 * MEMMAP_MAX_IN scans
 * of MEMMAP_MAX_IN entries.
 */
static bool next_edge(const struct mem_region *in, int n, uint64_t after, bool any,
                      uint64_t *edge)
{
    bool found = false;

    for (int k = 0; k < 2 * n; k++) {
        const struct mem_region *r = &in[k / 2];
        uint64_t e = (k & 1) ? memmap_region_end(r) : r->base;

        if (r->len && (any || e > after) && (!found || e < *edge)) {
            *edge = e;
            found = true;
        }
    }
    return found;
}

/* The winning entry over [a, b), or -1 when nothing covers it. */
static int cover(const struct mem_region *in, int n, uint64_t a, uint64_t b)
{
    int best = -1;

    for (int i = 0; i < n; i++) {
        if (in[i].len == 0 || in[i].base > a || memmap_region_end(&in[i]) < b)
            continue;
        if (best < 0 || type_rank(in[i].type) > type_rank(in[best].type))
            best = i;
    }
    return best;
}

int memmap_sanitize(const struct mem_region *in, int n, struct mem_region *out, int max)
{
    uint64_t a, b;
    int nout = 0;

    if (n > MEMMAP_MAX_IN)
        n = MEMMAP_MAX_IN;
    if (!next_edge(in, n, 0, true, &a))
        return 0;
    for (; next_edge(in, n, a, false, &b); a = b) {
        int w = cover(in, n, a, b);

        if (w < 0)
            continue;
        if (nout > 0 && out[nout - 1].type == in[w].type &&
            out[nout - 1].base + out[nout - 1].len == a) {
            out[nout - 1].len += b - a;
            continue;
        }
        if (nout == max)
            break;
        out[nout++] = (struct mem_region){ a, b - a, in[w].type };
    }
    return nout;
}

/* ---- ranges -------------------------------------------------------------- */

int memrange_remove(struct mem_range *r, int n, int max, uint64_t start, uint64_t end)
{
    if (start >= end)
        return n;
    for (int i = 0; i < n; i++) {
        struct mem_range cur = r[i];

        if (end <= cur.start || start >= cur.end)
            continue;
        if (start > cur.start && end < cur.end) {       /* split in two */
            if (n == max)
                return -1;
            for (int j = n; j > i + 1; j--)
                r[j] = r[j - 1];
            r[i].end = start;
            r[i + 1] = (struct mem_range){ end, cur.end };
            return n + 1;
        }
        if (start <= cur.start && end >= cur.end) {     /* swallowed whole */
            for (int j = i; j + 1 < n; j++)
                r[j] = r[j + 1];
            n--;
            i--;
            continue;
        }
        if (start <= cur.start)
            r[i].start = end;
        else
            r[i].end = start;
    }
    return n;
}

int memmap_usable(const struct mem_region *map, int n, uint64_t limit,
                  const struct mem_range *excl, int nexcl,
                  struct mem_range *out, int max)
{
    int nout = 0;

    for (int i = 0; i < n; i++) {
        uint64_t a = map[i].base, b = memmap_region_end(&map[i]);

        if (map[i].type != MB_MMAP_AVAILABLE)
            continue;
        a = MAX(a, (uint64_t)PAGE_SIZE);
        b = MIN(b, limit);
        if (a > UINT64_MAX - PAGE_MASK64)       /* no whole page starts there */
            continue;
        a = (a + PAGE_MASK64) & ~PAGE_MASK64;
        b &= ~PAGE_MASK64;
        if (a >= b)
            continue;
        if (nout == max)
            return -1;
        out[nout++] = (struct mem_range){ a, b };
    }
    for (int i = 0; i < nexcl; i++) {
        uint64_t a = excl[i].start & ~PAGE_MASK64;
        uint64_t b = excl[i].end > UINT64_MAX - PAGE_MASK64 ? UINT64_MAX & ~PAGE_MASK64
                     : (excl[i].end + PAGE_MASK64) & ~PAGE_MASK64;

        nout = memrange_remove(out, nout, max, a, b);
        if (nout < 0)
            return -1;
    }
    return nout;
}

uint64_t memmap_ram_top(const struct mem_region *map, int n, uint64_t limit)
{
    uint64_t top = 0;
    int i, hi = -1;

    for (i = 0; i < n; i++) {
        uint32_t t = map[i].type;

        if ((t == MB_MMAP_AVAILABLE || t == MB_MMAP_ACPI || t == MB_MMAP_NVS) &&
            map[i].base < limit)
            hi = i;
    }
    if (hi < 0)
        return 0;
    top = memmap_region_end(&map[hi]);
    for (i = hi + 1; i < n && top < limit; i++) {
        if (map[i].base != top || map[i].type == MB_MMAP_BAD)
            break;
        top = memmap_region_end(&map[i]);
    }
    top = MIN(top, limit);
    return top > UINT64_MAX - PAGE_MASK64 ? top : (top + PAGE_MASK64) & ~PAGE_MASK64;
}

uint64_t memmap_available_above(const struct mem_region *map, int n, uint64_t from)
{
    uint64_t sum = 0;

    for (int i = 0; i < n; i++) {
        uint64_t a = map[i].base, b = memmap_region_end(&map[i]);

        if (map[i].type != MB_MMAP_AVAILABLE || b <= from)
            continue;
        sum += b - MAX(a, from);
    }
    return sum;
}

uint32_t memmap_available_pages(const struct mem_region *map, int n, uint64_t limit)
{
    uint64_t pages = 0;

    for (int i = 0; i < n; i++) {
        uint64_t a = (map[i].base + PAGE_MASK64) & ~PAGE_MASK64;
        uint64_t b = MIN(memmap_region_end(&map[i]), limit) & ~PAGE_MASK64;

        if (map[i].type == MB_MMAP_AVAILABLE && map[i].base < limit &&
            map[i].base <= UINT64_MAX - PAGE_MASK64 && a < b)
            pages += (b - a) / PAGE_SIZE;
    }
    return (uint32_t)pages;
}

/* ---- bitmap -------------------------------------------------------------- */

static void pbm_bit(struct page_bitmap *b, uint32_t p, bool set)
{
    if (set)
        b->bits[p / 32] |= 1u << (p % 32);
    else
        b->bits[p / 32] &= ~(1u << (p % 32));
}

/* Bits [first, first+n) to 1 or 0: whole words at once (1 GiB is 8192 of them). */
static void pbm_fill(struct page_bitmap *b, uint32_t first, uint32_t n, bool set)
{
    uint32_t p = first, end = first + n;

    for (; p < end && p % 32; p++)
        pbm_bit(b, p, set);
    for (; end - p >= 32; p += 32)
        b->bits[p / 32] = set ? 0xffffffffu : 0;
    for (; p < end; p++)
        pbm_bit(b, p, set);
}

void pbm_set(struct page_bitmap *b, uint32_t first, uint32_t n)
{
    pbm_fill(b, first, n, true);
}

void pbm_clear(struct page_bitmap *b, uint32_t first, uint32_t n)
{
    pbm_fill(b, first, n, false);
}

/* First bit at or after p, below limit, whose value is `want`; else limit. */
static uint32_t next_bit(const struct page_bitmap *b, uint32_t p, uint32_t limit, bool want)
{
    uint32_t skip = want ? 0 : 0xffffffffu;   /* a word with no candidate */

    while (p < limit) {
        if (p % 32 == 0 && b->bits[p / 32] == skip) {
            p += 32;
            continue;
        }
        if (pbm_test(b, p) == want)
            return p;
        p++;
    }
    return limit;
}

bool pbm_all_clear(const struct page_bitmap *b, uint32_t first, uint32_t n)
{
    return next_bit(b, first, first + n, true) == first + n;
}

bool pbm_all_set(const struct page_bitmap *b, uint32_t first, uint32_t n)
{
    return next_bit(b, first, first + n, false) == first + n;
}

static uint32_t find_between(const struct page_bitmap *b, uint32_t n, uint32_t align,
                             uint32_t from, uint32_t to)
{
    uint64_t c = from;

    while (c < to) {
        uint32_t busy;

        c = next_bit(b, (uint32_t)c, to, false);
        c = (c + align - 1) & ~((uint64_t)align - 1);
        if (c + n > to)
            break;
        busy = next_bit(b, (uint32_t)c, (uint32_t)c + n, true);
        if (busy == c + n)
            return (uint32_t)c;
        c = (uint64_t)busy + 1;
    }
    return UINT32_MAX;
}

uint32_t pbm_find_run(const struct page_bitmap *b, uint32_t n, uint32_t align, uint32_t from)
{
    uint32_t p;

    if (n == 0 || n > b->npages || align == 0 || (align & (align - 1)))
        return UINT32_MAX;
    if (from >= b->npages)
        from = 0;
    p = find_between(b, n, align, from, b->npages);
    if (p == UINT32_MAX && from > 0)
        p = find_between(b, n, align, 0, b->npages);
    return p;
}
