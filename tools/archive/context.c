#include "archive/context.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/gitrepo.h"
#include "util/grow.h"
#include "archive/ignore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum kind { KIND_FILE, KIND_DIR, KIND_LINK, KIND_SUBMODULE, KIND_OTHER };

/* One name in a directory being walked. */
struct child {
	char *key;		/* the name, with '/' appended for a directory */
	size_t namelen;		/* its length without that '/' */
	enum kind kind;
	const struct gitrepo_entry *tree_entry;	/* when walking a revision */
};

/* Files never archived: our own outputs, by device and inode. */
#define CONTEXT_SKIP_MAX 16

struct context {
	char *root;
	char *dockerfile;
	const char *const *never;	/* opts->never, or NULL */
	int dirfd;			/* the root, when reading the working tree */
	struct gitrepo *repo;		/* with a revision, or for HEAD's commit time */
	int have_commit;
	struct gitrepo_commit commit;	/* the revision, resolved once; or HEAD */
	git_oid tree;			/* with a revision: the tree of the context */
	int64_t mtime;
	struct ignore *ignore;
	struct {
		dev_t dev;
		ino_t ino;
	} skip[CONTEXT_SKIP_MAX];
	int nskip;
};

/* What context_manifest() walks with. */
struct manifest_walk {
	FILE *out;
	context_known_fn known;
	context_digest_fn digest_of;
	void *arg;
	int have;		/* 'digest' is the next file's, from 'known' */
	unsigned char digest[SHA256_LEN];
};

struct walker {
	struct context *ctx;
	context_emit_fn emit;
	void *arg;
	struct manifest_walk *manifest;	/* context_manifest()'s, with a 'known' */
	struct buf path;	/* archive path of what is being looked at */
	size_t *pending;	/* directories entered but not yet emitted: */
	size_t npending;	/* the length of each one's path, with its '/' */
	size_t pending_alloc;
	struct ahead *ahead;	/* stats files ahead of the walk, or NULL */
};

/* ---- paths and order ----------------------------------------------------- */

/* Set the walker's path to its first 'at' bytes followed by 'name'. */
static int path_set(struct walker *w, size_t at, const char *name, size_t n)
{
	buf_truncate(&w->path, at);
	return buf_add(&w->path, name, n);
}

static int child_compare(const void *a, const void *b)
{
	return strcmp(((const struct child *)a)->key, ((const struct child *)b)->key);
}

static int child_add(struct child **list, size_t *n, size_t *alloc,
		     const char *name, size_t namelen, enum kind kind)
{
	struct child *c;
	int dir = kind == KIND_DIR || kind == KIND_SUBMODULE;

	if (GROW(*list, *n, *alloc) < 0)
		return -1;
	c = &(*list)[*n];
	if (!(c->key = malloc(namelen + 2)))
		return err_nomem();
	memcpy(c->key, name, namelen);
	c->key[namelen] = '/';
	c->key[namelen + dir] = '\0';
	c->namelen = namelen;
	c->kind = kind;
	c->tree_entry = NULL;
	(*n)++;
	return 0;
}

static void children_free(struct child *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i].key);
	free(list);
}

/* ---- stating ahead -------------------------------------------------------- */

/*
 * With a stat cache (context_manifest()'s 'known') an unchanged tree is
 * proven by stating its files, and stating is most of that work. A helper
 * thread then stats the files of the directory being walked from its last
 * name backwards while the walk goes forwards: each name is claimed by
 * whichever thread gets to it first, so they meet wherever the work
 * divides, with no lock. The walk takes a directory back before it
 * enters a subdirectory (whose descriptor then is the helper's) and hands
 * it over again after. The helper spins between directories (a wake-up
 * costs more than a small directory's stats); it runs only on a machine
 * with more than one processor and only while the walk does.
 */
enum { STAT_FREE, STAT_CLAIMED, STAT_DONE };

struct stat_ahead {
	_Atomic int state;
	int ok;			/* fstatat() succeeded: 'st' is the file's */
	struct stat st;
};

/* One directory's files as the helper sees them. */
struct ahead_dir {
	int dirfd;
	const struct child *children;
	struct stat_ahead *slots;
	size_t back;		/* the helper's: it has been down to here */
};

struct ahead {
	pthread_t thread;
	_Atomic(struct ahead_dir *) job;	/* the directory to work on */
	_Atomic(struct ahead_dir *) working;	/* the one the helper is in */
	_Atomic int stop;
};

/* Spin politely: a pause, and after a while the processor to others. */
static void spin(unsigned *n)
{
	if (++*n % 1024 == 0)
		sched_yield();
	else
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#else
		;
#endif
}

static void *ahead_thread(void *arg)
{
	struct ahead *a = arg;
	unsigned spins = 0;

	while (!atomic_load(&a->stop)) {
		struct ahead_dir *d = atomic_load(&a->job);

		if (!d) {
			spin(&spins);
			continue;
		}
		atomic_store(&a->working, d);
		if (atomic_load(&a->job) == d) {
			while (d->back > 0 && atomic_load(&a->job) == d) {
				struct stat_ahead *slot = &d->slots[d->back - 1];
				int free_state = STAT_FREE;

				if (d->children[d->back - 1].kind != KIND_FILE) {
					d->back--;
					continue;
				}
				if (!atomic_compare_exchange_strong(&slot->state, &free_state,
								    STAT_CLAIMED))
					break;	/* the walk got here: the rest is its */
				slot->ok = fstatat(d->dirfd, d->children[d->back - 1].key,
						   &slot->st, AT_SYMLINK_NOFOLLOW) == 0;
				atomic_store(&slot->state, STAT_DONE);
				d->back--;
			}
			/* done with it, unless the walk has moved on meanwhile */
			atomic_compare_exchange_strong(&a->job, &d, NULL);
		}
		atomic_store(&a->working, NULL);
	}
	return NULL;
}

