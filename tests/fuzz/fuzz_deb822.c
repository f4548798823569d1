/* libFuzzer: Debian control data as pinned reads it: the input as the
 * signed text of a Release file (and what -t makes of its names), as two
 * Packages indexes of different priorities and as dpkg's status (plain, or
 * gzip or xz), then the first package it holds resolved. */
#include "debian/packages.h"
#include "debian/release.h"
#include "debian/resolve.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int pins[] = { 500, 990 };
	struct deb_resolve_opts opts = { 1, NULL, 0, pins, 2 };
	struct deb_index *ix;
	struct deb_release rel = { 0 };
	struct deb_plan plan;

	deb_release_parse(&rel, (const char *)data, size, "Release");
	if (rel.nfiles)
		deb_release_check(&rel, rel.files[0].path, data, size);
	if (rel.meta.codename) {
		deb_release_pin(&rel.meta, rel.meta.codename);
		deb_release_is(&rel.meta, "/^[a-z]+-back(ports)?$/");
	}
	deb_release_release(&rel);
	if (deb_index_new(&ix, "amd64"))
		return 0;
	deb_index_add_memory(ix, data, size, "Packages", DEB_PACKAGES, 1);
	deb_index_add_memory(ix, data, size, "Packages", DEB_PACKAGES, 2);
	deb_index_add_memory(ix, data, size, "status", DEB_STATUS, 0);
	if (ix->npkg) {
		struct deb_request req = { deb_pkg_name(ix, &ix->pkg[0]), NULL };

		if (deb_resolve(&plan, ix, &req, 1, &opts) == 0)
			deb_plan_release(&plan);
	}
	deb_index_free(ix);
	return 0;
}
