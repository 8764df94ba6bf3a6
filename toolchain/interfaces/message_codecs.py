"""Encoders, decoders and direct-call checks of messages, as C (the interface generator)."""

from c_text import member, wrap
from wire_constants import *  # noqa: F401,F403


class Validity:
    """C expressions a direct call checks, where the remote path's encoder would refuse."""

    def __init__(self, gen, iface):
        self.gen, self.iface = gen, iface
        self.functions = []  # (Message, [lines]) in dependency order
        self._done = {}

    def checks(self, msg, var):
        """Lines of C (returning false) checking *var; [] when every value is valid."""
        lines = []
        for field in msg.proto.field:
            lines += self._field(msg, field, var)
        return lines

    def function_for(self, msg):
        """Name of a static inline validity function of msg, or None when not needed."""
        if msg.full_name in self._done:
            return self._done[msg.full_name]
        self._done[msg.full_name] = None
        body = self.checks(msg, "m")
        if not body:
            return None
        name = "%s_%s_valid" % (self.iface.name, msg.snake)
        self._done[msg.full_name] = name
        self.functions.append((msg, name, body))
        return name

    def _value(self, msg, field, expr):
        """Checks of one value (not a repeated container) at C lvalue expr."""
        if field.type == FD.TYPE_STRING:
            return ["if (!viper_rpc_string_ok(%s, sizeof(%s)))" % (expr, expr), "\treturn false;"]
        if field.type == FD.TYPE_BYTES:
            o = self.gen.nanopb_options(msg, field)
            if o.get("fixed_length"):
                return []
            return ["if (%s.size > sizeof(%s.bytes))" % (expr, expr), "\treturn false;"]
        if field.type == FD.TYPE_MESSAGE:
            sub = self.gen.messages[field.type_name]
            fn = self.function_for(sub)
            if fn is None:
                return []
            return ["if (!%s(&%s))" % (fn, expr), "\treturn false;"]
        return []

    def _field(self, msg, field, var):
        name = field.name
        in_oneof = field.HasField("oneof_index") and not field.proto3_optional
        if in_oneof:
            oneof = msg.proto.oneof_decl[field.oneof_index].name
            expr = "%s->%s.%s" % (var, oneof, name)
            inner = self._value(msg, field, expr)
            if not inner:
                return []
            return ["if (%s->which_%s == %d) {" % (var, oneof, field.number)] + \
                ["\t" + l for l in inner] + ["}"]
        expr = "%s->%s" % (var, name)
        if field.label == FD.LABEL_REPEATED:
            o = self.gen.nanopb_options(msg, field)
            lines = []
            count = "%s_count" % expr
            if not o.get("fixed_count"):
                lines += ["if (%s > %d)" % (count, o["max_count"]), "\treturn false;"]
            else:
                count = str(o["max_count"])
            inner = self._value(msg, field, "%s[i]" % expr)
            if inner:
                lines += ["for (pb_size_t i = 0; i < %s; i++) {" % count] + \
                    ["\t" + l for l in inner] + ["}"]
            return lines
        inner = self._value(msg, field, expr)
        has = field.proto3_optional or field.type == FD.TYPE_MESSAGE or \
            field.label == FD.LABEL_OPTIONAL and msg.file.syntax != "proto3"
        if inner and has:
            return ["if (%s->has_%s) {" % (var, name)] + ["\t" + l for l in inner] + ["}"]
        return inner


