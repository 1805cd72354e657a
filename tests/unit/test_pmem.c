/*
 * kernel/memmap.c: sanitising memory maps (overlaps, order, zero lengths,
 * overflow), range removal, the usable page ranges, the end of RAM for the
 * identity map, and the page bitmap searches (against a naive reference).
 * Maps shaped like QEMU's (SeaBIOS e820 for pc and q35 with 32 MiB and 3 GiB).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memmap.h"

#define AV  MB_MMAP_AVAILABLE
#define RES 2
#define KiB 1024ull
#define MiB (1024 * KiB)
#define GiB (1024 * MiB)

static void expect_region(const struct mem_region *r, uint64_t base, uint64_t len, uint32_t type)
{
    if (r->base != base || r->len != len || r->type != type)
        fail_msg("region %llx+%llx type %u, wanted %llx+%llx type %u",
                 (unsigned long long)r->base, (unsigned long long)r->len, r->type,
                 (unsigned long long)base, (unsigned long long)len, type);
}

static void test_sanitize_sorts_and_merges(void **state)
{
    const struct mem_region in[] = {
        { 0x100000, 0x100000, AV }, { 0, 0x9fc00, AV }, { 0x200000, 0x100000, AV },
        { 0x9fc00, 0x400, RES }, { 0x500000, 0, RES },
    };
    struct mem_region out[8];
    int n;

    (void)state;
    n = memmap_sanitize(in, 5, out, 8);
    assert_int_equal(n, 3);
    expect_region(&out[0], 0, 0x9fc00, AV);
    expect_region(&out[1], 0x9fc00, 0x400, RES);
    expect_region(&out[2], 0x100000, 0x200000, AV);     /* merged, zero-length gone */
}

static void test_sanitize_overlaps(void **state)
{
    const struct mem_region in[] = {
        { 0x0, 0x1000000, AV },                 /* 0 .. 16M available */
        { 0x400000, 0x100000, RES },            /* reserved in the middle */
        { 0x800000, 0x100000, MB_MMAP_ACPI },
        { 0x880000, 0x100000, MB_MMAP_NVS },    /* NVS beats ACPI, and RAM */
        { 0xf00000, 0x200000, MB_MMAP_BAD },    /* runs past the RAM */
        { 0xf80000, 0x10000, RES },             /* bad beats reserved */
        { 0x100000, 0x1000, 77 },               /* unknown: as reserved */
        { 0x200000, 0x1000, AV },               /* inside RAM already */
    };
    struct mem_region out[16];
    int n;

    (void)state;
    n = memmap_sanitize(in, 8, out, 16);
    assert_int_equal(n, 9);
    expect_region(&out[0], 0x0, 0x100000, AV);
    expect_region(&out[1], 0x100000, 0x1000, 77);
    expect_region(&out[2], 0x101000, 0x2ff000, AV);
    expect_region(&out[3], 0x400000, 0x100000, RES);
    expect_region(&out[4], 0x500000, 0x300000, AV);
    expect_region(&out[5], 0x800000, 0x80000, MB_MMAP_ACPI);
    expect_region(&out[6], 0x880000, 0x100000, MB_MMAP_NVS);
    expect_region(&out[7], 0x980000, 0x580000, AV);
    expect_region(&out[8], 0xf00000, 0x200000, MB_MMAP_BAD);
}

static void test_sanitize_overflow_and_limit(void **state)
{
    const struct mem_region in[] = {
        { 0xfffffffffffff000ull, 0x10000, RES },    /* runs past 2^64: cut */
        { 0x1000, 0x1000, AV }, { 0x3000, 0x1000, AV }, { 0x5000, 0x1000, AV },
    };
    struct mem_region out[4];
    int n;

    (void)state;
    n = memmap_sanitize(in, 4, out, 4);
    assert_int_equal(n, 4);
    expect_region(&out[3], 0xfffffffffffff000ull, 0xfff, RES);
    n = memmap_sanitize(in, 4, out, 2);                         /* room for 2 */
    assert_int_equal(n, 2);
    expect_region(&out[1], 0x3000, 0x1000, AV);
    assert_int_equal(memmap_sanitize(in, 0, out, 4), 0);
}

static void expect_ranges(const struct mem_range *r, int n, const uint64_t *want, int nwant)
{
    assert_int_equal(n, nwant);
    for (int i = 0; i < n; i++) {
        if (r[i].start != want[2 * i] || r[i].end != want[2 * i + 1])
            fail_msg("range %d: %llx-%llx, wanted %llx-%llx", i,
                     (unsigned long long)r[i].start, (unsigned long long)r[i].end,
                     (unsigned long long)want[2 * i], (unsigned long long)want[2 * i + 1]);
    }
}

