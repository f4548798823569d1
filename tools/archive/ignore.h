#ifndef PINNED_IGNORE_H
#define PINNED_IGNORE_H

#include <stddef.h>

/*
 * .dockerignore, read and matched as Docker does (moby/patternmatcher and
 * its ignorefile reader): comments, trimming, path cleaning, '!' exceptions
 * where the last matching pattern wins, a pattern that matches a parent
 * directory matching everything below it, and the same regular-expression
 * reading of '*', '?', '**', '[...]' and '\'.
 */
struct ignore;

/*
 * Parse the text of an ignore file. 'name' is used in messages, which have
 * the form "NAME:LINE:COL: ...". A malformed pattern is an error.
 * Returns 0 and a matcher in '*out' (free with ignore_free()), or -1 with
 * err_msg() set.
 */
int ignore_parse(struct ignore **out, const char *text, size_t len,
		 const char *name);

/* An empty matcher (no .dockerignore): excludes nothing. NULL on ENOMEM. */
struct ignore *ignore_empty(void);

void ignore_free(struct ignore *ig);

/*
 * 1 when 'path' (relative, '/'-separated, no trailing '/') is excluded:
 * the last pattern that matches it or one of its parent directories is not
 * an exception. 0 otherwise. Time is bounded by pattern length times path
 * length. It uses scratch memory inside 'ig': one thread at a time.
 */
int ignore_excluded(const struct ignore *ig, const char *path);

/*
 * 1 when the excluded directory 'dir' must still be walked because an
 * exception pattern could match something below it; 0 when everything
 * below it is excluded.
 */
int ignore_may_include_below(const struct ignore *ig, const char *dir);

/*
 * Always send 'path', as the Docker CLI does for the Dockerfile and for
 * .dockerignore itself: when it is excluded, add an exception for it.
 * Returns 0, or -1 on ENOMEM with err_msg() set.
 */
int ignore_keep(struct ignore *ig, const char *path);

#endif
