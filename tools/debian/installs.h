#ifndef PINNED_INSTALLS_H
#define PINNED_INSTALLS_H

#include <stddef.h>

#include "docker/dockerfile.h"

/*
 * The apt installs of a Dockerfile: every "apt-get install" and "apt
 * install" in a RUN (shell form, exec form, heredocs), read through the
 * same shell-command reader as lint (docker/shell.h), so the two never
 * disagree about what a line installs; and the stages they run in.
 */
struct apt_install {
	size_t stage;		/* which stage, counting from 0 */
	size_t line, col;	/* where the command starts */
	size_t instruction;	/* its RUN, in df->instructions */
	long heredoc;		/* the heredoc it is in, or -1 for the RUN's own line */
	size_t start, end;	/* the command's bytes in that text (args or heredoc) */
	char *prefix;		/* what the text has before apt-get: "sudo VAR=x ", or "" */
	char **packages;	/* the operands as written, in order */
	size_t npackages, packages_alloc;
	int no_recommends;	/* --no-install-recommends */
	char *target_release;	/* -t / --target-release, or NULL */
};

struct apt_stage {
	long from_image;	/* its FROM in df->images, or -1 */
	long parent;		/* the stage its FROM names, or -1 */
	int scratch;
};

struct apt_installs {
	struct apt_install *v;
	size_t n, alloc;
	struct apt_stage *stages;
	size_t nstages, stages_alloc;
};

/*
 * Find the installs of 'df' into 'out' (zeroed). Returns 0, or ERR_FAIL
 * with "FILE:LINE:COL: ..." for an install pinned cannot lock: a package
 * given through a variable or a glob, a release (NAME/RELEASE), a file, an
 * install in a stage FROM scratch; or ERR_NOMEM. Empty 'out' with
 * apt_installs_release() either way.
 */
int apt_installs_find(struct apt_installs *out, const struct dockerfile *df);

/* 1 when an operand of apt-get install cannot be locked as written: it
 * names a variable, a command substitution or a glob; '*why' says which. */
int apt_operand_dynamic(const char *word, const char **why);

/* 1 when 'w' is a package name, or NAME=VERSION with a version dpkg accepts:
 * what an install may ask for. */
int apt_request_valid(const char *w);

void apt_installs_release(struct apt_installs *a);

#endif
