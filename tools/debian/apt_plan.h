#ifndef PINNED_APT_PLAN_H
#define PINNED_APT_PLAN_H

#include "debian/apt_lock.h"
#include "docker/dockerfile.h"
#include "docker/images_lock.h"
#include "docker/lock.h"
#include "docker/registry.h"
#include "util/http.h"

/*
 * Lock the apt installs of a template: for each stage that installs, its
 * base image read from the registry (the locked digest), the archive state
 * for the base's release read and verified, and each install resolved in
 * order, each seeing what the installs before it (in its stage and the
 * stages it builds on) installed.
 */
struct apt_plan_opts {
	const char *mirror;	/* the archive; NULL: Debian's (deb.debian.org, with
				 * debian-security for the security suite) */
	const char *snapshot;	/* YYYYMMDDTHHMMSSZ: the archive as it was then, in
				 * Debian's snapshot layout; NULL: as it is now */
	const char *keyring;	/* NULL: the Debian archive keyring */
	const char *const *components;	/* NULL-terminated; NULL: "main" */
	const char *platform;	/* "linux/amd64" */
	long long now;
};

#define APT_DEBIAN_MIRROR "http://deb.debian.org/debian"
#define APT_DEBIAN_SECURITY "http://deb.debian.org/debian-security"
#define APT_DEBIAN_SNAPSHOTS "http://snapshot.debian.org"
#define APT_DEBIAN_KEYRING "/usr/share/keyrings/debian-archive-keyring.gpg"

/*
 * Fill 'out' (zeroed) for template 'df' with images locked in 'images'.
 * Returns 0 (an empty lock when nothing is installed); 1, fetching nothing,
 * when 'old' (or NULL) already locks the same installs on the same bases
 * from the same sources; or a negative code with one line naming the
 * place, image, archive or package. Empty 'out' with apt_lock_release().
 * The installs of a base that is not Debian are left as written, each such
 * base said in 'notes' (zeroed; empty with lock_failures_release()).
 */
int apt_plan(struct apt_lock *out, const struct dockerfile *df, const struct images_lock *images,
	     const struct apt_lock *old, const struct apt_plan_opts *opts,
	     struct registry_client *registry, struct http_client *http,
	     struct lock_failures *notes);

#endif
