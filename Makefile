# One Makefile for the whole project: the kernel, its images, and every test.
#
#   make            build build/kernel.elf (+ kernel.asm listing, kernel.sym), the
#                   image the tests boot, and build/kernel-min.elf, the product
#                   image: the same without the diagnostic commands and the
#                   in-guest tests (DIAG_OBJS, TEST_OBJS, TEST_MINIPORTS)
#   make iso        build/ata-scsi.iso: GRUB image, BIOS + UEFI (x86_64, ia32)
#   make run        boot it in QEMU (q35) to the prompt; MACHINE=pc, QEMU_EXTRA=...
#   make test       host unit tests, a short fuzzing run, then QEMU boots (pytest)
#   make fuzz       the libFuzzer harnesses, FUZZ_SECONDS (60) each (tests/fuzz)
#   make debug      QEMU halted with a gdb stub; gdb -x build/gdbinit
#   make bench      performance figures (build/bench/); COMPARE=linux or
#                   make bench-linux: beside Linux in the same QEMU
#   make soak       SOAK_SECONDS (120) of random I/O with faults and resets
#                   over AHCI and LSI disks; every block checked on the host
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
comma := ,
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

# Flags for everything that runs on the bare machine.  -malign-data=abi: data
# aligned as the ABI asks, without GCC's extra 32-byte alignment of arrays
# (600 bytes of padding).  -mtune=i386: instruction choices for size first
# (push/pop, short encodings), 1.1 KB less code and the per-I/O counts
# unchanged within their +-8 of noise.  Left out on purpose: -mpreferred-stack-boundary=2
# or 3 (1.4-1.8 KB less code, but the DDK's 8-byte-aligned LONGLONG makes GCC
# realign the stack in the page walk and the PRD builder: +200 instructions
# per 128 KiB transfer), -fomit-frame-pointer (1-2 KB, and no backtraces).
KCFLAGS := -m32 -march=i686 -mtune=i386 -std=gnu11 -ffreestanding -fno-builtin -fno-pic -fno-pie \
	-fno-stack-protector -nostdlib -nostdinc -isystem $(shell $(CC) -m32 -print-file-name=include) \
	-fno-omit-frame-pointer -fno-strict-aliasing -mno-sse -mno-mmx -mno-80387 \
	-mgeneral-regs-only -freg-struct-return -fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections -malign-data=abi \
	-g -Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes -Werror \
	-MD -MP
# The kernel's own objects are also compiled for link-time optimisation
# (calls inlined across files, on the per-I/O path and off it); fat, so that
# `size` of an object still tells what it costs.  Miniports are not: the DDK
# calls between a miniport and the port stay real stdcall calls, as between
# a .sys and scsiport.sys.
KERNEL_LTO := -flto -ffat-lto-objects
KERNEL_CFLAGS := $(KCFLAGS) $(KERNEL_LTO) -Ikernel -Ikernel/scsiport -Iddk \
	-DKERNEL_VERSION='"$(KERNEL_VERSION)"'
# Miniports see only the DDK headers (and their own register headers).
DDK_CFLAGS := $(KCFLAGS) -Iddk -Wno-unused-parameter -mrtd -minline-all-stringops
# DDK-era sources written for the NT compiler's default stdcall.
EXTRA_DDK_CFLAGS := $(DDK_CFLAGS) -Wno-missing-prototypes -Wno-strict-prototypes \
	-fms-extensions -Wno-error
ASFLAGS := -m32 -g -MD -MP -Ikernel -D__ASSEMBLY__

