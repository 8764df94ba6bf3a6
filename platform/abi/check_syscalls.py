#!/usr/bin/python3
"""Checks that the system-call ABI, the kernel's dispatch table, the user
stubs and docs/syscalls.md agree.

Usage: check_syscalls.py ABI_H SYSCALL_C SYSCALL_H SYSCALLS_MD [--handlers FILE...]

  ABI_H        platform/abi/include/viper/abi.h (enum viper_syscall, viper_error, ...)
  SYSCALL_C    platform/kernel/src/syscall.c (syscall_table)
  --handlers   the files defining the sys_<name> handlers
               (platform/kernel/src/syscalls/*.c; default: SYSCALL_C alone)
  SYSCALL_H    platform/user/include/viper/syscall.h (the viper_<name> stubs)
  SYSCALLS_MD  docs/syscalls.md (the reference)

Checks:
  a. enum viper_syscall numbers its calls 0..COUNT-1 with no gap or duplicate,
     and VIPER_SYS_COUNT is the number of calls;
  b. syscall_table has exactly one `[VIPER_SYS_X] = sys_x,` per call, the
     handler is named after the call and defined in one of the handler
     files, and there is nothing else;
  c. syscall.h has one `viper_<name>` stub per call that uses VIPER_SYS_<NAME>
     (and no other call number);
  d. syscalls.md has exactly one `### <number> <name>` heading per call, in
     number order, and no other level-3 heading; each such section shows the
     stub's C signature and has an "Errors:" list (or "Errors: none.");
  e. the error table of syscalls.md lists every enum viper_error member with
     its value and nothing else; every error named in an "Errors:" list, and
     every `E_*` / VIPER_* name the page mentions, exists in the headers;
     the rights, object-kind, signal and flag tables match their enums.

Prints one line per problem ("FILE:LINE: what to fix") and exits 1, or
prints a one-line summary and exits 0. Exits 2 when it cannot read its input.
"""

import argparse
import os
import re
import sys

# Enums whose members must each have a table row `| `NAME` | value |` in the doc.
TABLED_ENUMS = [
    "viper_right",
    "viper_object_kind",
    "viper_signal",
    "viper_msg_flags",
    "viper_memory_flags",
    "viper_prot",
]


class Problems:
    def __init__(self):
        self.lines = []

    def add(self, path, line, message):
        where = "%s:%d" % (path, line) if line else path
        self.lines.append("%s: %s" % (where, message))


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError) as e:
        sys.stderr.write("check_syscalls: cannot read %s: %s\n" % (path, e))
        sys.exit(2)


def strip_c_comments(text):
    """Blanks out comments and string literals, keeping every newline (and so
    line numbers and offsets) in place."""

    def blank(m):
        s = m.group(0)
        if s.startswith('"') or s.startswith("'"):
            return s[0] + re.sub(r"[^\n]", " ", s[1:-1]) + s[-1]
        return re.sub(r"[^\n]", " ", s)

    pattern = r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
    return re.sub(pattern, blank, text, flags=re.S)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


_TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|<<|>>|[()|&+\-~*])")


def eval_c_int(expr, known):
    """Evaluates a C integer constant expression of literals, earlier enum
    members and + - * ~ | & << >> ( ). Returns None if it cannot."""
    pos, out = 0, []
    expr = expr.strip()
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            return None
        tok = m.group(1)
        pos = m.end()
        if re.match(r"^(0[xX][0-9a-fA-F]+|\d+)$", tok):
            # Integer suffixes (u, l, ul, ...) follow the literal.
            sm = re.match(r"[uUlL]+", expr[pos:])
            if sm:
                pos += sm.end()
            out.append(str(int(tok, 0)))
        elif re.match(r"^[A-Za-z_]\w*$", tok):
            if tok not in known:
                return None
            out.append("(%d)" % known[tok])
        else:
            out.append(tok)
        while pos < len(expr) and expr[pos].isspace():
            pos += 1
    try:
        return int(eval(" ".join(out), {"__builtins__": {}}, {}))
    except Exception:
        return None


