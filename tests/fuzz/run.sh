#!/bin/sh
# usage: FUZZ_SECONDS=N [FUZZ_JOBS=N] tests/fuzz/run.sh FUZZ_DIR
# Run each libFuzzer target in FUZZ_DIR for FUZZ_SECONDS from its seeds in
# tests/fuzz/corpus/TARGET (read only) and FUZZ_DIR/TARGET.corpus (where new
# inputs go), with tests/fuzz/TARGET.dict, FUZZ_JOBS targets at a time (one
# per core: each fuzzer is one process on one core). Prints, in the
# targets' order, PASS with the executions done, or FAIL with the crash and
# the input that made it.
dir=${1:?usage: tests/fuzz/run.sh FUZZ_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
rm -f "$dir"/*.result
# the target's source comes last, as $4: never substituted into text
ls "$top"/tests/fuzz/fuzz_*.c | xargs -P "$jobs" -n 1 sh -c '
	dir=$1 top=$2 seconds=$3 name=$(basename "$4" .c)
	t=${name#fuzz_}
	mkdir -p "$dir/$t.corpus" "$dir/$t.crashes"
	dict=
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=-dict=$top/tests/fuzz/$t.dict
	log=$dir/$t.log
	"$dir/$name" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$dir/$t.crashes/" $dict \
		"$dir/$t.corpus" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1
	status=$?
	runs=$(sed -n "s/^Done \([0-9]*\) runs.*/\1/p" "$log" | tail -1)
	if [ $status -eq 0 ] && [ -n "$runs" ]; then
		echo "PASS: fuzz: $t: $runs executions in ${seconds} s, no crash, leak or sanitizer report"
	else
		echo "FAIL: fuzz: $t: exit status $status"
		grep -m 5 -E "ERROR|SUMMARY|Test unit written|runtime error" "$log" | sed "s/^/    /"
	fi >"$dir/$t.result"' sh "$dir" "$top" "$seconds"
for src in "$top"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	t=${t#fuzz_}
	cat "$dir/$t.result" 2>/dev/null || echo "FAIL: fuzz: $t: it did not run"
	rm -f "$dir/$t.result"
done
