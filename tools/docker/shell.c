#include "docker/shell.h"
#include "util/error.h"
#include "util/grow.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Add the word of 'len' bytes at '*end' in the arena, and move '*end' past it. */
static int word_add(struct shell_words *ws, char **end, size_t len, int op, size_t at,
		    size_t stop)
{
	if (GROW(ws->v, ws->n, ws->alloc) < 0)
		return -1;
	ws->v[ws->n].text = *end;
	(*end)[len] = '\0';
	*end += len + 1;
	ws->v[ws->n].at = (uint32_t)at;
	ws->v[ws->n].end = (uint32_t)stop;
	ws->v[ws->n].op = (uint32_t)op;
	ws->n++;
	return 0;
}

void shell_words_release(struct shell_words *ws)
{
	free(ws->v);
	free(ws->arena);
	memset(ws, 0, sizeof(*ws));
}

void shell_where(const struct shell_words *ws, size_t i, size_t *line, size_t *col)
{
	ws->where(ws->ctx, ws->v[i].at, line, col);
}

/* The length of the operator at 's', or 0 when there is none. */
static size_t operator_at(const char *s)
{
	if ((s[0] == '&' || s[0] == '|') && s[1] == s[0])
		return 2;
	return s[0] == '\n' || s[0] == ';' || s[0] == '(' || s[0] == ')' || s[0] == '|';
}

int shell_split(struct shell_words *out, const char *s, shell_where_fn where, const void *ctx)
{
	size_t i = 0, len = strlen(s);
	char *end;

	out->where = where;
	out->ctx = ctx;
	if (len >= UINT32_MAX)
		return err_code_set(ERR_TOOBIG, "a shell command of 4 GiB or more");
	/* each word is at most the bytes it is written with, plus a NUL */
	if (!(out->arena = end = malloc(2 * len + 1)))
		return err_nomem();
	while (i < len) {
		size_t w = 0, n, at = i;
		char quote = 0;

		if (s[i] == ' ' || s[i] == '\t') {
			i++;
			continue;
		}
		if ((n = operator_at(s + i))) {
			memcpy(end, s + i, n);
			if (word_add(out, &end, n, 1, at, at + n) < 0)
				return -1;
			i += n;
			continue;
		}
		for (; i < len; i++) {
			char c = s[i];

			if (!quote && (c == ' ' || c == '\t' || (c != '&' && operator_at(s + i)) ||
				       (c == '&' && s[i + 1] == '&')))
				break;
			if (!quote && (c == '\'' || c == '"'))
				quote = c;
			else if (quote && c == quote)
				quote = 0;
			else if (c == '\\' && quote != '\'' && i + 1 < len)
				end[w++] = s[++i];
			else
				end[w++] = c;
		}
		if (word_add(out, &end, w, 0, at, i) < 0)
			return -1;
	}
	return 0;
}

const char *shell_basename(const char *word)
{
	const char *slash = strrchr(word, '/');

	return slash ? slash + 1 : word;
}

int shell_is(const char *word, const char *const *names)
{
	for (; *names; names++)
		if (!strcmp(shell_basename(word), *names))
			return 1;
	return 0;
}

static const char *const apt_names[] = { "apt-get", "apt", "aptitude", NULL };
static const char *const pip_names[] = { "pip", "pip3", NULL };
static const char *const npm_names[] = { "npm", "pnpm", "yarn", NULL };

/* Options that take the next word as their value, per tool. */
static const char *const *value_options(enum shell_tool tool)
{
	static const char *const apt[] = { "-o", "-t", "--target-release", "-c", NULL };
	static const char *const pip[] = { "-r", "--requirement", "-c", "--constraint", "-e",
					   "--editable", "-i", "--index-url", "--extra-index-url",
					   "-t", "--target", "-f", "--find-links", "--prefix",
					   "--root", NULL };
	static const char *const npm[] = { "--registry", "--prefix", NULL };
	static const char *const none[] = { NULL };

	switch (tool) {
	case SHELL_APT: return apt;
	case SHELL_PIP: return pip;
	case SHELL_NPM: return npm;
	default: return none;
	}
}

/* Skip "sudo", "env", VAR=value and the like before the command itself. */
static size_t command_name(const struct shell_words *ws, size_t i, size_t end)
{
	static const char *const wrappers[] = { "sudo", "env", "nice", "time", "exec", NULL };
	static const char *const python[] = { "python", "python3", NULL };

	while (i < end && (shell_is(ws->v[i].text, wrappers) ||
			   (strchr(ws->v[i].text, '=') && ws->v[i].text[0] != '-' &&
			    isalpha((unsigned char)ws->v[i].text[0]))))
		i++;
	if (i + 2 < end && shell_is(ws->v[i].text, python) && !strcmp(ws->v[i + 1].text, "-m") &&
	    shell_is(ws->v[i + 2].text, pip_names))
		i += 2;
	return i;
}

int shell_command_next(struct shell_command *out, const struct shell_words *ws, size_t *pos)
{
	size_t i = *pos;

	/* skip operators; remember whether the last one was a pipe */
	out->piped = 0;
	for (; i < ws->n && ws->v[i].op; i++)
		out->piped = !strcmp(ws->v[i].text, "|");
	if (i >= ws->n)
		return 0;
	out->start = i;
	while (i < ws->n && !ws->v[i].op)
		i++;
	out->end = i;
	*pos = i;
	out->name = command_name(ws, out->start, out->end);
	out->tool = SHELL_OTHER;
	out->verb = out->end;
	if (out->name >= out->end)
		return 1;
	if (shell_is(ws->v[out->name].text, apt_names))
		out->tool = SHELL_APT;
	else if (shell_is(ws->v[out->name].text, pip_names))
		out->tool = SHELL_PIP;
	else if (shell_is(ws->v[out->name].text, npm_names))
		out->tool = SHELL_NPM;
	out->verb = shell_operand_next(out, ws, out->name);
	return 1;
}

size_t shell_operand_next(const struct shell_command *c, const struct shell_words *ws, size_t i)
{
	const char *const *values = value_options(c->tool);

	for (i++; i < c->end; i++) {
		const char *w = ws->v[i].text;

		if (w[0] != '-')
			return i;
		if (!strchr(w, '=') && shell_is(w, values))	/* -o VALUE */
			i++;
	}
	return c->end;
}

int shell_has_option(const struct shell_command *c, const struct shell_words *ws,
		     const char *option)
{
	for (size_t i = c->name + 1; i < c->end; i++)
		if (!strcmp(ws->v[i].text, option))
			return 1;
	return 0;
}
