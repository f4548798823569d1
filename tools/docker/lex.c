#include "docker/lex.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define END (-1)

struct lexer {
	struct lex *lx;
	const char *s;
	size_t n, i;
	int raw_escapes;	/* as BuildKit, set for the scope of one stop_on() */
	int depth;
	/* the word being split: one buffer that nested ${...} words empty */
	struct buf word;
	int in_word;
	char **words;
	size_t nwords, walloc;
	int split;		/* lex_words(): keep the words */
};

/* Go's unicode.IsSpace. */
static int space_rune(uint32_t c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
	       c == 0x205F || c == 0x3000;
}

size_t lex_space(const char *s, size_t n)
{
	uint32_t c;
	size_t w;

	if (n == 0)
		return 0;
	w = utf8_decode((const unsigned char *)s, n, &c);
	return space_rune(c) ? w : 0;
}

size_t lex_spaces(const char *s, size_t n)
{
	size_t k = 0, w;

	while (k < n && (w = lex_space(s + k, n - k)))
		k += w;
	return k;
}

/* ---- reading runes ------------------------------------------------------- */

static int peek(const struct lexer *l)
{
	uint32_t c;

	if (l->i >= l->n)
		return END;
	utf8_decode((const unsigned char *)l->s + l->i, l->n - l->i, &c);
	return (int)c;
}

static int next(struct lexer *l)
{
	uint32_t c;

	if (l->i >= l->n)
		return END;
	l->i += utf8_decode((const unsigned char *)l->s + l->i, l->n - l->i, &c);
	return (int)c;
}

static size_t utf8_put(char out[4], uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

static int put(struct buf *b, int c)
{
	char u[4];

	return buf_add(b, u, utf8_put(u, (uint32_t)c));
}

static int fail(struct lexer *l, size_t at, const char *msg)
{
	l->lx->at = at;
	return err_set("%s", msg);
}

/* ---- splitting into words (BuildKit's wordsStruct) ------------------------ */

static int word_end(struct lexer *l)
{
	char *w;

	if (!l->word.len)
		return 0;
	if (GROW(l->words, l->nwords, l->walloc) < 0 || !(w = buf_detach(&l->word, NULL)))
		return ERR_NOMEM;
	l->words[l->nwords++] = w;
	l->in_word = 0;
	return 0;
}

/* A character as written: white space ends the word. */
static int word_char(struct lexer *l, int c)
{
	if (!l->split)
		return 0;
	if (space_rune((uint32_t)c))
		return l->in_word ? word_end(l) : 0;
	l->in_word = 1;
	return put(&l->word, c);
}

/* A character or string that is part of the word whatever it is. */
static int word_raw(struct lexer *l, const char *s, size_t n)
{
	if (!l->split)
		return 0;
	l->in_word = 1;
	return buf_add(&l->word, s, n);
}

/* A variable's value: split at its white space. */
static int word_value(struct lexer *l, const char *s, size_t n)
{
	size_t k = 0;

	while (l->split && k < n) {
		uint32_t c;
		int rc;

		k += utf8_decode((const unsigned char *)s + k, n - k, &c);
		if ((rc = word_char(l, (int)c)) < 0)
			return rc;
	}
	return 0;
}

/* ---- patterns ------------------------------------------------------------ */

enum { ATOM_CHAR, ATOM_ANY, ATOM_STAR };

/* Code points with the byte offset each starts at (one more: the end). */
struct runes {
	uint32_t *c;
	size_t *at;
	size_t n;
};

static int runes_of(struct runes *r, const char *s, size_t n)
{
	r->n = 0;
	r->c = malloc((n + 1) * sizeof(*r->c));
	r->at = malloc((n + 1) * sizeof(*r->at));
	if (!r->c || !r->at) {
		free(r->c);
		free(r->at);
		r->c = NULL;
		r->at = NULL;
		return err_nomem();
	}
	for (size_t i = 0; i < n;) {
		r->at[r->n] = i;
		i += utf8_decode((const unsigned char *)s + i, n - i, &r->c[r->n]);
		r->n++;
	}
	r->at[r->n] = n;
	return 0;
}

static void runes_release(struct runes *r)
{
	free(r->c);
	free(r->at);
}

struct pattern {
	uint32_t *c;
	unsigned char *kind;
	size_t n;
	size_t *seg;		/* where each segment starts: after each star */
	size_t nseg;		/* stars + 1 */
};

/*
 * A shell pattern as BuildKit converts it to a regular expression: * any
 * run, ? one character (neither crosses a newline), \* \? \\ themselves,
 * \} and \/ drop the backslash; any other escape is an error.
 */
static int pattern_compile(struct pattern *p, const uint32_t *src, size_t n, char why[64])
{
	p->c = malloc((n + 1) * sizeof(*p->c));
	p->kind = malloc(n + 1);
	p->seg = malloc((n + 1) * sizeof(*p->seg));
	p->n = 0;
	p->nseg = 1;
	if (!p->c || !p->kind || !p->seg)
		return err_nomem();
	p->seg[0] = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t c = src[i];
		unsigned char kind = ATOM_CHAR;

		if (c == '*') {
			kind = ATOM_STAR;
		} else if (c == '?') {
			kind = ATOM_ANY;
		} else if (c == '\\') {
			if (i + 1 < n && (src[i + 1] == '}' || src[i + 1] == '/'))
				continue;
			if (i + 1 == n || (src[i + 1] != '*' && src[i + 1] != '?' && src[i + 1] != '\\')) {
				char u[5] = "";

				if (i + 1 < n)
					u[utf8_put(u, src[i + 1])] = '\0';
				snprintf(why, 64, "invalid escape '\\%s'", u);
				return ERR_FAIL;
			}
			c = src[++i];
		}
		if (kind == ATOM_STAR) {
			p->seg[p->nseg++] = p->n + 1;
		}
		p->kind[p->n] = kind;
		p->c[p->n++] = c;
	}
	return 0;
}

