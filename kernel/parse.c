/* Number parsing and word splitting for the command line and the shell. */
#include "parse.h"

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

bool parse_u64(const char *s, unsigned base, uint64_t *out)
{
    uint64_t v = 0;

    if (!s || !*s)
        return false;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (s[0] == '0' && s[1] == 'd') {
        base = 10;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        int d = digit_value(*s);
        if (d >= (int)base)
            return false;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return false;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return true;
}

bool parse_u32(const char *s, unsigned base, uint32_t *out)
{
    uint64_t v;

    if (!parse_u64(s, base, &v) || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int split_words(char *line, char **argv, int max, const char **err)
{
    int argc = 0;
    char *r = line, *w = line;

    *err = NULL;
    for (;;) {
        while (is_blank(*r))
            r++;
        if (!*r)
            break;
        if (argc == max) {
            *err = "too many arguments";
            return -1;
        }
        argv[argc++] = w;
        while (*r && !is_blank(*r)) {
            if (*r == '"' || *r == '\'') {
                char q = *r++;
                while (*r && *r != q)
                    *w++ = *r++;
                if (!*r) {
                    *err = "unterminated quote";
                    return -1;
                }
                r++;
            } else {
                *w++ = *r++;
            }
        }
        if (*r)
            r++;
        *w++ = '\0';
    }
    return argc;
}

char *next_command(char **script)
{
    char *start = *script, *p;
    char quote = 0;

    if (!start)
        return NULL;
    while (is_blank(*start) || *start == ';')
        start++;
    if (!*start) {
        *script = NULL;
        return NULL;
    }
    for (p = start; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == ';') {
            break;
        }
    }
    if (*p) {
        *p = '\0';
        *script = p + 1;
    } else {
        *script = NULL;
    }
    return start;
}
