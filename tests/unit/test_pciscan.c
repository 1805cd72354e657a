/*
 * kernel/pciscan.c over synthetic topologies: bridges followed by their
 * secondary bus numbers, multi-function devices, the guards (unconfigured
 * bridges, secondary bus not above the bridge's own, a bus reached twice),
 * no device at 0:0.0, the all-bus fallback, and the capability walk's
 * bounds (loops, pointers into the header).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pciscan.h"
#include "console.h"

/* ---- the log, captured ----------------------------------------------------- */

int log_level = LOG_DEBUG;
static char logbuf[8192];

void klog(int level, const char *dev, const char *fmt, ...)
{
    size_t n = strlen(logbuf);
    va_list ap;

    (void)level;
    snprintf(logbuf + n, sizeof(logbuf) - n, "%s: ", dev);
    n = strlen(logbuf);
    va_start(ap, fmt);
    vsnprintf(logbuf + n, sizeof(logbuf) - n, fmt, ap);
    va_end(ap);
    n = strlen(logbuf);
    snprintf(logbuf + n, sizeof(logbuf) - n, "\n");
}

/* ---- a machine: functions with 256 bytes of config space each ------------------ */

#define MAX_FN 300

static struct fn {
    unsigned b, d, f;
    uint8_t cfg[256];
} fns[MAX_FN];
static int nfns;

/* What found() saw, in order. */
static unsigned found[MAX_FN][3];
static int nfound;

static void reset(void)
{
    memset(fns, 0, sizeof(fns));
    nfns = nfound = 0;
    logbuf[0] = '\0';
}

static struct fn *fn_add(unsigned b, unsigned d, unsigned f, uint8_t hdr)
{
    struct fn *x = &fns[nfns++];

    x->b = b;
    x->d = d;
    x->f = f;
    x->cfg[0] = 0x34;                   /* vendor 1234 */
    x->cfg[1] = 0x12;
    x->cfg[PCI_HEADER_TYPE] = hdr;
    return x;
}

static struct fn *bridge_add(unsigned b, unsigned d, unsigned f, unsigned secondary)
{
    struct fn *x = fn_add(b, d, f, PCI_HDR_BRIDGE);

    x->cfg[PCI_SECONDARY_BUS] = secondary;
    return x;
}

static struct fn *fn_find(unsigned b, unsigned d, unsigned f)
{
    for (int i = 0; i < nfns; i++)
        if (fns[i].b == b && fns[i].d == d && fns[i].f == f)
            return &fns[i];
    return NULL;
}

static uint8_t rd8(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off)
{
    struct fn *x = fn_find(b, d, f);

    (void)ctx;
    return x ? x->cfg[off] : 0xff;
}

static uint16_t rd16(void *ctx, unsigned b, unsigned d, unsigned f, unsigned off)
{
    return rd8(ctx, b, d, f, off) | rd8(ctx, b, d, f, off + 1) << 8;
}

static void on_found(void *ctx, unsigned b, unsigned d, unsigned f)
{
    (void)ctx;
    found[nfound][0] = b;
    found[nfound][1] = d;
    found[nfound][2] = f;
    nfound++;
}

static struct pci_scan scan_run(bool allbus)
{
    struct pci_scan s = { .read8 = rd8, .read16 = rd16, .found = on_found, .allbus = allbus };

    pci_scan_run(&s);
    return s;
}

static int times_found(unsigned b, unsigned d, unsigned f)
{
    int n = 0;

    for (int i = 0; i < nfound; i++)
        n += found[i][0] == b && found[i][1] == d && found[i][2] == f;
    return n;
}

/* ---- bus walk ------------------------------------------------------------------ */

static void test_bridges_followed(void **state)
{
    struct pci_scan s;

    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    fn_add(0, 1, 0, 0);
    bridge_add(0, 2, 0, 1);
    bridge_add(0, 3, 0, 4);
    fn_add(1, 0, 0, 0);
    bridge_add(1, 1, 0, 2);
    fn_add(2, 3, 0, 0);
    fn_add(4, 0x1f, 0, 0);
    fn_add(9, 0, 0, 0);                 /* no bridge leads here */
    s = scan_run(false);
    assert_int_equal(s.nfound, 8);
    assert_int_equal(nfound, 8);
    for (int i = 0; i < nfns - 1; i++)
        assert_int_equal(times_found(fns[i].b, fns[i].d, fns[i].f), 1);
    assert_int_equal(times_found(9, 0, 0), 0);
    assert_false(s.fell_back);
    assert_string_equal(logbuf, "");
}

