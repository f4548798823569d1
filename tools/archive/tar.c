#include "archive/tar.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the format ---------------------------------------------------------- */

#define BLOCK 512
#define USTAR_MAX_OCTAL11 077777777777ULL	/* largest value of a 12-byte field */

/* Write 'value' as 'digits' octal digits and a NUL. */
static void octal(unsigned char *field, int digits, uint64_t value)
{
	field[digits] = '\0';
	while (digits-- > 0) {
		field[digits] = '0' + (value & 7);
		value >>= 3;
	}
}

/* Append one pax record "LEN key=value\n"; LEN counts the whole record. */
static size_t pax_record(unsigned char *out, const char *key, const char *value)
{
	size_t rest = strlen(key) + strlen(value) + 3, len = rest + 1;

	while ((size_t)snprintf(NULL, 0, "%zu", len) + rest != len)
		len++;
	return (size_t)sprintf((char *)out, "%zu %s=%s\n", len, key, value);
}

/* Split 'path' into a ustar prefix and name: the leftmost '/' that leaves a
 * name of at most 100 bytes and a prefix of at most 155. 0 when none. */
static size_t ustar_split(const char *path, size_t len)
{
	for (size_t i = 1; i <= 155 && i < len; i++)
		if (path[i] == '/' && len - i - 1 <= 100 && len - i - 1 > 0 &&
		    !(len - i - 1 == 1 && path[len - 1] == '/'))
			return i;
	return 0;
}

/* Fill one ustar header block. 'name' and 'link' are copied truncated. */
static void ustar_block(unsigned char *b, const char *name, size_t namelen,
			const char *prefix, size_t prefixlen, char type,
			unsigned int mode, uint64_t size, uint64_t mtime,
			const char *link)
{
	unsigned int sum = 0;

	memset(b, 0, BLOCK);
	memcpy(b, name, namelen > 100 ? 100 : namelen);
	octal(b + 100, 7, mode);
	octal(b + 108, 7, 0);
	octal(b + 116, 7, 0);
	octal(b + 124, 11, size);
	octal(b + 136, 11, mtime);
	memset(b + 148, ' ', 8);
	b[156] = (unsigned char)type;
	if (link)
		memcpy(b + 157, link, strlen(link) > 100 ? 100 : strlen(link));
	memcpy(b + 257, "ustar", 6);
	memcpy(b + 263, "00", 2);
	octal(b + 329, 7, 0);
	octal(b + 337, 7, 0);
	memcpy(b + 345, prefix, prefixlen);
	for (int i = 0; i < BLOCK; i++)
		sum += b[i];
	octal(b + 148, 6, sum);
	b[155] = ' ';
}

size_t tar_header(unsigned char *out, const struct tar_entry *e, int64_t mtime)
{
	static const char types[] = { [TAR_FILE] = '0', [TAR_DIR] = '5',
				      [TAR_SYMLINK] = '2' };
	size_t len = strlen(e->path), split = 0, paxlen = 0, pos = 0;
	const char *target = e->type == TAR_SYMLINK ? e->target : NULL;
	const char *pax_path = NULL, *pax_link = NULL;
	uint64_t size = e->type == TAR_FILE ? e->size : 0;
	uint64_t when = (uint64_t)mtime;
	unsigned char *pax = out + BLOCK;
	char number[32];

	if (len > TAR_NAME_MAX || (target && strlen(target) > TAR_NAME_MAX))
		return 0;
	if (len > 100 && !(split = ustar_split(e->path, len)))
		pax_path = e->path;
	if (target && strlen(target) > 100)
		pax_link = target;
	/* pax records are UTF-8 unless said otherwise; bsdtar refuses them else */
	if ((pax_path && !utf8_valid(pax_path)) || (pax_link && !utf8_valid(pax_link)))
		paxlen += pax_record(pax + paxlen, "hdrcharset", "BINARY");
	if (pax_path)
		paxlen += pax_record(pax + paxlen, "path", pax_path);
	if (pax_link)
		paxlen += pax_record(pax + paxlen, "linkpath", pax_link);
	if (size > USTAR_MAX_OCTAL11) {
		snprintf(number, sizeof(number), "%llu", (unsigned long long)size);
		paxlen += pax_record(pax + paxlen, "size", number);
		size = 0;
	}
	if (when > USTAR_MAX_OCTAL11) {
		snprintf(number, sizeof(number), "%llu", (unsigned long long)when);
		paxlen += pax_record(pax + paxlen, "mtime", number);
		when = USTAR_MAX_OCTAL11;
	}
	if (paxlen) {
		size_t padded = (paxlen + BLOCK - 1) / BLOCK * BLOCK;

		memset(pax + paxlen, 0, padded - paxlen);
		ustar_block(out, "././@PaxHeader", 14, "", 0, 'x', 0644, paxlen,
			    when, NULL);
		pos = BLOCK + padded;
	}
	if (split)
		ustar_block(out + pos, e->path + split + 1, len - split - 1,
			    e->path, split, types[e->type], e->mode, size, when,
			    target);
	else
		ustar_block(out + pos, e->path, len, "", 0, types[e->type],
			    e->mode, size, when, target);
	return pos + BLOCK;
}

