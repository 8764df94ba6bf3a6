#!/usr/bin/python3
"""The ViperOS system assembler.

Reads a system description (system/<board>/<name>.textproto, schema
toolchain/assembler/system.proto) with the descriptions it includes, its
board file and the JSON descriptions
of the components and interfaces it uses; checks everything; writes the boot
manifest and the reviewable outputs. docs/system-description.md is the
reference.

    assemble.py --system system/qemu_virt/kv_process.textproto \\
        [--board system/qemu_virt/board.textproto] \\
        [--include system/qemu_virt/microkernel.textproto ... --only-declared-includes] \\
        --component kv_store_meta.json --component kv_client_meta.json \\
        --interface kv.json \\
        [--manifest OUT.bin] [--manifest-text OUT.txt] [--report OUT.txt] \\
        [--dot OUT.dot] [--svg OUT.svg] [--plan OUT.json] \\
        [--json DIAG.json] [--diagnostics-format text|json] \\
        [--manifest-proto platform/manifest/manifest.proto] \\
        [--nanopb-proto-dir /usr/lib/python3/dist-packages/proto]

Diagnostics go to stderr; the exit status is 1 on any error, and then no
output but --json is written.
"""

import argparse
import os
import subprocess
import sys

sys.dont_write_bytecode = True  # write nothing but the requested outputs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import diagnostics  # noqa: E402
import inputs  # noqa: E402
import layout  # noqa: E402
import model  # noqa: E402
import render  # noqa: E402
import schema  # noqa: E402

from google.protobuf import text_format  # noqa: E402

DOT = "/usr/bin/dot"


def _arguments(argv):
    p = argparse.ArgumentParser(description="Assembles a ViperOS system description.")
    p.add_argument("--system", required=True, help="the system description (.textproto)")
    p.add_argument("--board", help="the board file, if the description names none "
                   "(when both do, they must agree)")
    p.add_argument("--include", action="append", default=[], metavar="TEXTPROTO",
                   help="a description the build declares as included (repeatable)")
    p.add_argument("--only-declared-includes", action="store_true",
                   help="refuse to include a description not given with --include "
                   "(the build rule passes it: it sees only declared inputs)")
    p.add_argument("--component", action="append", default=[], metavar="JSON",
                   help="a component description (repeatable)")
    p.add_argument("--interface", action="append", default=[], metavar="JSON",
                   help="an interface description (repeatable)")
    p.add_argument("--manifest", metavar="OUT.bin", help="the nanopb boot manifest")
    p.add_argument("--manifest-text", metavar="OUT.txt",
                   help="the manifest in protobuf text format (for review and tests)")
    p.add_argument("--report", metavar="OUT.txt", help="the authority report")
    p.add_argument("--dot", metavar="OUT.dot", help="the graph of the system (graphviz)")
    p.add_argument("--svg", metavar="OUT.svg", help="the graph rendered by dot -Tsvg")
    p.add_argument("--plan", metavar="OUT.json", help="the build plan for the system rule")
    p.add_argument("--manifest-proto", default=schema.DEFAULT_MANIFEST_PROTO,
                   help="path of platform/manifest/manifest.proto")
    p.add_argument("--nanopb-proto-dir", default=schema.DEFAULT_NANOPB_PROTO_DIR,
                   help="the directory holding nanopb.proto")
    diagnostics.add_arguments(p)
    return p.parse_args(argv)


def _write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    kwargs = {} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": "\n"}
    with open(path, mode, **kwargs) as f:
        f.write(data)


def _svg(dot_text):
    run = subprocess.run([DOT, "-Tsvg"], input=dot_text.encode("utf-8"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if run.returncode != 0:
        raise RuntimeError("dot -Tsvg failed: " + run.stderr.decode("utf-8", "replace"))
    return run.stdout


def main(argv):
    args = _arguments(argv)
    diags = diagnostics.Diagnostics()
    try:
        pool = schema.system_pool()
        manifest_cls = schema.manifest_class(args.manifest_proto, args.nanopb_proto_dir)
    except schema.SchemaError as e:
        sys.stderr.write("assemble.py: %s\n" % e)
        return 2
    components = inputs.load_components(args.component, diags)
    interfaces = inputs.load_interfaces(args.interface, diags)
    declared = args.include if args.only_declared_includes else None
    system = model.load(args.system, args.board, components, interfaces, pool, diags, declared)
    out = layout.layout(system, diags) if system is not None else None
    status = diags.emit(args.json, args.diagnostics_format)
    if status != 0:
        return status
    manifest = layout.to_manifest(out, manifest_cls)
    if args.manifest:
        _write(args.manifest, manifest.SerializeToString(deterministic=True))
    if args.manifest_text:
        _write(args.manifest_text, text_format.MessageToString(manifest))
    if args.report:
        _write(args.report, render.report(out))
    dot_text = render.dot(out)
    if args.dot:
        _write(args.dot, dot_text)
    if args.svg:
        _write(args.svg, _svg(dot_text))
    if args.plan:
        _write(args.plan, render.plan(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
