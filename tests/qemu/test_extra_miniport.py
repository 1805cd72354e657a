"""The out-of-tree miniport path, end to end: tests/extra/edudisk, a RAM
disk miniport written as an NT 4 DDK source (no calling-convention
annotations, DebugPrint with %I64x), built into a separate kernel with

    make B=build/extra EXTRA_MINIPORT=tests/extra/edudisk build/extra/kernel.elf

and booted on q35 with QEMU's educational PCI device (-device edu, 1234:11e8).

Checked here, against what the host and QEMU know:
  - the build: the miniport compiles without a warning, every callback and
    DriverEntry pops its own arguments (`ret $N`, stdcall) although the
    source never says so - and the same source compiled without -mrtd does
    not (so the check can fail); build/kernel.elf is left alone and holds no
    edudisk code; the separate build has its own ksyms and listing;
  - the boot: the adapter at the PCI address and BAR0 that QEMU's `info pci`
    gives the edu device, BAR0 claimed in `ranges`, the disk in `scsi info`
    with the capacity the miniport's spec gives;
  - the data: CRC-32 of the whole disk read through the shell against the
    pattern computed here, a write (`mw`, `scsi write`) read back around its
    edges, the written buffer's CRC too;
  - autosense: an opcode the miniport does not know (SYNCHRONIZE CACHE from
    `scsi flush`) fails with ILLEGAL REQUEST 20/00 decoded from the sense the
    miniport returned with the status;
  - without -device edu, the miniport finds nothing and says nothing.
"""

import os
import re
import shlex
import struct
import subprocess
import zlib

import pytest

from harness import (HMP_DEV, HMP_ID, KERNEL, RC_PASS, ROOT, Qemu, boot, expect_lines,
                     forbid_lines, shell)

EXTRA_DIR = "tests/extra/edudisk"
SOURCE = os.path.join(ROOT, EXTRA_DIR, "edudisk.c")
B = "build/extra"
EXTRA_KERNEL = os.path.join(ROOT, B, "kernel.elf")
OBJ = os.path.join(ROOT, B, "extra", "edudisk.o")
MAKE = ["make", "B=" + B, "EXTRA_MINIPORT=" + EXTRA_DIR]

EDU = ["-device", "edu"]
VENDOR, DEVICE = 0x1234, 0x11e8
# The miniport's spec (edudisk.c: EDU_DISK_SIZE, EDU_BLOCK_SIZE, EDU_PATTERN).
BLOCK = 512
BLOCKS = 256 * 1024 // BLOCK
BUF, BUF2, BUF3 = 0x01000000, 0x01100000, 0x01200000   # identity-mapped RAM
FILL = 0x0badcafe

# Bytes each entry point pops on return: 4 per argument, stdcall.
STDCALL_POPS = {"EduInitialize": 4, "EduStartIo": 8, "EduResetBus": 8,
                "EduFindAdapter": 24, "edudisk_DriverEntry": 8}

HMP_BAR0 = re.compile(r"^\s+BAR0: 32 bit memory at 0x([0-9a-f]+) \[0x([0-9a-f]+)\]\.$")


def pattern(lba, count):
    """Blocks lba.. of the RAM disk as HwInitialize fills it."""
    return b"".join(struct.pack("<128I", *[((b << 8) | k) ^ 0xED0D15C5 for k in range(128)])
                    for b in range(lba, lba + count))


