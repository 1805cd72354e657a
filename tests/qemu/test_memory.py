"""Physical memory, paging and the memory commands, checked against what
QEMU was given: its own memory tree (HMP `info mtree -f`), the -m size, the
kernel's symbol table, module files written by the test, and zlib.

Configurations: pc and q35, 32 MiB and 3 GiB (q35 puts 1 GiB of 3 GiB above
4 GiB, which the kernel must report once and leave alone), from -kernel and
from the GRUB image.
"""

import os
import re
import shutil
import subprocess
import tempfile
import zlib

import pytest

from harness import BUILD, LOGDIR, Qemu, shell

MiB = 1 << 20
GiB = 1 << 30
PAGE = 4096
VM_RAM_LIMIT = 0xC0000000
CONFIGS = [("pc", "32M"), ("pc", "3G"), ("q35", "32M"), ("q35", "3G")]
DONE = "mem-test-done"


def mem_bytes(memory):
    return int(memory[:-1]) * {"M": MiB, "G": GiB}[memory[-1]]


def kernel_symbols():
    syms = {}
    with open(os.path.join(BUILD, "kernel.sym")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                syms[parts[2]] = int(parts[0], 16)
    return syms


def run(args, machine="q35", memory="128M", hmp=(), modules=(), iso=False, timeout=30):
    """Boot with commands, wait for the closing echo; returns (result, hmp outputs)."""
    with Qemu("loglevel=2 -- " + args + "; echo " + DONE, machine=machine, memory=memory,
              hmp=bool(hmp), modules=modules, iso=iso, timeout=timeout) as q:
        q.wait_for("^" + DONE + "$")
        outputs = {c: q.hmp(c) for c in hmp}
    return q.result, outputs


# ---- parsing what the guest and QEMU say -----------------------------------

def parse_meminfo(result):
    log = result.log
    info = {"regions": [], "usable": [], "modules": []}
    for m in re.finditer(r"^region  ([0-9a-f]{16}) \+([0-9a-f]{16}) (\S+) \((\d+)\)$", log, re.M):
        info["regions"].append((int(m[1], 16), int(m[2], 16), int(m[4])))
    for m in re.finditer(r"^usable  ([0-9a-f]{16}) - ([0-9a-f]{16}) ", log, re.M):
        info["usable"].append((int(m[1], 16), int(m[2], 16)))
    for m in re.finditer(r"^module  (\d+) start ([0-9a-f]{8}) end ([0-9a-f]{8}) size ([0-9a-f]{8})",
                         log, re.M):
        info["modules"].append((int(m[2], 16), int(m[3], 16)))

    def one(rx):
        m = re.search(rx, log, re.M)
        assert m, "meminfo line %r missing\n%s" % (rx, result.describe())
        return m

    m = one(r"^ram     total ([0-9a-f]{16}) .* unused ([0-9a-f]{16}) ")
    info["total"], info["unused"] = int(m[1], 16), int(m[2], 16)
    info["above4g"] = int(one(r"^ram     above 4 GiB ([0-9a-f]{16}) ")[1], 16)
    info["top"] = int(one(r"^ram     top ([0-9a-f]{8}) ")[1], 16)
    m = one(r"^pages   managed (\d+) free (\d+) used (\d+) reserved (\d+) ")
    info["managed"], info["free"], info["used"], info["reserved"] = map(int, m.groups())
    m = one(r"^kernel  ([0-9a-f]{8}) - ([0-9a-f]{8}) ")
    info["kernel"] = (int(m[1], 16), int(m[2], 16))
    m = one(r"^bitmap  ([0-9a-f]{8}) - ([0-9a-f]{8})$")
    info["bitmap"] = (int(m[1], 16), int(m[2], 16))
    m = one(r"^paging  on, directory ([0-9a-f]{8}), (\d+) page tables, "
            r"identity map 00001000 - ([0-9a-f]{8}), ")
    info["pd"], info["tables"], info["ident_end"] = int(m[1], 16), int(m[2]), int(m[3], 16)
    m = one(r"^stack   ([0-9a-f]{8}) - ([0-9a-f]{8}) \(16 KiB\), ")
    info["stack"] = (int(m[1], 16), int(m[2], 16))
    info["guard"] = info["stack"][0] - PAGE
    m = one(r"^boot    ([0-9a-f]{8}) - ([0-9a-f]{8}) \(\d+ KiB\), the boot stack: ")
    info["boot_stack"] = (int(m[1], 16), int(m[2], 16))
    return info


def qemu_ram(mtree):
    """pc.ram as QEMU maps it in the system address space: merged [start, end)."""
    blocks = mtree.split("FlatView #")
    block = next(b for b in blocks if 'AS "memory"' in b)
    ranges = []
    for m in re.finditer(r"^\s*([0-9a-f]+)-([0-9a-f]+) \(prio -?\d+, (?:ram|rom)\): pc\.ram\b",
                         block, re.M):
        a, b = int(m[1], 16), int(m[2], 16) + 1
        if ranges and ranges[-1][1] == a:
            ranges[-1] = (ranges[-1][0], b)
        else:
            ranges.append((a, b))
    assert ranges, "no pc.ram in QEMU's memory tree:\n" + mtree
    return ranges


def inside(a, b, ranges):
    return any(s <= a and b <= e for s, e in ranges)


def overlap(a, b, s, e):
    return a < e and s < b


def available(info):
    return [(b, b + n) for b, n, t in info["regions"] if t == 1]


# ---- the memory map and the counters ---------------------------------------

@pytest.mark.parametrize("machine,memory", CONFIGS)
def test_memory_map_matches_qemu(machine, memory):
    result, out = run("meminfo", machine=machine, memory=memory, hmp=["info mtree -f"])
    info = parse_meminfo(result)
    ram = qemu_ram(out["info mtree -f"])
    size = mem_bytes(memory)
    qemu_above = sum(e - max(s, 4 * GiB) for s, e in ram if e > 4 * GiB)
    avail = available(info)
    assert sum(e - s for s, e in ram) == size, ram          # QEMU's own bookkeeping

    # Every byte the guest calls available RAM is RAM in QEMU's tree.
    for a, b in avail:
        assert inside(a, b, ram), "available %x-%x is not RAM in QEMU: %s" % (a, b, ram)
    # The total is the -m size less the firmware's holes (VGA/BIOS area, EBDA,
    # its tables at the top of low RAM): within 1 MiB.
    assert size - MiB <= info["total"] <= size, hex(info["total"])
    assert info["total"] == sum(b - a for a, b in avail)
    # Above 4 GiB: exactly what QEMU put there, reported unused.
    assert info["above4g"] == qemu_above
    assert info["unused"] == qemu_above          # none of these configs passes VM_RAM_LIMIT
    unused_lines = result.find(r"^mem: .*above 4 GiB not used.*$")
    if qemu_above:
        assert len(unused_lines) == 1 and unused_lines[0].group(0) == \
            "mem: %d MiB above 4 GiB not used (no 64-bit addressing yet)" % (qemu_above >> 20)
    else:
        assert not unused_lines, result.describe()
    # The identity map ends at the end of low RAM as QEMU has it.
    low_end = max(e for s, e in ram if s < 4 * GiB)
    assert info["top"] == info["ident_end"] == min(low_end, VM_RAM_LIMIT)


@pytest.mark.parametrize("machine,memory", CONFIGS)
def test_allocator_counters_consistent(machine, memory):
    syms = kernel_symbols()
    result, _ = run("meminfo", machine=machine, memory=memory)
    info = parse_meminfo(result)
    avail = available(info)
    usable = info["usable"]

    assert info["free"] + info["used"] == info["managed"]
    assert info["managed"] * PAGE == sum(b - a for a, b in usable)
    # Whole available pages below the limit = managed + reserved.
    pages = sum(((min(b, VM_RAM_LIMIT) & ~0xfff) - ((a + 0xfff) & ~0xfff)) // PAGE
                for a, b in avail if a < VM_RAM_LIMIT and b > a)
    assert info["managed"] + info["reserved"] == pages
    # What is kept back is the kernel, the bitmap, page 0 and a few loader pages.
    kernel = (syms["_kernel_start"], syms["_kernel_end"])
    assert info["kernel"] == kernel
    kept = (kernel[1] - kernel[0] + info["bitmap"][1] - info["bitmap"][0]) // PAGE + 1
    assert kept <= info["reserved"] <= kept + 8, (kept, info["reserved"])
    # Usable pages: page-aligned, inside available RAM, below the limit, and
    # clear of page 0, the kernel and the bitmap.
    for a, b in usable:
        assert a % PAGE == 0 and b % PAGE == 0 and a >= PAGE and b <= VM_RAM_LIMIT
        assert inside(a, b, avail), (hex(a), hex(b))
        assert not overlap(a, b, *kernel) and not overlap(a, b, *info["bitmap"])
    # The bitmap covers every usable page: one bit per page up to the top.
    top_page = max(b for a, b in usable) // PAGE
    assert info["bitmap"][1] - info["bitmap"][0] >= top_page // 8
    # The run-time stack and its guard page are the allocator's pages, in
    # use; the boot stack is the ELF's.
    assert inside(info["guard"], info["stack"][1], usable), info["stack"]
    assert info["used"] >= 5
    assert info["boot_stack"] == (syms["boot_stack_bottom"], syms["boot_stack_top"])


def grub_image(kernel_args, name):
    """A GRUB rescue image booting the kernel with kernel_args (serial console)."""
    os.makedirs(LOGDIR, exist_ok=True)
    work = tempfile.mkdtemp(prefix="iso-", dir=LOGDIR)
    path = os.path.join(LOGDIR, name + ".iso")
    os.makedirs(os.path.join(work, "boot", "grub"))
    shutil.copy(os.path.join(BUILD, "kernel.elf"), os.path.join(work, "boot", "kernel.elf"))
    with open(os.path.join(work, "boot", "grub", "grub.cfg"), "w") as f:
        f.write("serial --unit=0 --speed=115200\nterminal_input serial\n"
                "terminal_output serial\nset timeout=0\n"
                "menuentry test {\n  multiboot /boot/kernel.elf %s\n  boot\n}\n"
                % re.sub(r"([;&|$<>(){}'\"\\])", r"\\\1", kernel_args))
    proc = subprocess.run(["grub-mkrescue", "-o", path, work], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    shutil.rmtree(work, ignore_errors=True)
    assert proc.returncode == 0, proc.stdout
    return path


def test_memory_from_grub_image():
    """GRUB places the multiboot structures elsewhere than QEMU's loader."""
    args = "loglevel=2 -- meminfo; echo " + DONE
    with Qemu(args, machine="q35", memory="3G", iso=grub_image(args, "test_memory_grub"),
              hmp=True, timeout=30) as q:
        q.wait_for("^" + DONE + "$")
        out = {"info mtree -f": q.hmp("info mtree -f")}
    result = q.result
    info = parse_meminfo(result)
    ram = qemu_ram(out["info mtree -f"])
    assert 3 * GiB - MiB <= info["total"] <= 3 * GiB
    assert info["above4g"] == info["unused"] == GiB
    for a, b in info["usable"]:
        assert inside(a, b, ram) and not overlap(a, b, *info["kernel"])
    assert info["free"] + info["used"] == info["managed"]


# ---- in-guest checks -------------------------------------------------------

@pytest.mark.parametrize("machine,memory", [("pc", "32M"), ("q35", "3G")])
def test_memtest_all(machine, memory):
    result, _ = run("memtest all", machine=machine, memory=memory)
    passes = result.find(r"^PASS: (pmem|heap|vm): ")
    fails = result.find(r"^FAIL: ")
    assert not fails and len(passes) >= 30, result.describe()
    assert result.find(r"^\d+ passed, 0 failed$"), result.describe()


# ---- the page walk ---------------------------------------------------------

def expected_runs(pages):
    """Runs of [va index, pa, pages] where consecutive pages stay contiguous."""
    runs = []
    for i, pa in enumerate(pages):
        if runs and runs[-1][1] + runs[-1][2] * PAGE == pa:
            runs[-1][2] += 1
        else:
            runs.append([i, pa, 1])
    return runs


def scatter_pattern(i):
    return bytes((i * 0x3B + k * 7 + 1) & 0xFF for k in range(PAGE))


def crc_line(addr, length, data):
    return "crc32 for %08x ... %08x ==> %08x" % (addr, addr + length - 1, zlib.crc32(data))


@pytest.mark.parametrize("machine,memory", [("pc", "32M"), ("q35", "3G")])
def test_page_walk(machine, memory):
    syms = kernel_symbols()
    kstart = syms["_kernel_start"]
    with Qemu("loglevel=2", machine=machine, memory=memory, timeout=30) as q:
        q.wait_for(r"^=> $")
        shell(q, "meminfo")
        guard = parse_meminfo(q.result)["guard"]
        out = shell(q, "memtest scatter")
        m = re.match(r"^scatter va ([0-9a-f]{8}) pages (\d+) size ([0-9a-f]{8})$", out[0])
        assert m, q.result.describe()
        va, n = int(m[1], 16), int(m[2])
        pages = []
        for i, line in enumerate(out[1:]):
            m = re.match(r"^scatter page (\d+) va ([0-9a-f]{8}) pa ([0-9a-f]{8})$", line)
            assert m and int(m[1]) == i and int(m[2], 16) == va + i * PAGE, line
            pages.append(int(m[3], 16))
        whole = shell(q, "v2p %x %x" % (va, n * PAGE))
        inner = shell(q, "v2p %x 30" % (va + PAGE + 0x10))
        tail = shell(q, "v2p %x %x" % (va + (n - 1) * PAGE + 0x800, 2 * PAGE))
        ident = shell(q, "v2p %x 3000" % kstart)
        first = shell(q, "v2p %x" % (kstart + 0x10))
        null = shell(q, "v2p 0 1000")
        guarded = shell(q, "v2p %x" % guard)
        crc_all = shell(q, "crc32 %x %x" % (va, n * PAGE))
        crc_pages = [shell(q, "crc32 %x 1000" % pa) for pa in pages]

    # The physical pages are scattered as the guest said it would: runs of
    # 2, 1, 1, 2 pages (one step going backwards), all distinct.
    assert n == 6 and len(pages) == n and len(set(pages)) == n
    assert all(p % PAGE == 0 and p >= PAGE for p in pages)
    runs = expected_runs(pages)
    assert [r[2] for r in runs] == [2, 1, 1, 2], [hex(p) for p in pages]
    # v2p stops each run at a physical discontinuity, and only there.
    assert whole == ["%08x -> %08x len %08x" % (va + i * PAGE, pa, k * PAGE)
                     for i, pa, k in runs], whole
    assert inner == ["%08x -> %08x len 00000030" % (va + PAGE + 0x10, pages[1] + 0x10)]
    assert tail == ["%08x -> %08x len 00000800" % (va + (n - 1) * PAGE + 0x800,
                                                   pages[-1] + 0x800),
                    "%08x: not mapped" % (va + n * PAGE)]           # the guard page
    # Identity addresses map to themselves; without len, the run goes on to
    # the stack guard page, the first page the allocator gave out (the
    # kernel's first 4 MiB are mapped page by page).
    assert ident == ["%08x -> %08x len 00003000" % (kstart, kstart)]
    assert first == ["%08x -> %08x len %08x" % (kstart + 0x10, kstart + 0x10,
                                                 guard - kstart - 0x10)]
    assert null == ["00000000: not mapped"]
    assert guarded == ["%08x: not mapped" % guard]
    # The bytes behind the window are the ones the guest put in each page.
    data = [scatter_pattern(i) for i in range(n)]
    assert crc_all == [crc_line(va, n * PAGE, b"".join(data))]
    for i, pa in enumerate(pages):
        assert crc_pages[i] == [crc_line(pa, PAGE, data[i])]


def hmp_mappings(text):
    """`info mem` (HMP): [(start, end, writable)] of the present mappings."""
    out = []
    for m in re.finditer(r"^([0-9a-f]+)-([0-9a-f]+) [0-9a-f]+ [u-]r([w-])\s*$", text, re.M):
        out.append((int(m[1], 16), int(m[2], 16), m[3] == "w"))
    assert out, text
    return out


def mapped(maps, a, b):
    """None if any byte of [a, b) is unmapped, else whether all of it is writable."""
    covered, writable = a, True
    for s, e, w in sorted(maps):
        if s <= covered < e:
            writable = writable and w
            covered = e
    return writable if covered >= b else None


def test_page_protections():
    """From QEMU's own walk of the guest's page tables: text and read-only
    data read-only (so the page below the boot stack is its guard), the boot
    stack, data and bss writable, the run-time stack's guard not mapped, the
    interrupt tables at their fixed address with an unmapped page below."""
    syms = kernel_symbols()
    with Qemu("loglevel=2", machine="q35", memory="128M", hmp=True, timeout=30) as q:
        q.wait_for(r"^=> $")
        shell(q, "meminfo")
        info = parse_meminfo(q.result)
        maps = hmp_mappings(q.hmp("info mem"))
    ro_end, boot = syms["_ro_end"], syms["boot_stack_bottom"]
    assert ro_end == boot and ro_end % PAGE == 0
    assert mapped(maps, syms["_kernel_start"], ro_end) is False, maps
    assert mapped(maps, boot, syms["_kernel_end"]) is True, maps
    assert mapped(maps, info["guard"], info["guard"] + 1) is None, maps
    assert mapped(maps, *info["stack"]) is True, maps
    assert mapped(maps, 0xFFBFF000, 0xFFC00000) is True, maps
    assert mapped(maps, 0xFFBFE000, 0xFFBFF000) is None, maps


# ---- crc32 over modules ----------------------------------------------------

@pytest.mark.parametrize("machine,memory", [("pc", "32M"), ("q35", "3G")])
def test_crc32_of_modules(machine, memory, tmp_path):
    sizes = [300001, 4096, 77]
    files = []
    for i, size in enumerate(sizes):
        path = tmp_path / ("mod%d.bin" % i)
        path.write_bytes(os.urandom(size))
        files.append(str(path))
    with Qemu("loglevel=2", machine=machine, memory=memory, modules=files, timeout=30) as q:
        q.wait_for(r"^=> $")
        shell(q, "meminfo")
        info = parse_meminfo(q.result)
        crcs = [shell(q, "crc32 %x %x" % (s, e - s)) for s, e in info["modules"]]
    assert len(info["modules"]) == len(files), q.result.describe()
    for (start, end), path, crc in zip(info["modules"], files, crcs):
        data = open(path, "rb").read()
        assert end - start == len(data)
        assert not any(overlap(start, end, a, b) for a, b in info["usable"])
        assert not overlap(start, end, *info["kernel"])
        assert crc == [crc_line(start, len(data), data)], q.result.describe()


# ---- md / mw and refusals --------------------------------------------------

def md_lines(addr, data, width):
    """U-Boot's md layout for data read at addr in units of width bytes."""
    out = []
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        units = [int.from_bytes(chunk[i:i + width], "little") for i in range(0, len(chunk), width)]
        text = " ".join("%0*x" % (2 * width, u) for u in units)
        text += " " * ((16 // width - len(units)) * (2 * width + 1))
        ascii_ = "".join(chr(c) if 0x20 <= c < 0x7F else "." for c in chunk)
        out.append("%08x: %s    %s" % (addr + off, text, ascii_))
    return out


def test_md_mw_round_trip():
    with Qemu("loglevel=2", machine="q35", memory="128M", timeout=30) as q:
        q.wait_for(r"^=> $")
        shell(q, "meminfo")
        info = parse_meminfo(q.result)
        page = info["usable"][-1][1] - PAGE        # a free page at the top of RAM
        model = bytearray(64)
        writes = [("mw.l", 0, 0x12345678, 16), ("mw.w", 6, 0xBEEF, 3), ("mw.b", 0x21, 0x41, 5),
                  ("mw", 0x30, 0x7E20217E, 1), ("mw.b", 0x3F, 0x00, 1)]
        shell(q, "mw.l %x 0 10" % page)
        for cmd, off, value, count in writes:
            assert shell(q, "%s %x %x %x" % (cmd, page + off, value, count)) == []
            width = {"mw.b": 1, "mw.w": 2}.get(cmd, 4)
            for k in range(count):
                model[off + k * width:off + (k + 1) * width] = value.to_bytes(width, "little")
        got = {w: shell(q, "md%s %x %x" % (s, page, 64 // w))
               for w, s in ((1, ".b"), (2, ".w"), (4, ".l"))}
        got[0] = shell(q, "md %x 3" % (page + 4))
        crc = shell(q, "crc32 %x 40" % page)
    for w in (1, 2, 4):
        assert got[w] == md_lines(page, bytes(model), w), (got[w], md_lines(page, bytes(model), w))
    assert got[0] == md_lines(page + 4, bytes(model[4:16]), 4)      # a partial line
    assert crc == [crc_line(page, 64, bytes(model))]


def test_refusals_one_line_each():
    syms = kernel_symbols()
    kstart = syms["_kernel_start"]
    with Qemu("loglevel=2", machine="q35", memory="128M", timeout=30) as q:
        q.wait_for(r"^=> $")
        shell(q, "meminfo")
        info = parse_meminfo(q.result)
        guard, stop = info["guard"], info["stack"][1]
        m = re.match(r"^ffbff000 -> ([0-9a-f]{8}) len 00001000$", shell(q, "v2p ffbff000")[0])
        assert m, q.result.describe()
        tables = int(m[1], 16)
        page = info["usable"][-1][1] - PAGE
        heap = int(re.search(r"^heap    arenas \d+ KiB \(the first at ([0-9a-f]{8})\)",
                             q.result.log, re.M)[1], 16)
        cases = {
            "md 0": "md: 00000000: not mapped",
            "mw %x 0" % kstart: "mw: %08x: refused: over the kernel image" % kstart,
            "mw %x 0 4" % (kstart - 8): "mw: %08x: refused: over the kernel image" % kstart,
            "crc32 fffff000 2000": "crc32: fffff000: wraps past 4 GiB",
            "md.l ffffff00 100": "md.l: ffffff00: wraps past 4 GiB",
            "md %x 4" % guard: "md: %08x: not mapped" % guard,
            "crc32 %x 2000" % (guard - 0x1000): "crc32: %08x: not mapped" % guard,
            "mw %x 0 2" % (stop - 4): "mw: %08x: refused: over the kernel stack" % (stop - 4),
            "mw %x 0" % syms["boot_stack_bottom"]:
                "mw: %08x: refused: over the kernel image" % syms["boot_stack_bottom"],
            "mw ffbff800 0": "mw: ffbff800: refused: over the interrupt tables",
            "mw %x 0" % tables: "mw: %08x: refused: over the interrupt tables" % tables,
            "md ffbfe000": "md: ffbfe000: not mapped",      # below the interrupt tables
            "mw %x 1" % info["pd"]: "mw: %08x: refused: over the page tables" % info["pd"],
            "mw %x 1" % info["bitmap"][0]:
                "mw: %08x: refused: over the page allocator's bitmap" % info["bitmap"][0],
            "md %x 10" % (info["top"] - 8): "md: %08x: past the end of RAM" % info["top"],
            "mw 9fc00 1": "mw: 0009fc00: refused: not RAM",
            # The heap (request pools, tables): from the page allocator, not in the image.
            "mw.l %x 0 4" % (heap + 0x100):
                "mw.l: %08x: refused: memory the kernel has allocated" % (heap + 0x100),
            "md ffc00000": "md: ffc00000: not mapped",       # above the MMIO window
            "md cffff000 4": "md: cffff000: not mapped",     # end of the scattered window
            "mw.l %x 1" % (page + 2): "mw.l: %08x: not aligned to 4 bytes" % (page + 2),
            "md.q 0": "md.q: unknown size '.q': use .b, .w or .l",
            "mw.b %x 100" % page: "mw.b: value 100 does not fit in 1 byte",
            "crc32 %x 0" % page: "crc32: length is 0",
            "md xyz": "md: bad address 'xyz' (hex, up to ffffffff)",
        }
        got = {cmd: shell(q, cmd) for cmd in cases}
        header = shell(q, "md.l %x 1" % kstart)
    for cmd, want in cases.items():
        assert got[cmd] == [want], "%s: %r\n%s" % (cmd, got[cmd], q.result.describe())
    # The refused writes did not happen: the kernel still starts with the
    # multiboot header magic, and the prompt still answers.
    assert header[0].startswith("%08x: 1badb002 " % kstart), header


def test_refusals_in_boot_script_do_not_stop_it():
    syms = kernel_symbols()
    args = "md 0; mw %x 0; crc32 fffff000 2000; v2p 0" % syms["_kernel_start"]
    result, _ = run(args, machine="pc", memory="32M")
    lines = [t for _, t in result.lines]
    for cmd, want in (("md 0", "md: 00000000: not mapped"),
                      ("crc32 fffff000 2000", "crc32: fffff000: wraps past 4 GiB"),
                      ("v2p 0", "00000000: not mapped")):
        i = lines.index("=> " + cmd)
        assert lines[i + 1] == want and lines[i + 2].startswith("=> "), result.describe()
