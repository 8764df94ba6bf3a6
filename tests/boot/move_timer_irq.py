#!/usr/bin/python3
"""Writes a copy of a flattened device tree whose virtual timer names another
interrupt: the `interrupts` property of the node compatible with
"arm,armv8-timer" gets PPI number NEW for its third entry (the virtual
timer, PPI 11 on QEMU virt). The kernel then enables an interrupt the timer
never raises, as with a wrong device tree, and must refuse to boot with a
clear panic (//tests/boot:boot_timer_interrupt_missing_*). The copy is
packed (its free space dropped, as libfdt's fdt_pack does) so that QEMU
finds room for it below the kernel.

Usage: move_timer_irq.py IN.dtb OUT.dtb NEW
"""

import struct
import sys

FDT_MAGIC = 0xD00DFEED
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9


def align4(n):
    return (n + 3) & ~3


def pack(blob):
    """Drops the free space after the last block (QEMU dumps 1 MiB trees)."""
    _magic, _total, off_struct, off_strings, off_rsv = struct.unpack_from(">IIIII", blob, 0)
    size_strings, size_struct = struct.unpack_from(">II", blob, 32)
    end = max(off_struct + size_struct, off_strings + size_strings, off_rsv + 16)
    end = (end + 7) & ~7
    out = bytearray(blob[:end])
    struct.pack_into(">I", out, 4, end)
    return bytes(out)


def patch(blob, new_ppi):
    magic, _total, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
    if magic != FDT_MAGIC:
        sys.exit("move_timer_irq: not a device tree")
    out = bytearray(blob)

    def name_at(off):
        end = blob.index(b"\0", off_strings + off)
        return blob[off_strings + off:end].decode()

    pos = off_struct
    stack = []  # per open node: {"timer": bool, "interrupts": offset of the value}
    while True:
        (token,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if token == BEGIN_NODE:
            end = blob.index(b"\0", pos)
            pos = align4(end + 1)
            stack.append({"timer": False, "interrupts": None})
        elif token == PROP:
            length, nameoff = struct.unpack_from(">II", blob, pos)
            value = pos + 8
            name = name_at(nameoff)
            if name == "compatible" and b"arm,armv8-timer" in blob[value:value + length]:
                stack[-1]["timer"] = True
            if name == "interrupts" and length >= 36:
                stack[-1]["interrupts"] = value
            pos = align4(value + length)
        elif token == END_NODE:
            node = stack.pop()
            if node["timer"] and node["interrupts"] is not None:
                # Entry 2 (the virtual timer): cells type, number, flags.
                struct.pack_into(">I", out, node["interrupts"] + 2 * 12 + 4, new_ppi)
                return pack(out)
        elif token == NOP:
            continue
        elif token == END:
            sys.exit("move_timer_irq: no arm,armv8-timer node with interrupts")
        else:
            sys.exit("move_timer_irq: bad token %d" % token)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        blob = f.read()
    with open(sys.argv[2], "wb") as f:
        f.write(patch(blob, int(sys.argv[3])))


if __name__ == "__main__":
    main()
