"""The fault report: CPU exceptions, the double-fault task, panic, NMI,
machine check, a fault inside the report, unhandled device vectors, and
stopping without isa-debug-exit; driven by the `fault` shell command
(kernel/faultcmds.c) and QEMU's monitor (nmi, mce).

Every fault must print its report and end QEMU with the fault status (rc 5)
well before the timeout.  The checks are made against the build, not against
the guest's word: the stack's guard page is checked to lie in RAM the
memory map offers and outside the kernel image (build/kernel.sym), the
backtrace's first frame is symbolised on the host with addr2line on
build/kernel.elf, and every name the kernel printed from its embedded
symbol table is checked against the ELF's own symbol table.
"""

import bisect
import os
import re
import subprocess
import time

import pytest

from harness import BUILD, KERNEL, RC_FAIL, RC_FAULT, RC_PASS, Qemu, boot, expect_lines

SYMFILE = os.path.join(BUILD, "kernel.sym")
TIMEOUT = 30

FRAME_RX = re.compile(r"^  #(\d+)\s+(pc|ret)\s+([0-9a-f]{8})(?: (\S+)\+0x([0-9a-f]+))?$")
REGS_RX = [r"^  EIP [0-9a-f]{8}.*EFLAGS [0-9a-f]{8} \[",
           r"^  EAX [0-9a-f]{8}  EBX [0-9a-f]{8}  ECX [0-9a-f]{8}  EDX [0-9a-f]{8}$",
           r"^  ESI [0-9a-f]{8}  EDI [0-9a-f]{8}  EBP [0-9a-f]{8}  ESP [0-9a-f]{8}$",
           r"^  CS 0008  DS 0010  ES 0010  FS 0010  GS 0010  SS 0010$",
           r"^  CR0 [0-9a-f]{8}  CR2 [0-9a-f]{8}  CR3 [0-9a-f]{8}  CR4 [0-9a-f]{8}$"]


def elf_symbols():
    """{name: addr} of every symbol, and the sorted function symbols."""
    names, funcs = {}, []
    with open(SYMFILE) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 3:
                continue
            addr, kind, name = int(parts[0], 16), parts[1], parts[2]
            names[name] = addr
            if kind in "tTwW":
                funcs.append((addr, name))
    funcs.sort()
    return names, funcs


def host_function(funcs, addr):
    """The function symbol at or below addr, from the ELF's symbol table."""
    i = bisect.bisect_right([a for a, _ in funcs], addr) - 1
    return funcs[i] if i >= 0 else (None, None)


def addr2line(addr):
    out = subprocess.run(["addr2line", "-f", "-e", KERNEL, "%x" % addr],
                         check=True, capture_output=True, text=True).stdout
    return out.splitlines()[0]


def frames(result):
    """Backtrace lines after the last 'backtrace:' line: (n, kind, addr, name, off)."""
    lines = [t for _, t in result.lines]
    start = max(i for i, t in enumerate(lines) if t == "backtrace:")
    out = []
    for t in lines[start + 1:]:
        m = FRAME_RX.match(t)
        if m:
            out.append((int(m.group(1)), m.group(2), int(m.group(3), 16), m.group(4),
                        int(m.group(5), 16) if m.group(5) else None))
        elif not t.startswith("      (#"):
            break
    return out


def check_backtrace(result, first_function):
    """First frame is first_function (addr2line), every embedded name is right."""
    bt = frames(result)
    assert bt, "no backtrace frames\n" + result.describe()
    _, funcs = elf_symbols()
    for n, kind, addr, name, off in bt:
        where = addr - 1 if kind == "ret" else addr     # the call, for a return address
        sym_addr, sym_name = host_function(funcs, where)
        assert name == sym_name and addr - sym_addr == off, (
            "frame #%d %08x: kernel says %s+%s, the ELF says %s+0x%x\n%s"
            % (n, addr, name, off, sym_name, addr - sym_addr, result.describe()))
    n, kind, addr, _, _ = bt[0]
    want_kind = "ret" if first_function == "fault_panic" else "pc"
    assert kind == want_kind, result.describe()
    fn = addr2line(addr - 1 if kind == "ret" else addr)
    assert fn == first_function, "frame #0 %08x is %s, wanted %s\n%s" % (
        addr, fn, first_function, result.describe())
    return bt


def assert_fault_exit(result):
    assert not result.timed_out, "hung\n" + result.describe()
    assert result.rc == RC_FAULT, "exit status %s, wanted %d\n%s" % (
        result.rc, RC_FAULT, result.describe())


