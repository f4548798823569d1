#!/bin/sh
# usage: mk/demo.sh BUILD_DIR PINNED
# The main job on a machine that reaches Debian's archive and no container
# registry: the sample service's image built twice from a Debian bookworm
# base made here, the two digests compared, and the image run as PlanQK
# runs it. Everything goes under BUILD_DIR/demo; no committed file changes.
#
#  1. a docker-registry on 127.0.0.1 (a free port), its storage in BUILD_DIR;
#  2. Debian bookworm from Debian's archive with debootstrap --variant=minbase
#     (the mirror apt uses here), cached as BUILD_DIR/cache/bookworm-minbase.tar,
#     committed with buildah and pushed as library/debian:bookworm-slim;
#  3. a copy of the project in BUILD_DIR/demo/project: pinned lock (through
#     the registry as a Docker Hub mirror), render, build --twice, run;
#  4. the registry stopped by its PID, whatever happened.
set -eu
build=$(cd "${1:?usage: mk/demo.sh BUILD_DIR PINNED}" && pwd)
pinned=$(cd "$(dirname "${2:?usage: mk/demo.sh BUILD_DIR PINNED}")" && pwd)/$(basename "$2")
top=$(cd "$(dirname "$0")/.." && pwd)
demo=$build/demo
cache=$build/cache/bookworm-minbase.tar
say() { echo "demo: $*" >&2; }
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f s", b - a }'; }

rm -rf "$demo"
mkdir -p "$demo/registry" "$build/cache"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true' EXIT INT TERM

# 1. the registry
cat >"$demo/registry.yml" <<EOF
version: 0.1
storage: {filesystem: {rootdirectory: $demo/registry}}
http: {addr: 127.0.0.1:0}
log: {level: info}
EOF
docker-registry serve "$demo/registry.yml" >"$demo/registry.log" 2>&1 &
pid=$!
reg=
for _ in $(seq 100); do
	reg=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$demo/registry.log" | head -1)
	[ -n "$reg" ] && break
	sleep 0.1
done
[ -n "$reg" ] || { say "docker-registry did not start: $(cat "$demo/registry.log")"; exit 2; }
say "registry on $reg (pid $pid)"

# 2. the base
"$top/mk/bookworm-base.sh" "$cache" || exit 2
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
b() { buildah --root "$demo/base-storage/root" --runroot "$demo/base-storage/run" "$@"; }
ctr=$(b from scratch)
b add "$ctr" "$cache" / >/dev/null
b config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
b commit -q --timestamp 0 --identity-label=false "$ctr" debian-base >/dev/null
b push -q --tls-verify=false debian-base "docker://$reg/library/debian:bookworm-slim"
rm -rf "$demo/base-storage"
say "pushed Debian bookworm as $reg/library/debian:bookworm-slim"

# 3. the project, copied: lock, render, build twice, run
mkdir -p "$demo/project"
(cd "$top" && cp -R src input Dockerfile.in .dockerignore openapi-spec.yml "$demo/project/")
t=$(now); "$pinned" lock -C "$demo/project" --registry-mirror "$reg"; lock=$(took "$t")
t=$(now); "$pinned" render -C "$demo/project"; render=$(took "$t")
t=$(now); "$pinned" context -C "$demo/project" >/dev/null; context=$(took "$t")
t=$(now)
"$pinned" build -C "$demo/project" --registry-mirror "$reg" --twice >"$demo/digests" || {
	cat "$demo/digests" >&2
	say "the two builds differ"
	exit 1
}
build=$(took "$t")
set -- $(cat "$demo/digests")
say "built twice from clean storage, the same image: $1"
t=$(now); "$pinned" run -C "$demo/project" >"$demo/result"; run=$(took "$t")
say "lock $lock, render $render, context $context, build twice $build, run $run"
cat "$demo/result"
