/* A deterministic zip writer: stored entries, fixed fields, no extras. */
#include "archive/zip.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZIP_MAX_ENTRIES 0xffffu
#define ZIP_MAX_OFFSET 0xffffffffu
#define ZIP_UTF8 0x0800u	/* general purpose flag 11: the name is UTF-8 */
#define ZIP_VERSION 20u		/* 2.0: directories */
#define ZIP_MADE_BY (3u << 8 | ZIP_VERSION)	/* 3: Unix */

struct zip_writer {
	int fd;
	const char *name;
	uint16_t time, date;	/* MS-DOS */
	uint64_t offset;	/* bytes written */
	struct buf central;	/* the central directory, built as entries go */
	size_t entries;
	struct sha256 sha;
	int sha_started;
};

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_update(uint32_t crc, const unsigned char *p, size_t n)
{
	crc = ~crc;
	while (n--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void le32(unsigned char *p, uint32_t v)
{
	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

int zip_writer_new(struct zip_writer **out, int fd, const char *name, int64_t mtime)
{
	struct zip_writer *w = calloc(1, sizeof(*w));
	struct tm tm;
	time_t t = (time_t)mtime;

	*out = NULL;
	if (!w)
		return err_nomem();
	if (!crc_table[1])
		crc_init();
	w->fd = fd;
	w->name = name;
	w->central = (struct buf)BUF_INIT(ZIP_MAX_OFFSET);
	if (sha256_init(&w->sha) < 0) {
		free(w);
		return -1;
	}
	w->sha_started = 1;
	/* MS-DOS time counts from 1980 to 2107, in two-second steps */
	if (mtime < 315532800 || !gmtime_r(&t, &tm)) {
		tm = (struct tm){ .tm_year = 80, .tm_mday = 1 };
	} else if (tm.tm_year > 207) {
		tm = (struct tm){ .tm_year = 207, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23,
				  .tm_min = 59, .tm_sec = 58 };
	}
	w->date = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
	w->time = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
	*out = w;
	return 0;
}

void zip_writer_free(struct zip_writer *w)
{
	if (!w)
		return;
	buf_release(&w->central);
	if (w->sha_started)
		sha256_free(&w->sha);
	free(w);
}

static int out(struct zip_writer *w, const void *data, size_t len)
{
	if (w->fd >= 0 && write_all(w->fd, data, len) < 0)
		return err_errno("cannot write '%s'", w->name);
	sha256_update(&w->sha, data, len);
	w->offset += len;
	return 0;
}

/* Read all of 'fd' from its start: its CRC-32 and length, and, with
 * 'copy', each byte into the archive. */
static int pass(struct zip_writer *w, int fd, const char *path, int copy, uint32_t *crc,
		uint64_t *size)
{
	unsigned char chunk[65536];
	ssize_t n;

	*crc = 0;
	*size = 0;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_errno("cannot read '%s'", path);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno("cannot read '%s'", path);
		if (n == 0)
			return 0;
		*crc = crc32_update(*crc, chunk, (size_t)n);
		*size += (uint64_t)n;
		if (copy && out(w, chunk, (size_t)n) < 0)
			return -1;
	}
}

int zip_writer_add(struct zip_writer *w, const struct tar_entry *e, int fd, const void *data)
{
	unsigned char lh[30], ch[46];
	size_t nlen = strlen(e->path);
	uint64_t size = 0, again;
	uint32_t crc = 0, crc2, mode;
	const void *body = NULL;

	if (w->entries == ZIP_MAX_ENTRIES || nlen > 0xffff)
		return err_code_set(ERR_TOOBIG, "'%s': more than %u entries, or a name that long: "
				    "zip64 is not written yet", e->path, ZIP_MAX_ENTRIES);
	switch (e->type) {
	case TAR_FILE:
		mode = S_IFREG | e->mode;
		if (data) {
			body = data;
			size = e->size;
			crc = crc32_update(0, data, (size_t)size);
		} else if (pass(w, fd, e->path, 0, &crc, &size) < 0) {
			return -1;
		}
		if (size != e->size)
			return err_set("'%s' changed while it was archived: %llu bytes, then %llu",
				       e->path, (unsigned long long)e->size, (unsigned long long)size);
		break;
	case TAR_SYMLINK:
		mode = S_IFLNK | 0777;
		body = e->target;
		size = strlen(e->target);
		crc = crc32_update(0, body, (size_t)size);
		break;
	default:
		mode = S_IFDIR | e->mode;
		break;
	}
	if (w->offset + 30 + nlen + size > ZIP_MAX_OFFSET)
		return err_code_set(ERR_TOOBIG, "'%s': the archive passes 4 GiB: zip64 is not "
				    "written yet", e->path);
	le32(lh, 0x04034b50);
	le16(lh + 4, ZIP_VERSION);
	le16(lh + 6, ZIP_UTF8);
	le16(lh + 8, 0);			/* stored */
	le16(lh + 10, w->time);
	le16(lh + 12, w->date);
	le32(lh + 14, crc);
	le32(lh + 18, (uint32_t)size);
	le32(lh + 22, (uint32_t)size);
	le16(lh + 26, (unsigned)nlen);
	le16(lh + 28, 0);			/* no extra field */
	le32(ch, 0x02014b50);
	le16(ch + 4, ZIP_MADE_BY);
	memcpy(ch + 6, lh + 4, 26);		/* version needed ... name length */
	le16(ch + 32, 0);			/* no comment */
	le16(ch + 34, 0);			/* disk */
	le16(ch + 36, 0);			/* internal attributes */
	le32(ch + 38, mode << 16 | (e->type == TAR_DIR ? 0x10u : 0));
	le32(ch + 42, (uint32_t)w->offset);
	if (buf_add(&w->central, ch, sizeof(ch)) < 0 || buf_add(&w->central, e->path, nlen) < 0)
		return -1;
	if (out(w, lh, sizeof(lh)) < 0 || out(w, e->path, nlen) < 0)
		return -1;
	if (body) {
		if (out(w, body, (size_t)size) < 0)
			return -1;
	} else if (e->type == TAR_FILE) {
		if (pass(w, fd, e->path, 1, &crc2, &again) < 0)
			return -1;
		if (crc2 != crc || again != size)
			return err_set("'%s' changed while it was archived", e->path);
	}
	w->entries++;
	return 0;
}

int zip_writer_finish(struct zip_writer *w, unsigned char digest[SHA256_LEN])
{
	unsigned char end[22];
	uint64_t at = w->offset;

	if (at + w->central.len + sizeof(end) > ZIP_MAX_OFFSET)
		return err_code_set(ERR_TOOBIG, "the archive passes 4 GiB: zip64 is not written yet");
	le32(end, 0x06054b50);
	le16(end + 4, 0);
	le16(end + 6, 0);
	le16(end + 8, (unsigned)w->entries);
	le16(end + 10, (unsigned)w->entries);
	le32(end + 12, (uint32_t)w->central.len);
	le32(end + 16, (uint32_t)at);
	le16(end + 20, 0);
	if ((w->central.len && out(w, w->central.s, w->central.len) < 0) || out(w, end, sizeof(end)) < 0)
		return -1;
	sha256_final(&w->sha, digest);
	return 0;
}
