#!/bin/bash
# //platform/abi:syscall_docs_test: docs/syscalls.md, viper/abi.h, the
# kernel's syscall_table and the user stubs must agree (check_syscalls.py),
# and the checker must reject broken copies, so we know it can fail.
set -uo pipefail

cd "${TEST_SRCDIR:-.}/${TEST_WORKSPACE:-}" || exit 1
py=/usr/bin/python3
check=platform/abi/check_syscalls.py
abi=platform/abi/include/viper/abi.h
table=platform/kernel/src/syscall.c
stubs=platform/user/include/viper/syscall.h
doc=docs/syscalls.md
handlers=(platform/kernel/src/syscalls/*.c)
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/syscalls.XXXXXX") || exit 1

"$py" "$check" "$abi" "$table" "$stubs" "$doc" --handlers "${handlers[@]}" || exit 1

# must_fail NAME EXPECTED_TEXT BROKEN_FILE ORIGINAL ABI TABLE STUBS DOC
must_fail() {
  local name=$1 want=$2 broken=$3 original=$4 out status
  shift 4
  if cmp -s "$broken" "$original"; then
    echo "FAIL: negative check '$name': the broken copy equals $original (update the mutation)"
    exit 1
  fi
  out=$("$py" "$check" "$@" --handlers "${handlers[@]}" 2>&1)
  status=$?
  if [ "$status" != 1 ] || ! grep -qF -- "$want" <<<"$out"; then
    echo "FAIL: negative check '$name': exit $status (want 1), output should mention '$want':"
    echo "$out"
    exit 1
  fi
  echo "ok: broken copy rejected ($name): $(grep -F -m 1 -- "$want" <<<"$out")"
}

# The first call heading removed.
awk '!gone && /^### [0-9]+ / { gone = 1; next } { print }' "$doc" >"$tmp/heading.md"
must_fail "heading removed" "missing heading" "$tmp/heading.md" "$doc" \
  "$abi" "$table" "$stubs" "$tmp/heading.md"

# The first error-table row removed.
awk '!gone && /^\| `E_[A-Z_]+` \|/ { gone = 1; next } { print }' "$doc" >"$tmp/errors.md"
must_fail "error row removed" "error table lacks" "$tmp/errors.md" "$doc" \
  "$abi" "$table" "$stubs" "$tmp/errors.md"

# An error that does not exist in an "Errors:" list.
sed -E '0,/^- `E_[A-Z_]+`/s//- `E_NO_SUCH_ERROR`/' "$doc" >"$tmp/unknown.md"
must_fail "unknown error" "E_NO_SUCH_ERROR" "$tmp/unknown.md" "$doc" \
  "$abi" "$table" "$stubs" "$tmp/unknown.md"

# The first syscall_table entry removed.
awk '!gone && /^[[:space:]]*\[VIPER_SYS_[A-Z_]+\][[:space:]]*=/ { gone = 1; next } { print }' \
  "$table" >"$tmp/syscall.c"
must_fail "table entry removed" "syscall_table has no entry" "$tmp/syscall.c" "$table" \
  "$abi" "$tmp/syscall.c" "$stubs" "$doc"

# A handler the table names defined in none of the handler files.
others=()
for f in "${handlers[@]}"; do
  [ "$(basename "$f")" = thread.c ] || others+=("$f")
done
out=$("$py" "$check" "$abi" "$table" "$stubs" "$doc" --handlers "${others[@]}" 2>&1)
if [ $? != 1 ] || ! grep -qF "no handler file defines it" <<<"$out"; then
  echo "FAIL: negative check 'handler file missing': the checker accepted it:"
  echo "$out"
  exit 1
fi
echo "ok: missing handler rejected: $(grep -F -m 1 "no handler file defines it" <<<"$out")"

rm -rf "$tmp"
