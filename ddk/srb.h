/*
 * srb.h - the interface between SCSI miniport drivers and the ScsiPort
 * port driver: the SCSI request block, configuration structures, miniport
 * callbacks and every ScsiPort routine.
 *
 * Part of the DDK header folder; names, values and layouts are those of
 * the Windows NT x86 DDK. Written for this project from public facts; no
 * code copied. See ddk/README for the ABI rules: every routine and every
 * callback is stdcall except the two variadic ones, which are cdecl.
 */
#ifndef _NTSRB_
#define _NTSRB_

#include "miniport.h"

#define SCSIPORT_API
#define SCSIPORTAPI

/* Limits. */
#define SCSI_MAXIMUM_LOGICAL_UNITS          8
#define SCSI_MAXIMUM_TARGETS_PER_BUS        128
#define SCSI_MAXIMUM_LUNS_PER_TARGET        255
#define SCSI_MAXIMUM_BUSES                  8
#define SCSI_MINIMUM_PHYSICAL_BREAKS        16
#define SCSI_MAXIMUM_PHYSICAL_BREAKS        255
#define SCSI_MAXIMUM_TARGETS                8

/* PORT_CONFIGURATION_INFORMATION.Dma64BitAddresses */
#define SCSI_DMA64_MINIPORT_SUPPORTED       0x01
#define SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED 0x02
#define SCSI_DMA64_SYSTEM_SUPPORTED         0x80

#define SP_UNINITIALIZED_VALUE              ((ULONG)~0)
#define SP_UNTAGGED                         ((UCHAR)~0)

/* Asynchronous events (HW_INITIALIZATION_DATA.ReceiveEvent). */
#define SRBEV_BUS_RESET                     0x0001
#define SRBEV_SCSI_ASYNC_NOTIFICATION       0x0002

#define MAXIMUM_CDB_SIZE                    12

/*
 * Debug output. The DDK prints only in checked (DBG) builds; here the
 * default is to print, and the port filters by level. Define NDEBUG, or
 * DBG as 0, to compile the calls out.
 */
#if defined(NDEBUG) || (defined(DBG) && !DBG)
#define DebugPrint(x)
#ifndef ASSERT
#define ASSERT(exp)                         ((void)0)
#endif
#else
#define DebugPrint(x)                       ScsiDebugPrint x
#ifndef ASSERT
#define ASSERT(exp) \
    ((exp) ? (void)0 : \
     ScsiDebugPrint(0, "ASSERT failed: %s at %s:%d\n", #exp, __FILE__, __LINE__))
#endif
#endif

/* Target ids above 31 carry their upper bits in bits 8 and up. */
#define SCSI_COMBINE_BUS_TARGET(Bus, Target) ( \
    ((((UCHAR)(Target)) & ~(0x20 - 1)) << 8) | \
    (((UCHAR)(Bus)) << 5) | \
    (((UCHAR)(Target)) & (0x20 - 1)))

#define SCSI_DECODE_BUS_TARGET(Value, Bus, Target) ( \
    Bus = (UCHAR)((Value) >> 5), \
    Target = (UCHAR)((((Value) >> 8) & ~(0x20 - 1)) | ((Value) & (0x20 - 1))))

