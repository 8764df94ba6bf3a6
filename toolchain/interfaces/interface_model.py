"""The interface generator's model: options, messages and the checked interface."""

import os
import re

from google.protobuf import descriptor_pool, message_factory

import diagnostics
from c_text import snake_case
from interface_checks import InterfaceChecks
from message_sizes import MessageSizes
from wire_constants import *  # noqa: F401,F403


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


class Generator(MessageSizes, InterfaceChecks):
    """The interfaces of a descriptor set: messages, options, checks and diagnostics."""

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

    def _check_file(self, f, stem):
        """The file's name, service and interface id; the id, or None when there is no service."""
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
        iface_id = self.opts.get("File", f.options, "viper.interface_id")
        if iface_id is None:
            self.error(f, (_FILE_SERVICE, 0), "missing-interface-id",
                       "%s has no (viper.interface_id)" % f.name,
                       "add 'option (viper.interface_id) = N;' with an id no other "
                       "interface uses")
        elif iface_id == 0:
            self.error(f, (_FILE_OPTIONS, 51001), "interface-id-range",
                       "(viper.interface_id) of %s is 0; ids start at 1" % f.name,
                       "choose an id from 1 that no other interface uses")
        return iface_id

    def _method_ids(self, f, service):
        """(id, index, method) of each method with a good, unique id; their types in `top`."""
        methods, seen_ids, top = [], {}, set()
        for mi, m in enumerate(service.method):
            mpath = (_FILE_SERVICE, 0, _SERVICE_METHOD, mi)
            top.update(t[1:] for t in (m.input_type, m.output_type))
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
            elif not 1 <= mid <= 65535:
                self.error(f, mpath, "method-id-range",
                           "(viper.method_id) of method %s is %d, outside 1..65535" %
                           (m.name, mid), "choose an id from 1 to 65535")
            elif mid in seen_ids:
                self.error(f, mpath, "duplicate-method-id",
                           "methods %s and %s both have (viper.method_id) = %d" %
                           (seen_ids[mid], m.name, mid),
                           "give %s an unused id, e.g. %d (never renumber a released "
                           "method)" % (m.name, max(seen_ids) + 1))
            else:
                seen_ids[mid] = m.name
                methods.append((mid, mi, m))
        return methods, top

    def _method_entry(self, f, mid, mi, m):
        """What the templates and the JSON need of one method; reports oversized messages."""
        mpath = (_FILE_SERVICE, 0, _SERVICE_METHOD, mi)
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
                              for fld, n in self.session_fields(rep_msg)] if rep_msg else [])
        return entry

    def interface(self, f):
        """Checks file `f` and returns its Interface, or None after errors."""
        errors_before = len(self.diags)
        stem = os.path.splitext(os.path.basename(f.name))[0]
        iface_id = self._check_file(f, stem)
        if not f.service:
            return None
        methods, top_level = self._method_ids(f, f.service[0])
        self.check_handles(f, top_level)
        self.check_sessions(f, {m.output_type[1:] for _, _, m in methods})
        self.check_leases(f, {m.input_type[1:] for _, _, m in methods})
        self.check_ring_entries(f)
        out_methods = [self._method_entry(f, mid, mi, m)
                       for mid, mi, m in sorted(methods, key=lambda x: x[0])]
        if len(self.diags) > errors_before:
            return None
        spath = (_FILE_SERVICE, 0)
        iface = Interface()
        iface.file, iface.name, iface.id = f, stem, iface_id
        iface.bulk = self.opts.get("File", f.options, "viper.bulk_bytes") or 0
        iface.service = f.service[0]
        iface.line = self.line(f, spath)
        iface.methods = out_methods
        iface.rings = [m.full_name for m in self.ring_entries(f)]
        iface.comment = self.comment(f, spath)
        return iface
