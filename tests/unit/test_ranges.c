/* The claimed-range table behind ScsiPortValidateRange (kernel/scsiport/ranges.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "scsiport/ranges.h"

static struct range_table t;
static struct range storage[RANGE_MAX];

/* Owners: two adapters (only their addresses matter) and the platform. */
static const char ad_a[] = "ahci0", ad_b[] = "lsi0";
#define PLATFORM RANGE_OWNER_PLATFORM

static struct range_req io(uint64_t start, uint64_t len)
{
    return (struct range_req){ RANGE_BUS_ISA, 0, true, start, len };
}

static struct range_req mem(uint64_t start, uint64_t len)
{
    return (struct range_req){ RANGE_BUS_PCI, 0, false, start, len };
}

static struct range_req on_bus(int type, uint32_t bus, bool isio, uint64_t start, uint64_t len)
{
    return (struct range_req){ type, bus, isio, start, len };
}

static enum range_err claim(struct range_req q, const void *owner, const char *name)
{
    return range_claim(&t, &q, owner, name, "test", NULL);
}

static bool check(struct range_req q, const void *owner)
{
    return range_check(&t, &q, owner);
}

static int setup(void **state)
{
    (void)state;
    range_table_init(&t, storage, RANGE_MAX);
    return 0;
}

/* [0x100, 0x110) held by a; b asks about neighbours, overlaps, containment. */
static void test_overlap_adjacency_containment(void **state)
{
    (void)state;
    assert_int_equal(claim(io(0x100, 0x10), ad_a, "ahci0"), RANGE_OK);
    /* adjacency on both sides is not overlap */
    assert_true(check(io(0xF0, 0x10), ad_b));
    assert_true(check(io(0x110, 0x10), ad_b));
    assert_true(check(io(0xFF, 1), ad_b));
    assert_true(check(io(0x110, 1), ad_b));
    /* one byte of overlap at either end */
    assert_false(check(io(0xF1, 0x10), ad_b));
    assert_false(check(io(0x10F, 0x10), ad_b));
    assert_false(check(io(0x100, 1), ad_b));
    assert_false(check(io(0x10F, 1), ad_b));
    /* containment both ways */
    assert_false(check(io(0x104, 4), ad_b));
    assert_false(check(io(0x0, 0x1000), ad_b));
    assert_false(check(io(0x100, 0x10), ad_b));
    /* b's claim is refused for the same reasons, and names the holder */
    const struct range *c = NULL;
    struct range_req q = io(0x108, 0x10);
    assert_int_equal(range_claim(&t, &q, ad_b, "lsi0", "BAR0", &c), RANGE_E_CLAIMED);
    assert_non_null(c);
    assert_string_equal(c->owner_name, "ahci0");
    assert_int_equal(t.n, 1);
    assert_int_equal(claim(io(0x110, 0x10), ad_b, "lsi0"), RANGE_OK);
    assert_int_equal(claim(io(0xF0, 0x10), ad_b, "lsi0"), RANGE_OK);
    assert_int_equal(t.n, 3);
}

static void test_zero_length(void **state)
{
    (void)state;
    assert_int_equal(claim(io(0x100, 0), ad_a, "a"), RANGE_E_EMPTY);
    assert_int_equal(claim(mem(0x1000, 0), ad_a, "a"), RANGE_E_EMPTY);
    assert_false(check(io(0x100, 0), ad_a));
    assert_false(check(mem(0, 0), ad_a));
    assert_int_equal(t.n, 0);
}

static void test_io_top(void **state)
{
    (void)state;
    assert_true(check(io(0xFFFF, 1), ad_a));            /* the last port */
    assert_true(check(io(0xFFF0, 0x10), ad_a));
    assert_true(check(io(0, 0x10000), ad_a));           /* the whole space */
    assert_int_equal(range_test(&t, &(struct range_req){ RANGE_BUS_ISA, 0, true, 0xFFFF, 2 },
                                ad_a, NULL), RANGE_E_WRAP);
    assert_false(check(io(0xFFF0, 0x11), ad_a));
    assert_false(check(io(0x10000, 1), ad_a));
    assert_false(check(io(0, 0x10001), ad_a));
    /* start + len overflowing 64 bits must not wrap into a small range */
    assert_false(check(io(0xFFFFFFFFFFFFFFF0ull, 0x20), ad_a));
    assert_false(check(io(0x10, 0xFFFFFFFFFFFFFFF8ull), ad_a));
    assert_int_equal(claim(io(0xFFF8, 0x10), ad_a, "a"), RANGE_E_WRAP);
}

