/*
 * meminfo: the memory map as sanitised, the page allocator's and the heap's
 * counters, where the kernel, its stacks and the page tables lie, and the
 * loader's modules.  A diagnostic: in build/kernel.elf, not the product image.
 */
#include "shell.h"
#include "console.h"
#include "pmem.h"
#include "memmap.h"
#include "vm.h"
#include "heap.h"

static const char *type_name(uint32_t type)
{
    switch (type) {
    case MB_MMAP_AVAILABLE: return "available";
    case MB_MMAP_ACPI:      return "ACPI";
    case MB_MMAP_NVS:       return "NVS";
    case MB_MMAP_BAD:       return "bad";
    case 2:                 return "reserved";
    default:                return "other";
    }
}

static void meminfo_map(void)
{
    const struct mem_region *r;
    const struct mem_range *u;
    int n = pmem_regions(&r);

    printf("memory map (sanitised): base, size, type\n");
    for (int i = 0; i < n; i++)
        printf("region  %016llx +%016llx %s (%u)\n", r[i].base, r[i].len,
               type_name(r[i].type), r[i].type);
    n = pmem_usable(&u);
    for (int i = 0; i < n; i++)
        printf("usable  %016llx - %016llx (%llu KiB)\n", u[i].start, u[i].end,
               (u[i].end - u[i].start) >> 10);
}

static void meminfo_counters(void)
{
    const struct mem_region *r;
    int n = pmem_regions(&r);
    uint64_t above4g = memmap_available_above(r, n, 0x100000000ull);
    struct pmem_stats st;
    struct heap_stats hs;

    pmem_get_stats(&st);
    heap_get_stats(&hs);
    printf("ram     total %016llx (%llu MiB), used %016llx, unused %016llx (%llu MiB)\n",
           st.ram_total, st.ram_total >> 20, st.ram_total - st.ram_unused,
           st.ram_unused, st.ram_unused >> 20);
    printf("ram     above 4 GiB %016llx (%llu MiB), not used (no 64-bit addressing yet)\n",
           above4g, above4g >> 20);
    printf("ram     top %08llx (identity map limit %08x, above it not used)\n",
           pmem_ram_top(), VM_RAM_LIMIT);
    printf("pages   managed %u free %u used %u reserved %u (4 KiB pages, decimal)\n",
           st.pages_managed, st.pages_free, st.pages_managed - st.pages_free,
           st.pages_reserved);
    printf("calls   allocs %u frees %u failures %u\n", st.allocs, st.frees, st.failures);
    printf("heap    arenas %u KiB (the first at %08x), in blocks %u KiB, big %u KiB; allocs %u "
           "frees %u failures %u bad frees %u\n", hs.arena_bytes >> 10, hs.first_arena,
           hs.used_bytes >> 10, hs.big_bytes >> 10, hs.allocs, hs.frees, hs.failures,
           hs.bad_frees);
}

static void meminfo_layout(void)
{
    const struct mb_module *m;
    struct vm_info vi;
    uint32_t ks, ke, bs, be;
    int n = pmem_modules(&m);

    vm_kernel_range(&ks, &ke);
    pmem_bitmap_range(&bs, &be);
    vm_get_info(&vi);
    printf("kernel  %08x - %08x (%u KiB, the boot stack included)\n", ks, ke,
           (ke - ks) >> 10);
    printf("stack   %08x - %08x (%u KiB), at most %u bytes used so far\n",
           kernel_stack.bottom, kernel_stack.top,
           (kernel_stack.top - kernel_stack.bottom) >> 10, kstack_used(&kernel_stack));
    printf("boot    %08x - %08x (%u KiB), the boot stack: at most %u bytes used by "
           "start-up; the double-fault task's now\n", boot_stack.bottom, boot_stack.top,
           (boot_stack.top - boot_stack.bottom) >> 10, kstack_used(&boot_stack));
    printf("bitmap  %08x - %08x\n", bs, be);
    printf("paging  %s, directory %08x, %u page tables, identity map %08x - %08x, %s\n",
           vi.paging ? "on" : "off", vi.pd, vi.tables, PAGE_SIZE, vi.ident_end,
           vi.pse ? "4 MiB pages above 4 MiB" : "4 KiB pages");
    for (int i = 0; i < n; i++)
        printf("module  %d start %08x end %08x size %08x '%s'\n", i, m[i].start, m[i].end,
               m[i].end - m[i].start, m[i].string ? (const char *)(uintptr_t)m[i].string : "");
}

static int do_meminfo(int argc, char **argv)
{
    (void)argv;
    if (argc != 1)
        return CMD_USAGE;
    meminfo_map();
    meminfo_counters();
    meminfo_layout();
    return CMD_OK;
}
SHELL_COMMAND(meminfo, do_meminfo, "",
              "memory map, allocator counters, kernel, page tables, modules");
