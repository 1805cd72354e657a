"""The claimed-range table behind ScsiPortValidateRange, seen through the
`ranges` command, checked against what QEMU itself has: its I/O and memory
maps (HMP info mtree), its PCI BARs (info pci), the ACPI tables in guest
memory (acpi_host), the kernel image's symbols, and the claim= option."""

import re
import struct
import subprocess

import pytest

from acpi_host import AcpiTables
from harness import KERNEL, Qemu, boot, expect_lines, forbid_lines

RANGE_LINE = re.compile(r"^(io|mem)\s+(\w+)/(\d+)\s+0x([0-9a-f]+)-0x([0-9a-f]+)\s+(\S+)\s*(.*)$")
MTREE_LINE = re.compile(r"^\s+([0-9a-f]{16})-([0-9a-f]{16}) \(prio -?\d+, [a-z/]+\): (\S+)")
PCI_BAR = re.compile(r"BAR\d+: (I/O|32 bit memory|64 bit memory|32 bit prefetchable memory|"
                     r"64 bit prefetchable memory) at 0x([0-9a-f]+) \[0x([0-9a-f]+)\]")

# QEMU regions that are not claimed, by design:
#  - the legacy ATA blocks go to whoever reports them with AtdiskXxxClaimed;
#  - the floppy controller's 0x3F7 is shared with ATA's control block.
ATA_BLOCKS = [(0x1F0, 0x1F7), (0x3F6, 0x3F6), (0x170, 0x177), (0x376, 0x376)]


def parse_ranges(log):
    """The `ranges` table: [(space, bus_type, bus, first, last, owner, what)]."""
    out, count = [], None
    for line in log.splitlines():
        m = RANGE_LINE.match(line)
        if m:
            out.append((m.group(1), m.group(2), int(m.group(3)), int(m.group(4), 16),
                        int(m.group(5), 16), m.group(6), m.group(7)))
        m = re.match(r"^(\d+) of (\d+) entries used$", line)
        if m:
            count = int(m.group(1))
    assert count == len(out), "count line says %s, %d entries printed" % (count, len(out))
    return out


def flatview(mtree, address_space):
    """Named regions of one address space's flat view: [(first, last, name)]."""
    out, inside = [], False
    for line in mtree.splitlines():
        if line.startswith("FlatView"):
            inside = False
        if re.match(r'^ AS "%s"' % re.escape(address_space), line):
            inside = True
        m = MTREE_LINE.match(line)
        if inside and m and m.group(3) != "io":
            out.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return out


def pci_bars(info_pci):
    """[(io, first, last)] of every BAR QEMU has programmed."""
    return [(m.group(1) == "I/O", int(m.group(2), 16), int(m.group(3), 16))
            for m in PCI_BAR.finditer(info_pci)]


def covered(claims, io, first, last):
    """Is every byte of [first, last] inside some claim of that space?"""
    spans = sorted((c[3], c[4]) for c in claims if (c[0] == "io") == io)
    pos = first
    for a, b in spans:
        if a <= pos <= b:
            pos = b + 1
            if pos > last:
                return True
    return False


def overlaps(claims, io, first, last):
    return [c for c in claims if (c[0] == "io") == io and c[3] <= last and first <= c[4]]


