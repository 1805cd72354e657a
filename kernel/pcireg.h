/*
 * PCI configuration space: register offsets and bits (PCI Local Bus
 * Specification 3.0, chapter 6; PCI-to-PCI Bridge Architecture 1.2,
 * chapter 3; MSI from PCI 3.0 section 6.8).  Hardware facts only.
 */
#ifndef PCIREG_H
#define PCIREG_H

/* Configuration mechanism #1 (PCI 3.0 section 3.2.2.3.2) */
#define PCI_CONF1_ADDR          0xcf8       /* CONFIG_ADDRESS */
#define   PCI_CONF1_ENABLE      (1u << 31)  /* Enable bit */
#define PCI_CONF1_DATA          0xcfc       /* CONFIG_DATA */

/* Enhanced configuration access (PCIe 3.0 section 7.2.2): 4 KiB per function */
#define PCI_ECAM_BUS_SIZE       (1u << 20)
#define PCI_ECAM_OFFSET(b, d, f, off) \
    (((uint32_t)(b) << 20) | ((uint32_t)(d) << 15) | ((uint32_t)(f) << 12) | (off))

#define PCI_MAX_BUS             256
#define PCI_MAX_DEV             32
#define PCI_MAX_FN              8
#define PCI_CONF1_SIZE          256         /* bytes of config space per function */
#define PCI_ECAM_SIZE           4096

/* Header common to all types */
#define PCI_VENDOR_ID           0x00        /* Vendor ID */
#define   PCI_VENDOR_NONE       0xffff      /* no function answers */
#define PCI_DEVICE_ID           0x02        /* Device ID */
#define PCI_COMMAND             0x04        /* Command */
#define   PCI_CMD_IO            (1u << 0)   /* I/O Space */
#define   PCI_CMD_MEM           (1u << 1)   /* Memory Space */
#define   PCI_CMD_MASTER        (1u << 2)   /* Bus Master */
#define   PCI_CMD_PARITY        (1u << 6)   /* Parity Error Response */
#define   PCI_CMD_SERR          (1u << 8)   /* SERR# Enable */
#define   PCI_CMD_INTX_DISABLE  (1u << 10)  /* Interrupt Disable */
#define PCI_STATUS              0x06        /* Status */
#define   PCI_STS_INTX          (1u << 3)   /* Interrupt Status */
#define   PCI_STS_CAP_LIST      (1u << 4)   /* Capabilities List */
#define PCI_REVISION_ID         0x08        /* Revision ID */
#define PCI_PROG_IF             0x09        /* Class Code: programming interface */
#define PCI_SUBCLASS            0x0a        /* Class Code: sub-class */
#define PCI_CLASS               0x0b        /* Class Code: base class */
#define   PCI_CLASS_BRIDGE      0x06
#define PCI_CACHE_LINE_SIZE     0x0c        /* Cacheline Size */
#define PCI_LATENCY_TIMER       0x0d        /* Latency Timer */
#define PCI_HEADER_TYPE         0x0e        /* Header Type */
#define   PCI_HDR_TYPE_MASK     0x7f
#define   PCI_HDR_NORMAL        0x00
#define   PCI_HDR_BRIDGE        0x01        /* PCI-to-PCI bridge */
#define   PCI_HDR_CARDBUS       0x02        /* PCI-to-CardBus bridge */
#define   PCI_HDR_MULTIFN       (1u << 7)   /* multi-function device */
#define PCI_BIST                0x0f        /* BIST */
#define PCI_BAR0                0x10        /* Base Address Register 0 */
#define   PCI_BAR_SPACE_IO      (1u << 0)   /* Memory Space Indicator: I/O */
#define   PCI_BAR_IO_MASK       0xfffffffcu
#define   PCI_BAR_MEM_TYPE_MASK (3u << 1)   /* Type */
#define   PCI_BAR_MEM_TYPE_32   (0u << 1)   /*  anywhere in 32-bit space */
#define   PCI_BAR_MEM_TYPE_1M   (1u << 1)   /*  below 1 MiB (PCI 2.1, reserved since) */
#define   PCI_BAR_MEM_TYPE_64   (2u << 1)   /*  anywhere in 64-bit space */
#define   PCI_BAR_MEM_PREFETCH  (1u << 3)   /* Prefetchable */
#define   PCI_BAR_MEM_MASK      0xfffffff0u
#define PCI_NUM_BARS            6           /* type 0 header */
#define PCI_NUM_BARS_BRIDGE     2           /* type 1 header */
#define PCI_NUM_BARS_CARDBUS    1           /* type 2 header: socket registers */
#define PCI_CAP_PTR             0x34        /* Capabilities Pointer (types 0, 1) */
#define   PCI_CAP_PTR_MASK      0xfc
#define PCI_INTERRUPT_LINE      0x3c        /* Interrupt Line */
#define PCI_INTERRUPT_PIN       0x3d        /* Interrupt Pin: 1 = INTA# .. 4 = INTD# */