def run(cmd):
    # Not a sub-make of a `make test` that may be running us: its own flags.
    env = dict((k, v) for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"))
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def extra_build():
    """Build the extra kernel, recompiling the miniport so its warnings are
    seen; all of it under build/extra.  Returns the make output."""
    for f in ("edudisk.o", "edudisk.d"):
        if os.path.exists(os.path.join(ROOT, B, "extra", f)):
            os.remove(os.path.join(ROOT, B, "extra", f))
    r = run(MAKE + [B + "/kernel.elf"])
    out = r.stdout + r.stderr
    assert r.returncode == 0, "make failed:\n" + out
    assert re.findall(r"^  LD +(\S+)$", out, re.M) == [B + "/kernel.elf"], out
    for obj in ("kernel/main.o", "kernel/scsiport/init.o", "hba/ahci.o", "extra/edudisk.o",
                "extra/edudisk_reg.o"):
        assert os.path.exists(os.path.join(ROOT, B, obj)), "no %s/%s" % (B, obj)
    return out


def function_rets(objdump_out, name):
    """The return instructions of one function in `objdump -d` output."""
    m = re.search(r"^[0-9a-f]+ <%s>:\n(.*?)(?:\n\n|\Z)" % re.escape(name), objdump_out,
                  re.S | re.M)
    assert m, "no function %s in the disassembly" % name
    return [l.split("\t")[-1].strip() for l in m.group(1).splitlines()
            if re.search(r"\tret[lw]?\b", l)]


def check_stdcall(objdump_out, where):
    for name, pops in STDCALL_POPS.items():
        rets = function_rets(objdump_out, name)
        assert rets and all(re.fullmatch(r"ret[lw]?\s+\$0x%x" % pops, r) for r in rets), \
            "%s in %s returns with %s, wanted ret $0x%x (stdcall)" % (name, where, rets, pops)


def compile_without_mrtd(tmp):
    """The miniport's own compile command from make, minus -mrtd, into tmp."""
    r = run(MAKE + ["-n", "-B", B + "/extra/edudisk.o"])
    cmds = [l for l in r.stdout.splitlines() if EXTRA_DIR + "/edudisk.c" in l and " -c " in l
            and not l.lstrip().startswith("echo")]
    assert len(cmds) == 1, "make -n gave no single compile line:\n" + r.stdout
    argv = shlex.split(cmds[0])
    assert "-mrtd" in argv, "the miniport is compiled without -mrtd: " + cmds[0]
    argv = [a for a in argv if a not in ("-mrtd", "-MD", "-MP")]
    argv.insert(1, "-Wno-error=incompatible-pointer-types")    # an error since GCC 14
    argv[argv.index("-o") + 1] = tmp
    c = run(argv)
    assert c.returncode == 0, c.stderr
    return c.stderr


def test_build_stdcall(extra_build, tmp_path):
    """Unannotated DDK source, stdcall by -mrtd; the main kernel is unaffected."""
    with open(SOURCE) as f:
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", f.read(), flags=re.S)
    said = re.findall(r"\b(NTAPI|WINAPI|_?_stdcall|_?_cdecl|__attribute__)\b", code)
    assert not said, "edudisk.c says %s: it must rely on the default" % said
    warnings = [l for l in extra_build.splitlines() if "edudisk" in l and "warning" in l]
    assert not warnings, "\n".join(warnings)
    assert "tests/extra/edudisk/edudisk.c (DDK, -mrtd)" in extra_build, extra_build

    undefined = run(["nm", "-u", OBJ]).stdout.split()[1::2]
    foreign = [u for u in undefined if not re.fullmatch(
        r"ScsiPort\w+|ScsiDebugPrint|memset|memcpy|memmove|memcmp|strlen", u)]
    assert undefined and not foreign, "edudisk.o calls beyond the DDK: %s" % foreign

    check_stdcall(run(["objdump", "-d", OBJ]).stdout, OBJ)
    check_stdcall(run(["objdump", "-d", EXTRA_KERNEL]).stdout, EXTRA_KERNEL)

    # The control: without -mrtd the same source is cdecl (and GCC says the
    # callbacks do not fit HW_INITIALIZATION_DATA).
    plain = str(tmp_path / "edudisk-cdecl.o")
    diag = compile_without_mrtd(plain)
    rets = function_rets(run(["objdump", "-d", plain]).stdout, "EduStartIo")
    assert rets and all(re.fullmatch(r"retl?", r) for r in rets), rets
    assert "incompatible pointer type" in diag, diag

    # The separate build: its own symbols, ksyms table and listing.
    syms = run(["nm", EXTRA_KERNEL]).stdout
    for name in STDCALL_POPS:
        assert re.search(r" T %s$" % name, syms, re.M), "%s not in %s" % (name, EXTRA_KERNEL)
    with open(os.path.join(ROOT, B, "ksyms.S")) as f:
        assert '"EduStartIo"' in f.read(), "no EduStartIo in %s/ksyms.S" % B
    with open(os.path.join(ROOT, B, "kernel.asm")) as f:
        assert "<EduStartIo>:" in f.read(), "no EduStartIo in %s/kernel.asm" % B

    # The main kernel: built without EXTRA_MINIPORT, nothing of edudisk.
    assert os.path.exists(KERNEL), "no build/kernel.elf: run make first"
    main_syms = run(["nm", KERNEL]).stdout
    found = [n for n in list(STDCALL_POPS) + ["edudisk"] if n in main_syms]
    assert not found, "build/kernel.elf holds %s" % found


def edu_devices(info_pci):
    """QEMU's edu devices: [((bus, dev, fn), bar0_first, bar0_last)]."""
    out, cur, ours = [], None, False
    for line in info_pci.replace("\r", "").split("\n"):
        m = HMP_DEV.match(line)
        if m:
            cur, ours = tuple(int(x) for x in m.groups()), False
            continue
        m = HMP_ID.search(line)
        if m and cur:
            ours = (int(m.group(1), 16), int(m.group(2), 16)) == (VENDOR, DEVICE)
        m = HMP_BAR0.match(line)
        if m and ours:
            out.append((cur, int(m.group(1), 16), int(m.group(2), 16)))
    return out


def crc_line(addr, data):
    return "crc32 for %08x ... %08x ==> %08x" % (addr, addr + len(data) - 1, zlib.crc32(data))


def select_disk(q):
    out = shell(q, "scsi info")
    dev = [m.group(1) for t in out for m in [re.search(
        r"^  Device (\d+): \(edudisk0 0:0:0\) Vendor: EDU Prod\.: RAMDISK Rev: 1\.0$", t)] if m]
    assert len(dev) == 1, "scsi info: no single EDU RAMDISK\n" + "\n".join(out)
    want = r"^ {12}Capacity: .* \(%d x %d\)$" % (BLOCKS, BLOCK)
    assert any(re.search(want, t) for t in out), "capacity, wanted %s:\n%s" % (
        want, "\n".join(out))
    shell(q, "scsi device %s" % dev[0])


def read_whole_disk(q):
    out = shell(q, "scsi read %x 0 %x" % (BUF, BLOCKS))
    assert any("%d blocks read: OK" % BLOCKS in t for t in out), "\n".join(out)
    return shell(q, "crc32 %x %x" % (BUF, BLOCKS * BLOCK))


def write_read_back(q):
    """8 blocks of FILL at 0x100, read back 0xfc..0x10b; (got, wanted) CRC lines."""
    words = 8 * BLOCK // 4
    shell(q, "mw.l %x %x %x" % (BUF2, FILL, words))
    out = shell(q, "scsi write %x 100 8" % BUF2)
    assert any("8 blocks written: OK" in t for t in out), "\n".join(out)
    out = shell(q, "scsi read %x fc 10" % BUF3)
    assert any("16 blocks read: OK" in t for t in out), "\n".join(out)
    written = struct.pack("<I", FILL) * words
    got = shell(q, "crc32 %x %x" % (BUF2, len(written))) + \
        shell(q, "crc32 %x %x" % (BUF3, 16 * BLOCK))
    want = [crc_line(BUF2, written),
            crc_line(BUF3, pattern(0xfc, 4) + written + pattern(0x108, 4))]
    return got, want


def test_edudisk(extra_build):
    """The edu device as a disk: found where QEMU put it, data as predicted."""
    with Qemu("--", kernel=EXTRA_KERNEL, devices=EDU, hmp=True, timeout=60) as q:
        q.wait_for(r"^=> $")
        devs = edu_devices(q.hmp("info pci"))
        ranges = shell(q, "ranges")
        select_disk(q)
        whole = read_whole_disk(q)
        written, want_written = write_read_back(q)
        flush = shell(q, "scsi flush")
        sense = shell(q, "scsi sense")
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    assert len(devs) == 1, "info pci: %s" % devs
    (bus, dev, fn), first, last = devs[0]
    expect_lines(r, [
        r"^miniport: edudisk: edu 1\.0, BAR0 %x \(%d KiB\), RAM disk %d x %d$" % (
            first, (last - first + 1) // 1024, BLOCKS, BLOCK),
        r"^edudisk0: 1234:11e8 at %02x:%02x\.%x, polled$" % (bus, dev, fn)])
    claim = r"^mem\s+\S+\s+0x%08x-0x%08x\s+edudisk0\b" % (first, last)
    assert any(re.search(claim, t) for t in ranges), "ranges: no %s\n%s" % (
        claim, "\n".join(ranges))
    assert whole == [crc_line(BUF, pattern(0, BLOCKS))], "whole disk: %s" % whole
    assert written == want_written, "write/read back: %s, want %s" % (written, want_written)
    assert any(re.search(r"^sd\d+: flush .*ILLEGAL REQUEST: .*\(20/00\)$", t) for t in flush), \
        "scsi flush:\n" + "\n".join(flush)
    assert any("response code 70, key 5, ASC 20, ASCQ 00" in t for t in sense), \
        "scsi sense:\n" + "\n".join(sense)
    assert r.rc == RC_PASS, r.describe()
    forbid_lines(r, [r"^edudisk\d*: error", r"^scsiport: error", r"ASSERT failed"])


def test_no_edu_device(extra_build):
    """No edu device: the miniport is called, finds nothing, says nothing."""
    r = boot("-- scsi info; poweroff", kernel=EXTRA_KERNEL, timeout=30)
    assert r.rc == RC_PASS, r.describe()
    forbid_lines(r, [r"^edudisk0", r"^miniport: edudisk", r"EDU"])
    expect_lines(r, [r"^=> scsi info$"])