def parse_enum(code, name):
    """Returns (members, line) for `enum name { ... };` in comment-free C, where
    members is a list of (member, value or None, line); None if not found."""
    m = re.search(r"\benum\s+" + re.escape(name) + r"\s*\{(.*?)\}\s*;", code, re.S)
    if not m:
        return None
    members, known, value = [], {}, -1
    body_start = m.start(1)
    offset = 0
    for piece in m.group(1).split(","):
        start = body_start + offset + (len(piece) - len(piece.lstrip()))
        offset += len(piece) + 1
        piece = piece.strip()
        if not piece:
            continue
        pm = re.match(r"^([A-Za-z_]\w*)\s*(?:=\s*(.+))?$", piece, re.S)
        if not pm:
            members.append((piece, None, line_of(code, start)))
            continue
        if pm.group(2) is None:
            value = value + 1 if value is not None else None
        else:
            value = eval_c_int(pm.group(2), known)
        if value is not None:
            known[pm.group(1)] = value
        members.append((pm.group(1), value, line_of(code, start)))
    return members, line_of(code, m.start())


def defined_names(code):
    """Every enum member and #define name in comment-free C."""
    names = set(re.findall(r"^\s*#\s*define\s+([A-Za-z_]\w*)", code, re.M))
    for body in re.findall(r"\benum\s+\w*\s*\{(.*?)\}", code, re.S):
        for piece in body.split(","):
            pm = re.match(r"\s*([A-Za-z_]\w*)", piece)
            if pm:
                names.add(pm.group(1))
    return names


def check_numbers(abi_path, abi, problems):
    """(a) Returns the calls as a list of (NAME, number) in number order."""
    parsed = parse_enum(abi, "viper_syscall")
    if parsed is None:
        problems.add(abi_path, 0, "no `enum viper_syscall { ... };` found: define the call numbers there")
        return []
    members, _ = parsed
    calls, count, seen = [], None, {}
    for member, value, line in members:
        mm = re.match(r"^VIPER_SYS_([A-Z0-9_]+)$", member)
        if not mm:
            problems.add(abi_path, line, "enum viper_syscall member `%s` is not named VIPER_SYS_<NAME>: rename it" % member)
            continue
        if value is None:
            problems.add(abi_path, line, "cannot work out the value of %s: give it a plain number" % member)
            continue
        if mm.group(1) == "COUNT":
            count = (value, line)
            continue
        if value in seen:
            problems.add(abi_path, line, "%s has number %d, already used by %s: give every call its own number" % (member, value, seen[value]))
            continue
        seen[value] = member
        calls.append((mm.group(1), value, line))
    calls.sort(key=lambda c: c[1])
    for i, (name, value, line) in enumerate(calls):
        if value != i:
            problems.add(abi_path, line, "VIPER_SYS_%s is %d but the numbers must run 0..%d without gaps: number %d is missing" % (name, value, len(calls) - 1, i))
            break
    if count is None:
        problems.add(abi_path, 0, "enum viper_syscall has no VIPER_SYS_COUNT: add `VIPER_SYS_COUNT = %d,` after the last call" % len(calls))
    elif count[0] != len(calls):
        problems.add(abi_path, count[1], "VIPER_SYS_COUNT is %d but enum viper_syscall has %d calls: set it to %d" % (count[0], len(calls), len(calls)))
    return [(name, value) for name, value, _ in calls]


