/*
 * The multiboot command line:
 *
 *     [image-path] key=value ... [-- command; command; ...]
 *
 * Options are looked up by the subsystem that owns them; after start-up any
 * option nobody asked for is reported.  The commands after "--" run in order
 * once the kernel is up, through the same shell as the prompt.
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include "types.h"

#define CMDLINE_MAX         2048
#define CMDLINE_MAX_OPTS    32
#define CMDLINE_MAX_ERRS    4

struct cmdline {
    char buf[CMDLINE_MAX];
    struct {
        const char *key;
        const char *val;
        bool used;
    } opt[CMDLINE_MAX_OPTS];
    int nopt;
    char *script;                       /* after "--", or NULL */
    const char *err[CMDLINE_MAX_ERRS];  /* problems found, for printing later */
    const char *err_arg[CMDLINE_MAX_ERRS];
    int nerr;
};

/* Pure: parse raw into c.  Returns the number of problems found. */
int cmdline_parse(struct cmdline *c, const char *raw);
const char *cmdline_lookup(struct cmdline *c, const char *key);

/*
 * The kernel's command line: cmdline_init keeps the loader's string;
 * until cmdline_setup parses it (on the heap), only cmdline_peek answers.
 */
void cmdline_init(const char *raw);
const char *cmdline_peek(const char *key, char *val, size_t len);
void cmdline_setup(void);
const char *cmdline_raw(void);
const char *cmdline_get(const char *key);               /* NULL if absent */
uint32_t cmdline_get_u32(const char *key, uint32_t dflt); /* decimal or 0x hex */
bool cmdline_flag(const char *key);                     /* key=1/yes/on */
char *cmdline_script(void);
int cmdline_report(void);   /* print problems and unused options; returns their count */

#endif
