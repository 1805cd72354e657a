/*
 * Memory commands, in U-Boot's syntax and output shapes where U-Boot has
 * them: md, mw, crc32; and our own, v2p (meminfo.c and memtest.c have the
 * others).  Numbers are hex.
 * Every address range is checked with vm_check_access_at first; a refusal is
 * one line, "<cmd>: <first bad address>: <reason>".
 */
#include "shell.h"
#include "console.h"
#include "parse.h"
#include "string.h"
#include "crc32.h"
#include "vm.h"

#define MD_DEFAULT_UNITS    0x40        /* U-Boot's default length for md */
#define MD_LINE_BYTES       16
#define CRC_CHUNK           (1u << 20)  /* Ctrl-C is looked at between chunks */

/* ---- helpers -------------------------------------------------------------- */

static bool access_ok(const char *cmd, uint32_t addr, uint64_t len, bool write)
{
    uint32_t bad;
    const char *why;

    if (len > 0x100000000ull - addr) {
        printf("%s: %08x: wraps past 4 GiB\n", cmd, addr);
        return false;
    }
    why = vm_check_access_at(addr, (uint32_t)len, write, &bad);
    if (why)
        printf("%s: %08x: %s\n", cmd, bad, why);
    return !why;
}

static bool arg_u32(const char *cmd, const char *what, const char *s, uint32_t *v)
{
    if (parse_u32(s, 16, v))
        return true;
    printf("%s: bad %s '%s' (hex, up to ffffffff)\n", cmd, what, s);
    return false;
}

/* Access width from the command's suffix: md, md.b, md.w, md.l.  0 if bad. */
static unsigned width_of(const char *cmd)
{
    const char *dot = strchr(cmd, '.');

    if (!dot)
        return 4;
    if (strcmp(dot, ".b") == 0)
        return 1;
    if (strcmp(dot, ".w") == 0)
        return 2;
    if (strcmp(dot, ".l") == 0)
        return 4;
    printf("%s: unknown size '%s': use .b, .w or .l\n", cmd, dot);
    return 0;
}

static bool aligned_ok(const char *cmd, uint32_t addr, unsigned width)
{
    if ((addr & (width - 1)) == 0)
        return true;
    printf("%s: %08x: not aligned to %u bytes\n", cmd, addr, width);
    return false;
}

static uint32_t peek(uint32_t addr, unsigned width)
{
    if (width == 1)
        return *(volatile uint8_t *)(uintptr_t)addr;
    if (width == 2)
        return *(volatile uint16_t *)(uintptr_t)addr;
    return *(volatile uint32_t *)(uintptr_t)addr;
}

static void poke(uint32_t addr, unsigned width, uint32_t v)
{
    if (width == 1)
        *(volatile uint8_t *)(uintptr_t)addr = (uint8_t)v;
    else if (width == 2)
        *(volatile uint16_t *)(uintptr_t)addr = (uint16_t)v;
    else
        *(volatile uint32_t *)(uintptr_t)addr = v;
}

/* ---- md, mw --------------------------------------------------------------- */

/* One line of md: "addr: units...    ascii", each unit read exactly once. */
static void md_line(uint32_t addr, unsigned width, uint32_t units)
{
    uint8_t bytes[MD_LINE_BYTES];
    unsigned per_line = MD_LINE_BYTES / width, i;

    printf("%08x:", addr);
    for (i = 0; i < units; i++) {
        uint32_t v = peek(addr + i * width, width);

        printf(" %0*x", (int)width * 2, v);
        for (unsigned k = 0; k < width; k++)
            bytes[i * width + k] = (uint8_t)(v >> (8 * k));
    }
    printf("%*s    ", (int)((per_line - units) * (width * 2 + 1)), "");
    for (i = 0; i < units * width; i++)
        console_putc(bytes[i] >= 0x20 && bytes[i] < 0x7f ? (char)bytes[i] : '.');
    console_putc('\n');
}

