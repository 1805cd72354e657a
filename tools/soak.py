#!/usr/bin/env python3
"""`make soak`: mixed random reads and writes at several queue depths over
AHCI and LSI disks at once, with injected device errors and bus resets; at
the end every block of every image file is checked here, from this side's
own record of what was last written.

The guest's `soak SECONDS SEED QD` (kernel/soak.c) cuts each disk into 32
lanes; lane k of disk d runs its operations one after another, each drawn
from its own generator seeded from (SEED, d, k).  A write puts a
self-describing record (disk, LBA, generation = the lane's operation
number, CRC) in each block.  All the guest tells us at the end is how many
operations each lane finished and which writes failed; this side replays
every lane's generator for exactly that many operations, which gives each
block's last generation (old or new for a failed write's blocks), and
reads the image files after QEMU has exited.  The guest's own word on its
reads is reported, never trusted.

Set-up (one q35): AHCI disks on ports 0, 1, ... and LSI53C895A disks at
SCSI IDs 0, 1, ...; every image pre-filled with generation-0 records.  The
second AHCI disk sits behind blkdebug (rerror/werror=report): one-shot read
and write errors on sectors chosen from the replay so that a known
operation meets each, and one sector whose writes always fail - the guest
must report exactly the writes that cover it as failed, and every device
error it reports must be one injected here.  The guest resets each
adapter's bus in turn (HwResetBus, and SRB_FUNCTION_RESET_BUS), and this
side throttles one of the other disks at a time (QMP block_set_io_throttle)
during the deepest-queue phase, so that requests time out and the port
resets the bus itself.  Injected errors are counted from QEMU's
BLOCK_IO_ERROR events.

A disk with blkdebug rules runs at most --fault-qd (default 1) requests at
a time (the guest's cap=D:Q).  Debian's QEMU 7.2 (hw/ide/ahci.c, with the
7.2.x stable fixes) mishandles an AHCI port that had an error while NCQ
commands were out:
  - a failed command leaves ERR in the IDE status, and the next NCQ command
    makes QEMU write a D2H FIS with that stale status at once: a TFES for a
    command that has not failed;
  - clearing PxCMD.ST clears PxCI and PxSACT and drops CR at once, but the
    commands keep running in QEMU's block layer: the miniport's error
    recovery (AHCI 1.3.1 6.2.2: stop, no COMRESET when PxCI, PxSACT and
    BSY/DRQ are clear) leaves them going, and they complete later, into
    buffers the guest has moved on with (a read then brings another block's
    data: seen as guest-side MISMATCHes with a correct image);
  - setting ST again sets the port's current command to NULL
    (ahci_map_clb_address), and a plain DMA command still running then
    completes through ahci_commit_buf(NULL): SIGSEGV (QEMU issue #437,
    fixed upstream in 11.1).
An always-failing sector at queue depth >1 walks into all three within
seconds.  At depth 1 the miniport issues plain DMA (two commands in a row
found the port idle), an error leaves nothing else running, and none of
this happens; the other disks still run every depth.  --fault-qd 32 brings
it back (to test a miniport that resets the port when the NCQ error log
cannot be read, which also keeps QEMU safe).

The LSI disks get no blkdebug rules unless --lsi-faults: QEMU 7.2's
lsi53c895a model (lsi_command_complete) presents the STATUS of a
disconnected command that failed without reselecting, so with more than
one command out nobody can tell whose status it is.  The miniport answers
with a bus reset (every outstanding request comes back and is retried) and
no chip reset, which once tripped QEMU's own assertion (lsi_soft_reset);
runs of three minutes are clean now.  It stays off by default because the
model can also hand such a status to whichever command is connected at the
time, which no driver can see, and the soak would count a spurious error:

    tools/soak.py --ahci 0 --lsi-faults --reset 0 --throttle 0 --seconds 20 --phase 3

    tools/soak.py --seconds 120 --seed 1      (make soak SOAK_SECONDS=120 SOAK_SEED=1)

Exit status 0 when every block checks out and the guest lost nothing and
failed only where a fault was injected to make it fail; 1 otherwise.
"""

