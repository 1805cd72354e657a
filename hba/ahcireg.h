/*
 * AHCI 1.3.1 (Serial ATA Advanced Host Controller Interface) and the SATA
 * FIS layouts it moves: hardware facts only, named with the spec's
 * mnemonics.  Register offsets are bytes from ABAR (PCI BAR5); per-port
 * registers are at AHCI_PORT(p) + the PX_ offset.  Bits are indented under
 * their register; multi-bit fields have a mask and named values.
 *
 * Memory the HBA reads or writes (command list, command table, PRD,
 * received FIS) is packed structures with their layout checked at compile
 * time.  ATA and ATAPI command-set facts are in atareg.h.
 */
#ifndef AHCIREG_H
#define AHCIREG_H

#include "miniport.h"

/* PCI: class 01 (mass storage), subclass 06 (SATA), programming interface 01 (AHCI 1.0). */
#define AHCI_PCI_SUBCLASS       0x06
#define AHCI_PCI_PROGIF         0x01
#define AHCI_PCI_BAR            5           /* ABAR: AHCI Base Address */
#define AHCI_ABAR_MIN_SIZE      0x1100      /* generic block + 32 ports */

/* ---- Generic Host Control (AHCI 1.3.1 section 3.1) ------------------------------------ */

#define AHCI_CAP                0x00        /* HBA Capabilities */
#define   AHCI_CAP_S64A           (1u << 31)  /* Supports 64-bit Addressing */
#define   AHCI_CAP_SNCQ           (1u << 30)  /* Supports Native Command Queuing */
#define   AHCI_CAP_SSNTF          (1u << 29)  /* Supports SNotification Register */
#define   AHCI_CAP_SMPS           (1u << 28)  /* Supports Mechanical Presence Switch */
#define   AHCI_CAP_SSS            (1u << 27)  /* Supports Staggered Spin-up */
#define   AHCI_CAP_SALP           (1u << 26)  /* Supports Aggressive Link Power Mgmt */
#define   AHCI_CAP_SAL            (1u << 25)  /* Supports Activity LED */
#define   AHCI_CAP_SCLO           (1u << 24)  /* Supports Command List Override */
#define   AHCI_CAP_ISS_SHIFT      20          /* Interface Speed Support */
#define   AHCI_CAP_ISS_MASK       (0xFu << 20)
#define   AHCI_CAP_SAM            (1u << 18)  /* Supports AHCI mode only */
#define   AHCI_CAP_SPM            (1u << 17)  /* Supports Port Multiplier */
#define   AHCI_CAP_FBSS           (1u << 16)  /* FIS-based Switching Supported */
#define   AHCI_CAP_PMD            (1u << 15)  /* PIO Multiple DRQ Block */
#define   AHCI_CAP_SSC            (1u << 14)  /* Slumber State Capable */
#define   AHCI_CAP_PSC            (1u << 13)  /* Partial State Capable */
#define   AHCI_CAP_NCS(cap)       ((((cap) >> 8) & 0x1F) + 1)  /* Number of Command Slots */
#define   AHCI_CAP_CCCS           (1u << 7)   /* Command Completion Coalescing Supported */
#define   AHCI_CAP_EMS            (1u << 6)   /* Enclosure Management Supported */
#define   AHCI_CAP_SXS            (1u << 5)   /* Supports External SATA */
#define   AHCI_CAP_NP(cap)        (((cap) & 0x1F) + 1)         /* Number of Ports */
#define AHCI_GHC                0x04        /* Global HBA Control */
#define   AHCI_GHC_AE             (1u << 31)  /* AHCI Enable */
#define   AHCI_GHC_MRSM           (1u << 2)   /* MSI Revert to Single Message */
#define   AHCI_GHC_IE             (1u << 1)   /* Interrupt Enable */
#define   AHCI_GHC_HR             (1u << 0)   /* HBA Reset */
#define AHCI_IS                 0x08        /* Interrupt Status: one bit per port (IPS) */
#define AHCI_PI                 0x0C        /* Ports Implemented */
#define AHCI_VS                 0x10        /* AHCI Version: major in 31:16, minor in 15:0 */
#define AHCI_CCC_CTL            0x14        /* Command Completion Coalescing Control */
#define AHCI_CCC_PORTS          0x18        /* Command Completion Coalescing Ports */
#define AHCI_EM_LOC             0x1C        /* Enclosure Management Location */
#define AHCI_EM_CTL             0x20        /* Enclosure Management Control */
#define AHCI_CAP2               0x24        /* HBA Capabilities Extended */
#define   AHCI_CAP2_DESO          (1u << 5)   /* DevSleep Entrance from Slumber Only */
#define   AHCI_CAP2_SADM          (1u << 4)   /* Supports Aggressive Device Sleep Mgmt */
#define   AHCI_CAP2_SDS           (1u << 3)   /* Supports Device Sleep */
#define   AHCI_CAP2_APST          (1u << 2)   /* Automatic Partial to Slumber Transitions */
#define   AHCI_CAP2_NVMP          (1u << 1)   /* NVMHCI Present */
#define   AHCI_CAP2_BOH           (1u << 0)   /* BIOS/OS Handoff */
#define AHCI_BOHC               0x28        /* BIOS/OS Handoff Control and Status */
#define   AHCI_BOHC_BB            (1u << 4)   /* BIOS Busy */
#define   AHCI_BOHC_OOC           (1u << 3)   /* OS Ownership Change */
#define   AHCI_BOHC_SOOE          (1u << 2)   /* SMI on OS Ownership Change Enable */
#define   AHCI_BOHC_OOS           (1u << 1)   /* OS Owned Semaphore */
#define   AHCI_BOHC_BOS           (1u << 0)   /* BIOS Owned Semaphore */

