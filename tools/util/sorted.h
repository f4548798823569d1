#ifndef PINNED_SORTED_H
#define PINNED_SORTED_H

#include <stddef.h>

/*
 * In v[0, n), ascending with v[0] <= x: the index of the last element that
 * is at most x (where line x starts, which token state x belongs to).
 */
static inline size_t sorted_last_at_most(const size_t *v, size_t n, size_t x)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

#endif
