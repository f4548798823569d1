/* os-release and dpkg's status out of an image's layers. */
#include "debian/base.h"

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker/oci.h"
#include "util/buf.h"
#include "util/error.h"

#define FILE_MAX (64u << 20)
#define LAYER_MAX (4ull << 30)

/* The files followed, by their path in a layer (no leading "./" or "/"). */
enum { F_OS_RELEASE, F_LIB_OS_RELEASE, F_STATUS, NFILES };
static const char *const paths[NFILES] = { "etc/os-release", "usr/lib/os-release",
					   "var/lib/dpkg/status" };

void deb_base_release(struct deb_base *b)
{
	free(b->os_release);
	free(b->status);
	free(b->os_link);
	free(b->lib_os_release);
	free(b->id);
	free(b->codename);
	memset(b, 0, sizeof(*b));
}

static char **slot(struct deb_base *b, int f, size_t **len)
{
	switch (f) {
	case F_OS_RELEASE: *len = &b->os_release_len; return &b->os_release;
	case F_LIB_OS_RELEASE: *len = &b->lib_os_release_len; return &b->lib_os_release;
	default: *len = &b->status_len; return &b->status;
	}
}

static void drop(struct deb_base *b, int f)
{
	size_t *len;
	char **p = slot(b, f, &len);

	free(*p);
	*p = NULL;
	*len = 0;
	if (f == F_OS_RELEASE) {
		free(b->os_link);
		b->os_link = NULL;
	}
}

/* "./a/b" and "/a/b" are "a/b". */
static const char *clean(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (path[0] == '/')
		path++;
	return path;
}

/* 1 when 'path' is 'dir' or under it ('dir' without a trailing '/'). */
static int under(const char *path, const char *dir, size_t dlen)
{
	return dlen == 0 || (!strncmp(path, dir, dlen) && (path[dlen] == '/' || path[dlen] == '\0'));
}

int deb_base_add_layer(struct deb_base *b, const void *data, size_t len, const char *name)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	/* what this layer does: whiteouts apply to the layers below it only */
	int gone[NFILES] = { 0 }, set[NFILES] = { 0 };
	char *content[NFILES] = { 0 }, *link = NULL;
	size_t clen[NFILES] = { 0 };
	int rc = 0, r;

	if (!a)
		return err_nomem();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		rc = err_set("layer %s: %s", name, archive_error_string(a));
		goto done;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char name_buf[4096];
		const char *path, *base;
		size_t plen;

		/* "./a/b/" is "a/b" */
		snprintf(name_buf, sizeof(name_buf), "%s",
			 clean(archive_entry_pathname(e) ? archive_entry_pathname(e) : ""));
		for (plen = strlen(name_buf); plen && name_buf[plen - 1] == '/'; plen--)
			name_buf[plen - 1] = '\0';
		path = name_buf;
		base = strrchr(path, '/');
		size_t dlen = base ? (size_t)(base - path) : 0;

		base = base ? base + 1 : path;
		if (!strcmp(base, ".wh..wh..opq")) {
			for (int f = 0; f < NFILES; f++)
				gone[f] |= under(paths[f], path, dlen) && strcmp(paths[f], path);
			continue;
		}
		if (!strncmp(base, ".wh.", 4)) {
			char target[4096];

			snprintf(target, sizeof(target), "%.*s%s%s", (int)dlen, path, dlen ? "/" : "",
				 base + 4);
			for (int f = 0; f < NFILES; f++)
				gone[f] |= under(paths[f], target, strlen(target));
			continue;
		}
		for (int f = 0; f < NFILES; f++) {
			if (!under(paths[f], path, strlen(path)))
				continue;
			/* a directory above it, replaced by something else, hides it */
			if (strcmp(paths[f], path)) {
				if (archive_entry_filetype(e) != AE_IFDIR)
					gone[f] = 1;
				continue;
			}
			free(content[f]);
			content[f] = NULL;
			clen[f] = 0;
			set[f] = 1;
			if (f == F_OS_RELEASE) {
				free(link);
				link = NULL;
			}
			if (archive_entry_filetype(e) == AE_IFLNK) {
				if (f == F_OS_RELEASE &&
				    !(link = strdup(archive_entry_symlink(e) ? archive_entry_symlink(e) : ""))) {
					rc = err_nomem();
					goto done;
				}
				continue;
			}
			if (archive_entry_filetype(e) != AE_IFREG)
				continue;
			if (archive_entry_size(e) < 0) {
				rc = err_set("layer %s: /%s has no size", name, paths[f]);
				goto done;
			}
			if (archive_entry_size(e) > (la_int64_t)FILE_MAX) {
				rc = err_code_set(ERR_TOOBIG, "layer %s: /%s has more than %u MiB", name,
						  paths[f], FILE_MAX >> 20);
				goto done;
			}
			clen[f] = (size_t)archive_entry_size(e);
			if (!(content[f] = malloc(clen[f] + 1))) {
				rc = err_nomem();
				goto done;
			}
			if (archive_read_data(a, content[f], clen[f]) != (la_ssize_t)clen[f]) {
				rc = err_set("layer %s: /%s: %s", name, paths[f],
					     archive_error_string(a) ? archive_error_string(a) : "truncated");
				goto done;
			}
			content[f][clen[f]] = '\0';
		}
	}
	if (r != ARCHIVE_EOF) {
		rc = err_set("layer %s: %s", name, archive_error_string(a));
		goto done;
	}
	for (int f = 0; f < NFILES; f++) {
		size_t *l;
		char **p;

		if (gone[f] || set[f])
			drop(b, f);
		if (!set[f])
			continue;
		p = slot(b, f, &l);
		*p = content[f];
		*l = clen[f];
		content[f] = NULL;
		if (f == F_OS_RELEASE) {
			b->os_link = link;
			link = NULL;
		}
	}
