"""Power loss: the guest writes self-describing records (disktest seq),
flushing (SYNCHRONIZE CACHE) or writing with FUA, and reports each point at
which the blocks so far are durable; the host kills QEMU at a random moment
and checks, in the image file, that every block acknowledged as durable
before the kill carries this run's record.  Zero lost acknowledged writes
is the bar."""

import os
import random
import struct
import time
import zlib

from harness import LOGDIR, Qemu

BLOCKS = 0x2000
RUNS = int(os.environ.get("POWERLOSS_RUNS", "8"))


def record_ok(block, gen, lba):
    magic, g, lo, hi, crc = struct.unpack_from("<8sIIII", block)
    return (magic == b"ATASCSI!" and g == gen and (hi << 32 | lo) == lba and
            crc == zlib.crc32(block[:20]))


def one_run(img, gen, mode, rng, devices):
    every = "" if mode == "fua" else " 8"
    args = "-- disktest seq 0 %x %x%s%s" % (BLOCKS, gen, every or " 1", " fua" if mode == "fua" else "")
    with Qemu(args, devices=devices(img), timeout=60, name="powerloss-%s-%d" % (mode, gen)) as q:
        q.wait_for(r"^disktest: (flushed|durable) ")
        time.sleep(rng.uniform(0.0, 0.8))
        q.kill()
    durable = 0
    for m in q.result.find(r"^disktest: (?:flushed|durable) (\d+)$"):
        durable = int(m.group(1))
    with open(img, "rb") as f:
        data = f.read()
    lost = [lba for lba in range(durable) if not record_ok(data[lba * 512:lba * 512 + 512], gen, lba)]
    return durable, lost, q.result


def ahci_disk(img):
    return ["-drive", "file=%s,format=raw,if=none,id=d0,cache=writeback" % img,
            "-device", "ide-hd,drive=d0,bus=ide.0"]


def test_no_acknowledged_write_is_lost_ahci():
    img = os.path.join(LOGDIR, "powerloss-ahci.img")
    with open(img, "wb") as f:
        f.truncate(BLOCKS * 512 * 2)
    rng = random.Random(int(os.environ.get("POWERLOSS_SEED", str(int(time.time())))))
    runs, total, cut = 0, 0, 0
    for gen in range(1, RUNS + 1):
        for mode in ("flush", "fua"):
            durable, lost, r = one_run(img, gen * 2 + (mode == "fua"), mode, rng, ahci_disk)
            assert not lost, "run %d (%s): %d of %d acknowledged blocks lost, first %s\n%s" % (
                gen, mode, len(lost), durable, lost[:5], r.describe())
            runs += 1
            total += durable
            cut += durable < BLOCKS
    print("powerloss: %d runs killed at random points (%d mid-sequence), %d acknowledged "
          "blocks checked, 0 lost" % (runs, cut, total))
    assert cut * 2 >= runs, "most kills came after the sequence ended: the test saw too little"