def check_table(c_path, c_code, handler_code, calls, problems):
    """(b) The dispatch table in syscall.c."""
    m = re.search(r"\bsyscall_table\s*\[[^\]]*\]\s*=\s*\{(.*?)\}\s*;", c_code, re.S)
    if not m:
        problems.add(c_path, 0, "no `syscall_table[...] = { ... };` found: the kernel must dispatch through it")
        return
    body, base = m.group(1), m.start(1)
    entries = {}
    rest = list(body)
    for em in re.finditer(r"\[\s*([A-Za-z_]\w*)\s*\]\s*=\s*([A-Za-z_]\w*)\s*,?", body):
        for i in range(em.start(), em.end()):
            rest[i] = " "
        line = line_of(c_code, base + em.start())
        entries.setdefault(em.group(1), []).append((em.group(2), line))
    leftover = "".join(rest)
    for lm in re.finditer(r"\S[^\n]*", leftover):
        problems.add(c_path, line_of(c_code, base + lm.start()), "unrecognised text in syscall_table: `%s`; write entries as `[VIPER_SYS_X] = sys_x,`" % lm.group(0).strip())
    names = {"VIPER_SYS_" + name for name, _ in calls}
    for key, uses in entries.items():
        if key not in names:
            problems.add(c_path, uses[0][1], "syscall_table entry [%s] is not a call of enum viper_syscall: remove it or add the call to abi.h" % key)
    for name, _ in calls:
        key = "VIPER_SYS_" + name
        uses = entries.get(key, [])
        want = "sys_" + name.lower()
        if not uses:
            problems.add(c_path, line_of(c_code, m.start()), "syscall_table has no entry for %s: add `[%s] = %s,`" % (key, key, want))
            continue
        if len(uses) > 1:
            problems.add(c_path, uses[1][1], "syscall_table has %d entries for %s: keep exactly one" % (len(uses), key))
        handler, line = uses[0]
        if handler != want:
            problems.add(c_path, line, "syscall_table maps %s to %s: the handler must be %s" % (key, handler, want))
        elif not re.search(r"\b" + re.escape(want) + r"\s*\([^;{)]*\)\s*\{", handler_code):
            problems.add(c_path, line, "syscall_table names %s but no handler file defines it" % want)


def parse_stubs(h_code):
    """Returns {name: [(params, body, line)]} for `static inline int64_t viper_x(...) { ... }`."""
    stubs = {}
    for m in re.finditer(r"\bstatic\s+inline\s+int64_t\s+(viper_\w+)\s*\(([^)]*)\)\s*\{", h_code):
        depth, i = 1, m.end()
        while i < len(h_code) and depth:
            if h_code[i] == "{":
                depth += 1
            elif h_code[i] == "}":
                depth -= 1
            i += 1
        stubs.setdefault(m.group(1), []).append((m.group(2), h_code[m.end():i], line_of(h_code, m.start())))
    return stubs


def normalise_signature(text):
    """A declaration as its tokens joined by single spaces: spacing and the final ';' do not matter."""
    return " ".join(re.findall(r"\w+|[^\s\w]", text.strip().rstrip(";")))


def check_stubs(h_path, h_code, calls, problems):
    """(c) Returns {call NAME: normalised prototype} for the stubs found."""
    stubs = parse_stubs(h_code)
    numbers = {"VIPER_SYS_" + name for name, _ in calls} | {"VIPER_SYS_COUNT"}
    for um in re.finditer(r"\bVIPER_SYS_[A-Z0-9_]+\b", h_code):
        if um.group(0) not in numbers:
            problems.add(h_path, line_of(h_code, um.start()), "%s is not a call of enum viper_syscall: fix the name" % um.group(0))
    prototypes = {}
    for name, _ in calls:
        stub = "viper_" + name.lower()
        found = stubs.get(stub, [])
        if not found:
            problems.add(h_path, 0, "no stub for VIPER_SYS_%s: add `static inline int64_t %s(...)` calling viper_syscall6(VIPER_SYS_%s, ...)" % (name, stub, name))
            continue
        if len(found) > 1:
            problems.add(h_path, found[1][2], "%s is defined %d times: keep one" % (stub, len(found)))
        params, body, line = found[0]
        used = set(re.findall(r"\bVIPER_SYS_[A-Z0-9_]+\b", body))
        if "VIPER_SYS_" + name not in used:
            problems.add(h_path, line, "%s does not use VIPER_SYS_%s: pass it to viper_syscall6" % (stub, name))
        for other in sorted(used - {"VIPER_SYS_" + name}):
            problems.add(h_path, line, "%s uses %s as well: a stub makes exactly its own call" % (stub, other))
        prototypes[name] = normalise_signature("int64_t %s(%s)" % (stub, params))
    return prototypes


def markdown_lines(text):
    """Yields (line number, line, in_code) for each line of a Markdown text."""
    fence = None
    for n, line in enumerate(text.split("\n"), 1):
        fm = re.match(r"^\s*(```+|~~~+)", line)
        if fm:
            if fence is None:
                fence = fm.group(1)[0] * 3
                yield n, line, True
                continue
            if fm.group(1).startswith(fence):
                fence = None
                yield n, line, True
                continue
        yield n, line, fence is not None