/* AHCI_VS values */
#define AHCI_VS_1_0             0x00010000u
#define AHCI_VS_1_3             0x00010300u

/* ---- Port registers (section 3.3), one 0x80-byte block per port ----------------------- */

#define AHCI_MAX_PORTS          32
#define AHCI_MAX_SLOTS          32
#define AHCI_PORT(p)            (0x100u + (unsigned)(p) * 0x80u)

#define PX_CLB                  0x00        /* Command List Base Address (1 KiB aligned) */
#define PX_CLBU                 0x04        /* Command List Base Address Upper 32 bits */
#define PX_FB                   0x08        /* FIS Base Address (256-byte aligned) */
#define PX_FBU                  0x0C        /* FIS Base Address Upper 32 bits */
#define PX_IS                   0x10        /* Interrupt Status (RWC) */
#define PX_IE                   0x14        /* Interrupt Enable: same bits as PX_IS */
#define   PX_IS_CPDS              (1u << 31)  /* Cold Port Detect Status */
#define   PX_IS_TFES              (1u << 30)  /* Task File Error Status */
#define   PX_IS_HBFS              (1u << 29)  /* Host Bus Fatal Error Status */
#define   PX_IS_HBDS              (1u << 28)  /* Host Bus Data Error Status */
#define   PX_IS_IFS               (1u << 27)  /* Interface Fatal Error Status */
#define   PX_IS_INFS              (1u << 26)  /* Interface Non-fatal Error Status */
#define   PX_IS_OFS               (1u << 24)  /* Overflow Status */
#define   PX_IS_IPMS              (1u << 23)  /* Incorrect Port Multiplier Status */
#define   PX_IS_PRCS              (1u << 22)  /* PhyRdy Change Status */
#define   PX_IS_DMPS              (1u << 7)   /* Device Mechanical Presence Status */
#define   PX_IS_PCS               (1u << 6)   /* Port Connect Change Status */
#define   PX_IS_DPS               (1u << 5)   /* Descriptor Processed */
#define   PX_IS_UFS               (1u << 4)   /* Unknown FIS Interrupt */
#define   PX_IS_SDBS              (1u << 3)   /* Set Device Bits Interrupt */
#define   PX_IS_DSS               (1u << 2)   /* DMA Setup FIS Interrupt */
#define   PX_IS_PSS               (1u << 1)   /* PIO Setup FIS Interrupt */
#define   PX_IS_DHRS              (1u << 0)   /* Device to Host Register FIS Interrupt */
/* Composite sets: the errors that stop the port (section 6.1.2), hot-plug events. */
#define   PX_IS_FATAL             (PX_IS_TFES | PX_IS_HBFS | PX_IS_HBDS | PX_IS_IFS)
#define   PX_IS_ERROR             (PX_IS_FATAL | PX_IS_INFS | PX_IS_OFS | PX_IS_IPMS | \
                                   PX_IS_UFS)
