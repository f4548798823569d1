#ifndef PINNED_LINT_H
#define PINNED_LINT_H

#include <stddef.h>

#include "docker/dockerfile.h"

/* The rules; ids are stable and documented in pinned(1). */
enum lint_rule {
	LINT_UNPINNED_IMAGE,	/* PIN001: an image without a digest */
	LINT_LATEST,		/* PIN002: ":latest" or no tag */
	LINT_ADD_URL,		/* PIN003: ADD <url> without --checksum */
	LINT_APT_UNPINNED,	/* PIN004: apt-get install without versions */
	LINT_PIP_UNPINNED,	/* PIN005: pip install without versions */
	LINT_NPM_UNPINNED,	/* PIN006: npm install without versions */
	LINT_PIPE_SHELL,	/* PIN007: curl ... | sh */
	LINT_APT_UPGRADE,	/* PIN008: apt-get upgrade */
	LINT_STALE,		/* PIN009: Dockerfile edited by hand (stale) */
	LINT_UNDEFINED_VAR,	/* PIN010: a variable no ARG or ENV sets: empty */
	LINT_IMAGE_ARG,		/* PIN011: a build argument or platform changes an image's name */
	LINT_APT_DYNAMIC,	/* PIN012: apt-get install of a variable or a glob */
};

struct lint_finding {
	enum lint_rule rule;
	size_t line, col;
	char *message;
};

/* A growing list of findings; zero-initialise, empty with lint_findings_release(). */
struct lint_findings {
	struct lint_finding *v;
	size_t n, alloc;
};

/* "PIN001" and "unpinned-image" for a rule. */
const char *lint_id(enum lint_rule rule);
const char *lint_name(enum lint_rule rule);

/*
 * Apply every rule but LINT_STALE to 'df', appending to 'out' and sorting
 * it by line, column and rule. Returns 0, or ERR_NOMEM.
 */
int lint_dockerfile(struct lint_findings *out, const struct dockerfile *df);

/* Append one finding; the message is printf-style. Returns 0, or ERR_NOMEM. */
int lint_add(struct lint_findings *out, enum lint_rule rule, size_t line, size_t col,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Drop the PIN004 findings of the installs 'apt' locks: pinned render
 * writes their versions. Returns 0, or ERR_NOMEM.
 */
struct apt_lock;
int lint_drop_locked(struct lint_findings *out, const struct dockerfile *df,
		     const struct apt_lock *apt);

/*
 * PIN009: compare the Dockerfile at 'path' with what render makes of
 * 'template', the lock at 'lock_path' and the apt lock at 'apt_lock_path'
 * (when there is one); add a finding when they differ, or when the
 * template cannot be rendered for want of a lock or a locked image (saying
 * which). Returns 0, or a negative code when 'path' cannot be read or the
 * template or a lock is broken.
 */
int lint_stale(struct lint_findings *out, const char *path, const char *template,
	       const char *lock_path, const char *apt_lock_path);

/*
 * The findings as a JSON array of {file, line, column, id, name, message}
 * objects with sorted keys, 2-space indent, no final newline, into '*out'
 * (the caller frees). Text that is not valid UTF-8 is escaped ("\xNN"),
 * never dropped. Returns 0, or ERR_NOMEM.
 */
int lint_json(char **out, const struct lint_findings *f, const char *path);

/* Empty the list; accepts a zeroed one. */
void lint_findings_release(struct lint_findings *f);

#endif
