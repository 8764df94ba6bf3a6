"""Text outputs of an assembled system: authority report, graphviz graph, build plan.

All outputs are deterministic: sorted, no timestamps, no absolute paths.
docs/system-description.md documents the report format.
"""

import json

import model

_POLICY = {"NEVER": "never", "ON_FAILURE": "on failure", "ALWAYS": "always"}
# Instance.system as the report and the graph say it.
_SYSTEM = {"INSPECT": "inspect", "CONTROL": "control"}
_SYSTEM_RIGHTS = {"INSPECT": "r", "CONTROL": "rw"}


def _process_of(system, instance):
    return system.processes[instance.process]


def _client_text(system, binding):
    """Where a channel's client is: a process, the kernel or the root task."""
    if binding.client.process == model.ROOT:
        return "the root task"
    return _proc_text(_process_of(system, binding.client))


def _proc_text(proc):
    return "the kernel" if proc.is_kernel() else "process " + proc.name


def report(out):
    """The authority report: a header, then one sorted line per grant, direct
    call, instance and process setting."""
    system = out.system
    lines = []
    for pl in out.processes:
        proc = pl.process
        head = "process %s: " % proc.name
        if proc.is_kernel():
            lines.append(head + "linked into the kernel, priority %d" % model.KERNEL_PRIORITY)
        else:
            restart = _POLICY[proc.restart]
            if proc.restart != "NEVER":
                restart += " (max %s)" % (proc.max_restarts or "unlimited")
            lines.append(head + "priority %d, restart %s%s, quota %d KiB %d handles %d threads" %
                         (proc.priority, restart, ", ends the system" if proc.ends_system else "",
                          proc.quota["memory_kib"], proc.quota["handles"],
                          proc.quota["threads"]))
        for inst in proc.instances:
            comp = inst.component.name if inst.component else "?"
            lines.append(head + "instance '%s' (%s)" % (inst.name, comp))
            if inst.sessions is not None:
                opened = ", ".join(sorted({"%s via %s.%s" % (s, i, m)
                                           for i, m, s in inst.session_methods}))
                lines.append(head + "sessions of instance '%s': %s; at most %d open, %d per "
                             "client" % (inst.name, opened, inst.sessions[0],
                                         inst.sessions[1]))
            for b in inst.bindings:
                if b.provider.process == proc.name:
                    lines.append(head + "direct %s %s -> %s instance '%s' (same %s)" %
                                 (b.interface, b.client_name(), b.provider.component.name,
                                  b.provider.name, "kernel" if proc.is_kernel() else "process"))
                    for s in sorted({s for _, _, s in b.provider.session_methods}):
                        lines.append(head + "may open sessions of %s through %s (served by "
                                     "'%s')" % (s, b.client_name(), b.provider.name))
        for g in pl.grants:
            if g.kind == "GRANT_CHANNEL_SEND":
                b = g.channel.binding
                lines.append(head + "channel %s (send) %s -> %s instance '%s' in %s" %
                             (g.channel.interface.name, b.client_name(), b.provider.component.name,
                              b.provider.name, _proc_text(_process_of(system, b.provider))))
                for s in sorted({s for _, _, s in b.provider.session_methods}):
                    lines.append(head + "may open sessions of %s through %s (served by '%s')"
                                 % (s, b.client_name(), b.provider.name))
            elif g.kind == "GRANT_CHANNEL_RECV":
                b = g.channel.binding
                lines.append(head + "channel %s (receive) <- %s in %s, served by '%s'" %
                             (g.channel.interface.name, b.client_name(),
                              _client_text(system, b), b.provider.name))
            elif g.kind == "GRANT_DEVICE" and g.device is None:
                lines.append(head + "device %s (virtio id %d) rw (instance '%s'): found at "
                             "boot in a free %s slot" % (g.use.kind, g.use.virtio_id,
                                                         g.instance.name, model.VIRTIO_BUS_KIND))
            elif g.kind == "GRANT_DEVICE":
                d = g.device
                checked = (": checked at boot to hold a %s (virtio id %d)" %
                           (g.use.kind, g.use.virtio_id) if g.use.virtio_id else "")
                lines.append(head + "device %s %s 0x%08x+0x%x rw (instance '%s')%s" %
                             (d.name, d.kind, d.base, d.size, g.instance.name, checked))
            elif g.kind == "GRANT_IRQ" and g.device is None:
                lines.append(head + "irq of the %s found at boot (instance '%s')" %
                             (g.use.kind, g.instance.name))
            elif g.kind == "GRANT_IRQ":
                lines.append(head + "irq %d (%s, instance '%s')" %
                             (g.device.irq, g.device.name, g.instance.name))
            elif g.kind == "GRANT_MEMORY":
                mem = g.memory
                if mem.channel is not None:
                    b = mem.channel.binding
                    what = "bulk buffer of channel %s %s -> %s" % (mem.channel.interface.name,
                                                                   b.client_name(),
                                                                   b.provider.name)
                else:
                    what = "private"
                lines.append(head + "memory %s %d bytes rw (%s)" % (mem.name, mem.size, what))
            elif g.kind == "GRANT_DMA":
                use = g.dma
                lines.append(head + "dma %s %d bytes %s rw (instance '%s'): as strong as a "
                             "device grant: board %s has no IOMMU" %
                             (use.name(), use.size(), use.need.kind(), g.instance.name,
                              system.board.name))
            elif g.kind == "GRANT_SYSTEM":
                access = g.instance.system
                lines.append(head + "system capability: %s %s (instance '%s')" %
                             (_SYSTEM[access], _SYSTEM_RIGHTS[access], g.instance.name))
            elif g.kind == "GRANT_SPAWN":
                lines.append(head + "spawn capability: starts processes (instance '%s')" %
                             g.instance.name)
    if system.supervisor_log is not None:
        b = system.supervisor_log
        lines.append("process root: channel log (send) %s -> %s instance '%s' in %s" %
                     (b.client_name(), b.provider.component.name, b.provider.name,
                      _proc_text(_process_of(system, b.provider))))
    board = system.board
    header = [
        "# ViperOS authority report",
        "# system: %s" % system.name,
        "# board: %s (%d KiB)" % (board.name, board.memory_kib),
        "# %d processes, %d channels, %d shared memories" %
        (len(out.processes), len(out.channels), len(out.memories)),
    ]
    if out.dma_regions:
        header.append("# %d DMA regions: each as strong as a device grant (board %s has no "
                      "IOMMU)" % (len(out.dma_regions), board.name))
    return "\n".join(header + sorted(lines)) + "\n"


