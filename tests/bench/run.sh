#!/bin/sh
# usage: tests/bench/run.sh BUILD_DIR
# The benchmarks, each side by side with its peer in one hyperfine run:
# pinned context (with the per-file manifest) on a generated 1.2 GB tree
# against GNU tar piped to openssl dgst and to sha256sum, with pinned's peak
# memory (warm page cache); then pinned lock against skopeo inspect.
set -e
build=$(cd "${1:?usage: tests/bench/run.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
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
"$build/gen_tree" "$build/bench-tiny" tiny
rss=$(/usr/bin/time -f %M "$pinned" context -C "$build/bench-tiny" -o /dev/null --manifest "$build/bench.manifest" 2>&1 >/dev/null | tail -1)
echo "pinned context peak memory, 100,000 one-byte files: $((rss / 1024)) MiB ($rss KiB)"

# Issue 3's benchmark: pinned lock --update for a Dockerfile naming 50
# distinct images on a loopback docker-registry, against a loop of skopeo
# inspect over the same 50.
export PINNED="$pinned" TOP="$top" BUILD="$build"
. "$top/tests/e2e/lib.sh"
start_registry bench
build_image bench:1 bench && push bench:1 "$REG/img00:1"
mkdir -p "$tmp/lock"
: >"$tmp/lock/Dockerfile.in"
: >"$tmp/skopeo.sh"
for i in $(seq -w 0 49); do
	[ "$i" = 00 ] || skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
		"docker://$REG/img00:1" "docker://$REG/img$i:1"
	echo "FROM $REG/img$i:1" >>"$tmp/lock/Dockerfile.in"
	echo "skopeo inspect --tls-verify=false docker://$REG/img$i:1 >/dev/null" >>"$tmp/skopeo.sh"
done
json=$build/bench-lock.json
hyperfine --style basic --warmup 1 --runs 10 --export-json "$json" \
	-n "pinned lock --update (50 images)" "$pinned lock -C $tmp/lock --update" \
	-n "skopeo inspect, 50 in a loop" "sh $tmp/skopeo.sh"
set -- $(sed -n 's/^ *"mean": *\([0-9.e+-]*\),*$/\1/p' "$json" | tr '\n' ' ')
awk -v p="$1" -v s="$2" 'BEGIN {
	printf "\npinned lock --update, 50 images: %.3f s; skopeo inspect loop: %.3f s; pinned %.1fx faster\n", p, s, s / p
}'
