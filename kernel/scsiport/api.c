/*
 * The simple ScsiPort routines: the 24 port and register accessors, stalls,
 * memory moves, physical-address conversions, and the two subordinate-DMA
 * routines this platform refuses (reference/scsiport-api.md 1.1).  All
 * stdcall, with the DDK's prototypes (ddk/srb.h).
 *
 * Port routines take what ScsiPortGetDeviceBase returned for I/O space: the
 * port number itself, as a pointer.  A pointer that is no port number
 * (above 0xFFFF: a memory mapping handed to a port routine) would be
 * truncated onto some unrelated port, so it is refused: reads return all
 * ones, as a bus does for nothing there, writes are dropped, one error line
 * each.  The buffer forms repeat on one port (rep ins / rep outs).
 *
 * Register routines take mapped memory and access it volatile, at the
 * width named.  The buffer forms copy between a run of registers and the
 * buffer, both addresses advancing, as the x86 NT kernel's rep movs does:
 * a FIFO behind one register address is read with the non-buffer form.
 */
#include "port.h"
#include "console.h"
#include "string.h"
#include "time.h"
#include "io.h"

#define PORT_MAX    0xFFFFu

static bool port_ok(const void *port, const char *who)
{
    if ((uintptr_t)port <= PORT_MAX)
        return true;
    pr_err("scsiport", "%s(%p): not an I/O port (a memory mapping?): refused", who, port);
    return false;
}

static uint16_t port_of(const void *port)
{
    return (uint16_t)(uintptr_t)port;
}

/* ---- I/O ports ---------------------------------------------------------------- */

UCHAR NTAPI ScsiPortReadPortUchar(PUCHAR Port)
{
    return port_ok(Port, __func__) ? inb(port_of(Port)) : 0xFF;
}

USHORT NTAPI ScsiPortReadPortUshort(PUSHORT Port)
{
    return port_ok(Port, __func__) ? inw(port_of(Port)) : 0xFFFF;
}

ULONG NTAPI ScsiPortReadPortUlong(PULONG Port)
{
    return port_ok(Port, __func__) ? inl(port_of(Port)) : 0xFFFFFFFFu;
}

VOID NTAPI ScsiPortWritePortUchar(PUCHAR Port, UCHAR Value)
{
    if (port_ok(Port, __func__))
        outb(port_of(Port), Value);
}

VOID NTAPI ScsiPortWritePortUshort(PUSHORT Port, USHORT Value)
{
    if (port_ok(Port, __func__))
        outw(port_of(Port), Value);
}

VOID NTAPI ScsiPortWritePortUlong(PULONG Port, ULONG Value)
{
    if (port_ok(Port, __func__))
        outl(port_of(Port), Value);
}

VOID NTAPI ScsiPortReadPortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count)
{
    if (!port_ok(Port, __func__)) {
        memset(Buffer, 0xFF, Count);
        return;
    }
    __asm__ volatile("rep insb" : "+D"(Buffer), "+c"(Count) : "d"(port_of(Port)) : "memory");
}

VOID NTAPI ScsiPortReadPortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count)
{
    if (!port_ok(Port, __func__)) {
        memset(Buffer, 0xFF, Count * sizeof(*Buffer));
        return;
    }
    __asm__ volatile("rep insw" : "+D"(Buffer), "+c"(Count) : "d"(port_of(Port)) : "memory");
}

VOID NTAPI ScsiPortReadPortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count)
{
    if (!port_ok(Port, __func__)) {
        memset(Buffer, 0xFF, Count * sizeof(*Buffer));
        return;
    }
    __asm__ volatile("rep insl" : "+D"(Buffer), "+c"(Count) : "d"(port_of(Port)) : "memory");
}

VOID NTAPI ScsiPortWritePortBufferUchar(PUCHAR Port, PUCHAR Buffer, ULONG Count)
{
    if (port_ok(Port, __func__))
        __asm__ volatile("rep outsb" : "+S"(Buffer), "+c"(Count) : "d"(port_of(Port))
                         : "memory");
}

VOID NTAPI ScsiPortWritePortBufferUshort(PUSHORT Port, PUSHORT Buffer, ULONG Count)
{
    if (port_ok(Port, __func__))
        __asm__ volatile("rep outsw" : "+S"(Buffer), "+c"(Count) : "d"(port_of(Port))
                         : "memory");
}

VOID NTAPI ScsiPortWritePortBufferUlong(PULONG Port, PULONG Buffer, ULONG Count)
{
    if (port_ok(Port, __func__))
        __asm__ volatile("rep outsl" : "+S"(Buffer), "+c"(Count) : "d"(port_of(Port))
                         : "memory");
}

/* ---- memory-mapped registers ------------------------------------------------------ */

UCHAR NTAPI ScsiPortReadRegisterUchar(PUCHAR Register)
{
    return mmio_read8(Register);
}

