/*
 * printf-style formatting: %d %i %u %x %X %o %c %s %p %%, flags "-0+ #",
 * width and precision (also '*'), length modifiers hh h l ll z t j, and the
 * MSVC forms %I64d/%I64u/%I64x, %I32x and %Ix that DDK-era code uses.
 * No floating point.  Built for the host too (HOST_TEST) and unit-tested
 * against the C library.
 */
#include "types.h"

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

struct spec {
    bool left, zero, plus, space, alt;
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

static void put_str(struct out *o, const struct spec *s, const char *str)
{
    int len = 0;

    if (!str)
        str = "(null)";
    while (str[len] && (s->prec < 0 || len < s->prec))
        len++;
    if (!s->left)
        pad(o, ' ', s->width - len);
    for (int i = 0; i < len; i++)
        put(o, str[i]);
    if (s->left)
        pad(o, ' ', s->width - len);
}

static void put_num(struct out *o, const struct spec *s, uint64_t v, bool neg,
                    unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    int len = 0, zeros, total;
    const char *prefix = "";

    while (v) {
        buf[len++] = digits[v % base];
        v /= base;
    }
    if (s->prec < 0 && len == 0)
        buf[len++] = '0';
    if (neg)
        prefix = "-";
    else if (s->plus)
        prefix = "+";
    else if (s->space)
        prefix = " ";
    if (s->alt && base == 16 && len && !(len == 1 && buf[0] == '0'))
        prefix = upper ? "0X" : "0x";
    if (s->alt && base == 8 && s->prec <= len && (len == 0 || buf[len - 1] != '0'))
        prefix = "0";                   /* unless the precision already leads with one */

    zeros = s->prec > len ? s->prec - len : 0;
    total = (int)__builtin_strlen(prefix) + zeros + len;
    if (s->zero && !s->left && s->prec < 0)
        zeros += s->width > total ? s->width - total : 0;
    else if (!s->left)
        pad(o, ' ', s->width - total);
    for (const char *p = prefix; *p; p++)
        put(o, *p);
    pad(o, '0', zeros);
    while (len)
        put(o, buf[--len]);
    if (s->left)
        pad(o, ' ', s->width - total);
}

/* Parse flags, width, precision and length; returns the conversion char. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
    *s = (struct spec){ .prec = -1, .size = 4 };
    for (;; f++) {
        if (*f == '-') s->left = true;
        else if (*f == '0') s->zero = true;
        else if (*f == '+') s->plus = true;
        else if (*f == ' ') s->space = true;
        else if (*f == '#') s->alt = true;
        else break;
    }
    if (*f == '*') {
        s->width = va_arg(*ap, int);
        if (s->width < 0) {
            s->left = true;
            s->width = -s->width;
        }
        f++;
    } else {
        while (*f >= '0' && *f <= '9')
            s->width = s->width * 10 + (*f++ - '0');
    }
    if (*f == '.') {
        f++;
        s->prec = 0;
        if (*f == '*') {
            s->prec = va_arg(*ap, int);
            if (s->prec < 0)
                s->prec = -1;
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                s->prec = s->prec * 10 + (*f++ - '0');
        }
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

static uint64_t get_unsigned(int size, va_list *ap)
{
    if (size == 8)
        return va_arg(*ap, unsigned long long);
    unsigned v = va_arg(*ap, unsigned);
    return size == 1 ? (uint8_t)v : size == 2 ? (uint16_t)v : v;
}

static int64_t get_signed(int size, va_list *ap)
{
    if (size == 8)
        return va_arg(*ap, long long);
    int v = va_arg(*ap, int);
    return size == 1 ? (int8_t)v : size == 2 ? (int16_t)v : v;
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
        case 'd':
        case 'i': {
            int64_t v = get_signed(s.size, &ap);
            put_num(&o, &s, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false);
            break;
        }
        case 'u': put_num(&o, &s, get_unsigned(s.size, &ap), false, 10, false); break;
        case 'x': put_num(&o, &s, get_unsigned(s.size, &ap), false, 16, false); break;
        case 'X': put_num(&o, &s, get_unsigned(s.size, &ap), false, 16, true); break;
        case 'o': put_num(&o, &s, get_unsigned(s.size, &ap), false, 8, false); break;
        case 'p':
            s.alt = true;
            put_num(&o, &s, (uintptr_t)va_arg(ap, void *), false, 16, false);
            break;
        case 'c': {
            char c = (char)va_arg(ap, int);
            if (!s.left)
                pad(&o, ' ', s.width - 1);
            put(&o, c);
            if (s.left)
                pad(&o, ' ', s.width - 1);
            break;
        }
        case 's': put_str(&o, &s, va_arg(ap, const char *)); break;
        case '%': put(&o, '%'); break;
        case '\0':
            f--;                /* lone '%' at the end: print nothing more */
            break;
        default:                /* unknown conversion: show it as written */
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
