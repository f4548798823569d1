/* The zip writer: the fields of a header, the time, the limits, and a file
 * that changes while it is read. (tests/e2e/package.sh checks whole
 * archives against unzip and bsdtar.) */
#include "archive/zip.h"
#include "test.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static unsigned le(const unsigned char *p, int n)
{
	unsigned v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* One archive of 'e' at 'mtime' into 'out' (at least 4096 bytes); its length. */
static size_t one(unsigned char *out, const struct tar_entry *e, const void *data, int64_t mtime)
{
	struct zip_writer *w;
	unsigned char digest[SHA256_LEN];
	FILE *f = tmpfile();
	size_t n = 0;

	if (f && zip_writer_new(&w, fileno(f), "t.zip", mtime) == 0) {
		if (zip_writer_add(w, e, -1, data) == 0 && zip_writer_finish(w, digest) == 0) {
			rewind(f);
			n = fread(out, 1, 4096, f);
		}
		zip_writer_free(w);
	}
	if (f)
		fclose(f);
	return n;
}

int main(void)
{
	static unsigned char z[4096];
	struct tar_entry file = { "check.txt", TAR_FILE, 0755, 9, NULL };
	struct tar_entry link = { "l", TAR_SYMLINK, 0777, 0, "target" };
	size_t n;

	n = one(z, &file, "123456789", 1700000000);
	CHECK(n == 30 + 9 + 9 + 46 + 9 + 22, "length %zu", n);
	CHECK(le(z, 4) == 0x04034b50 && le(z + 6, 2) == 0x0800 && le(z + 8, 2) == 0,
	      "a local header, UTF-8, stored");
	CHECK(le(z + 14, 4) == 0xcbf43926, "CRC-32 of 123456789: %08x", le(z + 14, 4));
	CHECK(le(z + 18, 4) == 9 && le(z + 22, 4) == 9 && le(z + 28, 2) == 0, "sizes, no extra field");
	/* 2023-11-14 22:13:20 UTC */
	CHECK(le(z + 12, 2) == ((2023 - 1980) << 9 | 11 << 5 | 14) &&
	      le(z + 10, 2) == (22 << 11 | 13 << 5 | 20 / 2), "the time in UTC");
	CHECK(le(z + 48, 4) == 0x02014b50 && le(z + 52, 2) == (3 << 8 | 20) &&
	      le(z + 48 + 38, 4) == (0100755u << 16), "made by Unix, its mode");
	CHECK(le(z + n - 22, 4) == 0x06054b50 && le(z + n - 22 + 10, 2) == 1 &&
	      le(z + n - 22 + 16, 4) == 48, "the end record: one entry, the directory at 48");
	test_end("zip: a file's headers: CRC-32, sizes, UTF-8 flag, Unix mode, UTC time");

	n = one(z, &link, NULL, 0);
	CHECK(n > 30 && !memcmp(z + 30 + 1, "target", 6) && le(z + 12, 2) == (0 << 9 | 1 << 5 | 1) &&
	      le(z + 10, 2) == 0, "a link holds its target; before 1980 is 1980-01-01");
	CHECK(le(z + n - 22 - 47 + 38, 4) == (0120777u << 16), "a link's type");
	n = one(z, &file, "123456789", 7258118400LL);	/* 2200 */
	CHECK(le(z + 12, 2) == (127 << 9 | 12 << 5 | 31) && le(z + 10, 2) == (23 << 11 | 59 << 5 | 29),
	      "after 2107 is its last second");
	test_end("zip: links, and times MS-DOS cannot hold");

	{
		struct zip_writer *w;
		struct tar_entry dir = { "d/", TAR_DIR, 0755, 0, NULL };
		struct tar_entry grown = { "f", TAR_FILE, 0644, 3, NULL };
		unsigned char digest[SHA256_LEN];
		FILE *f = tmpfile();
		int rc = 0;

		CHECK(zip_writer_new(&w, -1, "hash only", 0) == 0, "%s", err_msg());
		for (unsigned i = 0; i < 0xffff && !rc; i++)
			rc = zip_writer_add(w, &dir, -1, NULL);
		CHECK(rc == 0, "65,535 entries: %s", err_msg());
		CHECK(zip_writer_add(w, &dir, -1, NULL) == ERR_TOOBIG, "the 65,536th refused");
		CHECK_STR(err_msg(), "'d/': more than 65535 entries, or a name that long: zip64 is not "
			  "written yet");
		CHECK(zip_writer_finish(w, digest) == 0, "%s", err_msg());
		zip_writer_free(w);

		fputs("four", f);
		fflush(f);
		CHECK(zip_writer_new(&w, -1, "hash only", 0) == 0, "%s", err_msg());
		CHECK(zip_writer_add(w, &grown, fileno(f), NULL) < 0, "a file not the size walked");
		CHECK_STR(err_msg(), "'f' changed while it was archived: 3 bytes, then 4");
		zip_writer_free(w);
		fclose(f);
	}
	test_end("zip: at most 65,535 entries; a file that changed is an error");
	return TEST_MAIN_RESULT();
}