/* SCSI_REQUEST_BLOCK.Function */
#define SRB_FUNCTION_EXECUTE_SCSI           0x00
#define SRB_FUNCTION_CLAIM_DEVICE           0x01
#define SRB_FUNCTION_IO_CONTROL             0x02
#define SRB_FUNCTION_RECEIVE_EVENT          0x03
#define SRB_FUNCTION_RELEASE_QUEUE          0x04
#define SRB_FUNCTION_ATTACH_DEVICE          0x05
#define SRB_FUNCTION_RELEASE_DEVICE         0x06
#define SRB_FUNCTION_SHUTDOWN               0x07
#define SRB_FUNCTION_FLUSH                  0x08
#define SRB_FUNCTION_PROTOCOL_COMMAND       0x09
#define SRB_FUNCTION_ABORT_COMMAND          0x10
#define SRB_FUNCTION_RELEASE_RECOVERY       0x11
#define SRB_FUNCTION_RESET_BUS              0x12
#define SRB_FUNCTION_RESET_DEVICE           0x13
#define SRB_FUNCTION_TERMINATE_IO           0x14
#define SRB_FUNCTION_FLUSH_QUEUE            0x15
#define SRB_FUNCTION_REMOVE_DEVICE          0x16
#define SRB_FUNCTION_WMI                    0x17
#define SRB_FUNCTION_LOCK_QUEUE             0x18
#define SRB_FUNCTION_UNLOCK_QUEUE           0x19
#define SRB_FUNCTION_QUIESCE_DEVICE         0x1a
#define SRB_FUNCTION_RESET_LOGICAL_UNIT     0x20
#define SRB_FUNCTION_SET_LINK_TIMEOUT       0x21
#define SRB_FUNCTION_LINK_TIMEOUT_OCCURRED  0x22
#define SRB_FUNCTION_LINK_TIMEOUT_COMPLETE  0x23
#define SRB_FUNCTION_POWER                  0x24
#define SRB_FUNCTION_PNP                    0x25
#define SRB_FUNCTION_DUMP_POINTERS          0x26
#define SRB_FUNCTION_FREE_DUMP_POINTERS     0x27
#define SRB_FUNCTION_STORAGE_REQUEST_BLOCK  0x28
#define SRB_FUNCTION_CRYPTO_OPERATION       0x29
#define SRB_FUNCTION_GET_DUMP_INFO          0x2a
#define SRB_FUNCTION_FREE_DUMP_INFO         0x2b

/* SCSI_REQUEST_BLOCK.SrbStatus */
#define SRB_STATUS_PENDING                  0x00
#define SRB_STATUS_SUCCESS                  0x01
#define SRB_STATUS_ABORTED                  0x02
#define SRB_STATUS_ABORT_FAILED             0x03
#define SRB_STATUS_ERROR                    0x04
#define SRB_STATUS_BUSY                     0x05
#define SRB_STATUS_INVALID_REQUEST          0x06
#define SRB_STATUS_INVALID_PATH_ID          0x07
#define SRB_STATUS_NO_DEVICE                0x08
#define SRB_STATUS_TIMEOUT                  0x09
#define SRB_STATUS_SELECTION_TIMEOUT        0x0A
#define SRB_STATUS_COMMAND_TIMEOUT          0x0B
#define SRB_STATUS_MESSAGE_REJECTED         0x0D
#define SRB_STATUS_BUS_RESET                0x0E
#define SRB_STATUS_PARITY_ERROR             0x0F
#define SRB_STATUS_REQUEST_SENSE_FAILED     0x10
#define SRB_STATUS_NO_HBA                   0x11
#define SRB_STATUS_DATA_OVERRUN             0x12    /* also underrun */
#define SRB_STATUS_UNEXPECTED_BUS_FREE      0x13
#define SRB_STATUS_PHASE_SEQUENCE_FAILURE   0x14
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH     0x15
#define SRB_STATUS_REQUEST_FLUSHED          0x16
#define SRB_STATUS_INVALID_LUN              0x20
#define SRB_STATUS_INVALID_TARGET_ID        0x21
#define SRB_STATUS_BAD_FUNCTION             0x22
#define SRB_STATUS_ERROR_RECOVERY           0x23
#define SRB_STATUS_NOT_POWERED              0x24
#define SRB_STATUS_LINK_DOWN                0x25
#define SRB_STATUS_INSUFFICIENT_RESOURCES   0x26
#define SRB_STATUS_THROTTLED_REQUEST        0x27
#define SRB_STATUS_INTERNAL_ERROR           0x30    /* port use only */

/* Bits OR'ed into SrbStatus; QUEUE_FROZEN is set by the port only. */
#define SRB_STATUS_QUEUE_FROZEN             0x40
#define SRB_STATUS_AUTOSENSE_VALID          0x80

#define SRB_STATUS(Status) \
    ((Status) & ~(SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN))

