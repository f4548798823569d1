#ifndef PINNED_ERROR_H
#define PINNED_ERROR_H

/*
 * The last failure in this thread: a message for people and a code for
 * callers that must tell failures apart. Library functions return 0, or a
 * negative code with the message set; commands print the message. Messages
 * are lowercase, without a final full stop, and name what failed first.
 * Decide on the code, never on the text of the message or on errno after a
 * library call.
 */
enum err_code {
	ERR_FAIL = -1,		/* anything not below */
	ERR_NOMEM = -2,		/* an allocation failed */
	ERR_NOTFOUND = -3,	/* a file, revision, object, image or key that is not there */
	ERR_CHANGED = -4,	/* an input changed while it was read */
	ERR_REFUSED = -5,	/* refused: credentials, certificate, policy */
	ERR_TOOBIG = -6,	/* past a size limit */
	ERR_TIMEOUT = -7,	/* a time limit ran out */
};

/* Set the message, printf-style, with code ERR_FAIL; returns ERR_FAIL so
 * callers can write 'return err_set(...)'. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Set the message with 'code'; returns 'code'. */
int err_code_set(enum err_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Like err_set(), with ": strerror(errno)" appended (errno as on entry, and
 * left so). The code follows errno: ENOENT is ERR_NOTFOUND, ENOMEM
 * ERR_NOMEM, EFBIG ERR_TOOBIG, anything else ERR_FAIL; returns it.
 */
int err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "out of memory", ERR_NOMEM; returns ERR_NOMEM. */
int err_nomem(void);

/*
 * Put "PREFIX: " before the current message, keeping its code; returns the
 * code. A message cut to fit keeps its end, where the reason is.
 */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The last message, or "unknown error" when none was set. */
const char *err_msg(void);

/* The code of the last failure (ERR_FAIL when none was set). */
enum err_code err_code(void);

#endif
