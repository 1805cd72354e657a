/*
 * kernel/acpiparse.c over synthetic tables: checksums, the RSDP (v1, v2),
 * the MADT (IOAPICs, overrides, LAPIC address override, malformed entries),
 * the FADT (ACPI 1.0 and 2.0+ layouts, reset register rules) and the AML
 * scan for \_S5 in each encoding it must understand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "acpitab.h"

/* ---- helpers ------------------------------------------------------------- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static void fix_checksum(uint8_t *p, uint32_t len, uint8_t *sum)
{
    uint8_t s = 0;

    *sum = 0;
    for (uint32_t i = 0; i < len; i++)
        s += p[i];
    *sum = (uint8_t)-s;
}

static uint32_t sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memset(t, 0, len);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "BOCHS ", 6);
    return 36;
}

/* ---- checksums and the RSDP ---------------------------------------------- */

static void test_checksum(void **state)
{
    uint8_t b[8] = { 1, 2, 3, 4, 5, 6, 7, 0 };

    (void)state;
    assert_false(acpi_checksum_ok(b, sizeof(b)));
    fix_checksum(b, sizeof(b), &b[7]);
    assert_true(acpi_checksum_ok(b, sizeof(b)));
    assert_true(acpi_checksum_ok(b, 0));
}

static void make_rsdp(struct acpi_rsdp *r, uint8_t rev)
{
    memset(r, 0, sizeof(*r));
    memcpy(r->signature, "RSD PTR ", 8);
    memcpy(r->oem_id, "BOCHS ", 6);
    r->revision = rev;
    r->rsdt = 0x7fe1000;
    if (rev >= 2) {
        r->length = sizeof(*r);
        r->xsdt = 0x7fe2000;
    }
    fix_checksum((uint8_t *)r, ACPI_RSDP_V1_LEN, &r->checksum);
    if (rev >= 2)
        fix_checksum((uint8_t *)r, sizeof(*r), &r->ext_checksum);
}

static void test_rsdp(void **state)
{
    struct acpi_rsdp r;

    (void)state;
    make_rsdp(&r, 0);
    assert_true(acpi_rsdp_valid(&r, ACPI_RSDP_V1_LEN));
    assert_false(acpi_rsdp_valid(&r, ACPI_RSDP_V1_LEN - 1));
    r.rsdt ^= 0x1000;                                   /* v1 checksum broken */
    assert_false(acpi_rsdp_valid(&r, sizeof(r)));

    make_rsdp(&r, 2);
    assert_true(acpi_rsdp_valid(&r, sizeof(r)));
    assert_false(acpi_rsdp_valid(&r, ACPI_RSDP_V1_LEN)); /* v2 cut short */
    r.xsdt ^= 0x1000;                                   /* only the extended sum breaks */
    assert_true(acpi_checksum_ok(&r, ACPI_RSDP_V1_LEN));
    assert_false(acpi_rsdp_valid(&r, sizeof(r)));

    make_rsdp(&r, 2);
    r.length = 20;                                      /* implausible length */
    fix_checksum((uint8_t *)&r, ACPI_RSDP_V1_LEN, &r.checksum);
    assert_false(acpi_rsdp_valid(&r, sizeof(r)));

    make_rsdp(&r, 0);
    r.signature[7] = '!';
    assert_false(acpi_rsdp_valid(&r, sizeof(r)));
}

/* ---- MADT ---------------------------------------------------------------- */

static uint32_t madt_ioapic(uint8_t *e, uint8_t id, uint32_t addr, uint32_t gsi)
{
    e[0] = MADT_T_IOAPIC; e[1] = 12; e[2] = id; e[3] = 0;
    put32(e + 4, addr);
    put32(e + 8, gsi);
    return 12;
}

static uint32_t madt_iso(uint8_t *e, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    e[0] = MADT_T_ISO; e[1] = 10; e[2] = bus; e[3] = irq;
    put32(e + 4, gsi);
    put16(e + 8, flags);
    return 10;
}

