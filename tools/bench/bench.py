#!/usr/bin/env python3
"""`make bench` / `make bench COMPARE=linux` (= `make bench-linux`).

Boots the kernel in QEMU (TCG, 1 vCPU, -nodefaults) against each storage
controller we drive, with a 1 GiB disk on QEMU's null-co driver, and runs
the in-guest `scsi bench` jobs:

    seq    sequential 128 KiB reads over 512 MiB, QD 1
    qd1    random 4 KiB reads, QD 1 (8192 of them)
    qd32   random 4 KiB reads, QD 32
    write  sequential 128 KiB writes over 512 MiB, QD 1

Three kinds of runs, each repeated --runs times (figures are medians):

  perf    nothing but the jobs: wall-clock MB/s and IOPS (guest TSC)
  count   smaller jobs with QEMU counting: guest instructions between the
          guest's marker instructions (TCG plugin insncount.c, which also
          gives a per-function profile of our kernel), and, from QEMU's
          memory_region_ops trace events between the port-0x80 markers,
          the controller register accesses, the interrupts delivered, and
          for the LSI chip the SCRIPTS instructions it ran
  boot    kernel entry to every disk ready, with two AHCI disks, a CD and
          an LSI53C895A with three disks

plus one perf run on a raw file instead of null-co, for reference, and the
loadable size of build/kernel.elf and of build/kernel-min.elf (the product
image, without the diagnostic commands and the in-guest tests: the image
the size target is about).

With --compare linux the same QEMU command lines boot Debian's kernel with
an initramfs running fio (tools/bench/linux/), alternating with ours, and
every figure is shown beside Linux's as a ratio.

Every QEMU runs on one host CPU (taskset; --pin): with QEMU's vCPU thread
and its main-loop thread (which completes the I/O) free to float over the
host's CPUs, our kernel's IOPS jump between two modes 3-4x apart from run to
run; on one CPU they hold within ~10 %, and Linux's move less.

Output: a table on stdout, build/bench/results.json, build/bench/chart.png;
QEMU logs in build/bench/logs/.  A controller on which our kernel finds no
disk (its miniport is not there yet) is skipped with one line saying so.
"""

import argparse
import bisect
import datetime
import json
import os
import re
import selectors
import shlex
import shutil
import statistics
import struct
import subprocess
import sys
import textwrap
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "kernel.elf")
OUT = os.path.join(BUILD, "bench")
LOGS = os.path.join(OUT, "logs")
LINUX = os.path.join(BUILD, "bench", "linux")
PLUGIN = os.path.join(BUILD, "bench", "insncount.so")
QEMU = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"

KiB, MiB = 1 << 10, 1 << 20
DISK_BYTES = 1 << 30
MEMORY = "1024"
OURS_TIMEOUT = 240
LINUX_TIMEOUT = 420


class Job:
    def __init__(self, name, kind, qd, size, total, count_total, label):
        self.name, self.kind, self.qd, self.size = name, kind, qd, size
        self.total, self.count_total, self.label = total, count_total, label


JOBS = [
    Job("seq", "seq", 1, 128 * KiB, 512 * MiB, 64 * MiB, "seq read 128K QD1"),
    Job("qd1", "rand", 1, 4 * KiB, 32 * MiB, 8 * MiB, "rand read 4K QD1"),
    Job("qd32", "rand", 32, 4 * KiB, 32 * MiB, 8 * MiB, "rand read 4K QD32"),
    Job("write", "write", 1, 128 * KiB, 512 * MiB, 64 * MiB, "seq write 128K QD1"),
]
FIO_RW = {"seq": "read", "rand": "randread", "write": "write"}

# regs: the controller's MemoryRegions (CPU accesses to them are register
# accesses); self: regions only the device itself reads (LSI SCRIPTS fetch);
# events: trace events counted per I/O.
CONTROLLERS = {
    "ahci": dict(title="ICH9 AHCI, q35", machine="q35", adapter="ahci", linux="ahci",
                 devices=["-device", "ide-hd,drive=disk0,bus=ide.0"],
                 regs=r"^ahci", self=None, events=()),
    "lsi": dict(title="LSI53C895A + scsi-hd, q35", machine="q35", adapter="lsi", linux="lsi",
                devices=["-device", "lsi53c895a,id=scsi0",
                         "-device", "scsi-hd,drive=disk0,bus=scsi0.0"],
                regs=r"^lsi-(mmio|io)$", self=r"^lsi-ram$", events=("lsi_execute_script",)),
    # the ScsiPort test miniport's RAM disk (2 MiB, in the guest): development only
    "sptest": dict(title="ScsiPort test miniport, pci-testdev", machine="q35", adapter="sptest",
                   linux=None, devices=["-device", "pci-testdev"], regs=r"^pci-testdev",
                   self=None, events=(), own_disk=True),
}
DEFAULT_CONTROLLERS = "ahci,lsi"


def set_paths(kernel, out):
    """--kernel, --out: the plugin, the disk image and Linux's files stay in build/bench."""
    global KERNEL, OUT, LOGS
    KERNEL, OUT = os.path.abspath(kernel), os.path.abspath(out)
    LOGS = os.path.join(OUT, "logs")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


# ---- QEMU ----------------------------------------------------------------------------

class Run:
    def __init__(self, cmd, lines, rc, timed_out, wall):
        self.cmd, self.lines, self.rc, self.timed_out, self.wall = cmd, lines, rc, timed_out, wall

    @property
    def text(self):
        return [t for _, t in self.lines]


PIN = []            # ["taskset", "-c", "N"]: every QEMU on one host CPU (--pin)


def run_qemu(cmd, timeout, name):
    """Run QEMU with the serial console on a pipe, under a timeout; keep a log."""
    os.makedirs(LOGS, exist_ok=True)
    cmd = PIN + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, bufsize=0)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    lines, buf, timed_out = [], b"", False
    while True:
        left = timeout - (time.monotonic() - t0)
        if left <= 0:
            timed_out = True
            p.kill()
            break
        if not sel.select(timeout=min(left, 1.0)):
            continue
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        now = time.monotonic() - t0
        buf += chunk
        *full, buf = buf.split(b"\n")
        lines += [(now, ln.decode("utf-8", "replace").rstrip("\r")) for ln in full]
    if buf:
        lines.append((time.monotonic() - t0, buf.decode("utf-8", "replace")))
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    wall = time.monotonic() - t0
    with open(os.path.join(LOGS, name + ".log"), "w") as f:
        f.write("# " + shlex.join(cmd) + "\n")
        f.write("# rc %s%s, %.1f s\n" % (rc, " (timed out)" if timed_out else "", wall))
        for t, ln in lines:
            f.write("%8.3f %s\n" % (t, ln))
    return Run(cmd, lines, rc, timed_out, wall)


