/*++
Module Name:    edudisk.c
Abstract:       RAM disk miniport for QEMU's educational PCI device (-device edu,
                1234:11e8), written as for the NT 4 DDK: no calling-convention
                annotations anywhere (the DDK compiler's /Gz makes them stdcall).
    BAR0 holds the identification (0xRRrr00ed) and liveness (reads back ~value)
    registers; the factorial unit, DMA engine and interrupt are not used.  The
    disk is the uncached extension, filled with EDU_PATTERN.  Built and checked
    by tests/qemu/test_extra_miniport.py through EXTRA_MINIPORT: keep it DDK C.
--*/

#include "miniport.h"
#include "srb.h"
#include "scsi.h"

// The edu device's registers: offsets into BAR0.
#define EDU_IDENTIFICATION      0x00    // RO 0xRRrr00ed
#define EDU_ID_SIGNATURE        0xED
#define EDU_LIVENESS            0x04    // RW reads ~(last value written)
#define EDU_LIVENESS_PROBE      0x5AA5C33C
#define EDU_REGISTER(Ext, Offset) ((PULONG)((Ext)->Registers + (Offset)))

// The RAM disk: word Index (0..127) of block Lba holds EDU_PATTERN(Lba, Index).
#define EDU_BLOCK_SIZE          512
#define EDU_DISK_SIZE           (256 * 1024)
#define EDU_DISK_BLOCKS         (EDU_DISK_SIZE / EDU_BLOCK_SIZE)
#define EDU_PATTERN(Lba, Index) ((((ULONG)(Lba) << 8) | (ULONG)(Index)) ^ 0xED0D15C5)
#define EDU_MAX_TRANSFER        (64 * 1024)

typedef struct _HW_DEVICE_EXTENSION {
    PUCHAR Registers;                   // BAR0, mapped
    PUCHAR Disk;                        // the uncached extension
    ULONG Version;                      // identification register >> 16
} HW_DEVICE_EXTENSION, *PHW_DEVICE_EXTENSION;

ULONG DriverEntry(IN PVOID DriverObject, IN PVOID Argument2);

static VOID
EduZero(OUT PVOID Buffer, IN ULONG Length)
{
    PUCHAR p = Buffer;

    while (Length--)
        *p++ = 0;
}

// CHECK CONDITION; the sense goes with the status when there is a buffer for it.
static VOID
EduCheckCondition(IN PSCSI_REQUEST_BLOCK Srb, IN UCHAR SenseKey, IN UCHAR Asc)
{
    SENSE_DATA sense;
    ULONG length = Srb->SenseInfoBufferLength;

    EduZero(&sense, sizeof(SENSE_DATA));
    sense.ErrorCode = 0x70;
    sense.SenseKey = SenseKey;
    sense.AdditionalSenseLength = sizeof(SENSE_DATA) - 8;
    sense.AdditionalSenseCode = Asc;
    Srb->ScsiStatus = SCSISTAT_CHECK_CONDITION;
    Srb->SrbStatus = SRB_STATUS_ERROR;
    Srb->DataTransferLength = 0;
    if (Srb->SenseInfoBuffer != NULL && length != 0 &&
        !(Srb->SrbFlags & SRB_FLAGS_DISABLE_AUTOSENSE)) {
        length = length < sizeof(SENSE_DATA) ? length : sizeof(SENSE_DATA);
        ScsiPortMoveMemory(Srb->SenseInfoBuffer, &sense, length);
        Srb->SenseInfoBufferLength = (UCHAR)length;
        Srb->SrbStatus |= SRB_STATUS_AUTOSENSE_VALID;
    }
}

static VOID
EduReturnData(IN PSCSI_REQUEST_BLOCK Srb, IN PVOID Data, IN ULONG Length)
{
    Length = Length < Srb->DataTransferLength ? Length : Srb->DataTransferLength;
    ScsiPortMoveMemory(Srb->DataBuffer, Data, Length);
    Srb->DataTransferLength = Length;
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
}

static VOID
EduInquiry(IN PSCSI_REQUEST_BLOCK Srb)
{
    PCDB cdb = (PCDB)Srb->Cdb;
    INQUIRYDATA inquiry;
    ULONG length = cdb->CDB6INQUIRY.AllocationLength;

    EduZero(&inquiry, sizeof(INQUIRYDATA));
    inquiry.DeviceType = DIRECT_ACCESS_DEVICE;
    inquiry.Versions = 2;
    inquiry.ResponseDataFormat = 2;
    inquiry.AdditionalLength = INQUIRYDATABUFFERSIZE - 5;
    ScsiPortMoveMemory(inquiry.VendorId, "EDU     ", 8);
    ScsiPortMoveMemory(inquiry.ProductId, "RAMDISK         ", 16);
    ScsiPortMoveMemory(inquiry.ProductRevisionLevel, "1.0 ", 4);
    EduReturnData(Srb, &inquiry, length < INQUIRYDATABUFFERSIZE ? length : INQUIRYDATABUFFERSIZE);
}

