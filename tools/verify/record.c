/* lockfiles/build.lock: the record of a build, and how inputs differ from it. */
#include "verify/record.h"
#include "archive/package.h"
#include "debian/apt_lock.h"
#include "docker/images_lock.h"
#include "docker/oci.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/jsonw.h"
#include "util/sha256.h"
#include "verify/build_digest.h"
#include "verify/imagediff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- names with values --------------------------------------------------- */

static int pairs_add(struct record_pairs *p, const char *name, size_t name_len, const char *value)
{
	if (GROW(p->v, p->n, p->alloc))
		return ERR_NOMEM;
	if (!(p->v[p->n].name = strndup(name, name_len)))
		return err_nomem();
	if (!(p->v[p->n].value = strdup(value))) {
		free(p->v[p->n].name);
		return err_nomem();
	}
	p->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct record_pair *)a)->name, ((const struct record_pair *)b)->name);
}

static void pairs_sort(struct record_pairs *p)
{
	if (p->n > 1)
		qsort(p->v, p->n, sizeof(*p->v), by_name);
}

static void pairs_release(struct record_pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static json_t *pairs_json(const struct record_pairs *p)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < p->n; i++)
		if (jsonw_set(o, p->v[i].name, json_string(p->v[i].value)) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

void record_release(struct record *r)
{
	free(r->build_digest);
	free(r->commit);
	free(r->template_name);
	free(r->template_digest);
	free(r->dockerfile_name);
	free(r->dockerfile_digest);
	free(r->context_digest);
	free(r->manifest_digest);
	free(r->manifest);
	free(r->upload_digest);
	free(r->upload_ignore);
	pairs_release(&r->locks);
	pairs_release(&r->files);
	pairs_release(&r->language);
	pairs_release(&r->images);
	pairs_release(&r->packages);
	for (size_t i = 0; i < r->nbuilds; i++) {
		struct record_build *b = &r->builds[i];

		free(b->builder);
		free(b->builder_version);
		json_decref(b->options);
		free(b->platform);
		free(b->manifest);
		free(b->config);
		for (size_t k = 0; b->diff_ids && b->diff_ids[k]; k++)
			free(b->diff_ids[k]);
		free(b->diff_ids);
	}
	free(r->builds);
	memset(r, 0, sizeof(*r));
}

static int dup_str(char **to, const char *from)
{
	return !(*to = strdup(from)) ? err_nomem() : 0;
}

/* ---- the inputs ----------------------------------------------------------- */

/* 1 when the base name 'base' ('len' bytes) is a language lockfile's:
 * requirements*.txt, poetry.lock, uv.lock, package-lock.json, go.sum,
 * Cargo.lock. */
static int language_lock(const char *base, size_t len)
{
	static const char *const names[] = {
		"poetry.lock", "uv.lock", "package-lock.json", "go.sum", "Cargo.lock",
	};

	if (len >= 16 && !memcmp(base, "requirements", 12) && !memcmp(base + len - 4, ".txt", 4))
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i]) && !memcmp(base, names[i], len))
			return 1;
	return 0;
}

/* A path or name as a record holds it: printable text, no newline. */
static int ok_text(const char *s)
{
	return *s && oci_text_valid(s) && !strpbrk(s, "\n\r");
}

/* A manifest line's fields after the path: "TYPE MODE SIZE DIGEST[ TARGET]". */
static int ok_file(const char *s)
{
	size_t i = 0;

	if (!strchr("fdl", s[0]) || s[1] != ' ' || strspn(s + 2, "01234567") != 4 || s[6] != ' ')
		return 0;
	for (i = 7; s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == 7 || s[i] != ' ')
		return 0;
	s += i + 1;
	if (!strncmp(s, "- ", 2) || !strcmp(s, "-"))
		return ok_text(s);
	return strlen(s) >= 71 && !strncmp(s, "sha256:", 7) && strspn(s + 7, "0123456789abcdef") == 64 &&
	       (s[71] == '\0' || (s[71] == ' ' && ok_text(s + 72)));
}

/*
 * One manifest line, "TYPE\tMODE\tSIZE\tDIGEST\tPATH[\tTARGET]", into the
 * record's files. 'line' is NUL-terminated, without its newline.
 */
