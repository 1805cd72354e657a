"""`selftest ddkabi`: the simple ScsiPort routines (accessors, conversions,
stall, move, system time, debug print, error log) called in the guest as a
miniport calls them.  The guest checks what it can against its own paths;
here the host checks the rest: the system time against the host's clock,
and ScsiDebugPrint's formatting (the DDK's %I64 forms) against Python's."""

import calendar
import re
import time

import pytest

from harness import assert_guest_passed, boot, expect_lines, forbid_lines

BIG = 0x123456789ABCDEF0
MAXU64 = 2 ** 64 - 1


@pytest.mark.parametrize("machine,loglevel", [("q35", 3), ("pc", 2)])
def test_ddkabi_selftest(machine, loglevel):
    before = time.time()
    r = boot("loglevel=%d -- selftest ddkabi; errlog; poweroff" % loglevel, machine=machine,
             timeout=60)
    after = time.time()
    assert_guest_passed(r, min_checks=35)

    # The RTC-based system time lies within the run (QEMU starts the RTC at host UTC).
    m = r.find(r"^ddkabi: system time (\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) UTC "
               r"\(NT 0x([0-9a-f]+)\)$")
    assert m, r.describe()
    fields = [int(x) for x in m[0].groups()[:6]]
    guest = calendar.timegm(tuple(fields) + (0, 0, 0))
    assert before - 3 <= guest <= after + 3, "guest %s, host %s..%s\n%s" % (
        guest, before, after, r.describe())
    nt = int(m[0].group(7), 16)
    assert abs(nt / 1e7 - 11644473600 - guest) < 1.5, r.describe()

    # ScsiDebugPrint: %I64x/%I64u as the host formats them; one log line per message
    # line; levels 0-1 at LOG_INFO, 2+ at LOG_DEBUG.
    expect_lines(r, [
        r"^miniport: ddkabi: DebugPrint %x %d str -42$" % (BIG, MAXU64),
        r"^miniport: ddkabi: DebugPrint line one$",
        r"^miniport: ddkabi: DebugPrint line two$",
    ])
    if loglevel >= 3:
        expect_lines(r, [r"^miniport: ddkabi: DebugPrint level 3$"])
    else:
        forbid_lines(r, [r"DebugPrint level 3"])

    # Refusals: one line each, naming the routine.
    for who, arg in (("ScsiPortReadPortUchar", "0xfebf0000"),
                     ("ScsiPortReadPortBufferUchar", "0x12345678")):
        lines = r.find(r"^scsiport: error: %s\(%s\): not an I/O port" % (who, arg))
        assert len(lines) == 1, r.describe()
    for who in ("ScsiPortLogError", "ScsiPortFlushDma", "ScsiPortValidateRange"):
        lines = r.find(r"^scsiport: error: %s: 0x[0-9a-f]+ is no adapter's device extension"
                       % who)
        assert len(lines) == 1, r.describe()
    # The error log: a bad extension adds nothing; through an adapter (when the
    # machine has one a miniport drives) one entry, decoded, and the refusals.
    adapter = not r.find(r"^SKIP: ddkabi: LogError, ValidateRange")
    logged = r.find(r"^(\S+): error log: 0:3:0 SP_BUS_TIME_OUT \(0x4\) unique 0x1234$")
    assert len(logged) == (1 if adapter else 0), r.describe()
    expect_lines(r, [r"^=> errlog$", r"^%d error log entries$" % len(logged)])
    if adapter:
        name = re.escape(logged[0].group(1))
        expect_lines(r, [
            r"^%s: error: ScsiPortValidateRange\(io 0x300\+8\) outside HwFindAdapter: "
            r"refused$" % name,
            r"^%s: error: ScsiPortFlushDma: subordinate \(8237\) DMA is not supported; "
            r"bus-master only$" % name,
            r"^%s: error: ScsiPortIoMapTransfer: subordinate \(8237\) DMA is not supported; "
            r"bus-master only$" % name,
            r"^ +\d+\.\d{6} %s +0:3:0 SP_BUS_TIME_OUT \(0x4\) unique 0x1234$" % name,
        ])
