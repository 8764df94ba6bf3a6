"""Checks of the ViperOS field and message options: handles, sessions, leases and ring
descriptors (a mixin of Generator)."""

import re

from wire_constants import *  # noqa: F401,F403


class InterfaceChecks:
    """Needs self.opts, self.messages and self.error (interface_model.Generator)."""

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
