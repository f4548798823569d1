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
	test_end("fileio: path_same sees through links and '..'; empty and 'dir/' names are refused");

	/* a group: when the second rename fails, the first target keeps its
	 * old bytes (or stays absent), and no temporary file is left */
	for (int existed = 0; existed < 2; existed++) {
		char a[300], b[300];
		struct outfile oa, ob;

		snprintf(a, sizeof(a), "%s/a", dir);
		snprintf(b, sizeof(b), "%s/b", dir);
		unlink(a);
		if (existed) {
			int fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);

			CHECK(fd >= 0 && write_all(fd, "old a", 5) == 0 && close(fd) == 0, "a");
		}
		CHECK(outfile_open(&oa, a) == 0 && write_all(oa.fd, "new a", 5) == 0, "open a");
		CHECK(outfile_open(&ob, b) == 0 && write_all(ob.fd, "new b", 5) == 0, "open b");
		CHECK(outfile_is_temp(oa.tmp) && outfile_is_temp(ob.tmp), "temporary names");
		unlink(ob.tmp);		/* its rename will fail */
		CHECK(outfile_commit_all((struct outfile *[]){ &oa, &ob }, 2) < 0, "fails");
		CHECK(strstr(err_msg(), "cannot rename") != NULL, "%s", err_msg());
		if (existed) {
			CHECK(file_read_at(&text, &len, AT_FDCWD, a) == 0 && !strcmp(text, "old a"),
			      "the first target keeps its old bytes");
			free(text);
		} else {
			CHECK(stat(a, &st) < 0, "the first target is not made");
		}
		CHECK(stat(b, &st) < 0, "nor the second");
		{
			char cmd[400];

			snprintf(cmd, sizeof(cmd), "test $(ls -A %s | wc -l) -eq %d", dir,
				 1 + existed);	/* out, and a when it existed */
			CHECK(system(cmd) == 0, "no temporary file left");
		}
		unlink(a);
	}
	CHECK(!outfile_is_temp(".env.abcdef") && !outfile_is_temp("x.pinned-tmp.abcdef") &&
	      outfile_is_temp("d/.context.tar.pinned-tmp.Ab12Cd"), "outfile_is_temp");
	CHECK(outfile_write(path, "whole", 5) == 0, "%s", err_msg());
	CHECK(file_read_at(&text, &len, AT_FDCWD, path) == 0 && !strcmp(text, "whole"),
	      "outfile_write: written whole");
	free(text);
	CHECK(outfile_write("/nonexistent/dir/out", "x", 1) < 0, "outfile_write: a missing folder");
	unlink(path);
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	CHECK(dir_make(path) == 0 && dir_make(path) == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode),
	      "dir_make: every folder on the way, twice: %s", err_msg());
	snprintf(path, sizeof(path), "%s/a/b/c/x", dir);
	CHECK(outfile_write(path, "x", 1) == 0, "%s", err_msg());
	snprintf(path, sizeof(path), "%s/a/b/c/x/y", dir);
	CHECK(dir_make(path) < 0 && strstr(err_msg(), "cannot make directory '") &&
	      strstr(err_msg(), "/a/b/c/x/y': Not a directory"), "dir_make: a file in the way: %s", err_msg());
	snprintf(path, sizeof(path), "rm -r %s/a", dir);
	CHECK(system(path) == 0, "clean up");
	rmdir(dir);
	test_end("fileio: outputs committed together: all in place, or every old file as it was");
	return TEST_MAIN_RESULT();
}
