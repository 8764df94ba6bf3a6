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
- docs/interfaces.md's table of codes names exactly the codes bad/ tests.
"""
import filecmp
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.getcwd()
GEN = os.path.join(ROOT, "toolchain/interfaces/generate.py")
TEST = "toolchain/interfaces/test"
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


def test_documented_codes(tested):
    with open("docs/interfaces.md") as fh:
        doc = fh.read()
    doc = doc[doc.find("\n## Diagnostics"):]
    doc = doc[:doc.find("\n## ", 1)]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", doc, re.M))
    if documented != tested:
        fail("docs/interfaces.md documents %s but bad/ tests %s" %
             (sorted(documented - tested), sorted(tested - documented)))
    print("ok %d documented codes" % len(documented))


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
    test_documented_codes(tested)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("all %d generator tests passed" % (len(bad) + 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
