"""viperfs_image(): a ViperFS disk image built from files, reproducibly.

    viperfs_image(
        name = "disk",
        files = {":hello.txt": "SYS/hello.txt", "//apps/hello": "C/hello"},
        data = {"//platform/tls/store:roots.vta": "CERTS/roots.vta"},
        dirs = ["T"],
        image_size = "16M",
        volume_label = "ViperOS",
    )

writes disk.img with mkfs.viperfs (//components/viperfs), every timestamp 0:
the same files give a bit-identical image. A file of `files` keeps its
execute bit (programs); one of `data` never has it: Bazel marks every file
it generates executable, so a generated data file would otherwise look like
a program on the disk.
"""

def _viperfs_image_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name + ".img")
    args = ctx.actions.args()
    args.add(ctx.file._builder)
    args.add("--mkfs", ctx.executable._mkfs)
    args.add("--out", out)
    args.add("--size", ctx.attr.image_size)
    args.add("--label", ctx.attr.volume_label)
    for d in ctx.attr.dirs:
        args.add("--dir", d)
    inputs = []
    for dest in [d for d in ctx.attr.data.values() if d in ctx.attr.files.values()]:
        fail("%s: %s is given in both files and data" % (ctx.label, dest))
    for attr, flag in [(ctx.attr.data, "--data"), (ctx.attr.files, None)]:
        by_dest = {dest: target for target, dest in attr.items()}
        for dest in sorted(by_dest.keys()):
            target = by_dest[dest]
            files = target.files.to_list()
            if len(files) != 1:
                fail("%s: %s gives %d files; give one file per destination" % (ctx.label, target.label, len(files)))
            if flag:
                args.add(flag)
            args.add("%s=%s" % (dest, files[0].path))
            inputs.append(files[0])
    ctx.actions.run(
        outputs = [out],
        inputs = inputs + [ctx.file._builder],
        executable = "/usr/bin/python3",
        tools = [ctx.executable._mkfs],
        arguments = [args],
        mnemonic = "ViperfsImage",
        progress_message = "Making ViperFS image %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

viperfs_image = rule(
    implementation = _viperfs_image_impl,
    attrs = {
        "files": attr.label_keyed_string_dict(allow_files = True),
        "data": attr.label_keyed_string_dict(allow_files = True),
        "dirs": attr.string_list(),
        "image_size": attr.string(default = "16M"),
        "volume_label": attr.string(default = "ViperOS"),
        "_mkfs": attr.label(
            default = "//components/viperfs:mkfs.viperfs",
            executable = True,
            cfg = "exec",
        ),
        "_builder": attr.label(
            default = "//components/viperfs:tools/make_image.py",
            allow_single_file = True,
        ),
    },
)
