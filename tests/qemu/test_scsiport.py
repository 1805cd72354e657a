"""The ScsiPort API through a real adapter: the test miniport hba/sptest.c
bound to QEMU's pci-testdev (1b36:0005), driven by `selftest scsiport`
(kernel/scsiport/sptest_cmd.c, sptest_queue.c).

The guest's own PASS/FAIL lines are one half.  The other half is checked
here, against what QEMU and the host know:
  - `ranges`: each sptest adapter holds exactly the BARs QEMU's `info pci`
    gives its pci-testdev, and the overlapping adapter (the second
    pci-testdev's first attempt, reporting the first one's BAR) was refused
    with the line naming that BAR;
  - every refusal the miniport provoked produced exactly one log line: the
    guest prints how many calls of each kind it made, the log lines are
    counted here, and any other error line about a ScsiPort routine fails;
  - the disk's content: the CRC-32 of blocks the guest read is compared
    with the pattern computed here (hba/sptest.h SPT_PATTERN), and a
    write through the shell (`mw`, `scsi write`, `scsi read`, `crc32`) is
    read back and compared with the bytes written;
  - HwAdapterControl at power-off, which nothing in the guest can report
    afterwards: the miniport's own line.
Without a pci-testdev the suite must fail, and the miniport stays silent."""

import re
import struct
import zlib

from harness import (HMP_DEV, HMP_ID, RC_FAIL, Qemu, assert_guest_passed, boot, expect_lines,
                     forbid_lines, shell)

TESTDEV = ["-device", "pci-testdev"]
VENDOR, DEVICE = 0x1b36, 0x0005
BLOCK, BLOCKS = 512, 4096
CRC_BLOCKS = 32
BUF = 0x01000000                # guest buffers: identity-mapped RAM
BUF2 = 0x01100000
FILL = 0xcafef00d

# Error lines about ScsiPort routines, by the refusal counter they answer to
# (the names of `sptest: refusals ...`).  Each refusal: exactly one line.
REFUSAL_LINES = {
    "physaddr": r"^sptest\d+: error: ScsiPortGetPhysicalAddress\([0-9a-fx]+\): .+; returning 0$",
    "bad_ext": r"^scsiport: error: ScsiPort\w+: 0x[0-9a-f]+ is no adapter's device extension; "
               r"ignored$",
    "virtaddr": r"^sptest\d+: error: ScsiPortGetVirtualAddress\(0x[0-9a-f]+\): .+; "
                r"returning NULL$",
    "validate_outside": r"^sptest\d+: error: ScsiPortValidateRange\(.+\) outside HwFindAdapter: "
                        r"refused$",
    "validate_malformed": r"^sptest\d+: warning: ScsiPortValidateRange\(.+\): (zero length|"
                          r"runs past the top of the address space|bus type not supported)$",
    "notify_bad_srb": r"^sptest\d+: error: RequestComplete: SRB 0x[0-9a-f]+ is not .+; ignored$",
    "device_base": r"^sptest\d+: error: ScsiPortGetDeviceBase.+$",
    "uncached": r"^sptest\d+: error: ScsiPortGetUncachedExtension: already allocated",
}
# Lines about ScsiPort routines that must all be one of the above.
ROUTINE_LINE = re.compile(r"^(sptest\d+|scsiport): (error|warning): .*ScsiPort\w+")
REFUSALS = re.compile(r"^sptest: refusals((?: \w+ \d+)+)$")

HMP_BAR = re.compile(r"^\s+BAR(\d): (I/O|32 bit memory) at 0x([0-9a-f]+) \[0x([0-9a-f]+)\]\.$")
RANGE_LINE = re.compile(r"^(io|mem)\s+(\w+)/(\d+)\s+0x([0-9a-f]+)-0x([0-9a-f]+)\s+(\S+)\s*(.*)$")


def pattern(lba, count):
    """The fake disk's blocks lba.. (SPT_PATTERN: ULONG k of block b)."""
    return b"".join(struct.pack("<128I", *[((b << 7) | k) ^ 0x5350AA55 for k in range(128)])
                    for b in range(lba, lba + count))