def qemu_base(machine):
    return [QEMU, "-M", machine, "-accel", "tcg", "-smp", "1", "-m", MEMORY,
            "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
            "-monitor", "none", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]


def null_disk(node, size=DISK_BYTES):
    return ["-blockdev", "driver=null-co,node-name=%s,size=%d,read-zeroes=on" % (node, size)]


def disk_image():
    return os.path.join(BUILD, "bench", "disk-1G.img")


def backend_args(ctrl, backend):
    if ctrl.get("own_disk"):
        return []
    if backend == "null":
        return null_disk("disk0")
    return ["-blockdev", "driver=file,node-name=file0,filename=%s,cache.direct=off,aio=threads"
            % disk_image(), "-blockdev", "driver=raw,node-name=disk0,file=file0"]


def ensure_disk_image():
    """1 GiB of random data for the raw-file reference runs, in the page cache."""
    img = disk_image()
    if not os.path.exists(img) or os.path.getsize(img) != DISK_BYTES:
        log("bench: creating %s (1 GiB of random data)" % os.path.relpath(img, ROOT))
        with open(img + ".tmp", "wb") as f:
            for _ in range(DISK_BYTES // (16 * MiB)):
                f.write(os.urandom(16 * MiB))
        os.replace(img + ".tmp", img)
    with open(img, "rb") as f:
        while f.read(16 * MiB):
            pass


def boot_devices():
    """The boot-time set: two AHCI disks, a CD, an LSI53C895A with three disks."""
    a = []
    for i, bus in enumerate(("ide.0", "ide.1")):
        a += null_disk("hd%d" % i) + ["-device", "ide-hd,drive=hd%d,bus=%s" % (i, bus)]
    a += null_disk("cd0", 64 * MiB) + ["-device", "ide-cd,drive=cd0,bus=ide.2"]
    a += ["-device", "lsi53c895a,id=scsi0"]
    for i in range(3):
        a += null_disk("sd%d" % i) + ["-device", "scsi-hd,drive=sd%d,bus=scsi0.0,scsi-id=%d" % (i, i)]
    return a


BOOT_EXPECT = 6


def counting_args(ctrl, path, profile):
    a = ["-D", path, "-d", "plugin", "-plugin", PLUGIN + (",profile=on" if profile else ""),
         "-trace", "enable=memory_region_ops_*"]
    for ev in ctrl["events"]:
        a += ["-trace", "enable=" + ev]
    return a


# ---- our kernel ------------------------------------------------------------------------

DEV_RE = re.compile(r"^\s*Device (\d+): \((\S+) (\d+):(\d+):(\d+)\)")
CAP_RE = re.compile(r"Capacity: .*\((\d+) x (\d+)\)")
RESULT_RE = re.compile(r"^(\S+): (seq read|rand read|seq write), (\d+) (KiB|B), QD (\d+): "
                       r"(\d+) I/Os in (\d+)\.(\d+) ms: .*, ([\d.]+) interrupts/I/O(.*)$")


def list_devices(lines):
    """(index, adapter name, blocks, block size) for each `scsi info` entry."""
    devs, cur = [], None
    for ln in lines:
        m = DEV_RE.match(ln)
        if m:
            cur = [int(m.group(1)), m.group(2), None, None]
            devs.append(cur)
            continue
        m = CAP_RE.search(ln)
        if m and cur is not None:
            cur[2], cur[3] = int(m.group(1)), int(m.group(2))
    return devs


def ours_cmd(ctrl, backend, script, extra=()):
    return (qemu_base(ctrl["machine"]) + ["-kernel", KERNEL, "-append", "loglevel=1 -- " + script]
            + backend_args(ctrl, backend) + ctrl["devices"] + list(extra))


def probe(name, ctrl):
    """The `scsi device` index of the bench disk on this controller, or (None, why)."""
    r = run_qemu(ours_cmd(ctrl, "null", "scsi info; poweroff"), 60, "probe-" + name)
    if r.timed_out:
        return None, "the kernel did not finish `scsi info` within 60 s (log: %s)" % \
            os.path.relpath(os.path.join(LOGS, "probe-" + name + ".log"), ROOT)
    devs = list_devices(r.text)
    for idx, adapter, blocks, bs in devs:
        if not adapter.startswith(ctrl["adapter"]):
            continue
        if ctrl.get("own_disk") or (blocks and bs and blocks * bs == DISK_BYTES):
            return idx, None
    seen = ", ".join("%s on %s" % (i, a) for i, a, _, _ in devs) or "none"
    return None, "our kernel found no 1 GiB disk on an %s adapter (devices: %s); " \
                 "is its miniport in hba/ yet?" % (ctrl["adapter"], seen)


def ours_script(index, counting):
    cmds = ["scsi device %d" % index]
    for j in JOBS:
        total = j.count_total if counting else j.total
        cmds.append("scsi bench %s %d %dk %dm" % (j.kind, j.qd, j.size // KiB, total // MiB))
    return "; ".join(cmds + ["poweroff"])


def parse_ours(run):
    """Per job: I/Os, ms, IOPS, MB/s, interrupts per I/O; or an error."""
    res, idx, errs = {}, -1, {}
    for ln in run.text:
        if ln.startswith("=> scsi bench "):
            idx += 1
            continue
        if idx < 0 or idx >= len(JOBS) or ln.startswith("=> "):
            continue
        job = JOBS[idx].name
        m = RESULT_RE.match(ln)
        if not m:
            errs.setdefault(job, []).append(ln)
            continue
        ios = int(m.group(6))
        us = int(m.group(7)) * 1000 + int(m.group(8))
        size = int(m.group(3)) * (KiB if m.group(4) == "KiB" else 1)
        if us <= 0 or ios <= 0 or m.group(10):
            errs.setdefault(job, []).append(ln)
            continue
        res[job] = {"ios": ios, "us": us, "iops": ios * 1e6 / us,
                    "mbps": ios * size / us, "irq_per_io_guest": float(m.group(9))}
    for j in JOBS:
        if j.name not in res:
            why = " / ".join(errs.get(j.name, [])[:2]) or "no result line"
            if run.timed_out:
                why = "timed out; " + why
            res[j.name] = {"error": why}
    return res


# ---- Linux ------------------------------------------------------------------------------

def linux_available():
    return all(os.path.exists(os.path.join(LINUX, f))
               for f in ("vmlinuz", "initramfs.cpio", "initramfs-boot.cpio"))


def linux_cmd(ctrl, backend, counting, extra=()):
    jobs = ",".join("%s:%s:%d:%d:%d" % (j.name, FIO_RW[j.kind], j.qd, j.size,
                                         j.count_total if counting else j.total) for j in JOBS)
    append = ("console=ttyS0 loglevel=4 io_delay=none bench.mode=jobs bench.drv=%s "
              "bench.disk=%d bench.jobs=%s" % (ctrl["linux"], DISK_BYTES // 512, jobs))
    return (qemu_base(ctrl["machine"]) +
            ["-kernel", os.path.join(LINUX, "vmlinuz"),
             "-initrd", os.path.join(LINUX, "initramfs.cpio"), "-append", append]
            + backend_args(ctrl, backend) + ctrl["devices"] + list(extra))


def parse_linux(run):
    res, cur, buf = {}, None, []
    for ln in run.text:
        if "@@B " in ln and not ln.startswith("@@B "):
            if cur:
                buf.append(ln[:ln.index("@@B ")])
            ln = ln[ln.index("@@B "):]             # after fio's last status line
        if ln.startswith("@@B job-end "):
            cur, buf = ln.split()[2], []
        elif ln.startswith("@@B json-end ") and cur:
            res[cur] = fio_result(cur, "\n".join(buf))
            cur = None
        elif cur:
            buf.append(ln)
    for j in JOBS:
        if j.name not in res:
            errs = [ln for ln in run.text if ln.startswith("@@B error")]
            res[j.name] = {"error": ("timed out; " if run.timed_out else "") +
                           (" / ".join(errs) or "no fio result")}
    return res


def fio_result(name, text):
    try:
        data = json.loads(text[text.index("{"):])
        job = data["jobs"][0]
    except (ValueError, KeyError, IndexError) as e:
        return {"error": "fio output: %s" % e}
    kind = next(j.kind for j in JOBS if j.name == name)
    side = job["write" if kind == "write" else "read"]
    ios, us = side.get("total_ios", 0), side.get("runtime", 0) * 1000
    if not ios or not us or job.get("error"):
        return {"error": "fio: error %s, %s I/Os" % (job.get("error"), ios)}
    return {"ios": ios, "us": us, "iops": side["iops"], "mbps": side["bw_bytes"] / 1e6}


# ---- counting: the QEMU log of a counting run ---------------------------------------------

def parse_counting(path, ctrl):
    """Windows between the markers, in order: register, interrupt, event counts,
    guest instructions, and executed translated blocks (address -> instructions)."""
    regs = re.compile(ctrl["regs"])
    selfre = re.compile(ctrl["self"]) if ctrl["self"] else None
    events = tuple(e.encode() for e in ctrl["events"])
    trace_w, insn_w = [], []
    cur, mark_b, tbs = None, None, None
    names = {}
    with open(path, "rb") as f:
        for raw in f:
            if raw.startswith(b"memory_region_ops_"):
                cur = count_access(raw, cur, trace_w, regs, selfre, names)
            elif raw.startswith(b"insn-mark "):
                kind, n = raw.split()[1:3]
                if kind == b"B":
                    mark_b, tbs = int(n), {}
                elif mark_b is not None:
                    insn_w.append({"insns": int(n) - mark_b, "tbs": tbs})
                    mark_b = None
            elif raw.startswith(b"insn-tb ") and insn_w and mark_b is None:
                _, va, n, execs = raw.split()
                d = insn_w[-1]["tbs"]
                d[int(va, 16)] = d.get(int(va, 16), 0) + int(n) * int(execs)
            elif cur is not None and events and raw.startswith(events):
                ev = "ev:" + raw.split(b" ", 1)[0].decode()
                cur[ev] = cur.get(ev, 0) + 1
    return trace_w, insn_w


# Names for the per-register breakdown: MemoryRegion -> (BAR size - 1, {offset: name}).
_AHCI = {0x04: "GHC", 0x08: "IS", 0x0c: "PI"}
_AHCI.update({0x100 + o: "P0" + n for o, n in (
    (0x00, "CLB"), (0x08, "FB"), (0x10, "IS"), (0x14, "IE"), (0x18, "CMD"), (0x20, "TFD"),
    (0x24, "SIG"), (0x28, "SSTS"), (0x2c, "SCTL"), (0x30, "SERR"), (0x34, "SACT"),
    (0x38, "CI"), (0x3c, "SNTF"))})
_LSI = {0x00: "SCNTL0", 0x01: "SCNTL1", 0x0c: "DSTAT", 0x0d: "SSTAT0", 0x10: "DSA",
        0x14: "ISTAT", 0x18: "CTEST0", 0x1c: "TEMP", 0x21: "CTEST4", 0x24: "DBC", 0x28: "DNAD",
        0x2c: "DSP", 0x30: "DSPS", 0x34: "SCRATCHA", 0x38: "DMODE", 0x39: "DIEN",
        0x3b: "DCNTL", 0x40: "SIEN0", 0x41: "SIEN1", 0x42: "SIST0", 0x43: "SIST1",
        0x5c: "SCRATCHB"}
REG_NAMES = {"ahci": (0xfff, _AHCI), "lsi-mmio": (0x3ff, _LSI), "lsi-io": (0xff, _LSI)}


def reg_label(rw, name, addr, size):
    mask, names = REG_NAMES.get(name, (None, {}))
    if mask is None:
        return "%s %s+%s/%s" % (rw, name, addr, size)
    off = int(addr, 16) & mask
    return "%s %s %s/%s" % (rw, name, names.get(off, "+0x%x" % off), size)


def count_access(raw, cur, windows, regs, selfre, names):
    i = raw.rfind(b" name '")
    f = raw[:i].split()
    rw, cpu, addr, value = f[0][18:], f[2], f[6], f[8]
    name = names.get(raw[i + 7:])
    if name is None:
        name = names[raw[i + 7:]] = raw[i + 7:].rstrip().rstrip(b"'").decode()
    if name == "ioport80" and rw == b"write":
        v = int(value, 16)
        if v == 0xA5:
            return {"reads": 0, "writes": 0, "self": 0, "irqs": 0, "lapic": 0, "ioapic": 0,
                    "other": 0, "by_reg": {}}
        if v == 0x5A and cur is not None:
            windows.append(cur)
            return None
    if cur is None:
        return None
    device = cpu == b"-1"
    if (selfre and selfre.search(name)) or (device and regs.search(name)):
        cur["self"] += 1
    elif regs.search(name):
        cur["reads" if rw == b"read" else "writes"] += 1
        k = reg_label("R" if rw == b"read" else "W", name, addr.decode(), f[10].decode())
        cur["by_reg"][k] = cur["by_reg"].get(k, 0) + 1
    elif name == "apic-msi":
        cur["irqs" if device else "lapic"] += 1
    elif name == "ioapic":
        cur["ioapic"] += 1
    else:
        cur["other"] += 1
    return cur


class Symbols:
    """Function symbols of build/kernel.elf and the source file of each, for
    the per-function and per-layer profiles."""

    def __init__(self, elf):
        self.addrs, self.names, self.files = [], [], {}
        out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True,
                             text=True).stdout
        for ln in out.splitlines():
            f = ln.split()
            if len(f) == 3 and f[1] in "tTwW":
                self.addrs.append(int(f[0], 16))
                self.names.append(f[2])
        r = subprocess.run(["addr2line", "-e", elf], input="\n".join("%x" % a for a in self.addrs),
                           capture_output=True, text=True)
        for name, loc in zip(self.names, r.stdout.splitlines()):
            path = loc.rsplit(":", 1)[0]
            if path.startswith(ROOT + "/"):
                path = path[len(ROOT) + 1:]
            self.files.setdefault(name, path)

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 else "0x%x" % addr

    def layer(self, name):
        """The layer a function belongs to, from its source file."""
        path = self.files.get(name, "?")
        for prefix, layer in LAYERS:
            if path.startswith(prefix):
                return layer
        return path


# Source file prefix -> layer, for "where the instructions of one I/O go".
LAYERS = [
    ("kernel/scsibench.c", "scsi bench loop"),
    ("kernel/disk.c", "disk layer"),
    ("kernel/sense.c", "disk layer"),
    ("kernel/scsiport/irq.c", "port: wait, poll, ISR"),
    ("kernel/scsiport/", "port: queue, start, complete"),
    ("hba/", "miniport"),
    ("kernel/idle.c", "port: wait, poll, ISR"),
    ("kernel/intr.c", "interrupt entry, EOI"),
    ("kernel/vectors.S", "interrupt entry, EOI"),
    ("kernel/trap.c", "interrupt entry, EOI"),
    ("kernel/time.c", "clock (time_us)"),
    ("kernel/string.c", "memset, memcpy"),
    ("kernel/pagewalk.c", "page walk (GetPhysicalAddress)"),
    ("kernel/vm.c", "page walk (GetPhysicalAddress)"),
    ("kernel/console.c", "Ctrl-C look (console)"),
]


def per_io(trace, insn, ios, syms):
    """Counts of one window divided by its I/O count."""
    out = {"ios": ios}
    if insn:
        out["insns"] = insn["insns"] / ios
        if syms and insn["tbs"]:
            prof = {}
            for va, n in insn["tbs"].items():
                fn = syms.name(va)
                prof[fn] = prof.get(fn, 0) + n
            out["profile"] = sorted(((k, v / ios) for k, v in prof.items()),
                                    key=lambda kv: -kv[1])[:40]
            layers = {}
            for fn, n in prof.items():
                layers[syms.layer(fn)] = layers.get(syms.layer(fn), 0) + n / ios
            out["layers"] = sorted(layers.items(), key=lambda kv: -kv[1])
    if trace:
        out["reads"], out["writes"] = trace["reads"] / ios, trace["writes"] / ios
        out["regs"] = (trace["reads"] + trace["writes"]) / ios
        for k in ("irqs", "lapic", "ioapic", "self", "other"):
            out[k] = trace[k] / ios
        for k, v in trace.items():
            if k.startswith("ev:"):
                out[k[3:]] = v / ios
        out["by_reg"] = {k: round(v / ios, 3) for k, v in
                         sorted(trace["by_reg"].items(), key=lambda kv: -kv[1])[:12]}
    return out


def counting_run(who, name, ctrl, cmd_fn, parse_fn, rep, syms):
    path = os.path.join(OUT, "count-%s-%s.log" % (who, name))
    if os.path.exists(path):
        os.unlink(path)
    r = run_qemu(cmd_fn(path), OURS_TIMEOUT if who == "ours" else LINUX_TIMEOUT,
                 "count-%s-%s-%d" % (who, name, rep))
    res = parse_fn(r)
    trace_w, insn_w = [], []
    if os.path.exists(path):
        trace_w, insn_w = parse_counting(path, ctrl)
        os.unlink(path)
    done = [j for j in JOBS if "error" not in res[j.name]]
    out = {}
    if len(trace_w) != len(done) or len(insn_w) != len(done):
        for j in JOBS:
            out[j.name] = {"error": res[j.name].get("error") or
                           "%d trace and %d instruction windows for %d jobs" %
                           (len(trace_w), len(insn_w), len(done))}
        return out, r
    for j, tw, iw in zip(done, trace_w, insn_w):
        out[j.name] = per_io(tw, iw, res[j.name]["ios"], syms)
        if "irq_per_io_guest" in res[j.name]:
            out[j.name]["irqs_taken"] = res[j.name]["irq_per_io_guest"]
    for j in JOBS:
        out.setdefault(j.name, {"error": res[j.name].get("error")})
    return out, r


# ---- boot time and size --------------------------------------------------------------------

READY_RE = re.compile(r"^ready in (\d+)\.(\d+) ms")


def boot_ours(rep):
    cmd = qemu_base("q35") + ["-kernel", KERNEL, "-append", "loglevel=1 -- scsi info; poweroff"] \
        + boot_devices()
    r = run_qemu(cmd, 60, "boot-ours-%d" % rep)
    ms = None
    for ln in r.text:
        m = READY_RE.match(ln)
        if m:
            ms = int(m.group(1)) + int(m.group(2)) / 1000
    devs = list_devices(r.text)
    return {"ms": ms, "disks": len(devs), "cmd": shlex.join(cmd)} if ms is not None else \
        {"error": "no 'ready in' line" + (" (timed out)" if r.timed_out else "")}


def boot_linux(rep):
    append = ("console=ttyS0 loglevel=4 io_delay=none bench.mode=boot bench.drv=all "
              "bench.expect=%d" % BOOT_EXPECT)
    cmd = qemu_base("q35") + ["-kernel", os.path.join(LINUX, "vmlinuz"),
                              "-initrd", os.path.join(LINUX, "initramfs-boot.cpio"),
                              "-append", append] + boot_devices()
    r = run_qemu(cmd, LINUX_TIMEOUT, "boot-linux-%d" % rep)
    for ln in r.text:
        m = re.match(r"^@@B ready uptime=([\d.]+) disks=(\d+)", ln)
        if m:
            return {"ms": float(m.group(1)) * 1000, "disks": int(m.group(2)),
                    "cmd": shlex.join(cmd)}
    return {"error": "no ready line" + (" (timed out)" if r.timed_out else "")}


def elf_loadable(path):
    """(bytes the loader copies, bytes it occupies) from the PT_LOAD headers."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        return None, None
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    filesz = memsz = 0
    for i in range(phnum):
        p_type, _, _, _, p_filesz, p_memsz = struct.unpack_from("<6I", data, phoff + i * phentsize)
        if p_type == 1:
            filesz += p_filesz
            memsz += p_memsz
    return filesz, memsz


def largest_objects(elf_nm, n=10):
    """The objects linked into the image that weigh most (text + data + bss)."""
    linked = {ln.split()[-1] for ln in elf_nm.splitlines() if ln.split()[1:2] in (["T"], ["D"], ["B"])}
    objs, build = [], os.path.dirname(KERNEL)
    for top in ("boot", "kernel", "hba", "ddk"):
        for d, _, files in os.walk(os.path.join(build, top)):
            objs += [os.path.join(d, f) for f in files if f.endswith(".o")]
    rows = []
    for o in objs:
        syms = subprocess.run(["nm", "--defined-only", "-g", o], capture_output=True,
                              text=True).stdout.split()
        if not any(x in linked for x in syms[2::3]):
            continue
        out = subprocess.run(["size", o], capture_output=True, text=True).stdout.splitlines()
        t, d, b = (int(x) for x in out[-1].split()[:3])
        rows.append((os.path.relpath(o, build), t, d, b))
    return sorted(rows, key=lambda r: -(r[1] + r[2] + r[3]))[:n]


def min_kernel():
    """build/kernel-min.elf beside the kernel measured: the product image."""
    path = os.path.join(os.path.dirname(KERNEL), "kernel-min.elf")
    return path if os.path.exists(path) else None


def image_size(path):
    out = subprocess.run(["size", path], capture_output=True, text=True).stdout.splitlines()
    text, data, bss = (int(x) for x in out[-1].split()[:3])
    filesz, memsz = elf_loadable(path)
    nm = subprocess.run(["nm", path], capture_output=True, text=True).stdout
    miniports = sorted({ln.split()[-1][:-len("_DriverEntry")] for ln in nm.splitlines()
                        if ln.endswith("_DriverEntry")})
    res = {"image": os.path.relpath(path, ROOT), "text": text, "data": data, "bss": bss,
           "total": text + data + bss, "load_file": filesz, "load_mem": memsz,
           "miniports": miniports, "largest_objects": largest_objects(nm)}
    if linux_available():
        try:
            res["linux_vmlinuz"] = os.path.getsize(os.path.join(LINUX, "vmlinuz"))
            with open(os.path.join(LINUX, "modules-bytes")) as f:
                res["linux_modules"] = int(f.read())
        except (OSError, ValueError):
            pass
    return res


# ---- the whole bench -----------------------------------------------------------------------

def summarize(runs):
    """{job: {metric: median}} from a list of {job: {metric: value}}."""
    out = {}
    for j in JOBS:
        rs = [r[j.name] for r in runs if "error" not in r.get(j.name, {"error": 1})]
        if not rs:
            errs = [r[j.name]["error"] for r in runs if j.name in r]
            out[j.name] = {"error": errs[0] if errs else "not run", "runs": 0}
            continue
        m = {"runs": len(rs)}
        for k in rs[0]:
            if k == "by_reg":
                m[k] = rs[len(rs) // 2][k]
            elif k in ("profile", "layers"):
                m[k] = median_profile([r[k] for r in rs if k in r])
            elif isinstance(rs[0][k], (int, float)):
                m[k] = median([r.get(k) for r in rs])
                if k in ("iops", "mbps", "insns"):
                    m[k + "_all"] = [round(r[k], 1) for r in rs if k in r]
        out[j.name] = m
    return out


def median_profile(profiles):
    names = {n for p in profiles for n, _ in p}
    med = {n: statistics.median([dict(p).get(n, 0) for p in profiles]) for n in names}
    return sorted(med.items(), key=lambda kv: -kv[1])[:25]


def build_plugin():
    os.makedirs(os.path.dirname(PLUGIN), exist_ok=True)
    src = os.path.join(HERE, "insncount.c")
    if not os.path.exists(PLUGIN) or os.path.getmtime(PLUGIN) < os.path.getmtime(src):
        subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC",
                        "-o", PLUGIN, src], check=True)


def build_linux():
    r = subprocess.run([os.path.join(HERE, "linux", "build-initramfs.sh"), LINUX])
    if r.returncode != 0 or not linux_available():
        sys.exit("bench: the Linux guest could not be built (see above)")


def bench(args):
    build_plugin()
    compare = args.compare == "linux"
    if compare:
        build_linux()
    syms = Symbols(KERNEL)
    res = {"meta": meta(args), "controllers": {}}
    if not compare:
        res["meta"]["linux"] = ""
    active = []
    for name in args.controllers:
        ctrl = CONTROLLERS[name]
        c = res["controllers"][name] = {"title": ctrl["title"], "ours": {}, "linux": {}}
        idx, why = probe(name, ctrl)
        if idx is None:
            log("bench: %s: skipped for our kernel: %s" % (name, why))
            c["ours"]["skipped"] = why
        c["index"] = idx
        if idx is not None or (compare and ctrl["linux"]):
            active.append(name)
    runs = {n: {"ours": {"perf": [], "count": []}, "linux": {"perf": [], "count": []}}
            for n in active}

    def sides(name):
        ctrl = CONTROLLERS[name]
        s = []
        if res["controllers"][name]["index"] is not None:
            s.append("ours")
        if compare and ctrl["linux"]:
            s.append("linux")
        return s

    for rep in range(args.runs):
        for name in active:
            for who in sides(name):
                runs[name][who]["perf"].append(perf_run(who, name, "null", rep, res))
    for rep in range(args.runs):
        for name in active:
            for who in sides(name):
                runs[name][who]["count"].append(count_run(who, name, rep, res, syms))
    for name in active:
        c = res["controllers"][name]
        for who in sides(name):
            c[who]["perf"] = summarize(runs[name][who]["perf"])
            c[who]["count"] = summarize(runs[name][who]["count"])
            if args.file:
                c[who]["file"] = summarize([perf_run(who, name, "file", 0, res)])
    boot = {"ours": [], "linux": []}
    for rep in range(args.runs):
        boot["ours"].append(boot_ours(rep))
        if compare:
            boot["linux"].append(boot_linux(rep))
    res["boot"] = {who: summarize_boot(b) for who, b in boot.items() if b}
    res["size"] = image_size(KERNEL)
    if min_kernel():
        res["size_min"] = image_size(min_kernel())
    return res


def perf_run(who, name, backend, rep, res):
    ctrl = CONTROLLERS[name]
    if backend == "file":
        ensure_disk_image()
    if who == "ours":
        script = ours_script(res["controllers"][name]["index"], False)
        r = run_qemu(ours_cmd(ctrl, backend, script), OURS_TIMEOUT,
                     "perf-ours-%s-%s-%d" % (name, backend, rep))
        out = parse_ours(r)
    else:
        r = run_qemu(linux_cmd(ctrl, backend, False), LINUX_TIMEOUT,
                     "perf-linux-%s-%s-%d" % (name, backend, rep))
        out = parse_linux(r)
    log("bench: %-5s %-6s %-4s run %d: %5.1f s  %s" % (
        who, name, backend, rep + 1, r.wall, "  ".join(
            "%s %s" % (j.name, "ERROR" if "error" in out[j.name] else
                       ("%.0f MB/s" % out[j.name]["mbps"] if j.qd == 1 and j.kind != "rand"
                        else "%.0f IOPS" % out[j.name]["iops"])) for j in JOBS)))
    res["controllers"][name].setdefault("cmd", {})["%s-%s" % (who, backend)] = shlex.join(r.cmd)
    return out


def count_run(who, name, rep, res, syms):
    ctrl = CONTROLLERS[name]
    if who == "ours":
        script = ours_script(res["controllers"][name]["index"], True)
        out, r = counting_run("ours", name, ctrl,
                              lambda p: ours_cmd(ctrl, "null", script, counting_args(ctrl, p, True)),
                              parse_ours, rep, syms)
    else:
        out, r = counting_run("linux", name, ctrl,
                              lambda p: linux_cmd(ctrl, "null", True, counting_args(ctrl, p, False)),
                              parse_linux, rep, None)
    log("bench: %-5s %-6s count run %d: %5.1f s  %s" % (
        who, name, rep + 1, r.wall, "  ".join(
            "%s %s" % (j.name, "ERROR" if "error" in out[j.name] else
                       "%.0f insns %.2f regs" % (out[j.name]["insns"], out[j.name]["regs"]))
            for j in JOBS)))
    for j in JOBS:
        if "error" in out[j.name]:
            log("bench:   %s: %s" % (j.name, out[j.name]["error"]))
    return out


def summarize_boot(bs):
    ok = [b for b in bs if "error" not in b]
    if not ok:
        return {"error": bs[0]["error"] if bs else "not run"}
    return {"ms": median([b["ms"] for b in ok]), "ms_all": [round(b["ms"], 1) for b in ok],
            "disks": median([b["disks"] for b in ok]), "expected": BOOT_EXPECT, "cmd": ok[0]["cmd"]}


def meta(args):
    def cmd(*a):
        try:
            return subprocess.run(a, capture_output=True, text=True, cwd=ROOT).stdout.strip()
        except OSError:
            return ""
    kver = ""
    if os.path.exists(os.path.join(LINUX, "kver")):
        with open(os.path.join(LINUX, "kver")) as f:
            kver = f.read().strip()
    return {"date": datetime.datetime.now().isoformat(timespec="seconds"),
            "qemu": cmd(QEMU, "--version").splitlines()[0] if cmd(QEMU, "--version") else "",
            "kernel": cmd("git", "describe", "--always", "--dirty"),
            "linux": kver, "runs": args.runs, "memory_mib": int(MEMORY),
            "jobs": {j.name: {"kind": j.kind, "qd": j.qd, "size": j.size, "total": j.total,
                              "count_total": j.count_total} for j in JOBS},
            "host": cmd("uname", "-srm"), "cores": os.cpu_count(), "pin": args.pin}


# ---- presenting ------------------------------------------------------------------------------

def fmt(v, unit=""):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 1000:
        return "{:,.0f}".format(v).replace(",", " ") + unit
    if abs(v) >= 100:
        return "%.0f%s" % (v, unit)
    if abs(v) >= 10:
        return "%.1f%s" % (v, unit)
    return "%.2f%s" % (v, unit)


def fmt_int(v):
    return "-" if v is None else "%d" % v


def ratio(a, b):
    return a / b if a is not None and b else None


def metric(c, who, kind, job, key):
    return c.get(who, {}).get(kind, {}).get(job, {}).get(key)


ROWS = [
    # (label, kind, job, key, better: "low" or "high")
    ("guest instructions / I/O, seq read 128K", "count", "seq", "insns", "low"),
    ("guest instructions / I/O, rand 4K QD1", "count", "qd1", "insns", "low"),
    ("guest instructions / I/O, rand 4K QD32", "count", "qd32", "insns", "low"),
    ("guest instructions / I/O, seq write 128K", "count", "write", "insns", "low"),
    ("register accesses / I/O, seq read 128K", "count", "seq", "regs", "low"),
    ("register accesses / I/O, rand 4K QD1", "count", "qd1", "regs", "low"),
    ("register accesses / I/O, rand 4K QD32", "count", "qd32", "regs", "low"),
    ("register accesses / I/O, seq write 128K", "count", "write", "regs", "low"),
    ("interrupt messages / I/O, rand 4K QD1", "count", "qd1", "irqs", "low"),
    ("interrupt messages / I/O, rand 4K QD32", "count", "qd32", "irqs", "low"),
    ("interrupts taken (ISR claimed) / I/O, QD32", "count", "qd32", "irqs_taken", "low"),
    ("local APIC accesses / I/O, rand 4K QD1", "count", "qd1", "lapic", "low"),
    ("SCRIPTS instructions / I/O, rand 4K QD1", "count", "qd1", "lsi_execute_script", "low"),
    ("SCRIPTS instructions / I/O, rand 4K QD32", "count", "qd32", "lsi_execute_script", "low"),
    ("RAM BAR reads (SCRIPTS fetch) / I/O, QD1", "count", "qd1", "self", "low"),
    ("MB/s, seq read 128K QD1", "perf", "seq", "mbps", "high"),
    ("IOPS, rand read 4K QD1", "perf", "qd1", "iops", "high"),
    ("IOPS, rand read 4K QD32", "perf", "qd32", "iops", "high"),
    ("MB/s, seq write 128K QD1", "perf", "write", "mbps", "high"),
    ("raw file: MB/s, seq read 128K", "file", "seq", "mbps", "high"),
    ("raw file: IOPS, rand read 4K QD1", "file", "qd1", "iops", "high"),
    ("raw file: IOPS, rand read 4K QD32", "file", "qd32", "iops", "high"),
    ("raw file: MB/s, seq write 128K", "file", "write", "mbps", "high"),
]


def print_table(res):
    out = []
    m = res["meta"]
    out.append("Benchmark: %s, TCG, 1 vCPU, %s MiB, 1 GiB null-co disk; medians of %d runs; "
               "%s (%s)" % (m["qemu"], m["memory_mib"], m["runs"],
                            "QEMU on host CPU %s" % m["pin"] if m["pin"] != "none"
                            else "QEMU not pinned", m["date"]))
    compare = any(c.get("linux", {}).get("perf") for c in res["controllers"].values())
    for name, c in res["controllers"].items():
        out.append("")
        head = "%s (%s)" % (name, c["title"])
        if c["ours"].get("skipped") and not compare:
            out.append("%s: skipped: %s" % (head, c["ours"]["skipped"]))
            continue
        out.append("%-44s %12s %12s %10s" % (head, "ours", "Linux" if compare else "", "ours/Linux"
                                                if compare else ""))
        if c["ours"].get("skipped"):
            out.append("  ours skipped: %s" % c["ours"]["skipped"])
        for label, kind, job, key, _ in ROWS:
            if key == "self" and not CONTROLLERS[name]["self"]:
                continue
            a, b = metric(c, "ours", kind, job, key), metric(c, "linux", kind, job, key)
            if a is None and b is None:
                continue
            r = ratio(a, b)
            out.append("  %-42s %12s %12s %10s" % (label, fmt(a), fmt(b) if compare else "",
                                                   ("%.2fx" % r) if r is not None else ""))
        for kind in ("perf", "count"):
            for job, v in c["ours"].get(kind, {}).items():
                if "error" in v:
                    out.append("  ours %s %s: ERROR: %s" % (kind, job, v["error"]))
    out.append("")
    b = res.get("boot", {})
    bo, bl = b.get("ours", {}), b.get("linux", {})
    out.append("boot to all disks ready (2 AHCI disks, CD, LSI + 3 disks): ours %s ms (%s of %d "
               "devices)%s" % (fmt(bo.get("ms")), fmt_int(bo.get("disks")), BOOT_EXPECT,
                               ", Linux %s ms (%s devices; from its clock's start, "
                               "after decompression)" % (fmt(bl.get("ms")), fmt_int(bl.get("disks")))
                               if bl else ""))
    for key in ("size", "size_min"):
        s = res.get(key)
        if not s:
            continue
        out.append("%s: text %d + data %d + bss %d = %d bytes; loadable %d bytes in the file, "
                   "%d in memory; miniports: %s" % (s.get("image", "image"), s["text"], s["data"],
                                                   s["bss"], s["total"], s["load_file"],
                                                   s["load_mem"], ", ".join(s["miniports"]) or "none"))
        out.append(textwrap.fill("largest objects (text/data/bss): " + ", ".join(
            "%s %d/%d/%d" % r for r in s["largest_objects"]), 100, subsequent_indent="    "))
    s = res["size"]
    if "linux_vmlinuz" in s:
        out.append("Linux: vmlinuz %d bytes + driver modules %d bytes" %
                   (s["linux_vmlinuz"], s.get("linux_modules", 0)))
    out += targets_lines(res)
    out += register_lines(res)
    out += profile_lines(res)
    text = "\n".join(out)
    print(text)
    return text


def targets_lines(res):
    out = ["", "targets (issue 6):"]

    def line(ok, what, have, want):
        out.append("  %-4s %-52s %s (target %s)" % ("-" if ok is None else "met" if ok else "MISS",
                                                    what, have, want))
    for name, c in res["controllers"].items():
        if c["ours"].get("skipped"):
            continue
        v = metric(c, "ours", "count", "qd1", "insns")
        line(None if v is None else v <= 1500, "%s: guest instructions per 4K read at QD1" % name,
             fmt(v), "<= 1500")
        lim = {"ahci": 4, "lsi": 3}.get(name)
        v = metric(c, "ours", "count", "qd1", "regs")
        if lim:
            line(None if v is None else v <= lim, "%s: register accesses per 4K read at QD1" % name,
                 fmt(v), "<= %d" % lim)
        v32 = metric(c, "ours", "count", "qd32", "regs")
        line(None if v is None or v32 is None else v32 < v, "%s: register accesses per I/O at "
             "QD32 below QD1" % name, fmt(v32), "< %s" % fmt(v))
        if name == "lsi":
            v = metric(c, "ours", "count", "qd1", "lsi_execute_script")
            line(None if v is None else v <= 64, "lsi: SCRIPTS instructions per I/O", fmt(v), "<= 64")
        for job, key, want in (("qd1", "iops", 4.0), ("qd32", "iops", 4.0), ("seq", "mbps", 1.5)):
            r = ratio(metric(c, "ours", "perf", job, key), metric(c, "linux", "perf", job, key))
            if r is not None:
                line(r >= want, "%s: %s %s ours/Linux" % (name, job, key), "%.2fx" % r,
                     ">= %.1fx" % want)
    ms = res.get("boot", {}).get("ours", {}).get("ms")
    line(None if ms is None else ms < 100, "boot to all disks ready, ms of guest time", fmt(ms),
         "< 100")
    s = res.get("size_min") or res["size"]        # the product image, if built
    both = {"ahci", "lsi"} <= set(s["miniports"])
    line(s["total"] < 128 * KiB if both else None, "%s text+data+bss (%s)" %
         (os.path.basename(s.get("image", "image")),
          "both miniports" if both else "miniports: " + (", ".join(s["miniports"]) or "none")),
         "%d" % s["total"], "< %d" % (128 * KiB))
    return out


def register_lines(res):
    out = []
    for name, c in res["controllers"].items():
        for who in ("ours", "linux"):
            regs = c.get(who, {}).get("count", {}).get("qd1", {}).get("by_reg")
            if regs:
                out.append("")
                out.append(textwrap.fill(
                    "%s: %s register accesses per 4K read at QD1: " % (name, who) +
                    ", ".join("%s x%g" % kv for kv in regs.items()),
                    100, subsequent_indent="    "))
    return out


def profile_lines(res):
    out = []
    for name, c in res["controllers"].items():
        for job in ("qd1", "qd32"):
            p = c.get("ours", {}).get("count", {}).get(job, {}).get("profile")
            if not p:
                continue
            total = c["ours"]["count"][job].get("insns") or 0
            layers = c["ours"]["count"][job].get("layers") or []
            out.append("")
            out.append("where our %s instructions go per I/O, %s (of %s):" % (name, job, fmt(total)))
            out.append(textwrap.fill("by layer: " + ", ".join("%s %.0f" % kv for kv in layers),
                                     100, initial_indent="  ", subsequent_indent="    "))
            out.append(textwrap.fill("top functions: " + ", ".join("%s %.0f" % kv for kv in p[:16]),
                                     100, initial_indent="  ", subsequent_indent="    "))
    return out


def chart(res, path):
    if not shutil.which("gnuplot"):
        if os.geteuid() == 0:
            log("bench: installing gnuplot-nox (once)")
            subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends",
                            "gnuplot-nox"], stdout=subprocess.DEVNULL,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        if not shutil.which("gnuplot"):
            log("bench: no chart: gnuplot is missing (apt-get install gnuplot-nox)")
            return
    panels = [
        ("guest instructions per I/O (log scale)", chart_rows(res, "count", "insns"), True),
        ("controller register accesses per I/O", chart_rows(res, "count", "regs"), False),
        ("boot to all disks ready, ms (log scale)", boot_rows(res), True),
        ("IOPS, 4 KiB random reads (wall clock)", chart_rows(res, "perf", "iops", "rand"), False),
        ("MB/s, 128 KiB sequential (wall clock)", chart_rows(res, "perf", "mbps", "seq"), False),
        ("ours / Linux, wall clock (targets: 4x IOPS, 1.5x MB/s)", ratio_rows(res), False),
    ]
    script = ["set terminal pngcairo size 1800,1000 font ',10'", "set output '%s'" % path,
              "set multiplot layout 2,3 title 'make bench: our kernel%s, QEMU TCG, null-co disk, "
              "medians of %d runs' font ',13'"
              % (" vs Linux " + res["meta"]["linux"] if res["meta"].get("linux") else "",
                 res["meta"]["runs"]),
              "set style data histograms", "set style histogram clustered gap 1",
              "set style fill solid 0.8 border -1", "set boxwidth 0.9", "set key top right",
              "set xtics rotate by -30 font ',9'", "set grid ytics", "set datafile missing '?'",
              "set offsets 0, 0, graph 0.1, 0"]
    for i, (title, rows, logy) in enumerate(panels):
        fn = os.path.join(OUT, "chart%d.dat" % i)
        with open(fn, "w") as f:
            for label, a, b in rows:
                f.write("\"%s\" %s %s\n" % (label, "?" if a is None else "%g" % a,
                                             "?" if b is None else "%g" % b))
        script += ["set title '%s'" % title, "set logscale y" if logy else "unset logscale y",
                   "set yrange [%s:*]" % ("1" if logy else "0")]
        if not rows:
            script += ["unset logscale y", "set xrange [0:1]", "set yrange [0:1]",
                       "set label 1 'no data (Linux: make bench COMPARE=linux)' at 0.2, 0.5",
                       "unset xtics", "unset ytics", "plot -1 notitle", "unset label 1",
                       "set xrange [*:*]", "set xtics rotate by -30 font ',9'", "set ytics"]
        elif i == len(panels) - 1:
            script.append("plot '%s' using 2:xtic(1) title 'ours/Linux' lc rgb '#3366cc', "
                          "1 with lines lc rgb '#000000' notitle" % fn)
        elif all(b is None for _, _, b in rows):
            script.append("plot '%s' using 2:xtic(1) title 'ours' lc rgb '#3366cc'" % fn)
        else:
            script.append("plot '%s' using 2:xtic(1) title 'ours' lc rgb '#3366cc', "
                          "'' using 3 title 'Linux' lc rgb '#cc6633'" % fn)
    script.append("unset multiplot")
    gp = os.path.join(OUT, "chart.gp")
    with open(gp, "w") as f:
        f.write("\n".join(script) + "\n")
    r = subprocess.run(["gnuplot", gp], text=True, capture_output=True)
    if r.returncode != 0:
        log("bench: gnuplot failed on %s: %s" % (os.path.relpath(gp, ROOT), r.stderr.strip()[-300:]))


def chart_rows(res, kind, key, only=None):
    rows = []
    for name, c in res["controllers"].items():
        for j in JOBS:
            if only == "rand" and j.kind != "rand" or only == "seq" and j.kind == "rand":
                continue
            a, b = metric(c, "ours", kind, j.name, key), metric(c, "linux", kind, j.name, key)
            if a is not None or b is not None:
                rows.append(("%s %s" % (name, j.name), a, b))
    return rows


def ratio_rows(res):
    rows = []
    for name, c in res["controllers"].items():
        for j in JOBS:
            k = "iops" if j.kind == "rand" else "mbps"
            r = ratio(metric(c, "ours", "perf", j.name, k), metric(c, "linux", "perf", j.name, k))
            if r is not None:
                rows.append(("%s %s" % (name, j.name), r, None))
    return rows


def boot_rows(res):
    b = res.get("boot", {})
    a, l = b.get("ours", {}).get("ms"), b.get("linux", {}).get("ms")
    return [("q35: 2 AHCI disks, CD, LSI + 3 disks", a, l)] if a or l else []


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (median; default 3)")
    ap.add_argument("--compare", choices=["none", "linux"], default="none")
    ap.add_argument("--controllers", default=DEFAULT_CONTROLLERS,
                    help="comma-separated: %s" % ", ".join(CONTROLLERS))
    ap.add_argument("--no-file", dest="file", action="store_false",
                    help="skip the raw-file reference runs")
    ap.add_argument("--pin", default="auto",
                    help="host CPU to run every QEMU on (taskset), 'auto' (the last one "
                         "this process may use) or 'none'")
    ap.add_argument("--kernel", default=KERNEL,
                    help="the kernel to measure (default build/kernel.elf; it needs the "
                         "`scsi bench` command)")
    ap.add_argument("--out", default=OUT,
                    help="where results and logs go (default build/bench)")
    args = ap.parse_args()
    set_paths(args.kernel, args.out)
    if args.pin == "auto":
        args.pin = str(max(os.sched_getaffinity(0)))
    if args.pin != "none":
        if not shutil.which("taskset"):
            ap.error("--pin needs taskset (util-linux); or --pin none")
        PIN[:] = ["taskset", "-c", args.pin]
    args.controllers = [c for c in args.controllers.split(",") if c]
    bad = [c for c in args.controllers if c not in CONTROLLERS]
    if bad:
        ap.error("unknown controller %s (known: %s)" % (", ".join(bad), ", ".join(CONTROLLERS)))
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    if not os.path.exists(KERNEL):
        sys.exit("bench: %s is missing: run make first" % KERNEL)
    t0 = time.monotonic()
    res = bench(args)
    res["meta"]["seconds"] = round(time.monotonic() - t0, 1)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    text = print_table(res)
    with open(os.path.join(OUT, "results.txt"), "w") as f:
        f.write(text + "\n")
    chart(res, os.path.join(OUT, "chart.png"))
    log("bench: %.0f s; results in %s/{results.json,results.txt,chart.png}, logs in %s/" %
        (time.monotonic() - t0, os.path.relpath(OUT, ROOT), os.path.relpath(LOGS, ROOT)))


if __name__ == "__main__":
    main()
