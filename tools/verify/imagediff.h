#ifndef PINNED_IMAGEDIFF_H
#define PINNED_IMAGEDIFF_H

#include <stdio.h>

#include <jansson.h>

/* The image of an OCI layout: its first manifest and the config it names. */
struct layout_image {
	json_t *manifest, *config;
	char manifest_digest[80];
};

/* Load it: ERR_NOTFOUND when the layout has no index.json ("run pinned
 * build"), another negative code when a blob cannot be read. Release with
 * layout_image_release() either way. */
int layout_image_load(struct layout_image *img, const char *layout);
/* The same for the manifest of 'layout' tagged 'tag' (its annotation
 * org.opencontainers.image.ref.name; NULL: the first): ERR_NOTFOUND naming
 * the tag when there is none. */
int layout_image_load_tag(struct layout_image *img, const char *layout, const char *tag);
void layout_image_release(struct layout_image *img);

/* Open layer blob 'digest' ("sha256:...") of 'layout' to read with
 * libarchive, a tar plain or compressed; its file's name goes to 'path'.
 * NULL with the message set. */
struct archive;
struct archive *layout_layer_open(char path[4096], const char *layout, const char *digest);

/*
 * Say how the images in two OCI layouts differ, one line for each cause to
 * 'out': the config's fields (by JSON path), then the layers by position
 * and, inside a layer that differs, each file path whose type, mode, owner,
 * time, extended attributes, content (with its size, and for two texts of
 * at most 1 MiB the first line that differs) or link target differs, or
 * that is in one layer only (a whiteout named as one). Files are compared
 * by path, never by their order in the layer. What follows from those (the
 * digests, the config's .rootfs.diff_ids and .history) is named on one more
 * line, not counted; when nothing else differs, .history and .rootfs are
 * the causes. Returns the number of causes, or a negative code with the
 * message set when a layout cannot be read.
 */
int image_diff(FILE *out, const char *layout_a, const char *layout_b);

/* The same for the images tagged 'tag_a' and 'tag_b' (NULL: the first of
 * the layout). IMAGE_DIFF_SEMANTIC, as diffoci's --semantic, leaves out
 * what does not change what a container sees: file times, the config's
 * creation time and its history. */
#define IMAGE_DIFF_SEMANTIC 1u
int image_diff_tags(FILE *out, const char *layout_a, const char *tag_a, const char *layout_b,
		    const char *tag_b, unsigned flags);

#endif
