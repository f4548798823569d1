#!/bin/sh
# usage: ... | tests/count.sh
# Pass test output through and end it with "N passed, N failed[, N skipped]";
# exit 1 when anything failed.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
tee "$log"
passed=$(grep -c '^PASS' "$log")
failed=$(grep -c '^FAIL' "$log")
skipped=$(grep -c '^SKIP' "$log")
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
