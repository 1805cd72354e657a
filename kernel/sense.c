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

const char *nth_string(const char *list, unsigned n)
{
    while (n--)
        while (*list++)
            ;
    return list;
}

const char *sense_key_name(uint8_t key)
{
    return nth_string("NO SENSE\0RECOVERED ERROR\0NOT READY\0MEDIUM ERROR\0"
                      "HARDWARE ERROR\0ILLEGAL REQUEST\0UNIT ATTENTION\0DATA PROTECT\0"
                      "BLANK CHECK\0VENDOR SPECIFIC\0COPY ABORTED\0ABORTED COMMAND\0"
                      "EQUAL\0VOLUME OVERFLOW\0MISCOMPARE\0COMPLETED", key & 0x0F);
}

/*
 * Additional sense codes and qualifiers (ascq 0xFF: any qualifier) and
 * their text: two tables made from one list, the codes two bytes a line
 * and the texts end to end, rather than a pointer a line.
 */
#define ASC_LIST(X) \
    X(0x00, 0x00, "no additional sense information") \
    X(0x00, 0x06, "I/O process terminated") \
    X(0x02, 0x00, "no seek complete") \
    X(0x03, 0x00, "peripheral device write fault") \
    X(0x04, 0x00, "logical unit not ready, cause not reportable") \
    X(0x04, 0x01, "logical unit is in process of becoming ready") \
    X(0x04, 0x02, "logical unit not ready, initializing command required") \
    X(0x04, 0x03, "logical unit not ready, manual intervention required") \
    X(0x04, 0xFF, "logical unit not ready") \
    X(0x08, 0xFF, "logical unit communication failure") \
    X(0x0C, 0x02, "write error, auto reallocation failed") \
    X(0x0C, 0xFF, "write error") \
    X(0x10, 0xFF, "ID CRC or ECC error") \
    X(0x11, 0x04, "unrecovered read error, auto reallocate failed") \
    X(0x11, 0xFF, "unrecovered read error") \
    X(0x14, 0x01, "record not found") \
    X(0x14, 0xFF, "recorded entity not found") \
    X(0x1A, 0x00, "parameter list length error") \
    X(0x20, 0x00, "invalid command operation code") \
    X(0x21, 0x00, "logical block address out of range") \
    X(0x24, 0x00, "invalid field in CDB") \
    X(0x25, 0x00, "logical unit not supported") \
    X(0x26, 0xFF, "invalid field in parameter list") \
    X(0x27, 0xFF, "write protected") \
    X(0x28, 0x00, "not ready to ready change, medium may have changed") \
    X(0x29, 0x00, "power on, reset, or bus device reset occurred") \
    X(0x29, 0xFF, "power on or reset occurred") \
    X(0x2A, 0x01, "mode parameters changed") \
    X(0x2A, 0xFF, "parameters changed") \
    X(0x30, 0xFF, "incompatible medium installed") \
    X(0x31, 0xFF, "medium format corrupted") \
    X(0x3A, 0xFF, "medium not present") \
    X(0x3F, 0x0E, "reported LUNs data has changed") \
    X(0x3F, 0xFF, "target operating conditions have changed") \
    X(0x44, 0xFF, "internal target failure") \
    X(0x47, 0xFF, "SCSI parity error") \
    X(0x48, 0x00, "initiator detected error message received") \
    X(0x49, 0x00, "invalid message error") \
    X(0x4B, 0xFF, "data phase error") \
    X(0x4E, 0x00, "overlapped commands attempted") \
    X(0x53, 0x02, "medium removal prevented") \
    X(0x5D, 0xFF, "failure prediction threshold exceeded") \
    X(0x64, 0x00, "illegal mode for this track")

#define ASC_CODES(asc, ascq, text)  { asc, ascq },
#define ASC_TEXT(asc, ascq, text)   text "\0"
static const uint8_t asc_codes[][2] = { ASC_LIST(ASC_CODES) };
static const char asc_texts[] = ASC_LIST(ASC_TEXT);

const char *sense_asc_text(uint8_t asc, uint8_t ascq)
{
    for (unsigned i = 0; i < sizeof(asc_codes) / sizeof(asc_codes[0]); i++)
        if (asc_codes[i][0] == asc && (asc_codes[i][1] == ascq || asc_codes[i][1] == 0xFF))
            return nth_string(asc_texts, i);
    return NULL;
}

int sense_format(char *buf, size_t n, const struct sense_info *si)
{
    const char *text = sense_asc_text(si->asc, si->ascq);

    return snprintf(buf, n, text ? "%s: %s (%02x/%02x)" : "%s: %sadditional sense %02x/%02x",
                    sense_key_name(si->key), text ? text : "", si->asc, si->ascq);
}
