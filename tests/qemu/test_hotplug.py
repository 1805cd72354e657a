"""A device that disappears and comes back: QEMU's monitor removes a scsi-hd
from the LSI bus (device_del) and adds it again (device_add, on a new block
node for the same image file).  After
`scsi scan` the device is gone from `scsi info` and a request to it fails
cleanly; after it is added back and scanned again it is listed and reads
the right data; the other disk works throughout."""

import os
import time
import zlib

from harness import LOGDIR, Qemu


def test_lsi_disk_removed_and_added_back():
    paths, datas = [], []
    for i in range(2):
        p = os.path.join(LOGDIR, "hot%d.img" % i)
        d = bytes(((j * (i + 3)) * 7) & 0xFF for j in range(4096)) * 512
        with open(p, "wb") as f:
            f.write(d)
        paths.append(p)
        datas.append(d)
    devs = ["-device", "lsi53c895a,id=lsi"]
    for i, p in enumerate(paths):
        # -blockdev: unlike an if=none -drive, the node outlives device_del.
        devs += ["-blockdev", "driver=file,filename=%s,node-name=f%d,locking=off" % (p, i),
                 "-blockdev", "driver=raw,file=f%d,node-name=hd%d" % (i, i),
                 "-device", "scsi-hd,drive=hd%d,bus=lsi.0,scsi-id=%d,id=sd%d" % (i, i, i)]
    with Qemu("", devices=devs, memory="256M", hmp=True, timeout=90) as q:
        q.wait_for(r"=> $")
        q.send("scsi info\r")
        q.wait_for(r"^  Device 1: \(lsi0 0:1:0\)")
        # Remove target 1 while the guest idles, then let it look again.
        q.hmp("device_del sd1")
        gone_by = time.monotonic() + 10                 # unplug finishes asynchronously
        while any(p["name"] == "sd1" for p in q.qmp("qom-list", path="/machine/peripheral")):
            assert time.monotonic() < gone_by, "QEMU did not unplug sd1"
            time.sleep(0.1)
        n = q.line_count()
        q.send("scsi scan; scsi device 1\r")
        q.wait_for(r"^scsi device: no device 1 \(scsi info lists them\)$", after=n)
        out = [t for _, t in q.result.lines[n:]]
        assert not any("(lsi0 0:1:0)" in t for t in out), "\n".join(out)
        n = q.line_count()
        q.send("scsi device 0; scsi read 2000000 8 8; crc32 2000000 1000\r")
        q.wait_for(r"^crc32 for 02000000", after=n)
        # Back again.
        # QEMU 7.2 keeps the removed device's hold on its node: a new node, same file.
        q.qmp("blockdev-add", driver="raw", **{"node-name": "hd1b", "file": {
            "driver": "file", "filename": paths[1], "locking": "off"}})
        assert not q.hmp("device_add scsi-hd,drive=hd1b,bus=lsi.0,scsi-id=1,id=sd1b").strip()
        n = q.line_count()
        q.send("scsi scan\r")
        i = q.wait_for(r"^  Device \d+: \(lsi0 0:1:0\) Vendor: QEMU", after=n)
        dev = q.result.lines[i][1].split(":")[0].split()[-1]
        q.send("scsi device %s; scsi read 2100000 10 8; crc32 2100000 1000\r" % dev)
        q.wait_for(r"^crc32 for 02100000", after=i)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    crcs = [int(m.group(1), 16) for m in r.find(r"^crc32 for 02000000 .* ==> ([0-9a-f]{8})$")]
    assert crcs == [zlib.crc32(datas[0][8 * 512:16 * 512])], r.describe()
    crc2 = [int(m.group(1), 16) for m in r.find(r"^crc32 for 02100000 .* ==> ([0-9a-f]{8})$")]
    assert crc2 == [zlib.crc32(datas[1][16 * 512:24 * 512])], r.describe()
