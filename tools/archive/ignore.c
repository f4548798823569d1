#include "archive/ignore.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/utf8.h"
#include "util/grow.h"
#include "util/sorted.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Docker turns each pattern into a regular expression, except for three
 * fast paths chosen while it scans the pattern; the fast paths do not always
 * agree with the expression ("**foo" is a plain suffix test), so both are
 * kept here exactly as Docker chooses them.
 */
enum match_type { MATCH_EXACT, MATCH_PREFIX, MATCH_SUFFIX, MATCH_REGEX };

enum token_type {
	TOKEN_LITERAL,	 /* the bytes text[start, start + len) */
	TOKEN_ONE,	 /* [^/] : one character other than '/' */
	TOKEN_STAR,	 /* [^/]* */
	TOKEN_DIRS,	 /* (.*\/)? : nothing, or anything ending in '/' */
	TOKEN_REST,	 /* .* at the end */
	TOKEN_CLASS,	 /* [...] : ranges[start, start + len) */
};

struct token {
	enum token_type type;
	int negated;	 /* TOKEN_CLASS: [^...] */
	size_t start, len;
};

struct range {
	uint32_t lo, hi;
};

struct pattern {
	char *text;	/* the cleaned pattern, without '!' */
	int exception;	/* it started with '!' */
	enum match_type type;
	struct token *tokens;
	size_t ntokens, tokens_alloc;
	struct range *ranges;
	size_t nranges, ranges_alloc;
	size_t *state;	/* MATCH_REGEX: [t] the first state of token t */
	size_t nstates;
};

struct ignore {
	struct pattern *patterns;
	size_t count, alloc;
	uint32_t *threads;	/* matching's sparse sets: 4 * the most states */
	size_t nthreads;
};

/* Width of the Unicode white space (Go's unicode.IsSpace) starting at s, or 0. */
static size_t space_width(const unsigned char *s, size_t len)
{
	uint32_t c;
	size_t n = utf8_decode(s, len, &c);

	if (c == 0xfffd)
		return 0;
	switch (c) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return n;
	}
	return c >= 0x2000 && c <= 0x200a ? n : 0;
}

/* Go's strings.TrimSpace on s[*start, *end). */
static void trim_space(const char *s, size_t *start, size_t *end)
{
	size_t n;

	while (*start < *end &&
	       (n = space_width((const unsigned char *)s + *start, *end - *start)))
		*start += n;
	while (*end > *start) {
		size_t back, found = 0;

		for (back = 1; back <= 3 && back <= *end - *start; back++) {
			const unsigned char *p = (const unsigned char *)s + *end - back;

			if (space_width(p, back) == back) {
				found = back;
				break;
			}
		}
		if (!found)
			break;
		*end -= found;
	}
}

static int is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

struct where {
	const char *name;
	size_t line, col;	/* col: 1-based column of the pattern's start */
	const char *pattern;
};

static int malformed(const struct where *at, size_t offset, const char *why)
{
	return err_set("%s:%zu:%zu: malformed pattern '%s': %s", at->name,
		       at->line, at->col + offset, at->pattern, why);
}

/*
 * Read one escaped-or-plain character of a class, as Go's filepath.Match
 * (getEsc) does, and check what Docker's regular expression would make of
 * it. Returns the offset after it, or 0 with err_msg() set.
 */
static size_t class_char(const char *p, size_t i, uint32_t *out,
			 const struct where *at)
{
	size_t len = strlen(p), n;

	if (i >= len)
		return malformed(at, i, "unterminated character class"), 0;
	if (p[i] == '-' || p[i] == ']')
		return malformed(at, i, "bad range in character class"), 0;
	if (p[i] == '\\') {
		if (++i >= len)
			return malformed(at, i, "unterminated character class"), 0;
		if (is_alnum((unsigned char)p[i]) || (unsigned char)p[i] >= 0x80)
			return malformed(at, i - 1,
				"'\\' before a letter, digit or non-ASCII character has a regular-expression meaning in Docker"), 0;
	} else if (p[i] == '[' || p[i] == '*' || p[i] == '?') {
		return malformed(at, i,
			"'[', '*' and '?' inside a character class are read differently by Docker; escape them with '\\'"), 0;
	}
	n = utf8_decode((const unsigned char *)p + i, len - i, out);
	if (*out == 0xfffd && n == 1 && (unsigned char)p[i] >= 0x80)
		return malformed(at, i, "invalid UTF-8 in character class"), 0;
	if (i + n >= len)
		return malformed(at, i + n, "unterminated character class"), 0;
	return i + n;
}

