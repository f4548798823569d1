/* The syntax of digests, media types and platforms from locks and registries. */
#include "docker/oci.h"
#include "test.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

int main(void)
{
	static const char *const digests_ok[] = { "sha256:" HEX64, NULL };
	static const char *const digests_bad[] = {
		"", "sha256:", "sha256:abc", "sha256:" HEX64 "0", "SHA256:" HEX64,
		"sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
		"sha512:" HEX64, "sha256:" HEX64 "\nCOPY payload /usr/local/bin/python3\n#",
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", NULL,
	};
	static const char *const types_ok[] = {
		"application/vnd.oci.image.index.v1+json",
		"application/vnd.docker.distribution.manifest.v2+json", "a/b", NULL,
	};
	static const char *const types_bad[] = {
		"", "application", "application/", "/json", "application/json; charset=x",
		"application/vnd.oci\n", "-a/b", "a/b/c", NULL,
	};
	static const char *const platforms_ok[] = { "linux/amd64", "linux/arm64/v8", "windows/amd64",
						    "linux/ppc64le", NULL };
	static const char *const platforms_bad[] = { "", "linux", "linux/", "/amd64", "linux/amd64/",
						     "linux/a/b/c", "Linux/amd64", "linux/amd 64",
						     "linux/amd64\n", NULL };

	for (int i = 0; digests_ok[i]; i++)
		CHECK(oci_digest_valid(digests_ok[i]), "'%s'", digests_ok[i]);
	for (int i = 0; digests_bad[i]; i++)
		CHECK(!oci_digest_valid(digests_bad[i]), "'%s'", digests_bad[i]);
	test_end("oci: a digest is sha256: and 64 lowercase hex digits, nothing more");
	for (int i = 0; types_ok[i]; i++)
		CHECK(oci_media_type_valid(types_ok[i]), "'%s'", types_ok[i]);
	for (int i = 0; types_bad[i]; i++)
		CHECK(!oci_media_type_valid(types_bad[i]), "'%s'", types_bad[i]);
	test_end("oci: media types by RFC 6838's restricted names");
	for (int i = 0; platforms_ok[i]; i++)
		CHECK(oci_platform_valid(platforms_ok[i]), "'%s'", platforms_ok[i]);
	for (int i = 0; platforms_bad[i]; i++)
		CHECK(!oci_platform_valid(platforms_bad[i]), "'%s'", platforms_bad[i]);
	CHECK(oci_text_valid("debian:${V}") && !oci_text_valid("a\nb") && !oci_text_valid("\x1b[31m"),
	      "text");
	test_end("oci: platforms are os/architecture[/variant]; text has no control bytes");
	return TEST_MAIN_RESULT();
}
