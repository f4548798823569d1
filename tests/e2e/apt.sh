# The resolver against apt itself: for each package set, on Debian
# bookworm's real main index (fetched from the mirror apt uses here, checked
# against its signed InRelease, cached in build/cache/bookworm-index) and the
# dpkg status of a bookworm minbase system (build/cache/bookworm-minbase.tar),
# the packages pinned's resolver installs equal the "Inst" lines of
# 'apt-get install --simulate', apt pointed at a private root. Sets that
# apt refuses must be refused too. With bookworm-backports beside (cached
# in build/cache/bookworm-backports-index), apt's priorities are held too:
# NotAutomatic with ButAutomaticUpgrades, and -t RELEASE.
. "$TOP/tests/e2e/lib.sh"

plan=$BUILD/tests/aptplan
skip() { echo "SKIP: apt: $1"; finish; exit 0; }
command -v apt-get >/dev/null || skip "apt-get is not installed"
index=$TOP/build/cache/bookworm-index
"$TOP/mk/bookworm-index.sh" "$index" 2>"$tmp/index.err" ||
	skip "no bookworm index: $(tail -1 "$tmp/index.err")"
"$TOP/mk/bookworm-base.sh" "$TOP/build/cache/bookworm-minbase.tar" 2>"$tmp/base.err" ||
	skip "no bookworm base: $(tail -1 "$tmp/base.err")"

# apt's private root: the index as a list file, the base's status
root=$tmp/root
mkdir -p "$root/etc/apt/apt.conf.d" "$root/etc/apt/preferences.d" "$root/var/lib/apt/lists/partial" \
	"$root/var/cache/apt/archives/partial" "$root/var/lib/dpkg" "$root/var/log/apt"
tar -xOf "$TOP/build/cache/bookworm-minbase.tar" ./var/lib/dpkg/status >"$root/var/lib/dpkg/status"
lists=$root/var/lib/apt/lists/mirror.invalid_debian_dists
echo "deb [trusted=yes] http://mirror.invalid/debian bookworm main" >"$root/etc/apt/sources.list"
xz -dc "$index/main-amd64-Packages.xz" >"${lists}_bookworm_main_binary-amd64_Packages"
cp "$index/InRelease" "${lists}_bookworm_InRelease"
cat >"$tmp/apt.conf" <<CONF
Dir "$root/";
Dir::State::status "$root/var/lib/dpkg/status";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Debug::NoLocking "true";
CONF
# the same with bookworm-backports beside, when the mirror has it
bpo=$TOP/build/cache/bookworm-backports-index
if "$TOP/mk/bookworm-index.sh" "$bpo" bookworm-backports 2>"$tmp/bpo.err"; then
	{ cat "$root/etc/apt/sources.list"
	  echo "deb [trusted=yes] http://mirror.invalid/debian bookworm-backports main"; } >"$root/etc/apt/bpo.list"
	xz -dc "$bpo/main-amd64-Packages.xz" >"${lists}_bookworm-backports_main_binary-amd64_Packages"
	cp "$bpo/InRelease" "${lists}_bookworm-backports_InRelease"
	{ cat "$tmp/apt.conf"; echo "Dir::Etc::sourcelist \"$root/etc/apt/bpo.list\";"; } >"$tmp/apt-bpo.conf"
else
	bpo=
fi