static void test_memory_top(void **state)
{
    (void)state;
    /* the last byte of the 64-bit space, and a range ending exactly at 2^64 */
    assert_true(check(mem(UINT64_MAX, 1), ad_a));
    assert_true(check(mem(0xFFFFFFFFFFFFF000ull, 0x1000), ad_a));
    assert_false(check(mem(0xFFFFFFFFFFFFF000ull, 0x1001), ad_a));
    assert_false(check(mem(UINT64_MAX, 2), ad_a));
    assert_false(check(mem(2, UINT64_MAX), ad_a));
    assert_true(check(mem(1, UINT64_MAX), ad_a));
    /* above 4 GiB is fine */
    assert_int_equal(claim(mem(0x100000000ull, 0x1000), ad_a, "a"), RANGE_OK);
    assert_false(check(mem(0x100000FFFull, 1), ad_b));
    assert_true(check(mem(0xFFFFF000ull, 0x1000), ad_b));
    /* a claim ending at 2^64 conflicts with one at the very top */
    assert_int_equal(claim(mem(UINT64_MAX, 1), ad_a, "a"), RANGE_OK);
    assert_false(check(mem(0xFFFFFFFFFFFFF000ull, 0x1000), ad_b));
}

static void test_io_and_memory_independent(void **state)
{
    (void)state;
    assert_int_equal(claim(io(0x1000, 0x100), ad_a, "a"), RANGE_OK);
    assert_true(check(mem(0x1000, 0x100), ad_b));
    assert_int_equal(claim(mem(0x1000, 0x100), ad_b, "b"), RANGE_OK);
    assert_false(check(io(0x1080, 1), ad_b));
    assert_false(check(mem(0x1080, 1), ad_a));
    assert_int_equal(t.n, 2);
}

/* Every supported bus type and bus number is the one system space on x86. */
static void test_other_bus_same_system_space(void **state)
{
    (void)state;
    assert_int_equal(claim(on_bus(RANGE_BUS_PCI, 0, true, 0xC000, 0x40), ad_a, "a"), RANGE_OK);
    assert_false(check(on_bus(RANGE_BUS_PCI, 1, true, 0xC020, 4), ad_b));
    assert_false(check(on_bus(RANGE_BUS_PCI, 255, true, 0xC000, 1), ad_b));
    assert_false(check(on_bus(RANGE_BUS_ISA, 0, true, 0xC03F, 1), ad_b));
    assert_false(check(on_bus(RANGE_BUS_EISA, 2, true, 0xC010, 1), ad_b));
    assert_false(check(on_bus(RANGE_BUS_INTERNAL, 0, true, 0xC010, 1), ad_b));
    assert_false(check(on_bus(RANGE_BUS_MCA, 0, true, 0xC010, 1), ad_b));
    assert_true(check(on_bus(RANGE_BUS_PCI, 1, true, 0xC040, 4), ad_b));
    /* memory likewise */
    assert_int_equal(claim(on_bus(RANGE_BUS_PCI, 3, false, 0xFEBF0000u, 0x1000), ad_a, "a"),
                     RANGE_OK);
    assert_false(check(on_bus(RANGE_BUS_PCI, 0, false, 0xFEBF0800u, 0x10), ad_b));
    assert_false(check(on_bus(RANGE_BUS_ISA, 0, false, 0xFEBF0000u, 1), ad_b));
    /* the adapter's own range validates on any bus number */
    assert_true(check(on_bus(RANGE_BUS_PCI, 7, false, 0xFEBF0000u, 0x1000), ad_a));
    /* the entry keeps the bus it was claimed on, for printing */
    assert_int_equal(t.r[0].at.bus_type, RANGE_BUS_PCI);
    assert_int_equal(t.r[1].at.bus, 3);
}

