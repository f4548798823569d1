# pinned provenance of a service built with buildah from a busybox image in
# a loopback registry, committed in git: the statement validates against the
# published in-toto Statement v1 and SLSA provenance v1 schemas (compiled
# with protoc, read strictly by Python's protobuf runtime) and every digest
# in it is the record's; the same bytes from another directory and from
# the revision; a lock changed since the build, or no record, is trouble.
# image.sh does the same for the sample service, with its Debian packages.
. "$TOP/tests/e2e/lib.sh"

for tool in buildah docker-registry git protoc /usr/bin/python3; do
	command -v $tool >/dev/null || { echo "SKIP: provenance: $tool is not installed"; finish; exit 0; }
done
/usr/bin/python3 -c 'import google.protobuf' 2>/dev/null ||
	{ echo "SKIP: provenance: python3-protobuf is not installed"; finish; exit 0; }
start_registry reg || exit 0
build_image one:1 one && push one:1 "$REG/busybox:1" || fail "provenance: push busybox:1"

p=$tmp/p
mkdir -p "$p/src"
printf 'echo "PlanQK:Job:Result: {}"\n' >"$p/src/run.sh"
printf 'flask==3.0\n' >"$p/src/requirements.txt"
printf 'FROM %s/busybox:1\nCOPY src/ /src/\nENTRYPOINT ["/bin/sh", "/src/run.sh"]\n' "$REG" \
	>"$p/Dockerfile.in"
printf '.git\nbuild\n' >"$p/.dockerignore"
printf 'build\n' >"$p/.gitignore"
git -C "$p" init -q
commit() { git -C "$p" add -A && git -C "$p" -c user.name=t -c user.email=t@example.org commit -qm "$1"; }
(cd "$p" && "$PINNED" lock && "$PINNED" render) >/dev/null 2>&1 && commit template
if ! "$PINNED" build -C "$p" >"$tmp/build.out" 2>&1; then
	fail "provenance: build the service" "$(tail -3 "$tmp/build.out")"
	finish
	exit 0
fi
commit built

check "provenance: pinned provenance -o writes the statement" \
	"$PINNED" provenance -C "$p" -o "$tmp/prov.json"
mkdir -p "$tmp/protoc"
/usr/bin/python3 "$TOP/tests/e2e/check_provenance.py" "$tmp/prov.json" "$p/lockfiles/build.lock" \
	"$TOP/tests/fixtures/schemas" "$tmp/protoc" >"$tmp/check.out" 2>&1
same "provenance: valid against the published schemas, every digest the record's" \
	"$?: $(cat "$tmp/check.out")" \
	"0: valid: in-toto Statement v1, SLSA provenance v1; 1 subject(s), 8 dependencies, 3 byproducts match the record"
# the checker itself: an unknown field, a changed digest
checker() { /usr/bin/python3 "$TOP/tests/e2e/check_provenance.py" "$1" "$p/lockfiles/build.lock" \
	"$TOP/tests/fixtures/schemas" "$tmp/protoc" 2>&1; }
sed 's/"buildType"/"buildKind"/' "$tmp/prov.json" >"$tmp/bad1.json"
checker "$tmp/bad1.json" >"$tmp/bad1.out"
check "provenance: the checker refuses a field the schema does not have" \
	grep -q '^provenance: schema: .*buildKind' "$tmp/bad1.out"
ctx=$(sed -n 's/^    "digest": "sha256:\(.*\)",$/\1/p' "$p/lockfiles/build.lock" | head -1)
sed "s/$ctx/$(echo "$ctx" | tr 0-9a-f 1-9a-f0)/" "$tmp/prov.json" >"$tmp/bad2.json"
checker "$tmp/bad2.json" >"$tmp/bad2.out"
check "provenance: the checker names a digest that is not the record's" \
	grep -q '^provenance: context: ' "$tmp/bad2.out"
