#!/usr/bin/python3
"""Guest instructions per function from a QEMU execution log.

Boot a system with one instruction per translation block and an execution
log, e.g.

  qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 1 -m 128M \\
    -kernel bazel-bin/system/qemu_virt/kernel_bench.elf -append pmu=user \\
    -icount shift=0 -nodefaults -display none -serial stdio -no-reboot \\
    -singlestep -d exec,nochain -D /tmp/trace.log </dev/null

then count the instructions executed between the K-th entry of one symbol
and the M-th entry of another (counted from the start), per symbol of the
given ELF files:

  tests/benchmarks/profile_trace.py --elf KERNEL.elf --elf PROGRAM \\
    --start viper_spawn:3 --end sys_yield:1 /tmp/trace.log

User programs are all linked at the same addresses, so with more than one
give each with --prog NAME=ELF (the kernel with --elf): a run of user
instructions belongs to the program whose instruction before its first one
is an svc (it returns from a system call), else to the program that ran
last. Markers of a program's symbols are NAME:SYMBOL:K, counted from the
start marker for --end:

  tests/benchmarks/profile_trace.py --elf bazel-bin/system/qemu_virt/kv_bench_process.elf \\
    --prog bench=bazel-bin/system/qemu_virt/kv_bench_process_programs/bench \\
    --prog kv=bazel-bin/system/qemu_virt/kv_bench_process_programs/kv \\
    --start bench:kv_get_remote:40 --end bench:kv_get_remote:21 --per 20 /tmp/trace.log

The log is large (gigabytes for a kernel_bench run); the counts are exact.
"""
import argparse
import bisect
import collections
import struct
import subprocess

KERNEL_BASE = 0xFFFF000000000000
SVC_MASK, SVC = 0xFFE0001F, 0xD4000001  # svc #imm16


class Image:
    """The function symbols of an ELF file and, for a program, its code words."""

    def __init__(self, name, path, code=False):
        self.name = name
        out = subprocess.run(["llvm-nm", "-n", "--defined-only", path], capture_output=True,
                             text=True, check=True).stdout
        found = []
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                found.append((int(parts[0], 16), parts[2]))
        self.table = sorted(found)
        self.addresses = [a for a, _ in self.table]
        self.segments = []
        self.data = b""
        if code:
            self.data = open(path, "rb").read()
            out = subprocess.run(["llvm-readelf", "-l", path], capture_output=True, text=True,
                                 check=True).stdout
            for line in out.splitlines():
                parts = line.split()
                if parts[:1] == ["LOAD"] and "E" in parts[-2]:
                    self.segments.append((int(parts[1], 16), int(parts[2], 16), int(parts[4], 16)))

    def symbol(self, pc):
        i = bisect.bisect_right(self.addresses, pc) - 1
        return self.table[i][1] if i >= 0 else "?"

    def address(self, name):
        for a, n in self.table:
            if n == name:
                return a
        return None

    def word(self, va):
        for offset, base, size in self.segments:
            if base <= va < base + size - 3:
                return struct.unpack_from("<I", self.data, offset + va - base)[0]
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--elf", action="append", default=[], help="ELF with symbols")
    parser.add_argument("--prog", action="append", default=[], help="NAME=ELF, a user program")
    parser.add_argument("--start", required=True, help="[NAME:]SYMBOL:K, start at its K-th entry")
    parser.add_argument("--end", required=True, help="[NAME:]SYMBOL:K, stop at its K-th entry")
    parser.add_argument("--top", type=int, default=40, help="symbols to list")
    parser.add_argument("--per", type=int, default=1, help="divide counts by this")
    parser.add_argument("log")
    args = parser.parse_args()

    merged = Image("", args.elf[0]) if args.elf else None
    for extra in args.elf[1:]:
        more = Image("", extra)
        merged.table = sorted(merged.table + more.table)
        merged.addresses = [a for a, _ in merged.table]
    programs = [Image(*p.split("=", 1), code=True) for p in args.prog]

    def marker(spec):
        parts = spec.split(":")
        owner = next((p for p in programs if p.name == parts[0]), None) if len(parts) == 3 else None
        image = owner or merged
        if image is None or image.address(parts[-2]) is None:
            parser.error("no symbol %s" % spec)
        return owner, image.address(parts[-2]), int(parts[-1])

    start_owner, start, start_left = marker(args.start)
    end_owner, end, end_left = marker(args.end)
    counts = collections.Counter()
    names = {}
    current = None  # the program running in user space
    in_kernel = True
    counting = False
    with open(args.log, errors="replace") as log:
        for line in log:
            if not line.startswith("Trace"):
                continue
            pc = int(line.split("[", 1)[1].split("/")[1], 16)
            if pc >= KERNEL_BASE or not programs:
                owner, in_kernel = None, pc >= KERNEL_BASE
            else:
                if in_kernel:
                    returning = [p for p in programs if (p.word(pc - 4) or 0) & SVC_MASK == SVC]
                    if len(returning) == 1:
                        current = returning[0]
                in_kernel = False
                owner = current
            if not counting:
                if pc == start and owner is start_owner:
                    start_left -= 1
                    counting = start_left == 0
                if not counting:
                    continue
            if pc == end and owner is end_owner:
                end_left -= 1
                if end_left == 0:
                    break
            key = (owner.name if owner else None, pc)
            name = names.get(key)
            if name is None:
                image = owner or merged
                name = names[key] = ((owner.name + " ") if owner else "") + (
                    image.symbol(pc) if image else "?")
            counts[name] += 1
    total = sum(counts.values())
    print("total %d (%.1f per operation)" % (total, total / args.per))
    if programs:
        whole = collections.Counter()
        for name, count in counts.items():
            whole[name.split(" ")[0] if " " in name else "kernel"] += count
        for name, count in whole.most_common():
            print("  %-10s %8.1f" % (name, count / args.per))
    for name, count in counts.most_common(args.top):
        print("%10d %8.1f %s" % (count, count / args.per, name))


if __name__ == "__main__":
    main()
