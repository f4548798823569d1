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
cp "$tmp/m.before" "$tmp/m"
expect_error "closed stdout: the archive goes nowhere else, and says so" 2 \
	"pinned: cannot write '-': Bad file descriptor" \
	sh -c 'exec "$0" context -C "$1" -o - --manifest "$2" <&- >&-' "$PINNED" "$c" "$tmp/m"
same_file "closed stdout: the manifest is as it was" "$tmp/m" "$tmp/m.before"

# the default output lies inside the context: never archive the previous one
first=$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c")
second=$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c")
same "the previous build/context.tar is not archived: the same digest twice" "$second" "$first"
same "context --list: never the default output" "$("$PINNED" context -C "$c" --list | grep -c context.tar)" 0
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c" -o out.tar >/dev/null
same "an output replaced in the context is not archived" \
	"$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c" -o out.tar)" \
	"$(SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$c" -o out.tar)"

# an output that is a link to a file is written through: the link stays, the
# file is replaced, and keeps its mode
l=$tmp/links
mkdir -p "$l"
printf 'FROM scratch\n' >"$l/Dockerfile"
echo old >"$tmp/real.tar"
echo old >"$tmp/real.manifest"
chmod 640 "$tmp/real.tar"
ln -s "$tmp/real.tar" "$l/out.tar"
ln -s "$tmp/real.manifest" "$l/out.manifest"
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$l" -o out.tar --manifest out.manifest >/dev/null
check "an output link stays a link" test -L "$l/out.tar"
check "a manifest link stays a link" test -L "$l/out.manifest"
same "the file the link leads to holds the archive" "$(head -c 10 "$tmp/real.tar")" "Dockerfile"
same "the file keeps its mode" "$(stat -c %a "$tmp/real.tar")" 640
ln -s "$tmp/real.Dockerfile" "$tmp/lockinject/Dockerfile.link"
echo old >"$tmp/real.Dockerfile"
"$PINNED" render -C "$tmp/lockinject" -o Dockerfile.link
check "render -o a link writes through it" test -L "$tmp/lockinject/Dockerfile.link"
same "render -o a link: the file it leads to is rendered" "$(tail -1 "$tmp/real.Dockerfile")" \
	"FROM busybox:1@sha256:$HEX"

# outputs never overwrite inputs
o=$tmp/overwrite
mkdir -p "$o/lockfiles" "$o/out"
printf 'FROM busybox:1\n' >"$o/Dockerfile"
printf 'FROM busybox:1\n' >"$o/Dockerfile.in"
echo 'print(1)' >"$o/main.py"
cp "$tmp/lockinject/lockfiles/images.lock" "$o/lockfiles/images.lock"
(cd "$o" && find . -type f | sort | xargs sha256sum) >"$tmp/overwrite.before"
overwrite_refused() {	# NAME MESSAGE ARGS...: refused, and nothing changed
	name=$1 message=$2; shift 2
	expect_error "$name" 2 "pinned: $message" "$PINNED" "$@"
	(cd "$o" && find . -type f | sort | xargs sha256sum) >"$tmp/overwrite.after"
	same_file "$name: every file as it was" "$tmp/overwrite.after" "$tmp/overwrite.before"
}
of_context="a file of the context: write it elsewhere, or exclude it in .dockerignore"
overwrite_refused "context -o Dockerfile is refused" \
	"refusing to write the archive over 'Dockerfile', $of_context" context -C "$o" -o Dockerfile
overwrite_refused "context -o onto a file of the context is refused" \
	"refusing to write the archive over 'main.py', $of_context" context -C "$o" -o main.py
overwrite_refused "context --manifest onto a file of the context is refused" \
	"refusing to write the manifest over 'main.py', $of_context" \
	context -C "$o" -o "$tmp/o.tar" --manifest main.py
overwrite_refused "context -o X --manifest X is refused" \
	"-o and --manifest name the same file 'out/../x'" context -C "$o" -o x --manifest out/../x
overwrite_refused "render -o Dockerfile.in is refused" \
	"refusing to write the Dockerfile over its template 'Dockerfile.in'" \
	render -C "$o" -o ./Dockerfile.in
overwrite_refused "render -o the lock is refused" \
	"refusing to write the Dockerfile over the lock 'lockfiles/images.lock'" \
	render -C "$o" -o lockfiles/../lockfiles/images.lock
overwrite_refused "context -o '' is refused before archiving" \
	"cannot write '': an empty file name" context -C "$o" -o ''
overwrite_refused "context -o DIR/ is refused before archiving" \
	"cannot write 'out/': a file name cannot end in '/'" context -C "$o" -o out/
echo 'kept' >"$o/ignored.tar"
echo 'ignored.tar' >"$o/.dockerignore"
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$o" -o ignored.tar >/dev/null
same "an output over a file .dockerignore excludes is written" "$(head -c 10 "$o/ignored.tar")" \
	".dockerign"
rm "$o/.dockerignore" "$o/ignored.tar"

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

# a directory with more names than the listing keeps in memory (4 MiB):
# sorted runs spill to a temporary file and merge, in the same order
n=$tmp/names
mkdir -p "$n"
printf 'FROM scratch\n' >"$n/Dockerfile"
long=$(printf '%0200d' 0)
(cd "$n" && seq -f "%05g$long" 0 17999 | xargs touch && seq -f "d%05g$long" 0 99 | xargs mkdir &&
	seq -f "%05g-$long" 0 99 | xargs touch)
"$PINNED" context -C "$n" --list >"$tmp/names.list"
(cd "$n" && find . -mindepth 1 -maxdepth 1 -type d -printf '%P/\n' -o -printf '%P\n') |
	LC_ALL=C sort >"$tmp/names.want"
same_file "a directory of 18,200 long names: every name, in byte order" "$tmp/names.list" \
	"$tmp/names.want"
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$n" -o "$tmp/names.tar" >/dev/null
same "a directory of 18,200 long names: the archive lists the same" \
	"$(tar tf "$tmp/names.tar" | cmp - "$tmp/names.list" && echo same)" same
rm -rf "$n"

# a tree deeper than the open-file limit: archived whole, the same bytes
d=$tmp/deep
mkdir -p "$d"
printf 'FROM scratch\n' >"$d/Dockerfile"
(cd "$d" && for i in $(seq 300); do mkdir "dir$i" && cd "dir$i" || exit 1; done &&
	echo leaf >leaf)
SOURCE_DATE_EPOCH=1 "$PINNED" context -C "$d" -o "$tmp/deep.tar" >/dev/null
check "a tree 300 deep with 64 descriptors is archived" \
	sh -c 'ulimit -n 64; SOURCE_DATE_EPOCH=1 exec "$0" context -C "$1" -o "$2" >/dev/null' \
	"$PINNED" "$d" "$tmp/deep64.tar"
same_file "a tree 300 deep with 64 descriptors: the same archive" "$tmp/deep64.tar" "$tmp/deep.tar"
(cd "$d" && for i in $(seq 300); do cd "dir$i" || exit 1; done && mkfifo fifo)
"$PINNED" context -C "$d" -o "$tmp/never.tar" 2>"$tmp/err"
case $(cat "$tmp/err") in
*"..."*"/dir300/fifo': it is a fifo") pass "a path of 2 KB in a message: its middle goes, the reason stays" ;;
*) fail "a path of 2 KB in a message: its middle goes, the reason stays" "$(cat "$tmp/err")" ;;
esac

