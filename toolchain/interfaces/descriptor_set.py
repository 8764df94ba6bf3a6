"""The FileDescriptorSet of .proto files, made by Debian's protoc.

compile_protos() runs /usr/bin/protoc (--include_imports --include_source_info) and
translates what protoc prints, `file:line:column: message` or `file:
message`, into diagnostics of the build tools' format (file:line, a code, a
message and a fix):

    interfaces/kv.proto:12: error: protoc: column 3: "Foo" is not defined.
      fix: define Foo, or import the .proto that defines it

Errors get the code `protoc-error`, protoc's warnings `protoc-warning`. read()
loads a descriptor set made elsewhere (--descriptor_set), with the code
`bad-descriptor-set` when it cannot.
"""

import os
import re
import subprocess

from google.protobuf import descriptor_pb2, message

PROTOC = "/usr/bin/protoc"

_LOCATED = re.compile(r"^(?P<file>[^:\s][^:]*):(?P<line>\d+):(?P<column>\d+): (?P<message>.*)$")
_FILE_ONLY = re.compile(r"^(?P<file>[^:\s][^:]*): (?P<message>.*)$")
_WARNING = "warning: "

# (a pattern of protoc's message, the fix); the first that matches wins.
_FIXES = [
    (re.compile(r'^Expected ";"'), "add the missing ';' at the end of the statement before "
     "column {column} (often on the line above)"),
    (re.compile(r"^Expected "), "correct the syntax at column {column}: protoc wanted "
     "something else there (see the message)"),
    (re.compile(r'^"(?P<name>[^"]+)" is not defined'),
     "define {name}, or import the .proto that defines it"),
    (re.compile(r'^Import "(?P<name>[^"]+)" was not found'),
     "check the import's spelling; protoc looks for {name} under the -I directories: {includes}"),
    (re.compile(r"^File not found"),
     "check the path; protoc looks under the -I directories: {includes}"),
    (re.compile(r"^Field number (?P<number>\d+) has already been used"),
     "give the field a number no other field of the message uses"),
    (re.compile(r"is already defined"), "rename one of the two definitions"),
    (re.compile(r'^Option "\((?P<name>[^)]+)\)" unknown'),
     "import the .proto that defines ({name}): nanopb.proto or viper/options.proto"),
    (re.compile(r"does not reside within any path"),
     "pass the .proto by a path under one of the -I directories: {includes}"),
    (re.compile(r"is unused"), "remove the import"),
]


def _fix(text, column, includes):
    values = {"column": column, "includes": " ".join(includes) or "."}
    for pattern, fix in _FIXES:
        m = pattern.search(text)
        if m:
            values.update(m.groupdict())
            return fix.format(**values)
    if column:
        return "correct the .proto at column %s as protoc's message says" % column
    return "correct the .proto as protoc's message says"


def _report(line_text, includes, fallback_file, diags):
    """Reports one line of protoc's output; False for a line that is no message."""
    text = line_text.strip()
    if not text:
        return False
    m = _LOCATED.match(text)
    if m:
        file, line, column, body = m.group("file"), int(m.group("line")), m.group("column"), \
            m.group("message")
    else:
        m = _FILE_ONLY.match(text)
        file, line, column, body = (m.group("file"), 1, "", m.group("message")) if m else \
            (fallback_file, 1, "", text)
    warning = body.startswith(_WARNING)
    if warning:
        body = body[len(_WARNING):]
    where = "column %s: " % column if column else ""
    fix = _fix(body, column, includes)
    if warning:
        diags.warning(file, line, "protoc-warning", "protoc: %s%s" % (where, body), fix)
    else:
        diags.error(file, line, "protoc-error", "protoc: %s%s" % (where, body), fix)
    return True


def compile_protos(includes, protos, out, diags):
    """Writes the descriptor set of `protos` to `out`; False after an error."""
    cmd = [PROTOC] + ["-I" + i for i in includes] + [
        "--include_imports", "--include_source_info", "--descriptor_set_out=" + out] + protos
    first = protos[0] if protos else "protoc"
    try:
        run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    except OSError as e:
        diags.error(first, 1, "protoc-error", "cannot run %s: %s" % (PROTOC, e.strerror or e),
                    "install protobuf-compiler: run ./toolchain/setup")
        return False
    reported = False
    for line_text in run.stderr.decode("utf-8", "replace").splitlines():
        if _report(line_text, includes, first, diags):
            reported = True
    if run.returncode != 0:
        if not reported or not diags.has_errors():
            diags.error(first, 1, "protoc-error",
                        "protoc failed (exit status %d) without saying why" % run.returncode,
                        "run the protoc command by hand: %s" % " ".join(cmd))
        return False
    return True


def read(path, diags):
    """The FileDescriptorSet in file `path`, or None (with a diagnostic)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return descriptor_pb2.FileDescriptorSet.FromString(data)
    except OSError as e:
        diags.error(path, 1, "bad-descriptor-set",
                    "cannot read the descriptor set %s: %s" % (path, e.strerror or e),
                    "check the path given to --descriptor_set")
    except (message.DecodeError, RuntimeError, ValueError) as e:
        diags.error(path, 1, "bad-descriptor-set",
                    "%s is not a FileDescriptorSet: %s" % (path, e),
                    "make it with protoc --include_imports --include_source_info "
                    "--descriptor_set_out=%s" % os.path.basename(path))
    return None
