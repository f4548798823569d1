#ifndef PINNED_DRIFT_H
#define PINNED_DRIFT_H

#include <stddef.h>

#include "debian/apt_lock.h"
#include "debian/packages.h"
#include "debian/release.h"
#include "docker/images_lock.h"
#include "docker/registry.h"
#include "util/http.h"
#include "verify/record.h"

/*
 * What moved upstream since the locks were made, asked of the registries
 * and archives today; nothing is written. Each finding is a record_diff:
 * the locked value, then the upstream one.
 *
 *   image     KEY        "tag moved" (digest, now digest), "tag deleted"
 *                        (digest), "locked digest deleted: every rebuild
 *                        fails" (digest)
 *   platform  KEY        "added" (platform), "removed" (platform): the
 *                        tag's index now, against the locked one
 *   package   STAGE:NAME "newer version" or "security update" (version,
 *                        now version, from the suite that has it), "left
 *                        the archive" (version), "changed in the archive"
 *                        (SHA-256, now SHA-256)
 *
 * A newer version is the one apt-get install would now choose as the
 * install that locked it is written (its -t release, apt's priorities),
 * newer than the locked one; "security update" when a -security suite has
 * it.
 */
struct drift_counts {
	size_t images, platforms;	/* images and locked platforms checked */
	size_t packages, suites;	/* packages (per stage) and suites read */
};

/*
 * The images of 'lock', each tag resolved through 'client', at most 'jobs'
 * at a time; a locked digest is looked up only when its tag no longer
 * names it. Findings are added to 'out'. Returns 0, or a negative code
 * with err_msg() set: for images that could not be asked, the first one's
 * message and how many more there were.
 */
int drift_images(struct record_diffs *out, struct drift_counts *n, const struct images_lock *lock,
		 struct registry_client *client, int jobs);

/*
 * The packages stage 'st' locked against 'ix', the index of its sources as
 * they are now (origin i + 1 is st->sources[i]), 'meta[i]' what source i's
 * release says. Findings are added to 'out'. Returns 0 or ERR_NOMEM.
 */
int drift_stage(struct record_diffs *out, struct drift_counts *n, const struct apt_lock_stage *st,
		const struct deb_index *ix, const struct deb_release_meta *meta);

/*
 * The packages of 'lock', against the sources each stage recorded, read
 * again and verified with 'keyring' at time 'now' (a snapshot's
 * Valid-Until is not checked) through 'http'. Findings are added to 'out'.
 * Returns 0, or a negative code with one line naming the archive, suite
 * or file (apt_archive_read()).
 */
int drift_packages(struct record_diffs *out, struct drift_counts *n, const struct apt_lock *lock,
		   struct http_client *http, const char *keyring, long long now);

#endif