/* SCSI_REQUEST_BLOCK.SrbFlags */
#define SRB_FLAGS_QUEUE_ACTION_ENABLE       0x00000002
#define SRB_FLAGS_DISABLE_DISCONNECT        0x00000004
#define SRB_FLAGS_DISABLE_SYNCH_TRANSFER    0x00000008
#define SRB_FLAGS_BYPASS_FROZEN_QUEUE       0x00000010
#define SRB_FLAGS_DISABLE_AUTOSENSE         0x00000020
#define SRB_FLAGS_DATA_IN                   0x00000040
#define SRB_FLAGS_DATA_OUT                  0x00000080
#define SRB_FLAGS_NO_DATA_TRANSFER          0x00000000
#define SRB_FLAGS_UNSPECIFIED_DIRECTION     (SRB_FLAGS_DATA_IN | SRB_FLAGS_DATA_OUT)
#define SRB_FLAGS_NO_QUEUE_FREEZE           0x00000100
#define SRB_FLAGS_ADAPTER_CACHE_ENABLE      0x00000200
#define SRB_FLAGS_FREE_SENSE_BUFFER         0x00000400
#define SRB_FLAGS_D3_PROCESSING             0x00000800
#define SRB_FLAGS_SEQUENTIAL_REQUIRED       0x00001000
#define SRB_FLAGS_IS_ACTIVE                 0x00010000
#define SRB_FLAGS_ALLOCATED_FROM_ZONE       0x00020000
#define SRB_FLAGS_SGLIST_FROM_POOL          0x00040000
#define SRB_FLAGS_BYPASS_LOCKED_QUEUE       0x00080000
#define SRB_FLAGS_NO_KEEP_AWAKE             0x00100000
#define SRB_FLAGS_PORT_DRIVER_ALLOCSENSE    0x00200000
#define SRB_FLAGS_PORT_DRIVER_SENSEHASPORT  0x00400000
#define SRB_FLAGS_DONT_START_NEXT_PACKET    0x00800000
#define SRB_FLAGS_PORT_DRIVER_RESERVED      0x0F000000
#define SRB_FLAGS_CLASS_DRIVER_RESERVED     0xF0000000

/* SCSI_REQUEST_BLOCK.QueueAction */
#define SRB_SIMPLE_TAG_REQUEST              0x20
#define SRB_HEAD_OF_QUEUE_TAG_REQUEST       0x21
#define SRB_ORDERED_QUEUE_TAG_REQUEST       0x22

#define SRB_WMI_FLAGS_ADAPTER_REQUEST       0x0001

/* ScsiPortLogError ErrorCode */
#define SP_BUS_PARITY_ERROR                 0x0001
#define SP_UNEXPECTED_DISCONNECT            0x0002
#define SP_INVALID_RESELECTION              0x0003
#define SP_BUS_TIME_OUT                     0x0004
#define SP_PROTOCOL_ERROR                   0x0005
#define SP_INTERNAL_ADAPTER_ERROR           0x0006
#define SP_REQUEST_TIMEOUT                  0x0007
#define SP_IRQ_NOT_RESPONDING               0x0008
#define SP_BAD_FW_WARNING                   0x0009
#define SP_BAD_FW_ERROR                     0x000a
#define SP_LOST_WMI_MINIPORT_REQUEST        0x000b

/* HW_INITIALIZATION_DATA.PortVersionFlags */
#define SP_VER_TRACE_SUPPORT                0x0010

/* HwFindAdapter return values */
#define SP_RETURN_NOT_FOUND                 0
#define SP_RETURN_FOUND                     1
#define SP_RETURN_ERROR                     2
#define SP_RETURN_BAD_CONFIG                3

typedef PHYSICAL_ADDRESS SCSI_PHYSICAL_ADDRESS, *PSCSI_PHYSICAL_ADDRESS;

/* One bus-relative I/O or memory range of an adapter (16 bytes). */
typedef struct _ACCESS_RANGE {
    SCSI_PHYSICAL_ADDRESS RangeStart;
    ULONG RangeLength;
    BOOLEAN RangeInMemory;          /* FALSE: I/O space */
} ACCESS_RANGE, *PACCESS_RANGE;