static int manifest_line(struct record *r, char *line, const char *name, size_t n)
{
	char *f[6] = { 0 }, *save = NULL, *value;
	size_t k = 0;
	int rc;

	for (char *t = strtok_r(line, "\t", &save); t && k < 6; t = strtok_r(NULL, "\t", &save))
		f[k++] = t;
	if (k < 5 || strlen(f[0]) != 1 || !strchr("fdl", f[0][0]) || (k == 6) != (f[0][0] == 'l'))
		return err_set("%s:%zu: not a manifest line", name, n);
	if (asprintf(&value, "%s %s %s %s%s%s", f[0], f[1], f[2], f[3], k == 6 ? " " : "",
		     k == 6 ? f[5] : "") < 0)
		return err_nomem();
	rc = ok_text(f[4]) && ok_file(value) ? pairs_add(&r->files, f[4], strlen(f[4]), value)
					     : err_set("%s:%zu: not a manifest line", name, n);
	free(value);
	return rc;
}

/* Each line of 'text' ('len' bytes) but comments to 'fn' with 'arg', its
 * start, length and number; stops at the first that fails. */
static int manifest_lines(const char *text, size_t len,
			  int (*fn)(void *arg, const char *line, size_t l, size_t n), void *arg)
{
	size_t n = 0;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		int rc = 0;

		n++;
		if (l && p[0] != '#' && (rc = fn(arg, p, l, n)) < 0)
			return rc;
		p += l + 1;
	}
	return 0;
}

struct file_lines {
	struct record *r;
	const char *name;
};

static int file_line(void *arg, const char *p, size_t l, size_t n)
{
	struct file_lines *fl = arg;
	char *line = strndup(p, l);
	int rc;

	if (!line)
		return err_nomem();
	rc = manifest_line(fl->r, line, fl->name, n);
	free(line);
	return rc;
}

/* r->files, read once from r->manifest, the file 'name'. */
static int read_files(struct record *r, const char *name)
{
	struct file_lines fl = { r, name };
	int rc;

	if (r->files_read)
		return 0;
	if (!r->manifest)
		return err_set("%s: not read", name);
	if ((rc = manifest_lines(r->manifest, r->manifest_len, file_line, &fl)) < 0)
		return rc;
	pairs_sort(&r->files);
	r->files_read = 1;
	return 0;
}

/* A line of the inputs' manifest, "TYPE\tMODE\tSIZE\tDIGEST\tPATH[\tTARGET]":
 * counted, and a file that is a language lockfile named with its digest. */
static int entry_line(void *arg, const char *p, size_t l, size_t n)
{
	struct record *r = arg;
	const char *f[5] = { p }, *end = p + l, *base;
	char digest[SHA256_STRING_LEN + 1];
	size_t dlen;

	(void)n;
	r->entries++;
	if (p[0] != 'f')
		return 0;
	for (int k = 1; k < 5; k++) {
		const char *tab = memchr(f[k - 1], '\t', (size_t)(end - f[k - 1]));

		if (!tab)
			return 0;
		f[k] = tab + 1;
	}
	base = memrchr(f[4], '/', (size_t)(end - f[4]));
	base = base ? base + 1 : f[4];
	dlen = (size_t)(f[4] - 1 - f[3]);
	if (!language_lock(base, (size_t)(end - base)) || dlen >= sizeof(digest))
		return 0;
	memcpy(digest, f[3], dlen);
	digest[dlen] = '\0';
	return pairs_add(&r->language, f[4], (size_t)(end - f[4]), digest);
}

/* The images the images lock pins, as names with digests. */
static int images_of(void *arg, const char *text, size_t len, const char *name)
{
	struct record *r = arg;
	struct images_lock il;
	int rc = images_lock_parse(&il, text, len, name);

	for (size_t i = 0; !rc && i < il.count; i++)
		rc = pairs_add(&r->images, il.images[i].key, strlen(il.images[i].key),
			       il.images[i].digest);
	images_lock_release(&il);	/* empty when it could not be read */
	return rc;
}

