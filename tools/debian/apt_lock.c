/* lockfiles/apt.lock: reading, checking, writing. */
#include "debian/apt_lock.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "debian/installs.h"
#include "debian/packages.h"
#include "debian/version.h"
#include "docker/oci.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/grow.h"
#include "util/jsonw.h"

static void strings_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void apt_lock_stage_release(struct apt_lock_stage *st)
{
	free(st->base);
	free(st->codename);
	free(st->architecture);
	free(st->snapshot);
	for (size_t k = 0; k < st->nsources; k++) {
		free(st->sources[k].uri);
		free(st->sources[k].suite);
		strings_free(st->sources[k].components);
		free(st->sources[k].inrelease);
	}
	free(st->sources);
	for (size_t k = 0; k < st->ninstalls; k++) {
		struct apt_lock_install *in = &st->installs[k];

		strings_free(in->requested);
		free(in->target_release);
		for (size_t p = 0; p < in->npackages; p++) {
			free(in->packages[p].name);
			free(in->packages[p].version);
			free(in->packages[p].architecture);
			free(in->packages[p].filename);
			free(in->packages[p].sha256);
			free(in->packages[p].replaces);
		}
		free(in->packages);
	}
	free(st->installs);
	memset(st, 0, sizeof(*st));
}

void apt_lock_release(struct apt_lock *lock)
{
	for (size_t i = 0; i < lock->n; i++)
		apt_lock_stage_release(&lock->stages[i]);
	free(lock->stages);
	memset(lock, 0, sizeof(*lock));
}

const struct apt_lock_stage *apt_lock_stage(const struct apt_lock *lock, size_t stage)
{
	for (size_t i = 0; i < lock->n; i++)
		if (lock->stages[i].stage == stage)
			return &lock->stages[i];
	return NULL;
}

int apt_snapshot_valid(const char *s)
{
	if (strlen(s) != 16)
		return 0;
	for (size_t i = 0; i < 16; i++) {
		char want = i == 8 ? 'T' : i == 15 ? 'Z' : 'd';

		if (want == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != want)
			return 0;
	}
	return 1;
}

/* ---- writing ------------------------------------------------------------- */

