#!/bin/sh
# Builds kv's dispatch fuzzer with clang 14 (-fsanitize=fuzzer,address) from
# its sources in the runfiles and runs it briefly over the committed seed
# corpus. The host Bazel toolchain is gcc, so the test compiles by itself.
set -eu
clang=/usr/bin/clang-14
[ -x "$clang" ] || { echo "kv_dispatch_fuzz_test: $clang is missing; run ./toolchain/setup" >&2; exit 1; }
nanopb=../nanopb
out=${TEST_TMPDIR:-$(mktemp -d)}
"$clang" -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-DPB_FIELD_32BIT -I. -Iinterfaces -I"$nanopb" -Iplatform/component/include \
	-Iplatform/abi/include -Iplatform/component/src -Icomponents/kv_store/include \
	platform/component/test/kv_dispatch_fuzz.c platform/component/src/rpc.c \
	platform/component/src/host_runtime.c components/kv_store/src/kv_store.c \
	interfaces/kv.pb.c interfaces/kv.viper.c \
	"$nanopb/pb_common.c" "$nanopb/pb_decode.c" "$nanopb/pb_encode.c" \
	-o "$out/kv_dispatch_fuzz"
mkdir -p "$out/corpus"
cp platform/component/test/fuzz_corpus/* "$out/corpus/"
status=0
"$out/kv_dispatch_fuzz" -runs="${FUZZ_RUNS:-200000}" -seed=1 -max_len=300 \
	-artifact_prefix="${TEST_UNDECLARED_OUTPUTS_DIR:-$out}/" "$out/corpus" >"$out/fuzz.log" 2>&1 ||
	status=$?
tail -n 40 "$out/fuzz.log"
if [ "$status" -ne 0 ]; then
	echo "kv_dispatch_fuzz_test: the fuzzer found a crash (exit $status); the input is in the test outputs" >&2
	exit 1
fi
echo "kv_dispatch_fuzz_test: no crash"