/* The packages the apt lock pins, "STAGE:NAME" with versions. */
static int packages_of(void *arg, const char *text, size_t len, const char *name)
{
	struct record *r = arg;
	struct apt_lock al;
	char key[512];
	int rc = apt_lock_parse(&al, text, len, name);

	for (size_t s = 0; !rc && s < al.n; s++)
		for (size_t i = 0; !rc && i < al.stages[s].ninstalls; i++)
			for (size_t k = 0; !rc && k < al.stages[s].installs[i].npackages; k++) {
				const struct apt_lock_package *p = &al.stages[s].installs[i].packages[k];

				snprintf(key, sizeof(key), "%zu:%s", al.stages[s].stage, p->name);
				rc = pairs_add(&r->packages, key, strlen(key), p->version);
			}
	apt_lock_release(&al);	/* empty when it could not be read */
	return rc;
}

/* The digest of the file 'name' of the context into '*out', or NULL when
 * there is none. */
static int file_digest(char **out, struct context *ctx, const char *name)
{
	char digest[SHA256_STRING_LEN + 1];
	int rc = context_file_digest(digest, ctx, name);

	*out = NULL;
	if (rc < 0)
		return rc == ERR_NOTFOUND ? 0 : rc;
	return dup_str(out, digest);
}

int record_inputs(struct record *out, struct context *ctx, const char *template,
		  const char *dockerfile, const char *manifest, size_t manifest_len,
		  const char *manifest_digest, const char *context_digest)
{
	struct build_inputs in;
	char digest[SHA256_STRING_LEN + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	if (context_commit(ctx) && (rc = dup_str(&out->commit, context_commit(ctx))) < 0)
		return rc;
	if ((rc = file_digest(&out->template_digest, ctx, template)) < 0 ||
	    (out->template_digest && (rc = dup_str(&out->template_name, template)) < 0) ||
	    (rc = file_digest(&out->upload_ignore, ctx, PACKAGE_IGNORE)) < 0 ||
	    (!out->upload_ignore && (rc = dup_str(&out->upload_ignore, "none")) < 0))
		return rc;
	if ((rc = dup_str(&out->context_digest, context_digest)) < 0 ||
	    (rc = build_inputs_read(&in, ctx, dockerfile, context_digest)) < 0 ||
	    (rc = dup_str(&out->manifest_digest, manifest_digest)) < 0)
		return rc;
	if (!(out->manifest = malloc(manifest_len + 1)))
		return err_nomem();
	memcpy(out->manifest, manifest, manifest_len);
	out->manifest[manifest_len] = '\0';
	out->manifest_len = manifest_len;
	if ((rc = manifest_lines(manifest, manifest_len, entry_line, out)) < 0)
		return rc;
	pairs_sort(&out->language);
	for (size_t i = 0; i < BUILD_DIGEST_NLOCKS; i++)
		if (in.locks[i][0] && (rc = pairs_add(&out->locks, build_digest_locks[i],
						      strlen(build_digest_locks[i]), in.locks[i])) < 0)
			return rc;
	if ((rc = dup_str(&out->dockerfile_name, dockerfile)) < 0 ||
	    (rc = dup_str(&out->dockerfile_digest, in.dockerfile)) < 0 ||
	    (rc = build_digest_of(digest, &in)) < 0 || (rc = dup_str(&out->build_digest, digest)) < 0 ||
	    (rc = context_parse(ctx, IMAGES_LOCK_PATH, images_of, out)) < 0 ||
	    (rc = context_parse(ctx, APT_LOCK_PATH, packages_of, out)) < 0)
		return rc;
	pairs_sort(&out->images);
	pairs_sort(&out->packages);
	return 0;
}

int record_add_upload(struct record *r, struct context *ctx)
{
	unsigned char d[SHA256_LEN];
	char digest[SHA256_STRING_LEN + 1];
	int rc;

	if ((rc = package_write(d, ctx, -1, "the PlanQK upload")) < 0)
		return rc;
	sha256_format(digest, d);
	return dup_str(&r->upload_digest, digest);
}

int record_add_build(struct record *r, const char *builder, const char *version, json_t *options,
		     const char *platform, long long epoch, const char *layout)
{
	struct layout_image img;
	struct record_build *b;
	json_t *ids, *v;
	const char *config;
	size_t i;
	int rc;

	if (GROW(r->builds, r->nbuilds, r->builds_alloc)) {
		json_decref(options);
		return ERR_NOMEM;
	}
	b = &r->builds[r->nbuilds++];
	memset(b, 0, sizeof(*b));
	b->options = options;
	b->epoch = epoch;
	if ((rc = dup_str(&b->builder, builder)) < 0 || (rc = dup_str(&b->builder_version, version)) < 0)
		return rc;
	if ((rc = layout_image_load(&img, layout)) < 0)
		goto done;
	if (platform) {
		rc = dup_str(&b->platform, platform);
	} else {
		/* the image's own: its config's os/architecture[/variant] */
		const char *os = json_string_value(json_object_get(img.config, "os"));
		const char *arch = json_string_value(json_object_get(img.config, "architecture"));
		const char *variant = json_string_value(json_object_get(img.config, "variant"));

		if (!os || !arch)
			rc = err_set("'%s': a config with no os or architecture", layout);
		else if (asprintf(&b->platform, "%s/%s%s%s", os, arch, variant ? "/" : "",
				  variant ? variant : "") < 0)
			rc = err_nomem();
	}
	if (rc < 0)
		goto done;
	config = json_string_value(json_object_get(json_object_get(img.manifest, "config"), "digest"));
	ids = json_object_get(json_object_get(img.config, "rootfs"), "diff_ids");
	if (!config || !json_is_array(ids)) {
		rc = err_set("'%s': a manifest with no config digest, or a config with no diff_ids",
			     layout);
		goto done;
	}
	if ((rc = dup_str(&b->manifest, img.manifest_digest)) < 0 ||
	    (rc = dup_str(&b->config, config)) < 0)
		goto done;
	if (!(b->diff_ids = calloc(json_array_size(ids) + 1, sizeof(*b->diff_ids)))) {
		rc = err_nomem();
		goto done;
	}
	json_array_foreach(ids, i, v) {
		if (!json_is_string(v) || !oci_digest_valid(json_string_value(v))) {
			rc = err_set("'%s': a diff_id that is not a sha256 digest", layout);
			goto done;
		}
		if ((rc = dup_str(&b->diff_ids[i], json_string_value(v))) < 0)
			goto done;
	}
done:
	layout_image_release(&img);
	return rc;
}

/* ---- the bytes ------------------------------------------------------------ */

static json_t *build_json(const struct record_build *b)
{
	json_t *ids = jsonw_strings(b->diff_ids), *o;

	o = json_pack("{s:{s:s, s:s, s:O}, s:s, s:o, s:I, s:s, s:s}", "builder", "name", b->builder,
		      "version", b->builder_version, "options", b->options ? b->options : json_null(),
		      "config", b->config, "diff_ids", ids, "epoch", (json_int_t)b->epoch, "manifest",
		      b->manifest, "platform", b->platform);
	return o;
}

int record_format(char **out, size_t *len, const struct record *r)
{
	json_t *root = json_object(), *context = json_object(), *builds = json_array();
	int rc = -1;

	*out = NULL;
	if (!root || !context || !builds)
		goto done;
	for (size_t i = 0; i < r->nbuilds; i++)
		if (json_array_append_new(builds, build_json(&r->builds[i])) < 0)
			goto done;
	if (jsonw_set(context, "digest", json_string(r->context_digest)) < 0 ||
	    jsonw_set(context, "manifest", json_string(r->manifest_digest)) < 0)
		goto done;
	if (jsonw_set(root, "version", json_integer(RECORD_VERSION)) < 0 ||
	    jsonw_set(root, "build_digest", json_string(r->build_digest)) < 0 ||
	    (r->commit && jsonw_set(root, "commit", json_string(r->commit)) < 0) ||
	    (r->upload_digest && jsonw_set(root, "upload", json_string(r->upload_digest)) < 0) ||
	    (r->upload_digest && r->upload_ignore &&
	     jsonw_set(root, "upload_ignore", json_string(r->upload_ignore)) < 0) ||
	    (r->template_name &&
	     jsonw_set(root, "template", json_pack("{s:s, s:s}", "path", r->template_name,
						   "digest", r->template_digest)) < 0) ||
	    jsonw_set(root, "dockerfile", json_pack("{s:s, s:s}", "path", r->dockerfile_name,
						    "digest", r->dockerfile_digest)) < 0 ||
	    jsonw_set(root, "lockfiles", pairs_json(&r->locks)) < 0 ||
	    jsonw_set(root, "language_locks", pairs_json(&r->language)) < 0 ||
	    jsonw_set(root, "images", pairs_json(&r->images)) < 0 ||
	    jsonw_set(root, "packages", pairs_json(&r->packages)) < 0)
		goto done;
	rc = jsonw_set(root, "context", context);
	context = NULL;
	if (rc == 0) {
		rc = jsonw_set(root, "builds", builds);
		builds = NULL;
	}
	if (rc == 0)
		rc = jsonw_dump(out, len, root);
done:
	json_decref(root);
	json_decref(context);
	json_decref(builds);
	return rc < 0 ? err_nomem() : 0;
}

/* ---- reading it back ------------------------------------------------------ */

struct reader {
	const char *name;	/* the file, for messages */
};

static int bad(const struct reader *rd, const char *where, const char *why)
{
	return err_set("%s: %s: %s", rd->name, where, why);
}

static int ok_ignore(const char *s)
{
	return !strcmp(s, "none") || oci_digest_valid(s);
}

static int read_string(char **out, json_t *v, const struct reader *rd, const char *where,
		       int (*ok)(const char *))
{
	const char *s = json_string_value(v);

	if (!s || !ok(s))
		return bad(rd, where, "missing, or not a valid value");
	return dup_str(out, s);
}

static int read_pairs(struct record_pairs *p, json_t *o, const struct reader *rd,
		      const char *where, int (*ok)(const char *))
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return bad(rd, where, "missing, or not an object");
	json_object_foreach(o, key, v) {
		if (!ok_text(key) || !json_is_string(v) || !ok(json_string_value(v)))
			return bad(rd, where, "holds a name or value that is not valid");
		if (pairs_add(p, key, strlen(key), json_string_value(v)) < 0)
			return err_code();
	}
	pairs_sort(p);
	return 0;
}

