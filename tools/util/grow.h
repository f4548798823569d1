#ifndef PINNED_GROW_H
#define PINNED_GROW_H

#include <stddef.h>

/*
 * GROW(array, count, alloc): make room in 'array' (a pointer to items,
 * 'alloc' of them allocated) for the item array[count], doubling as needed,
 * and zero that item; 'count' itself is left to the caller, as git's
 * ALLOC_GROW. The item size comes from the array's type, and 'count' and
 * 'alloc' must be size_t lvalues. Returns 0, or ERR_NOMEM with the array
 * unchanged.
 */
#define GROW(array, count, alloc)                                              \
	grow_array((void **)&(array), sizeof(*(array)),                        \
		   (count) + 0 * sizeof(&(count) == (size_t *)0),              \
		   &(alloc) + 0 * sizeof(&(alloc) == (size_t *)0))

/* What GROW() calls; use the macro. */
int grow_array(void **array, size_t size, size_t count, size_t *alloc);

#endif
