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

# ---- data loss and wrong results -------------------------------------------------

c=$tmp/ctx
mkdir -p "$c"
printf 'FROM scratch\n' >"$c/Dockerfile"
# with standard output closed, the archive must not land in the manifest
printf 'kept\n' >"$tmp/m.before"
cp "$tmp/m.before" "$c/m"
expect_error "closed stdout: the archive goes nowhere else, and says so" 2 \
	"pinned: cannot write '-': Bad file descriptor" \
	sh -c 'exec "$0" context -C "$1" -o - --manifest m <&- >&-' "$PINNED" "$c"
same_file "closed stdout: the manifest is as it was" "$c/m" "$tmp/m.before"
rm "$c/m"

# the default output lies inside the context: never archive the previous one
first=$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c")
second=$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c")
same "the previous build/context.tar is not archived: the same digest twice" "$second" "$first"
same "context --list: never the default output" "$("$PINNED" context -C "$c" --list | grep -c context.tar)" 0
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c" -o out.tar >/dev/null
same "an output replaced in the context is not archived" \
	"$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c" -o out.tar)" \
	"$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c" -o out.tar)"

# a NUL byte would cut a line: the rest unread and unlinted
printf 'FROM busybox:1\nRUN true\0; apt-get install -y curl\n' >"$tmp/nul.Dockerfile"
expect_error "a NUL byte in a Dockerfile is refused where it is" 2 \
	"pinned: nul.Dockerfile:2:9: a NUL byte: a Dockerfile is text" \
	"$PINNED" lint -C "$tmp" -f nul.Dockerfile

# inputs that never end are capped
z=$tmp/zero
mkdir -p "$z"
printf 'FROM scratch\n' >"$z/Dockerfile"
ln -s /dev/zero "$z/.dockerignore"
expect_error "a .dockerignore linked to /dev/zero stops at the cap" 2 \
	"pinned: cannot read '.dockerignore': more than 67108864 bytes" "$PINNED" context -C "$z" --list
ln -s /dev/zero "$z/Dockerfile.in"
expect_error "a template linked to /dev/zero stops at the cap" 2 \
	"pinned: cannot read 'Dockerfile.in': more than 67108864 bytes" "$PINNED" render -C "$z"

# ---- secrets never reach a message -----------------------------------------------

mkdir -p "$tmp/docker" "$tmp/lockp"
printf '{"auths": {"r.example": {"auth": "c2VjcmV0OnRvcHNlY3JldA=="}} not json c2VjcmV0\n' \
	>"$tmp/docker/config.json"
printf 'FROM 127.0.0.1:1/x:1\n' >"$tmp/lockp/Dockerfile.in"
expect_error "a malformed config.json is named, its content never quoted" 2 \
	"pinned: $tmp/docker/config.json:1:65: not valid JSON" \
	env DOCKER_CONFIG="$tmp/docker" "$PINNED" lock -C "$tmp/lockp"

finish