static int ok_version(const char *s)
{
	return ok_text(s) && !strchr(s, ' ');
}

static int read_build(struct record_build *b, json_t *o, const struct reader *rd)
{
	json_t *builder = json_object_get(o, "builder"), *ids = json_object_get(o, "diff_ids"), *v;
	json_t *epoch = json_object_get(o, "epoch");
	size_t i;

	if (read_string(&b->builder, json_object_get(builder, "name"), rd, "builds: builder.name",
			ok_version) ||
	    read_string(&b->builder_version, json_object_get(builder, "version"), rd,
			"builds: builder.version", ok_version) ||
	    read_string(&b->platform, json_object_get(o, "platform"), rd, "builds: platform",
			ok_version) ||
	    read_string(&b->manifest, json_object_get(o, "manifest"), rd, "builds: manifest",
			oci_digest_valid) ||
	    read_string(&b->config, json_object_get(o, "config"), rd, "builds: config",
			oci_digest_valid))
		return err_code();
	if (!json_is_integer(epoch) || json_integer_value(epoch) < 0)
		return bad(rd, "builds: epoch", "not a time in seconds");
	b->epoch = json_integer_value(epoch);
	b->options = json_incref(json_object_get(builder, "options"));
	if (!json_is_array(ids))
		return bad(rd, "builds: diff_ids", "missing, or not a list");
	if (!(b->diff_ids = calloc(json_array_size(ids) + 1, sizeof(*b->diff_ids))))
		return err_nomem();
	json_array_foreach(ids, i, v)
		if (read_string(&b->diff_ids[i], v, rd, "builds: diff_ids", oci_digest_valid))
			return err_code();
	return 0;
}

