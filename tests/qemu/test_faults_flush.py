"""Flush errors from the device (issue 7): a SYNCHRONIZE CACHE that the
device fails must reach the caller as an error with decoded sense, logged
once, and must not be retried; the next write, flush and reads on that disk
and on another disk work, and the host checks their data in the images.

Why no retry: a failed flush means the device could not write cached data.
ATA (ACS-3, FLUSH CACHE EXT) says a later FLUSH CACHE goes on past the
blocks that failed, so a retry that succeeds proves nothing about them; a
SCSI device in front of a host's page cache (QEMU's scsi-hd) behaves the
same way - once the host's fsync has failed, the next one succeeds.  Only
the caller, which still has the data, can recover (write it again, then
flush).

How QEMU 7.2 is made to fail a flush (block/io.c bdrv_co_flush, block/
blkdebug.c; shown with qemu-io in the issue-7 notes):
  - a node is flushed only if something was written to it since its last
    flush (flushed_gen == write_gen skips it), so the guest writes first;
  - the rule is armed by an event that fires on the blkdebug node's parent
    during the flush ("flush_to_os"), and it has no sector: blkdebug
    matches a sector only against requests with a length, and a flush has
    none;
  - iotype=flush, or the rule (armed from the first flush on) would also
    fail every later read and write.
IDE (ide-hd, werror/rerror=report) ends a failed FLUSH CACHE EXT with
ERR+ABRT; scsi-hd ends a failed SYNCHRONIZE CACHE with CHECK CONDITION,
ABORTED COMMAND, I/O PROCESS TERMINATED (0b/00/06) for EIO.

The device's flushes are counted from QEMU's own trace (ide_exec_cmd with
FLUSH CACHE EXT, scsi_req_parsed with SYNCHRONIZE CACHE(10)), so "not
retried" is judged on the host."""

import os
import re
import zlib

import pytest

from harness import LOGDIR, boot, forbid_lines, segments

BS = 512

# What a flush that the device failed must say, per controller.  AHCI: an
# aborted FLUSH CACHE (EXT) is translated like an aborted write (see
# hba/ahci_sat.c: a retried ABORTED COMMAND would hide that data was not
# written).  LSI: scsi-hd's own sense for EIO.
FLUSH_ERROR = {
    "ahci": r"^sd0: flush(?: lba \d+)?: MEDIUM ERROR: write error \(0c/00\)$",
    "lsi": r"^sd0: flush(?: lba \d+)?: ABORTED COMMAND: .*\b00/06\)?$",
}

# A FLUSH reaching the faulty disk (ide.0, or SCSI ID 0), in QEMU's trace.
DEVICE_FLUSH = {
    "ahci": r"ide_exec_cmd .*cmd 0xe[a7]\b",
    "lsi": r"scsi_req_parsed target 0 lun 0 tag \d+ command 53 ",
}
TRACE = {"ahci": "ide_exec_cmd", "lsi": "scsi_req_parsed"}

TROUBLE = [r"timed out", r"resetting bus", r"bus reset", r"error log:", r"^sd1: (?!cache flushed$)"]


