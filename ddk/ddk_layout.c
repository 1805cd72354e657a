/*
 * ddk_layout.c - compile-time checks that the ddk/ headers lay out every
 * structure as the NT x86 DDK does (MSVC rules: 8-byte aligned 64-bit
 * fields) and give every routine and callback its NT calling convention.
 *
 * Emits no code or data. Built into the kernel, and with and without -mrtd
 * (see ddk/README). The numbers agree with mingw-w64's DDK headers under
 * i686-w64-mingw32-gcc; tests/ddk/check_layout.sh checks that, field by field.
 */
#include <miniport.h>
#include <srb.h>
#include <scsi.h>
#include <ntddscsi.h>
#include <ntdddisk.h>

#define SIZE(type, size) \
    _Static_assert(sizeof(type) == (size), "sizeof(" #type ") != " #size)
#define OFFSET(type, field, off) \
    _Static_assert(__builtin_offsetof(type, field) == (off), \
                   #type "." #field " is not at " #off)
#define SAME_TYPE(a, b) \
    _Static_assert(__builtin_types_compatible_p(a, b), #a " is not " #b)
#define NOT_SAME_TYPE(a, b) \
    _Static_assert(!__builtin_types_compatible_p(a, b), #a " is " #b)

/* Scalars: ILP32, 1-byte BOOLEAN, 4-byte enums. */
SIZE(UCHAR, 1);
SIZE(USHORT, 2);
SIZE(ULONG, 4);
SIZE(LONG, 4);
SIZE(BOOLEAN, 1);
SIZE(PVOID, 4);
SIZE(ULONG_PTR, 4);
SIZE(LONGLONG, 8);
SIZE(ULONGLONG, 8);
SIZE(NTSTATUS, 4);
SIZE(INTERFACE_TYPE, 4);
SIZE(KINTERRUPT_MODE, 4);
SIZE(BUS_DATA_TYPE, 4);
SIZE(DMA_WIDTH, 4);
SIZE(DMA_SPEED, 4);
SIZE(SCSI_NOTIFICATION_TYPE, 4);
SIZE(SCSI_ADAPTER_CONTROL_TYPE, 4);
SIZE(SCSI_ADAPTER_CONTROL_STATUS, 4);

/* 64-bit fields are 8-byte aligned, as MSVC does (GCC i386 would use 4). */
struct ddk_align_check {
    ULONG a;
    LONGLONG b;
};
OFFSET(struct ddk_align_check, b, 8);
_Static_assert(_Alignof(LARGE_INTEGER) == 8, "LARGE_INTEGER must be 8-aligned");
_Static_assert(_Alignof(PHYSICAL_ADDRESS) == 8, "PHYSICAL_ADDRESS must be 8-aligned");
SIZE(LARGE_INTEGER, 8);
OFFSET(LARGE_INTEGER, LowPart, 0x00);
OFFSET(LARGE_INTEGER, HighPart, 0x04);
OFFSET(LARGE_INTEGER, QuadPart, 0x00);
OFFSET(LARGE_INTEGER, u.HighPart, 0x04);
SIZE(SCSI_PHYSICAL_ADDRESS, 8);

/* PCI */
SIZE(PCI_SLOT_NUMBER, 4);
SIZE(PCI_COMMON_CONFIG, 256);
_Static_assert(PCI_COMMON_HDR_LENGTH == 64, "PCI header is 64 bytes");
OFFSET(PCI_COMMON_CONFIG, VendorID, 0x00);
OFFSET(PCI_COMMON_CONFIG, DeviceID, 0x02);
OFFSET(PCI_COMMON_CONFIG, Command, 0x04);
OFFSET(PCI_COMMON_CONFIG, Status, 0x06);
OFFSET(PCI_COMMON_CONFIG, RevisionID, 0x08);
OFFSET(PCI_COMMON_CONFIG, ProgIf, 0x09);
OFFSET(PCI_COMMON_CONFIG, SubClass, 0x0a);
OFFSET(PCI_COMMON_CONFIG, BaseClass, 0x0b);
OFFSET(PCI_COMMON_CONFIG, CacheLineSize, 0x0c);
OFFSET(PCI_COMMON_CONFIG, HeaderType, 0x0e);
OFFSET(PCI_COMMON_CONFIG, u.type0.BaseAddresses, 0x10);
OFFSET(PCI_COMMON_CONFIG, u.type0.CIS, 0x28);
OFFSET(PCI_COMMON_CONFIG, u.type0.SubVendorID, 0x2c);
OFFSET(PCI_COMMON_CONFIG, u.type0.SubSystemID, 0x2e);
OFFSET(PCI_COMMON_CONFIG, u.type0.ROMBaseAddress, 0x30);
OFFSET(PCI_COMMON_CONFIG, u.type0.CapabilitiesPtr, 0x34);
OFFSET(PCI_COMMON_CONFIG, u.type0.InterruptLine, 0x3c);
OFFSET(PCI_COMMON_CONFIG, u.type0.InterruptPin, 0x3d);
OFFSET(PCI_COMMON_CONFIG, u.type1.PrimaryBus, 0x18);
OFFSET(PCI_COMMON_CONFIG, u.type1.BridgeControl, 0x3e);
OFFSET(PCI_COMMON_CONFIG, u.type2.BridgeControl, 0x3e);
OFFSET(PCI_COMMON_CONFIG, DeviceSpecific, 0x40);

/* srb.h */
SIZE(ACCESS_RANGE, 16);
_Static_assert(_Alignof(ACCESS_RANGE) == 8, "ACCESS_RANGE is 8-aligned");
OFFSET(ACCESS_RANGE, RangeStart, 0x00);
OFFSET(ACCESS_RANGE, RangeLength, 0x08);
OFFSET(ACCESS_RANGE, RangeInMemory, 0x0c);

SIZE(PORT_CONFIGURATION_INFORMATION, 140);
OFFSET(PORT_CONFIGURATION_INFORMATION, Length, 0x00);
OFFSET(PORT_CONFIGURATION_INFORMATION, SystemIoBusNumber, 0x04);
OFFSET(PORT_CONFIGURATION_INFORMATION, AdapterInterfaceType, 0x08);
OFFSET(PORT_CONFIGURATION_INFORMATION, BusInterruptLevel, 0x0c);
OFFSET(PORT_CONFIGURATION_INFORMATION, BusInterruptVector, 0x10);
OFFSET(PORT_CONFIGURATION_INFORMATION, InterruptMode, 0x14);
OFFSET(PORT_CONFIGURATION_INFORMATION, MaximumTransferLength, 0x18);
OFFSET(PORT_CONFIGURATION_INFORMATION, NumberOfPhysicalBreaks, 0x1c);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaChannel, 0x20);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaPort, 0x24);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaWidth, 0x28);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaSpeed, 0x2c);
OFFSET(PORT_CONFIGURATION_INFORMATION, AlignmentMask, 0x30);
OFFSET(PORT_CONFIGURATION_INFORMATION, NumberOfAccessRanges, 0x34);
OFFSET(PORT_CONFIGURATION_INFORMATION, AccessRanges, 0x38);
OFFSET(PORT_CONFIGURATION_INFORMATION, Reserved, 0x3c);
OFFSET(PORT_CONFIGURATION_INFORMATION, NumberOfBuses, 0x40);
OFFSET(PORT_CONFIGURATION_INFORMATION, InitiatorBusId, 0x41);
OFFSET(PORT_CONFIGURATION_INFORMATION, ScatterGather, 0x49);
OFFSET(PORT_CONFIGURATION_INFORMATION, Master, 0x4a);
OFFSET(PORT_CONFIGURATION_INFORMATION, CachesData, 0x4b);
OFFSET(PORT_CONFIGURATION_INFORMATION, AdapterScansDown, 0x4c);
OFFSET(PORT_CONFIGURATION_INFORMATION, AtdiskPrimaryClaimed, 0x4d);
OFFSET(PORT_CONFIGURATION_INFORMATION, AtdiskSecondaryClaimed, 0x4e);
OFFSET(PORT_CONFIGURATION_INFORMATION, Dma32BitAddresses, 0x4f);
OFFSET(PORT_CONFIGURATION_INFORMATION, DemandMode, 0x50);
OFFSET(PORT_CONFIGURATION_INFORMATION, MapBuffers, 0x51);
OFFSET(PORT_CONFIGURATION_INFORMATION, NeedPhysicalAddresses, 0x52);
OFFSET(PORT_CONFIGURATION_INFORMATION, TaggedQueuing, 0x53);
OFFSET(PORT_CONFIGURATION_INFORMATION, AutoRequestSense, 0x54);
OFFSET(PORT_CONFIGURATION_INFORMATION, MultipleRequestPerLu, 0x55);
OFFSET(PORT_CONFIGURATION_INFORMATION, ReceiveEvent, 0x56);
OFFSET(PORT_CONFIGURATION_INFORMATION, RealModeInitialized, 0x57);
OFFSET(PORT_CONFIGURATION_INFORMATION, BufferAccessScsiPortControlled, 0x58);
OFFSET(PORT_CONFIGURATION_INFORMATION, MaximumNumberOfTargets, 0x59);
OFFSET(PORT_CONFIGURATION_INFORMATION, ReservedUchars, 0x5a);
OFFSET(PORT_CONFIGURATION_INFORMATION, SlotNumber, 0x5c);         /* 92 */
OFFSET(PORT_CONFIGURATION_INFORMATION, BusInterruptLevel2, 0x60);
OFFSET(PORT_CONFIGURATION_INFORMATION, BusInterruptVector2, 0x64);
OFFSET(PORT_CONFIGURATION_INFORMATION, InterruptMode2, 0x68);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaChannel2, 0x6c);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaPort2, 0x70);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaWidth2, 0x74);
OFFSET(PORT_CONFIGURATION_INFORMATION, DmaSpeed2, 0x78);
OFFSET(PORT_CONFIGURATION_INFORMATION, DeviceExtensionSize, 0x7c);
OFFSET(PORT_CONFIGURATION_INFORMATION, SpecificLuExtensionSize, 0x80);
OFFSET(PORT_CONFIGURATION_INFORMATION, SrbExtensionSize, 0x84);
OFFSET(PORT_CONFIGURATION_INFORMATION, Dma64BitAddresses, 0x88);
OFFSET(PORT_CONFIGURATION_INFORMATION, ResetTargetSupported, 0x89);
OFFSET(PORT_CONFIGURATION_INFORMATION, MaximumNumberOfLogicalUnits, 0x8a);
OFFSET(PORT_CONFIGURATION_INFORMATION, WmiDataProvider, 0x8b);

