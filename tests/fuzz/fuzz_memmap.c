/*
 * libFuzzer harness: the memory map and page bitmap logic behind the page
 * allocator (kernel/memmap.c).  The multiboot memory map comes from
 * firmware: overlapping, unsorted, zero-length, wrapping entries and
 * unknown types all happen.
 *
 * Input: a mode byte (bit 0: bitmap, else map), then
 *   map:    an entry count, an output size, entries (a type selector, then
 *           a base and length either in pages, possibly off by a few bytes,
 *           or raw 64-bit, or running to 2^64), a limit and up to 4
 *           excluded ranges for memmap_usable;
 *   bitmap: a page count, the bitmap's bytes, then operations (find a run
 *           and take it, set, clear, test a range).
 *
 * Properties of memmap_sanitize (n up to 140: the first MEMMAP_MAX_IN
 * count), with room for every entry: the output is sorted, disjoint,
 * without zero lengths or mergeable neighbours, its boundaries are input
 * boundaries, and at every boundary it covers exactly what the input
 * covers, with the type of highest rank there; with less room, it is the
 * first entries of that.  Of memmap_usable on the result: every range is
 * whole pages in [4 KiB, limit), and a page is in a range exactly when it
 * lies in one "available" entry and touches no excluded range grown to
 * pages (checked at every boundary page).  memmap_available_pages is that
 * count plus page 0, memmap_available_above sums what lies above, and
 * memmap_ram_top is page-aligned, within the limit, and covers all RAM
 * below it.  Of the bitmap: find_run equals a naive search (upwards from
 * `from`, then from 0), set/clear/all_clear/all_set equal naive loops, and
 * nothing reads past the bitmap's last word (exact-size block: ASan).
 */
#include "memmap.h"
#include "fuzz.h"

typedef unsigned __int128 u128;

#define MAX_IN          140
#define MAX_OUT         (2 * MEMMAP_MAX_IN)
#define MAX_EXCL        4
#define MAX_CAND        (8 * MAX_OUT)
#define PG              4096u

/* ---- the input map ---------------------------------------------------------------------- */

static const uint32_t types[8] = { 1, 1, 1, 2, 3, 4, 5, 77 };

static int rank(uint32_t type)
{
    return type == 1 ? 0 : type == 3 ? 1 : type == 4 ? 2 : type == 5 ? 4 : 3;
}

static uint64_t end_of(const struct mem_region *r)
{
    u128 e = (u128)r->base + r->len;

    return e > UINT64_MAX ? UINT64_MAX : (uint64_t)e;
}

static void read_entry(struct fz *f, struct mem_region *r)
{
    uint8_t how = fz_u8(f);

    r->type = types[how % 8];
    switch ((how >> 3) & 3) {
    case 0:
    case 1:
        r->base = (uint64_t)fz_u16(f) * PG + (how & 0x20 ? fz_u8(f) : 0);
        r->len = (uint64_t)fz_u16(f) * PG + (how & 0x40 ? fz_u8(f) : 0);
        break;
    case 2:
        r->base = fz_u64(f);
        r->len = fz_u64(f);
        break;
    default:
        r->base = (uint64_t)fz_u16(f) * PG << (how >> 5);
        r->len = (how & 0x80) ? UINT64_MAX : 0 - r->base;
        break;
    }
}

/* The highest-rank entry covering x (among the first n), or -1. */
static int ref_cover(const struct mem_region *in, int n, uint64_t x)
{
    int best = -1;

    for (int i = 0; i < n; i++)
        if (in[i].len && in[i].base <= x && x < end_of(&in[i]) &&
            (best < 0 || rank(in[i].type) > rank(in[best].type)))
            best = i;
    return best;
}

static int out_at(const struct mem_region *o, int n, uint64_t x)
{
    for (int i = 0; i < n; i++)
        if (o[i].base <= x && x - o[i].base < o[i].len)
            return i;
    return -1;
}

static bool is_edge(const struct mem_region *in, int n, uint64_t x)
{
    for (int i = 0; i < n; i++)
        if (in[i].len && (in[i].base == x || end_of(&in[i]) == x))
            return true;
    return false;
}

/* ---- memmap_sanitize -------------------------------------------------------------------- */

