#!/usr/bin/python3
"""Checks that viper/error_name.h names every code of enum viper_error.

usage: check_error_names.py ABI_H ERROR_NAME_H

The table in error_name.h must hold, at index i, the name of the member of
enum viper_error (abi.h) whose value is -i, for every member and no more.
Exit status 0 when they agree, 1 with each problem as FILE: what to fix.
"""

import re
import sys


def enum_members(text):
    body = re.search(r"enum viper_error \{(.*?)\};", text, re.S)
    if not body:
        return None
    return [(m.group(1), int(m.group(2)))
            for m in re.finditer(r"^\s*(VIPER_[A-Z0-9_]+)\s*=\s*(-?\d+)\s*,", body.group(1), re.M)]


def table_names(text):
    body = re.search(r"names\[\] = \{(.*?)\};", text, re.S)
    return re.findall(r'"([A-Z0-9_]+)"', body.group(1)) if body else None


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    abi_path, names_path = sys.argv[1:]
    members = enum_members(open(abi_path).read())
    names = table_names(open(names_path).read())
    problems = []
    if not members:
        problems.append("%s: no `enum viper_error { ... };` found" % abi_path)
    if names is None:
        problems.append("%s: no `names[] = { ... };` table found" % names_path)
    if not problems:
        for member, value in members:
            index = -value
            if index < 0 or index >= len(names):
                problems.append("%s: the table lacks %s (%d): add \"%s\" at index %d"
                                % (names_path, member, value, member, index))
            elif names[index] != member:
                problems.append("%s: index %d is \"%s\" but abi.h gives %d to %s: fix the entry"
                                % (names_path, index, names[index], value, member))
        if len(names) > len(members):
            problems.append("%s: the table has %d names for %d codes: remove the extra ones"
                            % (names_path, len(names), len(members)))
    for p in problems:
        print(p)
    if problems:
        return 1
    print("check_error_names: OK: %d error codes named" % len(members))
    return 0


if __name__ == "__main__":
    sys.exit(main())