static VOID
EduReadCapacity(IN PSCSI_REQUEST_BLOCK Srb)
{
    READ_CAPACITY_DATA capacity;
    ULONG lastBlock = EDU_DISK_BLOCKS - 1, blockSize = EDU_BLOCK_SIZE;

    REVERSE_BYTES(&capacity.LogicalBlockAddress, &lastBlock);
    REVERSE_BYTES(&capacity.BytesPerBlock, &blockSize);
    EduReturnData(Srb, &capacity, sizeof(READ_CAPACITY_DATA));
}

static VOID
EduReadWrite(IN PHW_DEVICE_EXTENSION DeviceExtension, IN PSCSI_REQUEST_BLOCK Srb)
{
    PCDB cdb = (PCDB)Srb->Cdb;
    ULONG lba, blocks;
    PUCHAR disk;

    REVERSE_BYTES(&lba, &cdb->CDB10.LogicalBlockByte0);
    blocks = ((ULONG)cdb->CDB10.TransferBlocksMsb << 8) | cdb->CDB10.TransferBlocksLsb;
    if (lba >= EDU_DISK_BLOCKS || blocks > EDU_DISK_BLOCKS - lba ||
        Srb->DataTransferLength != blocks * EDU_BLOCK_SIZE) {
        DebugPrint((1, "edudisk: lba %lu + %lu blocks: out of range\n", lba, blocks));
        EduCheckCondition(Srb, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_BLOCK);
        return;
    }
    disk = DeviceExtension->Disk + lba * EDU_BLOCK_SIZE;
    if (cdb->CDB10.OperationCode == SCSIOP_WRITE) {
        ScsiPortMoveMemory(disk, Srb->DataBuffer, Srb->DataTransferLength);
    } else {
        ScsiPortMoveMemory(Srb->DataBuffer, disk, Srb->DataTransferLength);
    }
    Srb->SrbStatus = SRB_STATUS_SUCCESS;
}

static VOID
EduExecuteScsi(IN PHW_DEVICE_EXTENSION DeviceExtension, IN PSCSI_REQUEST_BLOCK Srb)
{
    if (Srb->PathId != 0 || Srb->TargetId != 0 || Srb->Lun != 0) {
        Srb->SrbStatus = Srb->PathId != 0 || Srb->TargetId != 0 ?
                         SRB_STATUS_SELECTION_TIMEOUT : SRB_STATUS_INVALID_LUN;
        return;
    }
    Srb->ScsiStatus = SCSISTAT_GOOD;
    switch (Srb->Cdb[0]) {
    case SCSIOP_TEST_UNIT_READY:
        Srb->SrbStatus = SRB_STATUS_SUCCESS;
        break;
    case SCSIOP_INQUIRY:
        EduInquiry(Srb);
        break;
    case SCSIOP_READ_CAPACITY:
        EduReadCapacity(Srb);
        break;
    case SCSIOP_READ:
    case SCSIOP_WRITE:
        EduReadWrite(DeviceExtension, Srb);
        break;
    default:
        DebugPrint((2, "edudisk: opcode 0x%02x not supported\n", Srb->Cdb[0]));
        EduCheckCondition(Srb, SCSI_SENSE_ILLEGAL_REQUEST, SCSI_ADSENSE_ILLEGAL_COMMAND);
        break;
    }
}

BOOLEAN
EduStartIo(IN PVOID HwDeviceExtension, IN PSCSI_REQUEST_BLOCK Srb)
{
    switch (Srb->Function) {
    case SRB_FUNCTION_EXECUTE_SCSI:
        EduExecuteScsi(HwDeviceExtension, Srb);
        break;
    case SRB_FUNCTION_RESET_BUS:
        Srb->SrbStatus = SRB_STATUS_SUCCESS;
        break;
    default:
        Srb->SrbStatus = SRB_STATUS_INVALID_REQUEST;
        break;
    }
    ScsiPortNotification(RequestComplete, HwDeviceExtension, Srb);
    ScsiPortNotification(NextRequest, HwDeviceExtension, NULL);
    return TRUE;
}

BOOLEAN
EduResetBus(IN PVOID HwDeviceExtension, IN ULONG PathId)
{
    ScsiPortCompleteRequest(HwDeviceExtension, (UCHAR)PathId, SP_UNTAGGED, SP_UNTAGGED,
                            SRB_STATUS_BUS_RESET);
    ScsiPortNotification(NextRequest, HwDeviceExtension, NULL);
    return TRUE;
}

BOOLEAN
EduInitialize(IN PVOID HwDeviceExtension)
{
    PHW_DEVICE_EXTENSION deviceExtension = HwDeviceExtension;
    PULONG word = (PULONG)deviceExtension->Disk;
    ULONG lba, i;

    for (lba = 0; lba < EDU_DISK_BLOCKS; lba++) {
        for (i = 0; i < EDU_BLOCK_SIZE / sizeof(ULONG); i++) {
            *word++ = EDU_PATTERN(lba, i);
        }
    }
    return TRUE;
}

