# pinned build and pinned run with buildah, on images made from busybox-static
# (no registry needed): reproducible digests, --twice naming what differs,
# and each rule of both PlanQK runtime interfaces.
. "$TOP/tests/e2e/lib.sh"

if ! command -v buildah >/dev/null; then
	echo "SKIP: build: buildah is not installed"
	finish
	exit 0
fi

# project DIR SCRIPT: a service whose entrypoint is the shell script SCRIPT
project() {
	mkdir -p "$1/input"
	cp /bin/busybox "$1/busybox"
	printf '%s\n' "$2" >"$1/run.sh"
	printf 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY run.sh /run.sh\nENTRYPOINT ["/bin/busybox", "sh", "/run.sh"]\n' >"$1/Dockerfile"
	printf 'input\n' >"$1/.dockerignore"
	echo '{"a": 1}' >"$1/input/data.json"
	echo '{"b": 2}' >"$1/input/params.json"
}

p=$tmp/p
project "$p" 'echo "PlanQK:Job:Result: {\"ok\": true}"'
"$PINNED" build -C "$p" >"$tmp/out" 2>"$tmp/err"
same "build: exit 0" $? 0
digest=$(tail -1 "$tmp/out")
case $digest in sha256:????????????????????????????????????????????????????????????????)
	pass "build: the image manifest digest is the last line" ;;
*)	fail "build: the image manifest digest is the last line" "$digest" ;; esac
same "build: the layout holds that manifest" \
	"$(grep -o '"digest":"sha256:[0-9a-f]*"' "$p/build/image/index.json" | cut -d'"' -f4)" "$digest"
same "build: the record names the builder and the image" \
	"$(grep -c -e '"name": "buildah"' -e "\"manifest\": \"$digest\"" "$p/lockfiles/build.lock")" 2
same "build: the builder's output went to stderr" "$(grep -c 'STEP 1/4: FROM scratch' "$tmp/err")" 1

# the same project elsewhere, with other mtimes, umask, time zone and clean storage
cp -a "$p" "$tmp/q"
rm -rf "$tmp/q/build"
find "$tmp/q" -exec touch -d '2001-02-03 04:05:06' {} +
(umask 077 && TZ=Asia/Tokyo "$PINNED" build -C "$tmp/q" >"$tmp/out2" 2>/dev/null)
same "build: another path, mtimes, umask, time zone and storage: the same digest" \
	"$(tail -1 "$tmp/out2")" "$digest"
echo x >>"$tmp/q/run.sh"
"$PINNED" build -C "$tmp/q" >"$tmp/out2" 2>/dev/null
check "build: a one-byte change gives another digest" test "$(tail -1 "$tmp/out2")" != "$digest"

if command -v podman >/dev/null; then
	rm -rf "$tmp/pod" && cp -a "$p" "$tmp/pod" && rm -rf "$tmp/pod/build"
	PINNED_BUILDER=podman "$PINNED" build -C "$tmp/pod" >"$tmp/out2" 2>/dev/null
	same "build with podman (PINNED_BUILDER): the same digest as buildah" "$(tail -1 "$tmp/out2")" \
		"$digest"
	same "build with podman: the record names podman" \
		"$(grep -c '"name": "podman"' "$tmp/pod/lockfiles/build.lock")" 1
else
	echo "SKIP: build with podman: podman is not installed"
fi

"$PINNED" build -C "$p" --twice >"$tmp/out" 2>/dev/null
same "build --twice: the same image twice: exit 0" $? 0
same "build --twice: both digests printed, equal" "$(sort -u "$tmp/out")" "$digest"

# the build arguments the lock was made with reach the builder
a=$tmp/buildarg
project "$a" 'echo "PlanQK:Job:Result: {}"'
printf 'FROM scratch\nARG MSG=default\nCOPY ${MSG}.txt /msg.txt\n' >"$a/Dockerfile"
echo given >"$a/given.txt"
mkdir -p "$a/lockfiles"
printf '{"buildArgs": {"MSG": "given"}, "images": {}, "version": 1}\n' >"$a/lockfiles/images.lock"
"$PINNED" build -C "$a" >"$tmp/out" 2>"$tmp/err"
same "build: the lock's build arguments reach the builder (COPY \${MSG}.txt finds given.txt)" $? 0
printf '{"images": {}, "version": 1}\n' >"$a/lockfiles/images.lock"
"$PINNED" build -C "$a" >"$tmp/out" 2>"$tmp/err"
same "build: without them the default names default.txt, which is not there" \
	"$?: $(grep -q 'stat: "/default.txt": no such file' "$tmp/err" && echo said)" "2: said"
