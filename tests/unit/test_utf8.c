/* UTF-8: decoding as Go does, and escaping what is not valid. */
#include "util/utf8.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

int main(void)
{
	uint32_t c;

	CHECK(utf8_decode((const unsigned char *)"\xc3\xa9", 2, &c) == 2 && c == 0xe9, "two bytes");
	CHECK(utf8_decode((const unsigned char *)"\xe9", 1, &c) == 1 && c == 0xfffd, "invalid");
	CHECK(utf8_decode((const unsigned char *)"\xed\xa0\x80", 3, &c) == 1 && c == 0xfffd,
	      "a surrogate is invalid");
	test_end("utf8: decoding, an invalid byte is U+FFFD of width 1");
	{
		char *e = utf8_escape("caf\xc3\xa9 caf\xe9 \xff\xfe ok \xef\xbf\xbd");

		CHECK(e && !strcmp(e, "caf\xc3\xa9 caf\\xe9 \\xff\\xfe ok \xef\xbf\xbd"), "'%s'", e ? e : "");
		free(e);
		test_end("utf8: bytes that start no valid sequence are escaped, the rest kept");
	}
	{
		static const char in[] = "a\xe2\x82z\0\xc3\xa9\xff";
		size_t len;
		char *r = utf8_replace(in, sizeof(in) - 1, &len);

		CHECK(r && len == 14 && !memcmp(r, "a\xef\xbf\xbd\xef\xbf\xbdz\0\xc3\xa9\xef\xbf\xbd", 14),
		      "length %zu", len);
		free(r);
		test_end("utf8: bytes that start no valid sequence become U+FFFD each, as Go reads them");
	}
	return TEST_MAIN_RESULT();
}
