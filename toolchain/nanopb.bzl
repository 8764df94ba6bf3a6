"""nanopb_library: C messages generated from .proto files by nanopb.

    nanopb_library(name = "kv_proto", srcs = ["kv.proto"])

runs Debian's protoc with the nanopb plugin (protoc-gen-nanopb on
/usr/bin/python3) and builds the generated .pb.c files against the nanopb
runtime. The library builds for whatever configuration depends on it: host
tests and aarch64 images alike. `import "nanopb.proto";` resolves to the copy
Debian's nanopb package installs.
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

NANOPB_PROTO_DIR = "/usr/lib/python3/dist-packages/proto"

def nanopb_library(name, srcs, deps = [], visibility = None, **kwargs):
    """Generates and builds nanopb C code for the .proto files in `srcs`."""
    stems = [src[:-len(".proto")] for src in srcs]
    native.genrule(
        name = name + "_generate",
        srcs = srcs,
        outs = [s + ".pb.c" for s in stems] + [s + ".pb.h" for s in stems],
        cmd = ("/usr/bin/protoc -I. -I%s --nanopb_out=$(GENDIR) $(SRCS) " % NANOPB_PROTO_DIR) +
              "|| { echo 'nanopb_library: protoc failed; run ./toolchain/setup' >&2; exit 1; }",
        visibility = ["//visibility:private"],
    )
    cc_library(
        name = name,
        srcs = [s + ".pb.c" for s in stems],
        hdrs = [s + ".pb.h" for s in stems],
        deps = ["@nanopb"] + deps,
        visibility = visibility,
        **kwargs
    )