def report_value(result, reg):
    m = result.find(r"\b%s ([0-9a-f]{8})\b" % reg)
    assert m, result.describe(missing=[reg])
    return int(m[-1].group(1), 16)


@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_null_dereference_is_a_page_fault(machine):
    r = boot("-- fault null; echo not-reached", machine=machine, timeout=TIMEOUT)
    expect_lines(r, [r"^FAULT: #PF page fault \(vector 14\) error 00000000: "
                     r"not-present read supervisor$"] + REGS_RX + [r"^backtrace:$"])
    assert report_value(r, "CR2") == 0
    assert "not-reached" not in r.log
    check_backtrace(r, "fault_null")
    assert_fault_exit(r)


STACK_RX = r"^stack   ([0-9a-f]{8}) - ([0-9a-f]{8}) \(16 KiB\), at most \d+ bytes used so far$"
USABLE_RX = r"^usable  ([0-9a-f]{16}) - ([0-9a-f]{16}) "


@pytest.mark.parametrize("machine", ["q35", "pc"])
def test_stack_overflow_is_a_double_fault_on_its_own_stack(machine):
    """The run-time stack comes from the page allocator: its bounds from
    meminfo, checked against the memory map meminfo prints and the kernel
    image in the ELF; the overflow must hit the page below it."""
    syms, _ = elf_symbols()
    r = boot("-- meminfo; fault stack; echo not-reached", machine=machine, timeout=TIMEOUT)
    m = r.find(STACK_RX)
    assert m, r.describe(missing=[STACK_RX])
    bottom, top = int(m[0].group(1), 16), int(m[0].group(2), 16)
    guard = bottom - 0x1000
    assert top - bottom == 0x4000 and bottom % 0x1000 == 0, r.describe()
    assert guard >= syms["_kernel_end"] or top <= syms["_kernel_start"], r.describe()
    usable = [(int(u.group(1), 16), int(u.group(2), 16)) for u in r.find(USABLE_RX)]
    assert any(a <= guard and top <= b for a, b in usable), r.describe()
    expect_lines(r, [r"^FAULT: #DF double fault \(vector 8\) error 00000000$",
                     r"^  interrupted task \(TSS 0018\), registers from its TSS:$",
                     r"^FAULT: kernel stack overflow: ESP [0-9a-f]{8}, CR2 [0-9a-f]{8}; "
                     r"guard page %08x\.\.%08x lies below the stack %08x\.\.%08x$"
                     % (guard, bottom - 1, bottom, top - 1)] + REGS_RX + [r"^backtrace:$"])
    cr2 = report_value(r, "CR2")
    assert guard <= cr2 < bottom, "CR2 %08x not in the guard page %08x..%08x\n%s" % (
        cr2, guard, bottom, r.describe())
    esp = report_value(r, "ESP")
    assert guard <= esp <= bottom + 0x1000, r.describe()
    bt = check_backtrace(r, "fault_stack")
    # The recursion is folded, so the frames below it show who started it.
    _, funcs = elf_symbols()
    callers = [host_function(funcs, a - 1)[1] for _, k, a, _, _ in bt if k == "ret"]
    assert callers[0] == "fault_stack" and "fault_stack_start" in callers, r.describe()
    assert "do_fault" in callers, r.describe()
    assert_fault_exit(r)


@pytest.mark.parametrize("kind,header,function", [
    ("ud", r"^FAULT: #UD invalid opcode \(vector 6\)$", "fault_ud"),
    ("div0", r"^FAULT: #DE divide error \(vector 0\)$", "fault_div0"),
    ("gp", r"^FAULT: #GP general protection \(vector 13\) error 00000028: "
           r"GDT selector 0028$", "fault_gp"),
])
def test_exception_report(kind, header, function):
    r = boot("-- fault %s; echo not-reached" % kind, timeout=TIMEOUT)
    expect_lines(r, [header] + REGS_RX + [r"^backtrace:$"])
    assert "not-reached" not in r.log
    check_backtrace(r, function)
    assert_fault_exit(r)


def test_panic_prints_message_and_backtrace():
    r = boot("-- fault panic; echo not-reached", timeout=TIMEOUT)
    expect_lines(r, [r"^panic: fault_panic: deliberate panic from the shell$",
                     r"^backtrace:$"])
    assert "not-reached" not in r.log
    bt = check_backtrace(r, "fault_panic")
    assert any(name == "do_fault" for _, _, _, name, _ in bt), r.describe()
    assert_fault_exit(r)


