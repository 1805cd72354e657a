/*
 * Paging: 32-bit, non-PAE (Intel SDM vol. 3A, 4.3).  The layout is in vm.h.
 *
 * The page directory and every page table come from the page allocator and
 * so lie in identity-mapped RAM: the kernel reaches a table at its physical
 * address, and the walk (pagewalk.c) does the same.
 *
 *   [4 KiB, 4 MiB)         4 KiB pages (page 0 not present; BIOS area, EBDA,
 *                          the kernel, its text and read-only data read-only)
 *   [4 MiB, RAM top)       4 MiB pages with PSE, else 4 KiB; a partial last
 *                          4 MiB uses 4 KiB pages
 *   scattered window       4 KiB pages, cached, tables made on demand
 *   MMIO window            4 KiB pages, PCD|PWT, tables made on demand
 *   TRAP_PAGE_VA           one page: the interrupt tables (trap.c)
 *
 * Each mapping in a window is followed by one unmapped guard page, so an
 * overrun faults instead of reaching the next mapping.
 *
 * The run-time kernel stack comes from the page allocator with one more
 * page below it, left unmapped: a stack overflow faults there, and the
 * double-fault task (trap.c) reports it.  The boot stack's guard is the
 * read-only page below it (linker.ld); a write there faults the same way.
 */
#include "vm.h"
#include "pmem.h"
#include "trap.h"
#include "console.h"
#include "string.h"
#include "io.h"
#include "gdt.h"

#define CPUID1_EDX_PSE  (1u << 3)
#define LOW_MAP_END     0x100000u       /* BIOS area and EBDA: mapped whatever the RAM */
#define VA_FREE_SLOTS   256             /* per window: both fill one page */

extern char _kernel_start[], _ro_end[], _kernel_end[];

struct kstack kernel_stack;
const struct kstack boot_stack = {
    (uint32_t)boot_stack_bottom - PAGE_SIZE, (uint32_t)boot_stack_bottom,
    (uint32_t)boot_stack_top,
};

static uint32_t *pd;                    /* the page directory (phys == virt) */
static uint32_t ident_end;              /* identity map: [PAGE_SIZE, ident_end) */
static uint32_t trap_page_pa;           /* the page mapped at TRAP_PAGE_VA */
static bool pse;
uint32_t vm_tables_below;               /* ident_end once paging is on; 0 before (vm.h) */

/*
 * A window of virtual addresses: first-fit over a table of free ranges,
 * VA_FREE_SLOTS long, on a page vm_init takes for both windows.
 */
struct va_range {
    uint32_t start, npages;
};
struct va_space {
    const char *name;
    uint32_t base, end;
    int nfree;
    struct va_range *free;
};
_Static_assert(2 * VA_FREE_SLOTS * sizeof(struct va_range) <= PAGE_SIZE, "one page");

static struct va_space scatter_space = { "scattered", VM_SCATTER_BASE,
                                         VM_SCATTER_BASE + VM_SCATTER_SIZE, 0, NULL };
static struct va_space mmio_space = { "mmio", VM_MMIO_BASE, VM_MMIO_END, 0, NULL };

/* ---- CPU ------------------------------------------------------------------ */

