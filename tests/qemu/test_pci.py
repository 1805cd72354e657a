"""PCI: enumeration behind bridges, BAR sizing, capabilities, config-space
access of every width, MSI programming and the `pci` command's bad input.

Everything the guest prints is checked against QEMU's own view, never
against a list typed here:
  - HMP `info pci`: bus/device/function, vendor:device, subsystem, IRQ line
    and pin, and every BAR's type, base and size;
  - QMP `query-pci`: the class code (and a cross-check of the HMP parse);
  - configuration space read on the host side through the monitor's port
    I/O (`o`/`i` on 0xCF8/0xCFC, mechanism #1, whatever the guest uses):
    the capability lists, the bytes `pci display` shows, and the MSI
    registers after `pci msi`;
  - HMP `info mtree`: where q35 decodes ECAM.
Each configuration is one boot with the guest waiting at its prompt while
the host looks."""

import re

import pytest

from harness import Qemu, expect_lines

# ---- machines and devices ---------------------------------------------------

# Behind a conventional PCI bridge, behind a PCIe root port (q35), and a
# multi-function device with a gap in its function numbers.
COMMON = ["-device", "lsi53c895a",
          "-device", "virtio-scsi-pci",
          "-device", "pci-bridge,id=br1,chassis_nr=1",
          "-device", "lsi53c895a,bus=br1,addr=3",
          "-device", "virtio-scsi-pci,bus=br1,addr=4",
          "-device", "virtio-scsi-pci,addr=06.0,multifunction=on",
          "-device", "lsi53c895a,addr=06.3"]
Q35 = COMMON + ["-device", "ich9-ahci,bus=br1,addr=5",   # q35 has one at 00.1f.02
                "-device", "ioh3420,id=rp1,chassis=2,slot=1",
                "-device", "lsi53c895a,bus=rp1"]
PC = COMMON + ["-device", "ich9-ahci"]

CONFIGS = {
    # name: (machine, boot options, devices, mechanism expected)
    "q35-ecam": ("q35", "", Q35, "ECAM"),
    "q35-conf1": ("q35", "pci=conf1", Q35, "conf1"),
    "q35-allbus": ("q35", "pci=allbus loglevel=3", Q35, "ECAM"),
    "pc": ("pc", "", PC, "conf1"),
}

LISTING = "pci; pci long; pci bar; pci cap; echo pci-listed"

# ---- QEMU's view --------------------------------------------------------------

HMP_DEV = re.compile(r"^\s*Bus\s+(\d+), device\s+(\d+), function (\d+):$")
HMP_ID = re.compile(r"^\s+.*: PCI device ([0-9a-f]{4}):([0-9a-f]{4})$")
HMP_SUBSYS = re.compile(r"^\s+PCI subsystem ([0-9a-f]{4}):([0-9a-f]{4})$")
HMP_IRQ = re.compile(r"^\s+IRQ (\d+), pin ([A-D])$")
HMP_SECONDARY = re.compile(r"^\s+secondary bus (\d+)\.$")
HMP_BAR = re.compile(r"^\s+BAR(\d): (?:(I/O)|(32|64) bit( prefetchable)? memory) "
                     r"at 0x([0-9a-f]+) \[0x([0-9a-f]+)\]\.$")


def parse_info_pci(text):
    """bdf -> dict(vendor, device, subsys, irq, pin, secondary, bars{i: bar})."""
    devs, cur = {}, None
    for line in text.replace("\r", "").split("\n"):
        m = HMP_DEV.match(line)
        if m:
            bdf = tuple(int(x) for x in m.groups())
            assert bdf not in devs, "info pci lists %s twice" % (bdf,)
            cur = devs[bdf] = {"subsys": None, "irq": None, "pin": 0,
                               "secondary": None, "bars": {}}
            continue
        if cur is None:
            continue
        if HMP_ID.match(line):
            cur["vendor"], cur["device"] = (int(x, 16) for x in HMP_ID.match(line).groups())
        elif HMP_SUBSYS.match(line):
            cur["subsys"] = tuple(int(x, 16) for x in HMP_SUBSYS.match(line).groups())
        elif HMP_IRQ.match(line):
            irq, pin = HMP_IRQ.match(line).groups()
            cur["irq"], cur["pin"] = int(irq), ord(pin) - ord("A") + 1
        elif HMP_SECONDARY.match(line):
            cur["secondary"] = int(HMP_SECONDARY.match(line).group(1))
        elif HMP_BAR.match(line):
            i, io, width, pf, start, end = HMP_BAR.match(line).groups()
            start, end = int(start, 16), int(end, 16)
            cur["bars"][int(i)] = ("I/O" if io else "MEM", "32" if io else width,
                                   bool(pf), start, (end - start + 1) % (1 << 64))
    return devs


