#!/bin/sh
# usage: mk/deps.sh PACKAGE...
# Make sure the named Debian packages are installed. As root with apt-get,
# install the missing ones and say which; otherwise print the apt-get line
# that would and fail.
missing=
for p in "$@"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null &&
		apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		{ echo "deps: apt-get install$missing failed" >&2; exit 1; }
	exit 0
fi
echo "deps: missing Debian packages; install them with:" >&2
echo "  sudo apt-get install$missing" >&2
exit 1
