"""qemu_test: boot an image in QEMU and check its serial output.

    qemu_test(
        name = "boot_gicv3",
        image = "//system/qemu_virt:default",
        steps = [expect("ViperOS"), send("poweroff\\n"), expect("powering off")],
        exit = True,
        machine = ["--gic", "3"],
    )

Steps run in order: expect(regex) waits for the pattern after the previous
match; send(text) types into the serial console. `forbid` patterns must never
appear. `require` patterns must appear somewhere, in any order: for lines
whose place against the steps is not fixed (another thread's report). Both
are checked once the steps are done (and, with exit = True, the guest has
powered off). With exit = True the guest must power off by itself. On
failure the test log shows the failed step and the whole serial output.
"""

DEFAULT_FORBID = [
    "kernel panic",
    "\\*\\*\\* \\S+ exception from",
    "kernel: bad (kfree|page free)",
]

def expect(regex):
    return "expect:" + regex

def send(text):
    return "send:" + text

def reboot():
    """Waits for the guest to power off, then boots it again on the same disks."""
    return "reboot:"

def _spec_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".json")
    spec = struct(
        steps = ctx.attr.steps,
        forbid = ctx.attr.forbid,
        require = ctx.attr.require,
        exit = ctx.attr.exit,
        timeout = ctx.attr.timeout_seconds,
        machine = ctx.attr.machine,
    )
    ctx.actions.write(out, spec.to_json())
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

_qemu_spec = rule(
    implementation = _spec_impl,
    attrs = {
        "steps": attr.string_list(),
        "forbid": attr.string_list(),
        "require": attr.string_list(),
        "exit": attr.bool(),
        "timeout_seconds": attr.int(),
        "machine": attr.string_list(),
    },
)

def qemu_test(
        name,
        image,
        steps,
        forbid = DEFAULT_FORBID,
        require = [],
        exit = False,
        machine = [],
        dtb = None,
        disks = [],
        timeout_seconds = 30,
        size = "small",
        tags = [],
        **kwargs):
    """Defines a test that boots `image` on QEMU virt and runs `steps`.

    `dtb`, a label, replaces QEMU's own device tree (for broken boards).
    `disks` are built disk images: `machine` names the Nth as "@disk/N", and
    the test boots on a writable copy of it.
    """
    _qemu_spec(
        name = name + "_spec",
        steps = steps,
        forbid = forbid,
        require = require,
        exit = exit,
        timeout_seconds = timeout_seconds,
        machine = machine,
        testonly = True,
    )
    native.sh_test(
        name = name,
        srcs = ["//tests/qemu:runner.py"],
        args = [
            "--launcher",
            "$(rootpath //toolchain:qemu_virt.py)",
            "--image",
            "$(rootpath %s)" % image,
            "--spec",
            "$(rootpath :%s_spec)" % name,
        ] + (["--dtb", "$(rootpath %s)" % dtb] if dtb else []) +
               [a for d in disks for a in ["--disk", "$(rootpath %s)" % d]],
        data = [
            image,
            ":%s_spec" % name,
            "//toolchain:qemu_virt.py",
            "//tests/network:netns.py",
        ] + ([dtb] if dtb else []) + disks,
        size = size,
        tags = ["qemu"] + tags,
        **kwargs
    )
