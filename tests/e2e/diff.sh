# pinned diff: two images made with umoci that differ in exactly one file's
# content, one mode, one owner, one xattr and one Env entry (and layers
# that differ in their whiteouts, and in file times only); two images locks
# before and after pinned lock --update against a loopback registry, and
# two apt locks; two build records, as files and as git revisions.
. "$TOP/tests/e2e/lib.sh"

for c in umoci setfattr buildah git docker-registry; do
	if ! command -v $c >/dev/null; then
		echo "SKIP: diff: $c is not installed"
		finish
		exit 0
	fi
done
if ! setfattr -n user.t -v 1 "$tmp" 2>/dev/null; then
	echo "SKIP: diff: $tmp holds no user xattrs"
	finish
	exit 0
fi

run() { "$PINNED" diff "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/status"; }
# lines: what diff said before its summary
lines() { sed '$d' "$tmp/out"; }

# ---- images --------------------------------------------------------------------

# image TAG VARIANT [TIME]: a one-layer image in the layout $L, every time
# TIME (default 0), no history; VARIANT b differs from a in one file's
# content (its second line), one mode, one owner, one xattr and the Env entry
L=$tmp/layout
image() {
	[ -d "$L" ] || umoci init --layout "$L"
	umoci new --image "$L:$1" &&
		umoci unpack --image "$L:$1" "$tmp/b-$1" >/dev/null || return 1
	r=$tmp/b-$1/rootfs
	mkdir -p "$r/srv"
	printf 'hello\n%s\nend\n' "$([ "$2" = a ] && echo world || echo there)" >"$r/srv/a.txt"
	printf 'm\n' >"$r/srv/m"
	chmod "$([ "$2" = a ] && echo 644 || echo 755)" "$r/srv/m"
	printf 'o\n' >"$r/srv/o"
	[ "$2" = a ] || chown 1000:1000 "$r/srv/o"
	printf 'x\n' >"$r/srv/x"
	setfattr -n user.k -v "v-$2" "$r/srv/x"
	find "$r" -exec touch -h -d "@${3:-0}" {} +
	umoci repack --no-history --image "$L:$1" "$tmp/b-$1" 2>/dev/null &&
		umoci config --no-history --image "$L:$1" --config.env "STAGE=$2" \
			--created "$(date -u -d "@${3:-0}" +%Y-%m-%dT%H:%M:%SZ)" 2>/dev/null
}
image a a && image b b || fail "diff: make the images with umoci"

run "oci:$L:a" "oci:$L:b"
same "diff: images: exit 1" "$(cat "$tmp/status")" 1
same "diff: images: exactly the five differences, then what follows from them" "$(lines)" \
	"config: .config.Env[0]: \"STAGE=a\", then \"STAGE=b\"
layer 1: srv/a.txt: content sha256:cb1024d57dc6 (16 bytes), then sha256:30ac41a1f7f6 (16 bytes); line 2: 'world', then 'there'
layer 1: srv/m: mode 0644, then 0755
layer 1: srv/o: owner 0:0, then 1000:1000
layer 1: srv/x: xattrs {user.k=v-a}, then {user.k=v-b}
(and what follows from these: the manifest and config digests, .rootfs)"
same "diff: images: the summary counts them" "$(tail -1 "$tmp/out")" \
	"5 differences between the images oci:$L:a and oci:$L:b"
run --json "oci:$L:a" "oci:$L:b"
same "diff --json: the same lines, the count, the operands" \
	"$(tr -d '\n' <"$tmp/out" | sed 's/  */ /g')" \
	"{ \"a\": \"oci:$L:a\", \"b\": \"oci:$L:b\", \"causes\": 5, \"kind\": \"images\", \"lines\": [ \"config: .config.Env[0]: \\\"STAGE=a\\\", then \\\"STAGE=b\\\"\", \"layer 1: srv/a.txt: content sha256:cb1024d57dc6 (16 bytes), then sha256:30ac41a1f7f6 (16 bytes); line 2: 'world', then 'there'\", \"layer 1: srv/m: mode 0644, then 0755\", \"layer 1: srv/o: owner 0:0, then 1000:1000\", \"layer 1: srv/x: xattrs {user.k=v-a}, then {user.k=v-b}\", \"(and what follows from these: the manifest and config digests, .rootfs)\" ], \"same\": false, \"semantic\": false}"
