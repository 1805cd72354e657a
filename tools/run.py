#!/usr/bin/env python3
"""`make run`: boot the kernel in QEMU with the serial console on this
terminal.  Quit with `poweroff` at the prompt, or Ctrl-A then X (QEMU's
escape); Ctrl-A C switches to QEMU's monitor and back."""

import argparse
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
BUILD = os.path.join(ROOT, "build")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--machine", default="q35", choices=["q35", "pc"])
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--append", default="", help="kernel command line")
    ap.add_argument("--gdb", action="store_true", help="halt at start, gdb stub on :1234")
    ap.add_argument("extra", nargs="*", help="extra QEMU arguments")
    args = ap.parse_args()

    cmd = ["qemu-system-x86_64", "-M", args.machine, "-m", args.memory, "-smp", "1",
           "-accel", "tcg", "-nodefaults", "-no-user-config", "-display", "none",
           "-serial", "mon:stdio", "-no-reboot",
           "-kernel", os.path.join(BUILD, "kernel.elf"), "-append", args.append]
    if args.gdb:
        cmd += ["-s", "-S"]
    cmd += args.extra
    print("QEMU: " + " ".join(cmd))
    print("(quit: 'poweroff' at the prompt, or Ctrl-A X)")
    sys.stdout.flush()
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
