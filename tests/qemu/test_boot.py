"""Start-up and the two images: `boottime` (each boot stage timed from
kernel entry; every adapter brought up before any bus is scanned), the
stacks' high-water marks in `meminfo`, and build/kernel-min.elf, the product
image without the diagnostic commands and the in-guest tests, which must
still find every disk and read from it."""

import os
import re
import subprocess
import zlib

from harness import BUILD, RC_PASS, boot, expect_lines
from test_ahci import image

KERNEL_MIN = os.path.join(BUILD, "kernel-min.elf")
MiB = 1 << 20

# The core's stages in kmain's order (kernel/main.c).
CORE_STAGES = ["console", "trap", "pmem", "vm", "heap", "acpi", "time", "intr", "pci"]


def null_disk(node, size=64 * MiB):
    return ["-blockdev", "driver=null-co,node-name=%s,size=%d,read-zeroes=on" % (node, size)]


def devices():
    """Two AHCI disks and an LSI53C895A with one: two adapters, three disks."""
    d = null_disk("hd0") + ["-device", "ide-hd,drive=hd0,bus=ide.0"]
    d += null_disk("hd1") + ["-device", "ide-hd,drive=hd1,bus=ide.1"]
    d += ["-device", "lsi53c895a,id=scsi0"]
    d += null_disk("sd0") + ["-device", "scsi-hd,drive=sd0,bus=scsi0.0,scsi-id=0"]
    return d


def stages(result):
    """[(ends at ms, took ms, stage)] from the `boottime` table."""
    rows = []
    for ln in result.log.splitlines():
        m = re.match(r"^\s+(\d+\.\d{3})\s+(\d+\.\d{3})  (\S.*)$", ln)
        if m:
            rows.append((float(m.group(1)), float(m.group(2)), m.group(3)))
    return rows


def test_boottime_stages():
    r = boot("-- boottime; scsi info; poweroff", devices=devices(), timeout=60)
    assert r.rc == RC_PASS, r.describe()
    rows = stages(r)
    names = [n for _, _, n in rows]
    assert names == CORE_STAGES + ["ahci0 initialize", "lsi0 initialize", "ahci0 scan",
                                   "lsi0 scan", "ready"], r.describe()
    prev = 0.0
    for end, took, name in rows:
        assert end >= prev and abs(end - prev - took) <= 0.002, "%s: %s\n%s" % (
            name, rows, r.describe())
        prev = end
    ready = float(re.search(r"^ready in (\d+\.\d{3}) ms$", r.log, re.M).group(1))
    assert ready <= rows[-1][0] <= ready + 5, "ready in %.3f ms, stage table ends at %.3f\n%s" % (
        ready, rows[-1][0], r.describe())
    expect_lines(r, [r"^  Device 0: \(ahci0 0:0:0\)", r"^  Device 1: \(ahci0 0:1:0\)",
                     r"^  Device 2: \(lsi0 0:0:0\)"])


def test_boottime_usage():
    r = boot("-- boottime now; poweroff", timeout=30)
    expect_lines(r, [r"^usage: boottime$"])


def test_stack_high_water():
    """Both stacks are painted before use; meminfo tells how deep each got:
    the run-time stack (16 KiB from the page allocator, outside the image)
    and the boot stack (in the image), which start-up must not have filled."""
    r = boot("-- meminfo; poweroff", timeout=30)
    sym = subprocess.run(["nm", os.path.join(BUILD, "kernel.elf")], capture_output=True,
                         text=True, check=True).stdout
    addr = {ln.split()[2]: int(ln.split()[0], 16) for ln in sym.splitlines()
            if len(ln.split()) == 3}
    m = re.search(r"^stack   ([0-9a-f]{8}) - ([0-9a-f]{8}) \((\d+) KiB\), "
                  r"at most (\d+) bytes used so far$", r.log, re.M)
    assert m, r.describe()
    lo, hi, kib, used = int(m[1], 16), int(m[2], 16), int(m[3]), int(m[4])
    assert hi - lo == kib * 1024 == 16384 and 0 < used < hi - lo, r.describe()
    assert lo >= addr["_kernel_end"] or hi <= addr["_kernel_start"], r.describe()
    m = re.search(r"^boot    ([0-9a-f]{8}) - ([0-9a-f]{8}) \((\d+) KiB\), the boot stack: "
                  r"at most (\d+) bytes used by start-up; the double-fault task's now$",
                  r.log, re.M)
    assert m, r.describe()
    lo, hi, kib, used = int(m[1], 16), int(m[2], 16), int(m[3]), int(m[4])
    assert (lo, hi) == (addr["boot_stack_bottom"], addr["boot_stack_top"]), r.describe()
    assert hi - lo == kib * 1024 and 0 < used <= hi - lo - 1024, r.describe()  # room for a report


