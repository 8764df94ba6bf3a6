"""Records of released interfaces, for the interface-evolution gate
(evolution.py; docs/interfaces.md, "Evolving an interface").

A record (interfaces/records/<name>.json) is the interface's descriptor
reduced to what peers depend on, written deterministically (sorted keys; no
paths, lines or timestamps):

    {"format": 1, "interface": "kv", "id": 17, "bulk_bytes": 0,
     "methods": {"Put": {"id": 1, "request": "viper.kv.PutRequest",
                         "reply": "viper.kv.PutReply"}, ...},
     "messages": {"viper.kv.PutRequest": {
         "fields": {"key": {"number": 1, "type": "string", "label": "singular",
                            "max_bytes": 32, "handle": false}, ...},
         "reserved": [[3, 3]], "reserved_names": ["old"]}, ...},
     "enums": {"viper.log.Level": {"LEVEL_DEBUG": 0, ...}}}

It holds every message a method carries, every (viper.ring_entry) message
of the file (whose C struct travels as is in shared-memory rings, so it has
"ring_entry": true and its fields' "order"), and every message and enum
their fields reach. snapshot() makes the record of a checked interface, with the
line of each part; read() loads a committed one and checks its shape.
"""

import json

from google.protobuf import descriptor_pb2

FD = descriptor_pb2.FieldDescriptorProto
FORMAT = 1  # of the record; a record of another format must be rewritten

# descriptor.proto field numbers, for SourceCodeInfo paths
_FILE_ENUM, _FILE_OPTIONS = 5, 8
_MESSAGE_FIELD, _MESSAGE_ENUM = 2, 4
_INTERFACE_ID, _BULK_BYTES = 51001, 51004  # viper/options.proto, on FileOptions

_TYPE_NAMES = {getattr(FD, n): n[len("TYPE_"):].lower() for n in dir(FD) if n.startswith("TYPE_")}
_NAMED_TYPES = (FD.TYPE_MESSAGE, FD.TYPE_GROUP, FD.TYPE_ENUM)

# Type changes a peer of the record still understands: values keep their
# encoding, and one the old type cannot hold is refused by the old decoder
# (out of its range), never misread.
_WIDENINGS = {("int32", "int64"), ("uint32", "uint64"), ("uint32", "int64"),
              ("sint32", "sint64")}


class Snapshot:
    """An interface's record, and where each of its parts is written."""

    def __init__(self, name, file):
        self.name = name
        self.file = file  # the .proto, as diagnostics name it
        self.record = {}
        self.lines = {}  # key -> (file, line); keys as in line()

    def line(self, *keys):
        """(file, line) of the first key written: ("method", name), ("message",
        name), ("field", message, name), ("value", enum, name), ("id",),
        ("bulk",); the service's line when none is."""
        for key in keys:
            if key in self.lines:
                return self.lines[key]
        return self.lines[("service",)]


def _label(msg_proto, field):
    if field.label == FD.LABEL_REPEATED:
        return "repeated"
    if field.label == FD.LABEL_REQUIRED:
        return "required"
    if field.HasField("oneof_index") and not field.proto3_optional:
        return "oneof " + msg_proto.oneof_decl[field.oneof_index].name
    return "singular"


def _field_record(gen, msg, field):
    size, count = gen.field_bound(msg, field)
    entry = {"number": field.number, "type": _TYPE_NAMES.get(field.type, str(field.type)),
             "label": _label(msg.proto, field),
             "handle": bool(gen.opts.get("Field", field.options, "viper.handle"))}
    if field.type in (FD.TYPE_STRING, FD.TYPE_BYTES):
        entry["max_bytes"] = size  # a string's max_length, a bytes field's max_size
    if field.label == FD.LABEL_REPEATED:
        entry["max_count"] = count
    if field.type in _NAMED_TYPES:
        entry["type_name"] = field.type_name.lstrip(".")
    session = gen.opts.get("Field", field.options, "viper.session")
    if session:
        entry["session"] = session  # the interface served on the handle's channel
    lease = gen.opts.get("Field", field.options, "viper.lease")
    if lease:
        entry["lease"] = lease  # "read" or "write": bytes of a memory object lent for the call
    return entry


def _enum_index(gen):
    """{full name: (file, EnumDescriptorProto, path)} of every enum in the set."""
    index = {}
    for f in gen.fds.file:
        prefix = f.package + "." if f.package else ""
        for i, e in enumerate(f.enum_type):
            index[prefix + e.name] = (f, e, (_FILE_ENUM, i))
    for msg in gen.messages.values():
        for i, e in enumerate(msg.proto.enum_type):
            index[msg.full_name + "." + e.name] = (msg.file, e, msg.path + (_MESSAGE_ENUM, i))
    return index


def _add_enum(gen, snap, enums, name, index):
    if name in enums or name not in index:
        return
    f, proto, path = index[name]
    enums[name] = {v.name: v.number for v in proto.value}
    for i, v in enumerate(proto.value):
        snap.lines[("value", name, v.name)] = (f.name, gen.line(f, path + (2, i)))


def _add_message(gen, snap, messages, msg, pending, add_enum):
    fields = {}
    for i, field in enumerate(msg.proto.field):
        fields[field.name] = entry = _field_record(gen, msg, field)
        snap.lines[("field", msg.full_name, field.name)] = \
            (msg.file.name, gen.line(msg.file, msg.path + (_MESSAGE_FIELD, i)))
        if field.type == FD.TYPE_ENUM:
            add_enum(entry["type_name"])
        elif field.type in _NAMED_TYPES:
            pending.append(entry["type_name"])
    snap.lines[("message", msg.full_name)] = (msg.file.name, gen.line(msg.file, msg.path))
    messages[msg.full_name] = record = {
        "fields": fields,
        "reserved": sorted([r.start, r.end - 1] for r in msg.proto.reserved_range),
        "reserved_names": sorted(msg.proto.reserved_name),
    }
    if _is_ring_entry(gen, msg):
        record["ring_entry"] = True
        record["order"] = [field.name for field in msg.proto.field]


