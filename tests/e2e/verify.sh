# pinned verify against the record pinned build writes (lockfiles/build.lock):
# a service made from busybox-static (no registry needed), built once with
# buildah; then the tree changed in one way at a time, each change named
# exactly, several at once all named, the same as JSON; a revision checked
# against its own record; a missing or broken record is trouble.
. "$TOP/tests/e2e/lib.sh"

if ! command -v buildah >/dev/null || ! command -v git >/dev/null; then
	echo "SKIP: verify: buildah or git is not installed"
	finish
	exit 0
fi

p=$tmp/p
mkdir -p "$p/src" "$p/input"
cp /bin/busybox "$p/busybox"
printf 'echo "PlanQK:Job:Result: {}"\n' >"$p/src/run.sh"
printf 'flask==3.0\n' >"$p/src/requirements.txt"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY src/ /src/\nENTRYPOINT ["/bin/busybox", "sh", "/src/run.sh"]\n' \
	>"$p/Dockerfile.in"
printf '.git\ninput\nbuild\n.planqkignore\n' >"$p/.dockerignore"
printf 'build\n' >"$p/.gitignore"
echo '{}' >"$p/input/data.json"
git -C "$p" init -q
commit() { git -C "$p" add -A && git -C "$p" -c user.name=t -c user.email=t@example.org commit -qm "$1"; }
verify() { "$PINNED" verify -C "$p" "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/status"; }
# lines: the report's lines before the summary, without the values in
# parentheses and what follows "stale:"
lines() { sed '$d' "$tmp/out" | sed 's/ (.*//; s/: stale: .*/: stale/'; }
# report NAME STATUS LINES: exit status STATUS, and the lines before the
# summary are exactly LINES
report() {
	same "$1: exit status" "$(cat "$tmp/status")" "$2"
	same "$1: the report" "$(sed '$d' "$tmp/out")" "$3"
}

(cd "$p" && "$PINNED" lock && "$PINNED" render) >/dev/null 2>&1 && commit template
if ! "$PINNED" build -C "$p" >"$tmp/build.out" 2>"$tmp/build.err"; then
	fail "verify: build the service" "$(tail -3 "$tmp/build.err")"
	finish
	exit 0
fi
commit record
check "verify: build writes the record" test -s "$p/lockfiles/build.lock"
same "verify: the record names the image built" \
	"$(grep -c "\"manifest\": \"$(tail -1 "$tmp/build.out")\"" "$p/lockfiles/build.lock")" 1
check "verify: the record names the language lockfile" \
	grep -q '"src/requirements.txt": "sha256:' "$p/lockfiles/build.lock"
same "verify: the manifest beside the record is the one it names" \
	"sha256:$(sha256sum <"$p/lockfiles/build.manifest" | cut -d' ' -f1)" \
	"$(sed -n 's/^    "manifest": "\(sha256:.*\)"$/\1/p' "$p/lockfiles/build.lock")"
same "verify: the record and its manifest are not part of the context" \
	"$(grep -c -e 'lockfiles/build' -e '^f.*src/run.sh$' "$p/lockfiles/build.manifest")" 1

verify
same "verify: a clean tree: exit 0" "$(cat "$tmp/status")" 0
check "verify: a clean tree: says what it checked" \
	grep -q '^same as lockfiles/build.lock: template, Dockerfile, 1 lockfile, .* context entries (.*), 0 images, 0 packages; build digest sha256:' "$tmp/out"
same "verify: the build digest it names is pinned hash's" \
	"$(sed -n 's/.*build digest //p' "$tmp/out")" \
	"$(SOURCE_DATE_EPOCH=$(git -C "$p" log -1 --format=%ct HEAD~1) "$PINNED" hash -C "$p")"
cp -a "$p" "$tmp/clean"
reset() { rm -rf "$p" && cp -a "$tmp/clean" "$p"; }

# the stat cache: an unchanged tree is proven without reading its files; a
# changed file is always found, whatever its times say
files() { sed -n 's/.*context entries (\([^)]*\)).*/\1/p' "$tmp/out"; }
verify
same "verify: unchanged: every file known by its stat" "$(cat "$tmp/status"): $(files)" \
	"0: 0 files read, 8 known by their stat"
