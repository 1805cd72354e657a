/*
 * SRB_FUNCTION_IO_CONTROL for the AHCI miniport: the "SCSIDISK" miniport
 * IOCTLs through which NT's disk class driver reached SMART (ntddscsi.h,
 * ntdddisk.h): SMART_VERSION, IDENTIFY, READ_SMART_ATTRIBS,
 * READ_SMART_THRESHOLDS, ENABLE_SMART, DISABLE_SMART, RETURN_STATUS.
 *
 * The data buffer is an SRB_IO_CONTROL header followed by SENDCMDINPARAMS
 * on the way in and SENDCMDOUTPARAMS on the way out (same bytes).  The
 * device is the one the SRB addresses (bDriveNumber is not consulted).
 * SMART data (512 bytes) is moved by DMA straight into the output buffer.
 */
#include "ahcivar.h"
#include "ntddscsi.h"
#include "ntdddisk.h"

#define SMART_SIGNATURE         "SCSIDISK"
#define SENDCMDOUT_HDR          (FIELD_OFFSET(SENDCMDOUTPARAMS, bBuffer))
#define SENDCMDIN_HDR           (FIELD_OFFSET(SENDCMDINPARAMS, bBuffer))

static PSRB_IO_CONTROL ioc_header(PSCSI_REQUEST_BLOCK srb)
{
    return srb->DataBuffer;
}

static PSENDCMDOUTPARAMS ioc_out(PSCSI_REQUEST_BLOCK srb)
{
    return (PSENDCMDOUTPARAMS)((PUCHAR)srb->DataBuffer + sizeof(SRB_IO_CONTROL));
}

/* Does the buffer hold the header plus 'payload' bytes? */
static BOOLEAN ioc_fits(PSCSI_REQUEST_BLOCK srb, ULONG payload)
{
    PSRB_IO_CONTROL h = ioc_header(srb);

    return srb->DataTransferLength >= sizeof(SRB_IO_CONTROL) + payload &&
           h->HeaderLength >= sizeof(SRB_IO_CONTROL) &&
           h->Length >= payload;
}

/* Finish: ReturnCode, Length and the driver status in SENDCMDOUTPARAMS. */
static void ioc_finish(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, ULONG bytes,
                       UCHAR driver_error, UCHAR ide_error)
{
    PSENDCMDOUTPARAMS out = ioc_out(srb);

    out->cBufferSize = bytes;
    memset(&out->DriverStatus, 0, sizeof(out->DriverStatus));
    out->DriverStatus.bDriverError = driver_error;
    out->DriverStatus.bIDEError = ide_error;
    ioc_header(srb)->ReturnCode = driver_error;
    ioc_header(srb)->Length = SENDCMDOUT_HDR + bytes;
    ahci_complete(ad, srb, driver_error ? SRB_STATUS_ERROR : SRB_STATUS_SUCCESS);
}

