#!/usr/bin/python3
"""Checks the shape of C functions: no definition with more than MAX_PARAMS
parameters or more than MAX_LINES lines (from the line of its name to its
closing brace).

Usage: check_functions.py [--max-params N] [--max-lines N] FILE...

Prints one line per function over a limit ("FILE:LINE: NAME has N
parameters (at most 6)") and exits 1, or a one-line summary and exits 0.
Exits 2 when a file cannot be read. Comments, strings and preprocessor
lines are ignored; a definition is a top-level `name(...) {`.
"""

import argparse
import re
import sys


def blank_comments_and_strings(text):
    def blank(m):
        s = m.group(0)
        keep = s[0] if s[0] in "\"'" else ""
        inner = re.sub(r"[^\n]", " ", s[len(keep):len(s) - len(keep)] if keep else s)
        return keep + inner + keep if keep else inner

    pattern = r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\''
    text = re.sub(pattern, blank, text, flags=re.S)
    # Preprocessor lines (and their continuations) hold no definitions.
    return re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*", lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                  text, flags=re.M)


def functions(text):
    """Yields (name, params, first_line, last_line) for top-level definitions."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "{":
            if depth == 0:
                head = text[:i].rstrip()
                m = re.search(r"\b([A-Za-z_]\w*)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)\s*$", head)
                start = i
                j, d = i, 0
                while j < n:
                    if text[j] == "{":
                        d += 1
                    elif text[j] == "}":
                        d -= 1
                        if d == 0:
                            break
                    j += 1
                if m and m.group(1) not in ("if", "for", "while", "switch", "sizeof"):
                    # Not an initializer: `= {` or a struct/enum/union body.
                    before = text[:m.start()].rstrip()
                    if not before.endswith("=") and not re.search(r"\b(struct|enum|union)\s*\w*\s*$", text[:start]):
                        yield (m.group(1), m.group(2), text.count("\n", 0, m.start()) + 1,
                               text.count("\n", 0, j) + 1)
                i = j + 1
                continue
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1


def count_params(params):
    params = params.strip()
    if params in ("", "void"):
        return 0
    depth, count = 0, 1
    for ch in params:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            count += 1
    return count


def main(argv):
    parser = argparse.ArgumentParser(prog="check_functions.py",
                                     description="Check C function lengths and parameter counts.")
    parser.add_argument("--max-params", type=int, default=6)
    parser.add_argument("--max-lines", type=int, default=80)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)
    problems = []
    total = 0
    for path in args.files:
        try:
            with open(path, encoding="utf-8") as f:
                text = blank_comments_and_strings(f.read())
        except OSError as e:
            sys.stderr.write("check_functions: cannot read %s: %s\n" % (path, e))
            return 2
        for name, params, first, last in functions(text):
            total += 1
            p = count_params(params)
            if p > args.max_params:
                problems.append("%s:%d: %s has %d parameters (at most %d): pass a struct"
                                % (path, first, name, p, args.max_params))
            if last - first + 1 > args.max_lines:
                problems.append("%s:%d: %s is %d lines long (at most %d): split it"
                                % (path, first, name, last - first + 1, args.max_lines))
    for line in problems:
        print(line)
    if problems:
        return 1
    print("check_functions: OK: %d functions in %d files within %d parameters and %d lines"
          % (total, len(args.files), args.max_params, args.max_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
