# pinned drift against a real docker-registry on loopback, images pushed by
# buildah: four images locked, then upstream moves one tag, moves another
# and deletes its locked digest, moves an index to one that lost a
# platform and gained another, and deletes a third image's digest (and so
# its tag). Each is one line with the locked and the upstream value, in
# text and JSON; with nothing moved, exit 0 and one line saying what was
# checked; a registry that cannot be reached is trouble. The packages'
# drift is tested in aptlock.sh, against its signed archive.
. "$TOP/tests/e2e/lib.sh"

for tool in buildah docker-registry skopeo curl; do
	command -v $tool >/dev/null || { echo "SKIP: drift: $tool is not installed"; finish; exit 0; }
done
start_registry reg || exit 0
build_image one:1 one && build_image two:1 two arm64 && build_image three:1 three &&
	build_image four:1 four riscv64 || fail "drift: build the images"
index() {	# index NAME IMAGE...: push a manifest list of the images to $REG/NAME
	name=$1; shift
	buildah_ manifest rm "$name" >/dev/null 2>&1
	buildah_ manifest create "$name" >/dev/null
	for i in "$@"; do
		case $i in
		two:1) buildah_ manifest add --arch arm64 --variant v8 "$name" "$i" >/dev/null ;;
		four:1) buildah_ manifest add --arch riscv64 "$name" "$i" >/dev/null ;;
		*) buildah_ manifest add "$name" "$i" >/dev/null ;;
		esac
	done
	buildah_ manifest push -q --all --tls-verify=false "$name" "docker://$REG/$name" >/dev/null 2>&1
}
for r in app gone tagdel; do push one:1 "$REG/$r:1" || fail "drift: push $r:1"; done
index multi:1 one:1 two:1 || fail "drift: push the index multi:1"
digest() { skopeo inspect --tls-verify=false --raw "docker://$REG/$1" | sha256sum | cut -d' ' -f1; }
one=sha256:$(digest app:1) three=
index1=sha256:$(digest multi:1)

proj=$tmp/proj
mkdir -p "$proj"
printf 'FROM %s/app:1 AS a\nFROM %s/gone:1 AS b\nFROM %s/multi:1 AS c\nFROM %s/tagdel:1\n' \
	"$REG" "$REG" "$REG" "$REG" >"$proj/Dockerfile.in"
(cd "$proj" && "$PINNED" lock) || fail "drift: lock the four images"
drift() { "$PINNED" drift -C "$proj" "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/status"; }

drift
same "drift: nothing moved: exit 0 and one line saying what was checked" \
	"$(cat "$tmp/status"): $(cat "$tmp/out")" \
	"0: nothing moved: 4 images (5 platforms), 0 packages in 0 suites checked"
cp "$proj/lockfiles/images.lock" "$tmp/images.lock.before"

# upstream moves
push three:1 "$REG/app:1" && push three:1 "$REG/gone:1" || fail "drift: move the tags"
three=sha256:$(digest app:1)
index multi:1 one:1 four:1 || fail "drift: move the index"
index2=sha256:$(digest multi:1)
delete() {	# delete REPO DIGEST: as a registry's garbage policy would
	curl -fsS -o /dev/null -X DELETE "http://$REG/v2/$1/manifests/$2"
}
delete gone "$one" && delete tagdel "$one" || fail "drift: delete the locked digests"

drift
same "drift: each move is one line, with the locked and the upstream value" \
	"$(cat "$tmp/status")
$(cat "$tmp/out")" "1
image: $REG/app:1: tag moved ($one, now $three)
image: $REG/gone:1: tag moved ($one, now $three)
image: $REG/gone:1: locked digest deleted: every rebuild fails ($one)
image: $REG/multi:1: tag moved ($index1, now $index2)
platform: $REG/multi:1: removed (linux/arm64/v8)
platform: $REG/multi:1: added (linux/riscv64)
image: $REG/tagdel:1: tag deleted ($one)
image: $REG/tagdel:1: locked digest deleted: every rebuild fails ($one)
8 findings: 4 images (5 platforms), 0 packages in 0 suites checked"
same_file "drift: the lock is left as it was" "$proj/lockfiles/images.lock" "$tmp/images.lock.before"

drift --json
same "drift --json: the same findings as data" "$(tr -d '\n' <"$tmp/out" | sed 's/  */ /g')" \
	"{ \"findings\": [ { \"class\": \"image\", \"locked\": \"$one\", \"path\": \"$REG/app:1\", \"upstream\": \"$three\", \"what\": \"tag moved\" }, { \"class\": \"image\", \"locked\": \"$one\", \"path\": \"$REG/gone:1\", \"upstream\": \"$three\", \"what\": \"tag moved\" }, { \"class\": \"image\", \"locked\": \"$one\", \"path\": \"$REG/gone:1\", \"what\": \"locked digest deleted: every rebuild fails\" }, { \"class\": \"image\", \"locked\": \"$index1\", \"path\": \"$REG/multi:1\", \"upstream\": \"$index2\", \"what\": \"tag moved\" }, { \"class\": \"platform\", \"locked\": \"linux/arm64/v8\", \"path\": \"$REG/multi:1\", \"what\": \"removed\" }, { \"class\": \"platform\", \"path\": \"$REG/multi:1\", \"upstream\": \"linux/riscv64\", \"what\": \"added\" }, { \"class\": \"image\", \"locked\": \"$one\", \"path\": \"$REG/tagdel:1\", \"what\": \"tag deleted\" }, { \"class\": \"image\", \"locked\": \"$one\", \"path\": \"$REG/tagdel:1\", \"what\": \"locked digest deleted: every rebuild fails\" } ], \"images\": 4, \"moved\": true, \"packages\": 0, \"platforms\": 5, \"suites\": 0}"

# pinned lock --update takes the new state; then nothing moved
printf 'FROM %s/app:1 AS a\nFROM %s/gone:1 AS b\nFROM %s/multi:1\n' "$REG" "$REG" "$REG" \
	>"$proj/Dockerfile.in"
(cd "$proj" && "$PINNED" lock --update) || fail "drift: lock --update"
drift
same "drift: after lock --update nothing moved" "$(cat "$tmp/status"): $(cat "$tmp/out")" \
	"0: nothing moved: 3 images (4 platforms), 0 packages in 0 suites checked"

# trouble: one line, exit 2; a registry that went away
start_registry gone-reg || exit 0
push one:1 "$REG/x:1" || fail "drift: push to the second registry"
mkdir -p "$tmp/p2"
printf 'FROM %s/x:1\n' "$REG" >"$tmp/p2/Dockerfile.in"
(cd "$tmp/p2" && "$PINNED" lock) || fail "drift: lock from the second registry"
kill "${pids##* }" && wait "${pids##* }" 2>/dev/null
expect_error "drift: a registry that cannot be reached" 2 \
	"pinned: cannot connect to registry '$REG'" "$PINNED" drift -C "$tmp/p2"
mkdir -p "$tmp/empty"
expect_error "drift: nothing locked" 2 \
	"pinned: nothing is locked here (lockfiles/images.lock, lockfiles/apt.lock): run pinned lock first" \
	"$PINNED" drift -C "$tmp/empty"
"$PINNED" drift x >/dev/null 2>"$tmp/err"
same "drift: an operand is a usage error" "$?: $(head -1 "$tmp/err")" \
	"2: pinned: unexpected argument 'x'"
finish
