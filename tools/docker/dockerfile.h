#ifndef PINNED_DOCKERFILE_H
#define PINNED_DOCKERFILE_H

#include <stddef.h>

#include "docker/image_ref.h"

/*
 * A Dockerfile read as BuildKit reads it (frontend/dockerfile/parser and
 * dockerfile2llb), far enough to find every image it names and every
 * instruction a reproducibility rule looks at: a byte-order mark, a
 * shebang, the parser directives (syntax, escape, check) and where each
 * reading of BuildKit finds them, comments, line continuations by the
 * active escape character, heredocs (ONBUILD's too), variables with every
 * substitution of the reference (docker/lex.h) against the ARGs before the
 * first FROM and the automatic platform ARGs, each stage's ARG and ENV,
 * FROM with --platform and AS, stage references, scratch, COPY --from and
 * RUN --mount from=. What BuildKit refuses where it touches these is
 * refused, with file:line:col.
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
	size_t stage_index;	/* with 'stage': which one, counting from 0 */
	int scratch;		/* FROM scratch */
	struct image_ref ref;	/* a registry image: parsed and normalised */
	char **uses;		/* the variables the reference names, each once, in order:
				 * a --build-arg or --platform can change what it names */
	size_t nuses;
};

/* args[arg...] came from the file at 'file...', up to the next span. */
struct dockerfile_span {
	size_t arg, file;
};

/* A heredoc's body, as BuildKit keeps it: the lines as written. */
struct dockerfile_heredoc {
	char *name;		/* the delimiter, quotes removed */
	char *content;		/* every line up to the delimiter, line ends kept */
	int chomp;		/* <<-: leading tabs go when it is used */
	int expand;		/* no part of the delimiter was quoted */
	unsigned fd;		/* 3<<EOF: 3 */
};

/* A variable used where it is not set: it reads as empty. */
struct dockerfile_unset {
	char *name;
	size_t line, col;
};

/* One instruction, continuation lines joined, comments inside removed. */
struct dockerfile_instruction {
	char *keyword;		/* lower case: "from", "run", ... */
	size_t line, col;	/* where the keyword is */
	size_t start, end;	/* bytes of the file it covers, heredocs included */
	char *args;		/* what follows the keyword, as one line */
	struct dockerfile_span *spans;	/* one per line joined, for dockerfile_offset() */
	size_t nspans;
	struct dockerfile_heredoc *heredocs;	/* in order */
	size_t nheredocs;
	int json;		/* exec form: a JSON array of strings */
};

struct dockerfile {
	char *name;		/* for messages */
	char *text;		/* the bytes read */
	size_t len;
	char escape;		/* '\\' or '`' */
	size_t directives_end;	/* offset after the BOM, shebang and parser directives */
	struct dockerfile_instruction *instructions;
	size_t ninstructions;
	struct dockerfile_image *images;
	size_t nimages;
	struct dockerfile_unset *unset;	/* in the order used */
	size_t nunset;
	char *platform;		/* the TARGETPLATFORM it was read for */
	size_t *lines;		/* internal: where each line starts */
	size_t nlines;
};

/* How to read it: what a build would be given. */
struct dockerfile_opts {
	const char *platform;	/* "os/arch[/variant]" built for; NULL: the host's */
	const char *const *build_args;	/* "NAME=VALUE", NULL-terminated; NULL: none */
};

/* An instruction of a file, for reading its arguments as shell words
 * (docker/shell.h): where args[i] is, through the offsets the reader kept. */
struct dockerfile_args {
	const struct dockerfile *df;
	const struct dockerfile_instruction *ins;
};
void dockerfile_args_where(const void *place, size_t i, size_t *line, size_t *col);

/* A heredoc body has no kept offsets: each of its bytes is placed at the
 * instruction ('ins' is the struct dockerfile_instruction). */
void dockerfile_instruction_where(const void *ins, size_t i, size_t *line, size_t *col);

/* The platform of this host, as "linux/amd64". */
const char *dockerfile_host_platform(void);

/*
 * Read 'text' (a copy is kept) for 'opts' (NULL: the host's platform, no
 * build arguments). 'name' is used in messages, which have the form
 * "NAME:LINE:COL: what". Returns 0 and the result in '*out' (free with
 * dockerfile_free()), or -1 with err_msg() set.
 */
int dockerfile_read(struct dockerfile **out, const char *text, size_t len, const char *name,
		    const struct dockerfile_opts *opts);

/* dockerfile_read() with no options. */
int dockerfile_parse(struct dockerfile **out, const char *text, size_t len,
		     const char *name);

/* Read the file at 'path' (named so in messages) for 'opts' (may be NULL). */
int dockerfile_load(struct dockerfile **out, const char *path, const struct dockerfile_opts *opts);

void dockerfile_free(struct dockerfile *df);

/* The 1-based line and column of byte 'offset' of the file. */
void dockerfile_position(const struct dockerfile *df, size_t offset, size_t *line, size_t *col);

/* The file offset that args[i] of 'ins' came from. */
size_t dockerfile_offset(const struct dockerfile_instruction *ins, size_t i);

/*
 * 1 when an ARG of the file declares 'name' (so a --build-arg NAME is
 * taken), 0 when none does; ERR_NOMEM.
 */
int dockerfile_declares_arg(const struct dockerfile *df, const char *name);

/* 1 when the image at 'img' is a registry image (not a stage, not scratch). */
int dockerfile_is_registry_image(const struct dockerfile_image *img);

#endif