/* What QEMU's pc/q35 MADT holds, plus a LAPIC address override and an NMI entry. */
static uint32_t build_madt(uint8_t *t, bool lapic_override)
{
    uint32_t off = sdt_header(t, "APIC", 512, 1);

    put32(t + MADT_LAPIC_ADDR, 0xFEE00000);
    put32(t + MADT_FLAGS, MADT_F_PCAT_COMPAT);
    off = MADT_ENTRIES;
    t[off] = MADT_T_LAPIC; t[off + 1] = 8; t[off + 3] = 0; put32(t + off + 4, 1);
    off += 8;
    off += madt_ioapic(t + off, 0, 0xFEC00000, 0);
    off += madt_iso(t + off, 0, 0, 2, 0);
    off += madt_iso(t + off, 0, 5, 5, 0xD);
    off += madt_iso(t + off, 0, 9, 9, 0xD);
    off += madt_iso(t + off, 1, 10, 10, 0xF);           /* not ISA: ignored */
    t[off] = 4; t[off + 1] = 6; t[off + 2] = 0xFF; put16(t + off + 3, 5); t[off + 5] = 1;
    off += 6;                                           /* LAPIC NMI: skipped */
    if (lapic_override) {
        t[off] = MADT_T_LAPIC_OVERRIDE; t[off + 1] = 12;
        put64(t + off + 4, 0xFEE10000ull);
        off += 12;
    }
    put32(t + 4, off);
    return off;
}

static void test_madt_qemu_like(void **state)
{
    uint8_t t[512];
    struct acpi_madt_info m;
    uint32_t len = build_madt(t, false);

    (void)state;
    assert_true(acpi_madt_parse(t, len, &m));
    assert_true(m.present);
    assert_true(m.has_8259);
    assert_int_equal(m.lapic_addr, 0xFEE00000);
    assert_int_equal(m.nioapic, 1);
    assert_int_equal(m.ioapic[0].addr, 0xFEC00000);
    assert_int_equal(m.ioapic[0].gsi_base, 0);
    assert_int_equal(m.noverride, 3);
    assert_int_equal(m.override[0].irq, 0);
    assert_int_equal(m.override[0].gsi, 2);
    assert_int_equal(m.override[0].flags, 0);
    assert_int_equal(m.override[2].irq, 9);
    assert_int_equal(m.override[2].flags & MPS_TRIGGER_MASK, MPS_TRIGGER_LEVEL);
    assert_int_equal(m.override[2].flags & MPS_POLARITY_MASK, MPS_POLARITY_HIGH);
}

static void test_madt_lapic_override(void **state)
{
    uint8_t t[512];
    struct acpi_madt_info m;
    uint32_t len = build_madt(t, true);

    (void)state;
    assert_true(acpi_madt_parse(t, len, &m));
    assert_int_equal(m.lapic_addr, 0xFEE10000);
}

static void test_madt_malformed(void **state)
{
    uint8_t t[512];
    struct acpi_madt_info m;
    uint32_t len = build_madt(t, false);

    (void)state;
    t[MADT_ENTRIES + 1] = 0;                            /* zero-length entry */
    assert_false(acpi_madt_parse(t, len, &m));
    len = build_madt(t, false);
    assert_false(acpi_madt_parse(t, len - 3, &m));      /* last entry runs off the end */
    len = build_madt(t, false);
    t[MADT_ENTRIES + 8 + 1] = 6;                        /* IOAPIC entry too short */
    assert_false(acpi_madt_parse(t, len, &m));
    assert_false(acpi_madt_parse(t, 40, &m));           /* no room for the fixed part */
}

static void test_madt_limits(void **state)
{
    uint8_t t[1024];
    struct acpi_madt_info m;
    uint32_t off = sdt_header(t, "APIC", sizeof(t), 1);

    (void)state;
    put32(t + MADT_LAPIC_ADDR, 0xFEE00000);
    off = MADT_ENTRIES;
    for (int i = 0; i < 6; i++)
        off += madt_ioapic(t + off, (uint8_t)i, 0xFEC00000 + 0x1000 * i, 24 * i);
    for (int i = 0; i < 20; i++)
        off += madt_iso(t + off, 0, (uint8_t)i, (uint32_t)i, 0);
    assert_true(acpi_madt_parse(t, off, &m));
    assert_int_equal(m.nioapic, 4);
    assert_int_equal(m.noverride, 16);
    assert_false(m.has_8259);
}