/* ---- the pipeline -------------------------------------------------------- */

/*
 * The caller's thread reads content into a ring of chunks; one worker
 * thread hashes the archive stream chunk by chunk and writes it out. With
 * a manifest, the caller hashes each file's bytes right after reading them,
 * while they are still in its cache (sharing chunks between the cores costs
 * more than the hashing), and prints the manifest lines of a chunk before
 * the chunk is reused.
 *
 * With SHA-NI the caller can hand the rest of a file to the worker, which
 * then hashes it into the archive's state and the file's state in one pass
 * ("dual"), cheaper than two passes. The caller does so, before any
 * read(), when few chunks are left for the worker (it would soon wait)
 * and little of the file is left (see hand_off_now()). So the hashing
 * balances itself over the two cores, within a file too.
 */
#define CHUNK_SIZE (1024 * 1024)
#define CHUNKS 8
/* A chunk is also handed on early when its manifest text or records reach
 * these, so memory stays bounded however small the files or long the names:
 * CHUNKS * (CHUNK_SIZE + ARENA_MAX + RECORDS_MAX records), plus one line. */
#define ARENA_MAX (256 * 1024)
#define RECORDS_MAX 4096

enum record_type {
	RECORD_BEGIN,	/* manifest text: a file starts */
	RECORD_HANDOFF,	/* the worker goes on with a file: from the hash in
			 * arena[offset, offset + len), or afresh when len is 0 */
	RECORD_DATA,	/* a dual file's bytes: buf[offset, offset + len) */
	RECORD_END,	/* the file's digest, then manifest text */
	RECORD_TEXT,	/* manifest text (a directory or link) */
};

struct record {
	enum record_type type;
	int dual;		/* the worker hashes this file */
	size_t offset, len;	/* in buf for DATA, in arena for the others */
	unsigned char digest[SHA256_LEN];	/* END: the file's digest */
};

struct chunk {
	unsigned char *buf;
	size_t len;
	struct record *records;
	size_t nrecords, records_alloc;
	struct buf arena;	/* manifest text and handed-off hash states */
};

struct tar_writer {
	struct tar_options opts;
	struct chunk chunks[CHUNKS];
	struct chunk *fill;		/* the chunk the caller is filling */

	pthread_mutex_t lock;
	pthread_cond_t changed;
	unsigned long published;	/* chunks handed to the worker */
	unsigned long done;		/* chunks the worker has finished */
	int finished;			/* no more chunks will come */
	int stop;			/* give up: an error or tar_writer_free() */
	int failed;			/* the worker failed; 'message' says why */
	char message[512];
	pthread_t worker;
	int started;

