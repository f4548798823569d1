#ifndef PINNED_RELEASE_H
#define PINNED_RELEASE_H

#include <stddef.h>
#include <stdint.h>

/*
 * An archive's InRelease, trusted as apt trusts it: the clearsigned file is
 * checked by gpgv (a child process, never OpenPGP of our own) against a
 * keyring, and only the text gpgv says was signed is read. Its Date must
 * not be in the future and its Valid-Until not in the past. The indexes it
 * lists are then checked against their SHA256 and size before being read.
 */
struct deb_release_file {
	char *path;		/* "main/binary-amd64/Packages.xz" */
	uint64_t size;
	char sha256[65];
};

/* What apt's policy reads of a release. */
struct deb_release_meta {
	char *suite, *codename, *version;	/* as the file names them; NULL when absent */
	int not_automatic;		/* NotAutomatic: yes */
	int but_automatic_upgrades;	/* ButAutomaticUpgrades: yes, with NotAutomatic */
};

struct deb_release {
	char *text;		/* the signed text */
	size_t len;
	char *signer;		/* the fingerprint of the key that signed it */
	struct deb_release_meta meta;
	long long date;		/* seconds since the epoch */
	long long valid_until;	/* 0: none given */
	struct deb_release_file *files;
	size_t nfiles, alloc;
};

struct deb_release_opts {
	const char *keyring;	/* an OpenPGP keyring file (binary, as gpg --export writes) */
	const char *name;	/* where the file is from, for messages */
	long long now;		/* the time to check Date and Valid-Until against */
	int ignore_valid_until;	/* 1 for a snapshot: its files are meant to be old */
};

/*
 * Verify 'len' bytes of an InRelease file and read it into 'out' (zeroed).
 * Returns 0, or ERR_REFUSED (a signature that is bad, by a key the keyring
 * does not hold, or none; an expired or future file), ERR_NOTFOUND when
 * gpgv is not installed, ERR_FAIL for a signed text that is not a Release
 * stanza, ERR_NOMEM. Each message starts with opts->name. Empty 'out' with
 * deb_release_release() either way.
 */
int deb_release_verify(struct deb_release *out, const void *inrelease, size_t len,
		       const struct deb_release_opts *opts);

/* Read 'len' bytes of Release text, already verified, into 'out' (zeroed):
 * what deb_release_verify() does after gpgv. Returns 0, ERR_FAIL, ERR_NOMEM. */
int deb_release_parse(struct deb_release *out, const char *text, size_t len, const char *name);

/* The index 'path' as the release lists it, or NULL. */
const struct deb_release_file *deb_release_find(const struct deb_release *r, const char *path);

/*
 * 0 when 'len' bytes of 'data' are index 'path' as the release lists it;
 * else ERR_NOTFOUND (not listed) or ERR_REFUSED (another size or SHA-256),
 * the message naming 'path' and what differs.
 */
int deb_release_check(const struct deb_release *r, const char *path, const void *data,
		      size_t len);

/* Seconds since the epoch of an RFC 2822 date as Release files write
 * them ("Sat, 11 Jul 2026 10:16:37 UTC"), or -1. */
long long deb_release_time(const char *s, size_t len);

void deb_release_release(struct deb_release *r);

/*
 * 1 when 'target' (apt-get -t, APT::Default-Release) names release 'm' as
 * apt's pkgVersionMatch reads it: a value that starts with a digit is the
 * release's Version (exactly, or its beginning when it ends in '*'), any
 * other its Suite or Codename; "/RE/" is an extended regular expression,
 * else a glob; case does not count.
 */
int deb_release_is(const struct deb_release_meta *m, const char *target);

/* apt's priority for the indexes of release 'm': DEB_PIN_TARGET (990) when
 * 'target' (or NULL) names it, else 1 for NotAutomatic, 100 with
 * ButAutomaticUpgrades too, and 500 for the rest. */
#define DEB_PIN_TARGET 990
int deb_release_pin(const struct deb_release_meta *m, const char *target);

/* Copy 'from' into 'to' (zeroed); release with deb_release_meta_release().
 * Returns 0 or ERR_NOMEM. */
int deb_release_meta_copy(struct deb_release_meta *to, const struct deb_release_meta *from);
void deb_release_meta_release(struct deb_release_meta *m);

#endif