SIZE(SCSI_SUPPORTED_CONTROL_TYPE_LIST, 4);
OFFSET(SCSI_SUPPORTED_CONTROL_TYPE_LIST, SupportedTypeList, 0x04);

SIZE(SCSI_REQUEST_BLOCK, 64);
OFFSET(SCSI_REQUEST_BLOCK, Length, 0x00);
OFFSET(SCSI_REQUEST_BLOCK, Function, 0x02);
OFFSET(SCSI_REQUEST_BLOCK, SrbStatus, 0x03);
OFFSET(SCSI_REQUEST_BLOCK, ScsiStatus, 0x04);
OFFSET(SCSI_REQUEST_BLOCK, PathId, 0x05);
OFFSET(SCSI_REQUEST_BLOCK, TargetId, 0x06);
OFFSET(SCSI_REQUEST_BLOCK, Lun, 0x07);
OFFSET(SCSI_REQUEST_BLOCK, QueueTag, 0x08);
OFFSET(SCSI_REQUEST_BLOCK, QueueAction, 0x09);
OFFSET(SCSI_REQUEST_BLOCK, CdbLength, 0x0a);
OFFSET(SCSI_REQUEST_BLOCK, SenseInfoBufferLength, 0x0b);
OFFSET(SCSI_REQUEST_BLOCK, SrbFlags, 0x0c);
OFFSET(SCSI_REQUEST_BLOCK, DataTransferLength, 0x10);
OFFSET(SCSI_REQUEST_BLOCK, TimeOutValue, 0x14);
OFFSET(SCSI_REQUEST_BLOCK, DataBuffer, 0x18);
OFFSET(SCSI_REQUEST_BLOCK, SenseInfoBuffer, 0x1c);
OFFSET(SCSI_REQUEST_BLOCK, NextSrb, 0x20);
OFFSET(SCSI_REQUEST_BLOCK, OriginalRequest, 0x24);
OFFSET(SCSI_REQUEST_BLOCK, SrbExtension, 0x28);
OFFSET(SCSI_REQUEST_BLOCK, InternalStatus, 0x2c);
OFFSET(SCSI_REQUEST_BLOCK, QueueSortKey, 0x2c);
OFFSET(SCSI_REQUEST_BLOCK, LinkTimeoutValue, 0x2c);
OFFSET(SCSI_REQUEST_BLOCK, Cdb, 0x30);