# Scalar types the generated straight-line codecs handle: C expression of the
# value to encode (of m->f), wire type, and how a decoded value is checked and
# stored.
_WIRE_VARINT, _WIRE_I64, _WIRE_LEN, _WIRE_I32 = 0, 1, 2, 5
_FAST_WIRE = {
    FD.TYPE_BOOL: _WIRE_VARINT, FD.TYPE_INT32: _WIRE_VARINT, FD.TYPE_INT64: _WIRE_VARINT,
    FD.TYPE_UINT32: _WIRE_VARINT, FD.TYPE_UINT64: _WIRE_VARINT, FD.TYPE_SINT32: _WIRE_VARINT,
    FD.TYPE_SINT64: _WIRE_VARINT, FD.TYPE_ENUM: _WIRE_VARINT,
    FD.TYPE_FIXED32: _WIRE_I32, FD.TYPE_SFIXED32: _WIRE_I32, FD.TYPE_FLOAT: _WIRE_I32,
    FD.TYPE_FIXED64: _WIRE_I64, FD.TYPE_SFIXED64: _WIRE_I64, FD.TYPE_DOUBLE: _WIRE_I64,
    FD.TYPE_STRING: _WIRE_LEN, FD.TYPE_BYTES: _WIRE_LEN,
}
# nanopb options that leave a field's C representation as the codecs expect.
_PLAIN_NANOPB = {"max_length", "max_size", "long_names", "packed_struct", "packed_enum",
                 "msgid", "descriptorsize", "enum_to_string", "anonymous_oneof", "no_unions",
                 "type"}


