/* InRelease files: gpgv's verdict on keys and signatures the test makes with
 * gpg, dates, and the indexes checked against the release. */
#include "debian/release.h"
#include "test.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pinned-release.XXXXXX";

/* Run a shell command in the test's folder; 0 when it succeeded. */
static int sh(const char *fmt, const char *arg)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "cd %s && { ", dir);
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), fmt, arg);
	snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), "; } >/dev/null 2>&1");
	return system(cmd);
}

static char *slurp(const char *name, size_t *len)
{
	char path[256], *data;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
		free(data);
		data = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* 'got' starts with 'head' and contains 'tail'. */
static int match(const char *got, const char *head, const char *tail)
{
	return strncmp(got, head, strlen(head)) == 0 && strstr(got, tail) != NULL;
}

/* Verify file 'name' against keyring 'key' at time 'now': "" when it is
 * accepted, else the message. */
static const char *verify(const char *name, const char *key, long long now, struct deb_release *r)
{
	static char msg[512];
	struct deb_release_opts o;
	char keyring[256];
	size_t len = 0;
	char *data = slurp(name, &len);
	int rc;

	snprintf(keyring, sizeof(keyring), "%s/%s", dir, key);
	o.keyring = keyring;
	o.name = name;
	o.now = now;
	o.ignore_valid_until = 0;
	if (!data)
		return "cannot read the file";
	rc = deb_release_verify(r, data, len, &o);
	free(data);
	snprintf(msg, sizeof(msg), "%s", rc ? err_msg() : "");
	return msg;
}

#define RELEASE(date, extra)                                                           \
	"Origin: Test\nSuite: stable\nCodename: bookworm\nDate: " date "\n" extra      \
	"SHA256:\n"                                                                    \
	" 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 5 main/binary-amd64/Packages\n" \
	" e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 0 main/binary-amd64/Packages.xz\n"

int main(void)
{
	static const char gen[] =
		"export GNUPGHOME=$PWD/gpg-%s && mkdir -m 700 $GNUPGHOME && "
		"gpg --batch --passphrase '' --quick-gen-key 'pinned test' ed25519 sign 1d";
	struct deb_release r;
	long long now = deb_release_time("Tue, 24 Nov 2026 12:00:00 UTC", 29);

	if (!mkdtemp(dir) || sh("command -v gpg && command -v gpgv", "")) {
		test_skip("release: gpg and gpgv", "gpg or gpgv is not installed");
		return 0;
	}
	if (sh(gen, "a") || sh(gen, "b") ||
	    sh("GNUPGHOME=$PWD/gpg-a gpg --batch --export >a.gpg && GNUPGHOME=$PWD/gpg-b gpg --batch "
	       "--export >b.gpg%s", "")) {
		printf("FAIL: release: gpg cannot make test keys\n");
		return 1;
	}
	{
		FILE *f;
		char path[256];
		static const struct {
			const char *name, *text;
		} files[] = {
			{ "good", RELEASE("Sat, 21 Nov 2026 10:16:37 UTC", "Valid-Until: Sat, 28 Nov 2026 10:16:37 UTC\n") },
			{ "expired", RELEASE("Sat, 07 Nov 2026 10:16:37 UTC", "Valid-Until: Sat, 14 Nov 2026 10:16:37 UTC\n") },
			{ "future", RELEASE("Sat, 28 Nov 2026 10:16:37 UTC", "") },
			{ "nodate", "Suite: stable\nSHA256:\n" },
		};

		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
			if (!(f = fopen(path, "w")) || fputs(files[i].text, f) == EOF || fclose(f)) {
				printf("FAIL: release: cannot write %s\n", path);
				return 1;
			}
		}
	}
	if (sh("for f in good expired future nodate; do GNUPGHOME=$PWD/gpg-a gpg --batch --clearsign "
	       "-o $f.signed $f || exit 1; done; sed 's/Suite: stable/Suite: stabel/' good.signed "
	       ">tampered.signed%s", "")) {
		printf("FAIL: release: gpg cannot sign\n");
		return 1;
	}

	CHECK_STR(verify("good.signed", "a.gpg", now, &r), "");
	CHECK(r.meta.suite && strcmp(r.meta.suite, "stable") == 0, "suite");
	CHECK(r.meta.codename && strcmp(r.meta.codename, "bookworm") == 0, "codename");
	CHECK(r.date == now - 3 * 86400 - 6203 && r.valid_until == r.date + 7 * 86400, "dates %lld %lld",
	      r.date, r.valid_until);
	CHECK(r.signer && strlen(r.signer) == 40, "the signer's fingerprint");
	CHECK(r.nfiles == 2 && r.files[0].size == 5, "two files");
	CHECK(deb_release_check(&r, "main/binary-amd64/Packages", "hello", 5) == 0, "%s", err_msg());
	CHECK(deb_release_check(&r, "main/binary-amd64/Packages", "hellO", 5) == ERR_REFUSED, "hash");
	CHECK_STR(err_msg(), "main/binary-amd64/Packages has SHA-256 "
		  "04a6f55face2f46be8c23f627d539827615851e10751b63ec59db6d2c706b770, the release says "
		  "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
	CHECK(deb_release_check(&r, "main/binary-amd64/Packages", "hello!", 6) == ERR_REFUSED, "size");
	CHECK_STR(err_msg(), "main/binary-amd64/Packages has 6 bytes, the release says 5");
	CHECK(deb_release_check(&r, "contrib/binary-amd64/Packages", "", 0) == ERR_NOTFOUND, "unlisted");
	CHECK_STR(err_msg(), "contrib/binary-amd64/Packages is not listed in the release");
	deb_release_release(&r);
	test_end("release: a good signature, its fields, indexes checked against it");

	CHECK(match(verify("tampered.signed", "a.gpg", now, &r), "tampered.signed: the signature by key ",
		    " does not match the text: the file was changed after it was signed"),
	      "%s", verify("tampered.signed", "a.gpg", now, &r));
	CHECK(err_code() == ERR_REFUSED, "refused");
	CHECK(match(verify("good.signed", "b.gpg", now, &r), "good.signed: signed by key ",
		    ", which keyring /tmp/pinned-release."),
	      "%s", verify("good.signed", "b.gpg", now, &r));
	CHECK_STR(verify("good", "a.gpg", now, &r), "good: not a clearsigned file");
	CHECK_STR(verify("expired.signed", "a.gpg", now, &r),
		  "expired.signed: expired on 2026-11-14 10:16:37 UTC (Valid-Until): the archive state "
		  "it describes may be stale");
	CHECK_STR(verify("future.signed", "a.gpg", now, &r),
		  "future.signed: its Date is 339397 s in the future: not valid yet");
	CHECK_STR(verify("nodate.signed", "a.gpg", now, &r), "nodate.signed: no Date field");
	test_end("release: a changed text, an unknown key, no signature, expired, future, no date");

	CHECK(deb_release_time("Sat, 11 Jul 2026 10:16:37 UTC", 29) == 1783764997LL, "bookworm 12.15");
	CHECK(deb_release_time("Thu, 01 Jan 1970 00:00:00 UTC", 29) == 0, "the epoch");
	CHECK(deb_release_time("01 Jan 1970 00:01:00 GMT", 24) == 60, "no day name, GMT");
	CHECK(deb_release_time("Thu, 01 Jan 1970 00:00:00 +0100", 31) == -1, "other zones refused");
	CHECK(deb_release_time("Thu, 01 Foo 1970 00:00:00 UTC", 29) == -1, "month");
	CHECK(deb_release_time("Thu, 32 Jan 1970 00:00:00 UTC", 29) == -1, "day");
	CHECK(deb_release_time("Thu, 01 Jan 1970 24:00:00 UTC", 29) == -1, "hour");
	CHECK(deb_release_time("", 0) == -1, "empty");
	test_end("release: dates as Release files write them");

	{
		static const char bad[] = "Date: Thu, 01 Jan 1970 00:00:00 UTC\nSHA256:\n 00 1 x\n";
		static const char two[] = "Date: Thu, 01 Jan 1970 00:00:00 UTC\nSHA256:\n\nSuite: x\n";

		memset(&r, 0, sizeof(r));
		CHECK(deb_release_parse(&r, bad, sizeof(bad) - 1, "Release") == ERR_FAIL, "bad line");
		CHECK_STR(err_msg(), "Release:2: SHA256: expected 'SHA-256 SIZE PATH'");
		deb_release_release(&r);
		CHECK(deb_release_parse(&r, two, sizeof(two) - 1, "Release") == ERR_FAIL, "two");
		CHECK_STR(err_msg(), "Release:4: a second stanza");
		deb_release_release(&r);
	}
	test_end("release: what is not a Release file");

	{
		static const char bpo[] = "Suite: oldstable-backports\nCodename: bookworm-backports\n"
					  "Date: Mon, 23 Nov 2026 08:10:14 UTC\nNotAutomatic: yes\n"
					  "ButAutomaticUpgrades: yes\nSHA256:\n";
		static const char sec[] = "Suite: oldstable-security\nCodename: bookworm-security\n"
					  "Version: 12\nDate: Mon, 23 Nov 2026 08:10:14 UTC\n"
					  "ButAutomaticUpgrades: yes\nSHA256:\n";
		static const char exp[] = "Suite: experimental\nCodename: rc-buggy\n"
					  "Date: Mon, 23 Nov 2026 08:10:14 UTC\nNotAutomatic: Yes\n"
					  "SHA256:\n";
		struct deb_release s, e;

		memset(&r, 0, sizeof(r));
		memset(&s, 0, sizeof(s));
		memset(&e, 0, sizeof(e));
		CHECK(deb_release_parse(&r, bpo, sizeof(bpo) - 1, "bpo") == 0 &&
		      deb_release_parse(&s, sec, sizeof(sec) - 1, "sec") == 0 &&
		      deb_release_parse(&e, exp, sizeof(exp) - 1, "exp") == 0, "%s", err_msg());
		CHECK(deb_release_pin(&r.meta, NULL) == 100 && deb_release_pin(&s.meta, NULL) == 500 &&
		      deb_release_pin(&e.meta, NULL) == 1,
		      "NotAutomatic 1, with ButAutomaticUpgrades 100, ButAutomaticUpgrades alone 500");
		CHECK(deb_release_pin(&r.meta, "bookworm-backports") == 990 &&
		      deb_release_pin(&r.meta, "oldstable-backports") == 990 &&
		      deb_release_pin(&r.meta, "Bookworm-Backports") == 990 &&
		      deb_release_pin(&r.meta, "bookworm") == 100, "by codename or suite, any case");
		CHECK(deb_release_is(&r.meta, "*-backports") && deb_release_is(&r.meta, "/^old.*ports$/") &&
		      !deb_release_is(&r.meta, "/^stable/") && !deb_release_is(&r.meta, "[/"),
		      "globs and /regular expressions/");
		CHECK(deb_release_is(&s.meta, "12") && deb_release_is(&s.meta, "1*") &&
		      !deb_release_is(&s.meta, "1") && !deb_release_is(&s.meta, "12.1") &&
		      !deb_release_is(&r.meta, "12"), "a version: exactly, or its beginning with '*'");
		deb_release_release(&r);
		deb_release_release(&s);
		deb_release_release(&e);
	}
	test_end("release: apt's priorities: NotAutomatic, ButAutomaticUpgrades, -t by suite, "
		 "codename, version, glob or regular expression");
	sh("rm -rf %s", dir);
	return TEST_MAIN_RESULT();
}