def _is_ring_entry(gen, msg):
    return bool(gen.opts.get("Message", msg.proto.options, "viper.ring_entry"))


def snapshot(gen, iface):
    """The Snapshot of `iface`, an interface the generator has checked."""
    f = iface.file
    snap = Snapshot(iface.name, f.name)
    snap.lines[("service",)] = (f.name, iface.line)
    snap.lines[("id",)] = (f.name, gen.line(f, (_FILE_OPTIONS, _INTERFACE_ID)))
    snap.lines[("bulk",)] = (f.name, gen.line(f, (_FILE_OPTIONS, _BULK_BYTES)))
    methods = {}
    for m in iface.methods:
        methods[m["proto_name"]] = {"id": m["id"], "request": m["request"].full_name,
                                    "reply": m["reply"].full_name}
        snap.lines[("method", m["proto_name"])] = (f.name, m["line"])
    messages, enums, index = {}, {}, _enum_index(gen)
    pending = sorted({t for m in methods.values() for t in (m["request"], m["reply"])} |
                     {m.full_name for m in gen.messages.values()
                      if m.file is f and _is_ring_entry(gen, m)})
    while pending:
        name = pending.pop()
        msg = gen.messages.get("." + name)
        if name not in messages and msg is not None:
            _add_message(gen, snap, messages, msg, pending,
                         lambda e: _add_enum(gen, snap, enums, e, index))
    snap.record = {"format": FORMAT, "interface": iface.name, "id": iface.id,
                   "bulk_bytes": iface.bulk, "methods": methods, "messages": messages,
                   "enums": enums}
    return snap


def record_text(record):
    """The record as committed: sorted keys, two-space indents, a final newline."""
    return json.dumps(record, indent=2, sort_keys=True) + "\n"


class Missing(Exception):
    """There is no record file."""


class Invalid(Exception):
    """A record file that cannot be used: `line` of it, and the problem."""

    def __init__(self, line, problem):
        super().__init__(problem)
        self.line = line
        self.problem = problem


_KIND_NAMES = {int: "an integer", str: "a string", bool: "true or false", dict: "an object",
               list: "a list"}
_METHOD_KEYS = {"id": int, "request": str, "reply": str}
_FIELD_KEYS = {"number": int, "type": str, "label": str, "handle": bool}
_FIELD_OPTIONAL_KEYS = {"max_bytes": int, "max_count": int, "type_name": str, "session": str,
                        "lease": str}


def _expect(value, kind, where):
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise Invalid(1, "%s is not %s" % (where, _KIND_NAMES[kind]))
    return value


def _expect_keys(obj, required, optional, where):
    _expect(obj, dict, where)
    for key, kind in required.items():
        if key not in obj:
            raise Invalid(1, "%s has no '%s'" % (where, key))
        _expect(obj[key], kind, "%s.%s" % (where, key))
    for key in obj:
        if key not in required and key not in optional:
            raise Invalid(1, "%s has an unknown key '%s'" % (where, key))
        if key in optional:
            _expect(obj[key], optional[key], "%s.%s" % (where, key))


def _check_message(name, message):
    where = "messages.%s" % name
    _expect_keys(message, {"fields": dict, "reserved": list, "reserved_names": list},
                 {"ring_entry": bool, "order": list}, where)
    if message.get("ring_entry") and sorted(message.get("order", [None])) != \
            sorted(message["fields"]):
        raise Invalid(1, "%s.order does not list its fields" % where)
    for field_name, field in message["fields"].items():
        _expect_keys(field, _FIELD_KEYS, _FIELD_OPTIONAL_KEYS,
                     "%s.fields.%s" % (where, field_name))
    for r in message["reserved"]:
        if not (isinstance(r, list) and len(r) == 2 and
                all(isinstance(n, int) and not isinstance(n, bool) for n in r)):
            raise Invalid(1, "%s.reserved holds %s, not a [first, last] pair" % (where, r))
    for n in message["reserved_names"]:
        _expect(n, str, where + ".reserved_names[]")


def _check_shape(data, name):
    top = {"format": int, "interface": str, "id": int, "bulk_bytes": int, "methods": dict,
           "messages": dict, "enums": dict}
    _expect_keys(data, top, {}, "the record")
    if data["format"] != FORMAT:
        raise Invalid(1, "the record has format %d, not %d" % (data["format"], FORMAT))
    if data["interface"] != name:
        raise Invalid(1, "the record is of interface '%s', not '%s'" % (data["interface"], name))
    for method_name, method in data["methods"].items():
        _expect_keys(method, _METHOD_KEYS, {}, "methods.%s" % method_name)
    for message_name, message in data["messages"].items():
        _check_message(message_name, message)
    for enum_name, values in data["enums"].items():
        _expect(values, dict, "enums.%s" % enum_name)
        for value_name, number in values.items():
            _expect(number, int, "enums.%s.%s" % (enum_name, value_name))


def read(path, name):
    """The record of interface `name` in file `path`. Raises Missing when there
    is no such file, Invalid when it cannot be read or has the wrong shape."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError as e:
        raise Missing(path) from e
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise Invalid(1, "cannot read it: %s" % (getattr(e, "strerror", None) or e)) from e
    try:
        data = json.loads(text)
    except ValueError as e:
        raise Invalid(getattr(e, "lineno", 1), "it is not JSON: %s" % getattr(e, "msg", e)) from e
    _check_shape(data, name)
    return data
