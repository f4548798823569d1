#ifndef PINNED_JSONW_H
#define PINNED_JSONW_H

#include <jansson.h>

/*
 * Writing JSON with jansson when any allocation may fail: set 'key' of
 * 'obj' to 'value', which is taken whatever happens (released when it
 * cannot be set). Either may be NULL, from a failed allocation: then nothing
 * is set. Returns 0, or -1 (no message: the caller knows what it was
 * building).
 */
int jsonw_set(json_t *obj, const char *key, json_t *value);

#endif