# compare NAME [--recommends] [--bpo] [-t RELEASE] PACKAGE...: the same
# packages and versions (--bpo: with bookworm-backports beside)
compare() {
	name=$1; shift
	aptrec=--no-install-recommends ourrec= conf=$tmp/apt.conf target=
	indexes="$index/main-amd64-Packages.xz,$index/Release"
	while :; do
		case $1 in
		--recommends) aptrec= ourrec=--recommends; shift ;;
		--bpo)
			[ -n "$bpo" ] || { echo "SKIP: apt: $name: no bookworm-backports: $(tail -1 "$tmp/bpo.err")"; return; }
			conf=$tmp/apt-bpo.conf indexes="$indexes $bpo/main-amd64-Packages.xz,$bpo/Release"; shift ;;
		-t) target="-t $2"; shift 2 ;;
		*) break ;;
		esac
	done
	APT_CONFIG=$conf apt-get -s -q install $target $aptrec "$@" >"$tmp/apt.out" 2>"$tmp/apt.err"
	apt_status=$?
	sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\{0,1\}(\([^ ]*\) .*/\1 \3/p' "$tmp/apt.out" |
		sort >"$tmp/apt.set"
	"$plan" $ourrec $target amd64 "$root/var/lib/dpkg/status" $indexes -- "$@" \
		>"$tmp/ours" 2>"$tmp/ours.err"
	our_status=$?
	sort "$tmp/ours" >"$tmp/ours.set"
	if [ $apt_status -ne 0 ] || [ $our_status -ne 0 ]; then
		if [ $apt_status -ne 0 ] && [ $our_status -eq 2 ]; then
			pass "apt: $name: refused by both (apt: $(grep '^E:' "$tmp/apt.err" | tail -1))"
		else
			fail "apt: $name" "apt exit $apt_status ($(tail -1 "$tmp/apt.err")), pinned exit $our_status ($(cat "$tmp/ours.err"))"
		fi
	elif cmp -s "$tmp/apt.set" "$tmp/ours.set"; then
		pass "apt: $name: the same $(wc -l <"$tmp/apt.set") packages as apt-get"
	else
		fail "apt: $name" "not what apt-get installs (< apt, > pinned):"
		diff "$tmp/apt.set" "$tmp/ours.set" | sed -n '2,12s/^/    /p'
	fi
}

compare "the sample's set" build-essential python3 libjansson-dev ca-certificates
compare "python3" python3
compare "a compiler toolchain" build-essential
compare "gcc, g++ and make" gcc g++ make
compare "curl with certificates" curl ca-certificates
compare "git" git
compare "a development library" libjansson-dev
compare "libssl-dev and pkg-config" libssl-dev pkg-config
compare "openssh-client" openssh-client
compare "vim (exact-version dependencies)" vim
compare "postgresql-client" postgresql-client
compare "java, headless" default-jre-headless
compare "python3-pip (Architecture: all, Multi-Arch: foreign)" python3-pip
compare "python3-numpy (python3:any, libblas3 | libblas.so.3)" python3-numpy
compare "python3-venv" python3-venv
compare "apache2 (perl:any, exact versions)" apache2
compare "iproute2 and iputils-ping" iproute2 iputils-ping
compare "sudo" sudo
compare "gnupg" gnupg
compare "perl (perl-base already in the base)" perl
compare "R (alternatives with virtual packages)" r-base-core
compare "nodejs" nodejs
compare "golang-go" golang-go
compare "cargo" cargo
compare "texinfo" texinfo
compare "default-libmysqlclient-dev" default-libmysqlclient-dev
compare "already in the base" libc6 bash coreutils
compare "a version asked for" python3=3.11.2-1+b1
compare "with recommends: git" --recommends git
compare "with recommends: python3-pip" --recommends python3-pip
compare "with recommends: R (x-terminal-emulator providers tie)" --recommends r-base-core
compare "a conflict: two mail transport agents" exim4-daemon-light postfix
compare "a virtual package with many providers" mail-transport-agent
compare "an unknown package" no-such-package-here
compare "-t bookworm: the release itself as target" -t bookworm python3
compare "-t a release the sources do not have" -t bookworm-backports curl
compare "backports beside (priority 100): curl stays bookworm's" --bpo curl
compare "a package only backports has" --bpo 7zip-standalone
compare "-t bookworm-backports: curl and its libraries from backports" --bpo -t bookworm-backports curl
compare "-t bookworm-backports: cmake" --bpo -t bookworm-backports cmake
compare "-t bookworm-backports: golang-go" --bpo -t bookworm-backports golang-go
compare "-t by suite: oldstable-backports" --bpo -t oldstable-backports openssh-client
compare "-t by glob: '*-backports'" --bpo -t '*-backports' tmux systemd
compare "-t backports: installed binaries of the same source upgraded along" --bpo -t bookworm-backports libudev-dev
compare "-t backports, with recommends" --bpo --recommends -t bookworm-backports curl
finish
