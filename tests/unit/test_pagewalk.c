/*
 * kernel/pagewalk.c over synthetic page tables: 4 KiB and 4 MiB pages,
 * physical discontinuities, unmapped entries, unreachable tables, the
 * maxlen clamp, maxlen 0, the top of the address space, PSE-36; and a
 * randomised comparison against a page-by-page reference model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pagewalk.h"

#define MAX_TABLES  24
#define PD_PHYS     0x1000u

/* "Physical memory" holding the tables: each has a physical address. */
struct mem {
    uint32_t phys[MAX_TABLES];
    uint32_t table[MAX_TABLES][1024];
    int n;
    int lookups;
};

static const uint32_t *table_at(uint32_t phys, void *ctx)
{
    struct mem *m = ctx;

    m->lookups++;
    for (int i = 0; i < m->n; i++)
        if (m->phys[i] == phys)
            return m->table[i];
    return NULL;
}

static uint32_t *add_table(struct mem *m, uint32_t phys)
{
    assert_true(m->n < MAX_TABLES);
    m->phys[m->n] = phys;
    memset(m->table[m->n], 0, sizeof(m->table[0]));
    return m->table[m->n++];
}

static struct mem *new_mem(void)
{
    struct mem *m = calloc(1, sizeof(*m));

    assert_non_null(m);
    add_table(m, PD_PHYS);
    return m;
}

static uint32_t *pd_of(struct mem *m)
{
    return m->table[0];
}

/* Map one 4 KiB page, making the page table at table_phys if needed. */
static void map4k(struct mem *m, uint32_t va, uint32_t pa, uint32_t table_phys)
{
    uint32_t *pd = pd_of(m), *pt = NULL;

    if (!(pd[PDX(va)] & PTE_P)) {
        add_table(m, table_phys);
        pd[PDX(va)] = table_phys | PTE_P | PTE_RW;
    }
    for (int i = 0; i < m->n; i++)
        if (m->phys[i] == (pd[PDX(va)] & PTE_ADDR))
            pt = m->table[i];
    assert_non_null(pt);
    pt[PTX(va)] = (pa & PTE_ADDR) | PTE_P | PTE_RW;
}

static void map4m(struct mem *m, uint32_t va, uint32_t pa)
{
    pd_of(m)[PDX(va)] = (pa & PDE_4M_ADDR) | PDE_PS | PTE_P | PTE_RW;
}

static uint32_t walk(struct mem *m, uint32_t va, uint32_t maxlen, uint64_t *pa)
{
    return pt_walk(PD_PHYS, va, maxlen, pa, table_at, m);
}

static void test_unmapped(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa = 123;

    (void)state;
    assert_int_equal(walk(m, 0, 0x1000, &pa), 0);
    assert_int_equal(pa, 0);
    map4k(m, 0x400000, 0x200000, 0x2000);
    pa = 123;
    assert_int_equal(walk(m, 0x401000, 0x1000, &pa), 0);     /* PTE not present */
    assert_int_equal(pa, 0);
    /* A PTE with an address but no P bit is not mapped either. */
    m->table[1][2] = 0x555000 | PTE_RW;
    assert_int_equal(walk(m, 0x402000, 0x1000, &pa), 0);
    free(m);
}

static void test_single_4k_page(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    map4k(m, 0x400000, 0x9000, 0x2000);
    assert_int_equal(walk(m, 0x400234, 0xffffffffu, &pa), 0x1000 - 0x234);
    assert_int_equal(pa, 0x9234);
    assert_int_equal(walk(m, 0x400234, 0x10, &pa), 0x10);    /* clamp */
    assert_int_equal(pa, 0x9234);
    free(m);
}

