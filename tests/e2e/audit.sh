# pinned audit: an image made with umoci that carries one of each thing
# audit looks for (and their harmless look-alikes), finding by finding, in
# text and JSON; then an image built from an unpinned Dockerfile that runs
# apt-get install without cleaning and compiles Python without
# SOURCE_DATE_EPOCH, on a Debian base from debootstrap (cached in
# build/cache). The sample's own image is audited clean in image.sh.
. "$TOP/tests/e2e/lib.sh"

for c in umoci buildah; do
	if ! command -v $c >/dev/null; then
		echo "SKIP: audit: $c is not installed"
		finish
		exit 0
	fi
done

run() { "$PINNED" audit "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/status"; }
lines() { sed '$d' "$tmp/out"; }

# ---- one of each, by umoci ------------------------------------------------------

L=$tmp/layout
umoci init --layout "$L" && umoci new --image "$L:x" && umoci unpack --image "$L:x" "$tmp/b" >/dev/null ||
	fail "audit: make an image with umoci"
r=$tmp/b/rootfs
mkdir -p "$r/var/log/apt" "$r/var/cache/ldconfig" "$r/var/lib/apt/lists/partial" "$r/app" \
	"$r/root/.ssh"
echo log >"$r/var/log/dpkg.log"
echo log >"$r/var/log/apt/history.log"
echo cache >"$r/var/cache/ldconfig/aux-cache"
echo list >"$r/var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages"
: >"$r/var/lib/apt/lists/lock"
# Python 3.11 bytecode: the magic, then flags 0 (a timestamp) or 1 (a hash)
printf '\247\015\015\012\000\000\000\000\000\000\000\000\000\000\000\000' >"$r/app/m.cpython-311.pyc"
printf '\247\015\015\012\001\000\000\000\000\000\000\000\000\000\000\000' >"$r/app/h.cpython-311.pyc"
echo 'TOKEN=x' >"$r/app/.env"
echo key >"$r/root/.ssh/id_rsa"
echo pub >"$r/root/.ssh/id_rsa.pub"
printf -- '-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----\n' >"$r/app/tls.pem"
printf -- '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n' >"$r/app/ca.pem"
echo late >"$r/app/late.txt"
find "$r" -exec touch -h -d @1600000000 {} +
touch -d @1800000000 "$r/app/late.txt"
umoci repack --refresh-bundle --image "$L:x" --history.created_by 'RUN setup' "$tmp/b" 2>/dev/null
# two layers of files owned by user 1000: one from a step that sets owners
mkdir -p "$r/srv" && echo mine >"$r/srv/mine" && chown 1000:1000 "$r/srv/mine"
touch -h -d @1600000000 "$r" "$r/srv" "$r/srv/mine"
umoci repack --refresh-bundle --image "$L:x" --history.created_by 'COPY src/ /srv/ # buildkit' "$tmp/b" 2>/dev/null
mkdir -p "$r/home" && echo own >"$r/home/own" && chown 1000:1000 "$r/home/own"
touch -h -d @1600000000 "$r" "$r/home" "$r/home/own"
umoci repack --refresh-bundle --image "$L:x" --history.created_by 'COPY --chown=1000 home/ /home/' "$tmp/b" 2>/dev/null

run --epoch 1700000000 "oci:$L:x"
same "audit: exit 1" "$(cat "$tmp/status")" 1
same "audit: each finding, layer by layer, and no look-alike" "$(lines)" \
	"layer 1: app/.env: secret
layer 1: app/m.cpython-311.pyc: timestamped pyc: compiled with its source's time, not a hash (SOURCE_DATE_EPOCH unset)
layer 1: app/tls.pem: secret
layer 1: root/.ssh/id_rsa: secret
layer 1: var/cache/ldconfig/aux-cache: ldconfig cache
layer 1: var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages: apt lists
layer 1: var/log/apt/history.log: apt log
layer 1: var/log/dpkg.log: dpkg log
layer 1: app/late.txt: time after the epoch: 1 entry after SOURCE_DATE_EPOCH 1700000000 (latest 1800000000)
layer 2: srv/mine: non-root owner: 1 file (this one 1000:1000) that no step of this layer gave an owner"
same "audit: the summary counts findings and what was read" \
	"$(tail -1 "$tmp/out" | sed 's/: [0-9]* entries/: N entries/')" \
	"10 findings in oci:$L:x: N entries in 3 layers read"
