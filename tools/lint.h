#ifndef PINNED_LINT_H
#define PINNED_LINT_H

#include <stddef.h>

#include "dockerfile.h"

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
};

struct lint_finding {
	enum lint_rule rule;
	size_t line, col;
	char *message;
};

/* "PIN001" and "unpinned-image" for a rule. */
const char *lint_id(enum lint_rule rule);
const char *lint_name(enum lint_rule rule);

/*
 * Apply every rule but LINT_STALE to 'df'. Appends to '*findings' (sorted
 * by line and column); the caller frees with lint_findings_free().
 * Returns 0, or -1 with err_msg() set.
 */
int lint_dockerfile(struct lint_finding **findings, size_t *n, const struct dockerfile *df);

/* Append one finding. */
int lint_add(struct lint_finding **findings, size_t *n, enum lint_rule rule, size_t line,
	     size_t col, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

void lint_findings_free(struct lint_finding *findings, size_t n);

#endif
