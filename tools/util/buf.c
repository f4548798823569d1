#include "util/buf.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_add(struct buf *b, const void *data, size_t len)
{
	if (len > b->max || b->len > b->max - len)
		return err_code_set(ERR_TOOBIG, "more than %zu bytes", b->max);
	if (b->len + len + 1 > b->alloc) {
		size_t alloc = b->alloc ? b->alloc : 64;
		char *s;

		while (alloc < b->len + len + 1)
			alloc *= 2;
		if (alloc > b->max + 1)
			alloc = b->max + 1;
		if (!(s = realloc(b->s, alloc)))
			return err_nomem();
		b->s = s;
		b->alloc = alloc;
	}
	if (len)
		memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256], *big = NULL;
	va_list again;
	int n, rc;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0 || (size_t)n < sizeof(small)) {
		va_end(again);
		return n < 0 ? err_set("cannot format '%s'", fmt) : buf_add(b, small, (size_t)n);
	}
	if (!(big = malloc((size_t)n + 1))) {
		va_end(again);
		return err_nomem();
	}
	vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	rc = buf_add(b, big, (size_t)n);
	free(big);
	return rc;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->s[len] = '\0';
	}
}

const char *buf_str(const struct buf *b)
{
	return b->s ? b->s : "";
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *s = b->s;

	if (len)
		*len = b->len;
	if (!s && !(s = strdup("")))
		err_nomem();
	b->s = NULL;
	b->len = b->alloc = 0;
	return s;
}

void buf_release(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->alloc = 0;
}
