/*
 * Pure parsing helpers shared by the boot command line and the shell; built
 * for the host too, where they are unit-tested and fuzzed.
 */
#ifndef PARSE_H
#define PARSE_H

#include "types.h"

/*
 * Numbers as U-Boot takes them: hex by default, with or without 0x; a
 * leading "0d" or base 10 asks for decimal.  Returns false (and leaves *out
 * alone) on an empty string, a bad digit or overflow.
 */
bool parse_u64(const char *s, unsigned base, uint64_t *out);
bool parse_u32(const char *s, unsigned base, uint32_t *out);

/*
 * Split a line into words in place: blanks separate, "..." and '...' quote.
 * Returns the word count, or -1 (with *err set) for an unterminated quote or
 * more than max words.
 */
int split_words(char *line, char **argv, int max, const char **err);

/*
 * Cut the next ';'-separated command off *script (quotes respected).
 * Returns it NUL-terminated in place, or NULL at the end.
 */
char *next_command(char **script);

#endif
