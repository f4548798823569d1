# pinned context: golden digests, determinism, interoperability, --rev, errors.
. "$TOP/tests/e2e/lib.sh"

EPOCH=1700000000
# Golden digests: any change to the archive format or the entry set of these
# fixtures changes them. Update only with a deliberate format change.
GOLDEN_FIXTURE=sha256:49814299dac4acb7ddac3f52a48f4a99c09a51ffaf29a7934a81d2b745d7179b
GOLDEN_FIXTURE_MANIFEST=1ac161751cc68ed10bbfbfa588939f75f0c6674431bb7db5abd6e574df737ecc
GOLDEN_EMPTY=sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef
GOLDEN_HASH=sha256:73de25af0601aee4facc9067d5b51476c417fea3b04b8859562f86ba49979a1e	# v2: lock lines (none here)

# ---- golden digests ----------------------------------------------------------

make_fixture "$tmp/a/ctx"
got=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o "$tmp/a.tar" --manifest "$tmp/a.manifest")
same "context: golden digest of the fixture tree" "$got" "$GOLDEN_FIXTURE"
same "context: printed digest is the SHA-256 of the file" "sha256:$(sha256 "$tmp/a.tar")" "$got"
same "context: golden digest of the fixture manifest" "$(sha256 "$tmp/a.manifest")" "$GOLDEN_FIXTURE_MANIFEST"

mkdir -p "$tmp/empty"
got=$(SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -C "$tmp/empty" -o "$tmp/empty.tar")
same "context: an empty context is the two end blocks" "$got" "$GOLDEN_EMPTY"

got=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" hash)
same "hash: golden build digest of the fixture tree" "$got" "$GOLDEN_HASH"

# ---- the entry set -------------------------------------------------------------

long=$(printf 'n%.0s' $(seq 200))
cat >"$tmp/want.list" <<EOF
.dockerignore
Dockerfile
a.txt
deep/
deep/a/
deep/a/b/
deep/a/b/c/
deep/a/b/c/d/
deep/a/b/c/d/$long
empty/
input/
input/data.json
link-to-main
long-link
naïve-ü.txt
run.sh
src/
src/main.c
src/util/
src/util/helper.c
EOF
"$PINNED" context -C "$tmp/a/ctx" --list >"$tmp/got.list"
check "context --list: sorted archive names, .dockerignore applied" cmp -s "$tmp/got.list" "$tmp/want.list"
tar --quoting-style=literal -tf "$tmp/a.tar" >"$tmp/tar.list"
check "context --list: the same names, in the same order, as tar -t" cmp -s "$tmp/tar.list" "$tmp/want.list"
check "context --list: writes nothing" test ! -e "$tmp/a/ctx/build/context.tar"

# ---- determinism ----------------------------------------------------------------

# The same tree in another place, created in the opposite order, under another
# umask, with other mtimes and owners, in another time zone and locale.
(
	umask 077
	REVERSE=1 make_fixture "$tmp/elsewhere/deeper/checkout"
	find "$tmp/elsewhere" -exec touch -h -d '2001-02-03 04:05:06' {} +
	chown -R -h 65534:65534 "$tmp/elsewhere" 2>/dev/null
)
got=$(cd "$tmp/elsewhere/deeper/checkout" &&
	SOURCE_DATE_EPOCH=$EPOCH TZ=Asia/Tokyo LC_ALL=C.UTF-8 "$PINNED" context -o "$tmp/b.tar")
same "context: same bytes from another path, order, umask, mtimes, owners, TZ and locale" "$got" "$GOLDEN_FIXTURE"
check "context: the two archives are byte for byte equal" cmp -s "$tmp/a.tar" "$tmp/b.tar"

a1=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o "$tmp/a1.tar")
touch "$tmp/a/ctx/src/main.c"
a2=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o "$tmp/a2.tar")
same "context: touching a file changes nothing" "$a2" "$a1"
echo changed >"$tmp/a/ctx/src/main.c"
a3=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o "$tmp/a3.tar")
check "context: changing a file's content changes the digest" test "$a3" != "$a1"
printf 'content of src/main.c\n' >"$tmp/a/ctx/src/main.c"
chmod 755 "$tmp/a/ctx/a.txt"
a4=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o "$tmp/a4.tar")
check "context: making a file executable changes the digest" test "$a4" != "$a1"
chmod 644 "$tmp/a/ctx/a.txt"
a5=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=1 "$PINNED" context -o "$tmp/a5.tar")
check "context: SOURCE_DATE_EPOCH sets the mtime, so it changes the digest" test "$a5" != "$a1"

# ---- interoperability --------------------------------------------------------------