# --rev reads a linked .dockerignore and Dockerfile through the link, as the
# working tree does, and refuses a link leading out of the context
g=$tmp/revlinks
mkdir -p "$g/docker"
printf 'secret.txt\n.git\n' >"$g/ignore.txt"
ln -s ignore.txt "$g/.dockerignore"
printf 'FROM scratch\nCOPY . /\n' >"$g/docker/Dockerfile"
ln -s docker/Dockerfile "$g/Dockerfile"
echo secret >"$g/secret.txt"
git -C "$g" init -q && git -C "$g" add -A &&
	git -C "$g" -c user.email=t@t -c user.name=t commit -qm links
same "--rev: a linked .dockerignore excludes what it names" \
	"$("$PINNED" context -C "$g" --list --rev HEAD | grep -c secret)" 0
same "--rev: a clean tree and its HEAD have the same build digest" \
	"$(SOURCE_DATE_EPOCH=1 "$PINNED" hash -C "$g" --rev HEAD)" "$(SOURCE_DATE_EPOCH=1 "$PINNED" hash -C "$g")"
ln -sf ../../etc/passwd "$g/.dockerignore"
git -C "$g" add -A && git -C "$g" -c user.email=t@t -c user.name=t commit -qm out
expect_error "--rev: a link leading out of the context is refused" 2 \
	"pinned: cannot read '.dockerignore': a link leading out of the context in revision $(git -C "$g" rev-parse HEAD)" \
	"$PINNED" context -C "$g" --list --rev HEAD

