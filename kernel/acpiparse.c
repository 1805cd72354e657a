/*
 * Pure parsers over ACPI tables already in memory: checksums, the RSDP, the
 * MADT, the FADT, and the bounded AML scan for \_S5.  No hardware, no
 * mapping: built for the host too (tests/unit/test_acpi.c).
 */
#include "acpitab.h"

#ifdef HOST_TEST
#include <string.h>
#else
#include "string.h"
#endif

bool acpi_checksum_ok(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    for (uint32_t i = 0; i < len; i++)
        sum += b[i];
    return sum == 0;
}

bool acpi_rsdp_valid(const struct acpi_rsdp *r, uint32_t avail)
{
    if (avail < ACPI_RSDP_V1_LEN || memcmp(r->signature, "RSD PTR ", 8) != 0)
        return false;
    if (!acpi_checksum_ok(r, ACPI_RSDP_V1_LEN))
        return false;
    if (r->revision < 2)
        return true;
    if (avail < sizeof(*r) || r->length < sizeof(*r) || r->length > avail)
        return false;
    return acpi_checksum_ok(r, r->length);
}

/* ---- MADT --------------------------------------------------------------- */

static void madt_ioapic(const uint8_t *e, struct acpi_madt_info *m)
{
    if (m->nioapic >= (int)ARRAY_SIZE(m->ioapic))
        return;
    m->ioapic[m->nioapic].id = acpi_get8(e, 2);
    m->ioapic[m->nioapic].addr = acpi_get32(e, 4);
    m->ioapic[m->nioapic].gsi_base = acpi_get32(e, 8);
    m->nioapic++;
}

static void madt_override(const uint8_t *e, struct acpi_madt_info *m)
{
    if (acpi_get8(e, 2) != 0 || m->noverride >= (int)ARRAY_SIZE(m->override))
        return;                         /* bus 0 is ISA, the only one defined */
    m->override[m->noverride].irq = acpi_get8(e, 3);
    m->override[m->noverride].gsi = acpi_get32(e, 4);
    m->override[m->noverride].flags = acpi_get16(e, 8);
    m->noverride++;
}

/* Minimum length of each entry type we read. */
static uint8_t madt_entry_min(uint8_t type)
{
    switch (type) {
    case MADT_T_IOAPIC: return 12;
    case MADT_T_ISO: return 10;
    case MADT_T_LAPIC_OVERRIDE: return 12;
    default: return 2;
    }
}

bool acpi_madt_parse(const void *tab, uint32_t len, struct acpi_madt_info *m)
{
    const uint8_t *t = tab;
    uint32_t off;

    memset(m, 0, sizeof(*m));
    if (len < MADT_ENTRIES)
        return false;
    m->lapic_addr = acpi_get32(t, MADT_LAPIC_ADDR);
    m->has_8259 = acpi_get32(t, MADT_FLAGS) & MADT_F_PCAT_COMPAT;
    for (off = MADT_ENTRIES; off + 2 <= len; off += t[off + 1]) {
        const uint8_t *e = t + off;
        uint8_t type = e[0], elen = e[1];

        if (elen < madt_entry_min(type) || off + elen > len)
            return false;               /* a zero length would loop forever */
        if (type == MADT_T_IOAPIC)
            madt_ioapic(e, m);
        else if (type == MADT_T_ISO)
            madt_override(e, m);
        else if (type == MADT_T_LAPIC_OVERRIDE && acpi_get64(e, 4) < 0x100000000ull)
            m->lapic_addr = (uint32_t)acpi_get64(e, 4);
    }
    m->present = true;
    return true;
}

/* ---- AML: Name(_S5_, Package() { SLP_TYPa, SLP_TYPb, ... }) ------------- */

/* One integer data object at aml[*p]; advances *p. */
static bool aml_small_int(const uint8_t *aml, uint32_t len, uint32_t *p, uint8_t *v)
{
    uint32_t i = *p;

    if (i >= len)
        return false;
    switch (aml[i]) {
    case AML_ZERO_OP: *v = 0; *p = i + 1; return true;
    case AML_ONE_OP: *v = 1; *p = i + 1; return true;
    case AML_BYTE_PREFIX: if (i + 2 > len) return false; *p = i + 2; break;
    case AML_WORD_PREFIX: if (i + 3 > len) return false; *p = i + 3; break;
    case AML_DWORD_PREFIX: if (i + 5 > len) return false; *p = i + 5; break;
    default: return false;
    }
    *v = aml[i + 1];                    /* SLP_TYP is 3 bits: the low byte holds it */
    return true;
}

