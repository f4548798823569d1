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

/* The manifest of 'index' tagged 'tag' (its org.opencontainers.image.ref.name),
 * or the first when 'tag' is NULL. */
static const char *index_digest(json_t *index, const char *tag)
{
	json_t *list = json_object_get(index, "manifests"), *m;
	size_t i;

	json_array_foreach(list, i, m) {
		const char *name = json_string_value(json_object_get(
			json_object_get(m, "annotations"), "org.opencontainers.image.ref.name"));

		if (!tag || (name && !strcmp(name, tag)))
			return json_string_value(json_object_get(m, "digest"));
	}
	return NULL;
}

int layout_image_load(struct layout_image *img, const char *layout)
{
	return layout_image_load_tag(img, layout, NULL);
}

int layout_image_load_tag(struct layout_image *img, const char *layout, const char *tag)
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
	digest = index_digest(index, tag);
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", digest ? digest : "");
	json_decref(index);
	if (!digest && tag)
		return err_code_set(ERR_NOTFOUND, "no image tagged '%s' in '%s'", tag, layout);
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
	int semantic;		/* IMAGE_DIFF_SEMANTIC */
	char derived[200];	/* what differs only because something else does */
};

/* 1 when 'path' is 'field' or below it. */
static int under(const char *path, const char *field)
{
	size_t n = strlen(field);

	return !strncmp(path, field, n) && (!path[n] || path[n] == '.' || path[n] == '[');
}

/* The config's fields that follow from the layers (.rootfs.diff_ids) and
 * from the build's steps (.history): named, not counted, when something
 * else differs; they are no cause. Semantic: the history and the creation
 * time are not compared at all. */
static int derived(struct report *r, const char *path)
{
	static const char *const fields[] = { ".rootfs", ".history", NULL };

	if (r->semantic && (under(path, ".history") || under(path, ".created")))
		return 1;
	for (const char *const *f = fields; *f; f++)
		if (under(path, *f)) {
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
	char *xattrs;		/* "NAME=VALUE, ..." sorted by name, or "" */
	unsigned type, mode;
	long long uid, gid, mtime, size;
	char content[SHA256_STRING_LEN + 1];
	int want;		/* its bytes are wanted: a text that differs */
	struct buf data;	/* then those, up to TEXT_MAX */
};

/* The largest file whose first differing line is said. */
#define TEXT_MAX (1u << 20)

static int file_compare(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->path, ((const struct file *)b)->path);
}

static void files_free(struct file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].path);
		free(f[i].target);
		free(f[i].xattrs);
		buf_release(&f[i].data);
	}
	free(f);
}

