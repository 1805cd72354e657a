/*
 * The shell: command lookup and dispatch, boot-time scripts, and the
 * interactive prompt with line editing, history and tab completion.
 *
 * Keys at the prompt: printable characters insert at the cursor; Backspace
 * and Delete; Left/Right, Home/End (also Ctrl-A/Ctrl-E); Up/Down walk the
 * history; Tab completes a command name (a second Tab lists the choices);
 * Ctrl-U clears the line; Ctrl-C abandons it.
 */
#include "shell.h"
#include "console.h"
#include "parse.h"
#include "string.h"
#include "io.h"
#include "heap.h"

#define PROMPT          "=> "
#define HISTORY_LEN     16

extern const struct shell_cmd __shellcmds_start[], __shellcmds_end[];

static int script_failures;
static void (*idle_fn)(void);

void shell_set_idle(void (*fn)(void))
{
    idle_fn = fn;
}

int shell_script_failures(void)
{
    return script_failures;
}

/* "md.l" finds "md": a suffix after '.' is the command's own business. */
const struct shell_cmd *shell_find(const char *name)
{
    size_t n = 0;

    while (name[n] && name[n] != '.')
        n++;
    for (const struct shell_cmd *c = __shellcmds_start; c < __shellcmds_end; c++)
        if (strncmp(c->name, name, n) == 0 && c->name[n] == '\0')
            return c;
    return NULL;
}

void shell_print_usage(const struct shell_cmd *c)
{
    printf("usage: %s%s%s\n", c->name, c->usage[0] ? " " : "", c->usage);
}

/* Run one command (no ';').  Returns 0 on success. */
static int run_one(char *cmd)
{
    char *argv[SHELL_MAX_ARGS + 1];
    const char *err;
    const struct shell_cmd *c;
    int argc, ret;

    argc = split_words(cmd, argv, SHELL_MAX_ARGS, &err);
    if (argc < 0) {
        printf("error: %s\n", err);
        return 1;
    }
    if (argc == 0)
        return 0;
    argv[argc] = NULL;
    c = shell_find(argv[0]);
    if (!c) {
        printf("Unknown command '%s' - try 'help'\n", argv[0]);
        return 1;
    }
    ret = c->fn(argc, argv);
    if (ret == CMD_USAGE)
        shell_print_usage(c);
    return ret != CMD_OK;
}

int shell_run_line(char *line)
{
    char *rest = line, *cmd;
    int failures = 0;

    while ((cmd = next_command(&rest)) != NULL)
        failures += run_one(cmd);
    return failures;
}

void shell_run_script(char *script)
{
    char *rest = script, *cmd;

    while ((cmd = next_command(&rest)) != NULL) {
        printf("%s%s\n", PROMPT, cmd);
        script_failures += run_one(cmd);
    }
}

/* ---- line editor ---------------------------------------------------------- */

static char *history[HISTORY_LEN];      /* from the heap, each as long as its line */
static unsigned history_count;          /* lines ever added */

static int getc_wait(void)
{
    int c;

    while ((c = console_getc()) < 0) {
        if (idle_fn)
            idle_fn();
        pause();
    }
    return c;
}

struct line {
    char buf[SHELL_MAX_LINE];
    unsigned len, cur;
};

/* Redraw from the prompt and put the cursor back where it belongs. */
static void redraw(const struct line *l)
{
    printf("\r" PROMPT "%.*s\x1b[K", (int)l->len, l->buf);
    if (l->len > l->cur)
        printf("\x1b[%uD", l->len - l->cur);
}

static void set_line(struct line *l, const char *s)
{
    l->len = l->cur = (unsigned)strlcpy(l->buf, s, sizeof(l->buf));
    if (l->len >= sizeof(l->buf))
        l->len = l->cur = sizeof(l->buf) - 1;
    redraw(l);
}

static void insert(struct line *l, char c)
{
    if (l->len >= sizeof(l->buf) - 1) {
        console_putc('\a');             /* full: refuse, keep what we have */
        return;
    }
    memmove(l->buf + l->cur + 1, l->buf + l->cur, l->len - l->cur);
    l->buf[l->cur++] = c;
    l->len++;
    if (l->cur == l->len)
        console_putc(c);
    else
        redraw(l);
}

static void erase(struct line *l, unsigned at)
{
    if (at >= l->len)
        return;
    memmove(l->buf + at, l->buf + at + 1, l->len - at - 1);
    l->len--;
    if (l->cur > at)
        l->cur--;
    redraw(l);
}

