/* What apt-get install would install: alternatives, providers, versions,
 * conflicts, what the system has. The same resolver is held against apt
 * itself on Debian's real index by tests/e2e/apt.sh. */
#include "debian/resolve.h"
#include "deb_fixture.h"
#include "test.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static struct deb_index *ix;
static const int *pins;		/* apt's priority by origin, for plan() */
static size_t npins;

/* The plan for 'names' (space-separated, NAME or NAME=VERSION) as
 * "name version" words, '*' after the requested; or "error: MESSAGE". */
static const char *plan(const char *names, int recommends)
{
	static char out[1024];
	struct deb_resolve_opts opts = { recommends, NULL, 0, pins, npins };
	struct deb_request req[16];
	struct deb_plan p;
	char buf[256], *save = NULL, *w;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", names);
	for (w = strtok_r(buf, " ", &save); w && n < 16; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		req[n].name = w;
		req[n].version = NULL;
		if (eq) {
			*eq = '\0';
			req[n].version = eq + 1;
		}
		n++;
	}
	out[0] = '\0';
	if (deb_resolve(&p, ix, req, n, &opts)) {
		snprintf(out, sizeof(out), "error: %s", err_msg());
		return out;
	}
	for (size_t i = 0; i < p.n; i++) {
		const struct deb_pkg *k = &ix->pkg[p.v[i].pkg];

		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s %s%s%s", i ? ", " : "",
			 deb_pkg_name(ix, k), deb_str(ix, k->version), p.v[i].requested ? "*" : "",
			 p.v[i].replaces ? " (upgrade)" : "");
	}
	deb_plan_release(&p);
	return out;
}

