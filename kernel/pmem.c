/*
 * Physical memory: the multiboot memory map, sanitised, and a bitmap page
 * allocator over the usable part of it (see pmem.h for what "usable" is).
 *
 * The bitmap has one bit per page from 0 up to the end of the highest usable
 * page (96 KiB for 3 GiB), set = not free.  It is carved from the first
 * usable range above 1 MiB that holds it, together with the sanitised map,
 * the usable ranges and the modules, which are kept right after it at their
 * real size, so the image has no tables for them.  They are worked out in a
 * work area sized for the worst map: a few pages of RAM that the loader's
 * own map shows free and that hold nothing the loader placed (chosen before
 * the map is sanitised, so by rules that hold for any map), which the
 * allocator then hands out like any other page.  Runs with paging still off
 * (the multiboot structures are read at their physical addresses), and
 * later identity mapped.
 */
#include "pmem.h"
#include "memmap.h"
#include "vm.h"
#include "console.h"
#include "string.h"
#include "io.h"

#define PMEM_LIMIT      ((uint64_t)VM_RAM_LIMIT)  /* below 4 GiB too */
#define FOUR_GIB        0x100000000ull
#define LOW_MEM_END     0x100000u       /* allocations start searching here */
#define MAX_USABLE      (PMEM_MAX_REGIONS + 2 * PMEM_MAX_MODULES + 16)
#define MAX_EXCL        (2 * PMEM_MAX_MODULES + 8)
#define CMDLINE_MAX     4096u

extern char _kernel_start[], _kernel_end[];

/* pmem_init's work area: the worst map's room, in free RAM (find_work_area). */
struct pmem_work {
    struct mem_region regions[PMEM_MAX_REGIONS];
    union {
        struct mem_region raw[MEMMAP_MAX_IN];   /* the loader's map, until sanitised */
        struct mem_range usable[MAX_USABLE];
    } u;
    struct mem_range excl[MAX_EXCL];            /* what the loader placed (loader_placed) */
};
#define WORK_BYTES      ALIGN_UP((uint32_t)sizeof(struct pmem_work), PAGE_SIZE)
_Static_assert(MAX_EXCL >= 5 + 2 * PMEM_MAX_MODULES, "room for every loader_placed item");
_Static_assert(PMEM_LIMIT <= 0xC0000000ull, "usable ranges and the bitmap's place fit 32 bits");

/* The loader's memory information. */
struct loader_mem {
    const struct mb_info *mbi;
    bool mmap;                          /* a memory map, else mem_lower/mem_upper */
};

/* During pmem_init, in its work area; then in the pages after the bitmap. */
static struct mem_region *regions;
static int nregions;
static struct mem_range *usable;
static int nusable;
static struct mb_module *modules;
static int nmodules;
static struct page_bitmap bitmap;
static uint32_t bitmap_pa, bitmap_len;     /* the carved pages: bitmap and maps */
static uint32_t bitmap_bytes;               /* of which the bitmap */
static uint32_t work_pa;                    /* pmem_init's work area, WORK_BYTES */
static uint64_t ram_top;
static uint32_t hint;                   /* next-fit start for single pages */
static struct pmem_stats stats;

/* ---- reading the loader's map -------------------------------------------- */

/* The size-prefixed mmap entry at *off, moving *off past it; false at the end or if malformed. */
static bool mmap_entry(const struct mb_info *mbi, uint32_t *off, struct mem_region *r)
{
    uint32_t len = mbi->mmap_length;
    const struct mb_mmap *e = (const struct mb_mmap *)(uintptr_t)(mbi->mmap_addr + *off);

    if (*off > len || len - *off < 4 || e->size < 20 || e->size > len - *off - 4)
        return false;
    *r = (struct mem_region){ e->addr, e->len, e->type };
    *off += e->size + 4;
    return true;
}

static bool has_mmap(const struct mb_info *mbi)
{
    struct mem_region r;
    uint32_t off = 0;

    return (mbi->flags & MBI_MMAP) && mmap_entry(mbi, &off, &r);
}

/*
 * Entry *pos of the loader's memory information, moving *pos on: the memory
 * map, or without one the two ranges that mem_lower and mem_upper give.
 */