def flatten_query_pci(buses):
    """query-pci -> bdf -> device dict, bridges' devices included."""
    out = {}

    def walk(devices):
        for d in devices:
            out[(d["bus"], d["slot"], d["function"])] = d
            walk(d.get("pci_bridge", {}).get("devices", []))

    for b in buses:
        walk(b["devices"])
    return out


def qmp_bars(d):
    bars = {}
    for r in d["regions"]:
        io = r["type"] == "io"
        bars[r["bar"]] = ("I/O" if io else "MEM", "64" if r.get("mem_type_64") else "32",
                          bool(r.get("prefetch")), r["address"] % (1 << 64), r["size"])
    return bars


def host_read32(q, bdf, off):
    """A config dword read through the monitor's port I/O (mechanism #1)."""
    b, d, f = bdf
    q.hmp("o /w 0xcf8 0x%x" % (0x80000000 | b << 16 | d << 11 | f << 8 | off))
    m = re.search(r"= 0x([0-9a-f]+)", q.hmp("i /w 0xcfc"))
    assert m, "monitor port read failed"
    return int(m.group(1), 16)


def host_write32(q, bdf, off, value):
    b, d, f = bdf
    q.hmp("o /w 0xcf8 0x%x" % (0x80000000 | b << 16 | d << 11 | f << 8 | off))
    q.hmp("o /w 0xcfc 0x%x" % value)


def host_config(q, bdf):
    """The function's 256 bytes of configuration space, read by the host."""
    data = bytearray()
    for off in range(0, 256, 4):
        data += host_read32(q, bdf, off).to_bytes(4, "little")
    return bytes(data)


def cap_walk(cfg):
    """The capability list from raw config bytes: [(pos, id)], bounded like the guest."""
    hdr = cfg[0x0e] & 0x7f
    if not cfg[0x06] & 0x10:
        return []
    pos, seen, out = cfg[0x14 if hdr == 2 else 0x34] & 0xfc, set(), []
    while pos and len(out) < 48 and pos >= 0x40 and pos not in seen:
        seen.add(pos)
        out.append((pos, cfg[pos]))
        pos = cfg[pos + 1] & 0xfc
    return out


def u16(cfg, off):
    return int.from_bytes(cfg[off:off + 2], "little")


def u32(cfg, off):
    return int.from_bytes(cfg[off:off + 4], "little")


def mmcfg_base(q):
    m = re.search(r"([0-9a-f]{16})-[0-9a-f]{16} \(prio \d+, i/o\): pcie-mmcfg-mmio",
                  q.hmp("info mtree"))
    return int(m.group(1), 16) if m else None

# ---- the guest's view ---------------------------------------------------------

BDF = r"([0-9a-f]{2})\.([0-9a-f]{2})\.([0-9a-f]{2})"
ROW = re.compile(r"^" + BDF + r"   0x([0-9a-f]{4})     0x([0-9a-f]{4})     (.{23}) "
                 r"0x([0-9a-f]{2})$")
FOUND = re.compile(r"^Found PCI device " + BDF + r":$")
FIELD = re.compile(r"^  (\S.*?) =\s+0x([0-9a-f]+)(?: \(.*\))?$")
BAR_ROW = re.compile(r"^ (\d)   0x([0-9a-f]{16})  0x([0-9a-f]{16})  (32|64)     (I/O|MEM)"
                     r"(   Prefetchable)?$")
