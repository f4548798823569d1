# Pinning apt installs against a real signed archive: real .deb files from
# Debian's archive (cached in build/cache/apt-debs) and two made here with
# dpkg-deb, indexed by dpkg-scanpackages, InRelease signed by a key made
# here, served by busybox httpd on 127.0.0.1; a Debian bookworm base that
# trusts the key, in a loopback registry. pinned lock writes apt.lock;
# every fault is one line, exit 2, both locks unchanged; the rendered
# Dockerfile (an exec-form RUN) built by buildah installs exactly the locked versions, still
# when the archive gains a newer one, and fails naming the package when the
# locked version leaves the archive.
. "$TOP/tests/e2e/lib.sh"

skip() { echo "SKIP: aptlock: $1"; finish; exit 0; }
for tool in debootstrap buildah docker-registry gpg gpgv dpkg-scanpackages dpkg-deb xz busybox; do
	command -v $tool >/dev/null || skip "$tool is not installed"
done
index=$TOP/build/cache/bookworm-index
"$TOP/mk/bookworm-index.sh" "$index" 2>"$tmp/index.err" ||
	skip "no bookworm index: $(tail -1 "$tmp/index.err")"
"$TOP/mk/bookworm-base.sh" "$TOP/build/cache/bookworm-minbase.tar" 2>"$tmp/base.err" ||
	skip "no bookworm base: $(tail -1 "$tmp/base.err")"

# real packages, fetched once: jq and what it needs beyond the base
debs=$TOP/build/cache/apt-debs
mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
	grep -v security | head -1)
mkdir -p "$debs"
for p in jq libjq1 libonig5; do
	file=$(xz -dc "$index/main-amd64-Packages.xz" |
		awk -v p="$p" 'BEGIN { RS = "" } $0 ~ "^Package: " p "\n" { print }' |
		sed -n 's/^Filename: //p' | head -1)
	[ -s "$debs/$(basename "$file")" ] ||
		curl -fsS -o "$debs/$(basename "$file")" "${mirror:-http://deb.debian.org/debian}/$file" ||
		skip "cannot fetch $file"
done
jqver=$(dpkg-deb -f "$debs"/jq_*.deb Version)

# two packages made here: pinned-a conflicts with pinned-b
fake_deb pinned-a 1.0 "Conflicts: pinned-b"
fake_deb pinned-b 1.0

