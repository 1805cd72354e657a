/*
 * `scsi smart`: ATA IDENTIFY and SMART through IOCTL_SCSI_MINIPORT, as NT's
 * disk class driver asked miniports for them - an SRB_FUNCTION_IO_CONTROL
 * whose data is an SRB_IO_CONTROL header ("SCSIDISK") followed by
 * SENDCMDINPARAMS, answered with SENDCMDOUTPARAMS.  Any miniport that
 * answers them works; one that does not is said to not support it.
 * A diagnostic: linked into build/kernel.elf only, it adds itself to the
 * `scsi` command (scsicmds.h).
 */
#include "shell.h"
#include "console.h"
#include "string.h"
#include "heap.h"
#include "disk.h"
#include "scsicmds.h"
#include "scsiport.h"
#include "ntddscsi.h"
#include "ntdddisk.h"

#define SMART_TIMEOUT_S 10
#define SMART_DATA      512
#define IOC_BYTES       (sizeof(SRB_IO_CONTROL) + sizeof(SENDCMDOUTPARAMS) + SMART_DATA)

struct smart_op {
    const char *name;
    ULONG code;
    UCHAR command, feature;
    ULONG out_bytes;                    /* of bBuffer */
};

static const struct smart_op ops[] = {
    { "identify", IOCTL_SCSI_MINIPORT_IDENTIFY, ID_CMD, 0, IDENTIFY_BUFFER_SIZE },
    { "attributes", IOCTL_SCSI_MINIPORT_READ_SMART_ATTRIBS, SMART_CMD, READ_ATTRIBUTES,
      READ_ATTRIBUTE_BUFFER_SIZE },
    { "thresholds", IOCTL_SCSI_MINIPORT_READ_SMART_THRESHOLDS, SMART_CMD, READ_THRESHOLDS,
      READ_THRESHOLD_BUFFER_SIZE },
    { "status", IOCTL_SCSI_MINIPORT_RETURN_STATUS, SMART_CMD, RETURN_SMART_STATUS,
      sizeof(IDEREGS) },
    { "enable", IOCTL_SCSI_MINIPORT_ENABLE_SMART, SMART_CMD, ENABLE_SMART, 0 },
};

/* Run one SMART IOCTL; returns the output buffer (inside io) or NULL. */
static const UCHAR *smart_ioctl(struct disk *d, const struct smart_op *op, uint8_t *io)
{
    PSRB_IO_CONTROL h = (PSRB_IO_CONTROL)io;
    PSENDCMDINPARAMS in = (PSENDCMDINPARAMS)(h + 1);
    PSENDCMDOUTPARAMS out = (PSENDCMDOUTPARAMS)(h + 1);
    struct scsi_request *r = scsi_req_alloc();
    UCHAR st;

    if (!r) {
        printf("scsi smart: out of request blocks\n");
        return NULL;
    }
    memset(io, 0, IOC_BYTES);
    h->HeaderLength = sizeof(*h);
    memcpy(h->Signature, "SCSIDISK", 8);
    h->Timeout = SMART_TIMEOUT_S;
    h->ControlCode = op->code;
    h->Length = IOC_BYTES - sizeof(*h);
    in->cBufferSize = op->out_bytes;
    in->irDriveRegs.bFeaturesReg = op->feature;
    in->irDriveRegs.bSectorCountReg = 1;
    in->irDriveRegs.bSectorNumberReg = 1;
    if (op->command == SMART_CMD) {
        in->irDriveRegs.bCylLowReg = SMART_CYL_LOW;
        in->irDriveRegs.bCylHighReg = SMART_CYL_HI;
    }
    in->irDriveRegs.bCommandReg = op->command;
    in->bDriveNumber = d->lu->target;

    r->lu = d->lu;
    r->srb.Function = SRB_FUNCTION_IO_CONTROL;
    r->srb.PathId = d->lu->path;
    r->srb.TargetId = d->lu->target;
    r->srb.Lun = d->lu->lun;
    r->srb.DataBuffer = io;
    r->srb.DataTransferLength = IOC_BYTES;
    r->srb.SrbFlags = SRB_FLAGS_DATA_IN | SRB_FLAGS_DATA_OUT | SRB_FLAGS_NO_QUEUE_FREEZE;
    r->srb.TimeOutValue = SMART_TIMEOUT_S + 2;
    st = scsi_exec(r);
    scsi_req_free(r);
    if (st == SRB_STATUS_INVALID_REQUEST || st == SRB_STATUS_BAD_FUNCTION) {
        printf("%s: %s does not answer SMART requests (%s)\n", d->name, d->lu->ad->name,
               op->name);
        return NULL;
    }
    if (st != SRB_STATUS_SUCCESS || h->ReturnCode) {
        printf("%s: smart %s failed (SRB status %02x, return code %lu, drive error %02x/%02x)\n",
               d->name, op->name, st, h->ReturnCode, out->DriverStatus.bDriverError,
               out->DriverStatus.bIDEError);
        return NULL;
    }
    return out->bBuffer;
}

