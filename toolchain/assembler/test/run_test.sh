#!/bin/sh
# Runs assembler_test.py MODE from the workspace root of the runfiles.
set -eu
cd "$(dirname "$0")/../../.."
exec /usr/bin/python3 toolchain/assembler/test/assembler_test.py "$@"
