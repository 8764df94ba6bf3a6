"""Message descriptors of the system schema and of the boot manifest.

Both are compiled by Debian's /usr/bin/protoc when the tool runs, into a
FileDescriptorSet read from protoc's standard output (nothing is written to
disk), and loaded into a private descriptor pool.
"""

import os
import re
import subprocess

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

PROTOC = "/usr/bin/protoc"
HERE = os.path.dirname(os.path.abspath(__file__))
SYSTEM_PROTO = os.path.join(HERE, "system.proto")
DEFAULT_NANOPB_PROTO_DIR = "/usr/lib/python3/dist-packages/proto"
DEFAULT_MANIFEST_PROTO = os.path.join(HERE, "..", "..", "platform", "manifest", "manifest.proto")


class SchemaError(Exception):
    """protoc could not compile a schema; the message is protoc's."""


def _compile(proto_path, include_dirs):
    args = [PROTOC, "-I" + os.path.dirname(os.path.abspath(proto_path))]
    args += ["-I" + d for d in include_dirs]
    args += ["--include_imports", "--descriptor_set_out=/dev/stdout", os.path.basename(proto_path)]
    try:
        run = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             cwd=os.path.dirname(os.path.abspath(proto_path)), check=False)
    except OSError as e:
        raise SchemaError("cannot run %s: %s" % (PROTOC, e)) from e
    if run.returncode != 0:
        raise SchemaError("%s failed on %s:\n%s" % (PROTOC, proto_path,
                                                    run.stderr.decode("utf-8", "replace")))
    files = descriptor_pb2.FileDescriptorSet()
    files.ParseFromString(run.stdout)
    pool = descriptor_pool.DescriptorPool()
    for f in files.file:
        pool.Add(f)
    return pool


def system_pool():
    """The descriptor pool of toolchain/assembler/system.proto (package viper.system)."""
    return _compile(SYSTEM_PROTO, [])


_REPEATED_BOUND = re.compile(
    r"repeated\s+\w+\s+(\w+)\s*=\s*\d+\s*\[[^]]*\(nanopb\)\.max_count\s*=\s*(\d+)")


def manifest_limits(manifest_proto=None):
    """{message.field: max_count} of every bounded repeated field of the manifest.

    manifest.proto's nanopb bounds are the one source of the manifest's
    limits: the C code takes them from the structs nanopb generates, the
    assembler from here, so raising one is one edit.
    """
    limits = {}
    message = None
    with open(manifest_proto or DEFAULT_MANIFEST_PROTO, encoding="utf-8") as f:
        for line in f:
            start = re.match(r"\s*message\s+(\w+)", line)
            if start:
                message = start.group(1)
            bound = _REPEATED_BOUND.search(line)
            if bound and message:
                limits["%s.%s" % (message, bound.group(1))] = int(bound.group(2))
    return limits


def manifest_class(manifest_proto=None, nanopb_proto_dir=None):
    """The Python message class of viper.manifest.Manifest."""
    pool = _compile(manifest_proto or DEFAULT_MANIFEST_PROTO,
                    [nanopb_proto_dir or DEFAULT_NANOPB_PROTO_DIR])
    desc = pool.FindMessageTypeByName("viper.manifest.Manifest")
    factory = message_factory.MessageFactory(pool)
    return factory.GetPrototype(desc)
