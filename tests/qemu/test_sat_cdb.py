"""CDB fields the AHCI miniport's SCSI-to-ATA translator (hba/ahci_sat.c)
refuses, sent raw through the port with `scsicdb` (kernel/scsistress.c).

The translator reports no protection information (READ CAPACITY(16)
PROT_EN = 0) and no NormACA or linked commands (INQUIRY), so a non-zero
RDPROTECT/WRPROTECT/VRPROTECT (CDB byte 1, bits 7:5) or NACA/LINK in the
CONTROL byte (bits 2 and 0; the CDB's last byte, by the opcode's group)
must end in CHECK CONDITION, ILLEGAL REQUEST, INVALID FIELD IN CDB
(5/24/00) and never reach the disk.  Each refused CDB has a twin with the
field cleared that must work, so a refusal is known to be for that field.

Judged on the host:
  - the data: the image is random bytes written here; a read's `scsicdb`
    line carries zlib's CRC-32 (kernel/crc32.c is zlib's) of what arrived,
    compared with the CRC of the same blocks of the image;
  - what reached the disk: QEMU's own trace of every ATA command the AHCI
    device ran (ide_exec_cmd for the non-queued ones, process_ncq_command
    for READ/WRITE FPDMA QUEUED, process_ncq_command_fua when the FIS has
    FUA), split by the shell's prompt lines into one part per command;
  - refused writes: the image file is unchanged after QEMU has exited.
"""

import os
import random
import re
import zlib

from harness import LOGDIR, boot, forbid_lines, segments

BS = 512
BLOCKS = 0x14000                # 40 MiB: room for LBAs above 2^16
HIGH = 0x13579                  # an LBA above 2^16, with a byte in every position below 2^24

REFUSED = [r"^scsicdb: status ERROR \(04\), scsi status 02, 0 bytes$",
           r"^scsicdb: sense 5/24/00: ILLEGAL REQUEST: invalid field in CDB \(24/00\)$"]
GOOD = r"^scsicdb: status SUCCESS \(01\), scsi status 00, 0 bytes$"
DATA = r"^scsicdb: status SUCCESS \(01\), scsi status 00, %d bytes, crc32 %08x$"

# Lines that must never appear: a request that waited for its timeout, a
# reset, an error logged by the miniport.
TROUBLE = [r"timed out", r"reset", r"error log:"]

# An ATA command reaching the AHCI device (QEMU's trace, "log" backend on stderr).
ATA_CMD = r"\bide_exec_cmd .*cmd 0x([0-9a-f]{2})|\bprocess_ncq_command .*NCQ op 0x([0-9a-f]{2})"
NCQ_OP = r"\bprocess_ncq_command .*NCQ op 0x%02x on sectors \[%d,%d\]"
NCQ_FUA = r"\bprocess_ncq_command_fua\b"
TRACE = ["-trace", "ide_exec_cmd", "-trace", "process_ncq_command*"]

READ_DMA_EXT, READ_VERIFY_EXT, CHECK_POWER_MODE, READ_FPDMA = 0x25, 0x42, 0xE5, 0x60


def image(name, blocks, seed):
    """A file of random blocks (deterministic per seed); returns (path, bytes)."""
    os.makedirs(LOGDIR, exist_ok=True)
    path = os.path.join(LOGDIR, name)
    data = random.Random(seed).randbytes(blocks * BS)
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def hexbytes(*fields):
    """CDB bytes from (value, width) fields, big-endian, as `scsicdb` wants them."""
    out = b"".join(v.to_bytes(w, "big") for v, w in fields)
    return " ".join("%02x" % b for b in out)


def read10(lba, count, byte1=0, control=0, op=0x28):
    return hexbytes((op, 1), (byte1, 1), (lba, 4), (0, 1), (count, 2), (control, 1))


def read12(lba, count, byte1=0, control=0):
    return hexbytes((0xA8, 1), (byte1, 1), (lba, 4), (count, 4), (0, 1), (control, 1))


def read16(lba, count, byte1=0, control=0, op=0x88):
    return hexbytes((op, 1), (byte1, 1), (lba, 8), (count, 4), (0, 1), (control, 1))


def tur(control=0):
    return hexbytes((0, 5), (control, 1))


