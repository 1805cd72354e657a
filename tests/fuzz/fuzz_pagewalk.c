/*
 * libFuzzer harness: the two halves of ScsiPortGetPhysicalAddress that are
 * pure - the page walk (kernel/pagewalk.c) over synthetic 32-bit page
 * tables, and the object clamp (kernel/scsiport/physclamp.c) that bounds
 * a walk to the port-owned object the address lies in.
 *
 * Input: a mode byte (bit 0: clamp, else walk), then for the walk up to
 * MAX_EDITS edits of NTABLES tables at physical 0x1000, 0x2000, ...
 * (0x1000 is the directory; an entry naming any other address is a table
 * the accessor cannot reach): raw entries, directory links to tables, runs
 * of 4 KiB pages (contiguous, with a jump, or with a hole) and runs of
 * 4 MiB pages (with PSE-36 high bits); then up to MAX_QUERIES (va,
 * maxlen).  For the clamp: up to 6 regions (base, length, slot size) and
 * queries.
 *
 * Properties of pt_walk, against a page-by-page translation done here:
 *  - an unmapped va (or a directory the accessor cannot reach: query
 *    flags FCh) gives 0 and *pa = 0; a mapped one gives *pa = its
 *    translation, and 0 only for maxlen 0;
 *  - it never returns more than maxlen, nor runs past 4 GiB;
 *  - the run it reports really is contiguous: every page in it translates
 *    to *pa plus its offset;
 *  - it stops early only where it must: the next byte is unmapped, not
 *    contiguous, or at 4 GiB.
 * Properties of pa_find: it picks the first region holding va, and *left
 * is exactly the bytes to the end of the object (the slot, or the
 * region's end for a partial last slot) - so never past the object.
 */
#include <stdbool.h>

#include "pagewalk.h"
#include "scsiport/physclamp.h"
#include "fuzz.h"

#define NTABLES         8
#define PD_PHYS         0x1000u
#define MAX_EDITS       32
#define MAX_QUERIES     8
#define TOP             0x100000000ull

struct mem {
    uint32_t t[NTABLES][1024];
};

static const uint32_t *table_at(uint32_t phys, void *ctx)
{
    struct mem *m = ctx;

    if (phys < PD_PHYS || phys % 0x1000 || phys / 0x1000 > NTABLES)
        return NULL;
    return m->t[phys / 0x1000 - 1];
}

/* ---- building the tables --------------------------------------------------------------- */

static void fill_4k(struct fz *f, struct mem *m)
{
    uint32_t *t = m->t[fz_u8(f) % NTABLES];
    unsigned first = fz_u16(f) % 1024, count = fz_u8(f) + 1u, quirk = fz_u8(f);
    uint32_t pa = fz_u32(f) & PTE_ADDR, flags = PTE_P | (fz_u8(f) & 0x1E);

    for (unsigned i = 0; i < count && first + i < 1024; i++) {
        uint32_t e = pa | flags;

        if (quirk & 0x80 && i == (quirk & 0x7F))
            e = (quirk & 1) ? e & ~PTE_P : e ^ 0x1000;  /* a hole, or a jump */
        t[first + i] = e;
        pa += PGSIZE_4K;
    }
}

static void fill_4m(struct fz *f, struct mem *m)
{
    unsigned first = fz_u16(f) % 1024, count = fz_u8(f) % 64 + 1u;
    uint32_t pa = (uint32_t)fz_u16(f) << 22, hi = fz_u8(f);

    for (unsigned i = 0; i < count && first + i < 1024; i++) {
        m->t[0][first + i] = pa | hi << 13 | PDE_PS | PTE_P;
        pa += PGSIZE_4M;
        if (!pa)
            hi++;                               /* carry into PSE-36 bits 39:32 */
    }
}

static void build_tables(struct fz *f, struct mem *m)
{
    unsigned edits = fz_u8(f) % (MAX_EDITS + 1);

    memset(m, 0, sizeof(*m));
    for (unsigned i = 0; i < edits; i++) {
        switch (fz_u8(f) % 5) {
        case 0: {
            unsigned t = fz_u8(f) % NTABLES, idx = fz_u16(f) % 1024;
            m->t[t][idx] = fz_u32(f);
            break;
        }
        case 1: {
            unsigned idx = fz_u16(f) % 1024, t = fz_u8(f) % NTABLES;
            m->t[0][idx] = (t + 1) * 0x1000u | PTE_P | PTE_RW;
            break;
        }
        case 2: fill_4k(f, m); break;
        case 3: {
            unsigned idx = fz_u16(f) % 1024;
            m->t[0][idx] = (fz_u32(f) & (PDE_4M_ADDR | 0x1FE000u)) | PDE_PS | PTE_P;
            break;
        }
        default: fill_4m(f, m); break;
        }
    }
}

/* ---- the reference: one translation, written out from the SDM ------------------------ */

