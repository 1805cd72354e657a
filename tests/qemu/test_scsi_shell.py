"""The `scsi` command as a board engineer types it (U-Boot's syntax and result
lines), on AHCI disks whose contents the host knows: every subcommand's
happy path, bad input (one clear line, the prompt returns), memory
arguments checked against the kernel, and Ctrl-C stopping a long read."""

import os
import zlib

from harness import LOGDIR, Qemu, boot, expect_lines

SECTOR = 512


def make_disk(name, mib, seed):
    path = os.path.join(LOGDIR, name)
    data = bytes((i * 131 + seed) & 0xFF for i in range(4096)) * (mib * 256)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def ahci(path, port, extra=""):
    return ["-drive", "file=%s,format=raw,if=none,id=d%d%s" % (path, port, extra),
            "-device", "ide-hd,drive=d%d,bus=ide.%d" % (port, port)]


def crc_of(r, addr):
    m = r.find(r"^crc32 for %08x \.\.\. [0-9a-f]{8} ==> ([0-9a-f]{8})$" % addr)
    assert m, r.describe()
    return int(m[-1].group(1), 16)


def test_scsi_happy_paths():
    p0, d0 = make_disk("shell0.img", 4, 1)
    p1, d1 = make_disk("shell1.img", 2, 7)
    pattern = bytes(range(256)) * 4                      # what mw.l writes below, 1 KiB
    script = ("scsi scan; scsi info; scsi device; scsi device 1; scsi device; "
              "scsi read 2000000 10 8; crc32 2000000 1000; "
              "scsi device 0; scsi read 2100000 0 1; crc32 2100000 200; "
              "scsi verify 0 2000; scsi flush; scsi sense; "
              "mw.l 2200000 03020100 100; scsi write 2200000 40 2; scsi read 2300000 40 2; "
              "crc32 2300000 400; poweroff")
    # mw.l writes the same word; the disk then holds it: compute on the host.
    word = bytes([0, 1, 2, 3]) * 256
    r = boot("-- " + script, devices=ahci(p0, 0, ",cache=writeback") + ahci(p1, 2), memory="256M")
    expect_lines(r, [
        r"^scanning bus for devices\.\.\.$",
        r"^  Device 0: \(ahci0 0:0:0\) Vendor: ATA Prod\.: QEMU HARDDISK Rev: ",
        r"^            Type: Hard Disk \(sd0\)$",
        r"^            Capacity: 4\.0 MB = 0\.0 GB \(8192 x 512\)$",
        r"^  Device 1: \(ahci0 0:2:0\) Vendor: ATA",
        r"^            Capacity: 2\.0 MB = 0\.0 GB \(4096 x 512\)$",
        r"^\.\.\. is now current device$",
        r"^SCSI read: device 1 block # 16, count 8 \.\.\. 8 blocks read: OK$",
        r"^SCSI read: device 0 block # 0, count 1 \.\.\. 1 blocks read: OK$",
        r"^SCSI verify: device 0 block # 0, count 8192 \.\.\. 8192 blocks verified: OK$",
        r"^sd0: cache flushed$",
        r"^sd0: no sense data from the last command$",
        r"^SCSI write: device 0 block # 64, count 2 \.\.\. 2 blocks written: OK$",
    ])
    assert crc_of(r, 0x2000000) == zlib.crc32(d1[0x10 * SECTOR:0x18 * SECTOR])
    assert crc_of(r, 0x2100000) == zlib.crc32(d0[:SECTOR])
    assert crc_of(r, 0x2300000) == zlib.crc32(word)
    assert r.rc == 1, r.describe()
    with open(p0, "rb") as f:                          # the write landed, nothing else moved
        after = f.read()
    assert after[0x40 * SECTOR:0x42 * SECTOR] == word
    assert after[:0x40 * SECTOR] == d0[:0x40 * SECTOR]
    assert after[0x42 * SECTOR:] == d0[0x42 * SECTOR:]
    del pattern


BAD = [
    ("scsi", r"^usage: scsi "),
    ("scsi bogus", r"^scsi: unknown subcommand 'bogus'$"),
    ("scsi read", r"^usage: scsi "),
    ("scsi read 2000000 0", r"^usage: scsi "),
    ("scsi read 20000zz 0 1", r"^scsi read: addr '20000zz' is not a hex number$"),
    ("scsi read 2000000 0 g", r"^scsi read: cnt 'g' is not a hex number$"),
    ("scsi read 2000000 1fff 2", r"^sd0: read: blocks 8191\+2 are past the end \(8192 blocks\)$"),
    ("scsi read 2000000 ffffffffffffffff 1", r"^sd0: read: blocks .* past the end"),
    ("scsi read 2000000 0 fffffffffffffffff", r"^scsi read: cnt '.*' is not a hex number$"),
    ("scsi read 100000 0 1", r"^scsi read: memory 00100000\.\.001001ff: .*refused$"),
    ("scsi read 0 0 1", r"^scsi read: memory 00000000\.\.000001ff: .*refused$"),
    ("scsi read fffffe00 0 2", r"^scsi read: .*refused$"),
    ("scsi write 100000 0 1", r"^SCSI write: device 0 block # 0, count 1 \.\.\. 1 blocks written: OK$"),
    ("scsi device 7", r"^scsi device: no device 7 \(scsi info lists them\)$"),
    ("scsi device x", r"^scsi device: 'x' is not a hex number$"),
    ("scsi verify 2000", r"^usage: scsi "),
    ("scsi smart nonsense", r"^scsi smart: want identify"),
]


def test_scsi_bad_input_one_line_each():
    p0, d0 = make_disk("shellbad.img", 4, 3)
    with Qemu("", devices=ahci(p0, 0), memory="256M") as q:
        q.wait_for(r"=> $")
        for cmd, want in BAD:
            n = q.line_count()
            q.send(cmd + "\r")
            i = q.wait_for(want, after=n)
            # exactly one line of output, then the prompt
            q.wait_for(r"^=> $|=> $", after=i + 1)
            out = [t for _, t in q.result.lines[n + 1:i + 1]]
            assert len([t for t in out if t.strip()]) <= 2, (cmd, out)
        q.send("poweroff\r")
        q.wait_exit()
    assert q.result.rc == 1, q.result.describe()
    # Reading from the kernel image was refused, so the kernel is unchanged: the
    # write from 100000 (allowed: reading memory) put the multiboot header on disk.
    with open(p0, "rb") as f:
        assert f.read(12)[:4] == bytes.fromhex("02b0ad1b")


def test_ctrl_c_stops_a_long_read_and_the_disk_still_works():
    p0, d0 = make_disk("slow.img", 16, 5)
    # 2 MB/s: a 16 MiB read takes 8 s, long enough to see progress and stop it.
    with Qemu("", devices=ahci(p0, 0, ",throttling.bps-total=2000000"), memory="256M",
              timeout=60) as q:
        q.wait_for(r"=> $")
        n = q.line_count()
        q.send("scsi read 2000000 0 8000\r")
        q.wait_for(r"s left", after=n, partial=True)
        q.send("\x03")
        i = q.wait_for(r"^interrupted at block \d+ of 32768$", after=n)
        q.wait_for(r"blocks read: INTERRUPTED$", after=n)
        q.send("scsi read 3000000 100 1; crc32 3000000 200\r")
        q.wait_for(r"^crc32 for 03000000", after=i)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    assert crc_of(r, 0x3000000) == zlib.crc32(d0[0x100 * SECTOR:0x101 * SECTOR])