static int name_compare(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The extended attributes of 'e' as "NAME=VALUE, ...", sorted by name; a
 * value that is not printable ASCII in hex ("0x..."). NULL: no memory. */
static char *xattrs_of(struct archive_entry *e)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	char *one[64];
	size_t n = 0;
	const char *name;
	const void *value;
	size_t size;
	int rc = 0;

	archive_entry_xattr_reset(e);
	while (!rc && n < sizeof(one) / sizeof(one[0]) &&
	       archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		struct buf v = BUF_INIT(BUF_MAX_TEXT);
		const unsigned char *p = value;
		size_t k = 0;

		while (k < size && p[k] >= 0x20 && p[k] < 0x7f)
			k++;
		rc = buf_printf(&v, "%s=%s", name, k == size ? "" : "0x");
		for (size_t i = 0; !rc && i < size; i++)
			rc = k == size ? buf_add(&v, &p[i], 1) : buf_printf(&v, "%02x", p[i]);
		if (!rc && !(one[n++] = buf_detach(&v, NULL)))
			rc = ERR_NOMEM;
		buf_release(&v);
	}
	if (!rc && n > 1)
		qsort(one, n, sizeof(*one), name_compare);
	for (size_t i = 0; i < n; i++) {
		if (!rc)
			rc = buf_printf(&b, "%s%s", i ? ", " : "", one[i]);
		free(one[i]);
	}
	if (rc) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

struct archive *layout_layer_open(char path[4096], const char *layout, const char *digest)
{
	struct archive *a = archive_read_new();

	if (!a) {
		err_nomem();
		return NULL;
	}
	snprintf(path, 4096, "%s/blobs/sha256/%s", layout, digest + 7);
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		err_set("cannot read layer '%s': %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Read the files of layer blob 'digest', sorted by path. */
static int read_layer(struct file **out, size_t *n, const char *layout, const char *digest)
{
	char path[4096];
	struct archive *a = layout_layer_open(path, layout, digest);
	struct archive_entry *e;
	size_t alloc = 0;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	if (!a)
		return err_code();
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
		memset(f, 0, sizeof(*f));
		f->data = (struct buf)BUF_INIT(TEXT_MAX);
		f->path = strdup(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
		f->target = strdup(archive_entry_symlink(e) ? archive_entry_symlink(e) :
				   archive_entry_hardlink(e) ? archive_entry_hardlink(e) : "");
		f->xattrs = xattrs_of(e);
		if (!f->path || !f->target || !f->xattrs) {
			free(f->path);
			free(f->target);
			free(f->xattrs);
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
	else if (*n > 1)
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

/* The bytes of the files of layer blob 'digest' that 'f' (n, sorted)
 * wants, up to TEXT_MAX each. */
static int read_wanted(struct file *f, size_t n, const char *layout, const char *digest)
{
	char path[4096];
	struct archive *a = layout_layer_open(path, layout, digest);
	struct archive_entry *e;
	int rc = 0;

	if (!a)
		return err_code();
	while (!rc && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		struct file key = { .path = (char *)archive_entry_pathname(e) }, *w;
		const void *block;
		size_t size;
		la_int64_t offset;

		if (!key.path || !(w = bsearch(&key, f, n, sizeof(*f), file_compare)) || !w->want ||
		    w->data.len)
			continue;
		while (!rc && archive_read_data_block(a, &block, &size, &offset) == ARCHIVE_OK &&
		       w->data.len + size <= TEXT_MAX)
			rc = buf_add(&w->data, block, size);
	}
	archive_read_free(a);
	return rc;
}

/* One line of a text for a report: at most 60 bytes, what is not
 * printable ASCII as '?'. */
static void show_line(char *out, const char *p, const char *end)
{
	size_t n = 0;

	for (; p < end && *p != '\n' && n < 60; p++)
		out[n++] = *p >= 0x20 && *p < 0x7f ? *p : '?';
	out[n] = '\0';
}

/* "; line N: 'A', then 'B'": the first line where two texts differ; ""
 * when either is not text (holds a NUL) or was not read whole. */
static void first_line(char *out, size_t size, const struct file *a, const struct file *b)
{
	const char *p = a->data.s ? a->data.s : "", *q = b->data.s ? b->data.s : "";
	const char *pe = p + a->data.len, *qe = q + b->data.len;
	char la[61], lb[61];
	size_t line = 1;

	out[0] = '\0';
	if ((long long)a->data.len != a->size || (long long)b->data.len != b->size ||
	    memchr(p, '\0', a->data.len) || memchr(q, '\0', b->data.len))
		return;
	for (;;) {
		const char *pn = memchr(p, '\n', (size_t)(pe - p)), *qn = memchr(q, '\n', (size_t)(qe - q));
		size_t lp = pn ? (size_t)(pn - p + 1) : (size_t)(pe - p);
		size_t lq = qn ? (size_t)(qn - q + 1) : (size_t)(qe - q);

		if (lp != lq || memcmp(p, q, lp))
			break;
		if (p == pe)
			return;
		p += lp;
		q += lq;
		line++;
	}
	show_line(la, p, pe);
	show_line(lb, q, qe);
	snprintf(out, size, "; line %zu: %s%s%s, then %s%s%s", line, p == pe ? "" : "'",
		 p == pe ? "(end)" : la, p == pe ? "" : "'", q == qe ? "" : "'",
		 q == qe ? "(end)" : lb, q == qe ? "" : "'");
}

/* 1 when the contents of 'a' and 'b' are worth reading for their first
 * differing line: two regular files that differ, not too large. */
static int text_wanted(const struct file *a, const struct file *b)
{
	return a->type == AE_IFREG && b->type == AE_IFREG && strcmp(a->content, b->content) &&
	       a->size <= TEXT_MAX && b->size <= TEXT_MAX;
}

/* Say what differs between two files at the same path. */
static void file_diff(struct report *r, size_t index, const struct file *a, const struct file *b)
{
	char what[1024] = "", text[200];
	size_t n = 0;

#define FIELD(cond, ...) \
	if ((cond) && n < sizeof(what)) \
		n += (size_t)snprintf(what + n, sizeof(what) - n, __VA_ARGS__)
	FIELD(a->type != b->type, "%stype %o, then %o", n ? "; " : "", a->type, b->type);
	FIELD(a->mode != b->mode, "%smode %04o, then %04o", n ? "; " : "", a->mode, b->mode);
	FIELD(a->uid != b->uid || a->gid != b->gid, "%sowner %lld:%lld, then %lld:%lld",
	      n ? "; " : "", a->uid, a->gid, b->uid, b->gid);
	FIELD(!r->semantic && a->mtime != b->mtime, "%smtime %lld, then %lld", n ? "; " : "",
	      a->mtime, b->mtime);
	FIELD(strcmp(a->xattrs, b->xattrs), "%sxattrs {%.200s}, then {%.200s}", n ? "; " : "",
	      a->xattrs, b->xattrs);
	if (strcmp(a->content, b->content))
		first_line(text, sizeof(text), a, b);
	FIELD(strcmp(a->content, b->content),
	      "%scontent %.19s (%lld bytes), then %.19s (%lld bytes)%s", n ? "; " : "", a->content,
	      a->size, b->content, b->size, text);
	FIELD(strcmp(a->target, b->target), "%starget '%s', then '%s'", n ? "; " : "", a->target,
	      b->target);
#undef FIELD
	if (n)
		say(r, "layer %zu: %s: %s", index, a->path, what);
}

/* A file in one layer only: a whiteout says what it removes. */
static void only_in(struct report *r, size_t index, const char *path, const char *which)
{
	const char *base = strrchr(path, '/');
	int dirlen = base ? (int)(base - path + 1) : 0;

	base = base ? base + 1 : path;
	if (!strcmp(base, ".wh..wh..opq"))
		say(r, "layer %zu: %.*s: opaque whiteout (hides what lower layers hold) only in the %s",
		    index, dirlen, path, which);
	else if (!strncmp(base, ".wh.", 4))
		say(r, "layer %zu: %.*s%s: whiteout (removes it) only in the %s", index, dirlen, path,
		    base + 4, which);
	else
		say(r, "layer %zu: %s: only in the %s", index, path, which);
}

/* Name the files that differ between two layers. */
static int layer_diff(struct report *r, size_t index, const char *la, const char *da,
		      const char *lb, const char *db)
{
	struct file *a, *b;
	size_t na, nb, i, j, texts = 0;
	int rc = 0;

	if (read_layer(&a, &na, la, da) < 0)
		return -1;
	if (read_layer(&b, &nb, lb, db) < 0) {
		files_free(a, na);
		return -1;
	}
	for (i = 0, j = 0; i < na && j < nb;) {
		int c = strcmp(a[i].path, b[j].path);

		if (c == 0 && text_wanted(&a[i], &b[j])) {
			a[i].want = b[j].want = 1;
			texts++;
		}
		i += c <= 0;
		j += c >= 0;
	}
	if (texts && ((rc = read_wanted(a, na, la, da)) < 0 || (rc = read_wanted(b, nb, lb, db)) < 0))
		goto done;
	for (i = 0, j = 0; i < na || j < nb;) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].path, b[j].path);

		if (c < 0)
			only_in(r, index, a[i++].path, "first");
		else if (c > 0)
			only_in(r, index, b[j++].path, "second");
		else
			file_diff(r, index, &a[i++], &b[j++]);
	}
done:
	files_free(a, na);
	files_free(b, nb);
	return rc;
}

int image_diff(FILE *out, const char *layout_a, const char *layout_b)
{
	return image_diff_tags(out, layout_a, NULL, layout_b, NULL, 0);
}

int image_diff_tags(FILE *out, const char *layout_a, const char *tag_a, const char *layout_b,
		    const char *tag_b, unsigned flags)
{
	struct layout_image a = { 0 }, b = { 0 };
	struct report r = { out, 0, !!(flags & IMAGE_DIFF_SEMANTIC), "" };
	const json_t *la, *lb;
	int rc = -1;

	if (layout_image_load_tag(&a, layout_a, tag_a) < 0 ||
	    layout_image_load_tag(&b, layout_b, tag_b) < 0)
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
	if (r.derived[0] && !r.n && r.semantic)
		fprintf(out, "(and what follows from what --semantic leaves out: the manifest and "
			"config digests, %s)\n", r.derived + 2);
	else if (r.derived[0] && !r.n)
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
