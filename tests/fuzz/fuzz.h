/*
 * Shared by the libFuzzer harnesses in tests/fuzz: reading typed values off
 * the input (missing bytes read as zero, so every input is usable), and the
 * property check that stops the run with a message and a crash input.
 *
 * Each harness compiles the code under test for the host with -DHOST_TEST,
 * as the unit tests do, under ASan and UBSan (Makefile: FUZZ_CFLAGS).
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
    const uint8_t *p;
    size_t n;
};

static inline uint8_t fz_u8(struct fz *f)
{
    if (!f->n)
        return 0;
    f->n--;
    return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
    uint16_t v = fz_u8(f);

    return (uint16_t)(v | fz_u8(f) << 8);
}

static inline uint32_t fz_u32(struct fz *f)
{
    uint32_t v = fz_u16(f);

    return v | (uint32_t)fz_u16(f) << 16;
}

static inline uint64_t fz_u64(struct fz *f)
{
    uint64_t v = fz_u32(f);

    return v | (uint64_t)fz_u32(f) << 32;
}

static inline bool fz_bool(struct fz *f)
{
    return fz_u8(f) & 1;
}

/* A value in [0, n) (n > 0). */
static inline unsigned fz_below(struct fz *f, unsigned n)
{
    return fz_u8(f) % n;
}

/* Up to max bytes (fewer if the input runs out); *len gets the count. */
static inline const uint8_t *fz_bytes(struct fz *f, size_t max, size_t *len)
{
    const uint8_t *p = f->p;

    *len = max < f->n ? max : f->n;
    f->p += *len;
    f->n -= *len;
    return p;
}

/*
 * A heap copy of exactly len bytes (ASan then catches a read or write one
 * byte past it).  malloc(0) may return NULL: a one-byte block is used, and
 * reading it is still reading past the len bytes given.
 */
static inline uint8_t *fz_dup(const uint8_t *p, size_t len)
{
    uint8_t *b = malloc(len ? len : 1);

    if (!b)
        abort();
    if (len)
        memcpy(b, p, len);
    return b;
}

/* A NUL-terminated heap copy: the bytes up to the first NUL (or all of them). */
static inline char *fz_str(const uint8_t *p, size_t len)
{
    size_t n = 0;
    char *s;

    while (n < len && p[n])
        n++;
    s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

#define FZ_CHECK(cond, ...) do {                                                \
        if (!(cond)) {                                                          \
            fprintf(stderr, "\n%s:%d: property failed: %s\n  ", __FILE__,       \
                    __LINE__, #cond);                                           \
            fprintf(stderr, __VA_ARGS__);                                       \
            fputc('\n', stderr);                                                \
            abort();                                                            \
        }                                                                       \
    } while (0)

#endif
