/*
 * The `pci` shell command, in U-Boot's shape where U-Boot has the form:
 *
 *   pci [bus] [long]                       list functions (all buses, or one)
 *   pci header b.d.f                       the configuration header, decoded
 *   pci bar [b.d.f]                        BARs: base, size, width, type
 *   pci cap [b.d.f]                        the capability list
 *   pci display[.b|.w|.l] b.d.f [off] [n]  dump configuration space
 *   pci write[.b|.w|.l] b.d.f off value    write one register
 *   pci msi b.d.f addr data | off          program MSI through pci_msi_enable
 *                                          (pcimsi.c, in build/kernel.elf only)
 *
 * b.d.f is hex, "00.1f.02" or "0.1f.2" (also "00:1f.2").  bar and cap
 * without b.d.f cover every function, each block opened by a line
 * "Found PCI device bb.dd.ff:" as in U-Boot's long listing.
 */
#include "pci.h"
#include "pcicmds.h"
#include "pcireg.h"
#include "shell.h"
#include "console.h"
#include "parse.h"
#include "string.h"

/* ---- arguments ------------------------------------------------------------- */

/* One hex field of b.d.f, at most max; *s advances past it. */
static bool bdf_field(const char **s, unsigned max, unsigned *out)
{
    unsigned v = 0;
    int n = 0;

    for (; isxdigit(**s) && n < 3; (*s)++, n++)
        v = v * 16 + (isdigit(**s) ? **s - '0' : tolower(**s) - 'a' + 10);
    if (n == 0 || n == 3 || v > max)
        return false;
    *out = v;
    return true;
}

static bool bdf_parse(const char *s, unsigned *b, unsigned *d, unsigned *f)
{
    if (!bdf_field(&s, PCI_MAX_BUS - 1, b) || (*s != '.' && *s != ':'))
        return false;
    s++;
    if (!bdf_field(&s, PCI_MAX_DEV - 1, d) || *s != '.')
        return false;
    s++;
    return bdf_field(&s, PCI_MAX_FN - 1, f) && *s == '\0';
}

/* The recorded function named by s, or NULL after saying what is wrong. */
struct pci_dev *pci_dev_arg(const char *s)
{
    unsigned b, d, f;
    struct pci_dev *dev;

    if (!bdf_parse(s, &b, &d, &f)) {
        printf("pci: bad bus.device.function '%s' (want hex, e.g. 00.1f.02)\n", s);
        return NULL;
    }
    dev = pci_find_bdf(b, d, f);
    if (!dev)
        printf("pci: no device at %02x.%02x.%02x\n", b, d, f);
    return dev;
}

static void found_line(const struct pci_dev *d)
{
    printf("Found PCI device %02x.%02x.%02x:\n", d->bus, d->dev, d->fn);
}

/* ---- pci [bus] [long] ------------------------------------------------------- */

struct reg_field {
    const char *name;
    uint8_t width;                  /* bytes */
    uint8_t off;
};

static const struct reg_field hdr_common[] = {
    { "vendor ID", 2, PCI_VENDOR_ID },
    { "device ID", 2, PCI_DEVICE_ID },
    { "command register", 2, PCI_COMMAND },
    { "status register", 2, PCI_STATUS },
    { "revision ID", 1, PCI_REVISION_ID },
    { "class code", 1, PCI_CLASS },
    { "sub class code", 1, PCI_SUBCLASS },
    { "programming interface", 1, PCI_PROG_IF },
    { "cache line", 1, PCI_CACHE_LINE_SIZE },
    { "latency time", 1, PCI_LATENCY_TIMER },
    { "header type", 1, PCI_HEADER_TYPE },
    { "BIST", 1, PCI_BIST },
    { "base address 0", 4, PCI_BAR0 },
    { "base address 1", 4, PCI_BAR0 + 4 },
    { NULL, 0, 0 }
};