int record_parse(struct record *out, const char *text, size_t len, const char *name)
{
	struct reader rd = { name };
	json_error_t jerr;
	json_t *root, *context, *tmpl, *df, *builds, *v;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
		return err_set("%s:%d:%d: %s", name, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != RECORD_VERSION) {
		rc = err_set("%s: not a build record of version %d", name, RECORD_VERSION);
		goto done;
	}
	context = json_object_get(root, "context");
	tmpl = json_object_get(root, "template");
	df = json_object_get(root, "dockerfile");
	builds = json_object_get(root, "builds");
	if (read_string(&out->build_digest, json_object_get(root, "build_digest"), &rd,
			"build_digest", oci_digest_valid) ||
	    (json_object_get(root, "commit") &&
	     read_string(&out->commit, json_object_get(root, "commit"), &rd, "commit", ok_version)) ||
	    (json_object_get(root, "upload") &&
	     read_string(&out->upload_digest, json_object_get(root, "upload"), &rd, "upload",
			 oci_digest_valid)) ||
	    (json_object_get(root, "upload_ignore") &&
	     read_string(&out->upload_ignore, json_object_get(root, "upload_ignore"), &rd,
			 "upload_ignore", ok_ignore)) ||
	    (tmpl && (read_string(&out->template_name, json_object_get(tmpl, "path"), &rd,
				  "template.path", ok_text) ||
		      read_string(&out->template_digest, json_object_get(tmpl, "digest"), &rd,
				  "template.digest", oci_digest_valid))) ||
	    read_string(&out->dockerfile_name, json_object_get(df, "path"), &rd, "dockerfile.path",
			ok_text) ||
	    read_string(&out->dockerfile_digest, json_object_get(df, "digest"), &rd,
			"dockerfile.digest", oci_digest_valid) ||
	    read_string(&out->context_digest, json_object_get(context, "digest"), &rd,
			"context.digest", oci_digest_valid) ||
	    read_string(&out->manifest_digest, json_object_get(context, "manifest"), &rd,
			"context.manifest", oci_digest_valid) ||
	    read_pairs(&out->locks, json_object_get(root, "lockfiles"), &rd, "lockfiles",
		       oci_digest_valid) ||
	    read_pairs(&out->language, json_object_get(root, "language_locks"), &rd,
		       "language_locks", oci_digest_valid) ||
	    read_pairs(&out->images, json_object_get(root, "images"), &rd, "images",
		       oci_digest_valid) ||
	    read_pairs(&out->packages, json_object_get(root, "packages"), &rd, "packages",
		       ok_version)) {
		rc = err_code();
		goto done;
	}
	if (!json_is_array(builds)) {
		rc = bad(&rd, "builds", "missing, or not a list");
		goto done;
	}
	json_array_foreach(builds, i, v) {
		if (GROW(out->builds, out->nbuilds, out->builds_alloc)) {
			rc = ERR_NOMEM;
			goto done;
		}
		memset(&out->builds[out->nbuilds++], 0, sizeof(*out->builds));
		if ((rc = read_build(&out->builds[out->nbuilds - 1], v, &rd)) < 0)
			goto done;
	}
done:
	json_decref(root);
	if (rc)
		record_release(out);
	return rc;
}

