/* What drift says of locked packages against an archive as it is now: a
 * newer version apt would take (a security update when a -security suite
 * has it; backports only for an install that asks for them), a version
 * gone, bytes changed; each package of a stage once. The images' drift
 * needs a registry: tests/e2e/drift.sh. */
#include "verify/drift.h"
#include "deb_fixture.h"
#include "test.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define ZERO7 "0000000000000000000000000000000000000000000000000000000000000007"

/* The findings as "path: what (locked, upstream from)" lines. */
static const char *lines(const struct record_diffs *d)
{
	static char out[2048];

	out[0] = '\0';
	for (size_t i = 0; i < d->n; i++) {
		const struct record_diff *x = &d->v[i];

		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s: %s: %s (%s, %s%s%s)\n",
			 x->class, x->path, x->what, x->recorded ? x->recorded : "-",
			 x->now ? x->now : "-", x->from ? " from " : "", x->from ? x->from : "");
	}
	return out;
}

static struct apt_lock_package pkg(const char *name, const char *version, const char *sha256)
{
	struct apt_lock_package p = { 0 };

	p.name = (char *)name;
	p.version = (char *)version;
	p.architecture = (char *)"amd64";
	p.sha256 = (char *)(sha256 ? sha256 : ZERO7);
	return p;
}

int main(void)
{
	static char release[4096], security[1024], backports[1024];
	struct deb_index *ix = NULL;
	struct deb_release_meta meta[3] = {
		{ (char *)"stable", (char *)"bookworm", (char *)"12", 0, 0 },
		{ (char *)"stable-security", (char *)"bookworm-security", NULL, 0, 0 },
		{ (char *)"stable-backports", (char *)"bookworm-backports", NULL, 1, 1 },
	};
	struct apt_lock_source sources[3] = {
		{ (char *)"http://a", (char *)"bookworm", NULL, NULL },
		{ (char *)"http://a", (char *)"bookworm-security", NULL, NULL },
		{ (char *)"http://a", (char *)"bookworm-backports", NULL, NULL },
	};
	struct apt_lock_package first[] = {
		pkg("curl", "7.88.1-10", NULL),
		pkg("gone", "1.0", NULL),
		pkg("jq", "1.6-2.1", NULL),
		pkg("libonig5", "6.9.8-1", NULL),
		pkg("rebuilt", "1.0",
		    "1111111111111111111111111111111111111111111111111111111111111111"),
	};
	struct apt_lock_package second[] = {
		pkg("jq", "1.6-2.1", NULL),
		pkg("tool", "1.0", NULL),
	};
	struct apt_lock_install installs[2] = { { 0 }, { 0 } };
	struct apt_lock_stage st = { 0 };
	struct record_diffs d = { 0 };
	struct drift_counts n = { 0 };

	archive_stanza(release, sizeof(release), "curl", "7.88.1-10", "");
	archive_stanza(release, sizeof(release), "jq", "1.6-2.1", "");
	archive_stanza(release, sizeof(release), "libonig5", "6.9.8-1", "");
	archive_stanza(release, sizeof(release), "rebuilt", "1.0", "");
	archive_stanza(release, sizeof(release), "tool", "1.0", "");
	archive_stanza(security, sizeof(security), "jq", "1.6-2.1+deb12u1", "");
	archive_stanza(backports, sizeof(backports), "curl", "8.5.0-2~bpo12+1", "");
	archive_stanza(backports, sizeof(backports), "tool", "2.0~bpo12+1", "");
	installs[0].packages = first;
	installs[0].npackages = sizeof(first) / sizeof(first[0]);
	installs[1].packages = second;
	installs[1].npackages = sizeof(second) / sizeof(second[0]);
	installs[1].target_release = (char *)"bookworm-backports";
	st.stage = 1;
	st.architecture = (char *)"amd64";
	st.sources = sources;
	st.nsources = 3;
	st.installs = installs;
	st.ninstalls = 2;

	if (deb_index_new(&ix, "amd64") ||
	    deb_index_add_memory(ix, release, strlen(release), "release", DEB_PACKAGES, 1) ||
	    deb_index_add_memory(ix, security, strlen(security), "security", DEB_PACKAGES, 2) ||
	    deb_index_add_memory(ix, backports, strlen(backports), "backports", DEB_PACKAGES, 3)) {
		printf("FAIL: drift: the index: %s\n", err_msg());
		deb_index_free(ix);
		return 1;
	}

	{
		CHECK(drift_stage(&d, &n, &st, ix, meta) == 0, "%s", err_msg());
		CHECK_STR(lines(&d),
			  "package: 1:gone: left the archive (1.0, -)\n"
			  "package: 1:jq: security update (1.6-2.1, 1.6-2.1+deb12u1 from bookworm-security)\n"
			  "package: 1:rebuilt: changed in the archive (1111111111111111111111111111111111111111111111111111111111111111, " ZERO7 ")\n"
			  "package: 1:tool: newer version (1.0, 2.0~bpo12+1 from bookworm-backports)\n");
		CHECK(n.packages == 6, "%zu packages counted, want 6 (jq once)", n.packages);
		record_diffs_release(&d);
		test_end("drift: newer as apt would take it, security marked, gone, rebuilt; "
			 "backports only when asked for");
	}
	{
		/* nothing newer: the archive's versions are the locked ones */
		struct apt_lock_install one = installs[0];
		struct apt_lock_stage plain = st;
		struct apt_lock_package same[] = { pkg("libonig5", "6.9.8-1", NULL),
						   pkg("curl", "7.88.1-10", NULL) };

		one.packages = same;
		one.npackages = 2;
		plain.installs = &one;
		plain.ninstalls = 1;
		memset(&n, 0, sizeof(n));
		CHECK(drift_stage(&d, &n, &plain, ix, meta) == 0, "%s", err_msg());
		CHECK(d.n == 0, "%zu findings, want none:\n%s", d.n, lines(&d));
		CHECK(n.packages == 2, "%zu packages counted", n.packages);
		record_diffs_release(&d);
		test_end("drift: nothing newer, nothing said");
	}
	deb_index_free(ix);
	return TEST_MAIN_RESULT();
}
