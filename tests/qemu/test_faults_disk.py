"""Faults from the device, injected by QEMU's block layer (blkdebug, with
rerror/werror=report so the guest sees them): read and write errors on
chosen sectors, once and persistently (flush errors: test_faults_flush.py,
on AHCI and LSI).  A persistent error reaches the shell as exactly one
decoded error line per failed command; a one-shot error is either
reported the same way or recovered (the AHCI miniport
replays queued commands to find the one that failed, when the disk has no
NCQ error log) - never silently wrong data; and the next request to that
disk and to another disk works with correct data.

The ide-hd devices get an explicit geometry: otherwise QEMU reads sector 0
at start-up to guess one, which uses up a one-shot blkdebug rule."""

import os
import zlib

from harness import LOGDIR, boot, expect_lines

SECTOR = 512
BAD = 100


def image(name, mib=2, seed=9):
    path = os.path.join(LOGDIR, name)
    data = bytes(((i * 7 + seed) * 13) & 0xFF for i in range(SECTOR * 8)) * (mib * 256)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def blkdebug(name, event, once, sector=BAD):
    conf = os.path.join(LOGDIR, name + ".conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "%s"\nerrno = "5"\n' % event)
        if sector is not None:
            f.write('sector = "%d"\n' % sector)
        f.write('once = "%s"\n' % ("on" if once else "off"))
    return conf


def ahci_fault_disk(img, conf, port=0):
    return ["-drive", "file=blkdebug:%s:%s,format=raw,if=none,id=f%d,rerror=report,werror=report"
            % (conf, img, port),
            "-device", "ide-hd,drive=f%d,bus=ide.%d,cyls=4,heads=16,secs=63" % (port, port)]


def ahci_disk(img, port):
    return ["-drive", "file=%s,format=raw,if=none,id=g%d" % (img, port),
            "-device", "ide-hd,drive=g%d,bus=ide.%d" % (port, port)]


def crc(r, addr):
    m = r.find(r"^crc32 for %08x \.\.\. [0-9a-f]{8} ==> ([0-9a-f]{8})$" % addr)
    assert m, r.describe()
    return int(m[-1].group(1), 16)


def test_read_error_once_then_persistent_other_disk_fine():
    for once in (True, False):
        img, data = image("rerr-%d.img" % once)
        other, odata = image("rerr-other-%d.img" % once, seed=3)
        conf = blkdebug("rerr-%d" % once, "read_aio", once)
        r = boot("-- scsi device 0; scsi read 2000000 63 8; scsi read 2000000 63 8; "
                 "crc32 2000000 1000; scsi device 1; scsi read 2100000 60 8; crc32 2100000 1000; "
                 "scsi device 0; scsi read 2200000 0 8; crc32 2200000 1000; poweroff",
                 devices=ahci_fault_disk(img, conf) + ahci_disk(other, 2), memory="256M")
        errors = r.find(r"^sd0: read lba (\d+): MEDIUM ERROR: unrecovered read error \(11/00\)$")
        lines = r.find(r"^sd0: ")
        assert len(lines) == len(errors), r.describe()         # nothing else said
        if once:
            assert len(errors) <= 1, r.describe()
            assert crc(r, 0x2000000) == zlib.crc32(data[0x63 * SECTOR:0x6b * SECTOR])
        else:
            assert len(errors) == 2, r.describe()               # one line per failed read
        assert all(int(m.group(1)) in (0x63, BAD) for m in errors), r.describe()
        assert crc(r, 0x2100000) == zlib.crc32(odata[0x60 * SECTOR:0x68 * SECTOR])
        assert crc(r, 0x2200000) == zlib.crc32(data[:8 * SECTOR])
        if not once:
            expect_lines(r, [r"8 blocks read: ERROR$", r"8 blocks read: ERROR$"])


def test_write_error_reported_once_and_nothing_else_changes():
    img, data = image("werr.img")
    conf = blkdebug("werr", "write_aio", False)
    r = boot("-- mw.b 2000000 5a 1000; scsi write 2000000 63 8; scsi write 2000000 10 8; "
             "scsi read 2100000 10 8; crc32 2100000 1000; poweroff",
             devices=ahci_fault_disk(img, conf), memory="256M")
    errors = r.find(r"^sd0: write lba (\d+): (.*)$")
    assert len(errors) == 1, r.describe()
    assert "MEDIUM ERROR" in errors[0].group(2) or "WRITE ERROR" in errors[0].group(2) or \
        "write error" in errors[0].group(2), r.describe()
    expect_lines(r, [r"8 blocks written: ERROR$", r"8 blocks written: OK$"])
    assert crc(r, 0x2100000) == zlib.crc32(b"\x5a" * 0x1000)
    with open(img, "rb") as f:
        after = f.read()
    assert after[0x10 * SECTOR:0x18 * SECTOR] == b"\x5a" * 0x1000
    # Whatever QEMU wrote of the failed request is the device's business;
    # everything outside it and the good write is untouched.
    assert after[:0x10 * SECTOR] == data[:0x10 * SECTOR]
    assert after[0x18 * SECTOR:0x63 * SECTOR] == data[0x18 * SECTOR:0x63 * SECTOR]
    assert after[0x6b * SECTOR:] == data[0x6b * SECTOR:]