# the archive: suites bookworm, bookworm-updates and bookworm-security
archive_key
mkdir -m 700 "$tmp/gnupg2"
GNUPGHOME=$tmp/gnupg2 gpg --batch -q --passphrase '' --quick-gen-key 'somebody else' ed25519 sign 1d 2>/dev/null
GNUPGHOME=$tmp/gnupg2 gpg --batch --export >"$tmp/other.gpg"
mkdir -p "$repo/pool/bookworm"
cp "$debs"/*.deb "$tmp/made"/*.deb "$repo/pool/bookworm/"
for s in bookworm bookworm-updates bookworm-security; do sign_suite $s; done

start_httpd "$www" debian/dists/bookworm/InRelease || { fail "aptlock: start busybox httpd"; finish; exit 0; }
archive=$HTTPD/debian

# the base: bookworm, trusting the archive's key
start_registry base || { finish; exit 0; }
ctr=$(buildah_ from scratch)
buildah_ add "$ctr" "$TOP/build/cache/bookworm-minbase.tar" / >/dev/null
buildah_ copy "$ctr" "$tmp/archive.gpg" /etc/apt/trusted.gpg.d/pinned-test.gpg >/dev/null
buildah_ config --cmd /bin/bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
buildah_ commit -q --timestamp 0 --identity-label=false "$ctr" debian-test >/dev/null
push debian-test "$REG/library/debian:bookworm-slim" || fail "aptlock: push the base"

proj=$tmp/proj
mkdir -p "$proj"
template() {	# template PACKAGES...: the project's Dockerfile.in
	printf 'FROM debian:bookworm-slim\nRUN apt-get install -y --no-install-recommends %s\n' "$*" \
		>"$proj/Dockerfile.in"
}
lock() { (cd "$proj" && "$PINNED" lock --registry-mirror "$REG" --apt-mirror "$archive" \
	--apt-keyring "$tmp/archive.gpg" "$@"); }

template jq
check "aptlock: pinned lock writes apt.lock" lock
# each package's fields (a package is an object 14 spaces in)
got=$(grep -E '^ {14}"(name|version|requested|sha256)"' "$proj/lockfiles/apt.lock" |
	tr -d ' ,"' | paste -sd' ')
want=
for p in jq libjq1 libonig5; do
	f=$(ls "$debs/${p}"_*.deb)
	r=false; [ $p = jq ] && r=true
	want="$want${want:+ }name:$p requested:$r sha256:$(sha256 "$f") version:$(dpkg-deb -f "$f" Version)"
done
same "aptlock: apt.lock holds jq and its closure with versions and SHA-256" "$got" "$want"
grep -q "\"uri\": \"$archive\"" "$proj/lockfiles/apt.lock" &&
	grep -q '"suite": "bookworm-security"' "$proj/lockfiles/apt.lock"
check "aptlock: apt.lock names the archive and each suite" test $? -eq 0
cp "$proj/lockfiles/apt.lock" "$tmp/apt.lock.1"
cp "$proj/lockfiles/images.lock" "$tmp/images.lock.1"
lock --update >/dev/null 2>&1
same_file "aptlock: locking again with nothing moved writes the same bytes" \
	"$proj/lockfiles/apt.lock" "$tmp/apt.lock.1"

# pinned drift: what moved in the archive since the lock, asked of it again
drift() { "$PINNED" drift -C "$proj" --registry-mirror "$REG" --apt-keyring "$tmp/archive.gpg" \
	"$@" >"$tmp/drift.out" 2>&1; echo $? >"$tmp/drift.status"; }
drift
same "aptlock: drift with nothing moved: exit 0, what was checked" \
	"$(cat "$tmp/drift.status"): $(cat "$tmp/drift.out")" \
	"0: nothing moved: 1 image (1 platform), 3 packages in 3 suites checked"
onigver=$(dpkg-deb -f "$debs"/libonig5_*.deb Version)
fake_deb jq "$jqver+pinned1" "Depends: libjq1"
fake_deb libonig5 "$onigver+pinned1"
mkdir -p "$repo/pool/bookworm-security" "$repo/pool/bookworm-updates"
cp "$tmp/made/jq_$jqver+pinned1_all.deb" "$repo/pool/bookworm-security/"
cp "$tmp/made/libonig5_$onigver+pinned1_all.deb" "$repo/pool/bookworm-updates/"
sign_suite bookworm-security
sign_suite bookworm-updates
drift
same "aptlock: drift names a security update and a newer version, each from its suite" \
	"$(cat "$tmp/drift.status")
$(cat "$tmp/drift.out")" "1
package: 0:jq: security update ($jqver, now $jqver+pinned1 from bookworm-security)
package: 0:libonig5: newer version ($onigver, now $onigver+pinned1 from bookworm-updates)
2 findings: 1 image (1 platform), 3 packages in 3 suites checked"
drift --json
check "aptlock: drift --json gives the suite of a security update" \
	grep -q "\"from\": \"bookworm-security\"" "$tmp/drift.out"
same_file "aptlock: drift leaves the apt lock as it was" "$proj/lockfiles/apt.lock" "$tmp/apt.lock.1"
rm "$repo/pool/bookworm-security"/*.deb "$repo/pool/bookworm-updates"/*.deb
# the locked jq leaves the archive; libjq1's bytes change under the same version
libjq1ver=$(dpkg-deb -f "$debs"/libjq1_*.deb Version)
mkdir -p "$tmp/aside"
mv "$repo/pool/bookworm"/jq_*.deb "$repo/pool/bookworm"/libjq1_*.deb "$tmp/aside/"
fake_deb libjq1 "$libjq1ver"
cp "$tmp/made/libjq1_${libjq1ver}_all.deb" "$repo/pool/bookworm/"
for s in bookworm bookworm-updates bookworm-security; do sign_suite $s; done
drift
same "aptlock: drift names a version that left the archive and one whose bytes changed" \
	"$(cat "$tmp/drift.status")
$(cat "$tmp/drift.out")" "1
package: 0:jq: left the archive ($jqver)
package: 0:libjq1: changed in the archive ($(sha256 "$tmp/aside"/libjq1_*.deb), now $(sha256 "$tmp/made/libjq1_${libjq1ver}_all.deb"))
2 findings: 1 image (1 platform), 3 packages in 3 suites checked"
rm "$repo/pool/bookworm/libjq1_${libjq1ver}_all.deb"
mv "$tmp/aside"/*.deb "$repo/pool/bookworm/"
sign_suite bookworm
drift --apt-keyring "$tmp/other.gpg"
same "aptlock: drift with a keyring that does not hold the archive's key is trouble" \
	"$(cat "$tmp/drift.status"): $(cat "$tmp/drift.out")" \
	"2: pinned: $archive/dists/bookworm/InRelease: signed by key $keyid, which keyring $tmp/other.gpg does not hold"

# faults: one line, exit 2, both locks as they were
unchanged() {
	cmp -s "$proj/lockfiles/apt.lock" "$tmp/apt.lock.1" &&
		cmp -s "$proj/lockfiles/images.lock" "$tmp/images.lock.1"
}
fault() {	# fault NAME MESSAGE [lock arguments]
	fname=$1 fmsg=$2; shift 2
	expect_error "aptlock: $fname" 2 "$fmsg" lock --update "$@"
	check "aptlock: $fname: both locks unchanged" unchanged
}
template no-such-package
fault "an unknown package" \
	"pinned: Dockerfile.in:2:5: apt-get install: package 'no-such-package' is not in the archive"
printf 'FROM debian:bookworm-slim\nRUN apt-get install -y -t stable jq\n' >"$proj/Dockerfile.in"
fault "a target release no suite is" \
	"pinned: Dockerfile.in:2:5: apt-get install -t stable: no suite read for this stage is that release (bookworm, bookworm-updates, bookworm-security; CODENAME-backports is added when named)"
printf 'FROM debian:bookworm-slim\nRUN apt-get install -y -t bookworm-backports jq\n' >"$proj/Dockerfile.in"
fault "a backports suite the archive does not have" \
	"pinned: archive '$archive' has no suite 'bookworm-backports' (dists/bookworm-backports/InRelease: 404)"
template jq=9.9
fault "a version the archive does not have" \
	"pinned: Dockerfile.in:2:5: apt-get install: version '9.9' of package 'jq' is not in the archive"
template pinned-a pinned-b
fault "conflicting requests" \
	"pinned: Dockerfile.in:2:5: apt-get install: cannot install pinned-a 1.0: pinned-a 1.0 conflicts with pinned-b, and pinned-b 1.0 is to be there too"
template jq
fault "an archive that cannot be reached" \
	"pinned: cannot connect to archive 'http://127.0.0.1:1/debian'" \
	--apt-mirror http://127.0.0.1:1/debian
fault "a component the suites do not have" \
	"pinned: $archive/dists/bookworm/InRelease lists no contrib/binary-amd64/Packages: the suite has no component 'contrib' for amd64" \
	--apt-component main --apt-component contrib
fault "a key the keyring does not hold" \
	"pinned: $archive/dists/bookworm/InRelease: signed by key $keyid, which keyring $tmp/other.gpg does not hold" \
	--apt-keyring "$tmp/other.gpg"

# faults in the archive itself, each put right after
packages=$repo/dists/bookworm/main/binary-amd64/Packages.xz
cp "$packages" "$tmp/Packages.xz.good"
head -c 1000 "$tmp/Packages.xz.good" >"$packages"
fault "a truncated index" \
	"pinned: $archive/dists/bookworm: main/binary-amd64/Packages.xz has 1000 bytes, the release says $(wc -c <"$tmp/Packages.xz.good")"
cp "$tmp/Packages.xz.good" "$packages"
# one byte changed, the size kept
printf 'X' | dd of="$packages" bs=1 seek=100 conv=notrunc 2>/dev/null
fault "a tampered index" \
	"pinned: $archive/dists/bookworm: main/binary-amd64/Packages.xz has SHA-256 $(sha256 "$packages"), the release says $(sha256 "$tmp/Packages.xz.good")"
cp "$tmp/Packages.xz.good" "$packages"
sed -i 's/^Suite: bookworm$/Suite: bookwork/' "$repo/dists/bookworm/InRelease"
fault "a bad signature" \
	"pinned: $archive/dists/bookworm/InRelease: the signature by key $keyid does not match the text: the file was changed after it was signed"
sign_suite bookworm "Valid-Until: Thu, 01 Jan 2026 00:00:00 UTC"
fault "an expired Valid-Until" \
	"pinned: $archive/dists/bookworm/InRelease: expired on 2026-01-01 00:00:00 UTC (Valid-Until): the archive state it describes may be stale"
(cd "$repo/pool/bookworm" && mkdir -p "$tmp/aside" && mv jq_*.deb "$tmp/aside/")
sign_suite bookworm
xz -dc "$packages" >"$tmp/Packages.plain"
{ cat "$tmp/Packages.plain"; printf 'Package: jq\nVersion: 1.0\nArchitecture: amd64\n\n'; } |
	xz >"$packages"
sed -i "/Packages.xz\$/d" "$repo/dists/bookworm/Release"
printf ' %s %s main/binary-amd64/Packages.xz\n' "$(sha256 "$packages")" "$(wc -c <"$packages")" \
	>>"$repo/dists/bookworm/Release"
gpg --batch --yes -q --clearsign -o "$repo/dists/bookworm/InRelease" "$repo/dists/bookworm/Release"
fault "a malformed index" \
	"pinned: $archive/dists/bookworm/main/binary-amd64/Packages.xz:$(($(wc -l <"$tmp/Packages.plain") + 1)): package 'jq' has no Filename field"
mv "$tmp/aside"/*.deb "$repo/pool/bookworm/"
sign_suite bookworm
mv "$repo/dists/bookworm-updates" "$tmp/updates-aside"
fault "a missing suite" \
	"pinned: archive '$archive' has no suite 'bookworm-updates' (dists/bookworm-updates/InRelease: 404)"
mv "$tmp/updates-aside" "$repo/dists/bookworm-updates"

# backports, as Debian marks them (NotAutomatic, ButAutomaticUpgrades): read
# when an install names them with -t, and then preferred
bpover=9.0~bpo12+1
fake_deb jq "$bpover" "Depends: libjq1"
mkdir -p "$repo/pool/bookworm-backports"
cp "$tmp/made/jq_${bpover}_all.deb" "$repo/pool/bookworm-backports/"
sign_suite bookworm-backports "NotAutomatic: yes
ButAutomaticUpgrades: yes"
printf 'FROM debian:bookworm-slim\nRUN apt-get install -y -t bookworm-backports jq\nRUN apt-get install -y jq\n' \
	>"$proj/Dockerfile.in"
check "aptlock: lock with -t bookworm-backports" lock --update
got=$(grep -E '"(suite|target_release)": "bookworm-backports"|"version": "9.0~bpo12\+1"' \
	"$proj/lockfiles/apt.lock" | tr -d ' ,"' | sort | paste -sd' ')
same "aptlock: the backports suite is read, its jq locked, the target recorded" "$got" \
	"suite:bookworm-backports target_release:bookworm-backports version:$bpover"
printf 'FROM debian:bookworm-slim\nRUN apt-get install -y jq\n' >"$proj/Dockerfile.in"
lock --update >/dev/null 2>&1
check "aptlock: without -t, backports are neither read nor preferred" \
	sh -c "! grep -q bookworm-backports '$proj/lockfiles/apt.lock' && grep -q '\"version\": \"$jqver\"' '$proj/lockfiles/apt.lock'"

# a snapshot, in Debian's snapshot layout: its Valid-Until is not checked
mkdir -p "$www/archive/debian" "$www/archive/debian-security"
ln -s "$repo" "$www/archive/debian/20250101T000000Z"
ln -s "$repo" "$www/archive/debian-security/20250101T000000Z"
sign_suite bookworm "Valid-Until: Thu, 01 Jan 2026 00:00:00 UTC"
template jq
check "aptlock: lock --apt-snapshot reads the snapshot (an old Valid-Until is expected)" \
	lock --update --apt-mirror "$HTTPD" --apt-snapshot 20250101T000000Z
check "aptlock: the apt lock records the snapshot and its sources" \
	grep -q "\"uri\": \"$HTTPD/archive/debian-security/20250101T000000Z\"" \
	"$proj/lockfiles/apt.lock"
cp "$proj/lockfiles/apt.lock" "$tmp/apt.lock.snap"
(cd "$proj" && "$PINNED" lock --registry-mirror "$REG" --apt-keyring "$tmp/archive.gpg") >/dev/null 2>&1
same_file "aptlock: a lock run without --apt-snapshot keeps the snapshot" \
	"$proj/lockfiles/apt.lock" "$tmp/apt.lock.snap"
(cd "$proj" && "$PINNED" render)
check "aptlock: render points apt at the snapshot, without checking Valid-Until" \
	grep -qF "'deb [check-valid-until=no] $HTTPD/archive/debian/20250101T000000Z bookworm main'" \
	"$proj/Dockerfile"
sign_suite bookworm

# a real build installs exactly the locked versions; the builds are
# buildah's work, so the sanitizer pass (which runs everything above under
# ASan) leaves them to the plain pass
case $BUILD in
*/asan)
	echo "SKIP: aptlock: the builds: buildah's work, run once, in the plain pass"
	finish
	exit 0
	;;
