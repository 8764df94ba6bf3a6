"""A protobuf text-format parser that remembers where every field was written.

google.protobuf.text_format forgets line numbers once it has parsed a file,
and the assembler must name the exact line of every problem. This parser
reads the text format (fields `name: value`, `name { ... }` or `name < ... >`,
lists `name: [a, b]`, optional `,`/`;` separators, `#` comments, adjacent
strings concatenated), checks each field's name and value against a message
descriptor, and returns a tree of Message objects whose fields carry their
line.

Syntax errors end the parse with one diagnostic (code `syntax`; an
unclosed block is reported at the line that opens it, an unterminated string
as such); so do blocks nested deeper than MAX_DEPTH (`nesting-depth`) and a
file that is not UTF-8 or starts with a byte-order mark (`encoding`, with the
line and byte). Unknown fields (`unknown-field`, with a 'did you mean'),
values of the wrong type (`field-type`) and singular fields given twice
(`duplicate-field`) are reported and the parse goes on.
"""

import re

from google.protobuf.descriptor import FieldDescriptor

import diagnostics

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\f\v]+)
  | (?P<newline>\n)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<number>-?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)[fFuU]?)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[:{}\[\]<>,;])
""", re.VERBOSE)

MAX_DEPTH = 64  # blocks nested in blocks; the schema needs 2
_BOM = b"\xef\xbb\xbf"
_SHOWN_TOKEN_MAX = 40  # characters of a token quoted in a message

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0",
            "a": "\a", "b": "\b", "f": "\f", "v": "\v", "?": "?"}

_INT_RANGES = {
    FieldDescriptor.TYPE_INT32: (-(1 << 31), (1 << 31) - 1),
    FieldDescriptor.TYPE_SINT32: (-(1 << 31), (1 << 31) - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(1 << 31), (1 << 31) - 1),
    FieldDescriptor.TYPE_UINT32: (0, (1 << 32) - 1),
    FieldDescriptor.TYPE_FIXED32: (0, (1 << 32) - 1),
    FieldDescriptor.TYPE_INT64: (-(1 << 63), (1 << 63) - 1),
    FieldDescriptor.TYPE_SINT64: (-(1 << 63), (1 << 63) - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(1 << 63), (1 << 63) - 1),
    FieldDescriptor.TYPE_UINT64: (0, (1 << 64) - 1),
    FieldDescriptor.TYPE_FIXED64: (0, (1 << 64) - 1),
}

_TYPE_NAMES = {
    FieldDescriptor.TYPE_STRING: "a string",
    FieldDescriptor.TYPE_BYTES: "a string",
    FieldDescriptor.TYPE_BOOL: "true or false",
    FieldDescriptor.TYPE_DOUBLE: "a number",
    FieldDescriptor.TYPE_FLOAT: "a number",
}


class Field:
    """One field as written: its name, value (str, int, bool, float, enum
    value name or Message), the line of its name and the file it is in."""

    __slots__ = ("name", "value", "line", "file")

    def __init__(self, name, value, line, file):
        self.name = name
        self.value = value
        self.line = line
        self.file = file


class Message:
    """A message as written: its fields in file order, the file and the line
    where it starts (the line of the field that holds it, or 1)."""

    def __init__(self, descriptor, file, line):
        self.descriptor = descriptor
        self.file = file
        self.line = line
        self.fields = []
        # Fields that an including description replaced (overlay.py), oldest first.
        self.replaced = []

    def all(self, name):
        """Every field `name`, in file order."""
        return [f for f in self.fields if f.name == name]

    def field(self, name):
        """The field `name` if it was written, else None."""
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def get(self, name, default=None):
        """The value of field `name`, or `default` when it was not written."""
        f = self.field(name)
        return default if f is None else f.value

    def has(self, name):
        return self.field(name) is not None

    def line_of(self, name):
        """The line of field `name`, or the message's own line."""
        f = self.field(name)
        return self.line if f is None else f.line

    def where(self, name=None):
        """(file, line) of field `name`, or of the message itself when it
        was not written (or no name is given). In a merged description
        (overlay.py) a field's file may differ from its message's."""
        f = self.field(name) if name is not None else None
        return (self.file, self.line) if f is None else (f.file, f.line)


