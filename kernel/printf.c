/*
 * printf-style formatting: %d %i %u %x %X %o %c %s %p %%, flags "-0+ #",
 * width and precision (also '*'), length modifiers hh h l ll z t j, and the
 * MSVC forms %I64d/%I64u/%I64x, %I32x and %Ix that DDK-era code uses.
 * No floating point.  Built for the host too (HOST_TEST) and unit-tested
 * against the C library.
 */
#include "types.h"
#include "string.h"

#ifdef HOST_TEST
#define vformat     k_vformat
#define vsnprintf   k_vsnprintf
#define snprintf    k_snprintf
int k_vformat(void (*emit)(void *, char), void *ctx, const char *fmt, va_list ap);
int k_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int k_snprintf(char *buf, size_t size, const char *fmt, ...);
#else
#include "console.h"
#endif

/* The flag characters, in the order of their bits in spec.flags. */
#define FLAG_CHARS  "-0+ #"
enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

struct spec {
    unsigned flags;             /* F_* */
    int width;
    int prec;                   /* -1: none */
    int size;                   /* bytes of the argument: 1, 2, 4, 8 */
};

struct out {
    void (*emit)(void *ctx, char c);
    void *ctx;
    int n;
};

static void put(struct out *o, char c)
{
    o->emit(o->ctx, c);
    o->n++;
}

static void pad(struct out *o, char c, int count)
{
    while (count-- > 0)
        put(o, c);
}

/* len bytes of str, padded with blanks to the width (%s, %c). */
static void put_field(struct out *o, const struct spec *s, const char *str, int len)
{
    if (!(s->flags & F_LEFT))
        pad(o, ' ', s->width - len);
    for (int i = 0; i < len; i++)
        put(o, str[i]);
    if (s->flags & F_LEFT)
        pad(o, ' ', s->width - len);
}

static void put_num(struct out *o, const struct spec *s, uint64_t v, bool neg,
                    unsigned base, bool upper)
{
    char buf[24];
    int len = 0, zeros, total;
    const char *prefix = "";

    while (v) {
        char c = "0123456789abcdef"[v % base];
        buf[len++] = upper && c > '9' ? c - ('a' - 'A') : c;
        v /= base;
    }
    if (s->prec < 0 && len == 0)
        buf[len++] = '0';
    if (neg)
        prefix = "-";
    else if (s->flags & F_PLUS)
        prefix = "+";
    else if (s->flags & F_SPACE)
        prefix = " ";
    if ((s->flags & F_ALT) && base == 16 && len && !(len == 1 && buf[0] == '0'))
        prefix = upper ? "0X" : "0x";
    if ((s->flags & F_ALT) && base == 8 && s->prec <= len && (len == 0 || buf[len - 1] != '0'))
        prefix = "0";                   /* unless the precision already leads with one */

    zeros = s->prec > len ? s->prec - len : 0;
    total = (int)__builtin_strlen(prefix) + zeros + len;
    if ((s->flags & (F_ZERO | F_LEFT)) == F_ZERO && s->prec < 0)
        zeros += s->width > total ? s->width - total : 0;
    else if (!(s->flags & F_LEFT))
        pad(o, ' ', s->width - total);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    pad(o, '0', zeros);
    while (len)
        put(o, buf[--len]);
    if (s->flags & F_LEFT)
        pad(o, ' ', s->width - total);
}

/* %d %i %u %x %X %o %p: the argument, of s->size bytes, in its base. */
static void put_int(struct out *o, struct spec *s, char conv, va_list *ap)
{
    bool sign = conv == 'd' || conv == 'i';
    unsigned base = conv == 'o' ? 8 : sign || conv == 'u' ? 10 : 16;
    uint64_t v;

    if (conv == 'p') {
        s->flags |= F_ALT;
        s->size = sizeof(void *);
    }
    if (s->size == 8) {
        v = va_arg(*ap, unsigned long long);
    } else {
        unsigned shift = 32 - 8 * (unsigned)s->size;    /* keep the low size bytes */
        uint32_t u = va_arg(*ap, unsigned) << shift;
        v = sign ? (uint64_t)(int64_t)((int32_t)u >> shift) : u >> shift;
    }
    sign = sign && (int64_t)v < 0;
    put_num(o, s, sign ? -v : v, sign, base, conv == 'X');
}

/* A width or precision: digits, or '*' for the next int argument. */
static int parse_count(const char **f, va_list *ap)
{
    int n = 0;

    if (**f == '*') {
        (*f)++;
        return va_arg(*ap, int);
    }
    while (**f >= '0' && **f <= '9')
        n = n * 10 + (*(*f)++ - '0');
    return n;
}

/* Parse flags, width, precision and length; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .prec = -1, .size = 4 };
    for (const char *p; *f && (p = strchr(FLAG_CHARS, *f)) != NULL; f++)
        s->flags |= 1u << (p - FLAG_CHARS);
    s->width = parse_count(&f, ap);
    if (s->width < 0) {
        s->flags |= F_LEFT;
        s->width = -s->width;
    }
    if (*f == '.') {
        f++;
        s->prec = parse_count(&f, ap);
        if (s->prec < 0)
            s->prec = -1;
    }
    if (f[0] == 'h' && f[1] == 'h') { s->size = 1; f += 2; }
    else if (f[0] == 'h') { s->size = 2; f++; }
    else if (f[0] == 'l' && f[1] == 'l') { s->size = 8; f += 2; }
    else if (f[0] == 'l' || f[0] == 'z' || f[0] == 't') { s->size = sizeof(long); f++; }
    else if (f[0] == 'j' || f[0] == 'L' || f[0] == 'q') { s->size = 8; f++; }
    else if (f[0] == 'I' && f[1] == '6' && f[2] == '4') { s->size = 8; f += 3; }
    else if (f[0] == 'I' && f[1] == '3' && f[2] == '2') { s->size = 4; f += 3; }
    else if (f[0] == 'I') { s->size = sizeof(void *); f++; }
    return f;
}

int vformat(void (*emit)(void *, char), void *ctx, const char *fmt, va_list ap0)
{
    struct out o = { emit, ctx, 0 };
    struct spec s;
    va_list ap;

    va_copy(ap, ap0);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        f = parse_spec(f + 1, &s, &ap);
        switch (*f) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': case 'p':
            put_int(&o, &s, *f, &ap);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            put_field(&o, &s, &c, 1);
            break;
        }
        case 's': {
            const char *str = va_arg(ap, const char *);
            int len = 0;
            if (!str)
                str = "(null)";
            while (str[len] && (s.prec < 0 || len < s.prec))
                len++;
            put_field(&o, &s, str, len);
            break;
        }
        case '\0':
            f--;                /* lone '%' at the end: print nothing more */
            break;
        default:                /* "%%"; an unknown conversion shows as written */
            if (*f != '%')
                put(&o, '%');
            put(&o, *f);
            break;
        }
    }
    va_end(ap);
    return o.n;
}

struct sbuf {
    char *p;
    size_t left;                /* room for characters, not counting the NUL */
};

static void sbuf_emit(void *ctx, char c)
{
    struct sbuf *b = ctx;

    if (b->left) {
        *b->p++ = c;
        b->left--;
    }
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct sbuf b = { buf, size ? size - 1 : 0 };
    int n = vformat(sbuf_emit, &b, fmt, ap);

    if (size)
        *b.p = '\0';
    return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