def kernel_image():
    syms = {}
    for line in subprocess.run(["nm", KERNEL], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms["_kernel_start"], syms["_kernel_end"]


def fadt_io_blocks(fadt):
    """(port, length) of the FADT's fixed-hardware blocks (ACPI 6.4 5.2.9) and SMI_CMD."""
    blocks = [(56, 88), (60, 88), (64, 89), (68, 89), (72, 90), (76, 91), (80, 92), (84, 93)]
    out = [(struct.unpack_from("<I", fadt, b)[0], fadt[n]) for b, n in blocks]
    out.append((struct.unpack_from("<I", fadt, 48)[0], 1))
    return [(p, n) for p, n in out if p and n]


def madt_windows(madt):
    """The LAPIC address and every IOAPIC address from the MADT."""
    out = [struct.unpack_from("<I", madt, 36)[0]]
    off = 44
    while off + 2 <= len(madt):
        etype, elen = madt[off], madt[off + 1]
        if elen < 2:
            break
        if etype == 1:
            out.append(struct.unpack_from("<I", madt, off + 4)[0])
        off += elen
    return out


def boot_and_list(machine, args):
    with Qemu(args + " -- echo up", machine=machine, hmp=True, timeout=40) as q:
        q.wait_for(r"^=> ")
        mtree = q.hmp("info mtree -f")
        info_pci = q.hmp("info pci")
        acpi = AcpiTables(q)
        n = q.line_count()
        q.send("ranges\n")
        q.wait_for(r"^\d+ of \d+ entries used$", after=n)
        q.send("poweroff\n")
        q.wait_exit()
    return q.result, mtree, info_pci, acpi


@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_ranges_cover_what_qemu_has(machine):
    r, mtree, info_pci, acpi = boot_and_list(
        machine, "loglevel=2 claim=io:0x300+0x20,mem:0xfe000000+0x1000")
    claims = parse_ranges(r.log)
    bars = pci_bars(info_pci)
    why = r.describe()

    # Every fixed device QEMU put in the I/O space is claimed; PCI BARs and ATA are not.
    for first, last, name in flatview(mtree, "I/O"):
        if any(io and a <= first and last <= b for io, a, b in bars):
            continue
        if any(a <= first and last <= b for a, b in ATA_BLOCKS) or (name, first) == ("fdc", 0x3F7):
            continue
        assert covered(claims, True, first, last), "I/O %s %#x-%#x unclaimed\n%s" % (
            name, first, last, why)
    for a, b in ATA_BLOCKS:
        assert not overlaps(claims, True, a, b), "ATA block %#x claimed\n%s" % (a, why)
    # ... and in the memory space, everything but RAM and PCI BARs.
    for first, last, name in flatview(mtree, "memory"):
        if name == "pc.ram" or any(not io and a <= first and last <= b for io, a, b in bars):
            continue
        assert covered(claims, False, first, last), "memory %s %#x-%#x unclaimed\n%s" % (
            name, first, last, why)
    # No platform or board claim takes a byte of a PCI device's BARs; what an
    # adapter (a miniport that found its device) claims lies inside a BAR.
    for io, a, b in bars:
        bad = [c for c in overlaps(claims, io, a, b) if c[5] in ("platform", "board")]
        assert not bad, "BAR %#x-%#x claimed by %s\n%s" % (a, b, bad, why)
    for c in claims:
        if c[5] not in ("platform", "board"):
            assert any((c[0] == "io") == io and a <= c[3] and c[4] <= b for io, a, b in bars), \
                "adapter claim %s outside every BAR\n%s" % (c, why)

    # ACPI, from the tables' bytes.
    for port, length in fadt_io_blocks(acpi.table("FACP")):
        assert covered(claims, True, port, port + length - 1), "FADT block %#x\n%s" % (port, why)
    for addr in madt_windows(acpi.table("APIC")):
        assert covered(claims, False, addr, addr + 0x3FF), "MADT window %#x\n%s" % (addr, why)
    if acpi.hpet_base():
        assert covered(claims, False, acpi.hpet_base(), acpi.hpet_base() + 0x3FF), why
    if acpi.table("MCFG") and acpi.mcfg():
        base, b0, b1 = acpi.mcfg()
        assert covered(claims, False, base + (b0 << 20), base + ((b1 + 1) << 20) - 1), why

    # The kernel image, from the ELF's own symbols.
    start, end = kernel_image()
    assert ("mem", start, end - 1, "platform", "kernel image") in \
        [(c[0], c[3], c[4], c[5], c[6]) for c in claims], why

    # The boot option's claims, and the table's own invariants.
    got = [(c[0], c[3], c[4], c[5], c[6]) for c in claims]
    assert ("io", 0x300, 0x31F, "board", "claim=") in got, why
    assert ("mem", 0xFE000000, 0xFE000FFF, "board", "claim=") in got, why
    keys = [(c[0] != "io", c[3], c[4] - c[3]) for c in claims]
    assert keys == sorted(keys), "not sorted\n" + why
    for i, c in enumerate(claims):
        for d in claims[i + 1:]:
            if c[0] == d[0] and c[5] != d[5]:
                assert not (c[3] <= d[4] and d[3] <= c[4]), "%s overlaps %s\n%s" % (c, d, why)
        assert c[1] in ("internal", "isa", "eisa", "mca", "pci"), why


def test_claim_option_errors_and_no_debug_exit():
    r = boot("loglevel=2 claim=io:0x300+0x20,bogus,io:0x60+1,io:0xfff0+0x20,mem:0x1+0,"
             "io:0x310+8,,mem:0xfe000000+0x1000 -- ranges; poweroff", debug_exit=False,
             timeout=40)
    expect_lines(r, [
        r"^ranges: error: claim=bogus: want io:START\+LEN or mem:START\+LEN; ignored$",
        r"^ranges: error: claim= \(io 0x60\+0x1\): overlaps platform's 8042 data; ignored$",
        r"^ranges: error: claim= \(io 0xfff0\+0x20\): runs past the top of the address space; "
        r"ignored$",
        r"^ranges: error: claim= \(mem 0x1\+0x0\): zero length; ignored$",
        r"^=> ranges$",
    ])
    claims = parse_ranges(r.log)
    got = [(c[0], c[3], c[4], c[5]) for c in claims]
    # 0x310+8 lies inside the board's own 0x300+0x20: accepted, no second entry
    assert got.count(("io", 0x300, 0x31F, "board")) == 1, r.describe()
    assert not [c for c in claims if c[3] == 0x310], r.describe()
    assert ("mem", 0xFE000000, 0xFE000FFF, "board") in got, r.describe()
    # no isa-debug-exit on this machine, so no claim for it
    assert not [c for c in claims if c[6] == "isa-debug-exit"], r.describe()
    forbid_lines(r, [r"claim=io:0x310", r"claim=mem:0xfe000000"])
    assert len(r.find(r"^ranges: error: ")) == 4, r.describe()
