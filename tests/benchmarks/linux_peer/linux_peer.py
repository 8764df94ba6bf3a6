#!/usr/bin/python3
"""The Linux peer of the storage and network benchmarks (README.md beside this file).

Boots Debian's arm64 kernel on the same QEMU machine as ViperOS's storage
benchmark, with the same virtio-blk drive and device options (both command
lines come from toolchain/qemu_virt.py), on a fresh 512 MiB ext4 volume made
on the host, and runs storage_bench_linux.c on it. Used as a module by
tests/benchmarks/run_storage_bench; run alone, it boots the peer --runs
times and prints each run's figures:

    tests/benchmarks/linux_peer/linux_peer.py [--runs N] [--kpti]

NetPeer is the network benchmark's peer (tests/benchmarks/run_net_bench,
which boots it inside its network namespace, with its host peers): the same
kernel with virtio_net, running net_bench_linux.c from the init script's
network mode. TlsPeer is the TLS benchmark's (tests/benchmarks/run_tls_bench):
the same, running tls_bench_linux.c, linked with BearSSL built from Debian's
source as ViperOS builds it, from the init script's TLS mode.
"""

import argparse
import concurrent.futures
import glob
import importlib.util
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
TESTS = ["write_fsync_128MiB", "read_128MiB", "create_sync_500_files"]
DISK_SIZE = 512 << 20  # as //tests/benchmarks/storage_bench:bench_disk
MODULES = ["crc32c_generic", "virtio_mmio", "virtio_blk", "ext4"]  # crc32c: ext4 and jbd2 soft-depend on it
NET_MODULES = ["virtio_mmio", "virtio_net"]  # pack_initramfs adds net_failover and failover
CLANG = "/usr/bin/clang-14"
CFLAGS = ["--target=aarch64-linux-gnu", "-nostdlib", "-static", "-ffreestanding",
          "-fuse-ld=lld", "-fno-stack-protector", "-O2", "-Wall", "-Wextra", "-Werror"]
# BearSSL and tls_bench_linux.c are compiled as Bazel compiles BearSSL for a
# ViperOS program (toolchain/aarch64/flags.bzl's COMMON_COMPILE and the user
# variant's picolibc headers; -g and the path maps left out, they change no
# code), so both systems run the same machine code for the same TLS work.
PICOLIBC = "/usr/lib/picolibc/aarch64-linux-gnu"
TLS_CFLAGS = ["--target=aarch64-none-elf", "-mcpu=cortex-a72", "-ffreestanding", "-fno-common",
              "-fno-stack-protector", "-fno-pic", "-ffunction-sections", "-fdata-sections",
              "-O2", "-std=c17", "-isystem", PICOLIBC + "/include"]
TLS_LDFLAGS = ["--target=aarch64-linux-gnu", "-nostdlib", "-static", "-fuse-ld=lld",
               "-Wl,--gc-sections"]
MOZILLA_ROOTS = "/usr/share/ca-certificates/mozilla"  # what CERTS:roots.vta is built from
# Debian's arm64 kernel turns KPTI on (it has KASLR), which under TCG makes
# each entry to the kernel about 10x slower in wall time; ViperOS has no such
# cost, so by default the peer boots without it and says so.
NO_KPTI = "kpti=0 mitigations=off"