static void check_shape(const struct mem_region *o, int n)
{
    for (int i = 0; i < n; i++) {
        FZ_CHECK(o[i].len > 0 && o[i].base + o[i].len > o[i].base, "entry %d: %llx+%llx", i,
                 (unsigned long long)o[i].base, (unsigned long long)o[i].len);
        if (i == 0)
            continue;
        FZ_CHECK(o[i - 1].base + o[i - 1].len <= o[i].base, "entries %d and %d overlap or unsorted",
                 i - 1, i);
        FZ_CHECK(o[i - 1].type != o[i].type || o[i - 1].base + o[i - 1].len != o[i].base,
                 "entries %d and %d not merged", i - 1, i);
    }
}

static void check_cover(const struct mem_region *in, int nin, const struct mem_region *o, int n)
{
    for (int i = 0; i < n; i++)
        FZ_CHECK(is_edge(in, nin, o[i].base) && is_edge(in, nin, o[i].base + o[i].len),
                 "entry %d (%llx+%llx) does not start and end at input boundaries", i,
                 (unsigned long long)o[i].base, (unsigned long long)o[i].len);
    for (int i = 0; i < 2 * nin; i++) {
        uint64_t x = i % 2 ? end_of(&in[i / 2]) : in[i / 2].base;
        int w = ref_cover(in, nin, x), k = out_at(o, n, x);

        if (!in[i / 2].len)
            continue;
        FZ_CHECK((w < 0) == (k < 0), "at %llx: input covers %d, output %d",
                 (unsigned long long)x, w >= 0, k >= 0);
        if (w >= 0)
            FZ_CHECK(rank(o[k].type) == rank(in[w].type), "at %llx: type %u, input's winner %u",
                     (unsigned long long)x, o[k].type, in[w].type);
    }
}

/* ---- memmap_usable and friends ----------------------------------------------------------- */

struct usable_case {
    uint64_t limit;
    struct mem_range excl[MAX_EXCL];
    int nexcl;
};

static bool ref_page_usable(const struct mem_region *m, int n, const struct usable_case *u,
                            uint64_t p)
{
    bool in_av = false;

    if (p < PG || (u128)p + PG > u->limit)
        return false;
    for (int i = 0; i < n && !in_av; i++)
        in_av = m[i].type == 1 && m[i].base <= p && (u128)p + PG <= end_of(&m[i]);
    if (!in_av)
        return false;
    for (int i = 0; i < u->nexcl; i++) {
        u128 a = u->excl[i].start & ~(uint64_t)(PG - 1);
        u128 b = ((u128)u->excl[i].end + PG - 1) & ~(u128)(PG - 1);

        if (b > (UINT64_MAX & ~(uint64_t)(PG - 1)))
            b = UINT64_MAX & ~(uint64_t)(PG - 1);
        if (a < b && p < b && a < (u128)p + PG)
            return false;
    }
    return true;
}

static bool in_ranges(const struct mem_range *r, int n, uint64_t p)
{
    for (int i = 0; i < n; i++)
        if (r[i].start <= p && p < r[i].end)
            return true;
    return false;
}

static int add_cand(uint64_t *c, int n, uint64_t x)
{
    x &= ~(uint64_t)(PG - 1);
    if (n + 3 > MAX_CAND)
        return n;
    c[n++] = x;
    if (x >= PG)
        c[n++] = x - PG;
    if (x <= UINT64_MAX - 2 * PG)
        c[n++] = x + PG;
    return n;
}

