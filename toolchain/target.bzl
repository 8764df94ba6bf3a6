"""Rules that build aarch64 programs from inside an ordinary host build.

`target_binary` builds a cc_binary for one of the aarch64 platforms
(//toolchain/platforms:aarch64_kernel or :aarch64_user) through a
configuration transition, so `bazel test //...` builds host GoogleTests and
bootable images in one run.
"""

_PLATFORMS = {
    "kernel": "//toolchain/platforms:aarch64_kernel",
    "user": "//toolchain/platforms:aarch64_user",
}

def _to_target_impl(settings, attr):
    return {"//command_line_option:platforms": str(Label(_PLATFORMS[attr.environment]))}

_to_target = transition(
    implementation = _to_target_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)

def _target_binary_impl(ctx):
    src = ctx.attr.src[0][DefaultInfo].files_to_run.executable
    if src == None:
        fail("%s: src must be a cc_binary" % ctx.label)
    out = ctx.actions.declare_file(ctx.label.name + ".elf")
    ctx.actions.symlink(output = out, target_file = src)
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

target_binary = rule(
    implementation = _target_binary_impl,
    doc = "An aarch64 ELF built from `src` for the kernel or user environment.",
    attrs = {
        "src": attr.label(mandatory = True, cfg = _to_target, doc = "A cc_binary."),
        "environment": attr.string(
            mandatory = True,
            values = ["kernel", "user"],
            doc = "kernel: runs at EL1 without FP/SIMD; user: picolibc, FP/SIMD allowed.",
        ),
        "_allowlist_function_transition": attr.label(
            default = "@bazel_tools//tools/allowlists/function_transition_allowlist",
        ),
    },
)