static void test_unknown_bus_type(void **state)
{
    (void)state;
    static const int bad[] = { -1, 4 /* TurboChannel */, 6 /* VMEBus */, 7 /* NuBus */,
                               8 /* PCMCIA */, 17 /* ACPIBus */, 18, 1000 };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct range_req q = on_bus(bad[i], 0, true, 0x300, 8);
        assert_int_equal(range_test(&t, &q, ad_a, NULL), RANGE_E_BUS);
        assert_int_equal(claim(q, ad_a, "a"), RANGE_E_BUS);
        q.io = false;
        assert_int_equal(range_test(&t, &q, ad_a, NULL), RANGE_E_BUS);
    }
    assert_int_equal(t.n, 0);
    assert_string_equal(range_bus_name(RANGE_BUS_PCI), "pci");
    assert_string_equal(range_bus_name(6), "?");
}

static void test_own_validates_other_refused(void **state)
{
    (void)state;
    assert_int_equal(claim(io(0x60, 1), PLATFORM, "platform"), RANGE_OK);
    assert_int_equal(claim(mem(0xFEBF0000u, 0x4000), ad_a, "ahci0"), RANGE_OK);
    assert_true(check(mem(0xFEBF0000u, 0x4000), ad_a));
    assert_true(check(mem(0xFEBF1000u, 0x10), ad_a));
    assert_false(check(mem(0xFEBF0000u, 0x4000), ad_b));
    assert_false(check(mem(0xFEBF0000u, 0x4000), PLATFORM));
    /* platform claims refuse every adapter */
    assert_false(check(io(0x60, 1), ad_a));
    assert_false(check(io(0x5F, 2), ad_b));
    assert_true(check(io(0x60, 1), PLATFORM));
    /* range_claimed: by anybody at all */
    struct range_req q = mem(0xFEBF3FFFu, 1);
    assert_true(range_claimed(&t, &q));
    q = mem(0xFEBF4000u, 1);
    assert_false(range_claimed(&t, &q));
    q = io(0x60, 0);
    assert_false(range_claimed(&t, &q));
}

static void test_release(void **state)
{
    (void)state;
    assert_int_equal(claim(io(0x1F0, 8), ad_a, "a"), RANGE_OK);
    assert_int_equal(claim(io(0x3F6, 1), ad_a, "a"), RANGE_OK);
    assert_int_equal(claim(io(0x170, 8), ad_b, "b"), RANGE_OK);
    assert_int_equal(claim(mem(0xE0000000u, 0x1000), ad_a, "a"), RANGE_OK);
    assert_false(check(io(0x1F0, 8), ad_b));
    assert_int_equal(range_release_owner(&t, ad_a), 3);
    assert_int_equal(t.n, 1);
    assert_true(check(io(0x1F0, 8), ad_b));
    assert_true(check(mem(0xE0000000u, 0x1000), ad_b));
    assert_false(check(io(0x170, 1), ad_a));
    assert_int_equal(range_release_owner(&t, ad_a), 0);
    assert_int_equal(range_release_owner(&t, ad_b), 1);
    assert_int_equal(t.n, 0);
}

static void test_table_full(void **state)
{
    (void)state;
    for (int i = 0; i < RANGE_MAX; i++)
        assert_int_equal(claim(mem(0x10000000u + (uint64_t)i * 0x1000, 0x1000), ad_a, "a"),
                         RANGE_OK);
    assert_int_equal(t.n, RANGE_MAX);
    assert_int_equal(claim(io(0x300, 8), ad_b, "b"), RANGE_E_FULL);
    /* a conflict is still reported as a conflict, and re-claims still work */
    assert_int_equal(claim(mem(0x10000000u, 1), ad_b, "b"), RANGE_E_CLAIMED);
    assert_int_equal(claim(mem(0x10001000u, 0x1000), ad_a, "a"), RANGE_OK);
    assert_true(check(io(0x300, 8), ad_b));
    assert_int_equal(range_release_owner(&t, ad_a), RANGE_MAX);
    assert_int_equal(claim(io(0x300, 8), ad_b, "b"), RANGE_OK);
}

