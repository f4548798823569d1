#include "lockfile.h"
#include "error.h"
#include "fileio.h"
#include "grow.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void platform_digests_free(struct platform_digest *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].platform);
		free(list[i].digest);
	}
	free(list);
}

void image_lock_release(struct image_lock *e)
{
	free(e->key);
	free(e->reference);
	free(e->name);
	free(e->tag);
	free(e->digest);
	free(e->media_type);
	platform_digests_free(e->platforms, e->nplatforms);
	memset(e, 0, sizeof(*e));
}

void images_lock_free(struct images_lock *lock)
{
	for (size_t i = 0; i < lock->count; i++)
		image_lock_release(&lock->images[i]);
	free(lock->images);
	memset(lock, 0, sizeof(*lock));
}

const struct image_lock *images_lock_find(const struct images_lock *lock, const char *key)
{
	for (size_t i = 0; i < lock->count; i++)
		if (!strcmp(lock->images[i].key, key))
			return &lock->images[i];
	return NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int platform_compare(const void *a, const void *b)
{
	return strcmp(((const struct platform_digest *)a)->platform,
		      ((const struct platform_digest *)b)->platform);
}

static int entry_copy(struct image_lock *to, const struct image_lock *from)
{
	memset(to, 0, sizeof(*to));
	to->key = dup_or_null(from->key);
	to->reference = dup_or_null(from->reference);
	to->name = dup_or_null(from->name);
	to->tag = dup_or_null(from->tag);
	to->digest = dup_or_null(from->digest);
	to->media_type = dup_or_null(from->media_type);
	if (from->nplatforms &&
	    !(to->platforms = calloc(from->nplatforms, sizeof(*to->platforms)))) {
		image_lock_release(to);
		return err_nomem();
	}
	for (size_t i = 0; i < from->nplatforms; i++) {
		to->platforms[i].platform = dup_or_null(from->platforms[i].platform);
		to->platforms[i].digest = dup_or_null(from->platforms[i].digest);
		to->nplatforms++;
	}
	if (to->nplatforms > 1)
		qsort(to->platforms, to->nplatforms, sizeof(*to->platforms),
		      platform_compare);
	return 0;
}

int images_lock_put(struct images_lock *lock, const struct image_lock *entry)
{
	struct image_lock copy;
	size_t at = 0;

	if (entry_copy(&copy, entry) < 0)
		return -1;
	while (at < lock->count && strcmp(lock->images[at].key, entry->key) < 0)
		at++;
	if (at < lock->count && !strcmp(lock->images[at].key, entry->key)) {
		image_lock_release(&lock->images[at]);
		lock->images[at] = copy;
		return 0;
	}
	if (GROW(lock->images, lock->count, lock->alloc) < 0) {
		image_lock_release(&copy);
		return -1;
	}
	memmove(&lock->images[at + 1], &lock->images[at],
		(lock->count - at) * sizeof(*lock->images));
	lock->images[at] = copy;
	lock->count++;
	return 0;
}

/* A string member of 'obj', required: NULL with err_msg() set when missing. */
static const char *member(json_t *obj, const char *key, const char *path, const char *image)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (!s)
		err_set("%s: image '%s' has no string \"%s\"", path, image, key);
	return s;
}

