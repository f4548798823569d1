/* The builder driver: finding a builder, and reading its version. */
#include "verify/builder.h"
#include "util/error.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* builder_options() as compact JSON; NULL when out of memory. */
static char *options_text(const struct builder *b, const struct builder_job *job)
{
	json_t *opts = builder_options(b, job);
	char *text = opts ? json_dumps(opts, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

	json_decref(opts);
	return text;
}

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

	{
		const char *const args[] = { "A=1", "TAG=3.19", NULL };
		struct builder bb = { BUILDER_BUILDAH, "buildah", "1.41.0", 1 };
		struct builder_job job = { .epoch = 5 };
		char *text = options_text(&bb, &job);

		CHECK(text && !strstr(text, "build-args"), "none without build arguments: %s", text);
		free(text);
		job.build_args = args;
		text = options_text(&bb, &job);
		CHECK(text && strstr(text, "\"build-args\":[\"A=1\",\"TAG=3.19\"]"), "%s", text);
		free(text);
		bb.kind = BUILDER_DOCKER;
		text = options_text(&bb, &job);
		CHECK(text && strstr(text, "{\"build-args\":[\"A=1\",\"TAG=3.19\"]}]"), "%s", text);
		free(text);
	}
	test_end("builder: the build arguments of the lock are options the record names");
	return TEST_MAIN_RESULT();
}
