"""The layout of an assembled system: channels, shared memory, grants, quotas.

layout() turns a checked model.System into the contents of the boot manifest
(platform/manifest/manifest.proto) and reports what only the layout shows:
quotas and manifest limits. to_manifest() fills the protobuf message.

Canonical grant order of a process (grant index = startup handle position):
  1. channel ends, in channel order (send end if the process holds the
     client, receive end if it holds the provider);
  2. bulk buffers of those channels, in channel order (the kernel's too: it
     creates and maps the bulk buffers of its channels and hands them to the
     root task with the channel ends);
  3. devices: instances by name, each instance's needs in component order,
     GRANT_DEVICE then GRANT_IRQ when the device has an interrupt (a
     device of a virtio kind found at boot gets its IRQ grant when the
     board's virtio-mmio slots have interrupts);
  4. DMA regions: instances by name, each instance's DMA needs in component
     order (GRANT_DMA, rights READ|WRITE|MAP|DMA);
  5. the process's own memories, by name;
  6. the system capability: one GRANT_SYSTEM per instance granted it,
     instances by name (rights READ for INSPECT, READ|WRITE for CONTROL);
  7. the spawn capability: one GRANT_SPAWN per instance granted it,
     instances by name (rights EXEC: start processes).
Channels are ordered by client instance name, then slot index. DMA regions
are ordered as their grants: processes in manifest order, then as above.
When a device grant names a virtio kind, virtio_slots lists every
virtio-mmio slot of the board from the highest address down: the order of
QEMU virt's -device options, in which devices are found at boot.
"""

import model
import schema

# enum viper_right (platform/abi/include/viper/abi.h)
RIGHT_READ = 1 << 0
RIGHT_WRITE = 1 << 1
RIGHT_TRANSFER = 1 << 2
RIGHT_DERIVE = 1 << 3
RIGHT_MAP = 1 << 4
RIGHT_DEVICE = 1 << 5
RIGHT_IRQ = 1 << 6
RIGHT_DMA = 1 << 7
RIGHT_EXEC = 1 << 8
RIGHTS_SEND = RIGHT_WRITE | RIGHT_TRANSFER
RIGHTS_RECV = RIGHT_READ | RIGHT_TRANSFER
RIGHTS_DEVICE = RIGHT_READ | RIGHT_WRITE | RIGHT_DEVICE
RIGHTS_IRQ = RIGHT_READ | RIGHT_IRQ
RIGHTS_MEMORY = RIGHT_READ | RIGHT_WRITE | RIGHT_MAP
RIGHTS_DMA = RIGHTS_MEMORY | RIGHT_DMA
# The system capability (VIPER_OBJ_SYSTEM): read inspects, write stops processes.
RIGHTS_SYSTEM = {"INSPECT": RIGHT_READ, "CONTROL": RIGHT_READ | RIGHT_WRITE}
# The spawn capability (VIPER_OBJ_SPAWN): exec starts processes.
RIGHTS_SPAWN = RIGHT_EXEC

CHANNEL_DEPTH = 16  # VIPER_CHANNEL_DEFAULT_DEPTH
# What the kernel charges a process-host process for before its instances
# (platform/kernel, docs/syscalls.md "Quotas"): its program's segments (code,
# data, the runtime's 256 KiB heap arena and thread stacks: about 560 KiB),
# its 64 KiB stack, startup page and page tables, with room to grow.
PROCESS_BASE_KIB = 768
THREAD_KERNEL_KIB = 20  # a thread and its 16 KiB kernel stack, charged to its process
SPARE_HANDLES = 8  # handles a process may create at run time besides its grants

# The manifest's limits: the max_count bounds of manifest.proto, their one source.
_LIMITS = schema.manifest_limits()
MAX_CHANNELS = _LIMITS["Manifest.channels"]
MAX_MEMORIES = _LIMITS["Manifest.memories"]
MAX_PROCESSES = _LIMITS["Manifest.processes"]
MAX_GRANTS = _LIMITS["Process.grants"]
MAX_INSTANCES = _LIMITS["Process.instances"]
MAX_SLOTS = _LIMITS["Instance.slots"]
MAX_SERVES = _LIMITS["Instance.serves"]
MAX_DEVICE_GRANTS = _LIMITS["Instance.devices"]
MAX_DMA_REGIONS = _LIMITS["Manifest.dma_regions"]
MAX_DMA_GRANTS = _LIMITS["Instance.dma"]