CAP_ROW = re.compile(r"^0x([0-9a-f]{2})  0x([0-9a-f]{2})  \S+$")
DUMP_ROW = re.compile(r"^([0-9a-f]{8}):((?: [0-9a-f]+)+)$")


def bdf_of(m, first=1):
    return tuple(int(m.group(first + i), 16) for i in range(3))


def section(lines, command):
    """The output lines of one boot-time command (between its echo and the next)."""
    start = lines.index("=> " + command) + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("=> "))
    return lines[start:end]


def per_device(lines, row_rx, make):
    """Blocks opened by 'Found PCI device': bdf -> make(list of row matches)."""
    out, cur = {}, None
    for line in lines:
        m = FOUND.match(line)
        if m:
            cur = out.setdefault(bdf_of(m), [])
            continue
        m = row_rx.match(line)
        if m and cur is not None:
            cur.append(m)
    return {bdf: make(rows) for bdf, rows in out.items()}


def guest_listing(log_lines):
    """`pci`: bdf -> (vendor, device, sub-class)."""
    listing = {}
    for line in section(log_lines, "pci"):
        m = ROW.match(line)
        if m:
            listing[bdf_of(m)] = (int(m.group(4), 16), int(m.group(5), 16), int(m.group(7), 16))
    return listing


def guest_view(log_lines):
    listing = guest_listing(log_lines)
    long = per_device(section(log_lines, "pci long"), FIELD,
                      lambda rows: {r.group(1): int(r.group(2), 16) for r in rows})
    bars = per_device(section(log_lines, "pci bar"), BAR_ROW, lambda rows: {
        int(r.group(1)): (r.group(5), r.group(4), bool(r.group(6)),
                          int(r.group(2), 16), int(r.group(3), 16)) for r in rows})
    caps = per_device(section(log_lines, "pci cap"), CAP_ROW,
                      lambda rows: [(int(r.group(1), 16), int(r.group(2), 16)) for r in rows])
    return listing, long, bars, caps

# ---- comparing ----------------------------------------------------------------


def hexed(v):
    """repr with integers in hex, for mismatch reports."""
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, int):
        return hex(v)
    if isinstance(v, (list, tuple)):
        inner = ", ".join(hexed(x) for x in v)
        return "[%s]" % inner if isinstance(v, list) else "(%s)" % inner
    if isinstance(v, dict):
        return "{%s}" % ", ".join("%s: %s" % (hexed(k), hexed(x)) for k, x in sorted(v.items()))
    return repr(v)


class Checks:
    """Collects every mismatch, so one run shows them all."""

    def __init__(self):
        self.problems, self.count = [], 0

    def eq(self, what, guest, qemu):
        self.count += 1
        if guest != qemu:
            self.problems.append("%s: guest %s, QEMU %s" % (what, hexed(guest), hexed(qemu)))

    def want(self, what, got, want):
        """For what the host observed against what the guest was asked to do."""
        self.count += 1
        if got != want:
            self.problems.append("%s: got %s, want %s" % (what, hexed(got), hexed(want)))

    def done(self, result):
        print("%d checks" % self.count)
        assert not self.problems, "%d of %d checks failed:\n  %s\n%s" % (
            len(self.problems), self.count, "\n  ".join(self.problems), result.describe())


def fmt(bdf):
    return "%02x.%02x.%02x" % bdf


