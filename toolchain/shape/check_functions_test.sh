#!/bin/bash
# //toolchain/shape:kernel_function_shape_test: every function of the kernel
# (platform/kernel, platform/arch) takes at most 6 parameters and is at most
# 80 lines long; and the checker rejects a file that breaks either rule, so
# we know it can fail.
set -uo pipefail

cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-}" || exit 1
check=toolchain/shape/check_functions.py
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/shape.XXXXXX") || exit 1

mapfile -t sources < <(find platform/kernel/src platform/arch/aarch64/src -name '*.c' | sort)
[ "${#sources[@]}" -gt 40 ] || {
  echo "FAIL: only ${#sources[@]} kernel sources found"
  exit 1
}
/usr/bin/python3 "$check" "${sources[@]}" || exit 1

# A function with seven parameters, and one of 81 lines.
{
  echo 'static int seven(int a, int b, int c, int d, int e, int f, int g)'
  echo '{'
  echo '	return a + b + c + d + e + f + g;'
  echo '}'
  echo 'int long_one(void)'
  echo '{'
  for i in $(seq 1 77); do echo "	(void)$i;"; done
  echo '	return 0;'
  echo '}'
} >"$tmp/broken.c"
out=$(/usr/bin/python3 "$check" "$tmp/broken.c")
status=$?
for want in "seven has 7 parameters" "long_one is 81 lines long"; do
  if [ "$status" != 1 ] || ! grep -qF "$want" <<<"$out"; then
    echo "FAIL: the checker did not report '$want' (exit $status):"
    echo "$out"
    exit 1
  fi
done
echo "ok: broken functions rejected"
rm -rf "$tmp"