done:
	for (int f = 0; f < NFILES; f++)
		free(content[f]);
	free(link);
	archive_read_free(a);
	return rc;
}

/* The value of KEY= in os-release text, unquoted, in a new string. */
static int os_value(char **out, const char *text, const char *key)
{
	size_t klen = strlen(key);

	*out = NULL;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t n;
		const char *v;

		if (strncmp(p, key, klen) || p[klen] != '=')
			continue;
		v = p + klen + 1;
		n = strcspn(v, "\n");
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		if (!(*out = strndup(v, n)))
			return err_nomem();
		return 0;
	}
	return 0;
}

int deb_base_finish(struct deb_base *b)
{
	const char *text = b->os_release;

	if (!text && b->os_link) {
		const char *t = b->os_link;

		/* Debian's /etc/os-release -> ../usr/lib/os-release */
		if (!strcmp(t, "../usr/lib/os-release") || !strcmp(t, "/usr/lib/os-release"))
			text = b->lib_os_release;
	}
	if (!text)
		text = b->lib_os_release;
	if (!text)
		return 0;
	if (os_value(&b->id, text, "ID") || os_value(&b->codename, text, "VERSION_CODENAME"))
		return ERR_NOMEM;
	return 0;
}

int deb_base_fetch(struct deb_base *out, struct registry_client *c, const struct image_ref *ref,
		   const char *digest, const char *platform)
{
	struct buf manifest = BUF_INIT(0), layer = BUF_INIT(0);
	json_t *root = NULL, *layers, *l;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = registry_fetch(&manifest, c, ref, "manifests", digest, 4u << 20)) < 0)
		goto done;
	root = json_loadb(buf_str(&manifest), manifest.len, 0, NULL);
	if (json_is_array(json_object_get(root, "manifests"))) {
		const char *d = oci_index_platform(root, platform);

		if (!d || !oci_digest_valid(d)) {
			rc = err_code_set(ERR_NOTFOUND, "%s/%s@%s has no image for %s", ref->domain,
					  ref->path, digest, platform);
			goto done;
		}
		buf_release(&manifest);
		rc = registry_fetch(&manifest, c, ref, "manifests", d, 4u << 20);
		json_decref(root);
		root = NULL;
		if (rc < 0)
			goto done;
		root = json_loadb(buf_str(&manifest), manifest.len, 0, NULL);
	}
	layers = json_object_get(root, "layers");
	if (!json_is_array(layers)) {
		rc = err_set("%s/%s@%s is not an image manifest: it lists no layers", ref->domain,
			     ref->path, digest);
		goto done;
	}
	json_array_foreach(layers, i, l) {
		const char *d = json_string_value(json_object_get(l, "digest"));

		if (!d || !oci_digest_valid(d)) {
			rc = err_set("%s/%s@%s: layer %zu has no sha256 digest", ref->domain, ref->path,
				     digest, i + 1);
			goto done;
		}
		if ((rc = registry_fetch(&layer, c, ref, "blobs", d, (size_t)LAYER_MAX)) < 0 ||
		    (rc = deb_base_add_layer(out, buf_str(&layer), layer.len, d)) < 0)
			goto done;
		buf_release(&layer);
	}
	rc = deb_base_finish(out);
done:
	json_decref(root);
	buf_release(&manifest);
	buf_release(&layer);
	if (rc)
		deb_base_release(out);
	return rc;
}
