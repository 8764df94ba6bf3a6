#!/bin/bash
# //components/viperfs:tools_test: mkfs.viperfs makes the same image twice
# from the same tree, fsck.viperfs finds it clean and exits as e2fsck does:
# 4 for a problem it only reports, 1 once it repaired everything, 8 for a
# file that is no volume or does not exist, 16 for a usage error.
set -uo pipefail

mkfs=$1
fsck=$2
tmp=$(mktemp -d "${TEST_TMPDIR:-/tmp}/viperfs_tools.XXXXXX") || exit 1
fails=0

expect_status() { # WANT WHAT COMMAND...
  local want=$1 what=$2 status
  shift 2
  "$@" >"$tmp/out" 2>&1
  status=$?
  if [ "$status" != "$want" ]; then
    echo "FAIL: $what: exit $status, want $want:"
    cat "$tmp/out"
    fails=$((fails + 1))
  else
    echo "ok: $what (exit $status)"
  fi
}

mkdir -p "$tmp/tree/C" "$tmp/tree/S" "$tmp/tree/empty"
printf 'echo hello\n' >"$tmp/tree/S/Startup-Sequence"
head -c 300000 /dev/urandom >"$tmp/tree/C/program"
chmod 755 "$tmp/tree/C/program"
ln -s C/program "$tmp/tree/shortcut"
for i in $(seq 1 40); do echo "file $i" >"$tmp/tree/empty/../S/f$i"; done

expect_status 0 "mkfs from a tree" "$mkfs" --size 8M --label Test --time 1700000000 --root "$tmp/tree" "$tmp/a.img"
touch -d @1 "$tmp/tree/S/f1" # host timestamps must not matter
expect_status 0 "mkfs again" "$mkfs" --size 8M --label Test --time 1700000000 --root "$tmp/tree" "$tmp/b.img"
if cmp -s "$tmp/a.img" "$tmp/b.img"; then
  echo "ok: the same tree gives a bit-identical image"
else
  echo "FAIL: two images of the same tree differ"
  fails=$((fails + 1))
fi
expect_status 0 "a new image checks clean" "$fsck" "$tmp/a.img"
grep -q "42 files, 4 directories, 1 symlinks" "$tmp/out" || {
  echo "FAIL: fsck counted otherwise:"; cat "$tmp/out"; fails=$((fails + 1)); }

# A free inode of the table made non-zero: found with -n, mended with -y.
printf '\001' | dd of="$tmp/a.img" bs=1 seek=$((4096 * 70 + 256 * 9)) conv=notrunc 2>/dev/null
expect_status 4 "a damaged inode is reported" "$fsck" -n "$tmp/a.img"
expect_status 1 "and repaired" "$fsck" -y "$tmp/a.img"
expect_status 0 "and then clean" "$fsck" "$tmp/a.img"

head -c 1048576 /dev/zero >"$tmp/zero.img"
expect_status 8 "no volume" "$fsck" "$tmp/zero.img"
grep -q "not a ViperFS volume" "$tmp/out" || { echo "FAIL: no reason given"; fails=$((fails + 1)); }
expect_status 8 "no file" "$fsck" "$tmp/missing.img"
[ ! -e "$tmp/missing.img" ] || { echo "FAIL: fsck made the file"; fails=$((fails + 1)); }
expect_status 16 "usage" "$fsck" -x
expect_status 1 "mkfs refuses a disk too small" "$mkfs" --size 64K "$tmp/tiny.img"
expect_status 1 "mkfs names a missing tree" "$mkfs" --size 8M --root "$tmp/nothing" "$tmp/c.img"
grep -q "nothing" "$tmp/out" || { echo "FAIL: the path is not named"; fails=$((fails + 1)); }

[ "$fails" = 0 ] && echo PASS || { echo "$fails failures"; exit 1; }
