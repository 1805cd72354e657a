/*
 * libFuzzer harness: the claimed-range table behind ScsiPortValidateRange
 * (kernel/scsiport/ranges.c), against a plain model kept here.
 *
 * Input: up to MAX_OPS operations, each an opcode byte then its operands:
 * claim / check / claimed / release by one of four owners (the platform
 * and three adapters), a run of small I/O claims (to fill the table), and
 * the claim= item parser.  A range is a bus type
 * (valid ones and a few refused), I/O or memory, and a start and length
 * drawn either small (so claims collide) or as raw 64-bit values, or
 * running exactly to the top of the space.
 *
 * The model is a list of (space, first byte, last byte, owner) with the
 * rules of ranges.h written out again in 128-bit arithmetic.  Properties:
 *  - every call returns what the model says: a bad bus, zero length or a
 *    range past the top is refused for that reason; a range overlapping
 *    another owner's claim is refused (and the conflict named is such a
 *    claim); a claim already covered by the owner's own adds nothing; a
 *    full table refuses; otherwise the claim is added;
 *  - every error and bus type has a name ("?" only for a refused bus);
 *  - after a claim succeeds, range_check by the same owner is true, by
 *    every other owner false, and range_claimed is true;
 *  - release removes exactly that owner's claims;
 *  - the table stays sorted (I/O first, then start, then length), never
 *    holds two overlapping claims of different owners, keeps its names
 *    terminated, and holds exactly the model's claims;
 *  - range_parse_claim reads only its n bytes (ASan), and on success says
 *    I/O for "io:" and memory for "mem:"; on failure *q is untouched.
 */
#include "ranges.h"
#include "fuzz.h"

#define MAX_OPS     200
#define MAX_FILL    140     /* claims by all fill operations of one input together */
#define IO_TOP      0x10000u

typedef unsigned __int128 u128;

struct claim {
    bool io;
    uint64_t first, last;
    const void *owner;
};

struct model {
    struct claim c[RANGE_MAX];
    int n;
};

static const int owner_ids[4] = { 0, 1, 2, 3 };
static const int nobody;                /* an owner with no claims */
static const void *const owners[4] = { NULL, &owner_ids[1], &owner_ids[2], &owner_ids[3] };
static const char *const names[4] = { "platform", "ahci0", "an-adapter-name-that-is-too-long",
                                      NULL };

/* ---- the model -------------------------------------------------------------------------- */

static enum range_err model_valid(const struct range_req *q)
{
    u128 end = (u128)q->start + q->len;

    switch (q->bus_type) {
    case 0: case 1: case 2: case 3: case 5:
        break;
    default:
        return RANGE_E_BUS;
    }
    if (q->len == 0)
        return RANGE_E_EMPTY;
    if (q->io ? end > IO_TOP : end > ((u128)1 << 64))
        return RANGE_E_WRAP;
    return RANGE_OK;
}

static bool model_overlap(const struct claim *c, const struct range_req *q)
{
    u128 last = (u128)q->start + q->len - 1;

    return c->io == q->io && c->first <= last && q->start <= c->last;
}

static bool model_contains(const struct claim *c, const struct range_req *q)
{
    return c->io == q->io && c->first <= q->start && (u128)q->start + q->len - 1 <= c->last;
}

/* Index of a claim by someone other than owner that overlaps q, or -1. */
static int model_conflict(const struct model *m, const struct range_req *q, const void *owner)
{
    for (int i = 0; i < m->n; i++)
        if (m->c[i].owner != owner && model_overlap(&m->c[i], q))
            return i;
    return -1;
}

static enum range_err model_test(const struct model *m, const struct range_req *q,
                                 const void *owner)
{
    enum range_err e = model_valid(q);

    if (e != RANGE_OK)
        return e;
    return model_conflict(m, q, owner) >= 0 ? RANGE_E_CLAIMED : RANGE_OK;
}

/* What range_claim must return; adds to the model when it adds to the table. */
static enum range_err model_claim(struct model *m, const struct range_req *q, const void *owner)
{
    enum range_err e = model_test(m, q, owner);

    if (e != RANGE_OK)
        return e;
    for (int i = 0; i < m->n; i++)
        if (m->c[i].owner == owner && model_contains(&m->c[i], q))
            return RANGE_OK;
    if (m->n == RANGE_MAX)
        return RANGE_E_FULL;
    m->c[m->n++] = (struct claim){ q->io, q->start, q->start + (q->len - 1), owner };
    return RANGE_OK;
}

