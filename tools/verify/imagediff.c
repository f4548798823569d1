#include "verify/imagediff.h"
#include "docker/oci.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/sha256.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REPORT_MAX 50

/* The JSON blob 'digest' of 'layout'. */
static json_t *load_blob(const char *layout, const char *digest)
{
	char path[4096];
	json_t *v;

	if (!oci_digest_valid(digest)) {
		err_set("'%s': a digest that is not sha256", layout);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, digest + 7);
	if (!(v = json_load_file(path, 0, NULL)))
		err_set("cannot read '%s' as JSON", path);
	return v;
}

int layout_image_load(struct layout_image *img, const char *layout)
{
	char path[4096];
	json_t *index;
	const char *digest;

	memset(img, 0, sizeof(*img));
	snprintf(path, sizeof(path), "%s/index.json", layout);
	if (access(path, F_OK) < 0)
		return err_code_set(ERR_NOTFOUND, "no image in '%s': run pinned build", layout);
	if (!(index = json_load_file(path, 0, NULL)))
		return err_set("cannot read '%s' as JSON", path);
	digest = json_string_value(json_object_get(json_array_get(json_object_get(index,
								"manifests"), 0), "digest"));
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", digest ? digest : "");
	json_decref(index);
	if (!(img->manifest = load_blob(layout, img->manifest_digest)))
		return -1;
	digest = json_string_value(json_object_get(json_object_get(img->manifest, "config"),
						   "digest"));
	if (!(img->config = load_blob(layout, digest ? digest : "")))
		return -1;
	return 0;
}

void layout_image_release(struct layout_image *img)
{
	json_decref(img->manifest);
	json_decref(img->config);
	memset(img, 0, sizeof(*img));
}

struct report {
	FILE *out;
	int n;
	char derived[200];	/* what differs only because something else does */
};

/* The config's fields that follow from the layers (.rootfs.diff_ids) and
 * from the build's steps (.history): named, not counted, when something
 * else differs; they are no cause. */
static int derived(struct report *r, const char *path)
{
	static const char *const fields[] = { ".rootfs", ".history", NULL };

	for (const char *const *f = fields; *f; f++)
		if (!strcmp(path, *f) || (!strncmp(path, *f, strlen(*f)) && path[strlen(*f)] == '.')) {
			size_t n = strlen(r->derived);

			snprintf(r->derived + n, sizeof(r->derived) - n, ", %s", path);
			return 1;
		}
	return 0;
}

static void say(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->n++ >= REPORT_MAX) {
		if (r->n == REPORT_MAX + 1)
			fprintf(r->out, "(more differences left out)\n");
		return;
	}
	va_start(ap, fmt);
	vfprintf(r->out, fmt, ap);
	va_end(ap);
	fputc('\n', r->out);
}

/* Compare two JSON values, naming each path where they differ. */
static void json_diff(struct report *r, const char *path, const json_t *a, const json_t *b)
{
	char sub[1024];

	if (json_equal((json_t *)a, (json_t *)b) || derived(r, path))
		return;
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *v;

		json_object_foreach((json_t *)a, k, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, k);
			if (!json_object_get(b, k))
				say(r, "config: %s: only in the first", sub);
			else
				json_diff(r, sub, v, json_object_get(b, k));
		}
		json_object_foreach((json_t *)b, k, v)
			if (!json_object_get(a, k)) {
				snprintf(sub, sizeof(sub), "%s.%s", path, k);
				say(r, "config: %s: only in the second", sub);
			}
		return;
	}
	if (json_is_array(a) && json_is_array(b) && json_array_size(a) == json_array_size(b)) {
		for (size_t i = 0; i < json_array_size(a); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			json_diff(r, sub, json_array_get(a, i), json_array_get(b, i));
		}
		return;
	}
	{
		char *x = json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT);
		char *y = json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT);

		say(r, "config: %s: %.80s, then %.80s", path, x ? x : "?", y ? y : "?");
		free(x);
		free(y);
	}
}

/* One file of a layer: its path and what is compared. */
struct file {
	char *path;
	char *target;		/* a link's target, or "" */
	unsigned type, mode;
	long long uid, gid, mtime, size;
	char content[SHA256_STRING_LEN + 1];
};

static int file_compare(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

static void files_free(struct file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].target);
	}
	free(f);
}