KERNEL_END_NONE = "KERNEL_END_NONE"
KERNEL_END_SEND = "KERNEL_END_SEND"
KERNEL_END_RECV = "KERNEL_END_RECV"


class Channel:
    def __init__(self, index, binding, interface):
        self.index = index
        self.binding = binding
        self.interface = interface
        self.kernel_end = KERNEL_END_NONE
        if binding.client.process == model.KERNEL:
            self.kernel_end = KERNEL_END_SEND
        elif binding.provider.process == model.KERNEL:
            self.kernel_end = KERNEL_END_RECV
        self.bulk_memory = None  # index into Layout.memories


class Memory:
    def __init__(self, name, size, channel=None, process=None):
        self.name = name
        self.size = size
        self.channel = channel  # the channel whose bulk buffer this is
        self.process = process  # the process owning this private memory


class Grant:
    """One startup handle of a process."""

    def __init__(self, kind, rights, channel=None, device=None, memory=None, instance=None,
                 dma=None, use=None):
        self.kind = kind  # GRANT_* name
        self.rights = rights
        self.channel = channel  # Channel
        self.device = device  # model.BoardDevice
        self.memory = memory  # Memory
        self.instance = instance  # the instance it is for (devices, DMA, the system capability)
        self.dma = dma  # model.DmaUse
        self.use = use  # model.DeviceUse of device and IRQ grants


class InstanceLayout:
    def __init__(self, instance):
        self.instance = instance
        self.slots = []  # (slot name, interface id, grant 1-based or 0, local 1-based or 0)
        self.serves = []  # (interface id, grant 1-based)
        self.devices = []  # 1-based grant indexes
        self.dma = []  # 1-based grant indexes of its GRANT_DMA, in need order
        self.system = 0  # 1-based grant index of its GRANT_SYSTEM, 0 for none
        self.spawn = 0  # 1-based grant index of its GRANT_SPAWN, 0 for none


class ProcessLayout:
    def __init__(self, process):
        self.process = process
        self.grants = []
        self.instances = []  # InstanceLayout, in process.instances order
        self.memory_need_kib = 0
        self.threads_need = 0


class Layout:
    def __init__(self, system):
        self.system = system
        self.channels = []
        self.memories = []
        self.dma_regions = []  # model.DmaUse, in grant order
        self.virtio_slots = []  # model.BoardDevice: where virtio kinds are found at boot
        self.processes = []  # ProcessLayout in manifest order