/* Start the helper for a walk with a stat cache; NULL when not worth it
 * or not possible (the walk then stats every file itself). */
static struct ahead *ahead_start(void)
{
	struct ahead *a;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || !(a = calloc(1, sizeof(*a))))
		return NULL;
	if (pthread_create(&a->thread, NULL, ahead_thread, a) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

static void ahead_stop(struct ahead *a)
{
	if (!a)
		return;
	atomic_store(&a->stop, 1);
	pthread_join(a->thread, NULL);
	free(a);
}

/* Have the helper work on 'd' (again). */
static void ahead_post(struct ahead *a, struct ahead_dir *d)
{
	if (a && d)
		atomic_store(&a->job, d);
}

/* Take 'd' back from the helper: on return it no longer touches it. */
static void ahead_leave(struct ahead *a, struct ahead_dir *d)
{
	struct ahead_dir *expected = d;
	unsigned spins = 0;

	if (!a || !d)
		return;
	atomic_compare_exchange_strong(&a->job, &expected, NULL);
	while (atomic_load(&a->working) == d)
		spin(&spins);
}

/* The stat of file 'i' of 'd': the helper's, or made here. 1 with '*st'
 * set, 0 when it could not be had (the caller then opens the file and
 * says what is wrong). */
static int ahead_stat(struct ahead_dir *d, size_t i, struct stat *st)
{
	struct stat_ahead *slot = &d->slots[i];
	int free_state = STAT_FREE;
	unsigned spins = 0;

	if (atomic_compare_exchange_strong(&slot->state, &free_state, STAT_CLAIMED))
		return fstatat(d->dirfd, d->children[i].key, st, AT_SYMLINK_NOFOLLOW) == 0;
	while (atomic_load(&slot->state) != STAT_DONE)
		spin(&spins);	/* the helper is at it: one fstatat() */
	*st = slot->st;
	return slot->ok;
}

/* ---- what goes in -------------------------------------------------------- */

enum decision { SKIP, INCLUDE, WALK_ONLY };

/* Decide on the walker's current path (no trailing '/'). */
static enum decision decide(struct walker *w, int dir)
{
	for (const char *const *n = w->ctx->never; !dir && n && *n; n++)
		if (!strcmp(w->path.s, *n))
			return SKIP;
	if (!ignore_excluded(w->ctx->ignore, w->path.s))
		return INCLUDE;
	if (dir && ignore_may_include_below(w->ctx->ignore, w->path.s))
		return WALK_ONLY;
	return SKIP;
}

/* Emit the directories we walked into without including them: the parents
 * of something that an exception brought back. */
static int emit_pending(struct walker *w)
{
	for (size_t i = 0; i < w->npending; i++) {
		size_t at = w->pending[i];
		char saved = w->path.s[at];
		struct tar_entry e = { w->path.s, TAR_DIR, 0755, 0, NULL };
		int rc;

		w->path.s[at] = '\0';
		rc = w->emit(w->arg, &e, -1, NULL);
		w->path.s[at] = saved;
		if (rc < 0)
			return -1;
	}
	w->npending = 0;
	return 0;
}

static int emit_entry(struct walker *w, const struct tar_entry *e, int fd, const void *data)
{
	if (w->npending && emit_pending(w) < 0)
		return -1;
	return w->emit(w->arg, e, fd, data);
}

/*
 * Enter the directory at the walker's path: emit it (INCLUDE) or remember it
 * (WALK_ONLY), and add its '/'. Returns the pending depth to leave() with.
 */
static int enter(struct walker *w, enum decision d, size_t *mark)
{
	if (path_set(w, w->path.len, "/", 1) < 0)
		return -1;
	*mark = w->npending;
	if (d == INCLUDE) {
		struct tar_entry e = { w->path.s, TAR_DIR, 0755, 0, NULL };

		return emit_entry(w, &e, -1, NULL);
	}
	if (GROW(w->pending, w->npending, w->pending_alloc) < 0)
		return -1;
	w->pending[w->npending++] = w->path.len;
	return 0;
}

/* Leave a directory: forget it if nothing inside it was included. */
static void leave(struct walker *w, size_t mark)
{
	if (w->npending > mark)
		w->npending = mark;
}

/* 1 when the file or directory 'st' is one never to archive (our outputs). */
static int skipped(const struct context *ctx, const struct stat *st)
{
	for (int i = 0; i < ctx->nskip; i++)
		if (st->st_dev == ctx->skip[i].dev && st->st_ino == ctx->skip[i].ino)
			return 1;
	return 0;
}

/* ---- the working tree ---------------------------------------------------- */

static const char *kind_name(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "a fifo";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	return "not a regular file, directory or symbolic link";
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The archive entry of the regular file at the walker's path whose stat is
 * 'st': mode 0755 when its owner may run it, else 0644 (DESIGN.md 4). */
static struct tar_entry file_entry(const struct walker *w, const struct stat *st)
{
	return (struct tar_entry){ w->path.s, TAR_FILE, st->st_mode & S_IXUSR ? 0755 : 0644,
				   (uint64_t)st->st_size, NULL };
}

/* A file whose digest the manifest's 'known' gives from its stat: emitted
 * without opening it. 1 when done (or skipped), 0 to read it, -1 on error. */
static int known_file(struct walker *w, int dirfd, const char *name,
		      struct ahead_dir *ahead, size_t index)
{
	struct manifest_walk *m = w->manifest;
	struct tar_entry e;
	struct stat st;
	int rc;

	if (!(ahead ? ahead_stat(ahead, index, &st) :
		      fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) ||
	    !S_ISREG(st.st_mode))
		return 0;	/* fs_file() says what is wrong */
	if (skipped(w->ctx, &st))
		return 1;
	e = file_entry(w, &st);
	if ((rc = m->known(m->arg, &e, &st, m->digest)) <= 0)
		return rc < 0 ? -1 : 0;
	m->have = 1;
	rc = emit_entry(w, &e, -1, NULL);
	m->have = 0;
	return rc < 0 ? -1 : 1;
}

/* 'ahead' and 'index': where the helper may have stated it already. */
static int fs_file(struct walker *w, int dirfd, const char *name,
		   struct ahead_dir *ahead, size_t index)
{
	struct stat before, after;
	int fd, rc = -1;

	if (w->manifest && (rc = known_file(w, dirfd, name, ahead, index)) != 0)
		return rc < 0 ? -1 : 0;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_errno("cannot open '%s'", w->path.s);
	if (fstat(fd, &before) < 0) {
		err_errno("cannot stat '%s'", w->path.s);
		goto done;
	}
	if (!S_ISREG(before.st_mode)) {
		err_set("'%s' changed while it was archived: it is no longer a regular file", w->path.s);
		goto done;
	}
	if (skipped(w->ctx, &before)) {
		rc = 0;
		goto done;
	}
	{
		struct tar_entry e = file_entry(w, &before);

		if (emit_entry(w, &e, fd, NULL) < 0)
			goto done;
	}
	if (fstat(fd, &after) < 0) {
		err_errno("cannot stat '%s'", w->path.s);
		goto done;
	}
	if (!same_file(&before, &after)) {
		err_set("'%s' changed while it was archived%s", w->path.s,
			after.st_size > before.st_size ? ": it grew" :
			after.st_size < before.st_size ? ": it shrank" : "");
		goto done;
	}
	rc = 0;
done:
	close(fd);
	return rc;
}

static int fs_link(struct walker *w, int dirfd, const char *name)
{
	size_t size = 256;
	char *target = NULL;
	ssize_t n;
	int rc;

	for (;;) {
		char *t = realloc(target, size);

		if (!t) {
			free(target);
			return err_nomem();
		}
		target = t;
		n = readlinkat(dirfd, name, target, size);
		if (n < 0) {
			free(target);
			return err_errno("cannot read link '%s'", w->path.s);
		}
		if ((size_t)n < size)
			break;
		size *= 2;
	}
	target[n] = '\0';
	{
		struct tar_entry e = { w->path.s, TAR_SYMLINK, 0777, 0, target };

		rc = emit_entry(w, &e, -1, NULL);
	}
	free(target);
	return rc;
}

static enum kind kind_of(int dirfd, struct dirent *d, mode_t *mode)
{
	struct stat st;

	*mode = 0;
	switch (d->d_type) {
	case DT_REG: return KIND_FILE;
	case DT_DIR: return KIND_DIR;
	case DT_LNK: return KIND_LINK;
	case DT_UNKNOWN: break;
	default: return KIND_OTHER;
	}
	if (fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return KIND_OTHER;
	*mode = st.st_mode;
	if (S_ISREG(st.st_mode))
		return KIND_FILE;
	if (S_ISDIR(st.st_mode))
		return KIND_DIR;
	if (S_ISLNK(st.st_mode))
		return KIND_LINK;
	return KIND_OTHER;
}

/*
 * A directory's names in archive order. Up to LISTING_MEMORY bytes of names
 * are held in memory; beyond that each batch is sorted and appended as a
 * run to one unlinked temporary file, and the runs are merged as the names
 * are taken, so that a directory of any size walks in bounded memory and
 * one more descriptor.
 */
#define LISTING_MEMORY (4u << 20)

struct run {
	off_t pos, end;		/* what is left of it in the spill file */
	char buf[4096];
	size_t at, have;
	struct child cur;	/* its next name (key allocated), when 'more' */
	int more;
};

struct listing {
	struct child *mem;	/* the batch in memory, sorted once read */
	size_t n, alloc, bytes, next;
	int spill;		/* the spill file, or -1 */
	off_t spilled;
	struct run *runs;
	size_t nruns, runs_alloc;
	struct child taken;	/* the last name taken from a run */
	char *dir;		/* the directory's path, once it spills */
};

#define LISTING_INIT { NULL, 0, 0, 0, 0, -1, 0, NULL, 0, 0, { NULL, 0, 0, NULL }, NULL }

static void listing_free(struct listing *ls)
{
	children_free(ls->mem, ls->n);
	for (size_t i = 0; i < ls->nruns; i++)
		free(ls->runs[i].cur.key);
	free(ls->runs);
	free(ls->taken.key);
	free(ls->dir);
	if (ls->spill >= 0)
		close(ls->spill);
}

/* Make bytes of run 'r' available: 1, or 0 at its end, or -1 (errno set). */
static int run_fill(const struct listing *ls, struct run *r)
{
	size_t want = sizeof(r->buf);
	ssize_t got;

	if (r->at < r->have)
		return 1;
	if ((off_t)want > r->end - r->pos)
		want = (size_t)(r->end - r->pos);
	if (want == 0)
		return 0;
	if ((got = pread(ls->spill, r->buf, want, r->pos)) <= 0) {
		if (got == 0)
			errno = EIO;	/* the file is shorter than what we wrote */
		return -1;
	}
	r->pos += got;
	r->have = (size_t)got;
	r->at = 0;
	return 1;
}

/* Read run 'r''s next name: a kind byte, then the key and a NUL. */
static int run_next(const struct listing *ls, struct run *r)
{
	struct buf key = BUF_INIT(SIZE_MAX / 2);
	int kind, rc;

	r->more = 0;
	free(r->cur.key);
	r->cur.key = NULL;
	if ((rc = run_fill(ls, r)) <= 0)
		return rc < 0 ? err_errno("cannot read back the listing of '%s'", ls->dir) : 0;
	kind = (unsigned char)r->buf[r->at++];
	for (;;) {
		const char *nul;
		size_t n;

		if ((rc = run_fill(ls, r)) <= 0) {
			buf_release(&key);
			return rc < 0 ? err_errno("cannot read back the listing of '%s'", ls->dir) :
					err_set("cannot read back the listing of '%s': it ends "
						"in a name", ls->dir);
		}
		nul = memchr(r->buf + r->at, '\0', r->have - r->at);
		n = nul ? (size_t)(nul - (r->buf + r->at)) : r->have - r->at;
		if (buf_add(&key, r->buf + r->at, n) < 0)
			return -1;
		r->at += n + (nul != NULL);
		if (nul)
			break;
	}
	if (!(r->cur.key = buf_detach(&key, NULL)))
		return -1;
	r->cur.kind = (enum kind)kind;
	r->cur.namelen = strlen(r->cur.key) - (kind == KIND_DIR || kind == KIND_SUBMODULE);
	r->more = 1;
	return 0;
}

/* Sort the batch in memory and append it to the spill file as a run. */
static int spill(struct listing *ls, const char *dir)
{
	struct buf out = BUF_INIT(SIZE_MAX / 2);
	struct run *r;
	int rc = -1;

	if (!ls->dir && !(ls->dir = strdup(dir)))
		return err_nomem();
	if (ls->spill < 0 && (ls->spill = open(P_tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
		return err_errno("cannot keep the listing of '%s' in a temporary file in %s",
				 dir, P_tmpdir);
	qsort(ls->mem, ls->n, sizeof(*ls->mem), child_compare);
	for (size_t i = 0; i < ls->n; i++) {
		char kind = (char)ls->mem[i].kind;

		if (buf_add(&out, &kind, 1) < 0 ||
		    buf_add(&out, ls->mem[i].key, strlen(ls->mem[i].key) + 1) < 0)
			goto done;
	}
	if (pwrite(ls->spill, out.s, out.len, ls->spilled) != (ssize_t)out.len) {
		err_errno("cannot keep the listing of '%s' in a temporary file in %s", dir,
			  P_tmpdir);
		goto done;
	}
	if (GROW(ls->runs, ls->nruns, ls->runs_alloc) < 0)
		goto done;
	r = &ls->runs[ls->nruns++];
	r->pos = ls->spilled;
	r->end = ls->spilled += (off_t)out.len;
	children_free(ls->mem, ls->n);
	ls->mem = NULL;
	ls->n = ls->alloc = ls->bytes = 0;
	rc = 0;
done:
	buf_release(&out);
	return rc;
}

/* Read the names in 'dirfd' (which stays open) into 'ls', in order. */
static int fs_list(struct walker *w, int dirfd, struct listing *ls)
{
	const char *where = w->path.len ? w->path.s : ".";
	struct dirent *d;
	DIR *dir;
	int fd = dup(dirfd);

	if (fd < 0 || !(dir = fdopendir(fd))) {
		err_errno("cannot read directory '%s'", where);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dir);	/* the dup shares its offset with an earlier walk's */
	errno = 0;
	while ((d = readdir(dir))) {
		size_t len = strlen(d->d_name);
		mode_t mode;

		/* our own temporary files, left by a run that was killed */
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, "..") ||
		    outfile_is_temp(d->d_name))
			continue;
		if (child_add(&ls->mem, &ls->n, &ls->alloc, d->d_name, len,
			      kind_of(dirfd, d, &mode)) < 0)
			goto fail;
		ls->bytes += len + 2 + sizeof(struct child);
		if (ls->bytes > LISTING_MEMORY && spill(ls, where) < 0)
			goto fail;
		errno = 0;
	}
	if (errno) {
		err_errno("cannot read directory '%s'", where);
		goto fail;
	}
	closedir(dir);
	if (ls->n > 1)
		qsort(ls->mem, ls->n, sizeof(*ls->mem), child_compare);
	for (size_t i = 0; i < ls->nruns; i++)
		if (run_next(ls, &ls->runs[i]) < 0)
			return -1;
	return 0;
fail:
	closedir(dir);
	return -1;
}

/* The next name of 'ls' in '*c' (valid until the next call): 1, or 0 at
 * the end, or -1 with the message set. */
static int listing_next(struct listing *ls, struct child **c)
{
	struct run *min = NULL;

	for (size_t i = 0; i < ls->nruns; i++)
		if (ls->runs[i].more && (!min || strcmp(ls->runs[i].cur.key, min->cur.key) < 0))
			min = &ls->runs[i];
	if (ls->next < ls->n && (!min || strcmp(ls->mem[ls->next].key, min->cur.key) < 0)) {
		*c = &ls->mem[ls->next++];
		return 1;
	}
	if (!min)
		return 0;
	free(ls->taken.key);
	ls->taken = min->cur;
	min->cur.key = NULL;
	*c = &ls->taken;
	return run_next(ls, min) < 0 ? -1 : 1;
}

/*
 * Walk the directory open at '*dirfd'. Below WALK_OPEN_MAX levels a
 * directory's descriptor is closed while its subdirectory is walked, and
 * opened again through the subdirectory's ".." (checked to be the same
 * directory), so that any depth fits in a few descriptors; '*dirfd' then
 * changes.
 */
#define WALK_OPEN_MAX 32

/* Directories of more names than this are walked without the helper. */
#define AHEAD_MAX 65536

static int fs_walk(struct walker *w, int *dirfd, int depth)
{
	struct listing ls = LISTING_INIT;
	struct ahead_dir here_ahead, *ahead = NULL;
	struct child *c;
	size_t base = w->path.len, mark;
	int rc = -1, more;

	if (fs_list(w, *dirfd, &ls) < 0)
		goto done;
	if (w->ahead && !ls.nruns && ls.n > 1 && ls.n <= AHEAD_MAX &&
	    (here_ahead.slots = calloc(ls.n, sizeof(*here_ahead.slots)))) {
		here_ahead.dirfd = *dirfd;
		here_ahead.children = ls.mem;
		here_ahead.back = ls.n;
		ahead = &here_ahead;
		ahead_post(w->ahead, ahead);
	}
	while ((more = listing_next(&ls, &c)) > 0) {
		enum decision d;

		if (path_set(w, base, c->key, c->namelen) < 0)
			goto done;
		if ((d = decide(w, c->kind == KIND_DIR)) == SKIP)
			continue;
		if (c->kind == KIND_FILE) {
			if (fs_file(w, *dirfd, c->key, ahead, ahead ? (size_t)(c - ls.mem) : 0) < 0)
				goto done;
		} else if (c->kind == KIND_LINK) {
			if (fs_link(w, *dirfd, c->key) < 0)
				goto done;
		} else if (c->kind == KIND_DIR) {
			int sub = openat(*dirfd, c->key, O_RDONLY | O_DIRECTORY |
					 O_NOFOLLOW | O_CLOEXEC);
			/* c->key still ends in '/'; openat accepts that */
			int far = depth >= WALK_OPEN_MAX;
			struct stat here, back;

			if (sub < 0) {
				err_errno("cannot open directory '%s'", w->path.s);
				goto done;
			}
			if (fstat(sub, &back) == 0 && skipped(w->ctx, &back)) {
				close(sub);	/* a directory of our own, such as the builder's */
				continue;
			}
			/* the helper stays out while '*dirfd' may close */
			ahead_leave(w->ahead, ahead);
			if (far && fstat(*dirfd, &here) < 0) {
				err_errno("cannot stat directory '%s'", w->path.s);
				close(sub);
				goto done;
			}
			if (far) {
				close(*dirfd);
				*dirfd = -1;
			}
			if (enter(w, d, &mark) < 0 || fs_walk(w, &sub, depth + 1) < 0) {
				close(sub);
				goto done;
			}
			if (far) {
				*dirfd = openat(sub, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
				if (*dirfd < 0 || fstat(*dirfd, &back) < 0 ||
				    back.st_dev != here.st_dev || back.st_ino != here.st_ino) {
					err_set("directory '%s' moved while it was archived", w->path.s);
					close(sub);
					goto done;
				}
			}
			close(sub);
			leave(w, mark);
			if (ahead) {	/* the rest of this one */
				ahead->dirfd = *dirfd;
				ahead_post(w->ahead, ahead);
			}
		} else {
			struct stat st;

			if (fstatat(*dirfd, c->key, &st, AT_SYMLINK_NOFOLLOW) < 0)
				err_errno("cannot stat '%s'", w->path.s);
			else
				err_set("cannot archive '%s': it is %s", w->path.s,
					kind_name(st.st_mode));
			goto done;
		}
	}
	rc = more < 0 ? -1 : 0;
done:
	if (ahead) {
		ahead_leave(w->ahead, ahead);
		free(ahead->slots);
	}
	listing_free(&ls);
	buf_truncate(&w->path, base);
	return rc;
}

/* ---- a git revision ------------------------------------------------------ */

static int git_file(struct walker *w, const struct gitrepo_entry *te)
{
	struct gitrepo_blob blob;
	int rc;

	if ((rc = gitrepo_blob_open(&blob, w->ctx->repo, &te->id, w->path.s)) < 0)
		return rc;
	{
		struct tar_entry e = { w->path.s, TAR_FILE, te->kind == GITREPO_EXEC ? 0755 : 0644,
				   (uint64_t)blob.len, NULL };

		rc = emit_entry(w, &e, -1, blob.data);
	}
	gitrepo_blob_release(&blob);
	return rc;
}

static int git_link(struct walker *w, const struct gitrepo_entry *te)
{
	struct gitrepo_blob blob;
	char *target;
	int rc;

	if ((rc = gitrepo_blob_open(&blob, w->ctx->repo, &te->id, w->path.s)) < 0)
		return rc;
	target = memchr(blob.data, '\0', blob.len) ? NULL : strndup(blob.data, blob.len);
	rc = !target && memchr(blob.data, '\0', blob.len) ?
		     err_set("cannot archive link '%s': its target holds a NUL byte", w->path.s) :
		     !target ? err_nomem() : 0;
	gitrepo_blob_release(&blob);
	if (rc < 0)
		return rc;
	{
		struct tar_entry e = { w->path.s, TAR_SYMLINK, 0777, 0, target };

		rc = emit_entry(w, &e, -1, NULL);
	}
	free(target);
	return rc;
}

static enum kind git_kind(enum gitrepo_kind k)
{
	switch (k) {
	case GITREPO_TREE: return KIND_DIR;
	case GITREPO_LINK: return KIND_LINK;
	case GITREPO_SUBMODULE: return KIND_SUBMODULE;
	default: return KIND_FILE;
	}
}

static int git_walk(struct walker *w, const git_oid *tree)
{
	size_t count, n = 0, alloc = 0, base = w->path.len, mark;
	struct gitrepo_entry *entries;
	struct child *list = NULL;
	int rc;

	if ((rc = gitrepo_tree_entries(&entries, &count, w->ctx->repo, tree)) < 0)
		return rc;
	rc = -1;
	for (size_t i = 0; i < count; i++) {
		if (child_add(&list, &n, &alloc, entries[i].name, strlen(entries[i].name),
			      git_kind(entries[i].kind)) < 0)
			goto done;
		list[n - 1].tree_entry = &entries[i];
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), child_compare);
	for (size_t i = 0; i < n; i++) {
		struct child *c = &list[i];
		enum decision d;

		if (path_set(w, base, c->key, c->namelen) < 0)
			goto done;
		if ((d = decide(w, c->kind == KIND_DIR || c->kind == KIND_SUBMODULE)) == SKIP)
			continue;
		if (c->kind == KIND_FILE) {
			if (git_file(w, c->tree_entry) < 0)
				goto done;
		} else if (c->kind == KIND_LINK) {
			if (git_link(w, c->tree_entry) < 0)
				goto done;
		} else if (c->kind == KIND_SUBMODULE) {
			/* like git archive: a submodule is an empty directory */
			if (d == INCLUDE && enter(w, d, &mark) < 0)
				goto done;
		} else if (enter(w, d, &mark) < 0 || git_walk(w, &c->tree_entry->id) < 0) {
			goto done;
		} else {
			leave(w, mark);
		}
	}
	rc = 0;
done:
	children_free(list, n);
	gitrepo_entries_free(entries, count);
	buf_truncate(&w->path, base);
	return rc;
}

/* ---- the context --------------------------------------------------------- */

/* The latest time every tar reader takes: what a ustar header holds, 11
 * octal digits (2242-03-16). Later ones need a pax record, which bsdtar
 * mishandles for huge values. */
#define EPOCH_MAX 077777777777LL

int context_parse_epoch(int64_t *out, const char *s)
{
	int64_t v = 0;

	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - (*p - '0')) / 10)
			return err_set("invalid SOURCE_DATE_EPOCH '%s': not a non-negative integer of seconds", s);
		v = v * 10 + (*p - '0');
	}
	if (v > EPOCH_MAX)
		return err_set("invalid SOURCE_DATE_EPOCH '%s': later than %lld (2242-03-16), the "
			       "last time every tar reader takes", s, EPOCH_MAX);
	*out = v;
	return 0;
}

/* Open the repository and resolve opts->rev once, to the commit and the
 * tree of the context inside it. */
static int open_revision(struct context *ctx, const char *rev)
{
	char *prefix = NULL, real[PATH_MAX];
	int rc = gitrepo_open(&ctx->repo, ctx->root);

	if (rc == ERR_NOTFOUND)
		return err_code_set(ERR_NOTFOUND, "--rev needs a git repository, and '%s' is not "
				    "in one", realpath(ctx->root, real) ? real : ctx->root);
	if (rc < 0 || (rc = gitrepo_resolve(&ctx->commit, ctx->repo, rev)) < 0 ||
	    (rc = gitrepo_prefix(&prefix, ctx->repo, ctx->root)) < 0)
		return rc;
	ctx->have_commit = 1;
	rc = gitrepo_subtree(&ctx->tree, ctx->repo, &ctx->commit.tree, prefix);
	if (rc == ERR_NOTFOUND)
		rc = err_set("'%s' is not a directory in revision '%s'", prefix, rev);
	free(prefix);
	return rc;
}

/* Without SOURCE_DATE_EPOCH or a revision: HEAD's commit, when the context
 * is in a repository that has one. */
static int find_head(struct context *ctx)
{
	int rc = gitrepo_open(&ctx->repo, ctx->root);

	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	rc = gitrepo_resolve(&ctx->commit, ctx->repo, "HEAD");
	if (rc == ERR_NOTFOUND)
		return 0;	/* no commit yet */
	ctx->have_commit = rc == 0;
	return rc;
}

/* Read the context's .dockerignore, if there is one, and keep the build files. */
static int read_ignore(struct context *ctx)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = context_read(&text, &len, ctx, ".dockerignore");
	if (rc == ERR_NOTFOUND)
		rc = (ctx->ignore = ignore_empty()) ? 0 : err_nomem();
	else if (rc == 0)
		rc = ignore_parse(&ctx->ignore, text, len, ".dockerignore");
	free(text);
	if (rc < 0 || (rc = ignore_keep(ctx->ignore, ".dockerignore")) < 0)
		return rc;
	return ignore_keep(ctx->ignore, ctx->dockerfile);
}

