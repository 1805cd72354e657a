/*
 * memtest: in-guest checks of the page allocator, the heap and the paging
 * code (PASS/FAIL lines), and "memtest scatter", which leaves a buffer of
 * physically scattered pages mapped in the scattered window for a host test
 * to inspect with v2p, md and crc32.
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "pmem.h"
#include "vm.h"
#include "heap.h"
#include "pagewalk.h"
#include "report.h"

#define GRAB_MAX    256                 /* runs held while exhausting the allocator */

extern char _kernel_start[];

/* ---- scatter -------------------------------------------------------------- */

/*
 * Pages of a run of 8 mapped in the order 0 1 4 3 6 7: runs of 2, 1, 1 and
 * 2 pages, one of them going backwards.  Byte k of mapped page i holds
 * (i * 0x3b + k * 7 + 1) & 0xff, so the host can check what lies where.
 */
static const uint8_t scatter_order[] = { 0, 1, 4, 3, 6, 7 };
#define SCATTER_RUN 8u

static void scatter_fill(uint32_t pa, uint32_t i)
{
    uint8_t *p = (uint8_t *)(uintptr_t)pa;

    for (uint32_t k = 0; k < PAGE_SIZE; k++)
        p[k] = (uint8_t)(i * 0x3b + k * 7 + 1);
}

static int memtest_scatter(void)
{
    uint32_t pages[ARRAY_SIZE(scatter_order)], base = pmem_alloc_run(SCATTER_RUN, 1);
    uint32_t n = ARRAY_SIZE(scatter_order), va;

    if (!base) {
        printf("memtest: no memory for %u pages\n", SCATTER_RUN);
        return CMD_FAIL;
    }
    for (uint32_t i = 0; i < n; i++) {
        pages[i] = base + scatter_order[i] * PAGE_SIZE;
        scatter_fill(pages[i], i);
    }
    pmem_free(base + 2 * PAGE_SIZE, 1);         /* the two pages left out */
    pmem_free(base + 5 * PAGE_SIZE, 1);
    va = (uint32_t)vm_map_scattered(pages, n);
    if (!va) {
        printf("memtest: could not map the scattered pages\n");
        return CMD_FAIL;
    }
    printf("scatter va %08x pages %u size %08x\n", va, n, n * PAGE_SIZE);
    for (uint32_t i = 0; i < n; i++)
        printf("scatter page %u va %08x pa %08x\n", i, va + i * PAGE_SIZE, pages[i]);
    return CMD_OK;
}

/* ---- the page allocator ----------------------------------------------------- */

struct grab {
    uint32_t pa[GRAB_MAX], n[GRAB_MAX];
    int count;
    uint32_t pages;
};

/* Take every free page, in runs as large as they come. */
static void grab_all(struct grab *g)
{
    struct pmem_stats st;
    uint32_t want;

    pmem_get_stats(&st);
    want = st.pages_free;
    g->count = 0;
    g->pages = 0;
    while (want && g->count < GRAB_MAX) {
        uint32_t pa = pmem_alloc_run(want, 1);

        if (!pa) {
            want /= 2;
            continue;
        }
        g->pa[g->count] = pa;
        g->n[g->count++] = want;
        g->pages += want;
    }
}

static void release_all(struct grab *g)
{
    for (int i = 0; i < g->count; i++)
        pmem_free(g->pa[i], g->n[i]);
}

static void test_pmem_single(void)
{
    struct pmem_stats a, b;
    uint32_t pa;

    pmem_get_stats(&a);
    pa = pmem_alloc_page();
    pmem_get_stats(&b);
    test_check(pa && !(pa & (PAGE_SIZE - 1)) && pmem_is_allocated(pa), "pmem",
               "a single page (%08x) is page-aligned, non-zero and allocated", pa);
    test_check(b.pages_free == a.pages_free - 1 && b.allocs == a.allocs + 1, "pmem",
               "counters count the page");
    pmem_free(pa, 1);
    pmem_get_stats(&b);
    test_check(!pmem_is_allocated(pa) && b.pages_free == a.pages_free &&
               b.frees == a.frees + 1, "pmem", "free gives it back");
    test_check(!pmem_is_managed(0) && !pmem_is_managed((uint32_t)_kernel_start), "pmem",
               "page 0 and the kernel are not the allocator's");
}