def pci_testdevs(info_pci):
    """QEMU's pci-testdevs in PCI order: [(bdf, {bar: (io, first, last)})]."""
    out, cur = [], None
    for line in info_pci.replace("\r", "").split("\n"):
        m = HMP_DEV.match(line)
        if m:
            cur = (tuple(int(x) for x in m.groups()), {})
            continue
        m = HMP_ID.search(line)
        if m and cur and (int(m.group(1), 16), int(m.group(2), 16)) == (VENDOR, DEVICE):
            out.append(cur)
        m = HMP_BAR.match(line)
        if m and cur:
            cur[1][int(m.group(1))] = (m.group(2) == "I/O", int(m.group(3), 16),
                                       int(m.group(4), 16))
    return sorted(out)


def claims(result):
    """The `ranges` lines: {owner: {(io, first, last)}}."""
    out = {}
    for m in result.find(RANGE_LINE.pattern):
        out.setdefault(m.group(6), set()).add((m.group(1) == "io", int(m.group(4), 16),
                                               int(m.group(5), 16)))
    return out


def check_claims(result, devs):
    """sptestN holds exactly the BARs of the Nth pci-testdev, nothing else."""
    got = claims(result)
    for i, (bdf, bars) in enumerate(devs):
        assert got.get("sptest%d" % i) == set(bars.values()), \
            "sptest%d claims %s; QEMU's pci-testdev at %s has %s\n%s" % (
                i, got.get("sptest%d" % i), bdf, bars, result.describe())
    extra = [o for o in got if o.startswith("sptest") and o not in
             ["sptest%d" % i for i in range(len(devs))]]
    assert not extra, "claims by %s\n%s" % (extra, result.describe())


def check_refusals(result, extra_lines):
    """Each refusal the guest made: one line.  Lines up to the guest's count
    line; extra_lines: regexes of the other error lines expected there."""
    lines = [t for _, t in result.lines]
    ends = [i for i, t in enumerate(lines) if REFUSALS.match(t)]
    assert ends, "no 'sptest: refusals' line\n" + result.describe()
    counts = dict((k, int(v)) for k, v in re.findall(r" (\w+) (\d+)", REFUSALS.match(
        lines[ends[-1]]).group(1)))
    seen = dict((k, 0) for k in REFUSAL_LINES)
    unexplained = []
    for t in lines[:ends[-1]]:
        kinds = [k for k, p in REFUSAL_LINES.items() if re.search(p, t)]
        if len(kinds) == 1:
            seen[kinds[0]] += 1
        elif kinds or (ROUTINE_LINE.match(t) and not any(re.search(p, t) for p in extra_lines)):
            unexplained.append(t)
    expect_lines(result, extra_lines, ordered=False)
    assert set(counts) == set(REFUSAL_LINES), "guest counts %s" % counts
    for k in REFUSAL_LINES:
        assert counts[k] > 0, "the guest made no %s refusal at all" % k
    assert seen == counts, "log lines per refusal kind %s, calls made %s\n%s" % (
        seen, counts, result.describe())
    assert not unexplained, "lines about ScsiPort routines no refusal explains:\n  " + \
        "\n  ".join(unexplained) + "\n" + result.describe()


def check_crc(result, adapters):
    """The guest's CRC of blocks 0..31 through the disk layer = the pattern's."""
    want = zlib.crc32(pattern(0, CRC_BLOCKS))
    for name in adapters:
        expect_lines(result, [r"^sptest: %s blocks 0-%d crc32 %08x$" % (
            name, CRC_BLOCKS - 1, want)])