static void test_range_remove(void **state)
{
    struct mem_range r[4] = { { 0x1000, 0x10000 }, { 0x20000, 0x30000 } };
    int n = 2;

    (void)state;
    n = memrange_remove(r, n, 4, 0x4000, 0x5000);                  /* split */
    expect_ranges(r, n, (const uint64_t[]){ 0x1000, 0x4000, 0x5000, 0x10000,
                                            0x20000, 0x30000 }, 3);
    n = memrange_remove(r, n, 4, 0x0, 0x2000);                     /* head */
    n = memrange_remove(r, n, 4, 0x2f000, 0x40000);                /* tail */
    expect_ranges(r, n, (const uint64_t[]){ 0x2000, 0x4000, 0x5000, 0x10000,
                                            0x20000, 0x2f000 }, 3);
    n = memrange_remove(r, n, 4, 0x3000, 0x21000);                 /* across three */
    expect_ranges(r, n, (const uint64_t[]){ 0x2000, 0x3000, 0x21000, 0x2f000 }, 2);
    n = memrange_remove(r, n, 4, 0x2000, 0x3000);                  /* whole */
    expect_ranges(r, n, (const uint64_t[]){ 0x21000, 0x2f000 }, 1);
    assert_int_equal(memrange_remove(r, n, 4, 0x5000, 0x5000), 1);  /* empty */
    assert_int_equal(memrange_remove(r, n, 1, 0x22000, 0x23000), -1);  /* no room */
    expect_ranges(r, 1, (const uint64_t[]){ 0x21000, 0x2f000 }, 1);
}

static void test_usable(void **state)
{
    const struct mem_region map[] = {
        { 0, 0x9fc00, AV }, { 0x9fc00, 0x400, RES }, { 0x100000, 0x1f00800, AV },
        { 0x2000800, 0x1000, RES }, { 0xc0000000ull - 0x1000, 0x3000, AV },
        { 4 * GiB, GiB, AV },
    };
    const struct mem_range excl[] = {
        { 0x100000, 0x133456 },                 /* kernel: grown to 134000 */
        { 0x9500, 0x9600 },                     /* mbi: the whole page goes */
        { 0x800000, 0x800001 },                 /* a one-byte module */
    };
    struct mem_range out[8];
    int n;

    (void)state;
    n = memmap_usable(map, 6, 0xc0000000ull, excl, 3, out, 8);
    expect_ranges(out, n, (const uint64_t[]){
        0x1000, 0x9000, 0xa000, 0x9f000,        /* page 0 and the partial 9f000 go */
        0x134000, 0x800000, 0x801000, 0x2000000, /* end shrunk to a page */
        0xbffff000, 0xc0000000 }, 5);           /* clipped at the limit */
    assert_int_equal(memmap_usable(map, 6, 0xc0000000ull, excl, 3, out, 4), -1);
}

static void test_ram_top(void **state)
{
    /* SeaBIOS: the top 128 KiB of RAM reserved for its tables. */
    const struct mem_region pc32[] = {
        { 0, 0x9fc00, AV }, { 0x9fc00, 0x400, RES }, { 0xf0000, 0x10000, RES },
        { 0x100000, 0x1ee0000, AV }, { 0x1fe0000, 0x20000, RES },
        { 0xfffc0000ull, 0x40000, RES },
    };
    const struct mem_region q35_3g[] = {
        { 0, 0x9fc00, AV }, { 0x100000, 0x7fee0000, AV }, { 0x7ffe0000, 0x20000, RES },
        { 0xb0000000ull, 0x10000000, RES }, { 0xfffc0000ull, 0x40000, RES },
        { 4 * GiB, GiB, AV },
    };
    const struct mem_region gap[] = { { 0x100000, 0x100000, AV }, { 0x300000, 0x1000, RES } };
    const struct mem_region bad[] = { { 0x100000, 0x100000, AV }, { 0x200000, 0x1000, MB_MMAP_BAD } };
    const struct mem_region big[] = { { 0x100000, 0xdff00000ull, AV }, { 0xe0000000ull, 0x1000, RES } };
    const struct mem_region none[] = { { 0xc0000000ull, 0x1000, AV } };

    (void)state;
    assert_true(memmap_ram_top(pc32, 6, 0xc0000000ull) == 0x2000000);
    assert_true(memmap_ram_top(q35_3g, 6, 0xc0000000ull) == 0x80000000ull);
    assert_true(memmap_ram_top(gap, 2, 0xc0000000ull) == 0x200000);
    assert_true(memmap_ram_top(bad, 2, 0xc0000000ull) == 0x200000);
    assert_true(memmap_ram_top(big, 2, 0xc0000000ull) == 0xc0000000ull);
    assert_true(memmap_ram_top(none, 1, 0xc0000000ull) == 0);
    assert_true(memmap_available_above(q35_3g, 6, 4 * GiB) == GiB);
    assert_true(memmap_available_above(q35_3g, 6, 0) == 3 * GiB - 0x400 - 0x20000 - 0x60000);
    assert_true(memmap_available_above(big, 2, 0xc0000000ull) == 0x20000000);
    assert_int_equal(memmap_available_pages(pc32, 6, 0xc0000000ull), 0x9f + 0x1ee0);
}