int main(void)
{
	static char text[16384], status[4096];

	archive_stanza(text, sizeof(text), "app", "1.0",
		       "Depends: libc6 (>= 2.30), liba | libb, virt, data (>= 2)\nRecommends: extra\n");
	archive_stanza(text, sizeof(text), "libc6", "2.36-9", "Priority: required\n");
	archive_stanza(text, sizeof(text), "liba", "1.0", "Priority: optional\n");
	archive_stanza(text, sizeof(text), "libb", "1.0", "Priority: optional\n");
	archive_stanza(text, sizeof(text), "prov-x", "1.0", "Priority: optional\nProvides: virt\n");
	archive_stanza(text, sizeof(text), "prov-y", "1.0", "Priority: important\nProvides: virt\n");
	archive_stanza(text, sizeof(text), "data", "1", "Architecture: all\n");
	archive_stanza(text, sizeof(text), "data", "2", "Architecture: all\n");
	archive_stanza(text, sizeof(text), "extra", "1.0", "");
	archive_stanza(text, sizeof(text), "vneed", "1.0", "Depends: api (>= 2)\n");
	archive_stanza(text, sizeof(text), "p-old", "1.0", "Provides: api (= 1)\n");
	archive_stanza(text, sizeof(text), "p-new", "1.0", "Provides: api (= 2)\n");
	archive_stanza(text, sizeof(text), "p-any", "1.0", "Provides: api\n");
	archive_stanza(text, sizeof(text), "anyuser", "1.0", "Depends: tool:any\n");
	archive_stanza(text, sizeof(text), "tool", "1.0", "Multi-Arch: allowed\n");
	archive_stanza(text, sizeof(text), "anybad", "1.0", "Depends: plainlib:any\n");
	archive_stanza(text, sizeof(text), "plainlib", "1.0", "");
	archive_stanza(text, sizeof(text), "c1", "1.0", "Conflicts: c2\n");
	archive_stanza(text, sizeof(text), "c2", "1.0", "");
	archive_stanza(text, sizeof(text), "newpkg", "1.0", "Breaks: oldlib (<< 2)\n");
	archive_stanza(text, sizeof(text), "oldlib", "2", "");
	archive_stanza(text, sizeof(text), "mta1", "1.0", "Provides: mta\nConflicts: mta\n");
	archive_stanza(text, sizeof(text), "app2", "1.0", "Depends: liba | instd\n");
	archive_stanza(text, sizeof(text), "instd", "1.0", "");
	archive_stanza(text, sizeof(text), "needsnew", "1.0", "Depends: instd (>= 2)\n");
	archive_stanza(text, sizeof(text), "broken", "1.0", "Depends: nowhere\n");
	archive_stanza(text, sizeof(text), "usesbroken", "1.0", "Depends: broken | libb\n");
	archive_stanza(text, sizeof(text), "onlyvirt", "1.0", "Provides: lonely\n");
	archive_stanza(text, sizeof(text), "cyc-a", "1.0", "Depends: cyc-b\n");
	archive_stanza(text, sizeof(text), "cyc-b", "1.0", "Pre-Depends: cyc-a\n");
	status_stanza(status, sizeof(status), "libc6", "2.36-9", "");
	status_stanza(status, sizeof(status), "oldlib", "1", "");
	status_stanza(status, sizeof(status), "instd", "1.0", "");

	if (deb_index_new(&ix, "amd64") ||
	    deb_index_add_memory(ix, text, strlen(text), "Packages", DEB_PACKAGES, 1) ||
	    deb_index_add_memory(ix, status, strlen(status), "status", DEB_STATUS, 0)) {
		printf("FAIL: resolve: the index: %s\n", err_msg());
		deb_index_free(ix);
		return 1;
	}

	CHECK_STR(plan("app", 0), "app 1.0*, data 2, liba 1.0, prov-y 1.0");
	CHECK_STR(plan("app", 1), "app 1.0*, data 2, extra 1.0, liba 1.0, prov-y 1.0");
	test_end("resolve: the closure: first alternative, the more important provider, "
		 "the newest version, recommends when asked");

	CHECK_STR(plan("libb app", 0), "app 1.0*, data 2, libb 1.0*, prov-y 1.0");
	test_end("resolve: a request satisfies an alternative of another");

	CHECK_STR(plan("vneed", 0), "p-new 1.0, vneed 1.0*");
	CHECK_STR(plan("anyuser", 0), "anyuser 1.0*, tool 1.0");
	CHECK(strstr(plan("anybad", 0), "error: cannot install anybad 1.0: anybad 1.0 depends on plainlib") != NULL,
	      "%s", plan("anybad", 0));
	test_end("resolve: versioned provides and ':any' (Multi-Arch: allowed only)");

	CHECK_STR(plan("app2", 0), "app2 1.0*");
	CHECK_STR(plan("libc6", 0), "");
	CHECK_STR(plan("needsnew", 0),
		  "error: cannot install needsnew 1.0: needsnew 1.0 depends on instd (>= 2), which no version in the archive satisfies");
	CHECK_STR(plan("newpkg", 0), "newpkg 1.0*, oldlib 2 (upgrade)");
	test_end("resolve: what the system has: kept when it satisfies, upgraded when broken");

	CHECK_STR(plan("data=1", 0), "data 1*");
	CHECK_STR(plan("lonely", 0), "onlyvirt 1.0*");
	CHECK_STR(plan("mta1", 0), "mta1 1.0*");
	CHECK_STR(plan("cyc-a", 0), "cyc-a 1.0*, cyc-b 1.0");
	CHECK_STR(plan("usesbroken", 0), "libb 1.0, usesbroken 1.0*");
	test_end("resolve: a version asked for, a name one package provides, self-conflicts, cycles, "
		 "an alternative that cannot be installed");

	{
		/* an earlier install put libb there: the alternative is satisfied */
		struct deb_resolve_opts o = { 0, NULL, 0, NULL, 0 };
		struct deb_request r = { "app2", NULL };
		struct deb_plan p;
		uint32_t libb = 0;

		for (uint32_t i = 0; i < ix->npkg; i++)
			if (!strcmp(deb_pkg_name(ix, &ix->pkg[i]), "libb"))
				libb = i;
		o.installed = &libb;
		o.ninstalled = 1;
		r.name = "usesbroken";
		CHECK(deb_resolve(&p, ix, &r, 1, &o) == 0 && p.n == 1, "%s", err_msg());
		deb_plan_release(&p);
	}
	test_end("resolve: what earlier installs put there counts as installed");

	CHECK_STR(plan("nosuch", 0), "error: package 'nosuch' is not in the archive");
	CHECK(err_code() == ERR_NOTFOUND, "not found");
	CHECK_STR(plan("data=3", 0), "error: version '3' of package 'data' is not in the archive");
	CHECK_STR(plan("api", 0),
		  "error: package 'api' is a virtual package provided by 3 packages: name one of them");
	CHECK_STR(plan("c1 c2", 0),
		  "error: cannot install c1 1.0: c1 1.0 conflicts with c2, and c2 1.0 is to be there too");
	CHECK_STR(plan("broken", 0),
		  "error: cannot install broken 1.0: broken 1.0 depends on nowhere, which no version in the archive satisfies");
	test_end("resolve: refusals name the packages and relations");

	deb_index_free(ix);

	{
		/* origin 1: the release (500); 2: backports (NotAutomatic with
		 * ButAutomaticUpgrades: 100, or 990 for -t); 3: experimental
		 * (NotAutomatic: 1) */
		static char rel[4096], bpo[4096], exp[4096], st[1024];
		static const int plain[] = { 500, 100, 1 }, target[] = { 500, 990, 1 };

		archive_stanza(rel, sizeof(rel), "tool", "1.0", "");
		archive_stanza(rel, sizeof(rel), "lib", "1.0", "");
		archive_stanza(rel, sizeof(rel), "kept", "2.0", "");
		archive_stanza(rel, sizeof(rel), "both", "1.0", "");
		archive_stanza(bpo, sizeof(bpo), "tool", "2.0~bpo12+1", "Depends: lib (>= 2)\n");
		archive_stanza(bpo, sizeof(bpo), "lib", "2.0~bpo12+1", "");
		archive_stanza(bpo, sizeof(bpo), "only-bpo", "1.0~bpo12+1", "");
		archive_stanza(bpo, sizeof(bpo), "kept", "1.5~bpo12+1", "");
		archive_stanza(bpo, sizeof(bpo), "both", "1.0", "");
		archive_stanza(exp, sizeof(exp), "tool", "3.0", "");
		archive_stanza(exp, sizeof(exp), "only-exp", "1.0", "");
		status_stanza(st, sizeof(st), "kept", "2.0", "");
		CHECK(deb_index_new(&ix, "amd64") == 0 &&
		      deb_index_add_memory(ix, rel, strlen(rel), "rel", DEB_PACKAGES, 1) == 0 &&
		      deb_index_add_memory(ix, bpo, strlen(bpo), "bpo", DEB_PACKAGES, 2) == 0 &&
		      deb_index_add_memory(ix, exp, strlen(exp), "exp", DEB_PACKAGES, 3) == 0 &&
		      deb_index_add_memory(ix, st, strlen(st), "status", DEB_STATUS, 0) == 0,
		      "%s", err_msg());
		CHECK(deb_index_add_memory(ix, st, strlen(st), "status", DEB_STATUS, 33) != 0,
		      "origin 33 refused");
		{
			long both = deb_index_find(ix, "both");
			uint32_t v = both < 0 ? 0 : ix->name[both].pkgs;

			CHECK(v && ix->pkg[v - 1].origins == 3u && !ix->pkg[v - 1].next,
			      "one version listed by origins 1 and 2: kept once with both");
		}
		pins = plain;
		npins = 3;
		CHECK_STR(plan("tool", 0), "tool 1.0*");
		CHECK_STR(plan("only-bpo only-exp", 0), "only-bpo 1.0~bpo12+1*, only-exp 1.0*");
		pins = target;
		CHECK_STR(plan("tool", 0), "lib 2.0~bpo12+1, tool 2.0~bpo12+1*");
		CHECK_STR(plan("kept", 0), "");
		CHECK_STR(plan("tool=3.0", 0), "tool 3.0*");
		pins = NULL;
		npins = 0;
		CHECK_STR(plan("tool", 0), "tool 3.0*");
		{
			/* the candidates alone, as pinned drift asks for them */
			struct deb_resolve_opts ro = { 0, NULL, 0, plain, 3 };
			uint32_t names[3] = { (uint32_t)deb_index_find(ix, "tool"),
					      (uint32_t)deb_index_find(ix, "kept"), UINT32_MAX };
			uint32_t cand[3];

			CHECK(deb_candidates(cand, ix, names, 3, &ro) == 0, "%s", err_msg());
			CHECK(cand[0] && !strcmp(deb_str(ix, ix->pkg[cand[0] - 1].version), "1.0"),
			      "tool: the release's, backports at 100");
			CHECK(cand[1] && !strcmp(deb_str(ix, ix->pkg[cand[1] - 1].version), "2.0"),
			      "kept: the installed version, never an older one");
			CHECK(cand[2] == 0, "a name the index does not have: none");
			ro.pin = target;
			CHECK(deb_candidates(cand, ix, names, 1, &ro) == 0, "%s", err_msg());
			CHECK(cand[0] && !strcmp(deb_str(ix, ix->pkg[cand[0] - 1].version), "2.0~bpo12+1"),
			      "tool with -t: backports'");
		}
		deb_index_free(ix);
	}
	test_end("resolve: candidates by apt's priorities: the release before NotAutomatic suites, "
		 "-t's release first, never below what is installed, a version asked for whatever "
		 "its priority");
	return TEST_MAIN_RESULT();
}
