"""Kernels with a boot image of user programs.

`kernel_system(name, programs)` builds a bootable kernel ELF (`name.elf`)
whose boot image holds the user programs `programs` (cc_binary targets built
for //toolchain/platforms:aarch64_user). The first program is started as the
root process; each is named by its target name for process_spawn.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_library")
load("@viper_clang//:defs.bzl", "TOOLS")
load("//toolchain:component.bzl", "ComponentInfo")
load("//toolchain:target.bzl", "target_binary")
load("//toolchain/aarch64:flags.bzl", "COMMON_LINK", "LIBGCC", "PICOLIBC")

def kernel_binary(name, srcs, deps = [], components = "//platform/kernel:no_components", **kwargs):
    """The kernel's cc_binary: //platform/kernel:core plus `srcs` and `components`, linked with kernel.ld."""
    cc_binary(
        name = name,
        srcs = srcs,
        additional_linker_inputs = ["//platform/kernel:kernel.ld"],
        linkopts = ["-Wl,-T,$(location //platform/kernel:kernel.ld)"],
        target_compatible_with = ["//toolchain/platforms:kernel"],
        deps = ["//platform/kernel:core", "//platform/kernel:headers", components] + deps,
        **kwargs
    )

def _to_user_impl(settings, attr):
    return {"//command_line_option:platforms": str(Label("//toolchain/platforms:aarch64_user"))}

_to_user = transition(
    implementation = _to_user_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _boot_programs_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".S")
    args = ctx.actions.args()
    args.add(out)
    inputs = []
    for p in ctx.attr.programs:
        exe = p[DefaultInfo].files_to_run.executable
        if exe == None:
            fail("%s: %s is not a cc_binary" % (ctx.label, p.label))
        args.add(p.label.name)
        args.add(exe)
        inputs.append(exe)
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = inputs,
        outputs = [out],
        mnemonic = "BootPrograms",
        progress_message = "Packing the boot image of %s" % ctx.label,
    )
    return [DefaultInfo(files = depset([out]))]