static bool loader_entry(const struct loader_mem *lm, uint32_t *pos, struct mem_region *r)
{
    const struct mb_info *mbi = lm->mbi;

    if (lm->mmap)
        return mmap_entry(mbi, pos, r);
    if (!(mbi->flags & MBI_MEM) || *pos > 1)
        return false;
    if ((*pos)++ == 0)
        *r = (struct mem_region){ 0, (uint64_t)mbi->mem_lower * 1024, MB_MMAP_AVAILABLE };
    else
        *r = (struct mem_region){ 0x100000, (uint64_t)mbi->mem_upper * 1024, MB_MMAP_AVAILABLE };
    return true;
}

/* The map's entries from offset off on are dropped (n were read): say why, if there are any. */
static void report_mmap_rest(const struct mb_info *mbi, uint32_t off, int n)
{
    uint32_t len = mbi->mmap_length, next = off;
    struct mem_region r;

    if (len - off < 4)
        return;
    if (mmap_entry(mbi, &next, &r))
        pr_err("mem", "memory map has more than %d entries; the rest is ignored", n);
    else
        pr_err("mem", "memory map entry at offset %u: size %u does not fit "
               "(map is %u bytes); the rest is ignored", off,
               *(const uint32_t *)(uintptr_t)(mbi->mmap_addr + off), len);
}

static int read_map(const struct loader_mem *lm, struct mem_region *raw)
{
    uint32_t pos = 0;
    int n = 0;

    if (!lm->mmap && (lm->mbi->flags & MBI_MEM))
        pr_warn("mem", "no memory map from the loader: using mem_lower/mem_upper");
    while (n < MEMMAP_MAX_IN && loader_entry(lm, &pos, &raw[n]))
        n++;
    if (lm->mbi->flags & MBI_MMAP)
        report_mmap_rest(lm->mbi, lm->mmap ? pos : 0, lm->mmap ? n : 0);
    if (n == 0)
        panic("pmem_init: the loader gave no memory information");
    return memmap_sanitize(raw, n, regions, PMEM_MAX_REGIONS);
}

/* ---- what the loader placed ---------------------------------------------- */

static uint32_t string_size(uint32_t pa)
{
    return strnlen((const char *)(uintptr_t)pa, CMDLINE_MAX) + 1;
}

/* Module i is kept: one of the first PMEM_MAX_MODULES, not ending before it starts. */
static bool module_kept(const struct mb_module *m, uint32_t i)
{
    return i < PMEM_MAX_MODULES && m[i].end >= m[i].start;
}

/* Reports what is wrong with the module list, once; counts the modules kept. */
static void check_modules(const struct mb_info *mbi)
{
    const struct mb_module *m = (const struct mb_module *)(uintptr_t)mbi->mods_addr;
    uint32_t ks = (uint32_t)_kernel_start, ke = (uint32_t)_kernel_end;

    if (!(mbi->flags & MBI_MODS))
        return;
    if (mbi->mods_count > PMEM_MAX_MODULES)
        pr_err("mem", "%u modules: only the first %d are kept", mbi->mods_count,
               PMEM_MAX_MODULES);
    for (uint32_t i = 0; i < mbi->mods_count && i < PMEM_MAX_MODULES; i++) {
        if (!module_kept(m, i)) {
            pr_err("mem", "module %u: end %08x below start %08x; ignored",
                   i, m[i].end, m[i].start);
            continue;
        }
        if (m[i].start < ke && m[i].end > ks)
            pr_err("mem", "module %u (%08x-%08x) overlaps the kernel image (%08x-%08x)",
                   i, m[i].start, m[i].end, ks, ke);
        nmodules++;
    }
}

/*
 * Item i of what must stay where it is, as a byte range (empty when the
 * loader gave no such thing): the kernel, the multiboot information, its
 * memory map, command line and module list, then each kept module and its
 * string.  False past the last item.  No table: the work area is found
 * before there is room for one.
 */
