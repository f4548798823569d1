#!/bin/sh
# usage: tests/bench/run.sh BUILD_DIR
# The benchmarks, each side by side with its peer in one hyperfine run, as
# medians: pinned context (with the per-file manifest) on generated 1.2 GB
# and 320 MB trees, writing the archive to a file against GNU tar | tee FILE
# | openssl dgst, and to /dev/null against tar | openssl dgst (warm page
# cache); pinned verify on the 1.2 GB tree against tar and openssl dgst;
# pinned's peak memory; then pinned lock and pinned drift against skopeo
# inspect; then the apt resolver against apt-get install --simulate.
set -e
build=$(cd "${1:?usage: tests/bench/run.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=$build/bench-tree
pinned=$build/pinned
json=$build/bench-context.json
tar_cmd='tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf - .'

# median NAME...: the median seconds of each named command in $json, in order
median() {
	for name in "$@"; do
		awk -v n="\"command\": \"$name\"," '
			index($0, n) { found = 1 }
			found && /"median":/ { gsub(/[^0-9.e+-]/, "", $2); print $2; exit }' FS=: "$json"
	done
}

# context_bench TREE LABEL: pinned context against the tar pipelines on TREE,
# writing the archive to a file and to /dev/null, in one hyperfine run.
context_bench() {
	cd "$1"
	$tar_cmd >/dev/null	# warm the page cache
	json=$build/bench-context-$2.json
	hyperfine --style basic --warmup 2 --runs 10 --export-json "$json" \
		-n "pinned context -o FILE" "$pinned context -o $build/bench.tar --manifest $build/bench.manifest" \
		-n "tar | tee FILE | openssl dgst" "$tar_cmd | tee $build/bench-tee.tar | openssl dgst -sha256" \
		-n "pinned context -o /dev/null" "$pinned context -o /dev/null --manifest $build/bench.manifest" \
		-n "tar | openssl dgst" "$tar_cmd | openssl dgst -sha256" \
		-n "tar | sha256sum" "$tar_cmd | sha256sum" >/dev/null
	set -- $(median "pinned context -o FILE" "tar | tee FILE | openssl dgst" \
		"pinned context -o /dev/null" "tar | openssl dgst" "tar | sha256sum")
	awk -v pf="$1" -v tf="$2" -v pn="$3" -v tn="$4" -v ts="$5" -v label="$label" 'BEGIN {
		printf "\n%s (medians of 10 runs; target 1.4x):\n", label
		printf "  pinned context -o FILE --manifest F   %.3f s   tar | tee FILE | openssl dgst  %.3f s   %.2fx\n", pf, tf, tf / pf
		printf "  pinned context -o /dev/null --manifest %.3f s   tar | openssl dgst             %.3f s   %.2fx\n", pn, tn, tn / pn
		printf "  (tar | sha256sum %.3f s: %.2fx)\n", ts, ts / pn
	}'
	rm -f "$build/bench.tar" "$build/bench-tee.tar"
}

echo "bench: generating the trees in $tree and $tree-medium (once)" >&2
"$build/gen_tree" "$tree"
"$build/gen_tree" "$tree-medium" medium
label="1.2 GB tree: 20,000 files of 1-64 KiB and eleven 50 MiB files"
context_bench "$tree" big
label="320 MB tree: 5,000 files of 1-64 KiB and three 50 MiB files"
context_bench "$tree-medium" medium
# Issue 11's benchmark: pinned verify on the 1.2 GB tree, made a project
# (hard links to the tree, FROM scratch) and built once, against
# recomputing the same digests with GNU tar and openssl dgst (the archive's
# and each file's); then pinned verify on the unchanged tree, its stat
# cache kept; and find stating every file, the floor of any stat cache.
v=$build/bench-verify
if [ ! -s "$v/lockfiles/build.manifest" ]; then	# a record of version 2
	rm -rf "$v" && mkdir -p "$v" && cp -al "$tree" "$v/data"
	printf 'FROM scratch\nCOPY Dockerfile /Dockerfile\n' >"$v/Dockerfile"
	printf 'build\n' >"$v/.dockerignore"
	"$pinned" build -C "$v" >/dev/null 2>&1
