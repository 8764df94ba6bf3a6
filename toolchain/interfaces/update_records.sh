#!/bin/sh
# Rewrites the records of the released interfaces, interfaces/records/NAME.json,
# from interfaces/NAME.proto: the deliberate step of the interface-evolution
# gate (docs/interfaces.md, "Evolving an interface"). Run it as
#   bazel run //interfaces:update_records [-- NAME...]
# (no NAME: every interface in interfaces/). It says what changed in each
# record, incompatible changes first; review the diff and commit it.
set -eu
if [ -z "${BUILD_WORKSPACE_DIRECTORY:-}" ]; then
	echo "update_records: run it as bazel run //interfaces:update_records [-- NAME...]" >&2
	exit 2
fi
cd "$BUILD_WORKSPACE_DIRECTORY"
if [ "$#" -eq 0 ]; then
	for proto in interfaces/*.proto; do
		name=${proto#interfaces/}
		set -- "$@" "${name%.proto}"
	done
fi
status=0
for name in "$@"; do
	case "$name" in
	[a-z]*[!a-z0-9_]* | [!a-z]*)
		echo "update_records: '$name' is not an interface name (interfaces/NAME.proto)" >&2
		status=1
		continue
		;;
	esac
	if [ ! -f "interfaces/$name.proto" ]; then
		echo "update_records: there is no interfaces/$name.proto" >&2
		status=1
		continue
	fi
	/usr/bin/python3 toolchain/interfaces/generate.py -I. -Iinterfaces \
		-I/usr/lib/python3/dist-packages/proto --check \
		--update-record="interfaces/records/$name.json" "interfaces/$name.proto" || status=1
done
exit $status
