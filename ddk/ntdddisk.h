/*
 * ntdddisk.h - disk I/O control codes, and the SMART/IDENTIFY structures an
 * ATA miniport answers through IOCTL_SCSI_MINIPORT_* (SRB_IO_CONTROL).
 *
 * Part of the DDK header folder; names, values and layouts are those of
 * the Windows NT x86 DDK. Written for this project from public facts; no
 * code copied. The SMART structures are byte-packed, as in the DDK.
 */
#ifndef _NTDDDISK_H_
#define _NTDDDISK_H_

#include "ntdef.h"
#include "devioctl.h"

#define IOCTL_DISK_BASE                     FILE_DEVICE_DISK

#define IOCTL_DISK_GET_DRIVE_GEOMETRY \
    CTL_CODE(IOCTL_DISK_BASE, 0x0000, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_DISK_GET_PARTITION_INFO \
    CTL_CODE(IOCTL_DISK_BASE, 0x0001, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DISK_SET_PARTITION_INFO \
    CTL_CODE(IOCTL_DISK_BASE, 0x0002, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_DISK_GET_DRIVE_LAYOUT \
    CTL_CODE(IOCTL_DISK_BASE, 0x0003, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DISK_SET_DRIVE_LAYOUT \
    CTL_CODE(IOCTL_DISK_BASE, 0x0004, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_DISK_VERIFY \
    CTL_CODE(IOCTL_DISK_BASE, 0x0005, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_DISK_FORMAT_TRACKS \
    CTL_CODE(IOCTL_DISK_BASE, 0x0006, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_DISK_REASSIGN_BLOCKS \
    CTL_CODE(IOCTL_DISK_BASE, 0x0007, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define IOCTL_DISK_PERFORMANCE \
    CTL_CODE(IOCTL_DISK_BASE, 0x0008, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_DISK_IS_WRITABLE \
    CTL_CODE(IOCTL_DISK_BASE, 0x0009, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_DISK_GET_LENGTH_INFO \
    CTL_CODE(IOCTL_DISK_BASE, 0x0017, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DISK_GET_DRIVE_GEOMETRY_EX \
    CTL_CODE(IOCTL_DISK_BASE, 0x0028, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define IOCTL_DISK_CHECK_VERIFY \
    CTL_CODE(IOCTL_DISK_BASE, 0x0200, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DISK_MEDIA_REMOVAL \
    CTL_CODE(IOCTL_DISK_BASE, 0x0201, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DISK_EJECT_MEDIA \
    CTL_CODE(IOCTL_DISK_BASE, 0x0202, METHOD_BUFFERED, FILE_READ_ACCESS)
#define IOCTL_DISK_LOAD_MEDIA \
    CTL_CODE(IOCTL_DISK_BASE, 0x0203, METHOD_BUFFERED, FILE_READ_ACCESS)

/* SMART through the disk class driver; the data shapes are below. */
#define SMART_GET_VERSION \
    CTL_CODE(IOCTL_DISK_BASE, 0x0020, METHOD_BUFFERED, FILE_READ_ACCESS)
#define SMART_SEND_DRIVE_COMMAND \
    CTL_CODE(IOCTL_DISK_BASE, 0x0021, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)
#define SMART_RCV_DRIVE_DATA \
    CTL_CODE(IOCTL_DISK_BASE, 0x0022, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)

#pragma pack(push, 1)

/* SMART_GET_VERSION / IOCTL_SCSI_MINIPORT_SMART_VERSION output (24 bytes). */
typedef struct _GETVERSIONINPARAMS {
    UCHAR bVersion;
    UCHAR bRevision;
    UCHAR bReserved;
    UCHAR bIDEDeviceMap;            /* bit n: device n present */
    ULONG fCapabilities;            /* CAP_* */
    ULONG dwReserved[4];
} GETVERSIONINPARAMS, *PGETVERSIONINPARAMS, *LPGETVERSIONINPARAMS;

/* GETVERSIONINPARAMS.fCapabilities */
#define CAP_ATA_ID_CMD                      1
#define CAP_ATAPI_ID_CMD                    2
#define CAP_SMART_CMD                       4

/* The ATA task file as the caller sets it (8 bytes). */
typedef struct _IDEREGS {
    UCHAR bFeaturesReg;             /* SMART_* subcommand for SMART_CMD */
    UCHAR bSectorCountReg;
    UCHAR bSectorNumberReg;
    UCHAR bCylLowReg;               /* SMART_CYL_LOW for SMART_CMD */
    UCHAR bCylHighReg;              /* SMART_CYL_HI for SMART_CMD */
    UCHAR bDriveHeadReg;
    UCHAR bCommandReg;              /* ID_CMD, ATAPI_ID_CMD or SMART_CMD */
    UCHAR bReserved;
} IDEREGS, *PIDEREGS, *LPIDEREGS;

/* IDEREGS.bCommandReg */
#define ATAPI_ID_CMD                        0xA1
#define ID_CMD                              0xEC
#define SMART_CMD                           0xB0

#define SMART_CYL_LOW                       0x4F
#define SMART_CYL_HI                        0xC2

/* Input of a SMART/IDENTIFY request (33 bytes with one buffer byte). */
typedef struct _SENDCMDINPARAMS {
    ULONG cBufferSize;
    IDEREGS irDriveRegs;
    UCHAR bDriveNumber;
    UCHAR bReserved[3];
    ULONG dwReserved[4];
    UCHAR bBuffer[1];
} SENDCMDINPARAMS, *PSENDCMDINPARAMS, *LPSENDCMDINPARAMS;

/* Status returned in SENDCMDOUTPARAMS (12 bytes). */
typedef struct _DRIVERSTATUS {
    UCHAR bDriverError;             /* SMART_* error below */
    UCHAR bIDEError;                /* ATA error register */
    UCHAR bReserved[2];
    ULONG dwReserved[2];
} DRIVERSTATUS, *PDRIVERSTATUS, *LPDRIVERSTATUS;

/* Output of a SMART/IDENTIFY request (17 bytes with one buffer byte). */
typedef struct _SENDCMDOUTPARAMS {
    ULONG cBufferSize;
    DRIVERSTATUS DriverStatus;
    UCHAR bBuffer[1];
} SENDCMDOUTPARAMS, *PSENDCMDOUTPARAMS, *LPSENDCMDOUTPARAMS;

#pragma pack(pop)

/* DRIVERSTATUS.bDriverError */
#define SMART_NO_ERROR                      0
#define SMART_IDE_ERROR                     1
#define SMART_INVALID_FLAG                  2
#define SMART_INVALID_COMMAND               3
#define SMART_INVALID_BUFFER                4
#define SMART_INVALID_DRIVE                 5
#define SMART_INVALID_IOCTL                 6
#define SMART_ERROR_NO_MEM                  7
#define SMART_INVALID_REGISTER              8
#define SMART_NOT_SUPPORTED                 9
#define SMART_NO_IDE_DEVICE                 10

/* Off-line self-test subcommands (bSectorNumberReg of EXECUTE_OFFLINE_DIAGS) */
#define SMART_OFFLINE_ROUTINE_OFFLINE       0
#define SMART_SHORT_SELFTEST_OFFLINE        1
#define SMART_EXTENDED_SELFTEST_OFFLINE     2
#define SMART_ABORT_OFFLINE_SELFTEST        127
#define SMART_SHORT_SELFTEST_CAPTIVE        129
#define SMART_EXTENDED_SELFTEST_CAPTIVE     130

#define READ_ATTRIBUTE_BUFFER_SIZE          512
#define IDENTIFY_BUFFER_SIZE                512
#define READ_THRESHOLD_BUFFER_SIZE          512
#define SMART_LOG_SECTOR_SIZE               512

/* SMART feature register values (IDEREGS.bFeaturesReg with SMART_CMD) */
#define READ_ATTRIBUTES                     0xD0
#define READ_THRESHOLDS                     0xD1
#define ENABLE_DISABLE_AUTOSAVE             0xD2
#define SAVE_ATTRIBUTE_VALUES               0xD3
#define EXECUTE_OFFLINE_DIAGS               0xD4
#define SMART_READ_LOG                      0xD5
#define SMART_WRITE_LOG                     0xD6
#define ENABLE_SMART                        0xD8
#define DISABLE_SMART                       0xD9
#define RETURN_SMART_STATUS                 0xDA
#define ENABLE_DISABLE_AUTO_OFFLINE         0xDB

#endif /* _NTDDDISK_H_ */
