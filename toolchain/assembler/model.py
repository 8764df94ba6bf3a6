"""A system description resolved against its board, components and interfaces.

load() reads the description (merged with the descriptions it includes:
overlay.py) and the board file, resolves every instance,
binding and device grant, and reports every problem that can be seen from
the description alone (names, bindings, typed slots, devices, placement,
process settings, synchronous call cycles, priority inversion, message sizes,
interface ids). Grant counts and quotas need the layout: see layout.py.
"""

import os
import re

import diagnostics
import overlay
import textproto

KERNEL = "kernel"
ROOT = "root"  # the root task, which is no instance but may be a client
KERNEL_PRIORITY = 16  # the kernel runs above every process
DEFAULT_PRIORITY = 8
MAX_PRIORITY = 15
DEFAULT_QUOTA = {"memory_kib": 1024, "handles": 32, "threads": 4}
HANDLES_MAX = 256  # VIPER_HANDLES_MAX: the slots of a process's handle table
QUOTA_UNLIMITED = 0xFFFFFFFF  # VIPER_QUOTA_UNLIMITED: to the kernel, no limit at all
# Every thread component code runs on has a 16 KiB stack: kernel threads
# (KSTACK_SIZE) and the threads a process host starts (platform/user).
STACK_KIB_MAX = 16
RESTART_POLICIES = ("NEVER", "ON_FAILURE", "ALWAYS")
# Instance.system grants for component(system = ...) needs, and what each allows.
SYSTEM_GRANT_OF_NEED = {"inspect": "INSPECT", "control": "CONTROL"}
SYSTEM_ALLOWED = {"": (), "inspect": ("INSPECT",), "control": ("INSPECT", "CONTROL")}
MESSAGE_MAX_BYTES = 256  # VIPER_MSG_MAX_BYTES, the transport limit
NAME_MAX = 31  # manifest strings are max_size 32 with the terminating NUL
PAGE_BYTES = 4096
# GIC interrupt IDs a board device may use: the shared peripheral interrupts
# (0-15 are SGIs, 16-31 per-CPU PPIs, 1020-1023 special). Board.irq_max
# narrows the top to what the board's GIC implements.
SPI_FIRST = 32
SPI_LAST = 1019
ADDRESS_END = 1 << 64
# Device needs of a virtio kind name the device, not its slot: the root task
# (or the kernel) finds it at boot in a slot of kind VIRTIO_BUS_KIND by the
# device ID it reads there (virtio 1.1, 5: device types).
VIRTIO_BUS_KIND = "virtio-mmio"
VIRTIO_KINDS = {"virtio-net": 1, "virtio-blk": 2, "virtio-console": 3, "virtio-rng": 4,
                "virtio-gpu": 16, "virtio-input": 18}
# The kernel's limits on memory objects (docs/syscalls.md, memory_create).
DMA_CONTIGUOUS_MAX = 4 << 20  # one buddy block
MEMORY_OBJECT_MAX = 64 << 20
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")


class BoardDevice:
    def __init__(self, name, kind, base, size, irq, line):
        self.name = name
        self.kind = kind
        self.base = base
        self.size = size
        self.irq = irq
        self.line = line


class Board:
    def __init__(self, file, name, memory_kib):
        self.file = file
        self.name = name
        self.memory_kib = memory_kib
        self.irq_max = SPI_LAST
        self.devices = {}


class Binding:
    """Slot `slot` of instance `client` bound to instance `provider`, written
    at (file, line) `where`."""

    def __init__(self, client, slot, interface, provider, where):
        self.client = client
        self.slot = slot
        self.interface = interface
        self.provider = provider
        self.file, self.line = where

    def key(self):
        return (self.client.name, self.client.component.slot_index(self.slot), self.slot)

    def client_name(self):
        return "%s.%s" % (self.client.name, self.slot)


class RootClient:
    """The root task as a client: of the supervisor log (System.supervisor_log)."""

    name = ROOT
    process = ROOT
    component = None


class DeviceUse:
    """Board device `device` given to instance `instance` for need `need` of
    `kind`, at (file, line) `where`. For a virtio kind, virtio_id is its device ID: with `device` the
    slot is pinned (and checked at boot to hold such a device); with
    `device` None the device is found at boot in a free virtio-mmio slot."""

    def __init__(self, instance, need, kind, device, where, virtio_id=0):
        self.instance = instance
        self.need = need
        self.kind = kind
        self.device = device
        self.where = where
        self.line = where[1]
        self.virtio_id = virtio_id


