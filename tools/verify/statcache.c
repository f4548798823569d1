#include "verify/statcache.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/grow.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEADER "pinned stat cache 1\n"

struct entry {
	char *path;
	unsigned char digest[SHA256_LEN];
	unsigned long long dev, ino, size, mode;
	struct timespec mtime, ctime;
	int seen;		/* an old entry this run found still true */
};

struct entries {
	struct entry *v;
	size_t n, alloc;
};

struct statcache {
	char *text;		/* the cache as read: the old entries' paths */
	struct entries old;	/* as read, sorted by path */
	struct entries now;	/* the files read in this run (the rest: old ones seen) */
	size_t next;		/* the old entry after the last one found: the walk
				 * asks in path order, so usually the next asked */
	struct timespec written;
	size_t cached, read;
};

void statcache_free(struct statcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->now.n; i++)
		free(c->now.v[i].path);
	free(c->now.v);
	free(c->old.v);
	free(c->text);
	free(c);
}

static int statcache_new(struct statcache **out)
{
	return (*out = calloc(1, sizeof(**out))) ? 0 : err_nomem();
}

/* ---- reading -------------------------------------------------------------- */

/* Digits of 'base' (8 or 10) at 'p' up to 'stop': at most 19 decimal or
 * 21 octal ones, which cannot overflow (and are all we write). */
static const char *number(const char *p, const char *end, char stop, unsigned base,
			  unsigned long long *v)
{
	const char *start = p, *most = p + (base == 8 ? 21 : 19);
	unsigned long long x = 0;

	if (most > end)
		most = end;
	for (; p < most && (unsigned)(*p - '0') < base; p++)
		x = x * base + (unsigned)(*p - '0');
	*v = x;
	return p > start && p < end && *p == stop ? p + 1 : NULL;
}

static const char *timestamp(const char *p, const char *end, struct timespec *t)
{
	unsigned long long s, ns;

	if (!(p = number(p, end, '.', 10, &s)) || !(p = number(p, end, ' ', 10, &ns)) ||
	    s > INT64_MAX || ns >= 1000000000)
		return NULL;
	t->tv_sec = (time_t)s;
	t->tv_nsec = (long)ns;
	return p;
}