SIZE(SCSI_WMI_REQUEST_BLOCK, 64);
OFFSET(SCSI_WMI_REQUEST_BLOCK, SrbFlags, 0x0c);
OFFSET(SCSI_WMI_REQUEST_BLOCK, DataPath, 0x1c);
OFFSET(SCSI_WMI_REQUEST_BLOCK, Reserved5, 0x30);

SIZE(HW_INITIALIZATION_DATA, 80);
OFFSET(HW_INITIALIZATION_DATA, HwInitializationDataSize, 0x00);
OFFSET(HW_INITIALIZATION_DATA, AdapterInterfaceType, 0x04);
OFFSET(HW_INITIALIZATION_DATA, HwInitialize, 0x08);
OFFSET(HW_INITIALIZATION_DATA, HwStartIo, 0x0c);
OFFSET(HW_INITIALIZATION_DATA, HwInterrupt, 0x10);
OFFSET(HW_INITIALIZATION_DATA, HwFindAdapter, 0x14);
OFFSET(HW_INITIALIZATION_DATA, HwResetBus, 0x18);
OFFSET(HW_INITIALIZATION_DATA, HwDmaStarted, 0x1c);
OFFSET(HW_INITIALIZATION_DATA, HwAdapterState, 0x20);
OFFSET(HW_INITIALIZATION_DATA, DeviceExtensionSize, 0x24);
OFFSET(HW_INITIALIZATION_DATA, SpecificLuExtensionSize, 0x28);
OFFSET(HW_INITIALIZATION_DATA, SrbExtensionSize, 0x2c);
OFFSET(HW_INITIALIZATION_DATA, NumberOfAccessRanges, 0x30);
OFFSET(HW_INITIALIZATION_DATA, Reserved, 0x34);
OFFSET(HW_INITIALIZATION_DATA, MapBuffers, 0x38);
OFFSET(HW_INITIALIZATION_DATA, NeedPhysicalAddresses, 0x39);
OFFSET(HW_INITIALIZATION_DATA, TaggedQueuing, 0x3a);
OFFSET(HW_INITIALIZATION_DATA, AutoRequestSense, 0x3b);
OFFSET(HW_INITIALIZATION_DATA, MultipleRequestPerLu, 0x3c);
OFFSET(HW_INITIALIZATION_DATA, ReceiveEvent, 0x3d);
OFFSET(HW_INITIALIZATION_DATA, VendorIdLength, 0x3e);
OFFSET(HW_INITIALIZATION_DATA, VendorId, 0x40);
OFFSET(HW_INITIALIZATION_DATA, ReservedUshort, 0x44);
OFFSET(HW_INITIALIZATION_DATA, PortVersionFlags, 0x44);
OFFSET(HW_INITIALIZATION_DATA, DeviceIdLength, 0x46);
OFFSET(HW_INITIALIZATION_DATA, DeviceId, 0x48);
OFFSET(HW_INITIALIZATION_DATA, HwAdapterControl, 0x4c);

