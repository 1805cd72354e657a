"""The AHCI miniport (hba/ahci.c) end to end: QEMU's ich9-ahci on q35 (built
in, six ports) and on pc (-device ahci), disks and the project's ISO as a CD,
driven through the port driver, the disk layer and the `scsi` commands.

Every data check is made on the host: disk images are written here with
random bytes; the guest prints `crc32 for ... ==> X` after `scsi read` and
X is compared with zlib.crc32 of the same bytes of the image; writes are
read back from the image file after QEMU has exited.  Capacities are
compared with the image sizes."""

import os
import re
import zlib

import pytest

from harness import BUILD, LOGDIR, Qemu, boot, expect_lines, forbid_lines

ISO = os.path.join(BUILD, "ata-scsi.iso")
SECTOR = 512
BUF = 0x01000000                # guest buffer: 16 MiB, identity mapped RAM


def image(name, size):
    """A disk image of random content; returns (path, bytes)."""
    os.makedirs(LOGDIR, exist_ok=True)
    path = os.path.join(LOGDIR, "ahci-%s.img" % name)
    data = os.urandom(size)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def disk(path, drive_id, bus, extra=""):
    return ["-drive", "file=%s,format=raw,if=none,id=%s,cache=writeback%s" % (path, drive_id, extra),
            "-device", "ide-hd,drive=%s,bus=%s" % (drive_id, bus)]


def cdrom(path, drive_id, bus):
    return ["-drive", "file=%s,format=raw,if=none,id=%s,media=cdrom,readonly=on" % (path, drive_id),
            "-device", "ide-cd,drive=%s,bus=%s" % (drive_id, bus)]


def crcs(result):
    """(start, end, crc) of every crc32 line, in order."""
    return [(int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16))
            for m in result.find(r"^crc32 for ([0-9a-f]+) \.\.\. ([0-9a-f]+) ==> ([0-9a-f]{8})")]


def read_script(dev, reads, addr=BUF, block=SECTOR):
    """`scsi read` + `crc32` for each (lba, count)."""
    cmds = ["scsi device %d" % dev]
    for lba, cnt in reads:
        cmds += ["scsi read %x %x %x" % (addr, lba, cnt), "crc32 %x %x" % (addr, cnt * block)]
    return cmds


def check_reads(result, data, reads, block=SECTOR, first=0):
    got = crcs(result)[first:first + len(reads)]
    assert len(got) == len(reads), result.describe()
    for (lba, cnt), (_, _, crc) in zip(reads, got):
        want = zlib.crc32(data[lba * block:(lba + cnt) * block])
        assert crc == want, "lba %d count %d: guest crc %08x, host %08x\n%s" % (
            lba, cnt, crc, want, result.describe())
    n = len(result.find(r"\d+ blocks read: OK$"))
    assert n >= len(reads), result.describe()


def run(cmds, devices, machine="q35", timeout=90, args="loglevel=2"):
    return boot("%s -- %s; poweroff" % (args, "; ".join(cmds)), machine=machine,
                devices=devices, timeout=timeout)


def info_capacities(result):
    """{(target): (blocks, block size)} from `scsi info`."""
    out = {}
    for m in result.find(r"\(ahci0 0:(\d+):0\)"):
        out.setdefault(int(m.group(1)), None)
    caps = result.find(r"Capacity: .* \((\d+) x (\d+)\)")
    return out, [(int(c.group(1)), int(c.group(2))) for c in caps]


# ---- devices: what `scsi info` lists is what QEMU was given -----------------------

