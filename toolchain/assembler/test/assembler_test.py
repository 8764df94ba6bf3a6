#!/usr/bin/python3
"""Tests of the system assembler (toolchain/assembler/assemble.py).

    assembler_test.py golden [--update]   golden outputs of systems/mixed.textproto
    assembler_test.py negative [CASE...]  one broken description per diagnostic code
    assembler_test.py placement           the one-line placement diffs of systems/kv.textproto,
                                          systems/bulk.textproto, systems/system.textproto
                                          and systems/services.textproto (whose process
                                          blocks stay), and the overlay
                                          systems/services_overlay.textproto
    assembler_test.py parser              the text-format parser's corner cases
    assembler_test.py robustness [N]      N (default 3000) seeded mutations of the test
                                          descriptions and the board: diagnostics, never
                                          an exception, and each one well-formed
    assembler_test.py rule NONE INSPECT CONTROL DMA SPAWN
                                          component()'s JSON of components declaring no,
                                          "inspect" and "control" system needs, DMA
                                          needs and spawn = True, assembled

Each negative case (negative/<code>.textproto, or <code>.<variant>.textproto
for a second case of one code) states what it expects in header comments:

    # expect: [FILE:]LINE [warning ]CODE: MESSAGE
                                            (FILE defaults to the case itself; a
                                            warning instead of an error)
    #   fix: FIX                            (optional; the fix of the expect above)
    # args: EXTRA ASSEMBLER ARGUMENTS       (paths relative to the workspace root)
    # no-default-board                      (do not pass --board)

and the test checks that the assembler exits with 1 (0 when only warnings
are expected, and then its outputs are written) and reports exactly the
expected diagnostics, both on stderr and in the --json file.
"""

import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
TEST_DIR = os.path.relpath(HERE, ROOT)
TOOL = os.path.join("toolchain", "assembler", "assemble.py")
BOARD = os.path.join("system", "qemu_virt", "board.textproto")
FIXTURES = os.path.join(TEST_DIR, "fixtures")
COMPONENTS = ["kv_store", "kv_client", "console", "null_log", "blob_store", "blob_client",
              "clock", "echo", "huge_client", "huge_server", "orphan", "sys_probe",
              "sys_control", "pipe_store", "pipe_half", "pipe_client", "dma_driver",
              "dma_sizes", "virtio_pair", "launcher"]
INTERFACES = ["kv", "log", "blob", "time", "echo", "huge", "pipes", "pipe"]

sys.path.insert(0, os.path.join(ROOT, "toolchain", "assembler"))


def fixture_args():
    args = []
    for c in COMPONENTS:
        args += ["--component", os.path.join(FIXTURES, "components", c + ".json")]
    for i in INTERFACES:
        args += ["--interface", os.path.join(FIXTURES, "interfaces", i + ".json")]
    return args


def run_tool(args):
    run = subprocess.run(["/usr/bin/python3", TOOL] + args, cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, check=False)
    return run.returncode, run.stdout.decode(), run.stderr.decode()


def tmpdir():
    return tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


class Failures:
    def __init__(self):
        self.items = []

    def check(self, ok, what):
        if not ok:
            self.items.append(what)
        return ok

    def done(self, name):
        for f in self.items:
            print("FAIL: %s" % f)
        if self.items:
            print("%s: %d failures" % (name, len(self.items)))
            return 1
        print("%s: ok" % name)
        return 0


def assemble(system, out_dir, extra=()):
    outs = {
        "manifest": os.path.join(out_dir, "manifest.bin"),
        "report": os.path.join(out_dir, "report.txt"),
        "dot": os.path.join(out_dir, "system.dot"),
        "svg": os.path.join(out_dir, "system.svg"),
        "plan": os.path.join(out_dir, "plan.json"),
        "json": os.path.join(out_dir, "diagnostics.json"),
    }
    args = ["--system", system] + fixture_args() + list(extra)
    for k, v in outs.items():
        args += ["--" + k, v]
    code, _, err = run_tool(args)
    return code, err, outs