fi
cd "$v"
json=$build/bench-verify.json
hyperfine --style basic --warmup 1 --runs 10 --export-json "$json" \
	-n "pinned verify, first run" "rm -f build/verify.cache && $pinned verify" \
	-n "tar | openssl dgst; openssl dgst of each file" "tar --exclude=./build ${tar_cmd#tar } | openssl dgst -sha256 && find . -path ./build -prune -o -type f -print0 | xargs -0 openssl dgst -sha256" \
	-n "pinned verify, unchanged tree" "$pinned verify" \
	-n "find, stating every file" "find . -path ./build -prune -o -printf '%s %T@ %C@ %i\\n'" >/dev/null
set -- $(median "pinned verify, first run" "tar | openssl dgst; openssl dgst of each file" \
	"pinned verify, unchanged tree" "find, stating every file")
awk -v f="$1" -v t="$2" -v u="$3" -v s="$4" 'BEGIN {
	printf "\npinned verify on the 1.2 GB tree (medians of 10 runs): first run %.3f s; GNU tar and openssl dgst recomputing the same digests %.3f s (%.2fx); unchanged tree, stat cache kept, %.3f s, %.1f%% of the first run (target under 5%%); find only stating every file %.3f s\n", f, t, t / f, u, u / f * 100, s
}'

cd "$tree"
rss=$(/usr/bin/time -f %M "$pinned" context -o /dev/null --manifest "$build/bench.manifest" 2>&1 >/dev/null | tail -1)
echo "pinned context peak memory: $((rss / 1024)) MiB ($rss KiB; target under 32 MiB)"
"$build/gen_tree" "$build/bench-tiny" tiny
rss=$(/usr/bin/time -f %M "$pinned" context -C "$build/bench-tiny" -o /dev/null --manifest "$build/bench.manifest" 2>&1 >/dev/null | tail -1)
echo "pinned context peak memory, 100,000 one-byte files: $((rss / 1024)) MiB ($rss KiB)"

# Worst cases for memory: names and Dockerfiles, not file contents.
# 200,000 names of 207 bytes in one directory, against GNU tar --sort=name.
if [ ! -d "$build/bench-names" ]; then
	mkdir -p "$build/bench-names.tmp"
	(cd "$build/bench-names.tmp" && seq -f "%06g" 0 199999 | sed 's/$/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx/' | xargs touch)
	mv "$build/bench-names.tmp" "$build/bench-names"
fi
rss=$(/usr/bin/time -f %M "$pinned" context -C "$build/bench-names" -o /dev/null 2>&1 >/dev/null | tail -1)
tar_rss=$(/usr/bin/time -f %M tar -C "$build/bench-names" --sort=name -cf /dev/null . 2>&1 | tail -1)
echo "peak memory, 200,000 names of 207 bytes in one directory: pinned context $((rss / 1024)) MiB, tar --sort=name $((tar_rss / 1024)) MiB"
# 16 MB Dockerfiles: one RUN of 290,000 continuation lines, 330,000 RUN
# lines, one RUN of 8,000,000 words.
mkdir -p "$build/bench-df/cont" "$build/bench-df/lines" "$build/bench-df/words"
awk 'BEGIN { print "FROM busybox@sha256:" sprintf("%064d", 0); print "RUN true \\"
	for (i = 0; i < 290000; i++) print "  && apt-get install -y --no-install-recommends pkg=1.0 \\"
	print "  && true" }' >"$build/bench-df/cont/Dockerfile"
awk 'BEGIN { print "FROM busybox@sha256:" sprintf("%064d", 0)
	for (i = 0; i < 330000; i++) print "RUN apt-get install -y pkg=1.0 && echo hello world" }' \
	>"$build/bench-df/lines/Dockerfile"
awk 'BEGIN { print "FROM busybox@sha256:" sprintf("%064d", 0); printf "RUN "
	for (i = 0; i < 8000000; i++) printf "a "; print "" }' >"$build/bench-df/words/Dockerfile"
