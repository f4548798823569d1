#include "docker/dockerfile.h"
#include "util/error.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/grow.h"
#include "util/sorted.h"

#include <fcntl.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading state ------------------------------------------------------- */

struct var {
	char *name;
	char *value;	/* NULL: declared without a value */
};

struct reader {
	struct dockerfile *df;
	size_t ialloc, malloc;
	struct var *globals;	/* ARGs before the first FROM */
	size_t nglobals, galloc;
	struct var *locals;	/* ARGs in the current stage */
	size_t nlocals, lalloc;
	char **stages;		/* stage names, lower case ("" when unnamed) */
	size_t nstages, salloc;
	size_t expanded;	/* bytes of all expanded words */
};

void dockerfile_position(const struct dockerfile *df, size_t offset, size_t *line, size_t *col)
{
	size_t lo = sorted_last_at_most(df->lines, df->nlines, offset);

	*line = lo + 1;
	*col = offset - df->lines[lo] + 1;
}

size_t dockerfile_offset(const struct dockerfile_instruction *ins, size_t i)
{
	size_t lo = 0, hi = ins->nspans;

	/* the last span starting at or before args[i] */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (ins->spans[mid].arg <= i)
			lo = mid;
		else
			hi = mid;
	}
	return ins->spans[lo].file + (i - ins->spans[lo].arg);
}

/* Where each line starts, for dockerfile_position(). */
static int index_lines(struct dockerfile *df)
{
	size_t n = 1;

	for (size_t i = 0; i < df->len; i++)
		n += df->text[i] == '\n';
	if (!(df->lines = malloc(n * sizeof(*df->lines))))
		return err_nomem();
	df->lines[0] = 0;
	df->nlines = 1;
	for (size_t i = 0; i < df->len; i++)
		if (df->text[i] == '\n')
			df->lines[df->nlines++] = i + 1;
	return 0;
}