static int read_entry(struct image_lock *e, const char *key, json_t *obj, const char *path)
{
	const char *reference, *name, *tag, *digest, *media_type, *platform;
	json_t *platforms = json_object_get(obj, "platforms"), *value;
	struct image_lock parsed = { 0 };
	struct platform_digest list[256];
	size_t n = 0;

	if (!json_is_object(obj))
		return err_set("%s: image '%s' is not an object", path, key);
	if (!(reference = member(obj, "reference", path, key)) ||
	    !(name = member(obj, "name", path, key)) || !(tag = member(obj, "tag", path, key)) ||
	    !(digest = member(obj, "digest", path, key)) ||
	    !(media_type = member(obj, "mediaType", path, key)))
		return -1;
	if (platforms && !json_is_object(platforms))
		return err_set("%s: image '%s': \"platforms\" is not an object", path, key);
	json_object_foreach(platforms, platform, value) {
		if (!json_is_string(value))
			return err_set("%s: image '%s': platform '%s' is not a string", path, key, platform);
		if (n == sizeof(list) / sizeof(list[0]))
			return err_set("%s: image '%s': too many platforms", path, key);
		list[n].platform = (char *)platform;
		list[n++].digest = (char *)json_string_value(value);
	}
	parsed = (struct image_lock){ (char *)key, (char *)reference, (char *)name, (char *)tag,
				      (char *)digest, (char *)media_type, list, n };
	return entry_copy(e, &parsed);
}

int images_lock_read(struct images_lock *out, const char *path)
{
	json_error_t jerr;
	json_t *root, *images, *value;
	const char *key;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	if (!(root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)))
		return err_set("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != IMAGES_LOCK_VERSION) {
		err_set("%s: not an images lock of version %d", path, IMAGES_LOCK_VERSION);
		goto done;
	}
	if (!json_is_object(images = json_object_get(root, "images"))) {
		err_set("%s: \"images\" is not an object", path);
		goto done;
	}
	json_object_foreach(images, key, value) {
		struct image_lock e;

		if (read_entry(&e, key, value, path) < 0)
			goto done;
		rc = images_lock_put(out, &e);
		image_lock_release(&e);
		if (rc < 0)
			goto done;
		rc = -1;
	}
	rc = 0;
done:
	json_decref(root);
	if (rc < 0)
		images_lock_free(out);
	return rc;
}

int images_lock_format(char **out, size_t *len, const struct images_lock *lock)
{
	json_t *root = json_object(), *images = json_object();
	char *text = NULL;
	int rc = -1;

	*out = NULL;
	if (!root || !images)
		goto done;
	for (size_t i = 0; i < lock->count; i++) {
		const struct image_lock *e = &lock->images[i];
		json_t *obj = json_object(), *platforms = json_object();

		if (!obj || !platforms) {
			json_decref(obj);
			json_decref(platforms);
			goto done;
		}
		for (size_t p = 0; p < e->nplatforms; p++)
			json_object_set_new(platforms, e->platforms[p].platform,
					    json_string(e->platforms[p].digest));
		json_object_set_new(obj, "reference", json_string(e->reference));
		json_object_set_new(obj, "name", json_string(e->name));
		json_object_set_new(obj, "tag", json_string(e->tag));
		json_object_set_new(obj, "digest", json_string(e->digest));
		json_object_set_new(obj, "mediaType", json_string(e->media_type));
		json_object_set_new(obj, "platforms", platforms);
		json_object_set_new(images, e->key, obj);
	}
	json_object_set_new(root, "version", json_integer(IMAGES_LOCK_VERSION));
	json_object_set(root, "images", images);
	if (!(text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS)))
		goto done;
	*len = strlen(text);
	if (!(*out = realloc(text, *len + 2)))
		goto done;
	text = NULL;
	(*out)[(*len)++] = '\n';
	(*out)[*len] = '\0';
	rc = 0;
done:
	free(text);
	json_decref(images);
	json_decref(root);
	return rc < 0 ? err_nomem() : 0;
}

int images_lock_write(const struct images_lock *lock, const char *path)
{
	struct outfile out;
	char *text;
	size_t len;

	if (images_lock_format(&text, &len, lock) < 0)
		return -1;
	if (outfile_open(&out, path) < 0) {
		free(text);
		return -1;
	}
	if (write_all(out.fd, text, len) < 0) {
		err_errno("cannot write '%s'", path);
		outfile_abort(&out);
		free(text);
		return -1;
	}
	free(text);
	return outfile_commit(&out);
}