/* ---- bitmap ---------------------------------------------------------------- */

static uint32_t naive_find(const struct page_bitmap *b, uint32_t n, uint32_t align, uint32_t from)
{
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t p = pass ? 0 : from; p + n <= b->npages; p++) {
            uint32_t k;

            if (p % align)
                continue;
            for (k = 0; k < n && !pbm_test(b, (uint32_t)(p + k)); k++)
                ;
            if (k == n)
                return (uint32_t)p;
        }
    }
    return UINT32_MAX;
}

/* pbm_set/pbm_clear (whole words at once) against one bit at a time, every range of 256 bits. */
static void test_bitmap_fill(void **state)
{
    uint32_t bits[8], want[8];
    struct page_bitmap b = { bits, 256 };

    (void)state;
    for (uint32_t first = 0; first < 256; first++) {
        for (uint32_t n = 0; first + n <= 256; n++) {
            for (int set = 0; set < 2; set++) {
                memset(bits, set ? 0x00 : 0xff, sizeof(bits));
                memcpy(want, bits, sizeof(want));
                for (uint32_t p = first; p < first + n; p++)
                    want[p / 32] = set ? want[p / 32] | 1u << (p % 32)
                                       : want[p / 32] & ~(1u << (p % 32));
                if (set)
                    pbm_set(&b, first, n);
                else
                    pbm_clear(&b, first, n);
                assert_memory_equal(bits, want, sizeof(bits));
            }
        }
    }
}

static void test_bitmap_basics(void **state)
{
    uint32_t bits[4];
    struct page_bitmap b = { bits, 128 };

    (void)state;
    memset(bits, 0xff, sizeof(bits));
    assert_int_equal(pbm_find_run(&b, 1, 1, 0), UINT32_MAX);
    pbm_clear(&b, 40, 30);                                  /* 40..69 free */
    assert_true(pbm_all_clear(&b, 40, 30));
    assert_false(pbm_all_clear(&b, 39, 2));
    assert_true(pbm_all_set(&b, 0, 40));
    assert_int_equal(pbm_find_run(&b, 1, 1, 0), 40);
    assert_int_equal(pbm_find_run(&b, 1, 1, 50), 50);
    assert_int_equal(pbm_find_run(&b, 1, 1, 100), 40);     /* wraps round */
    assert_int_equal(pbm_find_run(&b, 30, 1, 0), 40);
    assert_int_equal(pbm_find_run(&b, 31, 1, 0), UINT32_MAX);
    assert_int_equal(pbm_find_run(&b, 16, 16, 0), 48);     /* aligned */
    assert_int_equal(pbm_find_run(&b, 4, 32, 0), 64);
    assert_int_equal(pbm_find_run(&b, 8, 32, 0), UINT32_MAX);     /* 64..71 runs out at 70 */
    assert_int_equal(pbm_find_run(&b, 16, 32, 0), UINT32_MAX);
    assert_int_equal(pbm_find_run(&b, 4, 3, 0), UINT32_MAX);     /* align not 2^k */
    assert_int_equal(pbm_find_run(&b, 0, 1, 0), UINT32_MAX);
    assert_int_equal(pbm_find_run(&b, 129, 1, 0), UINT32_MAX);
    pbm_clear(&b, 120, 8);                                  /* free at the very end */
    assert_int_equal(pbm_find_run(&b, 8, 8, 70), 120);
    pbm_set(&b, 40, 30);
    assert_true(pbm_all_set(&b, 0, 120));
}

static void test_bitmap_random_against_naive(void **state)
{
    enum { NPAGES = 3000 };
    static uint32_t bits[(NPAGES + 31) / 32];
    struct page_bitmap b = { bits, NPAGES };

    (void)state;
    srand(3);
    for (int round = 0; round < 200; round++) {
        int density = rand() % 100;

        for (uint32_t p = 0; p < NPAGES; p++) {
            if (rand() % 100 < density)
                pbm_set(&b, p, 1);
            else
                pbm_clear(&b, p, 1);
        }
        if (round % 4 == 0)
            pbm_set(&b, 0, NPAGES / 2);             /* long busy stretch: word skipping */
        for (int q = 0; q < 50; q++) {
            uint32_t n = 1 + (uint32_t)(rand() % (q % 5 ? 8 : 200));
            uint32_t align = 1u << (rand() % 6);
            uint32_t from = (uint32_t)rand() % NPAGES;

            assert_int_equal(pbm_find_run(&b, n, align, from), naive_find(&b, n, align, from));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_sorts_and_merges),
        cmocka_unit_test(test_sanitize_overlaps),
        cmocka_unit_test(test_sanitize_overflow_and_limit),
        cmocka_unit_test(test_range_remove),
        cmocka_unit_test(test_usable),
        cmocka_unit_test(test_ram_top),
        cmocka_unit_test(test_bitmap_fill),
        cmocka_unit_test(test_bitmap_basics),
        cmocka_unit_test(test_bitmap_random_against_naive),
    };
    return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
