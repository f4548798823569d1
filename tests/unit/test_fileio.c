/* Reading whole files with a cap, and outputs that appear whole or not at all. */
#include "util/error.h"
#include "util/fileio.h"
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	char dir[] = "/tmp/pinned-test-fileio-XXXXXX", path[256], *text;
	struct outfile out;
	size_t len;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK(file_read_at(&text, &len, AT_FDCWD, path) == ERR_NOTFOUND, "missing");
	CHECK(!text, "nothing returned");
	CHECK(strstr(err_msg(), "No such file or directory") != NULL, "%s", err_msg());
	CHECK(file_read_at(&text, &len, AT_FDCWD, "/dev/zero") == ERR_TOOBIG, "endless input");
	CHECK_STR(err_msg(), "cannot read '/dev/zero': more than 67108864 bytes");
	test_end("fileio: a missing file is ERR_NOTFOUND; /dev/zero stops at the cap");

	snprintf(path, sizeof(path), "%s/out", dir);
	CHECK(outfile_open(&out, path) == 0, "%s", err_msg());
	CHECK(out.tmp && stat(path, &st) < 0, "written beside the target, not to it");
	CHECK(write_all(out.fd, "abc", 3) == 0, "write");
	outfile_abort(&out);
	CHECK(stat(path, &st) < 0, "abort leaves no target");
	CHECK(outfile_open(&out, path) == 0 && write_all(out.fd, "abc", 3) == 0 &&
	      outfile_commit(&out) == 0, "%s", err_msg());
	CHECK(file_read_at(&text, &len, AT_FDCWD, path) == 0 && len == 3 &&
	      !strcmp(text, "abc"), "committed");
	free(text);
	CHECK(outfile_open(&out, path) == 0 && write_all(out.fd, "x", 1) == 0, "rewrite");
	outfile_abort(&out);
	CHECK(file_read_at(&text, &len, AT_FDCWD, path) == 0 && !strcmp(text, "abc"),
	      "an aborted rewrite leaves the old bytes");
	free(text);
	test_end("fileio: an output appears whole on commit and not at all on abort");

	{
		char other[300], link[300], missing[300];

		snprintf(other, sizeof(other), "%s/./../%s/out", dir, strrchr(dir, '/') + 1);
		snprintf(link, sizeof(link), "%s/link", dir);
		snprintf(missing, sizeof(missing), "%s/new", dir);
		CHECK(symlink("out", link) == 0, "symlink");
		CHECK(path_same(path, other) == 1, "one file by two names");
		CHECK(path_same(path, link) == 1, "a link and its file");
		CHECK(path_same(missing, missing) == 1, "a file not made yet");
		CHECK(path_same(path, missing) == 0, "two files");
		CHECK(path_same("/nonexistent/dir/a", path) == 0, "a missing directory");
		CHECK(outfile_open(&out, "") < 0, "an empty name");
		CHECK_STR(err_msg(), "cannot write '': an empty file name");
		CHECK(outfile_open(&out, "x/") < 0, "a name ending in '/'");
		CHECK_STR(err_msg(), "cannot write 'x/': a file name cannot end in '/'");
		unlink(link);
	}
	unlink(path);
	rmdir(dir);
	test_end("fileio: path_same sees through links and '..'; empty and 'dir/' names are refused");
	return TEST_MAIN_RESULT();
}
