/*
 * libFuzzer harness: the ACPI table parsers (kernel/acpiparse.c).  Tables
 * come from firmware, and firmware is hostile input too.
 *
 * Input: a mode byte, then the bytes of one structure in an exact-size
 * heap block (its length is the length the kernel would pass):
 *   0  an RSDP candidate (mode bit 2: the harness fixes both checksums,
 *      bit 3: it writes the signature, so the revision 2 path is reached);
 *   1  a MADT;  2  a DSDT body (AML) for the \_S5 scan;  3  a FADT.
 *
 * Properties: no read outside the table (ASan), the scans end, the fixed
 * arrays of the MADT result are not overrun, and each parser's result
 * equals a model restating ACPI 6.4 here:
 *  - RSDP: signature, checksum of the first 20 bytes, and for revision
 *    >= 2 a length in [36, avail] with its extended checksum;
 *  - MADT: header fields; entries walked by their lengths, refused when an
 *    entry is shorter than its type needs or runs past the table; the first
 *    4 I/O APICs, the first 16 ISA (bus 0) overrides; a 64-bit LAPIC
 *    override below 4 GiB replaces the address;
 *  - \_S5: the first Name(_S5_, Package(){a, b, ...}) (also \_S5_) whose
 *    first elements are integer data objects; b is 0 with one element;
 *  - FADT: refused below 116 bytes; X_DSDT over DSDT when present and
 *    nonzero; PM1x_CNT from the extended GAS when it is an I/O port in
 *    1..FFFFh, else the legacy field if it fits 16 bits; the PM timer the
 *    same way, only when PM_TMR_LEN is 4, 32-bit with TMR_VAL_EXT; the reset register
 *    only from revision 2, when the flag says so and the table holds it.
 */
#include "acpitab.h"
#include "fuzz.h"

/* ---- RSDP ------------------------------------------------------------------------------- */

static uint8_t sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;

    while (n--)
        s = (uint8_t)(s + *p++);
    return s;
}

static void fix_rsdp(uint8_t *b, size_t len, uint8_t how)
{
    if ((how & 8) && len >= 8)
        memcpy(b, "RSD PTR ", 8);
    if (!(how & 4) || len < 20)
        return;
    b[8] = 0;
    b[8] = (uint8_t)-sum(b, 20);
    if (len >= 36) {
        uint32_t l = acpi_get32(b, 20);
        if (l >= 36 && l <= len) {
            b[32] = 0;
            b[32] = (uint8_t)-sum(b, l);
        }
    }
}

static void fuzz_rsdp(uint8_t *b, size_t len, uint8_t how)
{
    bool want;

    fix_rsdp(b, len, how);
    want = len >= 20 && memcmp(b, "RSD PTR ", 8) == 0 && sum(b, 20) == 0;
    if (want && b[15] >= 2) {
        uint32_t l = len >= 36 ? acpi_get32(b, 20) : 0;
        want = len >= 36 && l >= 36 && l <= len && sum(b, l) == 0;
    }
    FZ_CHECK(acpi_rsdp_valid((const struct acpi_rsdp *)b, (uint32_t)len) == want,
             "RSDP of %zu bytes, revision %u: model says %d", len, len > 15 ? b[15] : 0, want);
    FZ_CHECK(acpi_checksum_ok(b, (uint32_t)len) == (sum(b, len) == 0), "checksum of %zu bytes",
             len);
}

/* ---- MADT ------------------------------------------------------------------------------- */