static void pattern_release(struct pattern *p)
{
	free(p->c);
	free(p->kind);
	free(p->seg);
}

#define NONE SIZE_MAX

/* Segment 'k' (atoms up to the next star) at v[q...]: its end, or NONE. */
static size_t seg_match(const struct pattern *p, size_t k, const struct runes *v, size_t q)
{
	size_t a = p->seg[k], b = k + 1 < p->nseg ? p->seg[k + 1] - 1 : p->n;

	for (; a < b; a++, q++) {
		if (q >= v->n)
			return NONE;
		if (p->kind[a] == ATOM_ANY ? v->c[q] == '\n' : v->c[q] != p->c[a])
			return NONE;
	}
	return q;
}

/* Bound on the table of a match: segments x characters. */
#define MATCH_CELLS (1u << 26)

/*
 * A pattern against one value. ok[(k-1) * (n+1) + q]: segments k... can
 * follow a star at q (a star never crosses a newline, as Go's '.').
 */
struct matcher {
	const struct pattern *p;
	const struct runes *v;
	unsigned char *ok;
};

static int matcher_init(struct matcher *m, const struct pattern *p, const struct runes *v)
{
	size_t stars = p->nseg - 1, w = v->n + 1;

	m->p = p;
	m->v = v;
	m->ok = NULL;
	if (!stars)
		return 0;
	if (stars > MATCH_CELLS / w)
		return err_code_set(ERR_TOOBIG,
				    "pattern with %zu '*' too complex for a value of %zu characters",
				    stars, v->n);
	if (!(m->ok = calloc(stars * w, 1)))
		return err_nomem();
	for (size_t k = stars; k >= 1; k--) {
		unsigned char *row = m->ok + (k - 1) * w;

		for (size_t q = w; q-- > 0;) {
			size_t e = seg_match(p, k, v, q);

			row[q] = e != NONE && (k == stars || m->ok[k * w + e]);
			if (!row[q] && q < v->n && v->c[q] != '\n')
				row[q] = row[q + 1];
		}
	}
	return 0;
}

/* Segments k... can follow a star at q. */
static int can_follow(const struct matcher *m, size_t k, size_t q)
{
	return k >= m->p->nseg || m->ok[(k - 1) * (m->v->n + 1) + q];
}

/*
 * Match as Go's regexp does the expression BuildKit makes of the pattern:
 * the leftmost start at or after 'from' ('anchored': at 'from' only), and
 * there the first match in priority order, stars taking the most
 * ('greedy') or the least. Returns 1 with [*ms, *me), or 0.
 */
static int matcher_find(const struct matcher *m, size_t from, int anchored, int greedy,
			size_t *ms, size_t *me)
{
	const struct pattern *p = m->p;
	const struct runes *v = m->v;

	for (size_t s = from; s <= v->n; s++) {
		size_t pos = seg_match(p, 0, v, s);

		if (pos != NONE && can_follow(m, 1, pos)) {
			for (size_t k = 1; k < p->nseg; k++) {
				size_t lim = pos, pick = NONE;

				while (lim < v->n && v->c[lim] != '\n')
					lim++;
				for (size_t q = pos; q <= lim; q++) {
					size_t e = seg_match(p, k, v, q);

					if (e != NONE && can_follow(m, k + 1, e)) {
						pick = e;
						if (!greedy)
							break;
					}
				}
				pos = pick;
			}
			*ms = s;
			*me = pos;
			return 1;
		}
		if (anchored)
			break;
	}
	return 0;
}

