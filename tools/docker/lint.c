#include "docker/lint.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/jsonw.h"
#include "util/utf8.h"
#include "debian/apt_lock.h"
#include "debian/installs.h"
#include "docker/render.h"
#include "docker/shell.h"

#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
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
	[LINT_UNDEFINED_VAR] = { "PIN010", "undefined-variable" },
	[LINT_IMAGE_ARG] = { "PIN011", "image-depends-on-arg" },
	[LINT_APT_DYNAMIC] = { "PIN012", "apt-package-not-lockable" },
};

const char *lint_id(enum lint_rule rule)
{
	return rules[rule].id;
}

const char *lint_name(enum lint_rule rule)
{
	return rules[rule].name;
}

int lint_add(struct lint_findings *out, enum lint_rule rule, size_t line, size_t col,
	     const char *fmt, ...)
{
	struct lint_finding *f;
	va_list ap;
	int rc;

	if (GROW(out->v, out->n, out->alloc) < 0)
		return -1;
	f = &out->v[out->n];
	f->rule = rule;
	f->line = line;
	f->col = col;
	va_start(ap, fmt);
	rc = vasprintf(&f->message, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return err_nomem();
	out->n++;
	return 0;
}

void lint_findings_release(struct lint_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i].message);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* ---- shell commands ------------------------------------------------------ */

static int apt_pinned(const char *w)
{
	const char *why;

	/* what cannot be locked is PIN012's */
	return strchr(w, '=') != NULL || w[0] == '.' || w[0] == '/' || apt_operand_dynamic(w, &why);
}

/* PIN012: packages named through a variable or a glob. */
static int apt_dynamic(struct lint_findings *out, const struct shell_words *ws,
		       const struct shell_command *c)
{
	for (size_t i = shell_operand_next(c, ws, c->verb); i < c->end;
	     i = shell_operand_next(c, ws, i)) {
		const char *why;
		size_t line, col;

		if (!apt_operand_dynamic(ws->v[i].text, &why))
			continue;
		shell_where(ws, i, &line, &col);
		if (lint_add(out, LINT_APT_DYNAMIC, line, col,
			     "apt install '%s': %s cannot be locked; name each package",
			     ws->v[i].text, why) < 0)
			return -1;
	}
	return 0;
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

/* The packages of an install command that have no version: one finding. */
static int unpinned_packages(struct lint_findings *out, const struct shell_words *ws,
			     const struct shell_command *c, int (*pinned)(const char *),
			     enum lint_rule rule, const char *what)
{
	char list[512] = "";
	size_t line, col, first = c->end;

	for (size_t i = shell_operand_next(c, ws, c->verb); i < c->end;
	     i = shell_operand_next(c, ws, i)) {
		const char *w = ws->v[i].text;

		if (!w[0] || pinned(w))	/* '' names no package */
			continue;
		if (first == c->end)
			first = i;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 list[0] ? ", " : "", w);
	}
	if (first == c->end)
		return 0;
	shell_where(ws, first, &line, &col);
	return lint_add(out, rule, line, col, "%s without a version: %s", what, list);
}

static int lint_command(struct lint_findings *out, const struct shell_words *ws,
			const struct shell_command *c)
{
	const char *verb = c->verb < c->end ? ws->v[c->verb].text : "";
	size_t line, col;

	switch (c->tool) {
	case SHELL_APT:
		if (!strcmp(verb, "upgrade") || !strcmp(verb, "dist-upgrade") ||
		    !strcmp(verb, "full-upgrade")) {
			shell_where(ws, c->verb, &line, &col);
			return lint_add(out, LINT_APT_UPGRADE, line, col,
					"%s %s makes the image depend on the day it is built",
					shell_basename(ws->v[c->name].text), verb);
		}
		if (!strcmp(verb, "install"))
			return apt_dynamic(out, ws, c) < 0 ? -1 :
			       unpinned_packages(out, ws, c, apt_pinned, LINT_APT_UNPINNED,
						 "apt install");
		return 0;
	case SHELL_PIP:
		if (!strcmp(verb, "install"))
			return unpinned_packages(out, ws, c, pip_pinned, LINT_PIP_UNPINNED,
						 "pip install");
		return 0;
	case SHELL_NPM:
		if (!strcmp(verb, "install") || !strcmp(verb, "i") || !strcmp(verb, "add"))
			return unpinned_packages(out, ws, c, npm_pinned, LINT_NPM_UNPINNED,
						 "npm install");
		return 0;
	default:
		return 0;
	}
}