static void test_multifunction(void **state)
{
    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    fn_add(0, 4, 0, PCI_HDR_MULTIFN);
    fn_add(0, 4, 2, 0);                 /* functions need not be contiguous */
    fn_add(0, 4, 7, 0);
    fn_add(0, 5, 0, 0);                 /* single-function ... */
    fn_add(0, 5, 1, 0);                 /* ... so this is not looked at */
    fn_add(0, 6, 3, PCI_HDR_MULTIFN);   /* no function 0: no device */
    scan_run(false);
    assert_int_equal(nfound, 5);
    assert_int_equal(times_found(0, 4, 2), 1);
    assert_int_equal(times_found(0, 4, 7), 1);
    assert_int_equal(times_found(0, 5, 1), 0);
    assert_int_equal(times_found(0, 6, 3), 0);
}

static void test_vendor_zero_absent(void **state)
{
    struct fn *x;

    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    x = fn_add(0, 1, 0, 0);
    x->cfg[0] = x->cfg[1] = 0;
    scan_run(false);
    assert_int_equal(nfound, 1);
}

static void test_unconfigured_bridge(void **state)
{
    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    bridge_add(0, 2, 0, 0);
    scan_run(false);
    assert_int_equal(nfound, 2);
    assert_string_equal(logbuf, "pci: 00.02.00: bridge to bus 00 from bus 00 (not configured); "
                        "not followed\n");
}

static void test_bridge_back_to_lower_bus(void **state)
{
    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    bridge_add(0, 1, 0, 3);
    bridge_add(3, 0, 0, 2);             /* loops back below itself */
    bridge_add(3, 1, 0, 3);             /* to its own bus */
    fn_add(2, 0, 0, 0);
    scan_run(false);
    assert_int_equal(nfound, 4);
    assert_int_equal(times_found(2, 0, 0), 0);
    assert_non_null(strstr(logbuf, "pci: 03.00.00: bridge to bus 02 from bus 03; not followed\n"));
    assert_non_null(strstr(logbuf, "pci: 03.01.00: bridge to bus 03 from bus 03; not followed\n"));
}

static void test_bus_reached_twice(void **state)
{
    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    bridge_add(0, 1, 0, 5);
    bridge_add(0, 2, 0, 5);
    bridge_add(5, 0, 0, 6);
    bridge_add(6, 0, 0, 7);
    bridge_add(7, 0, 0, 5);             /* forward-looking numbers, but a cycle */
    scan_run(false);
    assert_int_equal(nfound, 6);
    for (int i = 0; i < nfns; i++)
        assert_int_equal(times_found(fns[i].b, fns[i].d, fns[i].f), 1);
    assert_non_null(strstr(logbuf, "00.02.00: bridge to bus 05, already reached; not followed"));
    assert_non_null(strstr(logbuf, "07.00.00: bridge to bus 05 from bus 07; not followed"));
}

static void test_deep_chain(void **state)
{
    struct pci_scan s;

    (void)state;
    reset();
    for (unsigned b = 0; b < 255; b++)
        bridge_add(b, 0, 0, b + 1);
    fn_add(255, 0x1f, 0, 0);
    s = scan_run(false);
    assert_int_equal(s.nfound, 256);
    assert_int_equal(times_found(255, 0x1f, 0), 1);
    assert_string_equal(logbuf, "");
}

static void test_no_host_bridge_at_0(void **state)
{
    struct pci_scan s;

    (void)state;
    reset();
    fn_add(0, 5, 0, 0);
    bridge_add(0, 7, 0, 1);
    fn_add(1, 0, 0, 0);
    s = scan_run(false);
    assert_int_equal(s.nfound, 3);
    assert_false(s.fell_back);
}

static void test_empty_bus0_falls_back(void **state)
{
    struct pci_scan s;

    (void)state;
    reset();
    fn_add(0x40, 0, 0, 0);
    bridge_add(0x40, 1, 0, 0x41);
    fn_add(0x41, 2, 0, 0);
    s = scan_run(false);
    assert_true(s.fell_back);
    assert_int_equal(s.nfound, 3);
    for (int i = 0; i < nfns; i++)
        assert_int_equal(times_found(fns[i].b, fns[i].d, fns[i].f), 1);
    assert_non_null(strstr(logbuf, "nothing found from bus 0; scanning all buses"));
}

static void test_allbus(void **state)
{
    struct pci_scan s;

    (void)state;
    reset();
    fn_add(0, 0, 0, 0);
    bridge_add(0, 1, 0, 0);             /* unconfigured: irrelevant when scanning all */
    bridge_add(0, 2, 0, 3);
    fn_add(3, 0, 0, 0);
    fn_add(0xff, 0x1f, 7, 0);           /* unreachable, and not function 0 */
    fn_add(0xfe, 0x1f, 0, 0);
    s = scan_run(true);
    assert_int_equal(s.nfound, 5);
    assert_int_equal(times_found(3, 0, 0), 1);
    assert_int_equal(times_found(0xfe, 0x1f, 0), 1);
    assert_false(s.fell_back);
    assert_string_equal(logbuf, "");
}

