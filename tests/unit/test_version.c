/* Debian version ordering and checking, against the rules of deb-version(7)
 * and cases restated from dpkg's and apt's own tests. */
#include "debian/version.h"
#include "test.h"
#include "util/error.h"

/* a < b for each row; each row is also checked reversed and against itself. */
static const char *const older[][2] = {
	/* epochs: numbers beating everything after them (of any length, as apt
	 * orders them; dpkg refuses an epoch past 2147483647) */
	{ "1.0", "1:0.1" },
	{ "0:99.9", "1:0" },
	{ "1:9", "2:1" },
	{ "9:1", "10:1" },
	{ "99999999999999999999:1", "100000000000000000000:1" },
	/* upstream: digit runs compare as numbers */
	{ "1.2", "1.10" },
	{ "2.4", "2.30" },
	{ "1.0", "1.0.0" },
	{ "1.0", "1.0.1" },
	{ "9", "10" },
	{ "1", "a" },
	/* '~' sorts before everything, even the end */
	{ "1.0~rc1", "1.0" },
	{ "1.0~~", "1.0~~a" },
	{ "1.0~~a", "1.0~" },
	{ "1.0~", "1.0" },
	{ "1.0~rc1", "1.0~rc2" },
	{ "1.0~beta", "1.0~rc" },
	/* letters before non-letters; the end before letters */
	{ "1.0", "1.0a" },
	{ "1.0a", "1.0+" },
	{ "1.0+-1", "1.0--1" },
	{ "1.0--1", "1.0.-1" },
	{ "1.0A", "1.0a" },
	{ "1.0z", "1.0+a" },
	/* revisions */
	{ "1.0-1", "1.0-2" },
	{ "1.0-2", "1.0-10" },
	{ "1.0-1", "1.0-1+b1" },
	{ "1.2.3-1~deb12u1", "1.2.3-1" },
	{ "7.88.1-10+deb12u5", "7.88.1-10+deb12u12" },
	{ "2.36-9+deb12u9", "2.36-9+deb12u10" },
	{ "1.0-a", "1.0-b" },
	/* the last '-' starts the revision; ':' may follow the epoch */
	{ "1.0-a-1", "1.0-a-2" },
	{ "1.0-2", "1.0-1-1" },
	{ "1:1.0:2-1", "1:1.0:3-1" },
	/* real archive neighbours */
	{ "3.11.2-6+deb12u5", "3.11.2-6+deb12u6" },
	{ "252.33-1~deb12u1", "252.36-1~deb12u1" },
	{ "1:2.38.1-5+deb12u2", "1:2.38.1-5+deb12u3" },
	{ "2.2.40-1.1", "2.2.40-1.1+deb12u1" },
	{ "0.0~git20230101", "0.1" },
	{ "4.19+dfsg-2", "4.19.1" },
};

/* Equal, though spelled differently. */
static const char *const same[][2] = {
	{ "1.0", "1.0" },
	{ "1.0", "0:1.0" },
	{ "0:1.0", "00:1.0" },
	{ "1.0", "1.0-0" },
	{ "1.0", "1.00" },
	{ "1.01", "1.1" },
	{ "1.0-0", "0:1.0-00" },
};

/* What dpkg refuses, and why. */
static const char *const refused[][2] = {
	{ "", "version string is empty" },
	{ "1.0 1", "version string has embedded spaces" },
	{ ":1.0", "epoch in version is empty" },
	{ "a:1.0", "epoch in version is not number" },
	{ "-1:1.0", "epoch in version is negative" },
	{ "2147483648:1.0", "epoch in version is too big" },
	{ "1:", "nothing after colon in version number" },
	{ "1.0-", "revision number is empty" },
	{ "-1", "version number is empty" },
	{ "a1.0", "version number does not start with digit" },
	{ "1.0_1", "invalid character in version number" },
	{ "1.0-1_2", "invalid character in revision number" },
	{ "1.0-1:2", "epoch in version is not number" },
};

static const char *const accepted[] = {
	"0", "1.0", "1:1.0", "2147483647:1", "1.0-1", "1.0~rc1-1~deb12u1", "1.0+dfsg-1+b2",
	"1:2.0:1-1", "1.0-a-b", "0001:1",
};

int main(void)
{
	for (size_t i = 0; i < sizeof(older) / sizeof(older[0]); i++) {
		const char *a = older[i][0], *b = older[i][1];

		CHECK(deb_version_cmp(a, b) < 0, "'%s' should be older than '%s'", a, b);
		CHECK(deb_version_cmp(b, a) > 0, "'%s' should be newer than '%s'", b, a);
		CHECK(deb_version_cmp(a, a) == 0 && deb_version_cmp(b, b) == 0, "'%s' '%s'", a, b);
	}
	test_end("version: older and newer, each pair both ways");

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		CHECK(deb_version_cmp(same[i][0], same[i][1]) == 0 &&
			      deb_version_cmp(same[i][1], same[i][0]) == 0,
		      "'%s' should equal '%s'", same[i][0], same[i][1]);
	test_end("version: equal spellings (zero epoch, zero revision, leading zeros)");

	CHECK(deb_version_ncmp("1.0-1xyz", 5, "1.0-1", 5) == 0, "lengths bound the strings");
	CHECK(deb_version_ncmp("1.0-10", 5, "1.0-2", 5) < 0, "1.0-1 < 1.0-2");
	test_end("version: compare counted strings");

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		CHECK(deb_version_check(refused[i][0]) == ERR_FAIL, "'%s' accepted", refused[i][0]);
		CHECK_STR(err_msg(), refused[i][1]);
	}
	for (size_t i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++)
		CHECK(deb_version_check(accepted[i]) == 0, "'%s': %s", accepted[i], err_msg());
	test_end("version: what dpkg accepts and refuses, with its reasons");
	return TEST_MAIN_RESULT();
}
