"""Interrupts: the in-guest check (`selftest irq`: RTC periodic IRQ 8 on a
shared chain, MSI vector composition and delivery, and with QEMU's edu PCI
device a level-triggered INTx line and an end-to-end MSI) through the I/O
APIC and, with noapic=1, through the 8259s; and, read on the host from
QEMU's monitor, the controllers as the kernel programmed them, compared
with the MADT read from guest memory."""

import pytest

from harness import Qemu, assert_guest_passed, boot, expect_lines
from acpi_host import AcpiTables, ioapic_pins, pic_state

CONFIGS = [("q35", ""), ("pc", ""), ("q35", "noapic=1"), ("pc", "noapic=1")]


@pytest.mark.parametrize("machine,opts", CONFIGS, ids=["q35", "pc", "q35-8259", "pc-8259"])
def test_selftest_irq(machine, opts):
    r = boot("%s -- selftest irq; irqinfo; poweroff" % opts, machine=machine,
             devices=["-device", "edu"], timeout=40)
    via = "8259" if opts else "I/O APIC"
    expect_lines(r, [
        r"^PASS: irq: RTC periodic interrupt through the %s \(IRQ 8, vector 0x[0-9a-f]+\)" % via,
        r"^PASS: irq: shared line: both handlers ran on all",
        r"^PASS: irq: detached handler not called again",
        r"^PASS: irq: msi_alloc: ",
        r"^PASS: irq: MSI vector 0x[0-9a-f]+: one self-IPI",
        r"^PASS: irq: edu INTx: level-triggered through the %s" % via,
        r"^PASS: irq: edu INTx: 20 of 20 raises delivered exactly once",
        r"^PASS: irq: edu MSI: vector 0x[0-9a-f]+, 20 of 20 raises delivered exactly once",
        r"^total \d+, spurious 0, unclaimed \d+, local APIC errors 0$"])
    assert_guest_passed(r, min_checks=10)


def test_selftest_irq_without_edu_skips():
    r = boot("-- selftest irq; poweroff", timeout=30)
    expect_lines(r, [r"^SKIP: irq: PCI INTx and MSI: no edu device"])
    assert_guest_passed(r, min_checks=5)


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_controllers_as_programmed(machine):
    """I/O APIC mode with the PIT clock's IRQ 0 attached: the 8259s remapped
    to 0x20/0x28 and masked; in the I/O APIC exactly the pin the MADT's
    override names for IRQ 0 is open, with its polarity and trigger; the
    local APIC enabled with spurious vector 0xFF and LINT0 masked."""
    with Qemu("notsc=1 -- sleep 0.2; irqinfo", machine=machine, hmp=True, timeout=30) as q:
        q.wait_for(r"^=> $", after=q.wait_for(r"^total \d+"))
        host = AcpiTables(q)
        pic = q.hmp("info pic")
        lapic = q.hmp("info lapic")
        q.kill()
    r = q.result
    gsi, flags = host.madt_overrides().get(0, (0, 0))
    pins = ioapic_pins(pic)
    assert len(pins) >= 16, pic
    assert [p for p, s in pins.items() if not s["masked"]] == [gsi], pic
    assert pins[gsi]["low"] == ((flags & 3) == 3), pic
    assert pins[gsi]["level"] == ((flags & 0xC) == 0xC), pic
    vec = pins[gsi]["vec"]
    expect_lines(r, [r"^  %02x    IRQ 0/GSI %d\s+edge\s+high\s+1\s+[1-9]\d*\s+0$" % (vec, gsi)])
    p8259 = pic_state(pic)
    assert p8259[0]["imr"] == 0xFF and p8259[1]["imr"] == 0xFF, pic
    assert p8259[0]["irq_base"] == 0x20 and p8259[1]["irq_base"] == 0x28, pic
    assert "SPIV\t 0x000001ff" in lapic, lapic
    assert "LVT0\t 0x00010000" in lapic, lapic          # masked: the 8259s are out


def test_8259_mode_as_programmed():
    """noapic=1: every I/O APIC pin masked, IRQ 0 open on the master 8259,
    LINT0 in ExtINT (virtual wire) so the 8259 reaches the CPU."""
    with Qemu("notsc=1 noapic=1 -- sleep 0.2; irqinfo", machine="q35", hmp=True, timeout=30) as q:
        q.wait_for(r"^=> $", after=q.wait_for(r"^total \d+"))
        pic = q.hmp("info pic")
        lapic = q.hmp("info lapic")
        q.kill()
    pins = ioapic_pins(pic)
    assert pins and all(s["masked"] for s in pins.values()), pic
    p8259 = pic_state(pic)
    assert p8259[0]["imr"] == 0xFE and p8259[1]["imr"] == 0xFF, pic
    assert p8259[0]["irq_base"] == 0x20 and p8259[1]["irq_base"] == 0x28, pic
    assert "LVT0\t 0x00000700" in lapic, lapic
    expect_lines(q.result, [r"^  20    IRQ 0\s+edge\s+high\s+1\s+[1-9]\d*\s+0$"])