/* ---- comparing ------------------------------------------------------------ */

void record_diffs_release(struct record_diffs *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].recorded);
		free(d->v[i].now);
		free(d->v[i].from);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

int record_diffs_add(struct record_diffs *d, const char *class, const char *path,
		     const char *what, const char *recorded, const char *now)
{
	struct record_diff *x;

	if (GROW(d->v, d->n, d->alloc))
		return ERR_NOMEM;
	x = &d->v[d->n];
	memset(x, 0, sizeof(*x));
	x->class = class;
	x->what = what;
	if (!(x->path = strdup(path)) || (recorded && !(x->recorded = strdup(recorded))) ||
	    (now && !(x->now = strdup(now)))) {
		free(x->path);
		free(x->recorded);
		return err_nomem();
	}
	d->n++;
	return 0;
}

/* Two values of one name: NULL for none. */
static int one(struct record_diffs *d, const char *class, const char *path, const char *recorded,
	       const char *now)
{
	if (recorded && now)
		return strcmp(recorded, now) ?
			record_diffs_add(d, class, path, "changed", recorded, now) : 0;
	if (recorded || now)
		return record_diffs_add(d, class, path, recorded ? "removed" : "added", recorded, now);
	return 0;
}

/* How two manifest values of one path differ, "TYPE MODE SIZE DIGEST[ TARGET]". */
static int file_diff(struct record_diffs *d, const char *path, const char *a, const char *b)
{
	size_t at = 0;

	if (!strcmp(a, b))
		return 0;
	if (a[0] != b[0])
		return record_diffs_add(d, "context", path, "type changed", a, b);
	if (strncmp(a + 2, b + 2, 4) &&
	    record_diffs_add(d, "context", path, "mode changed", a, b) < 0)
		return ERR_NOMEM;
	/* past type and mode: size, digest and target */
	at = 7;
	if (strcmp(a + at, b + at))
		return record_diffs_add(d, "context", path,
					a[0] == 'l' ? "link target changed" : "content changed", a, b);
	return 0;
}