static int lint_shell(struct lint_findings *out, const struct shell_words *ws)
{
	static const char *const fetchers[] = { "curl", "wget", NULL };
	static const char *const shells[] = { "sh", "bash", "dash", "zsh", "ash", "ksh",
					      "python", "python3", "perl", "ruby", NULL };
	struct shell_command c;
	size_t pos = 0, fetcher = SIZE_MAX, line, col;

	while (shell_command_next(&c, ws, &pos)) {
		const char *name = c.name < c.end ? ws->v[c.name].text : NULL;

		if (lint_command(out, ws, &c) < 0)
			return -1;
		if (name && c.piped && fetcher != SIZE_MAX && shell_is(name, shells)) {
			shell_where(ws, fetcher, &line, &col);
			if (lint_add(out, LINT_PIPE_SHELL, line, col,
				     "%s output piped into %s runs whatever the server sends that day",
				     shell_basename(ws->v[fetcher].text), shell_basename(name)) < 0)
				return -1;
		}
		fetcher = name && shell_is(name, fetchers) ? c.name : SIZE_MAX;
	}
	return 0;
}

/* ---- instructions -------------------------------------------------------- */

static int lint_run(struct lint_findings *out, const struct dockerfile *df,
		    const struct dockerfile_instruction *ins)
{
	struct dockerfile_args place = { df, ins };
	struct shell_words ws = { 0 };
	int rc = shell_split(&ws, ins->args, dockerfile_args_where, &place) < 0 || lint_shell(out, &ws) < 0;

	shell_words_release(&ws);
	for (size_t h = 0; !rc && h < ins->nheredocs; h++) {
		rc = shell_split(&ws, ins->heredocs[h].content, dockerfile_instruction_where, ins) < 0 ||
		     lint_shell(out, &ws) < 0;
		shell_words_release(&ws);
	}
	return rc ? -1 : 0;
}

static int lint_add_url(struct lint_findings *out, const struct dockerfile *df,
			const struct dockerfile_instruction *ins)
{
	struct dockerfile_args place = { df, ins };
	struct shell_words ws = { 0 };
	int checksum = 0, rc = 0;
	size_t last = 0;

	if (shell_split(&ws, ins->args, dockerfile_args_where, &place) < 0) {
		shell_words_release(&ws);
		return -1;
	}
	for (size_t i = 0; i < ws.n; i++)
		if (!ws.v[i].op && ws.v[i].text[0] != '-')
			last = i;
	for (size_t i = 0; i < ws.n && !rc; i++) {
		const char *w = ws.v[i].text;

		if (!strncmp(w, "--checksum=", 11))
			checksum = 1;
		else if (i != last && w[0] != '-' && !checksum &&
			 (!strncmp(w, "http://", 7) || !strncmp(w, "https://", 8))) {
			size_t line, col;

			shell_where(&ws, i, &line, &col);
			rc = lint_add(out, LINT_ADD_URL, line, col,
				      "ADD %s without --checksum takes whatever the server sends", w);
		}
	}
	shell_words_release(&ws);
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

/*
 * PIN011: a reference that names variables is locked, and rendered, for
 * the values it was read with; a build given other values still gets that
 * digest under the other name.
 */
static int lint_image_arg(struct lint_findings *out, const struct dockerfile_image *img)
{
	char names[256] = "";

	if (!img->nuses)
		return 0;
	for (size_t u = 0; u < img->nuses; u++)
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
			 u ? ", " : "", img->uses[u]);
	return lint_add(out, LINT_IMAGE_ARG, img->line, img->col,
			"image '%s' depends on %s: it is locked as '%.*s', and a build given "
			"another value gets that digest; lock for the values built (pinned lock "
			"--build-arg, --platform), or pin each value in a stage of its own and "
			"choose the stage by the ARG",
			img->written, names, (int)strcspn(img->expanded, "@"), img->expanded);
}

int lint_dockerfile(struct lint_findings *out, const struct dockerfile *df)
{
	for (size_t i = 0; i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];
		const char *tag_at;

		if (!dockerfile_is_registry_image(img))
			continue;
		if (lint_image_arg(out, img) < 0)
			return -1;
		if (!img->ref.digest &&
		    lint_add(out, LINT_UNPINNED_IMAGE, img->line, img->col,
			     "image '%s' has no digest: run pinned lock and pinned render",
			     img->expanded) < 0)
			return -1;
		/* the tag as written (before any digest) */
		tag_at = strrchr(img->expanded, '/');
		tag_at = strchr(tag_at ? tag_at : img->expanded, ':');
		if ((!tag_at || !strncmp(tag_at, ":latest", 7)) &&
		    lint_add(out, LINT_LATEST, img->line, img->col,
			     "image '%s' %s: name the version you mean", img->expanded,
			     tag_at ? "uses the tag latest" : "has no tag, so it means latest") < 0)
			return -1;
	}
	for (size_t i = 0; i < df->nunset; i++)
		if (lint_add(out, LINT_UNDEFINED_VAR, df->unset[i].line, df->unset[i].col,
			     "variable '%s' is set by no ARG or ENV before it: BuildKit reads it as empty",
			     df->unset[i].name) < 0)
			return -1;
	for (size_t i = 0; i < df->ninstructions; i++) {
		const struct dockerfile_instruction *ins = &df->instructions[i];

		if (!strcmp(ins->keyword, "run") && lint_run(out, df, ins) < 0)
			return -1;
		if (!strcmp(ins->keyword, "add") && lint_add_url(out, df, ins) < 0)
			return -1;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), compare);
	return 0;
}