def manifest_text(path):
    import schema
    from google.protobuf import text_format
    cls = schema.manifest_class()
    m = cls()
    with open(path, "rb") as f:
        data = f.read()
    m.ParseFromString(data)
    if m.SerializeToString(deterministic=True) != data:
        raise AssertionError("the manifest does not re-encode to the same bytes")
    return text_format.MessageToString(m)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_golden(update):
    fails = Failures()
    out_dir = tmpdir()
    system = os.path.join(TEST_DIR, "systems", "mixed.textproto")
    code, err, outs = assemble(system, out_dir)
    if not fails.check(code == 0, "mixed.textproto: exit %d, stderr:\n%s" % (code, err)):
        return fails.done("golden")
    fails.check(err == "", "unexpected diagnostics:\n" + err)
    produced = {
        "mixed.report.txt": read(outs["report"]),
        "mixed.dot": read(outs["dot"]),
        "mixed.plan.json": read(outs["plan"]),
        "mixed.manifest.txt": manifest_text(outs["manifest"]),
    }
    for name, text in sorted(produced.items()):
        golden = os.path.join(HERE, "golden", name)
        if update:
            with open(os.path.join(os.environ.get("BUILD_WORKSPACE_DIRECTORY", ROOT), TEST_DIR,
                                   "golden", name), "w", encoding="utf-8") as f:
                f.write(text)
            continue
        want = read(golden)
        diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True),
                                            "golden/" + name, "produced"))
        fails.check(want == text, "%s differs from its golden:\n%s" % (name, diff))
    svg = read(outs["svg"])
    fails.check(svg.lstrip().startswith("<?xml") and "<svg" in svg, "the SVG is not an SVG")
    for word in ("cluster_kernel", "instance_kv", "uart0", "irq 33", "system capability"):
        fails.check(word in svg, "the SVG lacks %r" % word)
    fails.check(json.loads(read(outs["json"])) == {"diagnostics": []},
                "the JSON diagnostics of a good system are not empty")
    # Deterministic: a second run gives the same bytes.
    code2, _, outs2 = assemble(system, tmpdir())
    for k in ("manifest", "report", "dot", "svg", "plan"):
        with open(outs[k], "rb") as a, open(outs2[k], "rb") as b:
            fails.check(a.read() == b.read(), "%s differs between two runs" % k)
    # Values of the manifest, checked directly as well as through the golden.
    import schema
    m = schema.manifest_class()()
    with open(outs["manifest"], "rb") as f:
        m.ParseFromString(f.read())
    fails.check([p.name for p in m.processes] ==
                ["kernel", "app", "entropy", "kv", "storage", "watch"],
                "process order: %s" % [p.name for p in m.processes])
    # The last channel is the root task's supervisor log, to the kernel's console.
    fails.check(len(m.channels) == 5 and m.supervisor_log == 5 and
                (m.channels[4].client, m.channels[4].provider, m.channels[4].kernel_end) ==
                ("root.log", "console", 2), "channels: %s supervisor_log %d" %
                (m.channels, m.supervisor_log))
    storage = m.processes[4]
    pipes = [i for i in storage.instances if i.name == "pipes"][0]
    fails.check((pipes.sessions_max, pipes.sessions_per_client) == (8, 2),
                "pipes: session limits %d %d" % (pipes.sessions_max, pipes.sessions_per_client))
    kv = m.processes[3]
    fails.check([(g.kind, g.rights) for g in kv.grants] == [(2, 5), (1, 6)],
                "kv grants: %s" % [(g.kind, g.rights) for g in kv.grants])
    app = m.processes[1]
    cache = [i for i in app.instances if i.name == "cache"][0]
    fails.check(cache.slots[0].local == 1 and cache.slots[0].grant == 0,
                "cache.log is not a direct call to instance 1 (applog)")
    # The system capability: GRANT_SYSTEM (6) with READ (1) for INSPECT in a
    # process, READ|WRITE (3) for CONTROL in the kernel's record, each last
    # in its process and named by its instance.
    watch = m.processes[5]
    fails.check([(g.kind, g.rights) for g in watch.grants][:1] == [(6, 1)] and
                [(i.name, i.system) for i in watch.instances] == [("launcher", 0), ("probe", 1)],
                "watch: grants %s instances %s" % (watch.grants, watch.instances))
    kernel = m.processes[0]
    fails.check([g.kind for g in kernel.grants] == [2, 2, 3, 4, 3, 4, 6] and
                kernel.grants[6].rights == 3 and
                [(i.name, i.system) for i in kernel.instances] ==
                [("clock", 0), ("console", 0), ("reaper", 7)],
                "kernel: grants %s instances %s" % (kernel.grants, kernel.instances))
    # DMA regions: GRANT_DMA (7) with READ|WRITE|MAP|DMA (147), after the
    # process's devices and before its memories, named by the instance's
    # `dma` in need order; the regions say their size and kind.
    storage = m.processes[4]
    disk = [i for i in storage.instances if i.name == "disk"][0]
    fails.check([(g.kind, g.rights, g.dma_region) for g in storage.grants[-2:]] ==
                [(7, 147, 0), (7, 147, 1)] and
                list(disk.dma) == [len(storage.grants) - 1, len(storage.grants)],
                "storage: grants %s disk %s" % (storage.grants, disk))
    fails.check([(d.name, d.size, d.contiguous) for d in m.dma_regions] ==
                [("disk.ring", 65536, True), ("disk.buffers", 1048576, False)],
                "dma regions: %s" % m.dma_regions)
    # Devices of a virtio kind: found at boot (no base, no IRQ line yet) or
    # pinned (the slot's base and line, checked at boot), both with their
    # virtio device ID; the board's slots follow, highest address first.
    fails.check([(g.kind, g.device, g.device_base, g.irq, g.virtio_id)
                 for g in m.processes[2].grants[0:4]] ==
                [(3, "", 0, 0, 4), (4, "", 0, 0, 0),
                 (3, "virtio5", 0x0a000a00, 0, 2), (4, "virtio5", 0x0a000a00, 53, 0)],
                "entropy device grants: %s" % m.processes[2].grants[0:4])
    fails.check(len(m.virtio_slots) == 32 and
                (m.virtio_slots[0].name, m.virtio_slots[0].base, m.virtio_slots[0].irq) ==
                ("virtio31", 0x0a003e00, 79) and m.virtio_slots[31].name == "virtio0",
                "virtio slots: %s" % m.virtio_slots[:2])
    fails.check(all(i.system == 0 for p in m.processes[1:5] for i in p.instances) and
                all(g.kind != 6 for p in m.processes[1:5] for g in p.grants),
                "only probe and reaper may have the system capability")
    # The spawn capability: GRANT_SPAWN (8) with EXEC (0x100), after the
    # system capability, named by its instance; nobody else has it.
    fails.check([(g.kind, g.rights) for g in watch.grants] == [(6, 1), (8, 0x100)] and
                [(i.name, i.spawn) for i in watch.instances] == [("launcher", 2), ("probe", 0)],
                "watch: grants %s instances %s" % (watch.grants, watch.instances))
    fails.check(all(i.spawn == 0 for p in m.processes[:4] for i in p.instances) and
                all(g.kind != 8 for p in m.processes[:4] for g in p.grants),
                "only launcher may have the spawn capability")
    return fails.done("golden")


_HEADER = re.compile(r"#\s*(expect|fix|args|no-default-board)\b:?\s*(.*)$")
_EXPECT = re.compile(r"(?:(?P<file>[^\s:]+):)?(?P<line>\d+) (?:(?P<severity>warning) )?"
                     r"(?P<code>[a-z-]+): (?P<message>.*)$")


