"""The shell core: boot-time commands, the prompt, line editing, history,
completion, and bad input (one clear line, the prompt comes back)."""

from harness import Qemu, boot, expect_lines


def test_boot_commands_run_in_order():
    with Qemu("-- echo first; echo 'second one'; version") as q:
        q.wait_for(r"^ata-scsi .* \(i386, multiboot\)")
        q.wait_for(r"^=> $")
    expect_lines(q.result, [r"^=> echo first$", r"^first$", r"^second one$",
                            r"^command line: .*-- echo first"])


def test_bad_input_gives_one_line_and_continues():
    args = ("badword loglevel=9 -- nosuchcmd; help nosuch; "
            "echo " + "x " * 30 + "; echo still-alive; echo 'unterminated")
    with Qemu(args) as q:
        q.wait_for(r"^error: unterminated quote$")
        q.wait_for(r"^=> $")
    expect_lines(q.result, [
        r"^cmdline: error: loglevel=9: want 0",
        r"^cmdline: error: 'badword': not key=value",
        r"^Unknown command 'nosuchcmd' - try 'help'$",
        r"^help: no command 'nosuch'$",
        r"^error: too many arguments$",
        r"^still-alive$",
        r"^error: unterminated quote$"])


def test_help_lists_every_command_with_syntax():
    with Qemu("-- help; help help") as q:
        q.wait_for(r"^usage: help ")
    log = q.result.log
    for name in ("help", "version", "echo"):
        assert "\n%-10s " % name in "\n" + log, q.result.describe()


def test_interactive_editing_history_completion():
    with Qemu("") as q:
        q.wait_for(r"^=> ")
        n = q.line_count()
        # Type "ecXo hi", go left 4, backspace the X... edit to "echo hi".
        q.send("ecXo hi")
        q.send("\x1b[D" * 4 + "\x7f" + "h\r", delay=0.01)
        q.wait_for(r"^hi$", after=n)
        # History: Up recalls "echo hi"; append and run.
        n = q.line_count()
        q.send("\x1b[A" + " again\r", delay=0.01)
        q.wait_for(r"^hi again$", after=n)
        # Tab completes a unique command name ("vers" -> "version ").
        n = q.line_count()
        q.send("vers\t\r", delay=0.01)
        q.wait_for(r"\(i386, multiboot\)", after=n)
        # Ctrl-C abandons a line; Ctrl-U clears one; junk bytes are ignored.
        n = q.line_count()
        q.send("echo lost\x03", delay=0.01)
        q.wait_for(r"\^C", after=n)
        q.send("garbage\x15echo \x02\x06\x0bkept\r", delay=0.01)
        q.wait_for(r"^kept$", after=n)
        # An overlong line is refused past the limit, not overflowed.
        n = q.line_count()
        q.send("echo " + "y" * 400 + "\r")
        i = q.wait_for(r"^y+$", after=n)
        assert len(q.result.lines[i][1]) == 256 - 1 - 5
        q.send("nosuch\r")
        q.wait_for(r"^Unknown command 'nosuch'", after=n)
        q.wait_for(r"=> $", after=n + 1)


def test_console_option_moves_the_console_to_com2():
    import os
    from harness import LOGDIR
    com2 = os.path.join(LOGDIR, "com2.log")
    if os.path.exists(com2):
        os.unlink(com2)
    r = boot("console=com2 -- echo on-com2; poweroff", extra=["-serial", "file:" + com2])
    text = open(com2, errors="replace").read()
    assert "on-com2" in text and "ata-scsi " in text, text    # the banner too: read before the heap
    assert "unknown option" not in text, text
    assert "on-com2" not in r.log, r.describe()
    assert r.rc == 1, r.describe()


def test_bad_console_option_is_reported():
    # console= and loglevel= are read before the command line is parsed; they still
    # count as known options, and an unknown one is still reported.
    r = boot("console=com9 loglevel=2 bogus=1 -- poweroff")
    expect_lines(r, [r"^cmdline: error: console=com9: want com1\.\.com4",
                     r"^cmdline: error: unknown option 'bogus=1' \(ignored\)"])
    assert "unknown option 'console" not in r.log and "unknown option 'loglevel" not in r.log, \
        r.describe()
    assert r.rc == 1, r.describe()


def test_overlong_console_option_is_reported_not_cut_short():
    # Read before the heap into a small buffer: a value that does not fit must
    # not be taken as its first characters (here port 0x2f).
    r = boot("console=0x000000000000000000002f8x -- poweroff")
    expect_lines(r, [r"^cmdline: error: console=0x0+\.\.\.: want com1\.\.com4"])
    assert r.rc == 1, r.describe()