static bool loader_placed(const struct mb_info *mbi, uint32_t i, struct mem_range *r)
{
    const struct mb_module *m = (const struct mb_module *)(uintptr_t)mbi->mods_addr;
    uint32_t mods = (mbi->flags & MBI_MODS) ? MIN(mbi->mods_count, PMEM_MAX_MODULES) : 0;
    uint32_t k = (i - 5) / 2, f = mbi->flags;
    uint64_t start = 0, len = 0;

    if (i >= 5 && k >= mods)
        return false;
    if (i == 0) {
        start = (uint32_t)_kernel_start;
        len = _kernel_end - _kernel_start;
    } else if (i == 1) {
        start = (uint32_t)mbi;
        len = sizeof(*mbi);
    } else if (i == 2 && (f & MBI_MMAP)) {
        start = mbi->mmap_addr;
        len = mbi->mmap_length;
    } else if (i == 3 && (f & MBI_CMDLINE)) {
        start = mbi->cmdline;
        len = string_size(mbi->cmdline);
    } else if (i == 4 && (f & MBI_MODS)) {
        start = mbi->mods_addr;
        len = (uint64_t)mbi->mods_count * sizeof(*m);
    } else if (i >= 5 && module_kept(m, k) && (i & 1)) {
        start = m[k].start;
        len = m[k].end - m[k].start;
    } else if (i >= 5 && module_kept(m, k) && m[k].string) {
        start = m[k].string;
        len = string_size(m[k].string);
    }
    *r = (struct mem_range){ start, start + len };
    return true;
}

static int collect_exclusions(const struct mb_info *mbi, struct mem_range *excl)
{
    struct mem_range r;
    int n = 0;

    for (uint32_t i = 0; loader_placed(mbi, i, &r); i++)
        if (r.end > r.start)
            excl[n++] = r;
    return n;
}

/* ---- the work area ---------------------------------------------------------- */

/*
 * Is [a, b) inside one available entry of the loader's map, clear of every
 * entry of another type (the map is not sanitised yet: entries may overlap)
 * and of everything the loader placed?  Only the entries read_map keeps
 * can make it available (the page returns to the allocator afterwards);
 * any entry can make it unavailable.
 */
static bool loader_free(const struct loader_mem *lm, uint64_t a, uint64_t b)
{
    struct mem_region r;
    struct mem_range x;
    uint32_t pos = 0;
    bool inside = false;

    for (uint32_t i = 0; loader_placed(lm->mbi, i, &x); i++)
        if (a < x.end && x.start < b)
            return false;
    for (int n = 0; loader_entry(lm, &pos, &r); n++) {
        uint64_t end = memmap_region_end(&r);

        if (r.len == 0)
            continue;
        if (r.type != MB_MMAP_AVAILABLE && a < end && r.base < b)
            return false;
        if (r.type == MB_MMAP_AVAILABLE && r.base <= a && b <= end && n < MEMMAP_MAX_IN)
            inside = true;
    }
    return inside;
}

/* The work area's place ending at or below top, if free and above *best: into *best. */
static void try_below(const struct loader_mem *lm, uint64_t top, uint64_t *best)
{
    top = MIN(top, PMEM_LIMIT) & ~((uint64_t)PAGE_SIZE - 1);
    if (top >= LOW_MEM_END + WORK_BYTES && top - WORK_BYTES > *best &&
        loader_free(lm, top - WORK_BYTES, top))
        *best = top - WORK_BYTES;
}

/*
 * The highest free place for the work area above 1 MiB (high, so that the
 * bitmap, carved low, does not meet it): it ends where an available entry
 * ends or where something else begins.
 */
static uint32_t find_work_area(const struct loader_mem *lm)
{
    struct mem_region r;
    struct mem_range x;
    uint32_t pos = 0;
    uint64_t best = 0;

    while (loader_entry(lm, &pos, &r)) {
        try_below(lm, r.base, &best);
        if (r.type == MB_MMAP_AVAILABLE && r.base + r.len > r.base)
            try_below(lm, r.base + r.len, &best);
    }
    for (uint32_t i = 0; loader_placed(lm->mbi, i, &x); i++)
        try_below(lm, x.start, &best);
    if (!best)
        panic("pmem_init: no free RAM above 1 MiB for the memory map's work area (%u KiB)",
              WORK_BYTES / 1024);
    return (uint32_t)best;
}

/* ---- the bitmap ----------------------------------------------------------- */

/* The modules kept (module_kept), copied from the loader's list to m. */
static void keep_modules(const struct mb_info *mbi, struct mb_module *m)
{
    const struct mb_module *from = (const struct mb_module *)(uintptr_t)mbi->mods_addr;
    int n = 0;

    for (uint32_t i = 0; n < nmodules; i++)
        if (module_kept(from, i))
            m[n++] = from[i];
    modules = m;
}

