#ifndef PINNED_CONTEXT_H
#define PINNED_CONTEXT_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "util/sha256.h"
#include "archive/tar.h"
#include "util/fileio.h"

/*
 * A build context: the working tree under a directory, or the tree of a git
 * revision read from the object database (no checkout, so untracked and
 * modified files play no part), with its .dockerignore applied. Opening it
 * fixes everything a run reads: the revision is resolved once to a commit,
 * and the modification time of every entry is decided.
 */
struct context_opts {
	const char *root;		/* the context directory */
	const char *rev;		/* a git revision to archive instead of the tree, or NULL */
	const char *dockerfile;		/* always sent, as Docker does; NULL: "Dockerfile" */
	const char *source_date_epoch;	/* $SOURCE_DATE_EPOCH as the command read it, or NULL */
	const char *const *never;	/* files never archived, whatever .dockerignore says
					 * (the build record and its manifest), a
					 * NULL-terminated list kept as given, or NULL */
};

struct context;

/*
 * Read 'SOURCE_DATE_EPOCH' 's' as the context takes it: digits only, no
 * later than 2242-03-16 (what every tar reader takes). Returns 0, or
 * ERR_FAIL saying why not.
 */
int context_parse_epoch(int64_t *out, const char *s);

/*
 * Open the context. The modification time is 'source_date_epoch' when set
 * (a non-negative decimal integer, else an error), otherwise the commit time
 * of opts->rev, or of HEAD of the repository holding opts->root, or 0 when
 * there is none. Returns 0, or a negative code (ERR_NOTFOUND: an unknown
 * revision). Free with context_free(); accepts NULL.
 */
int context_open(struct context **out, const struct context_opts *opts);
void context_free(struct context *ctx);

/* The commit read (the revision), or whose time was taken (HEAD), as hex;
 * NULL when there is none. */
const char *context_commit(const struct context *ctx);

/* Every entry's modification time. */
int64_t context_mtime(const struct context *ctx);

/* Never archive the file open at 'fd' (our own output inside the context).
 * Returns 0, or a negative code. */
int context_skip(struct context *ctx, int fd);

/* Never archive the regular file or directory at 'path', if there is one
 * (the previous output a new one replaces; a builder's working directory).
 * Returns 0, or a negative code. */
int context_skip_path(struct context *ctx, const char *path);

/*
 * 1 when 'path' names an existing regular file (through links) that
 * archiving the working tree would take: inside the context and not
 * excluded by .dockerignore. 0 when not; a negative code on error.
 */
int context_holds(struct context *ctx, const char *path);

/*
 * Called for each entry in archive order: bytewise by archive name, a
 * directory's name ending in '/'. For a file, exactly one of 'fd' (open,
 * positioned at the start) and 'data' (the whole content) is given.
 * Returns 0 to go on, or a negative code with the message set to stop.
 */
typedef int (*context_emit_fn)(void *arg, const struct tar_entry *e, int fd,
			       const void *data);

/*
 * Walk the context. Only regular files, directories and symbolic links can
 * be archived; anything else that is not excluded is an error, and so is a
 * file that changes while it is read. Returns 0, or a negative code.
 */
int context_walk(struct context *ctx, context_emit_fn emit, void *arg);

/* The first line of a manifest file; its digest (as the record names it)
 * is of the whole file, this line too. */
#define CONTEXT_MANIFEST_HEADER "# pinned context manifest v1: type mode size sha256 path [target]\n"

/*
 * Write the canonical tar of the context to 'fd' (-1: only hash it; 'name'
 * says where it goes, for messages) and its per-entry manifest to
 * 'manifest' (or NULL), and give the SHA-256 of the archive. Returns 0, or
 * a negative code; 'fd' may then hold part of an archive.
 */
int context_archive(unsigned char digest[SHA256_LEN], struct context *ctx, int fd,
		    const char *name, FILE *manifest);

/* A file's content digest, for context_manifest(): the file 'e' is open
 * at 'fd' (positioned at its start) or given whole as 'data', as
 * context_emit_fn has it. Returns 0, or a negative code. */
typedef int (*context_digest_fn)(void *arg, const struct tar_entry *e, int fd,
				 const void *data, unsigned char digest[SHA256_LEN]);

/* For context_manifest(): the digest of the working tree's regular file 'e'
 * whose lstat is 'st', when it is known without reading the file (a stat
 * cache): 1 with 'digest' set, or 0 to have the file read. Negative: an
 * error. */
typedef int (*context_known_fn)(void *arg, const struct tar_entry *e, const struct stat *st,
				unsigned char digest[SHA256_LEN]);

/*
 * Write the context's manifest to 'manifest' as context_archive() does,
 * without making the archive: each file's digest is 'known's when it knows
 * (NULL: never), else 'digest_of's (NULL: read and hash the content). The
 * manifest and the time decide every byte of the canonical archive, so a
 * context whose manifest and time are those of an archive has that
 * archive's digest. Returns 0, or a negative code.
 */
int context_manifest(struct context *ctx, FILE *manifest, context_known_fn known,
		     context_digest_fn digest_of, void *arg);

/*
 * Read the file 'name' at the top of the context into '*out' (the caller
 * frees; NUL-terminated). Returns 0, or a negative code: ERR_NOTFOUND when
 * there is no such file.
 */
int context_read(char **out, size_t *len, struct context *ctx, const char *name);

/* "sha256:..." of the file 'name' at the top of the context into 'out'
 * ("" when there is none). Returns 0, or a negative code: ERR_NOTFOUND
 * when there is no such file. */
int context_file_digest(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *name);

/* Read file 'name' as context_read() does and hand its bytes to 'parse'
 * with 'arg' and 'name' (for messages); a missing file is nothing to parse:
 * 0 without calling. Returns what 'parse' does, or the read's code. */
int context_parse(struct context *ctx, const char *name, file_parse_fn parse, void *arg);

#endif