check "verify: the stat cache is in build/" test -s "$p/build/verify.cache"
# one byte changed in place within the second, the file's times put back:
# same inode, size and mtime; the change time, which no one sets, tells
mtime=$(stat -c %y "$p/src/run.sh")
printf 'X' | dd of="$p/src/run.sh" bs=1 count=1 conv=notrunc 2>/dev/null
touch -d "$mtime" "$p/src/run.sh"
verify
report "verify: a same-size change behind a restored mtime" 1 "context: src/run.sh: content changed"
printf 'e' | dd of="$p/src/run.sh" bs=1 count=1 conv=notrunc 2>/dev/null
touch -d "$mtime" "$p/src/run.sh"
verify
same "verify: put back: the file is read again, then same" "$(cat "$tmp/status"): $(files)" \
	"0: 1 files read, 7 known by their stat"
# a cache that says something else of a file with the same stat (as a
# change within the timestamp's granularity would): trusted when the file's
# times are before the cache's, read again when they are not (racily clean)
verify
sed -i 's/^[0-9a-f]\{64\}\( .* src\/run.sh\)$/0000000000000000000000000000000000000000000000000000000000000000\1/' \
	"$p/build/verify.cache"
touch -d '+2 seconds' "$p/build/verify.cache"
verify
report "verify: the cache is what is read when the stat allows" 1 "context: src/run.sh: content changed"
sed -i 's/^[0-9a-f]\{64\}\( .* src\/run.sh\)$/0000000000000000000000000000000000000000000000000000000000000000\1/' \
	"$p/build/verify.cache"
touch -d "$(stat -c %z "$p/src/run.sh")" "$p/build/verify.cache"
verify
same "verify: racily clean: a file not older than the cache is read again" \
	"$(cat "$tmp/status"): $(files)" "0: 1 files read, 7 known by their stat"
printf 'not a cache\n' >"$p/build/verify.cache"
verify
same "verify: a broken cache is no cache" "$(cat "$tmp/status"): $(files)" \
	"0: 8 files read, 0 known by their stat"

# --image: an OCI layout against the record; the recorded one is the same
verify --image "oci:$p/build/image"
same "verify --image: the image built is the recorded one" \
	"$(cat "$tmp/status"): $(grep -c 'the image is the recorded one$' "$tmp/out")" "0: 1"
# an image that differs in one file's content, one file's mode and Env
cp -a "$p" "$tmp/other"
printf 'echo other\n' >"$tmp/other/src/run.sh"
chmod +x "$tmp/other/src/requirements.txt"
sed -i 's|^ENTRYPOINT|ENV STAGE=test\nENTRYPOINT|' "$tmp/other/Dockerfile.in"
(cd "$tmp/other" && "$PINNED" render &&
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct HEAD~1) "$PINNED" build) >/dev/null 2>&1
verify --image "$tmp/other/build/image"
same "verify --image: another image: exit 1" "$(cat "$tmp/status")" 1
same "verify --image: manifest, config and the layer differ, by platform" \
	"$(grep '^image' "$tmp/out" | sed 's/ (.*//')" \
	"image: linux/amd64: changed
image config: linux/amd64: changed
image layer: linux/amd64 layer 1: changed"
same "verify --image: how: exactly the three differences, Env, a content, a mode" \
	"$(sed -n '/^how the image differs/,$p' "$tmp/out" | sed '$d; s/\(, then\) \[.*/\1/')" \
	"how the image differs from the recorded one (build/image), 3 differences:
