"""Descriptions that include another (overlays), merged into one.

A System description may start from another one with
`include: "PATH"`, a path from the repository root, and then change it.
load() reads the chain of includes, top file first, and lays each file on
the one it includes:

  - a scalar field (name, board, supervisor_log; an instance's component,
    process, system; a process's priority, ends_system) replaces the
    included one;
  - a block (an instance's sessions, a process's restart and quota) merges
    field by field;
  - repeated blocks merge by their key: instance and process by name, bind
    by slot, device by need, memory by name. A block whose key is new is
    added.

An instance block of an overlay without `component` changes an included
instance; when there is none of its name, that is `unknown-override`.
Every field keeps the file and line it was written at, so each diagnostic
names the file that holds the problem. Includes are confined to the
repository (`bad-path`), must exist (`include-missing`), form no cycle
(`include-cycle`) and nest at most MAX_INCLUDE_DEPTH deep
(`include-depth`) and, when the build says which files it declares, be
one of them (`include-undeclared`); an overlay names a system of its own
(`overlay-name`);
one file changes an included instance or process block once
(`override-conflict`). docs/system-description.md, "Overlays", is the
reference.
"""

import os

import diagnostics
import textproto

MAX_INCLUDE_DEPTH = 8  # included files below the one being assembled
# Repeated blocks that merge by a key field, and that key.
MERGE_KEYS = {"instance": "name", "process": "name", "bind": "slot", "device": "need",
              "memory": "name"}
_INCLUDE_FIX = ("write it from the repository root, e.g. "
                'include: "system/qemu_virt/microkernel.textproto"')


def path_problem(path):
    """Why `path`, written in a description, does not stay in the
    repository (absolute, a '..' that leads out, a NUL), or None."""
    if "\0" in path:
        return "holds a NUL character"
    if os.path.isabs(path):
        return "is absolute; paths in a description are relative to the repository root"
    if os.path.normpath(path).split(os.sep)[0] == os.pardir:
        return "leads out of the repository"
    return None


class Merged:
    """The merged description: its System message and the files of its
    chain, the one being assembled first."""

    def __init__(self, msg, files):
        self.msg = msg
        self.files = files

    def level(self, file):
        """0 for the file being assembled, 1 for the file it includes, ..."""
        return self.files.index(file) if file in self.files else len(self.files)


def load(path, descriptor, diags, declared=None):
    """The description at `path` with its includes merged, as a Merged, or
    None when a file of the chain could not be read or parsed. `declared`:
    the paths of the included files that the build declares as inputs of
    the action (None: any file may be included)."""
    declared = None if declared is None else {os.path.normpath(p) for p in declared}
    chain = _read_chain(path, descriptor, diags, declared)
    if chain is None:
        return None
    merged = chain[-1]
    for level in range(len(chain) - 2, -1, -1):
        over, included = chain[level], chain[level + 1].file
        _check_name(merged, over, included, diags)
        merged = _merge(merged, over, diags, included)
    merged.fields = [f for f in merged.fields if f.name != "include"]
    return Merged(merged, [m.file for m in chain])


def _read_chain(path, descriptor, diags, declared):
    """The parsed files of the include chain, the one at `path` first."""
    msg = textproto.parse_file(path, descriptor, diags)
    chain = []
    while msg is not None:
        chain.append(msg)
        inc = msg.field("include")
        if inc is None:
            return chain
        target = _include_target(chain, inc, diags, declared)
        if target is None:
            return None
        msg = textproto.parse_file(target, descriptor, diags)
    return None


def _include_target(chain, inc, diags, declared):
    """The path that field `inc` of the last file of `chain` includes, or
    None (with a diagnostic) when it cannot be read as part of the chain."""
    written = inc.value
    problem = path_problem(written)
    if problem is not None:
        diags.error(inc.file, inc.line, "bad-path",
                    "include path '%s' %s" % (written, problem), _INCLUDE_FIX)
        return None
    target = os.path.normpath(written)
    real = os.path.realpath(target)
    again = [i for i, m in enumerate(chain) if os.path.realpath(m.file) == real]
    if again:
        names = [m.file for m in chain[again[0]:]] + [target]
        diags.error(inc.file, inc.line, "include-cycle",
                    "the includes form a cycle: %s" % " -> ".join(names),
                    "remove one of these includes: a description cannot include itself")
        return None
    if len(chain) > MAX_INCLUDE_DEPTH:
        diags.error(inc.file, inc.line, "include-depth",
                    "includes nest more than %d deep: %s" %
                    (MAX_INCLUDE_DEPTH, " -> ".join([m.file for m in chain] + [target])),
                    "include the base description directly, not through a chain of "
                    "%d overlays" % len(chain))
        return None
    if declared is not None and target not in declared:
        diags.error(inc.file, inc.line, "include-undeclared",
                    "included description '%s' is not an input the build declares" % target,
                    'list it in the includes of the system rule, e.g. includes = ["%s"]: '
                    "the build only sees the files it declares" % os.path.basename(target))
        return None
    if not os.path.isfile(target):
        diags.error(inc.file, inc.line, "include-missing",
                    "included description '%s' does not exist" % target,
                    _missing_fix(target))
        return None
    return target


