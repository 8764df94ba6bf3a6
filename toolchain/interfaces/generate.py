#!/usr/bin/python3
"""The ViperOS interface generator: C glue and interface JSON from a .proto.

    generate.py [-I DIR]... [--out_dir DIR] [--json=PATH] [--check] interfaces/kv.proto...

For each interfaces/<svc>.proto (one service, nanopb bounds, ViperOS options
from interfaces/viper/options.proto) it writes, under --out_dir, next to what
nanopb writes:

  <svc>.viper.h, <svc>.viper.c   the interface descriptor, the server vtable,
                                 client stubs (direct call or remote) and the
                                 server dispatch (see docs/interfaces.md);
  <svc>.interface.json           the interface JSON the assembler reads.

It runs /usr/bin/protoc itself (--descriptor_set=FILE reads a descriptor set
made with --include_imports --include_source_info instead). Problems are
reported as diagnostics with file, line and a fix, sorted by file then line;
--json=PATH (or --diagnostics-format=json, to stdout) writes them as JSON too.
Exit status 1 when there is any error; nothing is written then. --check only
validates (and checks interface ids are unique across the given files).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PROTOC = "/usr/bin/protoc"
MSG_MAX = 256
HEADER_BYTES = 8
MAX_HANDLES = 4
FD = descriptor_pb2.FieldDescriptorProto

# Worst-case encoded payload of scalar types (varints as nanopb counts them).
_SCALAR_MAX = {
    FD.TYPE_INT32: 10, FD.TYPE_INT64: 10, FD.TYPE_UINT32: 5, FD.TYPE_UINT64: 10,
    FD.TYPE_SINT32: 5, FD.TYPE_SINT64: 10, FD.TYPE_BOOL: 1, FD.TYPE_ENUM: 10,
    FD.TYPE_FIXED32: 4, FD.TYPE_SFIXED32: 4, FD.TYPE_FLOAT: 4,
    FD.TYPE_FIXED64: 8, FD.TYPE_SFIXED64: 8, FD.TYPE_DOUBLE: 8,
}
_FIXED_WIDTH = {FD.TYPE_FIXED32, FD.TYPE_SFIXED32, FD.TYPE_FLOAT,
                FD.TYPE_FIXED64, FD.TYPE_SFIXED64, FD.TYPE_DOUBLE}
_NANOPB_FT_STATIC = {0, 2}  # FT_DEFAULT, FT_STATIC

# SourceCodeInfo path components (descriptor.proto field numbers).
_FILE_MESSAGE, _FILE_SERVICE, _FILE_OPTIONS = 4, 6, 8
_MESSAGE_FIELD, _MESSAGE_NESTED = 2, 3
_SERVICE_METHOD = 2

BOUND_FIX = "add a bound: [(nanopb).max_size = N] (string: max_length; repeated: max_count)"


class Diagnostic:
    """One problem, in the format the assembler uses too."""

    def __init__(self, file, line, code, message, fix):
        self.file, self.line, self.code, self.message, self.fix = file, line, code, message, fix

    def key(self):
        return (self.file, self.line, self.code, self.message)

    def text(self):
        return "%s:%d: error: %s\n  fix: %s" % (self.file, self.line, self.message, self.fix)

    def as_json(self):
        return {"file": self.file, "line": self.line, "severity": "error", "code": self.code,
                "message": self.message, "fix": self.fix}


def snake_case(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


# Method names become vtable members; C and C++ keywords get a trailing '_'.
_KEYWORDS = set("""auto break case char class const continue default delete do double else enum
explicit extern false float for friend goto if inline int long namespace new operator private
protected public register restrict return short signed sizeof static struct switch template this
throw true try typedef typename union unsigned virtual void volatile while""".split())


def member(name):
    return name + "_" if name in _KEYWORDS else name


def wrap(indent, head, args, tail):
    """`head(arg, arg...)tail` at `indent` tabs, wrapped at 100 columns."""
    lines = []
    cur = "\t" * indent + head + "("
    cont = "\t" * (indent + 2)
    for i, a in enumerate(args):
        piece = a + (", " if i + 1 < len(args) else ")" + tail)
        if len(cur.expandtabs(8)) + len(piece.rstrip()) > 100 and not cur.endswith("("):
            lines.append(cur.rstrip())
            cur = cont
        cur += piece
    lines.append(cur)
    return lines


def varint_size(value):
    n = 1
    while value >= 0x80:
        value >>= 7
        n += 1
    return n


class Options:
    """Reads custom options (ViperOS and nanopb) through a pool of the set."""

    def __init__(self, fds):
        self.pool = descriptor_pool.DescriptorPool()
        for f in fds.file:
            self.pool.Add(f)
        factory = message_factory.MessageFactory(self.pool)
        self._classes = {}
        for kind in ("File", "Message", "Field", "Method"):
            desc = self.pool.FindMessageTypeByName("google.protobuf.%sOptions" % kind)
            self._classes[kind] = factory.GetPrototype(desc)
        self._ext = {}
        for name in ("viper.interface_id", "viper.bulk_bytes", "viper.method_id",
                     "viper.handle", "nanopb", "nanopb_msgopt", "nanopb_fileopt"):
            try:
                self._ext[name] = self.pool.FindExtensionByName(name)
            except KeyError:
                self._ext[name] = None

    def get(self, kind, options, name):
        """The extension's value, or None when it is not set."""
        ext = self._ext.get(name)
        if ext is None:
            return None
        msg = self._classes[kind].FromString(options.SerializeToString())
        if ext.containing_type.full_name != msg.DESCRIPTOR.full_name:
            return None
        if not msg.HasExtension(ext):
            return None
        return msg.Extensions[ext]


