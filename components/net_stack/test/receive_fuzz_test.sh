#!/bin/sh
# Builds the stack's receive-path fuzzer (receive_fuzz.c) with clang 14 and
# libFuzzer from its sources in the runfiles, lwIP's from Debian's package,
# and runs it: briefly in ./test (FUZZ_RUNS, default 20000), 10^6 inputs
# in tests/benchmarks/run_net_fuzz. The host Bazel toolchain is gcc, so
# the script compiles by itself. With SANITIZE=fuzzer,address,undefined
# (the default here) a memory error is a crash too. UBSan's null check is
# off: lwIP's ip_2_ip6(ip6_select_source_address(...)) (core/ipv6/icmp6.c)
# forms a member of a null pointer before testing it, harmless at offset 0;
# a real null access still faults.
set -eu
clang=/usr/bin/clang-14
[ -x "$clang" ] || { echo "receive_fuzz_test: $clang is missing; run ./toolchain/setup" >&2; exit 1; }
lwip=${LWIP_DIR:-../lwip}
nanopb=${NANOPB_DIR:-../nanopb}
gen=${GEN_DIR:-.}
out=${TEST_TMPDIR:-$(mktemp -d)}
ns=components/net_stack
pc=platform/component
"$clang" -std=c17 -g -O1 -fsanitize="${SANITIZE:-fuzzer,address,undefined}" \
	-fno-sanitize=null -fno-sanitize-recover=undefined -w -DPB_FIELD_32BIT \
	-I"$ns/include" -I"$ns/port" -I"$ns/src" -I"$ns/test" -I"$lwip/src/include" \
	-I"$gen" -I"$gen/interfaces" -I"$gen/$ns" -I"$gen/$ns/fuzz" -Iinterfaces -I"$nanopb" -I"$pc/include" -I"$pc/src" \
	-Iplatform/abi/include \
	"$ns"/test/receive_fuzz.c "$ns"/test/fake_link.c "$ns"/src/*.c \
	"$lwip"/src/core/*.c "$lwip"/src/core/ipv4/*.c "$lwip"/src/core/ipv6/*.c \
	"$lwip"/src/netif/ethernet.c \
	"$pc"/src/component_table.c "$pc"/src/host_runtime.c "$pc"/src/host_transport.c \
	"$pc"/src/rpc.c "$pc"/src/deferred.c "$pc"/src/lease.c "$pc"/src/ring.c \
	"$gen"/interfaces/net.pb.c "$gen"/interfaces/net.viper.c \
	"$gen"/interfaces/socket.pb.c "$gen"/interfaces/socket.viper.c \
	"$gen"/interfaces/netdev.pb.c "$gen"/interfaces/netdev.viper.c \
	"$gen"/interfaces/entropy.pb.c "$gen"/interfaces/entropy.viper.c \
	"$nanopb/pb_common.c" "$nanopb/pb_decode.c" "$nanopb/pb_encode.c" \
	-lpthread -o "$out/receive_fuzz"
mkdir -p "$out/corpus"
cp "$ns"/test/fuzz_corpus/* "$out/corpus/" 2>/dev/null || true
status=0
start=$(date +%s)
"$out/receive_fuzz" -runs="${FUZZ_RUNS:-20000}" -seed=1 -max_len=1600 \
	-artifact_prefix="${TEST_UNDECLARED_OUTPUTS_DIR:-$out}/" "$out/corpus" >"$out/fuzz.log" 2>&1 ||
	status=$?
end=$(date +%s)
tail -n 5 "$out/fuzz.log"
if [ "$status" -ne 0 ]; then
	tail -n 60 "$out/fuzz.log"
	echo "receive_fuzz_test: the fuzzer found a crash (exit $status); the input is in the test outputs" >&2
	exit 1
fi
grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$out/fuzz.log" || true
echo "receive_fuzz_test: ${FUZZ_RUNS:-20000} inputs, no crash, $((end - start)) s"
