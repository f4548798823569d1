#!/bin/sh
# usage: tests/oom/run.sh DIR
# Run each unit test in DIR (built with tests/oom/oom.h and ASan) once to
# count its allocations, then once for each of them with that one failing.
# A run may fail its checks (exit 1) but must not crash or leak (ASan exits
# 99). Prints PASS/FAIL per test binary.
dir=${1:?usage: tests/oom/run.sh DIR}
export ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
top=$(cd "$(dirname "$0")/../.." && pwd)
for src in "$top"/tests/unit/test_*.c; do	# never a stale binary in DIR
	name=$(basename "$src" .c)
	t=$dir/$name
	PINNED_OOM_COUNT="$tmp/count" "$t" >/dev/null 2>&1
	n=$(cat "$tmp/count" 2>/dev/null || echo 0)
	: >"$tmp/bad"
	# the allocation number comes last, as $3: never substituted into text
	seq 1 "$n" | xargs -P 2 -n 1 sh -c '
		PINNED_OOM_FAIL=$3 "$1" >/dev/null 2>"$2.$3"
		s=$?
		if [ $s -ne 0 ] && [ $s -ne 1 ]; then
			{ echo "    allocation $3 failing: exit status $s"; grep -m 3 -E "ERROR|SUMMARY|runtime error" "$2.$3" | sed "s/^/      /"; } >>"$2"
		fi
		rm -f "$2.$3"' sh "$t" "$tmp/bad"
	if [ "$n" -eq 0 ]; then
		echo "SKIP: oom: $name: its code under test allocates nothing"
	elif [ -s "$tmp/bad" ]; then
		echo "FAIL: oom: $name crashed or leaked with an allocation failing:"
		head -20 "$tmp/bad"
	else
		echo "PASS: oom: $name survives each of its $n allocations failing in turn"
	fi
done