static void test_pmem_run(void)
{
    uint32_t pa = pmem_alloc_run(16, 16), n = 0;
    uint64_t phys;
    bool all = pa != 0;

    test_check(pa && (pa & 0xffff) == 0, "pmem", "a 64 KiB-aligned run of 16 pages (%08x)", pa);
    for (uint32_t i = 0; pa && i < 16; i++)
        all = all && pmem_is_allocated(pa + i * PAGE_SIZE);
    if (pa)
        n = vm_walk(pa, 16 * PAGE_SIZE, &phys);
    test_check(all && n == 16 * PAGE_SIZE && phys == pa, "pmem",
               "the run is allocated and contiguous by the page walk");
    if (pa)
        pmem_free(pa, 16);
    test_check(pmem_alloc_run(0, 1) == 0 && pmem_alloc_run(1, 3) == 0, "pmem",
               "a run of 0 pages or with alignment 3 is refused");
}

static void test_pmem_exhaust(void)
{
    static struct grab g;
    struct pmem_stats a, b;
    uint32_t pa;

    pmem_get_stats(&a);
    grab_all(&g);
    pa = pmem_alloc_page();
    pmem_get_stats(&b);
    test_check(g.pages == a.pages_free && b.pages_free == 0, "pmem",
               "every free page could be taken (%u pages in %d runs)", g.pages, g.count);
    test_check(pa == 0 && b.failures > a.failures, "pmem",
               "an exhausted allocator returns 0 and counts the failure");
    test_check(dma_alloc(1) == NULL && kmalloc(64 * 1024) == NULL, "heap",
               "dma_alloc and a large kmalloc return NULL when memory is exhausted");
    if (pa)
        pmem_free(pa, 1);
    release_all(&g);
    pmem_get_stats(&b);
    test_check(b.pages_free == a.pages_free, "pmem", "all of it comes back");
}

/* ---- the heap --------------------------------------------------------------- */

static void test_heap_small(void)
{
    static const size_t sizes[] = { 1, 15, 16, 17, 100, 4000, 20000 };
    void *p[ARRAY_SIZE(sizes)];
    struct heap_stats a, b;
    bool aligned = true, apart = true;
    unsigned i, j;

    heap_get_stats(&a);
    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        p[i] = kmalloc(sizes[i]);
        aligned = aligned && p[i] && ((uint32_t)p[i] & 15) == 0;
        if (p[i])
            memset(p[i], 0xa5, sizes[i]);
    }
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
        for (j = 0; j < ARRAY_SIZE(sizes); j++)
            if (i != j && p[i] && p[j] && (char *)p[i] < (char *)p[j] + sizes[j] &&
                (char *)p[j] < (char *)p[i] + sizes[i])
                apart = false;
    test_check(aligned, "heap", "kmalloc of 1 to 20000 bytes: 16-byte aligned");
    test_check(apart, "heap", "blocks do not overlap");
    for (i = 0; i < ARRAY_SIZE(sizes); i++)
        kfree(p[i]);
    heap_get_stats(&b);
    test_check(b.used_bytes == a.used_bytes && b.frees == a.frees + ARRAY_SIZE(sizes),
               "heap", "kfree returns every block");
}

static void test_heap_zero_big(void)
{
    struct pmem_stats a, b;
    uint8_t *p = kmalloc(256), *z;
    bool zero = true;

    if (p)
        memset(p, 0xff, 256);
    kfree(p);
    z = kzalloc(256);
    for (int i = 0; z && i < 256; i++)
        zero = zero && z[i] == 0;
    test_check(z && zero, "heap", "kzalloc memory is zeroed (over a dirtied block)");
    kfree(z);
    pmem_get_stats(&a);
    p = kmalloc(100 * 1024);
    if (p)
        memset(p, 0x5a, 100 * 1024);
    kfree(p);
    pmem_get_stats(&b);
    test_check(p && ((uint32_t)p & 15) == 0 && b.pages_free == a.pages_free, "heap",
               "a 100 KiB kmalloc gets pages of its own and gives them back");
    test_check(kmalloc(0x7fffffff) == NULL, "heap", "an impossible kmalloc returns NULL");
}

static void test_heap_bad_free(void)
{
    struct heap_stats a, b;
    uint32_t local[8];
    void *p = kmalloc(64);

    heap_get_stats(&a);
    kfree(NULL);
    kfree(local + 1);
    kfree(p);
    kfree(p);
    heap_get_stats(&b);
    test_check(b.bad_frees == a.bad_frees + 2 && b.frees == a.frees + 1, "heap",
               "kfree(NULL) is ignored; a stack pointer and a double free are reported");
}

