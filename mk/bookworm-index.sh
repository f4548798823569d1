#!/bin/sh
# usage: mk/bookworm-index.sh CACHE_DIR [SUITE]
# The main index for amd64 of Debian's SUITE (bookworm unless given), from
# the mirror apt uses here (the first URIs: of
# /etc/apt/sources.list.d/debian.sources), into CACHE_DIR: InRelease,
# verified with gpgv against debian-archive-keyring, its signed text as
# Release, and main-amd64-Packages.xz, checked against the SHA256 that
# InRelease gives.
# Nothing is fetched when both are there. Exit 3, with the reason on
# stderr, when the archive cannot be reached; 2 for other trouble.
set -u
dir=${1:?usage: mk/bookworm-index.sh CACHE_DIR [SUITE]}
suite=${2:-bookworm}
[ -s "$dir/InRelease" ] && [ -s "$dir/Release" ] && [ -s "$dir/main-amd64-Packages.xz" ] && exit 0
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	grep -v security | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$dir" || exit 2
tmp=$(mktemp -d "$dir/fetch.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
fetch() {
	curl -fsS --connect-timeout 10 --max-time 300 -o "$tmp/$2" "$mirror/dists/$suite/$1" 2>"$tmp/err" || {
		echo "cannot fetch $mirror/dists/$suite/$1: $(cat "$tmp/err")" >&2
		exit 3
	}
}
fetch InRelease InRelease
gpgv --keyring "$keyring" --output "$tmp/Release" "$tmp/InRelease" >/dev/null 2>"$tmp/gpgv" || {
	echo "$mirror: InRelease does not verify against $keyring: $(tail -1 "$tmp/gpgv")" >&2
	exit 2
}
want=$(awk '/^SHA256:/ { s = 1; next } /^[^ ]/ { s = 0 }
	s && $3 == "main/binary-amd64/Packages.xz" { print $1 }' "$tmp/Release")
fetch main/binary-amd64/Packages.xz Packages.xz
got=$(sha256sum "$tmp/Packages.xz" | cut -d' ' -f1)
[ -n "$want" ] && [ "$got" = "$want" ] || {
	echo "$mirror: main/binary-amd64/Packages.xz has SHA-256 $got, InRelease says '$want'" >&2
	exit 2
}
mv "$tmp/Packages.xz" "$dir/main-amd64-Packages.xz" && mv "$tmp/Release" "$dir/Release" &&
	mv "$tmp/InRelease" "$dir/InRelease" || exit 2