/* What HwFindAdapter is told and fills in (140 bytes). */
typedef struct _PORT_CONFIGURATION_INFORMATION {
    ULONG Length;
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG BusInterruptLevel;
    ULONG BusInterruptVector;
    KINTERRUPT_MODE InterruptMode;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG DmaChannel;
    ULONG DmaPort;
    DMA_WIDTH DmaWidth;
    DMA_SPEED DmaSpeed;
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    ACCESS_RANGE (*AccessRanges)[];
    PVOID Reserved;
    UCHAR NumberOfBuses;
    UCHAR InitiatorBusId[8];
    BOOLEAN ScatterGather;
    BOOLEAN Master;
    BOOLEAN CachesData;
    BOOLEAN AdapterScansDown;
    BOOLEAN AtdiskPrimaryClaimed;
    BOOLEAN AtdiskSecondaryClaimed;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN DemandMode;
    BOOLEAN MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    BOOLEAN RealModeInitialized;
    BOOLEAN BufferAccessScsiPortControlled;
    UCHAR MaximumNumberOfTargets;
    UCHAR ReservedUchars[2];
    ULONG SlotNumber;
    ULONG BusInterruptLevel2;
    ULONG BusInterruptVector2;
    KINTERRUPT_MODE InterruptMode2;
    ULONG DmaChannel2;
    ULONG DmaPort2;
    DMA_WIDTH DmaWidth2;
    DMA_SPEED DmaSpeed2;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    UCHAR Dma64BitAddresses;        /* SCSI_DMA64_* */
    BOOLEAN ResetTargetSupported;
    UCHAR MaximumNumberOfLogicalUnits;
    BOOLEAN WmiDataProvider;
} PORT_CONFIGURATION_INFORMATION, *PPORT_CONFIGURATION_INFORMATION;

#define CONFIG_INFO_VERSION_2               sizeof(PORT_CONFIGURATION_INFORMATION)

/* HwAdapterControl (__extension__: the last value is outside int, as in the DDK) */
__extension__ typedef enum _SCSI_ADAPTER_CONTROL_TYPE {
    ScsiQuerySupportedControlTypes = 0,
    ScsiStopAdapter,
    ScsiRestartAdapter,
    ScsiSetBootConfig,
    ScsiSetRunningConfig,
    ScsiAdapterControlMax,
    MakeAdapterControlTypeSizeOfUlong = 0xffffffff
} SCSI_ADAPTER_CONTROL_TYPE, *PSCSI_ADAPTER_CONTROL_TYPE;

typedef enum _SCSI_ADAPTER_CONTROL_STATUS {
    ScsiAdapterControlSuccess = 0,
    ScsiAdapterControlUnsuccessful
} SCSI_ADAPTER_CONTROL_STATUS, *PSCSI_ADAPTER_CONTROL_STATUS;

/* Parameters of ScsiQuerySupportedControlTypes. */
typedef struct _SCSI_SUPPORTED_CONTROL_TYPE_LIST {
    ULONG MaxControlType;
    BOOLEAN SupportedTypeList[];
} SCSI_SUPPORTED_CONTROL_TYPE_LIST, *PSCSI_SUPPORTED_CONTROL_TYPE_LIST;

