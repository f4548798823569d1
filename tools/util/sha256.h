#ifndef PINNED_SHA256_H
#define PINNED_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
/* "sha256:" and 64 hex digits, without the terminating NUL */
#define SHA256_STRING_LEN (7 + 2 * SHA256_LEN)

/*
 * An incremental SHA-256. On x86-64 CPUs with the SHA extensions it runs
 * our own SHA-NI block function, which can also hash the same bytes into
 * two states in one pass (sha256_update2); elsewhere it is OpenSSL's EVP
 * interface. Both give the same digests (the tests compare them).
 */
struct sha256 {
	void *ctx;		/* EVP_MD_CTX, when not accelerated */
	uint32_t h[8];		/* accelerated: the chaining state */
	uint64_t bytes;		/* accelerated: bytes hashed so far */
	unsigned char block[64];/* accelerated: a partial block */
	size_t fill;		/* accelerated: bytes in 'block' */
};

/* Start (or restart) 's'. Returns 0, or -1 with err_msg() set. */
int sha256_init(struct sha256 *s);

/* Add 'len' bytes. Cannot fail for SHA-256. */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/*
 * Add the same 'len' bytes to both 'a' and 'b'. When both hold the same
 * number of bytes modulo 64 (as two hashes that started at the same block
 * boundary and have seen the same bytes since), the accelerated path does
 * both in one pass over the data, about 1.6 times faster than two passes.
 */
void sha256_update2(struct sha256 *a, struct sha256 *b, const void *data, size_t len);

/*
 * 1 when the accelerated path is in use. 'enable' 0 turns it off for every
 * later sha256_init() in the process (the tests use it to check the
 * OpenSSL path), 1 turns it on where the CPU has it, -1 only asks.
 */
int sha256_accelerated(int enable);

/* Finish into 'out'; 's' may then be restarted with sha256_init(). */
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);

/* Release what sha256_init() allocated; accepts a never-started 's'. */
void sha256_free(struct sha256 *s);

/* SHA-256 of one buffer. Returns 0, or -1 with err_msg() set. */
int sha256_buffer(unsigned char out[SHA256_LEN], const void *data, size_t len);

/* SHA-256 of the next 'size' bytes read from 'fd' ('name' for messages;
 * fewer is an error: the file shrank). Returns 0, or -1 with err_msg() set. */
int sha256_fd(unsigned char out[SHA256_LEN], int fd, uint64_t size, const char *name);

/* "sha256:<64 lowercase hex>" of one buffer into 'out' (SHA256_STRING_LEN + 1
 * bytes). Returns 0, or -1 with err_msg() set. */
int sha256_string(char out[SHA256_STRING_LEN + 1], const void *data, size_t len);

/* Format as "sha256:<64 lowercase hex>" into 'out' (SHA256_STRING_LEN + 1 bytes). */
void sha256_format(char *out, const unsigned char digest[SHA256_LEN]);

/* Format as 64 lowercase hex digits into 'out' (65 bytes). */
void sha256_hex(char *out, const unsigned char digest[SHA256_LEN]);

#endif