esac
status_of() {	# status_of LAYOUT PACKAGE: "PACKAGE VERSION" from the image's dpkg status
	rm -rf "$tmp/st" && mkdir -p "$tmp/st"
	manifest=$(sed -n 's/.*"digest": *"sha256:\([0-9a-f]*\)".*/\1/p' "$1/index.json" | head -1)
	for layer in $(grep -o '"digest": *"sha256:[0-9a-f]*"' "$1/blobs/sha256/$manifest" |
		sed 's/.*sha256://; s/"//' | tail -n +2); do
		tar -xf "$1/blobs/sha256/$layer" -C "$tmp/st" ./var/lib/dpkg/status var/lib/dpkg/status \
			2>/dev/null
	done
	awk -v p="$2" 'BEGIN { RS = "" } $0 ~ "^Package: " p "\n" { print }' "$tmp/st/var/lib/dpkg/status" |
		sed -n 's/^Version: //p' | sed "s/^/$2 /"
}
build() { (cd "$proj" && "$PINNED" render && "$PINNED" build --registry-mirror "$REG") \
	>"$tmp/build.out" 2>"$tmp/build.err"; }
# the builds use the exec form, which render turns into the same command run
# by /bin/sh (the shell form is built by image.sh and make demo)
printf 'FROM debian:bookworm-slim\nRUN ["apt-get", "install", "-y", "--no-install-recommends", "jq"]\n' \
	>"$proj/Dockerfile.in"
