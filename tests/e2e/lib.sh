# Helpers for the end-to-end scenarios; sourced, not run.
# Each check prints "PASS: name" or "FAIL: name: why" (tests/run.sh counts them).
: "${PINNED:?PINNED must name the pinned binary}" "${TOP:?}"
tmp=$(mktemp -d /tmp/pinned-e2e.XXXXXX)
pids=
finished=
# A scenario that stops before its last line (an unexpected 'exit', a shell
# error) is a failure, never silence: each ends with 'finish'. The servers it
# started are stopped by their PID, pass or fail.
on_exit() {
	status=$?
	[ -n "$finished" ] || echo "FAIL: $(basename "$0"): ended early, with status $status, before its last check"
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	chmod -R u+rwx "$tmp" 2>/dev/null
	rm -rf "$tmp"
}
trap on_exit EXIT
finish() { finished=1; }
export LC_ALL=C TZ=UTC
unset SOURCE_DATE_EPOCH

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+: $2}"; }

# check NAME CONDITION-COMMAND...: pass when the command succeeds
check() {
	name=$1; shift
	if "$@"; then pass "$name"; else fail "$name" "'$*' failed"; fi
}

# same NAME GOT WANT
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi
}

# same_file NAME GOT WANT: the two files are byte for byte equal; when not,
# the first differing lines are shown
same_file() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "$2 differs from $3:"
		diff -u "$3" "$2" | sed -n '3,22s/^/    /p'
	fi
}

# expect_error NAME STATUS MESSAGE CMD...: the command exits with STATUS and
# prints exactly MESSAGE (one line) on stderr
expect_error() {
	name=$1 want_status=$2 want_err=$3; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	got_err=$(cat "$tmp/err")
	if [ $status -ne "$want_status" ]; then
		fail "$name" "exit status $status, want $want_status (stderr: $got_err)"
	elif [ "$got_err" != "$want_err" ]; then
		fail "$name" "stderr '$got_err', want '$want_err'"
	else
		pass "$name"
	fi
}

# sha256 FILE: the hex digest
sha256() { sha256sum "$1" | cut -d' ' -f1; }

# make_fixture DIR: the fixture tree of the golden tests, with a symlink, an
# empty directory, an executable, a non-ASCII name and a 200-byte name. With
# REVERSE=1 in the environment the files are created in the opposite order.
make_fixture() {
	d=$1
	long=$(printf 'n%.0s' $(seq 200))
	mkdir -p "$d"
	set -- "Dockerfile" "src/main.c" "src/util/helper.c" "input/data.json" \
		"naïve-ü.txt" "deep/a/b/c/d/$long" "run.sh" "a.txt"
	files="$*"
	if [ "${REVERSE:-0}" = 1 ]; then
		files=$(printf '%s\n' "$@" | sort -r | tr '\n' ' ')
	fi
	for f in $files; do
		mkdir -p "$d/$(dirname "$f")"
		printf 'content of %s\n' "$f" >"$d/$f"
	done
	chmod 755 "$d/run.sh"
	mkdir -p "$d/empty"
	ln -s src/main.c "$d/link-to-main"
	ln -s "$(printf 'x%.0s' $(seq 150))" "$d/long-link"
	printf 'build\n.git\n*.tmp\n' >"$d/.dockerignore"
	mkdir -p "$d/build"
	echo ignored >"$d/build/out"
	echo ignored >"$d/scratch.tmp"
}

# start_registry NAME [YAML [STORAGE]]: docker-registry on 127.0.0.1 with a
# free port, storing in $tmp/STORAGE (default NAME), so several registries
# can serve the same images; YAML is added to its config (auth, or an http
# section with tls). Sets REG to "127.0.0.1:PORT".
start_registry() {
	mkdir -p "$tmp/${3:-$1}"
	{
		echo "version: 0.1"
		echo "storage: {filesystem: {rootdirectory: $tmp/${3:-$1}}, delete: {enabled: true}}"
		echo "log: {level: info}"
		echo "${2:-}"
	} >"$tmp/$1.yml"
	grep -q '^http:' "$tmp/$1.yml" || echo "http: {addr: 127.0.0.1:0}" >>"$tmp/$1.yml"
	docker-registry serve "$tmp/$1.yml" >"$tmp/$1.log" 2>&1 &
	pids="$pids $!"
	REG=
	for _ in $(seq 100); do
		REG=$(sed -n 's/.*listening on \([0-9.]*:[0-9]*\).*/\1/p' "$tmp/$1.log" | head -1)
		[ -n "$REG" ] && return 0
		sleep 0.05
	done
	echo "FAIL: start docker-registry: $(cat "$tmp/$1.log")"
	return 1
}

# start_server PROGRAM [ARGS]: tests/e2e/PROGRAM.c, logging to $tmp/PROGRAM.log;
# sets ADDR to "127.0.0.1:PORT". Each start writes its port to a new file,
# so the port read is this server's and never the previous one's; a port
# counts once its line is whole.
start_server() {
	portfile=$(mktemp "$tmp/$1.port.XXXXXX")
	program=$1; shift
	"$BUILD/tests/$program" "$@" >"$portfile" 2>"$tmp/$program.log" &
	pids="$pids $!"
	for _ in $(seq 100); do
		[ "$(wc -l <"$portfile")" -ge 1 ] && break
		sleep 0.05
	done
	ADDR=127.0.0.1:$(head -1 "$portfile")
}