static int add_token(struct pattern *pat, enum token_type type, size_t start,
		     size_t len)
{
	if (type == TOKEN_LITERAL && pat->ntokens &&
	    pat->tokens[pat->ntokens - 1].type == TOKEN_LITERAL &&
	    pat->tokens[pat->ntokens - 1].start + pat->tokens[pat->ntokens - 1].len == start) {
		pat->tokens[pat->ntokens - 1].len += len;
		return 0;
	}
	if (GROW(pat->tokens, pat->ntokens, pat->tokens_alloc) < 0)
		return -1;
	pat->tokens[pat->ntokens++] = (struct token){ type, 0, start, len };
	return 0;
}

static int add_range(struct pattern *pat, uint32_t lo, uint32_t hi)
{
	if (GROW(pat->ranges, pat->nranges, pat->ranges_alloc) < 0)
		return -1;
	pat->ranges[pat->nranges++] = (struct range){ lo, hi };
	return 0;
}

/* Parse "[...]" at p[i] into a TOKEN_CLASS. Returns the offset after it, or 0. */
static size_t compile_class(struct pattern *pat, size_t i, const struct where *at)
{
	const char *p = pat->text;
	size_t first = pat->nranges, count = 0;
	int negated = 0;

	i++;
	if (p[i] == '^') {
		negated = 1;
		i++;
	}
	for (;;) {
		uint32_t lo, hi;

		if (p[i] == ']' && count > 0)
			break;
		if (!(i = class_char(p, i, &lo, at)))
			return 0;
		hi = lo;
		if (p[i] == '-' && !(i = class_char(p, i + 1, &hi, at)))
			return 0;
		if (hi < lo)
			return malformed(at, i - 1, "range out of order in character class"), 0;
		if (add_range(pat, lo, hi) < 0)
			return 0;
		count++;
	}
	if (add_token(pat, TOKEN_CLASS, first, count) < 0)
		return 0;
	pat->tokens[pat->ntokens - 1].negated = negated;
	return i + 1;
}

#define RUNE_MAX 4

static size_t token_states(const struct token *tok)
{
	switch (tok->type) {
	case TOKEN_LITERAL:
		return tok->len;
	case TOKEN_ONE: case TOKEN_CLASS: case TOKEN_STAR:
		return RUNE_MAX;
	case TOKEN_DIRS:
		return 2;	/* entered here, or looping */
	case TOKEN_REST:
		return 1;
	}
	return 1;
}

/* Number the states of each token, for matching. */
static int number_states(struct pattern *pat)
{
	if (!(pat->state = malloc((pat->ntokens + 1) * sizeof(*pat->state))))
		return err_nomem();
	pat->nstates = 0;
	for (size_t t = 0; t < pat->ntokens; t++) {
		pat->state[t] = pat->nstates;
		pat->nstates += token_states(&pat->tokens[t]);
	}
	pat->state[pat->ntokens] = pat->nstates;
	return 0;
}

/*
 * Turn the cleaned pattern into tokens and choose its match type, step by
 * step as Docker's Pattern.compile() does, after the syntax check that its
 * filepath.Match() call makes.
 */