/* 1 when context entry 'path' is an input of its own class (the template,
 * the Dockerfile, a lockfile): said there, not again as a context entry. */
static int own_class(const struct record *r, const char *path)
{
	if ((r->template_name && !strcmp(path, r->template_name)) ||
	    (r->dockerfile_name && !strcmp(path, r->dockerfile_name)))
		return 1;
	for (size_t i = 0; i < BUILD_DIGEST_NLOCKS; i++)
		if (!strcmp(path, build_digest_locks[i]))
			return 1;
	return 0;
}

/* Walk two sorted lists side by side; with 'files', the context's entries
 * of record 'r', leaving out those of their own class. */
static int pairs_compare(struct record_diffs *d, const char *class, const struct record_pairs *a,
			 const struct record_pairs *b, const struct record *files)
{
	size_t i = 0, k = 0;
	int rc = 0;

	while (!rc && (i < a->n || k < b->n)) {
		int c = i == a->n ? 1 : k == b->n ? -1 : strcmp(a->v[i].name, b->v[k].name);

		if (files && own_class(files, c <= 0 ? a->v[i].name : b->v[k].name)) {
			i += c <= 0;
			k += c >= 0;
		} else if (c < 0) {
			rc = record_diffs_add(d, class, a->v[i].name, "removed", a->v[i].value, NULL);
			i++;
		} else if (c > 0) {
			rc = record_diffs_add(d, class, b->v[k].name, "added", NULL, b->v[k].value);
			k++;
		} else {
			rc = files ? file_diff(d, a->v[i].name, a->v[i].value, b->v[k].value)
				   : one(d, class, a->v[i].name, a->v[i].value, b->v[k].value);
			i++;
			k++;
		}
	}
	return rc;
}

int record_take_manifest(struct record *r, char *text, size_t len, const char *name)
{
	char digest[SHA256_STRING_LEN + 1];
	int rc;

	if ((rc = sha256_string(digest, text, len)) == 0 && strcmp(digest, r->manifest_digest))
		rc = err_set("%s: not the manifest the record names (%s, and this is %s): build again",
			     name, r->manifest_digest, digest);
	if (rc < 0) {
		free(text);
		return rc;
	}
	free(r->manifest);
	pairs_release(&r->files);
	r->files_read = 0;
	r->manifest = text;
	r->manifest_len = len;
	return 0;
}

int record_compare(struct record_diffs *out, struct record *recorded, struct record *now)
{
	int files = recorded->manifest_digest && now->manifest_digest &&
		    strcmp(recorded->manifest_digest, now->manifest_digest) != 0;
	const char *tname = recorded->template_name ? recorded->template_name : now->template_name;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = one(out, "template", tname ? tname : "Dockerfile.in", recorded->template_digest,
		      now->template_digest)) < 0 ||
	    (rc = one(out, "dockerfile", recorded->dockerfile_name, recorded->dockerfile_digest,
		      now->dockerfile_digest)) < 0 ||
	    (rc = pairs_compare(out, "lock", &recorded->locks, &now->locks, NULL)) < 0 ||
	    (rc = pairs_compare(out, "base image", &recorded->images, &now->images, NULL)) < 0 ||
	    (rc = pairs_compare(out, "package", &recorded->packages, &now->packages, NULL)) < 0 ||
	    (files && ((rc = read_files(recorded, RECORD_MANIFEST_PATH)) < 0 ||
		       (rc = read_files(now, "the context's manifest")) < 0 ||
		       (rc = pairs_compare(out, "context", &recorded->files, &now->files,
					   recorded)) < 0)))
		record_diffs_release(out);
	return rc;
}

int record_upload_known(const struct record_diffs *d, const struct record *recorded,
			const struct record *now)
{
	return !d->n && recorded->upload_ignore && now->upload_ignore &&
	       !strcmp(recorded->upload_ignore, now->upload_ignore);
}

int record_compare_upload(struct record_diffs *out, const struct record *recorded,
			  const struct record *now)
{
	if (!recorded->upload_digest || !now->upload_digest)
		return 0;
	return one(out, "upload", PACKAGE_IGNORE, recorded->upload_digest, now->upload_digest);
}

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Build 'b' against 'r', of the same platform: the manifest, then (when
 * that differs) the config and each layer's diff_id. */
