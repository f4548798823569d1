/*
 * usage: aptplan [--recommends] ARCH STATUS PACKAGES... -- NAME[=VERSION]...
 * The resolver on its own, for the tests that hold it against apt-get: loads
 * dpkg's STATUS and the Packages indexes, resolves the requests and prints
 * one line per package to install, "NAME VERSION" (sorted), or the error
 * on stderr with exit status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian/packages.h"
#include "debian/resolve.h"
#include "util/error.h"

int main(int argc, char **argv)
{
	struct deb_resolve_opts opts = { 0, NULL, 0 };
	struct deb_request req[256];
	struct deb_plan plan;
	struct deb_index *ix;
	const char *status;
	size_t nreq = 0;
	int i = 1, rc;

	if (i < argc && strcmp(argv[i], "--recommends") == 0) {
		opts.recommends = 1;
		i++;
	}
	if (argc - i < 3 || deb_index_new(&ix, argv[i]))
		return fprintf(stderr, "usage: aptplan [--recommends] ARCH STATUS PACKAGES... -- NAME...\n"), 2;
	status = argv[++i];
	/* apt's order: the archive's indexes, then the status */
	for (i++; i < argc && strcmp(argv[i], "--"); i++)
		if (deb_index_add_file(ix, argv[i], DEB_PACKAGES, (unsigned)i))
			return fprintf(stderr, "aptplan: %s\n", err_msg()), 2;
	if (deb_index_add_file(ix, status, DEB_STATUS, 0))
		return fprintf(stderr, "aptplan: %s\n", err_msg()), 2;
	for (i++; i < argc && nreq < 256; i++) {
		char *eq = strchr(argv[i], '=');

		req[nreq].name = argv[i];
		req[nreq].version = NULL;
		if (eq) {
			*eq = '\0';
			req[nreq].version = eq + 1;
		}
		nreq++;
	}
	rc = deb_resolve(&plan, ix, req, nreq, &opts);
	if (rc)
		fprintf(stderr, "aptplan: %s\n", err_msg());
	for (size_t k = 0; k < plan.n; k++) {
		const struct deb_pkg *p = &ix->pkg[plan.v[k].pkg];

		printf("%s %s\n", deb_pkg_name(ix, p), deb_str(ix, p->version));
	}
	deb_plan_release(&plan);
	deb_index_free(ix);
	return rc ? 2 : 0;
}
