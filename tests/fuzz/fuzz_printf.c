/*
 * libFuzzer harness: the kernel's printf formatting (kernel/printf.c),
 * against the host C library, one conversion at a time.
 *
 * Formats are not taken raw from the input: a conversion would then read
 * arguments that were never passed.  Instead each input is a list of
 * conversions, each built from fields - flags, a width (digits, up to 5,
 * or '*' with an int argument), a precision (likewise), a length modifier,
 * the conversion, the value, the literal text around it and the size of
 * the output buffer - and passed exactly the argument it consumes.
 *
 * Properties:
 *  - for every combination the C standard defines (no '#' on d/i/u/c/s, no
 *    '0' on c/s, no '+'/' ' on unsigned or c/s, no precision on c, no
 *    length on c/s), k_snprintf writes the same text, cut the same way,
 *    and returns the same count as snprintf; the MSVC forms %I64d, %I32x
 *    and %Ix give what %lld, %x and %zx give;
 *  - for the rest (those flags anyway, %p, a NULL %s, an unknown
 *    conversion, a '%' ending the format) it returns the length
 *    of what it would write, writes no more than the buffer, and
 *    terminates it.
 */
#include <stdarg.h>

#include "fuzz.h"

int k_snprintf(char *buf, size_t size, const char *fmt, ...);

#define MAX_SPECS   8
#define FMT_MAX     64

struct spec {
    char kfmt[FMT_MAX], cfmt[FMT_MAX];  /* ours (maybe MSVC forms), the C library's */
    char conv;
    int len;                            /* index in klen[] / clen[] */
    bool star_w, star_p, defined;
    int w, p;
    uint64_t v;
    char str[17];
    size_t n;                           /* output buffer size */
};

static const char *const klen[10] = { "", "hh", "h", "l", "ll", "z", "j", "I64", "I32", "I" };
static const char *const clen[10] = { "", "hh", "h", "l", "ll", "z", "j", "ll", "", "z" };

static void append(char *s, const char *t)
{
    strncat(s, t, FMT_MAX - 1 - strlen(s));
}

static void literal(struct fz *f, char *k, char *c)
{
    char t[4] = { 0 };
    unsigned n = fz_u8(f) % 4;

    for (unsigned i = 0; i < n; i++) {
        char ch = (char)(fz_u8(f) % 95 + 32);
        t[i] = ch == '%' ? '=' : ch;
    }
    append(k, t);
    append(c, t);
}

/* Does C define this combination (so the C library's output is the reference)? */
static bool defined(const struct spec *s, unsigned flags)
{
    bool num = s->conv && strchr("diuxXo", s->conv), sgn = s->conv == 'd' || s->conv == 'i';

    if (!s->conv || !strchr("diuxXocs", s->conv))
        return false;
    if ((flags & 0x10) && !strchr("xXo", s->conv))
        return false;                           /* '#' */
    if ((flags & 0x02) && !num)
        return false;                           /* '0' */
    if ((flags & 0x0C) && !sgn)
        return false;                           /* '+', ' ' */
    if (s->conv == 'c' && (s->p >= 0 || s->star_p))
        return false;
    return num || s->len == 0;
}

/* A width or precision written in digits: usually short, now and then up to 5 digits. */
static int digits(struct fz *f, unsigned mode)
{
    return (mode & 0xE0) == 0xE0 ? (int)(fz_u32(f) % 100000) : fz_u8(f) % 40;
}

