#!/bin/sh
# Checks the interfaces given as arguments together: each one is valid and
# no two share an interface id (see docs/interfaces.md).
set -eu
exec /usr/bin/python3 toolchain/interfaces/generate.py -I. -Iinterfaces \
	-I/usr/lib/python3/dist-packages/proto --check "$@"