class Codecs:
    """The viper_codec of each message an interface's methods carry."""

    def __init__(self, gen, iface):
        self.gen, self.iface = gen, iface
        self.order = []  # Messages, in the order methods first use them
        for m in iface.methods:
            for msg in (m["request"], m["reply"]):
                if msg not in self.order:
                    self.order.append(msg)

    def name(self, msg):
        return "%s_%s_codec" % (self.iface.name, msg.snake)

    def straight_line(self, msg):
        """Whether msg gets generated code: proto3, singular plain fields only."""
        if msg.file.syntax != "proto3":
            return False
        for field in msg.proto.field:
            if field.label == FD.LABEL_REPEATED or field.HasField("oneof_index"):
                return False
            if field.type not in _FAST_WIRE:
                return False
            o = self.gen.nanopb_options(msg, field)
            if set(o) - _PLAIN_NANOPB or o.get("type", 0) not in _NANOPB_FT_STATIC:
                return False
            if field.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
                payload, _ = self.gen.field_bound(msg, field)
                if payload is None:
                    return False
        return True

    def lines(self):
        out = []
        for msg in self.order:
            base = "%s_%s" % (self.iface.name, msg.snake)
            if not msg.proto.field and msg.file.syntax == "proto3":
                out += ["/* %s: no fields. */" % msg.full_name,
                        "const struct viper_codec %s_codec = {" % base,
                        "\t.encode = viper_rpc_empty_encode,",
                        "\t.decode = viper_rpc_empty_decode,", "};", ""]
                continue
            if self.straight_line(msg):
                out += self._encoder(msg, base) + [""] + self._decoder(msg, base)
            else:
                out += self._nanopb(msg, base)
            out += ["", "const struct viper_codec %s_codec = {" % base,
                    "\t.encode = %s_encode," % base, "\t.decode = %s_decode," % base,
                    "};", ""]
        return out

    def _nanopb(self, msg, base):
        return ["/* %s: nested, repeated, oneof or optional fields: nanopb. */" % msg.full_name,
                "static int32_t %s_encode(const void *msg, uint8_t *out, uint32_t cap)" % base,
                "{", "\treturn viper_rpc_nanopb_encode(%s_fields, msg, out, cap);" % msg.c_type,
                "}", "",
                "static bool %s_decode(const uint8_t *in, uint32_t len, void *msg)" % base,
                "{", "\treturn viper_rpc_nanopb_decode(%s_fields, in, len, msg);" % msg.c_type,
                "}"]

    @staticmethod
    def _tag(field):
        wire = _FAST_WIRE[field.type]
        return (field.number << 3) | wire

    def _encoder(self, msg, base):
        fields = sorted(msg.proto.field, key=lambda f: f.number)
        head = ["/* %s: generated straight-line code. */" % msg.full_name,
                "static int32_t %s_encode(const void *msg, uint8_t *out, uint32_t cap)" % base,
                "{"]
        body = ["\tconst %s *m = (const %s *)msg;" % (msg.c_type, msg.c_type),
                "\tuint8_t *p = out;", "",
                "\tif (cap < %du)" % self.gen.message_size(msg), "\t\treturn -1;"]
        for f in fields:
            tag = ["*p++ = 0x%02x;" % b for b in _varint_bytes(self._tag(f))]
            x = "m->" + f.name
            t = f.type
            if t == FD.TYPE_STRING:
                body += ["\tuint32_t %s_len = viper_wire_strlen(%s, sizeof(%s));" % (f.name, x, x),
                         "\tif (%s_len == sizeof(%s))" % (f.name, x), "\t\treturn -1;",
                         "\tif (%s_len > 0) {" % f.name] + ["\t\t" + l for l in tag] + [
                         "\t\tp = viper_wire_put_bytes(p, %s, %s_len);" % (x, f.name), "\t}"]
                continue
            if t == FD.TYPE_BYTES:
                body += ["\tif (%s.size > sizeof(%s.bytes))" % (x, x), "\t\treturn -1;",
                         "\tif (%s.size > 0) {" % x] + ["\t\t" + l for l in tag] + [
                         "\t\tp = viper_wire_put_bytes(p, %s.bytes, %s.size);" % (x, x), "\t}"]
                continue
            if t in (FD.TYPE_FLOAT, FD.TYPE_DOUBLE):
                bits = 32 if t == FD.TYPE_FLOAT else 64
                body += ["\tuint%d_t %s_bits;" % (bits, f.name),
                         "\t__builtin_memcpy(&%s_bits, &%s, sizeof(%s_bits));" % (f.name, x, f.name)]
                cond, value = "%s_bits" % f.name, "%s_bits" % f.name
            else:
                cond = x
                value = {
                    FD.TYPE_BOOL: None,
                    FD.TYPE_INT32: "(uint64_t)(int64_t)%s" % x,
                    FD.TYPE_ENUM: "(uint64_t)(int64_t)%s" % x,
                    FD.TYPE_INT64: "(uint64_t)%s" % x,
                    FD.TYPE_UINT32: x, FD.TYPE_UINT64: x,
                    FD.TYPE_SINT32: "viper_wire_zigzag(%s)" % x,
                    FD.TYPE_SINT64: "viper_wire_zigzag(%s)" % x,
                    FD.TYPE_FIXED32: x, FD.TYPE_SFIXED32: "(uint32_t)%s" % x,
                    FD.TYPE_FIXED64: x, FD.TYPE_SFIXED64: "(uint64_t)%s" % x,
                }[t]
            wire = _FAST_WIRE[t]
            if t == FD.TYPE_BOOL:
                put = "*p++ = 1;"
            elif wire == _WIRE_VARINT:
                put = "p = viper_wire_put_varint(p, %s);" % value
            elif wire == _WIRE_I32:
                put = "p = viper_wire_put_i32(p, %s);" % value
            else:
                put = "p = viper_wire_put_i64(p, %s);" % value
            body += ["\tif (%s) {" % cond] + ["\t\t" + l for l in tag] + ["\t\t" + put, "\t}"]
        return head + body + ["\treturn (int32_t)(p - out);", "}"]

    def _decoder(self, msg, base):
        fields = sorted(msg.proto.field, key=lambda f: f.number)
        head = ["static bool %s_decode(const uint8_t *in, uint32_t len, void *msg)" % base, "{"]
        body = ["\t%s *m = (%s *)msg;" % (msg.c_type, msg.c_type)]
        body += ["\tconst uint8_t *p = in;", "\tconst uint8_t *end = in + len;",
                 "\tuint32_t tag;"]
        wires = {_FAST_WIRE[f.type] for f in fields}
        if _WIRE_VARINT in wires:
            body.append("\tuint64_t v;")
        if _WIRE_LEN in wires:
            body.append("\tuint32_t n;")
        if _WIRE_I32 in wires:
            body.append("\tuint32_t w32;")
        if _WIRE_I64 in wires:
            body.append("\tuint64_t w64;")
        body += ["", "\twhile (p < end) {", "\t\tp = viper_wire_tag(p, end, &tag);",
                 "\t\tif (p == NULL)", "\t\t\treturn false;"]
        cases = []
        for f in fields:
            x = "m->" + f.name
            t = f.type
            wire = _FAST_WIRE[t]
            read = {
                _WIRE_VARINT: "p = viper_wire_varint(p, end, &v);",
                _WIRE_I32: "p = viper_wire_i32(p, end, &w32);",
                _WIRE_I64: "p = viper_wire_i64(p, end, &w64);",
                _WIRE_LEN: None,
            }[wire]
            check = None
            if t == FD.TYPE_STRING:
                read = "p = viper_wire_bytes(p, end, %s, sizeof(%s) - 1, &n);" % (x, x)
                store = ["%s[n] = '\\0';" % x]
            elif t == FD.TYPE_BYTES:
                read = "p = viper_wire_bytes(p, end, %s.bytes, sizeof(%s.bytes), &n);" % (x, x)
                store = ["%s.size = (pb_size_t)n;" % x]
            elif t == FD.TYPE_BOOL:
                check = "v > UINT32_MAX"  # as nanopb, which reads bools as 32 bits
                store = ["%s = v != 0;" % x]
            elif t in (FD.TYPE_UINT32, FD.TYPE_SINT32):
                check = "v > UINT32_MAX"
                store = ["%s = (uint32_t)v;" % x] if t == FD.TYPE_UINT32 else \
                    ["%s = (int32_t)viper_wire_unzigzag(v);" % x]
            elif t in (FD.TYPE_INT32, FD.TYPE_ENUM):
                check = "(int64_t)v != (int32_t)v"
                store = ["%s = (int32_t)v;" % x]
            elif t == FD.TYPE_INT64:
                store = ["%s = (int64_t)v;" % x]
            elif t == FD.TYPE_UINT64:
                store = ["%s = v;" % x]
            elif t == FD.TYPE_SINT64:
                store = ["%s = viper_wire_unzigzag(v);" % x]
            elif t in (FD.TYPE_FIXED32, FD.TYPE_SFIXED32):
                store = ["%s = (%s)w32;" % (x, "uint32_t" if t == FD.TYPE_FIXED32 else "int32_t")]
            elif t in (FD.TYPE_FIXED64, FD.TYPE_SFIXED64):
                store = ["%s = (%s)w64;" % (x, "uint64_t" if t == FD.TYPE_FIXED64 else "int64_t")]
            elif t == FD.TYPE_FLOAT:
                store = ["__builtin_memcpy(&%s, &w32, sizeof(w32));" % x]
            else:
                store = ["__builtin_memcpy(&%s, &w64, sizeof(w64));" % x]
            cond = "p == NULL" + (" || " + check if check else "")
            cases += ["\t\tcase 0x%xu: /* %s */" % (self._tag(f), f.name), "\t\t\t" + read,
                      "\t\t\tif (%s)" % cond, "\t\t\t\treturn false;"]
            cases += ["\t\t\t" + l for l in store] + ["\t\t\tbreak;"]
        known = " || ".join("tag >> 3 == %du" % f.number for f in fields)
        body += ["\t\tswitch (tag) {"] + cases + [
            "\t\tdefault:",
            "\t\t\tif (%s)" % known,
            "\t\t\t\treturn false; /* a known field with another wire type */",
            "\t\t\tp = viper_wire_skip(p, end, tag);",
            "\t\t\tif (p == NULL)", "\t\t\t\treturn false;", "\t\t}"]
        body += ["\t}", "\treturn true;", "}"]
        return head + body


def _varint_bytes(value):
    out = []
    while value >= 0x80:
        out.append((value & 0x7f) | 0x80)
        value >>= 7
    out.append(value)
    return out


def clear(msg, obj, indent):
    """Lines setting `obj` (an lvalue: "req", "*rep") to msg's defaults: zeroes
    in proto3 (where nanopb's init_zero gives an enum its lowest value, not
    0), else nanopb's init_default."""
    tabs = "\t" * indent
    ptr = obj[1:] if obj.startswith("*") else "&" + obj
    if msg.file.syntax == "proto3":
        return [tabs + "__builtin_memset(%s, 0, sizeof(%s));" % (ptr, obj)]
    var = obj.lstrip("*") + "_default"
    return [tabs + "%s %s = %s_init_default;" % (msg.c_type, var, msg.c_type),
            tabs + "%s = %s;" % (obj, var)]