static int fail_at(const struct dockerfile *df, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail_at(const struct dockerfile *df, size_t offset, const char *fmt, ...)
{
	char msg[512];
	size_t line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	dockerfile_position(df, offset, &line, &col);
	return err_set("%s:%zu:%zu: %s", df->name, line, col, msg);
}

/* ---- variables ----------------------------------------------------------- */

static void vars_clear(struct var *vars, size_t *n)
{
	for (size_t i = 0; i < *n; i++) {
		free(vars[i].name);
		free(vars[i].value);
	}
	*n = 0;
}

static const struct var *lookup(const struct reader *r, const char *name, size_t n,
				int in_stage)
{
	for (size_t i = in_stage ? r->nlocals : 0; in_stage && i-- > 0;)
		if (strlen(r->locals[i].name) == n && !strncmp(r->locals[i].name, name, n))
			return &r->locals[i];
	for (size_t i = r->nglobals; i-- > 0;)
		if (strlen(r->globals[i].name) == n && !strncmp(r->globals[i].name, name, n))
			return &r->globals[i];
	return NULL;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/*
 * Bounds on variable expansion: a word's value, ${...} nested in defaults,
 * and all values of the file together (ARGs that double each other's size).
 */
#define EXPAND_MAX (1u << 20)
#define EXPAND_DEPTH 32
#define EXPAND_TOTAL_MAX (64u << 20)

/*
 * Process one word as BuildKit's shell lexer does: quotes removed, the
 * escape character escaping the next one, variables expanded. 'w' spans
 * w[0, n); 'at' is its offset in the file, for messages; 'depth' counts the
 * ${...} it is nested in. The result goes to '*out' (caller frees).
 */
static int expand_at(struct reader *r, const char *w, size_t n, size_t at,
		     int in_stage, int depth, char **out)
{
	struct buf t = BUF_INIT(EXPAND_MAX);
	char quote = 0, esc = r->df->escape;
	size_t i = 0;

	*out = NULL;
	while (i < n) {
		char c = w[i];

		if (quote != '\'' && c == esc && i + 1 < n) {
			if (buf_add(&t, &w[i + 1], 1) < 0)
				goto fail;
			i += 2;
		} else if (!quote && (c == '\'' || c == '"')) {
			quote = c;
			i++;
		} else if (quote && c == quote) {
			quote = 0;
			i++;
		} else if (quote != '\'' && c == '$' && i + 1 < n &&
			   (w[i + 1] == '{' || is_name_char(w[i + 1]))) {
			const char *name, *word = NULL;
			size_t nlen, wlen = 0, start = i;
			char op[3] = "";
			const struct var *v;
			const char *value;
			char *sub = NULL;

			if (w[i + 1] == '{') {
				size_t close = i + 2, open = 1;

				name = w + i + 2;
				nlen = 0;
				while (i + 2 + nlen < n && is_name_char(name[nlen]))
					nlen++;
				if (depth >= EXPAND_DEPTH) {
					buf_release(&t);
					return fail_at(r->df, at + i,
						       "${...} nested more than %d deep", EXPAND_DEPTH);
				}
				while (close < n && open) {
					if (w[close] == '{')
						open++;
					else if (w[close] == '}')
						open--;
					if (open)
						close++;
				}
				if (close >= n) {
					buf_release(&t);
					return fail_at(r->df, at + start, "unterminated ${ in '%.*s'",
						       (int)n, w);
				}
				if (name + nlen < w + close) {
					const char *p = name + nlen;

					if (*p == ':' && p + 1 < w + close && strchr("-+?", p[1])) {
						op[0] = ':';
						op[1] = p[1];
						p += 2;
					} else if (strchr("-+?", *p)) {
						op[0] = *p++;
					} else {
						buf_release(&t);
						return fail_at(r->df, at + start,
							       "unsupported substitution in '%.*s'",
							       (int)(close - start + 1), w + start);
					}
					word = p;
					wlen = (size_t)(w + close - p);
				}
				i = close + 1;
			} else {
				name = w + i + 1;
				nlen = 0;
				while (i + 1 + nlen < n && is_name_char(name[nlen]))
					nlen++;
				i += 1 + nlen;
			}
			if (nlen == 0) {
				buf_release(&t);
				return fail_at(r->df, at + start, "missing variable name in '%.*s'",
					       (int)n, w);
			}
			v = lookup(r, name, nlen, in_stage);
			value = v ? v->value : NULL;
			if (op[0] == ':' || op[0] == '-' || op[0] == '+' || op[0] == '?') {
				int set = op[0] == ':' ? value && *value : value != NULL;
				char kind = op[0] == ':' ? op[1] : op[0];

				if (kind == '-' && !set) {
					if (expand_at(r, word, wlen, at + (size_t)(word - w), in_stage,
						      depth + 1, &sub) < 0)
						goto fail;
					value = sub;
				} else if (kind == '+') {
					if (set && expand_at(r, word, wlen, at + (size_t)(word - w),
							     in_stage, depth + 1, &sub) < 0)
						goto fail;
					value = set ? sub : "";
				} else if (kind == '?' && !set) {
					buf_release(&t);
					return fail_at(r->df, at + start, "ARG '%.*s': %.*s", (int)nlen,
						       name, (int)wlen, word);
				}
			} else if (!v) {
				buf_release(&t);
				return fail_at(r->df, at + start, "undefined ARG '%.*s'", (int)nlen, name);
			} else if (!value) {
				buf_release(&t);
				return fail_at(r->df, at + start,
					       "ARG '%.*s' has no value: give it a default",
					       (int)nlen, name);
			}
			if (buf_adds(&t, value) < 0) {
				free(sub);
				goto fail;
			}
			free(sub);
		} else {
			if (buf_add(&t, &c, 1) < 0)
				goto fail;
			i++;
		}
	}
	if (quote) {
		buf_release(&t);
		return fail_at(r->df, at, "unterminated quote in '%.*s'", (int)n, w);
	}
	if ((*out = buf_detach(&t, NULL)))
		return 0;
fail:
	buf_release(&t);
	if (err_code() == ERR_TOOBIG && depth == 0)
		return fail_at(r->df, at, "'%.*s' expands to more than %u MiB", (int)n, w,
			       EXPAND_MAX >> 20);
	return -1;
}

/* expand_at() a whole word, counting what it adds to the file's values. */
static int expand(struct reader *r, const char *w, size_t n, size_t at, int in_stage,
		  char **out)
{
	if (expand_at(r, w, n, at, in_stage, 0, out) < 0)
		return -1;
	r->expanded += strlen(*out);
	if (r->expanded > EXPAND_TOTAL_MAX) {
		free(*out);
		*out = NULL;
		return fail_at(r->df, at, "variables expand to more than %u MiB in all",
			       EXPAND_TOTAL_MAX >> 20);
	}
	return 0;
}

/* ---- words --------------------------------------------------------------- */

struct word {
	size_t start, end;	/* in the instruction's args */
	int quoted;		/* starts with a quote */
};

/* Split 'args' at unquoted white space, quotes and escapes kept in the words.
 * On failure '*out' is NULL. */
static int split_words(const char *args, char esc, struct word **out, size_t *n)
{
	size_t alloc = 0, i = 0, len = strlen(args);

	*out = NULL;
	*n = 0;
	while (i < len) {
		char quote = 0;
		struct word *w;

		while (i < len && isspace((unsigned char)args[i]))
			i++;
		if (i == len)
			break;
		if (GROW(*out, *n, alloc) < 0) {
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		w = &(*out)[(*n)++];
		w->start = i;
		w->quoted = args[i] == '"' || args[i] == '\'';
		for (; i < len && (quote || !isspace((unsigned char)args[i])); i++) {
			if (args[i] == esc && quote != '\'' && i + 1 < len)
				i++;
			else if (!quote && (args[i] == '"' || args[i] == '\''))
				quote = args[i];
			else if (quote && args[i] == quote)
				quote = 0;
		}
		w->end = i;
	}
	return 0;
}

/* ---- images -------------------------------------------------------------- */

static int stage_index(const struct reader *r, const char *name)
{
	char *end;
	long index = strtol(name, &end, 10);

	if (*name && !*end)
		return index >= 0 && (size_t)index < r->nstages;
	for (size_t i = 0; i < r->nstages; i++)
		if (!strcasecmp(r->stages[i], name))
			return 1;
	return 0;
}

/*
 * Record the image named by args[start, end) of instruction 'ins' (or, for
 * the syntax directive, by file bytes at 'file_start'..'file_end').
 */
static int add_image(struct reader *r, enum dockerfile_place place, const char *written,
		     size_t wlen, size_t file_start, size_t file_end, int in_stage)
{
	struct dockerfile *df = r->df;
	struct dockerfile_image *img;

	if (GROW(df->images, df->nimages, r->malloc) < 0)
		return -1;
	img = &df->images[df->nimages++];
	img->place = place;
	img->end = file_end;
	dockerfile_position(df, file_start, &img->line, &img->col);
	if (!(img->written = strndup(written, wlen)))
		return err_nomem();
	if (place == DOCKERFILE_SYNTAX) {
		if (!(img->expanded = strdup(img->written)))
			return err_nomem();
	} else if (expand(r, written, wlen, file_start, in_stage, &img->expanded) < 0) {
		return -1;
	}
	if (place == DOCKERFILE_FROM && !strcasecmp(img->expanded, "scratch")) {
		img->scratch = 1;
		return 0;
	}
	if (place != DOCKERFILE_SYNTAX && stage_index(r, img->expanded)) {
		img->stage = 1;
		return 0;
	}
	if (image_ref_parse(&img->ref, img->expanded) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err_msg());
		return fail_at(df, file_start, "%s", why);
	}
	return 0;
}

static int word_is(const char *args, const struct word *w, const char *s)
{
	return w->end - w->start == strlen(s) && !strncasecmp(args + w->start, s, strlen(s));
}

/* The file offset just after args[end - 1]. */
static size_t file_end(const struct dockerfile_instruction *ins, size_t end)
{
	return dockerfile_offset(ins, end - 1) + 1;
}

static int read_from(struct reader *r, struct dockerfile_instruction *ins)
{
	struct word *words;
	size_t n, i = 0;
	int rc = -1;
	char **stage;

	if (split_words(ins->args, r->df->escape, &words, &n) < 0)
		return -1;
	while (i < n && !strncmp(ins->args + words[i].start, "--", 2))
		i++;
	if (i == n) {
		fail_at(r->df, ins->start, "FROM needs an image");
		goto done;
	}
	if (!(n == i + 1 || (n == i + 3 && word_is(ins->args, &words[i + 1], "as")))) {
		fail_at(r->df, n > i + 1 ? dockerfile_offset(ins, words[i + 1].start) : ins->start,
			"FROM takes an image and an optional 'AS name'");
		goto done;
	}
	vars_clear(r->locals, &r->nlocals);	/* a new stage sees only the globals */
	if (add_image(r, DOCKERFILE_FROM, ins->args + words[i].start, words[i].end - words[i].start,
		      dockerfile_offset(ins, words[i].start), file_end(ins, words[i].end), 0) < 0)
		goto done;
	if (GROW(r->stages, r->nstages, r->salloc) < 0)
		goto done;
	stage = &r->stages[r->nstages];
	*stage = n == i + 3 ? strndup(ins->args + words[i + 2].start,
				      words[i + 2].end - words[i + 2].start) : strdup("");
	if (!*stage) {
		err_nomem();
		goto done;
	}
	r->nstages++;
	rc = 0;
done:
	free(words);
	return rc;
}

/* ARG NAME[=value] ...: before the first FROM into globals, else locals. */
static int read_arg(struct reader *r, struct dockerfile_instruction *ins)
{
	int global = r->nstages == 0;
	struct word *words;
	size_t n;
	int rc = -1;

	if (split_words(ins->args, r->df->escape, &words, &n) < 0)
		return -1;
	if (n == 0) {
		fail_at(r->df, ins->start, "ARG needs a name");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const char *w = ins->args + words[i].start;
		size_t len = words[i].end - words[i].start, eq = strcspn(w, "=");
		struct var *v;

		if (eq > len)
			eq = len;
		if (global ? GROW(r->globals, r->nglobals, r->galloc) :
			     GROW(r->locals, r->nlocals, r->lalloc))
			goto done;
		v = global ? &r->globals[r->nglobals] : &r->locals[r->nlocals];
		if (!(v->name = strndup(w, eq))) {
			err_nomem();
			goto done;
		}
		if (global)
			r->nglobals++;
		else
			r->nlocals++;
		/* "NAME=" may end the line: there is no offset past the '=' then */
		if (eq < len && expand(r, w + eq + 1, len - eq - 1,
				       dockerfile_offset(ins, words[i].start + eq) + 1, !global, &v->value) < 0)
			goto done;
		if (!global && eq == len) {
			/* ARG NAME in a stage brings in the global's value */
			const struct var *g = lookup(r, v->name, strlen(v->name), 0);

			if (g && g->value && !(v->value = strdup(g->value))) {
				err_nomem();
				goto done;
			}
		}
	}
	rc = 0;
done:
	free(words);
	return rc;
}

/* COPY/ADD --from=X and RUN --mount=...,from=X. */
static int read_flags(struct reader *r, struct dockerfile_instruction *ins)
{
	int run = !strcmp(ins->keyword, "run");
	struct word *words;
	size_t n;
	int rc = -1;

	if (split_words(ins->args, r->df->escape, &words, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && !strncmp(ins->args + words[i].start, "--", 2); i++) {
		const char *w = ins->args + words[i].start;
		size_t len = words[i].end - words[i].start;

		if (!run && len > 7 && !strncmp(w, "--from=", 7)) {
			if (add_image(r, DOCKERFILE_COPY_FROM, w + 7, len - 7,
				      dockerfile_offset(ins, words[i].start + 7),
				      file_end(ins, words[i].end), 1) < 0)
				goto done;
		} else if (run && len > 8 && !strncmp(w, "--mount=", 8)) {
			/* comma-separated key=value fields */
			size_t f = 8;

			while (f < len) {
				size_t e = f;

				while (e < len && w[e] != ',')
					e++;
				if (e - f > 5 && !strncmp(w + f, "from=", 5) &&
				    add_image(r, DOCKERFILE_MOUNT_FROM, w + f + 5, e - f - 5,
					      dockerfile_offset(ins, words[i].start + f + 5),
					      file_end(ins, words[i].start + e), 1) < 0)
					goto done;
				f = e + 1;
			}
		}
	}
	rc = 0;
done:
	free(words);
	return rc;
}

/* ---- lines, instructions, heredocs -------------------------------------- */

/* The physical line at 'pos': [pos, *end) without "\r\n"; returns the next line's start. */
static size_t next_line(const struct dockerfile *df, size_t pos, size_t *end)
{
	const char *nl = memchr(df->text + pos, '\n', df->len - pos);
	size_t e = nl ? (size_t)(nl - df->text) : df->len;

	*end = e > pos && df->text[e - 1] == '\r' ? e - 1 : e;
	return nl ? e + 1 : df->len;
}

static int blank_or_comment(const struct dockerfile *df, size_t s, size_t e)
{
	while (s < e && isspace((unsigned char)df->text[s]))
		s++;
	return s == e || df->text[s] == '#';
}

/* 1 when [s, e) ends with the escape character and optional blanks: it
 * continues on the next line. '*cut' is where the escape character is. */
static int continues(const struct dockerfile *df, size_t s, size_t e, size_t *cut)
{
	while (e > s && (df->text[e - 1] == ' ' || df->text[e - 1] == '\t'))
		e--;
	if (e > s && df->text[e - 1] == df->escape) {
		*cut = e - 1;
		return 1;
	}
	return 0;
}

/*
 * The heredocs an instruction opens: words "<<NAME", "<<-NAME", with NAME
 * optionally quoted, as BuildKit detects them. Their bodies follow the
 * instruction, each up to a line that is exactly NAME (leading tabs
 * dropped for <<-). '*pos' moves past them.
 */
static int read_heredocs(struct reader *r, struct dockerfile_instruction *ins, size_t *pos)
{
	struct dockerfile *df = r->df;
	struct word *words;
	size_t n, alloc = 0;
	int rc = -1;

	if (split_words(ins->args, df->escape, &words, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *w = ins->args + words[i].start;
		size_t len = words[i].end - words[i].start, k = 0, nlen;
		int strip = 0;
		char name[256];
		struct buf body = BUF_INIT(BUF_MAX_TEXT);

		while (k < len && isdigit((unsigned char)w[k]))
			k++;
		if (words[i].quoted || len - k < 3 || strncmp(w + k, "<<", 2))
			continue;
		k += 2;
		if (w[k] == '-') {
			strip = 1;
			k++;
		}
		nlen = len - k;
		if (nlen >= 2 && (w[k] == '"' || w[k] == '\'') && w[k + nlen - 1] == w[k]) {
			k++;
			nlen -= 2;
		}
		if (nlen == 0 || nlen >= sizeof(name) || memchr(w + k, '<', nlen))
			continue;
		memcpy(name, w + k, nlen);
		name[nlen] = '\0';
		for (;;) {
			size_t e, next, s = *pos;

			if (*pos >= df->len) {
				buf_release(&body);
				fail_at(df, dockerfile_offset(ins, words[i].start), "unterminated heredoc '%s'", name);
				goto done;
			}
			next = next_line(df, *pos, &e);
			*pos = next;
			if (strip)
				while (s < e && df->text[s] == '\t')
					s++;
			if (e - s == nlen && !memcmp(df->text + s, name, nlen))
				break;
			if (buf_add(&body, df->text + s, e - s) < 0 || buf_add(&body, "\n", 1) < 0) {
				buf_release(&body);
				goto done;
			}
		}
		if (GROW(ins->heredocs, ins->nheredocs, alloc) < 0 ||
		    !(ins->heredocs[ins->nheredocs] = buf_detach(&body, NULL))) {
			buf_release(&body);
			goto done;
		}
		ins->nheredocs++;
	}
	rc = 0;
done:
	free(words);
	return rc;
}

/* Read the instruction starting on the line at 'pos'; '*pos' moves past it. */
static int read_instruction(struct reader *r, size_t *pos)
{
	struct dockerfile *df = r->df;
	struct dockerfile_instruction *ins;
	struct buf args = BUF_INIT(BUF_MAX_TEXT);
	size_t e, s, k, next, cut = 0, spans_alloc = 0;

	if (GROW(df->instructions, df->ninstructions, r->ialloc) < 0)
		return -1;
	ins = &df->instructions[df->ninstructions++];
	next = next_line(df, *pos, &e);
	s = *pos;
	while (s < e && isspace((unsigned char)df->text[s]))
		s++;
	ins->start = s;
	dockerfile_position(df, s, &ins->line, &ins->col);
	for (k = s; k < e && !isspace((unsigned char)df->text[k]); k++)
		;
	if (!(ins->keyword = strndup(df->text + s, k - s)))
		return err_nomem();
	for (char *p = ins->keyword; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	while (k < e && isspace((unsigned char)df->text[k]))
		k++;
	for (;;) {
		int more = continues(df, k, e, &cut);

		if (GROW(ins->spans, ins->nspans, spans_alloc) < 0)
			goto fail;
		ins->spans[ins->nspans++] = (struct dockerfile_span){ args.len, k };
		if (buf_add(&args, df->text + k, (more ? cut : e) - k) < 0)
			goto fail;
		*pos = next;
		if (!more)
			break;
		/* comment and empty lines inside a continuation are dropped */
		do {
			if (*pos >= df->len)
				goto joined;
			k = *pos;
			next = next_line(df, *pos, &e);
			if (blank_or_comment(df, k, e))
				*pos = next;
		} while (blank_or_comment(df, k, e));
	}
joined:
	while (args.len && isspace((unsigned char)args.s[args.len - 1]))
		buf_truncate(&args, args.len - 1);
	if (ins->nspans < spans_alloc) {	/* most hold one: keep no spare room */
		struct dockerfile_span *exact = realloc(ins->spans, ins->nspans * sizeof(*exact));

		if (exact)
			ins->spans = exact;
	}
	if (!(ins->args = buf_detach(&args, NULL)))
		return -1;
	if (!strcmp(ins->keyword, "run") || !strcmp(ins->keyword, "copy") ||
	    !strcmp(ins->keyword, "add"))
		if (read_heredocs(r, ins, pos) < 0)
			return -1;
	ins->end = *pos;
	return 0;
fail:
	buf_release(&args);
	return -1;
}

/* ---- parser directives --------------------------------------------------- */

/*
 * "# key=value" lines at the very top, until anything else. Known keys:
 * syntax (its image is recorded), escape, check; each at most once.
 */
static int read_directives(struct reader *r, size_t *pos)
{
	struct dockerfile *df = r->df;
	int seen_syntax = 0, seen_escape = 0;

	df->escape = '\\';
	while (*pos < df->len) {
		size_t e, s = *pos, k, v, ve, next = next_line(df, *pos, &e);

		if (df->text[s] != '#')
			break;
		s++;
		while (s < e && (df->text[s] == ' ' || df->text[s] == '\t'))
			s++;
		for (k = s; k < e && isalnum((unsigned char)df->text[k]); k++)
			;
		v = k;
		while (v < e && (df->text[v] == ' ' || df->text[v] == '\t'))
			v++;
		if (k == s || v == e || df->text[v] != '=')
			break;
		v++;
		while (v < e && (df->text[v] == ' ' || df->text[v] == '\t'))
			v++;
		ve = e;
		while (ve > v && (df->text[ve - 1] == ' ' || df->text[ve - 1] == '\t'))
			ve--;
		if (k - s == 6 && !strncasecmp(df->text + s, "escape", 6)) {
			if (seen_escape++)
				return fail_at(df, *pos, "only one escape parser directive can be used");
			if (ve - v != 1 || (df->text[v] != '\\' && df->text[v] != '`'))
				return fail_at(df, v, "invalid escape '%.*s': use \\ or `",
					       (int)(ve - v), df->text + v);
			df->escape = df->text[v];
		} else if (k - s == 6 && !strncasecmp(df->text + s, "syntax", 6)) {
			if (seen_syntax++)
				return fail_at(df, *pos, "only one syntax parser directive can be used");
			if (ve > v && add_image(r, DOCKERFILE_SYNTAX, df->text + v, ve - v, v, ve, 0) < 0)
				return -1;
		}
		*pos = next;
		df->directives_end = next;
	}
	return 0;
}

/* ---- the whole file ------------------------------------------------------ */

void dockerfile_free(struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->ninstructions; i++) {
		struct dockerfile_instruction *ins = &df->instructions[i];

		free(ins->keyword);
		free(ins->args);
		free(ins->spans);
		for (size_t h = 0; h < ins->nheredocs; h++)
			free(ins->heredocs[h]);
		free(ins->heredocs);
	}
	for (size_t i = 0; i < df->nimages; i++) {
		free(df->images[i].written);
		free(df->images[i].expanded);
		image_ref_free(&df->images[i].ref);
	}
	free(df->instructions);
	free(df->images);
	free(df->text);
	free(df->lines);
	free(df->name);
	free(df);
}

static void reader_release(struct reader *r)
{
	vars_clear(r->globals, &r->nglobals);
	vars_clear(r->locals, &r->nlocals);
	for (size_t i = 0; i < r->nstages; i++)
		free(r->stages[i]);
	free(r->globals);
	free(r->locals);
	free(r->stages);
}

int dockerfile_parse(struct dockerfile **out, const char *text, size_t len,
		     const char *name)
{
	struct dockerfile *df = calloc(1, sizeof(*df));
	struct reader r = { .df = df };
	const char *nul;
	size_t pos = 0, e;
	int rc = -1;

	*out = NULL;
	if (!df || !(df->name = strdup(name)) || !(df->text = malloc(len + 1))) {
		dockerfile_free(df);
		return err_nomem();
	}
	memcpy(df->text, text, len);
	df->text[len] = '\0';
	df->len = len;
	if (index_lines(df) < 0)
		goto done;
	/* a NUL would silently cut the line it is on: the rest unread, unlinted */
	if ((nul = memchr(df->text, '\0', len))) {
		fail_at(df, (size_t)(nul - df->text), "a NUL byte: a Dockerfile is text");
		goto done;
	}
	if (read_directives(&r, &pos) < 0)
		goto done;
	while (pos < df->len) {
		struct dockerfile_instruction *ins;

		next_line(df, pos, &e);
		if (blank_or_comment(df, pos, e)) {
			pos = next_line(df, pos, &e);
			continue;
		}
		if (read_instruction(&r, &pos) < 0)
			goto done;
		ins = &df->instructions[df->ninstructions - 1];
		if (!strcmp(ins->keyword, "from")) {
			if (read_from(&r, ins) < 0)
				goto done;
		} else if (!strcmp(ins->keyword, "arg")) {
			if (read_arg(&r, ins) < 0)
				goto done;
		} else if (r.nstages == 0) {
			fail_at(df, ins->start, "%s before the first FROM", ins->keyword);
			goto done;
		} else if (!strcmp(ins->keyword, "copy") || !strcmp(ins->keyword, "add") ||
			   !strcmp(ins->keyword, "run")) {
			if (read_flags(&r, ins) < 0)
				goto done;
		}
	}
	if (r.nstages == 0) {
		err_set("%s: no FROM instruction", df->name);
		goto done;
	}
	rc = 0;
done:
	reader_release(&r);
	if (rc < 0)
		dockerfile_free(df);
	else
		*out = df;
	return rc;
}

int dockerfile_load(struct dockerfile **out, const char *path)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = file_read_at(&text, &len, AT_FDCWD, path)) < 0)
		return rc;
	rc = dockerfile_parse(out, text, len, path);
	free(text);
	return rc;
}

int dockerfile_is_registry_image(const struct dockerfile_image *img)
{
	return !img->stage && !img->scratch;
}
