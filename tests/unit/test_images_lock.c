/* The images lock format: exact bytes, reading back, refusals. */
#include "docker/images_lock.h"
#include "util/error.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char golden[] =
	"{\n"
	"  \"images\": {\n"
	"    \"docker.io/library/alpine:3\": {\n"
	"      \"digest\": \"" D3 "\",\n"
	"      \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n"
	"      \"name\": \"docker.io/library/alpine\",\n"
	"      \"platforms\": {},\n"
	"      \"reference\": \"alpine:3\",\n"
	"      \"tag\": \"3\"\n"
	"    },\n"
	"    \"docker.io/library/debian:bookworm\": {\n"
	"      \"digest\": \"" D1 "\",\n"
	"      \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n"
	"      \"name\": \"docker.io/library/debian\",\n"
	"      \"platforms\": {\n"
	"        \"linux/amd64\": \"" D2 "\",\n"
	"        \"linux/arm64/v8\": \"" D3 "\"\n"
	"      },\n"
	"      \"reference\": \"debian:bookworm\",\n"
	"      \"tag\": \"bookworm\"\n"
	"    }\n"
	"  },\n"
	"  \"version\": 1\n"
	"}\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int main(void)
{
	struct images_lock_platform platforms[] = { { "linux/arm64/v8", D3 }, { "linux/amd64", D2 } };
	struct images_lock_entry debian = { "docker.io/library/debian:bookworm", "debian:bookworm",
				     "docker.io/library/debian", "bookworm", D1,
				     "application/vnd.oci.image.index.v1+json", platforms, 2 };
	struct images_lock_entry alpine = { "docker.io/library/alpine:3", "alpine:3",
				     "docker.io/library/alpine", "3", D2,
				     "application/vnd.oci.image.manifest.v1+json", NULL, 0 };
	struct images_lock lock = { 0 }, back = { 0 };
	char path[] = "/tmp/pinned-test-lock-XXXXXX", *text = NULL, *again = NULL;
	size_t len, len2;
	int fd = mkstemp(path);

	close(fd);
	CHECK(images_lock_put(&lock, &debian) == 0 && images_lock_put(&lock, &alpine) == 0, "put");
	alpine.digest = D3;
	CHECK(images_lock_put(&lock, &alpine) == 0 && lock.count == 2, "a put replaces by key");
	CHECK(images_lock_format(&text, &len, &lock) == 0, "%s", err_msg());
	CHECK(text && !strcmp(text, golden), "bytes:\n%s", text ? text : "");
	CHECK(images_lock_write(&lock, path) == 0, "%s", err_msg());
	CHECK(images_lock_read(&back, path) == 0, "%s", err_msg());
	CHECK(images_lock_format(&again, &len2, &back) == 0 && len2 == len &&
	      !strcmp(again, text), "read back and written again: the same bytes");
	CHECK(images_lock_find(&back, "docker.io/library/alpine:3") &&
	      !images_lock_find(&back, "docker.io/library/alpine:4"), "find");
	free(text);
	free(again);
	images_lock_release(&back);
	test_end("lockfile: sorted keys, 2-space indent, a newline, the same bytes read back");

	write_file(path, "{\"version\": 2, \"images\": {}}");
	CHECK(images_lock_read(&back, path) < 0, "version 2");
	CHECK(strstr(err_msg(), "not an images lock of version 1") != NULL, "%s", err_msg());
	write_file(path, "{\"version\": 1, \"images\": {\"x\": {\"reference\": \"x\"}}}");
	CHECK(images_lock_read(&back, path) < 0, "missing fields");
	CHECK(strstr(err_msg(), "image 'x' has no string \"name\"") != NULL, "%s", err_msg());
	write_file(path, "{\"version\": 1, \"images\": {}, \"images\": {}}");
	CHECK(images_lock_read(&back, path) < 0, "duplicate keys");
	{
		static const struct {
			const char *entry, *message;
		} bad[] = {
			{ "\"docker.io/library/a:1\": {\"reference\": \"a:1\", \"name\": \"docker.io/library/a\", \"tag\": \"1\", \"digest\": \"" D1 "\", \"mediaType\": \"a/b\\n\"}",
			  "image 'docker.io/library/a:1': \"mediaType\" is not a media type" },
			{ "\"a:1\": {\"reference\": \"a:1\", \"name\": \"docker.io/library/a\", \"tag\": \"1\", \"digest\": \"" D1 "\", \"mediaType\": \"a/b\"}",
			  "image 'a:1': the key is not a normalised name:tag" },
			{ "\"docker.io/library/a:1\": {\"reference\": \"a:1\", \"name\": \"docker.io/library/b\", \"tag\": \"1\", \"digest\": \"" D1 "\", \"mediaType\": \"a/b\"}",
			  "image 'docker.io/library/a:1': \"name\" and \"tag\" do not match the key" },
			{ "\"docker.io/library/a:1\\n\": {\"reference\": \"a:1\", \"name\": \"docker.io/library/a\", \"tag\": \"1\", \"digest\": \"" D1 "\", \"mediaType\": \"a/b\"}",
			  "an image key holds a control character" },
			{ "\"docker.io/library/a:1\": {\"reference\": \"a:1\", \"name\": \"docker.io/library/a\", \"tag\": \"1\", \"digest\": \"" D1 "\", \"mediaType\": \"a/b\", \"platforms\": {\"linux/amd64\": \"sha256:1\"}}",
			  "image 'docker.io/library/a:1': platform 'linux/amd64' is not a sha256 digest" },
			{ "\"docker.io/library/a:1\": {\"reference\": \"a:1\", \"name\": \"docker.io/library/a\", \"tag\": \"1\", \"digest\": \"" D1 "\", \"mediaType\": \"a/b\", \"platforms\": {\"linux\\n\": \"" D2 "\"}}",
			  "image 'docker.io/library/a:1': a platform name is not os/architecture[/variant]" },
		};
		char json[1024], want[512];

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(json, sizeof(json), "{\"version\": 1, \"images\": {%s}}", bad[i].entry);
			write_file(path, json);
			snprintf(want, sizeof(want), "%s: %s", path, bad[i].message);
			CHECK(images_lock_read(&back, path) < 0, "case %zu accepted", i);
			CHECK_STR(err_msg(), want);
		}
	}
	{
		static const char with_inputs[] =
			"{\n"
			"  \"buildArgs\": {\n"
			"    \"A\": \"\",\n"
			"    \"A1\": \"x=y\",\n"
			"    \"TAG\": \"3.19\"\n"
			"  },\n"
			"  \"images\": {},\n"
			"  \"platforms\": [\n"
			"    \"linux/amd64\",\n"
			"    \"linux/arm/v7\"\n"
			"  ],\n"
			"  \"version\": 1\n"
			"}\n";
		const char *args[] = { "TAG=3.19", "A1=x=y", "A=", NULL };
		const char *plats[] = { "linux/arm/v7", "linux/amd64", NULL };
		struct images_lock in = { 0 };

		CHECK(images_lock_set_inputs(&in, args, plats) == 0, "%s", err_msg());
		CHECK(images_lock_format(&text, &len, &in) == 0, "%s", err_msg());
		CHECK_STR(text, with_inputs);
		CHECK(images_lock_write(&in, path) == 0 && images_lock_read(&back, path) == 0, "%s",
		      err_msg());
		CHECK(back.build_args && !strcmp(back.build_args[0], "A=") &&
		      !strcmp(back.build_args[1], "A1=x=y") && !strcmp(back.build_args[2], "TAG=3.19") &&
		      !back.build_args[3], "build arguments read back, sorted");
		CHECK(back.platforms && !strcmp(back.platforms[0], "linux/amd64") &&
		      !strcmp(back.platforms[1], "linux/arm/v7") && !back.platforms[2],
		      "platforms read back, sorted");
		images_lock_release(&back);
		free(text);
		CHECK(images_lock_set_inputs(&in, NULL, NULL) == 0 && !in.build_args && !in.platforms,
		      "none: NULL");
		images_lock_release(&in);
		test_end("lockfile: the build arguments and platforms it was made for, sorted, read back");
	}
	{
		static const struct {
			const char *args[3], *platforms[3], *message;
		} bad[] = {
			{ { "TAG", NULL }, { NULL }, "build argument 'TAG': give NAME=VALUE" },
			{ { "1TAG=1", NULL }, { NULL }, "build argument '1TAG=1': '1TAG' is not a name an ARG can have" },
			{ { "T-G=1", NULL }, { NULL }, "build argument 'T-G=1': 'T-G' is not a name an ARG can have" },
			{ { "=1", NULL }, { NULL }, "build argument '=1': '' is not a name an ARG can have" },
			{ { "T=1", "T=2" }, { NULL }, "build argument T is given twice" },
			{ { "T=a\nb", NULL }, { NULL }, "a build argument holds a control character" },
			{ { NULL }, { "amd64", NULL }, "platform 'amd64': not os/arch[/variant]" },
			{ { NULL }, { "Linux/AMD64", NULL }, "platform 'Linux/AMD64': not os/arch[/variant]" },
			{ { NULL }, { "linux/amd64", "linux/amd64" }, "platform linux/amd64 is given twice" },
		};
		struct images_lock in = { 0 };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(images_lock_set_inputs(&in, bad[i].args, bad[i].platforms) < 0,
			      "case %zu accepted", i);
			CHECK_STR(err_msg(), bad[i].message);
		}
		write_file(path, "{\"version\": 1, \"images\": {}, \"buildArgs\": {\"T\": 1}}");
		CHECK(images_lock_read(&back, path) < 0, "a number as a value");
		CHECK(strstr(err_msg(), ": build argument 'T' is not a string") != NULL, "%s", err_msg());
		write_file(path, "{\"version\": 1, \"images\": {}, \"platforms\": [\"linux\"]}");
		CHECK(images_lock_read(&back, path) < 0, "a platform without an architecture");
		CHECK(strstr(err_msg(), ": platform 'linux': not os/arch[/variant]") != NULL, "%s",
		      err_msg());
		write_file(path, "{\"version\": 1, \"images\": {}, \"platforms\": {}}");
		CHECK(images_lock_read(&back, path) < 0, "platforms as an object");
		test_end("lockfile: bad build arguments and platforms are refused, naming the bad one");
	}
	unlink(path);
	CHECK(images_lock_read(&back, path) == 0 && back.count == 0, "a missing lock is empty");
	images_lock_release(&lock);
	test_end("lockfile: another version, missing fields, duplicate keys and bad values are refused");
	return TEST_MAIN_RESULT();
}