/* Read the files of layer blob 'digest', sorted by path. */
static int read_layer(struct file **out, size_t *n, const char *layout, const char *digest)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	size_t alloc = 0;
	char path[4096];
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (!a)
		return err_nomem();
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, digest + 7);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		rc = err_set("cannot read layer '%s': %s", path, archive_error_string(a));
		goto done;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		struct sha256 sha = { 0 };
		unsigned char d[SHA256_LEN];
		char hex[SHA256_STRING_LEN + 1];
		const void *block;
		size_t size;
		la_int64_t offset;
		struct file *f;

		if (sha256_init(&sha) < 0) {
			rc = -1;
			goto done;
		}
		while (archive_read_data_block(a, &block, &size, &offset) == ARCHIVE_OK)
			sha256_update(&sha, block, size);
		sha256_final(&sha, d);
		sha256_free(&sha);
		sha256_format(hex, d);
		if (GROW(*out, *n, alloc) < 0) {
			rc = -1;
			goto done;
		}
		f = &(*out)[*n];
		f->path = strdup(archive_entry_pathname(e));
		f->target = strdup(archive_entry_symlink(e) ? archive_entry_symlink(e) :
				   archive_entry_hardlink(e) ? archive_entry_hardlink(e) : "");
		if (!f->path || !f->target) {
			free(f->path);
			free(f->target);
			rc = err_nomem();
			goto done;
		}
		f->type = (unsigned)archive_entry_filetype(e);
		f->mode = (unsigned)archive_entry_perm(e);
		f->uid = (long long)archive_entry_uid(e);
		f->gid = (long long)archive_entry_gid(e);
		f->mtime = (long long)archive_entry_mtime(e);
		f->size = (long long)archive_entry_size(e);
		memcpy(f->content, hex, sizeof(f->content));
		(*n)++;
	}
	if (r != ARCHIVE_EOF)
		rc = err_set("cannot read layer '%s': %s", path, archive_error_string(a));
	else
		qsort(*out, *n, sizeof(**out), file_compare);
done:
	archive_read_free(a);
	if (rc < 0) {
		files_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Say what differs between two files at the same path. */
static void file_diff(struct report *r, size_t index, const struct file *a, const struct file *b)
{
	char what[1024] = "";
	size_t n = 0;

#define FIELD(cond, ...) \
	if ((cond) && n < sizeof(what)) \
		n += (size_t)snprintf(what + n, sizeof(what) - n, __VA_ARGS__)
	FIELD(a->type != b->type, "%stype %o, then %o", n ? "; " : "", a->type, b->type);
	FIELD(a->mode != b->mode, "%smode %04o, then %04o", n ? "; " : "", a->mode, b->mode);
	FIELD(a->uid != b->uid || a->gid != b->gid, "%sowner %lld:%lld, then %lld:%lld",
	      n ? "; " : "", a->uid, a->gid, b->uid, b->gid);
	FIELD(a->mtime != b->mtime, "%smtime %lld, then %lld", n ? "; " : "", a->mtime, b->mtime);
	FIELD(strcmp(a->content, b->content), "%scontent %.19s (%lld bytes), then %.19s (%lld bytes)",
	      n ? "; " : "", a->content, a->size, b->content, b->size);
	FIELD(strcmp(a->target, b->target), "%starget '%s', then '%s'", n ? "; " : "", a->target,
	      b->target);
#undef FIELD
	if (n)
		say(r, "layer %zu: %s: %s", index, a->path, what);
}

/* Name the files that differ between two layers. */
static int layer_diff(struct report *r, size_t index, const char *la, const char *da,
		      const char *lb, const char *db)
{
	struct file *a, *b;
	size_t na, nb, i = 0, j = 0;

	if (read_layer(&a, &na, la, da) < 0)
		return -1;
	if (read_layer(&b, &nb, lb, db) < 0) {
		files_free(a, na);
		return -1;
	}
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].path, b[j].path);

		if (c < 0) {
			say(r, "layer %zu: %s: only in the first", index, a[i++].path);
		} else if (c > 0) {
			say(r, "layer %zu: %s: only in the second", index, b[j++].path);
		} else {
			file_diff(r, index, &a[i++], &b[j++]);
		}
	}
	files_free(a, na);
	files_free(b, nb);
	return 0;
}

int image_diff(FILE *out, const char *layout_a, const char *layout_b)
{
	struct layout_image a = { 0 }, b = { 0 };
	struct report r = { out, 0, "" };
	const json_t *la, *lb;
	int rc = -1;

	if (layout_image_load(&a, layout_a) < 0 || layout_image_load(&b, layout_b) < 0)
		goto done;
	json_diff(&r, "", a.config, b.config);
	la = json_object_get(a.manifest, "layers");
	lb = json_object_get(b.manifest, "layers");
	if (json_array_size(la) != json_array_size(lb))
		say(&r, "layers: %zu, then %zu", json_array_size(la), json_array_size(lb));
	for (size_t i = 0; i < json_array_size(la) && i < json_array_size(lb); i++) {
		const char *da = json_string_value(json_object_get(json_array_get(la, i), "digest"));
		const char *db = json_string_value(json_object_get(json_array_get(lb, i), "digest"));

		if (!da || !db || !oci_digest_valid(da) || !oci_digest_valid(db)) {
			err_set("a layer without a sha256 digest");
			goto done;
		}
		if (strcmp(da, db) && layer_diff(&r, i + 1, layout_a, da, layout_b, db) < 0)
			goto done;
	}
	if (r.derived[0] && !r.n)
		say(&r, "config: %s: differ, and nothing else does", r.derived + 2);
	else if (r.derived[0])
		fprintf(out, "(and what follows from these: the manifest and config digests, %s)\n",
			r.derived + 2);
	rc = r.n;
done:
	layout_image_release(&a);
	layout_image_release(&b);
	return rc;
}
