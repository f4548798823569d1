#include "util/fileio.h"
#include "util/buf.h"
#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Go's filepath.Clean, in place: the shortest path naming the same file by
 * lexical processing. "" becomes ".".
 */
void path_clean(char *path)
{
	size_t len = strlen(path), r = 0, w = 0, dotdot = 0;
	int rooted = path[0] == '/';

	if (len == 0) {
		strcpy(path, ".");
		return;
	}
	if (rooted) {
		w = r = 1;
		dotdot = 1;
	}
	while (r < len) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == len || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' &&
			   (r + 2 == len || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && path[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					path[w++] = '/';
				path[w++] = '.';
				path[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				path[w++] = '/';
			for (; r < len && path[r] != '/'; r++)
				path[w++] = path[r];
		}
	}
	if (w == 0)
		path[w++] = '.';
	path[w] = '\0';
}

/*
 * Our temporary files ".NAME.pinned-tmp.XXXXXX", and those not yet renamed
 * or removed, for outfile_remove_pending() in a signal handler: a slot is
 * set only after its string is complete, and cleared before it is freed.
 */
#define TEMP_TAG ".pinned-tmp."

static const char *volatile pending[OUTFILE_PENDING_MAX];

/*
 * Hold off the signals that remove pending files while a temporary file is
 * made and recorded, and while a group is put in place: a handler then
 * never misses a file, nor undoes half a group.
 */
static void hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

static void pending_add(const char *tmp)
{
	for (size_t i = 0; i < OUTFILE_PENDING_MAX; i++)
		if (!pending[i]) {
			pending[i] = tmp;
			return;
		}
}

static void pending_drop(const char *tmp)
{
	for (size_t i = 0; i < OUTFILE_PENDING_MAX; i++)
		if (pending[i] == tmp)
			pending[i] = NULL;
}

char *path_resolve(const char *path)
{
	char *copy, *dir, *real, *out = NULL;
	const char *base;

	if ((real = realpath(path, NULL)) || errno != ENOENT)
		return real ? real : (err_errno("cannot resolve '%s'", path), NULL);
	if (!(copy = strdup(path)))
		return err_nomem(), NULL;
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dir = dirname(copy);
	if (!(real = realpath(dir, NULL)))
		err_errno("cannot resolve '%s'", dir);
	else if (asprintf(&out, "%s/%s", strcmp(real, "/") ? real : "", base) < 0)
		out = NULL, err_nomem();
	free(real);
	free(copy);
	return out;
}

int path_same(const char *a, const char *b)
{
	char *ra = path_resolve(a), *rb = ra ? path_resolve(b) : NULL;
	/* one whose directory is missing is no file that exists */
	int same = ra && rb ? !strcmp(ra, rb) : err_code() == ERR_NOMEM ? -1 : 0;

	free(ra);
	free(rb);
	return same;
}

int outfile_open(struct outfile *out, const char *path)
{
	sigset_t held;
	struct stat st, lst;
	mode_t mask, mode;
	char *dir, *real = NULL;
	int exists;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!strcmp(path, "-")) {
		out->fd = STDOUT_FILENO;
		return (out->path = strdup(path)) ? 0 : err_nomem();
	}
	if (!*path)
		return err_set("cannot write '': an empty file name");
	if (path[strlen(path) - 1] == '/')
		return err_set("cannot write '%s': a file name cannot end in '/'", path);
	/* a link to a file is written through: the file is replaced, the link kept */
	exists = stat(path, &st) == 0;
	if (exists && S_ISREG(st.st_mode) && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
		if (!(real = realpath(path, NULL)))
			return err_errno("cannot write '%s'", path);
		path = real;
	}
	out->path = strdup(path);
	free(real);
	if (!out->path)
		return err_nomem();
	path = out->path;
	if (exists && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			goto fail;
		}
		if ((out->fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			goto fail;
		return 0;
	}
	if (!(dir = strdup(path))) {
		outfile_abort(out);
		return err_nomem();
	}
	if (asprintf(&out->tmp, "%s/.%s" TEMP_TAG "XXXXXX", dirname(dir),
		     strrchr(path, '/') ? strrchr(path, '/') + 1 : path) < 0) {
		out->tmp = NULL;
		free(dir);
		outfile_abort(out);
		return err_nomem();
	}
	free(dir);
	hold_signals(&held);
	if ((out->fd = mkostemp(out->tmp, O_CLOEXEC)) < 0) {
		release_signals(&held);
		free(out->tmp);
		out->tmp = NULL;
		goto fail;
	}
	pending_add(out->tmp);
	release_signals(&held);
	/* a rewrite keeps the file's mode; a new file gets the umask's */
	mask = umask(0);
	umask(mask);
	mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
	if (fchmod(out->fd, mode) < 0)
		goto fail;
	return 0;
fail:
	err_errno("cannot write '%s'", path);
	outfile_abort(out);
	return -1;
}

/* Durably record a rename in the directory of 'path'. */
static void sync_dir_of(const char *path)
{
	char *dir = strdup(path);
	int dirfd;

	if (!dir)
		return;
	if ((dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dirfd);
		close(dirfd);
	}
	free(dir);
}

/* Put 'out' in place: swap it with the target when there is one, so that
 * the old bytes stay at out->tmp until the whole group is in. */
static int put_in_place(struct outfile *out, int *swapped)
{
	*swapped = 0;
	if (renameat2(AT_FDCWD, out->tmp, AT_FDCWD, out->path, RENAME_EXCHANGE) == 0) {
		*swapped = 1;
		return 0;
	}
	if (errno != ENOENT && errno != EINVAL)	/* EINVAL: no swapping on this file system */
		return -1;
	return rename(out->tmp, out->path);
}

int outfile_commit_all(struct outfile **outs, size_t n)
{
	size_t i, placed;
	int swapped[OUTFILE_GROUP_MAX] = { 0 };
	sigset_t held;

	if (n > OUTFILE_GROUP_MAX)
		return err_set("internal: more than %d outputs at once", OUTFILE_GROUP_MAX);
	for (i = 0; i < n; i++) {
		struct outfile *out = outs[i];
		int bad = out->tmp ? fsync(out->fd) < 0 || close(out->fd) < 0 :
			  out->fd > STDOUT_FILENO && close(out->fd) < 0;

		out->fd = -1;
		if (bad) {
			err_errno("cannot write '%s'", out->path);
			goto abort;
		}
	}
	hold_signals(&held);
	for (placed = 0; placed < n; placed++) {
		struct outfile *out = outs[placed];

		if (out->tmp && put_in_place(out, &swapped[placed]) < 0) {
			err_errno("cannot rename '%s' to '%s'", out->tmp, out->path);
			/* undo: the old files back, the new ones gone */
			while (placed-- > 0) {
				out = outs[placed];
				if (!out->tmp)
					continue;
				if (swapped[placed])
					renameat2(AT_FDCWD, out->tmp, AT_FDCWD, out->path,
						  RENAME_EXCHANGE);
				else
					rename(out->path, out->tmp);
			}
			release_signals(&held);
			goto abort;
		}
	}
	for (i = 0; i < n; i++) {
		struct outfile *out = outs[i];

		if (out->tmp) {
			if (swapped[i])
				unlink(out->tmp);	/* the old bytes */
			sync_dir_of(out->path);
			pending_drop(out->tmp);
			free(out->tmp);
			out->tmp = NULL;
		}
		free(out->path);
		out->path = NULL;
	}
	release_signals(&held);
	return 0;
abort:
	for (i = 0; i < n; i++)
		outfile_abort(outs[i]);
	return -1;
}

int outfile_write(const char *path, const void *data, size_t len)
{
	struct outfile out;

	if (outfile_open(&out, path) < 0)
		return -1;
	if (write_all(out.fd, data, len) < 0) {
		err_errno("cannot write '%s'", path);
		outfile_abort(&out);
		return -1;
	}
	return outfile_commit(&out);
}

int outfile_commit(struct outfile *out)
{
	return outfile_commit_all(&out, 1);
}

void outfile_abort(struct outfile *out)
{
	if (out->fd > STDOUT_FILENO)
		close(out->fd);
	out->fd = -1;
	if (out->tmp) {
		unlink(out->tmp);
		pending_drop(out->tmp);
	}
	free(out->tmp);
	out->tmp = NULL;
	free(out->path);
	out->path = NULL;
}

void outfile_remove_pending(void)
{
	for (size_t i = 0; i < OUTFILE_PENDING_MAX; i++) {
		const char *tmp = pending[i];

		if (tmp)
			unlink(tmp);
	}
}

int outfile_is_temp(const char *name)
{
	const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
	size_t len = strlen(base), tag = strlen(TEMP_TAG);

	if (base[0] != '.' || len < 1 + tag + 6)
		return 0;
	for (size_t i = len - 6; i < len; i++)
		if (!isalnum((unsigned char)base[i]))
			return 0;
	return !memcmp(base + len - 6 - tag, TEMP_TAG, tag);
}

int dir_make(const char *path)
{
	char *dir = strdup(path);
	int rc = 0;

	if (!dir)
		return err_nomem();
	for (char *p = dir + 1; rc == 0; p++) {
		char c = *p;

		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) < 0 && errno != EEXIST)
			rc = err_errno("cannot make directory '%s'", dir);
		*p = c;
		if (!c)
			break;
	}
	free(dir);
	return rc;
}

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int file_read_at(char **out, size_t *len, int dirfd, const char *name)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	char chunk[65536];
	ssize_t r;
	int fd, rc = -1;

	*out = NULL;
	*len = 0;
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0)
		return err_errno("cannot read '%s'", name);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = err_errno("cannot read '%s'", name);
			goto done;
		}
		if (r == 0)
			break;
		if (buf_add(&b, chunk, (size_t)r) < 0) {
			rc = err_prefix("cannot read '%s'", name);
			goto done;
		}
	}
	rc = (*out = buf_detach(&b, len)) ? 0 : ERR_NOMEM;
done:
	close(fd);
	buf_release(&b);
	return rc;
}

int file_parse_read(int rc, char *text, size_t len, const char *name, file_parse_fn parse,
		    void *arg)
{
	if (rc == 0)
		rc = parse(arg, text, len, name);
	else if (rc == ERR_NOTFOUND)
		rc = 0;
	free(text);
	return rc;
}

int file_parse(const char *path, file_parse_fn parse, void *arg)
{
	char *text = NULL;
	size_t len = 0;
	int rc = file_read_at(&text, &len, AT_FDCWD, path);

	return file_parse_read(rc, text, len, path, parse, arg);
}
