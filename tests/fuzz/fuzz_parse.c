/*
 * libFuzzer harness: the shell's and the boot command line's parsers
 * (kernel/parse.c, kernel/cmdline.c), each against a model written here.
 *
 * Input: a mode byte, then
 *   0  numbers: a base selector byte and a string for parse_u64/parse_u32;
 *   1  words: a word limit byte and a line for split_words;
 *   2  a shell line: split into commands by next_command and each into at
 *      most SHELL_MAX_ARGS words, as shell_run_line does;
 *   3  a boot command line for cmdline_parse.
 * Strings end at the input's first NUL and live in exact-size heap blocks.
 *
 * Properties:
 *  - parse_u64/u32 accept exactly the strings the model accepts (optional
 *    0x/0X or 0d prefix, then one or more digits of the base, no overflow),
 *    with the value strtoull gives; a refused string leaves *out alone;
 *  - split_words finds the model's words and errors, never writes past the
 *    line, and every word lies inside it, in order, without overlap;
 *  - next_command cuts the model's commands (quotes respected), each inside
 *    the line, and stops;
 *  - cmdline_parse finds the model's options (a repeated key: the last
 *    value; at most CMDLINE_MAX_OPTS), the script after "--", and counts
 *    the model's problems; every pointer it keeps is into its own copy, and
 *    cmdline_lookup returns each option's value.
 */
#include <errno.h>

#include "parse.h"
#include "cmdline.h"
#include "fuzz.h"

#define SHELL_MAX_ARGS  16              /* kernel/shell.h */
#define MAX_WORDS       24
#define MAX_LINE        4000            /* bytes of a line or script (the model's word size) */

typedef unsigned __int128 u128;

/* ---- numbers ---------------------------------------------------------------------------- */

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        return (c | 0x20) - 'a' + 10;
    return -1;
}

/* The model: *digits gets where the digits start and *base the base used. */
static bool ref_number(const char *s, unsigned *base, const char **digits, u128 *v)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        *base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1] == 'd') {
        *base = 10;
        s += 2;
    }
    *digits = s;
    *v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        int d = hex_digit(*s);

        if (d < 0 || (unsigned)d >= *base)
            return false;
        *v = *v * *base + (unsigned)d;
        if (*v > UINT64_MAX)
            return false;
    }
    return true;
}

static void fuzz_number(struct fz *f)
{
    static const unsigned bases[8] = { 16, 10, 0, 1, 2, 8, 17, 36 };
    unsigned base = bases[fz_u8(f) % 8], rbase = base;
    size_t len;
    const uint8_t *p = fz_bytes(f, 64, &len);
    char *s = fz_str(p, len);
    const char *digits;
    uint64_t v64 = 0x5A5A5A5A5A5A5A5Aull;
    uint32_t v32 = 0xA5A5A5A5u;
    u128 want;
    bool ok = ref_number(s, &rbase, &digits, &want);
    bool got = parse_u64(s, base, &v64), got32 = parse_u32(s, base, &v32);

    FZ_CHECK(got == ok, "parse_u64(\"%s\", %u) = %d, model %d", s, base, got, ok);
    FZ_CHECK(got ? v64 == (uint64_t)want : v64 == 0x5A5A5A5A5A5A5A5Aull,
             "parse_u64(\"%s\", %u): %llx", s, base, (unsigned long long)v64);
    FZ_CHECK(got32 == (ok && want <= UINT32_MAX), "parse_u32(\"%s\", %u) = %d", s, base, got32);
    FZ_CHECK(got32 ? v32 == (uint32_t)want : v32 == 0xA5A5A5A5u, "parse_u32(\"%s\"): %x", s, v32);
    if (ok && rbase >= 2 && rbase <= 36) {
        char *end;
        unsigned long long c;

        errno = 0;
        c = strtoull(digits, &end, (int)rbase);
        FZ_CHECK(*end == '\0' && errno == 0 && c == v64, "\"%s\" base %u: strtoull says %llx",
                 s, rbase, c);
    }
    free(s);
}

/* ---- words ------------------------------------------------------------------------------ */

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct words {
    int n;                              /* -1: error */
    const char *err;
    char w[MAX_WORDS][MAX_LINE + 1];
};