def compare_device(c, bdf, guest, hmp, qmp, cfg):
    listing, long, bars, caps = guest
    g, h, name = long.get(bdf, {}), hmp[bdf], fmt(bdf)
    c.eq(name + " IDs (listing)", listing[bdf][:2], (h["vendor"], h["device"]))
    c.eq(name + " IDs (long)", (g.get("vendor ID"), g.get("device ID")), (h["vendor"], h["device"]))
    c.eq(name + " class (long)", (g.get("class code", -1) << 8) | g.get("sub class code", -1),
         qmp[bdf]["class_info"]["class"])
    c.eq(name + " sub-class (listing)", listing[bdf][2], qmp[bdf]["class_info"]["class"] & 0xff)
    c.eq(name + " prog-if, revision", (g.get("programming interface"), g.get("revision ID")),
         (cfg[0x09], cfg[0x08]))
    if "sub system vendor ID" in g or h["subsys"]:
        c.eq(name + " subsystem", (g.get("sub system vendor ID"), g.get("sub system ID")),
             h["subsys"])
    c.eq(name + " interrupt pin", g.get("interrupt pin"), h["pin"])
    if h["pin"]:
        c.eq(name + " interrupt line", g.get("interrupt line"), h["irq"])
    if h["secondary"] is not None:
        c.eq(name + " secondary bus", g.get("secondary bus number"), h["secondary"])
    c.eq(name + " BARs", bars.get(bdf), h["bars"])
    c.eq(name + " BARs (query-pci vs info pci)", qmp_bars(qmp[bdf]), h["bars"])
    c.eq(name + " capabilities", caps.get(bdf), cap_walk(cfg))

# ---- interactive steps ----------------------------------------------------------

_marker = [0]


def run(q, command):
    """Type a command at the prompt; return the lines it printed."""
    _marker[0] += 1
    mark = "@@%d" % _marker[0]
    n = q.line_count()
    q.send("%s; echo %s\r" % (command, mark))
    end = q.wait_for("^%s$" % mark, after=n, timeout=20)
    lines = [t for _, t in q.result.lines[n:end]]
    return [t for t in lines if not t.startswith("=> ")]