run --json --epoch 1700000000 "oci:$L:x"
same "audit --json: the same findings as data" \
	"$(tr -d '\n' <"$tmp/out" | sed 's/  */ /g' | grep -o '"what": "[a-z -]*"' | sort | uniq -c | tr -s ' ' | tr '\n' ';')" \
	' 1 "what": "apt lists"; 1 "what": "apt log"; 1 "what": "dpkg log"; 1 "what": "ldconfig cache"; 1 "what": "non-root owner"; 3 "what": "secret"; 1 "what": "time after the epoch"; 1 "what": "timestamped pyc";'
run "oci:$L:x"
same "audit: without an epoch, times are not checked, and it says so" \
	"$(cat "$tmp/status"): $(grep -c 'time after' "$tmp/out"): $(tail -1 "$tmp/out" | sed 's/.*; //')" \
	"1: 0: file times not checked (no --epoch, SOURCE_DATE_EPOCH or record of this image)"
run --epoch soon "oci:$L:x"
same "audit: a bad --epoch is a usage error" "$(cat "$tmp/status"): $(head -1 "$tmp/err")" \
	"2: pinned: --epoch takes seconds since 1970, not 'soon'"
run --epoch 99999999999999 "oci:$L:x"
same "audit: an --epoch past what the context takes (2242) is a usage error" \
	"$(cat "$tmp/status"): $(head -1 "$tmp/err")" \
	"2: pinned: --epoch takes seconds since 1970, not '99999999999999'"
run "oci:$tmp/nothing"
same "audit: no image is trouble, one line" "$(cat "$tmp/status"): $(wc -l <"$tmp/err")" "2: 1"

# ---- a real unpinned build -------------------------------------------------------

cache=$TOP/build/cache/bookworm-minbase.tar
if ! command -v debootstrap >/dev/null || ! "$TOP/mk/bookworm-base.sh" "$cache" 2>"$tmp/base.err"; then
	echo "SKIP: audit: an unpinned build: no Debian base: $(tail -1 "$tmp/base.err" 2>/dev/null)"
	finish
	exit 0
fi
ctr=$(buildah_ from scratch)
buildah_ add "$ctr" "$cache" / >/dev/null
buildah_ config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
buildah_ commit -q --timestamp 0 --identity-label=false "$ctr" debian-base >/dev/null
mkdir -p "$tmp/unpinned"
cat >"$tmp/unpinned/Dockerfile" <<'EOF'
FROM localhost/debian-base
RUN apt-get update && apt-get install -y --no-install-recommends python3-minimal
RUN mkdir /app && echo 'print(1)' >/app/main.py && python3 -m py_compile /app/main.py
EOF
before=$(date +%s)
if ! buildah_ bud -q --layers=false -t unpinned "$tmp/unpinned" >"$tmp/bud.out" 2>&1 ||
	! buildah_ push -q unpinned "oci:$tmp/unpinned-image" >/dev/null 2>&1; then
	fail "audit: build the unpinned image" "$(tail -3 "$tmp/bud.out")"
	finish
	exit 0
fi
run --epoch "$before" "oci:$tmp/unpinned-image"
same "audit: an unpinned build: exit 1" "$(cat "$tmp/status")" 1
for what in "dpkg log" "apt log" "ldconfig cache" "apt lists" "timestamped pyc" "time after the epoch"; do
	check "audit: an unpinned build: $what" grep -q "^layer [0-9]*: [^:]*: $what" "$tmp/out"
done
check "audit: an unpinned build: the service's own bytecode is timestamped" \
	grep -q '^layer [0-9]*: app/__pycache__/main.cpython-311.pyc: timestamped pyc' "$tmp/out"
finish