# names with a newline or a terminal escape are printed escaped, one line
e=$tmp/escapes
mkdir -p "$e"
printf 'FROM scratch\n' >"$e/Dockerfile"
mkfifo "$e/$(printf 'bad\nname\033[31m')"
expect_error "a name with a newline and an escape sequence is printed escaped" 2 \
	"pinned: cannot archive 'bad\\nname\\x1b[31m': it is a fifo" "$PINNED" context -C "$e" --list
rm "$e/$(printf 'bad\nname\033[31m')"
echo x >"$e/$(printf 'two\nlines')"
same "context --list: a name with a newline is one escaped line" \
	"$("$PINNED" context -C "$e" --list | tr '\n' ' ')" 'Dockerfile two\nlines '

# a git repository with $HOME unreadable: no git configuration is needed
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	h=$tmp/home
	mkdir -p "$h" && chmod 755 "$tmp" "$h"
	printf 'FROM scratch\n' >"$h/Dockerfile"
	git -C "$h" init -q && git -C "$h" add -A &&
		git -C "$h" -c user.email=t@t -c user.name=t commit -qm home
	mkdir -p "$tmp/locked-home" && chmod 700 "$tmp/locked-home"
	check "context in a git repository with \$HOME unreadable" \
		su nobody -s /bin/sh -c "HOME=$tmp/locked-home '$PINNED' context -C '$h' --list >/dev/null"
else
	echo "SKIP: \$HOME unreadable: needs root and the user nobody"
fi

# ---- faults: signals, a full disk, two runs at once ------------------------------

