/*
 * The page walk (see pagewalk.h) behind a call, for callers that pass
 * their own accessor: the host unit test and fuzz harness over synthetic
 * tables.  No hardware access and no globals; the kernel's own walk
 * (vm_walk) compiles the same inline code with its live-table accessor.
 */
#include "pagewalk.h"

uint32_t pt_walk(uint32_t pd_phys, uint32_t va, uint32_t maxlen, uint64_t *pa,
                 pt_table_fn table, void *ctx)
{
    return pt_walk_inline(pd_phys, va, maxlen, pa, table, ctx);
}
