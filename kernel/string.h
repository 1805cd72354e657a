/* The few C library routines the kernel (and, through the DDK headers, miniports) use. */
#ifndef STRING_H
#define STRING_H

#include "types.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t size);
int tolower(int c);
int toupper(int c);
int isspace(int c);
int isxdigit(int c);
int isdigit(int c);
int isprint(int c);

#endif
