"""The interface-evolution gate (docs/interfaces.md, "Evolving an interface").

check() compares an interface, as generate.py has checked it, with its
committed record (interface_record.py) and reports each change that would
break a peer built from the record: an error at the .proto line, saying what
changed and the fix. Compatible changes (new methods and fields, raised
bounds, renamed fields, widened integers) only leave the record behind,
which is a warning until the record is rewritten. update() rewrites it;
UPDATE_COMMAND does so for the interfaces in interfaces/.

Compatible means for peers on both sides: a peer built from the .proto
decodes everything a peer of the record sends, and a peer of the record
decodes everything it is sent within the record's types and bounds; a value
beyond them (a longer string, a wider integer) it refuses as malformed, it
never misreads it.
"""

import os

import interface_record

UPDATE_COMMAND = "bazel run //interfaces:update_records"
_SUMMARY_NOTES = 4  # compatible changes named in a stale-record warning
# The nanopb option that sets a record's bound.
_NANOPB_BOUND = {("max_bytes", "string"): "max_length", ("max_bytes", "bytes"): "max_size"}

_WIDENINGS = {("int32", "int64"), ("uint32", "uint64"), ("uint32", "int64"),
              ("sint32", "sint64")}


class Change:
    """One difference between a record and the interface as it is now."""

    def __init__(self, severity, code, where, message, fix=""):
        # "error" (breaks peers), "warning", "note" (compatible) or "info" (about the record)
        self.severity = severity
        self.code = code
        self.where = where  # keys for Snapshot.line, best first
        self.message = message
        self.fix = fix


class _Changes:
    """The changes found so far, and how the fix of a break reads."""

    def __init__(self, name, record_path):
        self.name = name
        self.record_path = record_path
        self.items = []

    def error(self, code, where, message, instead):
        self.items.append(Change("error", code, where, message, self.break_fix(instead)))

    def warning(self, code, where, message, fix):
        self.items.append(Change("warning", code, where, message, fix))

    def note(self, message):
        self.items.append(Change("note", "", (), message))

    def break_fix(self, instead):
        return ("%s; or, to break peers built from the record on purpose, give the interface a "
                "new (viper.interface_id) and record it with `%s -- %s`, which rewrites %s" %
                (instead, UPDATE_COMMAND, self.name, self.record_path))


def _type_text(field):
    if "type_name" in field:
        return "%s %s" % (field["type"], field["type_name"])
    return field["type"]


def _compare_top(old, new, out):
    if old["id"] != new["id"]:
        out.items.append(Change(
            "error", "interface-id-changed", (("id",),),
            "interface %s has (viper.interface_id) = %d, but its record has %d: peers built "
            "from the record address it by %d" % (out.name, new["id"], old["id"], old["id"]),
            "put back (viper.interface_id) = %d; if the new id is deliberate (an incompatible "
            "successor), record it with `%s -- %s`, which rewrites %s" %
            (old["id"], UPDATE_COMMAND, out.name, out.record_path)))
    if new["bulk_bytes"] < old["bulk_bytes"]:
        out.error("bulk-bytes-lowered", (("bulk",),),
                  "the bulk buffer of interface %s shrinks from %d to %d bytes: peers built from "
                  "the record may use all %d" % (out.name, old["bulk_bytes"], new["bulk_bytes"],
                                                 old["bulk_bytes"]),
                  "keep (viper.bulk_bytes) = %d or more" % old["bulk_bytes"])
    elif new["bulk_bytes"] > old["bulk_bytes"]:
        out.note("bulk buffer raised from %d to %d bytes" % (old["bulk_bytes"],
                                                              new["bulk_bytes"]))