def guest_dump(q, bdf, width):
    """`pci display.<w>` of all 256 bytes, as bytes."""
    suffix = {1: "b", 2: "w", 4: "l"}[width]
    out = bytearray()
    for line in run(q, "pci display.%s %s 0 %x" % (suffix, fmt(bdf), 256 // width)):
        m = DUMP_ROW.match(line)
        if m:
            for word in m.group(2).split():
                out += int(word, 16).to_bytes(width, "little")
    return bytes(out)


def check_msi(c, q, bdf, cfg, data):
    """pci msi on, then off, with the capability read back by the host."""
    name, cap = fmt(bdf), dict((i, p) for p, i in cap_walk(cfg))[0x05]
    ctrl = u16(cfg, cap + 2)
    is64, pvm = bool(ctrl & 0x80), bool(ctrl & 0x100)
    data_off, mask_off = (0x0c, 0x10) if is64 else (0x08, 0x0c)
    mask_before = None
    if pvm:
        host_write32(q, bdf, cap + mask_off, 0xffffffff)       # every vector masked
        mask_before = host_read32(q, bdf, cap + mask_off)
    if is64:
        host_write32(q, bdf, cap + 8, 0x12345678)              # junk in the upper address
    out = run(q, "pci msi %s fee01000 %x" % (name, data))
    c.want(name + " pci msi output", out,
           ["%s: MSI enabled, address fee01000 data %04x" % (name, data)])
    now = bytearray(cfg)
    for off in range(0, 256, 4):
        now[off:off + 4] = host_read32(q, bdf, off).to_bytes(4, "little")
    kind = "%s MSI (%s%s)" % (name, "64-bit" if is64 else "32-bit", ", masking" if pvm else "")
    c.want(kind + " enable, MME", u16(now, cap + 2) & 0x71, 0x01)
    c.want(kind + " address", u32(now, cap + 4), 0xfee01000)
    if is64:
        c.want(kind + " upper address", u32(now, cap + 8), 0)
    c.want(kind + " data", u16(now, cap + data_off), data)
    if pvm:
        c.want(kind + " vector 0 masked by the host first", mask_before & 1, 1)
        c.want(kind + " mask bits: vector 0 unmasked, the rest untouched",
             u32(now, cap + mask_off), mask_before & ~1)
    c.want(kind + " INTx disabled", u16(now, 0x04) & 0x400, 0x400)
    c.want(kind + " decode/master untouched", u16(now, 0x04) & 0x7, u16(cfg, 0x04) & 0x7)
    out = run(q, "pci msi %s off" % name)
    c.want(name + " pci msi off output", out, ["%s: MSI disabled" % name])
    c.want(kind + " disabled", host_read32(q, bdf, cap) >> 16 & 1, 0)
    c.want(kind + " INTx back on", host_read32(q, bdf, 0x04) & 0x400, 0)
    for off in list(range(cap, cap + 0x18, 4)) + [0x04]:      # leave it as it was
        host_write32(q, bdf, off, u32(cfg, off))

def check_writes(c, q, bdf, cfg):
    """`pci write` of each width on Interrupt Line (writable everywhere; the
    rest of its dword is read-only), read back by the host, then restored."""
    name, dword = fmt(bdf), u32(cfg, 0x3c)
    for cmd, line in (("write.b %s 3c 5a", 0x5a), ("write.w %s 3c a5", 0xa5),
                      ("write %s 3c 3c", 0x3c)):
        out = run(q, "pci " + cmd % name)
        c.want("%s `pci %s` output" % (name, cmd.split()[0]), out, [])
        c.want("%s Interrupt Line after `pci %s`" % (name, cmd.split()[0]),
               host_read32(q, bdf, 0x3c), (dword & ~0xff) | line)
    host_write32(q, bdf, 0x3c, dword)


# ---- the tests ---------------------------------------------------------------------


def boot_and_look(config):
    machine, options, devices, mech = CONFIGS[config]
    q = Qemu("%s -- %s" % (options, LISTING), machine=machine, devices=devices,
             hmp=True, timeout=120)
    q.wait_for(r"^pci-listed$")
    return q


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_pci_matches_qemu(config):
    machine, options, devices, mech = CONFIGS[config]
    c = Checks()
    with boot_and_look(config) as q:
        hmp = parse_info_pci(q.hmp("info pci"))
        qmp = flatten_query_pci(q.qmp("query-pci"))
        ecam = mmcfg_base(q) if machine == "q35" else None
        cfgs = {bdf: host_config(q, bdf) for bdf in hmp}
        lines = [t for _, t in q.result.lines]
        guest = guest_view(lines)

        c.eq("functions listed by `pci`", sorted(guest[0]), sorted(hmp))
        c.eq("functions in `info pci` and query-pci", sorted(qmp), sorted(hmp))
        c.eq("functions in `pci long`", sorted(guest[1]), sorted(hmp))
        for bdf in sorted(set(hmp) & set(guest[0])):
            compare_device(c, bdf, guest, hmp, qmp, cfgs[bdf])

        m = q.result.find(r"^pci: (\d+) devices on (\d+) buses "
                          r"\((?:ECAM at ([0-9a-f]+)|(conf1))\)$")
        c.eq("summary line", bool(m), True)
        if m:
            c.eq("summary: devices", int(m[0].group(1)), len(hmp))
            c.eq("summary: buses", int(m[0].group(2)), len({b for b, _, _ in hmp}))
            c.eq("summary: mechanism", "ECAM" if m[0].group(3) else "conf1", mech)
            if m[0].group(3):
                c.eq("summary: ECAM base (info mtree)", int(m[0].group(3), 16), ecam)
        if "loglevel=3" in options:
            c.eq("one debug line per function",
                 len(q.result.find(r"^pci: " + BDF + r" [0-9a-f]{4}:[0-9a-f]{4} class ")), len(hmp))

        # Config reads of every width, at every offset, against the host's reads.
        for bdf in sorted(hmp):
            for width in (1, 2, 4):
                c.eq("%s `pci display.%d` of 256 bytes" % (fmt(bdf), width),
                     guest_dump(q, bdf, width).hex(), cfgs[bdf].hex())

        # Writes of every width, on the first and the last function.
        for bdf in (min(hmp), max(hmp)):
            check_writes(c, q, bdf, cfgs[bdf])

        # MSI, wherever a function has it (32- and 64-bit, with and without masking).
        for i, bdf in enumerate(sorted(hmp)):
            if 0x05 in [cid for _, cid in cap_walk(cfgs[bdf])]:
                check_msi(c, q, bdf, cfgs[bdf], 0x4041 + i)
        boot = lines[:next(i for i, t in enumerate(lines) if t.startswith("=> "))]
        if "loglevel=3" not in options:
            c.eq("quiet boot: pci lines besides the summary",
                 [t for t in boot if re.match(r"pci: (?!\d+ devices on \d+ buses)", t)], [])
    c.done(q.result)


def test_pci_table_overflow_reported():
    """More functions than the table holds: the first 64 in scan order are
    kept (bus 0 alone here, so bus/device/function order), the rest counted."""
    devices = []
    for slot in range(8, 17):
        for fn in range(8):
            devices += ["-device", "pci-testdev,addr=%x.%x,multifunction=on" % (slot, fn)]
    with Qemu("-- pci; echo pci-listed", machine="q35", devices=devices, hmp=True,
              timeout=60) as q:
        q.wait_for(r"^pci-listed$")
        hmp = sorted(parse_info_pci(q.hmp("info pci")))
    listing = sorted(guest_listing([t for _, t in q.result.lines]))
    c = Checks()
    c.eq("functions in QEMU", len(hmp) > 64, True)
    c.eq("the first 64 functions listed", listing, hmp[:64])
    m = q.result.find(r"^pci: warning: (\d+) functions found; only the first 64 recorded$")
    c.eq("overflow warning: functions found", int(m[0].group(1)) if m else None, len(hmp))
    c.eq("summary line", bool(q.result.find(r"^pci: 64 devices on 1 buses ")), True)
    c.done(q.result)


BAD = [
    ("pci header 1.2", r"^pci: bad bus\.device\.function '1\.2' \(want hex, e\.g\. 00\.1f\.02\)$"),
    ("pci header 00.1e.00", r"^pci: no device at 00\.1e\.00$"),
    ("pci bar 0.20.0", r"^pci: bad bus\.device\.function '0\.20\.0'"),
    ("pci frob", r"^pci: unknown subcommand 'frob' - try 'help pci'$"),
    ("pci long extra", r"^pci: unknown subcommand 'extra' - try 'help pci'$"),
    ("pci 100", r"^pci: bus 100 out of range \(00-ff\)$"),
    ("pci display.q 0.0.0", r"^usage: pci "),
    ("pci bar.w 0.0.0", r"^pci: unknown subcommand 'bar\.w' - try 'help pci'$"),
    ("pci header", r"^usage: pci "),
    ("pci display.w 0.0.0 3", r"^pci: offset 3 is not a multiple of the access size 2$"),
    ("pci display 0.0.0 ffc 2", r"^pci: offset ffc \+ 8 bytes is past the end"),
    ("pci display 0.0.0 zz", r"^pci: bad number 'zz'$"),
    ("pci write.b 0.0.0 4 100", r"^pci: value 100 does not fit in 1 byte\(s\)$"),
    ("pci write 0.0.0 4", r"^usage: pci "),
    ("pci msi 0.0.0 fee00000 41", r"^pci: 00\.00\.00 has no MSI capability$"),
]


def test_pci_bad_input_one_line_each():
    """Each bad form prints exactly one line, and the shell carries on."""
    with Qemu("-- echo up", machine="q35", timeout=60) as q:
        q.wait_for(r"^up$")
        outputs = [run(q, cmd) for cmd, _ in BAD]
    problems = []
    for (cmd, rx), out in zip(BAD, outputs):
        if len(out) != 1 or not re.search(rx, out[0]):
            problems.append("%r printed %r, wanted one line matching %r" % (cmd, out, rx))
    assert not problems, "\n".join(problems) + "\n" + q.result.describe()


def test_pci_option_typo_reported():
    with Qemu("pci=conf2 -- pci; echo up", machine="pc", timeout=60) as q:
        q.wait_for(r"^up$")
    expect_lines(q.result, [r"^pci: error: pci=conf2: want conf1 and/or allbus",
                            r"^pci: \d+ devices on 1 buses \(conf1\)$"])
