"""The LSI53C895A / 53C810 miniport (hba/lsi*.c) under QEMU.

Disks are image files of random bytes made here; the guest reads with
`scsi read` and prints `crc32` lines, and the host compares them with
zlib.crc32 of the same bytes of the image.  Writes are checked by reading
the image file back after QEMU has exited.

QEMU 7.2's lsi53c895a bus takes scsi-id 0-7 and LUN 0 only (its
SCSIBusInfo has max_lun 0: "LUN support is buggy"), so LUNs above 0 cannot
be attached here; the scan still asks every LUN of each target (REPORT
LUNS, then INQUIRY), which the checks below see answered for LUN 0 only.
"""

import os
import random
import re
import zlib

import pytest

from harness import LOGDIR, RC_FAIL, RC_PASS, Qemu, boot, expect_lines, forbid_lines

IMGDIR = os.path.join(LOGDIR, "lsi")
BS = 512

# Guest addresses for transfers (identity-mapped RAM; the guest has 128 MiB).
BUF = 0x01000000
BIG = 0x02000000

# Lines that must never appear: the driver said anything but its two
# start-up lines, logged an error, or a request waited for its timeout.
TROUBLE = [r"^miniport: lsi\d+: (?!SCSI ID 7, |53C\w+, registers at )", r"error log:",
           r"timed out", r"resetting bus", r"bus reset detected"]


def image(name, size, seed):
    """A file of `size` random bytes (deterministic per seed); returns (path, bytes)."""
    os.makedirs(IMGDIR, exist_ok=True)
    path = os.path.join(IMGDIR, name)
    data = random.Random(seed).randbytes(size)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def lsi(ident, model="lsi53c895a"):
    return ["-device", "%s,id=%s" % (model, ident)]


def disk(path, bus, target, ident, kind="scsi-hd", drive_opts="cache=writeback"):
    return ["-drive", "file=%s,format=raw,if=none,id=%s,%s" % (path, ident, drive_opts),
            "-device", "%s,drive=%s,bus=%s.0,scsi-id=%d" % (kind, ident, bus, target)]


def crc(data):
    return zlib.crc32(data) & 0xFFFFFFFF


def guest_crcs(result):
    """The values of the guest's `crc32 for A ... B ==> C` lines, in order."""
    lines = result.find(r"^crc32 for \S+ \.\.\. \S+ ==> ([0-9a-f]{8})$")
    return [int(m.group(1), 16) for m in lines]


def read_cmds(dev, reads, addr=BUF):
    """`scsi read` + `crc32` for each (lba, count) on device dev."""
    cmds = ["scsi device %x" % dev]
    for lba, count in reads:
        cmds += ["scsi read %x %x %x" % (addr, lba, count), "crc32 %x %x" % (addr, count * BS)]
    return cmds


def check_reads(result, data, reads, block=BS, skip=0):
    got = guest_crcs(result)[skip:skip + len(reads)]
    want = [crc(data[lba * block:(lba + count) * block]) for lba, count in reads]
    assert got == want, "CRC mismatch (lba, count): %s\n%s" % (
        [r for r, g, w in zip(reads, got, want) if g != w] or "missing lines",
        result.describe())


def run(cmds, devices, timeout=60, args="", **kw):
    return boot("loglevel=3 %s -- %s; poweroff" % (args, "; ".join(cmds)), devices=devices,
                timeout=timeout, **kw)


def assert_clean(result, rc=RC_PASS):
    forbid_lines(result, TROUBLE)
    assert result.rc == rc and not result.timed_out, result.describe()


class Interactive:
    """A boot driven command by command at the prompt (for outputs used later).

        with Interactive(devices) as s:
            out = s.cmd("sgbuf 41")
        r = s.result
    """

    def __init__(self, devices, args="", timeout=90):
        self.q = Qemu("loglevel=3 %s" % args, devices=devices, timeout=timeout)
        self.result = self.q.result

    def __enter__(self):
        self.q.__enter__()
        self.q.wait_for(r"^=> ")
        return self

    def cmd(self, line):
        start = self.q.line_count()
        self.q.send(line + "\n")
        echo = self.q.wait_for(re.escape(line) + "$", after=start)
        end = self.q.wait_for(r"^=> $", after=echo + 1, partial=True)
        return [t for _, t in self.q.result.lines[echo + 1:end]]

    def __exit__(self, *exc):
        if not exc[0]:
            self.q.send("poweroff\n")
            self.q.wait_exit()
        return self.q.__exit__(*exc)


