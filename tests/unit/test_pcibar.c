/*
 * kernel/pcibar.c: BAR decoding from sizing read-backs, against a model of
 * how a BAR register answers (PCI 3.0 section 6.2.5.1: address bits below
 * the size are hardwired to zero, the flag bits are read-only), plus the
 * malformed cases and the name tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pci.h"

/* A BAR as hardware implements it: what it reads now, and after writing all-ones. */
struct model {
    uint32_t lo, lo_mask, hi, hi_mask;
};

static struct model model_io(uint32_t base, uint32_t size, bool decode16)
{
    struct model m;
    uint32_t addr_bits = ~(size - 1) & 0xfffffffcu;

    if (decode16)
        addr_bits &= 0xffff;
    m.lo = (base & addr_bits) | 1;
    m.lo_mask = addr_bits | 1;
    m.hi = m.hi_mask = 0;
    return m;
}

static struct model model_mem(uint64_t base, uint64_t size, bool is64, bool prefetch)
{
    struct model m;
    uint64_t addr_bits = ~(size - 1) & (is64 ? ~0xfull : 0xfffffff0ull);
    uint32_t flags = (is64 ? 4u : 0u) | (prefetch ? 8u : 0u);

    m.lo = ((uint32_t)base & (uint32_t)addr_bits) | flags;
    m.lo_mask = (uint32_t)addr_bits | flags;
    m.hi = is64 ? (uint32_t)((base & addr_bits) >> 32) : 0;
    m.hi_mask = is64 ? (uint32_t)(addr_bits >> 32) : 0;
    return m;
}

static int decode(struct model m, bool has_hi, struct pci_bar *b)
{
    return pci_bar_decode(m.lo, m.lo_mask, has_hi, m.hi, m.hi_mask, b);
}

static void test_io_sizes(void **state)
{
    struct pci_bar b;

    (void)state;
    for (uint32_t size = 4; size <= 256; size <<= 1) {
        for (int d16 = 0; d16 < 2; d16++) {
            uint32_t base = 0xc000 + 3 * size;  /* aligned to size */

            assert_int_equal(decode(model_io(base, size, d16), true, &b), 1);
            assert_int_equal(b.type, PCI_BAR_IO);
            assert_int_equal(b.base, base);
            assert_int_equal(b.size, size);
            assert_false(b.prefetch);
        }
    }
}

static void test_mem32_sizes(void **state)
{
    struct pci_bar b;

    (void)state;
    for (uint64_t size = 16; size <= 0x80000000ull; size <<= 1) {
        for (int pf = 0; pf < 2; pf++) {
            uint64_t base = size >= 0x80000000ull ? 0x80000000ull : 0xfe000000ull & ~(size - 1);

            assert_int_equal(decode(model_mem(base, size, false, pf), true, &b), 1);
            assert_int_equal(b.type, PCI_BAR_MEM32);
            assert_int_equal(b.base, base);
            assert_int_equal(b.size, size);
            assert_int_equal(b.prefetch, pf);
        }
    }
}

static void test_mem64_sizes(void **state)
{
    struct pci_bar b;

    (void)state;
    for (uint64_t size = 16; size <= (1ull << 40); size <<= 1) {
        for (int pf = 0; pf < 2; pf++) {
            uint64_t base = 0x3800000000000ull;     /* aligned to every size here */

            assert_true(pci_bar_is_mem64(model_mem(base, size, true, pf).lo));
            assert_int_equal(decode(model_mem(base, size, true, pf), true, &b), 2);
            assert_int_equal(b.type, PCI_BAR_MEM64);
            assert_int_equal(b.base, base);
            assert_int_equal(b.size, size);
            assert_int_equal(b.prefetch, pf);
        }
    }
    /* below 4 GiB, as firmware usually places them */
    assert_int_equal(decode(model_mem(0xfea00000, 0x4000, true, true), true, &b), 2);
    assert_int_equal(b.base, 0xfea00000);
    assert_int_equal(b.size, 0x4000);
}