/* The SCSI request block (64 bytes on x86). */
typedef struct _SCSI_REQUEST_BLOCK {
    USHORT Length;                  /* 0x00 sizeof(SCSI_REQUEST_BLOCK) */
    UCHAR Function;                 /* 0x02 SRB_FUNCTION_* */
    UCHAR SrbStatus;                /* 0x03 SRB_STATUS_*, set by the miniport */
    UCHAR ScsiStatus;               /* 0x04 target status byte, SCSISTAT_* */
    UCHAR PathId;                   /* 0x05 bus */
    UCHAR TargetId;                 /* 0x06 */
    UCHAR Lun;                      /* 0x07 */
    UCHAR QueueTag;                 /* 0x08 SP_UNTAGGED if untagged */
    UCHAR QueueAction;              /* 0x09 SRB_*_TAG_REQUEST */
    UCHAR CdbLength;                /* 0x0a */
    UCHAR SenseInfoBufferLength;    /* 0x0b */
    ULONG SrbFlags;                 /* 0x0c SRB_FLAGS_* */
    ULONG DataTransferLength;       /* 0x10 bytes; lowered on underrun */
    ULONG TimeOutValue;             /* 0x14 seconds */
    PVOID DataBuffer;               /* 0x18 */
    PVOID SenseInfoBuffer;          /* 0x1c */
    struct _SCSI_REQUEST_BLOCK *NextSrb;    /* 0x20 target of ABORT */
    PVOID OriginalRequest;          /* 0x24 port's own */
    PVOID SrbExtension;             /* 0x28 per-request miniport storage */
    union {                         /* 0x2c */
        ULONG InternalStatus;
        ULONG QueueSortKey;         /* LBA, sorts the LU queue */
        ULONG LinkTimeoutValue;
    };
    UCHAR Cdb[16];                  /* 0x30 */
} SCSI_REQUEST_BLOCK, *PSCSI_REQUEST_BLOCK;

#define SCSI_REQUEST_BLOCK_SIZE             sizeof(SCSI_REQUEST_BLOCK)

/* SRB_FUNCTION_WMI request (same size as an SRB). */
typedef struct _SCSI_WMI_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    UCHAR WMISubFunction;
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    UCHAR Reserved1;
    UCHAR WMIFlags;
    UCHAR Reserved2[2];
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID DataPath;
    PVOID Reserved3;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    ULONG Reserved4;
    UCHAR Reserved5[16];
} SCSI_WMI_REQUEST_BLOCK, *PSCSI_WMI_REQUEST_BLOCK;

/* ScsiPortNotification types; extra arguments in comments. */
typedef enum _SCSI_NOTIFICATION_TYPE {
    RequestComplete,                /* PSCSI_REQUEST_BLOCK */
    NextRequest,
    NextLuRequest,                  /* PathId, TargetId, Lun */
    ResetDetected,
    CallDisableInterrupts,          /* PHW_INTERRUPT */
    CallEnableInterrupts,           /* PHW_INTERRUPT */
    RequestTimerCall,               /* PHW_TIMER, microseconds (0 cancels) */
    BusChangeDetected,              /* PathId */
    WMIEvent,
    WMIReregister,
    LinkUp,
    LinkDown,
    QueryTickCount,
    BufferOverrunDetected,
    TraceNotification
} SCSI_NOTIFICATION_TYPE, *PSCSI_NOTIFICATION_TYPE;

