/* Debian control data: stanzas of fields, read in place. */
#include "debian/deb822.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/grow.h"

void deb822_start(struct deb822 *d, const char *text, size_t len, const char *file, size_t line)
{
	d->p = text;
	d->end = text + len;
	d->file = file;
	d->line = line ? line - 1 : 0;
	d->nf = 0;
	d->stanza_line = line;
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The next line: '*len' bytes at '*start', without its "\n" or "\r\n". */
static int next_line(struct deb822 *d, const char **start, size_t *len)
{
	size_t left = (size_t)(d->end - d->p), n;
	const char *nl;

	if (d->p >= d->end)
		return 0;
	*start = d->p;
	nl = memchr(d->p, '\n', left);
	n = nl ? (size_t)(nl - d->p) : left;
	d->p += nl ? n + 1 : n;
	if (n && (*start)[n - 1] == '\r')
		n--;
	*len = n;
	d->line++;
	return 1;
}

static int is_separator(const char *s, const char *e)
{
	while (s < e && blank(*s))
		s++;
	return s == e;
}

static int field_end(struct deb822 *d, const char *stop)
{
	struct deb822_field *f = &d->f[d->nf - 1];
	const char *e = stop;

	while (e > f->value && (blank(e[-1]) || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	f->value_len = (size_t)(e - f->value);
	return 0;
}

static int add_field(struct deb822 *d, const char *s, const char *colon, const char *stop)
{
	struct deb822_field *f;
	const char *v = colon + 1;

	if (colon == s)
		return err_set("%s:%zu: a field with no name", d->file, d->line);
	for (size_t i = 0; i < d->nf; i++)
		if (d->f[i].name_len == (size_t)(colon - s) &&
		    strncasecmp(d->f[i].name, s, d->f[i].name_len) == 0)
			return err_set("%s:%zu: field '%.*s' given twice (first on line %zu)", d->file,
				       d->line, (int)(colon - s), s, d->f[i].line);
	if (GROW(d->f, d->nf, d->alloc))
		return ERR_NOMEM;
	f = &d->f[d->nf++];
	while (v < stop && blank(*v))
		v++;
	f->name = s;
	f->name_len = (size_t)(colon - s);
	f->value = v;
	f->line = d->line;
	return field_end(d, stop);
}

int deb822_next(struct deb822 *d)
{
	const char *s, *e;
	size_t len;

	d->nf = 0;
	while (next_line(d, &s, &len)) {
		const char *colon;

		e = s + len;
		if (memchr(s, '\0', len))
			return err_set("%s:%zu: a NUL byte", d->file, d->line);
		if (is_separator(s, e)) {
			if (d->nf)
				return 1;
			continue;
		}
		if (d->nf == 0)
			d->stanza_line = d->line;
		if (blank(*s)) {
			if (d->nf == 0)
				return err_set("%s:%zu: a continuation line with no field before it",
					       d->file, d->line);
			if (d->f[d->nf - 1].value_len == 0) {	/* the value starts here */
				while (s < e && blank(*s))
					s++;
				d->f[d->nf - 1].value = s;
			}
			field_end(d, e);
			continue;
		}
		colon = memchr(s, ':', len);
		if (!colon)
			return err_set("%s:%zu: '%.*s' is not a field ('Name: value')", d->file, d->line,
				       (int)(len > 40 ? 40 : len), s);
		if (add_field(d, s, colon, e))
			return err_code();
	}
	return d->nf ? 1 : 0;
}

int deb822_is(const struct deb822_field *f, const char *name)
{
	return strlen(name) == f->name_len && strncasecmp(f->name, name, f->name_len) == 0;
}

const struct deb822_field *deb822_get(const struct deb822 *d, const char *name)
{
	for (size_t i = 0; i < d->nf; i++)
		if (deb822_is(&d->f[i], name))
			return &d->f[i];
	return NULL;
}

size_t deb822_whole(const char *text, size_t len)
{
	for (size_t i = len; i >= 2; i--)
		if (text[i - 1] == '\n' && text[i - 2] == '\n')
			return i;
	return 0;
}

void deb822_release(struct deb822 *d)
{
	free(d->f);
	d->f = NULL;
	d->nf = d->alloc = 0;
}