static void test_unimplemented(void **state)
{
    struct pci_bar b = { .type = PCI_BAR_MEM32, .base = 1, .size = 1 };

    (void)state;
    assert_int_equal(pci_bar_decode(0, 0, true, 0, 0, &b), 1);
    assert_int_equal(b.type, PCI_BAR_NONE);
    assert_int_equal(b.size, 0);
    assert_int_equal(b.base, 0);
    /* an I/O BAR whose address bits all read back zero */
    assert_int_equal(pci_bar_decode(1, 1, true, 0, 0, &b), 1);
    assert_int_equal(b.type, PCI_BAR_NONE);
    /* a 64-bit BAR whose both halves read back zero: none, but both slots used */
    assert_int_equal(pci_bar_decode(4, 4, true, 0, 0, &b), 2);
    assert_int_equal(b.type, PCI_BAR_NONE);
}

static void test_malformed(void **state)
{
    struct model m = model_mem(0xfe000000, 0x1000, true, false);
    struct pci_bar b;

    (void)state;
    /* 64-bit type in the last slot: no upper half to read */
    assert_int_equal(decode(m, false, &b), 1);
    assert_int_equal(b.type, PCI_BAR_NONE);
    /* reserved memory type 11b */
    assert_int_equal(pci_bar_decode(0xfe000006, 0xfffff006, true, 0, 0, &b), 1);
    assert_int_equal(b.type, PCI_BAR_NONE);
    assert_false(pci_bar_is_mem64(0xfe000006));
    /* an I/O BAR never counts as 64-bit, whatever bit 2 says */
    assert_false(pci_bar_is_mem64(0xc005));
    assert_int_equal(pci_bar_decode(0xc005, 0xffffff05, true, 0, 0, &b), 1);
    assert_int_equal(b.type, PCI_BAR_IO);
    assert_int_equal(b.base, 0xc004);
    assert_int_equal(b.size, 4);
}

static void test_below_1m_type(void **state)
{
    struct pci_bar b;

    (void)state;
    /* type 01b (PCI 2.1 "below 1 MiB"): a 32-bit BAR */
    assert_int_equal(pci_bar_decode(0x000d0002, 0xffff0002, true, 0, 0, &b), 1);
    assert_int_equal(b.type, PCI_BAR_MEM32);
    assert_int_equal(b.base, 0xd0000);
    assert_int_equal(b.size, 0x10000);
}

/* A device whose read-back has a stray high zero: the lowest set address bit wins. */
static void test_noncontiguous_mask(void **state)
{
    struct pci_bar b;

    (void)state;
    assert_int_equal(pci_bar_decode(0xfe000000, 0x7ffff000, true, 0, 0, &b), 1);
    assert_int_equal(b.type, PCI_BAR_MEM32);
    assert_int_equal(b.size, 0x1000);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(pci_class_name(0x01), "Mass storage controller");
    assert_string_equal(pci_class_name(0x06), "Bridge device");
    assert_string_equal(pci_class_name(0xff), "Unassigned class");
    assert_string_equal(pci_class_name(0x80), "Reserved class");
    for (int c = 0; c < 256; c++)
        assert_true(strlen(pci_class_name((uint8_t)c)) <= 23);     /* listing columns */
    assert_string_equal(pci_cap_name(PCI_CAP_MSI), "MSI");
    assert_string_equal(pci_cap_name(PCI_CAP_MSIX), "MSI-X");
    assert_string_equal(pci_cap_name(PCI_CAP_PCIE), "PCIe");
    assert_string_equal(pci_cap_name(0x00), "?");
    assert_string_equal(pci_cap_name(0xee), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_sizes),
        cmocka_unit_test(test_mem32_sizes),
        cmocka_unit_test(test_mem64_sizes),
        cmocka_unit_test(test_unimplemented),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_below_1m_type),
        cmocka_unit_test(test_noncontiguous_mask),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("pcibar", tests, NULL, NULL);
}
