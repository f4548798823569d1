#ifndef PINNED_DIGEST_H
#define PINNED_DIGEST_H

#include <stddef.h>

#define DIGEST_LEN 32
/* "sha256:" and 64 hex digits, without the terminating NUL */
#define DIGEST_STRING_LEN (7 + 2 * DIGEST_LEN)

/* An incremental SHA-256 through OpenSSL's EVP interface. */
struct sha256 {
	void *ctx; /* EVP_MD_CTX */
};

/* Start (or restart) 's'. Returns 0, or -1 with err_msg() set. */
int sha256_init(struct sha256 *s);

/* Add 'len' bytes. Cannot fail for SHA-256. */
void sha256_update(struct sha256 *s, const void *data, size_t len);

/* Finish into 'out'; 's' may then be restarted with sha256_init(). */
void sha256_final(struct sha256 *s, unsigned char out[DIGEST_LEN]);

/* Release what sha256_init() allocated; accepts a never-started 's'. */
void sha256_free(struct sha256 *s);

/* SHA-256 of one buffer. Returns 0, or -1 with err_msg() set. */
int sha256_buffer(unsigned char out[DIGEST_LEN], const void *data, size_t len);

/* Format as "sha256:<64 lowercase hex>" into 'out' (DIGEST_STRING_LEN + 1 bytes). */
void digest_format(char *out, const unsigned char digest[DIGEST_LEN]);

/* Format as 64 lowercase hex digits into 'out' (65 bytes). */
void digest_hex(char *out, const unsigned char digest[DIGEST_LEN]);

#endif