def parse_case(path):
    expects, args, board = [], [], True
    with open(os.path.join(ROOT, path), encoding="utf-8", errors="replace") as f:
        text = f.read()  # a case may hold bytes that are not UTF-8 after its header
    for raw in text.splitlines():
        m = _HEADER.match(raw.strip())
        if not m:
            continue
        kind, rest = m.group(1), m.group(2).strip()
        if kind == "expect":
            e = _EXPECT.match(rest)
            if not e:
                raise AssertionError("%s: bad expect line: %s" % (path, raw))
            expects.append({"file": e.group("file") or path, "line": int(e.group("line")),
                            "severity": e.group("severity") or "error",
                            "code": e.group("code"), "message": e.group("message"),
                            "fix": None})
        elif kind == "fix":
            expects[-1]["fix"] = rest
        elif kind == "args":
            args += rest.split()
        else:
            board = False
    return expects, args, board


def test_negative(names):
    fails = Failures()
    case_dir = os.path.join(HERE, "negative")
    cases = sorted(f[:-len(".textproto")] for f in os.listdir(case_dir)
                   if f.endswith(".textproto"))
    if names:
        cases = [c for c in cases if c in names]
    codes = set()
    for case in cases:
        path = os.path.join(TEST_DIR, "negative", case + ".textproto")
        expects, extra, board = parse_case(path)
        if not fails.check(expects, "%s: no expect lines" % case):
            continue
        out_dir = tmpdir()
        json_path = os.path.join(out_dir, "d.json")
        args = ["--system", path, "--json", json_path,
                "--report", os.path.join(out_dir, "report.txt")]
        args += fixture_args() + extra + (["--board", BOARD] if board else [])
        code, _, err = run_tool(args)
        errors = any(e["severity"] == "error" for e in expects)
        fails.check(code == (1 if errors else 0), "%s: exit status %d, not %d; stderr:\n%s" %
                    (case, code, 1 if errors else 0, err))
        fails.check(os.path.exists(os.path.join(out_dir, "report.txt")) != errors,
                    "%s: outputs %s" % (case, "written despite errors" if errors else "missing"))
        try:
            got = json.loads(read(json_path))["diagnostics"]
        except (OSError, ValueError) as e:
            fails.check(False, "%s: no JSON diagnostics: %s" % (case, e))
            continue
        unmatched = list(got)
        for e in expects:
            codes.add(e["code"])
            match = [d for d in unmatched
                     if d["file"] == e["file"] and d["line"] == e["line"] and
                     d["code"] == e["code"] and d["message"] == e["message"] and
                     (e["fix"] is None or d["fix"] == e["fix"])]
            if fails.check(match, "%s: missing %s:%d %s: %s%s\n  got:\n%s" % (
                    case, e["file"], e["line"], e["code"], e["message"],
                    "\n  fix: %s" % e["fix"] if e["fix"] is not None else "",
                    "".join("    %s:%d %s: %s\n      fix: %s\n" %
                            (d["file"], d["line"], d["code"], d["message"], d["fix"])
                            for d in got))):
                unmatched.remove(match[0])
                text = "%s:%d: %s: %s" % (e["file"], e["line"], e["severity"], e["message"])
                fails.check(text in err, "%s: stderr lacks '%s'" % (case, text))
                fails.check(match[0]["severity"] == e["severity"] and match[0]["fix"],
                            "%s: %s has no fix or is not a%s %s" %
                            (case, e["code"], "n" if e["severity"] == "error" else "",
                             e["severity"]))
        for d in unmatched:
            fails.check(False, "%s: unexpected %s:%d %s: %s" % (case, d["file"], d["line"],
                                                                d["code"], d["message"]))
        fails.check(case.split(".")[0] in codes,
                    "%s: the case is named after a code it does not expect" % case)
    if not names:
        try:
            doc = read(os.path.join(ROOT, "docs", "system-description.md"))
        except OSError as e:
            doc = ""
            fails.check(False, "cannot read docs/system-description.md: %s" % e)
        documented = set(re.findall(r"^### `([a-z-]+)`", doc, re.M))
        fails.check(documented - codes == set(),
                    "documented codes without a negative test: %s" % sorted(documented - codes))
        fails.check(codes - documented == set(),
                    "tested codes missing from docs/system-description.md: %s" %
                    sorted(codes - documented))
    print("%d cases, %d codes" % (len(cases), len(codes)))
    return fails.done("negative")


