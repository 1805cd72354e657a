#!/usr/bin/env python3
"""Write the seed corpora of the libFuzzer harnesses: tests/fuzz/corpus/<target>/.

Each seed is a small, realistic input in the format the harness's head
comment describes (a QEMU-like disk and CDBs, SeaBIOS-like memory map and
ACPI tables, ...), so fuzzing starts from the shapes the kernel really sees.
The files are committed; run this again only after changing an input format:

    /usr/bin/python3 tests/fuzz/seeds.py
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def u16(v):
    return struct.pack('<H', v)


def u32(v):
    return struct.pack('<I', v)


def u64(v):
    return struct.pack('<Q', v)


def be(v, n):
    return v.to_bytes(n, 'big')


# ---- fuzz_sat: flags, 18 IDENTIFY words, DataTransferLength, CDB, ATA result --------------

def identify(lba48=True, sectors=0x100000, ncq=True, fua=True, logical_words=0, phys_exp=3):
    cap = 0x0200 | 0x0100                               # LBA, DMA
    l28 = min(sectors, 0x0FFFFFFF)
    ss = 0x4000 | (0x2000 | phys_exp if phys_exp else 0) | (0x1000 if logical_words else 0)
    words = [
        0x0040,                                         # config: fixed disk
        cap, l28 & 0xFFFF, l28 >> 16,
        31,                                             # queue depth - 1
        0x0100 if ncq else 0,                           # SATA capabilities: NCQ
        0x0400 if lba48 else 0,                         # 83: LBA48
        0x0020 | 0x0040,                                # 85: write cache, look-ahead
        0x0400 if lba48 else 0,                         # 86
        0x4000 | (0x0040 if fua else 0) | 0x0100,       # 87: FUA EXT, WWN
        sectors & 0xFFFF, (sectors >> 16) & 0xFFFF, (sectors >> 32) & 0xFFFF, 0,
        ss, logical_words & 0xFFFF, logical_words >> 16,
        0x4000,                                         # alignment: LBA 0
    ]
    return b''.join(u16(w) for w in words)


def sat(cdb, data_len, ident=None, hba_ncq=1, result=b'\x25\x51\x40\x40\x00\x10' + bytes(8) + b'\x01\x01\x20'):
    ident = ident if ident is not None else identify()
    return bytes([hba_ncq]) + ident + u32(data_len) + bytes([len(cdb) - 1]) + bytes(cdb) + result


def sat_seeds():
    d28 = identify(lba48=False, sectors=0x0FFFFFFF, ncq=False, fua=False, phys_exp=0)
    d4k = identify(sectors=0x40000, logical_words=2048, phys_exp=0)
    return {
        'read10': sat([0x28, 0, *be(0x1000, 4), 0, *be(8, 2), 0], 4096),
        'write16-fua-at-end': sat([0x8A, 0x08, *be(0x100000 - 16, 8), *be(16, 4), 0, 0], 8192),
        'verify16': sat([0x8F, 0, *be(0, 8), *be(65536, 4), 0, 0], 0),
        'lba28-read6-256': sat([0x08, 0, 0x10, 0, 0, 0], 131072, d28, hba_ncq=0),
        'lba28-write10': sat([0x2A, 0, *be(0x0FFFFFEF, 4), 0, *be(16, 2), 0], 8192, d28, hba_ncq=0),
        '4kn-read12': sat([0xA8, 0, *be(100, 4), *be(4, 4), 0, 0], 16384, d4k),
        'inquiry': sat([0x12, 0, 0, 0, 96, 0], 96),
        'inquiry-vpd89': sat([0x12, 1, 0x89, 0x02, 0x40, 0], 1024),
        'inquiry-vpd83': sat([0x12, 1, 0x83, 0, 0xFF, 0], 255),
        'mode-sense10-all': sat([0x5A, 0, 0x3F, 0, 0, 0, 0, 0x01, 0, 0], 256),
        'mode-sense6-caching': sat([0x1A, 0x08, 0x08, 0, 0xFF, 0], 255),
        'read-capacity16': sat([0x9E, 0x10, *bytes(8), *be(32, 4), 0, 0], 32),
        'read-capacity10': sat([0x25, 0, *bytes(8)], 8),
        'request-sense': sat([0x03, 0, 0, 0, 18, 0], 18),
        'report-luns': sat([0xA0, 0, 0, 0, 0, 0, *be(16, 4), 0, 0], 16),
        'sync-cache': sat([0x35, 0, *bytes(8)], 0),
        'start-stop': sat([0x1B, 0, 0, 0, 0x01, 0], 0),
        'ata-pt16-identify': sat([0x85, 4 << 1, 0x0E, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xEC, 0], 512),
        'ata-pt12-smart': sat([0xA1, 3 << 1, 0x20, 0xD8, 0, 0x4F, 0xC2, 0, 0, 0xB0, 0, 0], 0),
        'ata-pt16-dma-ext': sat([0x85, (6 << 1) | 1, 0x0E, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x40, 0x25, 0], 4096),
    }


# ---- fuzz_sense: text buffer size, then sense data ------------------------------------------

def sense_seeds():
    fixed = bytes([0xF0, 0, 0x03, 0, 0, 0x12, 0x34, 10, 0, 0, 0, 0, 0x11, 0x00, 0, 0, 0, 0])
    desc = bytes([0x72, 0x05, 0x24, 0x00, 0, 0, 0, 24]) + \
        bytes([0x00, 0x0A, 0x80, 0]) + be(0x123456789, 8) + \
        bytes([0x09, 0x0C, 0x01, 0x04, 0, 1, 0, 2, 0, 3, 0, 4, 0x40, 0x51])
    return {
        'fixed-medium-error': bytes([64]) + fixed,
        'fixed-short': bytes([8]) + fixed[:7],
        'descriptor-info': bytes([95]) + desc,
        'deferred-73': bytes([20]) + bytes([0x73, 0x06, 0x29, 0x00, 0, 0, 0, 0]),
        'not-sense': bytes([10, 0x7F, 1, 2, 3]),
    }


# ---- fuzz_ranges: operations ----------------------------------------------------------------

def rq(bus_type_idx, io, start, length, mode=0):
    how = (1 if io else 0) | (mode << 1)
    if mode == 0:
        body = u16(start) + bytes([length]) if io else u16(start >> 12) + bytes([length >> 12])
    elif mode == 1:
        body = u16(start) if io else u64(start)
    else:
        body = u64(start) + u64(length)
    return bytes([bus_type_idx, how]) + body


def claim(owner, req):
    return bytes([0, owner]) + req


def check(owner, req):
    return bytes([2, owner]) + req


def claimed(req):
    return bytes([3, 0]) + req


def release(owner):
    return bytes([4, owner])


def parse_item(text):
    return bytes([5, len(text)]) + text.encode()


def ranges_seeds():
    pic = rq(0, True, 0x20, 2)
    ahci_bar = rq(4, False, 0xFEBF1000, 0x1000, 2)
    return {
        'platform-then-adapter': claim(0, pic) + claim(0, rq(1, True, 0xA0, 2)) +
        claim(1, ahci_bar) + check(2, ahci_bar) + check(1, ahci_bar) + claim(2, ahci_bar) +
        claimed(rq(0, True, 0x21, 1)) + release(1) + claim(2, ahci_bar),
        'same-owner-inside': claim(1, rq(4, True, 0xC000, 0x40)) + claim(1, rq(4, True, 0xC010, 0x10)) +
        claim(1, rq(4, True, 0xC030, 0x20)) + release(1),
        'to-the-top': claim(3, rq(0, False, 0xFEC00000, 0, 1)) + claim(3, rq(0, True, 0xFFF0, 0, 1)) +
        check(0, rq(0, False, 0xFFFFFFFFFFFFF000, 0x1000, 2)),
        'bad-bus-and-empty': claim(1, rq(5, True, 0x300, 0x20)) + claim(1, rq(0, True, 0x300, 0)),
        'fill-the-table': bytes([6, 1, 140]) + u16(0x1000) + bytes([0x04]) +
        claim(2, rq(1, True, 0x1001, 1)) + claim(1, rq(1, True, 0x1000, 2)) + release(1),
        'parse-items': parse_item('io:0x300+0x20') + parse_item('mem:fe000000+1000') +
        parse_item('io:300') + parse_item('disk:1+1'),
    }


# ---- fuzz_pagewalk: tables and queries, or regions and queries ------------------------------

def pw_query(pdx, ptx, off, maxlen, how=1):
    tail = u32(maxlen) if how & 1 else u16(maxlen) if how & 2 else b''
    return bytes([how]) + u16(pdx) + u16(ptx) + u16(off) + tail


def pagewalk_seeds():
    link = lambda idx, t: bytes([1]) + u16(idx) + bytes([t])
    fill4k = lambda t, first, count, pa, quirk=0: bytes([2, t]) + u16(first) + \
        bytes([count - 1, quirk]) + u32(pa) + bytes([0x02])
    pde4m = lambda idx, val: bytes([3]) + u16(idx) + u32(val)
    fill4m = lambda first, count, pa4m, hi=0: bytes([4]) + u16(first) + bytes([count - 1]) + \
        u16(pa4m) + bytes([hi])
    walk = lambda edits, queries: bytes([0, len(edits)]) + b''.join(edits) + b''.join(queries)
    region = lambda how, base, length, slot=b'': bytes([how]) + base + length + slot
    return {
        'identity-4k': walk([link(0, 1), fill4k(1, 0, 256, 0)],
                            [pw_query(0, 1, 0x10, 0x10000), pw_query(0, 255, 0xFFF, 2)]),
        'scattered-4k': walk([link(0x300, 2), fill4k(2, 0, 64, 0x2000000, 0x80 | 20),
                              fill4k(2, 64, 64, 0x1000000, 0x80 | 7)],
                             [pw_query(0x300, 0, 0x800, 0x80000), pw_query(0x300, 19, 0, 0x3000)]),
        'big-pages-pse36': walk([fill4m(0x3FC, 4, 0x3FE, 1), pde4m(1, 0x400000 | 0x81)],
                                [pw_query(0x3FC, 0, 0, 0xFFFFFFFF), pw_query(1, 5, 5, 0, 0)]),
        'clamp-slots': bytes([1, 3]) + region(0, u16(0x100), u16(0x1000)) +
        region(8, u16(0x200), u16(0x800), bytes([0x80])) +
        region(4 | 2, u16(0x1000), u32(0x10000), u32(0x3000)) +
        bytes([1, 0x10, 0]) + bytes([3, 0x7F, 0x07]) + bytes([5, 0x00, 0x30]) + bytes([0]) + u32(0x10020),
    }


# ---- fuzz_parse: mode, then a string --------------------------------------------------------

def parse_seeds():
    return {
        'hex': bytes([0, 0]) + b'0x1234abcd',
        'decimal-max': bytes([0, 1]) + b'18446744073709551615',
        'overflow': bytes([0, 0]) + b'10000000000000000',
        'prefix-0d': bytes([0, 0]) + b'0d4096',
        'words-quotes': bytes([1, 8]) + b'  write 0x1000 "a b" \'c"d\' e\tf ',
        'words-unterminated': bytes([1, 8]) + b'echo "never closed',
        'script': bytes([2]) + b'scsi info; read 0 0x10 \'a;b\' ;; help ;',
        'cmdline': bytes([3]) + b'/boot/kernel.elf loglevel=3 console=0x2f8 claim=io:0x300+0x20 '
        b'bogus =x loglevel=4 -- help; scsi scan',
    }


# ---- fuzz_acpi: mode, then the table ---------------------------------------------------------

def checksum_fix(b, at):
    b = bytearray(b)
    b[at] = 0
    b[at] = (-sum(b)) & 0xFF
    return bytes(b)


def sdt(sig, body, rev=1):
    length = 36 + len(body)
    head = sig + u32(length) + bytes([rev, 0]) + b'BOCHS ' + b'BXPC    ' + u32(1) + b'BXPC' + u32(1)
    return checksum_fix(head + body, 9)


def acpi_seeds():
    rsdp2 = b'RSD PTR ' + bytes([0]) + b'BOCHS ' + bytes([2]) + u32(0x7FE1000) + u32(36) + \
        u64(0x7FE2000) + bytes([0, 0, 0, 0])
    madt_body = u32(0xFEE00000) + u32(1) + \
        bytes([0, 8, 0, 0]) + u32(1) + \
        bytes([1, 12, 0, 0]) + u32(0xFEC00000) + u32(0) + \
        bytes([2, 10, 0, 0]) + u32(2) + u16(0) + \
        bytes([2, 10, 0, 9]) + u32(9) + u16(0x000D) + \
        bytes([5, 12, 0, 0]) + u64(0xFEE00000)
    aml = bytes([0x10, 0x20, 0x5C, 0x2F]) + b'\x08\\_S5_' + bytes([0x12, 0x06, 0x04, 0x0A, 0x05, 0x0A, 0x05, 0, 0])
    fadt = bytearray(244)
    struct.pack_into('<I', fadt, 4, 36 + 244 - 36)
    fadt[8] = 3
    struct.pack_into('<I', fadt, 40, 0x7FE0040)
    struct.pack_into('<I', fadt, 48, 0xB2)
    fadt[52] = 0xF1
    struct.pack_into('<I', fadt, 64, 0x604)
    struct.pack_into('<I', fadt, 112, 1 << 10)
    fadt[116:128] = bytes([1, 8, 0, 0]) + u64(0xCF9)
    fadt[128] = 0x0F
    struct.pack_into('<Q', fadt, 140, 0x7FE0040)
    fadt[172:184] = bytes([1, 16, 0, 2]) + u64(0x604)
    return {
        'rsdp-v2': bytes([0 | 4]) + rsdp2,
        'rsdp-v1': bytes([0 | 4]) + rsdp2[:20],
        'madt-qemu': bytes([1]) + sdt(b'APIC', madt_body),
        'dsdt-s5': bytes([2]) + aml,
        'fadt-v3': bytes([3]) + bytes(fadt),
        'fadt-v1': bytes([3]) + bytes(fadt[:116]),
    }


# ---- fuzz_memmap: map + usable case, or bitmap + operations ----------------------------------

def mm_entry(type_idx, base, length):
    return bytes([type_idx | (2 << 3)]) + u64(base) + u64(length)


def memmap_seeds():
    av, res, acpi, nvs, bad = 0, 3, 4, 5, 6
    q35 = [(av, 0, 0x9FC00), (res, 0x9FC00, 0x400), (res, 0xF0000, 0x10000),
           (av, 0x100000, 0x7EE0000), (res, 0x7FE0000, 0x20000),
           (res, 0xFEFFC000, 0x4000), (res, 0xFFFC0000, 0x40000)]
    messy = [(av, 0x100000, 0x1000000), (res, 0x800000, 0x1000), (nvs, 0x7FF000, 0x3000),
             (acpi, 0x200000, 0), (bad, 0xFFFFFFFFFFFFF000, 0x2000), (7, 0x500000, 0x100)]
    high = [(av, 0, 0xA0000), (av, 0x100000, 0xBFF00000), (res, 0xC0000000, 0x40000000),
            (av, 0x100000000, 0x40000000)]
    def mmap(entries, usable):
        return bytes([0, len(entries), 127]) + b''.join(mm_entry(*e) for e in entries) + usable
    # 4 GiB limit, 2 exclusions (the kernel image, a module), room for 64 ranges
    kernel_excl = bytes([0xD9]) + bytes([1]) + u64(0x100000) + u64(0x180000) + \
        bytes([0]) + u16(0x200) + bytes([0x10]) + u16(0x100)
    bm_ops = bytes([0, 0, 8, 0, 0]) + bytes([0x10, 0, 4, 0, 0x08]) + bytes([1, 0, 2, 0, 2]) + \
        bytes([0, 0, 0x20, 0, 3]) + bytes([0, 0, 16, 0, 0x80, 3])
    return {
        'q35-128m': mmap(q35, kernel_excl),
        'overlaps': mmap(messy, bytes([0xC3])),
        'above-4g': mmap(high, bytes([0xC1])),
        'bitmap': bytes([1]) + u16(255) + bytes([8]) + bytes([0xFF, 0x0F, 0, 0, 0xF0, 0, 0, 0x80]) +
        bytes(8) + bm_ops,
    }


# ---- fuzz_pci: BARs, a capability list, a topology -------------------------------------------

def pci_seeds():
    bar = lambda lo, mask, has_hi, hi=0, hi_mask=0: bytes([0]) + u32(lo) + u32(mask) + u32(hi) + \
        u32(hi_mask) + bytes([has_hi, 0x01, 0x05])
    cfg = bytearray(256)
    cfg[0x06] = 0x10
    cfg[0x34] = 0x40
    cfg[0x40:0x42] = bytes([0x05, 0x50])              # MSI -> 0x50
    cfg[0x50:0x52] = bytes([0x10, 0x70])              # PCIe -> 0x70
    cfg[0x70:0x72] = bytes([0x12, 0x00])              # SATA, end
    loop = bytearray(cfg)
    loop[0x71] = 0x40
    fn = lambda bus, dev, f, hdr, sec=0, vendor=None: bytes([3 if vendor is not None else 1, bus, dev, f]) + \
        (u16(vendor) if vendor is not None else b'') + bytes([hdr, sec])
    q35 = [fn(0, 0, 0, 0), fn(0, 1, 0, 0), fn(0, 0x1F, 0, 0x80), fn(0, 0x1F, 2, 0),
           fn(0, 0x1F, 3, 0), fn(0, 2, 0, 1, 1), fn(1, 0, 0, 1, 2), fn(2, 3, 0, 0)]
    bad = [fn(0, 1, 0, 1, 0), fn(0, 2, 0, 1, 1), fn(0, 3, 0, 1, 1), fn(1, 0, 0, 0, 0, 0xFFFF)]
    return {
        'bar-io': bar(0xC001, 0xFFFFFFE1, 0),
        'bar-mem32-prefetch': bar(0xFEB00008, 0xFFF00008, 1),
        'bar-mem64': bar(0x0000000C, 0x0000000C, 1, 0x8, 0xFFFFFFFF),
        'caps': bytes([1, 16]) + bytes(cfg),
        'caps-loop': bytes([1, 63]) + bytes(loop),
        'q35-topology': bytes([2, len(q35), 0]) + b''.join(q35),
        'bad-bridges': bytes([2, len(bad), 0]) + b''.join(bad),
        'empty-bus0': bytes([2, 1, 0]) + fn(5, 0, 0, 0),
    }


# ---- fuzz_printf: conversions built from fields ------------------------------------------------

PF_CONVS = 'diuxXocsp%'
PF_LENS = ['', 'hh', 'h', 'l', 'll', 'z', 'j', 'I64', 'I32', 'I']


def pf(flags, conv, width=None, prec=None, length='', v=0, text=b'', n=64, lit=b'ab'):
    """flags: a string of '-0+ #'; width/prec: None, an int, or '*' + int (argument);
    conv: one of PF_CONVS, 'y' (unknown) or '' (the format ends at the '%')."""
    fl = sum(1 << '-0+ #'.index(c) for c in flags) | (0x80 if conv in ('y', '') else 0)
    if width is None:
        wm, wv = 0, b''
    elif isinstance(width, str):
        wm, wv = 2, u16(int(width[1:]) & 0xFFFF)
    else:
        wm, wv = (1, bytes([width])) if width < 40 else (0xE2, u32(width))
    if prec is None:
        pm, pv = 0, b''
    elif isinstance(prec, str):
        pm, pv = 3, u16(int(prec[1:]) & 0xFFFF)
    elif prec == 0:
        pm, pv = 2, b''
    else:
        pm, pv = (1, bytes([prec])) if prec < 40 else (0xE1, u32(prec))
    code = {'y': 1, '': 0}[conv] if fl & 0x80 else PF_CONVS.index(conv)
    out = bytes([fl, wm, pm, len(lit)]) + lit + wv + pv + bytes([code])
    if conv and conv in 'diuxXo':
        out += bytes([PF_LENS.index(length)])
    if conv:
        out += bytes([0])                               # no literal after it
    return out + u64(v & (2 ** 64 - 1)) + bytes([len(text)]) + text + bytes([n])


def printf_seeds():
    return {
        'integers': pf('', 'd', v=-12345) + pf('-', 'x', 8, 3, v=0xBEEF) + pf('+0', 'd', 5, v=42) +
        pf('#', 'o', v=8) + pf('#', 'x', v=0) + pf('', 'd', prec=0, v=0) + pf('0', 'u', 12, v=7, n=4),
        'lengths': pf('', 'd', length='I64', v=-(1 << 40)) + pf('', 'x', length='hh', v=0x1FF) +
        pf('', 'd', length='ll', v=-(1 << 63)) + pf('#', 'X', length='I', v=0xFEE00000) +
        pf('', 'u', length='I32', v=3000000000) + pf(' ', 'i', length='z', v=77),
        'strings': pf('', 's', '*-10', '*3', text=b'abcdef') + pf('-', 's', 12, text=b'xyz') +
        pf('', 'c', 3, v=0x41) + pf('', '%') + pf('', 'p', v=0xC0001000) + pf('', 's', v=1, n=3),
        'wide': pf('0', 'x', 5000, v=1, n=16) + pf('', 'o', prec=70000, v=1, n=2),
        'odd-conversions': pf('-', 'y', 4) + pf('', '', '*7'),
    }


SEEDS = {
    'sat': sat_seeds, 'sense': sense_seeds, 'ranges': ranges_seeds, 'pagewalk': pagewalk_seeds,
    'parse': parse_seeds, 'acpi': acpi_seeds, 'memmap': memmap_seeds, 'pci': pci_seeds,
    'printf': printf_seeds,
}


def main():
    for target, make in SEEDS.items():
        d = os.path.join(HERE, 'corpus', target)
        os.makedirs(d, exist_ok=True)
        for name, data in make().items():
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
    return 0


if __name__ == '__main__':
    sys.exit(main())