def test_fault_inside_the_report_stops_at_once():
    r = boot("-- fault nested; echo not-reached", timeout=TIMEOUT)
    expect_lines(r, [r"^FAULT: #UD invalid opcode \(vector 6\)$",
                     r"^FAULT: #UD at EIP [0-9a-f]{8} during the fault report; stopping$"])
    assert len(r.find(r"^FAULT: #UD invalid opcode")) == 1, r.describe()
    assert not r.find(r"^backtrace:"), r.describe()
    assert_fault_exit(r)


def test_software_nmi_is_reported_and_execution_continues():
    r = boot("-- fault nmi; echo still-running; poweroff", timeout=TIMEOUT)
    expect_lines(r, [r"^NMI: non-maskable interrupt \(vector 2\)"] + REGS_RX +
                 [r"^backtrace:$", r"^NMI: continuing$",
                  r"^fault nmi: back from the NMI report$", r"^still-running$"])
    check_backtrace(r, "fault_nmi")
    assert r.rc == RC_PASS, r.describe()


def test_nmi_from_the_monitor_is_reported_and_execution_continues():
    with Qemu("", hmp=True, timeout=TIMEOUT) as q:
        q.wait_for(r"^=> ")
        q.hmp("nmi")
        n = q.wait_for(r"^NMI: continuing$")
        q.send("echo still-running\r")
        q.wait_for(r"^still-running$", after=n)
        q.send("poweroff\r")
        q.wait_exit()
    r = q.result
    expect_lines(r, [r"^NMI: non-maskable interrupt \(vector 2\)"] + REGS_RX +
                 [r"^backtrace:$", r"^NMI: continuing$"])
    assert r.rc == RC_PASS, r.describe()


def test_machine_check_from_the_monitor_reports_the_bank():
    # An uncorrected error with a valid address, injected into bank 1.
    status, mcg_status, addr = 0xB400000000001134, 0x5, 0x1234000
    with Qemu("", hmp=True, timeout=TIMEOUT) as q:
        q.wait_for(r"^=> ")
        try:
            q.hmp("mce 0 1 0x%x 0x%x 0x%x 0" % (status, mcg_status, addr))
        except (OSError, ValueError):
            pass            # the guest may stop QEMU before the monitor answers
        q.wait_exit()
    r = q.result
    expect_lines(r, [r"^FAULT: #MC machine check \(vector 18\)$"] + REGS_RX + [
        r"^  MCG_STATUS %016x, \d+ banks$" % mcg_status,
        r"^  bank 1: status %016x addr %016x$" % (status, addr),
        r"^backtrace:$"])
    assert_fault_exit(r)


def test_bad_kind_prints_usage():
    r = boot("-- fault; fault bogus; poweroff", timeout=TIMEOUT)
    lines = expect_lines(r, [r"^usage: fault (\w+\|)+\w+$", r"^usage: fault "])
    kinds = lines[0].split(" ", 2)[2].split("|")
    assert {"null", "stack", "ud", "div0", "panic"} <= set(kinds), r.describe()
    assert r.rc == RC_FAIL and not r.timed_out, r.describe()


def test_without_debug_exit_a_fault_halts_with_interrupts_off():
    with Qemu("-- fault ud", debug_exit=False, hmp=True, timeout=TIMEOUT) as q:
        q.wait_for(r"^stopped: halting with interrupts off$")
        time.sleep(0.5)
        regs = q.hmp("info registers")
        alive = q.proc.poll() is None
    r = q.result
    assert alive, "QEMU ended instead of halting\n" + r.describe()
    eip = int(re.search(r"EIP=([0-9a-f]{8})", regs).group(1), 16)
    eflags = int(re.search(r"EFL=([0-9a-f]{8})", regs).group(1), 16)
    assert "HLT=1" in regs and not eflags & 0x200, regs
    _, funcs = elf_symbols()
    assert host_function(funcs, eip - 1)[1] == "trap_stop", regs


def test_unhandled_device_vector_is_counted_logged_once_and_returns():
    r = boot("-- fault stray; fault stray; poweroff", timeout=TIMEOUT)
    lines = expect_lines(r, [r"^fault stray: vector (\d+): 2 self-IPIs sent, 2 counted",
                             r"^fault stray: vector (\d+): 2 self-IPIs sent, 4 counted"])
    vector = re.search(r"vector (\d+)", lines[0]).group(1)
    assert 32 <= int(vector) < 255, r.describe()
    logged = r.find(r"^trap: warning: vector %s: no handler" % vector)
    assert len(logged) == 1, r.describe()
    assert r.rc == RC_PASS, r.describe()