/* ---- substitutions -------------------------------------------------------- */

/*
 * ${V#p} ${V##p} ${V%p} ${V%%p}: trim the shortest or longest ('greedy')
 * prefix or suffix matching the pattern. A suffix is a prefix of both
 * reversed (escapes kept before what they escape), as BuildKit does it.
 */
static int trim(struct buf *out, const char *value, const char *pat, int suffix, int greedy,
		char why[64])
{
	struct runes v = { 0 }, pr = { 0 };
	struct pattern p = { 0 };
	struct matcher m = { 0 };
	size_t ms, me;
	int rc;

	if ((rc = runes_of(&v, value, strlen(value))) < 0)
		return rc;
	if ((rc = runes_of(&pr, pat, strlen(pat))) < 0)
		goto done;
	if (suffix) {
		uint32_t *rp = malloc((pr.n + 1) * sizeof(*rp));

		if (!rp) {
			rc = err_nomem();
			goto done;
		}
		for (size_t i = 0; i < pr.n;) {
			size_t o = pr.n - 1 - i;

			if (pr.c[i] == '\\' && i + 1 < pr.n) {
				rp[o - 1] = '\\';
				rp[o] = pr.c[i + 1];
				i += 2;
			} else {
				rp[o] = pr.c[i++];
			}
		}
		memcpy(pr.c, rp, pr.n * sizeof(*rp));
		free(rp);
		for (size_t i = 0; i < v.n / 2; i++) {
			uint32_t t = v.c[i];

			v.c[i] = v.c[v.n - 1 - i];
			v.c[v.n - 1 - i] = t;
		}
	}
	if ((rc = pattern_compile(&p, pr.c, pr.n, why)) < 0 ||
	    (rc = matcher_init(&m, &p, &v)) < 0)
		goto done;
	if (!(rc = matcher_find(&m, 0, 1, greedy, &ms, &me)))
		me = 0;
	if (suffix) {
		for (size_t i = v.n; rc >= 0 && i-- > me;)
			rc = put(out, (int)v.c[i]);
	} else {
		rc = buf_adds(out, value + v.at[me]);
	}
	if (rc > 0)
		rc = 0;
done:
	free(m.ok);
	pattern_release(&p);
	runes_release(&v);
	runes_release(&pr);
	return rc;
}

/* Go's Regexp.Expand of 'tpl' for a match without groups: $$, $0, ${0}. */
static int expand_template(struct buf *out, const char *tpl, const char *m, size_t mlen)
{
	while (*tpl) {
		const char *d = strchr(tpl, '$'), *name, *rest;
		size_t nlen = 0;

		if (!d)
			return buf_adds(out, tpl);
		if (buf_add(out, tpl, (size_t)(d - tpl)) < 0)
			return -1;
		tpl = d + 1;
		if (*tpl == '$') {
			if (buf_add(out, "$", 1) < 0)
				return -1;
			tpl++;
			continue;
		}
		name = tpl + (*tpl == '{');
		while (name[nlen] == '_' || (name[nlen] >= '0' && name[nlen] <= '9') ||
		       ((name[nlen] | 0x20) >= 'a' && (name[nlen] | 0x20) <= 'z'))
			nlen++;
		rest = name + nlen;
		if (*tpl == '{') {
			if (*rest != '}')
				nlen = 0;
			rest++;
		}
		if (!nlen) {	/* malformed: the $ is text */
			if (buf_add(out, "$", 1) < 0)
				return -1;
			continue;
		}
		if (nlen == 1 && name[0] == '0' && buf_add(out, m, mlen) < 0)
			return -1;
		tpl = rest;
	}
	return 0;
}