def parse_markdown(md):
    """Returns (lines, headings): lines as (n, text, in_code); headings as
    (index into lines, level, text)."""
    lines = list(markdown_lines(md))
    headings = []
    for i, (n, line, in_code) in enumerate(lines):
        if in_code:
            continue
        hm = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if hm:
            headings.append((i, len(hm.group(1)), hm.group(2)))
    return lines, headings


def section(lines, headings, k):
    """The lines under heading k, up to the next heading of the same or a higher level."""
    start, level, _ = headings[k]
    end = len(lines)
    for i, lv, _ in headings[k + 1:]:
        if lv <= level:
            end = i
            break
    return lines[start + 1:end]


def check_doc_headings(md_path, lines, headings, calls, prototypes, problems):
    """(d) Returns the error names listed in every section's "Errors:" list."""
    expected = [(number, name.lower()) for name, number in calls]
    found = []
    for k, (i, level, text) in enumerate(headings):
        if level != 3:
            continue
        n = lines[i][0]
        hm = re.match(r"^(\d+)\s+([a-z][a-z0-9_]*)$", text)
        if not hm:
            problems.add(md_path, n, "heading `### %s` is not a call heading: use `### <number> <name>` (level 3 is for calls only)" % text)
            continue
        found.append((int(hm.group(1)), hm.group(2), n, k))
    want = set(expected)
    by_call = {}
    for number, name, n, k in found:
        by_call.setdefault((number, name), []).append(n)
        if (number, name) not in want:
            names = {nm: num for num, nm in expected}
            if name in names:
                problems.add(md_path, n, "`### %d %s`: %s is call number %d: write `### %d %s`" % (number, name, name, names[name], names[name], name))
            else:
                problems.add(md_path, n, "`### %d %s` names no system call of enum viper_syscall: remove it or fix it" % (number, name))
    for call, ns in by_call.items():
        if len(ns) > 1 and call in want:
            problems.add(md_path, ns[1], "`### %d %s` appears %d times: keep one section per call" % (call[0], call[1], len(ns)))
    for number, name in expected:
        if (number, name) not in by_call:
            problems.add(md_path, 0, "missing heading `### %d %s`: add a section for VIPER_SYS_%s" % (number, name, name.upper()))
    order = [(number, name) for number, name, _, _ in found if (number, name) in want]
    if order != sorted(order):
        for (a, b) in zip(order, order[1:]):
            if b < a:
                problems.add(md_path, by_call[b][0], "`### %d %s` comes after `### %d %s`: keep the sections in number order" % (b[0], b[1], a[0], a[1]))
                break

    listed = []
    for number, name, n, k in found:
        if (number, name) not in want:
            continue
        body = section(lines, headings, k)
        code = []
        for _, line, in_code in body:
            if in_code and not re.match(r"^\s*(```|~~~)", line):
                code.append(line)
            elif code:
                break
        proto = prototypes.get(name.upper())
        if not code:
            problems.add(md_path, n, "section `### %d %s` shows no C signature: add a ```c block with the stub's declaration" % (number, name))
        elif proto and normalise_signature(" ".join(code)) != proto:
            problems.add(md_path, n, "section `### %d %s` shows `%s` but syscall.h declares `%s`: copy the stub's signature" % (number, name, normalise_signature(" ".join(code)), proto))
        listed.extend(check_errors_list(md_path, body, number, name, n, problems))
    return listed


