"""The aarch64-none-elf C toolchains: clang 14 and ld.lld, in two variants.

- kernel: freestanding, no C library, and no FP/SIMD (-mgeneral-regs-only), so
  kernel code never touches registers the kernel does not save.
- user: picolibc's headers and libc.a plus GCC's libgcc.a for the compiler
  runtime helpers clang 14 lacks for aarch64; FP/SIMD allowed (the kernel
  enables it for EL0 and saves it per thread).

Which variant a target gets is chosen by the Bazel platform it is built for
(//toolchain/platforms), never by #ifdef.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load(
    "@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl",
    "feature",
    "flag_group",
    "flag_set",
    "tool_path",
)
load("@viper_clang//:defs.bzl", "CLANG_RESOURCE_DIRS", "TOOLS")
load(":flags.bzl", "COMMON_COMPILE", "COMMON_LINK", "VARIANTS")

_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _impl(ctx):
    variant = VARIANTS[ctx.attr.variant]
    tool_paths = [
        tool_path(name = "gcc", path = TOOLS["clang"]),
        tool_path(name = "ld", path = TOOLS["lld"]),
        tool_path(name = "ar", path = TOOLS["ar"]),
        tool_path(name = "cpp", path = TOOLS["clang"]),
        tool_path(name = "nm", path = TOOLS["nm"]),
        tool_path(name = "objcopy", path = TOOLS["objcopy"]),
        tool_path(name = "objdump", path = TOOLS["objdump"]),
        tool_path(name = "strip", path = TOOLS["strip"]),
        tool_path(name = "gcov", path = "/bin/false"),
    ]
    features = [
        feature(
            name = "viperos_compile_flags",
            enabled = True,
            flag_sets = [
                flag_set(
                    actions = _COMPILE_ACTIONS,
                    flag_groups = [flag_group(flags = COMMON_COMPILE + variant.compile)],
                ),
            ],
        ),
        feature(
            name = "viperos_link_flags",
            enabled = True,
            flag_sets = [
                flag_set(
                    actions = _LINK_ACTIONS,
                    flag_groups = [flag_group(flags = COMMON_LINK)],
                ),
            ],
        ),
        # Libraries the variant's programs link against, after the objects.
        feature(
            name = "viperos_link_libraries",
            enabled = True,
            flag_sets = [
                flag_set(
                    actions = _LINK_ACTIONS,
                    flag_groups = [flag_group(flags = variant.link)] if variant.link else [],
                ),
            ],
        ),
        feature(name = "supports_pic", enabled = False),
        feature(name = "supports_dynamic_linker", enabled = False),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = "aarch64-none-elf-clang-" + ctx.attr.variant,
        host_system_name = "x86_64-linux-gnu",
        target_system_name = "aarch64-none-elf",
        target_cpu = "aarch64",
        target_libc = "picolibc" if ctx.attr.variant == "user" else "none",
        compiler = "clang",
        abi_version = "aarch64",
        abi_libc_version = "none",
        tool_paths = tool_paths,
        features = features,
        cxx_builtin_include_directories = [
            d + "/include"
            for d in CLANG_RESOURCE_DIRS
        ] + variant.includes,
    )

cc_toolchain_config = rule(
    implementation = _impl,
    attrs = {
        "variant": attr.string(mandatory = True, values = ["kernel", "user"]),
    },
    provides = [CcToolchainConfigInfo],
)