#define   PX_IS_HOTPLUG           (PX_IS_PRCS | PX_IS_PCS | PX_IS_CPDS | PX_IS_DMPS)
#define   PX_IS_DONE              (PX_IS_DHRS | PX_IS_PSS | PX_IS_DSS | PX_IS_SDBS | PX_IS_DPS)
#define PX_CMD                  0x18        /* Command and Status */
#define   PX_CMD_ICC_MASK         (0xFu << 28) /* Interface Communication Control */
#define   PX_CMD_ICC_ACTIVE       (0x1u << 28)
#define   PX_CMD_ASP              (1u << 27)  /* Aggressive Slumber / Partial */
#define   PX_CMD_ALPE             (1u << 26)  /* Aggressive Link Power Management Enable */
#define   PX_CMD_DLAE             (1u << 25)  /* Drive LED on ATAPI Enable */
#define   PX_CMD_ATAPI            (1u << 24)  /* Device is ATAPI */
#define   PX_CMD_APSTE            (1u << 23)  /* Automatic Partial to Slumber Transitions Enabled */
#define   PX_CMD_FBSCP            (1u << 22)  /* FIS-based Switching Capable Port */
#define   PX_CMD_ESP              (1u << 21)  /* External SATA Port */
#define   PX_CMD_CPD              (1u << 20)  /* Cold Presence Detection */
#define   PX_CMD_MPSP             (1u << 19)  /* Mechanical Presence Switch attached to Port */
#define   PX_CMD_HPCP             (1u << 18)  /* Hot Plug Capable Port */
#define   PX_CMD_PMA              (1u << 17)  /* Port Multiplier Attached */
#define   PX_CMD_CPS              (1u << 16)  /* Cold Presence State */
#define   PX_CMD_CR               (1u << 15)  /* Command List Running */
#define   PX_CMD_FR               (1u << 14)  /* FIS Receive Running */
#define   PX_CMD_MPSS             (1u << 13)  /* Mechanical Presence Switch State */
#define   PX_CMD_CCS(cmd)         (((cmd) >> 8) & 0x1F)   /* Current Command Slot */
#define   PX_CMD_FRE              (1u << 4)   /* FIS Receive Enable */
#define   PX_CMD_CLO              (1u << 3)   /* Command List Override */
#define   PX_CMD_POD              (1u << 2)   /* Power On Device */
#define   PX_CMD_SUD              (1u << 1)   /* Spin-Up Device */
#define   PX_CMD_ST               (1u << 0)   /* Start */
#define PX_TFD                  0x20        /* Task File Data */
#define   PX_TFD_ERR(tfd)         (((tfd) >> 8) & 0xFF)   /* the ATA Error register */
#define   PX_TFD_STS(tfd)         ((tfd) & 0xFF)          /* the ATA Status register */
#define PX_SIG                  0x24        /* Signature: from the device's first D2H FIS */
#define   AHCI_SIG_ATA            0x00000101u /* SATA drive */
#define   AHCI_SIG_ATAPI          0xEB140101u /* SATAPI drive */
#define   AHCI_SIG_SEMB           0xC33C0101u /* Enclosure management bridge */
#define   AHCI_SIG_PM             0x96690101u /* Port multiplier */
#define PX_SSTS                 0x28        /* SATA Status (SCR0: SStatus) */
#define   PX_SSTS_IPM(s)          (((s) >> 8) & 0xF)      /* Interface Power Management */
#define   PX_SSTS_SPD(s)          (((s) >> 4) & 0xF)      /* Current Interface Speed */
#define   PX_SSTS_DET(s)          ((s) & 0xF)             /* Device Detection */
#define   PX_SSTS_DET_NONE        0x0         /* no device, no Phy communication */
#define   PX_SSTS_DET_PRESENT     0x1         /* device present, no Phy communication */
#define   PX_SSTS_DET_PHY         0x3         /* device present, Phy communication */
#define   PX_SSTS_DET_OFFLINE     0x4         /* Phy offline (disabled or loopback) */
#define PX_SCTL                 0x2C        /* SATA Control (SCR2: SControl) */
#define   PX_SCTL_IPM_MASK        (0xFu << 8) /* Interface Power Management Transitions Allowed */
#define   PX_SCTL_IPM_NONE        (0x3u << 8) /* Partial and Slumber disabled */
#define   PX_SCTL_SPD_MASK        (0xFu << 4) /* Speed Allowed: 0 no restriction */
#define   PX_SCTL_DET_MASK        0xFu        /* Device Detection Initialization */
#define   PX_SCTL_DET_NONE        0x0         /* no action */
#define   PX_SCTL_DET_COMRESET    0x1         /* perform interface initialization */
#define   PX_SCTL_DET_DISABLE     0x4         /* disable the interface */
#define PX_SERR                 0x30        /* SATA Error (SCR1: SError), RWC */
#define   PX_SERR_DIAG_X          (1u << 26)  /* Exchanged (device presence changed) */
#define   PX_SERR_DIAG_F          (1u << 25)  /* Unknown FIS Type */
#define   PX_SERR_DIAG_T          (1u << 24)  /* Transport state transition error */
#define   PX_SERR_DIAG_S          (1u << 23)  /* Link Sequence Error */
#define   PX_SERR_DIAG_H          (1u << 22)  /* Handshake Error */
#define   PX_SERR_DIAG_C          (1u << 21)  /* CRC Error */
#define   PX_SERR_DIAG_D          (1u << 20)  /* Disparity Error */
#define   PX_SERR_DIAG_B          (1u << 19)  /* 10B to 8B Decode Error */
#define   PX_SERR_DIAG_W          (1u << 18)  /* Comm Wake */
#define   PX_SERR_DIAG_I          (1u << 17)  /* Phy Internal Error */
#define   PX_SERR_DIAG_N          (1u << 16)  /* PhyRdy Change */
#define   PX_SERR_ERR_E           (1u << 11)  /* Internal Error */
#define   PX_SERR_ERR_P           (1u << 10)  /* Protocol Error */
#define   PX_SERR_ERR_C           (1u << 9)   /* Persistent Communication or Data Integrity */
#define   PX_SERR_ERR_T           (1u << 8)   /* Transient Data Integrity Error */
#define   PX_SERR_ERR_M           (1u << 1)   /* Recovered Communications Error */
#define   PX_SERR_ERR_I           (1u << 0)   /* Recovered Data Integrity Error */
#define   PX_SERR_ALL             0xFFFFFFFFu
#define PX_SACT                 0x34        /* SATA Active (SCR3: SActive): NCQ tags outstanding */
#define PX_CI                   0x38        /* Command Issue: one bit per command slot */
#define PX_SNTF                 0x3C        /* SATA Notification (SCR4: SNotification) */
#define PX_FBS                  0x40        /* FIS-based Switching Control */
#define PX_DEVSLP               0x44        /* Device Sleep */