class DmaUse:
    """DMA need `need` (an inputs.DmaNeed) of instance `instance`, granted at `line`."""

    def __init__(self, instance, need, line):
        self.instance = instance
        self.need = need
        self.line = line
        self.bad = False  # a size the kernel cannot make (reported as dma-size)

    def name(self):
        return "%s.%s" % (self.instance.name, self.need.name)

    def size(self):
        """Bytes, whole pages."""
        return -(-self.need.bytes // PAGE_BYTES) * PAGE_BYTES

    def cost(self):
        """Bytes the kernel charges: a contiguous region takes a power-of-two block."""
        size = self.size()
        if not self.need.contiguous:
            return size
        block = PAGE_BYTES
        while block < size:
            block *= 2
        return block


class Instance:
    def __init__(self, msg, name, component, process):
        self.msg = msg
        self.line = msg.line
        self.name = name
        self.component = component  # inputs.Component, or None if unknown
        self.process = process
        self.bindings = []  # Binding, in slot order once resolved
        self.devices = []  # DeviceUse, in the component's need order
        self.dma = []  # DmaUse, in the component's need order
        self.params = []  # the value of each of the component's params, in declaration order
        self.system = None  # "INSPECT" or "CONTROL" when granted the system capability
        self.spawn = False  # granted the spawn capability (it starts processes)
        self.sessions = None  # (max, per_client) when it may open sessions
        self.session_methods = []  # (interface, method, session interface) it serves


class Process:
    def __init__(self, name):
        self.name = name
        self.msg = None  # its process block, if any
        self.line = 0  # where to report problems of the whole process
        self.file = ""
        self.priority = KERNEL_PRIORITY if name == KERNEL else DEFAULT_PRIORITY
        self.restart = "NEVER"
        self.max_restarts = 0
        self.ends_system = False
        self.quota = dict(DEFAULT_QUOTA)
        self.memories = []  # (name, size bytes, line)
        self.instances = []  # Instance, sorted by name

    def is_kernel(self):
        return self.name == KERNEL

    def quota_where(self, key):
        """(file, line) of quota field `key` if written, else of the quota
        block, else of the process."""
        if self.msg is not None and self.msg.has("quota"):
            return self.msg.get("quota").where(key)
        return self.file, self.line


class System:
    def __init__(self, file, msg):
        self.file = file
        self.msg = msg
        self.name = ""
        self.board = None
        self.instances = {}
        self.processes = {}
        self.bindings = []
        self.supervisor_log = None  # Binding of the root task to a log provider
        self.level = lambda file: 0  # of a file in the include chain (overlay.Merged)
        self.components = {}
        self.interfaces = {}

    def process_order(self):
        """Processes in manifest order: the kernel first, then by name."""
        names = sorted(self.processes)
        if KERNEL in self.processes:
            names.remove(KERNEL)
            names.insert(0, KERNEL)
        return [self.processes[n] for n in names]

    def priority(self, instance):
        return self.processes[instance.process].priority


def _check_name(diags, where, what, name):
    """Whether `name`, written at (file, line) `where`, is an identifier of
    at most NAME_MAX characters."""
    if not _NAME.match(name):
        diags.error(*where, "bad-name",
                    "%s name '%s' is not an identifier" % (what, name),
                    "use letters, digits and '_', starting with a letter or '_'")
        return False
    if len(name) > NAME_MAX:
        diags.error(*where, "name-too-long",
                    "%s name '%s' has %d characters, more than %d" %
                    (what, name, len(name), NAME_MAX),
                    "use a shorter name")
        return False
    return True


def _at(where, here):
    """A reference to (file, line) `where` in a message about `here`, also a
    (file, line): "line N" in the same file, else "FILE:N"."""
    return "line %d" % where[1] if where[0] == here[0] else "%s:%d" % where


def _required(diags, msg, field, what):
    if not msg.has(field):
        diags.error(msg.file, msg.line, "missing-field", "%s has no '%s'" % (what, field),
                    "add '%s: ...'" % field)
        return False
    return True


def _load_board(path, pool, diags):
    msg = textproto.parse_file(path, pool.FindMessageTypeByName("viper.system.Board"), diags)
    if msg is None:
        return None
    _required(diags, msg, "name", "the board")
    _required(diags, msg, "memory_kib", "the board")
    board = Board(path, msg.get("name", ""), msg.get("memory_kib", 0))
    for d in msg.all("device"):
        dm = d.value
        ok = all([_required(diags, dm, f, "a board device") for f in ("name", "kind", "base", "size")])
        if not ok:
            continue
        name = dm.get("name")
        if name in board.devices:
            diags.error(path, dm.line, "duplicate-device",
                        "board device '%s' is already defined at line %d" %
                        (name, board.devices[name].line), "rename or remove one of them")
            continue
        if len(name) > NAME_MAX:
            diags.error(*dm.where("name"), "name-too-long",
                        "board device name '%s' has more than %d characters" % (name, NAME_MAX),
                        "use a shorter name")
        board.devices[name] = BoardDevice(name, dm.get("kind"), dm.get("base"), dm.get("size"),
                                          dm.get("irq", 0), dm.line)
    _check_board_irq_max(board, msg, diags)
    _check_device_regions(board, diags)
    _check_device_irqs(board, diags)
    return board


def _check_board_irq_max(board, msg, diags):
    if not msg.has("irq_max"):
        return
    irq_max = msg.get("irq_max")
    if not SPI_FIRST <= irq_max <= SPI_LAST:
        diags.error(board.file, msg.line_of("irq_max"), "irq-range",
                    "irq_max %d of board '%s' is outside the GIC's shared peripheral "
                    "interrupts, %d..%d" % (irq_max, board.name, SPI_FIRST, SPI_LAST),
                    "give the highest interrupt ID the board's GIC implements (QEMU virt: 287), "
                    "or leave irq_max out for %d" % SPI_LAST)
        return
    board.irq_max = irq_max


def _check_device_regions(board, diags):
    """Every MMIO region is non-empty, ends inside the address space and
    overlaps no other board device's."""
    regions = []
    for d in sorted(board.devices.values(), key=lambda d: d.line):
        if d.size == 0:
            diags.error(board.file, d.line, "device-size",
                        "board device '%s' has an MMIO region of size 0" % d.name,
                        "give its register block's size in bytes, e.g. size: 0x1000")
        elif d.base + d.size > ADDRESS_END:
            diags.error(board.file, d.line, "device-size",
                        "the MMIO region of board device '%s' (0x%x + 0x%x) runs past the end "
                        "of the 64-bit address space" % (d.name, d.base, d.size),
                        "check base and size")
        else:
            regions.append(d)
    for i, d in enumerate(regions):
        # Reported once, at the later device, naming the first it overlaps.
        earlier = [e for e in regions[:i] if e.base < d.base + d.size and d.base < e.base + e.size]
        if not earlier:
            continue
        first = earlier[0]
        others = " and %d other devices" % (len(earlier) - 1) if len(earlier) > 1 else ""
        diags.error(board.file, d.line, "device-overlap",
                    "the MMIO region of board device '%s' (0x%x..0x%x) overlaps that of '%s' "
                    "(0x%x..0x%x, line %d)%s" %
                    (d.name, d.base, d.base + d.size - 1, first.name, first.base,
                     first.base + first.size - 1, first.line, others),
                    "correct base or size: two devices never share registers")


def _check_device_irqs(board, diags):
    """Each IRQ is 0 (none) or an SPI the board has, and belongs to one device."""
    owner = {}
    for d in sorted(board.devices.values(), key=lambda d: d.line):
        if d.irq == 0:
            continue
        if not SPI_FIRST <= d.irq <= board.irq_max:
            diags.error(board.file, d.line, "irq-range",
                        "irq %d of board device '%s' is not a shared peripheral interrupt of "
                        "board '%s', which allows %d..%d (0 for none)" %
                        (d.irq, d.name, board.name, SPI_FIRST, board.irq_max),
                        "use the device's GIC interrupt ID (SPI n is %d + n), or irq: 0 if it "
                        "has none" % SPI_FIRST)
            continue
        first = owner.setdefault(d.irq, d)
        if first is not d:
            diags.error(board.file, d.line, "irq-shared",
                        "board devices '%s' (line %d) and '%s' both use IRQ %d" %
                        (first.name, first.line, d.name, d.irq),
                        "give each device its own interrupt: an IRQ line is granted to one "
                        "owner")


def _confined(msg, field, path, diags):
    """Whether `path`, written in the description's field `field`, stays in the
    repository: relative, with no '..' that leads out and no NUL."""
    problem = overlay.path_problem(path)
    if problem is None:
        return True
    diags.error(*msg.where(field), "bad-path", "%s path '%s' %s" % (field, path, problem),
                'write it from the repository root, e.g. %s: "system/qemu_virt/board.textproto"'
                % field)
    return False


def _board_path(system, msg, board_arg, diags):
    written = msg.get("board")
    if written and not _confined(msg, "board", written, diags):
        return board_arg or None
    if board_arg:
        if written and os.path.normpath(written) != os.path.normpath(board_arg):
            diags.error(*msg.where("board"), "board-mismatch",
                        "the description names board '%s' but the build gives '%s'" %
                        (written, board_arg),
                        "name the board the build uses, or remove 'board' from the description")
        return board_arg
    if written:
        return written
    diags.error(system.file, 1, "no-board", "no board file: the description has no 'board' "
                "and no --board was given",
                'add board: "system/<board>/board.textproto"')
    return None


def _load_processes(system, msg, diags):
    """The process blocks, by name."""
    blocks = {}
    for f in msg.all("process"):
        pm = f.value
        if not _required(diags, pm, "name", "a process block"):
            continue
        name = pm.get("name")
        if not _check_name(diags, pm.where("name"), "process", name):
            continue
        if name in blocks:
            diags.error(*pm.where("name"), "duplicate-process",
                        "process '%s' is already described at line %d" %
                        (name, blocks[name].line),
                        "merge the two process blocks")
            continue
        blocks[name] = pm
    return blocks


def _apply_block(proc, pm, diags):
    proc.msg = pm
    proc.file, proc.line = pm.where()
    if proc.is_kernel():
        restart = pm.get("restart")
        if restart is not None and (restart.get("policy", "NEVER") != "NEVER" or
                                    restart.get("max", 0) != 0):
            diags.error(*restart.where("policy"), "kernel-restart",
                        "process 'kernel' cannot be restarted: code linked into the kernel "
                        "fails with the kernel",
                        "remove the restart block, or move the instances that need restarts "
                        "into a process")
        for field in ("priority", "ends_system", "quota", "memory"):
            if pm.has(field):
                diags.error(*pm.where(field), "kernel-process",
                            "process 'kernel' does not take '%s': the kernel runs at priority "
                            "%d with no quota" % (field, KERNEL_PRIORITY),
                            "remove '%s' from the kernel's process block" % field)
        return
    if pm.has("priority"):
        prio = pm.get("priority")
        if prio > MAX_PRIORITY:
            diags.error(*pm.where("priority"), "priority-range",
                        "priority %d of process '%s' is above the highest, %d" %
                        (prio, proc.name, MAX_PRIORITY),
                        "use a priority from 0 to %d" % MAX_PRIORITY)
        else:
            proc.priority = prio
    restart = pm.get("restart")
    if restart is not None:
        proc.restart = restart.get("policy", "NEVER")
        proc.max_restarts = restart.get("max", 0)
        if proc.restart == "NEVER" and proc.max_restarts:
            # The limit would be dropped without a word: policy NEVER restarts nothing.
            diags.error(*restart.where("max"), "restart-max",
                        "process '%s' has a restart limit (max: %d), but its policy NEVER "
                        "never restarts it" % (proc.name, proc.max_restarts),
                        "add policy: ON_FAILURE or policy: ALWAYS, or remove max")
    proc.ends_system = pm.get("ends_system", False)
    quota = pm.get("quota")
    if quota is not None:
        for key in DEFAULT_QUOTA:
            if quota.get(key, 0) and _quota_in_range(proc, quota, key, diags):
                proc.quota[key] = quota.get(key)
    seen = {}
    for mf in pm.all("memory"):
        mm = mf.value
        if not (_required(diags, mm, "name", "a memory block") and
                _required(diags, mm, "size", "a memory block")):
            continue
        name, size = mm.get("name"), mm.get("size")
        if not _check_name(diags, mm.where("name"), "memory", name):
            continue
        if len("%s.%s" % (proc.name, name)) > NAME_MAX:
            diags.error(*mm.where("name"), "name-too-long",
                        "memory name '%s.%s' has more than %d characters" %
                        (proc.name, name, NAME_MAX), "use a shorter memory or process name")
        if name in seen:
            diags.error(*mm.where("name"), "duplicate-memory",
                        "process '%s' already has a memory '%s' (line %d)" %
                        (proc.name, name, seen[name]), "rename or remove one of them")
            continue
        seen[name] = mm.line_of("name")
        if size == 0 or size % PAGE_BYTES:
            diags.error(*mm.where("size"), "memory-size",
                        "memory '%s' of process '%s' has size %d, not a positive multiple of "
                        "%d" % (name, proc.name, size, PAGE_BYTES),
                        "use size: %d" % max(PAGE_BYTES, -(-size // PAGE_BYTES) * PAGE_BYTES))
            continue
        proc.memories.append((name, size, mm.line_of("name")))
    proc.memories.sort()


def _quota_in_range(proc, quota, key, diags):
    """Whether quota field `key` is a limit the kernel can enforce as meant."""
    value = quota.get(key)
    if key == "handles" and value > HANDLES_MAX:
        diags.error(*quota.where(key), "quota-range",
                    "handle quota %d of process '%s' is more than the %d slots of a handle table"
                    % (value, proc.name, HANDLES_MAX),
                    "use handles: %d or less (the process would not start: E_LIMIT)" %
                    HANDLES_MAX)
        return False
    if value >= QUOTA_UNLIMITED:
        diags.error(*quota.where(key), "quota-range",
                    "%s %d of process '%s' is VIPER_QUOTA_UNLIMITED, which the kernel takes for "
                    "no limit at all" % (key, value, proc.name),
                    "give the real limit, or leave %s out for the default, %d" %
                    (key, DEFAULT_QUOTA[key]))
        return False
    return True


def _check_component_sizes(system, diags):
    """The stack and heap each used component declares in its component().
    A size reported here is counted as 0 from then on, so that the quotas do
    not report the same mistake again."""
    board_kib = system.board.memory_kib if system.board is not None else None
    used = {i.component.name: i.component for i in system.instances.values() if i.component}
    for comp in (used[n] for n in sorted(used)):
        where = (comp.build_file, comp.build_line)
        fix_in = "in the component() of %s" % comp.build_file
        if comp.stack_kib < 1:
            diags.error(*where, "component-size",
                        "component '%s' declares stack_kib = %d; its code needs a stack of at "
                        "least 1 KiB" % (comp.name, comp.stack_kib),
                        "declare the stack it needs, e.g. stack_kib = 8, %s" % fix_in)
            comp.stack_kib = 0
        elif comp.stack_kib > STACK_KIB_MAX:
            diags.error(*where, "component-size",
                        "component '%s' declares stack_kib = %d, more than the %d KiB stack of "
                        "every thread it can run on (kernel threads and process threads alike)" %
                        (comp.name, comp.stack_kib, STACK_KIB_MAX),
                        "use at most stack_kib = %d %s: keep large buffers in the component's "
                        "state or its heap (heap_kib)" % (STACK_KIB_MAX, fix_in))
            comp.stack_kib = 0
        if comp.heap_kib < 0:
            diags.error(*where, "component-size",
                        "component '%s' declares heap_kib = %d, less than 0" %
                        (comp.name, comp.heap_kib),
                        "declare heap_kib = 0 or the KiB it allocates %s" % fix_in)
            comp.heap_kib = 0
        elif board_kib is not None and comp.heap_kib > board_kib:
            diags.error(*where, "component-size",
                        "component '%s' declares heap_kib = %d, more than the %d KiB of board "
                        "'%s'" % (comp.name, comp.heap_kib, board_kib, system.board.name),
                        "declare the heap it really needs %s" % fix_in)
            comp.heap_kib = 0


def _load_instances(system, msg, diags):
    first_line = {}
    for f in msg.all("instance"):
        im = f.value
        ok = all([_required(diags, im, k, "an instance") for k in ("name", "component", "process")])
        if not ok:
            continue
        name = im.get("name")
        if not _check_name(diags, im.where("name"), "instance", name):
            continue
        if name in first_line:
            diags.error(*im.where("name"), "duplicate-instance",
                        "instance '%s' is already defined at line %d" % (name, first_line[name]),
                        "rename one of them: instance names are unique in a system")
            continue
        first_line[name] = im.line_of("name")
        cname = im.get("component")
        component = system.components.get(cname)
        if component is None:
            diags.error(*im.where("component"), "unknown-component",
                        "instance '%s' uses unknown component '%s'" % (name, cname),
                        diagnostics.did_you_mean(cname, system.components, "a known component") or
                        "add the component to the system's components in its BUILD rule")
        pname = im.get("process")
        if not _check_name(diags, im.where("process"), "process", pname):
            continue
        system.instances[name] = Instance(im, name, component, pname)


def _check_placement(system, inst, diags):
    comp = inst.component
    where = inst.msg.where("process")
    if inst.process == KERNEL and "kernel" not in comp.placements:
        diags.error(*where, "placement",
                    "component '%s' (instance '%s') cannot be linked into the kernel: its "
                    "placements are %s" % (comp.name, inst.name, ", ".join(comp.placements) or
                                           "empty"),
                    'place it in a process (process: "%s"), or add "kernel" to placements in %s'
                    % (inst.name, comp.build_file))
    if inst.process != KERNEL and "process" not in comp.placements:
        diags.error(*where, "placement",
                    "component '%s' (instance '%s') cannot run in a process: its placements "
                    "are %s" % (comp.name, inst.name, ", ".join(comp.placements) or "empty"),
                    'link it into the kernel (process: "kernel"), or add "process" to '
                    "placements in %s" % comp.build_file)


def _check_interfaces(system, inst, diags):
    comp = inst.component
    used = list(comp.provides) + [iface for _, iface in comp.slots]
    reported = set()
    for iface in used:
        if iface in system.interfaces or iface in reported:
            continue
        reported.add(iface)
        diags.error(*inst.msg.where("component"), "unknown-interface",
                    "component '%s' (instance '%s') uses interface '%s', which no interface "
                    "description defines" % (comp.name, inst.name, iface),
                    (diagnostics.did_you_mean(iface, system.interfaces, "a known interface") +
                     "; " if system.interfaces else "") +
                    "declare it with viper_interface() and list it in %s" % comp.build_file)


def _providers(system, iface):
    return sorted(i.name for i in system.instances.values()
                  if i.component is not None and iface in i.component.provides)


def _components_providing(system, iface):
    return sorted(c.name for c in system.components.values() if iface in c.provides)


def _candidates_fix(system, slot, iface):
    candidates = _providers(system, iface)
    if candidates:
        return "bind '%s' to an instance providing %s: %s" % (slot, iface, ", ".join(candidates))
    comps = _components_providing(system, iface)
    if comps:
        return "no instance provides %s: add an instance of %s" % (iface, " or ".join(comps))
    return "no instance or component provides %s" % iface


def _resolve_bindings(system, inst, diags):
    comp = inst.component
    bound = {}
    for bf in inst.msg.all("bind"):
        bm = bf.value
        if not (_required(diags, bm, "slot", "a bind block") and
                _required(diags, bm, "to", "a bind block")):
            continue
        slot, to = bm.get("slot"), bm.get("to")
        where = bm.where("slot")
        iface = comp.slot_interface(slot)
        if iface is None:
            diags.error(*where, "unknown-slot",
                        "component '%s' (instance '%s') has no slot '%s'" %
                        (comp.name, inst.name, slot),
                        diagnostics.did_you_mean(slot, [s for s, _ in comp.slots],
                                                 "one of its slots") or
                        "remove this bind: the component has no slots")
            continue
        if slot in bound:
            diags.error(*where, "duplicate-bind",
                        "slot '%s' of instance '%s' is already bound at %s" %
                        (slot, inst.name, _at(bound[slot], where)),
                        "keep one bind for '%s'" % slot)
            continue
        bound[slot] = where
        to_where = bm.where("to")
        target, _, want_iface = to.partition(".")
        provider = system.instances.get(target)
        if provider is None:
            near = diagnostics.closest(target, system.instances)
            fix = ("did you mean %s? " % " or ".join("'%s'" % n for n in near) if near else "")
            diags.error(*to_where, "unknown-instance",
                        "slot '%s' of instance '%s' is bound to unknown instance '%s'" %
                        (slot, inst.name, target),
                        fix + _candidates_fix(system, slot, iface))
            continue
        if provider.component is None:
            continue  # reported as unknown-component
        if want_iface and want_iface != iface:
            diags.error(*to_where, "slot-type",
                        "slot '%s' of instance '%s' needs interface %s, but is bound to %s "
                        "of '%s'" % (slot, inst.name, iface, want_iface, target),
                        _candidates_fix(system, slot, iface))
            continue
        if iface not in provider.component.provides:
            provided = ", ".join(provider.component.provides) or "nothing"
            diags.error(*to_where, "slot-type",
                        "slot '%s' of instance '%s' is bound to '%s', which provides %s, not %s"
                        % (slot, inst.name, target, provided, iface),
                        _candidates_fix(system, slot, iface))
            continue
        if len("%s.%s" % (inst.name, slot)) > NAME_MAX:
            diags.error(*where, "name-too-long",
                        "channel client name '%s.%s' has more than %d characters" %
                        (inst.name, slot, NAME_MAX), "use a shorter instance or slot name")
        inst.bindings.append(Binding(inst, slot, iface, provider, where))
    for slot, iface in comp.slots:
        if slot not in bound:
            candidates = _providers(system, iface)
            fix = ('add bind { slot: "%s" to: "%s" }' % (slot, candidates[0]) if candidates
                   else _candidates_fix(system, slot, iface))
            if len(candidates) > 1:
                fix += " (instances providing %s: %s)" % (iface, ", ".join(candidates))
            diags.error(*inst.msg.where("name"), "unbound-slot",
                        "slot '%s' (%s) of instance '%s' is not bound" % (slot, iface, inst.name),
                        fix)
    inst.bindings.sort(key=Binding.key)


def _natural_key(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def _device_list(names):
    """Board device names for a fix, in natural order, long lists shortened."""
    names = sorted(names, key=_natural_key)
    if len(names) <= 6:
        return ", ".join(names)
    return "%s, ..., %s (%d in all)" % (", ".join(names[:3]), names[-1], len(names))


def _device_pinned(system, inst, dm, need, kind, virtio_id, diags):
    """The board device a device block names for `need`, checked against its
    kind (a virtio kind sits in a virtio-mmio slot), or None after saying why."""
    board, comp = system.board, inst.component
    dev_name = dm.get("board")
    slot_kind = VIRTIO_BUS_KIND if virtio_id else kind
    device = board.devices.get(dev_name)
    same_kind = [d.name for d in board.devices.values() if d.kind == slot_kind]
    if device is None:
        near = diagnostics.closest(dev_name, board.devices)
        diags.error(*dm.where("board"), "unknown-device",
                    "board '%s' has no device '%s'" % (board.name, dev_name),
                    ("did you mean %s? " % " or ".join("'%s'" % n for n in near) if near
                     else "") +
                    ("%s devices on this board: %s" % (slot_kind, _device_list(same_kind))
                     if same_kind else "the board has no %s device" % slot_kind))
        return None
    if device.kind != slot_kind:
        wants = ("a %s, which sits in a %s slot" % (kind, VIRTIO_BUS_KIND) if virtio_id
                 else "a %s" % kind)
        fix = ("use a %s device: %s" % (slot_kind, _device_list(same_kind)) if same_kind
               else "the board has no %s device" % slot_kind)
        if virtio_id and same_kind:
            fix = "leave out board to find a %s at boot, or %s" % (kind, fix)
        diags.error(*dm.where("board"), "device-kind",
                    "board device '%s' is a %s, but need '%s' of component '%s' wants %s"
                    % (dev_name, device.kind, need, comp.name, wants), fix)
        return None
    return device


def _device_use(system, inst, dm, need, kind, diags):
    """The DeviceUse of a checked device block, or None after saying why."""
    board, comp = system.board, inst.component
    virtio_id = VIRTIO_KINDS.get(kind, 0)
    if dm.has("board"):
        device = _device_pinned(system, inst, dm, need, kind, virtio_id, diags)
        return DeviceUse(inst, need, kind, device, dm.where("board"), virtio_id) \
            if device else None
    if not virtio_id:
        same_kind = sorted((d.name for d in board.devices.values() if d.kind == kind),
                           key=_natural_key)
        diags.error(*dm.where(), "missing-field",
                    "a device block for need '%s' (%s) has no 'board': only virtio devices "
                    "(%s) are found at boot" % (need, kind, ", ".join(sorted(VIRTIO_KINDS))),
                    'add board: "%s"' % same_kind[0] if same_kind else
                    "add board: the board has no %s device" % kind)
        return None
    if not any(d.kind == VIRTIO_BUS_KIND for d in board.devices.values()):
        diags.error(*dm.where("need"), "device-kind",
                    "need '%s' of component '%s' wants a %s, but board '%s' has no %s slot "
                    "to find one in" % (need, comp.name, kind, board.name, VIRTIO_BUS_KIND),
                    "use a board with virtio-mmio slots, or another component")
        return None
    return DeviceUse(inst, need, kind, None, dm.where("need"), virtio_id)


def _resolve_devices(system, inst, diags):
    comp = inst.component
    board = system.board
    given = {}
    for df in inst.msg.all("device"):
        dm = df.value
        if not _required(diags, dm, "need", "a device block"):
            continue
        need = dm.get("need")
        kind = comp.device_kind(need)
        if kind is None:
            diags.error(*dm.where("need"), "unknown-device-need",
                        "component '%s' (instance '%s') has no device need '%s'" %
                        (comp.name, inst.name, need),
                        diagnostics.did_you_mean(need, [n for n, _ in comp.devices],
                                                 "one of its needs") or
                        "remove this device block: the component needs no device")
            continue
        if need in given:
            diags.error(*dm.where("need"), "duplicate-need",
                        "device need '%s' of instance '%s' is already granted at %s" %
                        (need, inst.name, _at(given[need].where, dm.where("need"))),
                        "keep one device block for '%s'" % need)
            continue
        if board is None:
            continue
        use = _device_use(system, inst, dm, need, kind, diags)
        if use is not None:
            given[need] = use
    for need, kind in comp.devices:
        if need in given:
            inst.devices.append(given[need])
        elif not any(dm.value.get("need") == need for dm in inst.msg.all("device")):
            same_kind = sorted((d.name for d in board.devices.values() if d.kind == kind),
                               key=_natural_key) if board else []
            if kind in VIRTIO_KINDS:
                fix = 'add device { need: "%s" } (a %s is found at boot)' % (need, kind)
            elif same_kind:
                fix = 'add device { need: "%s" board: "%s" }' % (need, same_kind[0])
            else:
                fix = "the board has no %s device" % kind
            diags.error(*inst.msg.where("name"), "device-missing",
                        "device need '%s' (%s) of instance '%s' is not granted" %
                        (need, kind, inst.name), fix)


def _dma_size_problem(need):
    """What is wrong with the size of DMA need `need`, or None."""
    if need.bytes <= 0:
        return "%d bytes: a DMA region needs at least one page" % need.bytes
    if need.contiguous and need.bytes > DMA_CONTIGUOUS_MAX:
        return ("%d bytes contiguous, more than the kernel's largest contiguous block of %d "
                "(4 MiB)" % (need.bytes, DMA_CONTIGUOUS_MAX))
    if need.bytes > MEMORY_OBJECT_MAX:
        return ("%d bytes, more than the kernel's largest memory object of %d (64 MiB)" %
                (need.bytes, MEMORY_OBJECT_MAX))
    return None


def _dma_size_fix(need, comp):
    if need.bytes > 0 and need.contiguous and need.bytes <= MEMORY_OBJECT_MAX:
        return ('make it "scatter:%d" (pinned pages, for scatter-gather) or at most '
                '"contiguous:%d" in the dma of the component() in %s' %
                (need.bytes, DMA_CONTIGUOUS_MAX, comp.build_file))
    return ("give it a size from %d to %d bytes (%d contiguous) in the dma of the "
            "component() in %s" % (PAGE_BYTES, MEMORY_OBJECT_MAX, DMA_CONTIGUOUS_MAX,
                                   comp.build_file))


def _resolve_dma(system, inst, diags):
    """The instance's DMA grants against its component's DMA needs."""
    comp = inst.component
    given = {}
    for f in inst.msg.all("dma"):
        gm = f.value
        if not _required(diags, gm, "need", "a dma block"):
            continue
        name, where = gm.get("need"), gm.where("need")
        line = where[1]
        need = comp.dma_need(name)
        if need is None:
            diags.error(*where, "unknown-dma-need",
                        "component '%s' (instance '%s') has no DMA need '%s'" %
                        (comp.name, inst.name, name),
                        diagnostics.did_you_mean(name, [d.name for d in comp.dma],
                                                 "one of its DMA needs") or
                        "remove this dma block: the component needs no DMA region")
            continue
        if name in given:
            diags.error(*where, "duplicate-dma",
                        "DMA need '%s' of instance '%s' is already granted at line %d" %
                        (name, inst.name, given[name].line),
                        "keep one dma block for '%s'" % name)
            continue
        use = DmaUse(inst, need, line)
        given[name] = use
        problem = _dma_size_problem(need)
        if problem:
            use.bad = True  # reported here, left out of the layout and its quotas
            diags.error(*where, "dma-size",
                        "DMA need '%s' of component '%s' (instance '%s') asks for %s" %
                        (name, comp.name, inst.name, problem), _dma_size_fix(need, comp))
            continue
        if len(use.name()) > NAME_MAX:
            diags.error(*where, "name-too-long",
                        "DMA region name '%s' has more than %d characters" %
                        (use.name(), NAME_MAX), "use a shorter instance or DMA need name")
    for need in comp.dma:
        if need.name in given:
            if not given[need.name].bad:
                inst.dma.append(given[need.name])
        else:
            diags.error(*inst.msg.where("name"), "dma-missing",
                        "DMA need '%s' (%d bytes %s) of instance '%s' is not granted" %
                        (need.name, need.bytes, need.kind(), inst.name),
                        'add dma { need: "%s" } to instance \'%s\'' % (need.name, inst.name))


def _resolve_params(system, inst, diags):
    """The instance's param blocks against its component's params: each
    value within its bounds, the default for a param left out."""
    comp = inst.component
    given = {}
    for f in inst.msg.all("param"):
        pm = f.value
        if not _required(diags, pm, "name", "a param block") or \
                not _required(diags, pm, "value", "a param block"):
            continue
        name, where = pm.get("name"), pm.where("name")
        decl = comp.param(name)
        if decl is None:
            diags.error(*where, "unknown-param",
                        "component '%s' (instance '%s') has no param '%s'" %
                        (comp.name, inst.name, name),
                        diagnostics.did_you_mean(name, [p.name for p in comp.params],
                                                 "one of its params") or
                        "remove this param block: the component takes no params")
            continue
        if name in given:
            diags.error(*where, "duplicate-param",
                        "param '%s' of instance '%s' is already set at line %d" %
                        (name, inst.name, given[name][1]),
                        "keep one param block for '%s'" % name)
            continue
        value = pm.get("value")
        if not decl.min <= value <= decl.max:
            diags.error(*pm.where("value"), "param-range",
                        "param '%s' of instance '%s' is %d, outside the %d..%d that "
                        "component '%s' takes" % (name, inst.name, value, decl.min,
                                                  decl.max, comp.name),
                        "give a value from %d to %d (or leave it out for the default, %d)" %
                        (decl.min, decl.max, decl.default))
            continue
        given[name] = (value, where[1])
    inst.params = [given[p.name][0] if p.name in given else p.default for p in comp.params]


def _resolve_system(system, inst, diags):
    """The instance's grant of the system capability against its component's need."""
    comp = inst.component
    need = comp.system
    written = inst.msg.has("system")
    grant = inst.msg.get("system", "SYSTEM_NONE")
    where = inst.msg.where("system") if written else inst.msg.where("name")
    if grant == "SYSTEM_NONE":
        if need:
            want = SYSTEM_GRANT_OF_NEED[need]
            fix = ("use system: %s in" if written else "add system: %s to") % want
            if want == "CONTROL":
                fix += " instance '%s' (or system: INSPECT, to let it inspect but not stop " \
                       "processes)" % inst.name
            else:
                fix += " instance '%s'" % inst.name
            diags.error(*where, "system-missing",
                        "instance '%s' is not granted the system capability, which its "
                        "component '%s' declares (system = \"%s\")" %
                        (inst.name, comp.name, need), fix)
        return
    if not need:
        diags.error(*where, "system-undeclared",
                    "instance '%s' is granted the system capability (system: %s), but its "
                    "component '%s' does not declare a need for it" %
                    (inst.name, grant, comp.name),
                    "remove 'system: %s', or declare system = \"%s\" in the component() of %s" %
                    (grant, grant.lower(), comp.build_file))
        return
    if grant not in SYSTEM_ALLOWED[need]:
        diags.error(*where, "system-rights",
                    "instance '%s' is granted system: %s, but its component '%s' declares only "
                    "system = \"%s\"" % (inst.name, grant, comp.name, need),
                    "use system: %s, or declare system = \"%s\" in the component() of %s if it "
                    "must stop processes" % (SYSTEM_GRANT_OF_NEED[need], grant.lower(),
                                             comp.build_file))
        return
    inst.system = grant


def _resolve_spawn(system, inst, diags):
    """The instance's grant of the spawn capability against its component's need."""
    comp = inst.component
    written = inst.msg.has("spawn")
    granted = bool(inst.msg.get("spawn", False))
    where = inst.msg.where("spawn") if written else inst.msg.where("name")
    if granted and not comp.spawn:
        diags.error(*where, "spawn-undeclared",
                    "instance '%s' is granted the spawn capability (spawn: true), but its "
                    "component '%s' does not declare that it starts processes" %
                    (inst.name, comp.name),
                    "remove 'spawn: true', or declare spawn = True in the component() of %s" %
                    comp.build_file)
        return
    if comp.spawn and not granted:
        diags.error(*where, "spawn-missing",
                    "instance '%s' is not granted the spawn capability, which its component "
                    "'%s' needs to start processes (it declares spawn = True)" %
                    (inst.name, comp.name),
                    ("use spawn: true in instance '%s'" if written else
                     "add spawn: true to instance '%s'") % inst.name)
        return
    inst.spawn = granted


def _resolve_supervisor_log(system, msg, diags):
    """The binding of the root task to the instance `supervisor_log` names."""
    if not msg.has("supervisor_log"):
        return
    name, where = msg.get("supervisor_log"), msg.where("supervisor_log")
    provider = system.instances.get(name)
    if provider is None:
        diags.error(*where, "unknown-instance",
                    "supervisor_log names unknown instance '%s'" % name,
                    diagnostics.did_you_mean(name, system.instances, "an instance providing log") or
                    "name an instance providing log, or remove supervisor_log")
        return
    if provider.component is None:
        return  # reported as unknown-component
    if "log" not in provider.component.provides:
        provided = ", ".join(provider.component.provides) or "nothing"
        candidates = _providers(system, "log")
        diags.error(*where, "slot-type",
                    "supervisor_log names '%s', which provides %s, not log" % (name, provided),
                    "name an instance providing log" +
                    (": " + ", ".join(candidates) if candidates else ", or remove supervisor_log"))
        return
    system.supervisor_log = Binding(RootClient(), "log", "log", provider, where)


MAX_SESSIONS = 1024  # sessions one instance may have open at once


def _resolve_sessions(system, inst, diags):
    """The instance's session limits against the sessions its interfaces open."""
    comp = inst.component
    for iname in comp.provides:
        iface = system.interfaces.get(iname)
        for method, session in (iface.session_interfaces() if iface else []):
            inst.session_methods.append((iname, method.name, session))
            if session not in comp.provides:
                diags.error(*inst.msg.where("component"), "session-interface",
                            "method %s.%s opens sessions of %s, which component '%s' "
                            "(instance '%s') does not provide" %
                            (iname, method.name, session, comp.name, inst.name),
                            "add //interfaces:%s to the provides of %s" %
                            (session, comp.build_file))
    if not inst.msg.has("sessions"):
        if inst.session_methods:
            iname, mname, session = inst.session_methods[0]
            diags.error(*inst.msg.where("name"), "session-limits",
                        "instance '%s' serves %s.%s, which opens sessions of %s, but has no "
                        "session limits" % (inst.name, iname, mname, session),
                        "add sessions { max: 16 per_client: 4 } to instance '%s'" % inst.name)
        return
    sm = inst.msg.get("sessions")
    smax, per = sm.get("max", 0), sm.get("per_client", 0)
    if not inst.session_methods:
        diags.error(*sm.where(), "session-limits",
                    "instance '%s' has session limits, but component '%s' opens no sessions" %
                    (inst.name, comp.name), "remove the sessions block")
    elif not 1 <= smax <= MAX_SESSIONS or not 1 <= per <= smax:
        diags.error(*sm.where(), "session-limits",
                    "session limits of instance '%s' (max %d, per_client %d) are out of range"
                    % (inst.name, smax, per),
                    "use 1 <= per_client <= max <= %d" % MAX_SESSIONS)
    else:
        inst.sessions = (smax, per)


def _check_devices_unique(system, diags):
    owner = {}
    uses = sorted((u for i in system.instances.values() for u in i.devices
                   if u.device is not None),
                  key=lambda u: (u.where, u.instance.name))
    for use in uses:
        first = owner.get(use.device.name)
        if first is None:
            owner[use.device.name] = use
            continue
        diags.error(*use.where, "device-twice",
                    "board device '%s' is granted twice: to instance '%s' (%s) and to "
                    "instance '%s'" % (use.device.name, first.instance.name,
                                       _at(first.where, use.where), use.instance.name),
                    "a device has one owner: give one instance another device, or let one "
                    "instance serve the other through an interface")


def _authority(inst):
    """What of `inst`'s grants its process-mates could use: its devices (with
    their IRQs) and the system capability's CONTROL, or "" for nothing."""
    held = []
    if inst.devices:
        names = ", ".join(u.device.name if u.device else "a %s found at boot" % u.kind
                          for u in inst.devices)
        held.append("device%s %s" % ("s" if len(inst.devices) > 1 else "", names))
    if inst.system == "CONTROL":
        held.append("the system capability with CONTROL (it may stop any process)")
    return " and ".join(held)


def _warn_colocated_authority(system, diags):
    """A warning for each device driver or CONTROL holder that shares its
    address space with other instances, which can then use its authority.
    The kernel is left out: code linked into it holds all authority anyway."""
    for proc in system.processes.values():
        if proc.is_kernel() or len(proc.instances) < 2:
            continue
        for inst in proc.instances:
            held = _authority(inst)
            if not held:
                continue
            others = ", ".join("'%s'" % o.name for o in proc.instances if o is not inst)
            if inst.name in system.processes:
                move = "move the others (%s) to another process" % others
            else:
                move = 'give \'%s\' a process of its own (process: "%s")' % (inst.name,
                                                                             inst.name)
            diags.warning(*inst.msg.where("process"), "colocated-authority",
                          "instance '%s' holds %s in process '%s', whose other instances (%s) "
                          "can use it too: they share its address space" %
                          (inst.name, held, proc.name, others),
                          "%s, or keep them together if you trust them with it" % move)


def _check_cycles(system, diags):
    """Synchronous call cycles: strongly connected parts of the binding graph."""
    edges = {}
    for b in system.bindings:
        edges.setdefault(b.client.name, []).append(b)
    for v in edges.values():
        v.sort(key=lambda b: (b.provider.name, b.slot))
    index = {}
    low = {}
    on_stack = set()
    stack = []
    sccs = []
    counter = [0]

    def strongconnect(v):
        # iterative Tarjan
        work = [(v, 0)]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        while work:
            node, i = work[-1]
            out = edges.get(node, [])
            if i < len(out):
                work[-1] = (node, i + 1)
                w = out[i].provider.name
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, 0))
                elif w in on_stack:
                    low[node] = min(low[node], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                sccs.append(sorted(comp))

    for v in sorted(system.instances):
        if v not in index:
            strongconnect(v)
    for scc in sorted(sccs):
        members = set(scc)
        start = scc[0]
        if len(scc) == 1 and not any(b.provider.name == start for b in edges.get(start, [])):
            continue
        # the shortest cycle through `start`, by breadth-first search inside the part
        prev = {}
        queue = [start]
        found = None
        while queue and found is None:
            nxt = []
            for node in queue:
                for b in edges.get(node, []):
                    w = b.provider.name
                    if w not in members:
                        continue
                    if w == start:
                        found = b
                        break
                    if w not in prev:
                        prev[w] = b
                        nxt.append(w)
                if found is not None:
                    break
            queue = nxt
        path = [found]
        node = found.client.name
        while node != start:
            b = prev[node]
            path.append(b)
            node = b.client.name
        path.reverse()
        text = ", ".join("%s -> %s" % (b.client_name(), b.provider.name) for b in path)
        diags.error(path[0].file, path[0].line, "sync-cycle",
                    "synchronous calls can deadlock in a cycle: %s" % text,
                    "make one of these calls asynchronous or break the cycle by binding one of "
                    "these slots to another provider")


def _check_priorities(system, diags):
    for b in system.bindings:
        client_prio = system.priority(b.client)
        provider_prio = system.priority(b.provider)
        if client_prio <= provider_prio:
            continue
        if b.client.process == KERNEL:
            fix = ('link \'%s\' into the kernel too (process: "kernel"), or move \'%s\' into a '
                   "process: the kernel must not wait for a process" %
                   (b.provider.name, b.client.name))
        else:
            fix = "raise the priority of process '%s' to at least %d" % (b.provider.process,
                                                                        client_prio)
        diags.error(b.file, b.line, "priority-inversion",
                    "instance '%s' (process %s, priority %d) calls '%s' (process %s, priority "
                    "%d): a lower-priority provider inverts priority" %
                    (b.client.name, b.client.process, client_prio, b.provider.name,
                     b.provider.process, provider_prio),
                    fix)


def _check_interface_ids(system, diags):
    # Requests carry an id's low 16 bits (docs/interfaces.md): those must differ.
    by_low = {}
    used = {i.id & 0xFFFF for i in system.interfaces.values()}
    free = max(used | {0}) + 1
    for iface in sorted(system.interfaces.values(), key=lambda i: (i.file, i.line, i.name)):
        first = by_low.get(iface.id & 0xFFFF)
        if first is None:
            by_low[iface.id & 0xFFFF] = iface
            continue
        same = "id %d" % iface.id if first.id == iface.id else \
            "id %d, whose low 16 bits (%d)" % (iface.id, iface.id & 0xFFFF)
        diags.error(iface.file, iface.line, "interface-id",
                    "interface '%s' has %s, which interface '%s' (%s:%d) already uses" %
                    (iface.name, same, first.name, first.file, first.line),
                    "give '%s' an unused (viper.interface_id), for example %d" % (iface.name, free))


def _check_message_sizes(system, diags):
    used = set()
    for inst in system.instances.values():
        if inst.component is not None:
            used.update(inst.component.provides)
            used.update(iface for _, iface in inst.component.slots)
    for name in sorted(used):
        iface = system.interfaces.get(name)
        if iface is None:
            continue
        for m in iface.methods:
            for what, size in (("request", m.request_max), ("reply", m.reply_max)):
                if size > MESSAGE_MAX_BYTES:
                    diags.error(iface.file, m.line, "message-too-big",
                                "the %s of method '%s' of interface %s can take %d bytes, more "
                                "than the %d-byte message limit" %
                                (what, m.name, iface.name, size, MESSAGE_MAX_BYTES),
                                "move the data to the bulk buffer (option (viper.bulk_bytes)) or "
                                "bound the field smaller (nanopb max_size/max_count) by %d bytes"
                                % (size - MESSAGE_MAX_BYTES))


def _place_instances(system):
    """Each instance into the process it names, which exists from then on."""
    for inst in sorted(system.instances.values(), key=lambda i: i.name):
        proc = system.processes.get(inst.process)
        if proc is None:
            proc = system.processes[inst.process] = Process(inst.process)
            proc.file, proc.line = inst.msg.where("process")
        proc.instances.append(inst)


def _apply_blocks(system, blocks, diags):
    """Each process block to its process. A block of a process no instance
    names is left behind by a move when an instance has the block's name or
    was placed in it by an included file: a warning then (unused-process),
    else an error (empty-process)."""
    for name, pm in sorted(blocks.items()):
        proc = system.processes.get(name)
        if proc is not None:
            _apply_block(proc, pm, diags)
            continue
        movers = _moved_from(system, name)
        if movers:
            _warn_unused_process(system, name, pm, movers, diags)
            continue
        near = diagnostics.closest(name, system.processes)
        diags.error(*pm.where("name"), "empty-process",
                    "process '%s' has no instances" % name,
                    ("did you mean %s? " % " or ".join("'%s'" % n for n in near)
                     if near else "") +
                    'place an instance in it (process: "%s") or remove the process block' %
                    name)


def _moved_from(system, name):
    """The instances that process `name` belongs to, now elsewhere: the one
    named `name` and those an included file placed in it, by name."""
    return [i for _, i in sorted(system.instances.items())
            if i.name == name or
            any(f.name == "process" and f.value == name for f in i.msg.replaced)]


def _files_of(msg):
    """The files that wrote message `msg` and its fields, blocks included."""
    files = {msg.file}
    for f in msg.fields:
        files.add(f.file)
        if isinstance(f.value, textproto.Message):
            files |= _files_of(f.value)
    return files


def _written_at(msg, level, wanted):
    """(file, line) of the first field of `msg` or of its blocks that a file
    of include level `wanted` wrote, or None."""
    for f in msg.fields:
        if level(f.file) == wanted:
            return f.file, f.line
        if isinstance(f.value, textproto.Message):
            found = _written_at(f.value, level, wanted)
            if found is not None:
                return found
    return None


def _block_settings(pm):
    """What process block `pm` sets, e.g. 'priority 11, restart ON_FAILURE max 10'."""
    parts = []
    if pm.has("priority"):
        parts.append("priority %d" % pm.get("priority"))
    restart = pm.get("restart")
    if restart is not None:
        parts.append("restart %s" % restart.get("policy", "NEVER") +
                     (" max %d" % restart.get("max") if restart.get("max", 0) else ""))
    if pm.get("ends_system", False):
        parts.append("ends_system")
    quota = pm.get("quota")
    if quota is not None:
        parts.append("quota" + "".join(" %s %d" % (k, quota.get(k)) for k in DEFAULT_QUOTA
                                       if quota.has(k)))
    parts.extend("memory '%s'" % m.value.get("name", "") for m in pm.all("memory"))
    return ", ".join(parts)


def _warn_unused_process(system, name, pm, movers, diags):
    """A warning for process block `pm`, which no instance uses any more: its
    settings stay in the file, so that the move back is one line too. An
    overlay that moves the instances away from an included block says so on
    purpose: no warning then."""
    level = system.level
    latest = min(level(f) for f in _files_of(pm))
    if latest > min(level(m.msg.where("process")[0]) for m in movers):
        return
    here = pm.where("name")
    if level(here[0]) != latest:  # an overlay changed the block: report it there
        here = _written_at(pm, level, latest) or here
    places = ["instance '%s' %s (%s)" % (
        m.name, "is linked into the kernel" if m.process == KERNEL else
        "runs in process '%s'" % m.process, _at(m.msg.where("process"), here))
        for m in movers]
    settings = _block_settings(pm)
    what = ("this block's settings (%s) do not apply" % settings if settings else
            "this block does not apply")
    targets = sorted({m.process for m in movers} - {KERNEL})
    why = []
    if any(m.process == KERNEL for m in movers):
        why.append("the kernel is never restarted, has no quota and runs above every process")
    if len(targets) == 1:
        why.append("process '%s' keeps its own settings" % targets[0])
    elif targets:
        why.append("processes %s keep their own settings" % ", ".join("'%s'" % t for t in targets))
    who = "'%s'" % movers[0].name if len(movers) == 1 else "them"
    diags.warning(*here, "unused-process",
                  "process '%s' has no instances: %s, so %s: %s" %
                  (name, ", ".join(places), what, "; ".join(why)),
                  'keep the block to move %s back with one line (process: "%s"), or remove it'
                  % (who, name))


def load(path, board_arg, components, interfaces, pool, diags, declared_includes=None):
    """Reads and checks the system description at `path`, with the
    descriptions it includes (overlay.py; `declared_includes`: the files
    the build lets it include, or None for any).

    Returns the System, or None when the description or the board could not
    be parsed at all. Every problem goes to `diags`.
    """
    merged = overlay.load(path, pool.FindMessageTypeByName("viper.system.System"), diags,
                          declared_includes)
    if merged is None:
        return None
    msg = merged.msg
    system = System(path, msg)
    system.level = merged.level
    system.components = components
    system.interfaces = interfaces
    if _required(diags, msg, "name", "the system"):
        system.name = msg.get("name")
        _check_name(diags, msg.where("name"), "system", system.name)
    board_path = _board_path(system, msg, board_arg, diags)
    if board_path:
        system.board = _load_board(board_path, pool, diags)
        if system.board is None:
            return None
    blocks = _load_processes(system, msg, diags)
    _load_instances(system, msg, diags)
    _place_instances(system)
    _apply_blocks(system, blocks, diags)
    for inst in sorted(system.instances.values(), key=lambda i: i.name):
        if inst.component is None:
            continue
        _check_placement(system, inst, diags)
        _check_interfaces(system, inst, diags)
        _resolve_bindings(system, inst, diags)
        _resolve_devices(system, inst, diags)
        _resolve_dma(system, inst, diags)
        _resolve_params(system, inst, diags)
        _resolve_system(system, inst, diags)
        _resolve_spawn(system, inst, diags)
        _resolve_sessions(system, inst, diags)
        system.bindings.extend(inst.bindings)
    system.bindings.sort(key=Binding.key)
    _resolve_supervisor_log(system, msg, diags)
    _check_component_sizes(system, diags)
    _check_devices_unique(system, diags)
    _warn_colocated_authority(system, diags)
    _check_cycles(system, diags)
    _check_priorities(system, diags)
    _check_interface_ids(system, diags)
    _check_message_sizes(system, diags)
    return system