/* scsi.h: every CDB layout has its command's length. */
SIZE(CDB, 16);
_Static_assert(sizeof(((PCDB)0)->CDB6GENERIC) == CDB6GENERIC_LENGTH, "CDB6GENERIC");
_Static_assert(sizeof(((PCDB)0)->CDB6READWRITE) == 6, "CDB6READWRITE");
_Static_assert(sizeof(((PCDB)0)->CDB6INQUIRY) == 6, "CDB6INQUIRY");
_Static_assert(sizeof(((PCDB)0)->CDB6INQUIRY3) == 6, "CDB6INQUIRY3");
_Static_assert(sizeof(((PCDB)0)->START_STOP) == 6, "START_STOP");
_Static_assert(sizeof(((PCDB)0)->MODE_SENSE) == 6, "MODE_SENSE");
_Static_assert(sizeof(((PCDB)0)->MEDIA_REMOVAL) == 6, "MEDIA_REMOVAL");
_Static_assert(sizeof(((PCDB)0)->CDB10) == CDB10GENERIC_LENGTH, "CDB10");
_Static_assert(sizeof(((PCDB)0)->MODE_SENSE10) == 10, "MODE_SENSE10");
_Static_assert(sizeof(((PCDB)0)->READ_TOC) == 10, "READ_TOC");
_Static_assert(sizeof(((PCDB)0)->SYNCHRONIZE_CACHE10) == 10, "SYNCHRONIZE_CACHE10");
_Static_assert(sizeof(((PCDB)0)->UNMAP) == 10, "UNMAP");
_Static_assert(sizeof(((PCDB)0)->CDB12) == CDB12GENERIC_LENGTH, "CDB12");
_Static_assert(sizeof(((PCDB)0)->READ12) == 12, "READ12");
_Static_assert(sizeof(((PCDB)0)->REPORT_LUNS) == 12, "REPORT_LUNS");
_Static_assert(sizeof(((PCDB)0)->READ_CD) == 12, "READ_CD");
_Static_assert(sizeof(((PCDB)0)->ATA_PASSTHROUGH12) == 12, "ATA_PASSTHROUGH12");
_Static_assert(sizeof(((PCDB)0)->CDB16) == CDB16GENERIC_LENGTH, "CDB16");
_Static_assert(sizeof(((PCDB)0)->READ16) == 16, "READ16");
_Static_assert(sizeof(((PCDB)0)->WRITE16) == 16, "WRITE16");
_Static_assert(sizeof(((PCDB)0)->VERIFY16) == 16, "VERIFY16");
_Static_assert(sizeof(((PCDB)0)->SYNCHRONIZE_CACHE16) == 16, "SYNCHRONIZE_CACHE16");
_Static_assert(sizeof(((PCDB)0)->READ_CAPACITY16) == 16, "READ_CAPACITY16");
_Static_assert(sizeof(((PCDB)0)->ATA_PASSTHROUGH16) == 16, "ATA_PASSTHROUGH16");
OFFSET(CDB, CDB6INQUIRY.AllocationLength, 4);
OFFSET(CDB, CDB10.LogicalBlockByte0, 2);
OFFSET(CDB, CDB10.TransferBlocksMsb, 7);
OFFSET(CDB, CDB10.Control, 9);
OFFSET(CDB, CDB12.TransferLength, 6);
OFFSET(CDB, CDB16.LogicalBlock, 2);
OFFSET(CDB, CDB16.TransferLength, 10);
OFFSET(CDB, MODE_SENSE.AllocationLength, 4);
OFFSET(CDB, MODE_SENSE10.AllocationLength, 7);
OFFSET(CDB, READ_CAPACITY16.BlockCount, 10);
OFFSET(CDB, REPORT_LUNS.AllocationLength, 6);
OFFSET(CDB, ATA_PASSTHROUGH16.Command, 14);