/* ---- capability walk -------------------------------------------------------------- */

static uint8_t cfg[256];

static uint8_t cap_rd8(void *ctx, unsigned off)
{
    (void)ctx;
    assert_true(off < 256);
    return cfg[off];
}

static void caps_set(const uint8_t (*list)[3], int n, uint8_t first)
{
    memset(cfg, 0, sizeof(cfg));
    cfg[PCI_STATUS] = PCI_STS_CAP_LIST;
    cfg[PCI_CAP_PTR] = first;
    for (int i = 0; i < n; i++) {
        cfg[list[i][0]] = list[i][1];
        cfg[list[i][0] + 1] = list[i][2];
    }
}

static void test_caps_normal(void **state)
{
    static const uint8_t list[][3] = { { 0x80, 0x05, 0xa8 }, { 0xa8, 0x12, 0x00 } };
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    bool looped;

    (void)state;
    caps_set(list, 2, 0x83);            /* the low two bits are reserved */
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 2);
    assert_false(looped);
    assert_int_equal(caps[0].pos, 0x80);
    assert_int_equal(caps[0].id, 0x05);
    assert_int_equal(caps[1].pos, 0xa8);
    assert_int_equal(caps[1].id, 0x12);
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, 1, &looped), 1);
    cfg[PCI_STATUS] = 0;                /* no list, whatever the pointer says */
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 0);
}

static void test_caps_cardbus_pointer(void **state)
{
    static const uint8_t list[][3] = { { 0x80, 0x01, 0x00 } };
    struct pci_cap caps[4];
    bool looped;

    (void)state;
    caps_set(list, 1, 0);
    cfg[PCI_HEADER_TYPE] = PCI_HDR_CARDBUS;
    cfg[PCI_CB_CAP_PTR] = 0x80;
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, 4, &looped), 1);
    assert_int_equal(caps[0].id, 0x01);
}

static void test_caps_loop(void **state)
{
    static const uint8_t list[][3] = { { 0x40, 0x09, 0x50 }, { 0x50, 0x09, 0x60 },
                                       { 0x60, 0x05, 0x50 } };
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    bool looped;

    (void)state;
    caps_set(list, 3, 0x40);
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 3);
    assert_true(looped);
    /* a self-loop */
    cfg[0x41] = 0x40;
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 1);
    assert_true(looped);
}

static void test_caps_into_header(void **state)
{
    static const uint8_t list[][3] = { { 0x40, 0x09, 0x10 } };
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    bool looped;

    (void)state;
    caps_set(list, 1, 0x40);
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 1);
    assert_true(looped);
    caps_set(list, 1, 0x3c);            /* the first pointer already in the header */
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 0);
    assert_true(looped);
}

static void test_caps_longest_chain(void **state)
{
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    bool looped;

    (void)state;
    memset(cfg, 0, sizeof(cfg));
    cfg[PCI_STATUS] = PCI_STS_CAP_LIST;
    cfg[PCI_CAP_PTR] = 0xfc;
    for (unsigned pos = 0xfc; pos >= 0x40; pos -= 4) {   /* every dword, top down */
        cfg[pos] = 0x09;
        cfg[pos + 1] = pos == 0x40 ? 0 : pos - 4;
    }
    assert_int_equal(pci_cap_walk(cap_rd8, NULL, caps, PCI_CAP_MAX_WALK, &looped), 48);
    assert_false(looped);
    assert_int_equal(caps[47].pos, 0x40);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bridges_followed),
        cmocka_unit_test(test_multifunction),
        cmocka_unit_test(test_vendor_zero_absent),
        cmocka_unit_test(test_unconfigured_bridge),
        cmocka_unit_test(test_bridge_back_to_lower_bus),
        cmocka_unit_test(test_bus_reached_twice),
        cmocka_unit_test(test_deep_chain),
        cmocka_unit_test(test_no_host_bridge_at_0),
        cmocka_unit_test(test_empty_bus0_falls_back),
        cmocka_unit_test(test_allbus),
        cmocka_unit_test(test_caps_normal),
        cmocka_unit_test(test_caps_cardbus_pointer),
        cmocka_unit_test(test_caps_loop),
        cmocka_unit_test(test_caps_into_header),
        cmocka_unit_test(test_caps_longest_chain),
    };
    return cmocka_run_group_tests_name("pciscan", tests, NULL, NULL);
}