int context_open(struct context **out, const struct context_opts *opts)
{
	struct context *ctx = calloc(1, sizeof(*ctx));
	const char *epoch = opts->source_date_epoch;
	int rc;

	*out = NULL;
	if (!ctx)
		return err_nomem();
	ctx->dirfd = -1;
	ctx->never = opts->never;
	if (!(ctx->root = strdup(opts->root)) ||
	    !(ctx->dockerfile = strdup(opts->dockerfile ? opts->dockerfile : "Dockerfile"))) {
		rc = err_nomem();
		goto fail;
	}
	if (epoch && *epoch && (rc = context_parse_epoch(&ctx->mtime, epoch)) < 0)
		goto fail;
	if (opts->rev) {
		if ((rc = open_revision(ctx, opts->rev)) < 0)
			goto fail;
	} else {
		ctx->dirfd = open(opts->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (ctx->dirfd < 0) {
			rc = err_errno("cannot open context directory '%s'", opts->root);
			goto fail;
		}
		if ((!epoch || !*epoch) && (rc = find_head(ctx)) < 0)
			goto fail;
	}
	if ((!epoch || !*epoch) && ctx->have_commit) {
		if (ctx->commit.time < 0 || ctx->commit.time > EPOCH_MAX) {
			rc = err_set("commit time of '%s' is %s", opts->rev ? opts->rev : "HEAD",
				     ctx->commit.time < 0 ? "before 1970" :
				     "after 2242-03-16, the last time every tar reader takes");
			goto fail;
		}
		ctx->mtime = ctx->commit.time;
	}
	if ((rc = read_ignore(ctx)) < 0)
		goto fail;
	*out = ctx;
	return 0;
fail:
	context_free(ctx);
	return rc;
}

void context_free(struct context *ctx)
{
	if (!ctx)
		return;
	if (ctx->dirfd >= 0)
		close(ctx->dirfd);
	gitrepo_free(ctx->repo);
	ignore_free(ctx->ignore);
	free(ctx->root);
	free(ctx->dockerfile);
	free(ctx);
}

const char *context_commit(const struct context *ctx)
{
	return ctx->have_commit ? ctx->commit.id : NULL;
}

int64_t context_mtime(const struct context *ctx)
{
	return ctx->mtime;
}

static int skip(struct context *ctx, const struct stat *st)
{
	if (skipped(ctx, st))
		return 0;
	if (ctx->nskip == CONTEXT_SKIP_MAX)
		return err_set("too many outputs to leave out of the context");
	ctx->skip[ctx->nskip].dev = st->st_dev;
	ctx->skip[ctx->nskip].ino = st->st_ino;
	ctx->nskip++;
	return 0;
}

int context_skip(struct context *ctx, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_errno("cannot stat an output file");
	return skip(ctx, &st);
}

int context_skip_path(struct context *ctx, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_errno("cannot stat '%s'", path);
	return S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) ? skip(ctx, &st) : 0;
}

