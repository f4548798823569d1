#ifndef PINNED_REGISTRY_H
#define PINNED_REGISTRY_H

#include <stddef.h>

#include "util/http.h"
#include "docker/image_ref.h"
#include "docker/images_lock.h"

/*
 * A client of the OCI distribution API that resolves an image reference to
 * the digest of its manifest: the digest is the SHA-256 of the bytes
 * received, and must equal Docker-Content-Digest when the server sends it.
 * Anonymous, bearer-token (401 + WWW-Authenticate) and Basic auth, with
 * credentials from the Docker config (see regauth.h).
 */
struct registry_opts {
	struct http_opts http;
	const char *mirror;		/* resolve docker.io names through this host */
	const char *docker_config;	/* config.json, or NULL for none */
	size_t max_manifest;		/* bytes */
};

#define REGISTRY_OPTS_INIT { HTTP_OPTS_INIT, NULL, NULL, 4u << 20 }

struct registry_resolved {
	char *digest;			/* "sha256:..." of the manifest or index */
	char *media_type;
	struct images_lock_platform *platforms;	/* an index's manifests, by platform */
	size_t nplatforms;
};

struct registry_client;

/*
 * A client: reads the Docker config once, keeps the credentials found for
 * each registry and the hosts that answer plain HTTP for all its requests.
 * Call http_global_init() first. Returns 0, or a negative code (a config
 * that cannot be read). Free with registry_client_free(); accepts NULL.
 */
int registry_client_new(struct registry_client **out, const struct registry_opts *opts);
void registry_client_free(struct registry_client *c);

/*
 * Resolve each of the 'n' references (by tag) concurrently, at most 'jobs'
 * at a time. out[i] gets refs[i]'s result, or errors[i] the message of its
 * failure and codes[i] (when 'codes' is not NULL) its code, ERR_NOTFOUND
 * for a tag the registry does not have (the caller frees both:
 * registry_resolved_release(), free()). Returns 0 when all resolved;
 * ERR_FAIL when some did not; ERR_NOMEM when an error could not even be
 * kept.
 */
int registry_resolve_all(struct registry_client *c, struct registry_resolved *out, char **errors,
			 int *codes, const struct image_ref *const *refs, size_t n, int jobs);

/*
 * Read a manifest or index body that registry 'host' sent for 'what': check
 * it against 'header_digest' (Docker-Content-Digest, or NULL), find its
 * media type (the body's mediaType, else 'content_type') and an index's
 * per-platform digests, sorted (attestations, listed as unknown/unknown, are
 * left out). Returns 0, or a negative code naming the host and 'what'.
 */
int registry_read_manifest(struct registry_resolved *out, const char *body, size_t len,
			   const char *content_type, const char *header_digest,
			   const char *host, const char *what);

void registry_resolved_release(struct registry_resolved *r);

/*
 * Fetch what 'digest' names in the repository of 'ref': 'kind' is
 * "manifests" or "blobs". The body (at most 'max' bytes) must have that
 * digest. Returns 0 with it in 'out' (free with buf_release()), or a
 * negative code: ERR_NOTFOUND, ERR_REFUSED (access, or other bytes than
 * the digest names), ERR_TOOBIG, ERR_FAIL.
 */
int registry_fetch(struct buf *out, struct registry_client *c, const struct image_ref *ref,
		   const char *kind, const char *digest, size_t max);

/*
 * Copy the image 'ref' (by tag or digest) for 'platform' ("linux/amd64")
 * from its registry into the OCI layout 'layout' (made when missing): its
 * manifest, config and layers as blobs, each checked against its digest,
 * and index.json naming the manifest; an index is followed to the
 * platform's manifest, never copied. Returns 0, or a negative code
 * (ERR_NOTFOUND: no such image, or none for the platform).
 */
int registry_pull(struct registry_client *c, const struct image_ref *ref, const char *platform,
		  const char *layout);

#endif
