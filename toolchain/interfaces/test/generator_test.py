#!/usr/bin/python3
"""Tests of the interface generator (run by generator_test.sh).

- golden: echo.proto and codec.proto generate exactly golden/<stem>.{viper.h,viper.c,interface.json}.golden
  (regenerate with toolchain/interfaces/test/update_goldens after a deliberate change);
- determinism: two runs give identical bytes;
- diagnostics: each bad/*.proto fails with the diagnostic its first line names,
  `// expect: LINE: CODE: MESSAGE-SUBSTRING` (`// with: FILE` adds a file to the run),
  in the text form and the JSON form, and writes nothing.
"""
import filecmp
import json
import os
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
    assert head.startswith("// expect: "), path
    line, code, text = head[len("// expect: "):].split(": ", 2)
    protos = [path] + [l[len("// with: "):] for l in lines[1:3] if l.startswith("// with: ")]
    with tempfile.TemporaryDirectory() as out:
        json_path = os.path.join(out, "diagnostics.json")
        res = generate(out, protos, "--json=" + json_path)
        if res.returncode != 1:
            fail("%s: exit status %d, expected 1" % (path, res.returncode))
        want = "%s:%s: error: " % (path, line)
        hits = [l for l in res.stderr.splitlines() if l.startswith(want) and text in l]
        if not hits:
            fail("%s: no '%s...%s' in:\n%s" % (path, want, text, res.stderr))
        if hits and "  fix: " not in res.stderr:
            fail("%s: no fix line" % path)
        with open(json_path) as fh:
            doc = json.load(fh)
        match = [d for d in doc["diagnostics"] if d["file"] == path and d["line"] == int(line)
                 and d["code"] == code and text in d["message"] and d["fix"]
                 and d["severity"] == "error"]
        if not match:
            fail("%s: JSON has no %s diagnostic at line %s: %s" % (path, code, line, doc))
        written = [f for _, _, files in os.walk(out) for f in files if f != "diagnostics.json"]
        if written:
            fail("%s: wrote %s despite errors" % (path, written))
    print("ok diagnostic %s (%s)" % (os.path.basename(path), code))


def test_json_to_stdout():
    res = subprocess.run(["/usr/bin/python3", GEN] + INCLUDES +
                         ["--check", "--diagnostics-format=json", TEST + "/bad/no_service.proto"],
                         capture_output=True, text=True)
    doc = json.loads(res.stdout)
    if res.returncode != 1 or doc["diagnostics"][0]["code"] != "no-service":
        fail("--diagnostics-format=json: %r" % res.stdout)
    print("ok json to stdout")


def main():
    test_golden("echo")
    test_golden("codec")
    test_json_to_stdout()
    bad = sorted(os.path.join(TEST, "bad", f) for f in os.listdir(os.path.join(TEST, "bad"))
                 if f.endswith(".proto"))
    for path in bad:
        test_bad(path)
    if failures:
        print("%d failures" % len(failures))
        return 1
    print("all %d generator tests passed" % (len(bad) + 2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