static void test_idempotent_reclaim(void **state)
{
    (void)state;
    assert_int_equal(claim(io(0x300, 0x20), ad_a, "a"), RANGE_OK);
    assert_int_equal(claim(io(0x300, 0x20), ad_a, "a"), RANGE_OK);
    assert_int_equal(claim(io(0x308, 4), ad_a, "a"), RANGE_OK);
    assert_int_equal(t.n, 1);
    /* overlapping but not contained: accepted as a further entry */
    assert_int_equal(claim(io(0x310, 0x20), ad_a, "a"), RANGE_OK);
    assert_int_equal(t.n, 2);
    assert_false(check(io(0x32F, 1), ad_b));
    assert_true(check(io(0x330, 1), ad_b));
    /* platform re-claims likewise */
    assert_int_equal(claim(io(0x20, 2), PLATFORM, "platform"), RANGE_OK);
    assert_int_equal(claim(io(0x20, 2), PLATFORM, "platform"), RANGE_OK);
    assert_int_equal(t.n, 3);
}

static void test_sorted_and_names(void **state)
{
    (void)state;
    struct range_req q = mem(0xA0000, 0x20000);
    assert_int_equal(range_claim(&t, &q, PLATFORM, "platform", "VGA memory", NULL), RANGE_OK);
    q = io(0x3F8, 8);
    assert_int_equal(range_claim(&t, &q, PLATFORM, "platform",
                                 "a description much longer than the field", NULL), RANGE_OK);
    q = io(0x20, 2);
    assert_int_equal(range_claim(&t, &q, ad_a, "a-very-long-adapter-name", NULL, NULL),
                     RANGE_OK);
    assert_int_equal(t.n, 3);
    assert_true(t.r[0].at.io && t.r[0].at.start == 0x20);
    assert_true(t.r[1].at.io && t.r[1].at.start == 0x3F8);
    assert_true(!t.r[2].at.io && t.r[2].at.start == 0xA0000);
    assert_string_equal(t.r[0].owner_name, "a-very-long-ada");
    assert_string_equal(t.r[0].what, "");
    assert_int_equal(strlen(t.r[1].what), RANGE_WHAT_LEN - 1);
    assert_string_equal(t.r[2].what, "VGA memory");
}

static void test_parse_claim(void **state)
{
    (void)state;
    struct range_req q = { 0 };
    const char *s = "io:0x300+0x20";
    assert_true(range_parse_claim(s, strlen(s), &q));
    assert_true(q.io);
    assert_int_equal(q.start, 0x300);
    assert_int_equal(q.len, 0x20);
    assert_int_equal(q.bus_type, RANGE_BUS_INTERNAL);
    /* an item inside a list: only n bytes are looked at */
    s = "mem:fe000000+1000,io:1+1";
    assert_true(range_parse_claim(s, 17, &q));
    assert_false(q.io);
    assert_int_equal(q.start, 0xFE000000u);
    assert_int_equal(q.len, 0x1000);
    s = "mem:0d4096+0d16";
    assert_true(range_parse_claim(s, strlen(s), &q));
    assert_int_equal(q.start, 4096);
    assert_int_equal(q.len, 16);
    /* bad syntax leaves q alone */
    static const char *const bad[] = {
        "", "io", "io:", "io:0x300", "io:+8", "io:0x300+", "port:0x300+8", "IO:0x300+8",
        "io:0x300-0x31f", "io:0x3g0+8", "mem:0x1+0x1+0x1", "mem:0x10000000000000000+1",
        "io:0x300+0x20,mem:0x1000+0x1000",
        "mem:0x0000000000000000000000000000000000000000001+1",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        q = (struct range_req){ 9, 9, true, 9, 9 };
        assert_false(range_parse_claim(bad[i], strlen(bad[i]), &q));
        assert_int_equal(q.bus_type, 9);
        assert_int_equal(q.start, 9);
    }
}

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(range_strerror(RANGE_E_EMPTY), "zero length");
    assert_string_equal(range_strerror(RANGE_E_CLAIMED), "already claimed");
    assert_string_equal(range_strerror(RANGE_E_FULL), "claimed-range table full");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup(fn, setup)
    const struct CMUnitTest tests[] = {
        T(test_overlap_adjacency_containment),
        T(test_zero_length),
        T(test_io_top),
        T(test_memory_top),
        T(test_io_and_memory_independent),
        T(test_other_bus_same_system_space),
        T(test_unknown_bus_type),
        T(test_own_validates_other_refused),
        T(test_release),
        T(test_table_full),
        T(test_idempotent_reclaim),
        T(test_sorted_and_names),
        T(test_parse_claim),
        T(test_strerror),
    };
    return cmocka_run_group_tests_name("ranges", tests, NULL, NULL);
}
