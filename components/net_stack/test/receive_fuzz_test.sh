#!/bin/sh
# Builds the network's two receive-path fuzzers with clang 14 and libFuzzer
# from their sources in the runfiles (lwIP's from Debian's package) and
# runs each for FUZZ_RUNS inputs (default 20000 here in ./test; 10^6 in
# tests/benchmarks/run_net_fuzz):
#   receive_fuzz  frames and raw descriptors on netdev's receive ring,
#                 into net_stack (receive_fuzz.c);
#   driver_fuzz   buffers from a fake virtio network device, through the
#                 virtio_net driver, into net_stack (driver_fuzz.cc).
# The host Bazel toolchain is gcc, so the script compiles by itself. With
# SANITIZE=fuzzer,address,undefined (the default) a memory error is a crash
# too. UBSan's null check is off: lwIP's ip_2_ip6(ip6_select_source_address
# (...)) (core/ipv6/icmp6.c) forms a member of a null pointer before testing
# it, harmless at offset 0; a real null access still faults.
set -eu
clang=/usr/bin/clang-14
[ -x "$clang" ] || { echo "receive_fuzz_test: $clang is missing; run ./toolchain/setup" >&2; exit 1; }
lwip=${LWIP_DIR:-../lwip}
nanopb=${NANOPB_DIR:-../nanopb}
gen=${GEN_DIR:-.}
out=${TEST_TMPDIR:-$(mktemp -d)}
ns=components/net_stack
nic=components/virtio_net
pc=platform/component
vt=platform/virtio
flags="-g -O1 -fsanitize=${SANITIZE:-fuzzer,address,undefined} -fno-sanitize=null
	-fno-sanitize-recover=undefined -w -DPB_FIELD_32BIT
	-I$ns/include -I$ns/port -I$ns/src -I$ns/test -I$lwip/src/include
	-I$gen -I$gen/interfaces -I$gen/$ns -I$gen/$ns/fuzz -Iinterfaces -I$nanopb
	-I$pc/include -I$pc/src -Iplatform/abi/include -I$nic/include -I$nic/src
	-I$gen/$nic -I$gen/$nic/fuzz
	-I$vt/include -I$vt/test"
mkdir -p "$out/obj"
# The C sources both fuzzers share, compiled once (the fuzzer's entry
# points are in receive_fuzz.c and driver_fuzz.cc).
n=0
for f in "$ns"/test/fake_link.c "$ns"/src/*.c "$lwip"/src/core/*.c "$lwip"/src/core/ipv4/*.c \
	"$lwip"/src/core/ipv6/*.c "$lwip"/src/netif/ethernet.c "$pc"/src/component_table.c \
	"$pc"/src/host_runtime.c "$pc"/src/host_transport.c "$pc"/src/rpc.c "$pc"/src/deferred.c \
	"$pc"/src/lease.c "$pc"/src/ring.c "$gen"/interfaces/net.pb.c "$gen"/interfaces/net.viper.c \
	"$gen"/interfaces/socket.pb.c "$gen"/interfaces/socket.viper.c \
	"$gen"/interfaces/netdev.pb.c "$gen"/interfaces/netdev.viper.c \
	"$gen"/interfaces/entropy.pb.c "$gen"/interfaces/entropy.viper.c \
	"$nanopb/pb_common.c" "$nanopb/pb_decode.c" "$nanopb/pb_encode.c"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$clang" -std=c17 $flags -c "$f" -o "$out/obj/$n.o"
done
# shellcheck disable=SC2086
"$clang" -std=c17 $flags "$ns"/test/receive_fuzz.c "$out"/obj/*.o -lpthread -o "$out/receive_fuzz"
for f in "$nic"/src/*.c "$vt"/src/*.c; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$clang" -std=c17 $flags -c "$f" -o "$out/obj/d$n.o"
done
# shellcheck disable=SC2086
"${clangxx:-/usr/bin/clang++-14}" -std=c++17 $flags "$ns"/test/driver_fuzz.cc "$vt"/test/fake_virtio.cc "$out"/obj/*.o \
	-lpthread -o "$out/driver_fuzz"

run() { # run NAME CORPUS_DIR
	mkdir -p "$out/corpus_$1"
	cp "$2"/* "$out/corpus_$1/" 2>/dev/null || true
	status=0
	start=$(date +%s)
	"$out/$1" -runs="${FUZZ_RUNS:-20000}" -seed=1 -max_len=1600 \
		-artifact_prefix="${TEST_UNDECLARED_OUTPUTS_DIR:-$out}/$1-" "$out/corpus_$1" \
		>"$out/$1.log" 2>&1 || status=$?
	end=$(date +%s)
	if [ "$status" -ne 0 ]; then
		tail -n 60 "$out/$1.log"
		echo "receive_fuzz_test: $1 found a crash (exit $status); the input is in the test outputs" >&2
		exit 1
	fi
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$out/$1.log" | tail -n 1 || true)
	echo "receive_fuzz_test: $1: ${FUZZ_RUNS:-20000} inputs, no crash, $((end - start)) s ($cov)"
}
run receive_fuzz "$ns/test/fuzz_corpus"
run driver_fuzz "$ns/test/driver_corpus"