SIZE(SENSE_DATA, 18);
_Static_assert(sizeof(SENSE_DATA) == SENSE_BUFFER_SIZE, "SENSE_BUFFER_SIZE");
OFFSET(SENSE_DATA, SegmentNumber, 0x01);
OFFSET(SENSE_DATA, Information, 0x03);
OFFSET(SENSE_DATA, AdditionalSenseLength, 0x07);
OFFSET(SENSE_DATA, CommandSpecificInformation, 0x08);
OFFSET(SENSE_DATA, AdditionalSenseCode, 0x0c);
OFFSET(SENSE_DATA, AdditionalSenseCodeQualifier, 0x0d);
OFFSET(SENSE_DATA, FieldReplaceableUnitCode, 0x0e);
OFFSET(SENSE_DATA, SenseKeySpecific, 0x0f);

/* The structure is 96 bytes; the standard data exchanged is its first 36. */
SIZE(INQUIRYDATA, 96);
OFFSET(INQUIRYDATA, VendorSpecific, INQUIRYDATABUFFERSIZE);
_Static_assert(INQUIRYDATABUFFERSIZE == 36, "INQUIRYDATABUFFERSIZE");
OFFSET(INQUIRYDATA, Versions, 0x02);
OFFSET(INQUIRYDATA, AdditionalLength, 0x04);
OFFSET(INQUIRYDATA, VendorId, 0x08);
OFFSET(INQUIRYDATA, ProductId, 0x10);
OFFSET(INQUIRYDATA, ProductRevisionLevel, 0x20);

