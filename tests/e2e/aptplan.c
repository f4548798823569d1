/*
 * usage: aptplan [--recommends] [-t RELEASE] ARCH STATUS PACKAGES[,RELEASE]... -- NAME[=VERSION]...
 * The resolver on its own, for the tests that hold it against apt-get: loads
 * dpkg's STATUS and the Packages indexes, each with the text of its
 * release when given (for apt's priorities: NotAutomatic, and -t RELEASE),
 * resolves the requests and prints one line per package to install,
 * "NAME VERSION" (sorted), or the error on stderr with exit status 2.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian/packages.h"
#include "debian/release.h"
#include "debian/resolve.h"
#include "util/error.h"
#include "util/fileio.h"

#define USAGE "usage: aptplan [--recommends] [-t RELEASE] ARCH STATUS PACKAGES[,RELEASE]... -- NAME...\n"

/* apt's priority for the indexes of release file 'path'; -1 on trouble. */
static int release_pin(const char *path, const char *target, int *found)
{
	struct deb_release r = { 0 };
	char *text = NULL;
	size_t len = 0;
	int pin = -1;

	if (file_read_at(&text, &len, AT_FDCWD, path) == 0 &&
	    deb_release_parse(&r, text, len, path) == 0) {
		pin = deb_release_pin(&r.meta, target);
		*found |= pin == DEB_PIN_TARGET;
	}
	deb_release_release(&r);
	free(text);
	return pin;
}

int main(int argc, char **argv)
{
	struct deb_resolve_opts opts = { 0, NULL, 0, NULL, 0 };
	struct deb_request req[256];
	struct deb_plan plan;
	struct deb_index *ix;
	const char *status, *target = NULL;
	int pin[DEB_ORIGINS], found = 0;
	size_t nreq = 0, npin = 0;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--recommends"))
			opts.recommends = 1;
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			target = argv[++i];
		else
			return fprintf(stderr, USAGE), 2;
	if (argc - i < 3 || deb_index_new(&ix, argv[i]))
		return fprintf(stderr, USAGE), 2;
	status = argv[++i];
	rc = 2;
	/* apt's order: the archive's indexes, then the status */
	for (i++; i < argc && strcmp(argv[i], "--"); i++) {
		char *comma = strchr(argv[i], ',');

		if (npin == DEB_ORIGINS) {
			fprintf(stderr, "aptplan: at most %d indexes\n", DEB_ORIGINS);
			goto done;
		}
		if (comma)
			*comma = '\0';
		pin[npin] = comma ? release_pin(comma + 1, target, &found) : 500;
		npin++;
		if (pin[npin - 1] < 0 || deb_index_add_file(ix, argv[i], DEB_PACKAGES, (unsigned)npin)) {
			fprintf(stderr, "aptplan: %s\n", err_msg());
			goto done;
		}
	}
	if (target && !found) {
		fprintf(stderr, "aptplan: no index is release '%s'\n", target);
		goto done;
	}
	opts.pin = pin;
	opts.npin = npin;
	if (deb_index_add_file(ix, status, DEB_STATUS, 0)) {
		fprintf(stderr, "aptplan: %s\n", err_msg());
		goto done;
	}
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
done:
	deb_index_free(ix);
	return rc ? 2 : 0;
}
