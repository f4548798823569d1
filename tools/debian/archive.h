#ifndef PINNED_ARCHIVE_H
#define PINNED_ARCHIVE_H

#include <stddef.h>

#include "debian/packages.h"
#include "debian/release.h"
#include "util/buf.h"
#include "util/http.h"

/*
 * One suite of a Debian archive, read as apt reads it: dists/SUITE/InRelease
 * verified (debian/release.h), then for each component the Packages index
 * of the architecture (xz, else gzip, else plain, as the release lists
 * them) checked against the release and added to an index.
 */
struct apt_archive_opts {
	const char *keyring;		/* gpgv's keyring */
	const char *arch;		/* "amd64" */
	long long now;			/* for Date and Valid-Until */
	int check_valid_until;		/* 0 for a snapshot, whose files are meant to be old */
};

/* What was read of one suite. */
struct apt_archive_suite {
	char *inrelease;		/* "sha256:..." of its InRelease */
	struct deb_release_meta meta;	/* what apt's policy reads of its release */
};

void apt_archive_suite_release(struct apt_archive_suite *s);

/* What was fetched and checked, to be read again into other indexes. */
struct apt_archive_index {
	char *name;		/* its URL, for messages */
	struct buf body;	/* its bytes, as fetched */
};

struct apt_archive_fetched {
	char *uri, *suite;
	struct apt_archive_suite read;
	struct apt_archive_index *v;
	size_t n, alloc;
};

struct apt_archive_cache {
	struct apt_archive_fetched *v;
	size_t n, alloc;
};

void apt_archive_cache_release(struct apt_archive_cache *c);

/*
 * Read suite 'suite' of the archive at 'uri' (components NULL-terminated)
 * into 'ix' with origin 'origin'; 'out' (zeroed) gets the digest of the
 * InRelease read and what it says of the release (release with
 * apt_archive_suite_release() either way). With a 'cache' (or NULL), a suite read
 * before is not fetched again. Returns 0, or a negative code with one
 * line naming the archive, suite and file: ERR_NOTFOUND for a suite or
 * component the archive does not have, ERR_REFUSED for a signature, date
 * or checksum that does not hold, ERR_FAIL for an index that cannot be
 * read, the HTTP layer's codes for an archive that cannot be reached.
 */
int apt_archive_read(struct deb_index *ix, struct apt_archive_suite *out,
		     struct apt_archive_cache *cache,
		     struct http_conn *conn, const char *uri, const char *suite,
		     const char *const *components, const struct apt_archive_opts *opts,
		     unsigned origin);

#endif