static json_t *package_json(const struct apt_lock_package *p)
{
	json_t *o = json_object();

	if (jsonw_set(o, "name", json_string(p->name)) < 0 ||
	    jsonw_set(o, "version", json_string(p->version)) < 0 ||
	    jsonw_set(o, "architecture", json_string(p->architecture)) < 0 ||
	    jsonw_set(o, "filename", json_string(p->filename)) < 0 ||
	    jsonw_set(o, "sha256", json_string(p->sha256)) < 0 ||
	    jsonw_set(o, "size", json_integer((json_int_t)p->size)) < 0 ||
	    jsonw_set(o, "requested", json_boolean(p->requested)) < 0 ||
	    (p->replaces && jsonw_set(o, "replaces", json_string(p->replaces)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Append 'v' to array 'a', 'v' taken whatever happens. */
static int append(json_t *a, json_t *v)
{
	return v && a && json_array_append_new(a, v) == 0 ? 0 : (json_decref(v), -1);
}

static json_t *install_json(const struct apt_lock_install *in)
{
	json_t *o = json_object(), *pkgs = json_array();

	for (size_t i = 0; i < in->npackages; i++)
		if (append(pkgs, package_json(&in->packages[i])) < 0)
			goto fail;
	if (jsonw_set(o, "requested", jsonw_strings(in->requested)) < 0 ||
	    jsonw_set(o, "recommends", json_boolean(in->recommends)) < 0 ||
	    (in->target_release &&
	     jsonw_set(o, "target_release", json_string(in->target_release)) < 0))
		goto fail;
	if (jsonw_set(o, "packages", pkgs) < 0) {
		pkgs = NULL;
		goto fail;
	}
	return o;
fail:
	json_decref(pkgs);
	json_decref(o);
	return NULL;
}

static json_t *stage_json(const struct apt_lock_stage *st)
{
	json_t *o = json_object(), *sources = json_array(), *installs = json_array();

	for (size_t i = 0; i < st->nsources; i++) {
		const struct apt_lock_source *src = &st->sources[i];
		json_t *s = json_object();

		if (jsonw_set(s, "uri", json_string(src->uri)) < 0 ||
		    jsonw_set(s, "suite", json_string(src->suite)) < 0 ||
		    jsonw_set(s, "components", jsonw_strings(src->components)) < 0 ||
		    jsonw_set(s, "inrelease", json_string(src->inrelease)) < 0) {
			json_decref(s);
			goto fail;
		}
		if (append(sources, s) < 0)	/* takes 's' */
			goto fail;
	}
	for (size_t i = 0; i < st->ninstalls; i++)
		if (append(installs, install_json(&st->installs[i])) < 0)
			goto fail;
	if (jsonw_set(o, "stage", json_integer((json_int_t)st->stage)) < 0 ||
	    jsonw_set(o, "base", json_string(st->base)) < 0 ||
	    jsonw_set(o, "codename", json_string(st->codename)) < 0 ||
	    jsonw_set(o, "architecture", json_string(st->architecture)) < 0 ||
	    (st->snapshot && jsonw_set(o, "snapshot", json_string(st->snapshot)) < 0))
		goto fail;
	if (jsonw_set(o, "sources", sources) < 0) {
		sources = NULL;
		goto fail;
	}
	sources = NULL;
	if (jsonw_set(o, "installs", installs) < 0) {
		installs = NULL;
		goto fail;
	}
	return o;
fail:
	json_decref(sources);
	json_decref(installs);
	json_decref(o);
	return NULL;
}

int apt_lock_format(char **out, size_t *len, const struct apt_lock *lock)
{
	json_t *root = json_object(), *stages = json_array();
	int rc = -1;

	*out = NULL;
	for (size_t i = 0; i < lock->n; i++)
		if (append(stages, stage_json(&lock->stages[i])) < 0)
			goto done;
	if (jsonw_set(root, "version", json_integer(APT_LOCK_VERSION)) < 0)
		goto done;
	rc = jsonw_set(root, "stages", stages);
	stages = NULL;
	if (rc == 0)
		rc = jsonw_dump(out, len, root);
done:
	json_decref(stages);
	json_decref(root);
	return rc < 0 ? err_nomem() : 0;
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
	const char *path;
	char where[128];	/* "stages[0].installs[1]" */
};

static int bad(const struct reader *r, const char *key, const char *why)
{
	return err_set("%s: %s%s%s: %s", r->path, r->where, *r->where ? "." : "", key, why);
}

/* A string member that 'ok' accepts, copied. */
static int string_member(char **out, json_t *obj, const char *key, const struct reader *r,
			 int (*ok)(const char *))
{
	const char *v = json_string_value(json_object_get(obj, key));

	*out = NULL;
	if (!v)
		return bad(r, key, "missing, or not a string");
	if (!ok(v))
		return bad(r, key, "not a valid value");
	if (!(*out = strdup(v)))
		return err_nomem();
	return 0;
}

static int ok_name(const char *s) { return deb_name_valid(s, strlen(s)); }
static int ok_version(const char *s) { return deb_version_check(s) == 0; }
static int ok_arch(const char *s) { return deb_arch_valid(s, strlen(s)); }
static int ok_filename(const char *s) { return deb_filename_valid(s, strlen(s)); }
static int ok_digest(const char *s) { return oci_digest_valid(s); }

static int ok_sha256(const char *s) { return deb_sha256_valid(s, strlen(s)); }

/* A suite or component: letters, digits, '.', '_', '-' and '/'. */
static int ok_word(const char *s)
{
	return *s && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/") ==
			     strlen(s);
}

int apt_lock_install_matches(const struct apt_lock_install *li, const struct apt_install *in)
{
	size_t j = 0;

	if (li->recommends != !in->no_recommends ||
	    !li->target_release != !in->target_release ||
	    (li->target_release && strcmp(li->target_release, in->target_release)))
		return 0;
	for (; j < in->npackages && li->requested[j]; j++)
		if (strcmp(li->requested[j], in->packages[j]))
			return 0;
	return j == in->npackages && !li->requested[j];
}

int apt_uri_valid(const char *s)
{
	if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8))
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f || strchr("\"'\\`$", *s))
			return 0;
	return 1;
}

/* An image reference as the lock gives it: printable text, no space or quote. */
static int ok_base(const char *s)
{
	return oci_text_valid(s) && !strpbrk(s, " \"'\\`$");
}

static int strings_member(char ***out, json_t *obj, const char *key, const struct reader *r,
			  int (*ok)(const char *))
{
	json_t *a = json_object_get(obj, key), *v;
	size_t i;

	*out = NULL;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return bad(r, key, "missing, or not a list of strings");
	if (!(*out = calloc(json_array_size(a) + 1, sizeof(**out))))
		return err_nomem();
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);

		if (!s || !ok(s))
			return bad(r, key, "holds a value that is not valid");
		if (!((*out)[i] = strdup(s)))
			return err_nomem();
	}
	return 0;
}

static int read_package(struct apt_lock_package *p, json_t *o, struct reader *r)
{
	json_t *size = json_object_get(o, "size"), *req = json_object_get(o, "requested");

	if (string_member(&p->name, o, "name", r, ok_name) ||
	    string_member(&p->version, o, "version", r, ok_version) ||
	    string_member(&p->architecture, o, "architecture", r, ok_arch) ||
	    string_member(&p->filename, o, "filename", r, ok_filename) ||
	    string_member(&p->sha256, o, "sha256", r, ok_sha256))
		return err_code();
	if (json_object_get(o, "replaces") &&
	    string_member(&p->replaces, o, "replaces", r, ok_version))
		return err_code();
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return bad(r, "size", "not a number of bytes");
	if (!json_is_boolean(req))
		return bad(r, "requested", "not true or false");
	p->size = (uint64_t)json_integer_value(size);
	p->requested = json_is_true(req);
	return 0;
}

