/* Sense data decoding (SPC-4 §4.5). */
#include "sense.h"

#ifdef HOST_TEST
#include <stdio.h>
#else
#include "console.h"
#endif

bool sense_parse(const uint8_t *s, size_t len, struct sense_info *out)
{
    uint8_t code;

    if (!s || len < 1)
        return false;
    code = s[0] & 0x7F;
    *out = (struct sense_info){ .response = code, .deferred = code == 0x71 || code == 0x73 };
    if (code == 0x70 || code == 0x71) {
        if (len < 3)
            return false;
        out->key = s[2] & 0x0F;
        if (len >= 14) {
            out->asc = s[12];
            out->ascq = s[13];
        }
        if ((s[0] & 0x80) && len >= 7) {
            out->info_valid = true;
            out->info = (uint32_t)s[3] << 24 | (uint32_t)s[4] << 16 | (uint32_t)s[5] << 8 | s[6];
        }
        return true;
    }
    if (code == 0x72 || code == 0x73) {
        if (len < 4)
            return false;
        out->key = s[1] & 0x0F;
        out->asc = s[2];
        out->ascq = s[3];
        /* descriptors from byte 8: type 0 is INFORMATION (12 bytes) */
        size_t total = len >= 8 ? 8u + s[7] : len;
        for (size_t off = 8; off + 2 <= total && off + 2 <= len;) {
            size_t dlen = 2u + s[off + 1];
            if (s[off] == 0x00 && dlen >= 12 && off + 12 <= len) {
                out->info_valid = (s[off + 2] & 0x80) != 0;
                out->info = 0;
                for (int i = 0; i < 8; i++)
                    out->info = out->info << 8 | s[off + 4 + i];
            }
            off += dlen;
        }
        return true;
    }
    return false;
}

const char *sense_key_name(uint8_t key)
{
    static const char *const names[16] = {
        "NO SENSE", "RECOVERED ERROR", "NOT READY", "MEDIUM ERROR",
        "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
        "BLANK CHECK", "VENDOR SPECIFIC", "COPY ABORTED", "ABORTED COMMAND",
        "EQUAL", "VOLUME OVERFLOW", "MISCOMPARE", "COMPLETED",
    };
    return names[key & 0x0F];
}

static const struct {
    uint8_t asc, ascq;          /* ascq 0xFF: any qualifier */
    const char *text;
} asc_table[] = {
    { 0x00, 0x00, "no additional sense information" },
    { 0x00, 0x06, "I/O process terminated" },
    { 0x02, 0x00, "no seek complete" },
    { 0x03, 0x00, "peripheral device write fault" },
    { 0x04, 0x00, "logical unit not ready, cause not reportable" },
    { 0x04, 0x01, "logical unit is in process of becoming ready" },
    { 0x04, 0x02, "logical unit not ready, initializing command required" },
    { 0x04, 0x03, "logical unit not ready, manual intervention required" },
    { 0x04, 0xFF, "logical unit not ready" },
    { 0x08, 0xFF, "logical unit communication failure" },
    { 0x0C, 0x02, "write error, auto reallocation failed" },
    { 0x0C, 0xFF, "write error" },
    { 0x10, 0xFF, "ID CRC or ECC error" },
    { 0x11, 0x04, "unrecovered read error, auto reallocate failed" },
    { 0x11, 0xFF, "unrecovered read error" },
    { 0x14, 0x01, "record not found" },
    { 0x14, 0xFF, "recorded entity not found" },
    { 0x1A, 0x00, "parameter list length error" },
    { 0x20, 0x00, "invalid command operation code" },
    { 0x21, 0x00, "logical block address out of range" },
    { 0x24, 0x00, "invalid field in CDB" },
    { 0x25, 0x00, "logical unit not supported" },
    { 0x26, 0xFF, "invalid field in parameter list" },
    { 0x27, 0xFF, "write protected" },
    { 0x28, 0x00, "not ready to ready change, medium may have changed" },
    { 0x29, 0x00, "power on, reset, or bus device reset occurred" },
    { 0x29, 0xFF, "power on or reset occurred" },
    { 0x2A, 0x01, "mode parameters changed" },
    { 0x2A, 0xFF, "parameters changed" },
    { 0x30, 0xFF, "incompatible medium installed" },
    { 0x31, 0xFF, "medium format corrupted" },
    { 0x3A, 0xFF, "medium not present" },
    { 0x3F, 0x0E, "reported LUNs data has changed" },
    { 0x3F, 0xFF, "target operating conditions have changed" },
    { 0x44, 0xFF, "internal target failure" },
    { 0x47, 0xFF, "SCSI parity error" },
    { 0x48, 0x00, "initiator detected error message received" },
    { 0x49, 0x00, "invalid message error" },
    { 0x4B, 0xFF, "data phase error" },
    { 0x4E, 0x00, "overlapped commands attempted" },
    { 0x53, 0x02, "medium removal prevented" },
    { 0x5D, 0xFF, "failure prediction threshold exceeded" },
    { 0x64, 0x00, "illegal mode for this track" },
};

const char *sense_asc_text(uint8_t asc, uint8_t ascq)
{
    for (size_t i = 0; i < sizeof(asc_table) / sizeof(asc_table[0]); i++)
        if (asc_table[i].asc == asc && (asc_table[i].ascq == ascq || asc_table[i].ascq == 0xFF))
            return asc_table[i].text;
    return NULL;
}

int sense_format(char *buf, size_t n, const struct sense_info *si)
{
    const char *text = sense_asc_text(si->asc, si->ascq);

    if (text)
        return snprintf(buf, n, "%s: %s (%02x/%02x)", sense_key_name(si->key), text,
                        si->asc, si->ascq);
    return snprintf(buf, n, "%s: additional sense %02x/%02x", sense_key_name(si->key),
                    si->asc, si->ascq);
}