/* Miniport entry points, all stdcall. */
typedef BOOLEAN (NTAPI *PHW_INITIALIZE)(PVOID DeviceExtension);
typedef BOOLEAN (NTAPI *PHW_STARTIO)(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef BOOLEAN (NTAPI *PHW_INTERRUPT)(PVOID DeviceExtension);
typedef VOID (NTAPI *PHW_TIMER)(PVOID DeviceExtension);
typedef VOID (NTAPI *PHW_DMA_STARTED)(PVOID DeviceExtension);
typedef ULONG (NTAPI *PHW_FIND_ADAPTER)(PVOID DeviceExtension, PVOID HwContext,
                                         PVOID BusInformation, PCHAR ArgumentString,
                                         PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                                         PBOOLEAN Again);
typedef BOOLEAN (NTAPI *PHW_RESET_BUS)(PVOID DeviceExtension, ULONG PathId);
typedef BOOLEAN (NTAPI *PHW_ADAPTER_STATE)(PVOID DeviceExtension, PVOID Context,
                                           BOOLEAN SaveState);
typedef SCSI_ADAPTER_CONTROL_STATUS (NTAPI *PHW_ADAPTER_CONTROL)(
    PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters);

/* What DriverEntry hands to ScsiPortInitialize (80 bytes). Zero it first. */
typedef struct _HW_INITIALIZATION_DATA {
    ULONG HwInitializationDataSize;
    INTERFACE_TYPE AdapterInterfaceType;
    PHW_INITIALIZE HwInitialize;
    PHW_STARTIO HwStartIo;
    PHW_INTERRUPT HwInterrupt;
    PHW_FIND_ADAPTER HwFindAdapter;
    PHW_RESET_BUS HwResetBus;
    PHW_DMA_STARTED HwDmaStarted;
    PHW_ADAPTER_STATE HwAdapterState;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    ULONG NumberOfAccessRanges;
    PVOID Reserved;
    BOOLEAN MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    USHORT VendorIdLength;
    PVOID VendorId;                 /* ASCII hex, e.g. "8086" */
    union {
        USHORT ReservedUshort;
        USHORT PortVersionFlags;
    };
    USHORT DeviceIdLength;
    PVOID DeviceId;
    PHW_ADAPTER_CONTROL HwAdapterControl;
} HW_INITIALIZATION_DATA, *PHW_INITIALIZATION_DATA;

/*
 * The ScsiPort routines.
 */
SCSIPORT_API ULONG NTAPI
ScsiPortInitialize(PVOID Argument1, PVOID Argument2,
                   struct _HW_INITIALIZATION_DATA *HwInitializationData,
                   PVOID HwContext);

SCSIPORT_API VOID __cdecl
ScsiPortNotification(SCSI_NOTIFICATION_TYPE NotificationType,
                     PVOID HwDeviceExtension, ...);

SCSIPORT_API VOID NTAPI
ScsiPortCompleteRequest(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId,
                        UCHAR Lun, UCHAR SrbStatus);

SCSIPORT_API SCSI_PHYSICAL_ADDRESS NTAPI
ScsiPortGetPhysicalAddress(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb,
                           PVOID VirtualAddress, ULONG *Length);

SCSIPORT_API PVOID NTAPI
ScsiPortGetVirtualAddress(PVOID HwDeviceExtension,
                          SCSI_PHYSICAL_ADDRESS PhysicalAddress);

SCSIPORT_API PVOID NTAPI
ScsiPortGetUncachedExtension(PVOID HwDeviceExtension,
                             PPORT_CONFIGURATION_INFORMATION ConfigInfo,
                             ULONG NumberOfBytes);

SCSIPORT_API PVOID NTAPI
ScsiPortGetDeviceBase(PVOID HwDeviceExtension, INTERFACE_TYPE BusType,
                      ULONG SystemIoBusNumber, SCSI_PHYSICAL_ADDRESS IoAddress,
                      ULONG NumberOfBytes, BOOLEAN InIoSpace);

SCSIPORT_API VOID NTAPI
ScsiPortFreeDeviceBase(PVOID HwDeviceExtension, PVOID MappedAddress);

SCSIPORT_API BOOLEAN NTAPI
ScsiPortValidateRange(PVOID HwDeviceExtension, INTERFACE_TYPE BusType,
                      ULONG SystemIoBusNumber, SCSI_PHYSICAL_ADDRESS IoAddress,
                      ULONG NumberOfBytes, BOOLEAN InIoSpace);

SCSIPORT_API ULONG NTAPI
ScsiPortGetBusData(PVOID DeviceExtension, ULONG BusDataType,
                   ULONG SystemIoBusNumber, ULONG SlotNumber, PVOID Buffer,
                   ULONG Length);

SCSIPORT_API ULONG NTAPI
ScsiPortSetBusDataByOffset(PVOID DeviceExtension, ULONG BusDataType,
                           ULONG SystemIoBusNumber, ULONG SlotNumber,
                           PVOID Buffer, ULONG Offset, ULONG Length);

SCSIPORT_API PVOID NTAPI
ScsiPortGetLogicalUnit(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId,
                       UCHAR Lun);

SCSIPORT_API PSCSI_REQUEST_BLOCK NTAPI
ScsiPortGetSrb(PVOID DeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun,
               LONG QueueTag);

SCSIPORT_API VOID NTAPI
ScsiPortLogError(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, UCHAR PathId,
                 UCHAR TargetId, UCHAR Lun, ULONG ErrorCode, ULONG UniqueId);

SCSIPORT_API VOID NTAPI
ScsiPortStallExecution(ULONG Delay);

SCSIPORT_API VOID NTAPI
ScsiPortMoveMemory(PVOID WriteBuffer, PVOID ReadBuffer, ULONG Length);

SCSIPORT_API SCSI_PHYSICAL_ADDRESS NTAPI
ScsiPortConvertUlongToPhysicalAddress(ULONG_PTR UlongAddress);

/*
 * As in the DDK, the conversion to ULONG is both an export and a macro;
 * the macro wins in miniport sources. The port defines the export as
 * (ScsiPortConvertPhysicalAddressToUlong)(...) to step past the macro.
 */
SCSIPORT_API ULONG NTAPI
ScsiPortConvertPhysicalAddressToUlong(SCSI_PHYSICAL_ADDRESS Address);

#define ScsiPortConvertPhysicalAddressToUlong(Address)  ((Address).LowPart)
#define ScsiPortConvertPhysicalAddressToULongPtr(Address) ((ULONG_PTR)((Address).QuadPart))

SCSIPORT_API VOID NTAPI
ScsiPortQuerySystemTime(PLARGE_INTEGER CurrentTime);

SCSIPORT_API VOID NTAPI
ScsiPortFlushDma(PVOID DeviceExtension);

SCSIPORT_API VOID NTAPI
ScsiPortIoMapTransfer(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb,
                      PVOID LogicalAddress, ULONG Length);

SCSIPORT_API VOID __cdecl
ScsiDebugPrint(ULONG DebugPrintLevel, PCCHAR DebugMessage, ...);

/* Port I/O: addresses come from ScsiPortGetDeviceBase with InIoSpace TRUE. */
SCSIPORT_API UCHAR NTAPI ScsiPortReadPortUchar(PUCHAR Port);
SCSIPORT_API USHORT NTAPI ScsiPortReadPortUshort(PUSHORT Port);
SCSIPORT_API ULONG NTAPI ScsiPortReadPortUlong(PULONG Port);
SCSIPORT_API VOID NTAPI ScsiPortReadPortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortReadPortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortReadPortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortWritePortUchar(PUCHAR Port, UCHAR Value);
SCSIPORT_API VOID NTAPI ScsiPortWritePortUshort(PUSHORT Port, USHORT Value);
SCSIPORT_API VOID NTAPI ScsiPortWritePortUlong(PULONG Port, ULONG Value);
SCSIPORT_API VOID NTAPI ScsiPortWritePortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortWritePortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortWritePortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count);

