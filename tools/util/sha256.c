#include "util/sha256.h"
#include "util/error.h"
#include "util/sha256_ni.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int openssl_error(const char *what)
{
	char buf[256];

	ERR_error_string_n(ERR_get_error(), buf, sizeof(buf));
	return err_set("%s: %s", what, buf);
}

static const uint32_t initial[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static int accelerate = -1;	/* -1: not decided yet */

int sha256_accelerated(int enable)
{
	if (enable == 0)
		accelerate = 0;
	else if (enable == 1 || accelerate < 0)
		accelerate = sha256_ni_supported();
	return accelerate;
}

int sha256_init(struct sha256 *s)
{
	if (sha256_accelerated(-1) && !s->ctx) {
		memcpy(s->h, initial, sizeof(initial));
		s->bytes = 0;
		s->fill = 0;
		return 0;
	}
	if (!s->ctx && !(s->ctx = EVP_MD_CTX_new()))
		return openssl_error("cannot allocate a digest context");
	if (EVP_DigestInit_ex(s->ctx, EVP_sha256(), NULL) != 1)
		return openssl_error("cannot start SHA-256");
	return 0;
}

/* Accelerated update of one or two states that hold the same partial block. */
static void update_ni(struct sha256 *a, struct sha256 *b, const unsigned char *p,
		      size_t len)
{
	size_t take, blocks;

	a->bytes += len;
	if (b)
		b->bytes += len;
	if (a->fill) {
		take = 64 - a->fill < len ? 64 - a->fill : len;
		memcpy(a->block + a->fill, p, take);
		a->fill += take;
		p += take;
		len -= take;
		if (b) {
			memcpy(b->block + b->fill, a->block + b->fill, take);
			b->fill = a->fill;
		}
		if (a->fill < 64)
			return;
		sha256_ni_blocks(a->h, b ? b->h : NULL, a->block, 1);
		a->fill = 0;
		if (b)
			b->fill = 0;
	}
	blocks = len / 64;
	if (blocks)
		sha256_ni_blocks(a->h, b ? b->h : NULL, p, blocks);
	p += 64 * blocks;
	len -= 64 * blocks;
	memcpy(a->block, p, len);
	a->fill = len;
	if (b) {
		memcpy(b->block, p, len);
		b->fill = len;
	}
}

void sha256_update(struct sha256 *s, const void *data, size_t len)
{
	if (s->ctx)
		EVP_DigestUpdate(s->ctx, data, len);
	else
		update_ni(s, NULL, data, len);
}

void sha256_update2(struct sha256 *a, struct sha256 *b, const void *data, size_t len)
{
	if (a->ctx || b->ctx || a->fill != b->fill) {
		sha256_update(a, data, len);
		sha256_update(b, data, len);
	} else {
		update_ni(a, b, data, len);
	}
}

void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN])
{
	unsigned int len = SHA256_LEN;
	unsigned char pad[72] = { 0x80 };
	uint64_t bits;
	size_t padlen;

	if (s->ctx) {
		EVP_DigestFinal_ex(s->ctx, out, &len);
		return;
	}
	bits = s->bytes * 8;
	padlen = (s->fill < 56 ? 56 : 120) - s->fill;
	for (int i = 0; i < 8; i++)
		pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
	update_ni(s, NULL, pad, padlen + 8);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(s->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)s->h[i];
	}
}

void sha256_free(struct sha256 *s)
{
	EVP_MD_CTX_free(s->ctx);
	s->ctx = NULL;
}

int sha256_buffer(unsigned char out[SHA256_LEN], const void *data, size_t len)
{
	unsigned int outlen = SHA256_LEN;

	if (EVP_Digest(data, len, out, &outlen, EVP_sha256(), NULL) != 1)
		return openssl_error("cannot compute SHA-256");
	return 0;
}

int sha256_fd(unsigned char out[SHA256_LEN], int fd, uint64_t size, const char *name)
{
	enum { CHUNK = 1 << 17 };
	unsigned char *buf = malloc(CHUNK);
	struct sha256 s = { 0 };
	int rc = -1;

	if (!buf)
		return err_nomem();
	if (sha256_init(&s) < 0)
		goto done;
	while (size) {
		ssize_t n = read(fd, buf, size < CHUNK ? (size_t)size : CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_errno("cannot read '%s'", name);
			goto done;
		}
		if (n == 0) {
			err_set("'%s' changed while it was read: it shrank", name);
			goto done;
		}
		sha256_update(&s, buf, (size_t)n);
		size -= (uint64_t)n;
	}
	sha256_final(&s, out);
	rc = 0;
done:
	sha256_free(&s);
	free(buf);
	return rc;
}

void sha256_hex(char *out, const unsigned char digest[SHA256_LEN])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * SHA256_LEN] = '\0';
}

void sha256_format(char *out, const unsigned char digest[SHA256_LEN])
{
	memcpy(out, "sha256:", 7);
	sha256_hex(out + 7, digest);
}

int sha256_string(char out[SHA256_STRING_LEN + 1], const void *data, size_t len)
{
	unsigned char digest[SHA256_LEN];
	int rc = sha256_buffer(digest, data, len);

	if (rc == 0)
		sha256_format(out, digest);
	return rc;
}
