"""The clock: the in-guest check of stall() and time_ms() against the HPET
and the CMOS RTC (`selftest time`), with the TSC (calibrated against the
ACPI PM timer, or the PIT with tsccal=pit) and with the PIT as the clock
(notsc=1); and, on the host's own clock, the time between serial lines
printed around a 3 s wait, and U-Boot's `time` command."""

import pytest

from harness import RC_FAIL, RC_PASS, assert_guest_passed, boot, expect_lines

CONFIGS = [("q35", ""), ("pc", ""), ("q35", "tsccal=pit"), ("q35", "notsc=1"), ("pc", "notsc=1")]
CALIBRATED = r"^time: TSC \d+\.\d MHz \(calibrated against %s in \d+\.\d ms, within \d+ ppm\)$"


@pytest.mark.parametrize("machine,opts", CONFIGS,
                         ids=["q35", "pc", "q35-tsccal-pit", "q35-notsc", "pc-notsc"])
def test_selftest_time(machine, opts):
    r = boot("%s -- selftest time; poweroff" % opts, machine=machine, timeout=40)
    if opts == "notsc=1":
        expect_lines(r, [r"^time: TSC not used \(notsc=1\); the clock is PIT channel 2$",
                         r"^selftest time: clock PIT", r"^PASS: time: PIT clock: \d+ IRQ 0 ticks"])
    else:
        ref = "the PIT" if opts == "tsccal=pit" else "the ACPI PM timer"
        expect_lines(r, [CALIBRATED % ref, r"^selftest time: clock TSC"])
    expect_lines(r, [r"^PASS: time: stall\(2000000\) took \d\.\d\d s by the HPET$",
                     r"^PASS: time: time_ms\(\) advanced \d+ ms while the HPET counted 2\.00 s$",
                     r"^PASS: time: the clock's rate against the HPET's over 200 ms: -?\d+ ppm off$",
                     r"^PASS: time: time_ms\(\) between RTC second edges 2 s apart: \d+ ms$",
                     r"^PASS: time: time_us\(\)/time_ms\(\) monotonic",
                     r"^PASS: time: deadline_ms\(500\) expired after \d+ ms by the HPET$"])
    assert_guest_passed(r, min_checks=6)


@pytest.mark.parametrize("opts", ["", "notsc=1"], ids=["tsc", "notsc"])
def test_stall_against_host_clock(opts):
    """`sleep 3` (stall() in slices) between two lines: 3 s on the host's clock."""
    r = boot("%s -- echo stall-start; sleep 3; echo stall-end; poweroff" % opts, timeout=30)
    t0, t1 = r.line_time(r"^stall-start$"), r.line_time(r"^stall-end$")
    assert t0 is not None and t1 is not None, r.describe()
    assert 2.7 <= t1 - t0 <= 3.6, "3 s stall took %.2f s on the host\n%s" % (t1 - t0, r.describe())
    assert r.rc == RC_PASS, r.describe()


def test_time_command():
    """U-Boot's `time`: runs the command, reports its duration; errors are one line."""
    r = boot("-- echo t-start; time sleep 1.5; echo t-end; time nosuchcmd; time; "
             "time sleep x; poweroff", timeout=30)
    m = r.find(r"^time: (\d+)\.(\d{3}) seconds$")
    assert m, r.describe()
    guest = int(m[0].group(1)) + int(m[0].group(2)) / 1000
    host = r.line_time(r"^t-end$") - r.line_time(r"^t-start$")
    assert 1.35 <= guest <= 1.65, r.describe()
    assert 1.3 <= host <= 2.0 and abs(host - guest) < 0.4, "host %.2f s, guest %.3f s\n%s" % (
        host, guest, r.describe())
    expect_lines(r, [r"^time: no command 'nosuchcmd'$", r"^usage: time command \[args \.\.\.\]$",
                     r"^sleep: 'x' is not a number of seconds$"])
    assert r.rc == RC_FAIL, r.describe()       # three commands failed