if lock && build; then
	check "aptlock: render writes the exec form as [\"/bin/sh\", \"-c\", ...]" \
		grep -q '^RUN \["/bin/sh","-c","{ printf' "$proj/Dockerfile"
	pass "aptlock: the rendered Dockerfile builds"
	same "aptlock: the image has the locked jq" "$(status_of "$proj/build/image" jq)" "jq $jqver"
	same "aptlock: the image has the locked libonig5" "$(status_of "$proj/build/image" libonig5)" \
		"libonig5 $(dpkg-deb -f "$debs"/libonig5_*.deb Version)"
	check "aptlock: the image has no apt lists or dpkg log" \
		test ! -s "$tmp/st/var/log/dpkg.log"
else
	fail "aptlock: the rendered Dockerfile builds" "$(tail -5 "$tmp/build.err")"
fi
# a newer jq in the security suite changes nothing
fake_deb jq "$jqver+pinned1" "Depends: libjq1"
mkdir -p "$repo/pool/bookworm-security"
cp "$tmp/made/jq_$jqver+pinned1_all.deb" "$repo/pool/bookworm-security/"
sign_suite bookworm-security
if build; then
	same "aptlock: with a newer jq in the archive the image still has the locked one" \
		"$(status_of "$proj/build/image" jq)" "jq $jqver"
