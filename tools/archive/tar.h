#ifndef PINNED_TAR_H
#define PINNED_TAR_H

#include <stdint.h>
#include <stdio.h>

#include "util/sha256.h"

enum tar_entry_type { TAR_FILE, TAR_DIR, TAR_SYMLINK };

/* One archive member, already normalised (DESIGN.md section 4). */
struct tar_entry {
	const char *path;	/* relative, '/'-separated; a directory's ends in '/' */
	enum tar_entry_type type;
	unsigned int mode;	/* 0644 or 0755; 0777 for a symbolic link */
	uint64_t size;		/* TAR_FILE: length of the content */
	const char *target;	/* TAR_SYMLINK: the link's text */
};

/*
 * The header block(s) of 'e': one ustar block, preceded by a pax extended
 * header when the path, link target, size or mtime does not fit ustar.
 * uid/gid 0, empty user and group names. Writes into 'out' (at least
 * TAR_HEADER_MAX bytes) and returns the length, a multiple of 512, or 0
 * when the path or target exceed TAR_NAME_MAX.
 */
#define TAR_NAME_MAX 16384
#define TAR_HEADER_MAX (3 * 512 + 2 * TAR_NAME_MAX + 160)
size_t tar_header(unsigned char *out, const struct tar_entry *e, int64_t mtime);

/*
 * The manifest line of 'e' (DESIGN.md section 4):
 * "TYPE\tMODE\tSIZE\tDIGEST\tPATH[\tTARGET]\n", the path and target
 * escaped, without a file's digest: it goes at offset '*head' (a
 * directory's or link's "-" is in the line). '*len' is the line's length.
 * The caller frees it. NULL with the message set when out of memory.
 */
char *tar_manifest_line(const struct tar_entry *e, size_t *head, size_t *len);

struct tar_writer;

/* When the reading thread hands the rest of a file to the worker (see
 * tar.c); only the tests choose other than AUTO. */
enum tar_handoff { TAR_HANDOFF_AUTO, TAR_HANDOFF_ALWAYS, TAR_HANDOFF_NEVER };

struct tar_options {
	int fd;			/* where the archive goes, or -1 to only hash it */
	const char *name;	/* what 'fd' is, for messages */
	FILE *manifest;		/* per-entry manifest lines, or NULL */
	int64_t mtime;		/* every entry's modification time */
	enum tar_handoff handoff;
};

/*
 * Start an archive. Reading, hashing and writing run concurrently: the
 * caller's thread reads content, one thread hashes the stream and writes
 * it to 'fd', one more hashes each file for the manifest. Memory use is
 * bounded whatever the archive's size.
 * Returns 0 and the writer in '*out' (free with tar_writer_free()), or -1
 * with err_msg() set.
 */
int tar_writer_new(struct tar_writer **out, const struct tar_options *opts);

/*
 * Add 'e'. A file's content is the first e->size bytes read from 'fd' (fewer
 * is an error: the file shrank while it was read; the caller checks with
 * fstat() afterwards that it did not change otherwise), or, when 'fd' is
 * -1, taken from 'data'. Returns 0, or -1 with err_msg() set.
 */
int tar_writer_add(struct tar_writer *w, const struct tar_entry *e, int fd,
		   const void *data);

/*
 * End the archive, wait until every byte is hashed and written, and give
 * the SHA-256 of the whole archive. Returns 0, or -1 with err_msg() set.
 */
int tar_writer_finish(struct tar_writer *w, unsigned char digest[SHA256_LEN]);

/* How many files were handed to the worker part way through. */
unsigned long tar_writer_handoffs(const struct tar_writer *w);

/* Stop the threads and release everything; accepts NULL. */
void tar_writer_free(struct tar_writer *w);

#endif