# ---- the scan ---------------------------------------------------------------------------

def parse_info(result):
    """(adapter, target, lun, vendor, product, blocks, block size) per `scsi info` device."""
    devs = []
    lines = [t for _, t in result.lines]
    start = lines.index("=> scsi info") + 1
    for i in range(start, len(lines)):
        line = lines[i]
        if line.startswith("=> "):
            break
        m = re.match(r"^  Device \d+: \((\w+) 0:(\d+):(\d+)\) Vendor: (.*) Prod\.: (.*) Rev: ",
                     line)
        if not m:
            continue
        cap = re.search(r"Capacity: .*\((\d+) x (\d+)\)", lines[i + 2])
        devs.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5),
                     int(cap.group(1)) if cap else None, int(cap.group(2)) if cap else None))
    return devs


def test_scan_finds_exactly_the_devices():
    d0, _ = image("scan0.img", 8 << 20, 1)
    d2, _ = image("scan2.img", (4 << 20) + 3 * BS, 2)     # an odd number of blocks
    d6, _ = image("scan6.img", 1 << 20, 6)
    cd, _ = image("scan.iso", 300 * 2048, 3)
    devices = (lsi("lsi0") + disk(d0, "lsi0", 0, "d0") + disk(d2, "lsi0", 2, "d2") +
               disk(cd, "lsi0", 3, "cd", "scsi-cd", "readonly=on") + disk(d6, "lsi0", 6, "d6"))
    r = run(["scsi info"], devices)
    assert_clean(r)
    expect_lines(r, [r"^lsi0: 1000:0012 at \S+, INTx$",
                     r"lsi0: SCSI ID 7, 16 targets"], ordered=False)
    got = sorted(parse_info(r))
    want = sorted([
        ("lsi0", 0, 0, "QEMU", "QEMU HARDDISK", (8 << 20) // BS, BS),
        ("lsi0", 2, 0, "QEMU", "QEMU HARDDISK", (4 << 20) // BS + 3, BS),
        ("lsi0", 3, 0, "QEMU", "QEMU CD-ROM", 300, 2048),
        ("lsi0", 6, 0, "QEMU", "QEMU HARDDISK", (1 << 20) // BS, BS),
    ])
    assert got == want, r.describe()


# ---- data: reads and writes, both interrupt modes ----------------------------------------

READS = [(0, 1), (3, 7), (0x7F, 0x81), (0x100, 0x80), (0x1000, 0x200), (0x2001, 0x201),
         (0, 0x4000), (0x7FFF, 1), (0x7FF8, 8)]


@pytest.mark.parametrize("mode", ["intx", "poll"])
def test_reads_sizes_offsets(mode):
    path, data = image("rd-%s.img" % mode, 16 << 20, 10)
    cd, cdata = image("rd-%s.iso" % mode, 500 * 2048, 11)
    devices = (lsi("lsi0") + disk(path, "lsi0", 1, "d0") +
               disk(cd, "lsi0", 4, "cd", "scsi-cd", "readonly=on"))
    cmds = read_cmds(0, READS) + [
        "scsi read %x 5 3" % (BUF + 1), "crc32 %x %x" % (BUF + 1, 3 * BS),     # odd address
        "scsi read %x 0 4000" % BIG, "crc32 %x 800000" % BIG,                   # 8 MiB
        "scsi device 1", "scsi read %x 0 2" % BUF, "crc32 %x 1000" % BUF,
        "scsi read %x 1f3 1" % BUF, "crc32 %x 800" % BUF]
    r = run(cmds, devices, args="irq=%s" % mode, timeout=120)
    assert_clean(r)
    expect_lines(r, [r"^lsi0: 1000:0012 at \S+, %s$" % ("polled" if mode == "poll" else "INTx")])
    check_reads(r, data, READS)
    crcs = guest_crcs(r)[len(READS):]
    assert crcs == [crc(data[5 * BS:8 * BS]), crc(data[:8 << 20]), crc(cdata[:4096]),
                    crc(cdata[0x1F3 * 2048:0x1F4 * 2048])], r.describe()


@pytest.mark.parametrize("mode", ["intx", "poll"])
def test_writes_land_in_the_image(mode):
    path, data = image("wr-%s.img" % mode, 16 << 20, 20)
    # (source lba, destination lba, count): read the source, write it to the destination.
    copies = [(0, 0x10, 1), (0x100, 0x203, 0x81), (0x400, 0x1000, 0x200), (0x2000, 0x7FFF, 1),
              (0x3000, 0x5000, 0x2000)]
    cmds = ["scsi device 0"]
    for src, dst, n in copies:
        cmds += ["scsi read %x %x %x" % (BIG, src, n), "scsi write %x %x %x" % (BIG, dst, n)]
    cmds += ["scsi read %x 40 4" % (BUF + 3), "scsi write %x 60 4" % (BUF + 3)]   # odd address
    r = run(cmds, lsi("lsi0") + disk(path, "lsi0", 5, "d0"), args="irq=%s" % mode, timeout=120)
    assert_clean(r)
    want = bytearray(data)
    for src, dst, n in copies + [(0x40, 0x60, 4)]:
        want[dst * BS:(dst + n) * BS] = data[src * BS:(src + n) * BS]
    with open(path, "rb") as f:
        got = f.read()
    assert len(got) == len(want)
    bad = [i // BS for i in range(0, len(want), BS) if got[i:i + BS] != want[i:i + BS]]
    assert not bad, "blocks differ from what was written: %s ...\n%s" % (bad[:8], r.describe())


def test_scattered_buffer():
    """A buffer of 65 separately allocated pages: each page its own S/G entry."""
    path, data = image("sg.img", 8 << 20, 30)
    crcs = []
    with Interactive(lsi("lsi0") + disk(path, "lsi0", 3, "d0")) as s:
        out = s.cmd("sgbuf 41")
        va = int(re.search(r"sgbuf va ([0-9a-f]{8}) pages 65", "\n".join(out)).group(1), 16)
        s.cmd("scsi device 0")
        for lba, n, off in [(0x10, 0x200, 0x800), (0x333, 0x1FF, 0x3), (0x800, 0x208, 0)]:
            s.cmd("scsi read %x %x %x" % (va + off, lba, n))
            line = s.cmd("crc32 %x %x" % (va + off, n * BS))
            crcs.append(((lba, n), int(line[-1].split()[-1], 16)))
        s.cmd("scsi read %x 1000 40" % (va + 0x200))                 # then write it back
        s.cmd("scsi write %x 1400 40" % (va + 0x200))
    r = s.result
    assert_clean(r)
    for (lba, n), got in crcs:
        assert got == crc(data[lba * BS:(lba + n) * BS]), (lba, n, r.describe())
    with open(path, "rb") as f:
        img = f.read()
    assert img[0x1400 * BS:0x1440 * BS] == data[0x1000 * BS:0x1040 * BS]


def test_short_transfers_overruns_and_untagged():
    """Residuals come back as DATA_OVERRUN with the length fixed; untagged requests work."""
    path, data = image("short.img", 4 << 20, 35)
    r = run(["scsicdb 0 in 400 28 00 00 00 00 03 00 00 01 00",      # 1 block into 2: short
             "scsicdb 0 in 200 28 00 00 00 00 03 00 00 02 00",      # 2 blocks into 1: overrun
             "scsicdb 0 in 1000 nd 28 00 00 00 00 08 00 00 08 00",  # untagged, disconnects
             "scsicdb 0 in 400 nd 28 00 00 00 00 09 00 00 01 00",   # untagged and short
             "scsicdb 0 in 200 nd 28 00 00 00 20 00 00 00 01 00",   # untagged, past the end
             "scsicdb 0 in 1000 28 00 00 00 00 10 00 00 08 00"],    # tagged again
            lsi("lsi0") + disk(path, "lsi0", 2, "d0"))
    assert_clean(r)
    ok = r"^scsicdb: status %s \(%02x\), scsi status 00, %d bytes, crc32 %08x$"
    expect_lines(r, [
        ok % ("DATA_OVERRUN", 0x12, BS, crc(data[3 * BS:4 * BS])),
        ok % ("DATA_OVERRUN", 0x12, BS, crc(data[3 * BS:4 * BS])),
        ok % ("SUCCESS", 0x01, 8 * BS, crc(data[8 * BS:16 * BS])),
        ok % ("DATA_OVERRUN", 0x12, BS, crc(data[9 * BS:10 * BS])),
        r"^scsicdb: sense 5/21/00: ILLEGAL REQUEST: logical block address out of range",
        ok % ("SUCCESS", 0x01, 8 * BS, crc(data[16 * BS:24 * BS])),
    ])


# ---- many requests in flight ------------------------------------------------------------

@pytest.mark.parametrize("mode", ["intx", "poll"])
def test_many_requests_in_flight(mode):
    imgs = [image("st%d-%s.img" % (i, mode), 16 << 20, 40 + i) for i in range(3)]
    devices = lsi("lsi0")
    for i, (p, _) in enumerate(imgs):
        devices += disk(p, "lsi0", [0, 1, 4][i], "d%d" % i)
    r = run(["scsistress 20 60 8 0,1,2", "scsistress 20 60 10 1"], devices,
            args="irq=%s" % mode, timeout=120)
    assert_clean(r)
    by_name = {"sd%d" % i: d for i, (_, d) in enumerate(imgs)}
    lines = r.find(r"^stress: (sd\d) lba (\d+) cnt (\d+) (?:crc ([0-9a-f]{8})|failed.*)$")
    assert len(lines) == 0x60 + 0x60, r.describe()
    for m in lines:
        lba, cnt = int(m.group(2)), int(m.group(3))
        want = crc(by_name[m.group(1)][lba * BS:(lba + cnt) * BS])
        assert m.group(4) and int(m.group(4), 16) == want, (m.group(0), r.describe())
    summaries = r.find(r"^stress: (\d+) reads, (\d+) errors, max in flight (\d+), "
                       r"max at the adapter per device:(.*)$")
    assert [(s.group(1), s.group(2)) for s in summaries] == [("96", "0"), ("96", "0")]
    across = dict(re.findall(r"(sd\d) (\d+)", summaries[0].group(4)))
    one = dict(re.findall(r"(sd\d) (\d+)", summaries[1].group(4)))
    # Several at once on every disk, and a deep tagged queue on the one disk.
    assert all(int(v) >= 4 for v in across.values()), summaries[0].group(0)
    assert int(one["sd1"]) >= 16, summaries[1].group(0)


# ---- several adapters ---------------------------------------------------------------------

def test_two_lsi_adapters():
    a, adata = image("two-a.img", 4 << 20, 50)
    b, bdata = image("two-b.img", 4 << 20, 51)
    c, cdata = image("two-c.img", 2 << 20, 52)
    devices = (lsi("lsi0") + disk(a, "lsi0", 0, "a") + disk(b, "lsi0", 6, "b") +
               lsi("lsi1", "lsi53c810") + disk(c, "lsi1", 2, "c"))
    reads = [(0, 8), (0x1F8, 8)]
    r = run(["scsi info"] + read_cmds(0, reads) + read_cmds(1, reads) + read_cmds(2, reads),
            devices)
    assert_clean(r)
    expect_lines(r, [r"^lsi0: 1000:0012 at ", r"^lsi1: 1000:0001 at "], ordered=False)
    assert [(d[0], d[1]) for d in parse_info(r)] == [("lsi0", 0), ("lsi0", 6), ("lsi1", 2)]
    check_reads(r, adata, reads)
    check_reads(r, bdata, reads, skip=2)
    check_reads(r, cdata, reads, skip=4)


def test_lsi_beside_ahci():
    s, sdata = image("mix-scsi.img", 4 << 20, 60)
    a, adata = image("mix-ata.img", 4 << 20, 61)
    devices = (["-drive", "file=%s,format=raw,if=none,id=ata" % a,
                "-device", "ide-hd,drive=ata,bus=ide.0"] +
               lsi("lsi0") + disk(s, "lsi0", 1, "s"))
    r = run(["scsi info"], devices)
    devs = parse_info(r)
    assert sorted(d[0] for d in devs) == ["ahci0", "lsi0"], r.describe()
    lsi_dev = [i for i, d in enumerate(devs) if d[0] == "lsi0"][0]
    ata_dev = [i for i, d in enumerate(devs) if d[0] == "ahci0"][0]
    reads = [(0, 8), (0x100, 0x80)]
    r = run(read_cmds(lsi_dev, reads) + read_cmds(ata_dev, reads), devices)
    assert_clean(r)
    check_reads(r, sdata, reads)
    check_reads(r, adata, reads, skip=2)


# ---- errors -------------------------------------------------------------------------------

def test_errors_give_check_condition_and_the_adapter_goes_on(tmp_path):
    good, gdata = image("err-good.img", 4 << 20, 70)
    bad, bdata = image("err-bad.img", 4 << 20, 71)
    cfg = tmp_path / "blkdebug.cfg"
    # errno 61 (ENODATA) is what QEMU reports as MEDIUM ERROR / unrecovered read error.
    cfg.write_text('[inject-error]\nevent = "read_aio"\nerrno = "61"\nsector = "100"\n'
                   'once = "off"\n')
    devices = (lsi("lsi0") + disk(good, "lsi0", 0, "g") +
               ["-drive", "driver=raw,file.driver=blkdebug,file.config=%s,file.image.driver=file,"
                "file.image.filename=%s,if=none,id=b,rerror=report,werror=report" % (cfg, bad),
                "-device", "scsi-hd,drive=b,bus=lsi0.0,scsi-id=2"] + SLOW)
    blocks = (4 << 20) // BS
    cmds = [
        # READ(10) at the block past the end, straight to the target
        "scsicdb 0 in 200 28 00 %02x %02x %02x %02x 00 00 01 00" % tuple(blocks.to_bytes(4, "big")),
        "scsicdb 0 in 200 28 00 00 00 00 07 00 00 01 00",          # and the adapter goes on
        "scsicdb 0 none 0 c8 00 00 00 00 00",                      # an opcode it does not know
        "scsicdb 0 in 200 28 00 00 00 00 08 00 00 01 00",
        "scsi device 1", "scsi read %x 64 1" % BUF,                # the injected media error
        "scsi read %x 60 4" % BUF, "crc32 %x 800" % BUF,
        "scsi read %x 60 8" % BUF,                                 # a request that spans it
        "scsi read %x 68 8" % BUF, "crc32 %x 1000" % BUF,
        "scsicdb 2 in 200 t=1 28 00 00 00 00 10 00 00 01 00",      # a bus reset after them
        "scsi device 0", "scsi read %x 0 8" % BUF, "crc32 %x 1000" % BUF,
    ]
    r = run(cmds, devices, timeout=90)
    forbid_lines(r, TROUBLE[:2])
    assert r.rc == RC_FAIL and not r.timed_out, r.describe()     # the failed reads fail
    sense = r"scsicdb: status ERROR \(04\), scsi status 02, 0 bytes"
    ok = r"^scsicdb: status SUCCESS \(01\), scsi status 00, 512 bytes, crc32 %08x$"
    expect_lines(r, [
        sense, r"^scsicdb: sense 5/21/00: ILLEGAL REQUEST: logical block address out of range",
        ok % crc(gdata[7 * BS:8 * BS]),
        sense, r"^scsicdb: sense 5/20/00: ILLEGAL REQUEST: invalid command operation code",
        ok % crc(gdata[8 * BS:9 * BS]),
        r"^sd1: read lba 100: MEDIUM ERROR: unrecovered read error \(11/00\)$",
        r"^sd1: read lba 96: MEDIUM ERROR: unrecovered read error \(11/00\)$",
        r"lsi0: warning: resetting bus 0 \(request timeout\)",
        r"^scsicdb: status TIMEOUT \(09\)",
    ])
    assert guest_crcs(r) == [crc(bdata[0x60 * BS:0x64 * BS]), crc(bdata[0x68 * BS:0x70 * BS]),
                             crc(gdata[:8 * BS])]


SLOW = ["-blockdev", "driver=null-co,node-name=slow,size=%d,latency-ns=3000000000,"
        "read-zeroes=on" % (4 << 20),
        "-device", "scsi-hd,drive=slow,bus=lsi0.0,scsi-id=3"]


def test_timeout_resets_the_bus_and_the_adapter_goes_on():
    """A target slower than the request's timeout: HwResetBus, then normal service.
    The write times out while connected (SCRIPTS wait in its data move), the
    read while disconnected (SCRIPTS idle in WAIT RESELECT)."""
    good, gdata = image("slow-good.img", 4 << 20, 80)
    devices = lsi("lsi0") + disk(good, "lsi0", 0, "g") + SLOW
    r = run(["scsicdb 1 out 200 t=1 2a 00 00 00 00 10 00 00 01 00",
             "scsicdb 1 in 200 28 00 00 00 00 10 00 00 01 00",     # the reset's UNIT ATTENTION
             "scsicdb 1 in 200 t=1 28 00 00 00 00 10 00 00 01 00",
             "scsi device 0", "scsi read %x 0 8" % BUF, "crc32 %x 1000" % BUF,
             "scsicdb 1 in 200 28 00 00 00 00 10 00 00 01 00",
             "scsicdb 1 in 200 28 00 00 00 00 10 00 00 01 00"], devices, timeout=90)
    assert r.rc == RC_PASS and not r.timed_out, r.describe()
    expect_lines(r, [r"lsi0: error: 0:3:0: WRITE\(10\) timed out after 1 s",
                     r"lsi0: warning: resetting bus 0 \(request timeout\)",
                     r"^scsicdb: status TIMEOUT \(09\)",
                     r"^scsicdb: sense 6/29/00: UNIT ATTENTION",
                     r"lsi0: error: 0:3:0: READ\(10\) timed out after 1 s",
                     r"lsi0: warning: resetting bus 0 \(request timeout\)",
                     r"^scsicdb: status TIMEOUT \(09\)",
                     r"^scsicdb: sense 6/29/00: UNIT ATTENTION",
                     r"^scsicdb: status SUCCESS \(01\), scsi status 00, 512 bytes, crc32 %08x$"
                     % crc(bytes(BS))])
    assert guest_crcs(r) == [crc(gdata[:8 * BS])]


# ---- what a read costs ---------------------------------------------------------------------

def count_costs(tmp_path, n):
    """SCRIPTS instructions and register-BAR accesses over a boot doing n 4 KiB reads."""
    path, _ = image("cost.img", 4 << 20, 90)
    trace = tmp_path / ("trace%d.log" % n)
    cmds = ["scsi device 0"] + ["scsi read %x %x 8" % (BUF, 8 * i) for i in range(n)]
    r = run(cmds, lsi("lsi0") + disk(path, "lsi0", 0, "d0"), args="lsi=settle=0",
            extra=["-trace", "lsi_execute_script", "-trace", "memory_region_ops_read",
                   "-trace", "memory_region_ops_write", "-D", str(trace)])
    assert_clean(r)
    text = trace.read_text()
    return (len(re.findall(r"^lsi_execute_script ", text, re.M)),
            len(re.findall(r"^memory_region_ops_(?:read|write) .*lsi-(?:mmio|io)\b", text, re.M)))


def test_cost_per_4k_read(tmp_path):
    """At most 64 SCRIPTS instructions and 3 register accesses per 4 KiB read (QD 1)."""
    s1, m1 = count_costs(tmp_path, 10)
    s2, m2 = count_costs(tmp_path, 30)
    assert s2 > s1 > 0 and m2 > m1 > 0, "the trace counted nothing: %r" % ((s1, m1, s2, m2),)
    scripts, regs = (s2 - s1) / 20, (m2 - m1) / 20
    assert scripts <= 64, "%.1f SCRIPTS instructions per read" % scripts
    assert regs <= 3, "%.1f register accesses per read" % regs
