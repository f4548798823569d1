#ifndef PINNED_IMAGE_REF_H
#define PINNED_IMAGE_REF_H

/*
 * An image reference, parsed and normalised as Docker does
 * (distribution/reference): "debian" is docker.io/library/debian:latest,
 * "index.docker.io" is docker.io, a first component with '.' or ':' or
 * "localhost" is a registry.
 */
struct image_ref {
	char *domain;	/* "docker.io", "ghcr.io", "127.0.0.1:5000" */
	char *path;	/* "library/debian" */
	char *tag;	/* "bookworm", "latest" when none was written and no digest */
	char *digest;	/* "sha256:<64 hex>", or NULL */
};

/*
 * Parse 'text'. Returns 0, or -1 with err_msg() saying what is wrong with
 * it (without naming a file: the caller adds where it was written).
 * Free the result with image_ref_free().
 */
int image_ref_parse(struct image_ref *out, const char *text);

void image_ref_free(struct image_ref *ref);

/* "domain/path" and "domain/path:tag" into new strings; NULL on ENOMEM. */
char *image_ref_name(const struct image_ref *ref);
char *image_ref_name_tag(const struct image_ref *ref);

#endif
