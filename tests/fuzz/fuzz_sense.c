/*
 * libFuzzer harness: sense data decoding (kernel/sense.c), as a device or
 * a miniport hands it back in the SRB's sense buffer.
 *
 * Input: one byte, the size of the text buffer for sense_format; the rest
 * is the sense data, in an exact-size heap block.
 *
 * Properties:
 *  - sense_parse reads only the len bytes given (ASan), refuses len 0 and
 *    anything that is not response code 70h-73h;
 *  - what it decodes is where SPC-4 puts it: the key, ASC and ASCQ of the
 *    fixed and descriptor formats (ASC/ASCQ only when the bytes are there),
 *    the fixed INFORMATION field only with VALID set, the descriptor one
 *    only from a type 00h descriptor of at least 12 bytes lying within len;
 *  - sense_format never writes past n, always terminates, and returns the
 *    length of the whole text, which starts with the key's name.
 */
#include "sense.h"
#include "fuzz.h"

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void check_fixed(const uint8_t *s, size_t len, const struct sense_info *si)
{
    FZ_CHECK(len >= 3 && si->key == (s[2] & 0x0F), "fixed: key %x of %zu bytes", si->key, len);
    if (len >= 14)
        FZ_CHECK(si->asc == s[12] && si->ascq == s[13], "fixed: ASC %02x/%02x", si->asc, si->ascq);
    else
        FZ_CHECK(si->asc == 0 && si->ascq == 0, "fixed: ASC from %zu bytes", len);
    FZ_CHECK(si->info_valid == ((s[0] & 0x80) && len >= 7), "fixed: INFORMATION valid %d",
             si->info_valid);
    if (si->info_valid)
        FZ_CHECK(si->info == be(s + 3, 4), "fixed: INFORMATION %llx", (unsigned long long)si->info);
}

/* Some type 00h descriptor of at least 12 bytes, inside len, holds this INFORMATION. */
static bool info_descriptor_at(const uint8_t *s, size_t len, const struct sense_info *si)
{
    for (size_t off = 8; off + 12 <= len; off++)
        if (s[off] == 0x00 && s[off + 1] >= 10 && be(s + off + 4, 8) == si->info &&
            ((s[off + 2] & 0x80) != 0) == si->info_valid)
            return true;
    return false;
}

static void check_descriptor(const uint8_t *s, size_t len, const struct sense_info *si)
{
    FZ_CHECK(len >= 4, "descriptor format from %zu bytes", len);
    FZ_CHECK(si->key == (s[1] & 0x0F) && si->asc == s[2] && si->ascq == s[3],
             "descriptor: %x/%02x/%02x", si->key, si->asc, si->ascq);
    if (si->info_valid || si->info)
        FZ_CHECK(info_descriptor_at(s, len, si), "descriptor: INFORMATION %llx from nowhere",
                 (unsigned long long)si->info);
}

static void check_format(const struct sense_info *si, size_t n)
{
    char full[256], *buf = malloc(n ? n : 1);
    int len = sense_format(full, sizeof(full), si), got;
    const char *key = sense_key_name(si->key);

    if (!buf)
        abort();
    FZ_CHECK(len > 0 && (size_t)len < sizeof(full) && strlen(full) == (size_t)len,
             "sense_format: %d", len);
    FZ_CHECK(strncmp(full, key, strlen(key)) == 0, "'%s' does not start with '%s'", full, key);
    got = sense_format(buf, n, si);
    FZ_CHECK(got == len, "sense_format into %zu bytes returned %d, not %d", n, got, len);
    if (n) {
        size_t kept = (size_t)len < n ? (size_t)len : n - 1;
        FZ_CHECK(buf[kept] == '\0' && memcmp(buf, full, kept) == 0, "cut text '%.*s'",
                 (int)kept, buf);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    size_t text = fz_u8(&f) % 96, len;
    const uint8_t *p = fz_bytes(&f, f.n, &len);
    uint8_t *s = fz_dup(p, len);
    struct sense_info si;
    bool ok = sense_parse(s, len, &si);
    uint8_t code = len ? s[0] & 0x7F : 0;

    FZ_CHECK(ok == (len >= 1 && (((code == 0x70 || code == 0x71) && len >= 3) ||
                                 ((code == 0x72 || code == 0x73) && len >= 4))),
             "sense_parse returned %d for code %02x, %zu bytes", ok, code, len);
    if (ok) {
        FZ_CHECK(si.response == code && si.deferred == (code == 0x71 || code == 0x73),
                 "response %02x deferred %d", si.response, si.deferred);
        if (code <= 0x71)
            check_fixed(s, len, &si);
        else
            check_descriptor(s, len, &si);
        check_format(&si, text);
    }
    free(s);
    return 0;
}
