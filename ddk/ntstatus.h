/*
 * ntstatus.h - the NTSTATUS values a ScsiPort miniport and port meet.
 *
 * Part of the DDK header folder; values are those of the Windows NT DDK.
 * Written for this project from public facts; no code copied.
 */
#ifndef _NTSTATUS_
#define _NTSTATUS_

#include "ntdef.h"

/* Success and informational. */
#define STATUS_SUCCESS                      ((NTSTATUS)0x00000000L)
#define STATUS_WAIT_0                       ((NTSTATUS)0x00000000L)
#define STATUS_TIMEOUT                      ((NTSTATUS)0x00000102L)
#define STATUS_PENDING                      ((NTSTATUS)0x00000103L)
#define STATUS_MORE_ENTRIES                 ((NTSTATUS)0x00000105L)
#define STATUS_VERIFY_REQUIRED              ((NTSTATUS)0x80000016L)

/* Warnings. */
#define STATUS_BUFFER_OVERFLOW              ((NTSTATUS)0x80000005L)
#define STATUS_NO_MORE_ENTRIES              ((NTSTATUS)0x8000001AL)
#define STATUS_DEVICE_BUSY                  ((NTSTATUS)0x80000011L)

/* Errors. */
#define STATUS_UNSUCCESSFUL                 ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED              ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_PARAMETER            ((NTSTATUS)0xC000000DL)
#define STATUS_NO_SUCH_DEVICE               ((NTSTATUS)0xC000000EL)
#define STATUS_INVALID_DEVICE_REQUEST       ((NTSTATUS)0xC0000010L)
#define STATUS_NO_MEDIA_IN_DEVICE           ((NTSTATUS)0xC0000013L)
#define STATUS_NO_MEMORY                    ((NTSTATUS)0xC0000017L)
#define STATUS_BUFFER_TOO_SMALL             ((NTSTATUS)0xC0000023L)
#define STATUS_DATA_OVERRUN                 ((NTSTATUS)0xC000003CL)
#define STATUS_REVISION_MISMATCH            ((NTSTATUS)0xC0000059L)
#define STATUS_INSUFFICIENT_RESOURCES       ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_DATA_ERROR            ((NTSTATUS)0xC000009CL)
#define STATUS_DEVICE_NOT_CONNECTED         ((NTSTATUS)0xC000009DL)
#define STATUS_MEDIA_WRITE_PROTECTED        ((NTSTATUS)0xC00000A2L)
#define STATUS_DEVICE_NOT_READY             ((NTSTATUS)0xC00000A3L)
#define STATUS_IO_TIMEOUT                   ((NTSTATUS)0xC00000B5L)
#define STATUS_NOT_SUPPORTED                ((NTSTATUS)0xC00000BBL)
#define STATUS_DEVICE_DOES_NOT_EXIST        ((NTSTATUS)0xC00000C0L)
#define STATUS_CANCELLED                    ((NTSTATUS)0xC0000120L)
#define STATUS_NO_MEDIA                     ((NTSTATUS)0xC0000178L)
#define STATUS_DEVICE_CONFIGURATION_ERROR   ((NTSTATUS)0xC0000182L)
#define STATUS_INVALID_DEVICE_STATE         ((NTSTATUS)0xC0000184L)
#define STATUS_IO_DEVICE_ERROR              ((NTSTATUS)0xC0000185L)
#define STATUS_DEVICE_PROTOCOL_ERROR        ((NTSTATUS)0xC0000186L)

#endif /* _NTSTATUS_ */
