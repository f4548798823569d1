#include "archive/extract.h"
#include "util/buf.h"
#include "util/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reading the archive through a hash of every byte. */
struct hashed {
	int fd;
	struct sha256 sha;
	char buf[65536];
};

static ssize_t hashed_read(struct archive *a, void *arg, const void **data)
{
	struct hashed *h = arg;
	ssize_t n;

	do
		n = read(h->fd, h->buf, sizeof(h->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read failed");
		return -1;
	}
	sha256_update(&h->sha, h->buf, (size_t)n);
	*data = h->buf;
	return n;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : err_errno("cannot remove '%s'", path);
	if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		return err_errno("cannot remove '%s'", path);
	return 0;
}

/* A relative name without a ".." component. */
static int name_safe(const char *name)
{
	if (!name || !*name || name[0] == '/')
		return 0;
	for (const char *p = name; *p; p += strcspn(p, "/"), p += *p == '/') {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
	}
	return 1;
}

/* Unpack every entry of 'in' below 'dir'. */
static int unpack(struct archive *in, const char *path, const char *dir)
{
	struct buf name = BUF_INIT(SIZE_MAX / 2);
	struct archive *out = archive_write_disk_new();
	struct archive_entry *e;
	int rc = 0, r;

	if (!out)
		return err_nomem();
	/* names are checked here (they get 'dir' in front); libarchive refuses
	 * to write through a symbolic link */
	archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_PERM |
				       ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_NO_OVERWRITE);
	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK) {
		mode_t type = archive_entry_filetype(e);
		const void *block;
		size_t size;
		la_int64_t offset;

		if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
			rc = err_set("cannot unpack '%s': entry '%s' is not a file, directory or link",
				     path, archive_entry_pathname(e));
			break;
		}
		if (archive_entry_hardlink(e)) {
			rc = err_set("cannot unpack '%s': entry '%s' is a hard link", path,
				     archive_entry_pathname(e));
			break;
		}
		if (!name_safe(archive_entry_pathname(e))) {
			rc = err_set("cannot unpack '%s': entry '%s' would leave the folder", path,
				     archive_entry_pathname(e));
			break;
		}
		buf_truncate(&name, 0);
		if (buf_printf(&name, "%s/%s", dir, archive_entry_pathname(e)) < 0) {
			rc = -1;
			break;
		}
		archive_entry_set_pathname(e, name.s);
		archive_entry_set_uid(e, getuid());	/* owners are the builder's business */
		archive_entry_set_gid(e, getgid());
		if (archive_write_header(out, e) != ARCHIVE_OK) {
			rc = err_set("cannot unpack '%s': %s", path, archive_error_string(out));
			break;
		}
		while ((r = archive_read_data_block(in, &block, &size, &offset)) == ARCHIVE_OK)
			if (archive_write_data_block(out, block, size, offset) != ARCHIVE_OK) {
				rc = err_set("cannot unpack '%s': %s", path, archive_error_string(out));
				break;
			}
		if (rc < 0)
			break;
		if (r != ARCHIVE_EOF) {
			rc = err_set("cannot unpack '%s': %s", path, archive_error_string(in));
			break;
		}
		if (archive_write_finish_entry(out) != ARCHIVE_OK) {
			rc = err_set("cannot unpack '%s': %s", path, archive_error_string(out));
			break;
		}
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = err_set("cannot unpack '%s': %s", path, archive_error_string(in));
	if (archive_write_close(out) != ARCHIVE_OK && rc == 0)
		rc = err_set("cannot unpack '%s': %s", path, archive_error_string(out));
	archive_write_free(out);
	buf_release(&name);
	return rc;
}

int extract_checked(const char *path, const unsigned char expect[SHA256_LEN], const char *dir)
{
	struct hashed h = { .fd = -1 };
	struct archive *in = NULL;
	unsigned char got[SHA256_LEN];
	int rc = -1, made = 0;

	if ((h.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_errno("cannot read '%s'", path);
	if (sha256_init(&h.sha) < 0)
		goto done;
	if (mkdir(dir, 0755) < 0) {
		err_errno("cannot create directory '%s'", dir);
		goto done;
	}
	made = 1;
	if (!(in = archive_read_new())) {
		err_nomem();
		goto done;
	}
	archive_read_support_format_tar(in);
	if (archive_read_open(in, &h, NULL, hashed_read, NULL) != ARCHIVE_OK) {
		err_set("cannot unpack '%s': %s", path, archive_error_string(in));
		goto done;
	}
	if (unpack(in, path, dir) < 0)
		goto done;
	/* what follows the last entry counts too */
	while (hashed_read(in, &h, (const void **)&(const void *){ NULL }) > 0)
		;
	sha256_final(&h.sha, got);
	if (expect && memcmp(got, expect, SHA256_LEN)) {
		err_code_set(ERR_CHANGED, "'%s' changed after it was archived: its bytes no longer "
			     "have the digest computed", path);
		goto done;
	}
	rc = 0;
done:
	if (in)
		archive_read_free(in);
	sha256_free(&h.sha);
	close(h.fd);
	if (rc < 0 && made) {
		enum err_code code = err_code();
		char saved[1024];

		snprintf(saved, sizeof(saved), "%s", err_msg());
		remove_tree(dir);
		rc = err_code_set(code, "%s", saved);
	}
	return rc;
}
