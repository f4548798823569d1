#ifndef PINNED_JSONW_H
#define PINNED_JSONW_H

#include <jansson.h>
#include <stddef.h>

/*
 * Writing JSON with jansson when any allocation may fail: set 'key' of
 * 'obj' to 'value', which is taken whatever happens (released when it
 * cannot be set). Either may be NULL, from a failed allocation: then nothing
 * is set. Returns 0, or -1 (no message: the caller knows what it was
 * building).
 */
int jsonw_set(json_t *obj, const char *key, json_t *value);

/* The NULL-terminated strings 'v' (NULL: none) as a JSON array; NULL when
 * out of memory. */
json_t *jsonw_strings(char *const *v);

/*
 * 'root' as a lock file is written: sorted keys, 2-space indent and a
 * final newline, into '*out' (the caller frees) and '*len'. Returns 0, or
 * -1 (out of memory).
 */
int jsonw_dump(char **out, size_t *len, const json_t *root);

#endif