def check_errors_list(md_path, body, number, name, heading_line, problems):
    """Returns [(error name, line)] from the section's "Errors:" list."""
    starts = [j for j, (_, line, in_code) in enumerate(body)
              if not in_code and re.match(r"^\s*(\*\*)?Errors:(\*\*)?", line)]
    if not starts:
        problems.add(md_path, heading_line, "section `### %d %s` has no \"Errors:\" list: add one (or `Errors: none.`)" % (number, name))
        return []
    if len(starts) > 1:
        problems.add(md_path, body[starts[1]][0], "section `### %d %s` has more than one \"Errors:\" list: merge them" % (number, name))
    j = starts[0]
    head = body[j][1]
    items, current = [], None
    j += 1
    while j < len(body):
        n, line, in_code = body[j]
        if in_code:
            break
        if re.match(r"^\s*[-*+]\s+", line):
            current = [n, line]
            items.append(current)
        elif not line.strip():
            nxt = next((l for _, l, _ in body[j + 1:] if l.strip()), "")
            if items and not re.match(r"^\s*[-*+]\s+|^\s{2,}\S", nxt):
                break
        elif current is not None and re.match(r"^\s+\S", line):
            current[1] += " " + line.strip()
        else:
            break
        j += 1
    if not items:
        if not re.search(r"\bnone\b", head, re.I):
            problems.add(md_path, body[starts[0]][0], "\"Errors:\" in `### %d %s` lists nothing: add `- `E_...`: why` items or write `Errors: none.`" % (number, name))
        return []
    listed, seen = [], set()
    for n, text in items:
        im = re.match(r"^\s*[-*+]\s+`(?:VIPER_)?(E_[A-Z0-9_]+)`", text)
        if not im:
            problems.add(md_path, n, "\"Errors:\" item in `### %d %s` does not start with an error name: write `- `E_NAME`: why`" % (number, name))
            continue
        if im.group(1) in seen:
            problems.add(md_path, n, "`%s` is listed twice under `### %d %s`: merge the items" % (im.group(1), number, name))
        seen.add(im.group(1))
        listed.append((im.group(1), n))
    return listed


def table_rows(lines, first=0, last=None):
    """Yields (line number, first cell, second cell) of Markdown table rows."""
    for n, line, in_code in lines[first:last]:
        if in_code:
            continue
        rm = re.match(r"^\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|", line)
        if rm:
            yield n, rm.group(1), rm.group(2)


def parse_int(text):
    text = text.strip()
    try:
        return int(text, 0)
    except ValueError:
        m = re.match(r"^(-?\s*\d+)$", text)
        return int(m.group(1).replace(" ", "")) if m else None


def check_error_table(md_path, abi_path, abi, lines, headings, listed, problems):
    """(e) The error table and every error the page names."""
    parsed = parse_enum(abi, "viper_error")
    if parsed is None:
        problems.add(abi_path, 0, "no `enum viper_error { ... };` found")
        return 0
    members, _ = parsed
    enum = {}
    for member, value, line in members:
        em = re.match(r"^VIPER_(OK|E_[A-Z0-9_]+)$", member)
        if not em:
            problems.add(abi_path, line, "enum viper_error member `%s` is not VIPER_OK or VIPER_E_<NAME>: rename it" % member)
            continue
        if value is None:
            problems.add(abi_path, line, "cannot work out the value of %s: give it a plain number" % member)
            continue
        enum[em.group(1)] = value
    table = [k for k, (_, level, text) in enumerate(headings) if level == 2 and re.match(r"^error codes?$", text, re.I)]
    if not table:
        problems.add(md_path, 0, "no `## Error codes` section: add one with a table `| `E_NAME` | value | meaning |`")
        return len(enum)
    body = section(lines, headings, table[0])
    rows = {}
    for n, name, value in table_rows(body):
        nm = re.match(r"^`(?:VIPER_)?(OK|E_[A-Z0-9_]+)`$", name)
        if not nm:
            continue
        if nm.group(1) in rows:
            problems.add(md_path, n, "error table lists `%s` twice: keep one row" % nm.group(1))
            continue
        rows[nm.group(1)] = (parse_int(value), n)
        if nm.group(1) not in enum:
            problems.add(md_path, n, "error table lists `%s`, which enum viper_error does not have: remove the row" % nm.group(1))
    for name, value in enum.items():
        if name not in rows:
            problems.add(md_path, lines[headings[table[0]][0]][0], "error table lacks `%s` (%d): add the row" % (name, value))
        elif rows[name][0] != value:
            problems.add(md_path, rows[name][1], "error table gives `%s` the value %s but abi.h has %d: fix the row" % (name, rows[name][0], value))
    reported = set()
    for name, n in listed:
        if name not in enum:
            problems.add(md_path, n, "\"Errors:\" names `%s`, which enum viper_error does not have: use a real error" % name)
            reported.add((name, n))
    for n, line, in_code in lines:
        if in_code:
            continue
        for em in re.finditer(r"`(?:VIPER_)?(E_[A-Z0-9_]+)`", line):
            if em.group(1) not in enum and (em.group(1), n) not in reported:
                problems.add(md_path, n, "`%s` is not an error of enum viper_error: fix the name" % em.group(0).strip("`"))
    return len(enum)