class _SyntaxError(Exception):
    def __init__(self, line, message, fix="", code="syntax"):
        super().__init__(message)
        self.line = line
        self.message = message
        self.fix = fix
        self.code = code


class _Token:
    __slots__ = ("kind", "text", "line")

    def __init__(self, kind, text, line):
        self.kind = kind
        self.text = text
        self.line = line

    def describe(self):
        if self.kind == "eof":
            return "the end of the file"
        if len(self.text) > _SHOWN_TOKEN_MAX:
            return "'%s...'" % self.text[:_SHOWN_TOKEN_MAX]
        return "'%s'" % self.text


def _tokenize(text):
    tokens = []
    line = 1
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            if text[pos] in "\"'":
                raise _SyntaxError(line, "unterminated string: the %s opened here is not "
                                   "closed on this line" % text[pos],
                                   "close the string with %s on the same line (write a line "
                                   "break in a string as \\n)" % text[pos])
            raise _SyntaxError(line, "unexpected character '%s'" % text[pos],
                               "remove it, or quote the value as a string")
        kind = m.lastgroup
        if kind == "newline":
            line += 1
        elif kind not in ("space", "comment"):
            tokens.append(_Token(kind, m.group(), line))
        pos = m.end()
    tokens.append(_Token("eof", "", line))
    return tokens


def _unquote(token):
    body = token.text[1:-1]
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        e = body[i]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            i += 1
        elif e == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", body[i + 1:])
            if not m:
                raise _SyntaxError(token.line, "bad escape '\\x' in a string",
                                   "write \\x and one or two hex digits, e.g. \\x41")
            out.append(chr(int(m.group(), 16)))
            i += 1 + len(m.group())
        elif e in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i:])
            out.append(chr(int(m.group(), 8)))
            i += len(m.group())
        else:
            raise _SyntaxError(token.line, "bad escape '\\%s' in a string" % e,
                               "write a backslash as \\\\; escapes: \\n \\t \\r \\\" "
                               "\\' \\xHH \\OOO")
    return "".join(out)