static BOOLEAN
EduDeviceAlive(IN PHW_DEVICE_EXTENSION DeviceExtension)
{
    ULONG id = ScsiPortReadRegisterUlong(EDU_REGISTER(DeviceExtension, EDU_IDENTIFICATION));

    if ((id & 0xFF) != EDU_ID_SIGNATURE) {
        DebugPrint((1, "edudisk: identification 0x%08lx is not an edu device\n", id));
        return FALSE;
    }
    DeviceExtension->Version = id >> 16;
    ScsiPortWriteRegisterUlong(EDU_REGISTER(DeviceExtension, EDU_LIVENESS), EDU_LIVENESS_PROBE);
    if (ScsiPortReadRegisterUlong(EDU_REGISTER(DeviceExtension, EDU_LIVENESS)) !=
        ~(ULONG)EDU_LIVENESS_PROBE) {
        DebugPrint((1, "edudisk: the liveness register does not answer\n"));
        return FALSE;
    }
    return TRUE;
}

ULONG
EduFindAdapter(IN PVOID HwDeviceExtension, IN PVOID Context, IN PVOID BusInformation,
               IN PCHAR ArgumentString, IN OUT PPORT_CONFIGURATION_INFORMATION ConfigInfo,
               OUT PBOOLEAN Again)
{
    PHW_DEVICE_EXTENSION deviceExtension = HwDeviceExtension;
    PACCESS_RANGE range = &(*ConfigInfo->AccessRanges)[0];

    *Again = TRUE;
    if (ConfigInfo->NumberOfAccessRanges < 1 || !range->RangeInMemory) {
        return SP_RETURN_NOT_FOUND;
    }
    if (!ScsiPortValidateRange(deviceExtension, ConfigInfo->AdapterInterfaceType,
                               ConfigInfo->SystemIoBusNumber, range->RangeStart,
                               range->RangeLength, FALSE)) {
        DebugPrint((1, "edudisk: BAR0 at %I64x is in use\n", range->RangeStart.QuadPart));
        return SP_RETURN_NOT_FOUND;
    }
    deviceExtension->Registers = ScsiPortGetDeviceBase(deviceExtension,
        ConfigInfo->AdapterInterfaceType, ConfigInfo->SystemIoBusNumber,
        range->RangeStart, range->RangeLength, FALSE);
    if (deviceExtension->Registers == NULL) {
        return SP_RETURN_ERROR;
    }
    if (!EduDeviceAlive(deviceExtension)) {
        ScsiPortFreeDeviceBase(deviceExtension, deviceExtension->Registers);
        return SP_RETURN_NOT_FOUND;
    }
    ConfigInfo->NumberOfBuses = 1;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->InitiatorBusId[0] = 7;
    ConfigInfo->MaximumTransferLength = EDU_MAX_TRANSFER;
    ConfigInfo->NumberOfPhysicalBreaks = EDU_MAX_TRANSFER / 4096;
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;          // the uncached extension needs it
    ConfigInfo->Dma32BitAddresses = TRUE;
    deviceExtension->Disk = ScsiPortGetUncachedExtension(deviceExtension, ConfigInfo,
                                                         EDU_DISK_SIZE);
    if (deviceExtension->Disk == NULL) {
        ScsiPortFreeDeviceBase(deviceExtension, deviceExtension->Registers);
        return SP_RETURN_ERROR;
    }
    DebugPrint((1, "edudisk: edu %lu.%lu, BAR0 %I64x (%lu KiB), RAM disk %lu x %lu\n",
                deviceExtension->Version >> 8, deviceExtension->Version & 0xFF,
                range->RangeStart.QuadPart, range->RangeLength / 1024,
                (ULONG)EDU_DISK_BLOCKS, (ULONG)EDU_BLOCK_SIZE));
    return SP_RETURN_FOUND;
}

ULONG
DriverEntry(IN PVOID DriverObject, IN PVOID Argument2)
{
    HW_INITIALIZATION_DATA hwInitializationData;
    UCHAR vendorId[4] = { '1', '2', '3', '4' };
    UCHAR deviceId[4] = { '1', '1', 'e', '8' };

    EduZero(&hwInitializationData, sizeof(HW_INITIALIZATION_DATA));
    hwInitializationData.HwInitializationDataSize = sizeof(HW_INITIALIZATION_DATA);
    hwInitializationData.AdapterInterfaceType = PCIBus;
    hwInitializationData.HwInitialize = EduInitialize;
    hwInitializationData.HwStartIo = EduStartIo;
    hwInitializationData.HwInterrupt = NULL;        // polled: nothing to poll for
    hwInitializationData.HwFindAdapter = EduFindAdapter;
    hwInitializationData.HwResetBus = EduResetBus;
    hwInitializationData.DeviceExtensionSize = sizeof(HW_DEVICE_EXTENSION);
    hwInitializationData.NumberOfAccessRanges = 1;
    hwInitializationData.MapBuffers = TRUE;
    hwInitializationData.AutoRequestSense = TRUE;
    hwInitializationData.VendorId = vendorId;
    hwInitializationData.VendorIdLength = 4;
    hwInitializationData.DeviceId = deviceId;
    hwInitializationData.DeviceIdLength = 4;
    return ScsiPortInitialize(DriverObject, Argument2, &hwInitializationData, NULL);
}