/* 1 when (line, col) is at or after (l0, c0) and before (l1, c1). */
static int between(size_t line, size_t col, size_t l0, size_t c0, size_t l1, size_t c1)
{
	return (line > l0 || (line == l0 && col >= c0)) && (line < l1 || (line == l1 && col < c1));
}

int lint_drop_locked(struct lint_findings *out, const struct dockerfile *df,
		     const struct apt_lock *apt)
{
	struct apt_installs found;
	size_t kept = 0;
	int rc;

	/* an install that cannot be locked keeps its findings (PIN012 says why) */
	if ((rc = apt_installs_find(&found, df)) < 0)
		return rc == ERR_NOMEM ? rc : 0;
	for (size_t i = 0; i < out->n; i++) {
		struct lint_finding *f = &out->v[i];
		int locked = 0;

		for (size_t k = 0; f->rule == LINT_APT_UNPINNED && k < found.n && !locked; k++) {
			const struct apt_install *in = &found.v[k];
			size_t l1, c1;

			if (!apt_lock_stage(apt, in->stage))
				continue;
			if (in->heredoc >= 0) {
				locked = f->line == in->line && f->col == in->col;
				continue;
			}
			dockerfile_position(df, dockerfile_offset(&df->instructions[in->instruction],
								  in->end ? in->end - 1 : 0), &l1, &c1);
			locked = between(f->line, f->col, in->line, in->col, l1, c1 + 1);
		}
		if (locked)
			free(f->message);
		else
			out->v[kept++] = *f;
	}
	out->n = kept;
	apt_installs_release(&found);
	return 0;
}

int lint_stale(struct lint_findings *out, const char *path, const char *template,
	       const char *lock_path, const char *apt_lock_path)
{
	char *want;
	size_t wlen, line;
	int rc;

	if ((rc = render_project(&want, &wlen, template, lock_path, apt_lock_path)) ==
	    ERR_NOTFOUND) {
		rc = lint_add(out, LINT_STALE, 1, 1, "cannot render %s to compare: %s", template,
			      err_msg());
	} else if (rc == 0) {
		/* a template or lock that is broken is trouble, not a finding */
		rc = render_compare(&line, path, want, wlen);
		free(want);
		if (rc > 0)
			rc = lint_add(out, LINT_STALE, line, 1, "differs from what pinned render "
				      "makes of %s and %s: edited by hand, or stale", template,
				      lock_path);
	}
	if (rc == 0 && out->n > 1)	/* in line order with the others */
		qsort(out->v, out->n, sizeof(*out->v), compare);
	return rc;
}

/* A JSON string of 's', escaped where it is not valid UTF-8; NULL when out
 * of memory. */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s);
	char *escaped;

	if (j || !(escaped = utf8_escape(s)))
		return j;
	j = json_string(escaped);
	free(escaped);
	return j;
}

int lint_json(char **out, const struct lint_findings *f, const char *path)
{
	json_t *list = json_array();

	*out = NULL;
	for (size_t i = 0; list && i < f->n; i++) {
		json_t *o = json_object();

		if (jsonw_set(o, "file", json_text(path)) < 0 ||
		    jsonw_set(o, "line", json_integer((json_int_t)f->v[i].line)) < 0 ||
		    jsonw_set(o, "column", json_integer((json_int_t)f->v[i].col)) < 0 ||
		    jsonw_set(o, "id", json_string(lint_id(f->v[i].rule))) < 0 ||
		    jsonw_set(o, "name", json_string(lint_name(f->v[i].rule))) < 0 ||
		    jsonw_set(o, "message", json_text(f->v[i].message)) < 0 ||
		    json_array_append_new(list, o) < 0) {
			json_decref(o);
			json_decref(list);
			return err_nomem();
		}
	}
	*out = list ? json_dumps(list, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(list);
	return *out ? 0 : err_nomem();
}