class _Parser:
    def __init__(self, file, text, diags):
        self.file = file
        self.diags = diags
        self.tokens = _tokenize(text)
        self.pos = 0
        self.depth = 0  # blocks open around the current field

    def peek(self):
        return self.tokens[self.pos]

    def next(self):
        t = self.tokens[self.pos]
        if t.kind != "eof":
            self.pos += 1
        return t

    def accept(self, text):
        if self.peek().kind == "punct" and self.peek().text == text:
            return self.next()
        return None

    def expect(self, text, what):
        t = self.next()
        if t.kind != "punct" or t.text != text:
            raise _SyntaxError(t.line, "expected '%s' %s, found %s" % (text, what, t.describe()),
                               "add '%s'" % text if t.kind != "eof" else "close the open blocks")
        return t

    # message := field* ; ends at `end` (a closing punctuation) or at eof
    def parse_message(self, msg, end, opened=None):
        """Parses fields into `msg` up to `end`, the close of token `opened`
        (None: the file's top level, up to its end)."""
        while True:
            t = self.peek()
            if end is None and t.kind == "eof":
                return
            if end is not None and t.kind == "punct" and t.text == end:
                self.next()
                return
            if t.kind == "eof":
                raise _SyntaxError(opened.line, "the '%s' opened here is never closed: the file "
                                   "ends first (at line %d)" % (opened.text, t.line),
                                   "add '%s' after the block's last field" % end)
            if t.kind == "punct" and t.text in "}>":
                if end is None:
                    raise _SyntaxError(t.line, "'%s' closes no block" % t.text,
                                       "remove it, or open the block it should close")
                raise _SyntaxError(t.line, "'%s' does not close the '%s' opened at line %d" %
                                   (t.text, opened.text, opened.line),
                                   "close it with '%s'" % end)
            self.parse_field(msg)
            if not self.accept(","):
                self.accept(";")

    def parse_field(self, msg):
        t = self.next()
        if t.kind != "ident":
            raise _SyntaxError(t.line, "expected a field name, found %s" % t.describe(),
                               "write fields as 'name: value' or 'name { ... }'")
        name = t.text
        desc = msg.descriptor.fields_by_name.get(name) if msg.descriptor is not None else None
        if msg.descriptor is not None and desc is None:
            self.diags.error(
                self.file, t.line, "unknown-field",
                "%s has no field '%s'" % (msg.descriptor.name, name),
                diagnostics.did_you_mean(name, msg.descriptor.fields_by_name.keys(),
                                         "one of the fields"))
        colon = self.accept(":")
        if self.peek().kind == "punct" and self.peek().text == "[":
            if colon is None:
                raise _SyntaxError(self.peek().line, "expected ':' before '['", "add ':'")
            self.next()
            if desc is not None and desc.label != FieldDescriptor.LABEL_REPEATED:
                self.diags.error(self.file, t.line, "field-type",
                                 "field '%s' takes one value, not a list" % name,
                                 "write a single value")
            if not self.accept("]"):
                while True:
                    self.parse_value(msg, name, desc, t.line)
                    if self.accept("]"):
                        break
                    self.expect(",", "between list values")
            return
        if colon is None and not (self.peek().kind == "punct" and self.peek().text in "{<"):
            raise _SyntaxError(self.peek().line,
                               "expected ':' or '{' after field name '%s', found %s" %
                               (name, self.peek().describe()),
                               "write '%s: value' or '%s { ... }'" % (name, name))
        self.parse_value(msg, name, desc, t.line)

    def parse_value(self, msg, name, desc, line):
        t = self.peek()
        if t.kind == "punct" and t.text in "{<":
            self.next()
            end = "}" if t.text == "{" else ">"
            if self.depth >= MAX_DEPTH:
                raise _SyntaxError(t.line, "blocks nest more than %d deep" % MAX_DEPTH,
                                   "flatten the description: the schema nests blocks at "
                                   "most 2 deep", "nesting-depth")
            sub_desc = None
            if desc is not None:
                if desc.type == FieldDescriptor.TYPE_MESSAGE:
                    sub_desc = desc.message_type
                else:
                    self.diags.error(self.file, line, "field-type",
                                     "field '%s' takes %s, not a { } block" %
                                     (name, self.type_name(desc)),
                                     "write '%s: value'" % name)
                    desc = None
            sub = Message(sub_desc, self.file, line)
            self.depth += 1
            self.parse_message(sub, end, t)
            self.depth -= 1
            if desc is not None:
                self.add(msg, desc, Field(name, sub, line, self.file))
            return
        if t.kind == "string":
            parts = []
            while self.peek().kind == "string":
                parts.append(_unquote(self.next()))
            value, kind = "".join(parts), "string"
        elif t.kind in ("number", "ident"):
            self.next()
            value, kind = t.text, t.kind
        else:
            raise _SyntaxError(t.line, "expected a value for field '%s', found %s" %
                               (name, t.describe()),
                               "write a number, a quoted string, an enum name or { ... }")
        if desc is None:
            return
        converted = self.convert(desc, name, value, kind, line)
        if converted is not None:
            self.add(msg, desc, Field(name, converted, line, self.file))

    def type_name(self, desc):
        if desc.type == FieldDescriptor.TYPE_MESSAGE:
            return "a { } block"
        if desc.type == FieldDescriptor.TYPE_ENUM:
            return "one of " + ", ".join(v.name for v in desc.enum_type.values)
        if desc.type in _INT_RANGES:
            lo, hi = _INT_RANGES[desc.type]
            return "an integer (%d..%d)" % (lo, hi)
        return _TYPE_NAMES.get(desc.type, "a value")

    def convert(self, desc, name, value, kind, line):
        def bad(extra=""):
            shown = '"%s"' % value if kind == "string" else value
            self.diags.error(self.file, line, "field-type",
                             "field '%s' takes %s, not %s" % (name, self.type_name(desc), shown),
                             extra or "write %s" % self.type_name(desc))
            return None

        t = desc.type
        if t == FieldDescriptor.TYPE_MESSAGE:
            return bad("write '%s { ... }'" % name)
        if t in (FieldDescriptor.TYPE_STRING, FieldDescriptor.TYPE_BYTES):
            if kind != "string":
                return bad('quote it: %s: "%s"' % (name, value))
            return value
        if t == FieldDescriptor.TYPE_BOOL:
            if kind == "ident" and value in ("true", "True", "t"):
                return True
            if kind == "ident" and value in ("false", "False", "f"):
                return False
            if kind == "number" and value in ("0", "1"):
                return value == "1"
            return bad()
        if t == FieldDescriptor.TYPE_ENUM:
            names = [v.name for v in desc.enum_type.values]
            if kind == "ident" and value in names:
                return value
            if kind == "number":
                try:
                    v = desc.enum_type.values_by_number.get(int(value, 0))
                except ValueError:
                    v = None
                if v is not None:
                    return v.name
            return bad(diagnostics.did_you_mean(str(value), names, "one of"))
        if t in _INT_RANGES:
            if kind != "number":
                return bad()
            try:
                text = value.rstrip("uU")
                n = int(text, 16) if text.lower().startswith(("0x", "-0x")) else int(text, 10)
            except ValueError:
                return bad()
            lo, hi = _INT_RANGES[t]
            if not lo <= n <= hi:
                return bad()
            return n
        if t in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            if kind != "number":
                return bad()
            try:
                return float(value.rstrip("fF"))
            except ValueError:
                return bad()
        return bad()

    def add(self, msg, desc, field):
        if desc.label != FieldDescriptor.LABEL_REPEATED:
            first = msg.field(field.name)
            if first is not None:
                self.diags.error(self.file, field.line, "duplicate-field",
                                 "field '%s' is given twice (first at line %d)" %
                                 (field.name, first.line),
                                 "keep one '%s'" % field.name)
                return
        msg.fields.append(field)