def test_placement():
    fails = Failures()
    base = read(os.path.join(HERE, "systems", "kv.textproto"))
    marker = 'process: "kv"  # the placement line'
    fails.check(base.count(marker) == 1, "kv.textproto lacks the placement line")
    variants = {"kv": "kv", "client": "client", "kernel": "kernel"}
    results = {}
    for place in variants:
        text = base.replace(marker, 'process: "%s"  # the placement line' % place)
        changed = [l for l in difflib.ndiff(base.splitlines(), text.splitlines())
                   if l.startswith(("+ ", "- "))]
        fails.check(len(changed) == (0 if place == "kv" else 2),
                    "%s: not a one-line diff: %s" % (place, changed))
        out_dir = tmpdir()
        path = os.path.join(out_dir, "kv_%s.textproto" % place)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        code, err, outs = assemble(path, out_dir)
        if not fails.check(code == 0, "%s: exit %d:\n%s" % (place, code, err)):
            continue
        import schema
        m = schema.manifest_class()()
        with open(outs["manifest"], "rb") as f:
            m.ParseFromString(f.read())
        results[place] = (json.loads(read(outs["plan"])), m)
    if len(results) != 3:
        return fails.done("placement")
    plan, m = results["kv"]
    fails.check(plan["kernel"] == ["null_log"] and
                [(p["name"], p["components"]) for p in plan["processes"]] ==
                [("client", ["kv_client"]), ("kv", ["kv_store"])], "own process plan: %s" % plan)
    fails.check([(c.client, c.provider, c.kernel_end) for c in m.channels] ==
                [("client.store", "kv", 0), ("kv.log", "log", 2)],
                "own process channels: %s" % m.channels)
    plan, m = results["client"]
    fails.check([(p["name"], p["components"]) for p in plan["processes"]] ==
                [("client", ["kv_client", "kv_store"])], "co-located plan: %s" % plan)
    fails.check([c.client for c in m.channels] == ["kv.log"], "co-located channels")
    client = [i for i in m.processes[1].instances if i.name == "client"][0]
    fails.check(client.slots[0].local == 2 and client.slots[0].grant == 0,
                "co-located: client.store is not a direct call to instance 2 (kv)")
    plan, m = results["kernel"]
    fails.check(plan["kernel"] == ["kv_store", "null_log"] and
                [p["name"] for p in plan["processes"]] == ["client"],
                "kernel plan: %s" % plan)
    fails.check([(c.client, c.kernel_end) for c in m.channels] == [("client.store", 2)],
                "kernel channels: %s" % m.channels)
    kv = [i for i in m.processes[0].instances if i.name == "kv"][0]
    fails.check(kv.slots[0].local == 2 and len(kv.serves) == 1 and kv.serves[0].grant == 1,
                "kernel: kv does not call log directly and serve channel 0: %s" % kv)
    test_bulk_placement(fails)
    test_system_placement(fails)
    test_dma_placement(fails)
    test_services_placement(fails)
    test_overlay(fails)
    return fails.done("placement")


def load_manifest(path):
    import schema
    m = schema.manifest_class()()
    with open(path, "rb") as f:
        m.ParseFromString(f.read())
    return m


def diagnostics_of(outs):
    """(line, severity, code, message) of each diagnostic in the JSON output."""
    return [(d["line"], d["severity"], d["code"], d["message"])
            for d in json.loads(read(outs["json"]))["diagnostics"]]


_UNUSED_CONSOLE = (
    "process 'console' has no instances: instance 'console' %s (line 13), so this block's "
    "settings (priority 11, restart ON_FAILURE max 10, quota memory_kib 1024 handles 16 "
    "threads 2) do not apply: %s")


def test_services_placement(fails):
    """A one-line move of an instance whose process has a full process block
    (priority, restart, quota): into the kernel and into another process.
    Each assembles without errors; the block left behind is a warning."""
    base = read(os.path.join(HERE, "systems", "services.textproto"))
    marker = 'process: "console"  # the placement line'
    fails.check(base.count(marker) == 1, "services.textproto lacks the placement line")
    expected = {
        "console": [],
        "kernel": [(30, "warning", "unused-process", _UNUSED_CONSOLE % (
            "is linked into the kernel",
            "the kernel is never restarted, has no quota and runs above every process"))],
        "store": [(13, "warning", "colocated-authority",
                   "instance 'console' holds device uart0 in process 'store', whose other "
                   "instances ('store') can use it too: they share its address space"),
                  (30, "warning", "unused-process", _UNUSED_CONSOLE % (
                      "runs in process 'store'", "process 'store' keeps its own settings"))],
    }
    results = {}
    for place, want in sorted(expected.items()):
        text = base.replace(marker, 'process: "%s"  # the placement line' % place)
        changed = [l for l in difflib.ndiff(base.splitlines(), text.splitlines())
                   if l.startswith(("+ ", "- "))]
        fails.check(len(changed) == (0 if place == "console" else 2),
                    "services %s: not a one-line diff: %s" % (place, changed))
        out_dir = tmpdir()
        path = os.path.join(out_dir, "services_%s.textproto" % place)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        code, err, outs = assemble(path, out_dir)
        if not fails.check(code == 0, "services %s: exit %d:\n%s" % (place, code, err)):
            continue
        got = diagnostics_of(outs)
        fails.check(got == want, "services %s: diagnostics %s, not %s" % (place, got, want))
        fails.check(all("%s:%d: warning: %s" % (path, w[0], w[3]) in err for w in want),
                    "services %s: stderr lacks the warnings:\n%s" % (place, err))
        results[place] = (json.loads(read(outs["plan"])), load_manifest(outs["manifest"]))
    if len(results) != len(expected):
        return
    plan, m = results["kernel"]
    fails.check(plan["kernel"] == ["console"] and
                [p["name"] for p in plan["processes"]] == ["client", "store"],
                "services kernel: plan %s" % plan)
    fails.check([(c.client, c.kernel_end) for c in m.channels] ==
                [("client.store", 0), ("store.log", 2)],
                "services kernel: channels %s" % m.channels)
    fails.check([p.name for p in m.processes] == ["kernel", "client", "store"] and
                (m.processes[2].priority, m.processes[2].max_restarts) == (10, 10),
                "services kernel: processes %s" % m.processes)
    plan, m = results["store"]
    fails.check([(p["name"], p["components"]) for p in plan["processes"]] ==
                [("client", ["kv_client"]), ("store", ["console", "kv_store"])],
                "services store: plan %s" % plan)
    fails.check([c.client for c in m.channels] == ["client.store"] and
                (m.processes[1].priority, m.processes[1].handles) == (10, 16),
                "services store: the store keeps its settings: %s" % m.processes)