def _missing_fix(target):
    """Names the descriptions next to `target`, which may be the one meant."""
    folder = os.path.dirname(target)
    try:
        near = [os.path.join(folder, n) for n in os.listdir(folder or ".")
                if n.endswith(".textproto")]
    except OSError:
        near = []
    hint = diagnostics.closest(target, near)
    fix = "did you mean '%s'? " % hint[0] if hint else ""
    return fix + ("write the path from the repository root; in Bazel, list the file in the "
                  "system rule's includes")


def _check_name(base, over, included, diags):
    """An overlay names a system of its own."""
    base_name = base.get("name")
    if base_name is None:
        return
    if not over.has("name"):
        file, line = over.where("include")
        diags.error(file, line, "overlay-name",
                    "the overlay has no name of its own: it would be '%s', the name of the "
                    "system it includes (%s)" % (base_name, included),
                    'add name: "..." with the overlay\'s own name')
    elif over.get("name") == base_name:
        file, line = over.where("name")
        diags.error(file, line, "overlay-name",
                    "the overlay's name '%s' is the name of the system it includes (%s)" %
                    (base_name, included),
                    "give the overlay a name of its own: two systems with one name would "
                    "build one manifest.system")


def _copy(msg):
    out = textproto.Message(msg.descriptor, msg.file, msg.line)
    out.fields = list(msg.fields)
    out.replaced = list(msg.replaced)
    return out


def _merge(base, over, diags, included=None, key=None):
    """A new message: `base` with the fields of `over` laid on it.
    `included`: the file `over` includes, when they are whole Systems (whose
    instance and process blocks are overrides). `key`: the field that
    matched the two blocks, which keeps the place of `base`'s (where the
    block is defined)."""
    out = _copy(base)
    original = len(base.fields)
    changed = {}  # (field, key) -> the block of `over` that changed it
    for f in over.fields:
        if f.name == "include" or f.name == key:
            continue
        desc = out.descriptor.fields_by_name[f.name]
        if desc.label == desc.LABEL_REPEATED:
            _merge_repeated(out, original, f, changed, diags, included)
            continue
        i = _index(out, original, f.name)
        if i is None:
            out.fields.append(f)
        elif isinstance(f.value, textproto.Message):
            old = out.fields[i]
            out.fields[i] = textproto.Field(f.name, _merge(old.value, f.value, diags), old.line,
                                            old.file)
        else:
            out.replaced.append(out.fields[i])
            out.fields[i] = f
    return out


def _index(msg, original, name, key=None, value=None):
    """The index among msg's first `original` fields of field `name` (whose
    block has `key` equal to `value`, when a key is given), or None."""
    for i, f in enumerate(msg.fields[:original]):
        if f.name != name:
            continue
        if key is None or (isinstance(f.value, textproto.Message) and f.value.get(key) == value):
            return i
    return None


def _merge_repeated(out, original, f, changed, diags, included):
    key = MERGE_KEYS.get(f.name)
    block = f.value
    if key is None or not isinstance(block, textproto.Message) or not block.has(key):
        out.fields.append(f)  # the model reports a block without its key
        return
    value = block.get(key)
    i = _index(out, original, f.name, key, value)
    if i is None:
        if included and f.name == "instance" and not block.has("component"):
            _unknown_override(out, block, value, included, diags)
            return
        out.fields.append(f)
        return
    first = changed.get((f.name, value))
    if first is not None:
        if included:
            diags.error(block.file, block.line_of(key), "override-conflict",
                        "%s '%s' is already changed at line %d of this file: a file changes an "
                        "included %s once" % (f.name, value, first.line_of(key), f.name),
                        "merge the two %s blocks into one" % f.name)
        else:
            out.fields.append(f)  # the model reports the duplicate
        return
    changed[(f.name, value)] = block
    old = out.fields[i]
    out.fields[i] = textproto.Field(f.name, _merge(old.value, block, diags, key=key), old.line,
                                    old.file)


def _unknown_override(base, block, name, included, diags):
    known = [f.value.get("name") for f in base.all("instance")
             if isinstance(f.value, textproto.Message) and f.value.has("name")]
    near = diagnostics.closest(name, known)
    diags.error(block.file, block.line_of("name"), "unknown-override",
                "instance '%s' changes no instance of the description it includes (%s): a "
                "block without 'component' changes an included instance" % (name, included),
                ("did you mean %s? " % " or ".join("'%s'" % n for n in near) if near else "") +
                "to add a new instance, give it a component and a process")
