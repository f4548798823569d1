# pinned hash: the build digest over the Dockerfile, the context archive and
# the lockfiles.
. "$TOP/tests/e2e/lib.sh"

make_fixture "$tmp/ctx"
export SOURCE_DATE_EPOCH=1700000000
context=$("$PINNED" context -C "$tmp/ctx" -o "$tmp/ctx.tar")
dockerfile=sha256:$(sha256 "$tmp/ctx/Dockerfile")
printf 'pinned build digest v2\ndockerfile %s\ncontext %s\n' "$dockerfile" "$context" >"$tmp/text"
same "hash: the SHA-256 of the inputs named by digest" \
	"$("$PINNED" hash -C "$tmp/ctx")" "sha256:$(sha256 "$tmp/text")"
check "hash: writes no archive" test ! -e "$tmp/ctx/build/context.tar"
# a lockfile is named even where .dockerignore keeps it out of the context
mkdir -p "$tmp/ctx/lockfiles"
printf '{"images": {}, "version": 1}\n' >"$tmp/ctx/lockfiles/images.lock"
printf 'lockfiles\n' >>"$tmp/ctx/.dockerignore"
context=$("$PINNED" context -C "$tmp/ctx" -o "$tmp/ctx.tar")
printf 'pinned build digest v2\ndockerfile %s\ncontext %s\nlock lockfiles/images.lock sha256:%s\n' \
	"$dockerfile" "$context" "$(sha256 "$tmp/ctx/lockfiles/images.lock")" >"$tmp/text"
same "hash: each lockfile named by digest" \
	"$("$PINNED" hash -C "$tmp/ctx")" "sha256:$(sha256 "$tmp/text")"

before=$("$PINNED" hash -C "$tmp/ctx")
echo "RUN true" >>"$tmp/ctx/Dockerfile"
check "hash: changes with the Dockerfile" test "$("$PINNED" hash -C "$tmp/ctx")" != "$before"
printf 'FROM scratch\n' >"$tmp/ctx/other.Dockerfile"
other=$("$PINNED" hash -C "$tmp/ctx" -f other.Dockerfile)
check "hash -f: names another Dockerfile" test "$other" != "$("$PINNED" hash -C "$tmp/ctx")"

rmdir "$tmp/ctx/empty"	# git keeps no empty directories
git -C "$tmp/ctx" init -q && git -C "$tmp/ctx" add -A &&
	git -C "$tmp/ctx" -c user.name=t -c user.email=t@example.org commit -qm x
same "hash --rev HEAD: equals the clean working tree" \
	"$("$PINNED" hash -C "$tmp/ctx" --rev HEAD)" "$("$PINNED" hash -C "$tmp/ctx")"
echo dirty >>"$tmp/ctx/Dockerfile"
check "hash --rev HEAD: ignores the modified Dockerfile" \
	test "$("$PINNED" hash -C "$tmp/ctx" --rev HEAD)" != "$("$PINNED" hash -C "$tmp/ctx")"

# what could not be written is never a success
expect_error "hash: a digest that cannot be written to standard output is trouble" 2 \
	"pinned: cannot write to standard output: No space left on device" \
	sh -c '"$0" hash -C "$1" >/dev/full' "$PINNED" "$tmp/ctx"
expect_error "context: a failed write names the output file" 2 \
	"pinned: cannot write '/dev/full': No space left on device" \
	"$PINNED" context -C "$tmp/ctx" -o /dev/full

mkdir -p "$tmp/none"
expect_error "hash: a missing Dockerfile" 2 \
	"pinned: cannot read 'Dockerfile': No such file or directory" \
	"$PINNED" hash -C "$tmp/none"
expect_error "hash: an unexpected argument" 2 \
	"pinned: unexpected argument 'extra'
$("$PINNED" hash --help)" \
	"$PINNED" hash extra

finish
