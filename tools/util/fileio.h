#ifndef PINNED_FILEIO_H
#define PINNED_FILEIO_H

#include <stddef.h>

/*
 * An output that appears whole or not at all: a temporary file beside the
 * target, synced and renamed over it on outfile_commit(), with the mode the
 * target had (a new file: 0666 less the umask). "-" is standard output and
 * an existing non-regular file (/dev/null, a fifo) is written directly;
 * neither can be made atomic. A symbolic link is written through: the file
 * it leads to is replaced, the link stays.
 */
struct outfile {
	char *path;	/* the target: as given, or the file a link leads to */
	char *tmp;	/* the temporary file, or NULL when writing directly */
	int fd;
};

/* Open 'path' for writing. Returns 0, or -1 with err_msg() set. */
int outfile_open(struct outfile *out, const char *path);

/* An output of 'len' bytes at 'data', whole or not at all: open, write,
 * commit. Returns 0, or -1 with err_msg() set. */
int outfile_write(const char *path, const void *data, size_t len);

/* Sync, close and rename into place. Returns 0, or -1 with err_msg() set
 * (the temporary file is then removed). */
int outfile_commit(struct outfile *out);

/*
 * Commit up to OUTFILE_GROUP_MAX outputs together: all are in place, or
 * none is and every target holds its old bytes (each new file is swapped
 * with its target, and swapped back when a later one fails). On failure
 * all are aborted.
 */
#define OUTFILE_GROUP_MAX 4
int outfile_commit_all(struct outfile **outs, size_t n);

/*
 * Remove every temporary file of an output not yet committed or aborted.
 * Async-signal-safe: for a handler of SIGINT, SIGTERM and SIGHUP.
 */
#define OUTFILE_PENDING_MAX 8
void outfile_remove_pending(void);

/* 1 when the last component of 'name' is one of our temporary files. */
int outfile_is_temp(const char *name);

/* Close and remove the temporary file; leave the target as it was. Accepts
 * an outfile that was never opened (zeroed) or already committed. */
void outfile_abort(struct outfile *out);

/*
 * Go's filepath.Clean, in place: the shortest path naming the same file by
 * lexical processing ("a/./b/../c" is "a/c"; "" is "."; a leading ".." of
 * a relative path stays).
 */
void path_clean(char *path);

/*
 * The absolute name of 'path' with every link resolved, for a file that
 * may not exist yet (then its directory is resolved). Caller frees; NULL
 * with ERR_NOMEM, or with the directory's errno message.
 */
char *path_resolve(const char *path);

/* 1 when 'a' and 'b' name the same file, existing or not; 0 when not (or
 * when one's directory cannot be resolved); ERR_NOMEM. */
int path_same(const char *a, const char *b);

/* Make the folder 'path' and every folder it is in that is missing, as
 * mkdir -p. Returns 0, or -1 with "cannot make directory 'DIR': why". */
int dir_make(const char *path);

/* Write all 'len' bytes to 'fd', retrying short writes. Returns 0, or -1
 * with errno set (no message: the caller knows what it was writing). */
int write_all(int fd, const void *data, size_t len);

/*
 * Read all of 'name' (relative to 'dirfd', or AT_FDCWD) into a new buffer
 * with a NUL after the last byte; the caller frees '*out'. At most
 * BUF_MAX_TEXT bytes: more is ERR_TOOBIG, so a link to /dev/zero ends.
 * Returns 0, or a negative code with the message "cannot read 'NAME': why"
 * (ERR_NOTFOUND for a missing file).
 */
int file_read_at(char **out, size_t *len, int dirfd, const char *name);

/*
 * Read all of 'path' (as file_read_at) and hand its bytes to 'parse' with
 * 'arg' and 'path' (for messages): a lock file's reader. A missing file is
 * nothing to parse: 0 without calling 'parse'. Returns what 'parse' does,
 * or the read's negative code.
 */
typedef int (*file_parse_fn)(void *arg, const char *text, size_t len, const char *name);
int file_parse(const char *path, file_parse_fn parse, void *arg);

/* What file_parse() does after its read, for readers of other sources: a
 * read that returned 'rc' with 'text' (taken, freed here) and 'len'. */
int file_parse_read(int rc, char *text, size_t len, const char *name, file_parse_fn parse,
		    void *arg);

#endif
