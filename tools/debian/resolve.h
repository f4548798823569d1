#ifndef PINNED_RESOLVE_H
#define PINNED_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "debian/packages.h"

/*
 * What "apt-get install" would install on a system: the requested packages
 * at their candidate versions (of the highest priority, the newest of
 * those, never older than what the system has), plus the closure of their Pre-Depends and Depends (and
 * Recommends, unless told not to), minus what the system already has at a
 * version that satisfies. Alternatives are chosen as apt chooses them: the
 * first that is satisfied or can be installed, a real package before those
 * providing its name, then essential, protected, more important and first
 * seen. Versioned provides, ":any", Architecture: all and Multi-Arch are
 * honoured for a single-architecture system. A conflict or break that
 * upgrading an installed package cannot settle, or a dependency nothing
 * satisfies, is an error naming the packages. Nothing is ever removed.
 *
 * The index holds the system (DEB_STATUS) and the archive (DEB_PACKAGES);
 * the resolver only reads it, so one index can answer many questions.
 */
struct deb_request {
	const char *name;	/* a package, or a name one package provides */
	const char *version;	/* "=VERSION" asked for, or NULL for the candidate */
};

struct deb_install {
	uint32_t pkg;		/* the version to install, in ix->pkg */
	uint32_t replaces;	/* the installed version it upgrades, +1; 0: new */
	int requested;		/* 1: asked for; 0: pulled in */
};

struct deb_plan {
	struct deb_install *v;	/* sorted by name */
	size_t n, alloc;
};

struct deb_resolve_opts {
	int recommends;		/* 1: install Recommends too, as apt does by default */
	const uint32_t *installed;	/* versions (in ix->pkg) installed since the status
					 * was read, by earlier installs: each replaces the
					 * version of its name the status gives */
	size_t ninstalled;
	const int *pin;		/* pin[k]: apt's priority for the versions of origin k + 1
				 * (deb_release_pin()); NULL, or past npin: 500 */
	size_t npin;
};

/*
 * Resolve 'nreq' requests against 'ix' into 'out' (zeroed). Returns 0, or
 * ERR_NOTFOUND for a package or version the index does not have, ERR_FAIL
 * for a request that cannot be met (naming the packages and relations),
 * ERR_NOMEM. Empty 'out' with deb_plan_release() either way.
 */
int deb_resolve(struct deb_plan *out, const struct deb_index *ix, const struct deb_request *req,
		size_t nreq, const struct deb_resolve_opts *opts);

/*
 * The candidate of each of the 'n' names (ids of ix->name) as apt-get
 * install would choose it with 'opts' (its pins, what is installed): the
 * version +1 into out[i], 0 where there is none. Returns 0 or ERR_NOMEM.
 */
int deb_candidates(uint32_t *out, const struct deb_index *ix, const uint32_t *names, size_t n,
		   const struct deb_resolve_opts *opts);

void deb_plan_release(struct deb_plan *p);

#endif