# start_fake MODE [ARGS]: the fake registry (fakereg.c); sets FAKE.
start_fake() { start_server fakereg "$@"; FAKE=$ADDR; }

# start_proxy [--tls CERT KEY] UPSTREAM MODE: the fault proxy (faultproxy.c)
# in front of a real registry; sets PROXY.
start_proxy() { start_server faultproxy "$@"; PROXY=$ADDR; }

# build_image NAME [MARKER] [ARCH]: a busybox image (plus /marker holding
# MARKER) committed reproducibly with buildah in private storage.
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
buildah_() { buildah --root "$tmp/storage" --runroot "$tmp/run" "$@"; }
build_image() {
	mkdir -p "$tmp/rootfs/bin"
	[ -e "$tmp/rootfs/bin/busybox" ] || cp /bin/busybox "$tmp/rootfs/bin/busybox"
	ln -sf busybox "$tmp/rootfs/bin/sh"
	echo "${2:-}" >"$tmp/rootfs/marker"
	c=$(buildah_ from scratch) &&
		buildah_ copy "$c" "$tmp/rootfs/" / >/dev/null &&
		buildah_ config --cmd /bin/sh --env PATH=/bin ${3:+--arch "$3"} "$c" &&
		buildah_ commit -q --rm --timestamp 0 --identity-label=false "$c" "$1" >/dev/null
}

# push IMAGE DEST: push to docker://DEST over plain HTTP
push() { buildah_ push -q --tls-verify=false "$1" "docker://$2" >/dev/null 2>&1; }

# A signed Debian archive in $www (served by start_httpd), its suites in
# $repo = $www/debian: archive_key makes the signing key (in $GNUPGHOME =
# $tmp/gnupg, exported to $tmp/archive.gpg, its id in $keyid); fake_deb
# makes a package; sign_suite indexes and signs a suite.
www=$tmp/www
repo=$www/debian
archive_key() {
	export GNUPGHOME=$tmp/gnupg
	mkdir -m 700 "$GNUPGHOME"
	gpg --batch -q --passphrase '' --quick-gen-key 'pinned test archive' ed25519 sign 1d 2>/dev/null
	gpg --batch --export >"$tmp/archive.gpg"
	keyid=$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^pub/ { print $5; exit }')
}
fake_deb() {	# fake_deb NAME VERSION [CONTROL-LINE]: into $tmp/made
	d=$tmp/pkg-$1-$2
	mkdir -p "$d/DEBIAN" "$tmp/made"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: pinned tests <t@pinned.invalid>\nDescription: made by the pinned tests\n%s' \
		"$1" "$2" "${3:+$3
}" >"$d/DEBIAN/control"
	dpkg-deb --root-owner-group -Zgzip --build "$d" "$tmp/made/$1_$2_all.deb" >/dev/null
}
sign_suite() {	# sign_suite SUITE [EXTRA-FIELDS]: index dists/SUITE from pool/SUITE, sign InRelease
	s=$1
	dir=$repo/dists/$s/main/binary-amd64
	mkdir -p "$dir" "$repo/pool/$s"
	(cd "$repo" && dpkg-scanpackages --multiversion "pool/$s" 2>/dev/null) >"$dir/Packages"
	xz -kf "$dir/Packages"
	{
		printf 'Origin: pinned tests\nSuite: %s\nCodename: %s\n' "$s" "$s"
		printf 'Date: %s\n' "$(date -u -R | sed 's/+0000/UTC/')"
		[ -n "${2:-}" ] && printf '%s\n' "$2"
		printf 'Architectures: amd64\nComponents: main\nSHA256:\n'
		for f in main/binary-amd64/Packages main/binary-amd64/Packages.xz; do
			printf ' %s %s %s\n' "$(sha256 "$repo/dists/$s/$f")" \
				"$(wc -c <"$repo/dists/$s/$f")" "$f"
		done
	} >"$repo/dists/$s/Release"
	gpg --batch --yes -q --clearsign -o "$repo/dists/$s/InRelease" "$repo/dists/$s/Release"
}

# start_httpd DIR PATH: busybox httpd serving DIR on 127.0.0.1 at a free
# port, once PATH answers there; its URL in $HTTPD.
start_httpd() {
	HTTPD=
	for _ in $(seq 20); do
		p=$((20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000))
		busybox httpd -f -p "127.0.0.1:$p" -h "$1" &
		hpid=$!
		sleep 0.2
		if kill -0 $hpid 2>/dev/null && curl -fsS -o /dev/null "http://127.0.0.1:$p/$2"; then
			pids="$pids $hpid"
			HTTPD=http://127.0.0.1:$p
			return 0
		fi
		kill $hpid 2>/dev/null
	done
	return 1
}
