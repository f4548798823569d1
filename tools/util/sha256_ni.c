/*
 * SHA-256 block functions for x86-64 CPUs with the SHA extensions: one
 * state, or two states over the same data sharing one message schedule, so
 * that the two chains of sha256rnds2 hide each other's latency. Both follow
 * FIPS 180-4; the tests check them against OpenSSL.
 */
#include "util/sha256_ni.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* h[0..7] (a..h) to the ABEF / CDGH register layout of sha256rnds2, and back. */
TARGET static inline void load_state(const uint32_t h[8], __m128i *abef, __m128i *cdgh)
{
	__m128i dcba = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
	__m128i efgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);

	*abef = _mm_alignr_epi8(dcba, efgh, 8);
	*cdgh = _mm_blend_epi16(efgh, dcba, 0xF0);
}

TARGET static inline void store_state(uint32_t h[8], __m128i abef, __m128i cdgh)
{
	__m128i feba = _mm_shuffle_epi32(abef, 0x1B);
	__m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);

	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(feba, dchg, 0xF0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(dchg, feba, 8));
}

/*
 * Hash 'blocks' 64-byte blocks of 'data' into 'h1' and, when 'h2' is not
 * NULL, into 'h2' as well. Sixteen groups of four rounds; w[] is the
 * rolling window of the message schedule, extended with sha256msg1/msg2.
 */
TARGET static void blocks_ni(uint32_t h1[8], uint32_t h2[8], const unsigned char *data,
			     size_t blocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i a0, a1, b0 = _mm_setzero_si128(), b1 = _mm_setzero_si128();
	__m128i w[4], msg;
	const int two = h2 != NULL;

	load_state(h1, &a0, &a1);
	if (two)
		load_state(h2, &b0, &b1);
	for (; blocks > 0; blocks--, data += 64) {
		const __m128i sa0 = a0, sa1 = a1, sb0 = b0, sb1 = b1;

#pragma GCC unroll 16
		for (int g = 0; g < 16; g++) {
			if (g < 4)
				w[g] = _mm_shuffle_epi8(
					_mm_loadu_si128((const __m128i *)(data + 16 * g)), bswap);
			msg = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
			a1 = _mm_sha256rnds2_epu32(a1, a0, msg);
			if (two)
				b1 = _mm_sha256rnds2_epu32(b1, b0, msg);
			if (g >= 3 && g <= 14) {
				__m128i t = _mm_alignr_epi8(w[g & 3], w[(g - 1) & 3], 4);

				w[(g + 1) & 3] = _mm_sha256msg2_epu32(
					_mm_add_epi32(w[(g + 1) & 3], t), w[g & 3]);
			}
			msg = _mm_shuffle_epi32(msg, 0x0E);
			a0 = _mm_sha256rnds2_epu32(a0, a1, msg);
			if (two)
				b0 = _mm_sha256rnds2_epu32(b0, b1, msg);
			if (g >= 1 && g <= 12)
				w[(g - 1) & 3] = _mm_sha256msg1_epu32(w[(g - 1) & 3], w[g & 3]);
		}
		a0 = _mm_add_epi32(a0, sa0);
		a1 = _mm_add_epi32(a1, sa1);
		if (two) {
			b0 = _mm_add_epi32(b0, sb0);
			b1 = _mm_add_epi32(b1, sb1);
		}
	}
	store_state(h1, a0, a1);
	if (two)
		store_state(h2, b0, b1);
}

int sha256_ni_supported(void)
{
	unsigned int eax, ebx, ecx, edx;

	if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx) ||
	    !(ecx & bit_SSE4_1) || !(ecx & bit_SSSE3))
		return 0;
	if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
		return 0;
	return (ebx & bit_SHA) != 0;
}

void sha256_ni_blocks(uint32_t h1[8], uint32_t h2[8], const unsigned char *data,
		      size_t blocks)
{
	blocks_ni(h1, h2, data, blocks);
}

#else

int sha256_ni_supported(void)
{
	return 0;
}

void sha256_ni_blocks(uint32_t h1[8], uint32_t h2[8], const unsigned char *data,
		      size_t blocks)
{
	(void)h1;
	(void)h2;
	(void)data;
	(void)blocks;
}

#endif
