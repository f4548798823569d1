#ifndef PINNED_CONTEXT_H
#define PINNED_CONTEXT_H

#include <stdint.h>
#include <sys/types.h>

#include "tar.h"

/* What goes into a build context, and from where. */
struct context_opts {
	const char *root;	/* the context directory */
	const char *rev;	/* a git revision to archive instead of the tree, or NULL */
	const char *dockerfile;	/* always sent, as Docker does; NULL: "Dockerfile" */
	struct {		/* files never archived: our own outputs */
		dev_t dev;
		ino_t ino;
	} skip[2];
	int nskip;
};

/*
 * Called for each entry in archive order: bytewise by archive name, a
 * directory's name ending in '/'. For a file, exactly one of 'fd' (open,
 * positioned at the start) and 'data' (the whole content) is given.
 * Returns 0 to go on, or -1 with err_msg() set to stop the walk.
 */
typedef int (*context_emit_fn)(void *arg, const struct entry *e, int fd,
			       const void *data);

/*
 * Walk the context: the working tree under opts->root, or the tree of
 * opts->rev read from the git object database (no checkout, so untracked
 * and modified files play no part). Applies the .dockerignore found at the
 * root (of the tree or of the revision). Only regular files, directories
 * and symbolic links can be archived; anything else that is not excluded
 * is an error, and so is a file that changes while it is read.
 * Returns 0, or -1 with err_msg() set.
 */
int context_walk(const struct context_opts *opts, context_emit_fn emit, void *arg);

/*
 * Read the file 'name' at the top of the context: from the working tree, or
 * from opts->rev. The caller frees '*out' (NUL-terminated). Returns 0, or
 * -1 with err_msg() set.
 */
int context_read(char **out, size_t *len, const struct context_opts *opts,
		 const char *name);

/*
 * The modification time for every entry: SOURCE_DATE_EPOCH when set (a
 * non-negative decimal integer, else an error), otherwise the commit time
 * of opts->rev, or of HEAD of the repository holding opts->root, or 0 when
 * there is none. Returns 0, or -1 with err_msg() set.
 */
int context_mtime(int64_t *out, const struct context_opts *opts);

#endif