def image(name, blocks=4096):
    """An image whose every block says which block it is (the host's reference)."""
    os.makedirs(LOGDIR, exist_ok=True)
    path = os.path.join(LOGDIR, name)
    data = b"".join(bytes([lba & 0xFF, lba >> 8 & 0xFF]) * (BS // 2) for lba in range(blocks))
    with open(path, "wb") as f:
        f.write(data)
    return path, bytearray(data)


def blkdebug(name, once):
    conf = os.path.join(LOGDIR, name + ".conf")
    with open(conf, "w") as f:
        f.write('[inject-error]\nevent = "flush_to_os"\niotype = "flush"\nerrno = "5"\n'
                'once = "%s"\n' % ("on" if once else "off"))
    return conf


def devices(kind, faulty, faulty_conf, other):
    opts = "format=raw,if=none,cache=writeback,rerror=report,werror=report"
    drives = ["-drive", "file=blkdebug:%s:%s,id=f0,%s" % (faulty_conf, faulty, opts),
              "-drive", "file=%s,id=f1,%s" % (other, opts)]
    if kind == "ahci":
        # An explicit geometry: QEMU would otherwise read sector 0 to guess one.
        return drives + ["-device", "ide-hd,drive=f0,bus=ide.0,cyls=4,heads=16,secs=63",
                         "-device", "ide-hd,drive=f1,bus=ide.1,cyls=4,heads=16,secs=63"]
    return drives + ["-device", "lsi53c895a,id=lsi0",
                     "-device", "scsi-hd,drive=f0,bus=lsi0.0,scsi-id=0",
                     "-device", "scsi-hd,drive=f1,bus=lsi0.0,scsi-id=1"]


# (shell command, what it checks); the faulty disk is device 0, the other 1.
STEPS = [
    "mw.b 2000000 5a 1000", "mw.b 2100000 a5 1000",
    "scsi device 0",
    "scsi write 2000000 10 8", "scsi flush",            # fails: the device's flush error
    "scsi write 2100000 20 8", "scsi flush",            # once: works; persistent: fails
    "scsi read 2200000 10 10", "crc32 2200000 2000",
    "scsi device 1",
    "scsi write 2000000 30 8", "scsi flush", "scsi read 2300000 30 8", "crc32 2300000 1000",
]


def guest_crcs(result):
    return [int(m.group(1), 16)
            for m in result.find(r"^crc32 for [0-9a-f]{8} \.\.\. [0-9a-f]{8} ==> ([0-9a-f]{8})$")]


@pytest.mark.parametrize("once", [True, False], ids=["once", "persistent"])
@pytest.mark.parametrize("kind", ["ahci", "lsi"])
def test_flush_error_reported_once_not_retried(kind, once):
    tag = "flush-%s-%s" % (kind, "once" if once else "always")
    faulty, fdata = image(tag + "-0.img")
    other, odata = image(tag + "-1.img")
    conf = blkdebug(tag, once)
    r = boot("-- %s; poweroff" % "; ".join(STEPS), memory="256M", timeout=60,
             devices=devices(kind, faulty, conf, other) + ["-trace", TRACE[kind]])
    desc = r.describe()
    segs = segments(r)
    assert [c for c, _ in segs][:len(STEPS)] == STEPS, desc
    flushes = [lines for c, lines in segs[:STEPS.index("scsi device 1")] if c == "scsi flush"]
    assert len(flushes) == 2, desc
    for i, lines in enumerate(flushes):
        device = [t for t in lines if re.search(DEVICE_FLUSH[kind], t)]
        said = [t for t in lines if not re.search(TRACE[kind], t)]
        failed = i == 0 or not once
        # The device got exactly one flush per command: a failed one is not retried.
        assert len(device) == 1, "flush %d: %d flushes reached the device\n%s" % (
            i + 1, len(device), desc)
        if failed:
            # One line, with the device's sense decoded; nothing else said.
            assert len(said) == 1 and re.match(FLUSH_ERROR[kind], said[0]), \
                "flush %d: want one line matching %r, got %r\n%s" % (
                    i + 1, FLUSH_ERROR[kind], said, desc)
        else:
            assert said == ["sd0: cache flushed"], "flush %d: %r\n%s" % (i + 1, said, desc)
    # The flush on the other disk, and every transfer, worked.
    other_flush = [lines for c, lines in segs[STEPS.index("scsi device 1"):] if c == "scsi flush"]
    assert other_flush and "sd1: cache flushed" in other_flush[0], desc
    forbid_lines(r, TROUBLE)
    assert len(r.find(r"8 blocks written: OK$")) == 3, desc
    assert len(r.find(r"(?:16|10) blocks read: OK$")) == 1, desc
    assert len(r.find(r"8 blocks read: OK$")) == 1, desc

    # The host's view: what the guest read, and what is in the images.
    fdata[0x10 * BS:0x18 * BS] = b"\x5a" * 0x1000
    fdata[0x20 * BS:0x28 * BS] = b"\xa5" * 0x1000
    odata[0x30 * BS:0x38 * BS] = b"\x5a" * 0x1000
    assert guest_crcs(r) == [zlib.crc32(bytes(fdata[0x10 * BS:0x20 * BS])),
                             zlib.crc32(bytes(odata[0x30 * BS:0x38 * BS]))], desc
    with open(faulty, "rb") as f:
        assert f.read() == bytes(fdata), "the faulty disk's image differs\n" + desc
    with open(other, "rb") as f:
        assert f.read() == bytes(odata), "the other disk's image differs\n" + desc
