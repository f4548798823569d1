# mk/deps.sh: without root it names the exact apt-get line and stops.
. "$TOP/tests/e2e/lib.sh"

if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	cp "$TOP/mk/deps.sh" "$tmp/deps.sh"
	chmod 755 "$tmp" "$tmp/deps.sh"
	expect_error "deps: without root, prints the apt-get line for what is missing and stops" 1 \
		"deps: missing Debian packages; install them with:
  sudo apt-get install pinned-no-such-package" \
		setpriv --reuid=65534 --regid=65534 --clear-groups sh "$tmp/deps.sh" tar pinned-no-such-package
	same "deps: nothing missing, nothing said" "$(sh "$TOP/mk/deps.sh" tar 2>&1; echo "exit $?")" "exit 0"
else
	echo "SKIP: deps: needs root and setpriv to try it as another user"
fi

finish
