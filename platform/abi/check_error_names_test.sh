#!/bin/bash
# //platform/abi:error_name_test: viper/error_name.h names every error code
# of viper/abi.h in order (check_error_names.py), and the checker rejects a
# table that lacks the last code or swaps two, so we know it can fail.
set -uo pipefail

cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-}" || exit 1
py=/usr/bin/python3
check=platform/abi/check_error_names.py
abi=platform/abi/include/viper/abi.h
names=platform/abi/include/viper/error_name.h
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/error_names.XXXXXX") || exit 1

"$py" "$check" "$abi" "$names" || exit 1

# must_fail NAME EXPECTED_TEXT BROKEN_NAMES
must_fail() {
  local out status
  out=$("$py" "$check" "$abi" "$3" 2>&1)
  status=$?
  if [ "$status" != 1 ] || ! grep -qF -- "$2" <<<"$out"; then
    echo "FAIL: negative check '$1': exit $status (want 1), output should mention '$2':"
    echo "$out"
    exit 1
  fi
  echo "ok: broken table rejected ($1)"
}

sed 's/"VIPER_E_ADDRINUSE",//' "$names" >"$tmp/short.h"
must_fail "last code missing" "the table lacks VIPER_E_ADDRINUSE" "$tmp/short.h"
"$py" -c 'import sys; t = open(sys.argv[1]).read(); i = t.index("names[] = {"); q = chr(34)
a, b = q + "VIPER_E_INVAL" + q, q + "VIPER_E_NOMEM" + q
sys.stdout.write(t[:i] + t[i:].replace(a, "@", 1).replace(b, a, 1).replace("@", b, 1))' \
  "$names" >"$tmp/swapped.h"
must_fail "two codes swapped" "index 1 is \"VIPER_E_NOMEM\"" "$tmp/swapped.h"
echo "PASS"