printf '{"buildArgs": {"MSG": "given"}, "images": {}, "version": 1}\n' >"$a/lockfiles/images.lock"
"$PINNED" build -C "$a" >/dev/null 2>&1
check "build: the record names the build arguments" \
	sh -c 'tr -d " \n" <"$1" | grep -q "\"build-args\":\[\"MSG=given\"\]"' - "$a/lockfiles/build.lock"

start_registry push || exit 0
"$PINNED" build -C "$p" --twice --push "$REG/service:1" >"$tmp/out" 2>"$tmp/err"
same "build --push: exit 0" $? 0
same "build --push: the registry has the digest built" \
	"$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/service:1")" "$digest"

d=$tmp/dated
project "$d" 'echo "PlanQK:Job:Result: {}"'
# the date to the second, a second apart: the two builds always differ
printf 'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox sleep 1 && /bin/busybox date >/built-at"]\n' \
	>>"$d/Dockerfile"
"$PINNED" build -C "$d" --twice >"$tmp/out" 2>/dev/null
same "build --twice: a Dockerfile writing the date: exit 1" $? 1
check "build --twice: names the file that differs, and how" \
	grep -q "^layer 1: built-at: content sha256:[0-9a-f]* (29 bytes), then sha256:[0-9a-f]* (29 bytes); line 1: '.*', then '.*'\$" "$tmp/out"

f=$tmp/failing
project "$f" 'echo "PlanQK:Job:Result: {}"'
printf 'RUN ["/bin/busybox", "false"]\n' >>"$f/Dockerfile"
"$PINNED" build -C "$f" >/dev/null 2>"$tmp/err"
status=$?
case $(tail -1 "$tmp/err") in
"pinned: buildah build exited with status 1; its last lines: "*'building at STEP "RUN /bin/busybox false": exit status 1')
	same "build: a builder failing mid-build is named, with its status and last lines" $status 2 ;;
*)	fail "build: a builder failing mid-build is named, with its status and last lines" \
		"$(tail -1 "$tmp/err")" ;;
esac

u=$tmp/unpinned
mkdir -p "$u"
printf 'FROM busybox:1\n' >"$u/Dockerfile"
expect_error "build: an image without its digest is refused before the builder starts" 2 \
	"pinned: Dockerfile:1:6: image 'busybox:1' has no digest: run pinned lock and pinned render" \
	"$PINNED" build -C "$u"
expect_error "build: no Dockerfile in the context" 2 \
	"pinned: the context has no Dockerfile: run pinned render" \
	sh -c 'rm -f "$1/Dockerfile"; exec "$0" build -C "$1"' "$PINNED" "$u"
mkdir -p "$tmp/nobuilder"
ln -sf "$(command -v git)" "$tmp/nobuilder/git"
expect_error "build: no builder installed" 2 \
	"pinned: no image builder found: install buildah (apt-get install buildah), podman, or docker with buildx and a daemon" \
	env PATH="$tmp/nobuilder" "$PINNED" build -C "$p"
expect_error "build: --builder names one that is missing" 2 \
	"pinned: builder 'podman' is not installed (or does not run)" \
	env PATH="$tmp/nobuilder" "$PINNED" build -C "$p" --builder podman

# ---- pinned run: both runtime interfaces, and each rule broken ------------------

"$PINNED" run -C "$p" >"$tmp/out" 2>"$tmp/err"
same "run: the result line: exit 0" $? 0
same "run: the result line: printed" "$(cat "$tmp/out")" '{"ok":true}'
same "run: the result line: says where it came from" "$(cat "$tmp/err")" \
	"pinned: the result, from the PlanQK:Job:Result: line"

# podman runs it where it is installed (the default), buildah where not
PINNED_BUILDER=buildah "$PINNED" run -C "$p" >"$tmp/out" 2>/dev/null
same "run with buildah (PINNED_BUILDER): the same result" "$(cat "$tmp/out")" '{"ok":true}'
if command -v podman >/dev/null; then
	"$PINNED" run -C "$p" --builder podman >"$tmp/out" 2>/dev/null
	same "run with podman: the same result" "$(cat "$tmp/out")" '{"ok":true}'
