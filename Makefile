# One Makefile for the whole project: the kernel, its images, and every test.
#
#   make            build build/kernel.elf (+ kernel.asm listing, kernel.sym)
#   make iso        build/ata-scsi.iso: GRUB image, BIOS + UEFI (x86_64, ia32)
#   make run        boot it in QEMU (q35) to the prompt; MACHINE=pc, QEMU_EXTRA=...
#   make test       host unit tests, then QEMU boots (pytest)
#   make debug      QEMU halted with a gdb stub; gdb -x build/gdbinit
#
# Quiet by default; V=1 shows full commands.  Missing Debian packages are
# installed by tools/deps.sh when run as root (otherwise it says what to run).

.DELETE_ON_ERROR:
.SUFFIXES:

V ?= 0
ifeq ($(V),1)
Q :=
else
Q := @
endif

B := build
CC := gcc
LD := ld
OBJDUMP := objdump
NM := nm
PYTHON ?= /usr/bin/python3
MACHINE ?= q35
QEMU_EXTRA ?=
# Out-of-tree miniport: EXTRA_MINIPORT=/path/to/folder (all *.c in it, DDK flags).
EXTRA_MINIPORT ?=

KERNEL_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# Flags for everything that runs on the bare machine.
KCFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-builtin -fno-pic -fno-pie \
	-fno-stack-protector -nostdlib -nostdinc -isystem $(shell $(CC) -m32 -print-file-name=include) \
	-fno-omit-frame-pointer -fno-strict-aliasing -mno-sse -mno-mmx -mno-80387 \
	-mgeneral-regs-only -freg-struct-return -fno-asynchronous-unwind-tables \
	-O2 -g -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Werror \
	-MD -MP
KERNEL_CFLAGS := $(KCFLAGS) -Ikernel -DKERNEL_VERSION='"$(KERNEL_VERSION)"'
# Miniports see only the DDK headers (and their own register headers).
DDK_CFLAGS := $(KCFLAGS) -Iddk -Wno-unused-parameter
# DDK-era sources written for the NT compiler's default stdcall.
EXTRA_DDK_CFLAGS := $(DDK_CFLAGS) -mrtd -Wno-missing-prototypes -Wno-strict-prototypes \
	-fms-extensions -Wno-error
ASFLAGS := -m32 -g -MD -MP -Ikernel -D__ASSEMBLY__

LIBGCC := $(shell $(CC) -m32 -print-libgcc-file-name)

BOOT_OBJS := \
	$(B)/boot/entry.o

KERNEL_OBJS := \
	$(B)/kernel/main.o \
	$(B)/kernel/console.o \
	$(B)/kernel/printf.o \
	$(B)/kernel/string.o \
	$(B)/kernel/cmdline.o \
	$(B)/kernel/shell.o \
	$(B)/kernel/cmds.o \
	$(B)/kernel/crc32.o \
	$(B)/kernel/report.o \
	$(B)/kernel/parse.o

HBA_OBJS :=

EXTRA_SRCS := $(if $(EXTRA_MINIPORT),$(wildcard $(EXTRA_MINIPORT)/*.c))
EXTRA_OBJS := $(patsubst $(EXTRA_MINIPORT)/%.c,$(B)/extra/%.o,$(EXTRA_SRCS))

OBJS := $(BOOT_OBJS) $(KERNEL_OBJS) $(HBA_OBJS) $(EXTRA_OBJS)

all: $(B)/kernel.elf

deps:
	$(Q)tools/deps.sh

$(B)/kernel.elf: $(OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) -m elf_i386 -T linker.ld -nostdlib -o $@ $(OBJS) $(LIBGCC)
	$(Q)$(OBJDUMP) -S $@ > $(B)/kernel.asm
	$(Q)$(NM) -n $@ > $(B)/kernel.sym
	$(Q)size $@ | tail -1 | awk '{ printf "  SIZE    text %d data %d bss %d\n", $$1, $$2, $$3 }'

$(B)/boot/%.o: boot/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

$(B)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) -c -o $@ $<

$(B)/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

$(B)/hba/%.o: hba/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(DDK_CFLAGS) -Ihba -c -o $@ $<

$(B)/ddk/%.o: ddk/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(DDK_CFLAGS) -c -o $@ $<

$(B)/extra/%.o: $(EXTRA_MINIPORT)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $< (DDK, -mrtd)"
	$(Q)$(CC) $(EXTRA_DDK_CFLAGS) -I$(EXTRA_MINIPORT) -c -o $@ $<

# ---- GRUB image -------------------------------------------------------------

ISO := $(B)/ata-scsi.iso

iso: $(ISO)

$(ISO): $(B)/kernel.elf boot/grub.cfg
	@echo "  ISO     $@"
	$(Q)rm -rf $(B)/isodir && mkdir -p $(B)/isodir/boot/grub
	$(Q)cp $(B)/kernel.elf $(B)/isodir/boot/kernel.elf
	$(Q)cp boot/grub.cfg $(B)/isodir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/isodir -- -quiet 2> $(B)/grub-mkrescue.log || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

# ---- running ----------------------------------------------------------------

run: deps all
	$(Q)$(PYTHON) tools/run.py --machine $(MACHINE) -- $(QEMU_EXTRA)

debug: deps all
	@printf 'file %s\ntarget remote localhost:1234\n' $(B)/kernel.elf > $(B)/gdbinit
	@echo "QEMU is halted with a gdb stub on :1234; in another terminal: gdb -x $(B)/gdbinit"
	$(Q)$(PYTHON) tools/run.py --machine $(MACHINE) --gdb -- $(QEMU_EXTRA)

# ---- tests ------------------------------------------------------------------

UNIT_CC := gcc
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -iquote kernel -DHOST_TEST \
	-fsanitize=address,undefined -fno-sanitize-recover=all
UNIT_TESTS := \
	$(B)/unit/test_printf \
	$(B)/unit/test_cmdline \
	$(B)/unit/test_crc32

$(B)/unit/test_printf: tests/unit/test_printf.c kernel/printf.c
$(B)/unit/test_cmdline: tests/unit/test_cmdline.c kernel/cmdline.c kernel/parse.c
$(B)/unit/test_crc32: tests/unit/test_crc32.c kernel/crc32.c

$(B)/unit/%:
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $^ -lcmocka -lz

unit: deps $(UNIT_TESTS)
	$(Q)for t in $(UNIT_TESTS); do echo "== $$t"; $$t || exit 1; done

qemu-tests: deps all iso
	$(Q)$(PYTHON) -m pytest -q tests/qemu $(PYTEST_ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory qemu-tests

clean:
	rm -rf $(B)

.PHONY: all deps iso run debug unit qemu-tests test clean

-include $(OBJS:.o=.d)