def check_power_mode(control=0):
    """ATA PASS-THROUGH(16), non-data (protocol 3), CHECK POWER MODE, no CK_COND."""
    return hexbytes((0x85, 1), (3 << 1, 1), (0, 11), (0x40, 1), (CHECK_POWER_MODE, 1),
                    (control, 1))


def ata_commands(lines):
    """The opcodes of the ATA commands the device ran, in order."""
    out = []
    for t in lines:
        m = re.search(ATA_CMD, t)
        if m:
            out.append(int(m.group(1) or m.group(2), 16))
    return out


def said(lines):
    """What the guest printed (the trace lines left out)."""
    return [t for t in lines if not re.search(r"\bide_exec_cmd\b|\bprocess_ncq_command", t)]


def check_step(step, lines, data, desc):
    """One command's part of the log against what the step expects."""
    name, want, checks = step[0], step[2], step[3:]
    out = said(lines)
    ata = ata_commands(lines)
    where = "%s: guest said %r, device ran %s\n%s" % (
        name, out, ["%02x" % c for c in ata], desc)
    if want == "refused":
        assert len(out) == 2 and all(re.match(p, t) for p, t in zip(REFUSED, out)), where
        assert not ata, where
    elif want == "good":
        assert len(out) == 1 and re.match(GOOD, out[0]), where
    else:
        lba, count = want
        line = DATA % (count * BS, zlib.crc32(data[lba * BS:(lba + count) * BS]))
        assert len(out) == 1 and re.match(line, out[0]), where
    for check in checks:
        assert check(lines, ata), "%s: %s\n%s" % (name, check.__doc__, where)


def ran(*ops):
    """Exactly these ATA commands, in this order."""
    def check(lines, ata):
        return ata == list(ops)
    check.__doc__ = "the device must have run exactly %s" % ["%02x" % o for o in ops]
    return check


def read_reached(lba, count):
    """A READ FPDMA QUEUED of these blocks, or a non-queued READ DMA EXT (a
    lone request may go unqueued): one command either way."""
    def check(lines, ata):
        if ata == [READ_DMA_EXT]:
            return True
        return ata == [READ_FPDMA] and any(
            re.search(NCQ_OP % (READ_FPDMA, lba, lba + count - 1), t) for t in lines)
    check.__doc__ = "one read of LBA %d count %d must reach the device" % (lba, count)
    return check


def fua_read(lba, count):
    """Queued, and with FUA in the FIS: QEMU 7.2 traces FUA only for NCQ commands."""
    def check(lines, ata):
        return ata == [READ_FPDMA] and \
            any(re.search(NCQ_OP % (READ_FPDMA, lba, lba + count - 1), t) for t in lines) and \
            sum(1 for t in lines if re.search(NCQ_FUA, t)) == 1
    check.__doc__ = ("one READ FPDMA QUEUED of LBA %d count %d with FUA in its FIS "
                     "must reach the device" % (lba, count))
    return check


# (name, scsicdb arguments after the device, expectation, further checks...):
# "refused" (5/24/00, nothing reaches the disk), "good" (GOOD, no data) or
# (lba, count) of the data that must arrive.
AHCI_STEPS = [
    ("READ(10)", "in 400 " + read10(0x20, 2), (0x20, 2), read_reached(0x20, 2)),
    ("READ(10) NACA", "in 400 " + read10(0x20, 2, control=0x04), "refused"),
    ("READ(10) LINK", "in 400 " + read10(0x20, 2, control=0x01), "refused"),
    ("READ(10) RDPROTECT=1", "in 400 " + read10(0x20, 2, byte1=0x20), "refused"),
    ("READ(12) RDPROTECT=4", "in 400 " + read12(0x20, 2, byte1=0x80), "refused"),
    ("READ(12)", "in 400 " + read12(0x22, 2), (0x22, 2), read_reached(0x22, 2)),
    ("READ(16) NACA", "in a00 " + read16(HIGH, 5, control=0x04), "refused"),
    ("READ(16) RDPROTECT=2", "in a00 " + read16(HIGH, 5, byte1=0x40), "refused"),
    ("READ(16) above 2^16", "in a00 " + read16(HIGH, 5), (HIGH, 5), read_reached(HIGH, 5)),
    ("READ(10) FUA", "in 600 " + read10(HIGH + 0x100, 3, byte1=0x08), (HIGH + 0x100, 3),
     fua_read(HIGH + 0x100, 3)),
    ("VERIFY(10) VRPROTECT=1", "none 0 " + read10(0x40, 8, byte1=0x20, op=0x2F), "refused"),
    ("VERIFY(10)", "none 0 " + read10(0x40, 8, op=0x2F), "good", ran(READ_VERIFY_EXT)),
    ("WRITE(10) WRPROTECT=1", "out 200 " + read10(0x50, 1, byte1=0x20, op=0x2A), "refused"),
    ("WRITE(16) LINK", "out 200 " + read16(0x51, 1, control=0x01, op=0x8A), "refused"),
    ("TEST UNIT READY LINK", "none 0 " + tur(control=0x01), "refused"),
    ("TEST UNIT READY", "none 0 " + tur(), "good"),
    ("ATA PASS-THROUGH(16) NACA", "none 0 " + check_power_mode(control=0x04), "refused"),
    ("ATA PASS-THROUGH(16)", "none 0 " + check_power_mode(), "good", ran(CHECK_POWER_MODE)),
    ("READ(10) after the refusals", "in 1000 " + read10(0x1000, 8), (0x1000, 8),
     read_reached(0x1000, 8)),
]