static inline void invlpg(uint32_t va)
{
    __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static void flush_tlb(void)
{
    if (vm_tables_below)
        write_cr3(read_cr3());
}

static bool cpu_has_pse(void)
{
    uint32_t a, b, c, d;
    uint32_t f = read_eflags();

    /* CPUID exists when EFLAGS.ID can be toggled. */
    __asm__ volatile("pushl %0; popfl" : : "r"(f ^ (1u << 21)) : "cc");
    if (!((read_eflags() ^ f) & (1u << 21)))
        return false;
    __asm__ volatile("pushl %0; popfl" : : "r"(f) : "cc");
    cpuid(1, &a, &b, &c, &d);
    return d & CPUID1_EDX_PSE;
}

/* ---- tables --------------------------------------------------------------- */

static uint32_t *new_table(void)
{
    uint32_t pa = pmem_alloc_page();

    if (pa)
        memset((void *)(uintptr_t)pa, 0, PAGE_SIZE);
    return (uint32_t *)(uintptr_t)pa;
}

/* Replace the 4 MiB page at pd[i] by a table of 1024 4 KiB pages, same flags. */
static uint32_t *split_large(uint32_t i)
{
    uint32_t pde = pd[i], *pt = new_table();
    uint32_t flags = pde & (PTE_P | PTE_RW | PTE_PWT | PTE_PCD | PTE_G);

    if (!pt)
        return NULL;
    for (uint32_t k = 0; k < 1024; k++)
        pt[k] = ((pde & PDE_4M_ADDR) + k * PGSIZE_4K) | flags;
    pd[i] = (uint32_t)pt | PTE_P | PTE_RW;
    flush_tlb();
    return pt;
}

/* The PTE slot for va, making (or splitting down to) a page table if need be. */
static uint32_t *pte_slot(uint32_t va, bool make)
{
    uint32_t pde = pd[PDX(va)], *pt;

    if (!(pde & PTE_P)) {
        if (!make || !(pt = new_table()))
            return NULL;
        pd[PDX(va)] = (uint32_t)pt | PTE_P | PTE_RW;
    } else if (pde & PDE_PS) {
        if (!make || !(pt = split_large(PDX(va))))
            return NULL;
    } else {
        pt = (uint32_t *)(uintptr_t)(pde & PTE_ADDR);
    }
    return &pt[PTX(va)];
}

static bool map_page(uint32_t va, uint32_t pa, uint32_t flags)
{
    uint32_t *pte = pte_slot(va, true);

    if (!pte)
        return false;
    *pte = (pa & PTE_ADDR) | flags | PTE_P;
    invlpg(va);
    return true;
}

static void unmap_page(uint32_t va)
{
    uint32_t *pte = pte_slot(va, false);

    if (pte) {
        *pte = 0;
        invlpg(va);
    }
}

/* ---- the identity map ----------------------------------------------------- */

/* Identity map [start, end) within one 4 MiB slot, with 4 KiB pages. */
static void map_small(uint32_t start, uint32_t end)
{
    for (uint32_t va = start; va < end; va += PGSIZE_4K)
        if (!map_page(va, va, PTE_RW))
            panic("vm_init: no memory for the page tables");
}

static void map_identity(void)
{
    for (uint64_t slot = 0; slot < ident_end; slot += PGSIZE_4M) {
        uint32_t a = slot ? (uint32_t)slot : PAGE_SIZE;
        uint32_t b = (uint32_t)MIN(slot + PGSIZE_4M, (uint64_t)ident_end);

        if (pse && slot && b - a == PGSIZE_4M)
            pd[PDX(a)] = a | PDE_PS | PTE_P | PTE_RW;
        else
            map_small(a, b);
    }
}

/* A guard page: not present, splitting a 4 MiB page around it if need be. */
static void unmap_guard(uint32_t va)
{
    uint32_t *pte = pte_slot(va, true);

    if (!pte)
        panic("vm_init: no memory to split the page around the guard at %08x", va);
    *pte = 0;
    invlpg(va);
}

/* Text and read-only data: within the first 4 MiB, so mapped page by page. */
static void protect_kernel_text(void)
{
    for (uint32_t va = (uint32_t)_kernel_start; va < (uint32_t)_ro_end; va += PAGE_SIZE)
        *pte_slot(va, false) &= ~PTE_RW;
}

static void kstack_paint(const struct kstack *ks)
{
    for (uint32_t *p = (uint32_t *)ks->bottom; p < (uint32_t *)ks->top; p++)
        *p = STACK_PAINT;
}

uint32_t kstack_used(const struct kstack *ks)
{
    const uint32_t *p = (const uint32_t *)ks->bottom, *top = (const uint32_t *)ks->top;

    while (p < top && *p == STACK_PAINT)
        p++;
    return (uint32_t)(top - p) * 4;
}

/* The run-time stack and its guard page, from the page allocator. */
static void kernel_stack_init(void)
{
    uint32_t pa = pmem_alloc_run(KSTACK_SIZE / PAGE_SIZE + 1, 1);

    if (!pa)
        panic("vm_init: no memory for the kernel stack");
    unmap_guard(pa);
    kernel_stack = (struct kstack){ pa, pa + PAGE_SIZE, pa + PAGE_SIZE + KSTACK_SIZE };
    kstack_paint(&kernel_stack);
}

static void va_space_init(struct va_space *s, struct va_range *free)
{
    s->free = free;
    s->free[0].start = s->base;
    s->free[0].npages = (s->end - s->base) / PAGE_SIZE;
    s->nfree = 1;
}

void vm_init(void)
{
    uint64_t top = pmem_ram_top();
    struct va_range *ranges;

    pse = cpu_has_pse();
    pd = new_table();
    if (!pd)
        panic("vm_init: no memory for the page directory");
    top = MAX(top, (uint64_t)LOW_MAP_END);
    top = MAX(top, (uint64_t)ALIGN_UP((uint32_t)_kernel_end, PAGE_SIZE));
    ident_end = (uint32_t)MIN(top, (uint64_t)VM_RAM_LIMIT);
    map_identity();
    protect_kernel_text();
    kernel_stack_init();
    ranges = (struct va_range *)(uintptr_t)pmem_alloc_page();
    if (!ranges)
        panic("vm_init: no memory for the windows' free ranges");
    va_space_init(&scatter_space, ranges);
    va_space_init(&mmio_space, ranges + VA_FREE_SLOTS);

    write_cr3((uint32_t)pd);
    trap_set_cr3((uint32_t)pd);                 /* the double-fault task loads it */
    if (pse)
        write_cr4(read_cr4() | CR4_PSE);
    write_cr0(read_cr0() | CR0_PG | CR0_WP);
    vm_tables_below = ident_end;
    pr_info("vm", "paging on: RAM identity mapped to %08x (%s), stack guard at %08x",
            ident_end, pse ? "4 MiB pages" : "4 KiB pages", kernel_stack.guard);
}

bool vm_map_trap_page(void)
{
    uint32_t pa = pmem_alloc_page();

    if (!pa || !map_page(TRAP_PAGE_VA, pa, PTE_RW)) {
        if (pa)
            pmem_free(pa, 1);
        return false;
    }
    memset((void *)TRAP_PAGE_VA, 0, PAGE_SIZE);
    trap_page_pa = pa;
    return true;
}

/* ---- windows: virtual space ----------------------------------------------- */

static uint32_t va_alloc(struct va_space *s, uint32_t npages)
{
    for (int i = 0; i < s->nfree; i++) {
        uint32_t va = s->free[i].start;

        if (s->free[i].npages < npages)
            continue;
        s->free[i].start += npages * PAGE_SIZE;
        s->free[i].npages -= npages;
        if (s->free[i].npages == 0) {
            for (int j = i; j + 1 < s->nfree; j++)
                s->free[j] = s->free[j + 1];
            s->nfree--;
        }
        return va;
    }
    return 0;
}

static uint32_t free_end(const struct va_space *s, int i)
{
    return s->free[i].start + s->free[i].npages * PAGE_SIZE;
}

/* Give [va, va + npages pages) back, merging with its neighbours. */
static void va_release(struct va_space *s, uint32_t va, uint32_t npages)
{
    uint32_t end = va + npages * PAGE_SIZE;
    int i = 0;

    while (i < s->nfree && s->free[i].start < va)
        i++;
    if ((i > 0 && free_end(s, i - 1) > va) || (i < s->nfree && s->free[i].start < end)) {
        pr_err("vm", "%s window: %08x-%08x is already free", s->name, va, end);
        return;
    }
    if (i > 0 && free_end(s, i - 1) == va) {
        s->free[i - 1].npages += npages;
        if (i < s->nfree && s->free[i].start == end) {
            s->free[i - 1].npages += s->free[i].npages;
            for (int j = i; j + 1 < s->nfree; j++)
                s->free[j] = s->free[j + 1];
            s->nfree--;
        }
    } else if (i < s->nfree && s->free[i].start == end) {
        s->free[i].start = va;
        s->free[i].npages += npages;
    } else if (s->nfree == VA_FREE_SLOTS) {
        pr_err("vm", "%s window: free-range table full, %08x-%08x is lost", s->name, va, end);
    } else {
        for (int j = s->nfree; j > i; j--)
            s->free[j] = s->free[j - 1];
        s->free[i].start = va;
        s->free[i].npages = npages;
        s->nfree++;
    }
}

/*
 * Map npages pages (pages[i], or first_pa + i pages when pages is NULL) at
 * fresh virtual addresses in s, plus one unmapped guard page after them.
 * Returns the virtual address, or 0 (after saying why).
 */
static uint32_t map_window(struct va_space *s, uint32_t npages, const uint32_t *pages,
                           uint32_t first_pa, uint32_t flags)
{
    uint32_t irq = irq_save(), va, i;

    va = npages < (s->end - s->base) / PAGE_SIZE ? va_alloc(s, npages + 1) : 0;
    if (!va) {
        irq_restore(irq);
        pr_err("vm", "%s window: no room for %u pages", s->name, npages);
        return 0;
    }
    for (i = 0; i < npages; i++)
        if (!map_page(va + i * PAGE_SIZE, pages ? pages[i] : first_pa + i * PAGE_SIZE, flags))
            break;
    if (i < npages) {
        while (i--)
            unmap_page(va + i * PAGE_SIZE);
        va_release(s, va, npages + 1);
        irq_restore(irq);
        pr_err("vm", "%s window: no memory for page tables", s->name);
        return 0;
    }
    irq_restore(irq);
    return va;
}

static bool is_mapped(uint32_t va)
{
    uint64_t pa;

    return vm_walk(va, 1, &pa) != 0;
}

static void unmap_window(struct va_space *s, uint32_t va, uint32_t npages)
{
    uint32_t irq, i;

    if (va < s->base || va >= s->end || (va & (PAGE_SIZE - 1)) || npages == 0 ||
        npages > (s->end - va) / PAGE_SIZE) {
        pr_err("vm", "%s window: unmap %08x (%u pages): not in the window", s->name, va, npages);
        return;
    }
    irq = irq_save();
    for (i = 0; i < npages; i++)
        if (!is_mapped(va + i * PAGE_SIZE))
            break;
    if (i < npages) {
        irq_restore(irq);
        pr_err("vm", "%s window: unmap %08x (%u pages): %08x is not mapped",
               s->name, va, npages, va + i * PAGE_SIZE);
        return;
    }
    for (i = 0; i < npages; i++)
        unmap_page(va + i * PAGE_SIZE);
    va_release(s, va, MIN(npages + 1, (s->end - va) / PAGE_SIZE));
    irq_restore(irq);
}

/* ---- windows: the interface ----------------------------------------------- */

void *vm_map_mmio(uint64_t pa, uint32_t len)
{
    uint32_t off = (uint32_t)pa & (PAGE_SIZE - 1), npages, va;

    if (len == 0 || pa + len > 0x100000000ull) {
        pr_err("vm", "map mmio %llx+%x: %s", pa, len,
               len ? "beyond 4 GiB (no PAE yet)" : "zero length");
        return NULL;
    }
    npages = (uint32_t)(((uint64_t)off + len + PAGE_SIZE - 1) / PAGE_SIZE);
    va = map_window(&mmio_space, npages, NULL, (uint32_t)pa - off, PTE_RW | PTE_PCD | PTE_PWT);
    return va ? (void *)(uintptr_t)(va + off) : NULL;
}

void vm_unmap_mmio(void *va, uint32_t len)
{
    uint32_t v = (uint32_t)va, off = v & (PAGE_SIZE - 1);

    if (len == 0)
        return;
    unmap_window(&mmio_space, v - off,
                 (uint32_t)(((uint64_t)off + len + PAGE_SIZE - 1) / PAGE_SIZE));
}

void *vm_map_scattered(const uint32_t *pages, uint32_t npages)
{
    uint32_t va;

    if (npages == 0 || npages >= VM_SCATTER_SIZE / PAGE_SIZE) {
        pr_err("vm", "map scattered: %u pages do not fit the window", npages);
        return NULL;
    }
    for (uint32_t i = 0; i < npages; i++) {
        if (pages[i] == 0 || (pages[i] & (PAGE_SIZE - 1))) {
            pr_err("vm", "map scattered: page %u is %08x, not a page address", i, pages[i]);
            return NULL;
        }
    }
    va = map_window(&scatter_space, npages, pages, 0, PTE_RW);
    return va ? (void *)(uintptr_t)va : NULL;
}

void vm_unmap_scattered(void *va, uint32_t npages)
{
    unmap_window(&scatter_space, (uint32_t)va, npages);
}

/* ---- the walk --------------------------------------------------------------- */

uint32_t vm_walk(uint32_t va, uint32_t maxlen, uint64_t *pa)
{
    return vm_walk_inline(va, maxlen, pa);
}

/* ---- what the shell may touch ------------------------------------------------ */

/*
 * The range a shell command would touch: [a, last], inclusive, as it may
 * reach the top of the address space; *bad gets the first offending byte.
 * One pointer for the checks below, so that each call passes its arguments
 * in registers.
 */
struct span {
    uint32_t a, last;
    uint32_t *bad;
};

/* Does the span meet [s, e)? */
static bool __attribute__((noinline)) overlaps(const struct span *sp, uint32_t s, uint32_t e)
{
    if (sp->a >= e || sp->last < s)
        return false;
    *sp->bad = MAX(sp->a, s);
    return true;
}

static bool over_page_tables(const struct span *sp)
{
    uint32_t first = 0xffffffffu, at;
    struct span t = { sp->a, sp->last, &at };
    bool hit = false;

    if (!pd)
        return false;
    if (overlaps(&t, (uint32_t)pd, (uint32_t)pd + PAGE_SIZE)) {
        hit = true;
        first = at;
    }
    for (int i = 0; i < 1024; i++) {
        uint32_t pt = pd[i] & PTE_ADDR;

        if ((pd[i] & PTE_P) && !(pd[i] & PDE_PS) && overlaps(&t, pt, pt + PAGE_SIZE)) {
            hit = true;
            first = MIN(first, at);
        }
    }
    *sp->bad = first;
    return hit;
}

/* The first byte of [a, b) outside every "available" entry of the map, if any. */
static bool outside_ram(uint64_t a, uint64_t b, uint32_t *bad)
{
    const struct mem_region *r;
    int n = pmem_regions(&r);

    for (int i = 0; i < n && a < b; i++) {
        if (r[i].type != MB_MMAP_AVAILABLE || r[i].base + r[i].len <= a)
            continue;
        if (r[i].base > a)
            break;
        a = r[i].base + r[i].len;
    }
    *bad = (uint32_t)a;
    return a < b;
}

/*
 * A page the allocator has handed out (the heap, miniports' DMA memory, the
 * windows' tables, ...): a user's write or transfer there would corrupt it.
 * The identity map ends below 4 GiB, so pa cannot wrap.
 */
static bool over_allocated(const struct span *sp)
{
    for (uint32_t pa = sp->a & ~(PAGE_SIZE - 1); pa <= sp->last && pa < ident_end;
         pa += PAGE_SIZE) {
        if (pmem_is_allocated(pa)) {
            *sp->bad = MAX(pa, sp->a);
            return true;
        }
    }
    return false;
}

static const char *check_write(const struct span *sp)
{
    uint32_t bs, be;

    if (overlaps(sp, (uint32_t)_kernel_start, (uint32_t)_kernel_end))
        return "refused: over the kernel image";
    if (overlaps(sp, kernel_stack.guard, kernel_stack.top))
        return "refused: over the kernel stack";
    if (trap_page_pa && (overlaps(sp, TRAP_PAGE_VA, TRAP_PAGE_VA + PAGE_SIZE) ||
                         overlaps(sp, trap_page_pa, trap_page_pa + PAGE_SIZE)))
        return "refused: over the interrupt tables";
    if (over_page_tables(sp))
        return "refused: over the page tables";
    pmem_bitmap_range(&bs, &be);
    if (overlaps(sp, bs, be))
        return "refused: over the page allocator's bitmap";
    if (over_allocated(sp))
        return "refused: memory the kernel has allocated";
    if (sp->a < ident_end &&
        outside_ram(sp->a, MIN((uint64_t)sp->last + 1, (uint64_t)ident_end), sp->bad))
        return "refused: not RAM";
    return NULL;
}

const char *vm_check_access_at(uint32_t addr, uint32_t len, bool write, uint32_t *bad)
{
    uint64_t end = (uint64_t)addr + len, va = addr;
    struct span sp = { addr, (uint32_t)(end - 1), bad };
    uint64_t pa;

    *bad = addr;
    if (len == 0)
        return NULL;
    if (end > 0x100000000ull)
        return "wraps past 4 GiB";
    if (addr < VM_RAM_LIMIT && overlaps(&sp, ident_end, VM_RAM_LIMIT))
        return "past the end of RAM";
    while (va < end) {
        uint32_t n = vm_walk((uint32_t)va, (uint32_t)(end - va), &pa);

        if (n == 0) {
            *bad = (uint32_t)va;
            return "not mapped";
        }
        va += n;
    }
    return write ? check_write(&sp) : NULL;
}

const char *vm_check_access(uint32_t addr, uint32_t len, bool write)
{
    uint32_t bad;

    return vm_check_access_at(addr, len, write, &bad);
}

void vm_kernel_range(uint32_t *start, uint32_t *end)
{
    *start = (uint32_t)_kernel_start;
    *end = (uint32_t)_kernel_end;
}

void vm_get_info(struct vm_info *vi)
{
    vi->pd = (uint32_t)pd;
    vi->ident_end = ident_end;
    vi->pse = pse;
    vi->paging = vm_tables_below != 0;
    vi->tables = 0;
    for (int i = 0; pd && i < 1024; i++)
        if ((pd[i] & PTE_P) && !(pd[i] & PDE_PS))
            vi->tables++;
}
