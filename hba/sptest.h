/*
 * sptest: the ScsiPort test miniport (hba/sptest.c) - its fake hardware
 * and its contract with the kernel-side driver of the tests,
 * kernel/scsiport/sptest_cmd.c (`selftest scsiport`).
 *
 * The adapter is QEMU's pci-testdev (hw/misc/pci-testdev.c, PCI 1b36:0005,
 * `-device pci-testdev`), a device no real board carries, so the miniport
 * is harmless in a production image.  The device offers:
 *   BAR 0  memory, 4 KiB     BAR 1  I/O, 256 bytes     no interrupt pin
 * Writing n (0..2) to offset 0 of either BAR selects test n of that BAR's
 * kind; reading back then returns the test's header, whose name string
 * ("mmio-no-eventfd", "portio-no-eventfd") starts at offset 16.  That is
 * how the miniport recognises the device through its mappings.
 *
 * Behind the adapter is one fake bus: path 0, targets 0..3 (3 is the
 * initiator's own id), one logical unit, 0:0:0, a direct-access device of
 * SPT_BLOCKS blocks kept in the uncached extension and initialised with
 * SPT_PATTERN.  It answers INQUIRY, TEST UNIT READY, READ CAPACITY(10),
 * READ/WRITE(10), REPORT LUNS, REQUEST SENSE and SYNCHRONIZE CACHE itself,
 * synchronously in HwStartIo, and the vendor commands below.
 *
 * The adversarial checks run inside the miniport's own callbacks; each
 * result lands in one log (struct spt_result) that SPT_CMD_LOG hands over.
 */
#ifndef SPTEST_H
#define SPTEST_H

#include "srb.h"

/* ---- the device ------------------------------------------------------------ */

#define SPT_VENDOR_ID           "1b36"
#define SPT_DEVICE_ID           "0005"
#define SPT_PCI_VENDOR          0x1b36
#define SPT_PCI_DEVICE          0x0005
#define SPT_MEM_BAR_LEN         0x1000      /* BAR 0 */
#define SPT_IO_BAR_LEN          0x100       /* BAR 1 */
#define SPT_REG_TEST            0x00        /* write: select test n */
#define SPT_REG_NAME            0x10        /* read: the selected test's name */
#define SPT_MMIO_NAME           "mmio-no-eventfd"
#define SPT_PORTIO_NAME         "portio-no-eventfd"

/* ---- the fake bus and disk ---------------------------------------------------- */

#define SPT_TARGETS             4           /* MaximumNumberOfTargets */
#define SPT_INITIATOR_ID        3           /* InitiatorBusId[0]: never scanned */
#define SPT_LUNS                2           /* MaximumNumberOfLogicalUnits */
#define SPT_BLOCK_SIZE          512
#define SPT_BLOCKS              4096        /* 2 MiB */
#define SPT_DISK_BYTES          (SPT_BLOCKS * SPT_BLOCK_SIZE)
/* Uncached extension: the disk, then a tail so its size is no page multiple. */
#define SPT_UNCACHED_SIZE       (SPT_DISK_BYTES + 512)
#define SPT_SRBEXT_SIZE         96          /* a multiple of 8: slots are exact */
#define SPT_MAX_TRANSFER        (64 * 1024)

/* ULONG k (0..127) of block lba. */
#define SPT_PATTERN(lba, k)     ((((ULONG)(lba) << 7) | (ULONG)(k)) ^ 0x5350AA55u)

/* ---- the adapters ------------------------------------------------------------- */

/*
 * DriverEntry calls ScsiPortInitialize three times, each with its own
 * HW_INITIALIZATION_DATA; the port gives each call the pci-testdevs no
 * adapter holds yet, in PCI order:
 *  A  NeedPhysicalAddresses, AutoRequestSense, TaggedQueuing: the full set.
 *  X  the overlap attempt: validates A's BARs (must be refused), then
 *     reports A's memory BAR as its own and returns FOUND; the port must
 *     refuse to start it.  Its pci-testdev stays free for B.
 *  B  no NeedPhysicalAddresses, no AutoRequestSense (the port requests
 *     sense itself), no tagged queuing.
 * With one pci-testdev only A exists.
 */
#define SPT_ROLE_A              'A'
#define SPT_ROLE_X              'X'
#define SPT_ROLE_B              'B'

/* ---- vendor commands: Cdb[0] = SPT_OP, Cdb[1] = SPT_CMD_* ------------------------ */