/* ---- FADT ---------------------------------------------------------------- */

static void put_gas(uint8_t *p, uint8_t space, uint64_t addr)
{
    p[0] = space; p[1] = 8; p[2] = 0; p[3] = 1;
    put64(p + 4, addr);
}

static void test_fadt_v1(void **state)
{
    uint8_t t[244];
    struct acpi_fadt_info f;

    (void)state;
    sdt_header(t, "FACP", FADT_V1_LEN, 1);
    put32(t + FADT_DSDT, 0x7fe0040);
    put32(t + FADT_PM1A_CNT_BLK, 0x604);
    put32(t + FADT_SMI_CMD, 0xB2);
    t[FADT_ACPI_ENABLE] = 0xF1;
    assert_true(acpi_fadt_parse(t, FADT_V1_LEN, &f));
    assert_int_equal(f.dsdt, 0x7fe0040);
    assert_int_equal(f.pm1a_cnt, 0x604);
    assert_int_equal(f.pm1b_cnt, 0);
    assert_int_equal(f.smi_cmd, 0xB2);
    assert_int_equal(f.acpi_enable, 0xF1);
    assert_false(f.reset_ok);                           /* ACPI 1.0 has no RESET_REG */
    assert_int_equal(f.pm_tmr, 0);                      /* PM_TMR_LEN 0: no PM timer */
    put32(t + FADT_PM_TMR_BLK, 0xB008);
    assert_true(acpi_fadt_parse(t, FADT_V1_LEN, &f));
    assert_int_equal(f.pm_tmr, 0);                      /* a block, but PM_TMR_LEN still 0 */
    t[FADT_PM_TMR_LEN] = 4;
    assert_true(acpi_fadt_parse(t, FADT_V1_LEN, &f));
    assert_int_equal(f.pm_tmr, 0xB008);
    assert_false(f.pm_tmr_32);
    assert_false(acpi_fadt_parse(t, FADT_V1_LEN - 1, &f));
}

static void build_fadt_v3(uint8_t *t, bool reset_sup)
{
    sdt_header(t, "FACP", 244, 3);
    put32(t + FADT_DSDT, 0x7fe0040);
    put64(t + FADT_X_DSDT, 0x7fd0040);
    put32(t + FADT_PM1A_CNT_BLK, 0x604);
    put_gas(t + FADT_X_PM1A_CNT_BLK, ACPI_GAS_IO, 0x804);
    put32(t + FADT_PM_TMR_BLK, 0x608);
    t[FADT_PM_TMR_LEN] = 4;
    put_gas(t + FADT_X_PM_TMR_BLK, ACPI_GAS_IO, 0x808);
    put32(t + FADT_FLAGS, FADT_F_TMR_VAL_EXT | (reset_sup ? FADT_F_RESET_REG_SUP : 0));
    put_gas(t + FADT_RESET_REG, ACPI_GAS_IO, 0xCF9);
    t[FADT_RESET_VALUE] = 0x06;
}

static void test_fadt_v3(void **state)
{
    uint8_t t[244];
    struct acpi_fadt_info f;

    (void)state;
    build_fadt_v3(t, true);
    assert_true(acpi_fadt_parse(t, 244, &f));
    assert_int_equal(f.dsdt, 0x7fd0040);                /* X_DSDT wins */
    assert_int_equal(f.pm1a_cnt, 0x804);                /* X_PM1a_CNT_BLK wins */
    assert_int_equal(f.pm_tmr, 0x808);                  /* X_PM_TMR_BLK wins */
    assert_true(f.pm_tmr_32);
    assert_true(f.reset_ok);
    assert_int_equal(f.reset_reg.space, ACPI_GAS_IO);
    assert_int_equal(f.reset_reg.address, 0xCF9);
    assert_int_equal(f.reset_value, 0x06);

    build_fadt_v3(t, false);                            /* RESET_REG_SUP clear */
    assert_true(acpi_fadt_parse(t, 244, &f));
    assert_false(f.reset_ok);

    build_fadt_v3(t, true);                             /* a memory-space X_PM1a: legacy port */
    put_gas(t + FADT_X_PM1A_CNT_BLK, ACPI_GAS_MEMORY, 0xFED40000);
    assert_true(acpi_fadt_parse(t, 244, &f));
    assert_int_equal(f.pm1a_cnt, 0x604);

    build_fadt_v3(t, true);                             /* a memory-space X_PM_TMR: legacy port */
    put_gas(t + FADT_X_PM_TMR_BLK, ACPI_GAS_MEMORY, 0xFED40000);
    assert_true(acpi_fadt_parse(t, 244, &f));
    assert_int_equal(f.pm_tmr, 0x608);

    build_fadt_v3(t, true);                             /* table too short for X_ fields */
    assert_true(acpi_fadt_parse(t, 132, &f));
    assert_int_equal(f.dsdt, 0x7fe0040);
    assert_int_equal(f.pm1a_cnt, 0x604);
    assert_int_equal(f.pm_tmr, 0x608);
    assert_true(f.reset_ok);
}