# DESIGN.md's shell contract (`bench` is `scsi bench`) and the diagnostics
# that only build/kernel.elf links (DIAG_OBJS).
CONTRACT = ["crc32", "help", "md", "mw", "pci", "poweroff", "ranges", "reset", "scsi", "v2p",
            "version"]
DIAGNOSTICS = ["acpi", "boottime", "echo", "errlog", "irqinfo", "meminfo", "sleep", "time",
               "timeinfo"]


def miniports(elf):
    out = subprocess.run(["nm", elf], capture_output=True, text=True, check=True).stdout
    return sorted(ln.split()[-1][:-len("_DriverEntry")] for ln in out.splitlines()
                  if ln.endswith("_DriverEntry"))


def test_min_image_has_no_tests():
    """On the host: kernel-min.elf links both miniports and the contract's commands, not
    sptest, the test code or the diagnostics."""
    assert miniports(KERNEL_MIN) == ["ahci", "lsi"]
    assert miniports(os.path.join(BUILD, "kernel.elf")) == ["ahci", "lsi", "sptest"]
    syms = subprocess.run(["nm", KERNEL_MIN], capture_output=True, text=True,
                          check=True).stdout.split()
    for name in ("selftest_time", "selftest_scsiport", "do_memtest", "do_fault"):
        assert name not in syms, name
    # nor the diagnostics, down to the listings only their commands call
    full = subprocess.run(["nm", os.path.join(BUILD, "kernel.elf")], capture_output=True,
                          text=True, check=True).stdout.split()
    diag = ["shell_cmd_" + c for c in DIAGNOSTICS] + ["do_meminfo", "intr_dump",
                                                      "pci_msi_command", "scsi_smart"]
    for name in diag:
        assert name in full and name not in syms, name
    assert {"shell_cmd_" + c for c in CONTRACT} <= set(syms)


def test_min_image_boots_and_finds_disks():
    """The product image: the contract's commands and no others, and reads
    through both miniports whose CRCs match the images' bytes on the host."""
    ahci, ahci_data = image("min", 4 * MiB)
    lsi, lsi_data = image("min-lsi", 4 * MiB)
    devs = ["-drive", "file=%s,format=raw,if=none,id=hd0" % ahci,
            "-device", "ide-hd,drive=hd0,bus=ide.0",
            "-device", "lsi53c895a,id=scsi0",
            "-drive", "file=%s,format=raw,if=none,id=sd0" % lsi,
            "-device", "scsi-hd,drive=sd0,bus=scsi0.0,scsi-id=0"]
    reads = "; ".join("scsi device %d; scsi read 1000000 %x 80; crc32 1000000 10000" % (dev, lba)
                      for dev, lba in ((0, 0x10), (1, 0x1234)))
    r = boot("-- help; selftest; boottime; scsi info; %s; poweroff" % reads, devices=devs,
             kernel=KERNEL_MIN, timeout=60)
    expect_lines(r, [r"^ata-scsi ", r"^ready in \d+\.\d{3} ms$",
                     r"^scsi +scan \| info \| device \[n\] \| read .* \| bench ",
                     r"^Unknown command 'selftest' - try 'help'$",
                     r"^Unknown command 'boottime' - try 'help'$",
                     r"^  Device 0: \(ahci0 0:0:0\)", r"^  Device 1: \(lsi0 0:0:0\)"])
    listed = sorted(m.group(1) for m in r.find(r"^([a-z0-9]+) +.* - "))
    assert listed == CONTRACT, r.describe()
    got = [int(m.group(1), 16) for m in r.find(r"^crc32 for 01000000 \.\.\. 0100ffff ==> ([0-9a-f]{8})$")]
    want = [zlib.crc32(ahci_data[0x10 * 512:0x90 * 512]),
            zlib.crc32(lsi_data[0x1234 * 512:0x12b4 * 512])]
    assert got == want, r.describe()


def test_full_image_has_the_diagnostics():
    r = boot("-- help; poweroff", timeout=30)
    listed = {m.group(1) for m in r.find(r"^([a-z0-9]+) +.* - ")}
    assert set(CONTRACT + DIAGNOSTICS) <= listed, r.describe()
