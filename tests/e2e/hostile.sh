# Hostile input: what an adversarial pass broke. Each case is one clear line,
# exit 2, and every file as it was.
. "$TOP/tests/e2e/lib.sh"

HEX=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef

# ---- a lock is trusted input: every field is checked where it enters ----------

p=$tmp/lockinject
mkdir -p "$p/lockfiles"
printf 'FROM busybox:1\n' >"$p/Dockerfile.in"
printf 'FROM busybox:1\n# edited\n' >"$p/Dockerfile"
lock_with_digest() {	# the lock of busybox:1 with DIGEST as its digest (JSON-escaped)
	cat >"$p/lockfiles/images.lock" <<EOF2
{
  "images": {
    "docker.io/library/busybox:1": {
      "digest": "$1",
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "name": "docker.io/library/busybox",
      "platforms": {},
      "reference": "busybox:1",
      "tag": "1"
    }
  },
  "version": 1
}
EOF2
}
msg="pinned: lockfiles/images.lock: image 'docker.io/library/busybox:1': \"digest\" is not a sha256 digest"
for case in newline empty short upper; do
	case $case in
	newline) digest="sha256:$HEX\\nCOPY payload /usr/local/bin/python3\\n#" ;;
	empty) digest= ;;
	short) digest=sha256:abc ;;
	upper) digest=sha256:$(echo $HEX | tr a-f A-F) ;;
	esac
	lock_with_digest "$digest"
	cp "$p/lockfiles/images.lock" "$tmp/lock.before"
	cp "$p/Dockerfile" "$tmp/Dockerfile.before"
	expect_error "lock injection ($case): render refuses it" 2 "$msg" "$PINNED" render -C "$p"
	expect_error "lock injection ($case): render --check refuses it" 2 "$msg" \
		"$PINNED" render -C "$p" --check
	expect_error "lock injection ($case): lint refuses it" 2 "$msg" "$PINNED" lint -C "$p"
	expect_error "lock injection ($case): lock refuses it" 2 "$msg" "$PINNED" lock -C "$p"
	same_file "lock injection ($case): the lock is as it was" \
		"$p/lockfiles/images.lock" "$tmp/lock.before"
	same_file "lock injection ($case): the Dockerfile is as it was" \
		"$p/Dockerfile" "$tmp/Dockerfile.before"
done
lock_with_digest "sha256:$HEX"
check "lock injection: the same lock with a real digest renders" "$PINNED" render -C "$p"
same "lock injection: and the digest is where it belongs" "$(tail -1 "$p/Dockerfile")" \
	"FROM busybox:1@sha256:$HEX"

finish