for shape in cont lines words; do
	size=$(wc -c <"$build/bench-df/$shape/Dockerfile")
	rss=$(/usr/bin/time -f %M "$pinned" lint -C "$build/bench-df/$shape" 2>&1 >/dev/null | tail -1)
	echo "peak memory, pinned lint on a $((size / 1000000)) MB Dockerfile ($shape): $((rss / 1024)) MiB ($((rss * 1024 / size)) bytes per byte)"
done

# Issue 9: reading and expanding a Dockerfile of 1,000 and of 10,000 stages
# (1 KB each: 1 MB and 10 MB), each stage FROM the one before with ARGs,
# ENV, substitutions, a heredoc and a COPY --from; linear means ten times
# the time and memory for ten times the stages. (ENV PATH=...:$PATH in each
# stage would make the values grow with the square of the stages, and the
# reader rightly stops at 64 MiB of values.)
for n in 1000 10000; do
	mkdir -p "$build/bench-stages-$n"
	awk -v n="$n" 'BEGIN { print "ARG BASE=debian TAG=12.5"
		print "FROM ${BASE}:${TAG%%.*}-slim@sha256:" sprintf("%064d", 0) " AS s0"
		for (i = 1; i < n; i++) {
			printf "FROM s%d AS s%d\nARG X=${TAG}-%d\nENV PATH=/opt/s%d/bin:/usr/bin HOME=/root/s%d\n", i - 1, i, i, i, i
			printf "RUN <<EOF\nset -e\necho \"$X\" > /x && apt-get install -y pkg=1.0 && echo %0600d\nEOF\n", i
			printf "COPY --from=s%d /x /y\nRUN --mount=type=cache,target=/c true ${X/-/_}\n", i - 1
		} }' >"$build/bench-stages-$n/Dockerfile"
	size=$(wc -c <"$build/bench-stages-$n/Dockerfile")
	out=$(/usr/bin/time -f "%x %e %M" "$pinned" lint -C "$build/bench-stages-$n" 2>&1 >/dev/null | tail -1)
	set -- $out	# exit status, seconds, KiB: lint exits 1 for findings, 2 when it cannot read
	if [ "$1" -gt 1 ]; then
		echo "pinned lint, $n stages: FAILED (exit $1), nothing measured"
	else
		echo "pinned lint, $n stages ($((size / 1000)) KB): $2 s, peak memory $(($3 / 1024)) MiB"
	fi
done

# Issue 8: the time of each step of the sample service's pipeline (make demo,
# which also caches the Debian base), then pinned build against calling
# buildah directly with the same options on the same unpacked context.
echo "the sample service's pipeline (make demo, one run):"
(cd "$top" && make -s demo 2>&1 | grep '^demo: lock')
export PINNED="$pinned" TOP="$top" BUILD="$build"
. "$top/tests/e2e/lib.sh"
start_registry buildbench
ctr=$(buildah_ from scratch)
buildah_ add "$ctr" "$build/cache/bookworm-minbase.tar" / >/dev/null
buildah_ config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
buildah_ commit -q --timestamp 0 --identity-label=false "$ctr" debian-base >/dev/null
push debian-base "$REG/library/debian:bookworm-slim"
bb=$tmp/sample
mkdir -p "$bb"
(cd "$top" && cp -R src input Dockerfile.in .dockerignore "$bb/")
"$pinned" lock -C "$bb" --registry-mirror "$REG" && "$pinned" render -C "$bb"
"$pinned" build -C "$bb" --registry-mirror "$REG" >/dev/null 2>&1	# unpacks the context once
direct="buildah --root=$bb/direct/root --runroot=$bb/direct/run --storage-driver=vfs"
json=$build/bench-build.json
hyperfine --style basic --runs 3 --export-json "$json" \
	--prepare "rm -rf $bb/build/buildah $bb/build/image $bb/direct $bb/direct-image" \
	-n "pinned build" "$pinned build -C $bb --registry-mirror $REG" \
	-n "buildah build + push, directly" "$direct build --registries-conf=$bb/build/registries.conf --isolation=chroot --layers=false --timestamp=0 --identity-label=false --file=$bb/build/build-context/Dockerfile --tag=localhost/direct:latest $bb/build/build-context && $direct push localhost/direct:latest oci:$bb/direct-image:latest" \
	>/dev/null 2>&1
