#include "docker/images_lock.h"
#include "docker/image_ref.h"
#include "docker/oci.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/grow.h"
#include "util/jsonw.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void images_lock_platforms_free(struct images_lock_platform *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].platform);
		free(list[i].digest);
	}
	free(list);
}

void images_lock_entry_release(struct images_lock_entry *e)
{
	free(e->key);
	free(e->reference);
	free(e->name);
	free(e->tag);
	free(e->digest);
	free(e->media_type);
	images_lock_platforms_free(e->platforms, e->nplatforms);
	memset(e, 0, sizeof(*e));
}

static void strings_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void images_lock_release(struct images_lock *lock)
{
	for (size_t i = 0; i < lock->count; i++)
		images_lock_entry_release(&lock->images[i]);
	free(lock->images);
	strings_free(lock->build_args);
	strings_free(lock->platforms);
	memset(lock, 0, sizeof(*lock));
}

/* A name $NAME and ${NAME} expand: [A-Za-z_][A-Za-z0-9_]*. */
static int arg_name_valid(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static int string_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The length of the name of "NAME=VALUE". */
static size_t arg_name_len(const char *s)
{
	return strcspn(s, "=");
}

/* "NAME=VALUE" by NAME, as the lock's JSON keys are sorted. */
static int arg_compare(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t nx = arg_name_len(x), ny = arg_name_len(y);
	int c = memcmp(x, y, nx < ny ? nx : ny);

	return c ? c : nx < ny ? -1 : nx > ny;
}

/* A copy of 'from' into '*to', sorted by 'compare', NULL-terminated (NULL when empty). */
static int strings_copy(char ***to, const char *const *from,
			int (*compare)(const void *, const void *))
{
	size_t n = 0;

	*to = NULL;
	while (from && from[n])
		n++;
	if (!n)
		return 0;
	if (!(*to = calloc(n + 1, sizeof(**to))))
		return err_nomem();
	for (size_t i = 0; i < n; i++)
		if (!((*to)[i] = strdup(from[i]))) {
			strings_free(*to);
			*to = NULL;
			return err_nomem();
		}
	qsort(*to, n, sizeof(**to), compare);
	return 0;
}

static int check_inputs(char **args, char **platforms)
{
	for (size_t i = 0; args && args[i]; i++) {
		size_t n = arg_name_len(args[i]);

		if (i == IMAGES_LOCK_ARGS_MAX)
			return err_set("more than %d build arguments", IMAGES_LOCK_ARGS_MAX);
		if (!oci_text_valid(args[i]))
			return err_set("a build argument holds a control character");
		if (!args[i][n])
			return err_set("build argument '%s': give NAME=VALUE", args[i]);
		if (!arg_name_valid(args[i], n))
			return err_set("build argument '%s': '%.*s' is not a name an ARG can have",
				       args[i], (int)n, args[i]);
		if (i && n == arg_name_len(args[i - 1]) && !strncmp(args[i], args[i - 1], n + 1))
			return err_set("build argument %.*s is given twice", (int)n, args[i]);
	}
	for (size_t i = 0; platforms && platforms[i]; i++) {
		if (i == IMAGES_LOCK_ARGS_MAX)
			return err_set("more than %d platforms", IMAGES_LOCK_ARGS_MAX);
		if (!oci_platform_valid(platforms[i]))
			return err_set("platform '%s': not os/arch[/variant]",
				       oci_text_valid(platforms[i]) ? platforms[i] : "?");
		if (i && !strcmp(platforms[i], platforms[i - 1]))
			return err_set("platform %s is given twice", platforms[i]);
	}
	return 0;
}

int images_lock_set_inputs(struct images_lock *lock, const char *const *build_args,
			   const char *const *platforms)
{
	char **args, **plats;

	if (strings_copy(&args, build_args, arg_compare) < 0)
		return ERR_NOMEM;
	if (strings_copy(&plats, platforms, string_compare) < 0) {
		strings_free(args);
		return ERR_NOMEM;
	}
	if (check_inputs(args, plats) < 0) {
		strings_free(args);
		strings_free(plats);
		return -1;
	}
	strings_free(lock->build_args);
	strings_free(lock->platforms);
	lock->build_args = args;
	lock->platforms = plats;
	return 0;
}

const struct images_lock_entry *images_lock_find(const struct images_lock *lock, const char *key)
{
	for (size_t i = 0; i < lock->count; i++)
		if (!strcmp(lock->images[i].key, key))
			return &lock->images[i];
	return NULL;
}

/* Copy 'from' into '*to' (NULL stays NULL). Returns 0, or ERR_NOMEM. */
static int copy_string(char **to, const char *from)
{
	*to = NULL;
	return from && !(*to = strdup(from)) ? err_nomem() : 0;
}

static int platform_compare(const void *a, const void *b)
{
	return strcmp(((const struct images_lock_platform *)a)->platform,
		      ((const struct images_lock_platform *)b)->platform);
}

static int entry_copy(struct images_lock_entry *to, const struct images_lock_entry *from)
{
	memset(to, 0, sizeof(*to));
	if (copy_string(&to->key, from->key) < 0 ||
	    copy_string(&to->reference, from->reference) < 0 ||
	    copy_string(&to->name, from->name) < 0 || copy_string(&to->tag, from->tag) < 0 ||
	    copy_string(&to->digest, from->digest) < 0 ||
	    copy_string(&to->media_type, from->media_type) < 0 ||
	    (from->nplatforms &&
	     !(to->platforms = calloc(from->nplatforms, sizeof(*to->platforms))))) {
		images_lock_entry_release(to);
		return err_nomem();
	}
	for (size_t i = 0; i < from->nplatforms; i++) {
		struct images_lock_platform *p = &to->platforms[to->nplatforms++];

		if (copy_string(&p->platform, from->platforms[i].platform) < 0 ||
		    copy_string(&p->digest, from->platforms[i].digest) < 0) {
			images_lock_entry_release(to);
			return -1;
		}
	}
	if (to->nplatforms > 1)
		qsort(to->platforms, to->nplatforms, sizeof(*to->platforms),
		      platform_compare);
	return 0;
}

int images_lock_put(struct images_lock *lock, const struct images_lock_entry *entry)
{
	struct images_lock_entry copy;
	size_t at = 0;

	if (entry_copy(&copy, entry) < 0)
		return -1;
	while (at < lock->count && strcmp(lock->images[at].key, entry->key) < 0)
		at++;
	if (at < lock->count && !strcmp(lock->images[at].key, entry->key)) {
		images_lock_entry_release(&lock->images[at]);
		lock->images[at] = copy;
		return 0;
	}
	if (GROW(lock->images, lock->count, lock->alloc) < 0) {
		images_lock_entry_release(&copy);
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

/*
 * A lock is trusted input to render: every field is checked against its
 * syntax, and the key, name and tag against each other, before anything
 * uses it. Messages never quote a bad value (it may hold a newline).
 */
static int check_entry(const char *key, const char *reference, const char *name,
		       const char *tag, const char *digest, const char *media_type,
		       const char *path)
{
	struct image_ref ref;
	char *want_key, *want_name;
	int rc = 0;

	if (!oci_text_valid(key))
		return err_set("%s: an image key holds a control character", path);
	if (image_ref_parse(&ref, key) < 0)
		return err_set("%s: image '%s': the key is not a normalised name:tag", path, key);
	want_key = ref.digest ? NULL : image_ref_name_tag(&ref);
	want_name = image_ref_name(&ref);
	if (!ref.digest && (!want_key || !want_name))
		rc = err_nomem();
	else if (ref.digest || strcmp(want_key, key))
		rc = err_set("%s: image '%s': the key is not a normalised name:tag", path, key);
	else if (strcmp(name, want_name) || strcmp(tag, ref.tag))
		rc = err_set("%s: image '%s': \"name\" and \"tag\" do not match the key", path, key);
	else if (!oci_text_valid(reference))
		rc = err_set("%s: image '%s': \"reference\" holds a control character", path, key);
	else if (!oci_digest_valid(digest))
		rc = err_set("%s: image '%s': \"digest\" is not a sha256 digest", path, key);
	else if (!oci_media_type_valid(media_type))
		rc = err_set("%s: image '%s': \"mediaType\" is not a media type", path, key);
	free(want_key);
	free(want_name);
	image_ref_free(&ref);
	return rc;
}

static int read_entry(struct images_lock_entry *e, const char *key, json_t *obj, const char *path)
{
	const char *reference, *name, *tag, *digest, *media_type, *platform;
	json_t *platforms = json_object_get(obj, "platforms"), *value;
	struct images_lock_entry parsed = { 0 };
	struct images_lock_platform list[256];
	size_t n = 0;

	if (!json_is_object(obj))
		return err_set("%s: image '%s' is not an object", path, key);
	if (!(reference = member(obj, "reference", path, key)) ||
	    !(name = member(obj, "name", path, key)) || !(tag = member(obj, "tag", path, key)) ||
	    !(digest = member(obj, "digest", path, key)) ||
	    !(media_type = member(obj, "mediaType", path, key)))
		return -1;
	if (check_entry(key, reference, name, tag, digest, media_type, path) < 0)
		return -1;
	if (platforms && !json_is_object(platforms))
		return err_set("%s: image '%s': \"platforms\" is not an object", path, key);
	json_object_foreach(platforms, platform, value) {
		if (!oci_platform_valid(platform))
			return err_set("%s: image '%s': a platform name is not os/architecture[/variant]",
				       path, key);
		if (!json_is_string(value) || !oci_digest_valid(json_string_value(value)))
			return err_set("%s: image '%s': platform '%s' is not a sha256 digest", path, key,
				       platform);
		if (n == sizeof(list) / sizeof(list[0]))
			return err_set("%s: image '%s': too many platforms", path, key);
		list[n].platform = (char *)platform;
		list[n++].digest = (char *)json_string_value(value);
	}
	parsed = (struct images_lock_entry){ (char *)key, (char *)reference, (char *)name, (char *)tag,
				      (char *)digest, (char *)media_type, list, n };
	return entry_copy(e, &parsed);
}

/* "buildArgs": {"NAME": "VALUE"} and "platforms": ["os/arch"], when there. */
static int read_inputs(struct images_lock *out, json_t *root, const char *path)
{
	json_t *args = json_object_get(root, "buildArgs"), *plats = json_object_get(root, "platforms");
	json_t *value;
	const char *name, **a = NULL, **p = NULL;
	size_t na = 0, np = 0;
	int rc = -1;

	if ((args && !json_is_object(args)) || (plats && !json_is_array(plats)))
		return err_set("%s: \"buildArgs\" is not an object or \"platforms\" not an array",
			       path);
	if (!(a = calloc(json_object_size(args) + 1, sizeof(*a))) ||
	    !(p = calloc(json_array_size(plats) + 1, sizeof(*p)))) {
		rc = err_nomem();
		goto done;
	}
	json_object_foreach(args, name, value) {
		char *arg;

		if (!json_is_string(value)) {
			err_set("%s: build argument '%s' is not a string", path,
				oci_text_valid(name) ? name : "?");
			goto done;
		}
		if (asprintf(&arg, "%s=%s", name, json_string_value(value)) < 0) {
			rc = err_nomem();
			goto done;
		}
		a[na++] = arg;
	}
	for (size_t i = 0; i < json_array_size(plats); i++)
		if (!(p[np++] = json_string_value(json_array_get(plats, i)))) {
			err_set("%s: a platform is not a string", path);
			goto done;
		}
	if ((rc = images_lock_set_inputs(out, a, p)) < 0 && rc != ERR_NOMEM)
		err_prefix("%s", path);
done:
	for (size_t i = 0; i < na; i++)
		free((char *)a[i]);
	free(a);
	free(p);
	return rc;
}

static int parse(void *out, const char *text, size_t len, const char *path)
{
	return images_lock_parse(out, text, len, path);
}

int images_lock_read(struct images_lock *out, const char *path)
{
	memset(out, 0, sizeof(*out));
	return file_parse(path, parse, out);
}

int images_lock_parse(struct images_lock *out, const char *text, size_t len, const char *path)
{
	json_error_t jerr;
	json_t *root, *images, *value;
	const char *key;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!(root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr)))
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
	if (read_inputs(out, root, path) < 0)
		goto done;
	json_object_foreach(images, key, value) {
		struct images_lock_entry e;

		if (read_entry(&e, key, value, path) < 0)
			goto done;
		rc = images_lock_put(out, &e);
		images_lock_entry_release(&e);
		if (rc < 0)
			goto done;
		rc = -1;
	}
	rc = 0;
done:
	json_decref(root);
	if (rc < 0)
		images_lock_release(out);
	return rc;
}

json_t *images_lock_platforms_json(const struct images_lock_entry *e)
{
	json_t *platforms = json_object();

	for (size_t p = 0; p < e->nplatforms; p++)
		if (jsonw_set(platforms, e->platforms[p].platform,
			      json_string(e->platforms[p].digest)) < 0) {
			json_decref(platforms);
			return NULL;
		}
	return platforms;
}

/* One image as JSON, or NULL when out of memory. */
static json_t *entry_json(const struct images_lock_entry *e)
{
	json_t *obj = json_object(), *platforms = images_lock_platforms_json(e);

	if (!platforms || jsonw_set(obj, "reference", json_string(e->reference)) < 0 ||
	    jsonw_set(obj, "name", json_string(e->name)) < 0 ||
	    jsonw_set(obj, "tag", json_string(e->tag)) < 0 ||
	    jsonw_set(obj, "digest", json_string(e->digest)) < 0 ||
	    jsonw_set(obj, "mediaType", json_string(e->media_type)) < 0)
		goto fail;
	if (jsonw_set(obj, "platforms", platforms) < 0) {
		platforms = NULL;	/* taken even on failure */
		goto fail;
	}
	return obj;
fail:
	json_decref(platforms);
	json_decref(obj);
	return NULL;
}

/* The build arguments and platforms, when there are any. */
static int inputs_json(json_t *root, const struct images_lock *lock)
{
	json_t *args = json_object(), *plats = jsonw_strings(lock->platforms);
	int rc = args && plats ? 0 : -1;

	for (size_t i = 0; rc == 0 && lock->build_args && lock->build_args[i]; i++) {
		const char *a = lock->build_args[i];
		size_t n = arg_name_len(a);
		char *name = strndup(a, n);

		rc = name ? jsonw_set(args, name, json_string(a + n + 1)) : -1;
		free(name);
	}
	if (rc == 0 && lock->build_args) {
		rc = jsonw_set(root, "buildArgs", args);
		args = NULL;	/* taken even on failure */
	}
	if (rc == 0 && lock->platforms) {
		rc = jsonw_set(root, "platforms", plats);
		plats = NULL;
	}
	json_decref(args);
	json_decref(plats);
	return rc;
}

int images_lock_format(char **out, size_t *len, const struct images_lock *lock)
{
	json_t *root = json_object(), *images = json_object();
	int rc = -1;

	*out = NULL;
	for (size_t i = 0; i < lock->count; i++)
		if (jsonw_set(images, lock->images[i].key, entry_json(&lock->images[i])) < 0)
			goto done;
	if (jsonw_set(root, "version", json_integer(IMAGES_LOCK_VERSION)) < 0)
		goto done;
	if (inputs_json(root, lock) < 0)
		goto done;
	rc = jsonw_set(root, "images", images);
	images = NULL;		/* taken even on failure */
	if (rc == 0)
		rc = jsonw_dump(out, len, root);
done:
	json_decref(images);
	json_decref(root);
	return rc < 0 ? err_nomem() : 0;
}

int images_lock_write(const struct images_lock *lock, const char *path)
{
	char *text;
	size_t len;
	int rc;

	if (images_lock_format(&text, &len, lock) < 0)
		return -1;
	rc = outfile_write(path, text, len);
	free(text);
	return rc;
}
