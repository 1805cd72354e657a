"""`scsi bench`: the jobs really move the data they report (checked in QEMU's
own block statistics and in the disk image), the markers the host-side
benchmark counts between are there, and bad input gets one clear line."""

import os
import re
import subprocess
import time

from harness import BUILD, LOGDIR, Qemu, boot, expect_lines

ROOT = os.path.dirname(BUILD)
MiB = 1 << 20
RESULT = r"^sd0: %s, %s, QD %d: %d I/Os in [\d.]+ ms: [\d.]+ MB/s, \d+ IOPS, [\d.]+ interrupts/I/O$"


def ahci_disk(spec, node="disk0"):
    return ["-blockdev", spec.replace("NODE", node),
            "-device", "ide-hd,drive=%s,bus=ide.0" % node]


def null_disk(size=64 * MiB):
    return ahci_disk("driver=null-co,node-name=NODE,size=%d,read-zeroes=on" % size)


def blockstats(q):
    """(read bytes, read ops, written bytes, write ops) of disk0, from QEMU."""
    for s in q.qmp("query-blockstats"):
        if s.get("node-name") == "disk0" or s.get("qdev", "").endswith("ide.0"):
            st = s["stats"]
            return st["rd_bytes"], st["rd_operations"], st["wr_bytes"], st["wr_operations"]
    raise AssertionError("no disk0 in query-blockstats")


def run_job(q, command, result_re):
    n = q.line_count()
    q.send(command + "\n")
    i = q.wait_for(result_re, after=n, timeout=60)
    q.wait_for(r"^=> ", after=i)


def test_reads_are_what_the_result_line_says():
    """QD 1 (disk layer) and QD 32 (async port API): QEMU counts the reads."""
    with Qemu("-- scsi device 0", memory="256M", devices=null_disk(), hmp=True,
              timeout=120) as q:
        q.wait_for(r"is now current device")
        q.wait_for(r"^=> ")
        jobs = [("scsi bench seq 1 128k 6m", "seq read", "128 KiB", 1, 48, 128 * 1024),
                ("scsi bench rand 1 4k 1m", "rand read", "4 KiB", 1, 256, 4096),
                ("scsi bench rand 32 4k 2m", "rand read", "4 KiB", 32, 512, 4096),
                ("scsi bench rand 5 8k 400k", "rand read", "8 KiB", 5, 50, 8192)]
        for cmd, kind, size, qd, ios, io_bytes in jobs:
            before = blockstats(q)
            run_job(q, cmd, RESULT % (kind, size, qd, ios))
            after = blockstats(q)
            assert after[0] - before[0] == ios * io_bytes, (cmd, before, after)
            assert after[1] - before[1] == ios, (cmd, before, after)
            assert after[2:] == before[2:], (cmd, "wrote", before, after)
        q.send("poweroff\n")
        q.wait_exit()


def test_writes_cover_exactly_the_job(tmp_path):
    """Sequential writes from block 0: the image changes there and only there;
    a job longer than the disk wraps to block 0."""
    img = tmp_path / "disk.img"
    size = 4 * MiB
    img.write_bytes(b"\xa5" * size)
    spec = "driver=file,node-name=NODEf,filename=%s" % img
    devices = ["-blockdev", spec.replace("NODE", "disk0"),
               "-blockdev", "driver=raw,node-name=disk0,file=disk0f",
               "-device", "ide-hd,drive=disk0,bus=ide.0"]
    r = boot("-- scsi device 0; scsi bench write 1 64k 1m; scsi bench write 8 4k 256k; poweroff",
             memory="256M", devices=devices, timeout=60)
    expect_lines(r, [RESULT % ("seq write", "64 KiB", 1, 16), RESULT % ("seq write", "4 KiB", 8, 64)])
    data = img.read_bytes()
    assert data[:MiB] == bytes(MiB), "the first MiB was not written with the bench's zeros"
    assert data[MiB:] == b"\xa5" * (size - MiB), "the bench wrote past its range"

    img.write_bytes(b"\xa5" * size)
    r = boot("-- scsi device 0; scsi bench write 4 64k 5m; poweroff", memory="256M",
             devices=devices, timeout=60)
    expect_lines(r, [RESULT % ("seq write", "64 KiB", 4, 80)])
    assert img.read_bytes() == bytes(size), "a wrapping job did not write the whole disk"


