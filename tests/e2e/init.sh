# pinned init: a new service from nothing, and each PlanQK template shape
# (python, go, node, cuda) adopted; each gives a project whose Makefile
# includes pinned.mk, whose make lock and pinned render work against a
# loopback registry standing in for Docker Hub, and whose pinned lint works.
# Nothing that exists is overwritten without --force.
. "$TOP/tests/e2e/lib.sh"

start_registry init || exit 0
build_image one:1 one || fail "build busybox:1"
for image in library/python:latest library/golang:latest library/node:lts \
	nvidia/cuda:12.2.0-runtime-ubuntu22.04 library/python:3.12-slim; do
	push one:1 "$REG/$image" || fail "push $image"
done
mk="make -s PINNED=$PINNED REGISTRY_MIRROR=$REG"

# a new service
n=$tmp/new/service
"$PINNED" init "$n" >"$tmp/out" 2>"$tmp/err"
same "init: a new service in a folder made for it" "$?: $(find "$n" -type f | sed "s|^$n/||" | sort | paste -sd' ')" \
	"0: .dockerignore Dockerfile.in Makefile input/data.json input/params.json openapi-spec.yml requirements.txt src/__init__.py src/__main__.py"
same "init: the Makefile includes pinned.mk" "$(sed -n 's/^include //p' "$n/Makefile")" \
	"$(cd "$TOP/mk" && pwd -P)/pinned.mk"
check "init: says what is next" grep -q '^next: make image' "$tmp/out"
"$PINNED" lint -C "$n" >/dev/null 2>"$tmp/err"
same "init: the new service's template lints: only its image to pin" "$?: $(cat "$tmp/err")" "1: "
$mk -C "$n" lock >/dev/null 2>&1 && "$PINNED" render -C "$n" >/dev/null 2>&1
check "init: make lock and render work on the new service" grep -q '^FROM python:3.12-slim@sha256:' "$n/Dockerfile"
"$PINNED" lint -C "$n" >"$tmp/out"
same "init: the new service's Dockerfile lints clean" "$?: $(cat "$tmp/out")" "0: "
same "init: the context is the service's files" "$("$PINNED" context -C "$n" --list | paste -sd' ')" \
	".dockerignore Dockerfile requirements.txt src/ src/__init__.py src/__main__.py"
cp -a "$n" "$tmp/before"
"$PINNED" init "$n" >"$tmp/out"
same "init: a second time, it adopts and keeps everything" "$?: $(sed '$d' "$tmp/out" | paste -sd' ')" \
	"0: .dockerignore: kept as it was Makefile: kept as it was (add the include of pinned.mk)"
check "init: every file as it was" diff -r "$tmp/before" "$n"
mkdir -p "$tmp/stray/src"
echo mine >"$tmp/stray/src/__main__.py"
expect_error "init: a new service never over a file that is there" 2 \
	"pinned: src/__main__.py exists: pinned init starts a new service where there is none, or adopts a project with a Dockerfile (--force overwrites)" \
	"$PINNED" init "$tmp/stray"
same "init: and writes nothing" "$(find "$tmp/stray" -type f | wc -l): $(cat "$tmp/stray/src/__main__.py")" "1: mine"
"$PINNED" init --force "$tmp/stray" >/dev/null
check "init --force: writes over it" grep -q PlanQK "$tmp/stray/src/__main__.py"

# each PlanQK template shape, adopted with what a working folder holds
for t in python golang node cuda; do
	p=$tmp/planqk/$t
	mkdir -p "$p/src/__pycache__" "$p/.git" "$p/.vscode"
	cp "$TOP/tests/fixtures/planqk/$t/Dockerfile.in" "$p/Dockerfile"
	cp "$p/Dockerfile" "$tmp/$t.original"
	: >"$p/.env"
	: >"$p/src/main.py"
	: >"$p/src/__pycache__/main.cpython-312.pyc"
	: >"$p/src/old.pyc"
	printf 'all:\n\t@echo mine\n' >"$p/Makefile"
	"$PINNED" init "$p" >"$tmp/out" 2>"$tmp/err"
	same "init: $t: adopted" "$?: $(cat "$tmp/err")" "0: "
	check "init: $t: Dockerfile is now Dockerfile.in" \
		sh -c "cmp -s '$tmp/$t.original' '$p/Dockerfile.in' && ! test -e '$p/Dockerfile'"
	same "init: $t: a .dockerignore proposed from what the tree holds" \
		"$(grep -v '^#' "$p/.dockerignore" | paste -sd' ')" \
		"**/.git **/.vscode **/__pycache__ **/*.pyc **/.env build"
	same "init: $t: an existing Makefile is kept" "$(cat "$p/Makefile")" "$(printf 'all:\n\t@echo mine')"
	check "init: $t: and said so" grep -q '^Makefile: kept as it was (add the include of pinned.mk)$' "$tmp/out"
	"$PINNED" init --force "$p" >/dev/null 2>&1
	check "init --force: $t: the Makefile replaced by one including pinned.mk" \
		grep -q '^include .*/pinned.mk$' "$p/Makefile"
	$mk -C "$p" lock >/dev/null 2>"$tmp/err" && "$PINNED" render -C "$p" >/dev/null 2>>"$tmp/err"
	# (the stand-in for cuda is no Debian: its apt installs are not locked, with a warning)
	same "init: $t: make lock and pinned render work" "$?: $(grep -v 'warning: the apt installs on nvidia' "$tmp/err")" "0: "
	same "init: $t: make image locks (done), renders and builds" \
		"$($mk -n -C "$p" image | sed "s|^$PINNED|pinned|; s/ *$//" | paste -sd';')" \
		"pinned render;pinned build --registry-mirror $REG"
	"$PINNED" lint -C "$p" >/dev/null 2>"$tmp/err"
	status=$?
	same "init: $t: pinned lint works (exit 0 or 1)" "$((status < 2)): $(cat "$tmp/err")" "1: "
	same "init: $t: the context leaves out what the proposal names" \
		"$("$PINNED" context -C "$p" --list | grep -c -E '(^|/)(\.git|\.vscode|__pycache__|\.env)(/|$)')" 0
done
finish