#define SPT_OP                  0xC0
#define SPT_CDB_LEN             12
enum {
    SPT_CMD_LOG = 1,    /* DATA_IN: struct spt_log + entries; the log is emptied */
    SPT_CMD_STATS,      /* DATA_IN: struct spt_stats */
    SPT_CMD_CHECKS,     /* DATA_IN, any length >= 512, with a sense buffer: the
                           HwStartIo checks; the buffer must be physically
                           contiguous (the kernel's identity map) */
    SPT_CMD_WALK,       /* DATA_IN: walk DataBuffer with ScsiPortGetPhysicalAddress;
                           the runs come back in it (struct spt_walk) */
    SPT_CMD_BUSDATA,    /* Cdb[2] = a PCI slot number with no device on the
                           adapter's bus: GetBusData / SetBusDataByOffset checks */
    SPT_CMD_BUSY,       /* Cdb[2] = n, Cdb[3] = sequence, Cdb[4] = 1: QUEUE FULL
                           instead of BUSY.  Answered busy n times, then
                           success; DATA_IN 4 bytes: the attempts seen */
    SPT_CMD_HOLD,       /* never completed here: HwResetBus completes it */
    SPT_CMD_DEFER_IRQ,  /* DATA_IN 512 bytes, Cdb[2..5] = LBA: completed by the
                           next HwInterrupt with that block */
    SPT_CMD_DEFER_TIMER,/* completed from HwTimer, ScsiPortCompleteRequest with
                           SP_UNTAGGED wildcards and SRB_STATUS_ABORTED */
};

/* ---- the result log ----------------------------------------------------------- */

enum { SPT_PASS = 1, SPT_FAIL, SPT_SKIP };

/* Where a check ran. */
enum {
    SPT_CTX_FIND = 1,   /* HwFindAdapter */
    SPT_CTX_INIT,       /* HwInitialize */
    SPT_CTX_STARTIO,    /* HwStartIo */
    SPT_CTX_INTERRUPT,  /* HwInterrupt (polled: the adapter has no interrupt) */
    SPT_CTX_TIMER,      /* HwTimer */
    SPT_CTX_RESET,      /* HwResetBus */
    SPT_CTX_CONTROL,    /* HwAdapterControl */
};

#define SPT_WHAT_LEN            72
#define SPT_LOG_MAX             160
#define SPT_LOG_MAGIC           0x4C545053u     /* "SPTL" */
#define SPT_STATS_MAGIC         0x53545053u     /* "SPTS" */
#define SPT_WALK_MAGIC          0x57545053u     /* "SPTW" */
#define SPT_LU_SIGNATURE        0x4C545053u

struct spt_result {
    UCHAR verdict;                  /* SPT_PASS, SPT_FAIL, SPT_SKIP */
    UCHAR role;                     /* SPT_ROLE_* */
    UCHAR context;                  /* SPT_CTX_* */
    UCHAR reserved[5];
    ULONGLONG got, want;            /* for the failure line */
    char what[SPT_WHAT_LEN];        /* NUL-terminated */
};

struct spt_log {
    ULONG magic;                    /* SPT_LOG_MAGIC */
    ULONG count;                    /* entries that follow */
    ULONG lost;                     /* dropped since the last fetch: log full */
    ULONG reserved;
    struct spt_result entry[];
};

#define SPT_LOG_BYTES           (sizeof(struct spt_log) + SPT_LOG_MAX * sizeof(struct spt_result))

/*
 * Calls the miniport made on purpose that the port must refuse with
 * exactly one log line each, totals over every role since boot.  The host
 * counts the lines (tests/qemu/test_scsiport.py).
 */
struct spt_refusals {
    ULONG physaddr;                 /* ScsiPortGetPhysicalAddress -> 0 */
    ULONG bad_ext;                  /* any routine given a bogus device extension */
    ULONG virtaddr;                 /* ScsiPortGetVirtualAddress -> NULL */
    ULONG validate_outside;         /* ValidateRange outside HwFindAdapter */
    ULONG validate_malformed;       /* zero length, wrap, unknown bus */
    ULONG notify_bad_srb;           /* RequestComplete with an SRB not ours */
    ULONG device_base;              /* GetDeviceBase: malformed, or outside HwFindAdapter */
    ULONG uncached;                 /* GetUncachedExtension a second time */
};

struct spt_stats {
    ULONG magic;                    /* SPT_STATS_MAGIC */
    UCHAR role;
    BOOLEAN auto_sense, need_phys, tagged;
    ULONG srbs;                     /* HwStartIo calls */
    ULONG malformed;                /* SRBs the port should have refused */
    ULONG inquiries[SPT_TARGETS];   /* INQUIRY per target id */
    ULONG request_sense;            /* REQUEST SENSE commands */
    ULONG request_sense_flags;      /* SrbFlags of the last one */
    ULONG interrupts;               /* HwInterrupt calls */
    ULONG timer_runs;               /* the HwInitialize timer ran */
    ULONG cancelled_runs;           /* the cancelled timer ran (must stay 0) */
    ULONG resets;                   /* HwResetBus calls */
    ULONG busy_answers;             /* BUSY / QUEUE FULL given */
    struct spt_refusals refused;
};

struct spt_run {
    ULONG offset;                   /* from DataBuffer */
    ULONG length;                   /* ScsiPortGetPhysicalAddress's Length */
    ULONGLONG pa;
};

#define SPT_WALK_MAX            32

/*
 * SPT_CMD_WALK's answer, written over the start of DataBuffer after the
 * walk: runs until the buffer's end, or a run of length 0 where the walk
 * stopped (an unmapped page); end is the offset reached.
 */
struct spt_walk {
    ULONG magic;                    /* SPT_WALK_MAGIC */
    ULONG count;
    ULONG end;
    ULONG reserved;
    struct spt_run run[SPT_WALK_MAX];
};

#endif