static void ioc_version(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, struct ahci_port *pt)
{
    PGETVERSIONINPARAMS v = (PGETVERSIONINPARAMS)ioc_out(srb);

    if (!ioc_fits(srb, sizeof(*v))) {
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    memset(v, 0, sizeof(*v));
    v->bVersion = 1;
    v->bRevision = 1;
    v->fCapabilities = CAP_ATA_ID_CMD | CAP_ATAPI_ID_CMD | CAP_SMART_CMD;
    /* Bits 0-3: ATA devices, 4-7: ATAPI devices, by position on the "channel". */
    v->bIDEDeviceMap = (UCHAR)(1u << ((pt->num & 3) + (pt->dev == AHCI_DEV_ATAPI ? 4 : 0)));
    ioc_header(srb)->ReturnCode = 0;
    ioc_header(srb)->Length = sizeof(*v);
    ahci_complete(ad, srb, SRB_STATUS_SUCCESS);
}

/* IDENTIFY answers from the data read at bring-up. */
static void ioc_identify(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, struct ahci_port *pt,
                         UCHAR command)
{
    UCHAR want = pt->dev == AHCI_DEV_ATAPI ? ATAPI_ID_CMD : ID_CMD;

    if (!ioc_fits(srb, SENDCMDOUT_HDR + IDENTIFY_BUFFER_SIZE)) {
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (command != want) {
        ioc_finish(ad, srb, 0, SMART_INVALID_COMMAND, 0);
        return;
    }
    memcpy(ioc_out(srb)->bBuffer, pt->mem->identify, IDENTIFY_BUFFER_SIZE);
    ioc_finish(ad, srb, IDENTIFY_BUFFER_SIZE, SMART_NO_ERROR, 0);
}

/* A SMART command to an ATA disk: data (512 bytes) lands in the output buffer. */
static void ioc_smart(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb, struct ahci_port *pt,
                      UCHAR feature, BOOLEAN data)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    ULONG need = SENDCMDOUT_HDR + (data ? READ_ATTRIBUTE_BUFFER_SIZE : sizeof(IDEREGS));

    if (!ioc_fits(srb, need > SENDCMDIN_HDR ? need : SENDCMDIN_HDR)) {
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (pt->dev != AHCI_DEV_ATA || !(pt->mem->identify[ID_CMDSET_82] & ID_82_SMART)) {
        ioc_finish(ad, srb, 0, SMART_NOT_SUPPORTED, 0);
        return;
    }
    x->kind = AHCI_K_SMART;
    x->xl.tf.command = ATA_CMD_SMART;
    x->xl.tf.features = feature;
    x->xl.tf.count = 1;
    x->xl.tf.lba = (ULONG)ATA_SMART_LBA_MID << 8 | (ULONG)ATA_SMART_LBA_HIGH << 16;
    if (data) {
        x->xl.tf.flags = ATA_TF_DATA_IN;
        x->xl.tf.bytes = READ_ATTRIBUTE_BUFFER_SIZE;
        x->data = ioc_out(srb)->bBuffer;
        x->len = READ_ATTRIBUTE_BUFFER_SIZE;
    }
    ahci_submit(ad, pt, srb);
}

/*
 * The SMART commands' features, by IOCTL code from READ_SMART_ATTRIBS on;
 * the first two read a 512-byte block.
 */
static const UCHAR smart_features[] = {
    ATA_SMART_READ_DATA,                    /* IOCTL_SCSI_MINIPORT_READ_SMART_ATTRIBS */
    ATA_SMART_READ_THRESHOLDS,              /* ..._READ_SMART_THRESHOLDS */
    ATA_SMART_ENABLE,                       /* ..._ENABLE_SMART */
    ATA_SMART_DISABLE,                      /* ..._DISABLE_SMART */
    ATA_SMART_RETURN_STATUS,                /* ..._RETURN_STATUS */
};
#define SMART_IOCTL_FIRST       IOCTL_SCSI_MINIPORT_READ_SMART_ATTRIBS
_Static_assert(IOCTL_SCSI_MINIPORT_READ_SMART_THRESHOLDS == SMART_IOCTL_FIRST + 1 &&
               IOCTL_SCSI_MINIPORT_ENABLE_SMART == SMART_IOCTL_FIRST + 2 &&
               IOCTL_SCSI_MINIPORT_DISABLE_SMART == SMART_IOCTL_FIRST + 3 &&
               IOCTL_SCSI_MINIPORT_RETURN_STATUS == SMART_IOCTL_FIRST + 4,
               "the SMART IOCTL codes are consecutive");

void ahci_ioctl_start(struct ahci_adapter *ad, PSCSI_REQUEST_BLOCK srb)
{
    PSRB_IO_CONTROL h = ioc_header(srb);
    struct ahci_port *pt = ahci_target(ad, srb);
    PSENDCMDINPARAMS in;
    ULONG smart;

    if (srb->DataTransferLength < sizeof(*h) || memcmp(h->Signature, SMART_SIGNATURE, 8)) {
        ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
        return;
    }
    if (!pt) {
        ahci_complete(ad, srb, SRB_STATUS_SELECTION_TIMEOUT);
        return;
    }
    in = (PSENDCMDINPARAMS)(h + 1);
    smart = h->ControlCode - SMART_IOCTL_FIRST;
    if (h->ControlCode == IOCTL_SCSI_MINIPORT_SMART_VERSION) {
        ioc_version(ad, srb, pt);
        return;
    }
    if (h->ControlCode == IOCTL_SCSI_MINIPORT_IDENTIFY && ioc_fits(srb, SENDCMDIN_HDR)) {
        ioc_identify(ad, srb, pt, in->irDriveRegs.bCommandReg);
        return;
    }
    if (smart < sizeof(smart_features)) {
        ioc_smart(ad, srb, pt, smart_features[smart], smart < 2);
        return;
    }
    ahci_complete(ad, srb, SRB_STATUS_INVALID_REQUEST);
}

/* A SMART command finished (ok) or failed: the output structure. */
void ahci_ioctl_done(struct ahci_adapter *ad, struct ahci_port *pt, PSCSI_REQUEST_BLOCK srb,
                     const struct ata_result *res, BOOLEAN ok)
{
    struct ahci_srbx *x = ahci_srbx(srb);
    PIDEREGS regs;

    (void)pt;
    if (!ok) {
        ioc_finish(ad, srb, 0, SMART_IDE_ERROR, res->error);
        return;
    }
    if (x->xl.tf.bytes) {
        ioc_finish(ad, srb, x->xl.tf.bytes, SMART_NO_ERROR, 0);
        return;
    }
    /* Non-data commands return the task file (RETURN STATUS: LBA mid/high say it). */
    regs = (PIDEREGS)ioc_out(srb)->bBuffer;
    regs->bFeaturesReg = x->xl.tf.features;
    regs->bSectorCountReg = (UCHAR)res->count;
    regs->bSectorNumberReg = (UCHAR)res->lba;
    regs->bCylLowReg = (UCHAR)(res->lba >> 8);
    regs->bCylHighReg = (UCHAR)(res->lba >> 16);
    regs->bDriveHeadReg = res->device;
    regs->bCommandReg = res->status;
    regs->bReserved = 0;
    ioc_finish(ad, srb, sizeof(IDEREGS), SMART_NO_ERROR, 0);
}