/* The model of split_words, into separate storage. */
static void ref_words(const char *s, int max, struct words *out)
{
    out->n = 0;
    out->err = NULL;
    for (;;) {
        size_t k = 0;

        while (blank(*s))
            s++;
        if (!*s)
            return;
        if (out->n == max) {
            out->n = -1;
            out->err = "too many arguments";
            return;
        }
        while (*s && !blank(*s)) {
            if (*s == '"' || *s == '\'') {
                const char *close = strchr(s + 1, *s);
                if (!close) {
                    out->n = -1;
                    out->err = "unterminated quote";
                    return;
                }
                memcpy(out->w[out->n] + k, s + 1, (size_t)(close - s - 1));
                k += (size_t)(close - s - 1);
                s = close + 1;
            } else {
                out->w[out->n][k++] = *s++;
            }
        }
        out->w[out->n++][k] = '\0';
    }
}

/* Split line (len bytes + NUL, in place) and compare with the model of the original. */
static void check_split(char *line, size_t len, int max)
{
    static struct words want;
    char *argv[MAX_WORDS];
    const char *err = "unset";
    int n;

    ref_words(line, max, &want);
    n = split_words(line, argv, max, &err);
    FZ_CHECK(n == want.n, "split_words: %d words, model %d", n, want.n);
    FZ_CHECK(n < 0 ? err && strcmp(err, want.err) == 0 : err == NULL, "error '%s', model '%s'",
             err ? err : "(null)", want.err ? want.err : "(null)");
    for (int i = 0; i < n; i++) {
        size_t wl;

        FZ_CHECK(argv[i] >= line && argv[i] <= line + len, "word %d outside the line", i);
        wl = strnlen(argv[i], (size_t)(line + len - argv[i]) + 1);
        FZ_CHECK(argv[i] + wl <= line + len, "word %d runs past the line", i);
        FZ_CHECK(i == 0 || argv[i] > argv[i - 1] + strlen(argv[i - 1]), "word %d overlaps", i);
        FZ_CHECK(strcmp(argv[i], want.w[i]) == 0, "word %d '%s', model '%s'", i, argv[i],
                 want.w[i]);
    }
}

static void fuzz_words(struct fz *f)
{
    int max = fz_u8(f) % (MAX_WORDS - 4);
    size_t len;
    const uint8_t *p = fz_bytes(f, MAX_LINE, &len);
    char *line = fz_str(p, len);

    check_split(line, strlen(line), max);
    free(line);
}

/* ---- a shell line: commands, then words ------------------------------------------------ */

/* The next command of the model: its start and length in s; false at the end. */
static bool ref_command(const char **s, const char **start, size_t *n)
{
    const char *p = *s;
    char quote = 0;

    while (blank(*p) || *p == ';')
        p++;
    if (!*p)
        return false;
    *start = p;
    for (; *p && (quote || *p != ';'); p++) {
        if (quote && *p == quote)
            quote = 0;
        else if (!quote && (*p == '"' || *p == '\''))
            quote = *p;
    }
    *n = (size_t)(p - *start);
    *s = *p ? p + 1 : p;
    return true;
}

static void fuzz_script(struct fz *f)
{
    size_t len;
    const uint8_t *p = fz_bytes(f, MAX_LINE, &len);
    char *line = fz_str(p, len), *orig = strdup(line), *rest = line, *cmd;
    const char *ref = orig, *rstart;
    size_t rn, total = strlen(line);
    int count = 0;

    if (!orig)
        abort();
    while ((cmd = next_command(&rest)) != NULL) {
        size_t cl = strlen(cmd);

        FZ_CHECK(++count <= (int)total + 1, "next_command does not stop");
        FZ_CHECK(cmd >= line && cmd + cl <= line + total, "command outside the line");
        FZ_CHECK(rest == NULL || (rest > cmd + cl && rest <= line + total), "rest misplaced");
        FZ_CHECK(ref_command(&ref, &rstart, &rn) && rn == cl && memcmp(rstart, cmd, cl) == 0,
                 "command '%s', model '%.*s'", cmd, (int)rn, rstart);
        check_split(cmd, cl, SHELL_MAX_ARGS);
    }
    FZ_CHECK(!ref_command(&ref, &rstart, &rn), "model has a command more: '%.*s'", (int)rn,
             rstart);
    free(orig);
    free(line);
}

/* ---- the boot command line -------------------------------------------------------------- */

struct ref_cmdline {
    int nopt, nerr;
    const char *key[CMDLINE_MAX_OPTS], *val[CMDLINE_MAX_OPTS];
    size_t klen[CMDLINE_MAX_OPTS], vlen[CMDLINE_MAX_OPTS];
    const char *script;                 /* into the raw string, or NULL */
};

