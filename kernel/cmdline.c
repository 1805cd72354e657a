/* Boot command line: key=value options, then "--" and shell commands. */
#include "cmdline.h"
#include "parse.h"

#ifdef HOST_TEST
#include <string.h>
#include <stdio.h>
#else
#include "string.h"
#include "console.h"
#include "heap.h"
#endif

static void note(struct cmdline *c, const char *err, const char *arg)
{
    if (c->nerr < CMDLINE_MAX_ERRS) {
        c->err[c->nerr] = err;
        c->err_arg[c->nerr] = arg;
    }
    c->nerr++;
}

static bool blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

int cmdline_parse(struct cmdline *c, const char *raw)
{
    size_t n = raw ? strlen(raw) : 0;
    char *p;
    bool first = true;

    memset(c, 0, sizeof(*c));
    if (n >= sizeof(c->buf)) {
        note(c, "command line longer than 2047 bytes: the rest is ignored", NULL);
        n = sizeof(c->buf) - 1;
    }
    if (n)
        memcpy(c->buf, raw, n);
    c->buf[n] = '\0';

    for (p = c->buf; *p;) {
        char *word, *eq;

        while (blank(*p))
            p++;
        if (!*p)
            break;
        word = p;
        while (*p && !blank(*p))
            p++;
        if (*p)
            *p++ = '\0';

        if (strcmp(word, "--") == 0) {
            c->script = p;
            break;
        }
        eq = strchr(word, '=');
        if (!eq) {
            if (!first)
                note(c, "not key=value (commands go after --)", word);
            first = false;
            continue;
        }
        first = false;
        if (eq == word) {
            note(c, "option with no name", word);
            continue;
        }
        *eq = '\0';
        int i;
        for (i = 0; i < c->nopt; i++)
            if (strcmp(c->opt[i].key, word) == 0)
                break;
        if (i == c->nopt) {
            if (c->nopt == CMDLINE_MAX_OPTS) {
                note(c, "too many options, ignored", word);
                continue;
            }
            c->nopt++;
        }
        c->opt[i].key = word;           /* a repeated key: the last one wins */
        c->opt[i].val = eq + 1;
    }
    return c->nerr;
}

const char *cmdline_lookup(struct cmdline *c, const char *key)
{
    for (int i = 0; i < c->nopt; i++) {
        if (strcmp(c->opt[i].key, key) == 0) {
            c->opt[i].used = true;
            return c->opt[i].val;
        }
    }
    return NULL;
}

#ifndef HOST_TEST

/* Parsed on the heap once it exists (cmdline_setup); NULL until then. */
static struct cmdline *boot_cmdline;
/*
 * The loader's own string, as it gave it: the page allocator keeps its
 * pages back (pmem.c), the identity map covers them, and it is never
 * written, so `version` shows it as given.
 */
static const char *raw_line = "";
/* Keys cmdline_peek was asked for: the parse counts them as used. */
static const char *peeked[4];

void cmdline_init(const char *raw)
{
    if (raw)
        raw_line = raw;
}

/*
 * Before the heap (the console's own options): the value of the last
 * key=value word before "--" within what cmdline_parse reads, copied into
 * val[len] (len > 3); NULL if there is none.  A value too long for val
 * ends in "...", which no option takes, so it is reported, not cut short.
 */
const char *cmdline_peek(const char *key, char *val, size_t len)
{
    const char *p = raw_line, *end = raw_line + strnlen(raw_line, CMDLINE_MAX - 1), *found = NULL;
    size_t klen = strlen(key), flen = 0;

    for (unsigned i = 0; i < ARRAY_SIZE(peeked); i++) {
        if (!peeked[i] || peeked[i] == key) {
            peeked[i] = key;
            break;
        }
    }
    while (p < end) {
        const char *w;

        while (p < end && blank(*p))
            p++;
        for (w = p; p < end && !blank(*p); p++)
            ;
        if (p - w == 2 && w[0] == '-' && w[1] == '-')
            break;
        if ((size_t)(p - w) > klen && !strncmp(w, key, klen) && w[klen] == '=') {
            found = w + klen + 1;
            flen = (size_t)(p - found);
        }
    }
    if (!found)
        return NULL;
    if (flen < len) {
        memcpy(val, found, flen);
        val[flen] = '\0';
    } else {
        memcpy(val, found, len - 4);
        memcpy(val + len - 4, "...", 4);
    }
    return val;
}

void cmdline_setup(void)
{
    boot_cmdline = kmalloc(sizeof(*boot_cmdline));
    if (!boot_cmdline) {
        pr_err("cmdline", "no memory to parse the command line: options and commands ignored");
        return;
    }
    cmdline_parse(boot_cmdline, raw_line);
    for (unsigned i = 0; i < ARRAY_SIZE(peeked) && peeked[i]; i++)
        cmdline_lookup(boot_cmdline, peeked[i]);
}

const char *cmdline_raw(void)
{
    return raw_line;
}

const char *cmdline_get(const char *key)
{
    return boot_cmdline ? cmdline_lookup(boot_cmdline, key) : NULL;
}

uint32_t cmdline_get_u32(const char *key, uint32_t dflt)
{
    const char *v = cmdline_get(key);
    uint32_t x;

    if (!v)
        return dflt;
    if (!parse_u32(v, 10, &x)) {
        pr_err("cmdline", "%s=%s: not a number, using %u", key, v, (unsigned)dflt);
        return dflt;
    }
    return x;
}

bool cmdline_flag(const char *key)
{
    const char *v = cmdline_get(key);

    return v && (strcmp(v, "1") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 ||
                 strcmp(v, "y") == 0 || strcmp(v, "true") == 0);
}

char *cmdline_script(void)
{
    return boot_cmdline ? boot_cmdline->script : NULL;
}

int cmdline_report(void)
{
    struct cmdline *c = boot_cmdline;
    int problems;

    if (!c)
        return 0;
    problems = c->nerr;

    for (int i = 0; i < c->nerr && i < CMDLINE_MAX_ERRS; i++)
        if (c->err_arg[i])
            pr_err("cmdline", "'%s': %s", c->err_arg[i], c->err[i]);
        else
            pr_err("cmdline", "%s", c->err[i]);
    for (int i = 0; i < c->nopt; i++) {
        if (!c->opt[i].used) {
            pr_err("cmdline", "unknown option '%s=%s' (ignored)", c->opt[i].key, c->opt[i].val);
            problems++;
        }
    }
    return problems;
}

#endif
