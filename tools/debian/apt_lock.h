#ifndef PINNED_APT_LOCK_H
#define PINNED_APT_LOCK_H

#include <stddef.h>
#include <stdint.h>

/*
 * lockfiles/apt.lock: for each stage that installs Debian packages, the
 * archive state they come from (each source's URI, suite, components and
 * the SHA-256 of the InRelease read, and the snapshot when there is one)
 * and, for each apt-get install in order, every package it installs: name,
 * version, architecture, pool file, size and SHA-256, and whether it was
 * asked for or pulled in. JSON with sorted keys, 2-space indent, a trailing
 * newline and a version, like images.lock: locking again with nothing
 * moved writes the same bytes. Everything read back is checked, as it
 * reaches a rendered Dockerfile.
 */
struct apt_lock_source {
	char *uri;		/* "http://deb.debian.org/debian" */
	char *suite;		/* "bookworm-updates" */
	char **components;	/* NULL-terminated: "main" */
	char *inrelease;	/* "sha256:..." of the InRelease read */
};

struct apt_lock_package {
	char *name, *version, *architecture;
	char *filename;		/* the pool path: "pool/main/c/curl/curl_..._amd64.deb" */
	char *sha256;		/* 64 hex digits */
	uint64_t size;
	int requested;		/* 1: named by the install; 0: pulled in */
	char *replaces;		/* the version the base (or an earlier install) has, which
				 * this one upgrades; NULL: newly installed */
};

struct apt_lock_install {
	char **requested;	/* the packages as the template names them, NULL-terminated */
	int recommends;		/* 1: without --no-install-recommends */
	char *target_release;	/* apt-get -t RELEASE, or NULL */
	struct apt_lock_package *packages;	/* sorted by name */
	size_t npackages, alloc;
};

struct apt_lock_stage {
	size_t stage;		/* which stage of the template, from 0 */
	char *base;		/* the image it starts from: "NAME@sha256:..." */
	char *codename;		/* the base's release: "bookworm" */
	char *architecture;	/* "amd64" */
	char *snapshot;		/* "20250520T000000Z", or NULL */
	struct apt_lock_source *sources;
	size_t nsources, sources_alloc;
	struct apt_lock_install *installs;	/* in the template's order */
	size_t ninstalls, installs_alloc;
};

struct apt_lock {
	struct apt_lock_stage *stages;	/* by stage */
	size_t n, alloc;
};

#define APT_LOCK_VERSION 1
#define APT_LOCK_PATH "lockfiles/apt.lock"

/* Read 'path'; a missing file is an empty lock. Returns 0, or ERR_FAIL
 * naming the file and what is wrong, ERR_NOMEM. */
int apt_lock_read(struct apt_lock *out, const char *path);

/* The same from 'len' bytes of 'text'; 'path' names them in messages. */
int apt_lock_parse(struct apt_lock *out, const char *text, size_t len, const char *path);

/* The lock's bytes, as written; the caller frees '*out'. */
int apt_lock_format(char **out, size_t *len, const struct apt_lock *lock);

/* The stage 'stage' of the lock, or NULL. */
const struct apt_lock_stage *apt_lock_stage(const struct apt_lock *lock, size_t stage);

/* 1 when 's' is an archive URI a lock may hold: http:// or https://,
 * printable, without spaces, quotes, backslashes or '$'. */
int apt_uri_valid(const char *s);

/* 1 when 's' is a snapshot time as Debian's snapshot archive names them:
 * YYYYMMDDTHHMMSSZ. */
int apt_snapshot_valid(const char *s);

struct apt_install;

/* 1 when 'li' locks install 'in' as the template now writes it: the same
 * packages asked for, recommends and target release. */
int apt_lock_install_matches(const struct apt_lock_install *li, const struct apt_install *in);

/* 1 when an install of stage 'st' before install 'k' locks package 'p'
 * (its name and version) too. */
int apt_lock_package_seen(const struct apt_lock_stage *st, size_t k,
			  const struct apt_lock_package *p);

void apt_lock_stage_release(struct apt_lock_stage *st);
void apt_lock_release(struct apt_lock *lock);

#endif