def test_markers_bracket_each_job():
    """Port 0x80 (0xa5, 0x5a) and the plugin's marker instructions come in one
    pair per job, and the controller's doorbell is rung inside each pair once
    per I/O at least."""
    plugin = os.path.join(BUILD, "bench", "insncount.so")
    os.makedirs(os.path.dirname(plugin), exist_ok=True)
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", plugin,
                    os.path.join(ROOT, "tools", "bench", "insncount.c")], check=True)
    trace = os.path.join(LOGDIR, "scsibench-markers.trace")
    if os.path.exists(trace):
        os.unlink(trace)
    r = boot("-- scsi device 0; scsi bench rand 1 4k 256k; scsi bench rand 16 4k 512k; poweroff",
             memory="256M", devices=null_disk(),
             extra=["-plugin", plugin, "-d", "plugin", "-D", trace,
                    "-trace", "enable=memory_region_ops_write"], timeout=60)
    expect_lines(r, [RESULT % ("rand read", "4 KiB", 1, 64), RESULT % ("rand read", "4 KiB", 16, 128)])
    posts, marks, doorbells = [], [], []
    with open(trace) as f:
        for ln in f:
            m = re.match(r"memory_region_ops_write cpu \S+ mr \S+ addr (\S+) value (\S+) "
                         r"size \d+ name '([^']*)'", ln)
            if m and m.group(3) == "ioport80":
                posts.append(int(m.group(2), 16))
                if posts[-1] == 0xa5:
                    doorbells.append(0)
            elif m and m.group(3) == "ahci" and int(m.group(1), 16) & 0xfff == 0x138 and \
                    posts and posts[-1] == 0xa5:
                doorbells[-1] += 1                  # PxCI, port 0
            elif ln.startswith("insn-mark "):
                marks.append(ln.split()[1])
    os.unlink(trace)
    assert posts == [0xa5, 0x5a] * 2, posts
    assert marks == ["B", "E"] * 2, marks
    assert doorbells[0] >= 64 and doorbells[1] >= 1, doorbells
    assert doorbells[0] <= 64 * 2 and doorbells[1] <= 128, doorbells


def test_defaults_then_bad_input_one_line_each():
    script = ("scsi device 0; scsi bench; scsi bench fast; scsi bench rand 0; "
              "scsi bench rand 65; scsi bench rand 1 1000; scsi bench rand 1 4k 1k; "
              "scsi bench rand 1 8m; scsi bench rand 2 4m; scsi bench seq 1 128k lots; "
              "scsi bench rand 1 4k 64k extra; echo alive; poweroff")
    r = boot("-- " + script, memory="256M", devices=null_disk(), timeout=60)
    expect_lines(r, [
        RESULT % ("seq read", "128 KiB", 1, 4096),
        RESULT % ("rand read", "4 KiB", 1, 8192),
        RESULT % ("rand read", "4 KiB", 32, 8192),
        r"^scsi bench: 'fast' is not seq, rand or write$",
        r"^scsi bench: queue depth '0': want 1 to 64$",
        r"^scsi bench: queue depth '65': want 1 to 64$",
        r"^sd0: bench: size 1000 is not a whole number of 512-byte blocks$",
        r"^sd0: bench: total 1024 is less than one I/O of 4096 bytes$",
        r"^scsi bench: size '8m': want 1 block to 4096 KiB$",
        r"^sd0: bench: 4096 KiB per request is over the adapter's limit of \d+ KiB at QD > 1$",
        r"^scsi bench: total 'lots' is not a size",
        r"^usage: scsi ",
        r"^alive$"])


def test_ctrl_c_stops_a_long_job():
    """A job far too long to wait for stops at Ctrl-C, says so, and the device
    still works afterwards."""
    with Qemu("-- scsi device 0", memory="256M", devices=null_disk(), timeout=60) as q:
        q.wait_for(r"is now current device")
        q.wait_for(r"^=> ")
        for cmd in ("scsi bench seq 1 128k 1000g", "scsi bench rand 8 4k 1000g"):
            n = q.line_count()
            q.send(cmd + "\n")
            q.wait_for(r"^=> " + re.escape(cmd), after=n)
            time.sleep(1.0)                     # a ^C before the job starts is forgotten
            q.send("\x03")
            i = q.wait_for(r"^sd0: .* I/Os in .* \(interrupted\)$", after=n, timeout=20)
            q.wait_for(r"^=> ", after=i)
        n = q.line_count()
        q.send("scsi bench rand 1 4k 64k\n")
        q.wait_for(RESULT % ("rand read", "4 KiB", 1, 16), after=n, timeout=20)
