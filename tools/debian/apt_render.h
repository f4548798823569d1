#ifndef PINNED_APT_RENDER_H
#define PINNED_APT_RENDER_H

#include <stddef.h>

#include "debian/apt_lock.h"
#include "docker/dockerfile.h"

/*
 * What each locked apt-get install of a template becomes in the rendered
 * Dockerfile: one compound command that points apt at the locked archive
 * state for that RUN only (a sources list of its own), downloads exactly
 * the locked closure with name=version for every package, checks each
 * .deb against the SHA-256 in the lock, installs them, marks the pulled-in
 * ones automatic as apt would have, and removes apt's lists, downloads and
 * logs, dpkg's log, ldconfig's cache and debconf's old files. A locked
 * version that has left the archive fails the build with a line naming the
 * package and version and saying how to build from a snapshot or re-lock.
 * An exec-form RUN gets the same command run by a shell: ["apt-get", ...]
 * becomes ["/bin/sh", "-c", "{ ...; }"], and [SHELL, "-c", SCRIPT] keeps its
 * shell with each install in SCRIPT rewritten.
 */
struct apt_edit {
	size_t at, end;		/* the template's bytes [at, end) ... */
	char *text;		/* ... become these */
};

struct apt_edits {
	struct apt_edit *v;	/* by 'at' */
	size_t n, alloc;
};

/*
 * The edits for template 'df' and 'lock' (read from 'lock_name'). An
 * install in a stage the lock does not name is left as written (its base
 * is not Debian, or it was never locked: lint says so). Returns 0, or
 * ERR_FAIL with "FILE:LINE:COL: ..." when a stage's installs are not what
 * the lock locked; ERR_NOMEM. Empty 'out' with apt_edits_release().
 */
int apt_render_edits(struct apt_edits *out, const struct dockerfile *df,
		     const struct apt_lock *lock, const char *lock_name);

/* The command one locked install becomes (the caller frees it); 'prefix'
 * ("sudo ", "DEBIAN_FRONTEND=noninteractive " or "") goes before each apt
 * command, as the template wrote it before apt-get. */
char *apt_render_install(const struct apt_lock_stage *st, const struct apt_lock_install *in,
			 const char *prefix);

void apt_edits_release(struct apt_edits *e);

#endif