static int compile(struct pattern *pat, const struct where *at)
{
	const char *p = pat->text;
	size_t len = strlen(p), i = 0, step;
	enum match_type type = MATCH_EXACT;

	for (step = 0; i < len; step++) {
		if (p[i] == '*' && p[i + 1] == '*') {
			i += 2;
			if (p[i] == '/')
				i++;
			if (i == len) {
				if (type == MATCH_EXACT) {
					type = MATCH_PREFIX;
				} else {
					if (add_token(pat, TOKEN_REST, i, 0) < 0)
						return -1;
					type = MATCH_REGEX;
				}
			} else {
				/* a run of "**" + "/" is one "(.*\/)?" */
				if ((!pat->ntokens || pat->tokens[pat->ntokens - 1].type != TOKEN_DIRS) &&
				    add_token(pat, TOKEN_DIRS, i, 0) < 0)
					return -1;
				type = MATCH_REGEX;
			}
			if (step == 0)
				type = MATCH_SUFFIX;
		} else if (p[i] == '*' || p[i] == '?') {
			if (add_token(pat, p[i] == '*' ? TOKEN_STAR : TOKEN_ONE, i, 0) < 0)
				return -1;
			type = MATCH_REGEX;
			i++;
		} else if (p[i] == '\\') {
			if (i + 1 == len)
				return malformed(at, i, "'\\' at the end");
			if (is_alnum((unsigned char)p[i + 1]) || (unsigned char)p[i + 1] >= 0x80)
				return malformed(at, i,
					"'\\' before a letter, digit or non-ASCII character has a regular-expression meaning in Docker");
			if (add_token(pat, TOKEN_LITERAL, i + 1, 1) < 0)
				return -1;
			type = MATCH_REGEX;
			i += 2;
		} else if (p[i] == '[') {
			if (!(i = compile_class(pat, i, at)))
				return -1;
			type = MATCH_REGEX;
		} else if (p[i] == ']') {
			if (add_token(pat, TOKEN_LITERAL, i, 1) < 0)
				return -1;
			type = MATCH_REGEX;
			i++;
		} else {
			if (add_token(pat, TOKEN_LITERAL, i, 1) < 0)
				return -1;
			i++;
		}
	}
	pat->type = type;
	return type == MATCH_REGEX ? number_states(pat) : 0;
}

/*
 * Matching runs the tokens as an automaton over the path's bytes, all
 * threads in step (as Go's regexp does when it cannot backtrack cheaply):
 * time is pattern length times path length, memory is pattern length, and
 * nothing recurses, whatever the pattern. A thread is a state number:
 * state[t] + k is token t with k bytes of it done (a literal), or k bytes of
 * the current character still to skip (one character, a class, a star).
 * Every state of a token with a loop (star, "(.*\/)?") is its own thread.
 */
struct threads {
	uint32_t *dense, *sparse;
	size_t n;
};

struct machine {
	const struct pattern *pat;
	const char *path;
	size_t len;
	int matched;	/* the whole path matched */
};

/* The token that state 's' belongs to. */
static size_t owner(const struct pattern *pat, size_t s)
{
	return sorted_last_at_most(pat->state, pat->ntokens, s);
}

static void thread_add(struct threads *th, size_t s)
{
	if (th->sparse[s] < th->n && th->dense[th->sparse[s]] == s)
		return;
	th->sparse[s] = (uint32_t)th->n;
	th->dense[th->n++] = (uint32_t)s;
}

static int thread_has(const struct threads *th, size_t s)
{
	return th->sparse[s] < th->n && th->dense[th->sparse[s]] == s;
}

/* Start token t at byte 'pos': follow the moves that take no byte. */
static void token_start(struct machine *m, struct threads *th, size_t t, size_t pos)
{
	for (; t < m->pat->ntokens; t++) {
		const struct token *tok = &m->pat->tokens[t];

		if (tok->type == TOKEN_REST) {
			/* ".*" to the end: everything left but a newline */
			if (!memchr(m->path + pos, '\n', m->len - pos))
				m->matched = 1;
			return;
		}
		if (thread_has(th, m->pat->state[t]))
			return;	/* and so is everything after it */
		thread_add(th, m->pat->state[t]);
		if (tok->type != TOKEN_STAR && tok->type != TOKEN_DIRS)
			return;
	}
	if (pos == m->len)
		m->matched = 1;
}

static int in_class(const struct pattern *pat, const struct token *tok, uint32_t c)
{
	int in = 0;

	for (size_t n = tok->start; n < tok->start + tok->len; n++)
		if (pat->ranges[n].lo <= c && c <= pat->ranges[n].hi)
			in = 1;
	return in != tok->negated;
}

