#ifndef PINNED_BUILD_DIGEST_H
#define PINNED_BUILD_DIGEST_H

#include <stddef.h>

#include "archive/context.h"
#include "util/sha256.h"

/*
 * The build digest: one SHA-256 over a small text that names each input of
 * a build by digest, one per line, in a fixed order:
 *
 *   pinned build digest v2
 *   dockerfile sha256:...
 *   context sha256:...
 *   lock lockfiles/apt.lock sha256:...
 *   lock lockfiles/images.lock sha256:...
 *
 * The Dockerfile is 'dockerfile' read from the context's source (so from
 * the same revision as everything else), the context is its canonical
 * archive, and each lockfile of BUILD_DIGEST_LOCKS that is there is named
 * (the Dockerfile already carries the digests they pin; the lock lines
 * make a lock that moved without a new render a new build too).
 */
#define BUILD_DIGEST_LOCKS { "lockfiles/apt.lock", "lockfiles/images.lock" }
#define BUILD_DIGEST_NLOCKS 2

/* The digests a build digest is made of. */
struct build_inputs {
	char dockerfile[SHA256_STRING_LEN + 1];
	char context[SHA256_STRING_LEN + 1];
	char locks[BUILD_DIGEST_NLOCKS][SHA256_STRING_LEN + 1];	/* "" when not there */
};

/* The lockfile names, in the order of the text. */
extern const char *const build_digest_locks[BUILD_DIGEST_NLOCKS];

/*
 * Read the inputs from 'ctx' into 'in': the Dockerfile's digest, each
 * lockfile's, and, unless 'context' is NULL (a digest already taken, as
 * "sha256:..."), the context archive's. Returns 0, or a negative code
 * (ERR_NOTFOUND: no Dockerfile).
 */
int build_inputs_read(struct build_inputs *in, struct context *ctx, const char *dockerfile,
		      const char *context);

/* The build digest of 'in', "sha256:<hex>", into 'out'. */
int build_digest_of(char out[SHA256_STRING_LEN + 1], const struct build_inputs *in);

/* Both: the build digest of the context and its Dockerfile. */
int build_digest(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *dockerfile);

#endif