def shell_write_read(q):
    """`mw` + `scsi write` 8 blocks at 0x100, `scsi read` from 0xfc: the CRC of
    what comes back, and of what should."""
    dev = [m.group(1) for t in shell(q, "scsi info")
           for m in [re.search(r"Device (\d+): \(sptest0 0:0:0\)", t)] if m]
    assert dev, "scsi info lists no sptest0 disk\n" + q.result.describe()
    shell(q, "scsi device %s" % dev[0])
    shell(q, "mw.l %x %x %x" % (BUF, FILL, 8 * BLOCK // 4))
    out = shell(q, "scsi write %x 100 8" % BUF)
    assert any("8 blocks written: OK" in t for t in out), "\n".join(out)
    out = shell(q, "scsi read %x fc 10" % BUF2)
    assert any("16 blocks read: OK" in t for t in out), "\n".join(out)
    out = shell(q, "crc32 %x %x" % (BUF2, 16 * BLOCK))
    want = pattern(0xfc, 4) + struct.pack("<I", FILL) * (8 * BLOCK // 4) + pattern(0x108, 4)
    return out, "crc32 for %08x ... %08x ==> %08x" % (BUF2, BUF2 + 16 * BLOCK - 1,
                                                      zlib.crc32(want))


TIMEOUT_LINES = [r"^sptest0: error: 0:0:0: command timed out after 1 s$",
                 r"^sptest0: warning: resetting bus 0 \(request timeout\)$"]


def test_one_adapter():
    """One pci-testdev: adapter A alone, every check, then data through the shell."""
    with Qemu("-- selftest scsiport", devices=TESTDEV, hmp=True, timeout=30) as q:
        q.wait_for(r"^sptest: refusals ")
        q.wait_for(r"^=> $")
        devs = pci_testdevs(q.hmp("info pci"))
        shell(q, "ranges")
        errlog = shell(q, "errlog")
        crc, want = shell_write_read(q)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    assert len(devs) == 1, "info pci: %s" % devs
    assert_guest_passed(r, min_checks=230)
    check_claims(r, devs)
    check_refusals(r, TIMEOUT_LINES)
    check_crc(r, ["sptest0"])
    assert crc == [want], "shell write/read back: %s, want %s" % (crc, want)
    assert sum("unique 0x5350c0de" in t for t in errlog) == 2, "\n".join(errlog)
    expect_lines(r, [r"^miniport: sptest A: HwAdapterControl\(ScsiStopAdapter\): "
                     r"ValidateRange refused$"])
    forbid_lines(r, [r"overlaps sptest", r"sptest B", r"^sptest1"])


def test_two_adapters():
    """Two pci-testdevs: A, the overlap attempt X refused, and B (no
    NeedPhysicalAddresses, no AutoRequestSense)."""
    r = boot("-- selftest scsiport; ranges; poweroff", devices=TESTDEV * 2,
             hmp=["info pci"], timeout=30)
    devs = pci_testdevs(r.hmp_output["info pci"])
    assert len(devs) == 2, "info pci: %s" % devs
    assert_guest_passed(r, min_checks=370)
    a_mem = [b for b in devs[0][1].values() if not b[0]][0]
    overlap = r"^sptest1: error: AccessRanges\[0\] \(mem 0x%x\+0x%x\) overlaps sptest0's " \
              r"AccessRanges\[0\]: adapter not started$" % (a_mem[1], a_mem[2] - a_mem[1] + 1)
    expect_lines(r, [overlap])
    check_claims(r, devs)
    check_refusals(r, TIMEOUT_LINES + [overlap])
    check_crc(r, ["sptest0", "sptest1"])
    expect_lines(r, [r"^miniport: sptest A: HwAdapterControl\(ScsiStopAdapter\): "
                     r"ValidateRange refused$",
                     r"^miniport: sptest B: HwAdapterControl\(ScsiStopAdapter\): "
                     r"ValidateRange refused$"])


def test_without_testdev():
    """No pci-testdev: the suite fails cleanly and the miniport says nothing."""
    r = boot("-- selftest scsiport; poweroff", timeout=20)
    assert r.rc == RC_FAIL, r.describe()
    expect_lines(r, [r"^PASS: scsiport: 0 pci-testdev\(s\): 0 sptest adapter\(s\)",
                     r"^FAIL: scsiport: no sptest adapter with LU 0:0:0"])
    forbid_lines(r, [r"^sptest\d", r"^miniport: sptest"])
