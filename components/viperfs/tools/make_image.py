#!/usr/bin/python3
"""Builds a ViperFS image from files named on the command line (viperfs_image()).

usage: make_image.py --mkfs MKFS --out IMAGE --size SIZE --label LABEL
                     [--dir PATH]... [--data DEST=SOURCE]... [DEST=SOURCE]...

Each DEST=SOURCE copies SOURCE to DEST (a '/'-separated path in the
volume), executable if SOURCE is; each --data DEST=SOURCE copies it never
executable; each --dir makes an empty directory. The tree is staged in a
temporary directory and given to mkfs.viperfs with --time 0, so the image
depends on the files alone.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mkfs", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--size", required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--dir", action="append", default=[])
    parser.add_argument("--data", action="append", default=[])
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as stage:
        tree = os.path.join(stage, "tree")
        os.mkdir(tree)
        for d in args.dir:
            os.makedirs(os.path.join(tree, d), exist_ok=True)
        for pair, program in [(p, False) for p in args.data] + [(p, True) for p in args.files]:
            dest, _, source = pair.partition("=")
            if not dest or not source or dest.startswith("/") or ".." in dest.split("/"):
                print("make_image: bad file %r: write DEST=SOURCE, DEST inside the volume" %
                      pair, file=sys.stderr)
                return 1
            path = os.path.join(tree, dest)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            shutil.copyfile(source, path)
            if program and os.access(source, os.X_OK):
                os.chmod(path, 0o755)
        run = subprocess.run([args.mkfs, "--size", args.size, "--label", args.label,
                              "--time", "0", "--root", tree, args.out],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
        if run.returncode != 0:
            sys.stderr.write(run.stdout.decode())
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
