#ifndef PINNED_BUILD_DIGEST_H
#define PINNED_BUILD_DIGEST_H

#include "archive/context.h"
#include "util/sha256.h"

/*
 * The build digest: one SHA-256 over a small text that names each input of
 * a build by digest, one per line, in a fixed order:
 *
 *   pinned build digest v1
 *   dockerfile sha256:...
 *   context sha256:...
 *
 * The Dockerfile is 'dockerfile' read from the context (so from the same
 * revision as everything else), the context is its canonical archive.
 * Returns 0 with "sha256:<hex>" in 'out', or a negative code.
 */
int build_digest(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *dockerfile);

/* The text the build digest is taken over, for the two input digests. Writes
 * into 'out' (at least BUILD_DIGEST_TEXT_MAX bytes) and returns its length. */
#define BUILD_DIGEST_TEXT_MAX (64 + 2 * SHA256_STRING_LEN)
size_t build_digest_text(char *out, const char *dockerfile_digest, const char *context_digest);

#endif
