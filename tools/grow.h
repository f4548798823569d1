#ifndef PINNED_GROW_H
#define PINNED_GROW_H

#include <stddef.h>

/*
 * Make room in the array at '*array' ('*alloc' items of 'size' bytes
 * allocated) for one more item after its '*count' items, doubling as
 * needed; the new item is zeroed. '*count' itself is left to the caller.
 * Returns 0, or -1 with err_msg() set ('*array' is then unchanged).
 */
int grow(void *array, const size_t *count, size_t *alloc, size_t size);

#endif