/*
 * The interrupts this driver takes from a port: completions (D2H register,
 * PIO setup, set device bits, descriptor processed), every error, and
 * hot-plug (port connect change, PhyRdy change).
 */
#define PX_IE_DEFAULT           (PX_IS_DHRS | PX_IS_PSS | PX_IS_DSS | PX_IS_SDBS | \
                                 PX_IS_DPS | PX_IS_UFS | PX_IS_PCS | PX_IS_PRCS | \
                                 PX_IS_OFS | PX_IS_INFS | PX_IS_IFS | PX_IS_HBDS | \
                                 PX_IS_HBFS | PX_IS_TFES)

/* ---- SATA FIS types and layouts (Serial ATA 3.x section 10.5) --------------------------- */

#define FIS_TYPE_REG_H2D        0x27        /* Register - Host to Device */
#define FIS_TYPE_REG_D2H        0x34        /* Register - Device to Host */
#define FIS_TYPE_DMA_ACT        0x39        /* DMA Activate */
#define FIS_TYPE_DMA_SETUP      0x41        /* DMA Setup */
#define FIS_TYPE_DATA           0x46        /* Data */
#define FIS_TYPE_BIST           0x58        /* BIST Activate */
#define FIS_TYPE_PIO_SETUP      0x5F        /* PIO Setup */
#define FIS_TYPE_SET_DEV_BITS   0xA1        /* Set Device Bits */

#pragma pack(push, 1)

