"""Worst-case encoded sizes of messages, from their nanopb bounds (a mixin of Generator)."""

from wire_constants import *  # noqa: F401,F403


class MessageSizes:
    """Needs self.opts, self.messages and self.error (interface_model.Generator)."""

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