USHORT NTAPI ScsiPortReadRegisterUshort(PUSHORT Register)
{
    return mmio_read16(Register);
}

ULONG NTAPI ScsiPortReadRegisterUlong(PULONG Register)
{
    return mmio_read32(Register);
}

VOID NTAPI ScsiPortWriteRegisterUchar(PUCHAR Register, UCHAR Value)
{
    mmio_write8(Register, Value);
}

VOID NTAPI ScsiPortWriteRegisterUshort(PUSHORT Register, USHORT Value)
{
    mmio_write16(Register, Value);
}

VOID NTAPI ScsiPortWriteRegisterUlong(PULONG Register, ULONG Value)
{
    mmio_write32(Register, Value);
}

VOID NTAPI ScsiPortReadRegisterBufferUchar(PUCHAR Register, PUCHAR Buffer, ULONG Count)
{
    __asm__ volatile("rep movsb" : "+D"(Buffer), "+S"(Register), "+c"(Count) : : "memory");
}

VOID NTAPI ScsiPortReadRegisterBufferUshort(PUSHORT Register, PUSHORT Buffer, ULONG Count)
{
    __asm__ volatile("rep movsw" : "+D"(Buffer), "+S"(Register), "+c"(Count) : : "memory");
}

VOID NTAPI ScsiPortReadRegisterBufferUlong(PULONG Register, PULONG Buffer, ULONG Count)
{
    __asm__ volatile("rep movsl" : "+D"(Buffer), "+S"(Register), "+c"(Count) : : "memory");
}

VOID NTAPI ScsiPortWriteRegisterBufferUchar(PUCHAR Register, PUCHAR Buffer, ULONG Count)
{
    __asm__ volatile("rep movsb" : "+D"(Register), "+S"(Buffer), "+c"(Count) : : "memory");
}

VOID NTAPI ScsiPortWriteRegisterBufferUshort(PUSHORT Register, PUSHORT Buffer, ULONG Count)
{
    __asm__ volatile("rep movsw" : "+D"(Register), "+S"(Buffer), "+c"(Count) : : "memory");
}

VOID NTAPI ScsiPortWriteRegisterBufferUlong(PULONG Register, PULONG Buffer, ULONG Count)
{
    __asm__ volatile("rep movsl" : "+D"(Register), "+S"(Buffer), "+c"(Count) : : "memory");
}

/* ---- time, memory, addresses --------------------------------------------------------- */

VOID NTAPI ScsiPortStallExecution(ULONG Delay)
{
    stall(Delay);
}

/* Overlap-safe, either direction (RtlMoveMemory); the destination comes first. */
VOID NTAPI ScsiPortMoveMemory(PVOID WriteBuffer, PVOID ReadBuffer, ULONG Length)
{
    memmove(WriteBuffer, ReadBuffer, Length);
}

/* Zero-extended (ULONG_PTR is unsigned); returned in EDX:EAX (-freg-struct-return). */
SCSI_PHYSICAL_ADDRESS NTAPI ScsiPortConvertUlongToPhysicalAddress(ULONG_PTR UlongAddress)
{
    SCSI_PHYSICAL_ADDRESS pa;

    pa.QuadPart = (LONGLONG)(ULONGLONG)UlongAddress;
    return pa;
}

/* The export behind srb.h's macro of the same name: the low 32 bits. */
ULONG NTAPI (ScsiPortConvertPhysicalAddressToUlong)(SCSI_PHYSICAL_ADDRESS Address)
{
    return Address.LowPart;
}

/*
 * Subordinate DMA (the 8237 system DMA controller, programmed by the port
 * for the adapter) is not offered on this platform: every adapter we host
 * is a bus master.  Each call is refused with one error line naming the
 * adapter.  IoMapTransfer then leaves the SRB alone and never calls
 * HwDmaStarted, so the request ends through its own timeout, as it would
 * on NT with no DMA channel available; FlushDma has nothing to flush.
 */
VOID NTAPI ScsiPortFlushDma(PVOID DeviceExtension)
{
    struct sp_adapter *ad = sp_adapter_from_ext(DeviceExtension, "ScsiPortFlushDma");

    if (ad)
        pr_err(ad->name, "ScsiPortFlushDma: subordinate (8237) DMA is not supported; "
               "bus-master only");
}

VOID NTAPI ScsiPortIoMapTransfer(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb,
                                 PVOID LogicalAddress, ULONG Length)
{
    struct sp_adapter *ad = sp_adapter_from_ext(HwDeviceExtension, "ScsiPortIoMapTransfer");

    (void)Srb;
    (void)LogicalAddress;
    (void)Length;
    if (ad)
        pr_err(ad->name, "ScsiPortIoMapTransfer: subordinate (8237) DMA is not supported; "
               "bus-master only");
}
