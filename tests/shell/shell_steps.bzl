"""The steps of the shell system tests (tests/shell/BUILD): what is typed at
the shell and what it must answer, shared by both systems."""

load("//tests/qemu:qemu_test.bzl", "expect", "send")

PROMPT = "SYS:> "

def command(line, *outputs):
    """Types `line` at the prompt and expects each of `outputs` in turn."""
    return [send(line + "\\n")] + [expect(o) for o in outputs] + [expect(PROMPT)]

BOOT = [
    expect("ViperOS 0\\.1\\.0 shell: type Help for commands"),
    expect(PROMPT),
]

COMMANDS = (
    command("Version", "^ViperOS 0\\.1\\.0 \\(aarch64\\), shell vinit$") +
    command("version", "^ViperOS 0\\.1\\.0 \\(aarch64\\), shell vinit$") +
    command("ECHO hello \"big   world\"", "^hello big   world$") +
    command(
        "Help",
        "^Commands \\(upper or lower case alike\\):$",
        "^  Avail ",
        "^  Break ",
        "^  Caps ",
        "^  Cls ",
        "^  Date ",
        "^  Echo ",
        "^  EndShell ",
        "^  Get ",
        "^  Help ",
        "^  History ",
        "^  Log ",
        "^  Set ",
        "^  Status ",
        "^  Time ",
        "^  Unset ",
        "^  Uptime ",
        "^  Version ",
        "^  Why ",
        "Return codes: 0 ok, 5 warn, 10 error, 20 fail",
    ) +
    command("Help Date", "^Usage: Date$") +
    command("Uptime", "^Up 0 days, 0 h 0 m [0-9]+ s; [0-9]+ processes, [0-9]+ threads$") +
    command(
        "Avail",
        "^Type +Available +In-Use +Maximum$",
        "^bytes +[0-9]+ +[0-9]+ +[0-9]+$",
        "^KiB +[0-9]+ +[0-9]+ +[0-9]+$",
    ) +
    command(
        "Status",
        "^  Id  Name +State +Threads +Handles +Memory$",
        "^ +[0-9]+  kernel +running ",
        "^ +[0-9]+  root +running ",
        "^ +[0-9]+  env +running ",
        "^ +[0-9]+  shell +running ",
    ) +
    command(
        "Caps",
        "^Handle +Kind +Rights +Name$",
        "^0x[0-9a-f]{8}  process +",
        "channel-send +[RWTDMVIPX-]+  slot console$",
        "channel-send +[RWTDMVIPX-]+  slot env$",
        "^[0-9]+ handles \\(rights: ",
    ) +
    command(
        "Date",
        "^(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday) [0-3][0-9]-(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-20[0-9]{2}$",
    ) +
    command("Time", "^[0-2][0-9]:[0-5][0-9]:[0-5][0-9] UTC$") +
    command("Set greeting hello there") +
    command("get GREETING", "^hello there$") +
    command("Unset greeting") +
    command("Get greeting", "Get: no variable \"greeting\"") +
    command("Why", "^The last command failed with return code 5: Get: no variable \"greeting\"$") +
    command("Log 3", "INFO  vinit: ") +
    command("History", "^ +[0-9]+  Version$", "^ +[0-9]+  Log 3$") +
    command("Cls", "\\x1b\\[H\\x1b\\[2J")
)

BAD_INPUT = (
    command("frobnicate now", "Unknown command \"frobnicate\"") +
    command("Why", "^The last command failed with return code 10: Unknown command \"frobnicate\"$") +
    command("Echo ok", "^ok$") +
    command("Why", "^The last command did not fail\\.$") +
    command("Set", "Set: bad or missing argument; usage: Set NAME VALUE") +
    command("Log many", "Log: bad or missing argument; usage: Log \\[N\\]") +
    command("Break nosuchprocess", "Break: no running process is called \"nosuchprocess\"") +
    command("Echo \"unterminated", "Unterminated quote") +
    command("Help Frob", "Help: unknown command \"Frob\"") +
    # Control bytes and an unknown escape sequence are ignored, never echoed.
    command("Echo \\x02\\x06clean\\x12\\x1b[99~", "^clean$") +
    # A line longer than the editor takes is cut, not overflowed.
    command("Echo " + "x" * 240, "^x{195}$")
)

