/*
 * ntdef.h - basic NT types and macros for ScsiPort miniports (x86, 32-bit).
 *
 * Part of the DDK header folder: names, values and layouts follow the
 * Windows NT x86 DDK. Written for this project from public facts; no
 * code copied. ABI rules (stdcall, 8-byte aligned 64-bit types) are in
 * ddk/README.
 */
#ifndef _NTDEF_
#define _NTDEF_

#include <stddef.h>     /* size_t, NULL, offsetof: compiler's freestanding header */

/*
 * The target is 32-bit x86. Elsewhere (host unit tests of CDB builders and
 * the like) the integer types keep their 32-bit sizes and the calling
 * conventions, which exist only on x86, expand to nothing.
 */
#if defined(__i386__)
#ifndef __stdcall
#define __stdcall           __attribute__((__stdcall__))   /* MinGW predefines these */
#endif
#ifndef __cdecl
#define __cdecl             __attribute__((__cdecl__))
#endif
#ifndef __fastcall
#define __fastcall          __attribute__((__fastcall__))
#endif
#else
#define __stdcall
#define __cdecl
#define __fastcall
#endif
#ifndef __int64
#define __int64             long long
#endif

#define NTAPI               __stdcall
#define FASTCALL            __fastcall
#define FORCEINLINE         __inline__ __attribute__((__always_inline__))
#define DECLSPEC_IMPORT
#define DECLSPEC_ALIGN(x)   __attribute__((__aligned__(x)))

/* Parameter annotations: documentation only. */
#define IN
#define OUT
#define OPTIONAL
#define CONST               const
#define VOID                void

/* The few SAL annotations newer DDK sources use; all expand to nothing. */
#ifndef _In_
#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_reads_bytes_(n)
#define _Out_writes_bytes_(n)
#define _Inout_updates_bytes_(n)
#define _Must_inspect_result_
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _Use_decl_annotations_
#endif

#ifndef TRUE
#define TRUE                1
#endif
#ifndef FALSE
#define FALSE               0
#endif

/* Scalars. LONG/ULONG are 'long' on i386, as in the DDK, and 32-bit anywhere. */
typedef char                CHAR, *PCHAR, *PSZ;
typedef unsigned char       UCHAR, *PUCHAR;
typedef short               SHORT, *PSHORT;
typedef unsigned short      USHORT, *PUSHORT;
#if defined(__i386__)
typedef long                LONG, *PLONG;
typedef unsigned long       ULONG, *PULONG;
#else
typedef int                 LONG, *PLONG;
typedef unsigned int        ULONG, *PULONG;
#endif
typedef int                 LONG32, *PLONG32;
typedef unsigned int        ULONG32, *PULONG32;
typedef UCHAR               BOOLEAN, *PBOOLEAN;
typedef char                CCHAR, *PCCHAR;
typedef short               CSHORT, *PCSHORT;
typedef ULONG               CLONG, *PCLONG;
typedef void                *PVOID;
typedef const char          *PCSTR;
typedef char                *PSTR;
typedef unsigned short      WCHAR, *PWCHAR, *PWSTR;
typedef const WCHAR         *PCWSTR;

/* 64-bit scalars: 8-byte aligned inside structures, as MSVC lays them out. */
typedef long long           LONGLONG __attribute__((__aligned__(8)));
typedef unsigned long long  ULONGLONG __attribute__((__aligned__(8)));
typedef LONGLONG            *PLONGLONG, LONG64, *PLONG64;
typedef ULONGLONG           *PULONGLONG, ULONG64, *PULONG64, DWORDLONG;

/* Pointer-sized integers (32-bit on the target). */
typedef long                LONG_PTR, *PLONG_PTR;
typedef unsigned long       ULONG_PTR, *PULONG_PTR;
typedef int                 INT_PTR, *PINT_PTR;
typedef unsigned int        UINT_PTR, *PUINT_PTR;
typedef ULONG_PTR           SIZE_T, *PSIZE_T;
typedef ULONG_PTR           KAFFINITY, *PKAFFINITY;

typedef LONG                NTSTATUS, *PNTSTATUS;
#define NT_SUCCESS(Status)  (((NTSTATUS)(Status)) >= 0)

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    };
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;

typedef union _ULARGE_INTEGER {
    struct {
        ULONG LowPart;
        ULONG HighPart;
    };
    struct {
        ULONG LowPart;
        ULONG HighPart;
    } u;
    ULONGLONG QuadPart;
} ULARGE_INTEGER, *PULARGE_INTEGER;

typedef LARGE_INTEGER       PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

#define MAXUCHAR            0xff
#define MAXUSHORT           0xffff
#define MAXULONG            0xffffffff
#define MAXLONG             0x7fffffff
#define MINLONG             0x80000000
#define ANYSIZE_ARRAY       1

/* Structure helpers (constant expressions, usable in _Static_assert). */
#define FIELD_OFFSET(type, field)   ((LONG)__builtin_offsetof(type, field))
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) \
    (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_NUMBER_OF(a)            (sizeof(a) / sizeof((a)[0]))
#define CONTAINING_RECORD(address, type, field) \
    ((type *)((PCHAR)(address) - __builtin_offsetof(type, field)))
#define UNREFERENCED_PARAMETER(p)   ((void)(p))
#define ARGUMENT_PRESENT(p)         ((CHAR *)((ULONG_PTR)(p)) != (CHAR *)NULL)
#define C_ASSERT(e)                 _Static_assert(e, #e)

#endif /* _NTDEF_ */