static void ref_option(struct ref_cmdline *r, const char *w, size_t n, const char *eq)
{
    size_t kl = (size_t)(eq - w);
    int i;

    for (i = 0; i < r->nopt; i++)
        if (r->klen[i] == kl && memcmp(r->key[i], w, kl) == 0)
            break;
    if (i == r->nopt) {
        if (r->nopt == CMDLINE_MAX_OPTS) {
            r->nerr++;
            return;
        }
        r->nopt++;
    }
    r->key[i] = w;
    r->klen[i] = kl;
    r->val[i] = eq + 1;
    r->vlen[i] = n - kl - 1;
}

static void ref_cmdline(const char *raw, struct ref_cmdline *r)
{
    size_t n = strlen(raw), i = 0;
    bool first = true;

    memset(r, 0, sizeof(*r));
    if (n >= CMDLINE_MAX) {
        r->nerr++;
        n = CMDLINE_MAX - 1;
    }
    while (i < n) {
        const char *w, *eq;
        size_t wl;

        while (i < n && blank(raw[i]))
            i++;
        if (i == n)
            break;
        w = raw + i;
        while (i < n && !blank(raw[i]))
            i++;
        wl = (size_t)(raw + i - w);
        if (wl == 2 && memcmp(w, "--", 2) == 0) {
            r->script = raw + (i < n ? i + 1 : i);
            return;
        }
        eq = memchr(w, '=', wl);
        if (!eq || eq == w)
            r->nerr += !eq && first ? 0 : 1;
        else
            ref_option(r, w, wl, eq);
        first = false;
    }
}

static void check_in_buf(const struct cmdline *c, const char *p, const char *what)
{
    FZ_CHECK(p >= c->buf && p < c->buf + sizeof(c->buf) &&
             memchr(p, 0, (size_t)(c->buf + sizeof(c->buf) - p)), "%s not inside the copy", what);
}

static void fuzz_cmdline(struct fz *f)
{
    static struct cmdline c;
    static struct ref_cmdline r;
    size_t len, n;
    const uint8_t *p = fz_bytes(f, f->n, &len);
    char *raw = fz_str(p, len);
    int nerr = cmdline_parse(&c, raw);

    ref_cmdline(raw, &r);
    n = strlen(raw) < CMDLINE_MAX ? strlen(raw) : CMDLINE_MAX - 1;
    FZ_CHECK(nerr == r.nerr && c.nerr == nerr, "%d problems, model %d", nerr, r.nerr);
    FZ_CHECK(c.nopt == r.nopt, "%d options, model %d", c.nopt, r.nopt);
    for (int i = 0; i < c.nerr && i < CMDLINE_MAX_ERRS; i++) {
        FZ_CHECK(c.err[i] != NULL, "problem %d has no text", i);
        if (c.err_arg[i])
            check_in_buf(&c, c.err_arg[i], "a problem's argument");
    }
    for (int i = 0; i < c.nopt; i++) {
        check_in_buf(&c, c.opt[i].key, "a key");
        check_in_buf(&c, c.opt[i].val, "a value");
        FZ_CHECK(strlen(c.opt[i].key) == r.klen[i] && !memcmp(c.opt[i].key, r.key[i], r.klen[i]) &&
                 strlen(c.opt[i].val) == r.vlen[i] && !memcmp(c.opt[i].val, r.val[i], r.vlen[i]),
                 "option %d '%s=%s', model '%.*s=%.*s'", i, c.opt[i].key, c.opt[i].val,
                 (int)r.klen[i], r.key[i], (int)r.vlen[i], r.val[i]);
    }
    for (int i = 0; i < c.nopt; i++)
        FZ_CHECK(cmdline_lookup(&c, c.opt[i].key) == c.opt[i].val && c.opt[i].used,
                 "lookup of '%s'", c.opt[i].key);
    FZ_CHECK(cmdline_lookup(&c, "") == NULL, "lookup of the empty key");
    FZ_CHECK((c.script == NULL) == (r.script == NULL), "script present %d, model %d",
             c.script != NULL, r.script != NULL);
    if (c.script) {
        check_in_buf(&c, c.script, "the script");
        FZ_CHECK(strlen(c.script) == (size_t)(raw + n - r.script) &&
                 memcmp(c.script, r.script, strlen(c.script)) == 0, "script '%s'", c.script);
    }
    free(raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz f = { data, size };

    switch (fz_u8(&f) % 4) {
    case 0: fuzz_number(&f); break;
    case 1: fuzz_words(&f); break;
    case 2: fuzz_script(&f); break;
    default: fuzz_cmdline(&f); break;
    }
    return 0;
}
