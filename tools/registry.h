#ifndef PINNED_REGISTRY_H
#define PINNED_REGISTRY_H

#include <stddef.h>

#include "imageref.h"
#include "lockfile.h"

/*
 * A client of the OCI distribution API (libcurl) that resolves an image
 * reference to the digest of its manifest: the digest is the SHA-256 of
 * the bytes received, and must equal Docker-Content-Digest when the server
 * sends it. Anonymous, bearer-token (401 + WWW-Authenticate) and Basic
 * auth, with credentials from the Docker config (auths, credHelpers,
 * credsStore through docker-credential-NAME get).
 */
struct registry_opts {
	const char *ca_file;		/* CA bundle; NULL: $SSL_CERT_FILE, else the system's */
	const char *const *insecure;	/* hosts that may answer plain HTTP */
	size_t ninsecure;
	const char *mirror;		/* resolve docker.io names through this host */
	const char *docker_config;	/* config.json; NULL: $DOCKER_CONFIG or ~/.docker */
	long connect_timeout;		/* seconds */
	long timeout;			/* seconds, for one request */
	int retries;			/* more tries on 429, 5xx and resets */
	size_t max_manifest;		/* bytes */
};

#define REGISTRY_OPTS_INIT { NULL, NULL, 0, NULL, NULL, 10, 30, 3, 4u << 20 }

struct resolved {
	char *digest;			/* "sha256:..." of the manifest or index */
	char *media_type;
	struct platform_digest *platforms;	/* an index's manifests, by platform */
	size_t nplatforms;
};

/* Call once before any thread uses the registry client. */
int registry_global_init(void);

/*
 * Resolve each of the 'n' references (by tag) concurrently, at most 'jobs' at a time.
 * out[i] gets refs[i]'s result; on failure errors[i] gets the message (the
 * caller frees both). Returns 0 when all resolved, -1 otherwise.
 */
int registry_resolve_all(struct resolved *out, char **errors,
			 const struct image_ref *const *refs, size_t n,
			 const struct registry_opts *opts, int jobs);

void resolved_release(struct resolved *r);

#endif