def parse(file, text, descriptor, diags):
    """Parses `text` (the contents of `file`) as a text-format `descriptor` message.

    Reports problems to `diags` and returns the Message tree, or None after a
    syntax error.
    """
    root = Message(descriptor, file, 1)
    try:
        parser = _Parser(file, text, diags)
        parser.parse_message(root, None)
    except _SyntaxError as e:
        prefix = "syntax error: " if e.code == "syntax" else ""
        diags.error(file, e.line, e.code, prefix + e.message, e.fix)
        return None
    return root


def decode(file, data, diags):
    """The text of `data`, the bytes of `file`; None (with an `encoding`
    diagnostic naming the line and byte) unless it is UTF-8 without a BOM."""
    if data.startswith(_BOM):
        diags.error(file, 1, "encoding", "the file starts with a UTF-8 byte-order mark "
                    "(bytes 1 to 3: 0xef 0xbb 0xbf)",
                    "save the file as UTF-8 without a byte-order mark")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        diags.error(file, line, "encoding", "byte %d of the line (0x%02x) is not valid UTF-8" %
                    (column, data[e.start]),
                    "save the file as UTF-8; write other bytes in a string as escapes, "
                    "e.g. \\x%02x" % data[e.start])
        return None


def parse_file(path, descriptor, diags, shown_path=None):
    """Reads and parses the file at `path`; diagnostics name it `shown_path`."""
    shown = shown_path or path
    try:
        with open(path, "rb") as f:
            data = f.read()
    except (OSError, ValueError) as e:  # ValueError: a NUL in the path
        diags.error(shown, 1, "bad-input", "cannot read %s: %s" %
                    (shown, getattr(e, "strerror", None) or e), "check the path")
        return None
    text = decode(shown, data, diags)
    if text is None:
        return None
    return parse(shown, text, descriptor, diags)
