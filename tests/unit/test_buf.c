/* The capped buffer and GROW(). */
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	struct buf b = BUF_INIT(10);
	char *s;
	size_t len;

	CHECK_STR(buf_str(&b), "");
	CHECK(buf_adds(&b, "hello") == 0 && b.len == 5, "add");
	CHECK(buf_printf(&b, "%d", 1234) == 0 && !strcmp(buf_str(&b), "hello1234"), "printf");
	CHECK(buf_adds(&b, "xy") == ERR_TOOBIG, "past the cap");
	CHECK_STR(err_msg(), "more than 10 bytes");
	CHECK(b.len == 9 && !strcmp(b.s, "hello1234"), "unchanged after refusal");
	CHECK(buf_adds(&b, "x") == 0 && b.len == 10, "exactly the cap");
	buf_truncate(&b, 2);
	CHECK_STR(buf_str(&b), "he");
	s = buf_detach(&b, &len);
	CHECK(s && !strcmp(s, "he") && len == 2 && !b.s && !b.len, "detach");
	free(s);
	s = buf_detach(&b, &len);
	CHECK(s && !strcmp(s, "") && len == 0, "detach of an empty buffer is \"\"");
	free(s);
	buf_release(&b);
	test_end("buf: adds up to its cap, refuses past it, detaches");

	{
		struct buf big = BUF_INIT(1u << 20);
		char word[300];

		memset(word, 'w', sizeof(word) - 1);
		word[sizeof(word) - 1] = '\0';
		CHECK(buf_printf(&big, "<%s>", word) == 0 && big.len == 301, "long printf");
		CHECK(big.s[0] == '<' && big.s[300] == '>' && big.s[301] == '\0', "bytes");
		buf_release(&big);
		test_end("buf: printf longer than its small buffer");
	}
	{
		int *v = NULL;
		size_t n = 0, alloc = 0;

		for (int i = 0; i < 1000; i++) {
			if (GROW(v, n, alloc) < 0) {
				CHECK(0, "grow %d: %s", i, err_msg());
				break;
			}
			CHECK(v[n] == 0, "new item zeroed");
			v[n++] = i;
		}
		CHECK(n == 1000 && alloc >= 1000 && v[999] == 999 && v[0] == 0, "items kept");
		free(v);
		test_end("grow: GROW() makes room and zeroes the new item");
	}
	return TEST_MAIN_RESULT();
}
