#include "verify/audit.h"
#include "docker/oci.h"
#include "util/error.h"
#include "util/grow.h"
#include "verify/imagediff.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most of a file read to tell what it is: a .pyc's header, a key. */
#define HEAD_MAX (64u << 10)

void audit_release(struct audit *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].path);
		free(a->v[i].detail);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int found(struct audit *a, size_t layer, const char *path, const char *what,
		 const char *detail)
{
	struct audit_finding *f;

	if (GROW(a->v, a->n, a->alloc))
		return ERR_NOMEM;
	f = &a->v[a->n];
	f->layer = layer;
	f->what = what;
	f->path = strdup(path);
	f->detail = detail ? strdup(detail) : NULL;
	if (!f->path || (detail && !f->detail)) {
		free(f->path);
		free(f->detail);
		return err_nomem();
	}
	a->n++;
	return 0;
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* What the name alone says of a regular file: a log, a cache or lists the
 * package tools leave, or NULL. */
static const char *leftover(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(path, "var/log/dpkg.log"))
		return "dpkg log";
	if (has_prefix(path, "var/log/apt/"))
		return "apt log";
	if (!strcmp(path, "var/cache/ldconfig/aux-cache"))
		return "ldconfig cache";
	if (has_prefix(path, "var/lib/apt/lists/") && strcmp(base, "lock"))
		return "apt lists";
	return NULL;
}

/* 1 when the file's name and first bytes make it a secret. */
static int secret(const char *path, const char *head, size_t n)
{
	static const char *const keys[] = { "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", NULL };
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, ".env"))
		return 1;
	for (const char *const *k = keys; *k; k++)
		if (!strcmp(base, *k))
			return 1;
	return (has_suffix(base, ".pem") || has_suffix(base, ".key")) &&
	       memmem(head, n, "PRIVATE KEY-----", 16) != NULL;
}

/* 1 for a .pyc compiled with a timestamp: before Python 3.7 always; since,
 * when bit 0 of the flags after the magic (PEP 552) is clear. */
static int timestamped_pyc(const unsigned char *head, size_t n)
{
	if (n < 8 || head[2] != '\r' || head[3] != '\n')
		return 0;
	return !(head[4] & 1);
}

/* 1 when the history step that made layer 'index' (1-based; empty layers
 * skipped) sets owners. */
static int sets_owners(json_t *config, size_t index)
{
	static const char *const words[] = { "--chown", "chown ", "useradd", "adduser", NULL };
	json_t *h;
	size_t i, k = 0;

	json_array_foreach(json_object_get(config, "history"), i, h) {
		const char *by = json_string_value(json_object_get(h, "created_by"));

		if (json_is_true(json_object_get(h, "empty_layer")) || ++k != index)
			continue;
		for (const char *const *w = words; by && *w; w++)
			if (strstr(by, *w))
				return 1;
		return 0;
	}
	return 0;
}

/* The first bytes of the entry being read, when its name asks for them. */
static int read_head(struct archive *a, const char *path, unsigned char *head, size_t *n)
{
	la_ssize_t r = 0;

	*n = 0;
	if (!has_suffix(path, ".pyc") && !has_suffix(path, ".pem") && !has_suffix(path, ".key"))
		return 0;
	while (*n < HEAD_MAX && (r = archive_read_data(a, head + *n, HEAD_MAX - *n)) > 0)
		*n += (size_t)r;
	return r < 0 && *n == 0 ? -1 : 0;
}

/* One layer: each entry against the rules; times and owners counted. */
static int audit_layer(struct audit *out, struct archive *a, size_t layer, long long epoch,
		       int owners_set, unsigned char *head)
{
	struct archive_entry *e;
	size_t late = 0, owned = 0;
	char first_late[4096] = "", first_owned[4096] = "", detail[4200];
	long long latest = 0, uid = 0, gid = 0;
	int rc = 0, r;

	while (!rc && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e), *what;
		size_t n = 0;

		if (!name)
			continue;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		while (name[0] == '/')
			name++;
		if (!*name || strstr(name, "/.wh.") || has_prefix(name, ".wh."))
			continue;
		out->files++;
		if (epoch >= 0 && archive_entry_mtime(e) > epoch && late++ == 0) {
			snprintf(first_late, sizeof(first_late), "%s", name);
			latest = (long long)archive_entry_mtime(e);
		}
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (archive_entry_uid(e) != 0 && !owners_set && owned++ == 0) {
			snprintf(first_owned, sizeof(first_owned), "%s", name);
			uid = (long long)archive_entry_uid(e);
			gid = (long long)archive_entry_gid(e);
		}
		if ((what = leftover(name)))
			rc = found(out, layer, name, what, NULL);
		else if (read_head(a, name, head, &n) < 0)
			rc = err_set("cannot read '%s' in layer %zu: %s", name, layer,
				     archive_error_string(a));
		else if (has_suffix(name, ".pyc") && timestamped_pyc(head, n))
			rc = found(out, layer, name, "timestamped pyc",
				   "compiled with its source's time, not a hash (SOURCE_DATE_EPOCH "
				   "unset)");
		else if (secret(name, (const char *)head, n))
			rc = found(out, layer, name, "secret", NULL);
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = err_set("cannot read layer %zu: %s", layer, archive_error_string(a));
	if (rc == 0 && late) {
		snprintf(detail, sizeof(detail), "%zu entr%s after SOURCE_DATE_EPOCH %lld (latest %lld)",
			 late, late == 1 ? "y" : "ies", epoch, latest);
		rc = found(out, layer, first_late, "time after the epoch", detail);
	}
	if (rc == 0 && owned) {
		snprintf(detail, sizeof(detail), "%zu file%s (this one %lld:%lld) that no step of "
			 "this layer gave an owner", owned, owned == 1 ? "" : "s", uid, gid);
		rc = found(out, layer, first_owned, "non-root owner", detail);
	}
	return rc;
}

int image_audit(struct audit *out, const char *layout, const char *tag, long long epoch)
{
	struct layout_image img;
	unsigned char *head = malloc(HEAD_MAX);
	json_t *layers, *l;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!head)
		return err_nomem();
	if ((rc = layout_image_load_tag(&img, layout, tag)) < 0)
		goto done;
	layers = json_object_get(img.manifest, "layers");
	json_array_foreach(layers, i, l) {
		const char *digest = json_string_value(json_object_get(l, "digest"));
		char path[4096];
		struct archive *a;

		if (!digest || !oci_digest_valid(digest)) {
			rc = err_set("'%s': a layer without a sha256 digest", layout);
			goto done;
		}
		if (!(a = layout_layer_open(path, layout, digest))) {
			rc = err_code();
			goto done;
		}
		out->layers++;
		rc = audit_layer(out, a, i + 1, epoch, sets_owners(img.config, i + 1), head);
		archive_read_free(a);
		if (rc < 0)
			goto done;
	}
done:
	layout_image_release(&img);
	free(head);
	return rc;
}