static const struct reg_field hdr_normal[] = {
    { "base address 2", 4, PCI_BAR0 + 8 },
    { "base address 3", 4, PCI_BAR0 + 12 },
    { "base address 4", 4, PCI_BAR0 + 16 },
    { "base address 5", 4, PCI_BAR0 + 20 },
    { "cardBus CIS pointer", 4, PCI_CARDBUS_CIS },
    { "sub system vendor ID", 2, PCI_SUBSYS_VENDOR_ID },
    { "sub system ID", 2, PCI_SUBSYS_ID },
    { "expansion ROM base address", 4, PCI_ROM_ADDRESS },
    { "capabilities pointer", 1, PCI_CAP_PTR },
    { "interrupt line", 1, PCI_INTERRUPT_LINE },
    { "interrupt pin", 1, PCI_INTERRUPT_PIN },
    { "min Grant", 1, PCI_MIN_GNT },
    { "max Latency", 1, PCI_MAX_LAT },
    { NULL, 0, 0 }
};

static const struct reg_field hdr_bridge[] = {
    { "primary bus number", 1, PCI_PRIMARY_BUS },
    { "secondary bus number", 1, PCI_SECONDARY_BUS },
    { "subordinate bus number", 1, PCI_SUBORDINATE_BUS },
    { "secondary latency timer", 1, PCI_SEC_LATENCY_TIMER },
    { "IO base", 1, PCI_IO_BASE },
    { "IO limit", 1, PCI_IO_LIMIT },
    { "secondary status", 2, PCI_SEC_STATUS },
    { "memory base", 2, PCI_MEMORY_BASE },
    { "memory limit", 2, PCI_MEMORY_LIMIT },
    { "prefetch memory base", 2, PCI_PREF_MEMORY_BASE },
    { "prefetch memory limit", 2, PCI_PREF_MEMORY_LIMIT },
    { "prefetch memory base upper", 4, PCI_PREF_BASE_UPPER32 },
    { "prefetch memory limit upper", 4, PCI_PREF_LIMIT_UPPER32 },
    { "IO base upper 16 bits", 2, PCI_IO_BASE_UPPER16 },
    { "IO limit upper 16 bits", 2, PCI_IO_LIMIT_UPPER16 },
    { "capabilities pointer", 1, PCI_CAP_PTR },
    { "expansion ROM base address", 4, PCI_ROM_ADDRESS1 },
    { "interrupt line", 1, PCI_INTERRUPT_LINE },
    { "interrupt pin", 1, PCI_INTERRUPT_PIN },
    { "bridge control", 2, PCI_BRIDGE_CONTROL },
    { NULL, 0, 0 }
};

static uint32_t cfg_read(const struct pci_dev *d, unsigned off, unsigned width)
{
    if (width == 1)
        return pci_read8(d->bus, d->dev, d->fn, off);
    if (width == 2)
        return pci_read16(d->bus, d->dev, d->fn, off);
    return pci_read32(d->bus, d->dev, d->fn, off);
}

/* "  name =<pad>0x..", the value column at 32. */
static void fields_show(const struct pci_dev *d, const struct reg_field *r)
{
    for (; r->name; r++) {
        int pad = 28 - (int)strlen(r->name);

        printf("  %s =%*s0x%0*x", r->name, pad > 0 ? pad : 0, "", r->width * 2,
               cfg_read(d, r->off, r->width));
        if (r->off == PCI_CLASS)
            printf(" (%s)", pci_class_name(d->class));
        console_putc('\n');
    }
}

static void header_show(const struct pci_dev *d)
{
    fields_show(d, hdr_common);
    if (d->hdr_type == PCI_HDR_NORMAL)
        fields_show(d, hdr_normal);
    else if (d->hdr_type == PCI_HDR_BRIDGE)
        fields_show(d, hdr_bridge);
    else
        printf("  (header type %02x: see 'pci display')\n", d->hdr_type);
}

/* A table's heading and the line under it, as wide as U-Boot draws it. */
static void heading(const char *title, char rule, int width)
{
    printf("%s\n", title);
    while (width--)
        console_putc(rule);
    console_putc('\n');
}

static void brief_show(const struct pci_dev *d)
{
    printf("%02x.%02x.%02x   0x%04x     0x%04x     %-23s 0x%02x\n", d->bus, d->dev, d->fn,
           d->vendor, d->device, pci_class_name(d->class), d->subclass);
}

