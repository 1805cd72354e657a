/*
 * ACPI table layouts the kernel reads (ACPI 6.4, chapter 5.2), and the pure
 * parsers over them (kernel/acpiparse.c, unit-tested on the host).  Hardware
 * facts only; where the tables are found and what is done with them lives
 * in acpi.c.
 */
#ifndef ACPITAB_H
#define ACPITAB_H

#include "types.h"
#include "acpi.h"

/* Root System Description Pointer (5.2.5.3). */
struct acpi_rsdp {
    char signature[8];          /* "RSD PTR " */
    uint8_t checksum;           /* over the first 20 bytes */
    char oem_id[6];
    uint8_t revision;           /* 0: ACPI 1.0 (RSDT only); 2: has the XSDT */
    uint32_t rsdt;              /* physical address of the RSDT */
    uint32_t length;            /* rev >= 2: of the whole structure */
    uint64_t xsdt;              /* rev >= 2: physical address of the XSDT */
    uint8_t ext_checksum;       /* rev >= 2: over all `length` bytes */
    uint8_t reserved[3];
} __packed;
_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP");
#define ACPI_RSDP_V1_LEN    20

/* System Description Table header (5.2.6), at the start of every table. */
struct acpi_sdt {
    char signature[4];
    uint32_t length;            /* of the whole table, header included */
    uint8_t revision;
    uint8_t checksum;           /* all `length` bytes sum to 0 */
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __packed;
_Static_assert(sizeof(struct acpi_sdt) == 36, "SDT header");

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
    uint8_t space;              /* address space ID */
#define ACPI_GAS_MEMORY     0
#define ACPI_GAS_IO         1
    uint8_t bit_width;
    uint8_t bit_offset;
    uint8_t access_size;
    uint64_t address;
} __packed;
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS");

/* Fixed ACPI Description Table, signature "FACP" (5.2.9); the parts we use. */
#define FADT_DSDT               40      /* uint32_t: physical address of the DSDT */
#define FADT_SMI_CMD            48      /* uint32_t: SMI command port */
#define FADT_ACPI_ENABLE        52      /* uint8_t: value for SMI_CMD */
#define FADT_PM1A_CNT_BLK       64      /* uint32_t: I/O port */
#define FADT_PM1B_CNT_BLK       68      /* uint32_t: I/O port, 0 if none */
#define FADT_PM_TMR_BLK         76      /* uint32_t: I/O port of the power management timer */
#define FADT_PM1_CNT_LEN        89      /* uint8_t */
#define FADT_PM_TMR_LEN         91      /* uint8_t: 4 if there is a PM timer, else 0 */
#define FADT_FLAGS              112     /* uint32_t */
#define   FADT_F_TMR_VAL_EXT        (1u << 8)   /* the PM timer counts 32 bits, not 24 */
#define   FADT_F_RESET_REG_SUP      (1u << 10)  /* RESET_REG is supported */
#define FADT_RESET_REG          116     /* struct acpi_gas (revision 2+) */
#define FADT_RESET_VALUE        128     /* uint8_t */
#define FADT_X_DSDT             140     /* uint64_t (revision 3+) */
#define FADT_X_PM1A_CNT_BLK     172     /* struct acpi_gas */
#define FADT_X_PM1B_CNT_BLK     184     /* struct acpi_gas */
#define FADT_X_PM_TMR_BLK       208     /* struct acpi_gas */
#define FADT_V1_LEN             116     /* ACPI 1.0 table ends before RESET_REG */

/* PM1 control register (4.8.4.2.1). */
#define PM1_SCI_EN          (1u << 0)   /* ACPI mode (SCI, not SMI) */
#define PM1_SLP_TYP_SHIFT   10
#define PM1_SLP_TYP_MASK    (7u << 10)  /* sleeping type, from \_Sx */
#define PM1_SLP_EN          (1u << 13)  /* write 1: enter that sleeping state */

