#!/usr/bin/python3
"""Packs the Linux peer's initramfs (tests/benchmarks/linux_peer/README.md).

Writes a gzip-compressed cpio archive in the "newc" format the kernel
unpacks, without the cpio tool and byte for byte the same for the same
inputs (every time stamp 0, owner root, entries in a fixed order):

    /init                 the busybox script (tests/benchmarks/linux_peer/init)
    /bin/busybox          from the unpacked busybox-static package
    /storage_bench        the benchmark program (--program-name NAME: /NAME)
    /lib/modules/NAME.ko  the kernel modules asked for and what they depend
                          on (read from each module's .modinfo section)
    /etc/modules          their names, dependencies first: the load order
    /dev/console          so /init has a console before devtmpfs is mounted
    /DEST                 each --file DEST=SOURCE (a data file, not executable)
    /proc /sys /mnt ...   empty mount points

usage: pack_initramfs.py --kernel-tree DIR --busybox-tree DIR --program FILE
                         [--program-name NAME] --init FILE [--module NAME]...
                         [--file DEST=SOURCE]... OUT.gz
"""

import argparse
import gzip
import os
import struct
import sys

DIRS = ["bin", "dev", "etc", "lib", "lib/modules", "mnt", "proc", "sbin", "sys", "usr",
        "usr/bin", "usr/sbin"]


class Archive:
    """A newc cpio archive built in memory."""

    def __init__(self):
        self.data = bytearray()
        self.ino = 0

    def _entry(self, name, mode, body=b"", rdev=(0, 0)):
        self.ino += 1
        encoded = name.encode() + b"\0"
        fields = [self.ino, mode, 0, 0, 2 if mode & 0o040000 else 1, 0, len(body), 0, 0,
                  rdev[0], rdev[1], len(encoded), 0]
        self.data += b"070701" + b"".join(b"%08X" % f for f in fields) + encoded
        self.data += b"\0" * (-len(self.data) % 4)
        self.data += body
        self.data += b"\0" * (-len(self.data) % 4)

    def directory(self, name):
        self._entry(name, 0o040755)

    def file(self, name, body, executable=False):
        self._entry(name, 0o100755 if executable else 0o100644, body)

    def char_device(self, name, major, minor):
        self._entry(name, 0o020600, rdev=(major, minor))

    def finish(self):
        self.ino = -1  # the trailer carries inode 0
        self._entry("TRAILER!!!", 0)
        return bytes(self.data)


def modinfo(path):
    """The key=value strings of a kernel module's .modinfo section."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        sys.exit("pack_initramfs: %s is not a 64-bit ELF module" % path)
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3A)

    def section(i):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return name, offset, size

    _, names_at, _ = section(shstrndx)
    for i in range(shnum):
        name, offset, size = section(i)
        if elf[names_at + name:elf.index(b"\0", names_at + name)] == b".modinfo":
            pairs = (s.decode().split("=", 1) for s in elf[offset:offset + size].split(b"\0")
                     if b"=" in s)
            info = {}
            for key, value in pairs:
                info.setdefault(key, value)
            return info
    return {}


def module_order(kernel_tree, wanted):
    """Paths of the wanted modules and their dependencies, dependencies first."""
    found = {}
    for top, _, files in os.walk(os.path.join(kernel_tree, "lib", "modules")):
        for f in files:
            if f.endswith(".ko"):
                found[f[:-3].replace("-", "_")] = os.path.join(top, f)
    order = []

    def visit(name, chain):
        name = name.replace("-", "_")
        if name in order:
            return
        if name in chain:
            sys.exit("pack_initramfs: modules depend on each other in a cycle: %s" % chain)
        if name not in found:
            sys.exit("pack_initramfs: no module %s.ko under %s/lib/modules" % (name, kernel_tree))
        for dep in filter(None, modinfo(found[name]).get("depends", "").split(",")):
            visit(dep, chain + [name])
        order.append(name)

    for name in wanted:
        visit(name, [])
    return [(name, found[name]) for name in order]


def pack(kernel_tree, busybox_tree, program, init, modules, program_name="storage_bench",
         files=()):
    archive = Archive()
    for d in DIRS:
        archive.directory(d)
    archive.char_device("dev/console", 5, 1)
    with open(os.path.join(busybox_tree, "bin", "busybox"), "rb") as f:
        archive.file("bin/busybox", f.read(), executable=True)
    order = module_order(kernel_tree, modules)
    for name, path in order:
        with open(path, "rb") as f:
            archive.file("lib/modules/%s.ko" % name, f.read())
    archive.file("etc/modules", "".join(name + "\n" for name, _ in order).encode())
    with open(program, "rb") as f:
        archive.file(program_name, f.read(), executable=True)
    with open(init, "rb") as f:
        archive.file("init", f.read(), executable=True)
    for dest, source in files:
        with open(source, "rb") as f:
            archive.file(dest, f.read())
    return archive.finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kernel-tree", required=True,
                        help="the unpacked linux-image package (has lib/modules/)")
    parser.add_argument("--busybox-tree", required=True,
                        help="the unpacked busybox-static package (has bin/busybox)")
    parser.add_argument("--program", required=True, help="the static benchmark program")
    parser.add_argument("--program-name", default="storage_bench",
                        help="its name in the archive's root (default storage_bench)")
    parser.add_argument("--init", required=True, help="the /init script")
    parser.add_argument("--module", action="append", default=[],
                        help="a kernel module to load at boot (repeatable)")
    parser.add_argument("--file", action="append", default=[], metavar="DEST=SOURCE",
                        help="also put the file SOURCE at /DEST (a name in the root; "
                        "repeatable)")
    parser.add_argument("out", help="the gzip-compressed cpio archive to write")
    args = parser.parse_args()
    files = []
    taken = set(DIRS) | {"init", "etc/modules", args.program_name}
    for spec in args.file:
        dest, _, source = spec.partition("=")
        if not dest or not source or "/" in dest or dest in taken:
            parser.error("--file takes DEST=SOURCE with DEST a new name in the root, not %r"
                         % spec)
        taken.add(dest)
        files.append((dest, source))
    cpio = pack(args.kernel_tree, args.busybox_tree, args.program, args.init, args.module,
                args.program_name, files)
    with open(args.out + ".new", "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as z:
            z.write(cpio)
    os.replace(args.out + ".new", args.out)


if __name__ == "__main__":
    sys.exit(main())
