#!/usr/bin/python3
"""Boots a ViperOS image in QEMU and checks its serial output.

A test is a JSON spec (--spec, written by qemu_test() in qemu_test.bzl) or
options on the command line. Either way it is a script of steps, run in order:
  --expect REGEX   wait until the serial output (after the previous match)
                   matches REGEX
  --send TEXT      type TEXT into the serial console ("\\n" ends a line)
--forbid REGEX patterns must never appear anywhere in the output; --require
REGEX patterns must appear somewhere in it, in any order (for output whose
place against the steps varies, such as two threads' reports). With
--exit, QEMU must end by itself (the guest powered off) after the last step.
The whole run is bounded by --timeout seconds. On failure the runner says
which step failed and prints the captured serial log.

A disk image named @scratch/NAME in the machine options (--virtio-blk
@scratch/disk.img) is a scratch file the runner makes: SCRATCH_BYTES of
zeros in the test's temporary directory. One named @disk/N is a writable
copy, made there, of the Nth --disk image given to the runner (a built
image, which stays as it is).

A machine with a network device (--virtio-net) boots only inside a fresh
network namespace holding loopback alone: the runner re-executes itself
there first (tests/network/netns.py).

A step `reboot:` waits for the guest to power off and boots it again with
the same machine and the same disks (what it wrote is still there); the
steps after it match the new boot's output, and forbid and require
patterns see the output of every boot.
"""

import argparse
import importlib.util
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

SCRATCH_BYTES = 1 << 20


def load_launcher(path):
    spec = importlib.util.spec_from_file_location("qemu_virt", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Step(argparse.Action):
    """Collects --expect and --send in the order given."""

    def __call__(self, parser, namespace, value, option_string=None):
        steps = getattr(namespace, "steps", None) or []
        steps.append((self.dest, value))
        namespace.steps = steps


class Serial:
    """The guest's serial output, read as it arrives."""

    def __init__(self, proc, deadline):
        self.proc = proc
        self.deadline = deadline
        self.log = ""
        self.pos = 0  # matching resumes here
        self.exited = False

    def pump(self, wait):
        """Reads what is available, waiting at most `wait` seconds."""
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], max(0.0, wait))
        if not ready:
            return
        chunk = os.read(fd, 65536)
        if not chunk:
            self.exited = True
            return
        self.log += chunk.decode("utf-8", "replace").replace("\r", "")

    def expect(self, pattern):
        regex = re.compile(pattern, re.MULTILINE)
        while True:
            match = regex.search(self.log, self.pos)
            if match:
                self.pos = match.end()
                return True
            if self.exited or time.monotonic() >= self.deadline:
                return False
            self.pump(self.deadline - time.monotonic())

    def restart(self, proc):
        """Goes on with a new boot's output, after what the last one printed."""
        self.proc = proc
        self.pos = len(self.log)
        self.exited = False

    def wait_exit(self):
        while not self.exited and time.monotonic() < self.deadline:
            self.pump(self.deadline - time.monotonic())
        if self.exited:
            self.proc.wait(timeout=max(0.1, self.deadline - time.monotonic()))
        return self.exited


def scratch_images(virtio, disks):
    """`virtio` (the machine's --virtio-* devices) with each @scratch/NAME
    image made, as a file of zeros in the test's temporary directory, and
    each @disk/N a writable copy there of disks[N]."""
    out = []
    where = os.environ.get("TEST_TMPDIR") or tempfile.mkdtemp(prefix="viper-scratch-")
    for kind, image in virtio:
        if image and image.startswith("@scratch/"):
            path = os.path.join(where, os.path.basename(image))
            with open(path, "wb") as f:
                f.truncate(SCRATCH_BYTES)
            image = path
        elif image and image.startswith("@disk/"):
            n = int(image.split("/", 1)[1])
            path = os.path.join(where, "disk%d.img" % n)
            shutil.copyfile(disks[n], path)
            os.chmod(path, 0o644)
            image = path
        out.append((kind, image))
    return out


def fail(serial, why):
    print("FAIL: %s" % why)
    print("---- serial log ----")
    print(serial.log.rstrip())
    print("---- end of serial log ----")
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--launcher", required=True, help="path of toolchain/qemu_virt.py")
    parser.add_argument("--image", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--expect", action=Step, dest="expect")
    parser.add_argument("--send", action=Step, dest="send")
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--require", action="append", default=[])
    parser.add_argument("--exit", action="store_true",
                        help="QEMU must exit by itself after the last step")
    parser.add_argument("--log", help="also write the serial log here")
    parser.add_argument("--disk", action="append", default=[],
                        help="a disk image the machine options name as @disk/N (copied)")
    parser.add_argument("--spec", help="a JSON test written by qemu_test(): steps, forbid, "
                        "exit, timeout and machine options")
    args, rest = parser.parse_known_args()
    if args.spec:
        with open(args.spec) as f:
            spec = json.load(f)
        args.steps = (getattr(args, "steps", None) or []) + [
            (step.split(":", 1)[0], step.split(":", 1)[1]) for step in spec["steps"]]
        args.forbid += spec["forbid"]
        args.require += spec.get("require", [])
        args.exit = args.exit or spec["exit"]
        args.timeout = float(spec["timeout"])
        rest = spec["machine"] + rest
    launcher = load_launcher(args.launcher)
    machine = argparse.ArgumentParser()
    launcher.add_machine_args(machine)
    machine_args = machine.parse_args(rest)
    if launcher.has_network(machine_args):
        # A guest with a network device boots only in a network namespace of
        # its own holding loopback alone (tests/network/netns.py); this
        # re-executes the runner there, with slirp's DNS forwarder pointed
        # at a tripwire address.
        netns = load_launcher(os.path.join(os.path.dirname(args.launcher), "..", "tests",
                                           "network", "netns.py"))
        netns.enter(private_resolv=True)
    machine_args.virtio = scratch_images(machine_args.virtio, args.disk)

    cmd = launcher.command(args.image, machine_args, interactive=False)
    print("runner: %s" % " ".join(cmd))
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    serial = Serial(proc, start + args.timeout)
    status = 0
    try:
        for number, (kind, value) in enumerate(getattr(args, "steps", None) or [], 1):
            if kind == "expect":
                if not serial.expect(value):
                    what = "QEMU exited" if serial.exited else \
                        "no match within %.0f s" % args.timeout
                    status = fail(serial, "step %d: expected /%s/: %s" % (number, value, what))
                    break
            elif kind == "reboot":
                if not serial.wait_exit():
                    status = fail(serial, "step %d: the guest did not power off to reboot" %
                                  number)
                    break
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT)
                serial.restart(proc)
            else:
                proc.stdin.write(value.encode().decode("unicode_escape").encode())
                proc.stdin.flush()
        if status == 0 and args.exit and not serial.wait_exit():
            status = fail(serial, "QEMU did not exit within %.0f s" % args.timeout)
        if status == 0:
            for pattern in args.forbid:
                match = re.search(pattern, serial.log, re.MULTILINE)
                if match:
                    status = fail(serial, "forbidden /%s/ appeared: %r" %
                                  (pattern, match.group(0)))
                    break
        if status == 0:
            for pattern in args.require:
                if not re.search(pattern, serial.log, re.MULTILINE):
                    status = fail(serial, "required /%s/ never appeared" % pattern)
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if args.log:
            with open(args.log, "w") as f:
                f.write(serial.log)
    if status == 0:
        print("PASS in %.1f s" % (time.monotonic() - start))
    return status


if __name__ == "__main__":
    sys.exit(main())