/* bus < 0: every bus. */
static int list(int bus, bool full)
{
    if (!full) {
        heading("BusDevFun  VendorId   DeviceId   Device Class       Sub-Class", '_', 61);
    }
    for (int i = 0; i < pci_count(); i++) {
        const struct pci_dev *d = pci_get(i);

        if (bus >= 0 && d->bus != bus)
            continue;
        if (full) {
            console_putc('\n');
            found_line(d);
            header_show(d);
        } else {
            brief_show(d);
        }
    }
    return CMD_OK;
}

/* pci, pci long, pci <bus> [long] */
static int do_list(int argc, char **argv)
{
    uint32_t bus;
    int i = 1;
    bool full = false;

    if (argc > 3)
        return CMD_USAGE;
    if (argc > 1 && parse_u32(argv[1], 16, &bus)) {
        if (bus >= PCI_MAX_BUS) {
            printf("pci: bus %x out of range (00-ff)\n", bus);
            return CMD_FAIL;
        }
        i++;
    } else {
        bus = (uint32_t)-1;
    }
    if (i < argc && strcmp(argv[i], "long") == 0) {
        full = true;
        i++;
    }
    if (i < argc) {
        printf("pci: unknown subcommand '%s' - try 'help pci'\n", argv[i]);
        return CMD_FAIL;
    }
    return list((int)bus, full);
}

/* ---- pci header | bar | cap ------------------------------------------------ */

static void bars_show(const struct pci_dev *d)
{
    bool any = false;

    heading("ID   Base                Size                Width  Type", '-', 58);
    for (int i = 0; i < 6; i++) {
        const struct pci_bar *b = &d->bar[i];

        if (b->type == PCI_BAR_NONE)
            continue;
        any = true;
        printf(" %d   0x%016llx  0x%016llx  %d     %s%s\n", i,
               (unsigned long long)b->base, (unsigned long long)b->size,
               b->type == PCI_BAR_MEM64 ? 64 : 32, b->type == PCI_BAR_IO ? "I/O" : "MEM",
               b->prefetch ? "   Prefetchable" : "");
    }
    if (!any)
        printf("(no BARs)\n");
}

static void caps_show(const struct pci_dev *d)
{
    struct pci_cap caps[PCI_CAP_MAX_WALK];
    int n = pci_cap_list(d, caps, PCI_CAP_MAX_WALK);

    printf("Pos   ID    Capability\n");
    for (int i = 0; i < n; i++)
        printf("0x%02x  0x%02x  %s\n", caps[i].pos, caps[i].id, pci_cap_name(caps[i].id));
    if (n == 0)
        printf("(no capabilities)\n");
}

/* pci <what> [b.d.f]: one function, or every function when b.d.f is omitted and allowed. */
static int per_device(int argc, char **argv, bool all_ok, void (*show)(const struct pci_dev *))
{
    const struct pci_dev *d;

    if (argc > 3 || (argc < 3 && !all_ok))
        return CMD_USAGE;
    if (argc == 3) {
        d = pci_dev_arg(argv[2]);
        if (!d)
            return CMD_FAIL;
        show(d);
        return CMD_OK;
    }
    for (int i = 0; i < pci_count(); i++) {
        found_line(pci_get(i));
        show(pci_get(i));
    }
    return CMD_OK;
}

/* ---- pci display | write ----------------------------------------------------- */

/* ".b", ".w", ".l" (or none: 4) after the subcommand name; 0 if malformed. */
static unsigned access_width(const char *sub)
{
    const char *dot = strchr(sub, '.');

    if (!dot)
        return 4;
    if (dot[1] && !dot[2])
        return dot[1] == 'b' ? 1 : dot[1] == 'w' ? 2 : dot[1] == 'l' ? 4 : 0;
    return 0;
}

static bool offset_ok(uint32_t off, uint32_t width, uint32_t count)
{
    if (off % width) {
        printf("pci: offset %x is not a multiple of the access size %u\n", off, width);
        return false;
    }
    if (off >= PCI_ECAM_SIZE || count > (PCI_ECAM_SIZE - off) / width) {
        printf("pci: offset %x + %u bytes is past the end of configuration space (1000)\n",
               off, count * width);
        return false;
    }
    return true;
}