def _kib(size_bytes):
    return -(-size_bytes // 1024)


def layout(system, diags):
    """Lays out `system`; reports quota and limit problems to `diags`."""
    out = Layout(system)
    by_binding = {}
    bindings = list(system.bindings)
    if system.supervisor_log is not None:
        bindings.append(system.supervisor_log)  # the last channel: the root keeps its send end
    for b in bindings:
        if b.client.process == b.provider.process:
            continue  # co-located or kernel-kernel: a direct call
        iface = system.interfaces.get(b.interface)
        if iface is None:
            continue
        ch = Channel(len(out.channels), b, iface)
        out.channels.append(ch)
        by_binding[id(b)] = ch
        if iface.bulk_bytes > 0:
            size = -(-iface.bulk_bytes // model.PAGE_BYTES) * model.PAGE_BYTES
            ch.bulk_memory = len(out.memories)
            out.memories.append(Memory(b.client_name(), size, channel=ch))
    for proc in system.process_order():
        for name, size, _ in proc.memories:
            out.memories.append(Memory("%s.%s" % (proc.name, name), size, process=proc))
    if any(u.virtio_id for i in system.instances.values() for u in i.devices):
        out.virtio_slots = sorted((d for d in system.board.devices.values()
                                   if d.kind == model.VIRTIO_BUS_KIND),
                                  key=lambda d: d.base, reverse=True)

    for proc in system.process_order():
        pl = ProcessLayout(proc)
        out.processes.append(pl)
        grants = pl.grants
        send_of = {}
        recv_of = {}
        bulk_kib = 0
        for ch in out.channels:
            if ch.binding.client.process == proc.name:
                # A client that starts programs (spawn) may give them derived copies.
                rights = RIGHTS_SEND | (RIGHT_DERIVE if ch.binding.client.spawn else 0)
                grants.append(Grant("GRANT_CHANNEL_SEND", rights, channel=ch))
                send_of[ch.index] = len(grants)
            elif ch.binding.provider.process == proc.name:
                grants.append(Grant("GRANT_CHANNEL_RECV", RIGHTS_RECV, channel=ch))
                recv_of[ch.index] = len(grants)
        for ch in out.channels:
            if ch.bulk_memory is not None and (ch.index in send_of or ch.index in recv_of):
                mem = out.memories[ch.bulk_memory]
                grants.append(Grant("GRANT_MEMORY", RIGHTS_MEMORY, memory=mem))
                bulk_kib += _kib(mem.size)
        device_grants = {}
        for inst in proc.instances:
            for use in inst.devices:
                grants.append(Grant("GRANT_DEVICE", RIGHTS_DEVICE, device=use.device,
                                    instance=inst, use=use))
                # The instance lists the device; its IRQ is the grant right after.
                device_grants.setdefault(inst.name, []).append(len(grants))
                if (use.device.irq if use.device else any(d.irq for d in out.virtio_slots)):
                    grants.append(Grant("GRANT_IRQ", RIGHTS_IRQ, device=use.device,
                                        instance=inst, use=use))
        dma_grants = {}
        for inst in proc.instances:
            for use in inst.dma:
                out.dma_regions.append(use)
                grants.append(Grant("GRANT_DMA", RIGHTS_DMA, instance=inst, dma=use))
                dma_grants.setdefault(inst.name, []).append(len(grants))
        for mem in out.memories:
            if mem.process is proc:
                grants.append(Grant("GRANT_MEMORY", RIGHTS_MEMORY, memory=mem))
        system_grants = {}
        for inst in proc.instances:
            if inst.system is not None:
                grants.append(Grant("GRANT_SYSTEM", RIGHTS_SYSTEM[inst.system], instance=inst))
                system_grants[inst.name] = len(grants)
        spawn_grants = {}
        for inst in proc.instances:
            if inst.spawn:
                grants.append(Grant("GRANT_SPAWN", RIGHTS_SPAWN, instance=inst))
                spawn_grants[inst.name] = len(grants)

        local_index = {inst.name: i + 1 for i, inst in enumerate(proc.instances)}
        serves_anything = False
        actives = 0
        for inst in proc.instances:
            il = InstanceLayout(inst)
            pl.instances.append(il)
            comp = inst.component
            if comp is None:
                continue
            if comp.active:
                actives += 1
            bindings = {b.slot: b for b in inst.bindings}
            for slot, iface_name in comp.slots:
                iface = system.interfaces.get(iface_name)
                iface_id = iface.id if iface else 0
                b = bindings.get(slot)
                grant = local = 0
                if b is not None:
                    ch = by_binding.get(id(b))
                    if ch is not None:
                        grant = send_of[ch.index]
                    elif b.provider.process == proc.name:
                        local = local_index[b.provider.name]
                il.slots.append((slot, iface_id, grant, local))
            for ch in out.channels:
                if ch.binding.provider is inst:
                    il.serves.append((ch.interface.id, recv_of[ch.index]))
                    serves_anything = True
            il.devices = device_grants.get(inst.name, [])
            il.dma = dma_grants.get(inst.name, [])
            il.system = system_grants.get(inst.name, 0)
            il.spawn = spawn_grants.get(inst.name, 0)
        pl.memory_need_kib = (PROCESS_BASE_KIB + bulk_kib +
                              sum(_kib(m.size) for m in out.memories if m.process is proc) +
                              sum(_kib(u.cost()) for i in proc.instances for u in i.dma) +
                              sum(i.component.stack_kib + i.component.heap_kib
                                  for i in proc.instances if i.component is not None))
        pl.threads_need = max(1, (1 if serves_anything else 0) + actives)
        pl.memory_need_kib += THREAD_KERNEL_KIB * pl.threads_need
    _check_limits(out, diags)
    _check_quotas(out, diags)
    return out


def _check_limits(out, diags):
    system = out.system
    if len(out.channels) > MAX_CHANNELS:
        ch = out.channels[MAX_CHANNELS]
        diags.error(ch.binding.file, ch.binding.line, "manifest-limit",
                    "the system needs %d channels, more than the manifest's %d (this binding "
                    "makes channel %d)" % (len(out.channels), MAX_CHANNELS, MAX_CHANNELS + 1),
                    "co-locate some clients with their providers (direct calls need no channel)")
    if len(out.memories) > MAX_MEMORIES:
        diags.error(system.file, 1, "manifest-limit",
                    "the system needs %d shared memories (bulk buffers and process memories), "
                    "more than the manifest's %d" % (len(out.memories), MAX_MEMORIES),
                    "co-locate clients of bulk interfaces with their providers, or remove "
                    "process memories")
    if len(out.dma_regions) > MAX_DMA_REGIONS:
        use = out.dma_regions[MAX_DMA_REGIONS]
        diags.error(file, use.line, "manifest-limit",
                    "the system needs %d DMA regions, more than the manifest's %d (this grant "
                    "makes region %d)" % (len(out.dma_regions), MAX_DMA_REGIONS,
                                          MAX_DMA_REGIONS + 1),
                    "let one DMA need cover what several do")
    if len(out.processes) > MAX_PROCESSES:
        proc = out.processes[MAX_PROCESSES].process
        diags.error(proc.file, proc.line, "manifest-limit",
                    "the system has %d processes, more than the manifest's %d" %
                    (len(out.processes), MAX_PROCESSES),
                    "co-locate instances in fewer processes")
    for pl in out.processes:
        proc = pl.process
        if len(pl.grants) > MAX_GRANTS:
            diags.error(proc.file, proc.line, "manifest-limit",
                        "process '%s' needs %d grants, more than the manifest's %d" %
                        (proc.name, len(pl.grants), MAX_GRANTS),
                        "move some of its instances to another process")
        if len(pl.instances) > MAX_INSTANCES:
            diags.error(proc.file, proc.line, "manifest-limit",
                        "process '%s' has %d instances, more than the manifest's %d" %
                        (proc.name, len(pl.instances), MAX_INSTANCES),
                        "move some of its instances to another process")
        for il in pl.instances:
            inst = il.instance
            for what, n, limit in (("slots", len(il.slots), MAX_SLOTS),
                                   ("served channels", len(il.serves), MAX_SERVES),
                                   ("devices", len(il.devices), MAX_DEVICE_GRANTS),
                                   ("DMA regions", len(il.dma), MAX_DMA_GRANTS)):
                if n > limit:
                    diags.error(*inst.msg.where("name"), "manifest-limit",
                                "instance '%s' has %d %s, more than the manifest's %d" %
                                (inst.name, n, what, limit),
                                "split the component, or co-locate some of its clients with it"
                                if what == "served channels" else "split the component")


def _check_quotas(out, diags):
    system = out.system
    total = 0
    for pl in out.processes:
        proc = pl.process
        if proc.is_kernel():
            total += sum(i.component.stack_kib + i.component.heap_kib
                         for i in proc.instances if i.component is not None)
            total += sum(_kib(u.cost()) for i in proc.instances for u in i.dma)
            continue
        total += proc.quota["memory_kib"]
        where = "quota { %s: %d }" if proc.msg is not None and proc.msg.has("quota") else \
            'process { name: "' + proc.name + '" quota { %s: %d } }'
        if pl.memory_need_kib > proc.quota["memory_kib"]:
            diags.error(*proc.quota_where("memory_kib"), "quota-memory",
                        "process '%s' needs %d KiB (%d base + stacks, heaps, memories, DMA "
                        "regions and %d per thread), "
                        "more than its memory quota of %d KiB" %
                        (proc.name, pl.memory_need_kib, PROCESS_BASE_KIB, THREAD_KERNEL_KIB,
                         proc.quota["memory_kib"]),
                        "raise it: " + where % ("memory_kib", pl.memory_need_kib))
        # An open session holds a handle of its provider's process: its channel's receive end.
        sessions = sum(i.sessions[0] for i in proc.instances if i.sessions)
        handles = len(pl.grants) + SPARE_HANDLES + sessions
        if handles > proc.quota["handles"]:
            fix = "raise it: " + where % ("handles", handles)
            if handles > model.HANDLES_MAX:
                fix = ("lower the instances' sessions { max }: a handle table has %d slots"
                       % model.HANDLES_MAX)
            diags.error(*proc.quota_where("handles"), "quota-handles",
                        "process '%s' needs %d handles (%d grants + %d spare + %d sessions), "
                        "more than its handle quota of %d" %
                        (proc.name, handles, len(pl.grants), SPARE_HANDLES, sessions,
                         proc.quota["handles"]), fix)
        if pl.threads_need > proc.quota["threads"]:
            diags.error(*proc.quota_where("threads"), "quota-threads",
                        "process '%s' needs %d threads (a server loop if it serves a channel, "
                        "one per active instance), more than its thread quota of %d" %
                        (proc.name, pl.threads_need, proc.quota["threads"]),
                        "raise it: " + where % ("threads", pl.threads_need))
    board = system.board
    if board is not None and total > board.memory_kib:
        biggest = sorted(((pl.process.quota["memory_kib"], pl.process.name)
                          for pl in out.processes if not pl.process.is_kernel()),
                         reverse=True)[:3]
        diags.error(*system.msg.where("name"), "board-memory",
                    "the processes' memory quotas and the kernel's instances need %d KiB, more "
                    "than the %d KiB of board '%s'" % (total, board.memory_kib, board.name),
                    "lower memory quotas (largest: %s)" %
                    ", ".join("%s %d KiB" % (n, q) for q, n in biggest))


def to_manifest(out, manifest_cls):
    """The viper.manifest.Manifest message of the layout."""
    m = manifest_cls()
    m.system = out.system.name
    for ch in out.channels:
        if ch.binding is out.system.supervisor_log:
            m.supervisor_log = ch.index + 1
    kernel_end = m.DESCRIPTOR.file.message_types_by_name["Channel"].enum_types_by_name["KernelEnd"]
    for ch in out.channels:
        c = m.channels.add()
        c.interface = ch.interface.name
        c.interface_id = ch.interface.id
        c.client = ch.binding.client_name()
        c.provider = ch.binding.provider.name
        c.depth = CHANNEL_DEPTH
        c.kernel_end = kernel_end.values_by_name[ch.kernel_end].number
        c.bulk_memory = 0 if ch.bulk_memory is None else ch.bulk_memory + 1
    for mem in out.memories:
        mm = m.memories.add()
        mm.name = mem.name
        mm.size = mem.size
    for dev in out.virtio_slots:
        vs = m.virtio_slots.add()
        vs.name = dev.name
        vs.base = dev.base
        vs.irq = dev.irq
    for use in out.dma_regions:
        d = m.dma_regions.add()
        d.name = use.name()
        d.size = use.size()
        d.contiguous = use.need.contiguous
    grant_kind = m.DESCRIPTOR.file.enum_types_by_name["GrantKind"]
    restart = m.DESCRIPTOR.file.enum_types_by_name["Restart"]
    for pl in out.processes:
        proc = pl.process
        p = m.processes.add()
        p.name = proc.name
        if not proc.is_kernel():
            p.priority = proc.priority
            p.restart = restart.values_by_name["RESTART_" + proc.restart].number
            p.max_restarts = proc.max_restarts
            p.ends_system = proc.ends_system
            p.memory_kib = proc.quota["memory_kib"]
            p.handles = proc.quota["handles"]
            p.threads = proc.quota["threads"]
        for g in pl.grants:
            pg = p.grants.add()
            pg.kind = grant_kind.values_by_name[g.kind].number
            pg.rights = g.rights
            if g.channel is not None:
                pg.channel = g.channel.index
            if g.device is not None:
                pg.device = g.device.name
                pg.device_base = g.device.base
                if g.kind == "GRANT_IRQ":
                    pg.irq = g.device.irq
            if g.kind == "GRANT_DEVICE" and g.use.virtio_id:
                pg.virtio_id = g.use.virtio_id
            if g.memory is not None:
                pg.memory = out.memories.index(g.memory)
            if g.dma is not None:
                pg.dma_region = out.dma_regions.index(g.dma)
        for il in pl.instances:
            inst = il.instance
            pi = p.instances.add()
            pi.name = inst.name
            pi.component = inst.component.name if inst.component else ""
            for name, iface_id, grant, local in il.slots:
                s = pi.slots.add()
                s.name = name
                s.interface_id = iface_id
                s.grant = grant
                s.local = local
            for iface_id, grant in il.serves:
                s = pi.serves.add()
                s.interface_id = iface_id
                s.grant = grant
            pi.devices.extend(il.devices)
            pi.dma.extend(il.dma)
            pi.system = il.system
            pi.spawn = il.spawn
            pi.params.extend(inst.params)
            if inst.sessions is not None:
                pi.sessions_max, pi.sessions_per_client = inst.sessions
    return m