static int build_compare(struct record_diffs *out, const struct record_build *r,
			 const struct record_build *b)
{
	size_t nr = count(r->diff_ids), nb = count(b->diff_ids);
	char at[160];
	int rc;

	if ((rc = one(out, "image", b->platform, r->manifest, b->manifest)) < 0 ||
	    !strcmp(r->manifest, b->manifest) ||
	    (rc = one(out, "image config", b->platform, r->config, b->config)) < 0)
		return rc;
	for (size_t i = 0; !rc && (i < nr || i < nb); i++) {
		snprintf(at, sizeof(at), "%s layer %zu", b->platform, i + 1);
		rc = one(out, "image layer", at, i < nr ? r->diff_ids[i] : NULL,
			 i < nb ? b->diff_ids[i] : NULL);
	}
	return rc;
}

static const struct record_build *build_of(const struct record *r, const char *platform)
{
	for (size_t i = 0; i < r->nbuilds; i++)
		if (!strcmp(r->builds[i].platform, platform))
			return &r->builds[i];
	return NULL;
}

int record_compare_image(struct record_diffs *out, const struct record *recorded,
			 const char *layout)
{
	struct record now = { 0 };
	const struct record_build *r;
	int rc;

	if ((rc = record_add_build(&now, "-", "-", NULL, NULL, 0, layout)) < 0)
		goto done;
	if (!(r = build_of(recorded, now.builds[0].platform)))
		rc = record_diffs_add(out, "image", now.builds[0].platform,
				      "no build of this platform recorded", NULL,
				      now.builds[0].manifest);
	else
		rc = build_compare(out, r, &now.builds[0]);
done:
	record_release(&now);
	return rc;
}

int record_compare_builds(struct record_diffs *out, const struct record *a,
			  const struct record *b)
{
	char wa[300], wb[300], ea[32], eb[32];
	int rc = 0;

	for (size_t i = 0; !rc && i < a->nbuilds; i++) {
		const struct record_build *x = &a->builds[i], *y = build_of(b, x->platform);

		if (!y) {
			rc = record_diffs_add(out, "image", x->platform, "removed", x->manifest, NULL);
			continue;
		}
		snprintf(wa, sizeof(wa), "%s %s", x->builder, x->builder_version);
		snprintf(wb, sizeof(wb), "%s %s", y->builder, y->builder_version);
		snprintf(ea, sizeof(ea), "%lld", x->epoch);
		snprintf(eb, sizeof(eb), "%lld", y->epoch);
		if ((rc = one(out, "builder", x->platform, wa, wb)) == 0 &&
		    (rc = one(out, "time", x->platform, ea, eb)) == 0)
			rc = build_compare(out, x, y);
	}
	for (size_t i = 0; !rc && i < b->nbuilds; i++)
		if (!build_of(a, b->builds[i].platform))
			rc = record_diffs_add(out, "image", b->builds[i].platform, "added", NULL,
					      b->builds[i].manifest);
	return rc;
}

/* ---- other inputs, read to compare ----------------------------------- */

int record_read_any(struct record *out, enum record_kind *kind, const char *text, size_t len,
		    const char *name)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	int rc;

	memset(out, 0, sizeof(*out));
	*kind = !json_is_object(root) ? RECORD_UNKNOWN
		: json_object_get(root, "build_digest") ? RECORD_BUILD
		: json_object_get(root, "stages") ? RECORD_APT_LOCK
		: json_object_get(root, "images") ? RECORD_IMAGES_LOCK
		: RECORD_UNKNOWN;
	json_decref(root);
	switch (*kind) {
	case RECORD_BUILD:
		return record_parse(out, text, len, name);
	case RECORD_IMAGES_LOCK:
		rc = images_of(out, text, len, name);
		pairs_sort(&out->images);
		break;
	case RECORD_APT_LOCK:
		rc = packages_of(out, text, len, name);
		pairs_sort(&out->packages);
		break;
	default:
		return err_set("%s: not a build record, images lock or apt lock (JSON with "
			       "\"build_digest\", \"images\" or \"stages\")", name);
	}
	if (rc < 0)
		record_release(out);
	return rc;
}
