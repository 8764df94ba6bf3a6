#!/usr/bin/python3
"""Tests of the interface generator (run by generator_test.sh).

- golden: echo.proto and codec.proto generate exactly golden/<stem>.{viper.h,viper.c,interface.json}.golden
  (regenerate with toolchain/interfaces/test/update_goldens after a deliberate change);
- determinism: two runs give identical bytes;
- diagnostics: each bad/*.proto fails with the diagnostic its first line names,
  `// expect: LINE: CODE: MESSAGE-SUBSTRING` (`// with: FILE` adds a file to the run),
  in the text form and the JSON form, and writes nothing; `// expect warning: ...`
  names a warning instead, and the run must succeed;
- a descriptor set that cannot be read is a diagnostic too (bad-descriptor-set);
- evolution: evolution/evolve.proto matches its committed record evolution/evolve.json,
  which --update-record reproduces byte for byte; each evolution/<code>[.variant]/evolve.proto
  is a changed copy that, checked against the record (or the one a `// record: FILE` line
  names), must give exactly the error its first line names, `// expect: [FILE:]LINE: CODE:
  MESSAGE-SUBSTRING`, or succeed with the warning `// expect warning: ...` names; and
  --update-record lists the breaks it records;
- docs/interfaces.md's tables of codes name exactly the codes bad/ and evolution/ test.
"""
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.getcwd()
GEN = os.path.join(ROOT, "toolchain/interfaces/generate.py")
TEST = "toolchain/interfaces/test"
EVOLUTION = TEST + "/evolution"
RECORD = EVOLUTION + "/evolve.json"
UPDATE = "bazel run //interfaces:update_records -- evolve"
INCLUDES = ["-I.", "-Iinterfaces", "-I/usr/lib/python3/dist-packages/proto"]
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def generate(out_dir, protos, *extra):
    return subprocess.run(["/usr/bin/python3", GEN] + INCLUDES + ["--out_dir=" + out_dir] +
                          list(extra) + protos, capture_output=True, text=True)


def test_golden(stem):
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        for d in (a, b):
            res = generate(d, [TEST + "/%s.proto" % stem])
            if res.returncode != 0:
                fail("%s.proto did not generate:\n%s" % (stem, res.stderr))
                return
        for suffix in (".viper.h", ".viper.c", ".interface.json"):
            got = os.path.join(a, TEST, stem + suffix)
            golden = os.path.join(TEST, "golden", stem + suffix + ".golden")
            if not filecmp.cmp(got, golden, shallow=False):
                diff = subprocess.run(["diff", "-u", golden, got], capture_output=True, text=True)
                fail("%s%s differs from its golden (run %s/update_goldens):\n%s" %
                     (stem, suffix, TEST, diff.stdout))
            if not filecmp.cmp(got, os.path.join(b, TEST, stem + suffix), shallow=False):
                fail("%s%s differs between two runs" % (stem, suffix))
        print("ok golden " + stem)


def test_bad(path):
    with open(path) as fh:
        lines = fh.read().splitlines()
    head = lines[0]
    severity = "warning" if head.startswith("// expect warning: ") else "error"
    assert head.startswith("// expect: ") or severity == "warning", path
    line, code, text = head.split(": ", 1)[1].split(": ", 2)
    protos = [path] + [l[len("// with: "):] for l in lines[1:3] if l.startswith("// with: ")]
    with tempfile.TemporaryDirectory() as out:
        json_path = os.path.join(out, "diagnostics.json")
        res = generate(out, protos, "--json=" + json_path)
        status = 1 if severity == "error" else 0
        if res.returncode != status:
            fail("%s: exit status %d, expected %d" % (path, res.returncode, status))
        want = "%s:%s: %s: " % (path, line, severity)
        hits = [l for l in res.stderr.splitlines() if l.startswith(want) and text in l]
        if not hits:
            fail("%s: no '%s...%s' in:\n%s" % (path, want, text, res.stderr))
        if hits and "  fix: " not in res.stderr:
            fail("%s: no fix line" % path)
        with open(json_path) as fh:
            doc = json.load(fh)
        match = [d for d in doc["diagnostics"] if d["file"] == path and d["line"] == int(line)
                 and d["code"] == code and text in d["message"] and d["fix"]
                 and d["severity"] == severity]
        if not match:
            fail("%s: JSON has no %s diagnostic at line %s: %s" % (path, code, line, doc))
        written = [f for _, _, files in os.walk(out) for f in files if f != "diagnostics.json"]
        if written and severity == "error":
            fail("%s: wrote %s despite errors" % (path, written))
    print("ok diagnostic %s (%s)" % (os.path.basename(path), code))
    return code