class Message:
    def __init__(self, full_name, proto, file, path, parents):
        self.full_name, self.proto, self.file, self.path = full_name, proto, file, path
        self.parents = parents  # enclosing Message protos, outermost first
        pkg = file.package
        rel = full_name[len(pkg) + 1:] if pkg else full_name
        self.rel_name = rel
        self.c_type = full_name.replace(".", "_")
        self.snake = "_".join(snake_case(p) for p in rel.split("."))


class Interface:
    """One .proto file to generate for, with everything the templates need."""
    pass


class Generator:
    def __init__(self, fds):
        self.fds = fds
        self.opts = Options(fds)
        self.diags = []
        self.files = {f.name: f for f in fds.file}
        self.lines = {}
        for f in fds.file:
            table = {}
            for loc in f.source_code_info.location:
                table.setdefault(tuple(loc.path), loc)
            self.lines[f.name] = table
        self.messages = {}
        for f in fds.file:
            prefix = "." + f.package if f.package else ""
            for i, m in enumerate(f.message_type):
                self._add_message(f, m, prefix, (_FILE_MESSAGE, i), [])
        self._sizes = {}
        self._reported = set()

    def _add_message(self, f, m, prefix, path, parents):
        full = prefix + "." + m.name
        self.messages[full] = Message(full[1:], m, f, path, parents)
        for i, n in enumerate(m.nested_type):
            self._add_message(f, n, full, path + (_MESSAGE_NESTED, i), parents + [m])

    def line(self, file, path):
        loc = self.lines[file.name].get(tuple(path))
        return loc.span[0] + 1 if loc is not None else 1

    def comment(self, file, path):
        loc = self.lines[file.name].get(tuple(path))
        if loc is None:
            return []
        return [l.strip() for l in loc.leading_comments.strip().splitlines() if l.strip()]

    def error(self, file, path_or_line, code, message, fix):
        line = path_or_line if isinstance(path_or_line, int) else self.line(file, path_or_line)
        d = Diagnostic(file.name, line, code, message, fix)
        if d.key() not in self._reported:
            self._reported.add(d.key())
            self.diags.append(d)

    # ---- nanopb bounds and worst-case sizes ----

    def nanopb_options(self, msg, field):
        """Merged nanopb options: file, enclosing messages, message, field."""
        merged = {}

        def merge(o):
            if o is None:
                return
            for fd, value in o.ListFields():
                merged[fd.name] = value

        merge(self.opts.get("File", msg.file.options, "nanopb_fileopt"))
        for p in msg.parents + [msg.proto]:
            merge(self.opts.get("Message", p.options, "nanopb_msgopt"))
        merge(self.opts.get("Field", field.options, "nanopb"))
        return merged

    def field_bound(self, msg, field):
        """(max bytes of the payload, max count or None); None where unbounded."""
        o = self.nanopb_options(msg, field)
        static = o.get("type", 0) in _NANOPB_FT_STATIC
        repeated = field.label == FD.LABEL_REPEATED
        count = None
        if repeated:
            count = o.get("max_count")
            if not static or not count:
                return None, None
        if field.type == FD.TYPE_STRING:
            if "max_length" in o:
                size = o["max_length"]
            elif o.get("max_size"):
                size = o["max_size"] - 1
            else:
                return None, count
            return (size if static else None), count
        if field.type == FD.TYPE_BYTES:
            size = o.get("max_size")
            return (size if static and size else None), count
        return 0, count

    def message_size(self, msg, stack=()):
        """Worst-case encoded size of `msg`'s body, or None when unbounded."""
        if msg.full_name in self._sizes:
            return self._sizes[msg.full_name]
        if msg.full_name in stack:
            self.error(msg.file, msg.path, "unbounded-field",
                       "message %s contains itself, so its size has no bound" % msg.full_name,
                       "break the recursion; bounded messages cannot nest themselves")
            return None
        stack = stack + (msg.full_name,)
        total = 0
        oneofs = {}
        bounded = True
        for i, field in enumerate(msg.proto.field):
            size = self.field_size(msg, i, field, stack)
            if size is None:
                bounded = False
                continue
            if field.HasField("oneof_index") and not field.proto3_optional:
                idx = field.oneof_index
                oneofs[idx] = max(oneofs.get(idx, 0), size)
            else:
                total += size
        total += sum(oneofs.values())
        result = total if bounded else None
        self._sizes[msg.full_name] = result
        return result

    def field_size(self, msg, index, field, stack):
        path = msg.path + (_MESSAGE_FIELD, index)
        tag = varint_size(field.number << 3)
        repeated = field.label == FD.LABEL_REPEATED
        payload, count = self.field_bound(msg, field)
        if payload is None or (repeated and count is None):
            what = "repeated field" if repeated else (
                "string" if field.type == FD.TYPE_STRING else "bytes field")
            self.error(msg.file, path, "unbounded-field",
                       "%s '%s' of message %s has no nanopb bound, so its size has no bound" %
                       (what, field.name, msg.full_name), BOUND_FIX)
            return None
        if field.type in (FD.TYPE_MESSAGE, FD.TYPE_GROUP):
            sub = self.messages.get(field.type_name)
            payload = self.message_size(sub, stack) if sub else None
            if payload is None:
                return None
            one = tag + varint_size(payload) + payload
        elif field.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
            one = tag + varint_size(payload) + payload
        else:
            one = None
        if one is not None:
            return one * count if repeated else one
        width = _SCALAR_MAX[field.type]
        if not repeated:
            return tag + width
        # Decoders accept packed and unpacked arrays alike: the larger counts.
        data = width * count
        return max(tag + varint_size(data) + data, (tag + width) * count)

    # ---- per-file checks ----

    def handle_fields(self, msg):
        return [f for f in msg.proto.field if self.opts.get("Field", f.options, "viper.handle")]

    def check_handles(self, f, top_level):
        """Handle fields: top-level singular uint32, at most four per message."""
        for full, msg in sorted(self.messages.items()):
            if msg.file is not f:
                continue
            count = 0
            for i, field in enumerate(msg.proto.field):
                if not self.opts.get("Field", field.options, "viper.handle"):
                    continue
                count += 1
                path = msg.path + (_MESSAGE_FIELD, i)
                problem = None
                if field.type != FD.TYPE_UINT32:
                    problem = "is not a uint32"
                elif field.label == FD.LABEL_REPEATED:
                    problem = "is repeated"
                elif field.HasField("oneof_index"):
                    problem = "is optional or in a oneof"
                elif msg.full_name not in top_level:
                    problem = "is nested: only a method's request or reply carries handles"
                if problem:
                    self.error(f, path, "handle-field",
                               "handle field '%s' of message %s %s" % (
                                   field.name, msg.full_name, problem),
                               "make it a plain 'uint32 %s = %d [(viper.handle) = true];' "
                               "directly in a request or reply message" % (
                                   field.name, field.number))
            if count > MAX_HANDLES:
                self.error(f, msg.path, "too-many-handles",
                           "message %s has %d handle fields; a message moves at most %d handles"
                           % (msg.full_name, count, MAX_HANDLES),
                           "split the method, or pass the extra handles in a follow-up call")

    def interface(self, f):
        """Checks file `f` and returns its Interface, or None after errors."""
        errors_before = len(self.diags)
        stem = os.path.splitext(os.path.basename(f.name))[0]
        if not re.match(r"^[a-z][a-z0-9_]*$", stem):
            self.error(f, 1, "interface-name",
                       "interface file name '%s' is not a lower-case C identifier" % stem,
                       "rename the file, e.g. interfaces/%s.proto" % snake_case(stem))
        if not f.service:
            self.error(f, 1, "no-service", "%s declares no service" % f.name,
                       "declare one service: service Name { rpc ... }")
            return None
        for si in range(1, len(f.service)):
            self.error(f, (_FILE_SERVICE, si), "multiple-services",
                       "%s declares service %s after %s; an interface file has one service" %
                       (f.name, f.service[si].name, f.service[0].name),
                       "move service %s into interfaces/%s.proto" %
                       (f.service[si].name, snake_case(f.service[si].name)))
        service = f.service[0]
        spath = (_FILE_SERVICE, 0)
        iface_id = self.opts.get("File", f.options, "viper.interface_id")
        if iface_id is None:
            self.error(f, spath, "missing-interface-id",
                       "%s has no (viper.interface_id)" % f.name,
                       "add 'option (viper.interface_id) = N;' with an id no other "
                       "interface uses")
        elif iface_id == 0:
            self.error(f, (_FILE_OPTIONS, 51001), "interface-id-range",
                       "(viper.interface_id) of %s is 0; ids start at 1" % f.name,
                       "choose an id from 1 that no other interface uses")
        bulk = self.opts.get("File", f.options, "viper.bulk_bytes") or 0
        methods = []
        seen_ids = {}
        top_level = set()
        for mi, m in enumerate(service.method):
            mpath = spath + (_SERVICE_METHOD, mi)
            for t in (m.input_type, m.output_type):
                top_level.add(t[1:])
            if m.client_streaming or m.server_streaming:
                self.error(f, mpath, "streaming-method",
                           "method %s streams; interface calls are one request, one reply" %
                           m.name, "drop 'stream' and page through results instead")
            mid = self.opts.get("Method", m.options, "viper.method_id")
            if mid is None:
                self.error(f, mpath, "missing-method-id",
                           "method %s has no (viper.method_id)" % m.name,
                           "add '{ option (viper.method_id) = %d; }' (a number not used "
                           "by another method)" % (max(list(seen_ids) + [0]) + 1))
                continue
            if not 1 <= mid <= 65535:
                self.error(f, mpath, "method-id-range",
                           "(viper.method_id) of method %s is %d, outside 1..65535" %
                           (m.name, mid), "choose an id from 1 to 65535")
                continue
            if mid in seen_ids:
                self.error(f, mpath, "duplicate-method-id",
                           "methods %s and %s both have (viper.method_id) = %d" %
                           (seen_ids[mid], m.name, mid),
                           "give %s an unused id, e.g. %d (never renumber a released "
                           "method)" % (m.name, max(seen_ids) + 1))
                continue
            seen_ids[mid] = m.name
            methods.append((mid, mi, m))
        self.check_handles(f, top_level)
        out_methods = []
        for mid, mi, m in sorted(methods, key=lambda x: x[0]):
            mpath = spath + (_SERVICE_METHOD, mi)
            entry = {"name": snake_case(m.name), "id": mid, "proto_name": m.name,
                     "line": self.line(f, mpath), "comment": self.comment(f, mpath)}
            for role, type_name in (("request", m.input_type), ("reply", m.output_type)):
                msg = self.messages.get(type_name)
                size = self.message_size(msg) if msg else None
                entry[role] = msg
                entry[role + "_max"] = None if size is None else size + HEADER_BYTES
                entry[role + "_handles"] = len(self.handle_fields(msg)) if msg else 0
                if size is not None and size + HEADER_BYTES > MSG_MAX:
                    where = (msg.file, msg.path) if msg.file is f else (f, mpath)
                    self.error(where[0], where[1], "message-too-big",
                               "%s %s of method %s can take %d bytes encoded with the %d-byte "
                               "header, over the %d-byte message limit" %
                               (role, msg.full_name, m.name, size + HEADER_BYTES,
                                HEADER_BYTES, MSG_MAX),
                               "bound its fields smaller, or carry the data in a bulk buffer: "
                               "option (viper.bulk_bytes) = N;")
            out_methods.append(entry)
        if len(self.diags) > errors_before:
            return None
        iface = Interface()
        iface.file, iface.name, iface.id, iface.bulk = f, stem, iface_id, bulk
        iface.service = service
        iface.line = self.line(f, spath)
        iface.methods = out_methods
        iface.comment = self.comment(f, spath)
        return iface