/* Move thread 's' over the byte at 'pos' into 'next'. */
static void thread_step(struct machine *m, struct threads *next, size_t s, size_t pos)
{
	size_t t = owner(m->pat, s), k = s - m->pat->state[t], width;
	const struct token *tok = &m->pat->tokens[t];
	unsigned char b = (unsigned char)m->path[pos];
	uint32_t c;

	if (tok->type == TOKEN_LITERAL) {
		if (b != (unsigned char)m->pat->text[tok->start + k])
			return;
		if (k + 1 < tok->len)
			thread_add(next, s + 1);
		else
			token_start(m, next, t + 1, pos + 1);
		return;
	}
	if (tok->type == TOKEN_DIRS) {
		if (b == '\n')
			return;
		thread_add(next, m->pat->state[t] + 1);
		if (b == '/')
			token_start(m, next, t + 1, pos + 1);
		return;
	}
	if (k > 0) {		/* inside a character already taken */
		if (k > 1)
			thread_add(next, s - 1);
		else if (tok->type == TOKEN_STAR)
			token_start(m, next, t, pos + 1);
		else
			token_start(m, next, t + 1, pos + 1);
		return;
	}
	if (b == '/' && tok->type != TOKEN_CLASS)
		return;
	width = utf8_decode((const unsigned char *)m->path + pos, m->len - pos, &c);
	if (tok->type == TOKEN_CLASS && !in_class(m->pat, tok, c))
		return;
	if (width > 1)
		thread_add(next, s + width - 1);
	else if (tok->type == TOKEN_STAR)
		token_start(m, next, t, pos + 1);
	else
		token_start(m, next, t + 1, pos + 1);
}

/*
 * 'mem' holds 4 * pat->nstates entries, set once (to anything): a sparse set
 * reads an entry only after checking it against the dense half.
 */
static int match_regex(const struct pattern *pat, uint32_t *mem, const char *path,
		       size_t len)
{
	struct threads cur, next, swap;
	struct machine m = { pat, path, len, 0 };
	size_t n = pat->nstates, pos, i;

	cur = (struct threads){ mem, mem + n, 0 };
	next = (struct threads){ mem + 2 * n, mem + 3 * n, 0 };
	token_start(&m, &cur, 0, 0);
	for (pos = 0; pos < len && cur.n && !m.matched; pos++) {
		next.n = 0;
		for (i = 0; i < cur.n; i++)
			thread_step(&m, &next, cur.dense[i], pos);
		swap = cur;
		cur = next;
		next = swap;
	}
	return m.matched;
}

static int pattern_match(const struct ignore *ig, const struct pattern *pat,
			 const char *path, size_t len)
{
	size_t plen = strlen(pat->text);

	switch (pat->type) {
	case MATCH_EXACT:
		return len == plen && !memcmp(path, pat->text, len);
	case MATCH_PREFIX:
		return len >= plen - 2 && !memcmp(path, pat->text, plen - 2);
	case MATCH_SUFFIX: {
		const char *suffix = pat->text + 2;
		size_t slen = plen - 2;

		if (len >= slen && !memcmp(path + len - slen, suffix, slen))
			return 1;
		return slen > 0 && suffix[0] == '/' && len == slen - 1 &&
		       !memcmp(path, suffix + 1, len);
	}
	case MATCH_REGEX:
		return match_regex(pat, ig->threads, path, len);
	}
	return 0;
}

int ignore_excluded(const struct ignore *ig, const char *path)
{
	size_t len = strlen(path), i, n;
	int excluded = 0;

	for (i = 0; i < ig->count; i++) {
		const struct pattern *pat = &ig->patterns[i];
		int match;

		if (pat->exception != excluded)
			continue;
		match = pattern_match(ig, pat, path, len);
		for (n = 0; !match && n < len; n++)
			if (path[n] == '/')
				match = pattern_match(ig, pat, path, n);
		if (match)
			excluded = !pat->exception;
	}
	return excluded;
}

/* 1 when the pattern component [s, s + n) holds a character with a special meaning. */
static int has_wildcard(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return 1;
	return 0;
}

int ignore_may_include_below(const struct ignore *ig, const char *dir)
{
	for (size_t i = 0; i < ig->count; i++) {
		const char *p = ig->patterns[i].text, *d = dir;
		int possible = 1;

		if (!ig->patterns[i].exception)
			continue;
		/* Compare component by component while the pattern is literal. */
		while (possible) {
			size_t pn = strcspn(p, "/"), dn = strcspn(d, "/");

			if (has_wildcard(p, pn))
				break;
			if (pn != dn || memcmp(p, d, pn) || p[pn] != '/')
				possible = 0;
			else if (d[dn] == '\0')
				break;
			p += pn + 1;
			d += dn + 1;
		}
		if (possible)
			return 1;
	}
	return 0;
}

