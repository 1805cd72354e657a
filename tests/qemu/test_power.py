"""Ending a run: poweroff through isa-debug-exit (exit status = verdict) and
through ACPI S5 without it, reset through the FADT/0xCF9, on pc and q35;
bad command lines still end; and the ACPI tables the guest lists are the
ones in guest memory (read back on the host)."""

import os
import re
import struct

import pytest

from harness import RC_FAIL, RC_PASS, Qemu, boot, expect_lines, forbid_lines
from acpi_host import AcpiTables, read_phys

MACHINES = ["pc", "q35"]


@pytest.mark.parametrize("machine", MACHINES)
def test_poweroff_debug_exit(machine):
    r = boot("-- poweroff", machine=machine, timeout=30)
    expect_lines(r, [r"^=> poweroff$"])
    forbid_lines(r, [r"entering S5", r"^\d+ passed, \d+ failed"])   # no tests ran: no summary
    assert r.rc == RC_PASS and not r.timed_out, r.describe()


@pytest.mark.parametrize("machine", MACHINES)
def test_poweroff_acpi_s5(machine):
    """No isa-debug-exit: the FADT's PM1a_CNT and \\_S5 switch QEMU off (status 0)."""
    r = boot("-- poweroff", machine=machine, debug_exit=False, timeout=30)
    expect_lines(r, [r"^=> poweroff$", r"^acpi: entering S5 \(PM1a_CNT [0-9a-f]{4} SLP_TYPa \d\)$"])
    forbid_lines(r, [r"^poweroff: no isa-debug-exit"])
    assert r.rc == 0 and not r.timed_out, r.describe()


@pytest.mark.parametrize("machine", MACHINES)
def test_reset(machine):
    """reset with -no-reboot ends QEMU (status 0) by the first way the FADT offers."""
    with Qemu("-- echo up", machine=machine, hmp=True, timeout=30) as q:
        q.wait_for(r"^=> $")
        rr = AcpiTables(q).reset_register()
        q.send("reset\r")
        q.wait_exit()
    r = q.result
    assert r.rc == 0 and not r.timed_out, r.describe()
    if rr:      # q35: RESET_REG is io 0xcf9; the first way must have worked
        space, addr, value = rr
        expect_lines(r, [r"^acpi: reset through the FADT reset register \(%s %x <- %02x\)$"
                         % ("io" if space == 1 else "mem", addr, value)])
        forbid_lines(r, [r"^reset: through port cf9"])
    else:       # pc: FADT revision 1, no RESET_REG: port 0xCF9 must have done it
        expect_lines(r, [r"^reset: through port cf9$"])
    forbid_lines(r, [r"^reset: through the 8042", r"^reset: by triple fault"])


@pytest.mark.parametrize("debug_exit", [True, False], ids=["debug-exit", "acpi"])
def test_failed_command_still_powers_off(debug_exit):
    r = boot("-- nosuchcmd; poweroff", debug_exit=debug_exit, timeout=30)
    expect_lines(r, [r"^Unknown command 'nosuchcmd' - try 'help'$", r"^=> poweroff$"])
    # A failed boot command makes the run fail (status 3) where the status can say so.
    assert r.rc == (RC_FAIL if debug_exit else 0) and not r.timed_out, r.describe()


def test_bad_option_still_powers_off():
    r = boot("badword -- poweroff", timeout=30)
    expect_lines(r, [r"^cmdline: error: 'badword': not key=value", r"^=> poweroff$"])
    # How a bad option weighs in the verdict is the command line's business;
    # here it must not keep the run from ending.
    assert r.rc in (RC_PASS, RC_FAIL) and not r.timed_out, r.describe()


def test_poweroff_closes_test_lines_with_summary():
    r = boot("-- selftest irq; poweroff", timeout=30)
    expect_lines(r, [r"^=> poweroff$", r"^\d+ passed, 0 failed(, \d+ skipped)?$"])
    assert r.rc == RC_PASS, r.describe()


def test_failed_selftest_command_fails_the_run():
    r = boot("-- selftest nosuch; poweroff", timeout=30)
    expect_lines(r, [r"^selftest: no test 'nosuch'; there are: time irq"])
    assert r.rc == RC_FAIL, r.describe()


@pytest.mark.parametrize("machine", MACHINES)
def test_acpi_tables_match_memory(machine):
    """The guest's table list, S5, reset, HPET and ECAM lines against the
    tables read from guest memory on the host."""
    with Qemu("-- acpi", machine=machine, hmp=True, timeout=30) as q:
        q.wait_for(r"^=> $", after=q.wait_for(r"^=> acpi$") + 1)
        host = AcpiTables(q)
        q.kill()
    r = q.result
    summary = "acpi: RSDP at %08x rev %d (%s) tables: %s" % (
        host.rsdp_addr, host.revision, host.oem,
        " ".join(s for s, _, _, _ in host.listing() if s != "DSDT"))
    expect_lines(r, [r"^%s$" % re.escape(summary)])
    guest = [(m.group(1), int(m.group(2), 16), int(m.group(3)), int(m.group(4)))
             for m in r.find(r"^(\w{4})\s+([0-9a-f]{8}) len\s+(\d+) rev (\d+) ")]
    assert sorted(guest) == sorted(host.listing()), r.describe()

    slp = host.s5()
    assert slp is not None, "host: no \\_S5 in the DSDT"
    pm1b = struct.unpack_from("<I", host.table("FACP"), 68)[0]
    expect_lines(r, [r"^S5: PM1a_CNT %04x PM1b_CNT %04x SLP_TYP %d/%d$"
                     % (host.pm1a_cnt(), pm1b, slp[0], slp[1])])
    rr = host.reset_register()
    if rr:
        expect_lines(r, [r"^reset: io %x <- %02x$" % (rr[1], rr[2])])
    else:
        forbid_lines(r, [r"^reset: "])
    expect_lines(r, [r"^HPET: %08x$" % host.hpet_base()])
    mcfg = host.mcfg() if host.table("MCFG") else None
    if mcfg:
        expect_lines(r, [r"^ECAM: %08x buses %02x-%02x$" % mcfg])
    else:
        forbid_lines(r, [r"^ECAM: "])


OVMF = "/usr/share/ovmf/OVMF.fd"


@pytest.mark.skipif(not os.path.exists(OVMF), reason="no OVMF firmware (Debian package ovmf)")
def test_uefi_rsdp_from_memory_map_and_s5():
    """Under OVMF (GRUB's EFI image) the RSDP is not in the BIOS area: it is
    found through the memory map, is where the guest says (checked on the
    host), and ACPI S5 powers the machine off."""
    with Qemu("-- acpi", machine="q35", iso=True, bios=OVMF, debug_exit=False, hmp=True,
              timeout=40) as q:
        q.wait_for(r"^=> $", after=q.wait_for(r"^=> acpi$") + 1)
        m = q.result.find(r"^acpi: RSDP at ([0-9a-f]{8}) rev (\d+) \((.{6})\) tables: (.*)$")
        assert m, q.result.describe()
        addr = int(m[0].group(1), 16)
        rsdp = read_phys(q, addr, 20)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    assert not 0xE0000 <= addr < 0x100000, r.describe()
    assert rsdp[:8] == b"RSD PTR " and sum(rsdp) & 0xFF == 0, (rsdp, r.describe())
    assert rsdp[9:15].decode("latin-1") == m[0].group(3), r.describe()
    assert {"FACP", "APIC"} <= set(m[0].group(4).split()), r.describe()
    expect_lines(r, [r"^acpi: entering S5 "])
    assert r.rc == 0 and not r.timed_out, r.describe()
