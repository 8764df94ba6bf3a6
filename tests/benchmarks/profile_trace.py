#!/usr/bin/python3
"""Guest instructions per function from a QEMU execution log.

Boot a system with one instruction per translation block and an execution
log, e.g.

  qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 1 -m 128M \\
    -kernel bazel-bin/system/qemu_virt/kernel_bench.elf -append pmu=user \\
    -icount shift=0 -nodefaults -display none -serial stdio -no-reboot \\
    -singlestep -d exec,nochain -D /tmp/trace.log </dev/null

then count the instructions executed between the K-th entry of one symbol
and the M-th entry of another, per symbol of the given ELF files:

  tests/benchmarks/profile_trace.py --elf KERNEL.elf --elf PROGRAM \\
    --start viper_spawn:3 --end sys_yield:1 /tmp/trace.log

The log is large (gigabytes for a kernel_bench run); the counts are exact.
"""
import argparse
import bisect
import collections
import subprocess


def symbols(elf):
    out = subprocess.run(["llvm-nm", "-n", "--defined-only", elf], capture_output=True,
                         text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            found.append((int(parts[0], 16), parts[2]))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--elf", action="append", required=True, help="ELF with symbols")
    parser.add_argument("--start", required=True, help="SYMBOL:K, start at its K-th entry")
    parser.add_argument("--end", required=True, help="SYMBOL:K, stop at its K-th entry")
    parser.add_argument("--top", type=int, default=40, help="symbols to list")
    parser.add_argument("--per", type=int, default=1000, help="divide counts by this")
    parser.add_argument("log")
    args = parser.parse_args()

    table = sorted(sum((symbols(e) for e in args.elf), []))
    addresses = [a for a, _ in table]

    def marker(spec):
        name, count = spec.rsplit(":", 1)
        matches = [a for a, n in table if n == name]
        if not matches:
            parser.error("no symbol %s" % name)
        return matches[0], int(count)

    start, start_left = marker(args.start)
    end, end_left = marker(args.end)
    names = {}
    counts = collections.Counter()
    counting = False
    with open(args.log, errors="replace") as log:
        for line in log:
            if not line.startswith("Trace"):
                continue
            pc = int(line.split("[", 1)[1].split("/")[1], 16)
            if not counting:
                if pc == start:
                    start_left -= 1
                    counting = start_left == 0
                if not counting:
                    continue
            if pc == end:
                end_left -= 1
                if end_left == 0:
                    break
            name = names.get(pc)
            if name is None:
                i = bisect.bisect_right(addresses, pc) - 1
                name = names[pc] = table[i][1] if i >= 0 else "?"
            counts[name] += 1
    total = sum(counts.values())
    print("total %d (%.1f per operation)" % (total, total / args.per))
    for name, count in counts.most_common(args.top):
        print("%10d %8.1f %s" % (count, count / args.per, name))


if __name__ == "__main__":
    main()
