#!/bin/sh
# usage: tests/run.sh [--unit-only] BUILD_DIR
# Run the unit tests (BUILD_DIR/tests/test_*) and, unless --unit-only, the
# end-to-end scenarios (tests/e2e/*.sh) against BUILD_DIR/pinned. Every test
# prints "PASS: name", "FAIL: name" or "SKIP: name: why"; the last line is
# the count: "N passed, N failed[, N skipped]". Exit 1 when anything failed.
unit_only=
[ "$1" = --unit-only ] && { unit_only=1; shift; }
build=$(cd "${1:?usage: tests/run.sh [--unit-only] BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run() {
	name=$1; shift
	"$@" >>"$log" 2>&1
	status=$?
	# a program that died without reporting its own failure still fails
	if [ $status -ne 0 ] && [ $status -ne 1 ]; then
		echo "FAIL: $name exited with status $status" >>"$log"
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] && run "$(basename "$t")" "$t"
done
if [ -z "$unit_only" ]; then
	for t in "$top"/tests/e2e/*.sh; do
		[ "$(basename "$t")" = lib.sh ] && continue	# the helpers, not a scenario
		PINNED="$build/pinned" TOP="$top" BUILD="$build" run "$(basename "$t")" sh "$t"
	done
fi
cat "$log"
passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