/* The package after "_S5_" at aml[p]. */
static bool aml_s5_package(const uint8_t *aml, uint32_t len, uint32_t p,
                           uint8_t *slp_a, uint8_t *slp_b)
{
    uint8_t count;

    if (p + 3 > len || aml[p] != AML_PACKAGE_OP)
        return false;
    p += 2 + (aml[p + 1] >> 6);         /* PkgLength: lead byte + 0..3 more */
    if (p >= len)
        return false;
    count = aml[p++];                   /* NumElements */
    if (count < 1 || !aml_small_int(aml, len, &p, slp_a))
        return false;
    *slp_b = 0;
    if (count >= 2 && !aml_small_int(aml, len, &p, slp_b))
        return false;
    return true;
}

bool acpi_aml_find_s5(const uint8_t *aml, uint32_t len, uint8_t *slp_a, uint8_t *slp_b)
{
    if (len > AML_S5_SCAN_MAX)
        len = AML_S5_SCAN_MAX;
    for (uint32_t i = 1; i + 4 <= len; i++) {
        bool named;

        if (memcmp(aml + i, "_S5_", 4) != 0)
            continue;
        named = aml[i - 1] == AML_NAME_OP ||
                (i >= 2 && aml[i - 1] == '\\' && aml[i - 2] == AML_NAME_OP);
        if (named && aml_s5_package(aml, len, i + 4, slp_a, slp_b))
            return true;
    }
    return false;
}

/* ---- FADT --------------------------------------------------------------- */

/* An extended (GAS) I/O block if usable (I/O space, nonzero, 16-bit port), else the legacy one. */
static uint16_t fadt_x_port(const uint8_t *t, uint32_t len, uint32_t off, uint32_t legacy)
{
    struct acpi_gas g;

    if (len >= off + sizeof(g)) {
        memcpy(&g, t + off, sizeof(g));
        if (g.space == ACPI_GAS_IO && g.address && g.address <= 0xFFFF)
            return (uint16_t)g.address;
    }
    return legacy <= 0xFFFF ? (uint16_t)legacy : 0;
}

static void fadt_reset(const uint8_t *t, uint32_t len, struct acpi_fadt_info *f)
{
    const struct acpi_sdt *h = (const struct acpi_sdt *)t;

    if (h->revision < 2 || len < FADT_RESET_VALUE + 1 ||
        !(acpi_get32(t, FADT_FLAGS) & FADT_F_RESET_REG_SUP))
        return;
    memcpy(&f->reset_reg, t + FADT_RESET_REG, sizeof(f->reset_reg));
    f->reset_value = acpi_get8(t, FADT_RESET_VALUE);
    f->reset_ok = f->reset_reg.address != 0 &&
                  (f->reset_reg.space == ACPI_GAS_IO || f->reset_reg.space == ACPI_GAS_MEMORY);
}

bool acpi_fadt_parse(const void *tab, uint32_t len, struct acpi_fadt_info *f)
{
    const uint8_t *t = tab;

    memset(f, 0, sizeof(*f));
    if (len < FADT_V1_LEN)
        return false;
    f->dsdt = acpi_get32(t, FADT_DSDT);
    if (len >= FADT_X_DSDT + 8 && acpi_get64(t, FADT_X_DSDT))
        f->dsdt = acpi_get64(t, FADT_X_DSDT);
    f->pm1a_cnt = fadt_x_port(t, len, FADT_X_PM1A_CNT_BLK, acpi_get32(t, FADT_PM1A_CNT_BLK));
    f->pm1b_cnt = fadt_x_port(t, len, FADT_X_PM1B_CNT_BLK, acpi_get32(t, FADT_PM1B_CNT_BLK));
    f->smi_cmd = acpi_get32(t, FADT_SMI_CMD) <= 0xFFFF ? (uint16_t)acpi_get32(t, FADT_SMI_CMD) : 0;
    f->acpi_enable = acpi_get8(t, FADT_ACPI_ENABLE);
    if (acpi_get8(t, FADT_PM_TMR_LEN) == 4) {
        f->pm_tmr = fadt_x_port(t, len, FADT_X_PM_TMR_BLK, acpi_get32(t, FADT_PM_TMR_BLK));
        f->pm_tmr_32 = (acpi_get32(t, FADT_FLAGS) & FADT_F_TMR_VAL_EXT) != 0;
    }
    fadt_reset(t, len, f);
    return true;
}
