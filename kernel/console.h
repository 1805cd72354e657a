/*
 * Serial console (16550 UART, COM1 by default, 115200 8N1, FIFOs on), the
 * printf family, and the log facility.
 *
 * Every driver line starts with its device prefix ("ahci0.p2: ...").  Log
 * levels above LOG_LEVEL_MAX compile out; below it, the `loglevel=` boot
 * option filters at run time.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "types.h"

void console_init(void);
void console_set_port(uint16_t port);   /* from the console= boot option */
uint16_t console_port(void);
void console_putc(char c);
void console_write(const char *s, size_t n);
void console_fresh_line(void);          /* a newline unless at the start of one */
int console_getc(void);                 /* -1 when nothing is waiting */
bool console_interrupted(void);         /* a Ctrl-C arrived since the last call */

int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);

/* The formatter behind all of them: emit() is called once per character. */
int vformat(void (*emit)(void *ctx, char c), void *ctx, const char *fmt, va_list ap);

enum { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };
#ifndef LOG_LEVEL_MAX
#define LOG_LEVEL_MAX LOG_DEBUG
#endif
extern int log_level;                   /* run-time filter, default LOG_INFO */

void klog(int level, const char *dev, const char *fmt, ...) __printf(3, 4);
void vklog(int level, const char *dev, const char *fmt, va_list ap);

#define LOG(level, dev, ...) do {                                   \
        if ((level) <= LOG_LEVEL_MAX && (level) <= log_level)       \
            klog((level), (dev), __VA_ARGS__);                      \
    } while (0)
#define pr_err(dev, ...)    LOG(LOG_ERR, dev, __VA_ARGS__)
#define pr_warn(dev, ...)   LOG(LOG_WARN, dev, __VA_ARGS__)
#define pr_info(dev, ...)   LOG(LOG_INFO, dev, __VA_ARGS__)
#define pr_debug(dev, ...)  LOG(LOG_DEBUG, dev, __VA_ARGS__)

/* Broken kernel invariant: report and stop (exit QEMU with failure under test). */
void panic(const char *fmt, ...) __printf(1, 2) __noreturn;

#endif