LINE_EDITING = (
    # Backspace, Home, Ctrl+A, End, Ctrl+E, Ctrl+U, Ctrl+K, Delete, arrows.
    command("ecx\\x7fho backspaced", "^backspaced$") +
    command("cho homed\\x1b[He", "^homed$") +
    command("cho ctrl-a\\x01e", "^ctrl-a$") +
    command("echo end\\x01\\x05 reached", "^end reached$") +
    command("echo end key\\x1b[H\\x1b[F ok", "^end key ok$") +
    command("garbage\\x15echo cleared", "^cleared$") +
    command("echo keep tail\\x1b[D\\x1b[D\\x1b[D\\x1b[D\\x1b[D\\x0b", "^keep$") +
    command("echo abXc\\x1b[D\\x1b[D\\x1b[3~", "^abc$") +
    command("echo mid\\x1b[D\\x1b[Dd\\x1b[C\\x1b[C!", "^mdid!$") +
    # Ctrl+C abandons the line.
    [send("echo never\\x03"), expect("\\^C"), expect(PROMPT)] +
    # Tab completes a command name; Up recalls the previous line.
    command("vers\t", "^ViperOS 0\\.1\\.0 \\(aarch64\\), shell vinit$") +
    command("\\x1b[A", "^ViperOS 0\\.1\\.0 \\(aarch64\\), shell vinit$")
)

def stop(process):
    """Breaks `process` from the shell. The root task's report of the restart
    may come before or after the shell's answer (check it with restarted())."""
    return command("Break " + process, "stopped process [0-9]+; its supervisor restarts it")

def restarted(process):
    """The root's report that it restarted `process`, for a test's `require`."""
    return [
        "root: " + process + " exited with status -1001",
        "root: restarting " + process + " \\(restart 1\\)",
    ]

# Stopping a server: its supervisor (the root task) restarts it, and the
# shell goes on. env is in user space in both systems; its variables are
# lost with it. A call made while it restarts waits in the channel and is
# answered by the new instance.
RESTART = (
    command("Set colour blue") +
    stop("env") +
    command("Echo still here", "^still here$") +
    command("Get colour", "Get: no variable \"colour\"") +
    command("Set colour green") +
    command("Get colour", "^green$") +
    command("Status", "^ +[0-9]+  env +running ")
)

# Files on SYS: (the system's disk): made, copied, typed, listed, renamed,
# then Sync. FILES_AGAIN, after a reboot on the same disk, finds them.
FILES = (
    command("Dir", "^     C \\(dir\\)$", "^  README$") +
    command("Type SYS:README", "^Welcome to ViperOS\\.$") +
    command("MakeDir work") +
    command("Copy SYS:README work/notes") +
    command("Type work/notes", "^Welcome to ViperOS\\.$") +
    command("Rename work/notes work/kept") +
    command("List work", "^kept +[0-9]+ rw-d ", "^1 file - 0 directories - [0-9]+ bytes$") +
    command("Type nothing", "^Type: nothing: not found$") +
    command("Why", "^The last command failed with return code 10: Type: nothing: not found$") +
    command("Assign", "^SYS +SYS:$", "^C +SYS:C$") +
    command("Info", "^Volume ViperOS: [0-9]+ KiB, ") +
    command("Sync")
)

FILES_AGAIN = (
    command("Type work/kept", "^Welcome to ViperOS\\.$") +
    command("Delete work", "^Delete: work: not empty \\(add ALL to delete the tree\\)$") +
    command("Delete work ALL", "^work deleted$") +
    command("Dir work", "^Dir: work: not found$")
)

# Programs on the disk (C:): run by Run and by name, with arguments; the
# POSIX layer's check program; a program that faults; what Path does.
PROGRAMS = (
    command("Run hello a b", "^Hello from C:hello, a program loaded from the disk!$",
            "^  argument 1: a$", "^  argument 2: b$") +
    command("hello", "^Hello from C:hello") +
    command("C:hello x", "^  argument 1: x$") +
    command("fsinfo", "^Volume:  ViperOS \\(read/write\\)$", "^Journal: [0-9]+ blocks",
            "^C: +3 programs, [0-9]+ bytes$") +
    command("posix_check", "^posix_check: [0-9]+ passed, 0 failed$") +
    command("Run hello --crash", "^SYS:C/hello: killed for a fault; the shell goes on$") +
    command("Why", "^The last command failed with return code 20: SYS:C/hello: killed for a fault") +
    command("Echo still here", "^still here$") +
    command("Run nothing", "^Run: nothing: not found") +
    command("nothing", "^Unknown command \"nothing\"$") +
    command("Run SYS:README", "^SYS:README: cannot start it: ") +
    command("Path", "^SYS:C$") +
    command("Path ADD SYS:S") +
    command("Path", "^SYS:C$", "^SYS:S$")
)

END = [
    send("EndShell\\n"),
    expect("EndShell: goodbye\\."),
    expect("root: shell ends the system with status 0"),
    expect("root process exited with status 0"),
]