def cache_dir():
    return os.environ.get("VIPEROS_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "viperos")


def bearssl_tree():
    """Debian's BearSSL source as toolchain/setup unpacked it (the @bearssl
    Bazel repository's files)."""
    try:
        with open(os.path.join(cache_dir(), "src-root")) as f:
            tree = os.path.join(f.read().strip(), "bearssl")
    except OSError:
        tree = os.path.join(cache_dir(), "src", "bearssl")
    if not os.path.isdir(os.path.join(tree, "src")) or not os.path.isdir(os.path.join(tree, "inc")):
        sys.exit("linux_peer: no BearSSL source at %s; run toolchain/setup" % tree)
    return tree


def setup_cmd():
    return [os.path.join(ROOT, "toolchain", "setup"), "--linux-peer"]


def launcher():
    spec = importlib.util.spec_from_file_location(
        "qemu_virt", os.path.join(ROOT, "toolchain", "qemu_virt.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peer_tree(name_prefix):
    """The unpacked package of toolchain/linux-peer.txt whose name starts so."""
    cache = cache_dir()
    with open(os.path.join(ROOT, "toolchain", "linux-peer.txt")) as table:
        for line in table:
            fields = line.split()
            if fields and not fields[0].startswith("#") and fields[0].startswith(name_prefix):
                tree = os.path.join(cache, "linux-peer", fields[0])
                if not os.path.exists(os.path.join(tree, ".viperos-version")):
                    sys.exit("linux_peer: %s is not unpacked; run toolchain/setup --linux-peer"
                             % tree)
                with open(os.path.join(tree, ".viperos-version")) as stamp:
                    return tree, fields[0], stamp.read().strip()
    sys.exit("linux_peer: toolchain/linux-peer.txt lists no %s package" % name_prefix)


class Peer:
    """The kernel, the initramfs and the QEMU machine of the Linux peer."""

    def __init__(self, work, kpti=False):
        self.work = work
        self.kpti = kpti
        os.makedirs(work, exist_ok=True)
        kernel_tree, self.kernel_package, self.kernel_version = peer_tree("linux-image-")
        busybox_tree, _, _ = peer_tree("busybox-static")
        kernels = glob.glob(os.path.join(kernel_tree, "boot", "vmlinuz-*"))
        if len(kernels) != 1:
            sys.exit("linux_peer: expected one boot/vmlinuz-* in %s" % kernel_tree)
        self.kernel = kernels[0]
        program = os.path.join(work, "storage_bench_linux")
        subprocess.run([CLANG] + CFLAGS + ["-o", program,
                                           os.path.join(HERE, "storage_bench_linux.c")],
                       check=True)
        self.initrd = os.path.join(work, "initrd.gz")
        subprocess.run([sys.executable, os.path.join(HERE, "pack_initramfs.py"),
                        "--kernel-tree", kernel_tree, "--busybox-tree", busybox_tree,
                        "--program", program, "--init", os.path.join(HERE, "init")] +
                       ["--module=" + m for m in MODULES] + [self.initrd], check=True)
        self.mkfs = shutil.which("mkfs.ext4") or shutil.which("/usr/sbin/mkfs.ext4")
        if not self.mkfs:
            sys.exit("linux_peer: mkfs.ext4 is missing on the host (Debian's e2fsprogs)")
        self.qemu = launcher()
        self.append = "console=ttyAMA0 quiet panic=-1" + ("" if kpti else " " + NO_KPTI)

    def describe(self):
        return "Linux %s (Debian %s), ext4 made on the host, -append \"%s\"" % (
            self.kernel_package.replace("linux-image-", ""), self.kernel_version, self.append)

    def make_disk(self, path):
        """A fresh sparse 512 MiB image holding one ext4 filesystem, fully initialised
        (no lazy inode-table or journal init left for the guest to do in the background)."""
        with open(path, "wb") as f:
            f.truncate(DISK_SIZE)
        subprocess.run([self.mkfs, "-q", "-F", "-L", "Bench", "-E",
                        "lazy_itable_init=0,lazy_journal_init=0", path], check=True)

    def command(self, disk):
        parser = argparse.ArgumentParser()
        self.qemu.add_machine_args(parser)
        args = parser.parse_args(["--mem", "256M", "--virtio-blk", disk,
                                  "--append", self.append])
        return self.qemu.command(self.kernel, args, interactive=False) + ["-initrd", self.initrd]

    def one_run(self):
        """Boots the peer once; returns {test: ms} and the console log."""
        disk = os.path.join(self.work, "linux.img")
        self.make_disk(disk)
        proc = subprocess.Popen(self.command(disk), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log, deadline = "", time.monotonic() + 900
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([proc.stdout], [], [], 1.0)
                if ready:
                    chunk = os.read(proc.stdout.fileno(), 65536)
                    if not chunk:
                        break
                    log += chunk.decode("utf-8", "replace")
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.unlink(disk)
        if not re.search(r"storage_bench: done", log):
            sys.exit("linux_peer: the benchmark did not finish:\n" + log[-3000:])
        return {t: int(re.search(r"storage_bench: %s (\d+) ms" % t, log).group(1))
                for t in TESTS}, log


class NetPeer:
    """The kernel and the network initramfs of the Linux peer of run_net_bench.

    The initramfs holds net_bench_linux.c as /net_bench and the init script,
    whose network mode the kernel command line selects (net_bench_host=...,
    see command()); the caller boots it, with the same qemu_virt.py machine
    arguments as the ViperOS boots, and reads the console."""

    def __init__(self, work, kpti=False):
        self.work = work
        self.kpti = kpti
        os.makedirs(work, exist_ok=True)
        kernel_tree, self.kernel_package, self.kernel_version = peer_tree("linux-image-")
        busybox_tree, _, _ = peer_tree("busybox-static")
        kernels = glob.glob(os.path.join(kernel_tree, "boot", "vmlinuz-*"))
        if len(kernels) != 1:
            sys.exit("linux_peer: expected one boot/vmlinuz-* in %s" % kernel_tree)
        self.kernel = kernels[0]
        program = os.path.join(work, "net_bench_linux")
        subprocess.run([CLANG] + CFLAGS + ["-o", program,
                                           os.path.join(HERE, "net_bench_linux.c")],
                       check=True)
        self.initrd = os.path.join(work, "initrd-net.gz")
        subprocess.run([sys.executable, os.path.join(HERE, "pack_initramfs.py"),
                        "--kernel-tree", kernel_tree, "--busybox-tree", busybox_tree,
                        "--program", program, "--program-name", "net_bench",
                        "--init", os.path.join(HERE, "init")] +
                       ["--module=" + m for m in NET_MODULES] + [self.initrd], check=True)
        self.qemu = launcher()
        self.append = "console=ttyAMA0 quiet panic=-1" + ("" if kpti else " " + NO_KPTI)

    def describe(self):
        return "Linux %s (Debian %s), -append \"%s\"" % (
            self.kernel_package.replace("linux-image-", ""), self.kernel_version, self.append)

    def command(self, machine, params):
        """The QEMU command line: qemu_virt.py's machine from the option list
        `machine` (as the ViperOS boots get it: --mem, --virtio-blk,
        --virtio-rng, --virtio-net user, ...), -initrd, and a kernel command
        line ending in net_bench_NAME=VALUE for each of `params` (host,
        sink, source, connect, bytes, connects, pings, interval)."""
        parser = argparse.ArgumentParser()
        self.qemu.add_machine_args(parser)
        words = " ".join("net_bench_%s=%s" % (k, params[k]) for k in sorted(params))
        args = parser.parse_args(list(machine) + ["--append", self.append + " " + words])
        return self.qemu.command(self.kernel, args, interactive=False) + ["-initrd", self.initrd]


class TlsPeer:
    """The kernel and the TLS initramfs of the Linux peer of run_tls_bench.

    The initramfs holds tls_bench_linux.c, linked with BearSSL (every
    src/**/*.c of Debian's source, compiled with TLS_CFLAGS), as /tls_bench,
    and /roots.pem: the 142 Mozilla roots CERTS:roots.vta holds (the same
    files, in the same sorted order) followed by the test CA `ca_pem`, which
    is where ViperOS's trust store has it once CERTS:test-ca.pem is added.
    The init script's TLS mode runs it (see command()); the caller boots it
    with the ViperOS boots' machine arguments and reads the console."""

    def __init__(self, work, ca_pem, kpti=False, jobs=2):
        self.work = work
        self.kpti = kpti
        os.makedirs(work, exist_ok=True)
        kernel_tree, self.kernel_package, self.kernel_version = peer_tree("linux-image-")
        busybox_tree, _, _ = peer_tree("busybox-static")
        kernels = glob.glob(os.path.join(kernel_tree, "boot", "vmlinuz-*"))
        if len(kernels) != 1:
            sys.exit("linux_peer: expected one boot/vmlinuz-* in %s" % kernel_tree)
        self.kernel = kernels[0]
        program = self.build(jobs)
        roots = os.path.join(work, "roots.pem")
        mozilla = sorted(glob.glob(os.path.join(MOZILLA_ROOTS, "*.crt")))
        if not mozilla:
            sys.exit("linux_peer: no root certificates in %s (Debian's ca-certificates)" %
                     MOZILLA_ROOTS)
        with open(roots, "wb") as out:
            for path in mozilla + [ca_pem]:
                with open(path, "rb") as f:
                    data = f.read()
                out.write(data if data.endswith(b"\n") else data + b"\n")
        self.roots = len(mozilla)
        self.initrd = os.path.join(work, "initrd-tls.gz")
        subprocess.run([sys.executable, os.path.join(HERE, "pack_initramfs.py"),
                        "--kernel-tree", kernel_tree, "--busybox-tree", busybox_tree,
                        "--program", program, "--program-name", "tls_bench",
                        "--file", "roots.pem=" + roots,
                        "--init", os.path.join(HERE, "init")] +
                       ["--module=" + m for m in NET_MODULES] + [self.initrd], check=True)
        self.qemu = launcher()
        self.append = "console=ttyAMA0 quiet panic=-1" + ("" if kpti else " " + NO_KPTI)

    def build(self, jobs):
        """Compiles BearSSL and tls_bench_linux.c, links them with picolibc's
        libc.a (memmove, memcmp, strlen: ViperOS programs' own C library);
        returns the program's path."""
        tree = bearssl_tree()
        objects = os.path.join(self.work, "obj")
        os.makedirs(objects, exist_ok=True)
        sources = sorted(glob.glob(os.path.join(tree, "src", "**", "*.c"), recursive=True))
        flags = TLS_CFLAGS + ["-I" + os.path.join(tree, "inc"), "-I" + os.path.join(tree, "src")]

        def compile_one(n_source):
            n, source = n_source
            out = os.path.join(objects, "b%03d.o" % n)
            # Upstream's code: no warnings (as //toolchain/deps:bearssl.BUILD's brssl).
            done = subprocess.run([CLANG] + flags + ["-w", "-c", source, "-o", out],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if done.returncode != 0:
                raise RuntimeError("compiling %s failed:\n%s" % (
                    source, done.stdout.decode(errors="replace")))
            return out

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            built = list(pool.map(compile_one, enumerate(sources)))
        main = os.path.join(objects, "tls_bench_linux.o")
        subprocess.run([CLANG] + flags + ["-Wall", "-Wextra", "-Werror",
                                          "-I" + os.path.join(ROOT, "platform", "abi", "include"),
                                          "-I" + os.path.join(ROOT, "platform", "tls", "include"),
                                          "-c", os.path.join(HERE, "tls_bench_linux.c"),
                                          "-o", main], check=True)
        program = os.path.join(self.work, "tls_bench_linux")
        subprocess.run([CLANG] + TLS_LDFLAGS + ["-o", program, main] + built +
                       [os.path.join(PICOLIBC, "lib", "libc.a")], check=True)
        return program

    def describe(self):
        return "Linux %s (Debian %s), -append \"%s\"" % (
            self.kernel_package.replace("linux-image-", ""), self.kernel_version, self.append)

    def command(self, machine, params):
        """The QEMU command line: qemu_virt.py's machine from the option list
        `machine` (as the ViperOS boots get it), -initrd, and a kernel
        command line ending in tls_bench_NAME=VALUE for each of `params`
        (host, ecdsa, rsa, fresh, repeat, small, bulk, big, wget: see init)."""
        parser = argparse.ArgumentParser()
        self.qemu.add_machine_args(parser)
        words = " ".join("tls_bench_%s=%s" % (k, params[k]) for k in sorted(params))
        args = parser.parse_args(list(machine) + ["--append", self.append + " " + words])
        return self.qemu.command(self.kernel, args, interactive=False) + ["-initrd", self.initrd]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--kpti", action="store_true",
                        help="boot the kernel as Debian ships it, with KPTI on")
    args = parser.parse_args()
    subprocess.run(setup_cmd(), check=True, env=dict(os.environ, VIPEROS_SETUP_QUIET="1"))
    with tempfile.TemporaryDirectory(prefix="viper-linux-peer-") as work:
        peer = Peer(work, kpti=args.kpti)
        print(peer.describe())
        for n in range(args.runs):
            ms, _ = peer.one_run()
            print("run %d: %s" % (n + 1, ", ".join("%s %d ms" % (t, ms[t]) for t in TESTS)))


if __name__ == "__main__":
    sys.exit(main())
