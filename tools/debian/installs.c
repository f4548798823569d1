/* The apt installs of a Dockerfile, per stage. */
#include "debian/installs.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "debian/packages.h"
#include "debian/version.h"
#include "docker/shell.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"

int apt_request_valid(const char *w)
{
	const char *eq = strchr(w, '=');
	size_t n = eq ? (size_t)(eq - w) : strlen(w);

	return deb_name_valid(w, n) && (!eq || deb_version_check(eq + 1) == 0);
}

int apt_target_valid(const char *w)
{
	size_t n = strlen(w);

	if (!n || n > 128)
		return 0;
	for (; *w; w++)
		if ((unsigned char)*w <= ' ' || (unsigned char)*w >= 0x7f || strchr("\"'\\`$", *w))
			return 0;
	return 1;
}

void apt_installs_release(struct apt_installs *a)
{
	for (size_t i = 0; i < a->n; i++) {
		for (size_t k = 0; k < a->v[i].npackages; k++)
			free(a->v[i].packages[k]);
		free(a->v[i].packages);
		free(a->v[i].target_release);
		free(a->v[i].prefix);
		free(a->v[i].exec_script);
	}
	free(a->v);
	free(a->stages);
	memset(a, 0, sizeof(*a));
}

int apt_operand_dynamic(const char *word, const char **why)
{
	if (strchr(word, '$') || strchr(word, '`')) {
		*why = "a variable or command substitution";
		return 1;
	}
	if (strpbrk(word, "*?[")) {
		*why = "a glob";
		return 1;
	}
	return 0;
}

static int add_install(struct apt_installs *out, const struct dockerfile *df, size_t stage,
		       size_t instruction, long heredoc, const char *text,
		       const struct shell_words *ws, const struct shell_command *c)
{
	struct apt_install *in;
	size_t line, col;

	shell_where(ws, c->start, &line, &col);
	if (out->stages[stage].scratch)
		return err_set("%s:%zu:%zu: apt-get install in a stage FROM scratch: there is no apt",
			       df->name, line, col);
	if (GROW(out->v, out->n, out->alloc))
		return ERR_NOMEM;
	in = &out->v[out->n++];
	in->stage = stage;
	in->line = line;
	in->col = col;
	in->instruction = instruction;
	in->heredoc = heredoc;
	in->start = ws->v[c->start].at;
	in->end = ws->v[c->end - 1].end;
	in->no_recommends = shell_has_option(c, ws, "--no-install-recommends");
	/* wrappers and assignments before the command, as written */
	if (!(in->prefix = strndup(text + ws->v[c->start].at, ws->v[c->name].at - ws->v[c->start].at)))
		return err_nomem();
	for (size_t i = c->verb + 1; i < c->end; i++) {
		const char *w = ws->v[i].text;

		if (!strcmp(w, "-t") || !strcmp(w, "--target-release") ||
		    !strncmp(w, "--target-release=", 17)) {
			const char *v = !strncmp(w, "--target-release=", 17) ? w + 17
					: i + 1 < c->end ? ws->v[i + 1].text : "";

			if (strpbrk(v, "$`"))
				return err_set("%s:%zu:%zu: apt-get install -t '%s': a variable or command "
					       "substitution cannot be locked; name the release", df->name,
					       line, col, v);
			if (!apt_target_valid(v))
				return err_set("%s:%zu:%zu: apt-get install -t '%s': not a release",
					       df->name, line, col, v);
			free(in->target_release);
			if (!(in->target_release = strdup(v)))
				return err_nomem();
		}
	}
	for (size_t i = shell_operand_next(c, ws, c->verb); i < c->end;
	     i = shell_operand_next(c, ws, i)) {
		const char *w = ws->v[i].text, *why;

		shell_where(ws, i, &line, &col);
		if (!w[0])
			continue;	/* '' names no package */
		if (apt_operand_dynamic(w, &why))
			return err_set("%s:%zu:%zu: apt-get install '%s': %s cannot be locked; name "
				       "each package", df->name, line, col, w, why);
		if (!apt_request_valid(w))
			return err_set("%s:%zu:%zu: apt-get install '%s': pinned locks a package named "
				       "alone, or NAME=VERSION; not a release (NAME/RELEASE), a file or "
				       "a pattern", df->name, line, col, w);
		if (GROW(in->packages, in->npackages, in->packages_alloc))
			return ERR_NOMEM;
		if (!(in->packages[in->npackages] = strdup(w)))
			return err_nomem();
		in->npackages++;
	}
	return 0;
}