static int model_release(struct model *m, const void *owner)
{
    int kept = 0, n = m->n;

    for (int i = 0; i < n; i++)
        if (m->c[i].owner != owner)
            m->c[kept++] = m->c[i];
    m->n = kept;
    return n - kept;
}

/* ---- input ----------------------------------------------------------------------------- */

static struct range_req read_req(struct fz *f)
{
    static const int bus_types[8] = { 0, 1, 2, 3, 5, 4, 7, -1 };
    struct range_req q = { .bus_type = bus_types[fz_u8(f) % 8] };
    uint8_t how = fz_u8(f);

    q.io = how & 1;
    q.bus = how >> 4;
    switch ((how >> 1) & 3) {
    case 0:                                     /* small: claims run into each other */
        q.start = q.io ? fz_u16(f) : (uint64_t)fz_u16(f) << 12;
        q.len = q.io ? fz_u8(f) : (uint64_t)fz_u8(f) << 12;
        break;
    case 1:                                     /* exactly to the top of the space */
        q.start = q.io ? fz_u16(f) : fz_u64(f);
        q.len = (q.io ? IO_TOP : 0) - q.start;
        break;
    default:
        q.start = fz_u64(f);
        q.len = fz_u64(f);
        break;
    }
    return q;
}

/* ---- checks ---------------------------------------------------------------------------- */

static bool entry_before(const struct range_req *a, const struct range_req *b)
{
    if (a->io != b->io)
        return a->io;
    return a->start != b->start ? a->start < b->start : a->len < b->len;
}

/* After each operation: the count, order and names; with pairs, no cross-owner overlap. */
static void check_table(const struct range_table *t, const struct model *m, bool pairs)
{
    FZ_CHECK(t->n == m->n && t->n >= 0 && t->n <= RANGE_MAX, "table %d entries, model %d",
             t->n, m->n);
    for (int i = 0; i < t->n; i++) {
        const struct range *r = &t->r[i];

        FZ_CHECK(memchr(r->owner_name, 0, sizeof(r->owner_name)) &&
                 memchr(r->what, 0, sizeof(r->what)), "entry %d: names not terminated", i);
        FZ_CHECK(i == 0 || !entry_before(&r->at, &t->r[i - 1].at), "entry %d out of order", i);
        for (int j = 0; pairs && j < i; j++) {
            struct claim cj = { t->r[j].at.io, t->r[j].at.start,
                                t->r[j].at.start + (t->r[j].at.len - 1), t->r[j].owner };
            FZ_CHECK(cj.owner == r->owner || !model_overlap(&cj, &r->at),
                     "entries %d and %d of different owners overlap", j, i);
        }
    }
}

static void check_same_claims(const struct range_table *t, const struct model *m)
{
    for (int i = 0; i < m->n; i++) {
        bool found = false;

        for (int j = 0; j < t->n && !found; j++)
            found = t->r[j].owner == m->c[i].owner && t->r[j].at.io == m->c[i].io &&
                    t->r[j].at.start == m->c[i].first &&
                    t->r[j].at.start + (t->r[j].at.len - 1) == m->c[i].last;
        FZ_CHECK(found, "model claim %d (%s %llx..%llx) not in the table", i,
                 m->c[i].io ? "io" : "mem", (unsigned long long)m->c[i].first,
                 (unsigned long long)m->c[i].last);
    }
}