LIBGCC := $(shell $(CC) -m32 -print-libgcc-file-name)
# Each function and object in its own section, so the link drops what
# nothing references (ScsiPort routines no linked miniport calls, ...).
LDFLAGS := -m elf_i386 -T linker.ld -nostdlib --gc-sections
# The link runs the optimiser over the kernel's objects: through the compiler
# driver, with the same code-generation flags.  Each function keeps the -O
# level its file was compiled with (HOT_OBJS below); -Os is only the default
# for what the link itself adds.
LINK := $(CC) $(filter-out -MD -MP,$(KCFLAGS)) -Os -flto=auto -no-pie \
	-Wl,--build-id=none $(addprefix -Wl$(comma),$(LDFLAGS))

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
	$(B)/kernel/parse.o \
	$(B)/kernel/pmem.o \
	$(B)/kernel/memmap.o \
	$(B)/kernel/vm.o \
	$(B)/kernel/pagewalk.o \
	$(B)/kernel/heap.o \
	$(B)/kernel/memcmds.o \
	$(B)/kernel/trap.o \
	$(B)/kernel/vectors.o \
	$(B)/kernel/panic.o \
	$(B)/kernel/pci.o \
	$(B)/kernel/pcibar.o \
	$(B)/kernel/pciscan.o \
	$(B)/kernel/pcicmds.o \
	$(B)/kernel/acpi.o \
	$(B)/kernel/acpiparse.o \
	$(B)/kernel/intr.o \
	$(B)/kernel/time.o \
	$(B)/kernel/tsccal.o \
	$(B)/kernel/power.o \
	$(B)/kernel/syscmds.o \
	$(B)/kernel/board.o \
	$(B)/kernel/boottime.o

# The port driver (kernel/scsiport) and the disk layer above it.
SCSI_OBJS := \
	$(B)/ddk/ddk_layout.o \
	$(B)/kernel/scsiport/core.o \
	$(B)/kernel/scsiport/submit.o \
	$(B)/kernel/scsiport/init.o \
	$(B)/kernel/scsiport/irq.o \
	$(B)/kernel/scsiport/scan.o \
	$(B)/kernel/scsiport/physaddr.o \
	$(B)/kernel/scsiport/physclamp.o \
	$(B)/kernel/scsiport/ranges.o \
	$(B)/kernel/scsiport/rangecmds.o \
	$(B)/kernel/scsiport/validate.o \
	$(B)/kernel/scsiport/api.o \
	$(B)/kernel/scsiport/apilog.o \
	$(B)/kernel/scsiport/nttime.o \
	$(B)/kernel/scsiport/systime.o \
	$(B)/kernel/disk.o \
	$(B)/kernel/sense.o \
	$(B)/kernel/scsicmds.o \
	$(B)/kernel/scsibench.o \
	$(B)/kernel/idle.o

# In-guest tests: test commands and what they need (`selftest`, `memtest`,
# `fault`, `soak`, ...).  In build/kernel.elf only; each registers itself
# (SHELL_COMMAND), so leaving them out of build/kernel-min.elf is all it takes.
TEST_OBJS := \
	$(B)/kernel/memtest.o \
	$(B)/kernel/faultcmds.o \
	$(B)/kernel/selftest.o \
	$(B)/kernel/scsiport/apitest.o \
	$(B)/kernel/scsiport/sptest_cmd.o \
	$(B)/kernel/scsiport/sptest_queue.o \
	$(B)/kernel/scsistress.o \
	$(B)/kernel/disktest.o \
	$(B)/kernel/soak.o
# Diagnostic commands beyond the shell's contract (DESIGN.md): in
# build/kernel.elf only, like the tests; each registers itself, so the
# product image, build/kernel-min.elf, simply does not link them.
DIAG_OBJS := \
	$(B)/kernel/diagcmds.o \
	$(B)/kernel/bootstages.o \
	$(B)/kernel/meminfo.o \
	$(B)/kernel/pcimsi.o \
	$(B)/kernel/scsismart.o \
	$(B)/kernel/scsiport/errlog.o
# Miniports for the tests only (sptest: the ScsiPort API on pci-testdev).
TEST_MINIPORTS := sptest

# Optimisation: the per-I/O path (what `make bench` counts, instruction by
# instruction) for speed, everything else (start-up, shell, error paths,
# the tests) for size: -Oz, GCC 12's tighter -Os (0.8 KB less).
OPT = -Oz
HOT_OBJS := \
	$(B)/kernel/idle.o \
	$(B)/kernel/intr.o \
	$(B)/kernel/disk.o \
	$(B)/kernel/scsibench.o \
	$(B)/kernel/scsiport/core.o \
	$(B)/kernel/scsiport/submit.o \
	$(B)/kernel/scsiport/irq.o \
	$(B)/kernel/scsiport/physaddr.o \
	$(B)/kernel/scsiport/physclamp.o \
	$(B)/kernel/scsiport/api.o \
	$(B)/hba/ahci.o \
	$(B)/hba/ahci_sat.o \
	$(B)/hba/lsi.o