	unsigned long printed;		/* chunks whose manifest lines are out */
	struct sha256 stream_sha;	/* the worker's: the archive */
	struct sha256 dual_sha;		/* the worker's: the dual file */
	struct sha256 file_sha;		/* the caller's: the file being read */
	int dual;			/* the file being added is dual: the worker
					 * hashes it; otherwise, with a manifest,
					 * the caller does */
	unsigned char header[TAR_HEADER_MAX];	/* the entry being added */
	unsigned long handoffs;		/* files handed to the worker */

	int writeback;			/* the output is a regular file: see write_out() */
	uint64_t written;		/* the worker's: bytes written so far */
};

/*
 * Write a chunk out. To a regular file, write-back of each chunk starts as
 * soon as it is written, and the worker waits for the chunk written
 * WRITEBACK_BEHIND chunks earlier: dirty pages stay few, the disk works
 * while we hash, and the caller's final fsync() finds little left to do.
 */
#define WRITEBACK_BEHIND 16
static int write_out(struct tar_writer *w, const struct chunk *c)
{
	uint64_t behind = (uint64_t)WRITEBACK_BEHIND * CHUNK_SIZE;

	if (write_all(w->opts.fd, c->buf, c->len) < 0)
		return err_errno("cannot write '%s'", w->opts.name ? w->opts.name : "the archive");
	if (w->writeback) {
		/* advice only: a failure here shows, if at all, in the final fsync() */
		(void)sync_file_range(w->opts.fd, (off_t)w->written, (off_t)c->len,
				      SYNC_FILE_RANGE_WRITE);
		if (w->written >= behind)
			(void)sync_file_range(w->opts.fd, (off_t)(w->written - behind), CHUNK_SIZE,
					      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					      SYNC_FILE_RANGE_WAIT_AFTER);
	}
	w->written += c->len;
	return 0;
}

/* The worker's part of one chunk: the archive's hash, dual files, output. */
static int stream_chunk(struct tar_writer *w, struct chunk *c)
{
	size_t pos = 0;

	for (size_t r = 0; r < c->nrecords; r++) {
		struct record *rec = &c->records[r];

		if (!rec->dual)
			continue;
		if (rec->type == RECORD_HANDOFF && rec->len)
			memcpy(&w->dual_sha, c->arena.s + rec->offset, sizeof(w->dual_sha));
		else if (rec->type == RECORD_HANDOFF && sha256_init(&w->dual_sha) < 0)
			return -1;
		if (rec->type == RECORD_DATA) {
			sha256_update(&w->stream_sha, c->buf + pos, rec->offset - pos);
			sha256_update2(&w->stream_sha, &w->dual_sha, c->buf + rec->offset,
				       rec->len);
			pos = rec->offset + rec->len;
		}
		if (rec->type == RECORD_END)
			sha256_final(&w->dual_sha, rec->digest);
	}
	sha256_update(&w->stream_sha, c->buf + pos, c->len - pos);
	return w->opts.fd >= 0 ? write_out(w, c) : 0;
}

static void *worker_thread(void *arg)
{
	struct tar_writer *w = arg;
	unsigned long index = 0;
	int rc;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && index == w->published && !w->finished)
			pthread_cond_wait(&w->changed, &w->lock);
		if (w->stop || index == w->published)
			break;
		pthread_mutex_unlock(&w->lock);
		rc = stream_chunk(w, &w->chunks[index % CHUNKS]);
		pthread_mutex_lock(&w->lock);
		if (rc < 0) {
			w->failed = 1;
			w->stop = 1;
			snprintf(w->message, sizeof(w->message), "%s", err_msg());
		}
		w->done = ++index;
		pthread_cond_broadcast(&w->changed);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Print the manifest lines of chunks the worker is done with, in order. */