static bool ref_madt(const uint8_t *t, size_t len, struct acpi_madt_info *m)
{
    memset(m, 0, sizeof(*m));
    if (len < 44)
        return false;
    m->lapic_addr = acpi_get32(t, 36);
    m->has_8259 = t[40] & 1;
    for (size_t off = 44; off + 2 <= len;) {
        const uint8_t *e = t + off;
        size_t need = e[0] == 1 || e[0] == 5 ? 12 : e[0] == 2 ? 10 : 2;

        if (e[1] < need || off + e[1] > len)
            return false;
        if (e[0] == 1 && m->nioapic < 4) {
            m->ioapic[m->nioapic].id = e[2];
            m->ioapic[m->nioapic].addr = acpi_get32(e, 4);
            m->ioapic[m->nioapic++].gsi_base = acpi_get32(e, 8);
        } else if (e[0] == 2 && e[2] == 0 && m->noverride < 16) {
            m->override[m->noverride].irq = e[3];
            m->override[m->noverride].gsi = acpi_get32(e, 4);
            m->override[m->noverride++].flags = acpi_get16(e, 8);
        } else if (e[0] == 5 && acpi_get64(e, 4) >> 32 == 0) {
            m->lapic_addr = acpi_get32(e, 4);
        }
        off += e[1];
    }
    m->present = true;
    return true;
}

static void fuzz_madt(const uint8_t *t, size_t len)
{
    static struct acpi_madt_info got, want;
    bool ok = acpi_madt_parse(t, (uint32_t)len, &got), rok = ref_madt(t, len, &want);

    FZ_CHECK(ok == rok && got.present == want.present, "MADT of %zu bytes: %d, model %d", len,
             ok, rok);
    FZ_CHECK(got.nioapic >= 0 && got.nioapic <= 4 && got.noverride >= 0 && got.noverride <= 16,
             "%d I/O APICs, %d overrides", got.nioapic, got.noverride);
    if (!ok)
        return;
    FZ_CHECK(got.lapic_addr == want.lapic_addr && got.has_8259 == want.has_8259 &&
             got.nioapic == want.nioapic && got.noverride == want.noverride,
             "LAPIC %x 8259 %d, %d I/O APICs, %d overrides; model %x %d %d %d", got.lapic_addr,
             got.has_8259, got.nioapic, got.noverride, want.lapic_addr, want.has_8259,
             want.nioapic, want.noverride);
    for (int i = 0; i < got.nioapic; i++)
        FZ_CHECK(got.ioapic[i].id == want.ioapic[i].id &&
                 got.ioapic[i].addr == want.ioapic[i].addr &&
                 got.ioapic[i].gsi_base == want.ioapic[i].gsi_base, "I/O APIC %d", i);
    for (int i = 0; i < got.noverride; i++)
        FZ_CHECK(got.override[i].irq == want.override[i].irq &&
                 got.override[i].gsi == want.override[i].gsi &&
                 got.override[i].flags == want.override[i].flags, "override %d", i);
}

/* ---- \_S5 ------------------------------------------------------------------------------- */

/* An integer data object (ZeroOp, OneOp, Byte/Word/DWordPrefix) at a[*p]. */
static bool ref_int(const uint8_t *a, size_t len, size_t *p, uint8_t *v)
{
    static const uint8_t size[4] = { 2, 3, 5, 0 };      /* 0Ah, 0Bh, 0Ch */
    size_t i = *p;

    if (i >= len)
        return false;
    if (a[i] <= 1) {
        *v = a[i];
        *p = i + 1;
        return true;
    }
    if (a[i] < 0x0A || a[i] > 0x0C || i + size[a[i] - 0x0A] > len)
        return false;
    *v = a[i + 1];
    *p = i + size[a[i] - 0x0A];
    return true;
}

static bool ref_s5(const uint8_t *a, size_t len, uint8_t *sa, uint8_t *sb)
{
    for (size_t i = 1; i + 4 <= len; i++) {
        size_t p = i + 4;

        if (memcmp(a + i, "_S5_", 4) != 0 ||
            !(a[i - 1] == 0x08 || (i >= 2 && a[i - 1] == '\\' && a[i - 2] == 0x08)))
            continue;
        if (p + 3 > len || a[p] != 0x12)
            continue;
        p += 1 + 1 + (a[p + 1] >> 6);           /* PackageOp, PkgLength */
        if (p >= len || a[p] == 0)
            continue;
        *sb = 0;
        if (a[p++] >= 2) {
            if (ref_int(a, len, &p, sa) && ref_int(a, len, &p, sb))
                return true;
        } else if (ref_int(a, len, &p, sa)) {
            return true;
        }
    }
    return false;
}