def test_overlay(fails):
    """systems/services_overlay.textproto, which includes services.textproto
    and changes a placement, a bind, a process block and adds an instance,
    assembles to the same bytes as the same system written out whole."""
    outputs = {}
    for name in ("services_overlay", "services_flat"):
        out_dir = tmpdir()
        code, err, outs = assemble(os.path.join(TEST_DIR, "systems", name + ".textproto"),
                                   out_dir)
        if not fails.check(code == 0 and err == "", "%s: exit %d:\n%s" % (name, code, err)):
            return
        outputs[name] = outs
    for k in ("manifest", "report", "plan", "dot"):
        with open(outputs["services_overlay"][k], "rb") as a, \
                open(outputs["services_flat"][k], "rb") as b:
            fails.check(a.read() == b.read(), "overlay: the %s differs from the flat one's" % k)
    m = load_manifest(outputs["services_overlay"]["manifest"])
    store = [p for p in m.processes if p.name == "store"][0]
    fails.check(m.system == "services_overlay" and
                [p.name for p in m.processes] == ["kernel", "client", "store"] and
                (store.priority, store.max_restarts, store.handles, store.threads) ==
                (12, 3, 16, 3) and [i.name for i in store.instances] == ["applog", "store"],
                "overlay: manifest %s" % m)


def test_bulk_placement(fails):
    """The bulk buffer of a channel follows its provider: both ends get it,
    the kernel included; a direct call needs none."""
    base = read(os.path.join(HERE, "systems", "bulk.textproto"))
    marker = 'process: "store"  # the placement line'
    fails.check(base.count(marker) == 1, "bulk.textproto lacks the placement line")
    extra = ["--component", os.path.join(FIXTURES, "blob_cache.json")]
    results = {}
    for place in ("store", "app", "kernel"):
        out_dir = tmpdir()
        path = os.path.join(out_dir, "bulk_%s.textproto" % place)
        with open(path, "w", encoding="utf-8") as f:
            f.write(base.replace(marker, 'process: "%s"  # the placement line' % place))
        code, err, outs = assemble(path, out_dir, extra)
        if not fails.check(code == 0, "bulk %s: exit %d:\n%s" % (place, code, err)):
            continue
        import schema
        m = schema.manifest_class()()
        with open(outs["manifest"], "rb") as f:
            m.ParseFromString(f.read())
        results[place] = (m, read(outs["report"]))
    if len(results) != 3:
        return

    def memory_grants(m, name):
        p = [p for p in m.processes if p.name == name][0]
        return [(g.memory, g.rights) for g in p.grants if g.kind == 5]  # GRANT_MEMORY

    line = "memory reader.blobs 8192 bytes rw (bulk buffer of channel blob reader.blobs -> blobs)"
    m, report = results["store"]
    fails.check([(c.client, c.bulk_memory) for c in m.channels] == [("reader.blobs", 1)] and
                [(mem.name, mem.size) for mem in m.memories] == [("reader.blobs", 8192)],
                "bulk own process: channels %s memories %s" % (m.channels, m.memories))
    fails.check(memory_grants(m, "app") == [(0, 19)] and memory_grants(m, "store") == [(0, 19)],
                "bulk own process: both ends must get the buffer")
    fails.check("process app: " + line in report and "process store: " + line in report,
                "bulk own process report:\n%s" % report)
    m, report = results["app"]
    fails.check(len(m.channels) == 0 and len(m.memories) == 0,
                "bulk co-located: no channel and no shared memory expected")
    m, report = results["kernel"]
    fails.check([(c.client, c.kernel_end, c.bulk_memory) for c in m.channels] ==
                [("reader.blobs", 2, 1)], "bulk kernel: channels %s" % m.channels)
    kernel = m.processes[0]
    fails.check(kernel.name == "kernel" and [g.kind for g in kernel.grants] == [2, 5] and
                memory_grants(m, "kernel") == [(0, 19)] and memory_grants(m, "app") == [(0, 19)],
                "bulk kernel: the kernel's grants must be the receive end, then the buffer: %s" %
                kernel.grants)
    fails.check("process kernel: " + line in report and "process app: " + line in report and
                "no bulk buffer" not in report, "bulk kernel report:\n%s" % report)