# Without -O2's code alignment: the padding costs 4 KiB and, counted per
# I/O, only adds the no-ops that run into aligned loops.
HOT_OPT := -O2 -falign-functions=1 -falign-jumps=1 -falign-loops=1 -falign-labels=1
$(HOT_OBJS): OPT = $(HOT_OPT)

# Miniports: hba/NAME.c (and hba/NAME_*.c) is miniport NAME.  Each is built
# with the DDK headers only, its DriverEntry renamed NAME_DriverEntry, and a
# generated one-line registration in the linker's .drvtab section.
MINIPORTS := $(sort $(foreach f,$(wildcard hba/*.c),$(if $(findstring _,$(notdir $(f))),,$(basename $(notdir $(f))))))
miniport_srcs = $(wildcard hba/$(1).c hba/$(1)_*.c)
miniport_objs = $(foreach m,$(1),$(patsubst hba/%.c,$(B)/hba/%.o,$(call miniport_srcs,$(m))) \
	$(B)/hba/$(m)_reg.o)
HBA_OBJS := $(call miniport_objs,$(filter-out $(TEST_MINIPORTS),$(MINIPORTS)))
TEST_HBA_OBJS := $(call miniport_objs,$(filter $(TEST_MINIPORTS),$(MINIPORTS)))

EXTRA_NAME := $(notdir $(patsubst %/,%,$(EXTRA_MINIPORT)))
EXTRA_SRCS := $(if $(EXTRA_MINIPORT),$(wildcard $(EXTRA_MINIPORT)/*.c))
EXTRA_OBJS := $(patsubst $(EXTRA_MINIPORT)/%.c,$(B)/extra/%.o,$(EXTRA_SRCS)) \
	$(if $(EXTRA_MINIPORT),$(B)/extra/$(EXTRA_NAME)_reg.o)
$(EXTRA_OBJS): OPT = -O2

MIN_OBJS := $(BOOT_OBJS) $(KERNEL_OBJS) $(SCSI_OBJS) $(HBA_OBJS) $(EXTRA_OBJS)
OBJS := $(MIN_OBJS) $(DIAG_OBJS) $(TEST_OBJS) $(TEST_HBA_OBJS)

# Relink when EXTRA_MINIPORT changes (a build without it drops the miniport).
EXTRA_STAMP := $(B)/extra-miniport.txt
$(shell mkdir -p $(B) && (echo '$(EXTRA_MINIPORT)' | cmp -s - $(EXTRA_STAMP) || \
	echo '$(EXTRA_MINIPORT)' > $(EXTRA_STAMP)))
# Rebuild everything when the compiler flags or the -O2 list change.
FLAGS_STAMP := $(B)/cflags.txt
FLAGS_TEXT := $(KCFLAGS) | $(KERNEL_LTO) | $(OPT) | $(HOT_OPT) | $(HOT_OBJS) | $(LINK)
$(shell mkdir -p $(B) && (echo '$(FLAGS_TEXT)' | cmp -s - $(FLAGS_STAMP) || \
	echo '$(FLAGS_TEXT)' > $(FLAGS_STAMP)))

all: $(B)/kernel.elf $(B)/kernel-min.elf

$(OBJS): $(FLAGS_STAMP)

deps:
	$(Q)tools/deps.sh

# Linked twice: the second link adds the function symbol table (.ksyms, last
# in linker.ld, so nothing moves) that names the fault report's backtraces.
# Each image is linked to a temporary name and renamed when complete: a
# link takes a while (the optimiser runs in it), and a test booting the
# image meanwhile gets the old one rather than none.
$(B)/kernel.elf: $(OBJS) linker.ld tools/gen_ksyms.py $(EXTRA_STAMP)
	@echo "  LD      $@"
	$(Q)$(LINK) -o $(B)/kernel.nosyms.elf $(OBJS) $(LIBGCC)
	$(Q)$(PYTHON) tools/gen_ksyms.py $(NM) $(B)/kernel.nosyms.elf > $(B)/ksyms.S
	$(Q)$(CC) $(ASFLAGS) -c -o $(B)/ksyms.o $(B)/ksyms.S
	$(Q)$(LINK) -o $@.tmp $(OBJS) $(B)/ksyms.o $(LIBGCC)
	$(Q)$(PYTHON) tools/gen_ksyms.py --same $(NM) $(B)/kernel.nosyms.elf $@.tmp
	$(Q)mv -f $@.tmp $@
	$(Q)$(OBJDUMP) -S $@ > $(B)/kernel.asm
	$(Q)$(NM) -n $@ > $(B)/kernel.sym
	$(Q)size $@ | tail -1 | awk '{ printf "  SIZE    text %d data %d bss %d\n", $$1, $$2, $$3 }'

# Without the tests, and without the symbol table: its backtraces give
# addresses only (addr2line -e build/kernel-min.elf).
$(B)/kernel-min.elf: $(MIN_OBJS) linker.ld $(EXTRA_STAMP)
	@echo "  LD      $@"
	$(Q)$(LINK) -o $@.tmp $(MIN_OBJS) $(LIBGCC)
	$(Q)mv -f $@.tmp $@
	$(Q)$(OBJDUMP) -S $@ > $(B)/kernel-min.asm
	$(Q)$(NM) -n $@ > $(B)/kernel-min.sym
	$(Q)size $@ | tail -1 | awk '{ printf "  SIZE    text %d data %d bss %d (min)\n", $$1, $$2, $$3 }'

$(B)/boot/%.o: boot/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

$(B)/kernel/%.o: kernel/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(OPT) -c -o $@ $<

$(B)/kernel/%.o: kernel/%.S
	@mkdir -p $(@D)
	@echo "  AS      $<"
	$(Q)$(CC) $(ASFLAGS) -c -o $@ $<

miniport_of = $(firstword $(subst _, ,$(basename $(notdir $(1)))))

$(B)/hba/%.o: hba/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(DDK_CFLAGS) $(OPT) -Ihba -DDriverEntry=$(call miniport_of,$<)_DriverEntry -c -o $@ $<

# The registration entry: { name, DriverEntry } in .drvtab.
$(B)/hba/%_reg.c $(B)/extra/%_reg.c:
	@mkdir -p $(@D)
	$(Q)printf '%s\n' '#include "port.h"' \
		'ULONG NTAPI $*_DriverEntry(PVOID DriverObject, PVOID RegistryPath);' \
		'static struct sp_driver_object drv = { "$*", $*_DriverEntry, 0 };' \
		'static struct sp_driver_object *const entry' \
		'    __attribute__((used, section(".drvtab"))) = &drv;' > $@

$(B)/hba/%_reg.o: $(B)/hba/%_reg.c
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(OPT) -c -o $@ $<

$(B)/extra/%_reg.o: $(B)/extra/%_reg.c
	@echo "  CC      $<"
	$(Q)$(CC) $(KERNEL_CFLAGS) $(OPT) -c -o $@ $<

$(B)/ddk/%.o: ddk/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(DDK_CFLAGS) $(OPT) -c -o $@ $<

$(B)/extra/%.o: $(EXTRA_MINIPORT)/%.c
	@mkdir -p $(@D)
	@echo "  CC      $< (DDK, -mrtd)"
	$(Q)$(CC) $(EXTRA_DDK_CFLAGS) $(OPT) -I$(EXTRA_MINIPORT) -DDriverEntry=$(EXTRA_NAME)_DriverEntry -c -o $@ $<

# ---- GRUB image -------------------------------------------------------------

ISO := $(B)/ata-scsi.iso

iso: $(ISO)

$(ISO): $(B)/kernel.elf $(B)/kernel-min.elf boot/grub.cfg
	@echo "  ISO     $@"
	$(Q)rm -rf $(B)/isodir && mkdir -p $(B)/isodir/boot/grub
	$(Q)cp $(B)/kernel.elf $(B)/kernel-min.elf $(B)/isodir/boot/
	$(Q)cp boot/grub.cfg $(B)/isodir/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/isodir > $(B)/grub-mkrescue.log 2>&1 || \
		{ cat $(B)/grub-mkrescue.log; exit 1; }

# ---- running ----------------------------------------------------------------

run: deps all iso
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
	$(B)/unit/test_physclamp \
	$(B)/unit/test_sense \
	$(B)/unit/test_pagewalk \
	$(B)/unit/test_pmem \
	$(B)/unit/test_printf \
	$(B)/unit/test_cmdline \
	$(B)/unit/test_crc32 \
	$(B)/unit/test_pcibar \
	$(B)/unit/test_pciscan \
	$(B)/unit/test_acpi \
	$(B)/unit/test_timecalc \
	$(B)/unit/test_ranges \
	$(B)/unit/test_nttime \
	$(B)/unit/test_ahci_sat \
	$(B)/unit/test_lsiscripts

$(B)/unit/test_printf: tests/unit/test_printf.c kernel/printf.c
$(B)/unit/test_physclamp: tests/unit/test_physclamp.c kernel/scsiport/physclamp.c
$(B)/unit/test_sense: tests/unit/test_sense.c kernel/sense.c
$(B)/unit/test_cmdline: tests/unit/test_cmdline.c kernel/cmdline.c kernel/parse.c
$(B)/unit/test_crc32: tests/unit/test_crc32.c kernel/crc32.c
$(B)/unit/test_pagewalk: tests/unit/test_pagewalk.c kernel/pagewalk.c
$(B)/unit/test_pmem: tests/unit/test_pmem.c kernel/memmap.c
$(B)/unit/test_pcibar: tests/unit/test_pcibar.c kernel/pcibar.c
$(B)/unit/test_pciscan: tests/unit/test_pciscan.c kernel/pciscan.c
$(B)/unit/test_ranges: tests/unit/test_ranges.c kernel/scsiport/ranges.c kernel/parse.c
$(B)/unit/test_nttime: tests/unit/test_nttime.c kernel/scsiport/nttime.c
$(B)/unit/test_acpi: tests/unit/test_acpi.c kernel/acpiparse.c
$(B)/unit/test_timecalc: tests/unit/test_timecalc.c
$(B)/unit/test_lsiscripts: tests/unit/test_lsiscripts.c hba/lsi_scripts.c
$(B)/unit/test_lsiscripts: UNIT_CFLAGS += -Iddk -Ihba
$(B)/unit/test_ahci_sat: tests/unit/test_ahci_sat.c hba/ahci_sat.c
$(B)/unit/test_ahci_sat: UNIT_CFLAGS += -Iddk -Ihba

$(B)/unit/%:
	@mkdir -p $(@D)
	@echo "  HOSTCC  $@"
	$(Q)$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $^ -lcmocka -lz

unit: deps $(UNIT_TESTS)
	$(Q)for t in $(UNIT_TESTS); do echo "== $$t"; $$t || exit 1; done
	$(Q)echo "== DDK headers against mingw-w64's (MSVC layout)"; bash tests/ddk/check_layout.sh -q

qemu-tests: deps all iso
	$(Q)$(PYTHON) -m pytest -q tests/qemu $(PYTEST_ARGS)

test: deps
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory qemu-tests

# ---- fuzzing (libFuzzer: clang, libclang-rt-14-dev) -------------------------
#   make fuzz        each harness in tests/fuzz for FUZZ_SECONDS (default 60),
#                    growing build/fuzz/corpus/NAME from tests/fuzz/corpus/NAME;
#                    FUZZ_TARGETS="sat parse" picks some
#   make fuzz-smoke  each over its regression inputs and seeds, then
#                    FUZZ_SMOKE_SECONDS (default 4) of fuzzing (in make test)
# A crash input is left in build/fuzz/crash/NAME/; fixed, it goes in
# tests/fuzz/regress/NAME/.  tests/fuzz/seeds.py rewrites the seeds.

FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -iquote kernel -DHOST_TEST
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_TARGETS ?= sat sense ranges pagewalk parse acpi memmap pci printf
FUZZERS := $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_TARGETS))

$(B)/fuzz/fuzz_sat: tests/fuzz/fuzz_sat.c hba/ahci_sat.c kernel/sense.c
$(B)/fuzz/fuzz_sat: FUZZ_CFLAGS += -Iddk -Ihba
$(B)/fuzz/fuzz_sense: tests/fuzz/fuzz_sense.c kernel/sense.c
$(B)/fuzz/fuzz_ranges: tests/fuzz/fuzz_ranges.c kernel/scsiport/ranges.c kernel/parse.c
$(B)/fuzz/fuzz_ranges: FUZZ_CFLAGS += -iquote kernel/scsiport
$(B)/fuzz/fuzz_pagewalk: tests/fuzz/fuzz_pagewalk.c kernel/pagewalk.c kernel/scsiport/physclamp.c
$(B)/fuzz/fuzz_parse: tests/fuzz/fuzz_parse.c kernel/parse.c kernel/cmdline.c
$(B)/fuzz/fuzz_acpi: tests/fuzz/fuzz_acpi.c kernel/acpiparse.c
$(B)/fuzz/fuzz_memmap: tests/fuzz/fuzz_memmap.c kernel/memmap.c
$(B)/fuzz/fuzz_pci: tests/fuzz/fuzz_pci.c kernel/pcibar.c kernel/pciscan.c
$(B)/fuzz/fuzz_printf: tests/fuzz/fuzz_printf.c kernel/printf.c

$(FUZZERS): $(B)/fuzz/fuzz_%: tests/fuzz/fuzz.h
	@mkdir -p $(@D)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MM -MP -MT $@ $(filter %.c,$^) > $@.d
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(filter %.c,$^)

fuzz: deps $(FUZZERS)
	$(Q)tests/fuzz/run.sh full $(FUZZ_SECONDS) $(B) $(FUZZ_TARGETS)

fuzz-smoke: deps $(FUZZERS)
	$(Q)echo "== fuzz: regression inputs, seeds, $(FUZZ_SMOKE_SECONDS) s each"
	$(Q)tests/fuzz/run.sh smoke $(FUZZ_SMOKE_SECONDS) $(B) $(FUZZ_TARGETS)

.PHONY: fuzz fuzz-smoke

-include $(FUZZERS:=.d)

# ---- benchmarks (not part of `make test`) -----------------------------------
#   make bench               our kernel on each controller: instructions and
#                            register accesses per I/O, MB/s, IOPS, boot, size
#   make bench COMPARE=linux (= make bench-linux) beside Debian's Linux + fio
# RUNS=n runs per figure (median); BENCH_ARGS=... more tools/bench/bench.py options
# (e.g. --controllers ahci, --pin none, --no-file; tools/bench/bench.py --help).

RUNS ?= 3
COMPARE ?= none
BENCH_ARGS ?=

bench: deps all
	$(Q)$(PYTHON) tools/bench/bench.py --runs $(RUNS) --compare $(COMPARE) $(BENCH_ARGS)

bench-linux: deps all
	$(Q)$(PYTHON) tools/bench/bench.py --runs $(RUNS) --compare linux $(BENCH_ARGS)

.PHONY: bench bench-linux

# ---- soak (not part of `make test`; tests/qemu/test_soak_short.py is) --------
#   make soak   SOAK_SECONDS (default 120) of mixed random reads and writes at
#               queue depths 1, 4 and 32 over two AHCI and two LSI disks at
#               once, with injected errors, bus resets and timeouts; then the
#               host checks every block of every image (tools/soak.py).
#               SOAK_SEED picks the run; SOAK_ARGS=... more tools/soak.py
#               options (tools/soak.py --help).

SOAK_SECONDS ?= 120
SOAK_SEED ?= 1
SOAK_ARGS ?=

soak: deps all
	$(Q)$(PYTHON) tools/soak.py --seconds $(SOAK_SECONDS) --seed $(SOAK_SEED) $(SOAK_ARGS)

.PHONY: soak

clean:
	rm -rf $(B)

.PHONY: all deps iso run debug unit qemu-tests test clean

-include $(OBJS:.o=.d)
