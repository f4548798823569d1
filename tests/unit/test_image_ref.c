/* Image references, normalised as Docker does. */
#include "util/error.h"
#include "docker/image_ref.h"
#include "test.h"

#include <stdlib.h>

static const struct {
	const char *in;
	const char *domain, *path, *tag, *digest;	/* NULL domain: an error */
	const char *error;
} cases[] = {
	{ "debian", "docker.io", "library/debian", "latest", NULL, NULL },
	{ "debian:bookworm", "docker.io", "library/debian", "bookworm", NULL, NULL },
	{ "python:3.12-slim", "docker.io", "library/python", "3.12-slim", NULL, NULL },
	{ "nvidia/cuda:12.2.0-runtime-ubuntu22.04", "docker.io", "nvidia/cuda",
	  "12.2.0-runtime-ubuntu22.04", NULL, NULL },
	{ "docker.io/library/node:lts", "docker.io", "library/node", "lts", NULL, NULL },
	{ "index.docker.io/library/golang", "docker.io", "library/golang", "latest", NULL, NULL },
	{ "ghcr.io/org/app:v1", "ghcr.io", "org/app", "v1", NULL, NULL },
	{ "localhost/app", "localhost", "app", "latest", NULL, NULL },
	{ "localhost:5000/a/b", "localhost:5000", "a/b", "latest", NULL, NULL },
	{ "127.0.0.1:5000/busybox:1", "127.0.0.1:5000", "busybox", "1", NULL, NULL },
	{ "[::1]:5000/x", "[::1]:5000", "x", "latest", NULL, NULL },
	{ "a__b/c-d.e_f", "docker.io", "a__b/c-d.e_f", "latest", NULL, NULL },
	{ "debian@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	  "docker.io", "library/debian", NULL,
	  "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL },
	{ "debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	  "docker.io", "library/debian", "12",
	  "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL },
	{ "", NULL, NULL, NULL, NULL, "empty image reference" },
	{ "Debian", NULL, NULL, NULL, NULL, "repository name must be lowercase in image reference 'Debian'" },
	{ "debian:", NULL, NULL, NULL, NULL, "invalid tag '' in image reference 'debian:'" },
	{ "debian:-x", NULL, NULL, NULL, NULL, "invalid tag '-x' in image reference 'debian:-x'" },
	{ "debian@sha256:12", NULL, NULL, NULL, NULL, "invalid digest 'sha256:12' in image reference 'debian@sha256:12'" },
	{ "a//b", NULL, NULL, NULL, NULL, "invalid repository name in image reference 'a//b'" },
	{ "a/b-", NULL, NULL, NULL, NULL, "invalid repository name in image reference 'a/b-'" },
	{ "exa_mple.com/a", NULL, NULL, NULL, NULL, "invalid registry 'exa_mple.com' in image reference 'exa_mple.com/a'" },
	{ "host:port/a", NULL, NULL, NULL, NULL, "invalid registry 'host:port' in image reference 'host:port/a'" },
};

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct image_ref ref;
		char name[256];
		int rc = image_ref_parse(&ref, cases[i].in);

		if (cases[i].domain) {
			CHECK(rc == 0, "%s", err_msg());
			if (rc == 0) {
				CHECK(same(ref.domain, cases[i].domain), "domain '%s'", ref.domain);
				CHECK(same(ref.path, cases[i].path), "path '%s'", ref.path);
				CHECK(same(ref.tag, cases[i].tag), "tag '%s'", ref.tag ? ref.tag : "(none)");
				CHECK(same(ref.digest, cases[i].digest), "digest");
			}
		} else {
			CHECK(rc == -1, "accepted");
			if (rc == -1)
				CHECK_STR(err_msg(), cases[i].error);
		}
		image_ref_free(&ref);
		snprintf(name, sizeof(name), "imageref: '%s'", cases[i].in);
		test_end(name);
	}
	{
		struct image_ref ref;
		char *s;

		image_ref_parse(&ref, "python:3.12");
		s = image_ref_name_tag(&ref);
		CHECK_STR(s, "docker.io/library/python:3.12");
		free(s);
		image_ref_free(&ref);
		test_end("imageref: names");
	}
	return TEST_MAIN_RESULT();
}