config: .config.Env: [\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"], then
layer 1: src/requirements.txt: mode 0644, then 0755
layer 1: src/run.sh: content sha256:2183a125ccbf (29 bytes), then sha256:2477f9f055ec (11 bytes); line 1: 'echo \"PlanQK:Job:Result: {}\"', then 'echo other'
(and what follows from these: the manifest and config digests, .rootfs, .history)"
verify --image "$tmp/other/build/image" --json
same "verify --image --json: the explanation as data, the same three" \
	"$(tr -d ' \n' <"$tmp/out" | grep -o '"image_explanation":{"against":"build/image","causes":[0-9]*,"lines":\["config:.config.Env' | sed 's/.*"causes":\([0-9]*\).*/\1/')" 3
# --rebuild: the tree built again at the record's time, its image compared
verify --rebuild
same "verify --rebuild: the same image again" \
	"$(cat "$tmp/status"): $(grep -c 'the image is the recorded one$' "$tmp/out")" "0: 1"
check "verify --rebuild: built into build/image-rebuild, storage removed" \
	sh -c "test -s '$p/build/image-rebuild/index.json' && ! test -e '$p/build/buildah-rebuild'"
expect_error "verify --rebuild: not with --image" 2 \
	"pinned: --rebuild builds the working tree and compares that image: not with --image
$("$PINNED" verify --help)" "$PINNED" verify -C "$p" --rebuild --image "$p/build/image"
# --image of a registry reference: the platform's manifest, config and
# layers copied into build/image-pulled, then compared as a layout is
if start_registry verify; then
	skopeo copy -q --dest-tls-verify=false "oci:$p/build/image" "docker://$REG/svc:1" &&
		skopeo copy -q --dest-tls-verify=false "oci:$tmp/other/build/image" "docker://$REG/svc:2" ||
		fail "push the two images"
	verify --image "$REG/svc:1"
	same "verify --image REF: the recorded image, from a registry" \
		"$(cat "$tmp/status"): $(grep -c 'the image is the recorded one$' "$tmp/out")" "0: 1"
	check "verify --image REF: copied into build/image-pulled" test -s "$p/build/image-pulled/index.json"
	verify --image "$REG/svc:2"
	same "verify --image REF: another image: the same three differences" \
		"$(cat "$tmp/status"): $(sed -n 's/^how the image differs.*, \([0-9]*\) differences:$/\1/p' "$tmp/out")" "1: 3"
	verify --image "$REG/svc:3"
	same "verify --image REF: no such tag is trouble, one line" \
		"$(cat "$tmp/status"): $(wc -l <"$tmp/err"): $(grep -c "svc:3" "$tmp/err")" "2: 1: 1"
fi

printf 'x' >>"$p/src/run.sh"
verify
report "verify: one byte of a source file" 1 "context: src/run.sh: content changed"
reset

chmod +x "$p/src/requirements.txt"
verify
report "verify: one mode bit" 1 "context: src/requirements.txt: mode changed (0644, now 0755)"
reset

echo '{"x": 1}' >"$p/input/params.json"
verify
report "verify: an ignored file added" 0 ""
reset

echo new >"$p/src/extra.txt"
verify
report "verify: a file added" 1 "context: src/extra.txt: added"
reset

# .planqkignore (kept out of the context here) changes only the upload
echo 'src/requirements.txt' >"$p/.planqkignore"
verify
report "verify: a .planqkignore that changes only the upload" 1 \
	"upload: .planqkignore: changed (sha256:$(sed -n 's/^  "upload": "sha256:\(.*\)",$/\1/p' "$p/lockfiles/build.lock"), now $(SOURCE_DATE_EPOCH=$(git -C "$p" log -1 --format=%ct HEAD~1) "$PINNED" package -C "$p" -o "$tmp/upload.zip"))"
reset

echo '# by hand' >>"$p/Dockerfile"
verify
same "verify: a hand-edited Dockerfile: exit 1" "$(cat "$tmp/status")" 1
same "verify: a hand-edited Dockerfile: named, and said stale" "$(lines)" \
	"dockerfile: Dockerfile: changed
dockerfile: Dockerfile:7: stale"
reset

printf '{\n  "buildArgs": {"X": "1"},\n  "images": {},\n  "version": 1\n}\n' >"$p/lockfiles/images.lock"
verify
same "verify: an edited lock: exit 1" "$(cat "$tmp/status")" 1
same "verify: an edited lock: named (and the Dockerfile, which names its digest, stale)" \
	"$(lines)" \
	"lock: lockfiles/images.lock: changed
dockerfile: Dockerfile:2: stale"

# several at once, all named; the same as JSON
printf 'x' >>"$p/src/run.sh"
echo new >"$p/src/extra.txt"
chmod +x "$p/src/requirements.txt"
verify
same "verify: several at once: all named" "$(lines)" \
	"lock: lockfiles/images.lock: changed
context: src/extra.txt: added
context: src/requirements.txt: mode changed
context: src/run.sh: content changed
dockerfile: Dockerfile:2: stale"
check "verify: several at once: the summary counts them" grep -q '^5 differences from lockfiles/build.lock' "$tmp/out"
verify --json
same "verify --json: exit 1" "$(cat "$tmp/status")" 1
same "verify --json: the same differences as data" \
	"$(tr -d ' \n' <"$tmp/out" | grep -o '"class":"[a-z ]*","[a-z]*":[^}]*"path":"[^"]*"' |
		sed 's/"class":"\([a-z ]*\)".*"path":"\([^"]*\)"/\1 \2/' | paste -sd,)" \
	"lock lockfiles/images.lock,context src/extra.txt,context src/requirements.txt,context src/run.sh,dockerfile Dockerfile"
check "verify --json: same is false, both build digests given" \
	sh -c "tr -d ' \n' <'$tmp/out' | grep -q '\"build_digest\":{\"now\":\"sha256:[0-9a-f]*\",\"recorded\":\"sha256:[0-9a-f]*\"}.*\"same\":false'"
reset

# a revision against its own record, read from git: no checkout
printf 'changed\n' >>"$p/src/run.sh"
commit later
verify --rev HEAD
report "verify --rev HEAD: the later commit's change" 1 "context: src/run.sh: content changed"
verify --rev HEAD~1
report "verify --rev HEAD~1: the commit that holds the record" 0 ""
verify --rev HEAD~2
same "verify --rev: a revision without a record is trouble" "$(cat "$tmp/status"): $(cat "$tmp/err")" \
	"2: pinned: no record lockfiles/build.lock in revision HEAD~2: build first (pinned build, make image)"
# a revision whose Dockerfile was edited by hand: changed, and stale as
# render makes it from that revision's own template and locks
git -C "$p" reset -q --hard HEAD~1
echo '# by hand' >>"$p/Dockerfile"
commit "by hand"
git -C "$p" reset -q --hard HEAD~1
verify --rev HEAD@{1}
same "verify --rev: a hand-edited Dockerfile in the revision: changed and stale" \
	"$(cat "$tmp/status"): $(lines | paste -sd,)" \
	"1: dockerfile: Dockerfile: changed,dockerfile: Dockerfile:7: stale"
check "verify --rev: the working tree (without the edit) is not read" \
	sh -c "! grep -q 'by hand' '$p/Dockerfile'"
reset

# the manifest beside the record is read only to name what differs
rm "$p/lockfiles/build.manifest"
verify
same "verify: an unchanged tree needs no recorded manifest" "$(cat "$tmp/status")" 0
echo new >"$p/src/new.txt"
verify
same "verify: a changed tree without the recorded manifest is trouble, named" \
	"$(cat "$tmp/status"): $(cat "$tmp/err")" \
	"2: pinned: no lockfiles/build.manifest beside lockfiles/build.lock: build again (pinned build, make image)"
reset
sed -i '$d' "$p/lockfiles/build.manifest"
echo new >"$p/src/new.txt"
verify
same "verify: a recorded manifest that is not the one named is trouble" \
	"$(cat "$tmp/status"): $(sed 's/ (.*//' "$tmp/err")" \
	"2: pinned: lockfiles/build.manifest: not the manifest the record names"
reset

# a broken record is trouble, one line
sed -i 's/"build_digest": "sha256:/"build_digest": "md5:/' "$p/lockfiles/build.lock"
verify
same "verify: a broken record is trouble, named" "$(cat "$tmp/status"): $(cat "$tmp/err")" \
	"2: pinned: lockfiles/build.lock: build_digest: missing, or not a valid value"
rm "$p/lockfiles/build.lock"
verify
same "verify: no record is trouble" "$(cat "$tmp/status"): $(cat "$tmp/err")" \
	"2: pinned: no record lockfiles/build.lock: build first (pinned build, make image)"

# --rebuild of a build that writes the date: the same inputs, another image,
# and how, file by file
d=$tmp/dated
mkdir -p "$d"
cp /bin/busybox "$d/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 1 && /bin/busybox date +%%s >/built-at"]\n' \
	>"$d/Dockerfile"