/* An ATA string: byte pairs swapped, trailing blanks cut. */
static void ata_string(char *dst, const UCHAR *words, int nwords)
{
    int n = 0;

    for (int i = 0; i < nwords; i++) {
        dst[n++] = (char)words[2 * i + 1];
        dst[n++] = (char)words[2 * i];
    }
    while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == 0))
        n--;
    dst[n] = '\0';
    for (int i = 0; i < n; i++)
        if (dst[i] < 0x20 || dst[i] > 0x7E)
            dst[i] = '?';
}

static void show_identify(struct disk *d, const UCHAR *b)
{
    char model[41], serial[21], fw[9];
    const uint16_t *w = (const uint16_t *)b;
    uint64_t lba48 = (uint64_t)w[103] << 48 | (uint64_t)w[102] << 32 | (uint64_t)w[101] << 16 | w[100];

    ata_string(serial, b + 20, 10);
    ata_string(fw, b + 46, 4);
    ata_string(model, b + 54, 20);
    printf("%s: model \"%s\" serial \"%s\" firmware \"%s\"\n", d->name, model, serial, fw);
    printf("%s: %llu sectors (LBA48), SMART %s, %s\n", d->name, (unsigned long long)lba48,
           (w[82] & 1) ? ((w[85] & 1) ? "enabled" : "supported, disabled") : "not supported",
           (w[76] & (1 << 8)) ? "NCQ" : "no NCQ");
}

/* The 30 attribute entries (12 bytes from byte 2), with thresholds when known. */
static void show_attributes(struct disk *d, const UCHAR *a, const UCHAR *t)
{
    printf("%s:  ID  flags  value  worst  thresh  raw\n", d->name);
    for (int i = 0; i < 30; i++) {
        const UCHAR *e = a + 2 + 12 * i;
        const UCHAR *th = t ? t + 2 + 12 * i : NULL;
        char thresh[8] = "-";
        uint64_t raw = 0;

        if (!e[0])
            continue;
        for (int k = 5; k >= 0; k--)
            raw = raw << 8 | e[5 + k];
        if (th && th[0] == e[0])
            snprintf(thresh, sizeof(thresh), "%u", th[1]);
        printf("%s: %3u  %04x   %3u    %3u    %4s    %llu\n", d->name, e[0],
               e[1] | e[2] << 8, e[3], e[4], thresh, (unsigned long long)raw);
    }
}

static void show_status(struct disk *d, const UCHAR *regs)
{
    const IDEREGS *r = (const IDEREGS *)regs;
    const char *verdict = "unknown";

    if (r->bCylLowReg == SMART_CYL_LOW && r->bCylHighReg == SMART_CYL_HI)
        verdict = "OK";
    else if (r->bCylLowReg == 0xF4 && r->bCylHighReg == 0x2C)
        verdict = "threshold exceeded - back the data up now";
    printf("%s: SMART status: %s\n", d->name, verdict);
}

static int do_smart(struct disk *d, unsigned op)
{
    uint8_t *io = kzalloc(IOC_BYTES), *attrs = kzalloc(SMART_DATA);
    const UCHAR *out;
    int rc = CMD_FAIL;

    if (!io || !attrs) {
        printf("scsi smart: out of memory\n");
        goto done;
    }
    out = smart_ioctl(d, &ops[op], io);
    if (!out)
        goto done;
    rc = CMD_OK;
    switch (op) {
    case 0:
        show_identify(d, out);
        break;
    case 1:
        memcpy(attrs, out, SMART_DATA);
        show_attributes(d, attrs, smart_ioctl(d, &ops[2], io));
        break;
    case 2:
        for (int i = 0; i < 30; i++)
            if (out[2 + 12 * i])
                printf("%s: attribute %3u threshold %3u\n", d->name, out[2 + 12 * i],
                       out[3 + 12 * i]);
        break;
    case 3:
        show_status(d, out);
        break;
    default:
        printf("%s: SMART enabled\n", d->name);
        break;
    }
done:
    kfree(attrs);
    kfree(io);
    return rc;
}

const char scsi_usage[sizeof(scsi_usage)] = SCSI_USAGE(SCSI_SMART_USAGE);
const char scsi_help[sizeof(scsi_help)] = SCSI_HELP(SCSI_SMART_HELP);

int scsi_smart(int argc, char **argv)
{
    struct disk *d = scsi_cur_disk("smart");
    const char *what = argc > 2 ? argv[2] : "status";

    if (!d)
        return CMD_FAIL;
    for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
        if (!strcmp(what, ops[i].name))
            return do_smart(d, i);
    printf("scsi smart: want identify, attributes, thresholds, status or enable\n");
    return CMD_FAIL;
}