int context_holds(struct context *ctx, const char *path)
{
	char *root = NULL, *real = NULL;
	size_t n;
	struct stat st;
	int rc = 0;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (!(root = path_resolve(ctx->root)) || !(real = path_resolve(path))) {
		rc = -1;
	} else {
		n = strlen(root);
		if (!strcmp(root, "/"))
			n = 0;
		if (!strncmp(real, root, n) && real[n] == '/')
			rc = !ignore_excluded(ctx->ignore, real + n + 1);
	}
	free(root);
	free(real);
	return rc;
}

static int walk(struct context *ctx, context_emit_fn emit, void *arg, struct manifest_walk *m)
{
	struct walker w = { .ctx = ctx, .emit = emit, .arg = arg, .manifest = m,
			    .path = BUF_INIT(SIZE_MAX / 2) };
	int rc;

	if (m && m->known && ctx->dirfd >= 0)
		w.ahead = ahead_start();
	if ((rc = path_set(&w, 0, "", 0)) == 0)
		rc = ctx->dirfd >= 0 ? fs_walk(&w, &ctx->dirfd, 0) : git_walk(&w, &ctx->tree);
	ahead_stop(w.ahead);
	buf_release(&w.path);
	free(w.pending);
	return rc;
}

int context_walk(struct context *ctx, context_emit_fn emit, void *arg)
{
	return walk(ctx, emit, arg, NULL);
}

