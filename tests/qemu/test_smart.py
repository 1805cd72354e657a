"""`scsi smart`: IDENTIFY and SMART through IOCTL_SCSI_MINIPORT (SRB_IO_CONTROL
"SCSIDISK" + SENDCMDINPARAMS), as NT's disk driver asked miniports for them.
The serial number and model are set on QEMU's command line, so the host
knows what the guest must report."""

import os

from harness import LOGDIR, boot, expect_lines


def disk(name, mib=4):
    path = os.path.join(LOGDIR, name)
    with open(path, "wb") as f:
        f.truncate(mib << 20)
    return path


def test_smart_identify_status_attributes_on_ahci():
    img = disk("smart0.img")
    r = boot("-- scsi info; scsi smart identify; scsi smart enable; scsi smart status; "
             "scsi smart attributes; scsi smart thresholds; scsi smart bogus; poweroff",
             devices=["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                      "-device", "ide-hd,drive=d0,bus=ide.0,serial=SN4242XY,model=BoardDisk 9000"])
    expect_lines(r, [
        r'^sd0: model "BoardDisk 9000" serial "SN4242XY" firmware "',
        r"^sd0: 8192 sectors \(LBA48\), SMART enabled",
        r"^sd0: SMART enabled$",
        r"^sd0: SMART status: OK$",
        r"^sd0:  ID  flags  value  worst  thresh  raw$",
        r"^sd0: +1  [0-9a-f]{4} ",
        r"^sd0: attribute +1 threshold",
        r"^scsi smart: want identify, attributes, thresholds, status or enable$",
    ])
    assert r.rc == 3, r.describe()      # the bogus subcommand fails the script