def test_system_placement(fails):
    """The system capability is the last grant of the instance's process, the
    kernel's record included, with READ for INSPECT and READ|WRITE for
    CONTROL; Instance.system names it."""
    base = read(os.path.join(HERE, "systems", "system.textproto"))
    place_marker = 'process: "kv"  # the placement line'
    grant_marker = "system: CONTROL  # the grant line"
    fails.check(base.count(place_marker) == 1 and base.count(grant_marker) == 1,
                "system.textproto lacks the placement or the grant line")
    variants = {
        "kv": base,
        "reaper": base.replace(place_marker, 'process: "reaper"  # the placement line'),
        "kernel": base.replace(place_marker, 'process: "kernel"  # the placement line'),
        "inspect": base.replace(grant_marker, "system: INSPECT  # the grant line"),
    }
    results = {}
    for name, text in variants.items():
        out_dir = tmpdir()
        path = os.path.join(out_dir, "system_%s.textproto" % name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        code, err, outs = assemble(path, out_dir)
        if not fails.check(code == 0, "system %s: exit %d:\n%s" % (name, code, err)):
            continue
        import schema
        m = schema.manifest_class()()
        with open(outs["manifest"], "rb") as f:
            m.ParseFromString(f.read())
        results[name] = (m, read(outs["report"]))
    if len(results) != len(variants):
        return

    def record(m, process):
        return [p for p in m.processes if p.name == process][0]

    def grants(m, process):
        return [(g.kind, g.rights) for g in record(m, process).grants]

    def system_of(m, process, instance):
        return [i for i in record(m, process).instances if i.name == instance][0].system

    # The probe, in every variant: its process's only grant, READ.
    for name, (m, report) in sorted(results.items()):
        fails.check(grants(m, "probe") == [(6, 1)] and system_of(m, "probe", "probe") == 1,
                    "system %s: probe grants %s" % (name, grants(m, "probe")))
        fails.check("process probe: system capability: inspect r (instance 'probe')" in report,
                    "system %s: report lacks the probe's grant:\n%s" % (name, report))
    # Co-located with kv: after its channel end (1) and its memory (5).
    m, report = results["kv"]
    fails.check(grants(m, "kv") == [(1, 6), (5, 19), (6, 3)] and
                system_of(m, "kv", "reaper") == 3 and system_of(m, "kv", "kv") == 0,
                "system co-located: kv grants %s" % grants(m, "kv"))
    fails.check("process kv: system capability: control rw (instance 'reaper')" in report,
                "system co-located report:\n%s" % report)
    # Alone: the only grant.
    m, report = results["reaper"]
    fails.check(grants(m, "reaper") == [(6, 3)] and system_of(m, "reaper", "reaper") == 1 and
                grants(m, "kv") == [(1, 6), (5, 19)],
                "system own process: reaper %s kv %s" % (grants(m, "reaper"), grants(m, "kv")))
    # In the kernel: in the kernel's record, after the log channel's receive end.
    m, report = results["kernel"]
    fails.check(grants(m, "kernel") == [(2, 5), (6, 3)] and
                system_of(m, "kernel", "reaper") == 2 and system_of(m, "kernel", "log") == 0,
                "system kernel: kernel grants %s" % grants(m, "kernel"))
    fails.check("process kernel: system capability: control rw (instance 'reaper')" in report,
                "system kernel report:\n%s" % report)
    # A component that declares control may be granted less.
    m, report = results["inspect"]
    fails.check(grants(m, "kv") == [(1, 6), (5, 19), (6, 1)],
                "system inspect: kv grants %s" % grants(m, "kv"))
    fails.check("process kv: system capability: inspect r (instance 'reaper')" in report,
                "system inspect report:\n%s" % report)


def test_dma_placement(fails):
    """DMA regions are grants of their instance's process, after its devices,
    the kernel's record included; they count against the process's quota,
    or in the kernel against the board."""
    base = read(os.path.join(HERE, "systems", "dma.textproto"))
    marker = 'process: "kv"  # the placement line'
    fails.check(base.count(marker) == 1, "dma.textproto lacks the placement line")
    results = {}
    for place in ("kv", "kernel"):
        out_dir = tmpdir()
        path = os.path.join(out_dir, "dma_%s.textproto" % place)
        with open(path, "w", encoding="utf-8") as f:
            f.write(base.replace(marker, 'process: "%s"  # the placement line' % place))
        code, err, outs = assemble(path, out_dir)
        if not fails.check(code == 0, "dma %s: exit %d:\n%s" % (place, code, err)):
            continue
        import schema
        m = schema.manifest_class()()
        with open(outs["manifest"], "rb") as f:
            m.ParseFromString(f.read())
        results[place] = (m, read(outs["report"]))
    if len(results) != 2:
        return

    def record(m, process):
        return [p for p in m.processes if p.name == process][0]

    def dma_of(m, process):
        p = record(m, process)
        disk = [i for i in p.instances if i.name == "disk"][0]
        return [(g.kind, g.rights, g.dma_region) for g in p.grants], list(disk.dma)

    regions = [("disk.ring", 65536, True), ("disk.buffers", 1048576, False)]
    line = ("dma disk.ring 65536 bytes contiguous rw (instance 'disk'): as strong as a device "
            "grant: board qemu_virt has no IOMMU")
    m, report = results["kv"]
    fails.check(dma_of(m, "kv") == ([(1, 6, 0), (7, 147, 0), (7, 147, 1)], [2, 3]) and
                [(d.name, d.size, d.contiguous) for d in m.dma_regions] == regions,
                "dma co-located: %s regions %s" % (dma_of(m, "kv"), m.dma_regions))
    fails.check("process kv: " + line in report, "dma co-located report:\n%s" % report)
    m, report = results["kernel"]
    fails.check(dma_of(m, "kernel") == ([(2, 5, 0), (7, 147, 0), (7, 147, 1)], [2, 3]) and
                [(d.name, d.size, d.contiguous) for d in m.dma_regions] == regions and
                [g.kind for g in record(m, "kv").grants] == [1],
                "dma kernel: %s regions %s" % (dma_of(m, "kernel"), m.dma_regions))
    fails.check("process kernel: " + line in report and "process kv: dma" not in report,
                "dma kernel report:\n%s" % report)


def test_parser():
    import diagnostics
    import schema
    import textproto
    fails = Failures()
    pool = schema.system_pool()
    desc = pool.FindMessageTypeByName("viper.system.System")
    text = ('# comment\nname: "a" "b"  # adjacent strings\n'
            'instance < name: \'x\\x41\' component: "c"; process: "p", >\n'
            'process { name: "p" priority: 0x3 restart { policy: 2 } quota: { threads: 7 } }\n')
    diags = diagnostics.Diagnostics()
    msg = textproto.parse("t", text, desc, diags)
    fails.check(not diags.items(), "parser: unexpected diagnostics: %s" % diags.text())
    fails.check(msg is not None and msg.get("name") == "ab", "adjacent strings")
    inst = msg.get("instance")
    fails.check(inst.get("name") == "xA" and inst.line == 3 and inst.line_of("process") == 3,
                "angle brackets, escapes and lines")
    proc = msg.get("process")
    fails.check(proc.get("priority") == 3 and proc.get("restart").get("policy") == "ALWAYS" and
                proc.get("quota").get("threads") == 7 and proc.line == 4,
                "hex, numeric enum and colon before a block")
    for bad, line, code, message in [
        ('name: "a"\ninstance {\n name: "x"\n', 2, "syntax",
         "syntax error: the '{' opened here is never closed: the file ends first (at line 4)"),
        ('name: "a"\ninstance <\n name: "x"\n}\n', 4, "syntax",
         "syntax error: '}' does not close the '<' opened at line 2"),
        ('name: "a"\n}\n', 2, "syntax", "syntax error: '}' closes no block"),
        ('name: "a\n', 1, "syntax",
         "syntax error: unterminated string: the \" opened here is not closed on this line"),
        ("name: 'a\\'\n", 1, "syntax",
         "syntax error: unterminated string: the ' opened here is not closed on this line"),
        ('name: "a"\n\x01\n', 2, "syntax", "syntax error: unexpected character '\\x01'"),
        ('name: "a"\n\u202e\n', 2, "syntax", "syntax error: unexpected character '\\u202e'"),
        ('name: "a\\q"\n', 1, "syntax", "syntax error: bad escape '\\q' in a string"),
        ('\ufeffname: "a"\n', 1, "syntax", "syntax error: unexpected character '\\ufeff'"),
        ("instance {\n" * 70 + "}\n" * 70, 65, "nesting-depth", "blocks nest more than 64 deep"),
        ('nmae { ' * 500 + '} ' * 500, 1, "nesting-depth", "blocks nest more than 64 deep"),
        ('name: "a"\nprocess { name: "p" priority: -1 }\n', 2, "field-type",
         "field 'priority' takes an integer (0..4294967295), not -1"),
        ('name: "a"\nprocess { name: "p" restart { policy: SOMETIMES } }\n', 2, "field-type",
         "field 'policy' takes one of NEVER, ON_FAILURE, ALWAYS, not SOMETIMES"),
        ('name: ["a"]\n', 1, "field-type", "field 'name' takes one value, not a list"),
        ('name { }\n', 1, "field-type", "field 'name' takes a string, not a { } block"),
        ('nmae: "a"\n', 1, "unknown-field", "System has no field 'nmae'"),
    ]:
        diags = diagnostics.Diagnostics()
        textproto.parse("t", bad, desc, diags)
        got = [(d.line, d.code, d.message) for d in diags.items()]
        if code == "nesting-depth":  # after the unknown field's diagnostic, if any
            got = [g for g in got if g[1] != "unknown-field"]
        fails.check(got == [(line, code, message)], "parser: %r gave %s" % (bad[:80], got))
    fails.check(parser_bytes_cases(), "parser: the encoding cases failed (see above)")
    return fails.done("parser")


def parser_bytes_cases():
    """Files that are not UTF-8, or start with a byte-order mark: the line and byte."""
    import diagnostics
    import schema
    import textproto
    desc = schema.system_pool().FindMessageTypeByName("viper.system.System")
    ok = True
    path = os.path.join(tmpdir(), "bytes.textproto")
    for data, line, message in [
        (b'\xef\xbb\xbfname: "a"\n', 1,
         "the file starts with a UTF-8 byte-order mark (bytes 1 to 3: 0xef 0xbb 0xbf)"),
        (b'name: "a"\n\n# caf\xe9\n', 3, "byte 6 of the line (0xe9) is not valid UTF-8"),
        (b'name: "\xc3"\n', 1, "byte 8 of the line (0xc3) is not valid UTF-8"),
        (b'\xff', 1, "byte 1 of the line (0xff) is not valid UTF-8"),
    ]:
        with open(path, "wb") as f:
            f.write(data)
        diags = diagnostics.Diagnostics()
        msg = textproto.parse_file(path, desc, diags, "t")
        got = [(d.line, d.code, d.message, bool(d.fix)) for d in diags.items()]
        if msg is not None or got != [(line, "encoding", message, True)]:
            print("FAIL: parser: %r gave %s" % (data, got))
            ok = False
    return ok


_MUTATION_TOKENS = [
    b"{", b"}", b"<", b">", b":", b"[", b"]", b",", b'"', b"'", b"\\", b"\n", b"0x", b"-1",
    b"99999999999999999999999", b"1e999", b"nan", b"#", b"\x00", b"\xff", b"\xef\xbb\xbf",
    b"\xe2\x80\xae", b"kernel", b"instance", b"device", b"bind", b"system: CONTROL", b"quota",
    b"memory", b'process: "kernel"', b'to: "kv.log"', b'board: "../x"', b"irq: 33", b"size: 0",
    b"irq_max: 40", b"base: 0xffffffffffffffff", b"instance {" * 70,
    b'include: "toolchain/assembler/test/systems/services.textproto"',
    b'include: "toolchain/assembler/test/negative/include/base.textproto"',
    b'include: "toolchain/assembler/test/negative/include-cycle.textproto"',
    b'include: "toolchain/assembler/test/systems"', b'include: "/dev/zero"',
    b'instance { name: "console" process: "kernel" }',
]
_CODE = re.compile(r"[a-z]+(-[a-z]+)*$")


def mutate(rng, data):
    """`data` with a few random deletions, insertions of tokens and copied spans."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        pos = rng.randint(0, len(data))
        op = rng.random()
        if op < 0.3:
            del data[pos:pos + rng.randint(1, 20)]
        elif op < 0.7:
            data[pos:pos] = rng.choice(_MUTATION_TOKENS)
        else:
            a, b = sorted((rng.randint(0, len(data)), rng.randint(0, len(data))))
            data[pos:pos] = data[a:b][:200]
    return bytes(data)


def test_robustness(count):
    import random
    import diagnostics
    import inputs
    import layout
    import model
    import render
    import schema
    fails = Failures()
    pool = schema.system_pool()
    # The board comes from b.textproto, as the build's --board gives it.
    # (Only the files directly in a folder: negative/include/ holds the
    # descriptions that cases include, which mutated includes may reach.)
    seeds = {d: [read(os.path.join(HERE, d, f)).replace('board: "%s"' % BOARD, "").encode()
                 for f in sorted(os.listdir(os.path.join(HERE, d)))
                 if f.endswith(".textproto") and f != "encoding.textproto"]
             for d in ("systems", "negative")}
    board = read(os.path.join(ROOT, BOARD)).encode()
    component_paths = [os.path.join(FIXTURES, "components", c + ".json") for c in COMPONENTS]
    interface_paths = [os.path.join(FIXTURES, "interfaces", i + ".json") for i in INTERFACES]
    out_dir = tmpdir()
    rng = random.Random(14)
    for i in range(count):
        seed = rng.choice(seeds["systems" if rng.random() < 0.6 else "negative"])
        texts = {"s.textproto": mutate(rng, seed) if rng.random() < 0.9 else seed,
                 "b.textproto": mutate(rng, board) if rng.random() < 0.3 else board}
        for name, data in texts.items():
            with open(os.path.join(out_dir, name), "wb") as f:
                f.write(data)
        diags = diagnostics.Diagnostics()
        try:
            components = inputs.load_components(component_paths, diags)
            interfaces = inputs.load_interfaces(interface_paths, diags)
            system = model.load(os.path.join(out_dir, "s.textproto"),
                                os.path.join(out_dir, "b.textproto"), components, interfaces,
                                pool, diags)
            out = layout.layout(system, diags) if system is not None else None
            if not diags.has_errors():
                render.report(out)
                render.plan(out)
        except Exception as e:  # the point of the test: report it with its input
            fails.check(False, "mutation %d raised %s: %s\n%r" % (i, type(e).__name__, e,
                                                                  texts["s.textproto"][:400]))
            continue
        for d in diags.items():
            fails.check(d.line >= 1 and _CODE.match(d.code) and d.message and d.fix and
                        d.message.isprintable() and d.fix.isprintable(),
                        "mutation %d: malformed diagnostic %r" % (i, d.as_dict()))
    print("%d mutations" % count)
    return fails.done("robustness")


def test_rule(paths):
    """component(system = ...), component(dma = ...), component(params = ...) and
    component(spawn = ...) in
    the JSON the rule writes, and through the assembler."""
    fails = Failures()
    if not fails.check(len(paths) == 5, "rule: give the JSON of five components"):
        return fails.done("rule")
    names = []
    dma = json.loads(read(os.path.join(ROOT, paths[3])))
    fails.check(dma.get("dma") == [{"name": "ring", "contiguous": True, "bytes": 65536},
                                   {"name": "buffers", "contiguous": False, "bytes": 8192}],
                "%s: dma is %r" % (paths[3], dma.get("dma")))
    fails.check(dma.get("params") == [{"name": "blocks", "default": 2048, "min": 16, "max": 65536},
                                      {"name": "ways", "default": 4, "min": 1, "max": 16}],
                "%s: params are %r" % (paths[3], dma.get("params")))
    for path, want, spawn in zip(paths, ["", "inspect", "control", "", ""],
                                 [False, False, False, False, True]):
        data = json.loads(read(os.path.join(ROOT, path)))
        names.append(data["name"])
        fails.check(data.get("system") == want,
                    "%s: system is %r, not %r" % (path, data.get("system"), want))
        fails.check(bool(data.get("spawn")) is spawn,
                    "%s: spawn is %r, not %r" % (path, data.get("spawn"), spawn))
    none, inspect, control, dma_name, spawner = names
    out_dir = tmpdir()
    system = os.path.join(out_dir, "rule.textproto")
    with open(system, "w", encoding="utf-8") as f:
        f.write('name: "rule"\n'
                'instance { name: "plain" component: "%s" process: "plain" }\n'
                'instance { name: "probe" component: "%s" process: "probe" system: INSPECT }\n'
                'instance { name: "reaper" component: "%s" process: "kernel" system: CONTROL }\n'
                'instance { name: "dev" component: "%s" process: "dev"\n'
                '  dma { need: "buffers" } dma { need: "ring" } param { name: "blocks" value: 4096 } }\n'
                'instance { name: "starter" component: "%s" process: "starter" spawn: true }\n'
                % (none, inspect, control, dma_name, spawner))
    args = ["--system", system, "--board", BOARD, "--manifest", os.path.join(out_dir, "m.bin"),
            "--json", os.path.join(out_dir, "d.json")]
    for path in paths:
        args += ["--component", path]
    code, _, err = run_tool(args)
    if not fails.check(code == 0, "rule: exit %d:\n%s" % (code, err)):
        return fails.done("rule")
    import schema
    m = schema.manifest_class()()
    with open(os.path.join(out_dir, "m.bin"), "rb") as f:
        m.ParseFromString(f.read())
    got = {p.name: ([(g.kind, g.rights) for g in p.grants],
                    [(i.name, i.system) for i in p.instances]) for p in m.processes}
    fails.check(got == {"kernel": ([(6, 3)], [("reaper", 1)]),
                        "dev": ([(7, 147), (7, 147)], [("dev", 0)]),
                        "plain": ([], [("plain", 0)]),
                        "probe": ([(6, 1)], [("probe", 1)]),
                        "starter": ([(8, 0x100)], [("starter", 0)])},
                "rule: manifest %s" % got)
    # Regions in need order, whatever the order of the dma blocks.
    fails.check([(d.name, d.size, d.contiguous) for d in m.dma_regions] ==
                [("dev.ring", 65536, True), ("dev.buffers", 8192, False)],
                "rule: dma regions %s" % m.dma_regions)
    # Params in declaration order, a param left out at its default.
    dev = [p for p in m.processes if p.name == "dev"][0]
    fails.check([list(i.params) for i in dev.instances] == [[4096, 4]],
                "rule: dev's params are %s" % [list(i.params) for i in dev.instances])
    starter = [p for p in m.processes if p.name == "starter"][0]
    fails.check([i.spawn for i in starter.instances] == [1],
                "rule: starter's instance names grant %s as its spawn capability" %
                [i.spawn for i in starter.instances])
    return fails.done("rule")


def main(argv):
    if not argv:
        print(__doc__)
        return 2
    mode, rest = argv[0], argv[1:]
    if mode == "golden":
        return test_golden("--update" in rest)
    if mode == "negative":
        return test_negative(rest)
    if mode == "placement":
        return test_placement()
    if mode == "parser":
        return test_parser()
    if mode == "rule":
        return test_rule(rest)
    if mode == "robustness":
        return test_robustness(int(rest[0]) if rest else 3000)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