/* ---- \_S5 ---------------------------------------------------------------- */

static bool s5(const uint8_t *aml, uint32_t len, int a, int b)
{
    uint8_t sa = 0xEE, sb = 0xEE;

    if (!acpi_aml_find_s5(aml, len, &sa, &sb))
        return false;
    assert_int_equal(sa, a);
    assert_int_equal(sb, b);
    return true;
}

static void test_s5_encodings(void **state)
{
    /* QEMU: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
    static const uint8_t qemu[] = { 0x10, 0x08, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
                                    0x00, 0x00, 0x00, 0x00 };
    /* Name (\_S5, Package () { 0x07, 0x07 }) with BytePrefix and a root prefix */
    static const uint8_t bytes[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x02,
                                     0x0A, 0x07, 0x0A, 0x07 };
    /* One and BytePrefix mixed; a two-byte PkgLength */
    static const uint8_t mixed[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x02,
                                     0x01, 0x0A, 0x05 };
    /* WordPrefix (some compilers emit it), and a one-element package */
    static const uint8_t word[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0B, 0x03, 0x00 };

    (void)state;
    assert_true(s5(qemu, sizeof(qemu), 0, 0));
    assert_true(s5(bytes, sizeof(bytes), 7, 7));
    assert_true(s5(mixed, sizeof(mixed), 1, 5));
    assert_true(s5(word, sizeof(word), 3, 0));
}

static void test_s5_not_fooled(void **state)
{
    /* A reference to _S5_ (Store) before the real Name; then the real one. */
    static const uint8_t ref_then_name[] = { 0x70, '_', 'S', '5', '_', 0x60,
                                             0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02,
                                             0x0A, 0x02, 0x0A, 0x03 };
    /* Name(_S5_, <not a package>) */
    static const uint8_t not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0A, 0x05 };
    /* Cut off in the middle of the package */
    static const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A };
    /* An element that is not a constant integer (a name) */
    static const uint8_t odd[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x02, 'A', 'B', 'C', 'D' };
    static const uint8_t s4[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x00, 0x00 };
    uint8_t a, b;

    (void)state;
    assert_true(s5(ref_then_name, sizeof(ref_then_name), 2, 3));
    assert_false(acpi_aml_find_s5(not_pkg, sizeof(not_pkg), &a, &b));
    assert_false(acpi_aml_find_s5(cut, sizeof(cut), &a, &b));
    assert_false(acpi_aml_find_s5(odd, sizeof(odd), &a, &b));
    assert_false(acpi_aml_find_s5(s4, sizeof(s4), &a, &b));
    assert_false(acpi_aml_find_s5(s4, 0, &a, &b));
    for (uint32_t n = 0; n < sizeof(ref_then_name) - 1; n++)  /* every truncation is refused */
        assert_false(acpi_aml_find_s5(ref_then_name, n, &a, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_rsdp),
        cmocka_unit_test(test_madt_qemu_like),
        cmocka_unit_test(test_madt_lapic_override),
        cmocka_unit_test(test_madt_malformed),
        cmocka_unit_test(test_madt_limits),
        cmocka_unit_test(test_fadt_v1),
        cmocka_unit_test(test_fadt_v3),
        cmocka_unit_test(test_s5_encodings),
        cmocka_unit_test(test_s5_not_fooled),
    };
    return cmocka_run_group_tests_name("acpi", tests, NULL, NULL);
}