else
	echo "SKIP: run with podman: podman is not installed"
fi
expect_error "run: a builder that cannot run images is refused" 2 \
	"pinned: pinned run takes --builder buildah or podman, not 'docker'" \
	"$PINNED" run -C "$p" --builder docker

# ran SCRIPT: build and run a service whose entrypoint is SCRIPT; $tmp/out, $tmp/err
ran() {
	r=$tmp/r
	rm -rf "$r"
	project "$r" "$1"
	"$PINNED" build -C "$r" >/dev/null 2>&1 || fail "run: build the test service"
	shift
	"$PINNED" run -C "$r" "$@" >"$tmp/out" 2>"$tmp/err"
}
ran 'echo "{\"counts\": 1}" >/var/runtime/output/output.json; echo done' --json
same "run: output.json (the current platform): exit 0" $? 0
same "run: output.json: the report" "$(tr -d ' \n' <"$tmp/out")" \
	'{"exit":0,"files":[],"from":"/var/runtime/output/output.json","interim":[],"result":{"counts":1}}'
ran 'cat /var/input/data.json >/dev/null && echo PlanQK:Job:MultilineResult && echo "{\"a\":" && echo "2}" && echo PlanQK:Job:MultilineResult && echo "PlanQK:Job:InterimResult: {\"i\": 1}"' --interim
same "run: a MultilineResult block, /var/input read, interim results" "$(cat "$tmp/out" | tr '\n' ' ')" \
	'{"i":1} {"a":2} '
ran 'echo x >/var/runtime/output/plot.txt; echo "PlanQK:Job:Result: 1"' --json
check "run: other files in the output folder are listed" grep -q '"plot.txt"' "$tmp/out"

if command -v runc >/dev/null; then
	ran 'echo "PlanQK:Job:Result: \"$(ls /sys/class/net | tr "\n" " ")\""'
	same "run: no network but loopback (runc)" "$(cat "$tmp/out")" '"lo "'
	"$PINNED" run -C "$r" --network >"$tmp/out" 2>/dev/null
	check "run --network: the host's network" test "$(cat "$tmp/out")" != '"lo "'
else
	echo "SKIP: run: no network: runc is not installed"
fi

violation() {	# NAME SCRIPT MESSAGE
	ran "$2"
	same "run: $1: exit 2" $? 2
	same "run: $1: the rule is named" "$(cat "$tmp/err")" "pinned: $3"
}
violation "no result" 'echo hello' \
	"no result: the service wrote no /var/runtime/output/output.json and printed no PlanQK:Job:Result: line or PlanQK:Job:MultilineResult block"
violation "a result that is not JSON" 'echo "PlanQK:Job:Result: {oops"' \
	"stdout line 1: the PlanQK:Job:Result: line does not hold valid JSON on one line"
violation "an unclosed MultilineResult block" 'echo log; echo PlanQK:Job:MultilineResult; echo "{}"' \
	"stdout line 2: a PlanQK:Job:MultilineResult block that is never closed"
violation "a non-zero exit status" 'echo "PlanQK:Job:Result: {}"; exit 3' \
	"the service exited with status 3: a job that succeeds exits 0"
violation "output.json that is not JSON" 'echo "{" >/var/runtime/output/output.json' \
	"/var/runtime/output/output.json is not valid JSON"
violation "an interim result that is not JSON" 'echo "PlanQK:Job:InterimResult: x"; echo "PlanQK:Job:Result: {}"' \
	"stdout line 1: an interim result that is not valid JSON"

expect_error "run: input/ missing" 2 "pinned: input folder 'nowhere' is missing" \
	"$PINNED" run -C "$p" --input nowhere
echo '{"a":' >"$p/input/data.json"
expect_error "run: input that is not JSON" 2 "pinned: input/data.json:2:0: not valid JSON" \
	"$PINNED" run -C "$p"
rm "$p/input/params.json"
echo '{}' >"$p/input/data.json"
expect_error "run: params.json missing" 2 \
	"pinned: 'input/params.json' is missing: the platform always passes params.json" \
	"$PINNED" run -C "$p"
echo '{}' >"$p/input/params.json"
expect_error "run: no image built" 2 "pinned: no image in 'build/image': run pinned build" \
	"$PINNED" run -C "$u" --input "$p/input"

finish
