# pinned.mk, as make install puts it: a project adopts it with an include
# and gets image, run, verify, lock and package (a service made from
# busybox-static: no registry needed).
. "$TOP/tests/e2e/lib.sh"

if ! command -v buildah >/dev/null; then
	echo "SKIP: pinned.mk: buildah is not installed"
	finish
	exit 0
fi

make -s -C "$TOP" install DESTDIR="$tmp/inst" PREFIX=/usr >"$tmp/install.out" 2>&1
check "pinned.mk: make install puts it in PREFIX/share/pinned" test -f "$tmp/inst/usr/share/pinned/pinned.mk"
check "pinned.mk: the installed file is mk/pinned.mk" cmp -s "$tmp/inst/usr/share/pinned/pinned.mk" "$TOP/mk/pinned.mk"

p=$tmp/p
mkdir -p "$p/src" "$p/input"
cp /bin/busybox "$p/busybox"
printf 'echo "PlanQK:Job:Result: {\\"ok\\": true}"\n' >"$p/src/run.sh"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY src/ /src/\nENTRYPOINT ["/bin/busybox", "sh", "/src/run.sh"]\n' \
	>"$p/Dockerfile.in"
printf 'input\nbuild\nMakefile\n' >"$p/.dockerignore"
echo '{}' >"$p/input/data.json"
echo '{}' >"$p/input/params.json"
# the adoption: the README's lines
printf 'PINNED = %s\ninclude %s\n' "$PINNED" "$tmp/inst/usr/share/pinned/pinned.mk" >"$p/Makefile"

make -s -C "$p" image >"$tmp/out" 2>"$tmp/err"
same "pinned.mk: make image: lock, render, build" "$?" 0
check "pinned.mk: make image wrote the lock, the Dockerfile and the record" \
	test -s "$p/lockfiles/images.lock" -a -s "$p/Dockerfile" -a -s "$p/lockfiles/build.lock"
make -s -C "$p" verify >"$tmp/out" 2>&1
same "pinned.mk: make verify: the tree is what was built" "$?" 0
make -s -C "$p" run >"$tmp/out" 2>&1
same "pinned.mk: make run: the result" "$?: $(tail -1 "$tmp/out")" '0: {"ok":true}'
make -s -C "$p" package PACKAGE="$tmp/upload.zip" >"$tmp/out" 2>&1
same "pinned.mk: make package PACKAGE=...: its digest" "$(cat "$tmp/out")" "sha256:$(sha256 "$tmp/upload.zip")"
echo '# changed' >>"$p/src/run.sh"
make -s -C "$p" verify >"$tmp/out" 2>&1
check "pinned.mk: make verify fails once a file changed, naming it" grep -q '^context: src/run.sh: content changed' "$tmp/out"

# the README's rebuild job, on a fresh runner (no build/) with a tree
# whose record came from another time
printf 'echo "PlanQK:Job:Result: {\\"ok\\": true}"\n' >"$p/src/run.sh"
SOURCE_DATE_EPOCH=1600000000 make -s -C "$p" image >/dev/null 2>&1
rm -rf "$p/build"
make -s -C "$p" rebuild >"$tmp/out" 2>&1
same "pinned.mk: make rebuild: the recorded image again" \
	"$?: $(grep -c 'the image is the recorded one$' "$tmp/out")" "0: 1"
finish
