#!/usr/bin/env python3
"""`make run`: boot the kernel in QEMU with the serial console on this
terminal, with the default disks: on q35, a disk on the built-in AHCI
controller, the project's own image as an ATAPI CD, and an LSI53C895A with
two disks.  The disk images are created in build/disks/ when missing.

Quit with `poweroff` at the prompt, or Ctrl-A then X (QEMU's escape);
Ctrl-A C switches to QEMU's monitor and back."""

import argparse
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, "build")
DISKS = os.path.join(BUILD, "disks")

# name, size in MiB
DEFAULT_DISKS = [("ahci0", 64), ("lsi0", 32), ("lsi1", 16)]


def make_disk(name, mib):
    """A raw image with a recognisable first sector and random data after it."""
    path = os.path.join(DISKS, name + ".img")
    if not os.path.exists(path):
        os.makedirs(DISKS, exist_ok=True)
        with open(path, "wb") as f:
            label = ("ata-scsi default disk %s, %d MiB\n" % (name, mib)).encode()
            f.write(label.ljust(512, b"\0"))
            left = mib * 1024 * 1024 - 512
            while left:
                n = min(left, 1 << 20)
                f.write(os.urandom(n))
                left -= n
        print("created %s (%d MiB)" % (os.path.relpath(path, ROOT), mib))
    return path


def disk_args(machine):
    ahci = make_disk(*DEFAULT_DISKS[0])
    lsi = [make_disk(*d) for d in DEFAULT_DISKS[1:]]
    iso = os.path.join(BUILD, "ata-scsi.iso")
    args = []
    if machine == "pc":
        args += ["-device", "ahci,id=ahci"]
        bus_hd, bus_cd = "ahci.0", "ahci.1"
    else:
        bus_hd, bus_cd = "ide.0", "ide.2"
    args += ["-drive", "file=%s,format=raw,if=none,id=hd0" % ahci,
             "-device", "ide-hd,drive=hd0,bus=%s" % bus_hd]
    if os.path.exists(iso):
        args += ["-drive", "file=%s,format=raw,if=none,id=cd0,media=cdrom,readonly=on" % iso,
                 "-device", "ide-cd,drive=cd0,bus=%s" % bus_cd]
    args += ["-device", "lsi53c895a,id=lsi"]
    for i, path in enumerate(lsi):
        args += ["-drive", "file=%s,format=raw,if=none,id=sd%d" % (path, i),
                 "-device", "scsi-hd,drive=sd%d,bus=lsi.0,scsi-id=%d" % (i, i)]
    return args


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machine", default="q35", choices=["q35", "pc"])
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--append", default="", help="kernel command line")
    ap.add_argument("--gdb", action="store_true", help="halt at start, gdb stub on :1234")
    ap.add_argument("--no-disks", action="store_true", help="no default disks")
    ap.add_argument("extra", nargs="*", help="extra QEMU arguments")
    args = ap.parse_args()

    cmd = ["qemu-system-x86_64", "-M", args.machine, "-m", args.memory, "-smp", "1",
           "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
           "-serial", "mon:stdio", "-no-reboot",
           "-kernel", os.path.join(BUILD, "kernel.elf"), "-append", args.append]
    if not args.no_disks:
        cmd += disk_args(args.machine)
    if args.gdb:
        cmd += ["-s", "-S"]
    cmd += args.extra
    print("QEMU: " + " ".join(cmd))
    print("(quit: 'poweroff' at the prompt, or Ctrl-A X)")
    sys.stdout.flush()
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