# ---- C and JSON output ----

def interface_json(iface):
    methods = []
    for m in iface.methods:
        methods.append({
            "name": m["name"], "id": m["id"],
            "request": m["request"].full_name, "reply": m["reply"].full_name,
            "request_max": m["request_max"], "reply_max": m["reply_max"],
            "line": m["line"],
            "request_handles": m["request_handles"], "reply_handles": m["reply_handles"],
        })
    return json.dumps({
        "name": iface.name, "id": iface.id, "file": iface.file.name, "line": iface.line,
        "bulk_bytes": iface.bulk, "methods": methods,
    }, indent=2) + "\n"


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


def c_outputs(gen, iface):
    name, upper = iface.name, iface.name.upper()
    src = iface.file.name
    base = src[:-len(".proto")]
    pb_h = base + ".pb.h"
    guard = re.sub(r"[^A-Za-z0-9]", "_", base).upper() + "_VIPER_H"
    max_req = max([m["request_max"] for m in iface.methods] + [HEADER_BYTES])
    max_rep = max([m["reply_max"] for m in iface.methods] + [HEADER_BYTES])
    banner = "/* Generated by toolchain/interfaces/generate.py from %s: do not edit. */" % src
    h = [banner, "#ifndef " + guard, "#define " + guard, "",
         "#include <stdbool.h>", "#include <stdint.h>", "",
         "#include <viper/rpc.h>", "#include <viper/rpc_codec.h>", "",
         '#include "%s"' % pb_h, "",
         "#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    defines = [("%s_INTERFACE_ID" % upper, "%du" % iface.id),
               ("%s_BULK_BYTES" % upper, "%du" % iface.bulk),
               ("%s_MAX_REQUEST" % upper, "%du" % max_req),
               ("%s_MAX_REPLY" % upper, "%du" % max_rep)]
    width = max(len(d[0]) for d in defines)
    h += ["#define %-*s %s" % (width, k, v) for k, v in defines] + [""]
    mdefs = [("%s_METHOD_%s" % (upper, m["name"].upper()), "%du" % m["id"])
             for m in iface.methods]
    if mdefs:
        width = max(len(d[0]) for d in mdefs)
        h += ["#define %-*s %s" % (width, k, v) for k, v in mdefs] + [""]
    h += ["/* The interface, for a provider's VIPER_COMPONENT provides list. */",
          "extern const struct viper_interface %s_interface;" % name, ""]
    h += ["/*", " * What a provider of %s implements (service %s in %s)." %
          (name, iface.service.name, src),
          " * Each function gets the instance state, the call's context, the decoded",
          " * request and a zeroed reply to fill; it returns VIPER_OK (or a positive",
          " * status) or a negative viper error, in which case the reply is not sent.",
          " * It must not keep pointers into req or rep after returning. A NULL entry",
          " * answers VIPER_E_NOSYS.", " */",
          "struct %s_server {" % name]
    for m in iface.methods:
        for c in m["comment"]:
            h.append("\t/* %s */" % c.replace("*/", "* /"))
        h += wrap(1, "int32_t (*%s)" % member(m["name"]),
                  ["void *self", "struct viper_rpc_context *ctx",
                   "const %s *req" % m["request"].c_type, "%s *rep" % m["reply"].c_type], ";")
    h += ["};", ""]
    h += ["/* Serves one request for a provider (viper_dispatch_fn, see viper/rpc.h). */",
          "int32_t %s_dispatch(const void *ops, void *self, struct viper_rpc_context *ctx," % name,
          "\t\t    const struct viper_rpc_in *in, struct viper_rpc_out *out);", ""]
    h += ["/* The remote halves of the client stubs below; call those instead. */"]
    for m in iface.methods:
        h += wrap(0, "int32_t %s_%s_remote" % (name, m["name"]),
                  ["struct viper_slot *slot", "const %s *req" % m["request"].c_type,
                   "%s *rep" % m["reply"].c_type], ";")
    h.append("")
    validity = Validity(gen, iface)
    valid_fn = {m["name"]: validity.function_for(m["request"]) for m in iface.methods}
    if validity.functions:
        h += ["/* What a direct call checks, as the remote path's encoder would. */"]
    for msg, fn, body in validity.functions:
        h += ["static inline bool %s(const %s *m)" % (fn, msg.c_type), "{"]
        h += ["\t" + l for l in body] + ["\treturn true;", "}", ""]
    h += ["/*",
          " * Client stubs: call method <name> through `slot`. A provider in the same",
          " * address space is called directly; otherwise the request goes over the",
          " * slot's channel. Both ways the reply is zeroed first, handles in the",
          " * request move to the provider and the result is the method's status or a",
          " * negative viper error (VIPER_E_INVAL for a request out of its bounds).",
          " */"]
    for m in iface.methods:
        req, rep = m["request"].c_type, m["reply"].c_type
        h += wrap(0, "static inline int32_t %s_%s" % (name, m["name"]),
                  ["struct viper_slot *slot", "const %s *req" % req, "%s *rep" % rep], "")
        h += ["{",
              "\tconst struct %s_server *ops = (const struct %s_server *)slot->peer_ops;" %
              (name, name),
              "\tif (ops == NULL)",
              "\t\treturn %s_%s_remote(slot, req, rep);" % (name, m["name"])]
        if valid_fn[m["name"]]:
            h += ["\tif (!%s(req))" % valid_fn[m["name"]], "\t\treturn VIPER_E_INVAL;"]
        h += ["\tif (ops->%s == NULL)" % member(m["name"]), "\t\treturn VIPER_E_NOSYS;",
              "\t%s zero = %s_init_zero;" % (rep, rep),
              "\t*rep = zero;",
              "\treturn ops->%s(slot->peer, &slot->peer_ctx, req, rep);" % member(m["name"]),
              "}", ""]
    h += ["#ifdef __cplusplus", "}", "#endif", "", "#endif"]

    def handle_array(var, msg, deref):
        fields = gen.handle_fields(msg)
        if not fields:
            return None, []
        arr = "%s_handles" % var
        refs = ", ".join("&%s%s%s" % (var, deref, f.name) for f in fields)
        return arr, ["\tuint32_t *const %s[] = {%s};" % (arr, refs)]

    c = [banner, '#include "%s.viper.h"' % base, ""]
    c += ["const struct viper_interface %s_interface = {" % name,
          '\t.name = "%s",' % name,
          "\t.id = %s_INTERFACE_ID," % upper,
          "\t.dispatch = %s_dispatch," % name,
          "\t.max_request = %s_MAX_REQUEST," % upper,
          "\t.max_reply = %s_MAX_REPLY," % upper,
          "\t.bulk_bytes = %s_BULK_BYTES," % upper,
          "};", ""]
    for m in iface.methods:
        req, rep = m["request"].c_type, m["reply"].c_type
        c += wrap(0, "int32_t %s_%s_remote" % (name, m["name"]),
                  ["struct viper_slot *slot", "const %s *req" % req, "%s *rep" % rep], "")
        c += ["{"]
        body_ref = "req"
        req_arr, lines = handle_array("body", m["request"], ".")
        c += ["\t%s zero = %s_init_zero;" % (rep, rep), "\t*rep = zero;"]
        if req_arr:
            c += ["\t%s body = *req;" % req] + lines
            c += ["\tviper_handle_t handles[VIPER_MSG_MAX_HANDLES];",
                  "\tuint32_t handle_count = viper_rpc_give_handles(%s, %d, handles);" %
                  (req_arr, len(gen.handle_fields(m["request"])))]
            body_ref = "&body"
        rep_arr, lines = handle_array("rep", m["reply"], "->")
        c += lines
        c += wrap(1, "return viper_rpc_call",
                  ["slot", "&%s_interface" % name, "%s_METHOD_%s" % (upper, m["name"].upper()),
                   "%du" % m["reply_max"], "%s_fields" % req,
                   body_ref, "handles" if req_arr else "NULL",
                   "handle_count" if req_arr else "0", "%s_fields" % rep, "rep",
                   rep_arr or "NULL", str(len(gen.handle_fields(m["reply"])))], ";")
        c += ["}", ""]
    c += ["int32_t %s_dispatch(const void *ops, void *self, struct viper_rpc_context *ctx," % name,
          "\t\t    const struct viper_rpc_in *in, struct viper_rpc_out *out)", "{",
          "\tconst struct %s_server *server = (const struct %s_server *)ops;" % (name, name),
          "\tstruct viper_rpc_request_header hdr;",
          "\tint32_t status = viper_rpc_begin(in, %s_INTERFACE_ID, &hdr, out);" % upper,
          "\tif (status < 0)", "\t\treturn status;",
          "\tswitch (hdr.method) {"]
    for m in iface.methods:
        req, rep = m["request"].c_type, m["reply"].c_type
        c += ["\tcase %s_METHOD_%s: {" % (upper, m["name"].upper()),
              "\t\t%s req = %s_init_zero;" % (req, req),
              "\t\t%s rep = %s_init_zero;" % (rep, rep)]
        req_arr, lines = handle_array("req", m["request"], ".")
        c += ["\t" + l for l in lines]
        rep_arr, lines = handle_array("rep", m["reply"], ".")
        c += ["\t" + l for l in lines]
        c += ["\t\tif (server->%s == NULL)" % member(m["name"]),
              "\t\t\treturn viper_rpc_reply_error(out, hdr.request_id, VIPER_E_NOSYS);",
             ] + wrap(2, "status = viper_rpc_decode_request",
                      ["in", "%s_fields" % req, "&req", req_arr or "NULL",
                       str(len(gen.handle_fields(m["request"])))], ";") + [
              "\t\tif (status < 0)",
              "\t\t\treturn viper_rpc_reply_error(out, hdr.request_id, status);",
              "\t\tout->handles_taken = in->handle_count > 0;",
              "\t\tstatus = server->%s(self, ctx, &req, &rep);" % member(m["name"])]
        c += wrap(2, "return viper_rpc_reply",
                  ["out", "hdr.request_id", "status", "%s_fields" % rep, "&rep",
                   rep_arr or "NULL", str(len(gen.handle_fields(m["reply"])))], ";")
        c += ["\t}"]
    c += ["\tdefault:",
          "\t\treturn viper_rpc_reply_error(out, hdr.request_id, VIPER_E_NOSYS);",
          "\t}", "}"]
    return "\n".join(h) + "\n", "\n".join(c) + "\n"


