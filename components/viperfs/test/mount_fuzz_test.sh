#!/bin/sh
# //components/viperfs:mount_fuzz_test: builds the mount and lookup fuzzer
# (test/mount_fuzz.c) with clang 14 (-fsanitize=fuzzer,address,undefined)
# from the library's sources in the runfiles and runs it for FUZZ_RUNS
# inputs (5000 here; tests/benchmarks/run_viperfs_fuzz runs 10^6). The host
# Bazel toolchain is gcc, so the test compiles by itself.
set -eu
clang=/usr/bin/clang-14
[ -x "$clang" ] || { echo "mount_fuzz_test: $clang is missing; run ./toolchain/setup" >&2; exit 1; }
out=${TEST_TMPDIR:-$(mktemp -d)}
src=components/viperfs/src
"$clang" -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Icomponents/viperfs/include -Iplatform/component/include -Iplatform/abi/include \
	components/viperfs/test/mount_fuzz.c "$src"/alloc.c "$src"/buffers.c "$src"/check.c \
	"$src"/dir.c "$src"/file_data.c "$src"/format.c "$src"/format_volume.c "$src"/inode.c "$src"/journal.c \
	"$src"/ops.c "$src"/volume.c -o "$out/mount_fuzz"
status=0
"$out/mount_fuzz" -runs="${FUZZ_RUNS:-5000}" -seed=1 -max_len=64 \
	-artifact_prefix="${TEST_UNDECLARED_OUTPUTS_DIR:-$out}/" >"$out/fuzz.log" 2>&1 || status=$?
tail -n 20 "$out/fuzz.log"
if [ "$status" -ne 0 ]; then
	echo "mount_fuzz_test: the fuzzer found a crash (exit $status); the input is in the test outputs" >&2
	exit 1
fi
echo "mount_fuzz_test: no crash in $(grep -o 'Done [0-9]* runs' "$out/fuzz.log" || echo '? runs')"
