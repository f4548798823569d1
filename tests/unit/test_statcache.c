/* The stat cache of verify: its file read strictly, a digest taken from it
 * only while the file's stat is the same and the file is older than the
 * cache (git's racily clean rule), written back sorted. */
#include "verify/statcache.h"
#include "util/error.h"
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/pinned-test-statcache-XXXXXX";
static char cache_path[256], file_path[256];

#define ZEROS63 "000000000000000000000000000000000000000000000000000000000000000"
#define ZEROS "0" ZEROS63

static int parse(const char *text)
{
	struct statcache *c = NULL;
	struct timespec t = { 1700000000, 0 };
	int rc = statcache_parse(&c, text, strlen(text), &t);

	statcache_free(c);
	return rc;
}

/* The digest of file_path through a cache loaded from cache_path; whether
 * it came from the cache. */
static int ask(unsigned char d[SHA256_LEN], int save)
{
	struct statcache *c = NULL;
	struct tar_entry e = { "f", TAR_FILE, 0644, 5, NULL };
	size_t cached = 0, read = 0;
	int fd = open(file_path, O_RDONLY);

	CHECK(statcache_load(&c, cache_path) == 0, "%s", err_msg());
	CHECK(statcache_digest(c, &e, fd, NULL, d) == 0, "%s", err_msg());
	statcache_counts(c, &cached, &read);
	CHECK(cached + read == 1, "one file asked about");
	if (save)
		CHECK(statcache_save(c, cache_path) == 0, "%s", err_msg());
	close(fd);
	statcache_free(c);
	return cached == 1;
}

/* Set the cache file's time to 'when' (UTIME_NOW plus 'later' seconds, or the file's ctime). */
static void cache_time(int later)
{
	struct stat st;
	struct timespec t[2];

	stat(file_path, &st);
	clock_gettime(CLOCK_REALTIME, &t[0]);
	t[0].tv_sec += later;
	if (!later)
		t[0] = st.st_ctim;
	t[1] = t[0];
	CHECK(utimensat(AT_FDCWD, cache_path, t, 0) == 0, "utimensat");
}

int main(void)
{
	unsigned char d[SHA256_LEN], want[SHA256_LEN];
	FILE *f;

	CHECK(parse("pinned stat cache 1\n") == 0, "empty: %s", err_msg());
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100644 1.000000000 2.5 a\n"
		    ZEROS " 1 3 3 100644 1.0 2.999999999 b c\n") == 0, "two: %s", err_msg());
	CHECK(parse("pinned stat cache 2\n") == ERR_FAIL, "another version");
	CHECK_STR(err_msg(), "line 1: not a stat cache");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100644 1.0 2.0 b\n"
		    ZEROS " 1 2 3 100644 1.0 2.0 a\n") == ERR_FAIL, "unsorted");
	CHECK_STR(err_msg(), "line 3: not DIGEST DEV INO SIZE MODE MTIME CTIME PATH, sorted by path");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100644 1.0 2.0 a\n"
		    ZEROS " 1 2 3 100644 1.0 2.0 a\n") == ERR_FAIL, "twice");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100644 1.0 2.0 a") == ERR_FAIL,
	      "no newline");
	CHECK_STR(err_msg(), "line 2: no newline at the end");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100648 1.0 2.0 a\n") == ERR_FAIL,
	      "an 8 in octal");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100644 1.1000000000 2.0 a\n") == ERR_FAIL,
	      "a second of nanoseconds");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 18446744073709551616 2 3 100644 1.0 2.0 a\n") ==
	      ERR_FAIL, "too large");
	CHECK(parse("pinned stat cache 1\n" ZEROS " -1 2 3 100644 1.0 2.0 a\n") == ERR_FAIL,
	      "a sign");
	CHECK(parse("pinned stat cache 1\n" ZEROS "0 1 2 3 100644 1.0 2.0 a\n") == ERR_FAIL,
	      "65 hex digits");
	CHECK(parse("pinned stat cache 1\n" ZEROS " 1 2 3 100644 1.0 2.0 \n") == ERR_FAIL,
	      "no path");
	CHECK(parse("pinned stat cache 1\nA" ZEROS63 " 1 2 3 100644 1.0 2.0 a\n") == ERR_FAIL,
	      "upper case hex");
	test_end("statcache: the file is read strictly");

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(cache_path, sizeof(cache_path), "%s/cache", dir);
	snprintf(file_path, sizeof(file_path), "%s/f", dir);
	f = fopen(file_path, "w");
	CHECK(f && fputs("hello", f) >= 0 && fclose(f) == 0, "write");
	sha256_buffer(want, "hello", 5);
	CHECK(!ask(d, 1) && !memcmp(d, want, SHA256_LEN), "no cache: read");
	cache_time(10);
	CHECK(ask(d, 0) && !memcmp(d, want, SHA256_LEN), "the same stat, older than the cache: "
	      "from the cache");
	cache_time(0);
	CHECK(!ask(d, 0) && !memcmp(d, want, SHA256_LEN), "racily clean: read");
	/* what the cache says is what is used while the stat allows */
	{
		char *text = NULL;
		FILE *c = fopen(cache_path, "r+");
		size_t n = 0;

		char *line;

		CHECK(c && getdelim(&text, &n, '\0', c) > 0, "read the cache");
		line = text ? strchr(text, '\n') : NULL;
		CHECK(line && strlen(line + 1) > 64, "a line in the cache");
		if (line && strlen(line + 1) > 64) {
			memcpy(line + 1, ZEROS, 64);
			rewind(c);
			fputs(text, c);
		}
		if (c)
			fclose(c);
		free(text);
	}
	cache_time(10);
	memset(want, 0, SHA256_LEN);
	CHECK(ask(d, 0) && !memcmp(d, want, SHA256_LEN), "the cache's digest");
	chmod(file_path, 0600);
	sha256_buffer(want, "hello", 5);
	CHECK(!ask(d, 0) && !memcmp(d, want, SHA256_LEN), "another stat: read");
	f = fopen(cache_path, "w");
	CHECK(f && fputs("junk", f) >= 0 && fclose(f) == 0, "write");
	CHECK(!ask(d, 0), "a broken cache is an empty one");
	unlink(cache_path);
	CHECK(!ask(d, 0), "no cache is an empty one");
	test_end("statcache: from the cache only while the stat is the same and not racy");

	unlink(file_path);
	rmdir(dir);
	return TEST_MAIN_RESULT();
}