/* Each lowercase hex digit's value plus one; 0 for any other byte. */
static const unsigned char hex_plus1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
	['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

static const char *hex_digest(const char *p, const char *end, unsigned char out[SHA256_LEN])
{
	if (end - p < 2 * SHA256_LEN + 1 || p[2 * SHA256_LEN] != ' ')
		return NULL;
	for (int i = 0; i < SHA256_LEN; i++) {
		int hi = hex_plus1[(unsigned char)p[2 * i]], lo = hex_plus1[(unsigned char)p[2 * i + 1]];

		if (!hi || !lo)
			return NULL;
		out[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	return p + 2 * SHA256_LEN + 1;
}

/* One line of the cache's own copy, 'p' to the newline at 'eol' (made the
 * end of the path), into a new entry of 'c->old'. */
static int parse_line(struct statcache *c, char *p, char *eol)
{
	struct entry e = { 0 };
	const char *q;

	if (!(q = hex_digest(p, eol, e.digest)) || !(q = number(q, eol, ' ', 10, &e.dev)) ||
	    !(q = number(q, eol, ' ', 10, &e.ino)) || !(q = number(q, eol, ' ', 10, &e.size)) ||
	    !(q = number(q, eol, ' ', 8, &e.mode)) || !(q = timestamp(q, eol, &e.mtime)) ||
	    !(q = timestamp(q, eol, &e.ctime)) || q == eol || memchr(q, '\0', (size_t)(eol - q)))
		return ERR_FAIL;
	*eol = '\0';
	e.path = p + (q - p);
	if (c->old.n && strcmp(c->old.v[c->old.n - 1].path, e.path) >= 0)
		return ERR_FAIL;	/* not sorted, or twice */
	if (GROW(c->old.v, c->old.n, c->old.alloc) < 0)
		return -1;
	c->old.v[c->old.n++] = e;
	return 0;
}

/* statcache_parse() of 'text', which the cache takes (and frees) either way. */
static int parse_own(struct statcache **out, char *text, size_t len,
		     const struct timespec *written)
{
	char *p = text, *end = text + len;
	size_t line = 1;
	int rc;

	if ((rc = statcache_new(out)) < 0) {
		free(text);
		return rc;
	}
	(*out)->text = text;
	(*out)->written = *written;
	if (len < strlen(HEADER) || memcmp(text, HEADER, strlen(HEADER)))
		return err_code_set(ERR_FAIL, "line 1: not a stat cache");
	for (p += strlen(HEADER); p < end; p++) {
		char *eol = memchr(p, '\n', (size_t)(end - p));

		line++;
		if (!eol)
			return err_code_set(ERR_FAIL, "line %zu: no newline at the end", line);
		if ((rc = parse_line(*out, p, eol)) == ERR_FAIL)
			return err_code_set(ERR_FAIL, "line %zu: not DIGEST DEV INO SIZE MODE "
					    "MTIME CTIME PATH, sorted by path", line);
		if (rc < 0)
			return rc;
		p = eol;
	}
	return 0;
}

int statcache_parse(struct statcache **out, const char *text, size_t len,
		    const struct timespec *written)
{
	char *copy = malloc(len + 1);

	*out = NULL;
	if (!copy)
		return err_nomem();
	memcpy(copy, text, len);
	return parse_own(out, copy, len, written);
}

int statcache_load(struct statcache **out, const char *path)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	/* the time before reading: a cache written again in between only
	 * makes more of its files racily clean */
	if (stat(path, &st) < 0 || file_read_at(&text, &len, AT_FDCWD, path) < 0)
		return statcache_new(out);
	rc = parse_own(out, text, len, &st.st_mtim);
	if (rc == ERR_FAIL) {
		statcache_free(*out);
		return statcache_new(out);
	}
	return rc;
}

/* ---- asking --------------------------------------------------------------- */

static int entry_compare(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static int before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

/* The digest 'e' holds for a file whose stat is 'st', if it may be trusted. */
static int still(const struct statcache *c, const struct entry *e, const struct stat *st)
{
	return e->dev == (unsigned long long)st->st_dev && e->ino == (unsigned long long)st->st_ino &&
	       e->size == (unsigned long long)st->st_size &&
	       e->mode == (unsigned long long)st->st_mode &&
	       same_time(&e->mtime, &st->st_mtim) && same_time(&e->ctime, &st->st_ctim) &&
	       before(&st->st_mtim, &c->written) && before(&st->st_ctim, &c->written);
}

/* Keep what was read of the file 'path' for statcache_save(). */
static int keep(struct statcache *c, const char *path, const struct stat *st,
		const unsigned char digest[SHA256_LEN])
{
	struct entry *e;

	if (strchr(path, '\n') || st->st_mtim.tv_sec < 0 || st->st_ctim.tv_sec < 0)
		return 0;
	if (GROW(c->now.v, c->now.n, c->now.alloc) < 0)
		return err_nomem();
	e = &c->now.v[c->now.n];
	if (!(e->path = strdup(path)))
		return err_nomem();
	memcpy(e->digest, digest, SHA256_LEN);
	e->dev = (unsigned long long)st->st_dev;
	e->ino = (unsigned long long)st->st_ino;
	e->size = (unsigned long long)st->st_size;
	e->mode = (unsigned long long)st->st_mode;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	c->now.n++;
	return 0;
}

int statcache_known(void *cache, const struct tar_entry *te, const struct stat *st,
		    unsigned char digest[SHA256_LEN])
{
	struct statcache *c = cache;
	struct entry key = { .path = (char *)te->path };
	struct entry *old = c->next < c->old.n && !strcmp(c->old.v[c->next].path, te->path) ?
				    &c->old.v[c->next] :
			    c->old.n ? bsearch(&key, c->old.v, c->old.n, sizeof(key), entry_compare) :
				       NULL;

	if (old)
		c->next = (size_t)(old - c->old.v) + 1;
	if (!old || !still(c, old, st))
		return 0;
	memcpy(digest, old->digest, SHA256_LEN);
	old->seen = 1;	/* its stat is this one: kept as it is */
	c->cached++;
	return 1;
}

int statcache_digest(void *cache, const struct tar_entry *te, int fd, const void *data,
		     unsigned char digest[SHA256_LEN])
{
	struct statcache *c = cache;
	struct stat st;
	int rc;

	if (fd < 0)
		return sha256_buffer(digest, data, (size_t)te->size);
	if (fstat(fd, &st) < 0)
		return err_errno("cannot stat '%s'", te->path);
	if ((rc = statcache_known(c, te, &st, digest)) != 0)
		return rc < 0 ? rc : 0;
	if (sha256_fd(digest, fd, te->size, te->path) < 0)
		return -1;
	c->read++;
	return keep(c, te->path, &st, digest);
}

void statcache_counts(const struct statcache *c, size_t *cached, size_t *read)
{
	*cached = c->cached;
	*read = c->read;
}

/* ---- writing -------------------------------------------------------------- */

static int entry_ptr_compare(const void *a, const void *b)
{
	return entry_compare(*(const struct entry *const *)a, *(const struct entry *const *)b);
}

int statcache_save(struct statcache *c, const char *path)
{
	struct buf text = BUF_INIT(BUF_MAX_TEXT);
	const struct entry **all;
	char hex[2 * SHA256_LEN + 1];
	size_t n = 0;
	int rc;

	/* nothing read and every old file seen: the cache on disk is this one */
	if (!c->now.n && c->cached == c->old.n)
		return 0;
	if (!(all = malloc((c->old.n + c->now.n + 1) * sizeof(*all))))
		return err_nomem();
	for (size_t i = 0; i < c->old.n; i++)
		if (c->old.v[i].seen)
			all[n++] = &c->old.v[i];
	for (size_t i = 0; i < c->now.n; i++)
		all[n++] = &c->now.v[i];
	qsort(all, n, sizeof(*all), entry_ptr_compare);
	rc = buf_adds(&text, HEADER);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct entry *e = all[i];

		sha256_hex(hex, e->digest);
		rc = buf_printf(&text, "%s %llu %llu %llu %llo %lld.%09ld %lld.%09ld %s\n", hex,
				e->dev, e->ino, e->size, e->mode, (long long)e->mtime.tv_sec,
				e->mtime.tv_nsec, (long long)e->ctime.tv_sec, e->ctime.tv_nsec,
				e->path);
	}
	if (!rc)
		rc = outfile_write(path, text.s, text.len);
	buf_release(&text);
	free(all);
	return rc < 0 ? -1 : 0;
}
