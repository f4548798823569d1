#ifndef PINNED_LOCK_H
#define PINNED_LOCK_H

#include <stddef.h>

#include "docker/dockerfile.h"
#include "docker/images_lock.h"
#include "docker/registry.h"

/* An image that could not be resolved, where the template names it. */
struct lock_failure {
	size_t line, col;
	char *message;
};

struct lock_failures {
	struct lock_failure *v;
	size_t n, alloc;
};

/*
 * The images lock for the template 'df': each registry image it names
 * without a digest, taken from 'old' when it is there and 'update' is 0,
 * else resolved through 'client', at most 'jobs' at a time (each distinct
 * name and tag once). 'out' must be zeroed. Returns 0; ERR_FAIL when some
 * image could not be resolved, each then in 'failures' with the place it is
 * written; or another negative code with the message set. Empty 'out' with
 * images_lock_release() and 'failures' with lock_failures_release().
 */
int lock_images(struct images_lock *out, struct lock_failures *failures,
		const struct dockerfile *df, const struct images_lock *old, int update,
		struct registry_client *client, int jobs);

void lock_failures_release(struct lock_failures *f);

#endif