def test_q35_disks_and_cd_listed_with_capacities():
    sizes = {0: 3 * 1024 * 1024, 2: 5 * 1024 * 1024 + 7 * SECTOR, 5: 1024 * 1024}
    devs = []
    for port, size in sizes.items():
        path, _ = image("list%d" % port, size)
        devs += disk(path, "d%d" % port, "ide.%d" % port)
    devs += cdrom(ISO, "cd0", "ide.3")
    r = run(["scsi info"], devs)
    assert r.rc == 1, r.describe()
    expect_lines(r, [r"ahci0: port 0: link up, ATA disk \"QEMU HARDDISK\" %d sectors" % (sizes[0] // SECTOR),
                     r"ahci0: port 2: link up, ATA disk \"QEMU HARDDISK\" %d sectors" % (sizes[2] // SECTOR),
                     r"ahci0: port 3: link up, ATAPI drive \"QEMU DVD-ROM\"",
                     r"ahci0: port 5: link up, ATA disk \"QEMU HARDDISK\" %d sectors" % (sizes[5] // SECTOR)])
    info = r.log.split("=> scsi info", 1)[1]
    listed = [int(t) for t in re.findall(r"\(ahci0 0:(\d+):0\)", info)]
    assert sorted(listed) == [0, 2, 3, 5], r.describe()
    caps = [(int(b), int(s)) for b, s in re.findall(r"Capacity: .*\((\d+) x (\d+)\)", info)]
    want = sorted([(sizes[p] // SECTOR, SECTOR) for p in sizes] +
                  [(os.path.getsize(ISO) // 2048, 2048)])
    assert sorted(caps) == want, r.describe()


def test_pc_with_ahci_device():
    path, data = image("pc", 2 * 1024 * 1024)
    devs = ["-device", "ahci,id=ahci0"] + disk(path, "d0", "ahci0.0")
    reads = [(0, 1), (1, 0x80), (4095, 1)]
    r = run(read_script(0, reads), devs, machine="pc")
    assert r.rc == 1, r.describe()
    expect_lines(r, [r"ahci0: port 0: link up, ATA disk \"QEMU HARDDISK\" 4096 sectors"])
    check_reads(r, data, reads)


# ---- reads of many sizes and offsets, CRC-checked on the host -----------------------

READS = [(0, 1), (1, 1), (7, 3), (100, 8), (255, 17), (1000, 128), (3, 0x101),
         (12345, 0x400), (2048, 0x4000),                   # 8 MiB, beyond the split size
         (0x8000 - 1, 1), (0x8000 - 0x23, 0x23)]            # ending on the last LBA


def test_reads_many_sizes_and_offsets():
    path, data = image("reads", 0x8000 * SECTOR)
    r = run(read_script(0, READS), disk(path, "d0", "ide.1"), timeout=120)
    assert r.rc == 1, r.describe()
    check_reads(r, data, READS)


def test_reads_from_scattered_window_and_odd_buffer():
    path, data = image("sg", 1024 * 1024)
    with Qemu("loglevel=2 -- memtest scatter", devices=disk(path, "d0", "ide.4"),
              timeout=90) as q:
        i = q.wait_for(r"^scatter va ([0-9a-f]+) pages (\d+) size ([0-9a-f]+)")
        q.wait_for(r"=> $")
        m = re.search(r"scatter va ([0-9a-f]+) pages (\d+) size ([0-9a-f]+)",
                      q.result.lines[i][1])
        va, size = int(m.group(1), 16), int(m.group(3), 16)
        cnt = size // SECTOR
        cmds = ["scsi device 0",
                "scsi read %x 5 %x" % (va, cnt), "crc32 %x %x" % (va, size),
                "scsi read %x 21 %x" % (va + 2, cnt - 1), "crc32 %x %x" % (va + 2, (cnt - 1) * SECTOR),
                "scsi read %x 33 41" % (BUF + 1), "crc32 %x %x" % (BUF + 1, 0x41 * SECTOR),
                "poweroff"]
        for c in cmds:
            n = q.line_count()
            q.send(c + "\r", delay=0.002)
            if c != "poweroff":
                q.wait_for(r"=> $", after=n + 1)
        q.wait_exit()
    r = q.result
    assert r.rc == 1, r.describe()
    check_reads(r, data, [(5, cnt), (0x21, cnt - 1), (0x33, 0x41)])


# ---- writes, read back from the image on the host ---------------------------------

def test_writes_reach_the_image():
    path, data = image("write", 1024 * 1024)
    writes = [(0x10, 0x20, 0xA5), (0x7FF, 1, 0x3C), (0x100, 0x81, 0x5A)]
    cmds = ["scsi device 0"]
    for lba, cnt, byte in writes:
        cmds += ["mw.b %x %x %x" % (BUF, byte, cnt * SECTOR),
                 "scsi write %x %x %x" % (BUF, lba, cnt)]
    cmds += ["scsi flush"]
    r = run(cmds, disk(path, "d0", "ide.0"))
    assert r.rc == 1, r.describe()
    assert len(r.find(r"blocks written: OK$")) == len(writes), r.describe()
    expect_lines(r, [r"sd0: cache flushed"])
    with open(path, "rb") as f:
        after = f.read()
    expect = bytearray(data)
    for lba, cnt, byte in writes:
        expect[lba * SECTOR:(lba + cnt) * SECTOR] = bytes([byte]) * (cnt * SECTOR)
    assert after == bytes(expect), "image differs from what the guest wrote"


# ---- interrupts: MSI, INTx, polled give the same data ------------------------------

@pytest.mark.parametrize("mode,word", [("msi", "MSI"), ("intx", "INTx"), ("poll", "polled")])
def test_interrupt_modes(mode, word):
    path, data = image("irq-" + mode, 2 * 1024 * 1024)
    reads = [(0, 1), (9, 0x200), (4000, 0x60)]
    r = run(read_script(0, reads), disk(path, "d0", "ide.2"), args="loglevel=2 irq=%s" % mode)
    assert r.rc == 1, r.describe()
    expect_lines(r, [r"^ahci0: 8086:2922 at 00:1f\.2, %s$" % word])
    check_reads(r, data, reads)


# ---- which ports can interrupt: one armed port, or several ------------------------

@pytest.mark.parametrize("mode", ["msi", "intx"])
@pytest.mark.parametrize("ports", [(3,), (1, 4)])
def test_armed_ports_every_interrupt_serviced_and_claimed(mode, ports):
    """Only ports with a device have interrupts enabled.  With one such port
    the handler reads that port's PxIS instead of IS; with two it reads IS
    to find the port.  Either way reads interleaved across the disks return
    the images' data, and every interrupt the controller raised was the
    handler's to claim (irqinfo: unclaimed 0)."""
    imgs = [image("armed%d" % p, 1024 * 1024) for p in ports]
    devs = []
    for p, (path, _) in zip(ports, imgs):
        devs += disk(path, "d%d" % p, "ide.%d" % p)
    reads = [(0, 1), (9, 0x40), (2000, 8), (77, 0x81)]
    cmds = []
    for lba, cnt in reads:
        for dev in range(len(ports)):
            cmds += read_script(dev, [(lba + dev, cnt)])
    cmds += ["irqinfo"]
    r = run(cmds, devs, args="loglevel=2 irq=%s" % mode)
    assert r.rc == 1, r.describe()
    got = crcs(r)
    assert len(got) == len(reads) * len(ports), r.describe()
    i = 0
    for lba, cnt in reads:
        for dev, (_, data) in enumerate(imgs):
            want = zlib.crc32(data[(lba + dev) * SECTOR:(lba + dev + cnt) * SECTOR])
            assert got[i][2] == want, "sd%d lba %d: guest crc %08x, host %08x\n%s" % (
                dev, lba + dev, got[i][2], want, r.describe())
            i += 1
    (m,) = r.find(r"^total (\d+), spurious \d+, unclaimed (\d+),")
    assert int(m.group(1)) > 0 and int(m.group(2)) == 0, r.describe()


# ---- several ports at once, the CD ---------------------------------------------------

def test_two_disks_and_cd_data():
    p0, d0 = image("multi0", 1024 * 1024)
    p1, d1 = image("multi1", 1024 * 1024)
    devs = disk(p0, "d0", "ide.0") + cdrom(ISO, "cd0", "ide.1") + disk(p1, "d1", "ide.5")
    with open(ISO, "rb") as f:
        iso = f.read()
    cd_reads = [(0, 1), (16, 1), (17, 40)]
    cmds = read_script(0, [(3, 0x50)]) + read_script(1, cd_reads, block=2048) + \
        read_script(2, [(5, 0x50)])
    r = run(cmds, devs)
    assert r.rc == 1, r.describe()
    check_reads(r, d0, [(3, 0x50)])
    check_reads(r, iso, cd_reads, block=2048, first=1)
    check_reads(r, d1, [(5, 0x50)], first=1 + len(cd_reads))


# ---- errors --------------------------------------------------------------------------

def test_read_error_is_medium_error_and_disk_stays_usable():
    path, data = image("blkdebug", 1024 * 1024)
    conf = os.path.join(LOGDIR, "ahci-blkdebug.conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "100"\n'
                'once = "off"\nimmediately = "off"\n')
    devs = ["-drive", "file=blkdebug:%s:%s,format=raw,if=none,id=d0" % (conf, path),
            "-device", "ide-hd,drive=d0,bus=ide.0"]
    good = [(0, 0x60), (0x65, 0x100)]
    cmds = ["scsi device 0", "scsi read %x 60 8" % BUF, "scsi sense"] + \
        read_script(0, good)[1:] + ["scsi read %x 64 1" % BUF, "scsi read %x 0 1" % BUF]
    r = run(cmds, devs)
    expect_lines(r, [r"sd0: read lba \d+: MEDIUM ERROR: unrecovered read error \(11/00\)",
                     r"8 blocks read: ERROR",
                     r"key 3, ASC 11, ASCQ 00",
                     r"sd0: read lba 100: MEDIUM ERROR",
                     r"1 blocks read: ERROR",
                     r"1 blocks read: OK"])
    check_reads(r, data, good)


# ---- NCQ: 32 commands in flight ----------------------------------------------------

def test_ncq_queue_depth_32_reads_and_writes():
    """`scsi bench` keeps 32 requests in flight (NCQ on QEMU's disks); the
    write job's data is then read back at depth 1 and compared with the image
    file the host reads after QEMU exits."""
    path, _ = image("ncq", 4 * 1024 * 1024)
    cmds = ["scsi device 0", "scsi bench rand 32 4k 2m", "scsi bench seq 32 64k 4m",
            "scsi bench write 32 16k 2m", "scsi read %x 0 2000" % BUF, "crc32 %x 400000" % BUF]
    r = run(cmds, disk(path, "d0", "ide.1"), timeout=120)
    assert r.rc == 1, r.describe()
    expect_lines(r, [r"ahci0: port 1: link up, ATA disk .* NCQ",
                     r"sd0: rand read, 4 KiB, QD 32: 512 I/Os in",
                     r"sd0: seq read, 64 KiB, QD 32: 64 I/Os in",
                     r"sd0: seq write, 16 KiB, QD 32: 128 I/Os in"])
    forbid_lines(r, [r"bench: .*(ERROR|lba)", r"timed out", r"resetting bus"])
    with open(path, "rb") as f:
        after = f.read()
    (_, _, crc), = crcs(r)
    assert crc == zlib.crc32(after[:0x400000]), r.describe()


def test_ncq_error_with_32_in_flight():
    """A bad sector met by 32 queued reads: the failing one gets MEDIUM ERROR,
    the other 31 are replayed and succeed, the disk keeps working."""
    path, data = image("ncqerr", 1024 * 1024)
    conf = os.path.join(LOGDIR, "ahci-ncqerr.conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "100"\n'
                'once = "off"\nimmediately = "off"\n')
    devs = ["-drive", "file=blkdebug:%s:%s,format=raw,if=none,id=d0" % (conf, path),
            "-device", "ide-hd,drive=d0,bus=ide.0"]
    good = [(0, 0x60), (0x65, 0x79B)]
    r = run(["scsi device 0", "scsi bench seq 32 4k 1m"] + read_script(0, good)[1:], devs)
    assert r.rc == 3, r.describe()          # the bench command failed, as it must
    expect_lines(r, [r"sd0: bench: read lba 96: MEDIUM ERROR: unrecovered read error \(11/00\)"])
    forbid_lines(r, [r"timed out", r"resetting bus"])
    check_reads(r, data, good)


# ---- through the port directly: many ports at once, raw CDBs ------------------------

def test_requests_to_several_ports_at_once_data_verified():
    """scsistress keeps 32 reads in flight across three ports (NCQ on each),
    then 32 on one port; every read's CRC is checked against the image."""
    imgs = [image("multi%d" % i, 2 * 1024 * 1024) for i in range(3)]
    devs = []
    for port, (path, _) in zip((0, 2, 5), imgs):
        devs += ["-drive", "file=%s,format=raw,if=none,id=m%d" % (path, port),
                 "-device", "ide-hd,drive=m%d,bus=ide.%d" % (port, port)]
    r = boot("-- scsistress 20 60 8 0,1,2; scsistress 20 60 8 1; poweroff", devices=devs,
             memory="256M", timeout=60)
    by_name = {"sd%d" % i: data for i, (_, data) in enumerate(imgs)}
    lines = r.find(r"^stress: (sd\d) lba (\d+) cnt (\d+) (?:crc ([0-9a-f]{8})|failed.*)$")
    assert len(lines) == 0x60 * 2, r.describe()
    for m in lines:
        lba, cnt = int(m.group(2)), int(m.group(3))
        want = zlib.crc32(by_name[m.group(1)][lba * SECTOR:(lba + cnt) * SECTOR])
        assert m.group(4) and int(m.group(4), 16) == want, (m.group(0), r.describe())
    sums = r.find(r"^stress: (\d+) reads, (\d+) errors, max in flight (\d+), "
                  r"max at the adapter per device:(.*)$")
    assert [(s.group(1), s.group(2)) for s in sums] == [("96", "0"), ("96", "0")], r.describe()
    across = dict(re.findall(r"(sd\d) (\d+)", sums[0].group(4)))
    assert len(across) == 3 and all(int(v) >= 4 for v in across.values()), sums[0].group(0)
    one = dict(re.findall(r"(sd\d) (\d+)", sums[1].group(4)))
    assert int(one["sd1"]) >= 16, sums[1].group(0)
    assert r.rc == 1, r.describe()


def test_lba_past_end_and_unknown_opcode_through_the_port():
    """Raw CDBs (no disk-layer checks): a READ past the end gets ILLEGAL
    REQUEST / LBA OUT OF RANGE, an unknown opcode INVALID COMMAND OPERATION
    CODE, both with autosense, and the next read still returns the right data."""
    path, data = image("rawcdb", 1024 * 1024)
    blocks = len(data) // SECTOR
    devs = ["-drive", "file=%s,format=raw,if=none,id=r0" % path,
            "-device", "ide-hd,drive=r0,bus=ide.0"]
    past = "28 00 %02x %02x %02x %02x 00 00 01 00" % tuple(blocks.to_bytes(4, "big"))
    r = boot("-- scsicdb 0 in 200 " + past + "; scsicdb 0 none 0 c8 00 00 00 00 00; "
             "scsicdb 0 in 200 28 00 00 00 00 07 00 00 01 00; poweroff", devices=devs)
    expect_lines(r, [
        r"^scsicdb: sense 5/21/00: ILLEGAL REQUEST: logical block address out of range",
        r"^scsicdb: sense 5/20/00: ILLEGAL REQUEST: invalid command operation code",
        r"^scsicdb: status SUCCESS \(01\), scsi status 00, 512 bytes, crc32 %08x$"
        % zlib.crc32(data[7 * SECTOR:8 * SECTOR]),
    ])