/* Multiple APIC Description Table, signature "APIC" (5.2.12). */
#define MADT_LAPIC_ADDR         36      /* uint32_t */
#define MADT_FLAGS              40      /* uint32_t */
#define   MADT_F_PCAT_COMPAT        (1u << 0)   /* dual 8259s are present */
#define MADT_ENTRIES            44      /* interrupt controller structures */
/* Each entry starts with type, length. */
#define MADT_T_LAPIC            0       /* uid(1) apic_id(1) flags(4) */
#define MADT_T_IOAPIC           1       /* id(1) rsvd(1) addr(4) gsi_base(4) */
#define MADT_T_ISO              2       /* bus(1) source(1) gsi(4) flags(2) */
#define MADT_T_LAPIC_OVERRIDE   5       /* rsvd(2) addr(8) */
/* MPS INTI flags of an interrupt source override (5.2.12.5, table 5.50). */
#define MPS_POLARITY_MASK       0x3
#define   MPS_POLARITY_CONFORM      0x0 /* as the bus says: ISA high */
#define   MPS_POLARITY_HIGH         0x1
#define   MPS_POLARITY_LOW          0x3
#define MPS_TRIGGER_MASK        0xC
#define   MPS_TRIGGER_CONFORM       0x0 /* as the bus says: ISA edge */
#define   MPS_TRIGGER_EDGE          0x4
#define   MPS_TRIGGER_LEVEL         0xC

/* PCI memory mapped configuration table, signature "MCFG" (PCI Firmware 3.0, 4.1.2). */
#define MCFG_ENTRIES            44      /* after 8 reserved bytes */
struct acpi_mcfg_entry {
    uint64_t base;              /* ECAM base of this segment's bus 0 */
    uint16_t segment;
    uint8_t bus_start;
    uint8_t bus_end;
    uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct acpi_mcfg_entry) == 16, "MCFG entry");

/* IA-PC HPET description table, signature "HPET" (HPET spec 1.0a, 3.2.4). */
#define HPET_TAB_BLOCK_ID       36      /* uint32_t: event timer block ID */
#define HPET_TAB_ADDRESS        40      /* struct acpi_gas: register block */
#define HPET_TAB_LEN            56

/* AML encodings used by the \_S5 scan (ACPI 6.4, 20.2). */
#define AML_ZERO_OP         0x00
#define AML_ONE_OP          0x01
#define AML_NAME_OP         0x08
#define AML_BYTE_PREFIX     0x0A
#define AML_WORD_PREFIX     0x0B
#define AML_DWORD_PREFIX    0x0C
#define AML_PACKAGE_OP      0x12
#define AML_ONES_OP         0xFF
#define AML_S5_SCAN_MAX     (1u << 20)  /* bytes of DSDT we are willing to scan */

/* ---- pure parsers (acpiparse.c) ----------------------------------------- */

/* Bytes sum to zero (mod 256). */
bool acpi_checksum_ok(const void *p, uint32_t len);

/*
 * A candidate RSDP at p, with `avail` bytes readable there: signature and
 * v1 checksum, and for revision >= 2 the length and extended checksum.
 */
bool acpi_rsdp_valid(const struct acpi_rsdp *r, uint32_t avail);

/* Parse a MADT (the whole table, `len` bytes) into *m.  False if malformed. */
bool acpi_madt_parse(const void *tab, uint32_t len, struct acpi_madt_info *m);

/*
 * Find Name(_S5_, Package() {a, b, ...}) in AML and return the sleeping
 * types for PM1a (a) and PM1b (b).  False if absent or not understood.
 */
bool acpi_aml_find_s5(const uint8_t *aml, uint32_t len, uint8_t *slp_a, uint8_t *slp_b);

/* What the FADT says about power-off, reset and the PM timer. */
struct acpi_fadt_info {
    uint64_t dsdt;              /* physical */
    uint16_t pm1a_cnt, pm1b_cnt;        /* I/O ports; 0 = none */
    uint16_t pm_tmr;            /* PM timer (3.579545 MHz) I/O port; 0 = none */
    bool pm_tmr_32;             /* it counts 32 bits (else 24) */
    uint16_t smi_cmd;
    uint8_t acpi_enable;
    bool reset_ok;              /* reset register present and usable */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
};
bool acpi_fadt_parse(const void *tab, uint32_t len, struct acpi_fadt_info *f);

/* Reads of little-endian fields at byte offsets. */
static inline uint8_t acpi_get8(const void *p, uint32_t off)
{
    return ((const uint8_t *)p)[off];
}

static inline uint16_t acpi_get16(const void *p, uint32_t off)
{
    return (uint16_t)(acpi_get8(p, off) | acpi_get8(p, off + 1) << 8);
}

static inline uint32_t acpi_get32(const void *p, uint32_t off)
{
    return acpi_get16(p, off) | (uint32_t)acpi_get16(p, off + 2) << 16;
}

static inline uint64_t acpi_get64(const void *p, uint32_t off)
{
    return acpi_get32(p, off) | (uint64_t)acpi_get32(p, off + 4) << 32;
}

#endif
