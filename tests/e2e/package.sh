# pinned package: the PlanQK upload as a zip whose bytes depend only on the
# context: a golden digest, the same bytes under other umasks, time zones,
# mtimes, creation orders, checkout paths and from a clone's revision;
# unzip and bsdtar read it; its entries are the context's, less what
# .planqkignore leaves out.
. "$TOP/tests/e2e/lib.sh"

EPOCH=1700000000
# Update only with a deliberate change of the zip format.
GOLDEN_ZIP=sha256:e2014789c38cbcc0df1edc456d3bfa58e3eecbdb38f04a166c508ea39d137e92

make_fixture "$tmp/a"
got=$(cd "$tmp/a" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" package)
same "package: the printed digest is the SHA-256 of build/service.zip" "$got" \
	"sha256:$(sha256 "$tmp/a/build/service.zip")"
same "package: golden digest of the fixture" "$got" "$GOLDEN_ZIP"

# the same bytes whatever the machine does around them
REVERSE=1 make_fixture "$tmp/b/elsewhere/deeper"
find "$tmp/b" -exec touch -h -d '2001-02-03 04:05:06' {} +
other=$(cd "$tmp/b/elsewhere/deeper" && umask 077 && TZ=Asia/Tokyo LC_ALL=C.UTF-8 \
	SOURCE_DATE_EPOCH=$EPOCH "$PINNED" package -o "$tmp/b.zip")
same "package: other umask, time zone, locale, mtimes, creation order and path: the same bytes" \
	"$other" "$got"
again=$(cd "$tmp/a" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" package)
same "package: again over its own output (kept out of the context): the same bytes" "$again" "$got"

# readers agree on what is in it, and it is the context
(cd "$tmp/a" && "$PINNED" context --list) | sed 's|^\./||' | sort >"$tmp/context.list"
LC_ALL=C.UTF-8 bsdtar -tf "$tmp/a/build/service.zip" | sort >"$tmp/bsdtar.list"
same_file "package: bsdtar lists exactly the context's entries" "$tmp/bsdtar.list" "$tmp/context.list"
check "package: unzip tests every entry (CRC-32 and sizes)" sh -c "unzip -tq '$tmp/a/build/service.zip' >/dev/null"
same "package: unzip counts the same entries" \
	"$(unzip -l "$tmp/a/build/service.zip" | tail -1 | awk '{ print $2 }')" "$(wc -l <"$tmp/context.list")"
mkdir -p "$tmp/x"
LC_ALL=C.UTF-8 bsdtar -xf "$tmp/a/build/service.zip" -C "$tmp/x"
check "package: the executable keeps its mode" test -x "$tmp/x/run.sh"
same "package: the link is a link" "$(readlink "$tmp/x/link-to-main")" "src/main.c"
same "package: the non-ASCII name, as written" "$(cat "$tmp/x/naïve-ü.txt")" "content of naïve-ü.txt"
same "package: names flagged UTF-8 (general purpose bit 11)" \
	"$(od -An -tx1 -j6 -N2 "$tmp/a/build/service.zip" | tr -d ' ')" "0008"
check "package: no extra fields" \
	sh -c "zipinfo -v '$tmp/a/build/service.zip' | grep 'length of extra field' | grep -qv ' 0 bytes' && exit 1 || exit 0"

# a clone's revision gives the same bytes
rmdir "$tmp/a/empty"	# git keeps no empty directories
rm -rf "$tmp/a/build"
git -C "$tmp/a" init -q && git -C "$tmp/a" add -A &&
	git -C "$tmp/a" -c user.name=t -c user.email=t@example.org commit -qm x
git clone -q "$tmp/a" "$tmp/clone"
same "package --rev HEAD of a clone equals its working tree" \
	"$(cd "$tmp/clone" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" package --rev HEAD -o "$tmp/rev.zip")" \
	"$(cd "$tmp/a" && SOURCE_DATE_EPOCH=$EPOCH "$PINNED" package -o "$tmp/tree.zip")"

# .planqkignore on top of .dockerignore
printf 'deep\n**/*.c\n' >"$tmp/a/.planqkignore"
(cd "$tmp/a" && "$PINNED" package -o "$tmp/p.zip") >/dev/null
same "package: .planqkignore leaves out what it names, after .dockerignore" \
	"$(LC_ALL=C.UTF-8 bsdtar -tf "$tmp/p.zip" | grep -c -e '^deep' -e '\.c$')" 0
check "package: and keeps the rest" sh -c "LC_ALL=C.UTF-8 bsdtar -tf '$tmp/p.zip' | grep -qx 'run.sh'"

expect_error "package: -o over a file of the context is refused" 2 \
	"pinned: refusing to write the package over 'a.txt', a file of the context: write it elsewhere, or exclude it in .dockerignore" \
	"$PINNED" package -C "$tmp/a" -o a.txt
printf 'a[\n' >"$tmp/a/.planqkignore"
expect_error "package: a malformed .planqkignore names its place" 2 \
	"pinned: .planqkignore:1:3: malformed pattern 'a[': unterminated character class" \
	"$PINNED" package -C "$tmp/a" -o "$tmp/bad.zip"
check "package: and leaves no output" test ! -e "$tmp/bad.zip"
finish
