#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MESSAGE_MAX 1024

static _Thread_local char message[MESSAGE_MAX];
static _Thread_local enum err_code code = ERR_FAIL;

/* Format into 'out' (MESSAGE_MAX bytes). A path-heavy message that does not
 * fit loses its middle, never its end, where the reason is: a path in it
 * may be any length. */
static void format(char *out, const char *fmt, va_list ap)
{
	char small[4 * MESSAGE_MAX], *full = small;
	va_list again;
	int n;
	size_t len;

	va_copy(again, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n >= (int)sizeof(small) && (full = malloc((size_t)n + 1)))
		vsnprintf(full, (size_t)n + 1, fmt, again);
	else
		full = small;	/* no memory: the end of a long one is lost */
	va_end(again);
	len = n < 0 ? 0 : full != small || (size_t)n < sizeof(small) ? (size_t)n : sizeof(small) - 1;
	if (len < MESSAGE_MAX) {
		memcpy(out, full, len + 1);
	} else {
		/* keep the first third and the last part, joined by "..." */
		size_t head = MESSAGE_MAX / 3, tail = MESSAGE_MAX - head - 4;

		memcpy(out, full, head);
		memcpy(out + head, "...", 3);
		memcpy(out + head + 3, full + len - tail, tail);
		out[MESSAGE_MAX - 1] = '\0';
	}
	if (full != small)
		free(full);
}

static int set(enum err_code c, const char *fmt, va_list ap)
{
	format(message, fmt, ap);
	code = c;
	return c;
}

int err_set(const char *fmt, ...)
{
	va_list ap;
	int c;

	va_start(ap, fmt);
	c = set(ERR_FAIL, fmt, ap);
	va_end(ap);
	return c;
}

int err_code_set(enum err_code c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	c = set(c, fmt, ap);
	va_end(ap);
	return c;
}

static enum err_code errno_code(int e)
{
	switch (e) {
	case ENOENT: return ERR_NOTFOUND;
	case ENOMEM: return ERR_NOMEM;
	case EFBIG: return ERR_TOOBIG;
	default: return ERR_FAIL;
	}
}

int err_errno(const char *fmt, ...)
{
	int saved = errno;
	char what[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	format(what, fmt, ap);
	va_end(ap);
	err_code_set(errno_code(saved), "%s: %s", what, strerror(saved));
	errno = saved;
	return code;
}

int err_nomem(void)
{
	return err_code_set(ERR_NOMEM, "out of memory");
}

int err_prefix(const char *fmt, ...)
{
	char prefix[MESSAGE_MAX], old[MESSAGE_MAX];
	enum err_code keep = code;
	va_list ap;

	va_start(ap, fmt);
	format(prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err_msg(), strlen(err_msg()) + 1);
	return err_code_set(keep, "%s: %s", prefix, old);
}

const char *err_msg(void)
{
	return message[0] ? message : "unknown error";
}

enum err_code err_code(void)
{
	return code;
}