import argparse
import json
import os
import re
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))

from harness import LOGDIR, Qemu  # noqa: E402

# ---- what kernel/soak.c does, to the bit ----------------------------------------------

LANES = 32
MAX_AREA = 1 << 20          # blocks per disk the soak uses at most
MAX_BYTES = 8192            # per operation
WRITE_SHARE = 128           # of 256
TRIES = 8                   # attempts per operation
MAGIC = b"SOAKBLK1"
FILL_STEP = 0x9E3779B9
M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
BS = 512
AVG_BYTES = (1 + MAX_BYTES // BS) * BS // 2     # an operation's mean size


def rec_key(disk, lba, gen):
    x = (disk * 0x9E3779B1 ^ (lba & M32) * 0x85EBCA77 ^ (lba >> 32) * 0x27D4EB2F ^
         gen * 0xC2B2AE3D) & M32
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & M32
    x ^= x >> 12
    x = (x * 0x297A2D39) & M32
    x ^= x >> 15
    return x


_fill_offsets = {}


def block(disk, lba, gen, size=BS):
    """The block a soak writes (generation 0: what this side pre-fills)."""
    head = struct.pack("<8sIIIII", MAGIC, disk, gen, lba & M32, lba >> 32, size)
    head += struct.pack("<I", zlib.crc32(head))
    n = (size - len(head)) // 4
    offs = _fill_offsets.get(n)
    if offs is None:
        offs = _fill_offsets[n] = [(i * FILL_STEP) & M32 for i in range(n)]
    key = rec_key(disk, lba, gen)
    return head + struct.pack("<%dI" % n, *[(key + o) & M32 for o in offs])


def block_gen(data):
    """The generation a block's header claims, or None if it has no soak header."""
    if data[:8] != MAGIC:
        return None
    return struct.unpack_from("<I", data, 12)[0]


class Lane:
    """One lane's generator: operation n is the n-th draw (kernel/soak.c lane_draw)."""

    def __init__(self, seed, disk, index, lane_blocks, max_blocks):
        self.state = ((seed << 32) ^ (disk << 8) ^ index) & M64
        self.first = index * lane_blocks
        self.lane_blocks = lane_blocks
        self.max_blocks = max_blocks

    def _next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & M64
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        return z ^ (z >> 31)

    def ops(self, count):
        """(op number, write?, lba, blocks) for operations 1..count."""
        for op in range(1, count + 1):
            r = self._next()
            lo, hi = r & M32, r >> 32
            n = 1 + (lo >> 8) % self.max_blocks
            yield op, (lo & 0xFF) < WRITE_SHARE, self.first + hi % (self.lane_blocks - n + 1), n


def geometry(blocks, bs=BS):
    """(lane_blocks, max_blocks) as the guest derives them for a disk."""
    area = min(blocks, MAX_AREA)
    return area // LANES, max(1, MAX_BYTES // bs)


# ---- disks, images, faults ----------------------------------------------------------------

class Disk:
    def __init__(self, ident, kind, unit, path, blocks):
        self.id = ident                 # the disk id in its records
        self.kind = kind                # "ahci" or "lsi"
        self.unit = unit                # AHCI port or SCSI ID
        self.path = path
        self.blocks = blocks
        self.drive = "d%d" % ident      # QEMU drive id
        self.lane_blocks, self.max_blocks = geometry(blocks)
        self.once = []                  # (sector, "read"/"write", lane, op)
        self.bad_write = None           # (sector, lane): every write over it fails
        self.conf = None
        self.qd_cap = None              # at most this many requests at a time

    def lane(self, seed, k):
        return Lane(seed, self.id, k, self.lane_blocks, self.max_blocks)

    def qemu_args(self):
        common = "if=none,id=%s,cache=writeback,rerror=report,werror=report" % self.drive
        if self.conf:
            drive = ("driver=raw,file.driver=blkdebug,file.config=%s,file.image.driver=file,"
                     "file.image.filename=%s,%s" % (self.conf, self.path, common))
        else:
            drive = "file=%s,format=raw,%s" % (self.path, common)
        if self.kind == "ahci":
            # An explicit geometry: otherwise QEMU reads sector 0 to guess one.
            dev = "ide-hd,drive=%s,bus=ide.%d,cyls=%d,heads=16,secs=63" % (
                self.drive, self.unit, min(16383, self.blocks // (16 * 63)))
        else:
            dev = "scsi-hd,drive=%s,bus=lsi0.0,scsi-id=%d" % (self.drive, self.unit)
        return ["-drive", drive, "-device", dev]


def make_image(disk):
    with open(disk.path, "wb") as f:
        for start in range(0, disk.blocks, 2048):
            f.write(b"".join(block(disk.id, lba, 0)
                             for lba in range(start, min(disk.blocks, start + 2048))))


def first_cover(lane, want_write, sector, upto):
    """The first operation of the lane (to op upto) of that kind covering sector."""
    for op, write, lba, n in lane:
        if op > upto:
            return None
        if write == want_write and lba <= sector < lba + n:
            return op
    return None


def pick_fault(disk, seed, k, want_write, early):
    """A sector of lane k that an early operation of that kind (read/write) covers
    first, i.e. no earlier one of that kind covers it: (sector, op)."""
    ops = list(disk.lane(seed, k).ops(early))
    for op, write, lba, n in ops[2:]:
        if write != want_write:
            continue
        for sector in range(lba, lba + n):
            if first_cover(iter(ops), want_write, sector, op) == op:
                return sector, op
    return None


def plan_faults(disk, seed, conf_path, rules=3, early=12):
    """blkdebug rules for disk: one-shot read and write errors met by a known
    early operation of chosen lanes, and one sector whose writes always fail."""
    errno_read = 5 if disk.kind == "ahci" else 61      # scsi-hd: 61 is MEDIUM ERROR
    text = []
    for i in range(rules * 2):
        k = 1 + i * (LANES // (rules * 2 + 1))
        want_write = i % 2 == 1
        got = pick_fault(disk, seed, k, want_write, early)
        if not got:
            continue
        sector, op = got
        kind = "write" if want_write else "read"
        disk.once.append((sector, kind, k, op))
        text.append('[inject-error]\nevent = "%s_aio"\niotype = "%s"\nerrno = "%d"\n'
                    'sector = "%d"\nonce = "on"\n' % (kind, kind, 5 if want_write else errno_read,
                                                     sector))
    k = LANES - 1
    got = pick_fault(disk, seed, k, True, early)
    if got:
        disk.bad_write = (got[0], k)
        text.append('[inject-error]\nevent = "write_aio"\niotype = "write"\nerrno = "5"\n'
                    'sector = "%d"\nonce = "off"\n' % got[0])
    with open(conf_path, "w") as f:
        f.write("\n".join(text))
    disk.conf = conf_path


def make_disks(workdir, seed, ahci, lsi, mib, faults=True, lsi_faults=False, fault_qd=1):
    blocks = mib * 1024 * 1024 // BS
    disks = []
    for kind, count in (("ahci", ahci), ("lsi", lsi)):
        for i in range(count):
            unit = i if kind == "ahci" or i < 7 else i + 1      # SCSI ID 7 is the adapter's
            d = Disk(len(disks), kind, unit,
                     os.path.join(workdir, "soak-d%d.img" % len(disks)), blocks)
            make_image(d)
            if faults and i % 2 == 1 and (kind == "ahci" or lsi_faults):
                plan_faults(d, seed, os.path.join(workdir, "soak-d%d.blkdebug" % d.id))
                if fault_qd < LANES:
                    d.qd_cap = fault_qd
            disks.append(d)
    return disks


# ---- QMP: events and throttling ------------------------------------------------------------

class Qmp:
    """A QMP client that keeps every event (BLOCK_IO_ERROR counts the injections)."""

    def __init__(self, path, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rw")
        self.events = []
        self.replies = []
        self.cond = threading.Condition()
        json.loads(self.file.readline())                        # greeting
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        self.call("qmp_capabilities")

    def _read(self):
        try:
            for line in self.file:
                msg = json.loads(line)
                with self.cond:
                    (self.events if "event" in msg else self.replies).append(msg)
                    self.cond.notify_all()
        except OSError:
            pass                        # QEMU went away: what waits gets the reply below
        with self.cond:
            self.replies.append({"error": {"desc": "QMP connection closed"}})
            self.cond.notify_all()

    def call(self, execute, timeout=30, **arguments):
        msg = {"execute": execute}
        if arguments:
            msg["arguments"] = arguments
        with self.cond:
            self.file.write(json.dumps(msg) + "\n")
            self.file.flush()
            if not self.cond.wait_for(lambda: self.replies, timeout):
                raise RuntimeError("QMP %s: no reply in %d s" % (execute, timeout))
            reply = self.replies.pop(0)
        if "error" in reply:
            raise RuntimeError("QMP %s: %s" % (execute, reply["error"]))
        return reply["return"]

    def throttle(self, drive, bps):
        self.call("block_set_io_throttle", device=drive, bps=bps, bps_rd=0, bps_wr=0,
                  iops=0, iops_rd=0, iops_wr=0)

    def io_errors(self):
        with self.cond:
            return [e["data"] for e in self.events if e["event"] == "BLOCK_IO_ERROR"]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


# ---- the run ------------------------------------------------------------------------------

class Throttler:
    """Now and then one disk (AHCI and LSI in turn) is throttled for a few seconds
    while the guest runs its deepest queue, so requests outlive their timeout and
    the port resets the bus.  The rate is set so that what can be in flight on
    the disk (QD x 8 KiB) drains in about twice the timeout: QEMU waits for
    throttled requests when the bus is reset, with the whole machine stopped."""

    def __init__(self, qmp, disks, timeout_s, every_s, log, kinds=("ahci", "lsi")):
        self.qmp, self.timeout_s, self.every_s, self.log = qmp, timeout_s, every_s, log
        self.targets = [d for d in disks if not d.conf and d.kind in kinds]
        self.targets.sort(key=lambda d: (d.id % 2, d.kind))
        self.n = 0
        self.on = None                  # (disk, until)
        self.next_at = time.monotonic() + every_s
        self.count = 0

    def phase(self, qd, qd_max):
        """The guest started a phase with queue depth qd."""
        now = time.monotonic()
        if self.on or not self.targets or qd != qd_max or qd < 8 or now < self.next_at:
            return
        disk = self.targets[self.n % len(self.targets)]
        self.n += 1
        bps = max(4096, qd * AVG_BYTES // (2 * self.timeout_s))
        self.qmp.throttle(disk.drive, bps)
        self.on = (disk, now + self.timeout_s + 3)
        self.count += 1
        self.log("host: throttling %s (%s) to %d B/s for %d s" % (
            disk.drive, disk.kind, bps, self.timeout_s + 3))

    def tick(self):
        if self.on and time.monotonic() >= self.on[1]:
            self.qmp.throttle(self.on[0].drive, 0)
            self.log("host: %s unthrottled" % self.on[0].drive)
            self.on = None
            self.next_at = time.monotonic() + self.every_s

    def stop(self):
        if self.on:
            self.qmp.throttle(self.on[0].drive, 0)
            self.on = None


def boot(disks, args, log):
    """Run the guest's soak; returns (serial Result, QMP events, throttles)."""
    qmpdir = tempfile.mkdtemp(prefix="soak-qmp-")
    qmp_path = os.path.join(qmpdir, "qmp.sock")
    devices = ["-device", "lsi53c895a,id=lsi0"] if any(d.kind == "lsi" for d in disks) else []
    for d in disks:
        devices += d.qemu_args()
    cmd = "soak %d %d %d phase=%d reset=%d t=%d" % (args.seconds, args.seed, args.qd, args.phase,
                                                     args.reset, args.timeout)
    cmd += "".join(" cap=%d:%d" % (d.id, d.qd_cap) for d in disks if d.qd_cap)
    limit = args.seconds + 3 * args.timeout + 120
    q = Qemu("-- %s; poweroff" % cmd, memory="256M", devices=devices, timeout=limit,
             extra=["-qmp", "unix:%s,server=on,wait=on" % qmp_path] + args.qemu_arg,
             name=args.name)
    with q:
        qmp = Qmp(qmp_path)
        thr = (Throttler(qmp, disks, args.timeout, args.throttle, log, args.throttle_kinds)
               if args.throttle else None)
        seen = throttles = 0
        while q.proc.poll() is None:
            lines = q.result.lines
            for _, text in lines[seen:len(lines)]:
                seen += 1
                m = re.match(r"^soak: phase \d+: QD (\d+)$", text)
                if m and thr:
                    thr.phase(int(m.group(1)), args.qd)
                if args.verbose:
                    log("guest: " + text)
                if text.startswith("soak: stopping") and thr:
                    thr.stop()
                    throttles, thr = thr.count, None
            if thr:
                thr.tick()
            time.sleep(0.1)
        q.wait_exit()
        events = qmp.io_errors()
        qmp.close()
    shutil.rmtree(qmpdir, ignore_errors=True)
    return q.result, events, thr.count if thr else throttles


# ---- what the guest said --------------------------------------------------------------------

OP_LINE = re.compile(r"^soak: d(\d+) lane (\d+) op (\d+): (read|write) lba (\d+)\+(\d+): (.*)$")


class Report:
    def __init__(self, result):
        self.result = result
        self.disks = {}         # id -> (name, adapter, target, blocks, bs, lane_blocks)
        self.ops = {}           # id -> [count per lane]
        self.failed = {}        # (disk, lane, op) -> (write?, lba, n)
        self.lost = {}          # (disk, lane, op) -> (write?, lba, n)
        self.device_errors = []  # (disk, lane, op, write?, lba, n, text)
        self.recovered = []
        self.mismatch_lines = []
        self.total = None
        self.port = {}          # adapter -> (resets, timeouts)
        self.caps = {}          # id -> the most requests the guest put out at a time
        self.resets = []
        self.done = False
        for _, text in result.lines:
            self._line(text)

    def _line(self, text):
        m = re.match(r"^soak: disk (\d+): (\w+) \((\w+) (\d+):(\d+):(\d+)\), (\d+) blocks of "
                     r"(\d+) bytes, \d+ lanes of (\d+) blocks, 1-(\d+) blocks an operation$", text)
        if m:
            self.disks[int(m.group(1))] = (m.group(2), m.group(3), int(m.group(5)),
                                           int(m.group(7)), int(m.group(8)), int(m.group(9)),
                                           int(m.group(10)))
            return
        m = re.match(r"^soak: d(\d+): at most (\d+) requests at a time$", text)
        if m:
            self.caps[int(m.group(1))] = int(m.group(2))
            return
        m = re.match(r"^soak: d(\d+) ops: ([\d ]+)$", text)
        if m:
            self.ops[int(m.group(1))] = [int(x) for x in m.group(2).split()]
            return
        m = OP_LINE.match(text)
        if m:
            self._op_line(m)
            return
        m = re.match(r"^soak: (\w+): (\d+) bus resets by the port, (\d+) timeouts$", text)
        if m:
            self.port[m.group(1)] = (int(m.group(2)), int(m.group(3)))
        elif text.startswith("soak: MISMATCH"):
            self.mismatch_lines.append(text)
        elif text.startswith("soak: total: "):
            self.total = text[len("soak: total: "):]
        elif re.match(r"^soak: reset \d+: ", text):
            self.resets.append(text)
        elif text in ("soak: done",) or text.startswith("soak: FAIL:"):
            self.done = True

    def _op_line(self, m):
        d, k, op = int(m.group(1)), int(m.group(2)), int(m.group(3))
        key = (d, k, op)
        what = (m.group(4) == "write", int(m.group(5)), int(m.group(6)))
        text = m.group(7)
        if text.startswith("failed after"):
            self.failed[key] = what
        elif text.startswith("lost"):
            self.lost[key] = what
        elif text == "recovered":
            self.recovered.append(key)
        else:
            self.device_errors.append(key + what + (text,))


# ---- the judgement --------------------------------------------------------------------------

class Verdict:
    def __init__(self):
        self.problems = []
        self.figures = {}

    def problem(self, text):
        self.problems.append(text)


def expected_blocks(disk, seed, counts, uncertain):
    """Block -> generations it may hold, for every block some write reached."""
    may = {}
    for k in range(LANES):
        for op, write, lba, n in disk.lane(seed, k).ops(counts[k] + 1):
            if op > counts[k] and (disk.id, k, op) not in uncertain:
                break
            if not write:
                continue
            for b in range(lba, lba + n):
                if (disk.id, k, op) in uncertain:
                    may.setdefault(b, {0}).add(op)
                else:
                    may[b] = {op}
    return may


def verify_image(disk, data, may, limit=20):
    """Mismatching blocks of an image: [(lba, what)]."""
    bad = []
    for lba in range(disk.blocks):
        blk = data[lba * BS:(lba + 1) * BS]
        gens = may.get(lba, (0,))
        gen = block_gen(blk)
        if gen in gens and blk == block(disk.id, lba, gen):
            continue
        if len(bad) < limit:
            what = ("holds generation %s, expected %s" % (gen, sorted(gens)) if gen is not None
                    else "no soak record, expected generation %s" % sorted(gens))
            if gen in gens:
                what = "generation %d header but wrong contents" % gen
            bad.append((lba, what))
        else:
            bad.append((lba, None))
    return bad


def check_layout(disks, rep, v):
    for d in disks:
        got = rep.disks.get(d.id)
        if not got:
            v.problem("disk %d (%s) was not soaked" % (d.id, d.kind))
            continue
        name, adapter, target, blocks, bs, lane_blocks, max_blocks = got
        want = (d.kind, d.unit, d.blocks, BS, d.lane_blocks, d.max_blocks)
        if (re.sub(r"\d+$", "", adapter), target, blocks, bs, lane_blocks, max_blocks) != want:
            v.problem("disk %d: guest says %s, expected %s" % (d.id, got, want))
        if len(rep.ops.get(d.id, [])) != LANES:
            v.problem("disk %d: no operation counts from the guest" % d.id)
        if rep.caps.get(d.id) != d.qd_cap:
            v.problem("disk %d: the guest's queue depth cap is %s, expected %s"
                      % (d.id, rep.caps.get(d.id), d.qd_cap))


def expected_failures(disk, seed, counts):
    """Every write over the always-failing sector: (disk, lane, op)."""
    if not disk.bad_write:
        return set()
    sector, k = disk.bad_write
    return {(disk.id, k, op) for op, write, lba, n in disk.lane(seed, k).ops(counts[k])
            if write and lba <= sector < lba + n}


def explain(disk, write, lba, n):
    """A device error on this operation is one we injected."""
    if disk.bad_write and write and lba <= disk.bad_write[0] < lba + n:
        return True
    return any(lba <= s < lba + n and (kind == "write") == write for s, kind, _, _ in disk.once)


def check_errors(disks, seed, rep, events, v):
    by_id = {d.id: d for d in disks}
    want_failed = set()
    for d in disks:
        if d.id in rep.ops:
            want_failed |= expected_failures(d, seed, rep.ops[d.id])
    got_failed = set(rep.failed)
    for key in sorted(got_failed - want_failed):
        v.problem("d%d lane %d op %d failed, with no fault injected to make it fail" % key)
    for key in sorted(want_failed - got_failed):
        v.problem("d%d lane %d op %d wrote over the always-failing sector, yet did not fail"
                  % key)
    for d, k, op, write, lba, n, text in rep.device_errors:
        if d not in by_id or not explain(by_id[d], write, lba, n):
            v.problem("d%d lane %d op %d: unexplained device error: %s" % (d, k, op, text))
    reached = sum(1 for d in disks for _, _, k, op in d.once
                  if d.id in rep.ops and rep.ops[d.id][k] >= op)
    per_drive = {}
    for e in events:
        per_drive[e.get("device")] = per_drive.get(e.get("device"), 0) + 1
    injected = len(events)
    persistent_seen = sum(1 for e in rep.device_errors if e[:3] in want_failed)
    if injected < reached + persistent_seen:
        v.problem("QEMU reported %d errors; the guest met %d one-shot faults and saw %d errors "
                  "from the always-failing sector" % (injected, reached, persistent_seen))
    if len(rep.device_errors) > injected:
        v.problem("the guest saw %d device errors, QEMU injected %d"
                  % (len(rep.device_errors), injected))
    v.figures.update(injected=injected, once_rules=sum(len(d.once) for d in disks),
                     once_reached=reached, device_errors_seen=len(rep.device_errors),
                     failed_writes=len(got_failed), expected_failed_writes=len(want_failed),
                     per_drive=per_drive)


def judge(disks, seed, rep, events, result):
    v = Verdict()
    if result.timed_out or result.rc != 1:
        v.problem("QEMU ended with status %s%s" % (result.rc,
                                                  " (timed out)" if result.timed_out else ""))
    if not rep.done or rep.total is None:
        v.problem("the guest did not finish its report")
    check_layout(disks, rep, v)
    for key, what in sorted(rep.lost.items()):
        v.problem("d%d lane %d op %d was never completed by the port (%s lba %d+%d)"
                  % (key + ("write" if what[0] else "read", what[1], what[2])))
    for line in rep.mismatch_lines:
        v.problem("guest: " + line)
    check_errors(disks, seed, rep, events, v)
    mismatches = 0
    for d in disks:
        if d.id not in rep.ops or len(rep.ops[d.id]) != LANES:
            continue
        uncertain = {k for k in list(rep.failed) + list(rep.lost) if k[0] == d.id}
        may = expected_blocks(d, seed, rep.ops[d.id], uncertain)
        with open(d.path, "rb") as f:
            bad = verify_image(d, f.read(), may)
        mismatches += len(bad)
        for lba, what in bad[:20]:
            v.problem("d%d (%s) block %d: %s" % (d.id, d.kind, lba, what))
    v.figures["mismatches"] = mismatches
    v.figures["ios"] = sum(sum(c) for c in rep.ops.values())
    return v


# ---- main -----------------------------------------------------------------------------------

def run(args, log=print):
    """Prepare, boot, judge.  The images live in a directory of this run's own
    (another run must never rewrite them under a running QEMU); it is removed
    when everything checked out, kept for a look otherwise."""
    os.makedirs(LOGDIR, exist_ok=True)
    workdir = tempfile.mkdtemp(prefix=args.name + "-disks-", dir=LOGDIR)
    t0 = time.monotonic()
    disks = make_disks(workdir, args.seed, args.ahci, args.lsi, args.mib, args.faults,
                       args.lsi_faults, args.fault_qd)
    log("host: %d disks of %d MiB prepared in %.1f s (%s)" % (
        len(disks), args.mib, time.monotonic() - t0, workdir))
    for d in disks:
        if d.conf:
            log("host: d%d (%s): one-shot %s; writes over sector %s always fail; "
                "at most %s requests at a time" % (
                    d.id, d.kind, ", ".join("%s sector %d (lane %d op %d)" % (kind, s, k, op)
                                            for s, kind, k, op in d.once),
                    d.bad_write[0] if d.bad_write else "-", d.qd_cap or LANES))
    result, events, throttles = boot(disks, args, log)
    rep = Report(result)
    t1 = time.monotonic()
    v = judge(disks, args.seed, rep, events, result)
    v.figures.update(throttles=throttles, guest_resets=len(rep.resets), port=rep.port,
                     recovered=len(rep.recovered), guest_total=rep.total,
                     verify_s=round(time.monotonic() - t1, 1), log=result.logfile)
    v.disks, v.report, v.result, v.workdir = disks, rep, result, workdir
    return v


def cleanup(v):
    """Drop the run's images (after a pass; a failure keeps them)."""
    shutil.rmtree(v.workdir, ignore_errors=True)


def summary(v):
    f = v.figures
    port = ", ".join("%s %d resets/%d timeouts" % (a, r, t)
                     for a, (r, t) in sorted(f["port"].items()))
    lines = [
        "soak: I/Os done: %d" % f["ios"],
        "soak: errors injected (QEMU BLOCK_IO_ERROR events): %d %s; one-shot rules %d, "
        "reached %d" % (f["injected"], f["per_drive"], f["once_rules"], f["once_reached"]),
        "soak: device errors seen by the guest: %d; operations recovered by retry: %d; "
        "writes failed: %d (expected %d, all over the always-failing sector)"
        % (f["device_errors_seen"], f["recovered"], f["failed_writes"],
           f["expected_failed_writes"]),
        "soak: resets: %d by the guest, %d host throttles; port: %s"
        % (f["guest_resets"], f["throttles"], port),
        "soak: guest total: %s" % f["guest_total"],
        "soak: mismatches: %d (every block of every image checked in %.1f s)"
        % (f["mismatches"], f["verify_s"]),
    ]
    return lines


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, default=120, help="soak time (default 120)")
    p.add_argument("--seed", type=int, default=1, help="picks every lane's operations")
    p.add_argument("--qd", type=int, default=32, help="deepest queue per disk (default 32)")
    p.add_argument("--phase", type=int, default=5,
                   help="seconds per queue-depth phase (default 5)")
    p.add_argument("--reset", type=int, default=7,
                   help="seconds between guest bus resets (default 7; 0: none)")
    p.add_argument("--timeout", type=int, default=3,
                   help="each request's timeout in the guest, s (default 3)")
    p.add_argument("--throttle", type=int, default=20,
                   help="seconds between host throttles (default 20; 0: none)")
    p.add_argument("--throttle-kinds", default="ahci,lsi", type=lambda s: s.split(","),
                   help="which disks the host throttles (default ahci,lsi)")
    p.add_argument("--ahci", type=int, default=2, help="AHCI disks (default 2)")
    p.add_argument("--lsi", type=int, default=2, help="LSI disks (default 2)")
    p.add_argument("--mib", type=int, default=32, help="MiB per disk (16-64)")
    p.add_argument("--no-faults", dest="faults", action="store_false",
                   help="no blkdebug rules")
    p.add_argument("--fault-qd", type=int, default=1,
                   help="most requests at a time on a disk with blkdebug rules (default 1: "
                        "see the docstring)")
    p.add_argument("--lsi-faults", action="store_true",
                   help="blkdebug rules on an LSI disk too (see the docstring)")
    p.add_argument("--name", default="soak", help="log name under build/tests")
    p.add_argument("-v", "--verbose", action="store_true", help="echo the guest's lines")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="one more QEMU argument (e.g. --qemu-arg=-trace --qemu-arg=ahci_*)")
    args = p.parse_args(argv)
    if not (1 <= args.seconds <= 1000000 and 0 <= args.seed <= M32 and 1 <= args.qd <= LANES
            and args.phase >= 1 and args.timeout >= 1 and 16 <= args.mib <= 64
            and 1 <= args.fault_qd <= LANES
            and args.ahci + args.lsi >= 1 and args.ahci <= 6 and args.lsi <= 15):
        p.error("want seconds >= 1, a 32-bit seed, qd and fault-qd 1-%d, phase and timeout "
                ">= 1, 16-64 MiB, up to 6 AHCI and 15 LSI disks" % LANES)
    return args


def main():
    args = parse_args()
    v = run(args)
    for line in summary(v):
        print(line)
    if v.problems:
        print("soak: FAILED:")
        for p in v.problems:
            print("  " + p)
        print("(serial log: %s; images kept in %s)" % (v.figures["log"], v.workdir))
        return 1
    print("soak: PASSED (serial log: %s)" % v.figures["log"])
    cleanup(v)
    return 0


if __name__ == "__main__":
    sys.exit(main())
