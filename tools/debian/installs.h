#ifndef PINNED_INSTALLS_H
#define PINNED_INSTALLS_H

#include <jansson.h>
#include <stddef.h>

#include "docker/dockerfile.h"

/*
 * The apt installs of a Dockerfile: every "apt-get install" and "apt
 * install" in a RUN (shell form, heredocs, and the exec form: the array
 * read as one command, or the script of [SHELL, "-c", SCRIPT]), read through the
 * same shell-command reader as lint (docker/shell.h), so the two never
 * disagree about what a line installs; and the stages they run in.
 */
struct apt_install {
	size_t stage;		/* which stage, counting from 0 */
	size_t line, col;	/* where the command starts */
	size_t instruction;	/* its RUN, in df->instructions */
	long heredoc;		/* the heredoc it is in; APT_IN_ARGS for the RUN's own line;
				 * APT_IN_EXEC for an exec-form RUN */
	size_t start, end;	/* the command's bytes in that text (args, heredoc, exec_script) */
	char *exec_script;	/* an exec-form RUN: the script of [SHELL, "-c", SCRIPT],
				 * or the array's words quoted for the shell; else NULL */
	int exec_shell;		/* 1: the RUN is [SHELL, "-c", SCRIPT, ...] */
	char *prefix;		/* what the text has before apt-get: "sudo VAR=x ", or "" */
	char **packages;	/* the operands as written, in order */
	size_t npackages, packages_alloc;
	int no_recommends;	/* --no-install-recommends */
	char *target_release;	/* -t / --target-release, or NULL */
};

#define APT_IN_ARGS (-1L)
#define APT_IN_EXEC (-2L)

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
/* The JSON array of an exec-form RUN's arguments, after any flags; '*at'
 * gets where it starts in 'args'. NULL when there is none. */
json_t *apt_exec_array(const char *args, size_t *at);

int apt_installs_find(struct apt_installs *out, const struct dockerfile *df);

/* 1 when an operand of apt-get install cannot be locked as written: it
 * names a variable, a command substitution or a glob; '*why' says which. */
int apt_operand_dynamic(const char *word, const char **why);

/* 1 when 'w' is a package name, or NAME=VERSION with a version dpkg accepts:
 * what an install may ask for. */
int apt_request_valid(const char *w);

/* 1 when 'w' can be a release for apt-get -t as a lock holds it: 1 to 128
 * printable characters without spaces, quotes, backslashes or '$'. */
int apt_target_valid(const char *w);

void apt_installs_release(struct apt_installs *a);

#endif
