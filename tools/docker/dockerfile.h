#ifndef PINNED_DOCKERFILE_H
#define PINNED_DOCKERFILE_H

#include <stddef.h>

#include "docker/image_ref.h"

/*
 * A Dockerfile read as BuildKit reads it, far enough to find every image
 * it names and every instruction a reproducibility rule looks at: parser
 * directives (syntax, escape), comments, line continuations with the active
 * escape character, heredocs (several per line, <<- and quoted words), ARG
 * before the first FROM with $VAR, ${VAR}, ${VAR:-word}, ${VAR-word},
 * ${VAR:+word}, ${VAR+word} and ${VAR:?message}, FROM with --platform and
 * AS, stage references, scratch, COPY --from and RUN --mount from=.
 */

enum dockerfile_place {
	DOCKERFILE_SYNTAX,	/* the image in a "# syntax=" parser directive */
	DOCKERFILE_FROM,	/* FROM IMAGE */
	DOCKERFILE_COPY_FROM,	/* COPY/ADD --from=IMAGE */
	DOCKERFILE_MOUNT_FROM,	/* RUN --mount=...,from=IMAGE */
};

/* The template a project's Dockerfile is rendered from. */
#define DOCKERFILE_TEMPLATE "Dockerfile.in"

/* A place that names an image, a stage or scratch. */
struct dockerfile_image {
	enum dockerfile_place place;
	size_t line, col;	/* 1-based, where the reference starts */
	size_t end;		/* byte offset just after the reference as written */
	char *written;		/* the reference as written, variables and all */
	char *expanded;		/* after ARG substitution */
	int stage;		/* names an earlier stage (or a stage index) */
	int scratch;		/* FROM scratch */
	struct image_ref ref;	/* a registry image: parsed and normalised */
};

/* args[arg...] came from the file at 'file...', up to the next span. */
struct dockerfile_span {
	size_t arg, file;
};

/* One instruction, continuation lines joined, comments inside removed. */
struct dockerfile_instruction {
	char *keyword;		/* lower case: "from", "run", ... */
	size_t line, col;	/* where the keyword is */
	size_t start, end;	/* bytes of the file it covers, heredocs included */
	char *args;		/* what follows the keyword, as one line */
	struct dockerfile_span *spans;	/* one per line joined, for dockerfile_offset() */
	size_t nspans;
	char **heredocs;	/* bodies of its heredocs, in order */
	size_t nheredocs;
};

struct dockerfile {
	char *name;		/* for messages */
	char *text;		/* the bytes read */
	size_t len;
	char escape;		/* '\\' or '`' */
	size_t directives_end;	/* offset after the parser directives */
	struct dockerfile_instruction *instructions;
	size_t ninstructions;
	struct dockerfile_image *images;
	size_t nimages;
	size_t *lines;		/* internal: where each line starts */
	size_t nlines;
};

/*
 * Read 'text' (a copy is kept). 'name' is used in messages, which have the
 * form "NAME:LINE:COL: what". Returns 0 and the result in '*out' (free with
 * dockerfile_free()), or -1 with err_msg() set.
 */
int dockerfile_parse(struct dockerfile **out, const char *text, size_t len,
		     const char *name);

/* Read and parse the file at 'path' (named so in messages). */
int dockerfile_load(struct dockerfile **out, const char *path);

void dockerfile_free(struct dockerfile *df);

/* The 1-based line and column of byte 'offset' of the file. */
void dockerfile_position(const struct dockerfile *df, size_t offset, size_t *line, size_t *col);

/* The file offset that args[i] of 'ins' came from. */
size_t dockerfile_offset(const struct dockerfile_instruction *ins, size_t i);

/* 1 when the image at 'img' is a registry image (not a stage, not scratch). */
int dockerfile_is_registry_image(const struct dockerfile_image *img);

#endif