# temporaries DIR: our temporary files left in DIR
temporaries() { ls -A "$1" | grep -c 'pinned-tmp' || true; }
# wait_for_temporary DIR: until a run has opened its output in DIR (10 s at most)
wait_for_temporary() {
	for _ in $(seq 1000); do
		[ "$(temporaries "$1")" -gt 0 ] && return 0
		sleep 0.01
	done
	return 1
}
s=$tmp/sig
mkdir -p "$s" "$tmp/sigout"
printf 'FROM scratch\n' >"$s/Dockerfile"
truncate -s 4G "$s/big"		# sparse: seconds to hash, nothing on disk
echo old >"$tmp/sigout/out.tar"
echo old >"$tmp/sigout/out.manifest"
cp "$tmp/sigout/out.tar" "$tmp/sig.before"
for sig in INT:2 TERM:15 HUP:1; do
	signo=${sig#*:} sig=${sig%:*}
	# a shell starts background jobs with SIGINT ignored, nohup SIGHUP: give them back
	env --default-signal=INT,TERM,HUP "$PINNED" context -C "$s" -o "$tmp/sigout/out.tar" \
		--manifest "$tmp/sigout/out.manifest" >/dev/null 2>&1 &
	pid=$!
	if wait_for_temporary "$tmp/sigout"; then
		kill -s $sig $pid
		wait $pid
		status=$?
		same "SIG$sig in the middle of context: it dies of the signal" $status \
			$((128 + signo))
	else
		wait $pid
		fail "SIG$sig in the middle of context" "no temporary file seen"
	fi
	same "SIG$sig in the middle of context: no temporary file is left" \
		"$(temporaries "$tmp/sigout")" 0
	same_file "SIG$sig in the middle of context: the archive is as it was" \
		"$tmp/sigout/out.tar" "$tmp/sig.before"
	same_file "SIG$sig in the middle of context: the manifest is as it was" \
		"$tmp/sigout/out.manifest" "$tmp/sig.before"
done
rm "$s/big"
# what a killed run leaves (SIGKILL cannot be caught) is never archived
touch "$s/.context.tar.pinned-tmp.AbC123"
same "a leftover temporary file in the context is not archived" \
	"$("$PINNED" context -C "$s" --list | tr '\n' ' ')" "Dockerfile "

# a file size limit (as a full disk): one line, exit 2, the old output kept
dd if=/dev/urandom of="$s/data" bs=64k count=16 2>/dev/null
expect_error "a file size limit: the write fails with the reason" 2 \
	"pinned: cannot write '$tmp/sigout/out.tar': File too large" \
	sh -c 'trap "" XFSZ; ulimit -f 100; exec "$@"' sh \
	"$PINNED" context -C "$s" -o "$tmp/sigout/out.tar" --manifest "$tmp/sigout/out.manifest"
same_file "a file size limit: the archive is as it was" "$tmp/sigout/out.tar" "$tmp/sig.before"
same_file "a file size limit: the manifest is as it was" "$tmp/sigout/out.manifest" "$tmp/sig.before"
same "a file size limit: no temporary file is left" "$(temporaries "$tmp/sigout")" 0

# a full disk: a 1 MiB tmpfs (needs root to mount)
if mkdir -p "$tmp/full" && mount -t tmpfs -o size=1m tmpfs "$tmp/full" 2>/dev/null; then
	echo old >"$tmp/full/out.tar"
	expect_error "a full disk: the write fails with the reason" 2 \
		"pinned: cannot write '$tmp/full/out.tar': No space left on device" \
		"$PINNED" context -C "$s" -o "$tmp/full/out.tar"
	same_file "a full disk: the archive is as it was" "$tmp/full/out.tar" "$tmp/sig.before"
	same "a full disk: no temporary file is left" "$(temporaries "$tmp/full")" 0
	umount "$tmp/full"
else
	echo "SKIP: a full disk: cannot mount a tmpfs here (not root?)"
fi

# render: a signal while a 56 MB Dockerfile is written
r=$tmp/sigrender
mkdir -p "$r/lockfiles"
echo '{"images": {}, "version": 1}' >"$r/lockfiles/images.lock"
{ echo 'FROM scratch'; yes '# a comment line that makes the template large' | head -1200000; } \
	>"$r/Dockerfile.in"
echo old >"$r/Dockerfile"
for attempt in 1 2 3 4 5; do	# the window is a few tens of milliseconds
	env --default-signal=INT,TERM,HUP "$PINNED" render -C "$r" >/dev/null 2>&1 &
	pid=$!
	if wait_for_temporary "$r"; then
		kill -s TERM $pid
		wait $pid
		status=$?
		[ $status = 143 ] && break
	else
		wait $pid
		status=$?
	fi
	echo old >"$r/Dockerfile"
done
same "SIGTERM in the middle of render: it dies of the signal" $status 143
same "SIGTERM in the middle of render: the Dockerfile is as it was" "$(cat "$r/Dockerfile")" old
same "SIGTERM in the middle of render: no temporary file is left" "$(temporaries "$r")" 0
rm -rf "$r"

# lock: a signal while a registry stalls, and a second run meanwhile
q=$tmp/lockstall
mkdir -p "$q/lockfiles"
start_fake stall
printf 'FROM %s/x:1\n' "$FAKE" >"$q/Dockerfile.in"
echo '{"images": {}, "version": 1}' >"$q/lockfiles/images.lock"
cp "$q/lockfiles/images.lock" "$tmp/stall.before"
env --default-signal=INT,TERM,HUP "$PINNED" lock -C "$q" --timeout 30 >/dev/null 2>&1 &
pid=$!
sleep 0.5
expect_error "two lock runs at once: the second says why it stops" 2 \
	"pinned: another pinned lock is running in this project; run again when it has ended" \
	"$PINNED" lock -C "$q"
kill -s INT $pid
wait $pid
same "SIGINT in the middle of lock: it dies of the signal" $? 130
same_file "SIGINT in the middle of lock: the lock is as it was" \
	"$q/lockfiles/images.lock" "$tmp/stall.before"
same "SIGINT in the middle of lock: no temporary file is left" "$(temporaries "$q/lockfiles")" 0

# ---- secrets never reach a message -----------------------------------------------

mkdir -p "$tmp/docker" "$tmp/lockp"
printf '{"auths": {"r.example": {"auth": "c2VjcmV0OnRvcHNlY3JldA=="}} not json c2VjcmV0\n' \
	>"$tmp/docker/config.json"
printf 'FROM 127.0.0.1:1/x:1\n' >"$tmp/lockp/Dockerfile.in"
expect_error "a malformed config.json is named, its content never quoted" 2 \
	"pinned: $tmp/docker/config.json:1:65: not valid JSON" \
	env DOCKER_CONFIG="$tmp/docker" "$PINNED" lock -C "$tmp/lockp"

finish
