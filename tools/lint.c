#include "lint.h"
#include "error.h"
#include "grow.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *id, *name;
} rules[] = {
	[LINT_UNPINNED_IMAGE] = { "PIN001", "unpinned-image" },
	[LINT_LATEST] = { "PIN002", "latest-tag" },
	[LINT_ADD_URL] = { "PIN003", "add-url-without-checksum" },
	[LINT_APT_UNPINNED] = { "PIN004", "apt-unpinned" },
	[LINT_PIP_UNPINNED] = { "PIN005", "pip-unpinned" },
	[LINT_NPM_UNPINNED] = { "PIN006", "npm-unpinned" },
	[LINT_PIPE_SHELL] = { "PIN007", "pipe-to-shell" },
	[LINT_APT_UPGRADE] = { "PIN008", "apt-upgrade" },
	[LINT_STALE] = { "PIN009", "stale-dockerfile" },
};

const char *lint_id(enum lint_rule rule)
{
	return rules[rule].id;
}

const char *lint_name(enum lint_rule rule)
{
	return rules[rule].name;
}

int lint_add(struct lint_finding **findings, size_t *n, enum lint_rule rule, size_t line,
	     size_t col, const char *fmt, ...)
{
	struct lint_finding *f = realloc(*findings, (*n + 1) * sizeof(*f));
	va_list ap;
	int rc;

	if (!f)
		return err_set("out of memory");
	*findings = f;
	f = &f[*n];
	f->rule = rule;
	f->line = line;
	f->col = col;
	va_start(ap, fmt);
	rc = vasprintf(&f->message, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return err_set("out of memory");
	(*n)++;
	return 0;
}

void lint_findings_free(struct lint_finding *findings, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(findings[i].message);
	free(findings);
}

/* ---- shell commands ------------------------------------------------------ */

/* A word of a shell command line, or an operator that ends a command. */
struct token {
	char *text;
	int op;			/* "&&", "||", ";", "|", "(", ")", newline */
	size_t line, col;	/* where it is */
};

struct tokens {
	struct token *t;
	size_t n, alloc;
};

static int token_add(struct tokens *ts, const char *s, size_t len, int op, size_t line,
		     size_t col)
{
	if (grow(&ts->t, &ts->n, &ts->alloc, sizeof(*ts->t)) < 0)
		return -1;
	if (!(ts->t[ts->n].text = strndup(s, len)))
		return err_set("out of memory");
	ts->t[ts->n].op = op;
	ts->t[ts->n].line = line;
	ts->t[ts->n].col = col;
	ts->n++;
	return 0;
}

static void tokens_free(struct tokens *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		free(ts->t[i].text);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

/*
 * Split shell text into words (quotes removed) and command separators.
 * 'pos' gives each character's place: where(i, &line, &col).
 */
typedef void (*where_fn)(const void *ctx, size_t i, size_t *line, size_t *col);

static int tokenize(struct tokens *ts, const char *s, where_fn where, const void *ctx)
{
	size_t i = 0, len = strlen(s), line, col;
	char *word = malloc(len + 1);

	if (!word)
		return err_set("out of memory");
	while (i < len) {
		size_t w = 0;
		char quote = 0;

		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		where(ctx, i, &line, &col);
		if (s[i] == '\n' || s[i] == ';' || s[i] == '(' || s[i] == ')' ||
		    ((s[i] == '&' || s[i] == '|') && s[i + 1] == s[i]) || s[i] == '|') {
			size_t n = (s[i] == '&' || s[i] == '|') && s[i + 1] == s[i] ? 2 : 1;

			if (token_add(ts, s + i, n, 1, line, col) < 0)
				goto fail;
			i += n;
			continue;
		}
		for (; i < len; i++) {
			char c = s[i];

			if (!quote && (c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '|' ||
				       c == '(' || c == ')' || (c == '&' && s[i + 1] == '&')))
				break;
			if (!quote && (c == '\'' || c == '"'))
				quote = c;
			else if (quote && c == quote)
				quote = 0;
			else if (c == '\\' && quote != '\'' && i + 1 < len)
				word[w++] = s[++i];
			else
				word[w++] = c;
		}
		if (token_add(ts, word, w, 0, line, col) < 0)
			goto fail;
	}
	free(word);
	return 0;
fail:
	free(word);
	return -1;
}

/* The basename of a command word: "/usr/bin/pip3" -> "pip3". */
static const char *base(const char *w)
{
	const char *slash = strrchr(w, '/');

	return slash ? slash + 1 : w;
}

static int is(const char *w, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(base(w), *names))
			return 1;
	return 0;
}

/* Skip "sudo", "env", VAR=value and the like before the command itself. */
static size_t command_start(const struct tokens *ts, size_t i, size_t end)
{
	static const char *const wrappers[] = { "sudo", "env", "nice", "time", "exec", NULL };

	while (i < end && (is(ts->t[i].text, wrappers) ||
			   (strchr(ts->t[i].text, '=') && ts->t[i].text[0] != '-' &&
			    isalpha((unsigned char)ts->t[i].text[0]))))
		i++;
	return i;
}

struct lint_state {
	struct lint_finding **findings;
	size_t *n;
};

/* The packages of an install command, from word 'i' to 'end', without a version. */
static int unpinned_packages(const struct lint_state *st, const struct tokens *ts, size_t i,
			     size_t end, const char *const *value_options,
			     int (*pinned)(const char *), enum lint_rule rule, const char *what)
{
	char list[512] = "";
	size_t line = 0, col = 0;

	for (; i < end; i++) {
		const char *w = ts->t[i].text;

		if (w[0] == '-') {
			if (!strchr(w, '=') && is(w, value_options))	/* -o VALUE */
				i++;
			continue;
		}
		if (!w[0] || pinned(w))	/* '' names no package */
			continue;
		if (!line) {
			line = ts->t[i].line;
			col = ts->t[i].col;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 list[0] ? ", " : "", w);
	}
	if (!line)
		return 0;
	return lint_add(st->findings, st->n, rule, line, col, "%s without a version: %s", what, list);
}

static int apt_pinned(const char *w)
{
	return strchr(w, '=') != NULL || w[0] == '.' || w[0] == '/';
}

static int pip_pinned(const char *w)
{
	return strstr(w, "==") || strchr(w, '@') || w[0] == '.' || w[0] == '/' ||
	       strstr(w, ".whl") || strstr(w, "://");
}

static int npm_pinned(const char *w)
{
	return strchr(w + 1, '@') || w[0] == '.' || w[0] == '/' || strstr(w, "://");
}

/* One command: words [i, end). 'next' is the operator after it, if any. */
static int lint_command(const struct lint_state *st, const struct tokens *ts, size_t i,
			size_t end)
{
	static const char *const apt[] = { "apt-get", "apt", "aptitude", NULL };
	static const char *const apt_values[] = { "-o", "-t", "--target-release", "-c", NULL };
	static const char *const pip[] = { "pip", "pip3", NULL };
	static const char *const python[] = { "python", "python3", NULL };
	static const char *const pip_values[] = { "-r", "--requirement", "-c", "--constraint",
						  "-e", "--editable", "-i", "--index-url",
						  "--extra-index-url", "-t", "--target", "-f",
						  "--find-links", "--prefix", "--root", NULL };
	static const char *const npm[] = { "npm", "pnpm", "yarn", NULL };
	static const char *const npm_values[] = { "--registry", "--prefix", NULL };
	const char *cmd;

	i = command_start(ts, i, end);
	if (i >= end)
		return 0;
	cmd = ts->t[i].text;
	if (is(cmd, python) && i + 2 < end && !strcmp(ts->t[i + 1].text, "-m") &&
	    is(ts->t[i + 2].text, pip)) {
		i += 2;
		cmd = ts->t[i].text;
	}
	for (size_t k = i + 1; k < end; k++) {
		const char *w = ts->t[k].text;

		if (w[0] == '-')
			continue;
		if (is(cmd, apt) && (!strcmp(w, "upgrade") || !strcmp(w, "dist-upgrade") ||
				     !strcmp(w, "full-upgrade")))
			return lint_add(st->findings, st->n, LINT_APT_UPGRADE, ts->t[k].line,
					ts->t[k].col, "%s %s makes the image depend on the day it is built",
					base(cmd), w);
		if (is(cmd, apt) && !strcmp(w, "install"))
			return unpinned_packages(st, ts, k + 1, end, apt_values, apt_pinned,
						 LINT_APT_UNPINNED, "apt install");
		if (is(cmd, pip) && !strcmp(w, "install"))
			return unpinned_packages(st, ts, k + 1, end, pip_values, pip_pinned,
						 LINT_PIP_UNPINNED, "pip install");
		if (is(cmd, npm) && (!strcmp(w, "install") || !strcmp(w, "i") || !strcmp(w, "add")))
			return unpinned_packages(st, ts, k + 1, end, npm_values, npm_pinned,
						 LINT_NPM_UNPINNED, "npm install");
		break;	/* only the first word after the command is a subcommand */
	}
	return 0;
}

static int lint_shell(const struct lint_state *st, const struct tokens *ts)
{
	static const char *const fetchers[] = { "curl", "wget", NULL };
	static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ash", "ksh",
					      "python", "python3", "perl", "ruby", NULL };
	size_t start = 0;
	ssize_t fetcher = -1;

	for (size_t i = 0; i <= ts->n; i++) {
		int op = i == ts->n || ts->t[i].op;

		if (!op)
			continue;
		if (i > start) {
			size_t c = command_start(ts, start, i);

			if (lint_command(st, ts, start, i) < 0)
				return -1;
			if (c < i && fetcher >= 0 && is(ts->t[c].text, shells) &&
			    lint_add(st->findings, st->n, LINT_PIPE_SHELL, ts->t[fetcher].line,
				     ts->t[fetcher].col,
				     "%s output piped into %s runs whatever the server sends that day",
				     base(ts->t[fetcher].text), base(ts->t[c].text)) < 0)
				return -1;
			fetcher = c < i && is(ts->t[c].text, fetchers) ? (ssize_t)c : -1;
		}
		if (i < ts->n && strcmp(ts->t[i].text, "|"))
			fetcher = -1;
		start = i + 1;
	}
	return 0;
}

