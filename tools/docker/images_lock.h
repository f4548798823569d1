#ifndef PINNED_IMAGES_LOCK_H
#define PINNED_IMAGES_LOCK_H

#include <stddef.h>

#include <jansson.h>

/*
 * lockfiles/images.lock: what each image a Dockerfile names resolved to.
 * JSON with sorted keys, 2-space indent, a trailing newline and a version;
 * no timestamps, so locking again with nothing moved upstream writes the
 * same bytes.
 */
struct images_lock_platform {
	char *platform;		/* "linux/amd64", "linux/arm64/v8" */
	char *digest;
};

struct images_lock_entry {
	char *key;		/* normalised "registry/path:tag": the lock's key */
	char *reference;	/* as written in the Dockerfile (ARGs expanded) */
	char *name;		/* "docker.io/library/python" */
	char *tag;
	char *digest;		/* what FROM uses: the index's when there is one */
	char *media_type;	/* of what 'digest' names */
	struct images_lock_platform *platforms;	/* sorted by platform */
	size_t nplatforms;
};

/*
 * What the template was read with: the --build-arg values ("NAME=VALUE",
 * sorted by name) and the target platforms (sorted), each NULL-terminated,
 * NULL when none were given (the template's defaults, the host's
 * platform). Written only when given, so a lock made without them has the
 * bytes it always had.
 */
struct images_lock {
	struct images_lock_entry *images;	/* sorted by key */
	size_t count, alloc;
	char **build_args;
	char **platforms;
};

#define IMAGES_LOCK_VERSION 1
#define IMAGES_LOCK_ARGS_MAX 64	/* build arguments, and platforms */
#define IMAGES_LOCK_PATH "lockfiles/images.lock"	/* in the project */

/*
 * Read 'path'. A missing file is an empty lock. Returns 0, or -1 with
 * err_msg() naming the file and what is wrong. Free with images_lock_release().
 */
int images_lock_read(struct images_lock *out, const char *path);

/* The same from 'len' bytes of 'text'; 'path' names them in messages. */
int images_lock_parse(struct images_lock *out, const char *text, size_t len, const char *path);

/* The lock's bytes, as they are written; the caller frees '*out'. */
int images_lock_format(char **out, size_t *len, const struct images_lock *lock);

/* Write atomically (temporary file, fsync, rename). */
int images_lock_write(const struct images_lock *lock, const char *path);

/*
 * Record the build arguments and platforms the lock is made for (NULL or
 * empty: none), copied and sorted. Each build argument is NAME=VALUE with a
 * NAME a Dockerfile can expand and a VALUE of printable text; each platform
 * os/arch[/variant]; none twice; at most IMAGES_LOCK_ARGS_MAX of each.
 * Returns 0, or -1 naming the bad one ("build argument 'X': why"), or
 * ERR_NOMEM.
 */
int images_lock_set_inputs(struct images_lock *lock, const char *const *build_args,
			   const char *const *platforms);

/* The entry for 'key', or NULL. */
const struct images_lock_entry *images_lock_find(const struct images_lock *lock, const char *key);

/* Add a copy of 'entry', replacing one with the same key; keeps the order. */
int images_lock_put(struct images_lock *lock, const struct images_lock_entry *entry);

/* The platforms of 'e' as a JSON object, platform -> digest; NULL when out
 * of memory. */
json_t *images_lock_platforms_json(const struct images_lock_entry *e);

/* Free 'n' platform digests and the array; accepts NULL. */
void images_lock_platforms_free(struct images_lock_platform *list, size_t n);

void images_lock_entry_release(struct images_lock_entry *entry);
void images_lock_release(struct images_lock *lock);

#endif
