#!/bin/sh
# usage: FUZZ_SECONDS=N tests/fuzz/run.sh FUZZ_DIR
# Run each libFuzzer target in FUZZ_DIR for FUZZ_SECONDS from its seeds in
# tests/fuzz/corpus/TARGET (read only) and FUZZ_DIR/TARGET.corpus (where new
# inputs go), with tests/fuzz/TARGET.dict. Prints PASS with the executions
# done, or FAIL with the crash and the input that made it.
dir=${1:?usage: tests/fuzz/run.sh FUZZ_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
for src in "$top"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	t=${name#fuzz_}
	mkdir -p "$dir/$t.corpus" "$dir/$t.crashes"
	dict=
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=-dict=$top/tests/fuzz/$t.dict
	log=$dir/$t.log
	"$dir/$name" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$dir/$t.crashes/" $dict \
		"$dir/$t.corpus" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1
	status=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
	if [ $status -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS: fuzz: $t: $runs executions in ${seconds} s, no crash, leak or sanitizer report"
	else
		echo "FAIL: fuzz: $t: exit status $status"
		grep -m 5 -E "ERROR|SUMMARY|Test unit written|runtime error" "$log" | sed 's/^/    /'
	fi
done