static void build(struct fz *f, struct spec *s)
{
    static const char convs[] = "diuxXocsp%";
    unsigned flags = fz_u8(f), wm = fz_u8(f), pm = fz_u8(f), c;
    char t[32];

    s->kfmt[0] = s->cfmt[0] = '\0';
    literal(f, s->kfmt, s->cfmt);
    append(s->kfmt, "%");
    append(s->cfmt, "%");
    for (int i = 0; i < 5; i++)
        if (flags & (1u << i)) {
            t[0] = "-0+ #"[i];
            t[1] = '\0';
            append(s->kfmt, t);
            append(s->cfmt, t);
        }
    s->star_w = wm % 3 == 2;
    s->w = wm % 3 == 1 ? digits(f, wm) : wm % 3 == 2 ? (int16_t)fz_u16(f) % 300 : -1;
    s->star_p = pm % 4 == 3;
    s->p = pm % 4 == 1 ? digits(f, pm) : pm % 4 == 2 ? 0
         : pm % 4 == 3 ? (int16_t)fz_u16(f) % 300 : -1;
    if (s->star_w)
        snprintf(t, sizeof(t), "*");
    else if (s->w >= 0)
        snprintf(t, sizeof(t), "%d", s->w);
    else
        t[0] = '\0';
    append(s->kfmt, t);
    append(s->cfmt, t);
    if (s->star_p)
        snprintf(t, sizeof(t), ".*");
    else if (s->p >= 0)
        snprintf(t, sizeof(t), ".%d", s->p);
    else
        t[0] = '\0';
    append(s->kfmt, t);
    append(s->cfmt, t);
    c = fz_u8(f);                               /* flags bit 7: unknown, or '%' ends it */
    s->conv = flags & 0x80 ? (c & 1 ? 'y' : '\0') : convs[c % (sizeof(convs) - 1)];
    s->len = s->conv && strchr("diuxXo", s->conv) ? fz_u8(f) % 10 : 0;
    append(s->kfmt, klen[s->len]);
    append(s->cfmt, clen[s->len]);
    t[0] = s->conv;
    t[1] = '\0';
    append(s->kfmt, t);
    append(s->cfmt, t);
    if (s->conv)
        literal(f, s->kfmt, s->cfmt);
    s->v = fz_u64(f);
    for (unsigned i = 0, n = fz_u8(f) % 17; i < 17; i++)
        s->str[i] = i < n ? (char)(fz_u8(f) % 255 + 1) : '\0';
    s->n = fz_u8(f) % 80;
    s->defined = defined(s, flags) && !(s->conv == 's' && (s->v & 1));
}

/* One call with the argument(s) the conversion consumes; fmt is either format. */
static int call(const struct spec *s, const char *fmt, char *buf, size_t n, bool k)
{
    int (*pf)(char *, size_t, const char *, ...) = k ? k_snprintf : snprintf;
    int w = s->star_w ? s->w : 0, p = s->star_p ? s->p : 0;

#define CALL(arg) (s->star_w && s->star_p ? pf(buf, n, fmt, w, p, arg)     \
                   : s->star_w ? pf(buf, n, fmt, w, arg)                   \
                   : s->star_p ? pf(buf, n, fmt, p, arg) : pf(buf, n, fmt, arg))
    switch (s->conv) {
    case 's': return CALL(s->v & 1 ? (const char *)NULL : s->str);
    case 'p': return CALL((void *)(uintptr_t)s->v);
    case 'c': return CALL((int)(s->v % 255 + 1));   /* not NUL: the text is a string */
    case '%': return CALL(0);
    default:
        break;
    }
    switch (s->len) {
    case 3: return CALL((long)s->v);
    case 4: case 6: case 7: return CALL((long long)s->v);
    case 5: case 9: return CALL((size_t)s->v);
    default: return CALL((int)s->v);
    }
#undef CALL
}

static void check(const struct spec *s)
{
    static char full[200000];
    char *kb = s->n ? malloc(s->n) : NULL, *cb = s->n ? malloc(s->n) : NULL;
    int kn = call(s, s->kfmt, kb, s->n, true), kfull = call(s, s->kfmt, full, sizeof(full), true);

    FZ_CHECK(kn == kfull && kn >= 0 && (size_t)kn < sizeof(full) && strlen(full) == (size_t)kn,
             "'%s': returned %d, whole text %d", s->kfmt, kn, kfull);
    if (s->n)
        FZ_CHECK(memchr(kb, 0, s->n) && strncmp(kb, full, s->n - 1) == 0, "'%s': cut text",
                 s->kfmt);
    if (s->defined) {
        int cn = call(s, s->cfmt, cb, s->n, false);
        FZ_CHECK(kn == cn && (!s->n || strcmp(kb, cb) == 0),
                 "'%s' (C: '%s'), buffer %zu: ours %d '%s', C library %d '%s'", s->kfmt, s->cfmt,
                 s->n, kn, s->n ? kb : "", cn, s->n ? cb : "");
    }
    free(kb);
    free(cb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };
    struct spec s;

    for (int i = 0; i < MAX_SPECS && f.n; i++) {
        build(&f, &s);
        check(&s);
    }
    return 0;
}
