#!/bin/sh
# Builds the TLS client's fuzzer (test/tls_fuzz.c: a hostile server's
# bytes into the handshake, and the trust store's parsers) with clang 14,
# libFuzzer, ASan and UBSan, from the sources in the runfiles and BearSSL's
# from Debian's package, and runs it for FUZZ_RUNS inputs (default 20000
# here in ./test; 10^6 in tests/benchmarks/run_tls_fuzz). The host Bazel
# toolchain is gcc, so the script compiles by itself, two files at a time.
set -eu
clang=/usr/bin/clang-14
[ -x "$clang" ] || { echo "tls_fuzz_test: $clang is missing; run ./toolchain/setup" >&2; exit 1; }
bearssl=${BEARSSL_DIR:-../bearssl}
out=${TEST_TMPDIR:-$(mktemp -d)}
tls=platform/tls
flags="-g -O1 -fsanitize=${SANITIZE:-fuzzer,address,undefined} -fno-sanitize-recover=undefined
	-I$tls/include -I$tls/src -Iplatform/http/include -I$bearssl/inc -I$bearssl/src"
mkdir -p "$out/obj"
export clang flags out
# BearSSL's sources (quietly: its code is not ours to warn about) and ours (with -Werror).
find "$bearssl/src" -name '*.c' | sort | awk '{ print NR, $0 }' | xargs -P 2 -n 2 sh -c \
	'$clang -std=c99 $flags -w -c "$1" -o "$out/obj/b$0.o"' 
n=0
for f in "$tls"/src/*.c platform/http/src/*.c; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$clang" -std=c17 $flags -Wall -Wextra -Werror -c "$f" -o "$out/obj/t$n.o"
done
# shellcheck disable=SC2086
"$clang" -std=c17 $flags -Wall -Wextra -Werror "$tls"/test/tls_fuzz.c "$out"/obj/*.o \
	-o "$out/tls_fuzz"
mkdir -p "$out/corpus"
cp "$tls"/test/fuzz_corpus/* "$out/corpus/"
start=$(date +%s)
status=0
"$out/tls_fuzz" -runs="${FUZZ_RUNS:-20000}" -seed=1 -max_len=6000 \
	-artifact_prefix="${TEST_UNDECLARED_OUTPUTS_DIR:-$out}/tls_fuzz-" "$out/corpus" \
	>"$out/tls_fuzz.log" 2>&1 || status=$?
end=$(date +%s)
if [ "$status" -ne 0 ]; then
	tail -n 60 "$out/tls_fuzz.log"
	echo "tls_fuzz_test: a crash or a broken promise (exit $status); the input is in the test outputs" >&2
	exit 1
fi
cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$out/tls_fuzz.log" | tail -n 1 || true)
echo "tls_fuzz_test: ${FUZZ_RUNS:-20000} inputs, no crash, $((end - start)) s ($cov)"
