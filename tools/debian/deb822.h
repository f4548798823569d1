#ifndef PINNED_DEB822_H
#define PINNED_DEB822_H

#include <stddef.h>

/*
 * Debian control data (deb822(5)): stanzas of "Field: value" lines, a line
 * starting with a space or tab continuing the field before it, stanzas
 * separated by lines that are empty or hold only spaces and tabs. This is
 * the form of Packages and Release files and of dpkg's status file. The
 * reader points into the caller's text and copies nothing; it refuses a
 * line that is not a field, a continuation outside a field, a field given
 * twice in one stanza and a NUL byte, naming the file and line.
 */
struct deb822_field {
	const char *name;	/* not NUL-terminated: use name_len */
	const char *value;	/* from the first non-blank after ':' to the last
				 * non-blank, continuation lines included */
	size_t name_len, value_len;
	size_t line;		/* where the field starts */
};

struct deb822 {
	const char *p, *end;	/* the text still to read */
	const char *file;	/* for messages */
	size_t line;		/* the line read last */
	struct deb822_field *f;	/* the fields of the stanza just read */
	size_t nf, alloc;
	size_t stanza_line;	/* where it starts */
};

/* Start reading 'len' bytes of 'text', the first of them on line 'line' of
 * 'file'. 'd' may be zeroed or have read other text: its memory is kept. */
void deb822_start(struct deb822 *d, const char *text, size_t len, const char *file, size_t line);

/* Read the next stanza into d->f. Returns 1, or 0 at the end of the text,
 * or ERR_FAIL ("FILE:LINE: ...") or ERR_NOMEM. */
int deb822_next(struct deb822 *d);

/* The field 'name' (any case) of the stanza just read, or NULL. */
const struct deb822_field *deb822_get(const struct deb822 *d, const char *name);

/* 1 when field 'f' is called 'name', in any case. */
int deb822_is(const struct deb822_field *f, const char *name);

/* Where the stanzas in 'text' end: the length of its longest prefix that
 * ends with a stanza separator ("\n\n"); 0 when there is none. A reader of
 * a stream reads that much and keeps the rest for the next piece. */
size_t deb822_whole(const char *text, size_t len);

void deb822_release(struct deb822 *d);

#endif