static void test_contiguous_and_discontinuous(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    /* va 400000.. : pa 10000 11000 12000 | 30000 | 2f000 | 31000 */
    map4k(m, 0x400000, 0x10000, 0x2000);
    map4k(m, 0x401000, 0x11000, 0);
    map4k(m, 0x402000, 0x12000, 0);
    map4k(m, 0x403000, 0x30000, 0);
    map4k(m, 0x404000, 0x2f000, 0);
    map4k(m, 0x405000, 0x31000, 0);
    assert_int_equal(walk(m, 0x400010, 0x100000, &pa), 0x3000 - 0x10);
    assert_int_equal(pa, 0x10010);
    assert_int_equal(walk(m, 0x402000, 0x100000, &pa), 0x1000);
    assert_int_equal(walk(m, 0x403000, 0x100000, &pa), 0x1000);   /* next goes backwards */
    assert_int_equal(pa, 0x30000);
    assert_int_equal(walk(m, 0x404000, 0x100000, &pa), 0x1000);   /* 2f000 then 31000 */
    assert_int_equal(walk(m, 0x405000, 0x100000, &pa), 0x1000);   /* then unmapped */
    assert_int_equal(walk(m, 0x400000, 0x2001, &pa), 0x2001);     /* clamp mid-run */
    free(m);
}

static void test_large_pages(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    map4m(m, 0x00800000, 0x01000000);
    map4m(m, 0x00c00000, 0x01400000);       /* contiguous with the one before */
    map4m(m, 0x01000000, 0x03000000);       /* not */
    assert_int_equal(walk(m, 0x00900000, 0xffffffffu, &pa), 0x00700000);
    assert_int_equal(pa, 0x01100000);
    assert_int_equal(walk(m, 0x00c00000, 0xffffffffu, &pa), 0x00400000);
    assert_int_equal(walk(m, 0x00bff000, 0x2000, &pa), 0x2000);
    assert_int_equal(pa, 0x013ff000);
    free(m);
}

static void test_mixed_sizes(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    /* 4 MiB page at va 4M -> pa 8M, then a table whose first two PTEs go on. */
    map4m(m, 0x00400000, 0x00800000);
    map4k(m, 0x00800000, 0x00c00000, 0x2000);
    map4k(m, 0x00801000, 0x00c01000, 0);
    map4k(m, 0x00802000, 0x00900000, 0);
    assert_int_equal(walk(m, 0x007ff000, 0xffffffffu, &pa), 0x3000);
    assert_int_equal(pa, 0x00bff000);
    /* And a table whose last PTE runs into a 4 MiB page. */
    map4k(m, 0x00fff000, 0x01bff000, 0x3000);
    map4m(m, 0x01000000, 0x01c00000);
    assert_int_equal(walk(m, 0x00fff800, 0xffffffffu, &pa), 0x800 + 0x400000);
    assert_int_equal(pa, 0x01bff800);
    free(m);
}

static void test_maxlen_zero(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa = 7;

    (void)state;
    map4k(m, 0x400000, 0x9000, 0x2000);
    assert_int_equal(walk(m, 0x400010, 0, &pa), 0);
    assert_int_equal(pa, 0x9010);
    assert_int_equal(walk(m, 0x500000, 0, &pa), 0);
    assert_int_equal(pa, 0);
    free(m);
}

static void test_top_of_address_space(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    map4k(m, 0xfffff000, 0x5000, 0x2000);
    map4k(m, 0x00000000, 0x6000, 0x3000);   /* "next" page if the walk wrapped */
    assert_int_equal(walk(m, 0xfffff800, 0x2000, &pa), 0x800);
    assert_int_equal(pa, 0x5800);
    map4m(m, 0xffc00000, 0x00400000);
    pd_of(m)[0] = (0x00800000u) | PDE_PS | PTE_P;
    assert_int_equal(walk(m, 0xffc00000, 0xffffffffu, &pa), 0x400000);
    free(m);
}

static void test_unreachable_table(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    pd_of(m)[1] = 0x7000 | PTE_P;           /* table at 7000: the accessor has none */
    assert_int_equal(walk(m, 0x400000, 0x1000, &pa), 0);
    assert_int_equal(pa, 0);
    assert_int_equal(pt_walk(0x4000, 0x400000, 0x1000, &pa, table_at, m), 0);  /* no PD */
    free(m);
}

