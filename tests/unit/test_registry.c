/* What the registry client makes of the manifests a registry sends. */
#include "docker/registry.h"
#include "util/sha256.h"
#include "util/error.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
		c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const char index_json[] =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	"\"manifests\":["
	"{\"digest\":\"" D("3") "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
	"{\"digest\":\"" D("4") "\",\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}},"
	"{\"digest\":\"" D("2") "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";

int main(void)
{
	struct registry_resolved r;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_STRING_LEN + 1];

	sha256_buffer(d, index_json, strlen(index_json));
	sha256_format(hex, d);
	CHECK(registry_read_manifest(&r, index_json, strlen(index_json), NULL, hex, "h", "w") == 0,
	      "%s", err_msg());
	CHECK(!strcmp(r.digest, hex), "the digest of the bytes");
	CHECK_STR(r.media_type, "application/vnd.oci.image.index.v1+json");
	CHECK(r.nplatforms == 2, "%zu platforms (attestations left out)", r.nplatforms);
	if (r.nplatforms == 2) {
		CHECK_STR(r.platforms[0].platform, "linux/amd64");
		CHECK_STR(r.platforms[0].digest, D("2"));
		CHECK_STR(r.platforms[1].platform, "linux/arm64/v8");
	}
	registry_resolved_release(&r);
	test_end("registry: an index's digest and its platforms, sorted, without attestations");

	CHECK(registry_read_manifest(&r, index_json, strlen(index_json), NULL, D("0"), "h", "w") < 0,
	      "a lying header");
	CHECK(!strncmp(err_msg(), "registry 'h' sent 'w' with Docker-Content-Digest " D("0"), 100),
	      "%s", err_msg());
	CHECK(registry_read_manifest(&r, "{", 1, NULL, NULL, "h", "w") < 0, "not JSON");
	CHECK_STR(err_msg(), "registry 'h' sent 'w' as invalid JSON");
	CHECK(registry_read_manifest(&r, "{}", 2, "text/plain", NULL, "h", "w") < 0, "no media type");
	CHECK_STR(err_msg(), "registry 'h' sent 'w' with no manifest media type");
	CHECK(registry_read_manifest(&r, "{}", 2,
				     "application/vnd.docker.distribution.manifest.v2+json; x=y",
				     NULL, "h", "w") == 0, "media type from the header");
	CHECK_STR(r.media_type, "application/vnd.docker.distribution.manifest.v2+json");
	registry_resolved_release(&r);
	test_end("registry: a lying digest, a body that is not JSON, no media type");
	return TEST_MAIN_RESULT();
}