/* Tab: complete the command name under the cursor, or list the candidates. */
static void complete(struct line *l, bool list)
{
    const struct shell_cmd *c, *match = NULL;
    unsigned n = 0, common = 0;

    for (unsigned i = 0; i < l->len; i++)
        if (l->buf[i] == ' ')
            return;                     /* only command names complete */
    for (c = __shellcmds_start; c < __shellcmds_end; c++) {
        if (strncmp(c->name, l->buf, l->len) != 0)
            continue;
        if (!match) {
            match = c;
            common = (unsigned)strlen(c->name);
        } else {
            unsigned k = 0;
            while (k < common && c->name[k] == match->name[k])
                k++;
            common = k;
        }
        n++;
    }
    if (!match)
        return;
    if (n > 1 && common == l->len) {
        if (!list)
            return;
        console_putc('\n');
        for (c = __shellcmds_start; c < __shellcmds_end; c++)
            if (strncmp(c->name, l->buf, l->len) == 0)
                printf("%s  ", c->name);
        console_putc('\n');
        redraw(l);
        return;
    }
    while (l->len < common && l->len < sizeof(l->buf) - 2) {
        l->buf[l->len] = match->name[l->len];
        l->len++;
    }
    if (n == 1)
        l->buf[l->len++] = ' ';
    l->cur = l->len;
    redraw(l);
}

/* Read an escape sequence after ESC; returns a key code or 0. */
enum { K_UP = 0x100, K_DOWN, K_LEFT, K_RIGHT, K_HOME, K_END, K_DEL };

static int read_escape(void)
{
    int c = getc_wait();

    if (c != '[' && c != 'O')
        return 0;
    c = getc_wait();
    switch (c) {
    case 'A': return K_UP;
    case 'B': return K_DOWN;
    case 'C': return K_RIGHT;
    case 'D': return K_LEFT;
    case 'H': return K_HOME;
    case 'F': return K_END;
    case '1': case '3': case '4': case '7': case '8':
        if (getc_wait() != '~')
            return 0;
        return c == '3' ? K_DEL : (c == '1' || c == '7') ? K_HOME : K_END;
    }
    return 0;
}

static const char *history_line(unsigned i)
{
    return history[i % HISTORY_LEN];
}

/* A line the heap has no room for is not kept (it still runs). */
static void history_add(const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy;

    if (n == 1 || (history_count && strcmp(history_line(history_count - 1), s) == 0))
        return;
    copy = kmalloc(n);
    if (!copy)
        return;
    memcpy(copy, s, n);
    kfree(history[history_count % HISTORY_LEN]);
    history[history_count % HISTORY_LEN] = copy;
    history_count++;
}

/* Read one line; returns false if it was abandoned with Ctrl-C. */
static bool read_line(struct line *l)
{
    unsigned hist = history_count;      /* == count: the line being typed */
    bool last_tab = false;

    l->len = l->cur = 0;
    printf(PROMPT);
    for (;;) {
        int c = getc_wait();
        bool tab = false;

        if (c == 0x1b)
            c = read_escape();
        switch (c) {
        case '\r':
        case '\n':
            console_putc('\n');
            l->buf[l->len] = '\0';
            return true;
        case 0x03:                      /* Ctrl-C */
            printf("^C\n");
            return false;
        case 0x01: case K_HOME: l->cur = 0; redraw(l); break;
        case 0x05: case K_END: l->cur = l->len; redraw(l); break;
        case 0x15: l->len = l->cur = 0; redraw(l); break;  /* Ctrl-U */
        case 0x08: case 0x7f:           /* Backspace */
            if (l->cur)
                erase(l, l->cur - 1);
            break;
        case K_DEL: erase(l, l->cur); break;
        case K_LEFT: if (l->cur) { l->cur--; redraw(l); } break;
        case K_RIGHT: if (l->cur < l->len) { l->cur++; redraw(l); } break;
        case K_UP:
            if (hist > 0 && hist + HISTORY_LEN > history_count) {
                hist--;
                set_line(l, history_line(hist));
            }
            break;
        case K_DOWN:
            if (hist < history_count) {
                hist++;
                set_line(l, hist == history_count ? "" : history_line(hist));
            }
            break;
        case '\t':
            complete(l, last_tab);
            tab = true;
            break;
        default:
            if (c >= 0x20 && c < 0x7f)
                insert(l, (char)c);
            break;                      /* other control bytes: ignored */
        }
        last_tab = tab;
    }
}

/* The line lives in this frame, which never returns; the run may cut it up. */
void shell_interactive(void)
{
    struct line l;

    for (;;) {
        if (!read_line(&l))
            continue;
        history_add(l.buf);
        shell_run_line(l.buf);
    }
}
