#!/usr/bin/python3
"""The ViperOS interface generator: C glue and interface JSON from a .proto.

    generate.py [-I DIR]... [--out_dir DIR] [--json=PATH] [--check]
                [--record=JSON | --update-record=JSON] interfaces/kv.proto...

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
--record checks one interface against its committed record, the
interface-evolution gate of evolution.py; --update-record rewrites it.
"""

import argparse
import json
import os
import re
import sys
import tempfile

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

# One diagnostics module for the build tools: the assembler's.
sys.dont_write_bytecode = True  # write nothing next to the sources
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assembler"))
import descriptor_set  # noqa: E402
import diagnostics  # noqa: E402
import evolution  # noqa: E402

MSG_MAX = 256
HEADER_BYTES = 8
# (viper.lease) kinds and the protection the provider maps a lease with.
LEASE_PROT = {"read": "VIPER_PROT_READ", "write": "VIPER_PROT_READ | VIPER_PROT_WRITE"}
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
                     "viper.handle", "viper.session", "viper.deferrable", "viper.lease",
                     "viper.ring_entry", "nanopb",
                     "nanopb_msgopt", "nanopb_fileopt"):
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
    def __init__(self, fds, diags=None):
        self.fds = fds
        self.opts = Options(fds)
        self.diags = diags if diags is not None else diagnostics.Diagnostics()
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
        self.diags.error(file.name, line, code, message, fix)

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

    def is_handle(self, field):
        """A (viper.handle) field, or a (viper.session) or (viper.lease) one: a handle too."""
        return bool(self.opts.get("Field", field.options, "viper.handle") or
                    self.opts.get("Field", field.options, "viper.session") or
                    self.opts.get("Field", field.options, "viper.lease"))

    def lease_fields(self, msg):
        """(field, C prot expression) of each (viper.lease) field of `msg`, in field order."""
        out = []
        for f in msg.proto.field:
            kind = self.opts.get("Field", f.options, "viper.lease")
            if kind in LEASE_PROT:
                out.append((f, LEASE_PROT[kind]))
        return out

    def handle_fields(self, msg):
        return [f for f in msg.proto.field if self.is_handle(f)]

    def session_fields(self, msg):
        """(field, interface name) of each (viper.session) field of `msg`."""
        out = []
        for f in msg.proto.field:
            name = self.opts.get("Field", f.options, "viper.session")
            if name:
                out.append((f, name))
        return out

    def check_handles(self, f, top_level):
        """Handle fields: top-level singular uint32, at most four per message."""
        for full, msg in sorted(self.messages.items()):
            if msg.file is not f:
                continue
            count = 0
            for i, field in enumerate(msg.proto.field):
                if not self.is_handle(field):
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

    def check_leases(self, f, requests):
        """(viper.lease) fields: "read" or "write", in a request, with _offset and _length."""
        for full, msg in sorted(self.messages.items()):
            if msg.file is not f:
                continue
            names = {fld.name: fld for fld in msg.proto.field}
            for i, field in enumerate(msg.proto.field):
                kind = self.opts.get("Field", field.options, "viper.lease")
                if not kind:
                    continue
                path = msg.path + (_MESSAGE_FIELD, i)
                problem = None
                if kind not in LEASE_PROT:
                    problem = "is a lease of kind '%s'; a lease is \"read\" or \"write\"" % kind
                elif msg.full_name not in requests:
                    problem = "is not in a request; only a caller lends"
                else:
                    for suffix in ("_offset", "_length"):
                        sib = names.get(field.name + suffix)
                        if sib is None or sib.type != FD.TYPE_UINT64 or \
                                sib.label == FD.LABEL_REPEATED:
                            problem = "lacks its field 'uint64 %s%s'" % (field.name, suffix)
                            break
                if problem:
                    self.error(f, path, "lease-field",
                               "lease field '%s' of message %s %s" %
                               (field.name, msg.full_name, problem),
                               "declare 'uint32 %s = N [(viper.lease) = \"read\"];' with "
                               "'uint64 %s_offset' and 'uint64 %s_length' in a request" %
                               (field.name, field.name, field.name))

    def ring_entries(self, f):
        """The (viper.ring_entry) messages of file `f`, by name."""
        return [msg for _, msg in sorted(self.messages.items())
                if msg.file is f and self.opts.get("Message", msg.proto.options,
                                                   "viper.ring_entry")]

    def check_ring_entries(self, f):
        """Ring descriptors: singular scalar fields, a C struct of known small size."""
        for msg in self.ring_entries(f):
            for i, field in enumerate(msg.proto.field):
                if field.type in _SCALAR_MAX and field.label != FD.LABEL_REPEATED and \
                        not field.HasField("oneof_index"):
                    continue
                self.error(f, msg.path + (_MESSAGE_FIELD, i), "ring-entry",
                           "field '%s' of ring descriptor %s is not a singular scalar" %
                           (field.name, msg.full_name),
                           "keep only singular scalar fields (offsets, lengths, ids) in a "
                           "ring descriptor; data goes in shared memory it names")
            if len(msg.proto.field) * 8 > 64:
                self.error(f, msg.path, "ring-entry",
                           "ring descriptor %s has %d fields; at most 8 (64 bytes) fit an "
                           "entry" % (msg.full_name, len(msg.proto.field)),
                           "split it, or put the rest in the shared data it names")

    def check_sessions(self, f, replies):
        """(viper.session) fields: in a reply, naming an interface by its file stem."""
        for full, msg in sorted(self.messages.items()):
            if msg.file is not f:
                continue
            for i, field in enumerate(msg.proto.field):
                name = self.opts.get("Field", field.options, "viper.session")
                if not name:
                    continue
                path = msg.path + (_MESSAGE_FIELD, i)
                if not re.match(r"^[a-z][a-z0-9_]*$", name):
                    self.error(f, path, "session-field",
                               "session field '%s' of message %s names '%s', which is not an "
                               "interface name" % (field.name, msg.full_name, name),
                               "name the session's interface by its file stem, e.g. "
                               "(viper.session) = \"file\" for interfaces/file.proto")
                elif msg.full_name not in replies:
                    self.error(f, path, "session-field",
                               "session field '%s' of message %s is not in a reply; only a "
                               "provider opens sessions" % (field.name, msg.full_name),
                               "move it to the reply of the method that opens the session")

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
        replies = {m.output_type[1:] for _, _, m in methods}
        self.check_sessions(f, replies)
        self.check_leases(f, {m.input_type[1:] for _, _, m in methods})
        self.check_ring_entries(f)
        out_methods = []
        for mid, mi, m in sorted(methods, key=lambda x: x[0]):
            mpath = spath + (_SERVICE_METHOD, mi)
            entry = {"name": snake_case(m.name), "id": mid, "proto_name": m.name,
                     "line": self.line(f, mpath), "comment": self.comment(f, mpath),
                     "deferrable": bool(self.opts.get("Method", m.options, "viper.deferrable"))}
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
            rep_msg = entry.get("reply")
            entry["sessions"] = ([{"field": fld.name, "interface": n}
                                  for fld, n in self.session_fields(rep_msg)]
                                 if rep_msg else [])
            out_methods.append(entry)
        if len(self.diags) > errors_before:
            return None
        iface = Interface()
        iface.file, iface.name, iface.id, iface.bulk = f, stem, iface_id, bulk
        iface.service = service
        iface.line = self.line(f, spath)
        iface.methods = out_methods
        iface.rings = [m.full_name for m in self.ring_entries(f)]
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
            "deferrable": m["deferrable"], "sessions": m["sessions"],
        })
    return json.dumps({
        "name": iface.name, "id": iface.id, "file": iface.file.name, "line": iface.line,
        "bulk_bytes": iface.bulk, "methods": methods, "rings": iface.rings,
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
         "#include <viper/ring.h>", "#include <viper/rpc.h>", "#include <viper/rpc_codec.h>", "",
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
    deferrable = [m for m in iface.methods if m["deferrable"]]
    if deferrable:
        h += ["/*",
              " * Answers a call a (viper.deferrable) method kept with vc_defer, exactly",
              " * once: VIPER_OK, VIPER_E_PEERCLOSED when the caller gave up or ended,",
              " * VIPER_E_BADHANDLE for a token answered already or never given,",
              " * VIPER_E_INVAL for another method's token. `rep` (unused for a negative",
              " * status) goes to the caller, its handles with it.",
              " */"]
    for m in deferrable:
        h += wrap(0, "int32_t %s_%s_complete" % (name, m["name"]),
                  ["viper_deferred_t token", "int32_t status", "%s *rep" % m["reply"].c_type],
                  ";")
    if deferrable:
        h.append("")
    codecs = Codecs(gen, iface)
    h += ["/* Each message's encoder and decoder (struct viper_codec in viper/rpc_codec.h). */"]
    h += ["extern const struct viper_codec %s;" % codecs.name(msg) for msg in codecs.order]
    h.append("")
    validity = Validity(gen, iface)
    valid_fn = {m["name"]: validity.function_for(m["request"]) for m in iface.methods}
    if validity.functions:
        h += ["/* What a direct call checks, as the remote path's encoder would. */"]
    for msg, fn, body in validity.functions:
        h += ["static inline bool %s(const %s *m)" % (fn, msg.c_type), "{"]
        h += ["\t" + l for l in body] + ["\treturn true;", "}", ""]
    h += ring_lines(gen, iface)
    h += ["/*",
          " * Client stubs: call method <name> through `slot`. A provider in the same",
          " * address space is called directly (under its entry lock when several",
          " * threads can reach it); otherwise the request goes over the slot's",
          " * channel. Both ways the reply holds its defaults first, handles in the",
          " * request move to the provider and the result is the method's status or a",
          " * negative viper error (VIPER_E_INVAL for a request out of its bounds).",
          " */"]
    for m in iface.methods:
        req, rep = m["request"].c_type, m["reply"].c_type
        h += direct_stub(gen, iface, m, valid_fn[m["name"]])
    h += ["#ifdef __cplusplus", "}", "#endif", "", "#endif"]

    def handle_array(var, msg, deref):
        fields = gen.handle_fields(msg)
        if not fields:
            return None, []
        arr = "%s_handles" % var
        refs = ", ".join("&%s%s%s" % (var, deref, f.name) for f in fields)
        return arr, ["\tuint32_t *const %s[] = {%s};" % (arr, refs)]

    c = [banner, '#include "%s.viper.h"' % base, "", "#include <viper/component.h>",
         "#include <viper/rpc_wire.h>", ""]
    c += ["const struct viper_interface %s_interface = {" % name,
          '\t.name = "%s",' % name,
          "\t.id = %s_INTERFACE_ID," % upper,
          "\t.dispatch = %s_dispatch," % name,
          "\t.max_request = %s_MAX_REQUEST," % upper,
          "\t.max_reply = %s_MAX_REPLY," % upper,
          "\t.bulk_bytes = %s_BULK_BYTES," % upper,
          "};", ""]
    codecs_at = len(c)
    for m in iface.methods:
        req, rep = m["request"].c_type, m["reply"].c_type
        c += wrap(0, "int32_t %s_%s_remote" % (name, m["name"]),
                  ["struct viper_slot *slot", "const %s *req" % req, "%s *rep" % rep], "")
        c += ["{"]
        body_ref = "req"
        req_arr, lines = handle_array("body", m["request"], ".")
        c += clear(m["reply"], "*rep", 1)
        if req_arr:
            c += ["\t%s body = *req;" % req]
            c += lend_lines(gen, m["request"])
            c += lines
            c += ["\tviper_handle_t handles[VIPER_MSG_MAX_HANDLES];",
                  "\tuint32_t handle_count = viper_rpc_give_handles(%s, %d, handles);" %
                  (req_arr, len(gen.handle_fields(m["request"])))]
            body_ref = "&body"
        rep_arr, lines = handle_array("rep", m["reply"], "->")
        c += lines
        c += wrap(1, "return viper_rpc_call",
                  ["slot", "&%s_interface" % name, "%s_METHOD_%s" % (upper, m["name"].upper()),
                   "%du" % m["reply_max"], "&" + codecs.name(m["request"]),
                   body_ref, "handles" if req_arr else "NULL",
                   "handle_count" if req_arr else "0", "&" + codecs.name(m["reply"]), "rep",
                   rep_arr or "NULL", str(len(gen.handle_fields(m["reply"])))], ";")
        c += ["}", ""]
    for m in iface.methods:
        if m["deferrable"]:
            c += complete_function(gen, iface, m, codecs, handle_array)
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
              "\t\t%s req;" % req, "\t\t%s rep;" % rep]
        c += clear(m["request"], "req", 2) + clear(m["reply"], "rep", 2)
        req_arr, lines = handle_array("req", m["request"], ".")
        c += ["\t" + l for l in lines]
        rep_arr, lines = handle_array("rep", m["reply"], ".")
        c += ["\t" + l for l in lines]
        c += ["\t\tif (server->%s == NULL)" % member(m["name"]),
              "\t\t\treturn viper_rpc_reply_error(out, hdr.request_id, VIPER_E_NOSYS);",
             ] + wrap(2, "status = viper_rpc_decode_request",
                      ["in", "&" + codecs.name(m["request"]), "&req", req_arr or "NULL",
                       str(len(gen.handle_fields(m["request"])))], ";") + [
              "\t\tif (status < 0)",
              "\t\t\treturn viper_rpc_reply_error(out, hdr.request_id, status);",
              "\t\tout->handles_taken = in->handle_count > 0;"]
        leases = gen.lease_fields(m["request"])
        if leases:
            c += ["\t\tstruct viper_lease_view leases[%d];" % len(leases)]
            c += lease_open_lines(gen, m["request"], "req.", 2,
                                  ["out->handles_taken = false; /* the host closes them */",
                                   "return viper_rpc_reply_error(out, hdr.request_id, "
                                   "lease_err);"])
            c += ["\t\tctx->leases = leases;", "\t\tctx->lease_count = %d;" % len(leases)]
            if m["deferrable"]:
                c += ["\t\tif (ctx->call != NULL) {", "\t\t\tctx->call->leases = leases;",
                      "\t\t\tctx->call->lease_count = %d;" % len(leases), "\t\t}"]
        if m["deferrable"]:
            c += ["\t\tif (ctx->call != NULL)",
                  "\t\t\tviper_rpc_deferrable(ctx->call, %s_INTERFACE_ID, hdr.method, "
                  "hdr.request_id);" % upper]
        c += ["\t\tstatus = server->%s(self, ctx, &req, &rep);" % member(m["name"])]
        if leases:
            c += ["\t\tctx->leases = NULL;", "\t\tctx->lease_count = 0;"]
        if m["deferrable"]:
            c += ["\t\tif (ctx->call != NULL && ctx->call->deferred &&",
                  "\t\t    viper_rpc_keep(out, status, ctx->call))",
                  "\t\t\treturn status; /* its leases end with its answer */"]
        if leases:
            c += ["\t\tviper_lease_close(leases, %d, true);" % len(leases)]
        c += wrap(2, "return viper_rpc_reply",
                  ["out", "hdr.request_id", "status", "&" + codecs.name(m["reply"]), "&rep",
                   rep_arr or "NULL", str(len(gen.handle_fields(m["reply"])))], ";")
        c += ["\t}"]
    c += ["\tdefault:",
          "\t\treturn viper_rpc_reply_error(out, hdr.request_id, VIPER_E_NOSYS);",
          "\t}", "}"]
    c[codecs_at:codecs_at] = codecs.lines()
    return "\n".join(h) + "\n", "\n".join(c) + "\n"


def lease_open_lines(gen, msg, src, indent, on_error):
    """Lines opening each (viper.lease) view of request `src` into `leases`."""
    t = "\t" * indent
    out = []
    leases = gen.lease_fields(msg)
    for i, (f, prot) in enumerate(leases):
        out += [t + "%sviper_lease_open(%s%s, %s%s_offset, %s%s_length, %s, &leases[%d]);" %
                ("lease_err = " if i else "int32_t lease_err = ", src, f.name, src, f.name, src,
                 f.name, prot, i),
                t + "if (lease_err < 0) {"]
        if i:
            out.append(t + "\tviper_lease_close(leases, %d, false);" % i)
        out += [t + "\t" + line for line in on_error] + [t + "}"]
    return out


def ring_lines(gen, iface):
    """Typed ring calls for each (viper.ring_entry) message of the interface."""
    out = []
    for msg in gen.ring_entries(iface.file):
        short = snake_case(msg.proto.name)
        fn = "%s_%s" % (iface.name, short)
        ct = msg.c_type
        out += ["/* Rings of %s descriptors (viper/ring.h): the C struct as is. */" % msg.full_name,
                "typedef char %s_fits_a_ring_entry[sizeof(%s) <= VIPER_RING_ENTRY_MAX ? 1 : -1];" %
                (fn, ct),
                "static inline int32_t %s_ring_format(struct viper_ring *r, void *mem, "
                "uint64_t size," % fn,
                "\t\t\t\t\t  uint32_t capacity, bool producer)", "{",
                "\treturn viper_ring_format(r, mem, size, capacity, sizeof(%s), producer);" % ct,
                "}",
                "static inline int32_t %s_ring_attach(struct viper_ring *r, void *mem, "
                "uint64_t size," % fn,
                "\t\t\t\t\t  uint32_t capacity, bool producer)", "{",
                "\treturn viper_ring_attach(r, mem, size, capacity, sizeof(%s), producer);" % ct,
                "}",
                "static inline int32_t %s_push(struct viper_ring *r, const %s *e)" % (fn, ct), "{",
                "\treturn viper_ring_push(r, e);", "}",
                "static inline int32_t %s_pop(struct viper_ring *r, %s *e)" % (fn, ct), "{",
                "\treturn viper_ring_pop(r, e);", "}", ""]
    return out


def lend_lines(gen, msg):
    """Lines of a remote stub lending each (viper.lease) field of `body`."""
    out = []
    lent = []
    for i, (f, prot) in enumerate(gen.lease_fields(msg)):
        out += ["\t%sviper_lease_lend(&body.%s, body.%s_offset, body.%s_length, %s);" %
                ("lease_err = " if i else "int32_t lease_err = ", f.name, f.name, f.name, prot),
                "\tif (lease_err < 0) {"]
        out += ["\t\t(void)vc_handle_close(body.%s);" % n for n in lent]
        out += ["\t\treturn lease_err;", "\t}"]
        lent.append(f.name)
    return out


def direct_stub(gen, iface, m, valid_fn):
    """The client stub of method `m`: a direct call, or the remote half."""
    name, upper = iface.name, iface.name.upper()
    req, rep = m["request"].c_type, m["reply"].c_type
    leases = gen.lease_fields(m["request"])
    h = wrap(0, "static inline int32_t %s_%s" % (name, m["name"]),
             ["struct viper_slot *slot", "const %s *req" % req, "%s *rep" % rep], "")
    h += ["{",
          "\tconst struct %s_server *ops = (const struct %s_server *)slot->peer_ops;" %
          (name, name),
          "\tif (ops == NULL)",
          "\t\treturn %s_%s_remote(slot, req, rep);" % (name, m["name"])]
    if valid_fn:
        h += ["\tif (!%s(req))" % valid_fn, "\t\treturn VIPER_E_INVAL;"]
    h += ["\tif (ops->%s == NULL)" % member(m["name"]), "\t\treturn VIPER_E_NOSYS;"]
    h += clear(m["reply"], "*rep", 1)
    if leases:
        # The client's own handles, mapped for the call: the same checks as a remote call.
        h += ["\tstruct viper_lease_view leases[%d];" % len(leases)]
        h += lease_open_lines(gen, m["request"], "req->", 1, ["return lease_err;"])
    if m["deferrable"] or leases:
        h += ["\tstruct viper_rpc_context ctx = slot->peer_ctx;"]
    if leases:
        h += ["\tctx.leases = leases;", "\tctx.lease_count = %d;" % len(leases)]
    if m["deferrable"]:
        # The provider may keep the call: this thread then waits for the answer.
        h += ["\tstruct viper_direct_wait wait;",
              "\tstruct viper_call_state call;",
              "\t__builtin_memset(&wait, 0, sizeof(wait));",
              "\t__builtin_memset(&call, 0, sizeof(call));",
              "\twait.rep = rep;",
              "\tcall.interface_id = %s_INTERFACE_ID;" % upper,
              "\tcall.method = %s_METHOD_%s;" % (upper, m["name"].upper()),
              "\tcall.deferrable = true;",
              "\tcall.direct = &wait;",
              "\tctx.call = &call;"]
    ctx = "&ctx" if m["deferrable"] or leases else "&slot->peer_ctx"
    call = "ops->%s(slot->peer, %s, req, rep);" % (member(m["name"]), ctx)
    h += ["\tif (slot->peer_lock != NULL)", "\t\tviper_entry_lock(slot->peer_lock);",
          "\tint32_t status = " + call,
          "\tif (slot->peer_lock != NULL)", "\t\tviper_entry_unlock(slot->peer_lock);"]
    if m["deferrable"]:
        h += ["\tif (call.deferred) {",
              "\t\tif (viper_rpc_keep_direct(status, &call))",
              "\t\t\tstatus = viper_direct_wait_reply(&wait);",
              "\t}"]
    if leases:
        h += ["\tviper_lease_close(leases, %d, false);" % len(leases)]
    rep_handles = gen.handle_fields(m["reply"])
    if not rep_handles:
        return h + ["\treturn status;", "}", ""]
    h += ["\tif (status < 0) {",
          "\t\t/* As over a channel: an error carries no handles. */"]
    for f in rep_handles:
        h += ["\t\tif (rep->%s != VIPER_HANDLE_INVALID)" % f.name,
              "\t\t\tviper_transport_drop(rep->%s);" % f.name]
    return h + clear(m["reply"], "*rep", 2) + ["\t}", "\treturn status;", "}", ""]


def complete_function(gen, iface, m, codecs, handle_array):
    """Lines of <iface>_<method>_complete, which answers a deferred call once."""
    name, upper = iface.name, iface.name.upper()
    rep = m["reply"].c_type
    rep_arr, lines = handle_array("rep", m["reply"], "->")
    count = len(gen.handle_fields(m["reply"]))
    c = wrap(0, "int32_t %s_%s_complete" % (name, m["name"]),
             ["viper_deferred_t token", "int32_t status", "%s *rep" % rep], "")
    c += ["{", "\tstruct viper_deferred_call call;",
          "\tint32_t err = viper_deferred_take(token, &%s_interface, %s_METHOD_%s, &call);" %
          (name, upper, m["name"].upper()),
          "\tif (err < 0)", "\t\treturn err;", "\tif (call.direct != NULL) {",
          "\t\t/* The same address space: the caller's reply is a copy away. */"]
    drops = []
    for f in gen.handle_fields(m["reply"]):
        drops += ["\t\t\tif (rep->%s != VIPER_HANDLE_INVALID)" % f.name,
                  "\t\t\t\tviper_transport_drop(rep->%s);" % f.name]
    if drops:
        c += ["\t\tif (status < 0) {"] + drops + ["\t\t}"]
    c += ["\t\tif (status >= 0)", "\t\t\t*(%s *)call.direct->rep = *rep;" % rep,
          "\t\treturn viper_direct_finish(call.direct, status);", "\t}",
          "\tstruct viper_rpc_out out;"] + lines
    c += wrap(1, "(void)viper_rpc_reply",
              ["&out", "call.request_id", "status", "&" + codecs.name(m["reply"]), "rep",
               rep_arr or "NULL", str(count)], ";")
    c += ["\treturn viper_deferred_send(&call, &out);", "}", ""]
    return c


def emit(args, diags):
    """Writes the diagnostics as --json and --diagnostics-format ask; the exit status."""
    stream = sys.stdout if args.diagnostics_format == "json" else sys.stderr
    return diags.emit(args.json, args.diagnostics_format, stream)


def load_generator(args, diags):
    """The Generator of the descriptor set (protoc's, or --descriptor_set) and the
    files of args.protos in it; (None, []) after an error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = args.descriptor_set
        if path is None:
            path = os.path.join(tmp, "set.pb")
            if not descriptor_set.compile_protos(args.includes or ["."], args.protos, path,
                                                 diags):
                return None, []
        fds = descriptor_set.read(path, diags)
    if fds is None:
        return None, []
    try:
        gen = Generator(fds, diags)
    except (TypeError, KeyError, ValueError) as e:
        diags.error(args.descriptor_set or args.protos[0], 1, "bad-descriptor-set",
                    "the descriptor set is not self-contained: %s" % e,
                    "make it with protoc --include_imports --include_source_info")
        return None, []
    targets = []
    for p in args.protos:
        norm = os.path.normpath(p)
        match = [f for f in fds.file if f.name == norm or norm.endswith("/" + f.name)]
        if not match:
            diags.error(p, 1, "bad-descriptor-set", "%s is not in the descriptor set" % p,
                        "make the set from %s (protoc --include_imports "
                        "--include_source_info)" % p)
            return None, []
        targets.append(match[-1])
    return gen, targets


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-I", dest="includes", action="append", default=[],
                    help="proto import directory (passed to protoc)")
    ap.add_argument("--descriptor_set", help="read this FileDescriptorSet instead of running protoc")
    ap.add_argument("--out_dir", default=".")
    ap.add_argument("--json", help="also write the diagnostics as JSON to this file")
    ap.add_argument("--diagnostics-format", choices=["text", "json"], default="text")
    ap.add_argument("--check", action="store_true", help="validate only, write nothing")
    evolution.add_arguments(ap)
    ap.add_argument("protos", nargs="+")
    args = ap.parse_args(argv)

    diags = diagnostics.Diagnostics()
    gen, targets = load_generator(args, diags)
    if gen is None:
        return emit(args, diags)
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
    evolution.run(gen, [i for i in ifaces if i], args, diags, sys.stdout)

    if emit(args, diags) != 0:
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
