/* Locked apt installs, written into the rendered Dockerfile. */
#include "debian/apt_render.h"

#include <stdlib.h>
#include <string.h>

#include "debian/installs.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"

void apt_edits_release(struct apt_edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].text);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

/* The file apt keeps a downloaded package in: NAME_VERSION_ARCH.deb with
 * '_' and ':' quoted, as apt's pkgAcqArchive names it. */
static int cache_name(struct buf *b, const struct apt_lock_package *p)
{
	const char *parts[3] = { p->name, p->version, p->architecture };

	for (int k = 0; k < 3; k++) {
		if (k && buf_add(b, "_", 1))
			return -1;
		for (const char *c = parts[k]; *c; c++)
			if (*c == ':' ? buf_adds(b, "%3a") : *c == '_' ? buf_adds(b, "%5f") : buf_add(b, c, 1))
				return -1;
	}
	return buf_adds(b, ".deb");
}

char *apt_render_install(const struct apt_lock_stage *st, const struct apt_lock_install *in,
			 const char *p)
{
	static const char apt_opts[] =
		" -o Dir::Etc::SourceList=/tmp/pinned-apt.list -o Dir::Etc::SourceParts=-";
	struct buf b = BUF_INIT(BUF_MAX_TEXT), pins = BUF_INIT(BUF_MAX_TEXT);
	const char *rec = in->recommends ? "" : " --no-install-recommends";
	int auto_marked = 0, rc = 0;

	for (size_t i = 0; i < in->npackages; i++)
		rc |= buf_printf(&pins, " %s=%s", in->packages[i].name, in->packages[i].version);
	rc |= buf_adds(&b, "{ printf '%s\\n'");
	for (size_t i = 0; i < st->nsources; i++) {
		const struct apt_lock_source *s = &st->sources[i];

		rc |= buf_printf(&b, " 'deb %s%s %s", st->snapshot ? "[check-valid-until=no] " : "",
				 s->uri, s->suite);
		for (size_t c = 0; s->components[c]; c++)
			rc |= buf_printf(&b, " %s", s->components[c]);
		rc |= buf_adds(&b, "'");
	}
	rc |= buf_printf(&b, " >/tmp/pinned-apt.list && %sapt-get%s -q update"
			 " && { %sapt-get%s install -y%s --download-only%s 2>/tmp/pinned-apt.err"
			 " || { sed -n \"s/^E: Version '\\(.*\\)' for '\\(.*\\)' was not found$/"
			 "pinned: \\2 \\1 is locked in lockfiles\\/apt.lock but is no longer in the archive:"
			 " build from a snapshot (pinned lock --apt-snapshot YYYYMMDDTHHMMSSZ)"
			 " or lock again (pinned lock --update)/p\" /tmp/pinned-apt.err >&2;"
			 " cat /tmp/pinned-apt.err >&2; exit 100; }; }"
			 " && (cd /var/cache/apt/archives && printf '%%s  %%s\\n'",
			 p, apt_opts, p, apt_opts, rec, buf_str(&pins));
	for (size_t i = 0; i < in->npackages; i++) {
		rc |= buf_printf(&b, " %s ", in->packages[i].sha256);
		rc |= cache_name(&b, &in->packages[i]);
	}
	rc |= buf_printf(&b, " | sha256sum -c --quiet --strict)"
			 " && %sapt-get%s install -y%s%s", p, apt_opts, rec, buf_str(&pins));
	for (size_t i = 0; i < in->npackages; i++)
		if (!in->packages[i].requested && !in->packages[i].replaces) {
			if (!auto_marked)
				rc |= buf_printf(&b, " && %sapt-mark auto", p);
			rc |= buf_printf(&b, " %s", in->packages[i].name);
			auto_marked = 1;
		}
	if (auto_marked)
		rc |= buf_adds(&b, " >/dev/null");
	rc |= buf_printf(&b, " && %srm -rf /tmp/pinned-apt.list /tmp/pinned-apt.err"
			 " /var/lib/apt/lists/* /var/cache/apt/archives/*.deb /var/log/dpkg.log"
			 " /var/log/apt/* /var/cache/ldconfig/aux-cache /var/cache/debconf/*-old; }", p);
	buf_release(&pins);
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

/* Where byte 'i' of the install's text is in the file. */
static size_t file_offset(const struct dockerfile *df, const struct apt_install *in, size_t i)
{
	const struct dockerfile_instruction *ins = &df->instructions[in->instruction];
	const char *content, *at;

	if (in->heredoc < 0)
		return dockerfile_offset(ins, i);
	/* a heredoc's body is the file's bytes as written */
	content = ins->heredocs[in->heredoc].content;
	at = memmem(df->text + ins->start, ins->end - ins->start, content, strlen(content));
	return at ? (size_t)(at - df->text) + i : SIZE_MAX;
}

/*
 * The edit of an exec-form RUN whose installs are found[first, first + n):
 * its script with each install rewritten, as [SHELL, "-c", SCRIPT] again,
 * or, for an array that ran apt-get itself, as ["/bin/sh", "-c", SCRIPT].
 */
static int exec_edit(struct apt_edit *e, const struct dockerfile *df,
		     const struct apt_install *found, size_t n, char *const *commands)
{
	const struct dockerfile_instruction *ins = &df->instructions[found[0].instruction];
	const char *script = found[0].exec_script;
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	size_t pos = 0, at, last = strlen(ins->args);
	json_t *array = apt_exec_array(ins->args, &at);
	int rc = 0;

	if (!array) {
		buf_release(&b);
		return err_set("%s:%zu:%zu: the exec form cannot be read again", df->name, ins->line,
			       ins->col);
	}
	for (size_t i = 0; i < n && !rc; i++) {
		rc = buf_add(&b, script + pos, found[i].start - pos) < 0 ||
		     buf_adds(&b, commands[i]) < 0;
		pos = found[i].end;
	}
	if (!rc)
		rc = buf_adds(&b, script + pos) < 0;
	while (last > at && (ins->args[last - 1] == ' ' || ins->args[last - 1] == '\t'))
		last--;
	if (!rc && found[0].exec_shell) {
		rc = json_array_set_new(array, 2, json_string(buf_str(&b))) < 0;
	} else if (!rc) {
		json_decref(array);
		rc = !(array = json_pack("[sss]", "/bin/sh", "-c", buf_str(&b)));
	}
	if (!rc && !(e->text = json_dumps(array, JSON_COMPACT)))
		rc = 1;
	json_decref(array);
	buf_release(&b);
	if (rc)
		return err_nomem();
	e->at = dockerfile_offset(ins, at);
	e->end = dockerfile_offset(ins, last - 1) + 1;
	return 0;
}

int apt_render_edits(struct apt_edits *out, const struct dockerfile *df,
		     const struct apt_lock *lock, const char *lock_name)
{
	struct apt_installs found = { 0 };
	size_t k = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = apt_installs_find(&found, df)) < 0)
		return rc;
	for (size_t s = 0; s < found.nstages && !rc; s++) {
		const struct apt_lock_stage *st = apt_lock_stage(lock, s);
		size_t first = k, n = 0;

		while (k < found.n && found.v[k].stage == s) {
			k++;
			n++;
		}
		if (!st)
			continue;	/* not locked: left as written */
		for (size_t i = 0; i < n && !rc; i++) {
			const struct apt_install *in = &found.v[first + i];
			struct apt_edit *e;

			if (i >= st->ninstalls || !apt_lock_install_matches(&st->installs[i], in)) {
				rc = err_set("%s:%zu:%zu: this apt-get install is not the one %s locked "
					     "(stage %zu, install %zu): run pinned lock", df->name,
					     in->line, in->col, lock_name, s, i + 1);
				break;
			}
			if (in->heredoc == APT_IN_EXEC) {
				/* the installs of one exec-form RUN: one edit of its array */
				size_t m = 1;
				char *commands[64] = { 0 };

				while (i + m < n && m < 64 && found.v[first + i + m].instruction == in->instruction)
					m++;
				for (size_t j = 0; j < m && !rc; j++) {
					if (i + j >= st->ninstalls ||
					    !apt_lock_install_matches(&st->installs[i + j],
								      &found.v[first + i + j]))
						rc = err_set("%s:%zu:%zu: this apt-get install is not the one "
							     "%s locked: run pinned lock", df->name, in->line,
							     in->col, lock_name);
					else if (!(commands[j] = apt_render_install(st, &st->installs[i + j],
										    found.v[first + i + j].prefix)))
						rc = err_nomem();
				}
				if (!rc && GROW(out->v, out->n, out->alloc))
					rc = ERR_NOMEM;
				if (!rc && (rc = exec_edit(&out->v[out->n], df, in, m, commands)) == 0)
					out->n++;
				for (size_t j = 0; j < m; j++)
					free(commands[j]);
				i += m - 1;
				continue;
			}
			if (GROW(out->v, out->n, out->alloc)) {
				rc = ERR_NOMEM;
				break;
			}
			e = &out->v[out->n];
			e->at = file_offset(df, in, in->start);
			e->end = in->end ? file_offset(df, in, in->end - 1) + 1 : e->at;
			if (e->at == SIZE_MAX || e->end < e->at || e->end > df->len) {
				rc = err_set("%s:%zu:%zu: cannot find this apt-get install in the file",
					     df->name, in->line, in->col);
				break;
			}
			if (!(e->text = apt_render_install(st, &st->installs[i], in->prefix))) {
				rc = err_nomem();
				break;
			}
			out->n++;
		}
		if (!rc && st->ninstalls != n)
			rc = err_set("%s: stage %zu has %zu apt-get installs, %s locked %zu: run pinned "
				     "lock", df->name, s, n, lock_name, st->ninstalls);
	}
	apt_installs_release(&found);
	if (rc)
		apt_edits_release(out);
	return rc;
}