/* ---- instructions -------------------------------------------------------- */

struct args_place {
	const struct dockerfile *df;
	const struct df_instruction *ins;
};

/* Where args[i] of an instruction is, through the offsets the reader kept. */
static void args_where(const void *ctx, size_t i, size_t *line, size_t *col)
{
	const struct args_place *p = ctx;

	dockerfile_position(p->df, p->ins->offsets[i], line, col);
}

/* A heredoc body has no kept offsets: its findings point at the instruction. */
static void instruction_where(const void *ctx, size_t i, size_t *line, size_t *col)
{
	const struct df_instruction *ins = ctx;

	(void)i;
	*line = ins->line;
	*col = ins->col;
}

static int lint_run(const struct lint_state *st, const struct dockerfile *df,
		    const struct df_instruction *ins)
{
	struct args_place place = { df, ins };
	struct tokens ts = { 0 };
	int rc = tokenize(&ts, ins->args, args_where, &place) < 0 || lint_shell(st, &ts) < 0;

	tokens_free(&ts);
	for (size_t h = 0; !rc && h < ins->nheredocs; h++) {
		rc = tokenize(&ts, ins->heredocs[h], instruction_where, ins) < 0 ||
		     lint_shell(st, &ts) < 0;
		tokens_free(&ts);
	}
	return rc ? -1 : 0;
}