static int do_md(int argc, char **argv)
{
    unsigned width = width_of(argv[0]);
    uint32_t addr, count = MD_DEFAULT_UNITS;

    if (argc < 2 || argc > 3)
        return CMD_USAGE;
    if (!width)
        return CMD_FAIL;
    if (!arg_u32(argv[0], "address", argv[1], &addr) ||
        (argc == 3 && !arg_u32(argv[0], "count", argv[2], &count)))
        return CMD_FAIL;
    if (!aligned_ok(argv[0], addr, width) ||
        !access_ok(argv[0], addr, (uint64_t)count * width, false))
        return CMD_FAIL;
    while (count) {
        uint32_t units = MIN(count, MD_LINE_BYTES / width);

        md_line(addr, width, units);
        addr += units * width;
        count -= units;
        if (count && console_interrupted()) {
            printf("%s: interrupted\n", argv[0]);
            return CMD_FAIL;
        }
    }
    return CMD_OK;
}
SHELL_COMMAND(md, do_md, "[.b, .w, .l] addr [count]",
              "memory display: count units (default 40) of 1, 2 or 4 bytes");

static int do_mw(int argc, char **argv)
{
    unsigned width = width_of(argv[0]);
    uint32_t addr, value, count = 1;

    if (argc < 3 || argc > 4)
        return CMD_USAGE;
    if (!width)
        return CMD_FAIL;
    if (!arg_u32(argv[0], "address", argv[1], &addr) ||
        !arg_u32(argv[0], "value", argv[2], &value) ||
        (argc == 4 && !arg_u32(argv[0], "count", argv[3], &count)))
        return CMD_FAIL;
    if (width < 4 && value >> (8 * width)) {
        printf("%s: value %x does not fit in %u byte%s\n", argv[0], value, width,
               width > 1 ? "s" : "");
        return CMD_FAIL;
    }
    if (!aligned_ok(argv[0], addr, width) ||
        !access_ok(argv[0], addr, (uint64_t)count * width, true))
        return CMD_FAIL;
    for (uint32_t i = 0; i < count; i++)
        poke(addr + i * width, width, value);
    return CMD_OK;
}
SHELL_COMMAND(mw, do_mw, "[.b, .w, .l] addr value [count]",
              "memory write: value to count units (default 1)");

/* ---- crc32 ---------------------------------------------------------------- */

static int do_crc32(int argc, char **argv)
{
    uint32_t addr, len, crc = 0, done = 0;

    if (argc != 3)
        return CMD_USAGE;
    if (!arg_u32(argv[0], "address", argv[1], &addr) ||
        !arg_u32(argv[0], "length", argv[2], &len))
        return CMD_FAIL;
    if (len == 0) {
        printf("crc32: length is 0\n");
        return CMD_FAIL;
    }
    if (!access_ok(argv[0], addr, len, false))
        return CMD_FAIL;
    while (done < len) {
        uint32_t n = MIN(len - done, CRC_CHUNK);

        crc = crc32(crc, (const void *)(uintptr_t)(addr + done), n);
        done += n;
        if (done < len && console_interrupted()) {
            printf("crc32: interrupted\n");
            return CMD_FAIL;
        }
    }
    printf("crc32 for %08x ... %08x ==> %08x\n", addr, addr + len - 1, crc);
    return CMD_OK;
}
SHELL_COMMAND(crc32, do_crc32, "addr len", "CRC-32 (as zlib computes it) of memory");

/* ---- v2p ------------------------------------------------------------------ */

/*
 * One line per physically contiguous run until len is covered:
 *     c0001000 -> 00345000 len 00001000
 * and "c0003000: not mapped" at the first unmapped byte (then stops).
 * Without len: the run that starts at addr.
 */
static int do_v2p(int argc, char **argv)
{
    uint32_t va, len = 0;
    uint64_t left, pa;

    if (argc < 2 || argc > 3)
        return CMD_USAGE;
    if (!arg_u32("v2p", "address", argv[1], &va) ||
        (argc == 3 && !arg_u32("v2p", "length", argv[2], &len)))
        return CMD_FAIL;
    left = argc == 3 ? len : 0x100000000ull - va;
    if (left > 0x100000000ull - va) {
        printf("v2p: %08x: wraps past 4 GiB\n", va);
        return CMD_FAIL;
    }
    while (left) {
        uint32_t n = vm_walk(va, (uint32_t)MIN(left, 0xffffffffull), &pa);

        if (n == 0) {
            printf("%08x: not mapped\n", va);
            break;
        }
        printf("%08x -> %08llx len %08x\n", va, pa, n);
        left = argc == 3 ? left - n : 0;
        va += n;
        if (left && console_interrupted())
            break;
    }
    return CMD_OK;
}
SHELL_COMMAND(v2p, do_v2p, "addr [len]",
              "page walk: physical address and contiguous length of each run");