static void test_pse36(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    /* PDE bits 20:13 are physical address bits 39:32. */
    pd_of(m)[2] = 0x00400000u | (0x3u << 13) | PDE_PS | PTE_P;
    assert_int_equal(walk(m, 0x00812345, 0x100, &pa), 0x100);
    assert_true(pa == 0x300412345ull);
    free(m);
}

/*
 * The fast path: a walk reads only the entries the length needs - the
 * directory entry (a 4 MiB page) or that and one PTE (a 4 KiB page) when
 * the page holds maxlen, one more entry per further page otherwise.  The
 * accessor counts table lookups (a 4 MiB page needs none past the
 * directory).
 */
static uint32_t walk_counted(struct mem *m, uint32_t va, uint32_t maxlen, uint64_t *pa)
{
    m->lookups = 0;
    return walk(m, va, maxlen, pa);
}

static void test_fast_path_4k(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    map4k(m, 0x400000, 0x9000, 0x2000);
    map4k(m, 0x401000, 0xa000, 0);          /* contiguous */
    map4k(m, 0x402000, 0x20000, 0);         /* not */
    /* The object ends exactly at the page end: nothing past it is read. */
    assert_int_equal(walk_counted(m, 0x400234, 0x1000 - 0x234, &pa), 0x1000 - 0x234);
    assert_int_equal(pa, 0x9234);
    assert_int_equal(m->lookups, 2);
    /* One byte into the next page: one more PTE, and it continues the run. */
    assert_int_equal(walk_counted(m, 0x400234, 0x1000 - 0x234 + 1, &pa), 0x1000 - 0x234 + 1);
    assert_int_equal(m->lookups, 3);
    /* Into a page that does not continue it: the run ends at the boundary. */
    assert_int_equal(walk_counted(m, 0x401ffc, 8, &pa), 4);
    assert_int_equal(pa, 0xaffc);
    /* Into an unmapped page: the same. */
    assert_int_equal(walk_counted(m, 0x402ff0, 0x20, &pa), 0x10);
    assert_int_equal(pa, 0x20ff0);
    /* An unmapped first page: no PTE lookup past the one that says so. */
    assert_int_equal(walk_counted(m, 0x403000, 0x10, &pa), 0);
    assert_int_equal(pa, 0);
    assert_int_equal(m->lookups, 2);
    free(m);
}

static void test_fast_path_4m(void **state)
{
    struct mem *m = new_mem();
    uint64_t pa;

    (void)state;
    map4m(m, 0x00800000, 0x01000000);
    map4m(m, 0x00c00000, 0x01400000);       /* contiguous */
    /* In one large page: the directory entry alone. */
    assert_int_equal(walk_counted(m, 0x00812345, 0x1000, &pa), 0x1000);
    assert_true(pa == 0x01012345ull);
    assert_int_equal(m->lookups, 1);
    /* Exactly to the end of the large page. */
    assert_int_equal(walk_counted(m, 0x00bff000, 0x1000, &pa), 0x1000);
    assert_int_equal(m->lookups, 1);
    /* Crossing into the next, contiguous, large page: still no table. */
    assert_int_equal(walk_counted(m, 0x00bff800, 0x1000, &pa), 0x1000);
    assert_true(pa == 0x013ff800ull);
    assert_int_equal(m->lookups, 1);
    /* Crossing into an unmapped 4 MiB: the run ends at the boundary. */
    assert_int_equal(walk_counted(m, 0x00fff800, 0x1000, &pa), 0x800);
    /* Crossing from a large page into a table's page. */
    map4k(m, 0x01000000, 0x01800000, 0x2000);
    assert_int_equal(walk_counted(m, 0x00fffff0, 0x20, &pa), 0x20);
    assert_true(pa == 0x017ffff0ull);
    assert_int_equal(m->lookups, 2);
    free(m);
}