/* Claim q for owner o, in the table and in the model, and check the outcome. */
static void do_claim(struct range_table *t, struct model *m, unsigned o, const struct range_req *q)
{
    const struct range *conflict = NULL;
    enum range_err want = model_claim(m, q, owners[o]);
    enum range_err got = range_claim(t, q, owners[o], names[o], "fuzz", &conflict);

    FZ_CHECK(got == want, "claim by %u of %s %llx+%llx (bus type %d): %s, model says %s", o,
             q->io ? "io" : "mem", (unsigned long long)q->start, (unsigned long long)q->len,
             q->bus_type, range_strerror(got), range_strerror(want));
    FZ_CHECK(strcmp(range_strerror(got), "?") != 0 &&
             (strcmp(range_bus_name(q->bus_type), "?") == 0) == (got == RANGE_E_BUS),
             "names of error %d, bus type %d", got, q->bus_type);
    if (got == RANGE_E_CLAIMED) {
        struct claim c = { conflict->at.io, conflict->at.start,
                           conflict->at.start + (conflict->at.len - 1), conflict->owner };
        FZ_CHECK(conflict >= t->r && conflict < t->r + t->n && c.owner != owners[o] &&
                 model_overlap(&c, q), "conflict named is not a conflicting claim");
    }
    if (got != RANGE_OK)
        return;
    FZ_CHECK(range_check(t, q, owners[o]) && range_claimed(t, q), "claimed range not held");
    for (unsigned k = 0; k < 4; k++)
        FZ_CHECK(k == o || !range_check(t, q, owners[k]),
                 "range claimed by %u validates for %u", o, k);
}

static void op_claim(struct fz *f, struct range_table *t, struct model *m)
{
    unsigned o = fz_u8(f) % 4;
    struct range_req q = read_req(f);

    do_claim(t, m, o, &q);
}

/* Many small I/O claims in a row (enough to fill the table), within *budget. */
static void op_fill(struct fz *f, struct range_table *t, struct model *m, unsigned *budget)
{
    unsigned o = fz_u8(f) % 4, count = fz_u8(f) + 1u, start = fz_u16(f), shape = fz_u8(f);
    unsigned len = 1 + (shape & 3), stride = len + (shape >> 2);

    for (unsigned i = 0; i < count && *budget; i++, (*budget)--) {
        struct range_req q = { RANGE_BUS_ISA, 0, true, (start + i * stride) % IO_TOP, len };
        do_claim(t, m, o, &q);
    }
}

static void op_check(struct fz *f, struct range_table *t, struct model *m, bool any)
{
    unsigned o = fz_u8(f) % 4;
    struct range_req q = read_req(f);

    if (any) {
        bool want = model_valid(&q) == RANGE_OK && model_conflict(m, &q, &nobody) >= 0;
        FZ_CHECK(range_claimed(t, &q) == want, "range_claimed: model says %d", want);
        return;
    }
    FZ_CHECK(range_test(t, &q, owners[o], NULL) == model_test(m, &q, owners[o]),
             "range_test by %u: %s, model says %s", o,
             range_strerror(range_test(t, &q, owners[o], NULL)),
             range_strerror(model_test(m, &q, owners[o])));
}

static void op_parse(struct fz *f)
{
    size_t n;
    const uint8_t *p = fz_bytes(f, fz_u8(f) % 64, &n);
    char *s = (char *)fz_dup(p, n);
    struct range_req q, before;

    memset(&q, 0xA5, sizeof(q));
    before = q;
    if (range_parse_claim(s, n, &q)) {
        bool io = n >= 3 && memcmp(s, "io:", 3) == 0;
        FZ_CHECK(n < 48 && (io || (n >= 4 && memcmp(s, "mem:", 4) == 0)) && q.io == io &&
                 q.bus_type == RANGE_BUS_INTERNAL && q.bus == 0 && memchr(s, '+', n),
                 "claim item '%.*s' accepted", (int)n, s);
    } else {
        FZ_CHECK(memcmp(&q, &before, sizeof(q)) == 0, "refused item changed *q");
    }
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    static struct range_table t;
    static struct range storage[RANGE_MAX];
    static struct model m;
    unsigned budget = MAX_FILL;

    range_table_init(&t, storage, RANGE_MAX);
    m.n = 0;
    for (int op = 0; op < MAX_OPS && f.n; op++) {
        switch (fz_u8(&f) % 7) {
        case 0: case 1: op_claim(&f, &t, &m); break;
        case 6: op_fill(&f, &t, &m, &budget); break;
        case 2: op_check(&f, &t, &m, false); break;
        case 3: op_check(&f, &t, &m, true); break;
        case 4: {
            unsigned o = fz_u8(&f) % 4;
            int want = model_release(&m, owners[o]);
            FZ_CHECK(range_release_owner(&t, owners[o]) == want, "release of %u", o);
            break;
        }
        default: op_parse(&f); break;
        }
        check_table(&t, &m, false);
    }
    check_table(&t, &m, true);
    check_same_claims(&t, &m);
    return 0;
}
