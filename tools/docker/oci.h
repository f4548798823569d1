#ifndef PINNED_OCI_H
#define PINNED_OCI_H

#include <jansson.h>

/*
 * The syntax of values that come from locks and registries, checked where
 * they enter: anything that reaches a rendered Dockerfile or a lock must be
 * exactly what its specification allows, never text that could carry a
 * newline or an instruction.
 */

/* 1 when 's' is "sha256:" and 64 lowercase hex digits (the OCI image spec's
 * rule for sha256, the only algorithm pinned writes). */
int oci_digest_valid(const char *s);

/* 1 when 's' is a media type by RFC 6838's restricted names, as the OCI
 * descriptor requires: "type/subtype", each 1-127 of A-Z a-z 0-9 and
 * !#$&-^_.+, starting with a letter or digit. */
int oci_media_type_valid(const char *s);

/* 1 when 's' is "os/architecture" or "os/architecture/variant", each part
 * 1-64 of a-z 0-9 . _ - (as "linux/arm64/v8"). */
int oci_platform_valid(const char *s);

/* 1 when 's' holds no byte below 0x20 and no DEL: text that may be printed
 * or written into a file on one line. */
int oci_text_valid(const char *s);

/* The digest of the manifest for 'platform' ("linux/amd64", or with a
 * variant) listed by the image index 'index' (a variant-less entry serves
 * every variant), or NULL when it lists none. */
const char *oci_index_platform(const json_t *index, const char *platform);

#endif
