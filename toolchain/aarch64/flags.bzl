"""Compiler and linker flags of the aarch64 toolchains, shared with the system linker
(//toolchain:system.bzl links assembled systems with the same flags)."""

PICOLIBC = "/usr/lib/picolibc/aarch64-linux-gnu"
LIBGCC = "/usr/lib/gcc-cross/aarch64-linux-gnu/12/libgcc.a"

# Flags shared by both variants. The prefix maps and -no-canonical-prefixes
# keep absolute build paths out of the outputs, so two clean builds in
# different output bases give bit-identical images.
COMMON_COMPILE = [
    "--target=aarch64-none-elf",
    "-mcpu=cortex-a72",
    "-ffreestanding",
    "-fno-common",
    "-fno-stack-protector",
    "-fno-pic",
    "-ffunction-sections",
    "-fdata-sections",
    "-O2",
    "-g",
    "-no-canonical-prefixes",
    "-fdebug-compilation-dir=.",
    "-ffile-prefix-map=/proc/self/cwd=.",
    "-Werror=date-time",
]

COMMON_LINK = [
    "--target=aarch64-none-elf",
    "-fuse-ld=lld",
    "-nostdlib",
    "-static",
    "-Wl,--build-id=none",
    "-Wl,--gc-sections",
    "-Wl,-z,max-page-size=4096",
]

VARIANTS = {
    "kernel": struct(
        compile = ["-mgeneral-regs-only", "-mstrict-align"],
        link = [],
        includes = [],
    ),
    "user": struct(
        compile = ["-isystem", PICOLIBC + "/include"],
        link = [PICOLIBC + "/lib/libc.a", LIBGCC],
        includes = [PICOLIBC + "/include"],
    ),
}


# Component code keeps the kernel's rule in a process too: no FP/SIMD. Applied
# to components, their generated interface glue, nanopb, the component
# runtime and the user string functions, so the same code behaves alike in
# every placement, and a server's thread switches never save FP state for
# the compiler's vector copies. In the kernel the same code may use
# unaligned accesses (-munaligned-access, the negation of -mstrict-align): it runs on kernel threads, after
# the MMU is on and with SCTLR_EL1.A clear, on normal memory (devices it
# reaches through volatile accessors of their registers' own widths), so its
# small copies and clears stay inline as they are in a process. The rest of
# the kernel keeps -mstrict-align: it runs before the MMU is on too. Host
# builds get no flag.
COMPONENT_COPTS = select({
    "@//toolchain/platforms:user_config": ["-mgeneral-regs-only"],
    "@//toolchain/platforms:kernel_config": ["-munaligned-access"],
    "//conditions:default": [],
})