def _compare_methods(old, new, out):
    """Methods are matched by id, as requests carry them: a method renamed with
    its id and types kept is compatible."""
    by_id = {m["id"]: dict(m, name=name) for name, m in new.items()}
    for name, om in sorted(old.items()):
        nm = by_id.get(om["id"])
        if nm is None and name in new:
            out.error("method-renumbered", (("method", name),),
                      "method %s has (viper.method_id) = %d, but its record has %d: peers built "
                      "from the record call it by %d" % (name, new[name]["id"], om["id"],
                                                         om["id"]),
                      "put back (viper.method_id) = %d, and add a new method with a new id "
                      "instead" % om["id"])
            continue
        same_types = nm is not None and (nm["request"], nm["reply"]) == (om["request"], om["reply"])
        if nm is None or (nm["name"] != name and not same_types):
            out.error("method-removed", (("service",),),
                      "method %s (id %d) of interface %s is gone%s: peers built from the record "
                      "still call it" % (name, om["id"], out.name,
                                         ", and its id is now method %s's" % nm["name"]
                                         if nm else ""),
                      "keep method %s with (viper.method_id) = %d (a provider may fail it with "
                      "an error) and give new methods new ids" % (name, om["id"]))
            continue
        if nm["name"] != name:
            out.note("method %s renamed %s" % (name, nm["name"]))
        for role in ("request", "reply"):
            if nm[role] != om[role]:
                out.error("method-type-changed", (("method", nm["name"]),),
                          "the %s of method %s is %s, but its record has %s" %
                          (role, nm["name"], nm[role], om[role]),
                          "keep %s as its %s (add fields to it), or add a new method for %s" %
                          (om[role], role, nm[role]))
    old_ids = {m["id"] for m in old.values()}
    for number, nm in sorted(by_id.items()):
        if number not in old_ids:
            out.note("method %s (id %d) added" % (nm["name"], number))


def _handle_kind(field):
    """What a field carries besides data: nothing, a handle, a session or a lease."""
    if field.get("session"):
        return "a session of interface %s" % field["session"]
    if field.get("lease"):
        return "a %s lease" % field["lease"]
    return "a handle field" if field["handle"] else "plain data"


def _field_problems(message, of, nf, out):
    """The breaks between field `of` of the record and `nf` now, as (code,
    message, instead); the compatible differences go to `out` as notes."""
    name, problems = nf["name"], []
    if _type_text(of) != _type_text(nf):
        if (of["type"], nf["type"]) in _WIDENINGS:
            out.note("field %s.%s widened from %s to %s" % (message, name, of["type"],
                                                            nf["type"]))
        else:
            problems.append(("field-retyped", "field '%s' of message %s is %s, but its record "
                             "has %s" % (name, message, _type_text(nf), _type_text(of)),
                             "keep it %s, and add a new field of the new type" %
                             _type_text(of)))
    if of["label"] != nf["label"]:
        problems.append(("field-label-changed", "field '%s' of message %s is %s, but its "
                         "record has it %s" % (name, message, nf["label"], of["label"]),
                         "keep it %s, and add a new field for the new shape" % of["label"]))
    for bound in ("max_bytes", "max_count"):
        old_bound, new_bound = of.get(bound), nf.get(bound)
        if old_bound is None or new_bound is None or new_bound == old_bound:
            continue
        if new_bound > old_bound:
            out.note("%s of field %s.%s raised from %d to %d" % (bound, message, name,
                                                                  old_bound, new_bound))
            continue
        problems.append(("field-bound-lowered", "field '%s' of message %s has %s %d, lower "
                         "than its record's %d: peers built from the record may send %d" %
                         (name, message, bound, new_bound, old_bound, old_bound),
                         "keep (nanopb).%s = %d or more" % (_NANOPB_BOUND[bound, nf["type"]]
                                                            if (bound, nf["type"]) in _NANOPB_BOUND
                                                            else "max_count", old_bound)))
    if _handle_kind(of) != _handle_kind(nf):
        problems.append(("field-handle-changed", "field '%s' of message %s is %s, but %s in its "
                         "record" % (name, message, _handle_kind(nf), _handle_kind(of)),
                         "keep it %s, and add a new field for the other kind" %
                         _handle_kind(of)))
    return problems


def _reserved(message, number):
    return any(first <= number <= last for first, last in message["reserved"])


def _compare_removed_field(message, name, of, new_msg, out):
    where = (("message", message),)
    if name in new_msg["fields"]:
        number = new_msg["fields"][name]["number"]
        out.error("field-renumbered", (("field", message, name),),
                  "field '%s' of message %s has number %d, but its record has %d: peers built "
                  "from the record send and expect it as %d" %
                  (name, message, number, of["number"], of["number"]),
                  "put back '%s = %d', and add a new field with a new number instead" %
                  (name, of["number"]))
    elif _reserved(new_msg, of["number"]):
        out.note("field %s.%s removed, its number %d reserved" % (message, name, of["number"]))
    else:
        out.note("field %s.%s removed" % (message, name))
        out.warning("field-removed", where,
                    "field '%s' (number %d) of message %s is gone, but its number is not "
                    "reserved: a new field could take it, and peers built from the record "
                    "would misread it" % (name, of["number"], message),
                    "reserve it in message %s: reserved %d; reserved \"%s\";" %
                    (message.split(".")[-1], of["number"], name))


