#!/usr/bin/python3
"""The one place that knows how ViperOS boots on QEMU virt.

Used by ./run (as a program) and by the QEMU test runner (as a module), so
both start the machine the same way.
"""

import argparse
import os
import sys

QEMU = "/usr/bin/qemu-system-aarch64"


class _VirtioDevice(argparse.Action):
    """Collects --virtio-rng and --virtio-blk in the order given: QEMU virt
    puts the first -device in virtio-mmio slot 31, the next in 30, and so
    on, so the order decides which slot holds which device."""

    def __call__(self, parser, namespace, value, option_string=None):
        devices = list(getattr(namespace, "virtio", None) or [])
        kind = {"--virtio-rng": "rng", "--virtio-blk": "blk", "--virtio-net": "net"}[option_string]
        if kind == "net" and not _net_backend(value):
            parser.error("--virtio-net takes isolated, user or dgram:LOCAL_PORT:REMOTE_PORT, "
                         "not '%s'" % value)
        devices.append((kind, value))
        namespace.virtio = devices


def _net_backend(value):
    """The -netdev options (without id) for a --virtio-net BACKEND, or None."""
    if value == "isolated":
        # QEMU's user networking with restrict=on: DHCP answers, nothing leaves.
        return "user,restrict=on,ipv4=on,ipv6=on"
    if value == "user":
        return "user,ipv4=on,ipv6=on"
    parts = value.split(":")
    if len(parts) == 3 and parts[0] == "dgram" and all(p.isdigit() for p in parts[1:]):
        return ("dgram,local.type=inet,local.host=127.0.0.1,local.port=%s,"
                "remote.type=inet,remote.host=127.0.0.1,remote.port=%s" % (parts[1], parts[2]))
    return None


def has_network(args):
    """Whether the machine has a network device (which tests boot only in a
    loopback-only network namespace)."""
    return any(kind == "net" for kind, _ in args.virtio)


def add_machine_args(parser):
    """Adds the options that describe the virtual machine."""
    parser.add_argument("--gic", choices=["2", "3"], default="2",
                        help="GIC version (default 2)")
    parser.add_argument("--smp", type=int, default=1, help="number of CPUs (default 1)")
    parser.add_argument("--mem", default="128M", help="memory size (default 128M)")
    parser.add_argument("--el2", action="store_true",
                        help="start the kernel at EL2 (virtualization=on)")
    parser.add_argument("--icount", action="store_true",
                        help="count instructions exactly (-icount shift=0), for benchmarks")
    parser.add_argument("--append", default="", help="kernel command line (bootargs)")
    parser.add_argument("--dtb", help="boot with this device tree instead of QEMU's own")
    parser.add_argument("--virtio-rng", nargs=0, action=_VirtioDevice, dest="virtio",
                        help="add a virtio-rng device (repeatable; the order of --virtio-* "
                        "options is the order of the slots, from virtio31 down)")
    parser.add_argument("--virtio-blk", metavar="IMAGE", action=_VirtioDevice, dest="virtio",
                        help="add a virtio-blk device backed by the raw image IMAGE")
    parser.add_argument("--virtio-net", metavar="BACKEND", action=_VirtioDevice, dest="virtio",
                        help="add a virtio-net device: 'isolated' (user networking with "
                        "restrict=on: DHCP, nothing reaches out), 'user' (QEMU user "
                        "networking: the host is 10.0.2.2) or 'dgram:LOCAL:REMOTE' (frames "
                        "in UDP datagrams between 127.0.0.1 ports, for a relay)")
    parser.add_argument("--hostfwd", action="append", default=[], metavar="RULE",
                        help="with --virtio-net user: forward a host port to the guest, "
                        "e.g. tcp:127.0.0.1:5555-:7 (repeatable)")
    parser.add_argument("--virtio-modern", action="store_true",
                        help="virtio-mmio devices speak version 2 (modern), not QEMU 7.2's "
                        "default version 1 (legacy)")
    parser.set_defaults(virtio=[])


def command(image, args, interactive):
    """Returns the QEMU command line booting `image` with the chosen machine."""
    machine = "virt,gic-version=%s" % args.gic
    if args.el2:
        machine += ",virtualization=on"
    cmd = [QEMU, "-M", machine, "-cpu", "cortex-a72", "-smp", str(args.smp),
           "-m", args.mem, "-kernel", image, "-no-reboot", "-nic", "none"]
    if args.append:
        cmd += ["-append", args.append]
    if args.dtb:
        cmd += ["-dtb", args.dtb]
    if args.icount:
        cmd += ["-icount", "shift=0"]
    if args.virtio_modern:
        cmd += ["-global", "virtio-mmio.force-legacy=false"]
    for n, (kind, image) in enumerate(args.virtio):
        if kind == "rng":
            cmd += ["-device", "virtio-rng-device"]
        elif kind == "net":
            netdev = _net_backend(image)
            if image == "user":
                netdev += "".join(",hostfwd=" + rule for rule in args.hostfwd)
            cmd += ["-netdev", "%s,id=net%d" % (netdev, n),
                    "-device", "virtio-net-device,netdev=net%d,mac=52:54:00:12:34:%02x"
                    % (n, 0x56 + n)]
        else:
            cmd += ["-drive", "if=none,format=raw,id=disk%d,file=%s" % (n, image),
                    "-device", "virtio-blk-device,drive=disk%d" % n]
    if interactive:
        # Serial and QEMU monitor share the terminal: Ctrl-A X quits, Ctrl-A C
        # switches to the monitor.
        cmd += ["-nographic"]
    else:
        cmd += ["-nodefaults", "-display", "none", "-serial", "stdio"]
    return cmd


def main():
    parser = argparse.ArgumentParser(description="Boot a ViperOS image on QEMU virt.")
    parser.add_argument("image", help="kernel ELF to boot")
    add_machine_args(parser)
    args = parser.parse_args()
    if not os.path.exists(args.image):
        sys.exit("qemu_virt: no image at %s" % args.image)
    cmd = command(args.image, args, interactive=sys.stdin.isatty())
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main()
