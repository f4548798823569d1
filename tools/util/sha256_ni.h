#ifndef PINNED_SHA256_NI_H
#define PINNED_SHA256_NI_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has the SHA extensions (and SSSE3, SSE4.1) we use. */
int sha256_ni_supported(void);

/*
 * Run the SHA-256 compression function over 'blocks' 64-byte blocks of
 * 'data' for the chaining state 'h1', and for 'h2' too unless it is NULL.
 * Only to be called when sha256_ni_supported().
 */
void sha256_ni_blocks(uint32_t h1[8], uint32_t h2[8], const unsigned char *data,
		      size_t blocks);

#endif