def _q(text):
    """A quoted graphviz ID; a newline becomes a centred line break."""
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def dot(out):
    """A graphviz graph: processes and the kernel as clusters, instances as
    nodes, bindings as edges labelled with the interface, devices, IRQs and
    the system and spawn capabilities as nodes."""
    system = out.system
    lines = [
        "digraph %s {" % _q(system.name),
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, label=%s];' %
        _q("system %s (board %s)" % (system.name, system.board.name)),
        '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    devices = {}
    for pl in out.processes:
        proc = pl.process
        if proc.is_kernel():
            label = "kernel (priority %d)" % model.KERNEL_PRIORITY
            style = '    style="filled"; fillcolor="#e8e8f0";'
        else:
            label = "process %s (priority %d, restart %s)" % (proc.name, proc.priority,
                                                             _POLICY[proc.restart])
            style = '    style="rounded";'
        lines.append("  subgraph %s {" % _q("cluster_" + proc.name))
        lines.append("    label=%s;" % _q(label))
        lines.append(style)
        for inst in proc.instances:
            comp = inst.component.name if inst.component else "?"
            lines.append("    %s [label=%s];" % (_q("instance_" + inst.name),
                                                 _q("%s\n(%s)" % (inst.name, comp))))
            for use in inst.devices:
                if use.device is not None:
                    devices[use.device.name] = use.device
        lines.append("  }")
    for name in sorted(devices):
        d = devices[name]
        lines.append("  %s [shape=component, label=%s];" %
                     (_q("device_" + name), _q("%s\n%s 0x%08x" % (name, d.kind, d.base))))
        if d.irq:
            lines.append("  %s [shape=diamond, label=%s];" %
                         (_q("irq_%d" % d.irq), _q("irq %d" % d.irq)))
    found = [u for i in sorted(system.instances.values(), key=lambda i: i.name)
             for u in i.devices if u.device is None]
    for use in found:
        lines.append("  %s [shape=component, style=\"dashed\", label=%s];" %
                     (_q("found_%s_%s" % (use.instance.name, use.need)),
                      _q("%s (virtio id %d)\nfound at boot" % (use.kind, use.virtio_id))))
    for use in out.dma_regions:
        lines.append("  %s [shape=cylinder, label=%s];" %
                     (_q("dma_" + use.name()),
                      _q("DMA %s\n%d bytes %s\n(no IOMMU: reaches all memory)" %
                         (use.name(), use.size(), use.need.kind()))))
    granted_system = [i for i in sorted(system.instances.values(), key=lambda i: i.name)
                      if i.system is not None]
    if granted_system:
        lines.append('  "system" [shape=doubleoctagon, label=%s];' % _q("system capability"))
    granted_spawn = [i for i in sorted(system.instances.values(), key=lambda i: i.name)
                     if i.spawn]
    if granted_spawn:
        lines.append('  "spawn" [shape=doubleoctagon, label=%s];' % _q("spawn capability"))
    channel_of = {(ch.binding.client.name, ch.binding.slot): ch for ch in out.channels}
    for b in system.bindings:
        ch = channel_of.get((b.client.name, b.slot))
        if ch is None:
            attrs = 'label=%s, style="dashed"' % _q("%s (%s, direct)" % (b.interface, b.slot))
        else:
            extra = ", bulk" if ch.bulk_memory is not None else ""
            attrs = "label=%s" % _q("%s (%s, channel %d%s)" % (b.interface, b.slot, ch.index,
                                                              extra))
        lines.append("  %s -> %s [%s];" % (_q("instance_" + b.client.name),
                                           _q("instance_" + b.provider.name), attrs))
    if system.supervisor_log is not None:
        b = system.supervisor_log
        ch = channel_of.get((b.client.name, b.slot))
        where = "channel %d" % ch.index if ch is not None else "direct"
        lines.append('  "root" [shape=house, label=%s];' % _q("root task"))
        lines.append('  "root" -> %s [label=%s];' % (_q("instance_" + b.provider.name),
                                                   _q("log (supervision, %s)" % where)))
    for inst in sorted(system.instances.values(), key=lambda i: i.name):
        for use in inst.devices:
            if use.device is None:
                lines.append('  %s -> %s [style="dotted", label=%s];' %
                             (_q("instance_" + inst.name),
                              _q("found_%s_%s" % (inst.name, use.need)), _q(use.need)))
                continue
            lines.append('  %s -> %s [style="dotted", label=%s];' %
                         (_q("instance_" + inst.name), _q("device_" + use.device.name),
                          _q(use.need)))
            if use.device.irq:
                lines.append('  %s -> %s [style="dotted"];' %
                             (_q("irq_%d" % use.device.irq), _q("instance_" + inst.name)))
    for use in out.dma_regions:
        lines.append('  %s -> %s [style="dotted", label=%s];' %
                     (_q("instance_" + use.instance.name), _q("dma_" + use.name()),
                      _q("dma " + use.need.name)))
    for inst in granted_system:
        lines.append('  %s -> "system" [style="dotted", label=%s];' %
                     (_q("instance_" + inst.name), _q(_SYSTEM[inst.system])))
    for inst in granted_spawn:
        lines.append('  %s -> "spawn" [style="dotted", label=%s];' %
                     (_q("instance_" + inst.name), _q("starts processes")))
    lines.append("}")
    return "\n".join(lines) + "\n"


def plan(out):
    """The build plan for toolchain/system.bzl, as JSON text."""
    kernel = []
    processes = []
    for index, pl in enumerate(out.processes):
        comps = sorted({i.component.name for i in pl.process.instances if i.component})
        if pl.process.is_kernel():
            kernel = comps
        else:
            processes.append({"name": pl.process.name, "components": comps, "index": index,
                              "memory_kib": pl.process.quota["memory_kib"]})
    data = {"system": out.system.name, "kernel": kernel, "processes": processes}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