/*
 * Find 'name' in the revision as the working tree would open it: through
 * symbolic links (at most 40), each resolved against its directory, never
 * one leading out of the context. '*path' gets the file's path.
 */
static int rev_find(struct gitrepo_entry *e, char **path, struct context *ctx,
		    const char *name)
{
	struct gitrepo_blob link;
	char *p = strdup(name), *next;
	int rc, hops = 0;

	*path = NULL;
	if (!p)
		return err_nomem();
	for (;;) {
		if ((rc = gitrepo_tree_find(e, ctx->repo, &ctx->tree, p)) < 0) {
			err_code_set(rc, "cannot read '%s': not in revision %s", name,
				     ctx->commit.id);
			break;
		}
		if (e->kind != GITREPO_LINK) {
			*path = p;
			return 0;
		}
		if (++hops > 40) {
			rc = err_set("cannot read '%s': more than 40 links in revision %s", name,
				     ctx->commit.id);
			break;
		}
		if ((rc = gitrepo_blob_open(&link, ctx->repo, &e->id, p)) < 0)
			break;
		/* the target, relative to the link's directory; an absolute
		 * one, or one climbing above the context, leaves the revision */
		next = NULL;
		if (link.len && ((const char *)link.data)[0] != '/' &&
		    !memchr(link.data, '\0', link.len)) {
			const char *slash = strrchr(p, '/');
			int dirlen = slash ? (int)(slash - p + 1) : 0;

			if (asprintf(&next, "%.*s%.*s", dirlen, p, (int)link.len,
				     (const char *)link.data) < 0) {
				gitrepo_blob_release(&link);
				rc = err_nomem();
				break;
			}
			path_clean(next);
		}
		gitrepo_blob_release(&link);
		if (!next || !strcmp(next, "..") || !strncmp(next, "../", 3)) {
			free(next);
			rc = err_set("cannot read '%s': a link leading out of the context in "
				     "revision %s", name, ctx->commit.id);
			break;
		}
		free(p);
		p = next;
	}
	free(p);
	return rc;
}