set -- $(median "pinned build" "buildah build + push, directly")
awk -v p="$1" -v d="$2" 'BEGIN {
	printf "\nthe sample service: pinned build %.2f s; buildah build + push directly %.2f s (medians of 3): overhead %.1f%% (target under 5%%)\n", p, d, (p / d - 1) * 100
}'

# Issue 3's benchmark: pinned lock --update for a Dockerfile naming 50
# distinct images on a loopback docker-registry, against a loop of skopeo
# inspect over the same 50.
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
set -- $(median "pinned lock --update (50 images)" "skopeo inspect, 50 in a loop")
awk -v p="$1" -v s="$2" 'BEGIN {
	printf "\npinned lock --update, 50 images: %.3f s; skopeo inspect loop: %.3f s (medians); pinned %.1fx faster\n", p, s, s / p
}'

# Issue 12's benchmark: pinned drift on a lock of the same 50 images and of
# 200 packages, against the loop of skopeo inspect over the 50 images. The
# packages are made here (dpkg-deb), in a signed archive of three suites
# served by busybox httpd, and locked from it: nothing moved, so drift reads
# everything and finds nothing.
archive_key
for i in $(seq -w 0 199); do fake_deb "pkg$i" "1.0-$i"; done
mkdir -p "$repo/pool/bookworm"
cp "$tmp/made"/*.deb "$repo/pool/bookworm/"
for s in bookworm bookworm-updates bookworm-security; do sign_suite $s; done
start_httpd "$www" debian/dists/bookworm/InRelease
base=$(sed -n 's/^ *"digest": "\(sha256:[0-9a-f]*\)".*/\1/p' "$tmp/lock/lockfiles/images.lock" | head -1)
{
	printf '{"version": 1, "stages": [{"stage": 0, "base": "%s/img00@%s", "codename": "bookworm", "architecture": "amd64", "sources": [' "$REG" "$base"
	sep=
	for s in bookworm bookworm-updates bookworm-security; do
		printf '%s{"uri": "%s/debian", "suite": "%s", "components": ["main"], "inrelease": "sha256:%s"}' \
			"$sep" "$HTTPD" "$s" "$(sha256 "$repo/dists/$s/InRelease")"
		sep=", "
	done
	printf '], "installs": [{"recommends": false, "requested": [%s], "packages": [' \
		"$(seq -w 0 199 | sed 's/.*/"pkg&"/' | paste -sd,)"
	awk 'BEGIN { RS = ""; FS = "\n" } {
		for (i = 1; i <= NF; i++) { split($i, kv, ": "); f[kv[1]] = kv[2] }
		printf "%s{\"name\": \"%s\", \"version\": \"%s\", \"architecture\": \"%s\", \"filename\": \"%s\", \"size\": %s, \"sha256\": \"%s\", \"requested\": true}", (NR > 1 ? ", " : ""), f["Package"], f["Version"], f["Architecture"], f["Filename"], f["Size"], f["SHA256"]
	}' "$repo/dists/bookworm/main/binary-amd64/Packages"
	printf ']}]}]}\n'
} >"$tmp/lock/lockfiles/apt.lock"
drift="$pinned drift -C $tmp/lock --apt-keyring $tmp/archive.gpg"
$drift
sed -n 's|.*docker://\([^ ]*\) .*|\1|p' "$tmp/skopeo.sh" >"$tmp/refs"
json=$build/bench-drift.json
hyperfine --style basic --warmup 1 --runs 10 --export-json "$json" \
	-n "pinned drift (50 images, 200 packages)" "$drift" \
	-n "skopeo inspect, 50 in a loop" "sh $tmp/skopeo.sh" \
	-n "skopeo inspect, 8 at a time" \
	"xargs -P 8 -I{} skopeo inspect --tls-verify=false docker://{} <$tmp/refs >/dev/null"
