/* Messages and codes of the last failure. */
#include "util/error.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	char path[3000];

	CHECK(err_set("plain %d", 1) == ERR_FAIL && err_code() == ERR_FAIL, "err_set");
	CHECK_STR(err_msg(), "plain 1");
	CHECK(err_code_set(ERR_CHANGED, "'%s' changed", "f") == ERR_CHANGED, "code returned");
	CHECK(err_code() == ERR_CHANGED, "code kept");
	CHECK(err_prefix("reading %s", "x") == ERR_CHANGED, "prefix keeps the code");
	CHECK_STR(err_msg(), "reading x: 'f' changed");
	test_end("error: codes are returned and kept, a prefix keeps the code");

	errno = ENOENT;
	CHECK(err_errno("cannot read '%s'", "a") == ERR_NOTFOUND && errno == ENOENT, "ENOENT");
	CHECK_STR(err_msg(), "cannot read 'a': No such file or directory");
	errno = EACCES;
	CHECK(err_errno("x") == ERR_FAIL, "EACCES is ERR_FAIL");
	CHECK(err_nomem() == ERR_NOMEM && !strcmp(err_msg(), "out of memory"), "nomem");
	test_end("error: err_errno() codes follow errno");

	/* a message too long for the buffer keeps its reason, at the end */
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	err_set("cannot open '%s': the reason", path);
	CHECK(strlen(err_msg()) == 1023, "length %zu", strlen(err_msg()));
	CHECK(!strncmp(err_msg(), "cannot open 'ppp", 16), "start kept: %.20s", err_msg());
	CHECK(strstr(err_msg(), "...") != NULL, "the cut is marked");
	CHECK(!strcmp(err_msg() + strlen(err_msg()) - 12, ": the reason"), "end kept");
	{
		size_t n = 100000;	/* deeper than any fixed buffer */
		char *deep = malloc(n + 1);

		memset(deep, 'd', n);
		deep[n] = '\0';
		err_set("cannot open '%s': the reason", deep);
		CHECK(!strcmp(err_msg() + strlen(err_msg()) - 12, ": the reason"),
		      "a 100 KB path: end kept");
		free(deep);
	}
	test_end("error: a long message loses its middle, never its reason");
	return TEST_MAIN_RESULT();
}