/* Move the map and the usable ranges from the work area to after the bitmap; add the modules. */
static void keep_maps(const struct mb_info *mbi)
{
    struct mem_region *r = (struct mem_region *)(uintptr_t)(bitmap_pa + bitmap_bytes);
    struct mem_range *u = (struct mem_range *)(r + nregions);

    memcpy(r, regions, nregions * sizeof(*r));
    memcpy(u, usable, nusable * sizeof(*u));
    regions = r;
    usable = u;
    keep_modules(mbi, (struct mb_module *)(u + nusable));
}

/*
 * Take the bitmap's pages, with room for the maps after it, from the first
 * usable range above 1 MiB that fits, clear of the work area.  Taking them
 * from a range's start never splits it, so nusable does not grow.
 */
static bool carve_bitmap(const struct mb_info *mbi)
{
    uint32_t npages = (uint32_t)(usable[nusable - 1].end / PAGE_SIZE);
    uint32_t bytes = ALIGN_UP(ALIGN_UP(npages, 32u) / 8, 8u);
    uint32_t len = ALIGN_UP(bytes + nregions * sizeof(*regions) + nusable * sizeof(*usable) +
                            nmodules * sizeof(*modules), PAGE_SIZE);
    int i, pick = -1;

    for (i = 0; i < nusable; i++) {
        /* Below PMEM_LIMIT (3 GiB): 32 bits hold the range and a + len. */
        uint32_t a = (uint32_t)usable[i].start, end = (uint32_t)usable[i].end;

        if (end - a < len || (a < work_pa + WORK_BYTES && work_pa < a + len))
            continue;
        if (pick < 0 || (usable[pick].start < LOW_MEM_END && a >= LOW_MEM_END))
            pick = i;
    }
    if (pick < 0)
        return false;
    bitmap_pa = (uint32_t)usable[pick].start;
    bitmap_len = len;
    bitmap_bytes = bytes;
    nusable = memrange_remove(usable, nusable, MAX_USABLE, bitmap_pa, bitmap_pa + len);
    if (nusable <= 0)
        return false;
    bitmap.bits = (uint32_t *)(uintptr_t)bitmap_pa;
    bitmap.npages = npages;
    keep_maps(mbi);
    return true;
}

static void fill_bitmap(void)
{
    memset(bitmap.bits, 0xff, bitmap_bytes);
    stats.pages_managed = 0;
    for (int i = 0; i < nusable; i++) {
        uint32_t first = (uint32_t)(usable[i].start / PAGE_SIZE);
        uint32_t n = (uint32_t)((usable[i].end - usable[i].start) / PAGE_SIZE);

        pbm_clear(&bitmap, first, n);
        stats.pages_managed += n;
    }
    stats.pages_free = stats.pages_managed;
}

/* ---- reports -------------------------------------------------------------- */

static void report_unused(void)
{
    uint64_t above4g = memmap_available_above(regions, nregions, FOUR_GIB);
    uint64_t above_limit = stats.ram_unused - above4g;

    if (above4g && above_limit)
        pr_info("mem", "%llu MiB not used: %llu MiB above 4 GiB (no 64-bit addressing yet), "
                "%llu MiB above %08x (the identity map ends there)",
                stats.ram_unused >> 20, above4g >> 20, above_limit >> 20, VM_RAM_LIMIT);
    else if (above4g)
        pr_info("mem", "%llu MiB above 4 GiB not used (no 64-bit addressing yet)",
                above4g >> 20);
    else if (above_limit)
        pr_info("mem", "%llu MiB above %08x not used (the identity map ends there)",
                above_limit >> 20, VM_RAM_LIMIT);
}

void pmem_init(const struct mb_info *mbi)
{
    struct loader_mem lm = { mbi, has_mmap(mbi) };
    struct pmem_work *w;
    int nexcl;

    if (!lm.mmap && !(mbi->flags & MBI_MEM)) {     /* read_map's own report, first */
        if (mbi->flags & MBI_MMAP)
            report_mmap_rest(mbi, 0, 0);
        panic("pmem_init: the loader gave no memory information");
    }
    work_pa = find_work_area(&lm);
    w = (struct pmem_work *)(uintptr_t)work_pa;
    regions = w->regions;
    usable = w->u.usable;
    nregions = read_map(&lm, w->u.raw);
    check_modules(mbi);
    nexcl = collect_exclusions(mbi, w->excl);
    nusable = memmap_usable(regions, nregions, PMEM_LIMIT, w->excl, nexcl, usable, MAX_USABLE);
    if (nusable <= 0 || !carve_bitmap(mbi))
        panic("pmem_init: no usable RAM for the page allocator");
    ram_top = memmap_ram_top(regions, nregions, PMEM_LIMIT);
    fill_bitmap();
    hint = LOW_MEM_END / PAGE_SIZE;
    stats.ram_total = memmap_available_above(regions, nregions, 0);
    stats.ram_unused = memmap_available_above(regions, nregions, PMEM_LIMIT);
    stats.pages_reserved = memmap_available_pages(regions, nregions, PMEM_LIMIT) -
                           stats.pages_managed;
    pr_info("mem", "%llu MiB RAM, %u KiB for the page allocator, RAM ends at %08llx",
            stats.ram_total >> 20, stats.pages_managed * (PAGE_SIZE / 1024), ram_top);
    pr_debug("mem", "memory map worked out at %08x-%08x, now free", work_pa,
             work_pa + WORK_BYTES);
    report_unused();
}

