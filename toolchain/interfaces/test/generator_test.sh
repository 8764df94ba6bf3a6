#!/bin/sh
# Runs the generator's golden and diagnostic tests (generator_test.py) on
# Debian's python3, which has google.protobuf.
set -eu
exec /usr/bin/python3 toolchain/interfaces/test/generator_test.py