def _layout(msg):
    """What fixes the C struct of a ring descriptor, or None for another message."""
    if not msg.get("ring_entry"):
        return None
    types = {n: (f["type"], f.get("type_name")) for n, f in msg["fields"].items()}
    return msg["order"], types


def _compare_ring_entry(message, old_msg, new_msg, out):
    """A ring descriptor's struct travels as is: any change to it breaks a peer.
    True when one was reported."""
    old_layout = _layout(old_msg)
    new_layout = _layout(new_msg) if new_msg is not None else None
    if old_layout is None or old_layout == new_layout:
        return False  # a message that becomes a ring descriptor keeps its wire form
    if new_layout is None:
        now = "is gone" if new_msg is None else "is no longer a (viper.ring_entry)"
    else:
        now = "has fields %s" % ", ".join("%s %s" % (new_layout[1][n][0], n)
                                          for n in new_layout[0])
    was = ", ".join("%s %s" % (old_layout[1][n][0], n) for n in old_layout[0])
    where = (("message", message),) if new_msg else (("service",),)
    out.error("ring-entry-changed", where,
              "ring descriptor %s %s, but its record has %s: its C struct travels as is in "
              "shared-memory rings, so peers built from the record would misread it" %
              (message, now, was),
              "keep %s as it is, and add a new (viper.ring_entry) message for the new layout" %
              message)
    return True


def _compare_fields(message, old_msg, new_msg, out):
    new_by_number = {f["number"]: dict(f, name=n) for n, f in new_msg["fields"].items()}
    old_numbers = {f["number"] for f in old_msg["fields"].values()}
    for name, of in sorted(old_msg["fields"].items(), key=lambda item: item[1]["number"]):
        nf = new_by_number.get(of["number"])
        if nf is None:
            _compare_removed_field(message, name, of, new_msg, out)
            continue
        problems = _field_problems(message, of, nf, out)
        where = (("field", message, nf["name"]),)
        if nf["name"] != name and problems:
            out.error("field-number-reused", where,
                      "field number %d of message %s, field '%s' (%s) in its record, is now "
                      "field '%s' (%s)" % (of["number"], message, name, _type_text(of),
                                           nf["name"], _type_text(nf)),
                      "give '%s' an unused number, and reserve %d ('reserved %d;')" %
                      (nf["name"], of["number"], of["number"]))
            continue
        for code, text, instead in problems:
            out.error(code, where, text, instead)
        if nf["name"] != name:
            out.note("field %s.%s renamed %s" % (message, name, nf["name"]))
    for number, nf in sorted(new_by_number.items()):
        if number in old_numbers:
            continue
        if _reserved(old_msg, number):
            out.error("field-number-reused", (("field", message, nf["name"]),),
                      "field '%s' of message %s takes number %d, which its record reserves "
                      "(a field removed before used it)" % (nf["name"], message, number),
                      "give '%s' a number neither used nor reserved, and keep %d reserved" %
                      (nf["name"], number))
        else:
            out.note("field %s.%s (number %d) added" % (message, nf["name"], number))


def _compare_enums(old, new, out):
    for enum, values in sorted(old.items()):
        now = new.get(enum)
        if now is None:
            continue  # no longer used: a field's type changed, reported there
        for name, number in sorted(values.items()):
            if name in now and now[name] != number:
                out.error("enum-value-renumbered", (("value", enum, name),),
                          "value %s of enum %s is %d, but its record has %d: peers built from "
                          "the record send %d for it" % (name, enum, now[name], number, number),
                          "put back %s = %d, and add new values with new numbers" %
                          (name, number))
        for name in sorted(set(now) - set(values)):
            out.note("value %s.%s added" % (enum, name))


