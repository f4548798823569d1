/* SHA-256: the SHA-NI path against OpenSSL, single and two states at once. */
#include "util/sha256.h"
#include "util/error.h"
#include "test.h"
#include "../xorshift.h"

#include <openssl/evp.h>
#include <stdlib.h>

static void reference(unsigned char out[SHA256_LEN], const void *data, size_t len)
{
	unsigned int n = SHA256_LEN;

	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t next(void)
{
	return xorshift64(&rng);
}

/* Hash 'data' in random pieces with sha256_update. */
static void pieces(unsigned char out[SHA256_LEN], const unsigned char *data, size_t len)
{
	struct sha256 s = { 0 };
	size_t pos = 0;

	sha256_init(&s);
	while (pos < len) {
		size_t n = next() % 200;

		if (n > len - pos)
			n = len - pos;
		sha256_update(&s, data + pos, n);
		pos += n;
	}
	sha256_final(&s, out);
	sha256_free(&s);
}

static void test_vectors(const char *mode)
{
	static const struct { const char *in, *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char name[128], hex[2 * SHA256_LEN + 1];
	unsigned char out[SHA256_LEN];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sha256 s = { 0 };

		CHECK(sha256_init(&s) == 0, "%s", err_msg());
		sha256_update(&s, v[i].in, strlen(v[i].in));
		sha256_final(&s, out);
		sha256_free(&s);
		sha256_hex(hex, out);
		CHECK_STR(hex, v[i].hex);
	}
	snprintf(name, sizeof(name), "digest (%s): FIPS 180-4 test vectors", mode);
	test_end(name);
}

static void test_against_openssl(const char *mode)
{
	size_t max = 3000;
	unsigned char *data = malloc(max + 1 + 5 * 1024 * 1024);
	unsigned char want[SHA256_LEN], got[SHA256_LEN], got2[SHA256_LEN];
	char name[128];

	for (size_t i = 0; i < max + 5 * 1024 * 1024; i++)
		data[i] = (unsigned char)next();
	/* every length from 0 to 3000, in random pieces */
	for (size_t len = 0; len <= max; len++) {
		reference(want, data, len);
		pieces(got, data, len);
		CHECK(!memcmp(want, got, SHA256_LEN), "length %zu", len);
	}
	/* two states over the same bytes, the first after a prefix of whole
	 * blocks (an archive's headers), fed in random pieces */
	for (int round = 0; round < 300; round++) {
		size_t prefix = next() % 3 * 512, len = next() % (round < 290 ? 4000 : 5 * 1024 * 1024);
		unsigned char *joined = malloc(prefix + len + 1);
		struct sha256 a = { 0 }, b = { 0 };
		size_t pos = 0;

		for (size_t i = 0; i < prefix; i++)
			joined[i] = (unsigned char)next();
		memcpy(joined + prefix, data, len);
		sha256_init(&a);
		sha256_init(&b);
		sha256_update(&a, joined, prefix);
		while (pos < len) {
			size_t n = next() % 100000;

			if (n > len - pos)
				n = len - pos;
			sha256_update2(&a, &b, data + pos, n);
			pos += n;
		}
		sha256_final(&a, got);
		sha256_final(&b, got2);
		sha256_free(&a);
		sha256_free(&b);
		reference(want, data, len);
		CHECK(!memcmp(want, got2, SHA256_LEN), "second state, prefix %zu length %zu", prefix, len);
		reference(want, joined, prefix + len);
		CHECK(!memcmp(want, got, SHA256_LEN), "first state, prefix %zu length %zu", prefix, len);
		free(joined);
	}
	free(data);
	snprintf(name, sizeof(name), "digest (%s): equals OpenSSL for lengths 0-3000 and two states at once", mode);
	test_end(name);
}

int main(void)
{
	if (sha256_accelerated(1)) {
		test_vectors("SHA-NI");
		test_against_openssl("SHA-NI");
	} else {
		printf("SKIP: digest (SHA-NI): this CPU has no SHA extensions\n");
	}
	sha256_accelerated(0);
	test_vectors("OpenSSL");
	test_against_openssl("OpenSSL");
	return TEST_MAIN_RESULT();
}