boot_programs = rule(
    implementation = _boot_programs_impl,
    doc = "An assembly file holding the programs and the kernel's boot_programs table.",
    attrs = {
        "programs": attr.label_list(mandatory = True, cfg = _to_user),
        "_tool": attr.label(
            default = "//toolchain:boot_programs",
            executable = True,
            cfg = "exec",
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def kernel_system(name, programs, **kwargs):
    """A bootable kernel `name`.elf whose root process is programs[0]."""
    boot_programs(name = name + "_programs", programs = programs)
    kernel_binary(name = name + "_kernel", srcs = [":" + name + "_programs"])
    target_binary(name = name, src = ":" + name + "_kernel", environment = "kernel", **kwargs)

def user_program(name, srcs, deps = [], **kwargs):
    """A ViperOS user program: `srcs` with the runtime, linked with user.ld."""
    cc_binary(
        name = name,
        srcs = srcs,
        additional_linker_inputs = ["//platform/user:user.ld"],
        linkopts = ["-Wl,-T,$(location //platform/user:user.ld)"],
        target_compatible_with = ["//toolchain/platforms:user"],
        deps = ["//platform/user:runtime"] + deps,
        **kwargs
    )

def embedded_program(name, program, symbol, **kwargs):
    """A cc_library defining `const uint8_t symbol[]` and `const uint64_t symbol_size`.

    They hold the ELF file of user_program `program`, for a program that
    starts it with process_spawn_image: `program` is not in any boot image.
    """
    native.genrule(
        name = name + "_s",
        srcs = [program],
        outs = [name + ".S"],
        cmd = "$(location //toolchain:embed_bytes) $@ %s $(location %s)" % (symbol, program),
        tools = ["//toolchain:embed_bytes"],
        target_compatible_with = ["//toolchain/platforms:user"],
    )
    cc_library(
        name = name,
        srcs = [name + ".S"],
        target_compatible_with = ["//toolchain/platforms:user"],
        alwayslink = True,
        **kwargs
    )

# ---------------------------------------------------------------------------
# Assembled systems: viper_system().


def _to_kernel_impl(settings, attr):
    return {"//command_line_option:platforms": str(Label("//toolchain/platforms:aarch64_kernel"))}

_to_kernel = transition(
    implementation = _to_kernel_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _libraries(targets):
    """The static libraries of `targets` (CcInfo), as [(File, alwayslink)], in link order."""
    seen = {}
    out = []
    for t in targets:
        if CcInfo not in t:
            continue
        for li in t[CcInfo].linking_context.linker_inputs.to_list():
            for lib in li.libraries:
                f = lib.static_library or lib.pic_static_library
                if f == None or f.path in seen:
                    continue
                seen[f.path] = True
                out.append((f, lib.alwayslink))
    return out

def _lib_spec(libs):
    return [struct(path = f.path, whole = whole) for f, whole in libs]

def _assemble(ctx, outputs):
    """Runs the assembler on ctx's description; `outputs` maps its flags to declared files."""
    metas = [c[ComponentInfo].meta for c in ctx.attr.component_meta]
    ifaces = depset(transitive = [c[ComponentInfo].interfaces for c in ctx.attr.component_meta]).to_list()
    args = ctx.actions.args()
    args.add(ctx.file._assembler.path)
    args.add("--system", ctx.file.description)
    args.add("--board", ctx.file.board)
    for f in ctx.files.includes:
        args.add("--include", f)
    args.add("--only-declared-includes")
    for m in metas:
        args.add("--component", m)
    for i in ifaces:
        args.add("--interface", i)
    args.add("--manifest-proto", ctx.file._manifest_proto)
    for flag, f in outputs:
        args.add(flag, f)
    ctx.actions.run(
        executable = "/usr/bin/python3",
        arguments = [args],
        inputs = [ctx.file.description, ctx.file.board, ctx.file._manifest_proto] + ctx.files.includes +
                 metas + ifaces + ctx.files._assembler_srcs,
        outputs = [f for _, f in outputs],
        mnemonic = "AssembleSystem",
        progress_message = "Assembling system %s" % ctx.label,
    )

def _viper_system_impl(ctx):
    name = ctx.label.name
    manifest = ctx.actions.declare_file(name + "_manifest.bin")
    report = ctx.actions.declare_file(name + "_authority.txt")
    dot = ctx.actions.declare_file(name + ".dot")
    svg = ctx.actions.declare_file(name + ".svg")
    plan = ctx.actions.declare_file(name + "_plan.json")
    diagnostics = ctx.actions.declare_file(name + "_diagnostics.json")
    _assemble(ctx, [
        ("--manifest", manifest),
        ("--report", report),
        ("--dot", dot),
        ("--svg", svg),
        ("--plan", plan),
        ("--json", diagnostics),
    ])

    # Per component, the libraries of its user and kernel builds.
    components = {}
    user_base = _libraries(ctx.attr._process_base)
    root_base = _libraries(ctx.attr._root_base)
    kernel_base = _libraries(ctx.attr._kernel_base)
    all_libs = user_base + root_base + kernel_base
    for meta, user, kernel in zip(ctx.attr.component_meta, ctx.attr.user_libs, ctx.attr.kernel_libs):
        user_libs = _libraries([user])
        kernel_libs = _libraries([kernel])
        all_libs += user_libs + kernel_libs
        components[meta[ComponentInfo].name] = struct(
            user = _lib_spec(user_libs),
            kernel = _lib_spec(kernel_libs),
        )
    spec = struct(
        clang = TOOLS["clang"],
        link = COMMON_LINK,
        user_libs = [PICOLIBC + "/lib/libc.a", LIBGCC],
        user_ld = ctx.file._user_ld.path,
        kernel_ld = ctx.file._kernel_ld.path,
        process_base = _lib_spec(user_base),
        root_base = _lib_spec(root_base),
        kernel_base = _lib_spec(kernel_base),
        components = components,
    )
    spec_file = ctx.actions.declare_file(name + "_link.json")
    ctx.actions.write(spec_file, spec.to_json())

    elf = ctx.actions.declare_file(name + ".elf")
    programs = ctx.actions.declare_directory(name + "_programs")
    ctx.actions.run(
        executable = "/usr/bin/python3",
        arguments = [
            ctx.file._linker.path,
            spec_file.path,
            plan.path,
            manifest.path,
            ctx.file._boot_programs.path,
            elf.path,
            programs.path,
        ],
        inputs = depset([spec_file, plan, manifest, ctx.file._linker, ctx.file._boot_programs,
                         ctx.file._user_ld, ctx.file._kernel_ld] + [f for f, _ in all_libs]),
        outputs = [elf, programs],
        mnemonic = "LinkSystem",
        progress_message = "Linking system %s" % ctx.label,
    )
    return [
        DefaultInfo(files = depset([elf]), runfiles = ctx.runfiles(files = [elf])),
        OutputGroupInfo(
            assembly = depset([manifest, report, dot, svg, plan, diagnostics]),
            programs = depset([programs]),
        ),
    ]

_viper_system = rule(
    implementation = _viper_system_impl,
    doc = "A bootable system assembled from a system description (see docs/system-description.md).",
    attrs = {
        "description": attr.label(allow_single_file = [".textproto"], mandatory = True),
        "includes": attr.label_list(allow_files = [".textproto"]),
        "board": attr.label(allow_single_file = [".textproto"], mandatory = True),
        "component_meta": attr.label_list(providers = [ComponentInfo]),
        "user_libs": attr.label_list(cfg = _to_user),
        "kernel_libs": attr.label_list(cfg = _to_kernel),
        "_process_base": attr.label_list(
            cfg = _to_user,
            default = [
                "//platform/component:process_host",
                "//platform/component:process_runtime",
            ],
        ),
        "_root_base": attr.label_list(cfg = _to_user, default = ["//platform/root:root_task"]),
        "_kernel_base": attr.label_list(
            cfg = _to_kernel,
            default = ["//platform/kernel:core", "//platform/component:kernel_host"],
        ),
        "_assembler": attr.label(default = "//toolchain/assembler:assemble.py", allow_single_file = True),
        "_assembler_srcs": attr.label(default = "//toolchain/assembler:assembler_files"),
        "_manifest_proto": attr.label(default = "//platform/manifest:manifest.proto", allow_single_file = True),
        "_linker": attr.label(default = "//toolchain:link_system.py", allow_single_file = True),
        "_boot_programs": attr.label(default = "//toolchain:boot_programs.py", allow_single_file = True),
        "_user_ld": attr.label(default = "//platform/user:user.ld", allow_single_file = True),
        "_kernel_ld": attr.label(default = "//platform/kernel:kernel.ld", allow_single_file = True),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)

def _component_label(c):
    """'//components/kv_store' -> ('//components/kv_store:kv_store')."""
    if ":" in c:
        return c
    return c + ":" + c.rsplit("/", 1)[-1]

def viper_system(name, description, components, board = "//system/qemu_virt:board.textproto", includes = [], **kwargs):
    """A bootable kernel `name`.elf assembled from `description` (docs/system-description.md).

    `includes` lists every description that `description` includes, directly
    or through another (an overlay's chain, docs/system-description.md
    "Overlays"): the assembler reads no other. `components` lists every
    component the description may name. The
    assembler decides from the description alone which are linked into the
    kernel, which into which process. Also builds, in output group
    `assembly`: the boot manifest, the authority report (`name`_authority.txt),
    the system graph (`name`.dot, `name`.svg) and the link plan.
    """
    labels = [_component_label(c) for c in components]
    _viper_system(
        name = name,
        description = description,
        includes = includes,
        board = board,
        component_meta = [l + "_meta" for l in labels],
        user_libs = labels,
        kernel_libs = [l + "_kernel" for l in labels],
        **kwargs
    )

_ASSEMBLER_ATTRS = {
    "description": attr.label(allow_single_file = [".textproto"], mandatory = True),
    "includes": attr.label_list(allow_files = [".textproto"]),
    "board": attr.label(allow_single_file = [".textproto"], mandatory = True),
    "component_meta": attr.label_list(providers = [ComponentInfo]),
    "_assembler": attr.label(default = "//toolchain/assembler:assemble.py", allow_single_file = True),
    "_assembler_srcs": attr.label(default = "//toolchain/assembler:assembler_files"),
    "_manifest_proto": attr.label(default = "//platform/manifest:manifest.proto", allow_single_file = True),
}

def _host_manifest_impl(ctx):
    name = ctx.label.name
    manifest = ctx.actions.declare_file(name + ".bin")
    diagnostics = ctx.actions.declare_file(name + "_diagnostics.json")
    _assemble(ctx, [("--manifest", manifest), ("--json", diagnostics)])
    source = ctx.actions.declare_file(name + ".c")
    ctx.actions.run(
        executable = "/usr/bin/python3",
        arguments = [ctx.file._embed.path, manifest.path, source.path],
        inputs = [manifest, ctx.file._embed],
        outputs = [source],
        mnemonic = "EmbedManifest",
    )
    return [DefaultInfo(files = depset([source]))]

_host_manifest = rule(
    implementation = _host_manifest_impl,
    doc = "A system's boot manifest as C source (viper_host_manifest), for viper_host_system.",
    attrs = dict(_ASSEMBLER_ATTRS, _embed = attr.label(
        default = "//toolchain:embed_manifest.py",
        allow_single_file = True,
    )),
)

def viper_host_system(name, description, components, board = "//system/qemu_virt:board.textproto", includes = [], **kwargs):
    """A cc_library running system `description` on the host (viper/host_system.h).

    The description (with its `includes`) is assembled as for viper_system; the library holds its
    manifest (viper_host_manifest) and the host builds of `components`, and
    a test starts it with viper_host_system_start(viper_host_manifest, ...).
    Link the test with linkstatic = True.
    """
    labels = [_component_label(c) for c in components]
    _host_manifest(
        name = name + "_manifest",
        description = description,
        includes = includes,
        board = board,
        component_meta = [l + "_meta" for l in labels],
        testonly = kwargs.get("testonly", False),
    )
    native.cc_library(
        name = name,
        srcs = [":" + name + "_manifest"],
        deps = labels + ["//platform/component:host_system"],
        alwayslink = True,
        **kwargs
    )

def viper_host_system_test(name, description, components, includes = [], **kwargs):
    """A GoogleTest running system `description` whole on the host: every
    active instance must return 0 (platform/component/test/whole_system_test.cc)."""
    viper_host_system(
        name = name + "_system",
        description = description,
        includes = includes,
        components = components,
        testonly = True,
    )
    native.cc_test(
        name = name,
        size = "small",
        srcs = ["//platform/component:test/whole_system_test.cc"],
        linkstatic = True,
        deps = [
            ":" + name + "_system",
            "@googletest//:gtest_main",
        ],
        **kwargs
    )