def compare(old, snap, record_path):
    """The Changes from record `old` to the interface of Snapshot `snap`."""
    new = snap.record
    out = _Changes(snap.name, record_path)
    _compare_top(old, new, out)
    _compare_methods(old["methods"], new["methods"], out)
    for message, old_msg in sorted(old["messages"].items()):
        new_msg = new["messages"].get(message)
        if _compare_ring_entry(message, old_msg, new_msg, out) or new_msg is None:
            continue
        _compare_fields(message, old_msg, new_msg, out)
    _compare_enums(old["enums"], new["enums"], out)
    return out.items


def _stale_summary(changes):
    notes = [c.message for c in changes if c.severity == "note"]
    if not notes:
        return "differs in details"
    shown = ", ".join(notes[:_SUMMARY_NOTES])
    if len(notes) > _SUMMARY_NOTES:
        shown += " and %d more" % (len(notes) - _SUMMARY_NOTES)
    return "has compatible changes: " + shown


def check(snap, record_path, diags):
    """Reports the changes of `snap` from its record at `record_path`."""
    update = "`%s -- %s`" % (UPDATE_COMMAND, snap.name)
    try:
        old = interface_record.read(record_path, snap.name)
    except interface_record.Missing:
        diags.error(*snap.line(("service",)), "interface-record-missing",
                    "interface %s has no record %s, so no change to it can be checked" %
                    (snap.name, record_path),
                    "record it deliberately with %s and commit %s" % (update, record_path))
        return
    except interface_record.Invalid as e:
        diags.error(record_path, e.line, "interface-record-invalid",
                    "the record of interface %s cannot be used: %s" % (snap.name, e.problem),
                    "restore it (git checkout %s), or rewrite it with %s" %
                    (record_path, update))
        return
    changes = compare(old, snap, record_path)
    for c in changes:
        if c.severity == "error":
            diags.error(*snap.line(*c.where), c.code, c.message, c.fix)
        elif c.severity == "warning":
            diags.warning(*snap.line(*c.where), c.code, c.message, c.fix)
    if old != snap.record and not any(c.severity == "error" for c in changes):
        diags.warning(*snap.line(("service",)), "interface-record-stale",
                      "the record %s is behind %s, which %s" %
                      (record_path, snap.file, _stale_summary(changes)),
                      "record it with %s and commit %s, so that later changes are checked "
                      "against these too" % (update, record_path))


def _count(n, noun):
    return "%d %s%s" % (n, noun, "" if n == 1 else "s")


def update(snap, record_path, out):
    """Writes the record of `snap` to `record_path`; says on `out` what changed."""
    try:
        old = interface_record.read(record_path, snap.name)
        changes = compare(old, snap, record_path)
    except interface_record.Missing:
        old, changes = None, []
    except interface_record.Invalid as e:
        old, changes = None, [Change("info", "", (), "replaces a record that could not be "
                                     "used: %s" % e.problem)]
    if old == snap.record:
        out.write("%s: %s unchanged\n" % (record_path, snap.name))
        return
    os.makedirs(os.path.dirname(record_path) or ".", exist_ok=True)
    with open(record_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(interface_record.record_text(snap.record))
    new = snap.record
    out.write("%s: %s %s (id %d, %s, %s)\n" %
              (record_path, snap.name, "recorded" if old is None else "rewritten", new["id"],
               _count(len(new["methods"]), "method"), _count(len(new["messages"]), "message")))
    for c in changes:
        kind = {"error": "breaks peers of the old record", "warning": "warning",
                "info": "note"}.get(c.severity, "compatible")
        out.write("  %s: %s\n" % (kind, c.message))


def add_arguments(parser):
    """generate.py's --record and --update-record."""
    parser.add_argument("--record", metavar="JSON",
                        help="check the interface against its committed record")
    parser.add_argument("--update-record", metavar="JSON",
                        help="write the interface's record (after every other check passed)")


def run(gen, ifaces, args, diags, out):
    """--record or --update-record for the one interface of the run, once the
    generator's own checks have passed."""
    if not (args.record or args.update_record) or diags.has_errors():
        return
    if len(ifaces) != 1:
        raise SystemExit("generate.py: --record and --update-record take one .proto")
    snap = interface_record.snapshot(gen, ifaces[0])
    if args.update_record:
        update(snap, args.update_record, out)
    else:
        check(snap, args.record, diags)