static void cfg_dump(const struct pci_dev *d, uint32_t off, unsigned width, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        uint32_t a = off + i * width;

        if (i == 0 || a % 16 == 0)
            printf("%s%08x:", i ? "\n" : "", a);
        printf(" %0*x", width * 2, cfg_read(d, a, width));
    }
    console_putc('\n');
}

static int do_display(int argc, char **argv)
{
    unsigned width = access_width(argv[1]);
    uint32_t off = 0, count = 0;
    const struct pci_dev *d;

    if (!width || argc < 3 || argc > 5)
        return CMD_USAGE;
    d = pci_dev_arg(argv[2]);
    if (!d)
        return CMD_FAIL;
    if ((argc > 3 && !parse_u32(argv[3], 16, &off)) ||
        (argc > 4 && !parse_u32(argv[4], 16, &count))) {
        printf("pci: bad number '%s'\n", argv[argc > 4 ? 4 : 3]);
        return CMD_FAIL;
    }
    if (count == 0)
        count = 0x40 / width;
    if (!offset_ok(off, width, count))
        return CMD_FAIL;
    cfg_dump(d, off, width, count);
    return CMD_OK;
}

static int do_write(int argc, char **argv)
{
    unsigned width = access_width(argv[1]);
    uint32_t off, v;
    const struct pci_dev *d;

    if (!width || argc != 5)
        return CMD_USAGE;
    d = pci_dev_arg(argv[2]);
    if (!d)
        return CMD_FAIL;
    if (!parse_u32(argv[3], 16, &off) || !parse_u32(argv[4], 16, &v)) {
        printf("pci: bad number in '%s %s'\n", argv[3], argv[4]);
        return CMD_FAIL;
    }
    if (!offset_ok(off, width, 1))
        return CMD_FAIL;
    if (width < 4 && v >> (8 * width)) {
        printf("pci: value %x does not fit in %u byte(s)\n", v, width);
        return CMD_FAIL;
    }
    if (width == 1)
        pci_write8(d->bus, d->dev, d->fn, off, v);
    else if (width == 2)
        pci_write16(d->bus, d->dev, d->fn, off, v);
    else
        pci_write32(d->bus, d->dev, d->fn, off, v);
    return CMD_OK;
}

/* ---- dispatch ---------------------------------------------------------------- */

static int do_header(int argc, char **argv)
{
    return per_device(argc, argv, false, header_show);
}

static int do_bar(int argc, char **argv)
{
    return per_device(argc, argv, true, bars_show);
}

static int do_cap(int argc, char **argv)
{
    return per_device(argc, argv, true, caps_show);
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);   /* argv[1] is the subcommand */
    bool sized;                         /* takes .b/.w/.l */
} subcmds[] = {
    { "header", do_header, false },
    { "bar", do_bar, false },
    { "cap", do_cap, false },
    { "display", do_display, true },
    { "write", do_write, true },
    { "msi", pci_msi_command, false },   /* NULL without pcimsi.o */
};

static int do_pci(int argc, char **argv)
{
    uint32_t bus;

    if (argc == 1 || strcmp(argv[1], "long") == 0 || parse_u32(argv[1], 16, &bus))
        return do_list(argc, argv);
    for (size_t i = 0; i < ARRAY_SIZE(subcmds); i++) {
        size_t n = strlen(subcmds[i].name);

        if (subcmds[i].fn && strncmp(argv[1], subcmds[i].name, n) == 0 &&
            (argv[1][n] == '\0' || (argv[1][n] == '.' && subcmds[i].sized)))
            return subcmds[i].fn(argc, argv);
    }
    printf("pci: unknown subcommand '%s' - try 'help pci'\n", argv[1]);
    return CMD_FAIL;
}
const char pci_usage[sizeof(pci_usage)] __attribute__((weak)) = PCI_USAGE("");
SHELL_COMMAND(pci, do_pci, pci_usage,
              "list PCI functions; show a header, BARs, capabilities; read/write config space");
