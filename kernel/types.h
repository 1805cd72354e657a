/* Basic types for the kernel (freestanding: the compiler's own headers only). */
#ifndef TYPES_H
#define TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

#define ARRAY_SIZE(a)       (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)      (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)    ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b)           ((a) < (b) ? (a) : (b))
#define MAX(a, b)           ((a) > (b) ? (a) : (b))
#define container_of(p, T, m) ((T *)((char *)(p) - offsetof(T, m)))

#define __noreturn          __attribute__((noreturn))
#define __printf(a, b)      __attribute__((format(printf, a, b)))
#define __unused            __attribute__((unused))
#define __packed            __attribute__((packed))
#define __aligned(n)        __attribute__((aligned(n)))

#endif