def test_ahci_refuses_protection_naca_and_link_with_invalid_field():
    path, data = image("satcdb-ahci.img", BLOCKS, 0x5A7)
    cmds = ["scsicdb 0 %s" % s[1] for s in AHCI_STEPS]
    script = "loglevel=2 -- %s; poweroff" % "; ".join(cmds)
    assert len(script) < 2047, len(script)          # the kernel's command-line limit
    r = boot(script, timeout=90, devices=[
        "-drive", "file=%s,format=raw,if=none,id=s0,cache=writeback" % path,
        "-device", "ide-hd,drive=s0,bus=ide.0"] + TRACE)
    desc = r.describe()
    segs = [s for s in segments(r) if s[0].startswith("scsicdb")]
    assert [c for c, _ in segs] == cmds, desc
    for step, (_, lines) in zip(AHCI_STEPS, segs):
        check_step(step, lines, data, desc)
    forbid_lines(r, TROUBLE)
    assert r.rc == 1, desc
    with open(path, "rb") as f:
        assert f.read() == data, "a refused WRITE changed the image\n" + desc


def test_lsi_scsi_hd_answers_naca_read10_and_goes_on():
    """The same NACA READ(10) to QEMU's own scsi-disk behind the LSI
    miniport: whatever QEMU makes of NACA, the port must deliver it (GOOD
    with the right data, or CHECK CONDITION with decoded sense) without a
    timeout, and the next plain READ(10) must return the right data."""
    path, data = image("satcdb-lsi.img", 0x800, 0x151)
    cmds = ["scsicdb 0 in 400 " + read10(0x20, 2, control=0x04),
            "scsicdb 0 in 400 " + read10(0x30, 2)]
    r = boot("loglevel=2 -- %s; poweroff" % "; ".join(cmds), timeout=60, devices=[
        "-device", "lsi53c895a,id=lsi0",
        "-drive", "file=%s,format=raw,if=none,id=l0,cache=writeback" % path,
        "-device", "scsi-hd,drive=l0,bus=lsi0.0,scsi-id=0"])
    desc = r.describe()
    segs = [s for s in segments(r) if s[0].startswith("scsicdb")]
    assert [c for c, _ in segs] == cmds, desc
    naca = segs[0][1]
    good = DATA % (2 * BS, zlib.crc32(data[0x20 * BS:0x22 * BS]))
    checked = (len(naca) == 1 and re.match(good, naca[0])) or (
        len(naca) == 2 and re.match(r"^scsicdb: status ERROR \(04\), scsi status 02, 0 bytes$",
                                    naca[0])
        and re.match(r"^scsicdb: sense [0-9a-f]/[0-9a-f]{2}/[0-9a-f]{2}: \S", naca[1]))
    assert checked, "NACA READ(10): %r\n%s" % (naca, desc)
    after = segs[1][1]
    assert len(after) == 1 and re.match(DATA % (2 * BS, zlib.crc32(data[0x30 * BS:0x32 * BS])),
                                        after[0]), "READ(10) after: %r\n%s" % (after, desc)
    forbid_lines(r, [r"timed out", r"resetting bus", r"bus reset", r"error log:"])
    assert r.rc == 1, desc