static int read_install(struct apt_lock_install *in, json_t *o, struct reader *r)
{
	json_t *pkgs = json_object_get(o, "packages"), *rec = json_object_get(o, "recommends"), *v;
	size_t at = strlen(r->where), i;

	if (strings_member(&in->requested, o, "requested", r, apt_request_valid))
		return err_code();
	if (!json_is_boolean(rec))
		return bad(r, "recommends", "not true or false");
	in->recommends = json_is_true(rec);
	if (json_object_get(o, "target_release") &&
	    string_member(&in->target_release, o, "target_release", r, apt_target_valid))
		return err_code();
	if (!json_is_array(pkgs))
		return bad(r, "packages", "missing, or not a list");
	json_array_foreach(pkgs, i, v) {
		if (GROW(in->packages, in->npackages, in->alloc))
			return ERR_NOMEM;
		snprintf(r->where + at, sizeof(r->where) - at, ".packages[%zu]", i);
		in->npackages++;
		if (read_package(&in->packages[in->npackages - 1], v, r))
			return err_code();
	}
	r->where[at] = '\0';
	return 0;
}

static int read_stage(struct apt_lock_stage *st, json_t *o, struct reader *r)
{
	json_t *stage = json_object_get(o, "stage"), *sources = json_object_get(o, "sources");
	json_t *installs = json_object_get(o, "installs"), *v;
	size_t at = strlen(r->where), i;

	if (!json_is_integer(stage) || json_integer_value(stage) < 0)
		return bad(r, "stage", "not a stage number");
	st->stage = (size_t)json_integer_value(stage);
	if (string_member(&st->base, o, "base", r, ok_base) ||
	    string_member(&st->codename, o, "codename", r, ok_word) ||
	    string_member(&st->architecture, o, "architecture", r, ok_arch))
		return err_code();
	if (json_object_get(o, "snapshot") &&
	    string_member(&st->snapshot, o, "snapshot", r, apt_snapshot_valid))
		return err_code();
	if (!json_is_array(sources) || !json_array_size(sources))
		return bad(r, "sources", "missing, or not a list");
	json_array_foreach(sources, i, v) {
		struct apt_lock_source *src;

		if (GROW(st->sources, st->nsources, st->sources_alloc))
			return ERR_NOMEM;
		src = &st->sources[st->nsources++];
		snprintf(r->where + at, sizeof(r->where) - at, ".sources[%zu]", i);
		if (string_member(&src->uri, v, "uri", r, apt_uri_valid) ||
		    string_member(&src->suite, v, "suite", r, ok_word) ||
		    strings_member(&src->components, v, "components", r, ok_word) ||
		    string_member(&src->inrelease, v, "inrelease", r, ok_digest))
			return err_code();
	}
	if (!json_is_array(installs))
		return bad(r, "installs", "missing, or not a list");
	json_array_foreach(installs, i, v) {
		if (GROW(st->installs, st->ninstalls, st->installs_alloc))
			return ERR_NOMEM;
		st->ninstalls++;
		snprintf(r->where + at, sizeof(r->where) - at, ".installs[%zu]", i);
		if (read_install(&st->installs[st->ninstalls - 1], v, r))
			return err_code();
	}
	r->where[at] = '\0';
	return 0;
}

static int parse(void *out, const char *text, size_t len, const char *path)
{
	return apt_lock_parse(out, text, len, path);
}

int apt_lock_read(struct apt_lock *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	return file_parse(path, parse, out);
}

int apt_lock_parse(struct apt_lock *out, const char *text, size_t len, const char *path)
{
	struct reader r = { path, "" };
	json_error_t jerr;
	json_t *root, *stages, *v;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
		return err_set("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != APT_LOCK_VERSION) {
		rc = err_set("%s: not an apt lock of version %d", path, APT_LOCK_VERSION);
		goto done;
	}
	if (!json_is_array(stages = json_object_get(root, "stages"))) {
		rc = err_set("%s: \"stages\" is not a list", path);
		goto done;
	}
	json_array_foreach(stages, i, v) {
		if (GROW(out->stages, out->n, out->alloc)) {
			rc = ERR_NOMEM;
			goto done;
		}
		out->n++;
		snprintf(r.where, sizeof(r.where), "stages[%zu]", i);
		if ((rc = read_stage(&out->stages[out->n - 1], v, &r)) != 0)
			goto done;
	}
done:
	json_decref(root);
	if (rc)
		apt_lock_release(out);
	return rc;
}

int apt_lock_package_seen(const struct apt_lock_stage *st, size_t k,
			  const struct apt_lock_package *p)
{
	for (size_t j = 0; j < k; j++)
		for (size_t i = 0; i < st->installs[j].npackages; i++)
			if (!strcmp(st->installs[j].packages[i].name, p->name) &&
			    !strcmp(st->installs[j].packages[i].version, p->version))
				return 1;
	return 0;
}
