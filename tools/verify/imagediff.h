#ifndef PINNED_IMAGEDIFF_H
#define PINNED_IMAGEDIFF_H

#include <stdio.h>

/*
 * Say how the images in two OCI layouts differ, one line each to 'out':
 * the manifest digests, then the config's fields (by JSON path), then the
 * layers by position and, inside a layer that differs, each file path whose
 * type, mode, owner, time, size, content or link target differs, or that is
 * in one layer only. Returns the number of differences found, or a negative
 * code with the message set when a layout cannot be read.
 */
int image_diff(FILE *out, const char *layout_a, const char *layout_b);

#endif