/* Memory-mapped registers: addresses from ScsiPortGetDeviceBase, memory space. */
SCSIPORT_API UCHAR NTAPI ScsiPortReadRegisterUchar(PUCHAR Register);
SCSIPORT_API USHORT NTAPI ScsiPortReadRegisterUshort(PUSHORT Register);
SCSIPORT_API ULONG NTAPI ScsiPortReadRegisterUlong(PULONG Register);
SCSIPORT_API VOID NTAPI ScsiPortReadRegisterBufferUchar(PUCHAR Register, PUCHAR Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortReadRegisterBufferUshort(PUSHORT Register, PUSHORT Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortReadRegisterBufferUlong(PULONG Register, PULONG Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortWriteRegisterUchar(PUCHAR Register, UCHAR Value);
SCSIPORT_API VOID NTAPI ScsiPortWriteRegisterUshort(PUSHORT Register, USHORT Value);
SCSIPORT_API VOID NTAPI ScsiPortWriteRegisterUlong(PULONG Register, ULONG Value);
SCSIPORT_API VOID NTAPI ScsiPortWriteRegisterBufferUchar(PUCHAR Register, PUCHAR Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortWriteRegisterBufferUshort(PUSHORT Register, PUSHORT Buffer, ULONG Count);
SCSIPORT_API VOID NTAPI ScsiPortWriteRegisterBufferUlong(PULONG Register, PULONG Buffer, ULONG Count);

#endif /* _NTSRB_ */