"$PINNED" build -C "$d" >/dev/null 2>&1
"$PINNED" verify -C "$d" --rebuild >"$tmp/out" 2>"$tmp/err"
same "verify --rebuild: a build writing the date: exit 1" "$?" 1
same "verify --rebuild: the image differs: manifest, config and its one layer" \
	"$(grep '^image' "$tmp/out" | sed 's/ (.*//')" \
	"image: linux/amd64: changed
image config: linux/amd64: changed
image layer: linux/amd64 layer 1: changed"
same "verify --rebuild: how: exactly the file that holds the date" \
	"$(sed -n '/^how the image/,/^layer/p' "$tmp/out" | sed 's/sha256:[0-9a-f]*/D/g; s/[0-9]\{10\}/T/g')" \
	"how the image differs from the recorded one (build/image), 1 difference:
layer 1: built-at: content D (11 bytes), then D (11 bytes); line 1: 'T', then 'T'"

# a project with no template and no lockfiles/ yet: the first record holds
q=$tmp/plain
mkdir -p "$q"
cp /bin/busybox "$q/busybox"
printf 'FROM scratch\nCOPY busybox /bin/busybox\n' >"$q/Dockerfile"
"$PINNED" build -C "$q" >/dev/null 2>&1
"$PINNED" verify -C "$q" >"$tmp/out" 2>&1
same "verify: the first build of a plain project verifies" "$?: $(cut -c1-53 "$tmp/out")" \
	"0: same as lockfiles/build.lock: Dockerfile, 0 lockfiles"
finish