else
	fail "aptlock: build with a newer jq in the archive" "$(tail -5 "$tmp/build.err")"
fi
# pinned diff of the lock before and after lock --update (on a copy): the
# one package that moved, from what to what
cp "$proj/lockfiles/apt.lock" "$tmp/apt-before.lock"
cp -a "$proj" "$tmp/updated"
(cd "$tmp/updated" && "$PINNED" lock --registry-mirror "$REG" --apt-mirror "$archive" \
	--apt-keyring "$tmp/archive.gpg" --update) >/dev/null 2>&1
"$PINNED" diff "$tmp/apt-before.lock" "$tmp/updated/lockfiles/apt.lock" >"$tmp/diff.out" 2>&1
same "aptlock: pinned diff of the apt lock after lock --update: exactly jq, old and new" \
	"$?: $(sed '$d' "$tmp/diff.out")" "1: package: 0:jq: changed ($jqver, then $jqver+pinned1)"
# the locked jq leaves the archive: the build fails naming it
rm "$repo/pool/bookworm"/jq_*.deb
sign_suite bookworm
if build; then
	fail "aptlock: a build whose locked version left the archive fails"
else
	check "aptlock: the failed build names the package, its version and what to do" \
		grep -q "^pinned: jq $jqver is locked in lockfiles/apt.lock but is no longer in the archive: build from a snapshot (pinned lock --apt-snapshot YYYYMMDDTHHMMSSZ) or lock again (pinned lock --update)" "$tmp/build.err"
fi
# -t bookworm-backports: the build installs backports' jq
printf 'FROM debian:bookworm-slim\nRUN apt-get install -y -t bookworm-backports jq\n' >"$proj/Dockerfile.in"
if lock --update >/dev/null 2>&1 && build; then
	same "aptlock: an install with -t bookworm-backports builds with backports' jq" \
		"$(status_of "$proj/build/image" jq)" "jq $bpover"
	check "aptlock: the build record names the locked package" \
		grep -q "\"0:jq\": \"$bpover\"" "$proj/lockfiles/build.lock"
	check "aptlock: the build record names the base image" \
		grep -q '"docker.io/library/debian:bookworm-slim": "sha256:' "$proj/lockfiles/build.lock"
	(cd "$proj" && "$PINNED" verify >"$tmp/verify.out")
	same "aptlock: pinned verify: the tree is what the record says" "$?" 0
else
	fail "aptlock: build an install with -t bookworm-backports" "$(tail -5 "$tmp/build.err")"
fi
finish
