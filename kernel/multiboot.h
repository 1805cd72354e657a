/* Multiboot (version 1) boot information, as the loader hands it to us. */
#ifndef MULTIBOOT_H
#define MULTIBOOT_H

#define MB_HEADER_MAGIC     0x1BADB002
#define MB_HEADER_FLAGS     0x00000003  /* page-aligned modules, memory info */
#define MB_BOOT_MAGIC       0x2BADB002  /* in EAX at entry */

#ifndef __ASSEMBLY__
#include "types.h"

struct mb_info {
    uint32_t flags;
#define MBI_MEM         (1u << 0)   /* mem_lower, mem_upper */
#define MBI_CMDLINE     (1u << 2)
#define MBI_MODS        (1u << 3)
#define MBI_MMAP        (1u << 6)
#define MBI_LOADER      (1u << 9)
    uint32_t mem_lower;         /* KiB below 1 MiB */
    uint32_t mem_upper;         /* KiB above 1 MiB, up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;           /* physical address of a C string */
    uint32_t mods_count;
    uint32_t mods_addr;         /* array of struct mb_module */
    uint32_t syms[4];
    uint32_t mmap_length;       /* bytes */
    uint32_t mmap_addr;         /* struct mb_mmap entries, each size-prefixed */
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
} __attribute__((packed));

struct mb_module {
    uint32_t start;             /* physical, first byte */
    uint32_t end;               /* physical, one past the last byte */
    uint32_t string;
    uint32_t reserved;
} __attribute__((packed));

struct mb_mmap {
    uint32_t size;              /* of the rest of this entry (not counting itself) */
    uint64_t addr;
    uint64_t len;
    uint32_t type;
#define MB_MMAP_AVAILABLE   1
#define MB_MMAP_ACPI        3
#define MB_MMAP_NVS         4
#define MB_MMAP_BAD         5
} __attribute__((packed));

/* (APM, VBE and framebuffer fields follow; unused.) */
_Static_assert(__builtin_offsetof(struct mb_info, mmap_addr) == 48, "multiboot info");
_Static_assert(sizeof(struct mb_info) == 68, "multiboot info");
_Static_assert(sizeof(struct mb_module) == 16, "multiboot module");
_Static_assert(sizeof(struct mb_mmap) == 24, "multiboot mmap entry");
#endif
#endif
