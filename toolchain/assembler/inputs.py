"""The component and interface descriptions (JSON) the assembler reads.

Component JSON is written by component() in //toolchain:component.bzl,
interface JSON by the interface generator (toolchain/interface.bzl); the
design contract (issue 4) fixes both formats.
"""

import json

# component(system = ...): the need for the system capability, and the
# description's grant (Instance.system) that each need allows at most.
SYSTEM_NEEDS = ("", "inspect", "control")


class DmaNeed:
    """A DMA need of component(dma = ...): a name, a size in bytes, contiguous or not.
    The size is as written (component() checks only its form): the assembler judges it."""

    def __init__(self, data):
        self.name = str(data["name"])
        self.bytes = data["bytes"]
        self.contiguous = data["contiguous"]
        if type(self.bytes) is not int or type(self.contiguous) is not bool:
            raise ValueError("dma need '%s' has bytes %r and contiguous %r, not an integer "
                             "and a boolean" % (self.name, self.bytes, self.contiguous))

    def kind(self):
        return "contiguous" if self.contiguous else "scatter-gather"


class ParamDecl:
    """A parameter of component(params = ...): a name, its default and its bounds."""

    def __init__(self, data):
        self.name = str(data["name"])
        self.default, self.min, self.max = data["default"], data["min"], data["max"]
        numbers = (self.default, self.min, self.max)
        if any(type(n) is not int or n < 0 or n >= 1 << 64 for n in numbers) or \
                not self.min <= self.default <= self.max:
            raise ValueError("param '%s' has default %r, min %r and max %r, not unsigned "
                             "integers with min <= default <= max" % ((self.name,) + numbers))


class Component:
    """A component's declaration: what it provides, its slots, devices and needs."""

    def __init__(self, path, data):
        self.path = path
        self.name = str(data["name"])
        self.label = str(data.get("label", ""))
        self.build_file = str(data.get("build_file", path))
        self.build_line = int(data.get("build_line", 1))  # of its component() call
        self.provides = [str(p) for p in data.get("provides", [])]
        # (slot name, interface name) in declaration order: the slot index
        self.slots = [(str(s["name"]), str(s["interface"])) for s in data.get("slots", [])]
        # (need name, board device kind) in declaration order
        self.devices = [(str(d["name"]), str(d["kind"])) for d in data.get("devices", [])]
        # DMA needs in declaration order: the index in env->dma
        self.dma = [DmaNeed(d) for d in data.get("dma", [])]
        # Parameters in declaration order: the index in env->params
        self.params = [ParamDecl(p) for p in data.get("params", [])]
        self.stack_kib = int(data.get("stack_kib", 8))
        self.heap_kib = int(data.get("heap_kib", 0))
        self.placements = [str(p) for p in data.get("placements", ["kernel", "process"])]
        self.active = bool(data.get("active", False))
        self.system = str(data.get("system", ""))
        if self.system not in SYSTEM_NEEDS:
            raise ValueError("system is '%s', not one of \"\", \"inspect\", \"control\"" %
                             self.system)
        # component(spawn = True): it starts processes, so it needs the spawn capability.
        self.spawn = data.get("spawn", False)
        if not isinstance(self.spawn, bool):
            raise ValueError("spawn is %r, not true or false" % (self.spawn,))
        self.data = data

    def slot_interface(self, slot):
        for name, iface in self.slots:
            if name == slot:
                return iface
        return None

    def slot_index(self, slot):
        for i, (name, _) in enumerate(self.slots):
            if name == slot:
                return i
        return -1

    def param(self, name):
        for p in self.params:
            if p.name == name:
                return p
        return None

    def dma_need(self, need):
        for d in self.dma:
            if d.name == need:
                return d
        return None

    def device_kind(self, need):
        for name, kind in self.devices:
            if name == need:
                return kind
        return None


class Method:
    def __init__(self, data):
        self.name = str(data["name"])
        self.id = int(data.get("id", 0))
        self.request_max = int(data.get("request_max", 0))
        self.reply_max = int(data.get("reply_max", 0))
        self.line = int(data.get("line", 1))
        self.deferrable = bool(data.get("deferrable", False))
        # Interfaces of the sessions its reply opens ((viper.session) fields).
        self.sessions = [str(x["interface"]) for x in data.get("sessions", [])]


class Interface:
    """An interface: its stable id, bulk buffer size and methods' worst-case sizes."""

    def __init__(self, path, data):
        self.path = path
        self.name = str(data["name"])
        self.id = int(data["id"])
        self.file = str(data.get("file", path))
        self.line = int(data.get("line", 1))
        self.bulk_bytes = int(data.get("bulk_bytes", 0))
        self.methods = [Method(m) for m in data.get("methods", [])]
        self.data = data

    def session_interfaces(self):
        """(method, interface name) of each session a method of this interface opens."""
        return [(m, s) for m in self.methods for s in m.sessions]


def _load(paths, kind, make, diags):
    found = {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            item = make(path, data)
        except OSError as e:
            diags.error(path, 1, "bad-input", "cannot read %s description %s: %s" %
                        (kind, path, e.strerror or e), "check the path")
            continue
        except json.JSONDecodeError as e:
            diags.error(path, e.lineno, "bad-input", "%s description %s is not valid JSON: %s" %
                        (kind, path, e.msg), "regenerate it with bazel build")
            continue
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as e:
            diags.error(path, 1, "bad-input", "%s description %s is malformed: %s %s" %
                        (kind, path, type(e).__name__, e), "regenerate it with bazel build")
            continue
        other = found.get(item.name)
        if other is not None and other.data != item.data:
            diags.error(path, 1, "duplicate-input",
                        "two different %s descriptions are named '%s' (%s and %s)" %
                        (kind, item.name, other.path, path),
                        "give one of them another name")
            continue
        found[item.name] = item
    return found


def load_components(paths, diags):
    """Reads component JSON files; returns {name: Component}."""
    return _load(paths, "component", Component, diags)


def load_interfaces(paths, diags):
    """Reads interface JSON files; returns {name: Interface}."""
    return _load(paths, "interface", Interface, diags)
