"""net_test: boot an image with a network device, inside a fresh network
namespace, with host-side peers, and check its serial output.

    load("//tests/network:net_test.bzl", "host", "net_test")
    load("//tests/qemu:qemu_test.bzl", "expect", "send")

    net_test(
        name = "microkernel_fetch",
        image = "//system/qemu_virt:microkernel",
        disks = ["//system/qemu_virt:disk"],
        machine = ["--virtio-blk", "@disk/0", "--virtio-rng", "--virtio-net", "user"],
        peers = ["http", "dns", "sink"],
        hostfwd = [7],
        steps = [
            expect("SYS:> "),
            send("fetch http://test-host:{http_port}/files/1m TO x.bin HASH\\n"),
            expect("{sha256:/files/1m}"),
            send("echoservice 7 COUNT 1\\n"),
            host("echo 1048576 7"),
            send("EndShell\\n"),
        ],
        exit = True,
    )

The steps are qemu_test's expect()/send()/reboot() plus host(action);
placeholders and actions are described in tests/network/net_test.py and
tests/network/README.md. `net` is "user" (slirp), "lossy-tap" (root only)
or "lossy-slirp"; `drop_permille`, `reorder_permille` and `seed` tune the
lossy relay. The network device is the machine's `--virtio-net` (its slot
kept, its backend set by `net`) or one added after the other devices.
"""

load("//tests/qemu:qemu_test.bzl", "DEFAULT_FORBID")

def host(action):
    """A host-side action (see net_test.py), such as "echo 16777216 7"."""
    return "host:" + action

def _spec_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".json")
    spec = struct(
        steps = ctx.attr.steps,
        forbid = ctx.attr.forbid,
        require = ctx.attr.require,
        exit = ctx.attr.exit,
        timeout = ctx.attr.timeout_seconds,
        machine = ctx.attr.machine,
        net = ctx.attr.net,
        peers = ctx.attr.peers,
        hostfwd = ctx.attr.hostfwd,
        source_bytes = ctx.attr.source_bytes,
        # Starlark's to_json has no floats: net_test.py divides by 1000.
        drop_permille = ctx.attr.drop_permille,
        reorder_permille = ctx.attr.reorder_permille,
        seed = ctx.attr.seed,
    )
    ctx.actions.write(out, spec.to_json())
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

_net_spec = rule(
    implementation = _spec_impl,
    attrs = {
        "steps": attr.string_list(),
        "forbid": attr.string_list(),
        "require": attr.string_list(),
        "exit": attr.bool(),
        "timeout_seconds": attr.int(),
        "machine": attr.string_list(),
        "net": attr.string(values = ["user", "lossy-tap", "lossy-slirp"]),
        "peers": attr.string_list(),
        "hostfwd": attr.int_list(),
        "source_bytes": attr.int(),
        "drop_permille": attr.int(),
        "reorder_permille": attr.int(),
        "seed": attr.string(),
    },
)

def net_test(
        name,
        image,
        steps,
        peers = [],
        hostfwd = [],
        net = "user",
        forbid = DEFAULT_FORBID,
        require = [],
        exit = False,
        machine = [],
        disks = [],
        source_bytes = 16777216,
        drop_permille = 50,
        reorder_permille = 20,
        seed = "1",
        timeout_seconds = 120,
        size = "medium",
        tags = [],
        **kwargs):
    """Defines a test that boots `image` with a virtio-net device and runs
    `steps` against the `peers` ("http", "dns", "sink", "source", "tls";
    "tls", the TLS servers of tls_peers.py, needs "http" too).

    `disks` are built disk images the machine options name as "@disk/N".
    """
    _net_spec(
        name = name + "_spec",
        steps = steps,
        forbid = forbid,
        require = require,
        exit = exit,
        timeout_seconds = timeout_seconds,
        machine = machine,
        net = net,
        peers = peers,
        hostfwd = hostfwd,
        source_bytes = source_bytes,
        drop_permille = drop_permille,
        reorder_permille = reorder_permille,
        seed = seed,
        testonly = True,
    )
    native.sh_test(
        name = name,
        srcs = ["//tests/network:net_test.py"],
        args = [
            "--launcher",
            "$(rootpath //toolchain:qemu_virt.py)",
            "--runner",
            "$(rootpath //tests/qemu:runner.py)",
            "--image",
            "$(rootpath %s)" % image,
            "--spec",
            "$(rootpath :%s_spec)" % name,
        ] + [a for d in disks for a in ["--disk", "$(rootpath %s)" % d]],
        data = [
            image,
            ":%s_spec" % name,
            "//toolchain:qemu_virt.py",
            "//tests/qemu:runner.py",
            "//tests/network:net_test_lib",
        ] + disks,
        size = size,
        tags = ["qemu", "network"] + tags,
        **kwargs
    )