for reader in tar bsdtar; do
	rm -rf "$tmp/x" && mkdir -p "$tmp/x"
	if ! $reader -xf "$tmp/a.tar" -C "$tmp/x" 2>"$tmp/err"; then
		fail "context: $reader extracts the archive" "$(cat "$tmp/err")"
		continue
	fi
	pass "context: $reader extracts the archive"
	check "context: $reader's extracted tree has the same content" \
		diff -r --no-dereference -x build -x scratch.tmp "$tmp/a/ctx" "$tmp/x"
	(cd "$tmp/a/ctx" && find . ! -path './build*' ! -name scratch.tmp -printf '%y %m %p %l\n' | sort) |
		sed 's/^f 7[0-7][0-7]/f 755/; s/^f 6[0-7][0-7]/f 644/; s/^d [0-7]*/d 755/; s/^l [0-7]*/l 777/' >"$tmp/src.modes"
	(cd "$tmp/x" && find . -printf '%y %m %p %l\n' | sort) | sed 's/^l [0-7]*/l 777/; s/^d [0-7]* \.  *$/d 755 . /' >"$tmp/x.modes"
	check "context: $reader's extracted modes and link targets are the normalised ones" \
		cmp -s "$tmp/src.modes" "$tmp/x.modes"
done
bad=$(tar --numeric-owner --full-time -tvf "$tmp/a.tar" | grep -v ' 0/0 ' | head -1)
same "context: every header has uid/gid 0 (tar -tv)" "$bad" ""
bad=$(TZ=UTC tar --full-time -tvf "$tmp/a.tar" | grep -v ' 2023-11-14 22:13:20 ' | head -1)
same "context: every header has the SOURCE_DATE_EPOCH mtime (tar -tv)" "$bad" ""
bad=$(bsdtar -tvf "$tmp/a.tar" | awk '$3 != "0" || $4 != "0"' | head -1)
same "context: every header has empty user and group names (bsdtar -tv)" "$bad" ""

# ---- output ----------------------------------------------------------------------