/* Physical address of va, and the size of its page; false if not mapped. */
static bool ref_translate(struct mem *m, uint32_t va, uint64_t *pa, uint64_t *page)
{
    uint32_t pde = m->t[0][va >> 22], pte;
    const uint32_t *pt;

    if (!(pde & PTE_P))
        return false;
    if (pde & PDE_PS) {
        *page = PGSIZE_4M;
        *pa = (uint64_t)((pde >> 13) & 0xFF) << 32 | (pde & 0xFFC00000u) | (va & 0x3FFFFFu);
        return true;
    }
    pt = table_at(pde & 0xFFFFF000u, m);
    if (!pt)
        return false;
    pte = pt[(va >> 12) & 0x3FF];
    if (!(pte & PTE_P))
        return false;
    *page = PGSIZE_4K;
    *pa = (pte & 0xFFFFF000u) | (va & 0xFFFu);
    return true;
}

static void check_walk(struct mem *m, uint32_t va, uint32_t maxlen, bool no_pd)
{
    uint64_t pa = 1, rpa, page, off;
    uint32_t run = pt_walk(no_pd ? 0x10000000u : PD_PHYS, va, maxlen, &pa, table_at, m);
    bool mapped = !no_pd && ref_translate(m, va, &rpa, &page);

    if (!mapped) {
        FZ_CHECK(run == 0 && pa == 0, "va %08x unmapped: run %x pa %llx", va, run,
                 (unsigned long long)pa);
        return;
    }
    FZ_CHECK(pa == rpa, "va %08x: pa %llx, translates to %llx", va, (unsigned long long)pa,
             (unsigned long long)rpa);
    FZ_CHECK(run <= maxlen && (run == 0) == (maxlen == 0), "va %08x maxlen %x: run %x", va,
             maxlen, run);
    FZ_CHECK(va + (uint64_t)run <= TOP, "va %08x: run %x past 4 GiB", va, run);
    for (off = 0; off < run; off += page - ((va + off) & (page - 1))) {
        FZ_CHECK(ref_translate(m, (uint32_t)(va + off), &rpa, &page) && rpa == pa + off,
                 "va %08x run %x: byte %llx is not at pa %llx + %llx", va, run,
                 (unsigned long long)off, (unsigned long long)pa, (unsigned long long)off);
    }
    if (run > 0 && run < maxlen && va + (uint64_t)run < TOP)
        FZ_CHECK(!ref_translate(m, va + run, &rpa, &page) || rpa != pa + run,
                 "va %08x: run stopped at %x though the next page continues it", va, run);
}

static void fuzz_walk(struct fz *f)
{
    static struct mem m;

    build_tables(f, &m);
    for (int q = 0; q < MAX_QUERIES && f->n; q++) {
        uint8_t how = fz_u8(f);
        uint32_t va = (uint32_t)(fz_u16(f) % 1024) << 22 | (uint32_t)(fz_u16(f) % 1024) << 12 |
                      fz_u16(f) % 4096;
        uint32_t maxlen = how & 1 ? fz_u32(f) : how & 2 ? fz_u16(f) : 0;

        check_walk(&m, va, maxlen, (how & 0xFC) == 0xFC);
    }
}

/* ---- pa_find --------------------------------------------------------------------------- */

static void check_find(const struct pa_region *r, int n, uintptr_t va)
{
    uint32_t left = 0xDEADBEEF;
    int k = pa_find(r, n, va, &left), want = -1;
    uint64_t off = 0, expect = 0;

    for (int i = 0; i < n && want < 0; i++) {
        if (r[i].len && va >= r[i].base && va - r[i].base < r[i].len) {
            want = r[i].kind;
            off = va - r[i].base;
            expect = r[i].len - off;
            if (r[i].slot && r[i].slot - off % r[i].slot < expect)
                expect = r[i].slot - off % r[i].slot;
        }
    }
    FZ_CHECK(k == want, "va %lx: region kind %d, expected %d", (unsigned long)va, k, want);
    if (k < 0)
        FZ_CHECK(left == 0xDEADBEEF, "no region, but *left written");
    else
        FZ_CHECK(left == expect && left >= 1, "va %lx (offset %llx): left %x, expected %llx",
                 (unsigned long)va, (unsigned long long)off, left, (unsigned long long)expect);
}

static void fuzz_clamp(struct fz *f)
{
    struct pa_region r[6];
    int n = fz_u8(f) % 7;

    for (int i = 0; i < n; i++) {
        uint8_t how = fz_u8(f);

        r[i].base = how & 1 ? fz_u32(f) : (uintptr_t)fz_u16(f) << 4;
        r[i].len = how & 2 ? fz_u32(f) : fz_u16(f);
        r[i].slot = how & 4 ? fz_u32(f) : how & 8 ? fz_u8(f) : 0;
        r[i].kind = 10 + i;
    }
    for (int q = 0; q < MAX_QUERIES && f->n; q++) {
        uint8_t how = fz_u8(f);
        uintptr_t va = n && how & 1 ? r[how / 2 % n].base + fz_u16(f) : fz_u32(f);

        check_find(r, n, va);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };

    if (fz_u8(&f) & 1)
        fuzz_clamp(&f);
    else
        fuzz_walk(&f);
    return 0;
}