static int lint_add_url(const struct lint_state *st, const struct dockerfile *df,
			const struct df_instruction *ins)
{
	struct args_place place = { df, ins };
	struct tokens ts = { 0 };
	int checksum = 0, rc = 0;
	size_t last = 0;

	if (tokenize(&ts, ins->args, args_where, &place) < 0)
		return -1;
	for (size_t i = 0; i < ts.n; i++)
		if (!ts.t[i].op && ts.t[i].text[0] != '-')
			last = i;
	for (size_t i = 0; i < ts.n && !rc; i++) {
		const char *w = ts.t[i].text;

		if (!strncmp(w, "--checksum=", 11))
			checksum = 1;
		else if (i != last && w[0] != '-' && !checksum &&
			 (!strncmp(w, "http://", 7) || !strncmp(w, "https://", 8)))
			rc = lint_add(st->findings, st->n, LINT_ADD_URL, ts.t[i].line, ts.t[i].col,
				      "ADD %s without --checksum takes whatever the server sends", w);
	}
	tokens_free(&ts);
	return rc;
}

static int compare(const void *a, const void *b)
{
	const struct lint_finding *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return (int)x->rule - (int)y->rule;
}

int lint_dockerfile(struct lint_finding **findings, size_t *n, const struct dockerfile *df)
{
	struct lint_state st = { findings, n };

	for (size_t i = 0; i < df->nimages; i++) {
		const struct df_image *img = &df->images[i];
		const char *tag_at;

		if (!df_is_registry_image(img))
			continue;
		if (!img->ref.digest &&
		    lint_add(findings, n, LINT_UNPINNED_IMAGE, img->line, img->col,
			     "image '%s' has no digest: run pinned lock and pinned render",
			     img->expanded) < 0)
			return -1;
		/* the tag as written (before any digest) */
		tag_at = strrchr(img->expanded, '/');
		tag_at = strchr(tag_at ? tag_at : img->expanded, ':');
		if ((!tag_at || !strncmp(tag_at, ":latest", 7)) &&
		    lint_add(findings, n, LINT_LATEST, img->line, img->col,
			     "image '%s' %s: name the version you mean", img->expanded,
			     tag_at ? "uses the tag latest" : "has no tag, so it means latest") < 0)
			return -1;
	}
	for (size_t i = 0; i < df->ninstructions; i++) {
		const struct df_instruction *ins = &df->instructions[i];

		if (!strcmp(ins->keyword, "run") && lint_run(&st, df, ins) < 0)
			return -1;
		if (!strcmp(ins->keyword, "add") && lint_add_url(&st, df, ins) < 0)
			return -1;
	}
	if (*n > 1)
		qsort(*findings, *n, sizeof(**findings), compare);
	return 0;
}
