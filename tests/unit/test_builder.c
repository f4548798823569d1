/* The builder driver: finding a builder, and reading its version. */
#include "verify/builder.h"
#include "util/error.h"
#include "test.h"

#include <stdlib.h>

int main(void)
{
	struct builder b;
	const char *path = getenv("PATH");

	CHECK(builder_version_at_least("1.28.2", 1, 28), "1.28.2 >= 1.28");
	CHECK(!builder_version_at_least("1.28.2", 1, 41), "1.28.2 < 1.41");
	CHECK(builder_version_at_least("1.41.0", 1, 41), "1.41.0 >= 1.41");
	CHECK(builder_version_at_least("2.0", 1, 41), "2.0 >= 1.41");
	CHECK(!builder_version_at_least("unknown", 1, 41), "no version");
	test_end("builder: versions compared by major and minor");

	CHECK(builder_find(&b, "kaniko") < 0, "an unknown builder");
	CHECK_STR(err_msg(), "unknown builder 'kaniko': buildah, podman or docker");
	setenv("PATH", "/nonexistent", 1);
	CHECK(builder_find(&b, NULL) == ERR_NOTFOUND, "none on PATH");
	CHECK_STR(err_msg(), "no image builder found: install buildah (apt-get install buildah), "
			     "podman, or docker with buildx and a daemon");
	CHECK(builder_find(&b, "docker") == ERR_NOTFOUND, "docker without a daemon");
	setenv("PATH", path ? path : "/usr/bin:/bin", 1);
	test_end("builder: what is looked for, and what is said when none is there");
	return TEST_MAIN_RESULT();
}