static void check_usable(const struct mem_region *m, int n, const struct usable_case *u,
                         const struct mem_range *r, int nr)
{
    static uint64_t cand[MAX_CAND];
    int nc = 0;

    for (int i = 0; i < nr; i++) {
        FZ_CHECK(r[i].start % PG == 0 && r[i].end % PG == 0 && r[i].start < r[i].end &&
                 r[i].start >= PG && r[i].end <= u->limit, "range %d: %llx..%llx", i,
                 (unsigned long long)r[i].start, (unsigned long long)r[i].end);
        FZ_CHECK(i == 0 || r[i - 1].end <= r[i].start, "ranges %d and %d", i - 1, i);
        nc = add_cand(cand, nc, r[i].start);
        nc = add_cand(cand, nc, r[i].end);
    }
    for (int i = 0; i < n; i++) {
        nc = add_cand(cand, nc, m[i].base + PG - 1);
        nc = add_cand(cand, nc, end_of(&m[i]));
    }
    for (int i = 0; i < u->nexcl; i++) {
        nc = add_cand(cand, nc, u->excl[i].start);
        nc = add_cand(cand, nc, u->excl[i].end);
    }
    nc = add_cand(cand, nc, PG);
    nc = add_cand(cand, nc, u->limit);
    for (int i = 0; i < nc; i++)
        FZ_CHECK(ref_page_usable(m, n, u, cand[i]) == in_ranges(r, nr, cand[i]),
                 "page %llx: usable %d, in the ranges %d", (unsigned long long)cand[i],
                 ref_page_usable(m, n, u, cand[i]), in_ranges(r, nr, cand[i]));
}

static void check_totals(const struct mem_region *m, int n, uint64_t limit)
{
    static struct mem_range r[MAX_OUT];
    int nr = memmap_usable(m, n, limit, NULL, 0, r, MAX_OUT);
    u128 pages = 0, av = 0;
    uint64_t top = memmap_ram_top(m, n, limit);
    bool ram = false;

    FZ_CHECK(nr >= 0, "memmap_usable without exclusions needed more than %d ranges", MAX_OUT);
    for (int i = 0; i < nr; i++)
        pages += (r[i].end - r[i].start) / PG;
    pages += limit >= PG && n > 0 && m[0].type == 1 && m[0].base == 0 && m[0].len >= PG;
    if (pages <= UINT32_MAX)
        FZ_CHECK(memmap_available_pages(m, n, limit) == pages, "available pages %u, ranges %llu",
                 memmap_available_pages(m, n, limit), (unsigned long long)pages);
    for (int i = 0; i < n; i++) {
        if (m[i].type == 1)
            av += m[i].len;
        if ((m[i].type == 1 || m[i].type == 3 || m[i].type == 4) && m[i].base < limit) {
            uint64_t e = end_of(&m[i]) < limit ? end_of(&m[i]) : limit;
            ram = true;
            FZ_CHECK(top >= e, "RAM top %llx below RAM ending at %llx", (unsigned long long)top,
                     (unsigned long long)e);
        }
    }
    FZ_CHECK(ram == (top != 0), "RAM top %llx", (unsigned long long)top);
    if (limit <= UINT64_MAX - PG)
        FZ_CHECK(top % PG == 0 && top <= ((limit + PG - 1) & ~(uint64_t)(PG - 1)),
                 "RAM top %llx, limit %llx", (unsigned long long)top, (unsigned long long)limit);
    FZ_CHECK(memmap_available_above(m, n, 0) == av, "available above 0");
    FZ_CHECK(memmap_available_above(m, n, limit) <= av, "available above the limit");
}

static void fuzz_map(struct fz *f)
{
    static struct mem_region in[MAX_IN], big[MAX_OUT], small[MAX_OUT];
    static struct mem_range r[64];
    static const uint64_t limits[4] = { 0xC0000000ull, 0x100000000ull, 1ull << 40, UINT64_MAX };
    struct usable_case u;
    int nin = fz_u8(f) % (MAX_IN + 1), max = 1 + fz_u8(f) % MAX_OUT, nmodel, nb, ns, nr;
    uint8_t how;

    for (int i = 0; i < nin; i++)
        read_entry(f, &in[i]);
    nmodel = nin < MEMMAP_MAX_IN ? nin : MEMMAP_MAX_IN;
    nb = memmap_sanitize(in, nin, big, MAX_OUT);
    FZ_CHECK(nb >= 0 && nb < MAX_OUT, "%d entries out", nb);
    check_shape(big, nb);
    check_cover(in, nmodel, big, nb);
    ns = memmap_sanitize(in, nin, small, max);
    FZ_CHECK(ns == (nb < max ? nb : max) && memcmp(small, big, (size_t)ns * sizeof(*big)) == 0,
             "with room for %d: %d entries, not the first of the %d", max, ns, nb);

    how = fz_u8(f);
    u.limit = how & 4 ? fz_u64(f) : limits[how % 4];
    u.nexcl = (how >> 3) % (MAX_EXCL + 1);
    for (int i = 0; i < u.nexcl; i++) {
        bool raw = fz_bool(f);
        u.excl[i].start = raw ? fz_u64(f) : (uint64_t)fz_u16(f) * PG + fz_u8(f);
        u.excl[i].end = raw ? fz_u64(f) : u.excl[i].start + fz_u16(f) * 16u;
    }
    nr = memmap_usable(big, nb, u.limit, u.excl, u.nexcl, r, 1 + (how >> 6) * 21);
    if (nr >= 0)
        check_usable(big, nb, &u, r, nr);
    check_totals(big, nb, u.limit);
}

