"""Kernels with a boot image of user programs.

`kernel_system(name, programs)` builds a bootable kernel ELF (`name.elf`)
whose boot image holds the user programs `programs` (cc_binary targets built
for //toolchain/platforms:aarch64_user). The first program is started as the
root process; each is named by its target name for process_spawn.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary")
load("//toolchain:target.bzl", "target_binary")

def kernel_binary(name, srcs, deps = [], **kwargs):
    """The kernel's cc_binary: //platform/kernel:core plus `srcs`, linked with kernel.ld."""
    cc_binary(
        name = name,
        srcs = srcs,
        additional_linker_inputs = ["//platform/kernel:kernel.ld"],
        linkopts = ["-Wl,-T,$(location //platform/kernel:kernel.ld)"],
        target_compatible_with = ["//toolchain/platforms:kernel"],
        deps = ["//platform/kernel:core", "//platform/kernel:headers"] + deps,
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
