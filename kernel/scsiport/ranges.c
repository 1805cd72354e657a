/*
 * The claimed-range table: pure logic (see ranges.h for the rules).  The
 * system's own table and its platform claims are in rangecmds.c.
 */
#include "ranges.h"
#include "parse.h"

#ifdef HOST_TEST
#include <string.h>
#else
#include "string.h"
#endif

/*
 * The bus types, by INTERFACE_TYPE; NULL: none on this platform.  Every
 * one named maps to the one system space (see "Address spaces" in ranges.h).
 */
static const char *const bus_names[] = {
    [RANGE_BUS_INTERNAL] = "internal",
    [RANGE_BUS_ISA] = "isa",
    [RANGE_BUS_EISA] = "eisa",
    [RANGE_BUS_MCA] = "mca",
    [RANGE_BUS_PCI] = "pci",
};

static const char *bus_name(int bus_type)
{
    return (unsigned)bus_type < ARRAY_SIZE(bus_names) ? bus_names[bus_type] : NULL;
}

const char *range_bus_name(int bus_type)
{
    const char *s = bus_name(bus_type);

    return s ? s : "?";
}

const char *range_strerror(enum range_err e)
{
    static const char *const text[] = {
        [RANGE_OK] = "ok",
        [RANGE_E_EMPTY] = "zero length",
        [RANGE_E_WRAP] = "runs past the top of the address space",
        [RANGE_E_BUS] = "bus type not supported",
        [RANGE_E_FULL] = "claimed-range table full",
        [RANGE_E_CLAIMED] = "already claimed",
    };

    return (unsigned)e < ARRAY_SIZE(text) ? text[e] : "?";
}

void range_table_init(struct range_table *t, struct range *storage, int cap)
{
    t->r = storage;
    t->n = 0;
    t->cap = storage ? cap : 0;
}

/* Length, top of the space, bus type. */
static enum range_err range_valid(const struct range_req *q)
{
    if (!bus_name(q->bus_type))
        return RANGE_E_BUS;
    if (q->len == 0)
        return RANGE_E_EMPTY;
    if (q->io && (q->start >= RANGE_IO_TOP || q->len > RANGE_IO_TOP - q->start))
        return RANGE_E_WRAP;
    if (q->len - 1 > UINT64_MAX - q->start)
        return RANGE_E_WRAP;
    return RANGE_OK;
}

static uint64_t range_last(const struct range_req *q)
{
    return q->start + (q->len - 1);
}

/*
 * Both valid, so both in the system space.  Inclusive last bytes:
 * a <= b_last && b <= a_last.
 */
static bool range_overlap(const struct range_req *a, const struct range_req *b)
{
    if (a->io != b->io)
        return false;
    return a->start <= range_last(b) && b->start <= range_last(a);
}

static bool range_contains(const struct range_req *outer, const struct range_req *inner)
{
    return range_overlap(outer, inner) && outer->start <= inner->start &&
           range_last(inner) <= range_last(outer);
}

enum range_err range_test(const struct range_table *t, const struct range_req *q,
                          const void *owner, const struct range **conflict)
{
    enum range_err e = range_valid(q);

    if (e != RANGE_OK)
        return e;
    for (int i = 0; i < t->n; i++) {
        if (t->r[i].owner != owner && range_overlap(&t->r[i].at, q)) {
            if (conflict)
                *conflict = &t->r[i];
            return RANGE_E_CLAIMED;
        }
    }
    return RANGE_OK;
}

bool range_check(const struct range_table *t, const struct range_req *q, const void *owner)
{
    return range_test(t, q, owner, NULL) == RANGE_OK;
}

bool range_claimed(const struct range_table *t, const struct range_req *q)
{
    if (range_valid(q) != RANGE_OK)
        return false;
    for (int i = 0; i < t->n; i++)
        if (range_overlap(&t->r[i].at, q))
            return true;
    return false;
}

/* Sort order: I/O first, then start, then length. */
static bool range_before(const struct range_req *a, const struct range_req *b)
{
    if (a->io != b->io)
        return a->io;
    if (a->start != b->start)
        return a->start < b->start;
    return a->len < b->len;
}

/* Into a zeroed field: what fits, the NUL stays. */
static void copy_name(char *d, size_t size, const char *s)
{
    if (s)
        memcpy(d, s, strnlen(s, size - 1));
}

/* Insert at the sorted position; the caller checked there is room. */
static void range_insert(struct range_table *t, const struct range *e)
{
    int i = t->n;

    while (i > 0 && range_before(&e->at, &t->r[i - 1].at)) {
        t->r[i] = t->r[i - 1];
        i--;
    }
    t->r[i] = *e;
    t->n++;
}

static bool range_held_by(const struct range_table *t, const struct range_req *q,
                          const void *owner)
{
    for (int i = 0; i < t->n; i++)
        if (t->r[i].owner == owner && range_contains(&t->r[i].at, q))
            return true;
    return false;
}

enum range_err range_claim(struct range_table *t, const struct range_req *q,
                           const void *owner, const char *name, const char *what,
                           const struct range **conflict)
{
    enum range_err e = range_test(t, q, owner, conflict);
    struct range r;

    if (e != RANGE_OK)
        return e;
    if (range_held_by(t, q, owner))
        return RANGE_OK;
    if (t->n >= t->cap)
        return RANGE_E_FULL;
    memset(&r, 0, sizeof(r));
    r.at = *q;
    r.owner = owner;
    copy_name(r.owner_name, sizeof(r.owner_name), name);
    copy_name(r.what, sizeof(r.what), what);
    range_insert(t, &r);
    return RANGE_OK;
}

int range_release_owner(struct range_table *t, const void *owner)
{
    int kept = 0, n = t->n;

    for (int i = 0; i < n; i++)
        if (t->r[i].owner != owner)
            t->r[kept++] = t->r[i];
    t->n = kept;
    return n - kept;
}

/* "0x300+0x20" -> start, len; parse_u64's bases (hex by default). */
static bool parse_start_len(char *s, uint64_t *start, uint64_t *len)
{
    char *plus = strchr(s, '+');

    if (!plus)
        return false;
    *plus = '\0';
    return parse_u64(s, 16, start) && parse_u64(plus + 1, 16, len);
}

bool range_parse_claim(const char *s, size_t n, struct range_req *q)
{
    char buf[48];
    uint64_t start, len;
    bool io;
    size_t skip;

    if (n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (strncmp(buf, "io:", 3) == 0) {
        io = true;
        skip = 3;
    } else if (strncmp(buf, "mem:", 4) == 0) {
        io = false;
        skip = 4;
    } else {
        return false;
    }
    if (!parse_start_len(buf + skip, &start, &len))
        return false;
    q->bus_type = RANGE_BUS_INTERNAL;
    q->bus = 0;
    q->io = io;
    q->start = start;
    q->len = len;
    return true;
}
