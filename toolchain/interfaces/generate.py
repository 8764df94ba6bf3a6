#!/usr/bin/python3
"""The ViperOS interface generator: C glue and interface JSON from a .proto.

    generate.py [-I DIR]... [--out_dir DIR] [--json=PATH] [--check]
                [--record=JSON | --update-record=JSON] interfaces/kv.proto...

For each interfaces/<svc>.proto (one service, nanopb bounds, ViperOS options
from interfaces/viper/options.proto) it writes, under --out_dir, next to what
nanopb writes:

  <svc>.viper.h, <svc>.viper.c   the interface descriptor, the server vtable,
                                 client stubs (direct call or remote) and the
                                 server dispatch (see docs/interfaces.md);
  <svc>.interface.json           the interface JSON the assembler reads.

It runs /usr/bin/protoc itself (--descriptor_set=FILE reads a descriptor set
made with --include_imports --include_source_info instead). Problems are
reported as diagnostics with file, line and a fix, sorted by file then line;
--json=PATH (or --diagnostics-format=json, to stdout) writes them as JSON too.
Exit status 1 when there is any error; nothing is written then. --check only
validates (and checks interface ids are unique across the given files).
--record checks one interface against its committed record, the
interface-evolution gate of evolution.py; --update-record rewrites it.
"""

import argparse
import json
import os
import re
import sys
import tempfile

from google.protobuf import descriptor_pb2

# One diagnostics module for the build tools: the assembler's.
sys.dont_write_bytecode = True  # write nothing next to the sources
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assembler"))
import descriptor_set  # noqa: E402
import diagnostics  # noqa: E402
import evolution  # noqa: E402
from c_emit import c_outputs  # noqa: E402
from interface_model import Generator  # noqa: E402
from wire_constants import *  # noqa: E402,F401,F403



def interface_json(iface):
    methods = []
    for m in iface.methods:
        methods.append({
            "name": m["name"], "id": m["id"],
            "request": m["request"].full_name, "reply": m["reply"].full_name,
            "request_max": m["request_max"], "reply_max": m["reply_max"],
            "line": m["line"],
            "request_handles": m["request_handles"], "reply_handles": m["reply_handles"],
            "deferrable": m["deferrable"], "sessions": m["sessions"],
        })
    return json.dumps({
        "name": iface.name, "id": iface.id, "file": iface.file.name, "line": iface.line,
        "bulk_bytes": iface.bulk, "methods": methods, "rings": iface.rings,
    }, indent=2) + "\n"


def emit(args, diags):
    """Writes the diagnostics as --json and --diagnostics-format ask; the exit status."""
    stream = sys.stdout if args.diagnostics_format == "json" else sys.stderr
    return diags.emit(args.json, args.diagnostics_format, stream)


def load_generator(args, diags):
    """The Generator of the descriptor set (protoc's, or --descriptor_set) and the
    files of args.protos in it; (None, []) after an error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = args.descriptor_set
        if path is None:
            path = os.path.join(tmp, "set.pb")
            if not descriptor_set.compile_protos(args.includes or ["."], args.protos, path,
                                                 diags):
                return None, []
        fds = descriptor_set.read(path, diags)
    if fds is None:
        return None, []
    try:
        gen = Generator(fds, diags)
    except (TypeError, KeyError, ValueError) as e:
        diags.error(args.descriptor_set or args.protos[0], 1, "bad-descriptor-set",
                    "the descriptor set is not self-contained: %s" % e,
                    "make it with protoc --include_imports --include_source_info")
        return None, []
    targets = []
    for p in args.protos:
        norm = os.path.normpath(p)
        match = [f for f in fds.file if f.name == norm or norm.endswith("/" + f.name)]
        if not match:
            diags.error(p, 1, "bad-descriptor-set", "%s is not in the descriptor set" % p,
                        "make the set from %s (protoc --include_imports "
                        "--include_source_info)" % p)
            return None, []
        targets.append(match[-1])
    return gen, targets


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-I", dest="includes", action="append", default=[],
                    help="proto import directory (passed to protoc)")
    ap.add_argument("--descriptor_set", help="read this FileDescriptorSet instead of running protoc")
    ap.add_argument("--out_dir", default=".")
    ap.add_argument("--json", help="also write the diagnostics as JSON to this file")
    ap.add_argument("--diagnostics-format", choices=["text", "json"], default="text")
    ap.add_argument("--check", action="store_true", help="validate only, write nothing")
    evolution.add_arguments(ap)
    ap.add_argument("protos", nargs="+")
    args = ap.parse_args(argv)

    diags = diagnostics.Diagnostics()
    gen, targets = load_generator(args, diags)
    if gen is None:
        return emit(args, diags)
    ifaces = [gen.interface(f) for f in targets]
    # Requests carry the low 16 bits of the interface id: those must not collide.
    by_id = {}
    for iface in sorted([i for i in ifaces if i], key=lambda i: i.file.name):
        by_id.setdefault(iface.id & 0xFFFF, []).append(iface)
    for group in by_id.values():
        for iface in group:
            for other in group:
                if other is iface:
                    continue
                gen.error(iface.file, (_FILE_OPTIONS, 51001), "duplicate-interface-id",
                          "interface %s has (viper.interface_id) = %d, which collides with %s "
                          "(%s, id %d) in the low 16 bits requests carry" %
                          (iface.name, iface.id, other.name, other.file.name, other.id),
                          "choose an id no other interface uses")
    evolution.run(gen, [i for i in ifaces if i], args, diags, sys.stdout)

    if emit(args, diags) != 0:
        return 1
    if args.check:
        return 0
    for iface in ifaces:
        header, source = c_outputs(gen, iface)
        base = os.path.join(args.out_dir, iface.file.name[:-len(".proto")])
        os.makedirs(os.path.dirname(base) or ".", exist_ok=True)
        for suffix, text in ((".viper.h", header), (".viper.c", source),
                             (".interface.json", interface_json(iface))):
            with open(base + suffix, "w") as fh:
                fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
