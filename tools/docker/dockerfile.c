#include "docker/dockerfile.h"
#include "docker/lex.h"
#include "util/error.h"
#include "util/buf.h"
#include "util/fileio.h"
#include "util/grow.h"
#include "util/sorted.h"
#include "util/utf8.h"

#include <fcntl.h>
#include <jansson.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Bounds on variable expansion: a word's value, ${...} nested in defaults,
 * and all values of the file together (ARGs that double each other's size).
 */
#define EXPAND_MAX (1u << 20)
#define EXPAND_DEPTH 32
#define EXPAND_TOTAL_MAX (64u << 20)

/* ---- reading state ------------------------------------------------------- */

struct var {
	char *name;
	char *value;	/* NULL: declared without a value, so not set */
};

struct vars {
	struct var *v;
	size_t n, alloc;
};

struct stage {
	char *name;		/* lower case; "" when unnamed */
	struct vars env;	/* its ENV and the ARGs with values, the parent's first */
};

struct reader {
	struct dockerfile *df;
	const struct dockerfile_opts *opts;
	size_t ialloc, malloc, ualloc;
	struct vars meta;	/* the platform ARGs, then the ARGs before the first FROM */
	struct stage *stages;
	size_t nstages, salloc;
	size_t *slots;		/* stage index + 1 by name_hash(), 0: empty */
	size_t nslots, nnamed;
	size_t expanded;	/* bytes of all expanded words */
	char **uses;		/* while a FROM is read: the variables it names */
	size_t nuses, uses_alloc;
	int track;		/* 1: record the names looked up in 'uses' */
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

static void vars_release(struct vars *vs)
{
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
	}
	free(vs->v);
	*vs = (struct vars){ 0 };
}

static struct var *vars_find(const struct vars *vs, const char *name, size_t n);

/*
 * Set name[0, n) = value (NULL: declared, not set); the value is taken
 * over. A name set again keeps its place, so a chain of stages that each
 * set the same names holds each name once.
 */
static int vars_add(struct vars *vs, const char *name, size_t n, char *value)
{
	struct var *v = vars_find(vs, name, n);

	if (v) {
		free(v->value);
		v->value = value;
		return 0;
	}
	if (GROW(vs->v, vs->n, vs->alloc) < 0) {
		free(value);
		return ERR_NOMEM;
	}
	v = &vs->v[vs->n];
	if (!(v->name = strndup(name, n))) {
		free(value);
		return err_nomem();
	}
	v->value = value;
	vs->n++;
	return 0;
}

static int vars_copy(struct vars *to, const struct vars *from)
{
	for (size_t i = 0; i < from->n; i++) {
		char *value = from->v[i].value ? strdup(from->v[i].value) : NULL;

		if ((from->v[i].value && !value) ||
		    vars_add(to, from->v[i].name, strlen(from->v[i].name), value) < 0)
			return err_nomem();
	}
	return 0;
}

/* The definition of name[0, n), or NULL. */
static struct var *vars_find(const struct vars *vs, const char *name, size_t n)
{
	for (size_t i = vs->n; i-- > 0;)
		if (strlen(vs->v[i].name) == n && !memcmp(vs->v[i].name, name, n))
			return &vs->v[i];
	return NULL;
}

static const char *vars_lookup(void *ctx, const char *name, size_t n)
{
	const struct var *v = vars_find(ctx, name, n);

	return v ? v->value : NULL;
}

/* The --build-arg value for name[0, n), or NULL. */
static const char *build_arg(const struct reader *r, const char *name, size_t n)
{
	const char *const *a = r->opts ? r->opts->build_args : NULL;

	for (size_t i = 0; a && a[i]; i++)
		if (!strncmp(a[i], name, n) && a[i][n] == '=')
			return a[i] + n + 1;
	return NULL;
}

struct expansion {
	struct reader *r;
	const struct dockerfile_instruction *ins;
	size_t base;		/* the word's index in ins->args */
	const struct vars *env;
};

/* Remember that the word being read names name[0, n); each name once. */
static int track_use(struct reader *r, const char *name, size_t n)
{
	for (size_t i = 0; i < r->nuses; i++)
		if (!strncmp(r->uses[i], name, n) && !r->uses[i][n])
			return 0;
	if (GROW(r->uses, r->nuses, r->uses_alloc) < 0)
		return ERR_NOMEM;
	if (!(r->uses[r->nuses] = strndup(name, n)))
		return err_nomem();
	r->nuses++;
	return 0;
}

static const char *expansion_lookup(void *ctx, const char *name, size_t n)
{
	struct expansion *x = ctx;

	/* out of memory here leaves the list short: the read fails after */
	if (x->r->track && track_use(x->r, name, n) < 0)
		x->r->track = -1;
	return vars_lookup((void *)x->env, name, n);
}

/* A variable read where it is not set: kept for lint. */
static int expansion_unset(void *ctx, const char *name, size_t n, size_t at)
{
	struct expansion *x = ctx;
	struct dockerfile *df = x->r->df;
	struct dockerfile_unset *u;

	if (!n || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return 0;	/* $1, $@: shell parameters, never ARGs */
	if (GROW(df->unset, df->nunset, x->r->ualloc) < 0)
		return ERR_NOMEM;
	u = &df->unset[df->nunset];
	if (!(u->name = strndup(name, n)))
		return err_nomem();
	dockerfile_position(df, dockerfile_offset(x->ins, x->base + at), &u->line, &u->col);
	df->nunset++;
	return 0;
}

/*
 * Expand args[at, at + n) of 'ins' against 'env' as BuildKit's lexer does
 * (docker/lex.h), counting what it adds to the file's values. The result
 * goes to '*out' (caller frees).
 */
static int expand(struct reader *r, const struct dockerfile_instruction *ins, size_t at, size_t n,
		  const struct vars *env, char **out)
{
	struct expansion x = { r, ins, at, env };
	/* only before a stage is every variable known: a stage also has its
	 * base image's ENV, which the file does not say */
	struct lex lx = { .escape = r->df->escape, .max_depth = EXPAND_DEPTH, .max = EXPAND_MAX,
			  .lookup = expansion_lookup, .unset = env == &r->meta ? expansion_unset : NULL,
			  .ctx = &x };
	int rc = lex_word(&lx, out, ins->args + at, n);

	if (rc == ERR_TOOBIG && !lx.deep)
		return fail_at(r->df, dockerfile_offset(ins, at), "'%.*s' expands to more than %u MiB",
			       (int)n, ins->args + at, EXPAND_MAX >> 20);
	if (rc < 0) {
		char why[400];

		snprintf(why, sizeof(why), "%s", err_msg());
		return fail_at(r->df, dockerfile_offset(ins, at + lx.at), "%s", why);
	}
	r->expanded += strlen(*out);
	if (r->expanded > EXPAND_TOTAL_MAX) {
		free(*out);
		*out = NULL;
		return fail_at(r->df, dockerfile_offset(ins, at),
			       "variables expand to more than %u MiB in all", EXPAND_TOTAL_MAX >> 20);
	}
	return 0;
}

/* 1 when args[at, at + n) reads the same without any variable: no $, quote or escape at work. */
static int literal(const struct reader *r, const struct dockerfile_instruction *ins, size_t at,
		   size_t n)
{
	struct lex lx = { .escape = r->df->escape, .max_depth = EXPAND_DEPTH, .max = EXPAND_MAX };
	char *out = NULL;
	int same = lex_word(&lx, &out, ins->args + at, n) == 0 && strlen(out) == n &&
		   !memcmp(out, ins->args + at, n);

	free(out);
	return same;
}

/* ---- words --------------------------------------------------------------- */
/* The blanks BuildKit splits an instruction's words at: [\t\v\f\r ]. */
static int command_blank(char c)
{
	return c && strchr("\t\v\f\r ", c);
}


struct word {
	size_t start, end;	/* in the instruction's args */
	int quoted;		/* starts with a quote */
};

/* Split 'args' at unquoted white space, quotes and escapes kept in the words
 * (BuildKit's parseWords). On failure '*out' is NULL. */
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

static int word_is(const char *args, const struct word *w, const char *s)
{
	return w->end - w->start == strlen(s) && !strncasecmp(args + w->start, s, strlen(s));
}

/* The number of leading "--flag" words. */
static size_t flag_words(const char *args, const struct word *w, size_t n)
{
	size_t i = 0;

	while (i < n && w[i].end - w[i].start >= 2 && !strncmp(args + w[i].start, "--", 2))
		i++;
	return i;
}

/* ---- images -------------------------------------------------------------- */

/* FNV-1a of 'name' in lower case: stage names match in any case. */
static size_t name_hash(const char *name)
{
	size_t h = 2166136261u;

	for (; *name; name++)
		h = (h ^ (unsigned char)tolower((unsigned char)*name)) * 16777619u;
	return h;
}

/* The stage named 'name' (any case) among the first 'before', or -1. */
static long stage_named(const struct reader *r, const char *name, size_t before)
{
	for (size_t h = r->nslots ? name_hash(name) & (r->nslots - 1) : 0; r->nslots && r->slots[h];
	     h = (h + 1) & (r->nslots - 1)) {
		size_t i = r->slots[h] - 1;

		if (!strcasecmp(r->stages[i].name, name))
			return i < before ? (long)i : -1;
	}
	return -1;
}

/*
 * Index the newest stage by its name (names are unique: a duplicate is
 * refused before), in an open-addressed table kept at most half full, so
 * that 10,000 stages are looked up in constant time each.
 */
static int stage_index(struct reader *r)
{
	size_t i = r->nstages - 1;

	if (!*r->stages[i].name)
		return 0;
	if (2 * (r->nnamed + 1) > r->nslots) {
		size_t n = r->nslots ? 2 * r->nslots : 64, *slots = calloc(n, sizeof(*slots));

		if (!slots)
			return err_nomem();
		for (size_t k = 0; k < r->nslots; k++) {
			size_t h;

			if (!r->slots[k])
				continue;
			for (h = name_hash(r->stages[r->slots[k] - 1].name) & (n - 1); slots[h];)
				h = (h + 1) & (n - 1);
			slots[h] = r->slots[k];
		}
		free(r->slots);
		r->slots = slots;
		r->nslots = n;
	}
	for (size_t h = name_hash(r->stages[i].name) & (r->nslots - 1);; h = (h + 1) & (r->nslots - 1)) {
		if (!r->slots[h]) {
			r->slots[h] = i + 1;
			r->nnamed++;
			return 0;
		}
	}
}

static void stage_label(char out[64], const struct reader *r, size_t i)
{
	if (*r->stages[i].name)
		snprintf(out, 64, "%s", r->stages[i].name);
	else
		snprintf(out, 64, "stage-%zu", i);
}

/*
 * Record the image named by args[start, start + len) of 'ins' (or, for the
 * syntax directive, the file bytes at 'file_start'), as 'expanded'.
 */
static int add_image(struct reader *r, enum dockerfile_place place, const char *written,
		     size_t wlen, size_t file_start, size_t file_end, char *expanded)
{
	struct dockerfile *df = r->df;
	struct dockerfile_image *img;

	if (!expanded)
		return err_nomem();
	if (GROW(df->images, df->nimages, r->malloc) < 0) {
		free(expanded);
		return ERR_NOMEM;
	}
	img = &df->images[df->nimages++];
	img->place = place;
	img->end = file_end;
	img->expanded = expanded;
	dockerfile_position(df, file_start, &img->line, &img->col);
	if (!(img->written = strndup(written, wlen)))
		return err_nomem();
	if (place == DOCKERFILE_FROM && !strcmp(expanded, "scratch")) {
		img->scratch = 1;
		return 0;
	}
	if (place != DOCKERFILE_SYNTAX) {
		size_t current = r->nstages ? r->nstages - 1 : 0;
		char *end;
		long index = strtol(expanded, &end, 10), named;
		int numeric = *expanded && !*end && isdigit((unsigned char)*expanded);

		if (place == DOCKERFILE_COPY_FROM && numeric) {
			char here[64];

			if (index >= 0 && (size_t)index < current) {
				img->stage = 1;
				img->stage_index = (size_t)index;
				return 0;
			}
			stage_label(here, r, current);
			return fail_at(df, file_start, (size_t)index == current ?
				       "cannot copy from stage %ld, it is the current stage \"%s\"" :
				       "invalid stage index %ld: a stage is copied from after it is defined, before stage \"%s\"",
				       index, here);
		}
		/* FROM names the stages before it; --from and from= too (checked at the end) */
		named = stage_named(r, expanded, place == DOCKERFILE_FROM ? r->nstages : current + 1);
		if (named >= 0 && (size_t)named == current && place != DOCKERFILE_FROM) {
			char here[64];

			stage_label(here, r, current);
			return fail_at(df, file_start, "circular dependency detected on stage: %s", here);
		}
		if (named >= 0) {
			img->stage = 1;
			img->stage_index = (size_t)named;
			return 0;
		}
	}
	if (image_ref_parse(&img->ref, img->expanded) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err_msg());
		return fail_at(df, file_start, "%s", why);
	}
	return 0;
}

/* The file offset just after args[end - 1]. */
static size_t file_end(const struct dockerfile_instruction *ins, size_t end)
{
	return dockerfile_offset(ins, end - 1) + 1;
}

/* A stage name as BuildKit allows it: ^[a-z][a-z0-9-_.]*$ after lower-casing. */
static int stage_name_valid(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return 0;
	return 1;
}

static int read_from(struct reader *r, struct dockerfile_instruction *ins)
{
	struct word *words;
	size_t n, i;
	int rc = -1;
	struct stage *st;
	char *expanded = NULL, *name = NULL;
	long parent;

	if (split_words(ins->args, r->df->escape, &words, &n) < 0)
		return -1;
	i = flag_words(ins->args, words, n);
	if (i == n) {
		fail_at(r->df, ins->start, "FROM needs an image");
		goto done;
	}
	if (!(n == i + 1 || (n == i + 3 && word_is(ins->args, &words[i + 1], "as")))) {
		fail_at(r->df, n > i + 1 ? dockerfile_offset(ins, words[i + 1].start) : ins->start,
			"FROM takes an image and an optional 'AS name'");
		goto done;
	}
	if (n == i + 3) {
		if (!(name = strndup(ins->args + words[i + 2].start, words[i + 2].end - words[i + 2].start))) {
			err_nomem();
			goto done;
		}
		for (char *p = name; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!stage_name_valid(name)) {
			fail_at(r->df, dockerfile_offset(ins, words[i + 2].start),
				"invalid name for build stage: \"%s\", name can't start with a number or contain symbols",
				name);
			goto done;
		}
		if (stage_named(r, name, r->nstages) >= 0) {
			fail_at(r->df, dockerfile_offset(ins, words[i + 2].start),
				"duplicate stage name \"%s\"", name);
			goto done;
		}
	}
	/* the base is expanded with the ARGs before the first FROM only */
	r->track = 1;
	rc = expand(r, ins, words[i].start, words[i].end - words[i].start, &r->meta, &expanded);
	if (rc == 0 && r->track < 0) {
		free(expanded);
		rc = err_nomem();
	}
	r->track = 0;
	if (rc < 0)
		goto done;
	rc = -1;
	if (!*expanded) {
		fail_at(r->df, dockerfile_offset(ins, words[i].start),
			"base name (%.*s) should not be blank", (int)(words[i].end - words[i].start),
			ins->args + words[i].start);
		free(expanded);
		goto done;
	}
	parent = stage_named(r, expanded, r->nstages);
	if (add_image(r, DOCKERFILE_FROM, ins->args + words[i].start, words[i].end - words[i].start,
		      dockerfile_offset(ins, words[i].start), file_end(ins, words[i].end), expanded) < 0)
		goto done;
	r->df->images[r->df->nimages - 1].uses = r->uses;
	r->df->images[r->df->nimages - 1].nuses = r->nuses;
	r->uses = NULL;
	r->nuses = r->uses_alloc = 0;
	if (GROW(r->stages, r->nstages, r->salloc) < 0)
		goto done;
	st = &r->stages[r->nstages];
	if (!(st->name = name ? name : strdup(""))) {
		err_nomem();
		goto done;
	}
	name = NULL;
	r->nstages++;
	if (stage_index(r) < 0)
		goto done;
	/* a stage starts with its parent stage's environment */
	if (parent >= 0 && vars_copy(&st->env, &r->stages[parent].env) < 0)
		goto done;
	rc = 0;
done:
	free(name);
	free(words);
	return rc;
}

/* The words of an ARG or ENV, at least one. */
static int split_arguments(struct reader *r, const struct dockerfile_instruction *ins,
			   const char *what, struct word **words, size_t *n)
{
	if (split_words(ins->args, r->df->escape, words, n) < 0)
		return -1;
	if (*n == 0) {
		free(*words);
		*words = NULL;
		return fail_at(r->df, ins->start, "%s requires at least one argument", what);
	}
	return 0;
}

/*
 * ARG NAME[=value] ...: before the first FROM into the meta ARGs, else
 * into the stage, as dockerfile2llb decides a value: a --build-arg first,
 * then the default (expanded), then, in a stage, the meta ARG's value; no
 * value leaves it unset.
 */
static int read_arg(struct reader *r, struct dockerfile_instruction *ins)
{
	int global = r->nstages == 0;
	struct vars *to = global ? &r->meta : &r->stages[r->nstages - 1].env;
	struct word *words;
	size_t n;
	int rc = -1;

	if (split_arguments(r, ins, "ARG", &words, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *w = ins->args + words[i].start;
		size_t len = words[i].end - words[i].start, eq = strcspn(w, "=");
		const char *given;
		char *value = NULL;

		if (eq > len)
			eq = len;
		if ((given = build_arg(r, w, eq))) {
			if (!(value = strdup(given))) {
				err_nomem();
				goto done;
			}
		} else if (eq < len) {
			if (expand(r, ins, words[i].start + eq + 1, len - eq - 1, to, &value) < 0)
				goto done;
		} else if (!global) {
			const char *meta = vars_lookup(&r->meta, w, eq);

			if (meta && !(value = strdup(meta))) {
				err_nomem();
				goto done;
			}
		}
		/* without a value, a name already set (TARGETARCH, an ENV) keeps it */
		if ((value || (global && !vars_find(to, w, eq))) && vars_add(to, w, eq, value) < 0)
			goto done;
	}
	rc = 0;
done:
	free(words);
	return rc;
}

/* ENV NAME=value ... or the old ENV NAME value (BuildKit's parseNameVal). */
static int read_env(struct reader *r, struct dockerfile_instruction *ins)
{
	struct vars *to = &r->stages[r->nstages - 1].env;
	struct word *words;
	size_t n;
	int rc = -1;

	if (split_arguments(r, ins, "ENV", &words, &n) < 0)
		return -1;
	if (!memchr(ins->args + words[0].start, '=', words[0].end - words[0].start)) {
		size_t v = words[0].end;
		char *value;

		while (command_blank(ins->args[v]))
			v++;
		if (!ins->args[v]) {
			fail_at(r->df, dockerfile_offset(ins, words[0].start),
				"ENV must have two arguments: ENV %.*s has no value (write ENV %.*s=\"\" for an empty one)",
				(int)(words[0].end - words[0].start), ins->args + words[0].start,
				(int)(words[0].end - words[0].start), ins->args + words[0].start);
			goto done;
		}
		if (expand(r, ins, v, strlen(ins->args + v), to, &value) < 0 ||
		    vars_add(to, ins->args + words[0].start, words[0].end - words[0].start, value) < 0)
			goto done;
		rc = 0;
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const char *w = ins->args + words[i].start;
		size_t len = words[i].end - words[i].start;
		const char *eq = memchr(w, '=', len);
		char *value;

		if (!eq) {
			fail_at(r->df, dockerfile_offset(ins, words[i].start),
				"Syntax error - can't find = in \"%.*s\". Must be of the form: name=value",
				(int)len, w);
			goto done;
		}
		if (expand(r, ins, words[i].start + (size_t)(eq - w) + 1, len - (size_t)(eq - w) - 1, to,
			   &value) < 0 ||
		    vars_add(to, w, (size_t)(eq - w), value) < 0)
			goto done;
	}
	rc = 0;
done:
	free(words);
	return rc;
}

/* A --from= or from= value: a name as written, never a variable. */
static int add_from(struct reader *r, struct dockerfile_instruction *ins, enum dockerfile_place place,
		    size_t at, size_t len, size_t end)
{
	if (!literal(r, ins, at, len))
		return fail_at(r->df, dockerfile_offset(ins, at),
			       "variable expansion is not supported for %s, define a new stage with FROM using ARG from global scope as a workaround",
			       place == DOCKERFILE_COPY_FROM ? "--from" : "--mount from=");
	return add_image(r, place, ins->args + at, len, dockerfile_offset(ins, at), end,
			 strndup(ins->args + at, len));
}

/* COPY/ADD --from=X and RUN --mount=...,from=X. */
static int read_flags(struct reader *r, struct dockerfile_instruction *ins)
{
	int run = !strcmp(ins->keyword, "run");
	struct word *words;
	size_t n, flags;
	int rc = -1;

	if (split_words(ins->args, r->df->escape, &words, &n) < 0)
		return -1;
	flags = flag_words(ins->args, words, n);
	for (size_t i = 0; i < flags; i++) {
		const char *w = ins->args + words[i].start;
		size_t len = words[i].end - words[i].start;

		if (!run && len > 7 && !strncmp(w, "--from=", 7)) {
			if (add_from(r, ins, DOCKERFILE_COPY_FROM, words[i].start + 7, len - 7,
				     file_end(ins, words[i].end)) < 0)
				goto done;
		} else if (run && len > 8 && !strncmp(w, "--mount=", 8)) {
			/* comma-separated key=value fields; keys in any case */
			size_t f = 8;

			while (f < len) {
				size_t e = f;

				while (e < len && w[e] != ',')
					e++;
				if (e - f > 5 && !strncasecmp(w + f, "from=", 5) &&
				    add_from(r, ins, DOCKERFILE_MOUNT_FROM, words[i].start + f + 5, e - f - 5,
					     file_end(ins, words[i].start + e)) < 0)
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

/* The physical line at 'pos': [pos, *end) without its line end (every \r
 * and \n, as BuildKit's trimNewline); returns the next line's start. */
static size_t next_line(const struct dockerfile *df, size_t pos, size_t *end)
{
	const char *nl = memchr(df->text + pos, '\n', df->len - pos);
	size_t e = nl ? (size_t)(nl - df->text) : df->len;

	while (e > pos && df->text[e - 1] == '\r')
		e--;
	*end = e;
	return nl ? (size_t)(nl - df->text) + 1 : df->len;
}

/* The first byte of [s, e) that is not white space (Go's unicode.IsSpace). */
static size_t skip_space(const struct dockerfile *df, size_t s, size_t e)
{
	return s + lex_spaces(df->text + s, e - s);
}


static int blank_or_comment(const struct dockerfile *df, size_t s, size_t e)
{
	s = skip_space(df, s, e);
	return s == e || df->text[s] == '#';
}

/*
 * BuildKit's line continuation: [s, e) ends with the escape character and
 * optional blanks, and that character is first or not itself escaped.
 * '*cut' is where the escape character is.
 */
static int continues(const struct dockerfile *df, size_t s, size_t e, size_t *cut)
{
	while (e > s && (df->text[e - 1] == ' ' || df->text[e - 1] == '\t'))
		e--;
	if (e > s && df->text[e - 1] == df->escape &&
	    (e - 1 == s || df->text[e - 2] != df->escape)) {
		*cut = e - 1;
		return 1;
	}
	return 0;
}

/* 1 when [s, e) is a JSON array (exec form); -1 refused; 0 shell form; ERR_NOMEM. */
static int json_form(const char *s, size_t len)
{
	json_error_t jerr;
	json_t *a;
	size_t i, w;
	int rc = 1;

	w = lex_spaces(s, len);
	s += w;
	len -= w;
	if (!len || *s != '[')
		return 0;
	if (!(a = json_loadb(s, len, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr))) {
		/* Go reads bytes that are not UTF-8 as U+FFFD where jansson refuses them */
		size_t rlen;
		char *repaired = utf8_replace(s, len, &rlen);

		if (!repaired)
			return ERR_NOMEM;
		if (rlen != len)
			a = json_loadb(repaired, rlen, JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &jerr);
		free(repaired);
		if (!a)
			return 0;
	}
	if (!json_is_array(a))
		rc = 0;
	for (i = 0; rc == 1 && i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			rc = -1;
	json_decref(a);
	return rc;
}

/*
 * Which form 'ins' has: its exec (JSON) form, and whether it may open
 * heredocs (RUN, COPY, ADD, and those under ONBUILD, in shell form).
 */
static int read_form(struct reader *r, struct dockerfile_instruction *ins, int *heredocs)
{
	static const char *const json_kinds[] = { "run", "cmd", "entrypoint", "shell", "add",
						  "copy", "volume", "healthcheck", NULL };
	const char *kw = ins->keyword, *args = ins->args;
	char sub[16];
	struct word *words;
	size_t n, i, k;
	int known = 0, form;

	*heredocs = 0;
	if (!strcmp(kw, "onbuild")) {
		for (k = 0; args[k] && !command_blank(args[k]) && k < sizeof(sub) - 1; k++)
			sub[k] = (char)tolower((unsigned char)args[k]);
		sub[k] = '\0';
		kw = sub;
		while (command_blank(args[k]))
			k++;
		args += k;
	}
	for (i = 0; json_kinds[i]; i++)
		known |= !strcmp(kw, json_kinds[i]);
	if (!known)
		return 0;
	if (split_words(args, r->df->escape, &words, &n) < 0)
		return -1;
	i = flag_words(args, words, n);
	/* HEALTHCHECK [flags] CMD ... */
	if (!strcmp(kw, "healthcheck") && i < n && word_is(args, &words[i], "cmd"))
		i++;
	form = i < n ? json_form(args + words[i].start, strlen(args + words[i].start)) : 0;
	if (form == ERR_NOMEM) {
		free(words);
		return ERR_NOMEM;
	}
	if (form < 0) {
		size_t at = dockerfile_offset(ins, (size_t)(args - ins->args) + words[i].start);

		free(words);
		return fail_at(r->df, at,
			       "when using JSON array syntax, arrays must be comprised of strings only");
	}
	free(words);
	ins->json = form;
	*heredocs = !form && (!strcmp(kw, "run") || !strcmp(kw, "copy") || !strcmp(kw, "add"));
	return 0;
}

static void heredoc_release(struct dockerfile_heredoc *h)
{
	free(h->name);
	free(h->content);
}

/*
 * A word as heredocsFromLine sees it: ^(\d*)<<(-?)\s*([^<]*)$, its
 * delimiter one word after quote removal. Returns 1 with '*h' filled, 0
 * when the word opens none, or -1.
 */
static int heredoc_word(struct dockerfile_heredoc *h, const char *w)
{
	struct lex lx = { .escape = '\\', .flags = LEX_SKIP_UNSET, .max_depth = EXPAND_DEPTH,
			  .max = EXPAND_MAX };
	size_t k = 0, count, qplain = 0, qraw = 0;
	char **plain = NULL, **raw = NULL;
	unsigned fd = 0;
	int rc = 0;

	while (isdigit((unsigned char)w[k]))
		fd = fd * 10 + (unsigned)(w[k++] - '0');
	if (strncmp(w + k, "<<", 2))
		return 0;
	k += 2;
	h->chomp = w[k] == '-';
	k += (size_t)h->chomp;
	while (w[k] && strchr("\t\n\f\r ", w[k]))
		k++;
	if (!w[k] || strchr(w + k, '<'))
		return 0;
	if (lex_words(&lx, &plain, &count, w + k, strlen(w + k)) < 0)
		return -1;
	if (count != 1)
		goto done;
	lx.flags |= LEX_RAW_QUOTES;
	if ((rc = lex_words(&lx, &raw, &count, w + k, strlen(w + k))) < 0)
		goto done;
	for (const char *p = plain[0]; *p; p++)
		qplain += *p == '"' || *p == '\'';
	for (const char *p = count ? raw[0] : ""; *p; p++)
		qraw += *p == '"' || *p == '\'';
	h->expand = qplain == qraw;
	h->fd = fd;
	h->name = plain[0];
	plain[0] = NULL;
	rc = 1;
done:
	lex_words_free(plain);
	lex_words_free(raw);
	return rc;
}

/*
 * The heredocs an instruction opens, found as BuildKit finds them: the
 * instruction's words read with quotes and escapes kept (a line it cannot
 * read opens none), each word that is <<NAME a heredoc. Their bodies
 * follow the instruction, each up to a line that is NAME (leading tabs
 * dropped for <<-). '*pos' moves past them.
 */
static int read_heredocs(struct reader *r, struct dockerfile_instruction *ins, size_t *pos)
{
	struct dockerfile *df = r->df;
	struct lex lx = { .escape = '\\', .flags = LEX_RAW_QUOTES | LEX_RAW_ESCAPES | LEX_SKIP_UNSET,
			  .max_depth = EXPAND_DEPTH, .max = BUF_MAX_TEXT };
	char **words = NULL;
	size_t n, alloc = 0;
	int rc = -1;

	if (!strstr(ins->args, "<<"))
		return 0;
	if (lex_words(&lx, &words, &n, ins->args, strlen(ins->args)) < 0)
		return err_code() == ERR_NOMEM ? -1 : 0;
	for (size_t i = 0; i < n; i++) {
		struct dockerfile_heredoc h = { 0 };
		size_t body = *pos, end;	/* the body: the file's bytes up to the delimiter */
		int found = heredoc_word(&h, words[i]);

		if (found < 0) {
			char why[400];

			snprintf(why, sizeof(why), "%s", err_msg());
			fail_at(df, ins->start, "heredoc '%s': %s", words[i], why);
			goto done;
		}
		if (!found)
			continue;
		for (;;) {
			size_t e, next, s = *pos;

			if (*pos >= df->len) {
				fail_at(df, ins->start, "unterminated heredoc '%s'", h.name);
				heredoc_release(&h);
				goto done;
			}
			next = next_line(df, *pos, &e);
			if (h.chomp)
				while (s < e && df->text[s] == '\t')
					s++;
			end = *pos;
			*pos = next;
			if (e - s == strlen(h.name) && !memcmp(df->text + s, h.name, e - s))
				break;
		}
		if (GROW(ins->heredocs, ins->nheredocs, alloc) < 0 ||
		    !(h.content = strndup(df->text + body, end - body))) {
			heredoc_release(&h);
			err_nomem();
			goto done;
		}
		ins->heredocs[ins->nheredocs++] = h;
	}
	rc = 0;
done:
	lex_words_free(words);
	return rc;
}

/* Spans of the joined line, made relative to its arguments [from, to). */
static void spans_for_args(struct dockerfile_instruction *ins, size_t from, size_t to)
{
	size_t k = 0;

	for (size_t i = 0; i < ins->nspans; i++) {
		size_t a = ins->spans[i].arg, b = i + 1 < ins->nspans ? ins->spans[i + 1].arg : to;

		if (b <= from && i + 1 < ins->nspans)
			continue;
		if (a < from) {
			ins->spans[i].file += from - a;
			a = from;
		}
		if (a > to && k)
			break;
		ins->spans[k].arg = a - from;
		ins->spans[k].file = ins->spans[i].file;
		k++;
	}
	ins->nspans = k ? k : 1;
	if (!k)
		ins->spans[0].arg = 0;
}

/*
 * Read the logical line at '*pos' as BuildKit's Parse: the first line
 * without its leading white space, continued while a line ends with the
 * unescaped escape character, comment and blank lines inside skipped.
 * Returns 1 with an instruction, 0 when the line is blank or a comment,
 * -1 on failure; '*pos' moves past what was read.
 */
static int read_instruction(struct reader *r, size_t *pos)
{
	struct dockerfile *df = r->df;
	struct dockerfile_instruction *ins;
	struct buf line = BUF_INIT(BUF_MAX_TEXT);
	size_t e, s, k, a, next, cut = 0, spans_alloc = 0;
	int more, heredocs;

	next = next_line(df, *pos, &e);
	s = skip_space(df, *pos, e);
	if (s < e && df->text[s] == '#') {	/* a comment */
		*pos = next;
		return 0;
	}
	more = continues(df, s, e, &cut);
	if (!more && s == e) {
		*pos = next;
		return 0;
	}
	if (GROW(df->instructions, df->ninstructions, r->ialloc) < 0)
		return -1;
	ins = &df->instructions[df->ninstructions++];
	ins->start = s;
	dockerfile_position(df, s, &ins->line, &ins->col);
	for (;;) {
		if (GROW(ins->spans, ins->nspans, spans_alloc) < 0)
			goto fail;
		ins->spans[ins->nspans++] = (struct dockerfile_span){ line.len, s };
		if (buf_add(&line, df->text + s, (more ? cut : e) - s) < 0)
			goto fail;
		*pos = next;
		if (!more)
			break;
		/* comment and blank lines inside a continuation are dropped */
		do {
			if (*pos >= df->len)
				goto joined;
			s = *pos;
			next = next_line(df, *pos, &e);
			if (blank_or_comment(df, s, e))
				*pos = next;
		} while (blank_or_comment(df, s, e));
		more = continues(df, s, e, &cut);
	}
joined:
	/* keyword and arguments: split at [\t\v\f\r ], trimmed (splitCommand) */
	s = lex_spaces(line.s, line.len);
	for (k = s; k < line.len && !command_blank(line.s[k]); k++)
		;
	if (!(ins->keyword = strndup(line.s + s, k - s)))
		goto fail;
	for (char *p = ins->keyword; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	a = k + lex_spaces(line.s + k, line.len - k);
	e = line.len;
	while (e > a) {
		size_t back = 1;

		while (back < 4 && back < e - a && ((unsigned char)line.s[e - back] & 0xC0) == 0x80)
			back++;
		if (lex_space(line.s + e - back, back) != back)
			break;
		e -= back;
	}
	if (!(ins->args = strndup(line.s + a, e - a)))
		goto fail;
	spans_for_args(ins, a, e);
	buf_release(&line);
	if (ins->nspans < spans_alloc) {	/* most hold one: keep no spare room */
		struct dockerfile_span *exact = realloc(ins->spans, ins->nspans * sizeof(*exact));

		if (exact)
			ins->spans = exact;
	}
	if (read_form(r, ins, &heredocs) < 0 || (heredocs && read_heredocs(r, ins, pos) < 0))
		return -1;
	ins->end = *pos;
	return 1;
fail:
	buf_release(&line);
	return err_code() == ERR_TOOBIG ? ERR_TOOBIG : err_nomem();
}

/* ---- parser directives --------------------------------------------------- */

/*
 * A line as BuildKit's directive expression sees it:
 * ^PREFIX\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ (\s is [\t\n\f\r ]).
 * Returns 1 with the key [*k, *ke) and the value [*v, *ve), or 0.
 */
static int directive_line(const struct dockerfile *df, size_t s, size_t e, const char *prefix,
			  size_t *k, size_t *ke, size_t *v, size_t *ve)
{
	const char *t = df->text;
	size_t plen = strlen(prefix);

#define WS(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\f' || (c) == '\r')
	if (e - s < plen || memcmp(t + s, prefix, plen))
		return 0;
	s += plen;
	while (s < e && WS(t[s]))
		s++;
	if (s == e || !isalpha((unsigned char)t[s]))
		return 0;
	*k = s;
	while (s < e && isalnum((unsigned char)t[s]))
		s++;
	*ke = s;
	while (s < e && WS(t[s]))
		s++;
	if (s == e || t[s] != '=')
		return 0;
	s++;
	if (s == e)
		return 0;
	while (s < e && WS(t[s]))
		s++;
	if (s == e) {	/* only blanks: the value is the last of them */
		*v = e - 1;
		*ve = e;
		return 1;
	}
	*v = s;
	while (e > s && WS(t[e - 1]))
		e--;
	*ve = e;
	return 1;
#undef WS
}

static int known_directive(const struct dockerfile *df, size_t k, size_t ke)
{
	static const char *const keys[] = { "syntax", "escape", "check" };

	for (size_t i = 0; i < 3; i++)
		if (ke - k == strlen(keys[i]) && !strncasecmp(df->text + k, keys[i], ke - k))
			return (int)i + 1;
	return 0;
}

/*
 * The syntax directive where DetectSyntax finds it: after a shebang, in
 * "#" lines at the very top (no leading blanks), else in "//" lines
 * ('*slashes' then set). Its image is the value's first word. '*end' is
 * where the directive lines end.
 */
static int detect_syntax(struct reader *r, size_t from, size_t *end, int *slashes)
{
	static const char *const prefixes[] = { "#", "//" };
	struct dockerfile *df = r->df;
	size_t top = from, e, k, ke, v, ve;

	if (df->len - top >= 2 && !memcmp(df->text + top, "#!", 2))
		top = next_line(df, top, &e);
	*end = top;
	*slashes = 0;
	for (size_t p = 0; p < 2; p++) {
		size_t image = 0, image_end = 0, lines_end = top;
		int seen[4] = { 0 };

		for (size_t pos = top; pos < df->len;) {
			size_t next = next_line(df, pos, &e);
			int key;

			if (!directive_line(df, pos, e, prefixes[p], &k, &ke, &v, &ve) ||
			    !(key = known_directive(df, k, ke)) || seen[key]++)
				break;
			lines_end = next;
			if (key == 1) {
				image = v;
				for (image_end = v; image_end < ve && df->text[image_end] != ' ';)
					image_end++;
			}
			pos = next;
		}
		if (p == 0 && lines_end > *end)
			*end = lines_end;
		if (image_end > image) {
			char *name = strndup(df->text + image, image_end - image);

			if (p == 1) {
				*slashes = 1;
				*end = lines_end;
			}
			return add_image(r, DOCKERFILE_SYNTAX, df->text + image, image_end - image, image,
					 image_end, name);
		}
		if (image_end)	/* "# syntax= x": a syntax directive naming nothing */
			return 0;
	}
	return 0;
}

/*
 * The directives as BuildKit's Parse reads them: from the first line (its
 * byte-order mark dropped), each line that is "# key=value" for a known key,
 * leading white space allowed, each key once; the first other line ends
 * them. Sets the escape character. '*end' is where they end.
 */
static int read_directives(struct reader *r, size_t from, size_t *end)
{
	struct dockerfile *df = r->df;
	int seen[4] = { 0 };

	df->escape = '\\';
	*end = from;
	for (size_t pos = from; pos < df->len;) {
		size_t e, k, ke, v, ve, next = next_line(df, pos, &e), s = skip_space(df, pos, e);
		int key;

		if (!directive_line(df, s, e, "#", &k, &ke, &v, &ve) || !(key = known_directive(df, k, ke)))
			break;
		if (seen[key]++)
			return fail_at(df, pos, "only one %s parser directive can be used",
				       key == 1 ? "syntax" : key == 2 ? "escape" : "check");
		if (key == 2) {
			if (ve - v != 1 || (df->text[v] != '\\' && df->text[v] != '`'))
				return fail_at(df, v, "invalid escape token '%.*s' does not match ` or \\",
					       (int)(ve - v), df->text + v);
			df->escape = df->text[v];
		}
		pos = *end = next;
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
			heredoc_release(&ins->heredocs[h]);
		free(ins->heredocs);
	}
	for (size_t i = 0; i < df->nimages; i++) {
		free(df->images[i].written);
		free(df->images[i].expanded);
		image_ref_free(&df->images[i].ref);
		for (size_t u = 0; u < df->images[i].nuses; u++)
			free(df->images[i].uses[u]);
		free(df->images[i].uses);
	}
	for (size_t i = 0; i < df->nunset; i++)
		free(df->unset[i].name);
	free(df->unset);
	free(df->instructions);
	free(df->images);
	free(df->text);
	free(df->lines);
	free(df->name);
	free(df->platform);
	free(df);
}

static void reader_release(struct reader *r)
{
	vars_release(&r->meta);
	for (size_t i = 0; i < r->nstages; i++) {
		free(r->stages[i].name);
		vars_release(&r->stages[i].env);
	}
	free(r->stages);
	free(r->slots);
	for (size_t i = 0; i < r->nuses; i++)
		free(r->uses[i]);
	free(r->uses);
}

const char *dockerfile_host_platform(void)
{
#if defined(__x86_64__)
	return "linux/amd64";
#elif defined(__aarch64__)
	return "linux/arm64";
#elif defined(__arm__)
	return "linux/arm/v7";
#elif defined(__i386__)
	return "linux/386";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "linux/ppc64le";
#elif defined(__s390x__)
	return "linux/s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "linux/riscv64";
#else
	return "linux/unknown";
#endif
}

/* The automatic platform ARGs, for the build and the target platform. */
static int platform_args(struct reader *r, const char *target)
{
	const char *build = dockerfile_host_platform();
	const char *which[2] = { build, target };
	static const char *const names[2][4] = {
		{ "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT" },
		{ "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT" },
	};

	for (size_t t = 0; t < 2; t++) {
		const char *p = which[t], *s1 = strchr(p, '/'), *s2 = s1 ? strchr(s1 + 1, '/') : NULL;
		char *parts[4];

		if (!s1 || s1 == p || !s1[1] || s2 == s1 + 1 || (s2 && (!s2[1] || strchr(s2 + 1, '/'))))
			return err_set("invalid platform '%s': use os/arch or os/arch/variant", p);
		parts[0] = strdup(p);
		parts[1] = strndup(p, (size_t)(s1 - p));
		parts[2] = s2 ? strndup(s1 + 1, (size_t)(s2 - s1 - 1)) : strdup(s1 + 1);
		parts[3] = strdup(s2 ? s2 + 1 : "");
		for (size_t i = 0; i < 4; i++) {
			if (!parts[i] || vars_add(&r->meta, names[t][i], strlen(names[t][i]), parts[i]) < 0) {
				for (size_t j = i + 1; j < 4; j++)
					free(parts[j]);
				return err_nomem();
			}
		}
	}
	return 0;
}

/* --from and from= naming a stage defined later: BuildKit refuses that. */
static int check_later_stages(struct reader *r)
{
	size_t froms = 0;	/* images are in file order: a FROM starts each stage */

	for (size_t i = 0; i < r->df->nimages; i++) {
		const struct dockerfile_image *img = &r->df->images[i];
		char cur[64];

		froms += img->place == DOCKERFILE_FROM;
		if (img->place != DOCKERFILE_COPY_FROM && img->place != DOCKERFILE_MOUNT_FROM)
			continue;
		if (img->stage || stage_named(r, img->expanded, r->nstages) < 0)
			continue;
		stage_label(cur, r, froms - 1);
		err_set("%s:%zu:%zu: cannot copy from stage \"%s\", it needs to be defined before current stage \"%s\"",
			r->df->name, img->line, img->col, img->expanded, cur);
		return -1;
	}
	return 0;
}

int dockerfile_read(struct dockerfile **out, const char *text, size_t len, const char *name,
		    const struct dockerfile_opts *opts)
{
	struct dockerfile *df = calloc(1, sizeof(*df));
	struct reader r = { .df = df, .opts = opts };
	const char *nul, *platform = opts && opts->platform ? opts->platform : dockerfile_host_platform();
	size_t pos = 0, parsed_end, detected_end;
	int rc = -1, slashes = 0;

	*out = NULL;
	if (!df || !(df->name = strdup(name)) || !(df->text = malloc(len + 1)) ||
	    !(df->platform = strdup(platform))) {
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
	if (platform_args(&r, platform) < 0)
		goto done;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
		pos = 3;
	if (read_directives(&r, pos, &parsed_end) < 0 || detect_syntax(&r, pos, &detected_end, &slashes) < 0)
		goto done;
	df->directives_end = parsed_end > detected_end ? parsed_end : detected_end;
	/* "//" directives are read by the frontend they name, not as instructions */
	if (slashes)
		pos = detected_end;
	while (pos < df->len) {
		struct dockerfile_instruction *ins;
		int got = read_instruction(&r, &pos);

		if (got < 0)
			goto done;
		if (!got)
			continue;
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
		} else if (!strcmp(ins->keyword, "env")) {
			if (read_env(&r, ins) < 0)
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
	if (check_later_stages(&r) < 0)
		goto done;
	rc = 0;
done:
	reader_release(&r);
	if (rc < 0)
		dockerfile_free(df);
	else
		*out = df;
	return rc;
}

int dockerfile_parse(struct dockerfile **out, const char *text, size_t len, const char *name)
{
	return dockerfile_read(out, text, len, name, NULL);
}

int dockerfile_load(struct dockerfile **out, const char *path, const struct dockerfile_opts *opts)
{
	char *text;
	size_t len;
	int rc;

	*out = NULL;
	if ((rc = file_read_at(&text, &len, AT_FDCWD, path)) < 0)
		return rc;
	rc = dockerfile_read(out, text, len, path, opts);
	free(text);
	return rc;
}

int dockerfile_declares_arg(const struct dockerfile *df, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < df->ninstructions; i++) {
		const struct dockerfile_instruction *ins = &df->instructions[i];
		struct word *words;
		size_t n;
		int found = 0;

		if (strcmp(ins->keyword, "arg"))
			continue;
		if (split_words(ins->args, df->escape, &words, &n) < 0)
			return ERR_NOMEM;
		for (size_t w = 0; w < n && !found; w++)
			found = words[w].end - words[w].start >= len &&
				!memcmp(ins->args + words[w].start, name, len) &&
				(words[w].end - words[w].start == len ||
				 ins->args[words[w].start + len] == '=');
		free(words);
		if (found)
			return 1;
	}
	return 0;
}

int dockerfile_is_registry_image(const struct dockerfile_image *img)
{
	return !img->stage && !img->scratch;
}

void dockerfile_args_where(const void *place, size_t i, size_t *line, size_t *col)
{
	const struct dockerfile_args *p = place;

	dockerfile_position(p->df, dockerfile_offset(p->ins, i), line, col);
}

void dockerfile_instruction_where(const void *ins, size_t i, size_t *line, size_t *col)
{
	const struct dockerfile_instruction *in = ins;

	(void)i;
	*line = in->line;
	*col = in->col;
}
