# pinned lint: every rule, text and JSON, exit statuses.
. "$TOP/tests/e2e/lib.sh"

mkdir -p "$tmp/p"
cat >"$tmp/p/Dockerfile" <<'DFEND'
FROM python:latest
FROM golang AS build
ADD https://example.org/x.tar.gz /x
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.org/y /y
RUN apt-get update && apt-get install -y --no-install-recommends curl git=1:2.39.2-1.1 ca-certificates \
 && apt-get upgrade -y
RUN pip install --no-cache-dir qiskit numpy==1.26.4 -r requirements.txt
RUN curl -fsSL https://get.example.org | sh
RUN npm install -g typescript @scope/pkg@1.0.0 left-pad
RUN <<EOF
pip3 install flask
EOF
FROM build
DFEND
cat >"$tmp/want" <<'OUTEND'
Dockerfile:1:6: PIN001 unpinned-image: image 'python:latest' has no digest: run pinned lock and pinned render
Dockerfile:1:6: PIN002 latest-tag: image 'python:latest' uses the tag latest: name the version you mean
Dockerfile:2:6: PIN001 unpinned-image: image 'golang' has no digest: run pinned lock and pinned render
Dockerfile:2:6: PIN002 latest-tag: image 'golang' has no tag, so it means latest: name the version you mean
Dockerfile:3:5: PIN003 add-url-without-checksum: ADD https://example.org/x.tar.gz without --checksum takes whatever the server sends
Dockerfile:5:66: PIN004 apt-unpinned: apt install without a version: curl, ca-certificates
Dockerfile:6:13: PIN008 apt-upgrade: apt-get upgrade makes the image depend on the day it is built
Dockerfile:7:32: PIN005 pip-unpinned: pip install without a version: qiskit
Dockerfile:8:5: PIN007 pipe-to-shell: curl output piped into sh runs whatever the server sends that day
Dockerfile:9:20: PIN006 npm-unpinned: npm install without a version: typescript, left-pad
Dockerfile:10:1: PIN005 pip-unpinned: pip install without a version: flask
OUTEND
"$PINNED" lint -C "$tmp/p" >"$tmp/got"
same "lint: exit 1 when it finds something" $? 1
same_file "lint: every rule, with file:line:col, id, name and reason" "$tmp/got" "$tmp/want"
"$PINNED" lint -C "$tmp/p" --json >"$tmp/got.json"
same_file "lint --json: the findings as the golden JSON" "$tmp/got.json" "$TOP/tests/fixtures/lint.json"

D=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
mkdir -p "$tmp/clean"
cat >"$tmp/clean/Dockerfile" <<DFEND
FROM python:3.12-slim@$D AS build
RUN apt-get install -y curl=7.88.1-10+deb12u5 && pip install qiskit==1.1.0 && npm ci
ADD --checksum=$D https://example.org/x /x
FROM scratch
COPY --from=build /a /b
DFEND
check "lint: a pinned Dockerfile has no findings (exit 0)" "$PINNED" lint -C "$tmp/clean"
printf 'FROM scratch\nRUN npm install '"''"' && pip install ""\n' >"$tmp/clean/Dockerfile"
check "lint: quoted empty words name no package (found by fuzz_dockerfile)" \
	"$PINNED" lint -C "$tmp/clean"
expect_error "lint: a missing file is trouble (exit 2)" 2 \
	"pinned: cannot read 'Dockerfile': No such file or directory" "$PINNED" lint -C "$tmp"

# text that is not UTF-8 is escaped in JSON, never dropped
mkdir -p "$tmp/u8"
printf 'FROM busybox:1\nRUN pip install caf\351\n' >"$tmp/u8/Dockerfile"
"$PINNED" lint -C "$tmp/u8" --json >"$tmp/u8.json"
same "lint --json: a message that is not UTF-8 keeps its key, escaped" \
	"$(grep -c '"message": "pip install without a version: caf\\\\xe9"' "$tmp/u8.json")" 1
same "lint --json: every finding keeps its message" "$(grep -c '"message"' "$tmp/u8.json")" 2

finish

# -f FILE: the template and the lock are the ones beside FILE, never the
# working folder's (issue 9, point 7)
mkdir -p "$tmp/beside/q" "$tmp/beside/cwd"
printf 'FROM debian:12@%s\n' "$D" >"$tmp/beside/q/Dockerfile.in"
printf 'FROM debian:12@%s\nRUN edited\n' "$D" >"$tmp/beside/q/Dockerfile"
printf 'FROM debian:12@%s\nRUN edited\n' "$D" >"$tmp/beside/cwd/Dockerfile.in"
(cd "$tmp/beside/cwd" && "$PINNED" lint -f ../q/Dockerfile) >"$tmp/beside/got"
same "lint -f: exit 1 for the stale file" $? 1
printf '%s\n' "../q/Dockerfile:1:1: PIN009 stale-dockerfile: cannot render ../q/Dockerfile.in to compare: cannot read '../q/lockfiles/images.lock': no such file: run pinned lock" >"$tmp/beside/want"
same_file "lint -f: the template and lock beside the file, not the working folder's" "$tmp/beside/got" "$tmp/beside/want"

# PIN010: a variable nothing sets reads as empty, as in BuildKit
printf 'ARG V=${UNSET}x\nFROM scratch\nENV PATH=/opt:$PATH\n' >"$tmp/beside/undefined"
"$PINNED" lint -f "$tmp/beside/undefined" >"$tmp/beside/got"
same "lint: an undefined variable is a finding (exit 1), not trouble" $? 1
printf '%s\n' "$tmp/beside/undefined:1:7: PIN010 undefined-variable: variable 'UNSET' is set by no ARG or ENV before it: BuildKit reads it as empty" >"$tmp/beside/want"
same_file "lint: PIN010 names the variable and where it is used (not \$PATH, which the base image may set)" "$tmp/beside/got" "$tmp/beside/want"
