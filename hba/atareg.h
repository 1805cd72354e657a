/*
 * ATA/ATAPI Command Set (ACS-3) facts the AHCI miniport and its SCSI/ATA
 * translation need: command codes, the Status and Error registers, the
 * IDENTIFY DEVICE words used, the NCQ Command Error log, and the field
 * layout of the SCSI ATA PASS-THROUGH CDBs (SAT-3 section 12.2).  Hardware
 * and standard facts only.
 */
#ifndef ATAREG_H
#define ATAREG_H

/* Commands */
#define ATA_CMD_NOP                     0x00
#define ATA_CMD_READ_DMA_EXT            0x25
#define ATA_CMD_READ_LOG_EXT            0x2F
#define ATA_CMD_WRITE_DMA_EXT           0x35
#define ATA_CMD_WRITE_DMA_FUA_EXT       0x3D
#define ATA_CMD_READ_VERIFY_EXT         0x42
#define ATA_CMD_READ_LOG_DMA_EXT        0x47
#define ATA_CMD_READ_FPDMA_QUEUED       0x60
#define ATA_CMD_WRITE_FPDMA_QUEUED      0x61
#define ATA_CMD_PACKET                  0xA0
#define ATA_CMD_IDENTIFY_PACKET         0xA1
#define ATA_CMD_SMART                   0xB0
#define ATA_CMD_READ_DMA                0xC8
#define ATA_CMD_WRITE_DMA               0xCA
#define ATA_CMD_STANDBY_IMMEDIATE       0xE0
#define ATA_CMD_IDLE_IMMEDIATE          0xE1
#define ATA_CMD_CHECK_POWER_MODE        0xE5
#define ATA_CMD_FLUSH_CACHE             0xE7
#define ATA_CMD_FLUSH_CACHE_EXT         0xEA
#define ATA_CMD_IDENTIFY                0xEC
#define ATA_CMD_SET_FEATURES            0xEF
#define ATA_CMD_READ_VERIFY             0x40

/* SMART subcommands (Features) and the key in LBA 23:8 */
#define ATA_SMART_READ_DATA             0xD0
#define ATA_SMART_READ_THRESHOLDS       0xD1
#define ATA_SMART_ENABLE                0xD8
#define ATA_SMART_DISABLE               0xD9
#define ATA_SMART_RETURN_STATUS         0xDA
#define ATA_SMART_LBA_MID               0x4F
#define ATA_SMART_LBA_HIGH              0xC2
#define ATA_SMART_LBA_MID_EXCEEDED      0xF4    /* RETURN STATUS: threshold exceeded */
#define ATA_SMART_LBA_HIGH_EXCEEDED     0x2C

/* Status register */
#define ATA_STS_BSY                     0x80    /* Busy */
#define ATA_STS_DRDY                    0x40    /* Device Ready */
#define ATA_STS_DF                      0x20    /* Device Fault */
#define ATA_STS_DSC                     0x10    /* Deferred write error / seek complete */
#define ATA_STS_DRQ                     0x08    /* Data Request */
#define ATA_STS_ERR                     0x01    /* Error (CHK for PACKET) */

/* Error register (ATA); for PACKET commands bits 7:4 are the SCSI sense key */
#define ATA_ERR_ICRC                    0x80    /* Interface CRC error */
#define ATA_ERR_UNC                     0x40    /* Uncorrectable data error */
#define ATA_ERR_MC                      0x20    /* Media changed */
#define ATA_ERR_IDNF                    0x10    /* ID not found (address out of range) */
#define ATA_ERR_MCR                     0x08    /* Media change request */
#define ATA_ERR_ABRT                    0x04    /* Command aborted */
#define ATA_ERR_NM                      0x02    /* No media */
#define ATA_ERR_AMNF                    0x01    /* Address mark not found (obsolete) */
#define ATAPI_ERR_SENSE_KEY(err)        (((err) >> 4) & 0x0F)

/* Device register */
#define ATA_DEV_LBA                     0x40    /* LBA addressing */
#define ATA_DEV_FUA                     0x80    /* FPDMA QUEUED: Forced Unit Access */

/* PACKET Features */
#define ATAPI_FEAT_DMA                  0x01
#define ATAPI_FEAT_DMADIR               0x04    /* device to host, for bridges that need it */

/* NCQ: the tag lives in Count 7:3 */
#define ATA_NCQ_TAG_SHIFT               3

/* General purpose logs */
#define ATA_LOG_NCQ_ERROR               0x10    /* NCQ Command Error log */
#define   ATA_NCQ_LOG_NQ                  0x80    /* byte 0: error was not for an NCQ command */
#define   ATA_NCQ_LOG_TAG_MASK            0x1F    /* byte 0: tag of the failed command */
#define   ATA_NCQ_LOG_STATUS              2       /* byte offsets in the 512-byte page */
#define   ATA_NCQ_LOG_ERROR               3
#define   ATA_NCQ_LOG_LBA0                4
#define   ATA_NCQ_LOG_LBA1                5
#define   ATA_NCQ_LOG_LBA2                6
#define   ATA_NCQ_LOG_LBA3                8
#define   ATA_NCQ_LOG_LBA4                9
#define   ATA_NCQ_LOG_LBA5                10