def test_documented_codes(section, tested):
    with open("docs/interfaces.md") as fh:
        doc = fh.read()
    doc = doc[doc.find("\n## " + section):]
    doc = doc[:doc.find("\n## ", 1)]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", doc, re.M))
    if documented != tested:
        fail("docs/interfaces.md (%s) documents %s that no test has, and lacks %s" %
             (section, sorted(documented - tested), sorted(tested - documented)))
    print("ok %d documented codes (%s)" % (len(documented), section))


def test_evolution_base():
    proto = EVOLUTION + "/evolve.proto"
    with tempfile.TemporaryDirectory() as out:
        res = generate(out, [proto], "--check", "--record=" + RECORD)
        if res.returncode != 0 or res.stderr:
            fail("evolve.proto against its record: status %d\n%s" % (res.returncode, res.stderr))
        fresh = os.path.join(out, "records", "evolve.json")
        for run, said in ((1, "evolve recorded"), (2, "evolve unchanged")):
            res = generate(out, [proto], "--check", "--update-record=" + fresh)
            if res.returncode != 0 or said not in res.stdout:
                fail("--update-record run %d: status %d, %r" % (run, res.returncode, res.stdout))
        if not filecmp.cmp(fresh, RECORD, shallow=False):
            fail("--update-record does not reproduce %s" % RECORD)
    print("ok evolution record")


def evolution_header(proto):
    """(severity, file, line, code, text, record) from the case's first lines."""
    with open(proto) as fh:
        lines = fh.read().splitlines()
    severity = "warning" if lines[0].startswith("// expect warning: ") else "error"
    where, code, text = lines[0].split(": ", 1)[1].split(": ", 2)
    file, _, line = where.rpartition(":")
    records = [l[len("// record: "):] for l in lines[1:3] if l.startswith("// record: ")]
    return severity, file or proto, int(line), code, text, (records or [RECORD])[0]


def test_evolution_case(case):
    proto = os.path.join(EVOLUTION, case, "evolve.proto")
    severity, file, line, code, text, record = evolution_header(proto)
    with tempfile.TemporaryDirectory() as out:
        json_path = os.path.join(out, "diagnostics.json")
        res = generate(out, [proto], "--record=" + record, "--json=" + json_path)
        with open(json_path) as fh:
            doc = json.load(fh)["diagnostics"]
        errors = [d for d in doc if d["severity"] == "error"]
        match = [d for d in doc if (d["file"], d["line"], d["code"], d["severity"]) ==
                 (file, line, code, severity) and text in d["message"] and d["fix"]]
        want = "%s:%d: %s: " % (file, line, severity)
        if not match or not any(l.startswith(want) and text in l for l in res.stderr.splitlines()):
            fail("%s: no %s:%d %s %s '%s' in:\n%s" % (case, file, line, severity, code, text,
                                                      res.stderr))
        elif code.startswith(("interface-id", "method-", "field-", "enum-", "bulk-")) and \
                severity == "error" and UPDATE not in match[0]["fix"]:
            fail("%s: the fix does not name %s: %s" % (case, UPDATE, match[0]["fix"]))
        written = [f for _, _, files in os.walk(out) for f in files if f != "diagnostics.json"]
        if severity == "error" and (res.returncode != 1 or written or
                                    any(d["code"] != code for d in errors)):
            fail("%s: status %d, wrote %s, errors %s" % (case, res.returncode, written,
                                                         [d["code"] for d in errors]))
        if severity == "warning" and (res.returncode != 0 or errors or
                                      not any(f.endswith(".viper.h") for f in written)):
            fail("%s: status %d, errors %s, wrote %s" % (case, res.returncode, errors, written))
    print("ok evolution %s (%s)" % (case, code))
    return code