static void print_until(struct tar_writer *w, unsigned long end)
{
	char hex[SHA256_STRING_LEN + 1];

	for (; w->printed < end; w->printed++) {
		const struct chunk *c = &w->chunks[w->printed % CHUNKS];

		for (size_t r = 0; r < c->nrecords; r++) {
			const struct record *rec = &c->records[r];

			if (rec->type == RECORD_DATA || rec->type == RECORD_HANDOFF)
				continue;
			if (rec->type == RECORD_END) {
				sha256_format(hex, rec->digest);
				fputs(hex, w->opts.manifest);
			}
			fwrite(c->arena.s + rec->offset, 1, rec->len, w->opts.manifest);
		}
	}
}

/* Take the next chunk for filling once the worker is done with it. */
static int acquire(struct tar_writer *w)
{
	unsigned long index;
	int stopped;

	pthread_mutex_lock(&w->lock);
	index = w->published;
	while (!w->stop && index - w->done >= CHUNKS)
		pthread_cond_wait(&w->changed, &w->lock);
	stopped = w->stop;
	pthread_mutex_unlock(&w->lock);
	if (stopped)
		return err_set("%s", w->failed ? w->message : "archive stopped");
	if (w->opts.manifest && index >= CHUNKS)
		print_until(w, index - CHUNKS + 1);
	w->fill = &w->chunks[index % CHUNKS];
	w->fill->len = 0;
	w->fill->nrecords = 0;
	buf_truncate(&w->fill->arena, 0);
	return 0;
}

static void publish(struct tar_writer *w)
{
	pthread_mutex_lock(&w->lock);
	w->published++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	w->fill = NULL;
}

/* Make sure the chunk being filled has room; returns the room, or 0 on error. */
static size_t room(struct tar_writer *w)
{
	if (w->fill && (w->fill->len == CHUNK_SIZE || w->fill->arena.len >= ARENA_MAX ||
			w->fill->nrecords >= RECORDS_MAX))
		publish(w);
	if (!w->fill && acquire(w) < 0)
		return 0;
	return CHUNK_SIZE - w->fill->len;
}

static int add_record(struct tar_writer *w, enum record_type type,
		      size_t offset, size_t len)
{
	struct chunk *c = w->fill;

	if (GROW(c->records, c->nrecords, c->records_alloc) < 0)
		return -1;
	c->records[c->nrecords++] = (struct record){ .type = type, .dual = w->dual,
						     .offset = offset, .len = len };
	return 0;
}

/*
 * Account for 'n' content bytes just placed at the end of the chunk being
 * filled: the caller hashes them now, or a dual file's record names them.
 */
static int content(struct tar_writer *w, size_t n)
{
	if (w->opts.manifest && !w->dual)
		sha256_update(&w->file_sha, w->fill->buf + w->fill->len, n);
	else if (w->dual && add_record(w, RECORD_DATA, w->fill->len, n) < 0)
		return -1;
	w->fill->len += n;
	return 0;
}