/* Type 0 header */
#define PCI_CARDBUS_CIS         0x28        /* CardBus CIS Pointer */
#define PCI_SUBSYS_VENDOR_ID    0x2c        /* Subsystem Vendor ID */
#define PCI_SUBSYS_ID           0x2e        /* Subsystem ID */
#define PCI_ROM_ADDRESS         0x30        /* Expansion ROM Base Address */
#define PCI_MIN_GNT             0x3e        /* Min_Gnt */
#define PCI_MAX_LAT             0x3f        /* Max_Lat */

/* Type 1 header (PCI-to-PCI bridge) */
#define PCI_PRIMARY_BUS         0x18        /* Primary Bus Number */
#define PCI_SECONDARY_BUS       0x19        /* Secondary Bus Number */
#define PCI_SUBORDINATE_BUS     0x1a        /* Subordinate Bus Number */
#define PCI_SEC_LATENCY_TIMER   0x1b        /* Secondary Latency Timer */
#define PCI_IO_BASE             0x1c        /* I/O Base */
#define PCI_IO_LIMIT            0x1d        /* I/O Limit */
#define PCI_SEC_STATUS          0x1e        /* Secondary Status */
#define PCI_MEMORY_BASE         0x20        /* Memory Base */
#define PCI_MEMORY_LIMIT        0x22        /* Memory Limit */
#define PCI_PREF_MEMORY_BASE    0x24        /* Prefetchable Memory Base */
#define PCI_PREF_MEMORY_LIMIT   0x26        /* Prefetchable Memory Limit */
#define PCI_PREF_BASE_UPPER32   0x28        /* Prefetchable Base Upper 32 Bits */
#define PCI_PREF_LIMIT_UPPER32  0x2c        /* Prefetchable Limit Upper 32 Bits */
#define PCI_IO_BASE_UPPER16     0x30        /* I/O Base Upper 16 Bits */
#define PCI_IO_LIMIT_UPPER16    0x32        /* I/O Limit Upper 16 Bits */
#define PCI_ROM_ADDRESS1        0x38        /* Expansion ROM Base Address */
#define PCI_BRIDGE_CONTROL      0x3e        /* Bridge Control */

/* Type 2 header (CardBus bridge) */
#define PCI_CB_CAP_PTR          0x14        /* Capabilities Pointer */

/* Capability list entries: ID, Next Pointer, then the capability's registers */
#define PCI_CAP_ID              0x00
#define PCI_CAP_NEXT            0x01
#define PCI_CAP_FIRST           0x40        /* capabilities live above the header */
#define PCI_CAP_MAX_WALK        48          /* (256 - 64) / 4 distinct positions */

/* MSI capability (PCI 3.0 section 6.8.1) */
#define PCI_MSI_CTRL            0x02        /* Message Control */
#define   PCI_MSI_CTRL_ENABLE   (1u << 0)   /* MSI Enable */
#define   PCI_MSI_CTRL_MMC      (7u << 1)   /* Multiple Message Capable */
#define   PCI_MSI_CTRL_MME      (7u << 4)   /* Multiple Message Enable */
#define   PCI_MSI_CTRL_64BIT    (1u << 7)   /* 64 bit address capable */
#define   PCI_MSI_CTRL_PVM      (1u << 8)   /* Per-vector masking capable */
#define PCI_MSI_ADDR_LO         0x04        /* Message Address */
#define PCI_MSI_ADDR_HI         0x08        /* Message Upper Address (64-bit only) */
#define PCI_MSI_DATA_32         0x08        /* Message Data, 32-bit layout */
#define PCI_MSI_MASK_32         0x0c        /* Mask Bits, 32-bit layout */
#define PCI_MSI_DATA_64         0x0c        /* Message Data, 64-bit layout */
#define PCI_MSI_MASK_64         0x10        /* Mask Bits, 64-bit layout */

/* MSI-X capability (PCI 3.0 section 6.8.2) */
#define PCI_MSIX_CTRL           0x02        /* Message Control */
#define   PCI_MSIX_CTRL_SIZE    0x07ffu     /* Table Size, N-1 */
#define   PCI_MSIX_CTRL_MASKALL (1u << 14)  /* Function Mask */
#define   PCI_MSIX_CTRL_ENABLE  (1u << 15)  /* MSI-X Enable */

#endif