static void pattern_release(struct pattern *pat)
{
	free(pat->text);
	free(pat->tokens);
	free(pat->ranges);
	free(pat->state);
}

void ignore_free(struct ignore *ig)
{
	if (!ig)
		return;
	for (size_t i = 0; i < ig->count; i++)
		pattern_release(&ig->patterns[i]);
	free(ig->patterns);
	free(ig->threads);
	free(ig);
}

struct ignore *ignore_empty(void)
{
	return calloc(1, sizeof(struct ignore));
}

/* Add the pattern 'text' (already cleaned, '!' already removed). */
static int add_pattern(struct ignore *ig, const char *text, int exception,
		       const struct where *at)
{
	struct pattern pat = { 0 };

	if (GROW(ig->patterns, ig->count, ig->alloc) < 0)
		return -1;
	if (!(pat.text = strdup(text)))
		return err_nomem();
	pat.exception = exception;
	if (compile(&pat, at) < 0) {
		pattern_release(&pat);
		return -1;
	}
	if (pat.nstates > ig->nthreads) {
		uint32_t *threads = calloc(4 * pat.nstates, sizeof(*threads));

		if (!threads) {
			pattern_release(&pat);
			return err_nomem();
		}
		free(ig->threads);
		ig->threads = threads;
		ig->nthreads = pat.nstates;
	}
	ig->patterns[ig->count++] = pat;
	return 0;
}

int ignore_keep(struct ignore *ig, const char *path)
{
	struct where at = { "(built in)", 0, 1, path };

	if (!ignore_excluded(ig, path))
		return 0;
	return add_pattern(ig, path, 1, &at);
}

/*
 * One line, as moby's ignorefile.ReadAll() and then patternmatcher.New()
 * read it: '#' at the very start is a comment; spaces are trimmed; a
 * leading '!' makes an exception; the rest is cleaned like a path and loses
 * a leading '/'; New() then trims and cleans the result once more (so
 * "./!x" becomes an exception too). 'line' is the text without its end of
 * line.
 */
static int parse_line(struct ignore *ig, const char *line, size_t len,
		      const char *name, size_t lineno)
{
	size_t start = 0, end = len, col;
	int exception = 0, rc;
	char *text, *p;
	struct where at = { name, lineno, 0, NULL };

	if (len && line[0] == '#')
		return 0;
	trim_space(line, &start, &end);
	if (start == end)
		return 0;
	col = start + 1;
	if (line[start] == '!') {
		exception = 1;
		start++;
		trim_space(line, &start, &end);
	}
	if (memchr(line + start, '\0', end - start))
		return err_set("%s:%zu:%zu: NUL byte in pattern", name, lineno, col);
	/* room for '!', the pattern, and "." from cleaning an empty one */
	if (!(text = malloc(end - start + 3)))
		return err_nomem();
	p = text + 1;
	memcpy(p, line + start, end - start);
	p[end - start] = '\0';
	if (*p) {
		path_clean(p);
		if (p[0] == '/' && p[1] != '\0')
			p++;
	}
	if (exception)
		*--p = '!';
	start = 0;
	end = strlen(p);
	trim_space(p, &start, &end);
	p[end] = '\0';
	p += start;
	rc = 0;
	if (*p) {
		path_clean(p);
		at.col = col;
		at.pattern = p;
		if (p[0] == '!' && p[1] == '\0')
			rc = malformed(&at, 0, "an exception needs a pattern");
		else if (p[0] == '!')
			rc = add_pattern(ig, p + 1, 1, &at);
		else
			rc = add_pattern(ig, p, 0, &at);
	}
	free(text);
	return rc;
}

int ignore_parse(struct ignore **out, const char *text, size_t len,
		 const char *name)
{
	struct ignore *ig = ignore_empty();
	size_t pos = 0, lineno = 0;

	*out = NULL;
	if (!ig)
		return err_nomem();
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, linelen = end - pos;

		lineno++;
		if (linelen && text[end - 1] == '\r')
			linelen--;
		if (parse_line(ig, text + pos, linelen, name, lineno) < 0) {
			ignore_free(ig);
			return -1;
		}
		pos = end + 1;
	}
	*out = ig;
	return 0;
}