/* Copy 'len' bytes into the stream; file content when 'is_content'. */
static int put(struct tar_writer *w, const void *data, size_t len, int is_content)
{
	const unsigned char *p = data;

	while (len > 0) {
		size_t n = room(w);

		if (!n)
			return -1;
		if (n > len)
			n = len;
		memcpy(w->fill->buf + w->fill->len, p, n);
		if (is_content) {
			if (content(w, n) < 0)
				return -1;
		} else {
			w->fill->len += n;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int put_text(struct tar_writer *w, enum record_type type, const char *text,
		    size_t len);

/*
 * 1 when the rest of a file, 'left' bytes, should go to the worker: it is
 * running short of work (fewer than HANDOFF_BELOW of the CHUNKS chunks
 * wait for it) and the rest is at most HANDOFF_MAX. (Measured on the bench
 * tree: 3 of 8 keeps both threads busiest; 2 and 4 cost 1-4%, 1 and 5
 * about 9%.) A long rest would keep the worker hashing twice long after it
 * stopped starving while the reader, with nothing to hash, fills the ring
 * and waits: where two states in one pass are not much cheaper than two
 * passes (1.3x on a Sapphire Rapids core, 1.6x on the machine the rest was
 * tuned on), handing off 50 MiB files made the 320 MB tree 13% slower than
 * never handing off; half the ring bounds that wait.
 */
#define HANDOFF_BELOW 3
#define HANDOFF_MAX ((uint64_t)CHUNKS / 2 * CHUNK_SIZE)
static int hand_off_now(struct tar_writer *w, uint64_t left)
{
	int starving;

	if (w->opts.handoff != TAR_HANDOFF_AUTO)
		return w->opts.handoff == TAR_HANDOFF_ALWAYS;
	if (left > HANDOFF_MAX)
		return 0;
	pthread_mutex_lock(&w->lock);
	starving = w->published - w->done < HANDOFF_BELOW;
	pthread_mutex_unlock(&w->lock);
	return starving;
}

/*
 * Give the rest of the file being read to the worker: a HANDOFF record
 * carries the hash so far (plain data on the SHA-NI path), and the file
 * goes on as dual. Its bytes so far are a whole number of the archive's
 * bytes past a 512-byte header boundary, so both hashes stay in step.
 */
static int hand_off(struct tar_writer *w)
{
	int fresh = w->file_sha.bytes == 0;

	if (!sha256_accelerated(-1) || w->file_sha.ctx)
		return 0;
	w->dual = 1;
	w->handoffs++;
	return put_text(w, RECORD_HANDOFF, fresh ? "" : (const char *)&w->file_sha,
			fresh ? 0 : sizeof(w->file_sha));
}

/* Read 'size' bytes of 'fd' into the stream; fewer is an error. (The caller
 * checks with fstat() afterwards that the file did not change or grow.) */
static int put_file(struct tar_writer *w, int fd, uint64_t size, const char *path)
{
	ssize_t n;

	while (size > 0) {
		size_t want = room(w);

		if (!want)
			return -1;
		if (want > size)
			want = (size_t)size;
		if (w->opts.manifest && !w->dual && hand_off_now(w, size) && hand_off(w) < 0)
			return -1;
		n = read(fd, w->fill->buf + w->fill->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno("cannot read '%s'", path);
		if (n == 0)
			return err_set("'%s' changed while it was archived: it shrank", path);
		if (content(w, (size_t)n) < 0)
			return -1;
		size -= (uint64_t)n;
	}
	return 0;
}

/* Manifest text goes into the chunk's arena; one record names it. At the
 * END of a file the caller hashed, its digest goes into the record. */
static int put_text(struct tar_writer *w, enum record_type type, const char *text,
		    size_t len)
{
	struct chunk *c;

	if (!room(w))
		return -1;
	c = w->fill;
	if (buf_add(&c->arena, text, len) < 0 || add_record(w, type, c->arena.len - len, len) < 0)
		return -1;
	if (type == RECORD_END && !w->dual)
		sha256_final(&w->file_sha, c->records[c->nrecords - 1].digest);
	return 0;
}

/* 's' with '\', TAB, newline and control bytes escaped; 'out' has 4 * strlen(s) + 1 bytes. */
static size_t escape(char *out, const char *s)
{
	char *o = out;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			o += sprintf(o, "\\\\");
		else if (c == '\t')
			o += sprintf(o, "\\t");
		else if (c == '\n')
			o += sprintf(o, "\\n");
		else if (c < 0x20 || c == 0x7f)
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return (size_t)(o - out);
}

char *tar_manifest_line(const struct tar_entry *e, size_t *head, size_t *len)
{
	static const char types[] = { [TAR_FILE] = 'f', [TAR_DIR] = 'd',
				      [TAR_SYMLINK] = 'l' };
	size_t plen = strlen(e->path), tlen = e->target ? strlen(e->target) : 0;
	char *line = malloc(64 + 4 * (plen + tlen));
	size_t n;

	if (!line) {
		err_nomem();
		return NULL;
	}
	if (e->type == TAR_FILE)
		n = (size_t)sprintf(line, "f\t%04o\t%llu\t", e->mode, (unsigned long long)e->size);
	else
		n = (size_t)sprintf(line, "%c\t%04o\t0\t-", types[e->type], e->mode);
	*head = n;
	line[n++] = '\t';
	n += escape(line + n, e->path);
	if (e->type == TAR_SYMLINK) {
		line[n++] = '\t';
		n += escape(line + n, e->target);
	}
	line[n++] = '\n';
	*len = n;
	return line;
}

int tar_writer_add(struct tar_writer *w, const struct tar_entry *e, int fd,
		   const void *data)
{
	static const unsigned char zeros[BLOCK];
	unsigned char *header = w->header;
	char *line = NULL;
	size_t hlen, head = 0, len = 0;
	int rc = -1;

	if (!(hlen = tar_header(header, e, w->opts.mtime))) {
		err_set("'%s': name or link target longer than %d bytes", e->path,
			TAR_NAME_MAX);
		goto done;
	}
	if (put(w, header, hlen, 0) < 0 ||
	    (w->opts.manifest && !(line = tar_manifest_line(e, &head, &len))))
		goto done;
	if (e->type == TAR_FILE) {
		if (line && (put_text(w, RECORD_BEGIN, line, head) < 0 || sha256_init(&w->file_sha) < 0))
			goto done;
		if (fd >= 0 ? put_file(w, fd, e->size, e->path) :
			      put(w, data, (size_t)e->size, 1))
			goto done;
		if (line && put_text(w, RECORD_END, line + head, len - head) < 0)
			goto done;
		if (put(w, zeros, (BLOCK - e->size % BLOCK) % BLOCK, 0) < 0)
			goto done;
	} else if (line && put_text(w, RECORD_TEXT, line, len) < 0) {
		goto done;
	}
	rc = 0;
done:
	free(line);
	w->dual = 0;
	return rc;
}

int tar_writer_finish(struct tar_writer *w, unsigned char digest[SHA256_LEN])
{
	static const unsigned char zeros[2 * BLOCK];

	if (put(w, zeros, sizeof(zeros), 0) < 0)
		return -1;
	pthread_mutex_lock(&w->lock);
	if (w->fill)
		w->published++;
	w->fill = NULL;
	w->finished = 1;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->worker, NULL);
	w->started = 0;
	if (w->failed)
		return err_set("%s", w->message);
	if (w->opts.manifest)
		print_until(w, w->published);
	sha256_final(&w->stream_sha, digest);
	return 0;
}

int tar_writer_new(struct tar_writer **out, const struct tar_options *opts)
{
	struct tar_writer *w = calloc(1, sizeof(*w));
	struct stat st;
	int rc;

	*out = NULL;
	if (!w)
		return err_nomem();
	w->opts = *opts;
	w->writeback = opts->fd >= 0 && fstat(opts->fd, &st) == 0 && S_ISREG(st.st_mode);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	if (sha256_init(&w->stream_sha) < 0) {
		tar_writer_free(w);
		return -1;
	}
	for (int i = 0; i < CHUNKS; i++) {
		w->chunks[i].arena = (struct buf)BUF_INIT(SIZE_MAX / 2);
		if (!(w->chunks[i].buf = malloc(CHUNK_SIZE))) {
			tar_writer_free(w);
			return err_nomem();
		}
	}
	if ((rc = pthread_create(&w->worker, NULL, worker_thread, w))) {
		errno = rc;
		err_errno("cannot start a thread");
		tar_writer_free(w);
		return -1;
	}
	w->started = 1;
	*out = w;
	return 0;
}

unsigned long tar_writer_handoffs(const struct tar_writer *w)
{
	return w->handoffs;
}

void tar_writer_free(struct tar_writer *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = 1;
		pthread_cond_broadcast(&w->changed);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->worker, NULL);
	}
	for (int i = 0; i < CHUNKS; i++) {
		free(w->chunks[i].buf);
		free(w->chunks[i].records);
		buf_release(&w->chunks[i].arena);
	}
	sha256_free(&w->stream_sha);
	sha256_free(&w->dual_sha);
	sha256_free(&w->file_sha);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
