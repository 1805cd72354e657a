/* C library string routines, plain and cdecl (miniports built with -mrtd call them too). */
#include "string.h"

/*
 * Whole 32-bit words first, then the odd bytes: a quarter of the stores
 * (and of the iterations an emulator counts) of a byte-wise fill.  Left
 * inlinable: the per-I/O path clears its CDB with it, and a constant
 * length that is a multiple of 4 then costs one rep stosl.
 */
void *memset(void *d, int c, size_t n)
{
    void *ret = d;
    uint32_t word = (uint8_t)c * 0x01010101u;
    size_t words = n / 4;

    __asm__ volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(word) : "memory");
    n &= 3;
    if (!__builtin_constant_p(n) || n)
        __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(word) : "memory");
    return ret;
}

/* Not inlined: no copy is on the per-I/O path, and inline copies cost more bytes than calls. */
__attribute__((noinline)) void *memcpy(void *d, const void *s, size_t n)
{
    void *ret = d;
    size_t words = n / 4;

    __asm__ volatile("rep movsl" : "+D"(d), "+S"(s), "+c"(words) : : "memory");
    n &= 3;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    if (dp <= sp || dp >= sp + n)
        return memcpy(d, s, n);
    while (n--)
        dp[n] = sp[n];
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

size_t strlcpy(char *d, const char *s, size_t size)
{
    size_t n = strlen(s);

    if (size) {
        size_t k = n < size - 1 ? n : size - 1;
        memcpy(d, s, k);
        d[k] = '\0';
    }
    return n;
}

int tolower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
int toupper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
int isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
int isdigit(int c) { return c >= '0' && c <= '9'; }
int isxdigit(int c) { return isdigit(c) || (tolower(c) >= 'a' && tolower(c) <= 'f'); }
int isprint(int c) { return c >= 0x20 && c < 0x7F; }
