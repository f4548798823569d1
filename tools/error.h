#ifndef PINNED_ERROR_H
#define PINNED_ERROR_H

/*
 * The message of the last failure in this thread. Library functions that
 * return -1 set it; commands print it. Messages are lowercase, without a
 * final full stop, and name what failed first.
 */

/* Set the message, printf-style. Always returns -1 so callers can write
 * 'return err_set(...)'. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Like err_set(), with ": strerror(errno)" appended (errno as on entry). */
int err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message, or "unknown error" when none was set. */
const char *err_msg(void);

#endif