def test_update_lists_breaks():
    proto = os.path.join(EVOLUTION, "method-renumbered", "evolve.proto")
    with tempfile.TemporaryDirectory() as out:
        record = os.path.join(out, "evolve.json")
        shutil.copy(RECORD, record)
        res = generate(out, [proto], "--check", "--update-record=" + record)
        said = "breaks peers of the old record: method Put has (viper.method_id) = 4"
        with open(record) as fh:
            put = json.load(fh)["methods"]["Put"]["id"]
        again = generate(out, [proto], "--check", "--record=" + record)
        if res.returncode != 0 or said not in res.stdout or put != 4 or \
                again.returncode != 0 or again.stderr:
            fail("--update-record of a break: %r, Put id %d, then %r" %
                 (res.stdout, put, again.stderr))
    print("ok update lists breaks")


def test_json_to_stdout():
    res = subprocess.run(["/usr/bin/python3", GEN] + INCLUDES +
                         ["--check", "--diagnostics-format=json", TEST + "/bad/no_service.proto"],
                         capture_output=True, text=True)
    doc = json.loads(res.stdout)
    if res.returncode != 1 or doc["diagnostics"][0]["code"] != "no-service":
        fail("--diagnostics-format=json: %r" % res.stdout)
    print("ok json to stdout")


def test_bad_descriptor_set():
    with tempfile.TemporaryDirectory() as out:
        garbage = os.path.join(out, "garbage.pb")
        with open(garbage, "wb") as fh:
            fh.write(b"\xff\xff\xff not a descriptor set")
        for path, text in ((os.path.join(out, "missing.pb"), "cannot read the descriptor set"),
                           (garbage, "is not a FileDescriptorSet")):
            json_path = os.path.join(out, "d.json")
            res = generate(out, [TEST + "/echo.proto"], "--descriptor_set=" + path,
                           "--json=" + json_path)
            with open(json_path) as fh:
                doc = json.load(fh)["diagnostics"]
            got = [(d["file"], d["line"], d["code"]) for d in doc if text in d["message"]]
            if res.returncode != 1 or got != [(path, 1, "bad-descriptor-set")] or \
                    "Traceback" in res.stderr:
                fail("--descriptor_set=%s: status %d, %s\n%s" % (path, res.returncode, doc,
                                                                 res.stderr))
    print("ok bad descriptor set")


def main():
    test_golden("echo")
    test_golden("codec")
    test_json_to_stdout()
    test_bad_descriptor_set()
    bad = sorted(os.path.join(TEST, "bad", f) for f in os.listdir(os.path.join(TEST, "bad"))
                 if f.endswith(".proto"))
    tested = {test_bad(path) for path in bad}
    test_documented_codes("Diagnostics", tested)
    test_evolution_base()
    cases = sorted(d for d in os.listdir(EVOLUTION) if os.path.isdir(os.path.join(EVOLUTION, d)))
    evolved = set()
    for case in cases:
        code = test_evolution_case(case)
        if case.split(".")[0] != code:
            fail("evolution/%s is named after a code it does not expect (%s)" % (case, code))
        evolved.add(code)
    test_update_lists_breaks()
    test_documented_codes("Evolving an interface", evolved)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("all %d generator tests passed" % (len(bad) + len(cases) + 8))
    return 0


if __name__ == "__main__":
    sys.exit(main())