SIZE(VPD_SUPPORTED_PAGES_PAGE, 4);
SIZE(VPD_SERIAL_NUMBER_PAGE, 4);
SIZE(VPD_IDENTIFICATION_PAGE, 4);
SIZE(VPD_IDENTIFICATION_DESCRIPTOR, 4);

/* scsi.h layouts are byte-packed, as in the DDK (mingw-w64 differs here). */
_Static_assert(_Alignof(CDB) == 1, "CDB is packed");
SIZE(READ_CAPACITY_DATA, 8);
SIZE(READ_CAPACITY_DATA_EX, 12);
OFFSET(READ_CAPACITY_DATA_EX, BytesPerBlock, 0x08);

SIZE(MODE_PARAMETER_HEADER, 4);
SIZE(MODE_PARAMETER_HEADER10, 8);
OFFSET(MODE_PARAMETER_HEADER10, BlockDescriptorLength, 0x06);
SIZE(MODE_PARAMETER_BLOCK, 8);
SIZE(MODE_CACHING_PAGE, 12);
SIZE(MODE_INFO_EXCEPTIONS, 12);
SIZE(MODE_READ_WRITE_RECOVERY_PAGE, 12);
SIZE(POWER_CONDITION_PAGE, 12);
SIZE(LUN_LIST, 8);
OFFSET(LUN_LIST, Lun, 8);
SIZE(EIGHT_BYTE, 8);
SIZE(FOUR_BYTE, 4);
SIZE(TWO_BYTE, 2);

