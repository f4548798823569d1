# The main job end to end, with no registry but one started here: a Debian
# bookworm base built from Debian's archive (debootstrap, cached in
# build/cache) and pushed as library/debian:bookworm-slim, then 'make image
# REGISTRY_MIRROR=...' and 'make run' on copies of the project: the
# Bell-state result, the same image digest from another path, other mtimes,
# umask and time zone, and another digest after a one-byte change in src/;
# pinned audit finds the sample's image clean; its provenance validates.
. "$TOP/tests/e2e/lib.sh"

for tool in debootstrap buildah docker-registry; do
	if ! command -v $tool >/dev/null; then
		echo "SKIP: image: $tool is not installed"
		finish
		exit 0
	fi
done
cache=$TOP/build/cache/bookworm-minbase.tar
if ! "$TOP/mk/bookworm-base.sh" "$cache" 2>"$tmp/base.err"; then
	echo "SKIP: image: no Debian base: $(tail -1 "$tmp/base.err")"
	finish
	exit 0
fi
start_registry base || exit 0
ctr=$(buildah_ from scratch)
buildah_ add "$ctr" "$cache" / >/dev/null
buildah_ config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
buildah_ commit -q --timestamp 0 --identity-label=false "$ctr" debian-base >/dev/null
push debian-base "$REG/library/debian:bookworm-slim" || fail "image: push the Debian base"

copy() {	# copy DIR: the project's files, as a clone has them
	mkdir -p "$1"
	(cd "$TOP" && cp -R src input Dockerfile.in .dockerignore openapi-spec.yml Makefile mk "$1/")
}
image() {	# image DIR [make arguments]: make image there; the digest in $tmp/digest
	d=$1; shift
	make -s -C "$d" image PINNED="$PINNED" REGISTRY_MIRROR="$REG" "$@" >"$tmp/make.out" 2>"$tmp/make.err"
	status=$?
	tail -1 "$tmp/make.out" >"$tmp/digest"
	[ $status = 0 ] || { echo "    $(tail -3 "$tmp/make.err")"; return 1; }
}
a=$tmp/project
copy "$a"
check "image: make image REGISTRY_MIRROR=... on a copy of the project" image "$a"
first=$(cat "$tmp/digest")
case $first in sha256:????????????????????????????????????????????????????????????????)
	pass "image: the image digest is the last line" ;;
*)	fail "image: the image digest is the last line" "$first" ;; esac
check "image: the lock was written (there was none)" test -s "$a/lockfiles/images.lock"
# Debian's own InRelease files, verified against debian-archive-keyring
check "image: the apt lock was written, from Debian's archive, its three suites verified" \
	test "$(grep -c '"inrelease": "sha256:' "$a/lockfiles/apt.lock")" = 6
check "image: the rendered Dockerfile installs libjansson4 at the locked version" \
	grep -q "libjansson4=$(grep -A7 '"name": "libjansson4"' "$a/lockfiles/apt.lock" |
		sed -n 's/.*"version": "\(.*\)".*/\1/p' | head -1)" "$a/Dockerfile"
make -s -C "$a" run PINNED="$PINNED" >"$tmp/run.out" 2>"$tmp/run.err"
same "image: make run exits 0" $? 0
same "image: make run prints the Bell-state result, only 00 and 11" "$(tail -1 "$tmp/run.out")" \
	'{"counts":{"00":496,"11":528},"shots":1024}'

"$PINNED" audit -C "$a" >"$tmp/audit.out" 2>&1
same "image: pinned audit: the sample's image carries nothing it should not, times checked" \
	"$?: $(tail -1 "$tmp/audit.out" | sed 's/: [0-9]* entries in [0-9]* layers read$//')" \
	"0: clean: 0 findings in oci:build/image"

# its provenance: valid against the published schemas, every digest the
# record's, the base image and each Debian package named
if command -v protoc >/dev/null && /usr/bin/python3 -c 'import google.protobuf' 2>/dev/null; then
	"$PINNED" provenance -C "$a" -o "$tmp/provenance.json" &&
		mkdir -p "$tmp/protoc" &&
		/usr/bin/python3 "$TOP/tests/e2e/check_provenance.py" "$tmp/provenance.json" \
			"$a/lockfiles/build.lock" "$TOP/tests/fixtures/schemas" "$tmp/protoc" \
			>"$tmp/check.out" 2>&1
	if grep -q '^valid: ' "$tmp/check.out"; then
		pass "image: the sample's provenance is valid and every digest in it is the record's"
	else
		fail "image: the sample's provenance is valid and every digest in it is the record's" \
			"$(cat "$tmp/check.out")"
	fi
	same "image: the provenance names each locked package and suite" \
		"$(grep -c '"uri": "pkg:deb/debian/' "$tmp/provenance.json") $(grep -c '/InRelease"' "$tmp/provenance.json")" \
		"$(grep -c '"sha256": "[0-9a-f]\{64\}",$' "$a/lockfiles/apt.lock") 3"
else
	echo "SKIP: image: provenance: protoc or python3-protobuf is not installed"
fi

# another clone at another path: every mtime changed, another umask and
# time zone, clean builder storage
b=$tmp/elsewhere/clone-two
copy "$b"
cp -R "$a/lockfiles" "$b/"
find "$b" -exec touch -d '1999-12-31 23:59:59' {} +
(umask 027 && TZ=America/Los_Angeles LC_ALL=C.UTF-8 image "$b")
same "image: another path, mtimes, umask, time zone and storage: the same image digest" \
	"$(cat "$tmp/digest")" "$first"
context_b=$("$PINNED" context -C "$b")
# a byte that the compiled service holds: another context, another image
sed -i 's/SIM_SHOTS_MAX 1000000/SIM_SHOTS_MAX 1000001/' "$b/src/sim.h"
image "$b"
check "image: a one-byte change in src/: another image digest" test "$(cat "$tmp/digest")" != "$first"
check "image: a one-byte change in src/: another context digest" \
	test "$("$PINNED" context -C "$b")" != "$context_b"

finish
