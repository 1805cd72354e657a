"""The image a board engineer writes to a stick: build/ata-scsi.iso, as
`make iso` produced it, booted through GRUB on legacy BIOS (SeaBIOS) and on
UEFI (OVMF, 64-bit and 32-bit), as a CD and as a raw disk.  Each boot must
reach the prompt on COM1 through the default menu entry and answer a
command typed there."""

import os
import shutil

import pytest

from harness import BUILD, LOGDIR, Qemu, expect_lines

ISO = os.path.join(BUILD, "ata-scsi.iso")

CONFIGS = [
    # name, machine, firmware, how the image is attached
    ("bios-q35-cd", "q35", None, "cd"),
    ("bios-pc-cd", "pc", None, "cd"),
    ("bios-q35-disk", "q35", None, "disk"),
    ("bios-pc-disk", "pc", None, "disk"),
    ("uefi64-q35-cd", "q35", "ovmf64", "cd"),
    ("uefi64-q35-disk", "q35", "ovmf64", "disk"),
    ("uefi32-q35-cd", "q35", "ovmf32", "cd"),
]


def attach(name, machine, how):
    """The image as a CD (ATAPI) or a raw disk (a copy: it must not change)."""
    bus = "ide.1" if machine == "pc" else "ide.2"
    if how == "cd":
        return ["-drive", "file=%s,media=cdrom,if=none,id=img,format=raw,readonly=on" % ISO,
                "-device", "ide-cd,drive=img,bus=%s,bootindex=0" % bus]
    copy = os.path.join(LOGDIR, name + ".img")
    shutil.copy(ISO, copy)
    return ["-drive", "file=%s,if=none,id=img,format=raw" % copy,
            "-device", "ide-hd,drive=img,bus=%s,bootindex=0" % bus]


@pytest.mark.parametrize("name,machine,firmware,how", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_image_boots_to_prompt(name, machine, firmware, how):
    assert os.path.exists(ISO), "make iso first"
    with Qemu(machine=machine, firmware=firmware, timeout=120, name="image-" + name,
              memory="256M", devices=attach(name, machine, how)) as q:
        q.wait_for(r"^ready in ")
        q.wait_for(r"=> $")
        n = q.line_count()
        q.send("version\r")
        q.wait_for(r"^ata-scsi .*\(i386, multiboot\)", after=n)
        q.send("scsi info\r")
        q.wait_for(r"=> $", after=n + 2)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    expect_lines(r, [r"^ata-scsi ", r"^pci: \d+ devices", r"^ready in ", r"^=> version"])
    assert r.rc == 1, r.describe()


def test_self_test_menu_entry_passes():
    """The image's self-test menu entry, chosen at GRUB's menu with its
    hotkey, runs the in-guest checks and ends QEMU with the pass status."""
    from harness import assert_guest_passed
    with Qemu(machine="q35", timeout=120, name="image-selftest", memory="256M",
              devices=attach("selftest", "q35", "cd")) as q:
        q.wait_for(r"self-test then power off \(t\)", partial=True)
        q.send("t")
        q.wait_exit()
    assert_guest_passed(q.result, min_checks=10)
