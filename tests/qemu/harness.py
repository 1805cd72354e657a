"""Boot the kernel in QEMU and look at what it says.

One QEMU per call, always under a timeout, serial console on a pipe, logs
kept in build/tests/.  Two ways in:

    r = boot("-- pci; poweroff", machine="pc", devices=["-device", "ahci"])
    expect_lines(r, [r"^pci: \\d+ devices"])
    assert_guest_passed(r)

    with Qemu("-- echo ready", hmp=True) as q:      # interactive
        q.wait_for(r"^=> ")
        out = q.hmp("info pci")
        q.send("poweroff\\n")
        q.wait_exit()
    r = q.result

Exit status: with isa-debug-exit (always added unless debug_exit=False) the
guest's power_off(code) makes QEMU exit (code << 1) | 1, so rc 1 is a clean
pass, 3 a failed test or command, 5 a fault.  Without it, ACPI power-off
gives rc 0.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.path.join(ROOT, "build")
KERNEL = os.path.join(BUILD, "kernel.elf")
LOGDIR = os.path.join(BUILD, "tests")
QEMU = shutil.which("qemu-system-x86_64") or "qemu-system-x86_64"

RC_PASS, RC_FAIL, RC_FAULT = 1, 3, 5


class Result:
    def __init__(self, name, cmd):
        self.name = name
        self.cmd = cmd
        self.lines = []          # (host seconds since start, text)
        self.rc = None
        self.timed_out = False
        self.hmp_output = {}
        self.logfile = None

    @property
    def log(self):
        return "\n".join(t for _, t in self.lines)

    @property
    def passed(self):
        return self.rc == RC_PASS

    def line_time(self, pattern):
        """Host time (s since QEMU start) of the first line matching pattern."""
        rx = re.compile(pattern)
        for t, text in self.lines:
            if rx.search(text):
                return t
        return None

    def find(self, pattern):
        """All matches of pattern over the lines (re.Match objects)."""
        rx = re.compile(pattern)
        return [m for _, text in self.lines for m in [rx.search(text)] if m]

    def describe(self, marks=None, missing=()):
        marks = marks or {}
        out = ["QEMU: " + " ".join(self.cmd),
               "exit status: %s%s" % (self.rc, " (timed out)" if self.timed_out else ""),
               "---- serial log (>> expected line found) ----"]
        for i, (_, text) in enumerate(self.lines):
            out.append(("  >> " if i in marks else "     ") + text)
        if missing:
            out.append("---- expected but not found ----")
            out.extend("  !! " + m for m in missing)
        if self.logfile:
            out.append("(log: %s)" % self.logfile)
        return "\n".join(out)


def _test_name():
    name = os.environ.get("PYTEST_CURRENT_TEST", "manual").split(" ")[0]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name.split("::", 1)[-1])[:120]


def make_iso(kernel_args, path, kernel=None):
    """A GRUB rescue image whose only entry boots the kernel with kernel_args."""
    work = tempfile.mkdtemp(prefix="iso-", dir=LOGDIR)
    os.makedirs(os.path.join(work, "boot", "grub"))
    shutil.copy(kernel or KERNEL, os.path.join(work, "boot", "kernel.elf"))
    # GRUB's script syntax: backslash-escape what it would interpret.  (Quoting
    # the whole line would not do: GRUB passes a quoted word on in quotes.)
    quoted = re.sub(r"""([;&|<>$\\'"{}()#])""", r"\\\1", kernel_args)
    with open(os.path.join(work, "boot", "grub", "grub.cfg"), "w") as f:
        f.write("serial --unit=0 --speed=115200\n"
                "terminal_input serial\nterminal_output serial\n"
                "set timeout=0\n"
                "menuentry test {\n  multiboot /boot/kernel.elf %s\n  boot\n}\n" % quoted)
    subprocess.run(["grub-mkrescue", "-o", path, work],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shutil.rmtree(work, ignore_errors=True)
    return path


class Qemu:
    """A running QEMU with the kernel; serial on a pipe, optional QMP monitor."""

    def __init__(self, kernel_args=None, machine="q35", memory="128M", devices=(),
                 timeout=30, iso=False, modules=(), hmp=False, debug_exit=True,
                 bios=None, extra=(), name=None, drives=(), firmware=None, kernel=None):
        """kernel: the ELF to boot (None: build/kernel.elf)."""
        os.makedirs(LOGDIR, exist_ok=True)
        kernel = kernel or KERNEL
        self.name = name or _test_name()
        self.timeout = timeout
        self.qmp_path = None
        if firmware == "ovmf32":
            machine += ",smm=on"
        cmd = [QEMU, "-M", machine, "-m", str(memory), "-smp", "1", "-accel", "tcg",
               "-nodefaults", "-no-user-config", "-display", "none",
               "-serial", "stdio", "-monitor", "none", "-no-reboot"]
        if debug_exit:
            cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
        if bios:
            cmd += ["-bios", bios]
        cmd += self._firmware(firmware)
        if iso:
            iso_path = iso if isinstance(iso, str) else make_iso(
                kernel_args or "", os.path.join(LOGDIR, self.name + ".iso"), kernel)
            cmd += ["-drive", "file=%s,media=cdrom,if=none,id=bootcd,format=raw,readonly=on"
                    % iso_path,
                    "-device", "ide-cd,drive=bootcd,bus=%s" % (
                        "ide.1" if machine.startswith("pc") else "ide.2")]
            cmd += ["-boot", "d"]
        elif kernel_args is not None:
            cmd += ["-kernel", kernel, "-append", kernel_args]
            if modules:
                cmd += ["-initrd", ",".join(modules)]
        for d in drives:
            cmd += list(d)
        cmd += list(devices) + list(extra)
        if hmp:
            self.qmp_path = os.path.join(tempfile.mkdtemp(prefix="qmp-"), "qmp.sock")
            cmd += ["-qmp", "unix:%s,server=on,wait=off" % self.qmp_path]
        self.result = Result(self.name, cmd)
        self._cond = threading.Condition()
        self._partial = ""
        self._qmp = None
        self._start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, bufsize=0)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _firmware(self, firmware):
        """UEFI firmware: 'ovmf64' (x86_64 OVMF) or 'ovmf32' (ia32 OVMF, as
        on Atom boards; Debian ships it secure-boot enabled, hence SMM)."""
        if not firmware:
            return []
        if firmware == "ovmf64":
            return ["-bios", "/usr/share/OVMF/OVMF_CODE.fd"]
        if firmware == "ovmf32":
            vars_copy = os.path.join(LOGDIR, self.name + ".vars.fd")
            shutil.copy("/usr/share/OVMF/OVMF32_VARS_4M.fd", vars_copy)
            return ["-global", "driver=cfi.pflash01,property=secure,value=on",
                    "-drive", "if=pflash,format=raw,unit=0,readonly=on,"
                    "file=/usr/share/OVMF/OVMF32_CODE_4M.secboot.fd",
                    "-drive", "if=pflash,format=raw,unit=1,file=" + vars_copy]
        raise ValueError("unknown firmware %r" % firmware)

    # -- serial -----------------------------------------------------------

    def _read(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            now = time.monotonic() - self._start
            with self._cond:
                if not chunk:
                    if self._partial:
                        self.result.lines.append((now, self._partial))
                        self._partial = ""
                    self._cond.notify_all()
                    return
                text = self._partial + chunk.decode("utf-8", "replace").replace("\r", "")
                *full, self._partial = text.split("\n")
                for line in full:
                    self.result.lines.append((now, line))
                self._cond.notify_all()

    def _remaining(self):
        return self.timeout - (time.monotonic() - self._start)

    def wait_for(self, pattern, timeout=None, after=0, partial=None):
        """Wait for a serial line matching pattern, at or after line index
        `after`; with partial (default: when the pattern is a prompt, "=> ")
        the unfinished last line counts too.  Returns the line's index."""
        if partial is None:
            partial = "=> " in pattern
        rx = re.compile(pattern)
        limit = time.monotonic() + (timeout if timeout is not None else self._remaining())
        with self._cond:
            while True:
                for i in range(after, len(self.result.lines)):
                    if rx.search(self.result.lines[i][1]):
                        return i
                if partial and self._partial and rx.search(self._partial):
                    return len(self.result.lines)
                left = limit - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError("waited for %r in vain\n%s" % (
                        pattern, self.result.describe(missing=[pattern])))
                self._cond.wait(min(left, 0.2))

    def line_count(self):
        with self._cond:
            return len(self.result.lines)

    def send(self, text, delay=0.0):
        """Type text on the serial console (delay: seconds between bytes)."""
        data = text.encode() if isinstance(text, str) else text
        if delay:
            for b in data:
                self.proc.stdin.write(bytes([b]))
                self.proc.stdin.flush()
                time.sleep(delay)
        else:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    # -- monitor ----------------------------------------------------------

    def _qmp_call(self, execute, arguments=None):
        if self._qmp is None:
            deadline = time.monotonic() + 10
            while True:
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(self.qmp_path)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            self._qmp = s.makefile("rw")
            json.loads(self._qmp.readline())                    # greeting
            self._qmp_call("qmp_capabilities")
        msg = {"execute": execute}
        if arguments:
            msg["arguments"] = arguments
        self._qmp.write(json.dumps(msg) + "\n")
        self._qmp.flush()
        while True:
            reply = json.loads(self._qmp.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise RuntimeError("QMP %s: %s" % (execute, reply["error"]))
            # asynchronous events: skip

    def hmp(self, command):
        """Run a human-monitor command (e.g. 'info pci') and return its text."""
        out = self._qmp_call("human-monitor-command", {"command-line": command})
        self.result.hmp_output[command] = out
        return out

    def qmp(self, execute, **arguments):
        return self._qmp_call(execute, arguments)

    # -- end --------------------------------------------------------------

    def wait_exit(self, timeout=None):
        left = timeout if timeout is not None else self._remaining()
        try:
            self.result.rc = self.proc.wait(timeout=max(left, 0.1))
        except subprocess.TimeoutExpired:
            self.result.timed_out = True
            self.kill()
        self._reader.join(5)
        return self.result

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.result.rc = self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.kill()
        self._reader.join(5)
        if self._qmp:
            self._qmp.close()
        self._save()
        return False

    def _save(self):
        path = os.path.join(LOGDIR, self.name + ".log")
        with open(path, "w") as f:
            f.write(self.result.describe() + "\n")
        self.result.logfile = path


def boot(kernel_args="", timeout=30, hmp=(), hmp_when=None, **kw):
    """Boot, wait for QEMU to exit (or the timeout), return the Result.

    hmp: monitor commands to run once a serial line matches hmp_when
    (default: the first prompt); their output lands in result.hmp_output.
    """
    with Qemu(kernel_args, timeout=timeout, hmp=bool(hmp), **kw) as q:
        if hmp:
            q.wait_for(hmp_when or r"^=> ")
            for c in hmp:
                q.hmp(c)
        q.wait_exit()
    return q.result


def expect_lines(result, patterns, ordered=True):
    """Each regex must match a serial line (in order, unless ordered=False).
    On failure the log is shown with found lines marked and the rest listed."""
    marks, missing, pos = {}, [], 0
    lines = [t for _, t in result.lines]
    for p in patterns:
        rx = re.compile(p)
        start = pos if ordered else 0
        for i in range(start, len(lines)):
            if rx.search(lines[i]):
                marks[i] = p
                pos = i + 1
                break
        else:
            missing.append(p)
    if missing:
        raise AssertionError(result.describe(marks, missing))
    return [result.lines[i][1] for i in sorted(marks)]


def forbid_lines(result, patterns):
    """None of the regexes may match any line."""
    for p in patterns:
        rx = re.compile(p)
        for i, (_, t) in enumerate(result.lines):
            if rx.search(t):
                raise AssertionError("unexpected line %r:\n%s" % (t, result.describe({i: p})))


# `info pci` (HMP): a function's header line, and the vendor:device in its class line.
HMP_DEV = re.compile(r"^\s*Bus\s+(\d+), device\s+(\d+), function (\d+):$")
HMP_ID = re.compile(r"PCI device ([0-9a-f]{4}):([0-9a-f]{4})$")


def shell(q, cmd):
    """Type one command at a running Qemu's prompt; its output lines."""
    n = q.line_count()
    q.send(cmd + "\r")
    echo = q.wait_for("^=> " + re.escape(cmd) + "$", after=n)
    end = q.wait_for(r"^=> $", after=echo + 1)
    return [t for _, t in q.result.lines[echo + 1:end]]


def segments(result):
    """A shell run split at its prompts: [(command, [lines up to the next
    prompt])], in the order the commands ran."""
    out = []
    for _, text in result.lines:
        m = re.match(r"^=> (.*)$", text)
        if m:
            out.append((m.group(1).strip(), []))
        elif out:
            out[-1][1].append(text)
    return out


def assert_guest_passed(result, min_checks=1):
    """The guest's own checks: no FAIL line, at least min_checks PASS lines,
    its summary line agreeing, and a clean power-off (rc 1)."""
    passes = result.find(r"^PASS: ")
    fails = result.find(r"^FAIL: ")
    summary = result.find(r"^(\d+) passed, (\d+) failed")
    problems = []
    if fails:
        problems.append("%d FAIL lines" % len(fails))
    if len(passes) < min_checks:
        problems.append("%d PASS lines, wanted at least %d" % (len(passes), min_checks))
    if not summary:
        problems.append("no 'N passed, N failed' line")
    elif int(summary[-1].group(2)) != 0:
        problems.append("guest summary: %s" % summary[-1].group(0))
    if result.rc != RC_PASS:
        problems.append("exit status %s, wanted %d" % (result.rc, RC_PASS))
    if problems:
        raise AssertionError("; ".join(problems) + "\n" + result.describe(
            {i: "" for i, (_, t) in enumerate(result.lines) if t.startswith(("PASS:", "FAIL:"))}))
    return len(passes)
