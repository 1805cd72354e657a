"""LSI53C8xx start-up without a SCSI bus reset, and the transfer agreements
the miniport sets instead (hba/lsi_init.c, hba/lsi.c).

Start-up resets the chip, not a free bus; so that no target keeps a
synchronous or wide agreement from an earlier owner of the bus, the first
selection of each target after start-up (and after every reset) carries
WDTR with an 8-bit width (the wide 53C895A) or SDTR with offset 0 (the
53C810).  QEMU 7.2's lsi53c895a takes such messages and goes on to the
COMMAND phase (lsi_do_msgout: "WDTR (ignored)"); its trace events show,
on this side, what was sent to whom.  SeaBIOS drives the chip before the
kernel does, with IDENTIFY alone, so it adds selections but no extended
messages.
"""

import re

from harness import RC_PASS
from test_lsi import (SLOW, TROUBLE, assert_clean, check_reads, disk, image, lsi, read_cmds,
                      run)

TRACE = ["-trace", "lsi_execute_script_io_selected", "-trace", "lsi_do_msgout",
         "-trace", "lsi_do_msgout_extended", "-trace", "lsi_do_msgout_ignored"]
START = r"^miniport: lsi0: SCSI ID 7, (8|16) targets, SCRIPTS at \S+ \(\d+ words\), %s$"


def negotiations(path):
    """{target: [message, ...]} of the extended messages each selection carried,
    with message 'WDTR' or 'SDTR', in order; the number of selections per target."""
    sent, selections, target = {}, {}, None
    for line in path.read_text().splitlines():
        m = re.match(r"^lsi_execute_script_io_selected Selected target (\d+)", line)
        if m:
            target = int(m.group(1))
            selections[target] = selections.get(target, 0) + 1
            continue
        m = re.match(r"^lsi_do_msgout_extended Extended message 0x(\w+) \(len (\d+)\)", line)
        if m:
            assert target is not None, "an extended message before any selection"
            kind = {("3", "2"): "WDTR", ("1", "3"): "SDTR"}.get(m.groups(), m.group(0))
            sent.setdefault(target, []).append(kind)
    return sent, selections


def boot_and_read(tmp_path, model, ids, args="", extra_cmds=()):
    """Disks at SCSI ids on one adapter; read from each, CRC checked here."""
    imgs = [image("nego-%s-%d.img" % (model, t), 2 << 20, 300 + t) for t in ids]
    devices = lsi("lsi0", model)
    for t, (path, _) in zip(ids, imgs):
        devices += disk(path, "lsi0", t, "d%d" % t)
    reads = [(0, 8), (0x11, 0x23)]
    cmds = ["scsi info"]
    for dev in range(len(ids)):
        cmds += read_cmds(dev, reads)
    trace = tmp_path / "trace.log"
    r = run(cmds + list(extra_cmds), devices, args=args, extra=TRACE + ["-D", str(trace)])
    for k, (_, data) in enumerate(imgs):
        check_reads(r, data, reads, skip=k * len(reads))
    return r, trace


def test_no_bus_reset_and_wdtr_once_per_target(tmp_path):
    """53C895A: the bus is free, so no reset; WDTR (8-bit) at each target's first
    selection and never again; the disks read right."""
    ids = [0, 2, 5]
    r, trace = boot_and_read(tmp_path, "lsi53c895a", ids)
    assert_clean(r)
    expect_start(r, "bus free, no reset, 0 ms settle")
    sent, selections = negotiations(trace)
    assert sent == {t: ["WDTR"] for t in ids}, (sent, r.describe())
    assert all(selections[t] > 4 for t in ids), selections     # a scan and reads followed
    ignored = trace.read_text().count("lsi_do_msgout_ignored WDTR (ignored)")
    assert ignored == len(ids), trace.read_text()


def test_53c810_negotiates_with_sdtr(tmp_path):
    """53C810 (narrow): SDTR with offset 0 instead of WDTR."""
    ids = [1, 6]
    r, trace = boot_and_read(tmp_path, "lsi53c810", ids)
    assert_clean(r)
    expect_start(r, "bus free, no reset, 0 ms settle")
    sent, _ = negotiations(trace)
    assert sent == {t: ["SDTR"] for t in ids}, (sent, r.describe())


def test_reset_option_still_resets_the_bus(tmp_path):
    """lsi=reset: the bus reset (and its settle) at start, and the negotiation too."""
    ids = [0, 3]
    r, trace = boot_and_read(tmp_path, "lsi53c895a", ids, args="lsi=reset,settle=7")
    assert_clean(r)
    expect_start(r, r"bus reset \(lsi=reset\), 7 ms settle")
    sent, _ = negotiations(trace)
    assert sent == {t: ["WDTR"] for t in ids}, (sent, r.describe())


def test_negotiated_again_after_a_bus_reset(tmp_path):
    """A request times out, HwResetBus resets the bus: every target's next
    selection negotiates again (once), and the reads still check out."""
    path, data = image("nego-again.img", 2 << 20, 320)
    devices = lsi("lsi0") + disk(path, "lsi0", 0, "d0") + SLOW       # SLOW: ID 3
    reads = [(0, 8), (0x40, 0x10)]
    trace = tmp_path / "trace.log"
    cmds = (read_cmds(0, reads[:1]) +
            ["scsicdb 1 in 200 t=1 28 00 00 00 00 10 00 00 01 00"] +   # times out: reset
            read_cmds(0, reads[1:]))
    r = run(cmds, devices, timeout=90, extra=TRACE + ["-D", str(trace)])
    assert r.rc == RC_PASS and not r.timed_out, r.describe()
    check_reads(r, data, reads)
    sent, _ = negotiations(trace)
    assert sent.get(0) == ["WDTR", "WDTR"], (sent, r.describe())
    assert sent.get(3) and 1 <= len(sent[3]) <= 2, sent
    assert len(r.find(r"resetting bus 0 \(request timeout\)")) == 1, r.describe()
    assert not r.find(TROUBLE[0]), r.describe()


def expect_start(result, what):
    lines = result.find(START % what)
    assert len(lines) == 1, "start-up line %r missing:\n%s" % (what, result.describe())


def test_options_not_understood_are_said_and_ignored(tmp_path):
    """lsi=... words the miniport does not take (a misspelt word, a number
    with junk after it) get one line each; the rest still applies."""
    ids = [0]
    r, _ = boot_and_read(tmp_path, "lsi53c895a", ids, args="lsi=reset,settle=9x,bogus")
    expect_start(r, r"bus reset \(lsi=reset\), 250 ms settle")
    for word in ("settle=9x", "bogus"):
        assert len(r.find(r"^miniport: lsi: option '%s' not understood \(want settle=MS or "
                          r"reset\); ignored$" % re.escape(word))) == 1, r.describe()