set -- $(median "pinned drift (50 images, 200 packages)" "skopeo inspect, 50 in a loop" \
	"skopeo inspect, 8 at a time")
awk -v p="$1" -v s="$2" -v x="$3" 'BEGIN {
	printf "\npinned drift, 50 images and 200 packages in 3 suites: %.3f s; skopeo inspect over the 50 images: in a loop %.3f s (%.1fx), 8 at a time %.3f s (%.1fx) (medians)\n", p, s, s / p, x, x / p
}'

# Issue 10's benchmark: Debian bookworm's whole main index (63,000 stanzas,
# 48 MiB uncompressed) read and a typical set resolved, by the resolver
# pinned lock uses (tests/e2e/aptplan: the library on local files), against
# apt-get install --simulate on the same index and status: apt with its
# binary cache built anew each run (it reads the index, as we do), and
# with the cache it keeps between runs.
set -- build-essential python3 libjansson-dev ca-certificates
if "$top/mk/bookworm-index.sh" "$build/cache/bookworm-index" 2>"$tmp/index.err" &&
	"$top/mk/bookworm-base.sh" "$build/cache/bookworm-minbase.tar" 2>"$tmp/base.err"; then
	root=$tmp/aptroot
	mkdir -p "$root/etc/apt/apt.conf.d" "$root/etc/apt/preferences.d" "$root/var/lib/apt/lists/partial" \
		"$root/var/cache/apt/archives/partial" "$root/var/lib/dpkg"
	tar -xOf "$build/cache/bookworm-minbase.tar" ./var/lib/dpkg/status >"$root/var/lib/dpkg/status"
	echo "deb [trusted=yes] http://mirror.invalid/debian bookworm main" >"$root/etc/apt/sources.list"
	index=$root/var/lib/apt/lists/mirror.invalid_debian_dists_bookworm_main_binary-amd64_Packages
	xz -dc "$build/cache/bookworm-index/main-amd64-Packages.xz" >"$index"
	printf 'Dir "%s/";\nDir::State::status "%s/var/lib/dpkg/status";\nAPT::Architecture "amd64";\nAPT::Architectures { "amd64"; };\nDebug::NoLocking "true";\n' \
		"$root" "$root" >"$tmp/apt.conf"
	apt="env APT_CONFIG=$tmp/apt.conf apt-get -s -q install --no-install-recommends $* >/dev/null"
	ours="$build/tests/aptplan amd64 $root/var/lib/dpkg/status $index -- $* >/dev/null"
	json=$build/bench-apt.json
	hyperfine --style basic --warmup 2 --runs 15 --export-json "$json" \
		-n "pinned resolver: read the index, resolve" "$ours" \
		-n "apt-get -s install, cache built anew" --prepare "rm -f $root/var/cache/apt/*.bin" "$apt" \
		-n "apt-get -s install, cache kept" "$apt" >/dev/null 2>&1
	set -- $(median "pinned resolver: read the index, resolve" "apt-get -s install, cache built anew" \
		"apt-get -s install, cache kept")
	ours_rss=$(/usr/bin/time -f %M sh -c "$ours" 2>&1 | tail -1)
	rm -f "$root"/var/cache/apt/*.bin
	apt_rss=$(/usr/bin/time -f %M sh -c "$apt" 2>&1 | tail -1)
	awk -v p="$1" -v c="$2" -v w="$3" -v pr="$ours_rss" -v ar="$apt_rss" 'BEGIN {
		printf "\nbookworm main (63,000 stanzas) read and build-essential python3 libjansson-dev ca-certificates resolved: pinned %.3f s, %.1f MiB; apt-get -s with its cache built anew %.3f s (%.1fx), %.1f MiB; with its cache kept %.3f s (%.1fx) (medians; targets: faster than apt, under 0.3 s, under 64 MiB)\n", p, pr / 1024, c, c / p, ar / 1024, w, w / p
	}'
else
	echo "SKIP: bench: apt resolution: $(tail -1 "$tmp/index.err" "$tmp/base.err" 2>/dev/null | tail -1)"
fi

finish