run "oci:$L:a" "oci:$L:a"
same "diff: an image and itself: exit 0, said" "$(cat "$tmp/status"): $(cat "$tmp/out")" \
	"0: same: the images oci:$L:a and oci:$L:a"
tar -C "$L" -cf "$tmp/layout.tar" .
run "oci-archive:$tmp/layout.tar:a" "$L:b" 2>/dev/null
run "oci-archive:$tmp/layout.tar:b" "oci:$L:b"
same "diff: an oci-archive: file is read as its layout" "$(cat "$tmp/status"): $(cat "$tmp/out")" \
	"0: same: the images oci-archive:$tmp/layout.tar:b and oci:$L:b"

# the same files at other times: differences in strict mode, none with --semantic
image t a 86400 || fail "diff: make the image t"
run "oci:$L:a" "oci:$L:t"
same "diff: strict: the creation time and each file's mtime differ" \
	"$(lines | sed 's/: mtime 0, then 86400$//; s/,.*//')" \
	"config: .created: \"1970-01-01T00:00:00Z\"
layer 1: .
layer 1: srv/
layer 1: srv/a.txt
layer 1: srv/m
layer 1: srv/o
layer 1: srv/x
(and what follows from these: the manifest and config digests"
run --semantic "oci:$L:a" "oci:$L:t"
same "diff --semantic: times are left out, and it says so" "$(cat "$tmp/status"): $(cat "$tmp/out")" \
	"0: (and what follows from what --semantic leaves out: the manifest and config digests, .rootfs)
(--semantic: file times, the creation time and the history not compared)
same: the images oci:$L:a and oci:$L:t"

# whiteouts: a second layer removing srv/m in one image, srv/o in the other
for w in m o; do
	umoci tag --image "$L:a" "w$w" &&
		umoci unpack --image "$L:w$w" "$tmp/b-w$w" >/dev/null &&
		rm "$tmp/b-w$w/rootfs/srv/$w" &&
		umoci repack --no-history --image "$L:w$w" "$tmp/b-w$w" 2>/dev/null ||
		fail "diff: make the image w$w"
done
run --semantic "oci:$L:wm" "oci:$L:wo"
same "diff: whiteouts, named as what they remove" "$(lines | grep '^layer 2')" \
	"layer 2: srv/m: whiteout (removes it) only in the first
layer 2: srv/o: whiteout (removes it) only in the second"

# ---- images locks, before and after lock --update ----------------------------------

start_registry reg || exit 0
build_image one:1 one && push one:1 "$REG/busybox:1" || fail "diff: push busybox:1"
build_image two:1 two && push two:1 "$REG/stays:1" || fail "diff: push stays:1"
proj=$tmp/proj
mkdir -p "$proj"
printf 'FROM %s/busybox:1\nFROM %s/stays:1\n' "$REG" "$REG" >"$proj/Dockerfile.in"
"$PINNED" lock -C "$proj" >/dev/null 2>&1 && cp "$proj/lockfiles/images.lock" "$tmp/before.lock"
old=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/busybox:1")
build_image one:2 one-moved && push one:2 "$REG/busybox:1" || fail "diff: move busybox:1"
new=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/busybox:1")
"$PINNED" lock -C "$proj" --update >/dev/null 2>&1
run "$tmp/before.lock" "$proj/lockfiles/images.lock"
same "diff: two images locks: exactly the image that moved, from what to what" \
	"$(cat "$tmp/status"): $(lines)" "1: base image: $REG/busybox:1: changed ($old, then $new)"
run "$tmp/before.lock" "$tmp/before.lock"
same "diff: a lock and itself" "$(cat "$tmp/status")" 0

# two images in the registry, pulled and compared
run "$REG/busybox:1" "docker://$REG/stays:1"
same "diff: two images in a registry: what differs in their files" \
	"$(cat "$tmp/status"): $(lines | grep '^layer')" "1: layer 1: marker: content sha256:80c195a0206a (10 bytes), then sha256:27dd8ed44a83 (4 bytes); line 1: 'one-moved', then 'two'"

# two apt locks: one package moved to a newer version
cp "$TOP/tests/fuzz/corpus/lock/apt" "$tmp/apt-a.lock"
sed 's/"version": "2.14-2"/"version": "2.14-2+deb12u1"/' "$tmp/apt-a.lock" >"$tmp/apt-b.lock"
run "$tmp/apt-a.lock" "$tmp/apt-b.lock"
same "diff: two apt locks: exactly the package that moved" "$(cat "$tmp/status"): $(lines)" \
	"1: package: 1:libjansson4: changed (2.14-2, then 2.14-2+deb12u1)"
run "$tmp/apt-a.lock" "$tmp/before.lock"
same "diff: two kinds are trouble, named" "$(cat "$tmp/status"): $(cat "$tmp/err")" \
	"2: pinned: $tmp/apt-a.lock and $tmp/before.lock are not two of a kind (apt locks, then images locks)"

# ---- build records: files and revisions ---------------------------------------

p=$tmp/p
mkdir -p "$p/src"
cp /bin/busybox "$p/busybox"
printf 'echo one\n' >"$p/src/run.sh"
printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY src/ /src/\n' >"$p/Dockerfile"
printf '.git\nbuild\n' >"$p/.dockerignore"
git -C "$p" init -q
commit() { git -C "$p" add -A && git -C "$p" -c user.name=t -c user.email=t@example.org commit -qm "$1"; }
SOURCE_DATE_EPOCH=1700000000 "$PINNED" build -C "$p" >/dev/null 2>&1 && commit one
cp "$p/lockfiles/build.lock" "$tmp/one.lock" && cp "$p/lockfiles/build.manifest" "$tmp/one.manifest"
printf 'echo two\n' >"$p/src/run.sh"
SOURCE_DATE_EPOCH=1700000000 "$PINNED" build -C "$p" >/dev/null 2>&1 && commit two
run "$tmp/one.lock" "$p/lockfiles/build.lock"
same "diff: two records: the context entry, then the image built from it" \
	"$(cat "$tmp/status"): $(lines | sed 's/ (.*//')" \
	"1: context: src/run.sh: content changed
image: linux/amd64: changed
image config: linux/amd64: changed
image layer: linux/amd64 layer 1: changed"
same "diff: two records: the summary names the build digests" \
	"$(tail -1 "$tmp/out" | sed 's/sha256:[0-9a-f]*/D/g')" \
	"4 differences between the build records $tmp/one.lock and $p/lockfiles/build.lock: build digest D, then D"
run -C "$p" HEAD~1 HEAD
same "diff: two revisions: the same as their records" "$(cat "$tmp/status"): $(lines | sed 's/ (.*//')" \
	"1: context: src/run.sh: content changed
image: linux/amd64: changed
image config: linux/amd64: changed
image layer: linux/amd64 layer 1: changed"
run --json -C "$p" HEAD~1 HEAD
same "diff --json: two revisions, by class, with both values" \
	"$(tr -d '\n' <"$tmp/out" | sed 's/  */ /g; s/sha256:[0-9a-f]*/D/g; s/"[af] [0-9]* [0-9]* D"/E/g')" \
	'{ "a": "HEAD~1", "b": "HEAD", "build_digest": { "a": "D", "b": "D" }, "differences": [ { "a": E, "b": E, "class": "context", "path": "src/run.sh", "what": "content changed" }, { "a": "D", "b": "D", "class": "image", "path": "linux/amd64", "what": "changed" }, { "a": "D", "b": "D", "class": "image config", "path": "linux/amd64", "what": "changed" }, { "a": "D", "b": "D", "class": "image layer", "path": "linux/amd64 layer 1", "what": "changed" } ], "kind": "build records", "same": false}'
rm "$tmp/one.manifest"
run "$tmp/one.lock" "$p/lockfiles/build.lock"
same "diff: a record without its manifest, when entries differ, is trouble" \
	"$(cat "$tmp/status"): $(cat "$tmp/err")" \
	"2: pinned: no $tmp/one.manifest beside the record $tmp/one.lock: its context entries cannot be named"
run -C "$p" HEAD~1 no-such-thing
same "diff: an operand that is nothing is trouble, one line" \
	"$(cat "$tmp/status"): $(wc -l <"$tmp/err")" "2: 1"
run "oci:$L:a"
same "diff: one operand is a usage error" "$(cat "$tmp/status"): $(head -1 "$tmp/err")" \
	"2: pinned: diff takes two operands, A and B"
finish