/* Register H2D FIS: a command (C=1) or a Device Control register update (C=0). */
struct fis_reg_h2d {
    UCHAR fis_type;                 /* FIS_TYPE_REG_H2D */
    UCHAR pmp_c;
#define   FIS_H2D_C               0x80        /* Command register update */
    UCHAR command;                  /* ATA command */
    UCHAR features;                 /* Features 7:0 */
    UCHAR lba0, lba1, lba2;         /* LBA 23:0 */
    UCHAR device;
    UCHAR lba3, lba4, lba5;         /* LBA 47:24 */
    UCHAR features_exp;             /* Features 15:8 */
    UCHAR count;                    /* Count 7:0 */
    UCHAR count_exp;                /* Count 15:8 */
    UCHAR icc;                      /* Isochronous Command Completion */
    UCHAR control;                  /* Device Control register */
#define   FIS_CONTROL_SRST        0x04        /* Software Reset */
    UCHAR aux[4];
};
_Static_assert(sizeof(struct fis_reg_h2d) == 20, "Register H2D FIS is 5 DWORDs");

/* Register D2H FIS: what the device returns at the end of a command. */
struct fis_reg_d2h {
    UCHAR fis_type;                 /* FIS_TYPE_REG_D2H */
    UCHAR pmp_i;                    /* bit 6: Interrupt */
    UCHAR status;
    UCHAR error;
    UCHAR lba0, lba1, lba2;
    UCHAR device;
    UCHAR lba3, lba4, lba5;
    UCHAR reserved1;
    UCHAR count;
    UCHAR count_exp;
    UCHAR reserved2[6];
};
_Static_assert(sizeof(struct fis_reg_d2h) == 20, "Register D2H FIS is 5 DWORDs");

/* PIO Setup FIS: before each PIO data block; E_Status is the status after it. */
struct fis_pio_setup {
    UCHAR fis_type;                 /* FIS_TYPE_PIO_SETUP */
    UCHAR pmp_di;                   /* bit 5: D (1: device to host), bit 6: I */
    UCHAR status;
    UCHAR error;
    UCHAR lba0, lba1, lba2;
    UCHAR device;
    UCHAR lba3, lba4, lba5;
    UCHAR reserved1;
    UCHAR count;
    UCHAR count_exp;
    UCHAR reserved2;
    UCHAR e_status;
    USHORT transfer_count;
    UCHAR reserved3[2];
};
_Static_assert(sizeof(struct fis_pio_setup) == 20, "PIO Setup FIS is 5 DWORDs");

/* Set Device Bits FIS: NCQ completions (SActive bits in 'active'). */
struct fis_set_dev_bits {
    UCHAR fis_type;                 /* FIS_TYPE_SET_DEV_BITS */
    UCHAR pmp_in;                   /* bit 6: I, bit 7: N */
    UCHAR status;                   /* bits 6:4 status hi, 2:0 status lo */
    UCHAR error;
    ULONG active;
};
_Static_assert(sizeof(struct fis_set_dev_bits) == 8, "Set Device Bits FIS is 2 DWORDs");

/* ---- System memory structures (AHCI 1.3.1 section 4) ---------------------------------- */

/* Received FIS area (section 4.2.1): 256 bytes, 256-byte aligned. */
struct ahci_rfis {
    UCHAR dsfis[28];                /* 0x00 DMA Setup FIS */
    UCHAR reserved1[4];
    struct fis_pio_setup psfis;     /* 0x20 PIO Setup FIS */
    UCHAR reserved2[12];
    struct fis_reg_d2h rfis;        /* 0x40 D2H Register FIS */
    UCHAR reserved3[4];
    struct fis_set_dev_bits sdbfis; /* 0x58 Set Device Bits FIS */
    UCHAR ufis[64];                 /* 0x60 Unknown FIS */
    UCHAR reserved4[96];            /* 0xA0 */
};
#define AHCI_RFIS_ALIGN         256
_Static_assert(sizeof(struct ahci_rfis) == 256, "received FIS area is 256 bytes");
_Static_assert(FIELD_OFFSET(struct ahci_rfis, psfis) == 0x20, "PSFIS at 0x20");
_Static_assert(FIELD_OFFSET(struct ahci_rfis, rfis) == 0x40, "RFIS at 0x40");
_Static_assert(FIELD_OFFSET(struct ahci_rfis, sdbfis) == 0x58, "SDBFIS at 0x58");
_Static_assert(FIELD_OFFSET(struct ahci_rfis, ufis) == 0x60, "UFIS at 0x60");

