"""A request the device does not finish in time: QEMU throttles the disk to
32 KiB/s, so a 220 KiB read takes about 7 s.  (Not longer: when the bus is
reset QEMU itself waits for the throttled request, outside the guest's
control.)  With disk.timeout=2
the port must time the request out at its TimeOutValue, reset the bus
(HwResetBus) and recover: the read fails or retries cleanly, with one error
line, the shell comes back, and another disk on the same adapter - and the
same disk once the throttle is lifted - reads correct data.  Nothing waits
forever."""

import os
import time
import zlib

from harness import LOGDIR, Qemu, expect_lines


def test_hung_request_times_out_resets_and_recovers():
    slow = os.path.join(LOGDIR, "hang-slow.img")
    fast = os.path.join(LOGDIR, "hang-fast.img")
    data = bytes((i * 29) & 0xFF for i in range(1 << 20)) * 4
    for path in (slow, fast):
        with open(path, "wb") as f:
            f.write(data)
    devs = ["-drive", "file=%s,format=raw,if=none,id=d0,throttling.bps-total=32768" % slow,
            "-device", "ide-hd,drive=d0,bus=ide.0",
            "-drive", "file=%s,format=raw,if=none,id=d1" % fast,
            "-device", "ide-hd,drive=d1,bus=ide.2"]
    with Qemu("disk.timeout=2", devices=devs, timeout=120, hmp=True, memory="256M") as q:
        q.wait_for(r"=> $")
        t0 = time.monotonic()
        q.send("scsi read 2000000 0 370\r")
        q.wait_for(r"880 blocks read: (ERROR|OK)$", timeout=90)
        took = time.monotonic() - t0
        n = q.line_count()
        q.send("scsi device 1; scsi read 3000000 0 100; crc32 3000000 20000\r")
        q.wait_for(r"^crc32 for 03000000", after=n)
        q.hmp("block_set_io_throttle d0 0 0 0 0 0 0")
        n = q.line_count()
        q.send("scsi device 0; scsi read 3100000 80 100; crc32 3100000 20000\r")
        q.wait_for(r"^crc32 for 03100000", after=n)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    expect_lines(r, [r"^ahci0: error: 0:0:0: READ\(10\) timed out after 2 s$",
                     r"^ahci0: warning: resetting bus 0 \(request timeout\)$",
                     r"^sd0: read lba \d+: SRB status TIMEOUT \(09\)$",
                     r"880 blocks read: ERROR$"])
    assert took < 90, "the timed-out read took %.1f s" % took
    crcs = [int(m.group(1), 16) for m in r.find(r"^crc32 for 03[01]00000 .* ==> ([0-9a-f]{8})$")]
    assert crcs == [zlib.crc32(data[:0x20000]), zlib.crc32(data[0x10000:0x30000])], r.describe()
