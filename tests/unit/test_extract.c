/* Unpacking the context for a builder: checked against its digest, and
 * never leaving the folder. */
#include "archive/extract.h"
#include "util/error.h"
#include "test.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Write a tar at 'path' with one entry: 'name', a file holding "x", or a
 * symbolic link to 'target'. Returns the archive's digest in 'digest'. */
static void add(struct archive *a, const char *name, const char *target)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, target ? AE_IFLNK : AE_IFREG);
	archive_entry_set_perm(e, 0644);
	if (target)
		archive_entry_set_symlink(e, target);
	else
		archive_entry_set_size(e, 1);
	archive_write_header(a, e);
	if (!target)
		archive_write_data(a, "x", 1);
	archive_entry_free(e);
}

/* With 'then', a second entry: a file named 'then'. */
static void make_tar2(const char *path, const char *name, const char *target, const char *then,
		      unsigned char digest[SHA256_LEN])
{
	struct archive *a = archive_write_new();
	char *bytes = NULL;
	size_t len = 0;
	FILE *f;

	archive_write_set_format_pax_restricted(a);
	archive_write_open_filename(a, path);
	add(a, name, target);
	if (then)
		add(a, then, NULL);
	archive_write_close(a);
	archive_write_free(a);
	f = fopen(path, "rb");
	bytes = malloc(1 << 20);
	len = fread(bytes, 1, 1 << 20, f);
	fclose(f);
	sha256_buffer(digest, bytes, len);
	free(bytes);
}

static void make_tar(const char *path, const char *name, const char *target,
		     unsigned char digest[SHA256_LEN])
{
	make_tar2(path, name, target, NULL, digest);
}

int main(void)
{
	char dir[] = "/tmp/pinned-test-extract-XXXXXX", tar[300], out[300], check[400];
	unsigned char d[SHA256_LEN];
	struct stat st;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(tar, sizeof(tar), "%s/c.tar", dir);
	snprintf(out, sizeof(out), "%s/out", dir);

	make_tar(tar, "src/a.c", NULL, d);
	CHECK(extract_checked(tar, d, out) == 0, "%s", err_msg());
	snprintf(check, sizeof(check), "%s/src/a.c", out);
	CHECK(stat(check, &st) == 0 && st.st_size == 1, "unpacked");
	remove_tree(out);
	d[0] ^= 1;
	CHECK(extract_checked(tar, d, out) == ERR_CHANGED, "a changed archive: %s", err_msg());
	CHECK(stat(out, &st) < 0, "and nothing left");
	test_end("extract: unpacked when the bytes have the digest; refused, and removed, when not");

	static const struct {
		const char *name, *target;
	} hostile[] = {
		{ "../escape", NULL },
		{ "/tmp/absolute", NULL },
		{ "a/../../escape", NULL },
	};
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		make_tar(tar, hostile[i].name, hostile[i].target, d);
		CHECK(extract_checked(tar, d, out) < 0, "'%s' accepted", hostile[i].name);
		CHECK(strstr(err_msg(), "cannot unpack") != NULL, "%s", err_msg());
		CHECK(stat(out, &st) < 0, "nothing left for '%s'", hostile[i].name);
	}
	snprintf(check, sizeof(check), "%s/escape", dir);
	CHECK(stat(check, &st) < 0, "nothing written outside");
	mkdir(check, 0755);
	make_tar2(tar, "link", check, "link/written", d);
	CHECK(extract_checked(tar, d, out) < 0, "writing through a link accepted");
	snprintf(check, sizeof(check), "%s/escape/written", dir);
	CHECK(stat(check, &st) < 0, "nothing written through the link");
	CHECK(stat("/tmp/absolute", &st) < 0, "nothing written at an absolute path");
	test_end("extract: absolute names, '..' and writing through a link are refused; nothing is left");

	snprintf(check, sizeof(check), "rm -rf '%s'", dir);
	CHECK(system(check) == 0, "cleanup");
	return TEST_MAIN_RESULT();
}