(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o - >"$tmp/stdout.tar" 2>"$tmp/stdout.err")
same "context -o -: the digest goes to stderr" "$(cat "$tmp/stdout.err")" "$GOLDEN_FIXTURE"
check "context -o -: the archive goes to stdout" cmp -s "$tmp/stdout.tar" "$tmp/a.tar"
rm -rf "$tmp/a/ctx/build"
got=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context)
same "context: default output build/context.tar" "sha256:$(sha256 "$tmp/a/ctx/build/context.tar")" "$got"
leftovers=$(find "$tmp/a/ctx/build" -name '.context.tar.*')
same "context: no temporary file is left behind" "$leftovers" ""
got=$(cd "$tmp/a/ctx" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" context -o /dev/null)
same "context -o /dev/null: writes through, same digest" "$got" "$GOLDEN_FIXTURE"
check "context -o /dev/null: /dev/null is still a device" test -c /dev/null

# Without .dockerignore, our own output inside the context is never archived.
mkdir -p "$tmp/self"
echo x >"$tmp/self/file"
"$PINNED" context -C "$tmp/self" -o "$tmp/self/out.tar" >/dev/null
same "context: the output file is not archived into itself" "$(tar -tf "$tmp/self/out.tar" | tr '\n' ' ')" "file "

# Dockerfile and .dockerignore are sent even when excluded, as Docker does.
mkdir -p "$tmp/all"
printf '*\n' >"$tmp/all/.dockerignore"
echo FROM >"$tmp/all/Dockerfile"
echo x >"$tmp/all/other"
same "context: Dockerfile and .dockerignore are always sent" \
	"$("$PINNED" context -C "$tmp/all" --list | tr '\n' ' ')" ".dockerignore Dockerfile "

# An exception inside an excluded directory brings back the file and its parents.
mkdir -p "$tmp/exc/vendor/lib" "$tmp/exc/vendor/other"
printf 'vendor\n!vendor/lib/keep.c\n' >"$tmp/exc/.dockerignore"
echo k >"$tmp/exc/vendor/lib/keep.c"
echo d >"$tmp/exc/vendor/lib/drop.c"
echo d >"$tmp/exc/vendor/other/drop.c"
same "context: an exception re-includes a file inside an excluded directory, with its parents" \
	"$("$PINNED" context -C "$tmp/exc" --list | tr '\n' ' ')" ".dockerignore vendor/ vendor/lib/ vendor/lib/keep.c "

# ---- --rev -----------------------------------------------------------------------

repo=$tmp/repo
make_fixture "$repo"
rmdir "$repo/empty"	# git does not keep empty directories
git -C "$repo" init -q
git -C "$repo" add -A
GIT_COMMITTER_DATE='@1600000000 +0000' GIT_AUTHOR_DATE='@1600000000 +0000' \
	git -C "$repo" -c user.name=t -c user.email=t@example.org commit -qm fixture
rev=$("$PINNED" context -C "$repo" --rev HEAD -o "$tmp/rev.tar")
work=$("$PINNED" context -C "$repo" -o "$tmp/work.tar")
same "context --rev HEAD: same bytes as the clean working tree" "$rev" "$work"
same "context: mtime is HEAD's commit time without SOURCE_DATE_EPOCH" \
	"$(tar --full-time -tvf "$tmp/rev.tar" | awk '{print $4, $5}' | sort -u)" "2020-09-13 12:26:40"
sde=$(SOURCE_DATE_EPOCH=1600000000 "$PINNED" context -C "$repo" --rev HEAD -o "$tmp/rev2.tar")
same "context --rev: SOURCE_DATE_EPOCH equal to the commit time gives the same bytes" "$sde" "$rev"
echo dirty >>"$repo/src/main.c"
echo untracked >"$repo/untracked.txt"
dirty=$("$PINNED" context -C "$repo" --rev HEAD -o "$tmp/rev3.tar")
same "context --rev: modified and untracked files play no part" "$dirty" "$rev"
check "context --rev: the working tree does see them" \
	test "$("$PINNED" context -C "$repo" -o "$tmp/work2.tar")" != "$rev"
git clone -q "$repo" "$tmp/clone/at/another/path"
clone=$("$PINNED" context -C "$tmp/clone/at/another/path" -o "$tmp/clone.tar")
same "context: a clone at another path gives the same bytes" "$clone" "$rev"
sub=$("$PINNED" context -C "$repo/src" --rev HEAD --list | tr '\n' ' ')
same "context --rev from a subdirectory archives that subdirectory" "$sub" "main.c util/ util/helper.c "

# ---- bad input: one line on stderr, exit 2, nothing written ---------------------

expect_error "context: a missing directory" 2 \
	"pinned: cannot change to directory '$tmp/nope': No such file or directory" \
	"$PINNED" context -C "$tmp/nope"

mkdir -p "$tmp/bad/fifo" "$tmp/bad/sock" "$tmp/bad/dev" "$tmp/bad/ign"
mkfifo "$tmp/bad/fifo/pipe"
expect_error "context: a fifo in the context" 2 \
	"pinned: cannot archive 'pipe': it is a fifo" \
	"$PINNED" context -C "$tmp/bad/fifo" -o "$tmp/bad/fifo.tar"
check "context: a fifo in the context leaves no output" test ! -e "$tmp/bad/fifo.tar"
echo pipe >"$tmp/bad/fifo/.dockerignore"
check "context: an excluded fifo is no error" \
	"$PINNED" context -C "$tmp/bad/fifo" -o "$tmp/bad/fifo.tar" >/dev/null
if perl -MSocket -e 'socket(S, PF_UNIX, SOCK_STREAM, 0) or die; bind(S, sockaddr_un($ARGV[0])) or die' "$tmp/bad/sock/s" 2>/dev/null; then
	expect_error "context: a socket in the context" 2 \
		"pinned: cannot archive 's': it is a socket" \
		"$PINNED" context -C "$tmp/bad/sock" -o "$tmp/bad/sock.tar"
else
	echo "SKIP: context: a socket in the context: cannot create a socket here"
fi
if mknod "$tmp/bad/dev/null" c 1 3 2>/dev/null; then
	expect_error "context: a device in the context" 2 \
		"pinned: cannot archive 'null': it is a character device" \
		"$PINNED" context -C "$tmp/bad/dev" -o "$tmp/bad/dev.tar"
else
	echo "SKIP: context: a device in the context: mknod needs root"
fi

printf 'ok\n  a[\n' >"$tmp/bad/ign/.dockerignore"
echo old >"$tmp/bad/ign.tar"
expect_error "context: a malformed .dockerignore" 2 \
	"pinned: .dockerignore:2:5: malformed pattern 'a[': unterminated character class" \
	"$PINNED" context -C "$tmp/bad/ign" -o "$tmp/bad/ign.tar"
same "context: a failed run leaves the old output as it was" "$(cat "$tmp/bad/ign.tar")" "old"
same "context: a failed run leaves no temporary file" "$(ls -A "$tmp/bad" | grep '^\.' )" ""

expect_error "context: an unknown --rev" 2 \
	"pinned: unknown revision 'no-such-rev'" \
	"$PINNED" context -C "$repo" --rev no-such-rev -o "$tmp/bad/rev.tar"
check "context: an unknown --rev leaves no output" test ! -e "$tmp/bad/rev.tar"
expect_error "context: --rev outside a git repository" 2 \
	"pinned: --rev needs a git repository, and '$tmp/empty' is not in one" \
	"$PINNED" context -C "$tmp/empty" --rev HEAD -o "$tmp/bad/rev.tar"

for value in -5 12abc 1.5 " 7" 99999999999999999999; do
	expect_error "context: SOURCE_DATE_EPOCH='$value' is refused" 2 \
		"pinned: invalid SOURCE_DATE_EPOCH '$value': not a non-negative integer of seconds" \
		env SOURCE_DATE_EPOCH="$value" "$PINNED" context -C "$tmp/a/ctx" -o "$tmp/bad/sde.tar"
done
check "context: a bad SOURCE_DATE_EPOCH leaves no output" test ! -e "$tmp/bad/sde.tar"

expect_error "context: an unwritable -o path" 2 \
	"pinned: cannot write '$tmp/no/such/dir/out.tar': No such file or directory" \
	"$PINNED" context -C "$tmp/a/ctx" -o "$tmp/no/such/dir/out.tar"
expect_error "context: -o naming a directory" 2 \
	"pinned: cannot write '$tmp/a': Is a directory" \
	"$PINNED" context -C "$tmp/a/ctx" -o "$tmp/a"

# A file that really changes on disk while it is read (the preload library
# only picks the moment).
# a sanitizer build needs its runtime first among the preloaded libraries
preload=$(ldd "$PINNED" | sed -n 's/.*=> \(\/[^ ]*libasan[^ ]*\).*/\1 /p')
if cc -shared -fPIC -o "$tmp/grow.so" "$TOP/tests/e2e/grow_on_read.c" -ldl 2>"$tmp/err"; then
	mkdir -p "$tmp/grow"
	head -c 3000000 /dev/zero >"$tmp/grow/big"
	echo old >"$tmp/grow.tar"
	expect_error "context: a file that grows while it is read" 2 \
		"pinned: 'big' changed while it was archived: it grew" \
		env LD_PRELOAD="$preload$tmp/grow.so" CHANGE_FILE="$tmp/grow/big" CHANGE_HOW=grow \
		"$PINNED" context -C "$tmp/grow" -o "$tmp/grow.tar"
	head -c 3000000 /dev/zero >"$tmp/grow/big"
	expect_error "context: a file that shrinks while it is read" 2 \
		"pinned: 'big' changed while it was archived: it shrank" \
		env LD_PRELOAD="$preload$tmp/grow.so" CHANGE_FILE="$tmp/grow/big" CHANGE_HOW=shrink \
		"$PINNED" context -C "$tmp/grow" -o "$tmp/grow.tar"
	same "context: the changed file's run leaves the old output" "$(cat "$tmp/grow.tar")" "old"
else
	fail "context: build the preload library" "$(cat "$tmp/err")"
fi

expect_error "context: an unknown option" 2 \
	"pinned: unknown or incomplete option '--frobnicate'
$("$PINNED" context --help)" \
	"$PINNED" context --frobnicate

# ---- what every reader accepts ---------------------------------------------------

# a long name that is not UTF-8 goes into a pax record marked hdrcharset=BINARY
n=$tmp/nonutf8
long=$(printf 'd%.0s' $(seq 120))/$(printf 'caf\351%.0s' $(seq 30))
mkdir -p "$n/$(dirname "$long")"
printf 'FROM scratch\n' >"$n/Dockerfile"
echo x >"$n/$long"
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$n" -o "$tmp/nonutf8.tar" >/dev/null
mkdir -p "$tmp/x-gnu" "$tmp/x-bsd"
check "context: bsdtar reads a long name that is not UTF-8" bsdtar -xf "$tmp/nonutf8.tar" -C "$tmp/x-bsd"
check "context: GNU tar reads it too" tar -xf "$tmp/nonutf8.tar" -C "$tmp/x-gnu" --warning=no-unknown-keyword
check "context: both give the tree archived" diff -r "$tmp/x-bsd" "$tmp/x-gnu"
check "context: with the name byte for byte" test -f "$tmp/x-bsd/$long"

# an epoch no tar reader takes is refused; the last one every reader takes is not
expect_error "context: SOURCE_DATE_EPOCH past what tar readers take is refused" 2 \
	"pinned: invalid SOURCE_DATE_EPOCH '9223372036854775807': later than 8589934591 (2242-03-16), the last time every tar reader takes" \
	env SOURCE_DATE_EPOCH=9223372036854775807 "$PINNED" context -C "$n" -o "$tmp/late.tar"
check "context: SOURCE_DATE_EPOCH 8589934591 is taken, and bsdtar reads it" \
	sh -c 'SOURCE_DATE_EPOCH=8589934591 "$0" context -C "$1" -o "$2" >/dev/null && bsdtar -tf "$2" >/dev/null' \
	"$PINNED" "$n" "$tmp/late.tar"

finish
