"""Diagnostics of ViperOS build tools: the interface generator and the system assembler.

Every problem is one Diagnostic with the file and line it is about, a short
stable kebab-case code, a message and a suggested fix. The text form, one per
problem, sorted by file then line:

    system/qemu_virt/kv.textproto:12: error: slot 'store' of instance 'client' ...
      fix: bind 'store' to an instance providing kv: kv

The JSON form: {"diagnostics": [{"file", "line", "severity", "code",
"message", "fix"}]}. A tool exits with status 1 when any error was reported.

File, message and fix never carry a control character as it is: each
(a line break, a NUL, a bidirectional override...) is shown escaped, as
\n, \x00 or \u202e, so a diagnostic stays one line per field and shows
what the input really holds.

This is the one implementation for both tools. Other tools import it
through sys.path from their own location (and list
//toolchain/assembler:diagnostics among their inputs):

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    "..", "assembler"))
    import diagnostics
"""

import difflib
import json
import sys
import unicodedata

ERROR = "error"
WARNING = "warning"

_NAMED_ESCAPES = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
# Unicode categories shown escaped: controls, format characters (bidirectional
# overrides, zero-width spaces), line and paragraph separators, surrogates.
_ESCAPED_CATEGORIES = ("Cc", "Cf", "Zl", "Zp", "Cs")


def printable(text):
    """`text` with every control or format character escaped (\\n, \\x01, \\u202e)."""
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[c])
        elif unicodedata.category(c) in _ESCAPED_CATEGORIES:
            code = ord(c)
            out.append("\\x%02x" % code if code < 0x100 else
                       "\\u%04x" % code if code < 0x10000 else "\\U%08x" % code)
        else:
            out.append(c)
    return "".join(out)


class Diagnostic:
    """One problem at file:line."""

    __slots__ = ("file", "line", "severity", "code", "message", "fix")

    def __init__(self, file, line, severity, code, message, fix=""):
        self.file = printable(file)
        self.line = int(line)
        self.severity = severity
        self.code = code
        self.message = printable(message)
        self.fix = printable(fix)

    def sort_key(self):
        return (self.file, self.line, self.code, self.message, self.fix)

    def text(self):
        """The text form: 'file:line: severity: message' and an indented fix line."""
        out = "%s:%d: %s: %s" % (self.file, self.line, self.severity, self.message)
        if self.fix:
            out += "\n  fix: " + self.fix
        return out

    def as_dict(self):
        return {
            "file": self.file,
            "line": self.line,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
        }


class Diagnostics:
    """The diagnostics of one run of a tool, reported together at the end."""

    def __init__(self):
        self._items = []
        self._seen = set()

    def error(self, file, line, code, message, fix=""):
        self._add(Diagnostic(file, line, ERROR, code, message, fix))

    def warning(self, file, line, code, message, fix=""):
        self._add(Diagnostic(file, line, WARNING, code, message, fix))

    def _add(self, diag):
        key = diag.sort_key() + (diag.severity,)
        if key not in self._seen:
            self._seen.add(key)
            self._items.append(diag)

    def __len__(self):
        """The number of distinct diagnostics reported so far."""
        return len(self._items)

    def has_errors(self):
        return any(d.severity == ERROR for d in self._items)

    def items(self):
        """The diagnostics sorted by file, line, code and message."""
        return sorted(self._items, key=Diagnostic.sort_key)

    def text(self):
        return "".join(d.text() + "\n" for d in self.items())

    def json_text(self):
        return json.dumps({"diagnostics": [d.as_dict() for d in self.items()]},
                          indent=2, sort_keys=True) + "\n"

    def emit(self, json_path=None, fmt="text", stream=None):
        """Writes the diagnostics (text or JSON to `stream`, JSON to `json_path`).

        Returns the exit status: 1 if there was an error, else 0.
        """
        stream = stream if stream is not None else sys.stderr
        stream.write(self.json_text() if fmt == "json" else self.text())
        if json_path:
            with open(json_path, "w", encoding="utf-8") as f:
                f.write(self.json_text())
        return 1 if self.has_errors() else 0


def add_arguments(parser):
    """Adds --json=PATH and --diagnostics-format={text,json} to an argparse parser."""
    parser.add_argument("--json", metavar="PATH", help="also write the diagnostics as JSON to PATH")
    parser.add_argument("--diagnostics-format", choices=["text", "json"], default="text",
                        help="the form of the diagnostics written to stderr")


def closest(word, candidates, n=3):
    """The candidates most like `word`, best first (for 'did you mean')."""
    return difflib.get_close_matches(word, sorted(set(candidates)), n=n, cutoff=0.6)


def did_you_mean(word, candidates, what="one of"):
    """A fix text: 'did you mean X?' or the list of known names."""
    near = closest(word, candidates)
    if near:
        return "did you mean %s?" % " or ".join("'%s'" % c for c in near)
    known = sorted(set(candidates))
    if not known:
        return ""
    if len(known) > 12:
        known = known[:12] + ["..."]
    return "use %s: %s" % (what, ", ".join(known))