int context_read(char **out, size_t *len, struct context *ctx, const char *name)
{
	struct gitrepo_entry e;
	struct gitrepo_blob blob;
	char *path;
	int rc;

	*out = NULL;
	*len = 0;
	if (ctx->dirfd >= 0)
		return file_read_at(out, len, ctx->dirfd, name);
	if ((rc = rev_find(&e, &path, ctx, name)) < 0)
		return rc;
	if (e.kind != GITREPO_FILE && e.kind != GITREPO_EXEC) {
		free(path);
		return err_code_set(ERR_NOTFOUND, "cannot read '%s': not a file in revision %s",
				    name, ctx->commit.id);
	}
	rc = gitrepo_blob_open(&blob, ctx->repo, &e.id, path);
	free(path);
	if (rc < 0)
		return rc;
	if ((*out = malloc(blob.len + 1))) {
		memcpy(*out, blob.data, blob.len);
		(*out)[blob.len] = '\0';
		*len = blob.len;
	} else {
		rc = err_nomem();
	}
	gitrepo_blob_release(&blob);
	return rc;
}

int context_parse(struct context *ctx, const char *name, file_parse_fn parse, void *arg)
{
	char *text = NULL;
	size_t len = 0;
	int rc = context_read(&text, &len, ctx, name);

	return file_parse_read(rc, text, len, name, parse, arg);
}