/* The installs in one text of a RUN. */
static int scan(struct apt_installs *out, const struct dockerfile *df, size_t stage,
		size_t instruction, long heredoc, const char *text, shell_where_fn where,
		const void *ctx)
{
	struct shell_words ws = { 0 };
	struct shell_command c;
	size_t pos = 0;
	int rc = shell_split(&ws, text, where, ctx);

	while (!rc && shell_command_next(&c, &ws, &pos))
		if (c.tool == SHELL_APT && c.verb < c.end && !strcmp(ws.v[c.verb].text, "install"))
			rc = add_install(out, df, stage, instruction, heredoc, text, &ws, &c);
	shell_words_release(&ws);
	return rc;
}

json_t *apt_exec_array(const char *args, size_t *at)
{
	/* the first '[' from which the rest reads as one array */
	for (const char *p = strchr(args, '['); p; p = strchr(p + 1, '[')) {
		json_t *a = json_loads(p, 0, NULL);

		if (json_is_array(a)) {
			*at = (size_t)(p - args);
			return a;
		}
		json_decref(a);
	}
	return NULL;
}

/* The installs of an exec-form RUN: the script of [SHELL, "-c", SCRIPT], or
 * the array itself read as one command. */
static int exec_form(struct apt_installs *out, const struct dockerfile *df,
		     const struct dockerfile_instruction *ins, size_t instruction)
{
	static const char *const shells[] = { "sh", "bash", "dash", "ash", "zsh", "ksh", NULL };
	size_t at, k, first = out->n;
	json_t *array = apt_exec_array(ins->args, &at), *v;
	struct buf text = BUF_INIT(BUF_MAX_TEXT);
	const char *argv0 = json_string_value(json_array_get(array, 0));
	const char *argv1 = json_string_value(json_array_get(array, 1));
	const char *script = json_string_value(json_array_get(array, 2));
	int shell = argv0 && shell_is(argv0, shells) && argv1 && !strcmp(argv1, "-c") && script;
	int rc = 0;

	if (shell) {
		rc = buf_adds(&text, script);
	} else {
		json_array_foreach(array, k, v) {
			const char *w = json_string_value(v);

			/* each element one word, quoted for the shell reader */
			if (w && (rc = buf_adds(&text, k ? " '" : "'")) == 0 &&
			    (rc = buf_adds(&text, w)) == 0)
				rc = buf_adds(&text, "'");
			if (rc)
				break;
		}
	}
	json_decref(array);
	if (!rc && text.len)
		rc = scan(out, df, out->nstages - 1, instruction, APT_IN_EXEC, buf_str(&text),
			  dockerfile_instruction_where, ins);
	for (size_t i = first; !rc && i < out->n; i++) {
		out->v[i].exec_shell = shell;
		if (!(out->v[i].exec_script = strdup(buf_str(&text))))
			rc = err_nomem();
	}
	buf_release(&text);
	return rc;
}

int apt_installs_find(struct apt_installs *out, const struct dockerfile *df)
{
	size_t from = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < df->ninstructions && !rc; i++) {
		const struct dockerfile_instruction *ins = &df->instructions[i];
		struct dockerfile_args p = { df, ins };

		if (!strcmp(ins->keyword, "from")) {
			struct apt_stage *st;

			if (GROW(out->stages, out->nstages, out->stages_alloc)) {
				rc = ERR_NOMEM;
				break;
			}
			st = &out->stages[out->nstages++];
			st->from_image = st->parent = -1;
			while (from < df->nimages && df->images[from].place != DOCKERFILE_FROM)
				from++;
			if (from < df->nimages) {
				const struct dockerfile_image *img = &df->images[from];

				st->from_image = (long)from++;
				st->scratch = img->scratch;
				if (img->stage)
					st->parent = (long)img->stage_index;
			}
			continue;
		}
		if (strcmp(ins->keyword, "run") || !out->nstages)
			continue;
		if (ins->json)
			rc = exec_form(out, df, ins, i);
		else
			rc = scan(out, df, out->nstages - 1, i, APT_IN_ARGS, ins->args,
				  dockerfile_args_where, &p);
		for (size_t h = 0; !rc && h < ins->nheredocs; h++)
			rc = scan(out, df, out->nstages - 1, i, (long)h, ins->heredocs[h].content,
				  dockerfile_instruction_where, ins);
	}
	if (rc)
		apt_installs_release(out);
	return rc;
}