/* ntddscsi.h */
SIZE(SRB_IO_CONTROL, 28);
OFFSET(SRB_IO_CONTROL, Signature, 0x04);
OFFSET(SRB_IO_CONTROL, Timeout, 0x0c);
OFFSET(SRB_IO_CONTROL, ControlCode, 0x10);
OFFSET(SRB_IO_CONTROL, ReturnCode, 0x14);
OFFSET(SRB_IO_CONTROL, Length, 0x18);
SIZE(SCSI_PASS_THROUGH, 44);
OFFSET(SCSI_PASS_THROUGH, DataTransferLength, 0x0c);
OFFSET(SCSI_PASS_THROUGH, DataBufferOffset, 0x14);
OFFSET(SCSI_PASS_THROUGH, Cdb, 0x1c);
SIZE(SCSI_PASS_THROUGH_DIRECT, 44);
OFFSET(SCSI_PASS_THROUGH_DIRECT, DataBuffer, 0x14);
SIZE(ATA_PASS_THROUGH_EX, 40);
OFFSET(ATA_PASS_THROUGH_EX, PreviousTaskFile, 0x18);
OFFSET(ATA_PASS_THROUGH_EX, CurrentTaskFile, 0x20);
SIZE(ATA_PASS_THROUGH_DIRECT, 40);
SIZE(IO_SCSI_CAPABILITIES, 24);
OFFSET(IO_SCSI_CAPABILITIES, TaggedQueuing, 0x14);
SIZE(SCSI_ADDRESS, 8);
SIZE(SCSI_BUS_DATA, 8);
SIZE(SCSI_ADAPTER_BUS_INFO, 12);
SIZE(SCSI_INQUIRY_DATA, 16);
OFFSET(SCSI_INQUIRY_DATA, InquiryData, 0x0c);
SIZE(DUMP_POINTERS, 40);
OFFSET(DUMP_POINTERS, CommonBufferPa, 0x10);
OFFSET(DUMP_POINTERS, CommonBufferSize, 0x18);
OFFSET(DUMP_POINTERS, DeviceObject, 0x20);

/* ntdddisk.h: byte-packed SMART structures */
SIZE(GETVERSIONINPARAMS, 24);
_Static_assert(_Alignof(GETVERSIONINPARAMS) == 1, "SMART structures are packed");
OFFSET(GETVERSIONINPARAMS, fCapabilities, 0x04);
SIZE(IDEREGS, 8);
OFFSET(IDEREGS, bCommandReg, 0x06);
SIZE(SENDCMDINPARAMS, 33);
OFFSET(SENDCMDINPARAMS, irDriveRegs, 0x04);
OFFSET(SENDCMDINPARAMS, bDriveNumber, 0x0c);
OFFSET(SENDCMDINPARAMS, dwReserved, 0x10);
OFFSET(SENDCMDINPARAMS, bBuffer, 0x20);
SIZE(DRIVERSTATUS, 12);
SIZE(SENDCMDOUTPARAMS, 17);
OFFSET(SENDCMDOUTPARAMS, DriverStatus, 0x04);
OFFSET(SENDCMDOUTPARAMS, bBuffer, 0x10);

/* A few constants whose values other code depends on. */
_Static_assert(SP_UNINITIALIZED_VALUE == 0xffffffffUL, "SP_UNINITIALIZED_VALUE");
_Static_assert(SP_UNTAGGED == 0xff, "SP_UNTAGGED");
_Static_assert(SRB_STATUS(SRB_STATUS_ERROR | SRB_STATUS_AUTOSENSE_VALID |
                          SRB_STATUS_QUEUE_FROZEN) == SRB_STATUS_ERROR, "SRB_STATUS()");
_Static_assert(IOCTL_SCSI_MINIPORT == 0x0004d008, "IOCTL_SCSI_MINIPORT");
_Static_assert(IOCTL_SCSI_PASS_THROUGH == 0x0004d004, "IOCTL_SCSI_PASS_THROUGH");
_Static_assert(IOCTL_SCSI_MINIPORT_IDENTIFY == 0x001b0501, "IOCTL_SCSI_MINIPORT_IDENTIFY");
_Static_assert(SMART_RCV_DRIVE_DATA == 0x0007c088, "SMART_RCV_DRIVE_DATA");
_Static_assert(SCSI_COMBINE_BUS_TARGET(1, 0x25) == 0x2025, "SCSI_COMBINE_BUS_TARGET");
_Static_assert(MakeAdapterControlTypeSizeOfUlong == 0xffffffffUL, "enum width");

