#ifndef PINNED_XORSHIFT_H
#define PINNED_XORSHIFT_H

#include <stdint.h>

/* Marsaglia's xorshift64: fixed-seed bytes for tests and the benchmark tree. */
static inline uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
