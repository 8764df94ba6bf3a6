"""viper_interface(): C glue and interface JSON for one interfaces/<svc>.proto.

    viper_interface(name = "kv", src = "kv.proto")

runs Debian's protoc with the nanopb plugin and the ViperOS interface
generator (//toolchain/interfaces:generate.py) and defines

- `:kv`: InterfaceInfo(name, meta) for component() and the assembler; its
  default output is the interface JSON (kv.interface.json);
- `:kv_c`: a cc_library with nanopb's kv.pb.c/.pb.h and the generated
  kv.viper.c/.h (server vtable, client stubs, dispatch). Include it as
  "kv.viper.h". It builds for the host, processes and the kernel.

`deps` are other viper_interface targets whose .proto files this one imports.

A released interface (the default) is checked against its committed record,
records/<name>.json next to the .proto (the interface-evolution gate of
toolchain/interfaces/evolution.py): the build fails on a change that breaks
peers built from the record, and on a missing record, with the command that
writes it. `released = False` is for test interfaces only, never in
//interfaces. See docs/interfaces.md.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("//toolchain/aarch64:flags.bzl", "COMPONENT_COPTS")
load("//toolchain:component.bzl", "InterfaceInfo")

NANOPB_PROTO_DIR = "/usr/lib/python3/dist-packages/proto"

_OPTIONS = "//interfaces:viper/options.proto"

def _interface_meta_impl(ctx):
    return [
        DefaultInfo(files = depset([ctx.file.json])),
        InterfaceInfo(name = ctx.attr.interface_name, meta = ctx.file.json),
    ]

_interface_meta = rule(
    implementation = _interface_meta_impl,
    attrs = {
        "interface_name": attr.string(mandatory = True),
        "json": attr.label(mandatory = True, allow_single_file = [".json"]),
    },
    provides = [InterfaceInfo],
)

def _record(stem, released):
    """The generator's --record argument and the record among the inputs."""
    package = native.package_name()
    if not released:
        if package == "interfaces":
            fail("viper_interface %s: interfaces in //interfaces are released: drop " % stem +
                 "released = False and record it (bazel run //interfaces:update_records -- " +
                 "%s)" % stem)
        return "", []
    record = "records/%s.json" % stem.split("/")[-1]
    if native.glob([record]):
        return " --record=$(location %s)" % record, [record]

    # No record yet: the generator reports it, naming the command that writes it.
    return " --record=%s%s" % (package + "/" if package else "", record), []

def viper_interface(name, src, deps = [], released = True, visibility = None):
    """Declares interface `name` from `src`; see the module docstring."""
    if not src.endswith(".proto"):
        fail("viper_interface: src must be a .proto file, not %s" % src)
    stem = src[:-len(".proto")]
    outs = [stem + s for s in [".pb.c", ".pb.h", ".viper.c", ".viper.h", ".interface.json"]]
    dep_protos = [d + "_proto" for d in deps]
    record_arg, record_srcs = _record(stem, released)
    native.filegroup(
        name = name + "_proto",
        srcs = [src],
        visibility = visibility,
    )
    native.genrule(
        name = name + "_generate",
        srcs = [src, _OPTIONS] + dep_protos + record_srcs,
        outs = outs,
        tools = [
            "//toolchain/interfaces:generate.py",
            "//toolchain/interfaces:generator_files",
        ],
        # viper/options.proto is imported by that name: its folder's parent is
        # an import directory. The generator runs first: it reports protoc's
        # errors, its own and the evolution gate's, as diagnostics on stderr
        # with file:line and a fix; nanopb's plugin then runs on a file known
        # to compile.
        cmd = " && ".join([
            "OPTS=$$(dirname $$(dirname $(location %s)))" % _OPTIONS,
            "/usr/bin/python3 $(location //toolchain/interfaces:generate.py) -I. -I$$OPTS " +
            "-I%s --out_dir=$(GENDIR)%s $(location %s)" % (NANOPB_PROTO_DIR, record_arg, src),
            ("{ /usr/bin/protoc -I. -I$$OPTS -I%s " % NANOPB_PROTO_DIR) +
            "'--nanopb_out=-xviper/options.proto:$(GENDIR)' $(location %s) " % src +
            "|| { echo 'viper_interface: protoc failed; run ./toolchain/setup' >&2; exit 1; }; }",
        ]),
        visibility = visibility,
    )
    _interface_meta(
        name = name,
        interface_name = stem.split("/")[-1],
        json = ":" + stem + ".interface.json",
        visibility = visibility,
    )
    cc_library(
        name = name + "_c",
        srcs = [stem + ".pb.c", stem + ".viper.c"],
        copts = COMPONENT_COPTS,
        hdrs = [stem + ".pb.h", stem + ".viper.h"],
        includes = ["."],
        deps = [
            "//platform/component:api",
            "//platform/component:nanopb",
            "//platform/component:rpc",
        ] + [d + "_c" for d in deps],
        visibility = visibility,
    )

def _cc_headers_impl(ctx):
    headers = depset(transitive = [d[CcInfo].compilation_context.headers for d in ctx.attr.deps])
    return [DefaultInfo(files = headers, runfiles = ctx.runfiles(transitive_files = headers))]

cc_headers = rule(
    implementation = _cc_headers_impl,
    doc = "The headers of cc_library `deps`, as files (for tests that compile by themselves).",
    attrs = {"deps": attr.label_list(providers = [CcInfo])},
)
