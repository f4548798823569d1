# Helpers for the end-to-end scenarios; sourced, not run.
# Each check prints "PASS: name" or "FAIL: name: why" (tests/run.sh counts them).
: "${PINNED:?PINNED must name the pinned binary}" "${TOP:?}"
tmp=$(mktemp -d /tmp/pinned-e2e.XXXXXX)
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
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