/*
 * Calling conventions. Callbacks and exports are stdcall, never cdecl (a
 * plain pointer type is stdcall too under -mrtd, so the cdecl comparison is
 * what catches a missing attribute); the variadic exports and the C library
 * are cdecl whatever the default.
 */
SAME_TYPE(PHW_INITIALIZE, BOOLEAN (__stdcall *)(PVOID));
NOT_SAME_TYPE(PHW_INITIALIZE, BOOLEAN (__cdecl *)(PVOID));
SAME_TYPE(PHW_STARTIO, BOOLEAN (__stdcall *)(PVOID, PSCSI_REQUEST_BLOCK));
NOT_SAME_TYPE(PHW_STARTIO, BOOLEAN (__cdecl *)(PVOID, PSCSI_REQUEST_BLOCK));
NOT_SAME_TYPE(PHW_INTERRUPT, BOOLEAN (__cdecl *)(PVOID));
NOT_SAME_TYPE(PHW_TIMER, VOID (__cdecl *)(PVOID));
NOT_SAME_TYPE(PHW_DMA_STARTED, VOID (__cdecl *)(PVOID));
NOT_SAME_TYPE(PHW_FIND_ADAPTER,
              ULONG (__cdecl *)(PVOID, PVOID, PVOID, PCHAR,
                                PPORT_CONFIGURATION_INFORMATION, PBOOLEAN));
NOT_SAME_TYPE(PHW_RESET_BUS, BOOLEAN (__cdecl *)(PVOID, ULONG));
NOT_SAME_TYPE(PHW_ADAPTER_STATE, BOOLEAN (__cdecl *)(PVOID, PVOID, BOOLEAN));
NOT_SAME_TYPE(PHW_ADAPTER_CONTROL,
              SCSI_ADAPTER_CONTROL_STATUS (__cdecl *)(PVOID, SCSI_ADAPTER_CONTROL_TYPE, PVOID));

SAME_TYPE(__typeof__(&ScsiPortInitialize),
          ULONG (__stdcall *)(PVOID, PVOID, struct _HW_INITIALIZATION_DATA *, PVOID));
SAME_TYPE(__typeof__(&ScsiPortGetPhysicalAddress),
          SCSI_PHYSICAL_ADDRESS (__stdcall *)(PVOID, PSCSI_REQUEST_BLOCK, PVOID, ULONG *));
SAME_TYPE(__typeof__(&ScsiPortValidateRange),
          BOOLEAN (__stdcall *)(PVOID, INTERFACE_TYPE, ULONG, SCSI_PHYSICAL_ADDRESS,
                                ULONG, BOOLEAN));
NOT_SAME_TYPE(__typeof__(&ScsiPortStallExecution), VOID (__cdecl *)(ULONG));
NOT_SAME_TYPE(__typeof__(&ScsiPortWriteRegisterUlong), VOID (__cdecl *)(PULONG, ULONG));
SAME_TYPE(__typeof__(&ScsiPortNotification),
          VOID (__cdecl *)(SCSI_NOTIFICATION_TYPE, PVOID, ...));
SAME_TYPE(__typeof__(&ScsiDebugPrint), VOID (__cdecl *)(ULONG, PCCHAR, ...));
SAME_TYPE(__typeof__(&memset), void *(__cdecl *)(void *, int, size_t));
SAME_TYPE(__typeof__(&memcpy), void *(__cdecl *)(void *, const void *, size_t));
SAME_TYPE(__typeof__(&memmove), void *(__cdecl *)(void *, const void *, size_t));
SAME_TYPE(__typeof__(&memcmp), int (__cdecl *)(const void *, const void *, size_t));
SAME_TYPE(__typeof__(&strlen), size_t (__cdecl *)(const char *));