#define ATA_SECTOR_SIZE                 512
#define ATA_IDENTIFY_WORDS              256
#define ATA_MAX_SECTORS_LBA48           65536u  /* a Count of 0 means 65536 */
#define ATA_MAX_SECTORS_LBA28           256u
#define ATA_MAX_LBA28                   0x0FFFFFFFu

/* IDENTIFY DEVICE words (ACS-3 section 7.12.7) */
#define ID_CONFIG                       0       /* bit 15: ATAPI (PACKET) device */
#define   ID_CONFIG_ATAPI                 0x8000
#define   ID_CONFIG_REMOVABLE             0x0080
#define   ID_CONFIG_PKT_LEN_MASK          0x0003  /* ATAPI: 0 -> 12-byte, 1 -> 16-byte packets */
#define   ID_CONFIG_ATAPI_TYPE(w)         (((w) >> 8) & 0x1F)
#define ID_SERIAL                       10      /* words 10-19: 20 ASCII chars */
#define ID_SERIAL_LEN                   20
#define ID_FW_REV                       23      /* words 23-26: 8 ASCII chars */
#define ID_FW_REV_LEN                   8
#define ID_MODEL                        27      /* words 27-46: 40 ASCII chars */
#define ID_MODEL_LEN                    40
#define ID_CAPABILITIES                 49
#define   ID_CAP_LBA                      0x0200
#define   ID_CAP_DMA                      0x0100
#define ID_LBA28_SECTORS                60      /* words 60-61 */
#define ID_SATA_CAP                     76      /* Serial ATA Capabilities */
#define   ID_SATA_CAP_NCQ                 0x0100  /* supports NCQ */
#define ID_QUEUE_DEPTH                  75      /* bits 4:0: maximum queue depth - 1 */
#define ID_MAJOR_VERSION                80
#define ID_CMDSET_82                    82
#define   ID_82_SMART                     0x0001
#define   ID_82_WRITE_CACHE               0x0020
#define   ID_82_LOOK_AHEAD                0x0040
#define ID_CMDSET_83                    83
#define   ID_83_LBA48                     0x0400
#define   ID_83_FLUSH_EXT                 0x2000
#define ID_CMDSET_84                    84
#define   ID_84_WWN                       0x0100
#define   ID_84_FUA_EXT                   0x0040
#define   ID_84_GPL                       0x0020  /* general purpose logging */
#define ID_CMDSET_85                    85      /* enabled: same bits as 82 */
#define ID_CMDSET_86                    86      /* enabled: same bits as 83 */
#define ID_CMDSET_87                    87      /* enabled: same bits as 84 */
#define ID_LBA48_SECTORS                100     /* words 100-103 */
#define ID_SECTOR_SIZE                  106     /* physical/logical sector size */
#define   ID_SS_VALID_MASK                0xC000
#define   ID_SS_VALID                     0x4000
#define   ID_SS_MULTIPLE                  0x2000  /* bits 3:0 = log2(physical / logical) */
#define   ID_SS_LONG_LOGICAL              0x1000  /* words 117-118 hold the logical size */
#define ID_WWN                          108     /* words 108-111 */
#define ID_LOGICAL_SIZE                 117     /* words 117-118: logical sector, in words */
#define ID_ALIGNMENT                    209     /* bits 13:0: lowest aligned LBA */
#define ID_ROTATION_RATE                217     /* 1: non-rotating (solid state) */
#define ID_FORM_FACTOR                  168
#define ID_DSM                          169     /* bit 0: TRIM supported */
#define ID_INTEGRITY                    255     /* 7:0 A5h signature, 15:8 checksum */

/* SCSI ATA PASS-THROUGH (12: A1h, 16: 85h) fields (SAT-3 section 12.2.2) */
#define SAT_PT_PROTOCOL(b1)             (((b1) >> 1) & 0x0F)
#define SAT_PT_EXTEND(b1)               ((b1) & 0x01)
#define   SAT_PROTO_HARD_RESET            0
#define   SAT_PROTO_SRST                  1
#define   SAT_PROTO_NON_DATA              3
#define   SAT_PROTO_PIO_IN                4
#define   SAT_PROTO_PIO_OUT               5
#define   SAT_PROTO_DMA                   6
#define   SAT_PROTO_DEVICE_DIAG           8
#define   SAT_PROTO_DEVICE_RESET          9
#define   SAT_PROTO_UDMA_IN               10
#define   SAT_PROTO_UDMA_OUT              11
#define   SAT_PROTO_FPDMA                 12
#define   SAT_PROTO_RETURN_INFO           15
#define SAT_PT_CK_COND                  0x20    /* byte 2: return the ATA registers */
#define SAT_PT_T_TYPE                   0x10    /* byte 2: blocks are logical sectors */
#define SAT_PT_T_DIR                    0x08    /* byte 2: 1 device to host */
#define SAT_PT_BYT_BLOK                 0x04    /* byte 2: 1 length in blocks */
#define SAT_PT_T_LENGTH(b2)             ((b2) & 0x03)
#define   SAT_TLEN_NONE                   0
#define   SAT_TLEN_FEATURES               1
#define   SAT_TLEN_COUNT                  2
#define   SAT_TLEN_TPSIU                  3

/* Sense data descriptor for ATA PASS-THROUGH results (SAT-3 section 12.2.2.6) */
#define SAT_DESC_ATA_STATUS             0x09
#define SAT_DESC_ATA_STATUS_LEN         12

#endif /* ATAREG_H */