/* Command header (section 4.2.2): 32 of them make the command list, 1 KiB aligned. */
struct ahci_cmd_hdr {
    USHORT flags;
#define   AHCI_CMD_CFL_MASK       0x001F      /* Command FIS Length in DWORDs (2..16) */
#define   AHCI_CMD_A              (1u << 5)   /* ATAPI: the ACMD field holds a packet */
#define   AHCI_CMD_W              (1u << 6)   /* Write: host to device */
#define   AHCI_CMD_P              (1u << 7)   /* Prefetchable */
#define   AHCI_CMD_R              (1u << 8)   /* Reset */
#define   AHCI_CMD_B              (1u << 9)   /* BIST */
#define   AHCI_CMD_C              (1u << 10)  /* Clear Busy upon R_OK */
    USHORT prdtl;                   /* Physical Region Descriptor Table Length (entries) */
    ULONG prdbc;                    /* PRD Byte Count: bytes transferred */
    ULONG ctba;                     /* Command Table Base Address (128-byte aligned) */
    ULONG ctbau;                    /* Command Table Base Address Upper 32 bits */
    ULONG reserved[4];
};
#define AHCI_CMD_LIST_ALIGN     1024
_Static_assert(sizeof(struct ahci_cmd_hdr) == 32, "command header is 8 DWORDs");
_Static_assert(FIELD_OFFSET(struct ahci_cmd_hdr, prdbc) == 4, "PRDBC in DW1");
_Static_assert(FIELD_OFFSET(struct ahci_cmd_hdr, ctba) == 8, "CTBA in DW2");

/* Physical Region Descriptor (section 4.2.3.3). */
struct ahci_prd {
    ULONG dba;                      /* Data Base Address (word aligned: bit 0 zero) */
    ULONG dbau;                     /* Data Base Address Upper 32 bits */
    ULONG reserved;
    ULONG dbc_i;
#define   AHCI_PRD_DBC_MASK       0x003FFFFFu /* Data Byte Count - 1; bit 0 always 1 */
#define   AHCI_PRD_I              (1u << 31)  /* Interrupt on Completion */
};
#define AHCI_PRD_MAX_BYTES      (4u * 1024 * 1024)  /* one entry describes at most 4 MiB */
_Static_assert(sizeof(struct ahci_prd) == 16, "PRD is 4 DWORDs");

/* Command table (section 4.2.3): CFIS, ATAPI command, then the PRDT; 128-byte aligned. */
struct ahci_cmd_table {
    UCHAR cfis[64];                 /* 0x00 Command FIS */
    UCHAR acmd[16];                 /* 0x40 ATAPI Command (12 or 16 bytes) */
    UCHAR reserved[48];             /* 0x50 */
    struct ahci_prd prdt[];         /* 0x80 Physical Region Descriptor Table */
};
#define AHCI_CMD_TABLE_ALIGN    128
_Static_assert(sizeof(struct ahci_cmd_table) == 0x80, "PRDT starts at 0x80");
_Static_assert(FIELD_OFFSET(struct ahci_cmd_table, acmd) == 0x40, "ACMD at 0x40");

#pragma pack(pop)

/* ---- Timeouts (AHCI 1.3.1 and the consensus of firmware that drives it) ------------- */

#define AHCI_BOHC_TIMEOUT_MS        25      /* BIOS sets BB within 25 ms of OOS (10.6.3) */
#define AHCI_BOHC_BUSY_TIMEOUT_MS   2000    /* ... and then may take up to 2 s */
#define AHCI_RESET_TIMEOUT_MS       1000    /* GHC.HR self-clears (spec: 1 s) */
#define AHCI_ENGINE_TIMEOUT_MS      500     /* PxCMD.CR / FR clear after ST / FRE (10.1.2) */
#define AHCI_COMRESET_HOLD_US       1000    /* DET=1 held at least 1 ms (10.4.2) */
#define AHCI_LINK_TIMEOUT_MS        1000    /* DET=3 after COMRESET or spin-up */
#define AHCI_READY_TIMEOUT_MS       30000   /* BSY/DRQ clear after power-up: 30 s for spin-up */
#define AHCI_CMD_TIMEOUT_MS         10000   /* the driver's own internal commands */

#endif /* AHCIREG_H */