int context_file_digest(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *name)
{
	char *text;
	size_t len;
	int rc;

	out[0] = '\0';
	if ((rc = context_read(&text, &len, ctx, name)) < 0)
		return rc;
	rc = sha256_string(out, text, len);
	free(text);
	return rc;
}

static int add_entry(void *arg, const struct tar_entry *e, int fd, const void *data)
{
	return tar_writer_add(arg, e, fd, data);
}

int context_archive(unsigned char digest[SHA256_LEN], struct context *ctx, int fd,
		    const char *name, FILE *manifest)
{
	struct tar_options topts = { .fd = fd, .name = name, .manifest = manifest,
				    .mtime = ctx->mtime };
	struct tar_writer *w = NULL;
	int rc;

	if ((rc = tar_writer_new(&w, &topts)) == 0 && (rc = context_walk(ctx, add_entry, w)) == 0)
		rc = tar_writer_finish(w, digest);
	tar_writer_free(w);
	return rc;
}

static int manifest_entry(void *arg, const struct tar_entry *e, int fd, const void *data)
{
	struct manifest_walk *m = arg;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_STRING_LEN + 1];
	size_t head, len;
	char *line = tar_manifest_line(e, &head, &len);
	int rc = 0;

	if (!line)
		return -1;
	if (e->type == TAR_FILE) {
		if (m->have)
			memcpy(d, m->digest, SHA256_LEN);
		else if (m->digest_of)
			rc = m->digest_of(m->arg, e, fd, data, d);
		else
			rc = fd >= 0 ? sha256_fd(d, fd, e->size, e->path)
				     : sha256_buffer(d, data, (size_t)e->size);
		sha256_format(hex, d);
	}
	if (rc == 0) {
		fwrite(line, 1, head, m->out);
		if (e->type == TAR_FILE)
			fputs(hex, m->out);
		fwrite(line + head, 1, len - head, m->out);
	}
	free(line);
	return rc < 0 ? -1 : 0;
}

int context_manifest(struct context *ctx, FILE *manifest, context_known_fn known,
		     context_digest_fn digest_of, void *arg)
{
	struct manifest_walk m = { manifest, known, digest_of, arg, 0, { 0 } };

	return walk(ctx, manifest_entry, &m, known ? &m : NULL);
}