/* Reference: a flat page map over the first 64 MiB, walked page by page. */
#define REF_PAGES   (64u * 1024 * 1024 / 4096)

static uint32_t ref_walk(const int64_t *map, uint32_t va, uint32_t maxlen, uint64_t *pa)
{
    uint64_t run, start;

    if (map[va / 4096] < 0) {
        *pa = 0;
        return 0;
    }
    start = (uint64_t)map[va / 4096] + (va & 0xfff);
    *pa = start;
    run = 0x1000 - (va & 0xfff);
    while (run < maxlen && (va + run) / 4096 < REF_PAGES &&
           map[(va + run) / 4096] == (int64_t)(start + run))
        run += 0x1000;
    return run < maxlen ? (uint32_t)run : maxlen;
}

static void build_random(struct mem *m, int64_t *map)
{
    uint32_t pa = 0x100000;

    for (uint32_t pdx = 0; pdx < REF_PAGES / 1024; pdx++) {
        int kind = rand() % 3;

        if (kind == 0)
            continue;                               /* unmapped 4 MiB */
        if (kind == 1) {                            /* a 4 MiB page */
            pa = (pa + 0x3fffff) & ~0x3fffffu;
            if (rand() % 2)
                pa += 0x400000;
            map4m(m, pdx << 22, pa);
            for (uint32_t k = 0; k < 1024; k++)
                map[pdx * 1024 + k] = pa + k * 0x1000;
            pa += 0x400000;
            continue;
        }
        for (uint32_t k = 0; k < 1024; k++) {       /* a table, mostly runs */
            uint32_t va = (pdx << 22) | (k << 12);
            int r = rand() % 10;

            if (r == 0) {
                if (!(pd_of(m)[pdx] & PTE_P))
                    map4k(m, va, 0x1000, 0x10000000u + pdx * 0x1000);
                m->table[m->n - 1][k] = 0;          /* hole */
                continue;
            }
            if (r == 1)
                pa += 0x1000 * (uint32_t)(rand() % 5);       /* jump */
            else if (r == 2 && pa > 0x200000)
                pa -= 0x2000;                               /* backwards */
            map4k(m, va, pa, 0x10000000u + pdx * 0x1000);
            map[pdx * 1024 + k] = pa;
            pa += 0x1000;
        }
    }
}

static void test_random_against_reference(void **state)
{
    int64_t *map = malloc(REF_PAGES * sizeof(*map));
    struct mem *m = new_mem();

    (void)state;
    assert_non_null(map);
    for (uint32_t i = 0; i < REF_PAGES; i++)
        map[i] = -1;
    srand(2);
    build_random(m, map);
    for (int i = 0; i < 20000; i++) {
        uint32_t va = (uint32_t)rand() % (REF_PAGES * 4096);
        uint32_t maxlen = (uint32_t)rand() % (rand() % 2 ? 0x20000 : 0x800000);
        uint64_t pa1, pa2;
        uint32_t n1 = walk(m, va, maxlen, &pa1), n2 = ref_walk(map, va, maxlen, &pa2);

        if (n1 != n2 || pa1 != pa2)
            fail_msg("va %08x maxlen %x: walk %x @%llx, reference %x @%llx", va, maxlen,
                     n1, (unsigned long long)pa1, n2, (unsigned long long)pa2);
    }
    free(m);
    free(map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unmapped),
        cmocka_unit_test(test_single_4k_page),
        cmocka_unit_test(test_contiguous_and_discontinuous),
        cmocka_unit_test(test_large_pages),
        cmocka_unit_test(test_mixed_sizes),
        cmocka_unit_test(test_maxlen_zero),
        cmocka_unit_test(test_top_of_address_space),
        cmocka_unit_test(test_unreachable_table),
        cmocka_unit_test(test_pse36),
        cmocka_unit_test(test_fast_path_4k),
        cmocka_unit_test(test_fast_path_4m),
        cmocka_unit_test(test_random_against_reference),
    };
    return cmocka_run_group_tests_name("pagewalk", tests, NULL, NULL);
}