same "provenance: its subject is the image pinned build made" \
	"$(grep -A3 '"subject"' "$tmp/prov.json" | sed -n 's/.*"sha256": "\(.*\)".*/sha256:\1/p')" \
	"$(tail -1 "$tmp/build.out")"
grep -q "\"pinnedVersion\": \"$("$PINNED" --version | cut -d' ' -f2)\"" "$tmp/prov.json" &&
	grep -q "\"gitCommit\": \"$(git -C "$p" rev-parse HEAD~1)\"" "$tmp/prov.json"
check "provenance: names pinned's version and the commit built" test $? -eq 0
check "provenance: names the base image by its locked digest" \
	grep -q "\"name\": \"$REG/busybox:1\"" "$tmp/prov.json"

# the same bytes: from elsewhere, on stdout, from the revision, another clock
(cd / && TZ=Asia/Tokyo LC_ALL=C.UTF-8 "$PINNED" provenance -C "$p") >"$tmp/prov2.json"
same_file "provenance: the same bytes from another directory and time zone" "$tmp/prov2.json" \
	"$tmp/prov.json"
git clone -q "$p" "$tmp/clone"
"$PINNED" provenance -C "$tmp/clone" --rev HEAD >"$tmp/prov3.json"
same_file "provenance: the same bytes from a clone's revision" "$tmp/prov3.json" "$tmp/prov.json"
"$PINNED" provenance -C "$p" --name registry.example/app --builder-id https://ci.example/runner \
	>"$tmp/prov4.json"
grep -q '"name": "registry.example/app"' "$tmp/prov4.json" &&
	grep -q '"id": "https://ci.example/runner"' "$tmp/prov4.json"
check "provenance: --name and --builder-id" test $? -eq 0

# trouble: one line, exit 2, the output left as it was
cp "$tmp/prov.json" "$tmp/kept.json"
sed -i 's/"version": 1/"version": 1 /' "$p/lockfiles/images.lock"
expect_error "provenance: a lock changed since the build" 2 \
	"pinned: lockfiles/images.lock is not the one lockfiles/build.lock records: build again (make image), or see what changed (pinned verify)" \
	"$PINNED" provenance -C "$p" -o "$tmp/kept.json"
same_file "provenance: the output is left as it was" "$tmp/kept.json" "$tmp/prov.json"
git -C "$p" checkout -q lockfiles/images.lock
cp "$p/lockfiles/build.lock" "$tmp/record.keep"
expect_error "provenance: -o over the record it reads is refused" 2 \
	"pinned: refusing to write the provenance over 'lockfiles/build.lock', a file of the context: write it elsewhere, or exclude it in .dockerignore" \
	"$PINNED" provenance -C "$p" -o lockfiles/build.lock
same_file "provenance: the record is left as it was" "$p/lockfiles/build.lock" "$tmp/record.keep"
expect_error "provenance: -o over a file of the context is refused" 2 \
	"pinned: refusing to write the provenance over 'src/run.sh', a file of the context: write it elsewhere, or exclude it in .dockerignore" \
	"$PINNED" provenance -C "$p" -o src/run.sh
"$PINNED" provenance -C "$p" -o prov.json && "$PINNED" provenance -C "$p" -o prov.json
same "provenance: its own earlier output in the tree is written over" "$?" 0
rm "$p/prov.json"
expect_error "provenance: a full standard output is trouble" 2 \
	"pinned: cannot write to standard output: No space left on device" \
	sh -c "'$PINNED' provenance -C '$p' >/dev/full"
mkdir -p "$tmp/none"
expect_error "provenance: no record" 2 \
	"pinned: no record lockfiles/build.lock: build first (pinned build, make image)" \
	"$PINNED" provenance -C "$tmp/none"
"$PINNED" provenance --builder-id ci >/dev/null 2>"$tmp/err"
same "provenance: a builder id that is no URI is a usage error" "$?: $(head -1 "$tmp/err")" \
	"2: pinned: --builder-id takes a URI (https://...)"
finish
