"""`make soak`, short: 16 s of tools/soak.py (its docstring has the design)
as part of `make test`.  Two AHCI and two LSI disks at once, queue depths
1, 4 and 32 in turn, one-shot read/write errors and an always-failing
sector on an AHCI disk (blkdebug), guest bus resets of both adapters by
both routes, and a host throttle of an LSI disk that makes requests time
out.  The host replays every lane and checks every block of every image
file.

What each assertion rests on (none on luck of timing):
  - queue depths and guest resets: the guest's own schedule (phase=3,
    reset=2 over 16 s: phases 1-6, resets 1-4 cover both adapters by both
    routes by 8 s);
  - timeouts: the host throttles an LSI disk when the guest starts a QD 32
    phase, to a rate at which what is queued on it drains in twice the
    timeout, so requests time out and the port resets the bus;
  - injected faults: they sit on sectors that a lane's early operation
    meets (the replay picks them), in the QD 1 phase at the start.
The disk with faults runs one request at a time (the soak's cap): with NCQ
commands out, an AHCI error drives QEMU 7.2 into its own bugs (stale
commands left running after PxCMD.ST is cleared, and a SIGSEGV in
ahci_commit_buf); tools/soak.py's docstring has the details.  Only LSI
disks are throttled here: an AHCI COMRESET waits, inside QEMU, for the
throttled requests (`make soak` throttles both kinds).

The second test shows that the host's check can fail: the images of that
run, with a block put back to an older generation, a byte of another
changed, and a third holding a neighbour's record, must give exactly those
three mismatches."""

import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))

import soak  # noqa: E402

SEED = 7
ARGS = ["--seconds", "16", "--seed", str(SEED), "--phase", "3", "--reset", "2",
        "--throttle", "6", "--throttle-kinds", "lsi", "--timeout", "3", "--mib", "16",
        "--name", "soak-short"]


@pytest.fixture(scope="module")
def run():
    v = soak.run(soak.parse_args(ARGS), log=lambda line: None)
    yield v
    if not v.problems:
        soak.cleanup(v)


def describe(v):
    return "\n".join(v.problems + soak.summary(v)) + "\n" + v.result.describe()


def test_soak_short_every_block_checks_out(run):
    v, f = run, run.figures
    assert not v.problems, describe(v)
    assert f["mismatches"] == 0 and not v.report.lost, describe(v)
    assert f["ios"] > 5000, describe(v)
    # Every queue depth, and resets of both adapters by both routes.
    phases = {int(m.group(1)) for m in v.result.find(r"^soak: phase \d+: QD (\d+)$")}
    assert phases == {1, 4, 32}, describe(v)
    resets = {m.group(1, 2) for m in v.result.find(r"^soak: reset \d+: (\w+) by (\w+)$")}
    assert resets == {(a, how) for a in ("ahci0", "lsi0")
                      for how in ("HwResetBus", "SRB_FUNCTION_RESET_BUS")}, describe(v)
    # The disk with faults ran one request at a time (judge() compared the cap).
    assert [d.qd_cap for d in v.disks if d.conf] == [1], describe(v)
    # The host's throttle made requests time out, and the port reset the bus.
    assert f["throttles"] >= 1 and sum(t for _, t in f["port"].values()) >= 1, describe(v)
    # Injected faults: the one-shot ones met and recovered, the always-failing
    # sector's writes failed and were reported (judge() compared the sets).
    assert f["once_reached"] >= 3 and f["injected"] >= f["once_reached"], describe(v)
    assert f["recovered"] >= 1, describe(v)
    assert f["expected_failed_writes"] >= 1, describe(v)
    assert f["failed_writes"] == f["expected_failed_writes"], describe(v)


def test_verifier_finds_stale_corrupt_and_misplaced_blocks(run):
    v = run
    disk = next(d for d in v.disks if d.kind == "lsi")
    counts = v.report.ops[disk.id]
    uncertain = {k for k in list(v.report.failed) + list(v.report.lost) if k[0] == disk.id}
    may = soak.expected_blocks(disk, SEED, counts, uncertain)
    with open(disk.path, "rb") as f:
        data = bytearray(f.read())
    assert soak.verify_image(disk, bytes(data), may) == [], "the real image must check out"
    written = sorted(lba for lba, gens in may.items() if len(gens) == 1 and min(gens) > 0)
    stale, corrupt, misplaced = written[0], written[len(written) // 2], written[-1]
    bs = soak.BS
    data[stale * bs:(stale + 1) * bs] = soak.block(disk.id, stale, 0)
    data[corrupt * bs + 100] ^= 0x01
    gen = min(may[misplaced])
    data[misplaced * bs:(misplaced + 1) * bs] = soak.block(disk.id, misplaced - 1, gen)
    bad = soak.verify_image(disk, bytes(data), may)
    assert sorted(lba for lba, _ in bad) == sorted([stale, corrupt, misplaced]), bad
