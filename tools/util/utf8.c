#include "util/utf8.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdio.h>
#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *out)
{
	uint32_t c;
	size_t n, i;

	if (s[0] < 0x80) {
		*out = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		goto invalid;
	}
	if (len < n)
		goto invalid;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto invalid;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		goto invalid;
	*out = c;
	return n;
invalid:
	*out = 0xfffd;
	return 1;
}

int utf8_valid(const char *s)
{
	size_t len = strlen(s), i = 0;

	while (i < len) {
		uint32_t c;
		size_t n = utf8_decode((const unsigned char *)s + i, len - i, &c);

		if (c == 0xfffd && n == 1)
			return 0;
		i += n;
	}
	return 1;
}

/* A copy of s[0, len) with each byte that starts no valid sequence as
 * "\xNN" ('escape') or as U+FFFD. */
static char *copy_valid(const char *s, size_t len, int escape, size_t *outlen)
{
	struct buf b = BUF_INIT(SIZE_MAX / 2);
	size_t i = 0;
	char *out;

	while (i < len) {
		uint32_t c;
		size_t n = utf8_decode((const unsigned char *)s + i, len - i, &c);
		int rc;

		if (c != 0xfffd || n != 1)
			rc = buf_add(&b, s + i, n);
		else if (escape)
			rc = buf_printf(&b, "\\x%02x", (unsigned char)s[i]);
		else
			rc = buf_add(&b, "\xEF\xBF\xBD", 3);
		if (rc < 0) {
			buf_release(&b);
			return NULL;
		}
		i += n;
	}
	if (!(out = buf_detach(&b, outlen)))
		err_nomem();
	return out;
}

char *utf8_escape(const char *s)
{
	return copy_valid(s, strlen(s), 1, NULL);
}

char *utf8_replace(const char *s, size_t len, size_t *outlen)
{
	return copy_valid(s, len, 0, outlen);
}
