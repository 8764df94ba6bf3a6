"""A kernel test suite: one user program booted as the root process of its
own system, on GICv2 with one CPU and on GICv3 with two."""

load("//tests/qemu:qemu_test.bzl", "expect", "qemu_test")
load("//toolchain:system.bzl", "kernel_system")

def kernel_suite(name, program, title, passed):
    """The system `name` with `program` as root, and its tests.

    Args:
      name: the kernel_system target.
      program: the user_program label's name (no colon); the tests are
        <program>_gicv2_smp1 and <program>_gicv3_smp2.
      title: what the suite's first line names: "<program>: <title> on N CPU".
      passed: how many checks must pass, none failing.
    """
    kernel_system(
        name = name,
        programs = [":" + program],
    )
    for gic, smp in [("gicv2", 1), ("gicv3", 2)]:
        qemu_test(
            name = "%s_%s_smp%d" % (program, gic, smp),
            exit = True,
            image = ":" + name,
            machine = ["--gic", gic[-1], "--smp", str(smp), "--mem", "256M"],
            steps = [
                expect("%s: %s on %d CPU" % (program, title, smp)),
                expect("%d passed, 0 failed" % passed),
                expect("root process exited with status 0"),
            ],
            timeout_seconds = 120,
        )
