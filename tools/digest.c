#include "digest.h"
#include "error.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <string.h>

static int openssl_error(const char *what)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	return err_set("%s: %s", what, buf);
}

int sha256_init(struct sha256 *s)
{
	if (!s->ctx && !(s->ctx = EVP_MD_CTX_new()))
		return openssl_error("cannot allocate a digest context");
	if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
		return openssl_error("cannot start SHA-256");
	return 0;
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	EVP_DigestUpdate(s->ctx, data, len);
}

void sha256_final(struct sha256 *s, unsigned char out[DIGEST_LEN])
{
	unsigned int len = DIGEST_LEN;

	EVP_DigestFinal_ex(s->ctx, out, &len);
}

void sha256_free(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int sha256_buffer(unsigned char out[DIGEST_LEN], const void *data, size_t len)
{
	unsigned int outlen = DIGEST_LEN;

	if (EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) != 1)
		return openssl_error("cannot compute SHA-256");
	return 0;
}

void digest_hex(char *out, const unsigned char digest[DIGEST_LEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < DIGEST_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * DIGEST_LEN] = '\0';
}

void digest_format(char *out, const unsigned char digest[DIGEST_LEN])
{
	memcpy(out, "sha256:", 7);
	digest_hex(out + 7, digest);
}