static void fuzz_s5(const uint8_t *a, size_t len)
{
    uint8_t ga = 0xEE, gb = 0xEE, wa = 0xDD, wb = 0xDD;
    bool ok = acpi_aml_find_s5(a, (uint32_t)len, &ga, &gb), rok = ref_s5(a, len, &wa, &wb);

    FZ_CHECK(ok == rok, "\\_S5 in %zu bytes of AML: %d, model %d", len, ok, rok);
    if (ok)
        FZ_CHECK(ga == wa && gb == wb, "SLP_TYP %x/%x, model %x/%x", ga, gb, wa, wb);
}

/* ---- FADT ------------------------------------------------------------------------------- */

static uint16_t ref_port(const uint8_t *t, size_t len, size_t gas, size_t legacy)
{
    uint64_t a = len >= gas + 12 ? acpi_get64(t, (uint32_t)gas + 4) : 0;
    uint32_t l = acpi_get32(t, (uint32_t)legacy);

    if (len >= gas + 12 && t[gas] == 1 && a && a <= 0xFFFF)
        return (uint16_t)a;
    return l <= 0xFFFF ? (uint16_t)l : 0;
}

static void fuzz_fadt(const uint8_t *t, size_t len)
{
    static struct acpi_fadt_info f;
    bool ok = acpi_fadt_parse(t, (uint32_t)len, &f), reset;
    uint64_t dsdt;
    uint32_t smi;

    FZ_CHECK(ok == (len >= 116), "FADT of %zu bytes: %d", len, ok);
    if (!ok)
        return;
    dsdt = len >= 148 && acpi_get64(t, 140) ? acpi_get64(t, 140) : acpi_get32(t, 40);
    smi = acpi_get32(t, 48);
    FZ_CHECK(f.dsdt == dsdt, "DSDT %llx, model %llx", (unsigned long long)f.dsdt,
             (unsigned long long)dsdt);
    FZ_CHECK(f.pm1a_cnt == ref_port(t, len, 172, 64) && f.pm1b_cnt == ref_port(t, len, 184, 68),
             "PM1 control %x/%x", f.pm1a_cnt, f.pm1b_cnt);
    FZ_CHECK(f.smi_cmd == (smi <= 0xFFFF ? smi : 0) && f.acpi_enable == t[52], "SMI_CMD %x",
             f.smi_cmd);
    FZ_CHECK(f.pm_tmr == (t[91] == 4 ? ref_port(t, len, 208, 76) : 0) &&
             f.pm_tmr_32 == (t[91] == 4 && (acpi_get32(t, 112) & (1u << 8))),
             "PM timer %x (32-bit %d)", f.pm_tmr, f.pm_tmr_32);
    reset = t[8] >= 2 && len >= 129 && (acpi_get32(t, 112) & (1u << 10));
    if (!reset) {
        FZ_CHECK(!f.reset_ok && f.reset_reg.address == 0 && f.reset_value == 0,
                 "reset register without RESET_REG_SUP or room for it");
        return;
    }
    FZ_CHECK(f.reset_reg.space == t[116] && f.reset_reg.address == acpi_get64(t, 120) &&
             f.reset_value == t[128], "reset register");
    FZ_CHECK(f.reset_ok == (acpi_get64(t, 120) != 0 && t[116] <= 1), "reset_ok %d", f.reset_ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    uint8_t how = fz_u8(&f);
    size_t len;
    const uint8_t *p = fz_bytes(&f, f.n, &len);
    uint8_t *t = fz_dup(p, len);

    switch (how % 4) {
    case 0: fuzz_rsdp(t, len, how); break;
    case 1: fuzz_madt(t, len); break;
    case 2: fuzz_s5(t, len); break;
    default: fuzz_fadt(t, len); break;
    }
    free(t);
    return 0;
}
