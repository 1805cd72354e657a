"""The firmware's ACPI tables and the interrupt controllers' state, read on
the host side from a running QEMU (QMP pmemsave, HMP info pic/lapic), so
that what the guest says it found can be checked against the bytes and the
hardware state themselves, not against values typed into a test.

    with Qemu("-- echo up", hmp=True) as q:
        q.wait_for(r"^=> ")
        acpi = AcpiTables(q)
        acpi.table("FACP"), acpi.madt_overrides(), acpi.s5() ...
"""

import os
import re
import struct
import tempfile

from harness import LOGDIR


def read_phys(q, addr, size):
    """size bytes of guest physical memory at addr."""
    os.makedirs(LOGDIR, exist_ok=True)
    fd, path = tempfile.mkstemp(prefix="pmem-", dir=LOGDIR)
    os.close(fd)
    try:
        q.qmp("pmemsave", val=addr, size=size, filename=path)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)


def _checksum_ok(b):
    return sum(b) & 0xFF == 0


class AcpiTables:
    """RSDP, RSDT/XSDT and every table they list (plus the DSDT)."""

    def __init__(self, q):
        self.q = q
        self.rsdp_addr, rsdp = self._find_rsdp()
        self.oem = rsdp[9:15].decode("latin-1")
        self.revision = rsdp[15]
        rsdt, xsdt = struct.unpack_from("<I", rsdp, 16)[0], 0
        if self.revision >= 2:
            xsdt = struct.unpack_from("<Q", rsdp, 24)[0]
        root_addr, esize = (xsdt, 8) if xsdt else (rsdt, 4)
        root = self._read_table(root_addr)
        self.tables = []                    # (signature, address, bytes), in root order
        for off in range(36, len(root), esize):
            addr = struct.unpack_from("<Q" if esize == 8 else "<I", root, off)[0]
            data = self._read_table(addr)
            self.tables.append((data[:4].decode("latin-1"), addr, data))
        fadt = self.table("FACP")
        if fadt:
            dsdt = struct.unpack_from("<I", fadt, 40)[0]
            if len(fadt) >= 148 and struct.unpack_from("<Q", fadt, 140)[0]:
                dsdt = struct.unpack_from("<Q", fadt, 140)[0]
            self.tables.append(("DSDT", dsdt, self._read_table(dsdt)))

    def _find_rsdp(self):
        ebda = struct.unpack("<H", read_phys(self.q, 0x40E, 2))[0] << 4
        areas = [(ebda, 1024)] if 0x80000 <= ebda < 0xA0000 else []
        for base, size in areas + [(0xE0000, 0x20000)]:
            mem = read_phys(self.q, base, size)
            for off in range(0, size - 20, 16):
                if mem[off:off + 8] == b"RSD PTR " and _checksum_ok(mem[off:off + 20]):
                    return base + off, mem[off:off + 36]
        raise AssertionError("host: no RSDP in the EBDA or 0xE0000-0xFFFFF")

    def _read_table(self, addr):
        length = struct.unpack_from("<I", read_phys(self.q, addr, 8), 4)[0]
        data = read_phys(self.q, addr, length)
        assert _checksum_ok(data), "host: table at %#x has a bad checksum" % addr
        return data

    def table(self, sig):
        for s, _, data in self.tables:
            if s == sig:
                return data
        return None

    def listing(self):
        """(signature, address, length, revision) of every table."""
        return [(s, a, len(d), d[8]) for s, a, d in self.tables]

    # ---- what the kernel reads from them ---------------------------------

    def madt_overrides(self):
        """ISA IRQ -> (GSI, MPS flags) from the MADT's interrupt source overrides."""
        madt, out = self.table("APIC"), {}
        off = 44
        while off + 2 <= len(madt):
            etype, elen = madt[off], madt[off + 1]
            if etype == 2 and madt[off + 2] == 0:
                out[madt[off + 3]] = struct.unpack_from("<IH", madt, off + 4)
            off += max(elen, 2)
        return out

    def pm1a_cnt(self):
        fadt = self.table("FACP")
        if len(fadt) >= 184:
            space, addr = fadt[172], struct.unpack_from("<Q", fadt, 176)[0]
            if space == 1 and addr:
                return addr
        return struct.unpack_from("<I", fadt, 64)[0]

    def reset_register(self):
        """(space, address, value) when the FADT offers RESET_REG, else None."""
        fadt = self.table("FACP")
        if fadt[8] < 2 or len(fadt) < 129:
            return None
        if not struct.unpack_from("<I", fadt, 112)[0] & (1 << 10):
            return None
        return fadt[116], struct.unpack_from("<Q", fadt, 120)[0], fadt[128]

    def s5(self):
        """(SLP_TYPa, SLP_TYPb) from Name(_S5_, Package(){...}) in the DSDT."""
        aml = self.table("DSDT")[36:]
        for m in re.finditer(rb"\x08\\?_S5_\x12", aml):
            p = m.end()
            p += 1 + (aml[p] >> 6)                   # PkgLength
            count, p = aml[p], p + 1
            vals = []
            for _ in range(min(count, 2)):
                op = aml[p]
                if op in (0, 1):
                    vals.append(op)
                    p += 1
                elif op in (0x0A, 0x0B, 0x0C):
                    vals.append(aml[p + 1])
                    p += {0x0A: 2, 0x0B: 3, 0x0C: 5}[op]
                else:
                    break
            if len(vals) == min(count, 2):
                return (vals + [0])[:2]
        return None

    def hpet_base(self):
        hpet = self.table("HPET")
        return struct.unpack_from("<Q", hpet, 44)[0] if hpet else None

    def mcfg(self):
        """(base, first bus, last bus) of segment 0."""
        mcfg = self.table("MCFG")
        for off in range(44, len(mcfg) - 15, 16):
            base, seg, b0, b1 = struct.unpack_from("<QHBB", mcfg, off)
            if seg == 0:
                return base, b0, b1
        return None


def ioapic_pins(info_pic):
    """HMP 'info pic' -> {pin: dict(vec, masked, level, low)} for ioapic0."""
    pins = {}
    for m in re.finditer(r"^\s+pin (\d+)\s+0x[0-9a-f]+ dest=\d+ vec=(\d+)\s+(active-hi|active-lo)"
                         r"\s+(edge|level)\s+(masked)?", info_pic, re.M):
        pins[int(m.group(1))] = dict(vec=int(m.group(2)), low=m.group(3) == "active-lo",
                                     level=m.group(4) == "level", masked=bool(m.group(5)))
    return pins


def pic_state(info_pic):
    """HMP 'info pic' -> {0: dict(imr, irq_base, elcr), 1: ...} for the two 8259s."""
    out = {}
    rx = (r"^pic(\d): irr=([0-9a-f]+) imr=([0-9a-f]+) isr=([0-9a-f]+) "
          r"hprio=\d+ irq_base=([0-9a-f]+) rr_sel=\d+ elcr=([0-9a-f]+)")
    for m in re.finditer(rx, info_pic, re.M):
        out[int(m.group(1))] = dict(imr=int(m.group(3), 16), irq_base=int(m.group(5), 16),
                                    elcr=int(m.group(6), 16))
    return out
