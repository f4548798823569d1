#ifndef PINNED_BUF_H
#define PINNED_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growing byte buffer with a cap, as curl's dynbuf: the bytes are always
 * followed by a NUL, and the buffer refuses to hold more than 'max' bytes.
 * Zero-initialise with BUF_INIT(max); empty with buf_release().
 */
struct buf {
	char *s;	/* the bytes and a NUL; NULL until the first byte */
	size_t len;	/* bytes held */
	size_t alloc;	/* bytes allocated */
	size_t max;	/* most bytes it may hold */
};

#define BUF_INIT(max) { NULL, 0, 0, (max) }

/* Caps for what callers commonly read whole. */
#define BUF_MAX_TEXT (64u << 20)	/* a Dockerfile, a lock, a config file */

/*
 * Append 'len' bytes. Returns 0, or ERR_NOMEM, or ERR_TOOBIG (message "more
 * than MAX bytes") when the buffer would pass its cap; the buffer then holds
 * what it held before.
 */
int buf_add(struct buf *b, const void *data, size_t len);

/* Append a NUL-terminated string. */
int buf_adds(struct buf *b, const char *s);

/* Append printf-style. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Keep the first 'len' bytes (no more than it holds). */
void buf_truncate(struct buf *b, size_t len);

/* The contents as a string: "" for an empty buffer (never NULL). */
const char *buf_str(const struct buf *b);

/*
 * Hand the bytes to the caller (free() them) and leave the buffer empty;
 * '*len' gets their length when 'len' is not NULL. An empty buffer gives a
 * new "" (NULL with ERR_NOMEM when that allocation fails).
 */
char *buf_detach(struct buf *b, size_t *len);

/* Drop the bytes and the memory, keeping the cap; accepts a zeroed buffer. */
void buf_release(struct buf *b);

#endif