static void test_dma(void)
{
    struct pmem_stats a, b;
    uint32_t size = 3 * PAGE_SIZE + 1, n;
    uint8_t *p;
    uint64_t pa;
    bool zero = true;

    pmem_get_stats(&a);
    p = dma_alloc(size);
    for (uint32_t i = 0; p && i < 4 * PAGE_SIZE; i++)
        zero = zero && p[i] == 0;
    n = p ? vm_walk((uint32_t)p, 4 * PAGE_SIZE, &pa) : 0;
    test_check(p && ((uint32_t)p & (PAGE_SIZE - 1)) == 0 && zero, "heap",
               "dma_alloc: page-aligned and zeroed");
    test_check(n == 4 * PAGE_SIZE && pa == (uint32_t)p && pa < 0x100000000ull, "heap",
               "dma_alloc: physically contiguous below 4 GiB");
    dma_free(p, size);
    pmem_get_stats(&b);
    test_check(b.pages_free == a.pages_free, "heap", "dma_free gives the pages back");
}

/* ---- paging ----------------------------------------------------------------- */

static void test_vm_mmio(void)
{
    uint32_t pa = (uint32_t)_kernel_start + 0x123;
    uint8_t *va = vm_map_mmio(pa, 0x2000);
    uint64_t got = 0;
    uint32_t n = va ? vm_walk((uint32_t)va, 0x3000, &got) : 0;

    test_check(va && (uint32_t)va >= VM_MMIO_BASE && (uint32_t)va < VM_MMIO_END &&
               ((uint32_t)va & 0xfff) == 0x123, "vm", "vm_map_mmio keeps the page offset");
    test_check(got == pa && n == 0x3000 - 0x123 && va && va[0] == *(uint8_t *)pa, "vm",
               "the page walk sees it: %08llx, %x bytes", got, n);
    test_check(va && vm_check_access((uint32_t)va + 0x3000 - 0x123, 1, false) != NULL, "vm",
               "the guard page after it is not mapped");
    vm_unmap_mmio(va, 0x2000);
    test_check(va && vm_walk((uint32_t)va, 1, &got) == 0, "vm",
               "vm_unmap_mmio unmaps it");
    test_check(vm_map_mmio(0x100000000ull, 0x1000) == NULL && vm_map_mmio(pa, 0) == NULL,
               "vm", "vm_map_mmio refuses memory above 4 GiB and zero length");
}

static void test_vm_scatter_window(void)
{
    uint32_t pages[2] = { pmem_alloc_page(), pmem_alloc_page() };
    void *a = vm_map_scattered(pages, 2), *b;
    uint64_t pa;

    test_check(a && vm_walk((uint32_t)a + PAGE_SIZE, PAGE_SIZE, &pa) == PAGE_SIZE &&
               pa == pages[1], "vm", "vm_map_scattered maps page by page");
    vm_unmap_scattered(a, 2);
    b = vm_map_scattered(pages, 2);
    test_check(b == a, "vm", "the window space comes back on unmap");
    vm_unmap_scattered(b, 2);
    test_check(vm_map_scattered(pages, VM_SCATTER_SIZE / PAGE_SIZE) == NULL, "vm",
               "a mapping larger than the window is refused");
    pmem_free(pages[0], 1);
    pmem_free(pages[1], 1);
}

static void test_vm_checks(void)
{
    uint32_t ks = (uint32_t)_kernel_start, bad;
    const char *why;

    test_check(vm_check_access(0, 1, false) != NULL, "vm", "page 0 is not accessible");
    test_check(vm_check_access(kernel_stack.guard, 4, false) != NULL, "vm",
               "the stack guard page is not mapped");
    why = vm_check_access_at(ks - 4, 8, true, &bad);
    test_check(why && bad == ks, "vm", "a write reaching the kernel is refused at its start");
    test_check(vm_check_access(ks, 16, false) == NULL, "vm", "reading the kernel is allowed");
    test_check(vm_check_access(0xfffff000, 0x2000, false) != NULL, "vm",
               "a range wrapping past 4 GiB is refused");
}

static int memtest_all(void)
{
    test_pmem_single();
    test_pmem_run();
    test_pmem_exhaust();
    test_heap_small();
    test_heap_zero_big();
    test_heap_bad_free();
    test_dma();
    test_vm_mmio();
    test_vm_scatter_window();
    test_vm_checks();
    test_summary();
    return test_failures() ? CMD_FAIL : CMD_OK;
}

static int do_memtest(int argc, char **argv)
{
    if (argc != 2)
        return CMD_USAGE;
    if (strcmp(argv[1], "scatter") == 0)
        return memtest_scatter();
    if (strcmp(argv[1], "all") == 0)
        return memtest_all();
    return CMD_USAGE;
}
SHELL_COMMAND(memtest, do_memtest, "all | scatter",
              "check the page allocator, heap and paging; or map scattered pages");