/* ${V/p/r} and ${V//p/r}: the leftmost longest match, or every one. */
static int replace(struct buf *out, const char *value, const char *pat, const char *repl,
		   int all, char why[64])
{
	struct runes v = { 0 }, pr = { 0 };
	struct pattern p = { 0 };
	struct matcher m = { 0 };
	size_t from = 0, last = 0;
	int rc;

	if ((rc = runes_of(&v, value, strlen(value))) < 0)
		return rc;
	if ((rc = runes_of(&pr, pat, strlen(pat))) < 0 ||
	    (rc = pattern_compile(&p, pr.c, pr.n, why)) < 0 ||
	    (rc = matcher_init(&m, &p, &v)) < 0)
		goto done;
	for (;;) {
		size_t ms, me;

		if (!(rc = matcher_find(&m, from, 0, 1, &ms, &me)))
			break;
		if ((rc = buf_add(out, value + v.at[last], v.at[ms] - v.at[last])) < 0)
			goto done;
		if (!all) {
			last = me;
			rc = buf_adds(out, repl);
			break;
		}
		if ((me > last || ms == 0) &&
		    (rc = expand_template(out, repl, value + v.at[ms], v.at[me] - v.at[ms])) < 0)
			goto done;
		last = me;
		if (from + 1 > me)
			from++;
		else
			from = me;
		if (from > v.n)
			break;
	}
	if (rc >= 0)
		rc = buf_adds(out, value + v.at[last]);
done:
	free(m.ok);
	pattern_release(&p);
	runes_release(&v);
	runes_release(&pr);
	return rc;
}

/* ---- the lexer ----------------------------------------------------------- */

static int stop_on(struct lexer *l, int stop, int raw_escapes, struct buf *result, int top);

/* A name after $: digits, one special parameter, or letters, digits and _. */
static int one_of(int c, const char *set)
{
	return c > 0 && c < 0x80 && strchr(set, c);
}

