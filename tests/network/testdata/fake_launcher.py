"""Stands in for toolchain/qemu_virt.py in net_test_test.py: the machine
options and the command line are qemu_virt.py's own, but the program run is
testdata/fake_guest.py (with QEMU's arguments), which plays a guest behind
slirp."""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _qemu_virt():
    for where in (os.path.join(HERE, "..", "..", "..", "toolchain", "qemu_virt.py"),
                  os.path.join(os.environ.get("TEST_SRCDIR", ""),
                               os.environ.get("TEST_WORKSPACE", "viperos"),
                               "toolchain", "qemu_virt.py")):
        if os.path.exists(where):
            spec = importlib.util.spec_from_file_location("real_qemu_virt", where)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            return module
    raise RuntimeError("no toolchain/qemu_virt.py")


_REAL = _qemu_virt()
add_machine_args = _REAL.add_machine_args
has_network = _REAL.has_network


def command(image, args, interactive):
    cmd = _REAL.command(image, args, interactive)
    return [sys.executable, os.path.join(HERE, "fake_guest.py")] + cmd[1:]