/* ---- the allocator -------------------------------------------------------- */

/*
 * Index of the usable range holding pages [first, first+n), or -1.  The
 * callers make sure first + n does not wrap; usable ranges lie below
 * PMEM_LIMIT, so their low 32 bits are the whole address.
 */
static int managed_range(uint32_t first, uint32_t n)
{
    for (int i = 0; i < nusable; i++)
        if (first >= (uint32_t)usable[i].start / PAGE_SIZE &&
            first + n <= (uint32_t)usable[i].end / PAGE_SIZE)
            return i;
    return -1;
}

static uint32_t take(uint32_t npages, uint32_t align, uint32_t from)
{
    uint32_t flags = irq_save();
    uint32_t p = bitmap.bits ? pbm_find_run(&bitmap, npages, align, from) : UINT32_MAX;

    if (p == UINT32_MAX) {
        stats.failures++;
        irq_restore(flags);
        return 0;
    }
    if (p == 0)
        panic("pmem: page 0 found free in the bitmap");
    pbm_set(&bitmap, p, npages);
    stats.allocs++;
    stats.pages_free -= npages;
    if (npages == 1)
        hint = p + 1;
    irq_restore(flags);
    return p * PAGE_SIZE;
}

uint32_t pmem_alloc_page(void)
{
    return take(1, 1, hint);
}

uint32_t pmem_alloc_run(uint32_t npages, uint32_t align_pages)
{
    if (align_pages == 0)
        align_pages = 1;
    if (npages == 0 || (align_pages & (align_pages - 1))) {
        pr_err("pmem", "alloc run of %u pages aligned to %u pages: bad arguments",
               npages, align_pages);
        return 0;
    }
    return take(npages, align_pages, LOW_MEM_END / PAGE_SIZE);
}

void pmem_free(uint32_t pa, uint32_t npages)
{
    uint32_t first = pa / PAGE_SIZE, flags;

    if (npages == 0)
        return;
    if ((pa & (PAGE_SIZE - 1)) || first + npages < first ||
        managed_range(first, npages) < 0) {
        pr_err("pmem", "free %08x (%u pages): not memory the allocator owns", pa, npages);
        return;
    }
    flags = irq_save();
    if (!pbm_all_set(&bitmap, first, npages)) {
        irq_restore(flags);
        pr_err("pmem", "free %08x (%u pages): not all allocated (double free?)", pa, npages);
        return;
    }
    pbm_clear(&bitmap, first, npages);
    stats.frees++;
    stats.pages_free += npages;
    irq_restore(flags);
}

bool pmem_is_managed(uint32_t pa)
{
    return managed_range(pa / PAGE_SIZE, 1) >= 0;
}

bool pmem_is_allocated(uint32_t pa)
{
    return pmem_is_managed(pa) && pbm_test(&bitmap, pa / PAGE_SIZE);
}

void pmem_get_stats(struct pmem_stats *st)
{
    uint32_t flags = irq_save();

    memcpy(st, &stats, sizeof(*st));    /* a call: smaller than the inline copy */
    irq_restore(flags);
}

int pmem_regions(const struct mem_region **out)
{
    *out = regions;
    return nregions;
}

int pmem_usable(const struct mem_range **out)
{
    *out = usable;
    return nusable;
}

uint64_t pmem_ram_top(void)
{
    return ram_top;
}

void pmem_bitmap_range(uint32_t *start, uint32_t *end)
{
    *start = bitmap_pa;
    *end = bitmap_pa + bitmap_len;
}

int pmem_modules(const struct mb_module **out)
{
    *out = modules;
    return nmodules;
}
