#!/bin/sh
# usage: mk/bookworm-base.sh CACHE_TAR
# Debian bookworm, --variant=minbase, from the mirror apt uses here (the
# first URIs: of /etc/apt/sources.list.d/debian.sources), as a tar with
# numeric owners at CACHE_TAR; nothing is done when CACHE_TAR is there.
# Logs, downloads, apt lists and ldconfig's cache are left out. About a
# minute, once. Exit 3, with the reason on stderr, when the archive cannot
# be reached; 2 for other trouble.
set -u
cache=${1:?usage: mk/bookworm-base.sh CACHE_TAR}
[ -s "$cache" ] && exit 0
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	grep -v security | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$(dirname "$cache")" || exit 2
tmp=$(mktemp -d "$(dirname "$cache")/bookworm.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
echo "debootstrap --variant=minbase bookworm from $mirror (about a minute, once)" >&2
if ! debootstrap --variant=minbase bookworm "$tmp/rootfs" "$mirror" >"$tmp/log" 2>&1; then
	echo "debootstrap cannot build bookworm from $mirror: $(tail -1 "$tmp/log")" >&2
	exit 3
fi
rm -rf "$tmp/rootfs/var/cache/apt/archives/"*.deb "$tmp/rootfs/var/lib/apt/lists/"*_* \
	"$tmp/rootfs/var/log/"* "$tmp/rootfs/var/cache/ldconfig/aux-cache"
tar --numeric-owner --sort=name -C "$tmp/rootfs" -cf "$tmp/base.tar" . && mv "$tmp/base.tar" "$cache" || exit 2