def check_named_tables(md_path, abi_path, abi, h_code, lines, problems):
    """(e) Rights, kinds, signals and flags: every member has a row with its value,
    and every VIPER_* name on the page exists."""
    rows = {}
    for n, name, value in table_rows(lines):
        for nm in re.finditer(r"`(VIPER_[A-Z0-9_]+)`", name):
            rows.setdefault(nm.group(1), (parse_int(value), n))
    for enum_name in TABLED_ENUMS:
        parsed = parse_enum(abi, enum_name)
        if parsed is None:
            problems.add(abi_path, 0, "no `enum %s` found: update TABLED_ENUMS in check_syscalls.py if it was renamed" % enum_name)
            continue
        for member, value, line in parsed[0]:
            if member not in rows:
                problems.add(md_path, 0, "no table row for `%s` (enum %s): add `| `%s` | %s | ... |`" % (member, enum_name, member, hex(value) if value is not None else "?"))
            elif value is not None and rows[member][0] != value:
                problems.add(md_path, rows[member][1], "`%s` is %s in its table but %s in abi.h: fix the row" % (member, rows[member][0], hex(value)))
    known = defined_names(abi) | defined_names(h_code)
    for n, line, in_code in lines:
        if in_code:
            continue
        for vm in re.finditer(r"\bVIPER_[A-Z0-9_]*[A-Z0-9]\b", line):
            if vm.group(0) not in known:
                problems.add(md_path, n, "`%s` is defined in neither abi.h nor syscall.h: fix the name" % vm.group(0))


def main(argv):
    parser = argparse.ArgumentParser(
        prog="check_syscalls.py",
        description="Check that the system-call ABI (abi.h), the kernel's dispatch table "
        "(syscall.c), the user stubs (syscall.h) and the reference (syscalls.md) agree.",
        epilog="Exit status: 0 when everything agrees, 1 when a problem was found (one line "
        "each, FILE:LINE: what to fix), 2 on a usage error or unreadable input.",
    )
    parser.add_argument("abi_h", help="platform/abi/include/viper/abi.h")
    parser.add_argument("syscall_c", help="platform/kernel/src/syscall.c")
    parser.add_argument("syscall_h", help="platform/user/include/viper/syscall.h")
    parser.add_argument("syscalls_md", help="docs/syscalls.md")
    parser.add_argument("--handlers", nargs="+", default=[],
                        help="files defining the sys_<name> handlers (default: SYSCALL_C)")
    args = parser.parse_args(argv)

    abi = strip_c_comments(read(args.abi_h))
    c_code = strip_c_comments(read(args.syscall_c))
    h_code = strip_c_comments(read(args.syscall_h))
    md = read(args.syscalls_md)
    problems = Problems()

    calls = check_numbers(args.abi_h, abi, problems)
    handler_code = "\n".join(strip_c_comments(read(p)) for p in args.handlers) or c_code
    check_table(args.syscall_c, c_code, handler_code, calls, problems)
    prototypes = check_stubs(args.syscall_h, h_code, calls, problems)
    lines, headings = parse_markdown(md)
    listed = check_doc_headings(args.syscalls_md, lines, headings, calls, prototypes, problems)
    errors = check_error_table(args.syscalls_md, args.abi_h, abi, lines, headings, listed, problems)
    check_named_tables(args.syscalls_md, args.abi_h, abi, h_code, lines, problems)

    if problems.lines:
        for line in problems.lines:
            print(line)
        sys.stdout.flush()
        print("check_syscalls: %d problem(s)" % len(problems.lines), file=sys.stderr)
        return 1
    print("check_syscalls: OK: %d system calls and %d error codes agree across %s, %s, %s and %s"
          % (len(calls), errors, os.path.basename(args.abi_h), os.path.basename(args.syscall_c),
             os.path.basename(args.syscall_h), os.path.basename(args.syscalls_md)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
