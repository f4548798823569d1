#!/bin/sh
# usage: tests/bench/run.sh BUILD_DIR
# Issue 2's benchmark, side by side in one hyperfine run on the generated
# 1.2 GB tree: pinned context (with the per-file manifest) against GNU tar
# piped to openssl dgst and to sha256sum; then the ratios and pinned's peak
# memory. Times are for a warm page cache.
set -e
build=$(cd "${1:?usage: tests/bench/run.sh BUILD_DIR}" && pwd)
tree=$build/bench-tree
pinned=$build/pinned
json=$build/bench-context.json
tar_cmd='tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf - .'

echo "bench: generating the tree in $tree (once)" >&2
"$build/gen_tree" "$tree"
cd "$tree"
$tar_cmd >/dev/null	# warm the page cache

hyperfine --style basic --warmup 2 --runs 10 --export-json "$json" \
	-n "pinned context" "$pinned context -o /dev/null --manifest $build/bench.manifest" \
	-n "tar | openssl dgst" "$tar_cmd | openssl dgst -sha256" \
	-n "tar | sha256sum" "$tar_cmd | sha256sum" \
	-n "pinned context, no manifest" "$pinned context -o /dev/null"

means=$(sed -n 's/^ *"mean": *\([0-9.e+-]*\),*$/\1/p' "$json" | tr '\n' ' ')
set -- $means
awk -v p="$1" -v o="$2" -v s="$3" -v n="$4" 'BEGIN {
	printf "\npinned context (with manifest): %.3f s\n", p
	printf "  %.2fx faster than tar | openssl dgst (%.3f s; target 1.4x)\n", o / p, o
	printf "  %.2fx faster than tar | sha256sum   (%.3f s; target 3x)\n", s / p, s
	printf "pinned context without manifest: %.3f s, %.2fx faster than tar | openssl dgst\n", n, o / n
}'
rss=$(/usr/bin/time -f %M "$pinned" context -o /dev/null --manifest "$build/bench.manifest" 2>&1 >/dev/null | tail -1)
echo "pinned context peak memory: $((rss / 1024)) MiB ($rss KiB; target under 32 MiB)"