static size_t read_name(struct lexer *l)
{
	size_t start = l->i;
	int c = peek(l);

	if (c >= '0' && c <= '9') {
		while ((c = peek(l)) >= '0' && c <= '9')
			next(l);
		return l->i - start;
	}
	if (one_of(c, "@*#?-$!0")) {
		next(l);
		return 1;
	}
	while ((c = peek(l)) == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
		next(l);
	return l->i - start;
}

static const char *lookup(struct lexer *l, size_t name, size_t nlen)
{
	return l->lx->lookup ? l->lx->lookup(l->lx->ctx, l->s + name, nlen) : NULL;
}

static int tell_unset(struct lexer *l, size_t name, size_t nlen, size_t at)
{
	return l->lx->unset ? l->lx->unset(l->lx->ctx, l->s + name, nlen, at) : 0;
}

/* A nested word up to 'stop', as a string (caller frees). */
static int nested(struct lexer *l, int stop, int raw_escapes, size_t start, const char *missing,
		  char **out)
{
	struct buf w = BUF_INIT(l->lx->max);
	int rc;

	*out = NULL;
	if (l->depth >= l->lx->max_depth) {
		l->lx->at = start;
		l->lx->deep = 1;
		return err_code_set(ERR_TOOBIG, "${...} nested more than %d deep", l->lx->max_depth);
	}
	l->depth++;
	/* BuildKit's nested words share, and empty, the word being split */
	buf_truncate(&l->word, 0);
	rc = stop_on(l, stop, raw_escapes, &w, 0);
	l->depth--;
	if (rc == ERR_FAIL && l->i >= l->n)
		rc = fail(l, start, missing);
	if (rc < 0 || !(*out = buf_detach(&w, NULL))) {
		buf_release(&w);
		return rc < 0 ? rc : ERR_NOMEM;
	}
	return 0;
}

/* $NAME or ${...} at l->i: its value appended to 'out'. */
static int dollar(struct lexer *l, struct buf *out)
{
	size_t start = l->i, name, nlen;
	const char *value;
	char *word = NULL, *repl = NULL, why[64] = "";
	int c, rc = 0, colon = 0;

	next(l);
	if (peek(l) != '{') {
		name = l->i;
		if (!(nlen = read_name(l)))
			return buf_add(out, "$", 1);
		if (!(value = lookup(l, name, nlen))) {
			if (l->lx->flags & LEX_SKIP_UNSET)
				return buf_add(out, l->s + start, l->i - start);
			if ((rc = tell_unset(l, name, nlen, start)) < 0)
				return rc;
			return 0;
		}
		return buf_adds(out, value);
	}
	next(l);
	c = peek(l);
	if (c == END)
		return fail(l, start, "syntax error: missing '}'");
	if (c == '{' || c == '}' || c == ':')
		return fail(l, start, "syntax error: bad substitution");
	name = l->i;
	nlen = read_name(l);
	c = next(l);
	if (c == ':') {
		colon = 1;
		c = next(l);
	}
	if (c == '}' && !colon) {
		if (!(value = lookup(l, name, nlen))) {
			if (l->lx->flags & LEX_SKIP_UNSET)
				return buf_add(out, l->s + start, l->i - start);
			return tell_unset(l, name, nlen, start);
		}
		return buf_adds(out, value);
	}
	if (c == '/' && !colon) {
		int all = peek(l) == '/';

		if (all)
			next(l);
		if ((rc = nested(l, '/', 1, start, "syntax error: missing '/' in ${}", &word)) < 0 ||
		    (rc = nested(l, '}', 1, start, "syntax error: missing '}'", &repl)) < 0)
			goto done;
		value = lookup(l, name, nlen);
		if (!value && (l->lx->flags & LEX_SKIP_UNSET)) {
			rc = buf_add(out, l->s + start, l->i - start);
			goto done;
		}
		if (!value && (rc = tell_unset(l, name, nlen, start)) < 0)
			goto done;
		rc = replace(out, value ? value : "", word, repl, all, why);
	} else if (one_of(c, "+-?#%") && !(colon && (c == '#' || c == '%'))) {
		if ((rc = nested(l, '}', c == '#' || c == '%', start, "syntax error: missing '}'", &word)) < 0)
			goto done;
		value = lookup(l, name, nlen);
		if (!value && (l->lx->flags & LEX_SKIP_UNSET)) {
			rc = buf_add(out, l->s + start, l->i - start);
			goto done;
		}
		if (c == '-') {
			rc = buf_adds(out, !value || (colon && !*value) ? word : value);
		} else if (c == '+') {
			if (!value && (rc = tell_unset(l, name, nlen, start)) < 0)
				goto done;
			rc = buf_adds(out, !value || (colon && !*value) ? "" : word);
		} else if (c == '?') {
			if (!value || (colon && !*value)) {
				l->lx->at = start;
				rc = err_set("%.*s: %s", (int)nlen, l->s + name,
					     *word ? word : !value ? "is not allowed to be unset" :
					     "is not allowed to be empty");
				goto done;
			}
			rc = buf_adds(out, value);
		} else {
			const char *pat = word;
			int greedy = *pat == c;

			if (!value && (rc = tell_unset(l, name, nlen, start)) < 0)
				goto done;
			rc = trim(out, value ? value : "", pat + greedy, c == '%', greedy, why);
		}
	} else {
		char mod[8] = "";
		size_t k = 0;

		if (colon)
			mod[k++] = ':';
		if (c != END)
			k += utf8_put(mod + k, (uint32_t)c);
		mod[k] = '\0';
		l->lx->at = start;
		rc = c == END ? fail(l, start, "syntax error: missing '}'") :
			err_set("unsupported modifier (%s) in substitution", mod);
	}
done:
	if (rc == ERR_FAIL && *why) {
		l->lx->at = start;
		rc = err_set("invalid pattern (%s) in substitution: %s", word, why);
	}
	free(word);
	free(repl);
	return rc < 0 ? rc : 0;
}

/* Past an opening quote, kept when quotes are raw. */
static int open_quote(struct lexer *l, struct buf *out, int *raw)
{
	int c = next(l);

	*raw = (l->lx->flags & LEX_RAW_QUOTES) != 0;
	return *raw ? put(out, c) : 0;
}

static int single_quote(struct lexer *l, struct buf *out)
{
	size_t start = l->i;
	int raw, c, rc;

	if ((rc = open_quote(l, out, &raw)) < 0)
		return rc;
	for (;;) {
		c = next(l);
		if (c == END)
			return fail(l, start, "unexpected end of statement while looking for matching single-quote");
		if (c == '\'')
			return raw ? put(out, c) : 0;
		if ((rc = put(out, c)) < 0)
			return rc;
	}
}

static int double_quote(struct lexer *l, struct buf *out)
{
	size_t start = l->i;
	int raw, c, rc;

	if ((rc = open_quote(l, out, &raw)) < 0)
		return rc;
	for (;;) {
		switch (peek(l)) {
		case END:
			return fail(l, start, "unexpected end of statement while looking for matching double-quote");
		case '"':
			c = next(l);
			return raw ? put(out, c) : 0;
		case '$':
			if ((rc = dollar(l, out)) < 0)
				return rc;
			break;
		default:
			c = next(l);
			if (c == l->lx->escape) {
				int e = peek(l);

				if (l->raw_escapes && (rc = put(out, c)) < 0)
					return rc;
				if (e == END)
					continue;
				/* only these are escaped; the escape before another stays */
				if (e == '"' || e == '$' || e == l->lx->escape)
					c = next(l);
			}
			if ((rc = put(out, c)) < 0)
				return rc;
		}
	}
}

/*
 * Read up to 'stop' (END: the end), appending the result to 'result' and,
 * at the top, splitting words: as BuildKit's processStopOn.
 */
static int stop_on(struct lexer *l, int stop, int raw_escapes, struct buf *result, int top)
{
	int saved = l->raw_escapes, rc = 0;

	l->raw_escapes = raw_escapes;
	while (l->i < l->n) {
		int c = peek(l);
		size_t mark = result->len;

		if (stop != END && c == stop) {
			next(l);
			if (!top)
				buf_truncate(&l->word, 0);
			goto out;
		}
		if (c == '$' || c == '\'' || c == '"') {
			rc = c == '$' ? dollar(l, result) : c == '\'' ? single_quote(l, result) :
				double_quote(l, result);
			if (rc >= 0 && top)
				rc = c == '$' ? word_value(l, buf_str(result) + mark, result->len - mark) :
					word_raw(l, buf_str(result) + mark, result->len - mark);
			if (rc < 0)
				goto out;
			continue;
		}
		if (c == '<' && l->i + 1 < l->n && l->s[l->i + 1] == '<') {
			/* "<<" and the blanks after it stay in the word: << EOF is one */
			size_t from = l->i;

			l->i += 2;
			while (l->i < l->n && (l->s[l->i] == ' ' || l->s[l->i] == '\t'))
				l->i++;
			if ((rc = buf_add(result, l->s + from, l->i - from)) < 0 ||
			    (top && (rc = word_raw(l, l->s + from, l->i - from)) < 0))
				goto out;
			continue;
		}
		c = next(l);
		if (c != l->lx->escape) {
			if ((rc = put(result, c)) < 0 || (top && (rc = word_char(l, c)) < 0))
				goto out;
			continue;
		}
		if (l->raw_escapes && (rc = put(result, c)) < 0)
			goto out;
		if ((c = next(l)) != END)
			rc = put(result, c);
		/* the escape (when kept) and what it escapes belong to the word */
		if (rc < 0 || (top && (rc = word_raw(l, buf_str(result) + mark, result->len - mark)) < 0) ||
		    c == END)
			break;
	}
	if (rc >= 0 && stop != END) {
		char what[8] = "";

		what[utf8_put(what, (uint32_t)stop)] = '\0';
		l->lx->at = l->i;
		rc = err_set("unexpected end of statement while looking for matching %s", what);
	}
out:
	l->raw_escapes = saved;
	return rc < 0 ? rc : 0;
}

static int run(struct lex *lx, struct lexer *l, struct buf *result, const char *s, size_t n,
	       int split)
{
	*l = (struct lexer){ .lx = lx, .s = s, .n = n, .word = BUF_INIT(lx->max), .split = split };
	lx->at = 0;
	lx->deep = 0;
	/* Go's text/scanner skips a byte-order mark at the start */
	if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		l->i = 3;
	return stop_on(l, END, (lx->flags & LEX_RAW_ESCAPES) != 0, result, 1);
}

int lex_word(struct lex *lx, char **out, const char *s, size_t n)
{
	struct buf result = BUF_INIT(lx->max);
	struct lexer l;
	int rc = run(lx, &l, &result, s, n, 0);

	*out = NULL;
	if (rc >= 0 && !(*out = buf_detach(&result, NULL)))
		rc = ERR_NOMEM;
	buf_release(&result);
	buf_release(&l.word);
	return rc < 0 ? rc : 0;
}

void lex_words_free(char **words)
{
	for (size_t i = 0; words && words[i]; i++)
		free(words[i]);
	free(words);
}

int lex_words(struct lex *lx, char ***words, size_t *count, const char *s, size_t n)
{
	struct buf result = BUF_INIT(lx->max);
	struct lexer l;
	int rc = run(lx, &l, &result, s, n, 1);

	*words = NULL;
	*count = 0;
	buf_release(&result);
	if (rc >= 0)
		rc = word_end(&l);
	if (rc >= 0 && GROW(l.words, l.nwords, l.walloc) < 0)
		rc = ERR_NOMEM;
	buf_release(&l.word);
	if (rc < 0) {
		for (size_t i = 0; i < l.nwords; i++)
			free(l.words[i]);
		free(l.words);
		return rc;
	}
	l.words[l.nwords] = NULL;
	*words = l.words;
	*count = l.nwords;
	return 0;
}
