#!/bin/sh
# usage: tests/run.sh [--unit-only] [--label NAME] BUILD_DIR
# Run the unit tests (BUILD_DIR/tests/test_*) and, unless --unit-only, the
# end-to-end scenarios (tests/e2e/*.sh) against BUILD_DIR/pinned. Every test
# prints "PASS: name", "FAIL: name" or "SKIP: name: why"; with --label each
# name is prefixed "NAME: ". tests/count.sh counts them.
unit_only= label=
while :; do
	case $1 in
	--unit-only) unit_only=1; shift ;;
	--label) label="$2: "; shift 2 ;;
	*) break ;;
	esac
done
build=$(cd "${1:?usage: tests/run.sh [--unit-only] [--label NAME] BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)

run() {
	name=$1; shift
	out=$("$@" 2>&1)
	status=$?
	printf '%s\n' "$out"
	# a program that died without reporting its own failure still fails
	if [ $status -ne 0 ] && [ $status -ne 1 ]; then
		echo "FAIL: $name exited with status $status"
	fi
}

{
	# the tests the sources define, never a stale binary left in BUILD_DIR
	for src in "$top"/tests/unit/test_*.c; do
		name=$(basename "$src" .c)
		run "$name" "$build/tests/$name"
	done
	if [ -z "$unit_only" ]; then
		for t in "$top"/tests/e2e/*.sh; do
			[ "$(basename "$t")" = lib.sh ] && continue	# the helpers, not a scenario
			PINNED="$build/pinned" TOP="$top" BUILD="$build" run "$(basename "$t")" sh "$t"
		done
	fi
} | sed "s/^\(PASS\|FAIL\|SKIP\): /\1: $label/"