def run_protoc(includes, protos, out):
    cmd = [PROTOC] + ["-I" + i for i in includes] + [
        "--include_imports", "--include_source_info", "--descriptor_set_out=" + out] + protos
    res = subprocess.run(cmd)
    return res.returncode == 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-I", dest="includes", action="append", default=[],
                    help="proto import directory (passed to protoc)")
    ap.add_argument("--descriptor_set", help="read this FileDescriptorSet instead of running protoc")
    ap.add_argument("--out_dir", default=".")
    ap.add_argument("--json", help="also write the diagnostics as JSON to this file")
    ap.add_argument("--diagnostics-format", choices=["text", "json"], default="text")
    ap.add_argument("--check", action="store_true", help="validate only, write nothing")
    ap.add_argument("protos", nargs="+")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        path = args.descriptor_set
        if path is None:
            path = os.path.join(tmp, "set.pb")
            if not run_protoc(args.includes or ["."], args.protos, path):
                print("generate.py: protoc failed on %s" % " ".join(args.protos), file=sys.stderr)
                return 1
        with open(path, "rb") as fh:
            fds = descriptor_pb2.FileDescriptorSet.FromString(fh.read())

    gen = Generator(fds)
    targets = []
    for p in args.protos:
        norm = os.path.normpath(p)
        match = [f for f in fds.file if f.name == norm or norm.endswith("/" + f.name)]
        if not match:
            print("generate.py: %s is not in the descriptor set" % p, file=sys.stderr)
            return 1
        targets.append(match[-1])
    ifaces = [gen.interface(f) for f in targets]
    # Requests carry the low 16 bits of the interface id: those must not collide.
    by_id = {}
    for iface in sorted([i for i in ifaces if i], key=lambda i: i.file.name):
        by_id.setdefault(iface.id & 0xFFFF, []).append(iface)
    for group in by_id.values():
        for iface in group:
            for other in group:
                if other is iface:
                    continue
                gen.error(iface.file, (_FILE_OPTIONS, 51001), "duplicate-interface-id",
                          "interface %s has (viper.interface_id) = %d, which collides with %s "
                          "(%s, id %d) in the low 16 bits requests carry" %
                          (iface.name, iface.id, other.name, other.file.name, other.id),
                          "choose an id no other interface uses")

    diags = sorted(gen.diags, key=lambda d: (d.file, d.line, d.code, d.message))
    for d in diags:
        print(d.text(), file=sys.stderr)
    doc = json.dumps({"diagnostics": [d.as_json() for d in diags]}, indent=2) + "\n"
    if args.json:
        with open(args.json, "w") as fh:
            fh.write(doc)
    if args.diagnostics_format == "json":
        sys.stdout.write(doc)
    if diags:
        return 1
    if args.check:
        return 0
    for iface in ifaces:
        header, source = c_outputs(gen, iface)
        base = os.path.join(args.out_dir, iface.file.name[:-len(".proto")])
        os.makedirs(os.path.dirname(base) or ".", exist_ok=True)
        for suffix, text in ((".viper.h", header), (".viper.c", source),
                             (".interface.json", interface_json(iface))):
            with open(base + suffix, "w") as fh:
                fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
