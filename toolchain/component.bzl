"""component(): a ViperOS component, buildable for every placement.

    component(
        name = "kv_store",
        srcs = ["src/kv_store.c"],
        hdrs = ["include/kv_store/kv_store.h"],
        provides = ["//interfaces:kv"],
        slots = {"log": "//interfaces:log"},
        devices = {"uart": "pl011"},
        dma = {"ring": "contiguous:65536"},
        params = {"blocks": "2048 in 16..65536"},
        stack_kib = 8,
        heap_kib = 16,
        placements = ["kernel", "process"],
    )

builds a cc_library `name` (for the host, a process or the kernel, whichever
configuration asks) and `name_meta`, a JSON description the assembler reads:
the interfaces provided, the slots used (slot name to interface), the
devices needed (need name to board device kind, or a virtio kind such as
"virtio-blk" that the root task finds at boot), the DMA regions needed,
stack and heap needs, where the component may be placed, its need for the
system capability, and the BUILD file and line of the component() call
(for the assembler's diagnostics). Slot order is the order of `slots`,
device order that of `devices` and DMA order that of `dma`; the generated
header <name>_slots.h gives each slot's index as <NAME>_SLOT_<SLOT>, each
device need's index in the instance's env->devices as <NAME>_DEVICE_<NEED>
and each DMA need's index in env->dma as <NAME>_DMA_<NEED>.

`dma` maps a need's name to "contiguous:BYTES" (one physically contiguous
block, at most 4 MiB) or "scatter:BYTES" (pinned pages anywhere, at most
64 MiB, for scatter-gather). The assembler checks the sizes; a system
description grants each need with `dma { need: "..." }`. Without an IOMMU
a device reaches all physical memory, so a DMA grant is as strong as a
device grant (docs/components.md, "DMA regions").

`params` maps a parameter's name to "DEFAULT in MIN..MAX" (unsigned
integers): a number each instance may set in its system description
(`param { name: "blocks" value: 4096 }`) within the bounds, and otherwise
gets DEFAULT. The instance finds it in env->params[<NAME>_PARAM_<P>]
(<name>_slots.h), in declaration order; at most 8.

`system` declares that need: "" (the default) for none; "inspect" for the
capability's read right (list processes, memory and handles); "control" for
read and write (stop processes too). A system description grants it per
instance (`system: INSPECT` or `system: CONTROL`, at most what the component
declares), and the instance finds the handle in env->system.

`spawn = True` declares that the component starts processes: it needs the
spawn capability, which a system description grants per instance
(`spawn: true`), and the instance finds the handle in env->spawn.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("//toolchain/aarch64:flags.bzl", "COMPONENT_COPTS")

# The values of component(system = ...): none, the system capability's read
# right, or its read and write rights.
SYSTEM_NEEDS = ["", "inspect", "control"]

# The kinds of component(dma = ...) needs: "<kind>:<bytes>".
DMA_KINDS = ["contiguous", "scatter"]

# Parameters a component may declare (viper_instance_env.params).
MAX_PARAMS = 8

def _parse_param(component_name, param, spec):
    """The struct of parameter `param` = `spec` ("DEFAULT in MIN..MAX")."""
    default, sep, bounds = spec.partition(" in ")
    low, dots, high = bounds.partition("..")
    numbers = [default.strip(), low.strip(), high.strip()]
    if not sep or not dots or not all([n.isdigit() for n in numbers]):
        fail('component %s: param "%s" is "%s"; write "DEFAULT in MIN..MAX" with unsigned ' % (component_name, param, spec) +
             'integers, e.g. "2048 in 16..65536"')
    values = [int(n) for n in numbers]
    if not (values[1] <= values[0] and values[0] <= values[2]):
        fail('component %s: param "%s" is "%s": its default must lie within MIN..MAX' % (component_name, param, spec))
    return struct(name = param, default = values[0], min = values[1], max = values[2])

def _parse_dma(component_name, need, spec):
    """The struct of DMA need `need` = `spec` ("contiguous:BYTES" or "scatter:BYTES")."""
    kind, sep, number = spec.partition(":")
    digits = number[1:] if number.startswith("-") else number
    if not sep or kind not in DMA_KINDS or not digits or not digits.isdigit():
        fail('component %s: dma need "%s" is "%s"; write "contiguous:BYTES" for one ' % (component_name, need, spec) +
             'physically contiguous block (at most 4 MiB) or "scatter:BYTES" for pinned pages ' +
             'anywhere (at most 64 MiB), e.g. "contiguous:65536"')

    # The assembler judges the size (0, negative, over the kernel's limits).
    return struct(name = need, contiguous = kind == "contiguous", bytes = int(number))

ComponentInfo = provider(
    doc = "A component's declaration, for the assembler.",
    fields = {
        "name": "the component's name",
        "meta": "File: the JSON description",
        "interfaces": "depset of interface JSON Files it provides or uses",
    },
)

InterfaceInfo = provider(
    doc = "An interface generated by viper_interface().",
    fields = {
        "name": "the interface's name (the .proto stem)",
        "meta": "File: the interface JSON the generator wrote",
    },
)

def _component_meta_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".json")
    provides = [p[InterfaceInfo].name for p in ctx.attr.provides]
    slots = []
    for slot_name, index in zip(ctx.attr.slot_names, ctx.attr.slot_interface_index):
        iface = ctx.attr.slot_interfaces[index]
        slots.append(struct(name = slot_name, interface = iface[InterfaceInfo].name))
    meta = struct(
        name = ctx.attr.component_name,
        label = "//%s:%s" % (ctx.label.package, ctx.attr.component_name),
        build_file = ctx.label.package + "/BUILD",
        build_line = ctx.attr.build_line,
        provides = provides,
        slots = slots,
        devices = [struct(name = k, kind = v) for k, v in ctx.attr.devices.items()],
        dma = [_parse_dma(ctx.attr.component_name, k, v) for k, v in ctx.attr.dma.items()],
        params = [_parse_param(ctx.attr.component_name, k, v) for k, v in ctx.attr.params.items()],
        stack_kib = ctx.attr.stack_kib,
        heap_kib = ctx.attr.heap_kib,
        placements = ctx.attr.placements,
        active = ctx.attr.active,
        system = ctx.attr.system,
        spawn = ctx.attr.spawn,
    )
    ctx.actions.write(out, meta.to_json())
    ifaces = depset([p[InterfaceInfo].meta for p in ctx.attr.provides + ctx.attr.slot_interfaces])
    return [
        DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out])),
        ComponentInfo(name = ctx.attr.component_name, meta = out, interfaces = ifaces),
    ]

component_meta = rule(
    implementation = _component_meta_impl,
    attrs = {
        "component_name": attr.string(mandatory = True),
        # The line of the component() call in its BUILD file, for diagnostics.
        "build_line": attr.int(default = 1),
        "provides": attr.label_list(providers = [InterfaceInfo]),
        "slot_names": attr.string_list(),
        # Each interface once (a label list allows no duplicates), and per
        # slot the index of its interface in that list: several slots may
        # use one interface.
        "slot_interfaces": attr.label_list(providers = [InterfaceInfo]),
        "slot_interface_index": attr.int_list(),
        "devices": attr.string_dict(),
        "dma": attr.string_dict(),
        "params": attr.string_dict(),
        "stack_kib": attr.int(default = 8),
        "heap_kib": attr.int(default = 0),
        "placements": attr.string_list(default = ["kernel", "process"]),
        "active": attr.bool(default = False),
        "system": attr.string(default = "", values = SYSTEM_NEEDS),
        "spawn": attr.bool(default = False),
    },
)

def _slots_header_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.component_name + "_slots.h")
    guard = ctx.attr.component_name.upper() + "_SLOTS_H"
    lines = [
        "/* Generated by component() in //toolchain:component.bzl: do not edit. */",
        "#ifndef " + guard,
        "#define " + guard,
    ]
    for i, s in enumerate(ctx.attr.slot_names):
        lines.append("#define %s_SLOT_%s %d" % (ctx.attr.component_name.upper(), s.upper(), i))
    lines.append("#define %s_SLOT_COUNT %d" % (ctx.attr.component_name.upper(), len(ctx.attr.slot_names)))
    for i, d in enumerate(ctx.attr.device_names):
        lines.append("#define %s_DEVICE_%s %d" % (ctx.attr.component_name.upper(), d.upper(), i))
    lines.append("#define %s_DEVICE_COUNT %d" % (ctx.attr.component_name.upper(), len(ctx.attr.device_names)))
    for i, d in enumerate(ctx.attr.dma_names):
        lines.append("#define %s_DMA_%s %d" % (ctx.attr.component_name.upper(), d.upper(), i))
    lines.append("#define %s_DMA_COUNT %d" % (ctx.attr.component_name.upper(), len(ctx.attr.dma_names)))
    for i, p in enumerate(ctx.attr.param_names):
        lines.append("#define %s_PARAM_%s %d" % (ctx.attr.component_name.upper(), p.upper(), i))
    lines.append("#define %s_PARAM_COUNT %d" % (ctx.attr.component_name.upper(), len(ctx.attr.param_names)))
    lines.append("#endif")
    ctx.actions.write(out, "\n".join(lines) + "\n")
    return [DefaultInfo(files = depset([out]))]

_slots_header = rule(
    implementation = _slots_header_impl,
    attrs = {
        "component_name": attr.string(mandatory = True),
        "slot_names": attr.string_list(),
        "device_names": attr.string_list(),
        "dma_names": attr.string_list(),
        "param_names": attr.string_list(),
    },
)

def _call_line(rule_name):
    """The BUILD file line of the macro call that made rule `rule_name`, or 1."""
    rule = native.existing_rule(rule_name) or {}
    parts = (rule.get("generator_location") or "").split(":")  # "pkg/BUILD:LINE:COLUMN"
    if len(parts) >= 3 and parts[-2].isdigit():
        return int(parts[-2])
    return 1

def component(
        name,
        srcs,
        hdrs = [],
        provides = [],
        slots = {},
        devices = {},
        dma = {},
        params = {},
        stack_kib = 8,
        heap_kib = 0,
        placements = ["kernel", "process"],
        active = False,
        system = "",
        spawn = False,
        deps = [],
        visibility = None,
        **kwargs):
    """Declares component `name`; see the module docstring."""
    if system not in SYSTEM_NEEDS:
        fail('component %s: system = "%s" is not a need for the system capability; use ' % (name, system) +
             '"inspect" (read: list processes, memory and handles) or "control" (read and ' +
             'write: stop processes too), or leave it out for none')
    for need, spec in dma.items():
        _parse_dma(name, need, spec)
    if len(params) > MAX_PARAMS:
        fail("component %s: %d params, more than the %d an instance can be given" % (name, len(params), MAX_PARAMS))
    for param, spec in params.items():
        _parse_param(name, param, spec)
    slot_names = list(slots.keys())
    slot_ifaces = [slots[s] for s in slot_names]
    distinct_ifaces = []
    for i in slot_ifaces:
        if i not in distinct_ifaces:
            distinct_ifaces.append(i)
    _slots_header(
        name = name + "_slots_h",
        component_name = name,
        slot_names = slot_names,
        device_names = list(devices.keys()),
        dma_names = list(dma.keys()),
        param_names = list(params.keys()),
    )
    component_meta(
        name = name + "_meta",
        component_name = name,
        provides = provides,
        slot_names = slot_names,
        slot_interfaces = distinct_ifaces,
        slot_interface_index = [distinct_ifaces.index(i) for i in slot_ifaces],
        devices = devices,
        dma = dma,
        params = params,
        stack_kib = stack_kib,
        heap_kib = heap_kib,
        placements = placements,
        active = active,
        system = system,
        build_line = _call_line(name + "_slots_h"),
        spawn = spawn,
        visibility = visibility,
    )
    iface_libs = []
    for i in provides + slot_ifaces:
        if i not in iface_libs:
            iface_libs.append(i)
    # What a system links into the kernel: the library when the component may
    # be placed there, else nothing.
    if "kernel" in placements:
        native.alias(name = name + "_kernel", actual = ":" + name, visibility = visibility)
    else:
        native.filegroup(name = name + "_kernel", srcs = [], visibility = visibility)
    cc_library(
        name = name,
        srcs = srcs,
        copts = kwargs.pop("copts", []) + COMPONENT_COPTS,
        hdrs = hdrs + [":" + name + "_slots_h"],
        includes = ["include", "."],
        deps = deps + [i + "_c" for i in iface_libs] + ["//platform/component:api"],
        alwayslink = True,
        visibility = visibility,
        **kwargs
    )