/* ---- the page bitmap -------------------------------------------------------------------- */

struct bm {
    struct page_bitmap b;
    uint32_t *ones;                     /* ones[p]: set bits below page p */
};

static bool naive_test(const struct bm *m, uint32_t p)
{
    return (m->b.bits[p / 32] >> (p % 32)) & 1;
}

static void count_ones(struct bm *m)
{
    m->ones[0] = 0;
    for (uint32_t p = 0; p < m->b.npages; p++)
        m->ones[p + 1] = m->ones[p] + naive_test(m, p);
}

static uint32_t naive_find(const struct bm *m, uint32_t n, uint32_t align, uint32_t from)
{
    uint32_t np = m->b.npages;

    if (n == 0 || n > np || align == 0 || (align & (align - 1)))
        return UINT32_MAX;
    if (from >= np)
        from = 0;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t c = pass ? 0 : ((uint64_t)from + align - 1) / align * align;

        for (; c + n <= np; c += align)
            if (m->ones[c + n] == m->ones[c])
                return (uint32_t)c;
        if (from == 0)
            break;
    }
    return UINT32_MAX;
}

static void bitmap_op(struct fz *f, struct bm *m)
{
    uint32_t np = m->b.npages, first = fz_u16(f) % np, n = fz_u16(f) % (np - first + 1);
    uint8_t op = fz_u8(f);

    switch (op % 4) {
    case 0: {
        uint32_t align = op & 0x80 ? fz_u8(f) : 1u << (op >> 2) % 12;
        uint32_t from = first + (op & 0x40 ? np : 0);   /* past the end: from 0 */
        uint32_t want = naive_find(m, n, align, from), got = pbm_find_run(&m->b, n, align, from);
        FZ_CHECK(got == want, "find %u pages aligned %u from %u: %u, naive %u", n, align, from,
                 got, want);
        if (got == UINT32_MAX)
            return;
        first = got;
        __attribute__((fallthrough));           /* take the run */
    }
    case 1:
        pbm_set(&m->b, first, n);
        break;
    case 2:
        pbm_clear(&m->b, first, n);
        break;
    default:
        break;
    }
    count_ones(m);
    if (op % 4 == 1 || op % 4 == 0)
        FZ_CHECK(m->ones[first + n] - m->ones[first] == n, "set %u+%u", first, n);
    if (op % 4 == 2)
        FZ_CHECK(m->ones[first + n] == m->ones[first], "clear %u+%u", first, n);
    FZ_CHECK(pbm_all_clear(&m->b, first, n) == (m->ones[first + n] == m->ones[first]) &&
             pbm_all_set(&m->b, first, n) == (m->ones[first + n] - m->ones[first] == n),
             "all_clear/all_set %u+%u", first, n);
}

static void fuzz_bitmap(struct fz *f)
{
    struct bm m;
    uint32_t words;
    size_t got;
    const uint8_t *p;

    m.b.npages = 1 + fz_u16(f) % 4096;
    words = (m.b.npages + 31) / 32;
    m.b.bits = calloc(words, sizeof(uint32_t));
    m.ones = malloc((m.b.npages + 1) * sizeof(uint32_t));
    if (!m.b.bits || !m.ones)
        abort();
    p = fz_bytes(f, fz_u8(f) * 2u, &got);
    memcpy(m.b.bits, p, got < words * 4 ? got : words * 4);
    count_ones(&m);
    for (int i = 0; i < 16 && f->n; i++)
        bitmap_op(f, &m);
    free(m.ones);
    free(m.b.bits);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };

    if (fz_u8(&f) & 1)
        fuzz_bitmap(&f);
    else
        fuzz_map(&f);
    return 0;
}
