/* lockfiles/build.lock: the record read, written again byte for byte,
 * refused where a value is not valid, and compared class by class; and the
 * inputs taken from a working tree. */
#include "verify/record.h"
#include "test.h"
#include "util/error.h"
#include "util/sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c

static const char golden[] =
	"{\n"
	"  \"build_digest\": \"" D("1") "\",\n"
	"  \"builds\": [\n"
	"    {\n"
	"      \"builder\": {\n"
	"        \"name\": \"buildah\",\n"
	"        \"options\": {\n"
	"          \"isolation\": \"chroot\"\n"
	"        },\n"
	"        \"version\": \"1.28.2\"\n"
	"      },\n"
	"      \"config\": \"" D("2") "\",\n"
	"      \"diff_ids\": [\n"
	"        \"" D("3") "\"\n"
	"      ],\n"
	"      \"epoch\": 1700000000,\n"
	"      \"manifest\": \"" D("4") "\",\n"
	"      \"platform\": \"linux/amd64\"\n"
	"    }\n"
	"  ],\n"
	"  \"commit\": \"0123456789abcdef0123456789abcdef01234567\",\n"
	"  \"context\": {\n"
	"    \"digest\": \"" D("5") "\",\n"
	"    \"manifest\": \"" D("9") "\"\n"
	"  },\n"
	"  \"dockerfile\": {\n"
	"    \"digest\": \"" D("6") "\",\n"
	"    \"path\": \"Dockerfile\"\n"
	"  },\n"
	"  \"images\": {\n"
	"    \"docker.io/library/debian:bookworm-slim\": \"" D("a") "\"\n"
	"  },\n"
	"  \"language_locks\": {\n"
	"    \"src/requirements.txt\": \"" D("7") "\"\n"
	"  },\n"
	"  \"lockfiles\": {\n"
	"    \"lockfiles/images.lock\": \"" D("b") "\"\n"
	"  },\n"
	"  \"packages\": {\n"
	"    \"1:jq\": \"1.6-2.1+deb12u2\"\n"
	"  },\n"
	"  \"template\": {\n"
	"    \"digest\": \"" D("c") "\",\n"
	"    \"path\": \"Dockerfile.in\"\n"
	"  },\n"
	"  \"version\": 2\n"
	"}\n";

/* The manifest beside it (the record names another digest: see manifest()). */
static const char manifest_text[] =
	"# pinned context manifest v1: type mode size sha256 path [target]\n"
	"f\t0644\t10\t" D("6") "\tDockerfile\n"
	"d\t0755\t0\t-\tsrc/\n"
	"l\t0777\t0\t-\tsrc/link\trun.sh\n"
	"f\t0644\t11\t" D("7") "\tsrc/requirements.txt\n"
	"f\t0644\t29\t" D("8") "\tsrc/run.sh\n";

/* The golden record with 'from' replaced by 'to', parsed into 'r'. */
static int edited(struct record *r, const char *from, const char *to)
{
	char text[sizeof(golden) + 256];
	const char *at = strstr(golden, from);

	if (!at)
		return printf("  '%s' is not in the golden record\n", from), -1;
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - golden), golden, to, at + strlen(from));
	return record_parse(r, text, strlen(text), "build.lock");
}

/* The golden record 'r' with the manifest 'text' ('from' replaced by 'to'),
 * the record naming its digest: as record_take_manifest() takes it. */
static int manifest(struct record *r, const char *from, const char *to)
{
	char text[sizeof(manifest_text) + 256], digest[SHA256_STRING_LEN + 1], *copy;
	const char *at = from ? strstr(manifest_text, from) : NULL;
	int rc;

	if (from && !at)
		return printf("  '%s' is not in the golden manifest\n", from), -1;
	if (at)
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - manifest_text), manifest_text, to,
			 at + strlen(from));
	else
		snprintf(text, sizeof(text), "%s", manifest_text);
	if ((rc = record_parse(r, golden, sizeof(golden) - 1, "build.lock")) < 0)
		return rc;
	sha256_string(digest, text, strlen(text));
	free(r->manifest_digest);
	if (!(r->manifest_digest = strdup(digest)) || !(copy = strdup(text)))
		return -1;
	return record_take_manifest(r, copy, strlen(text), "build.manifest");
}

/* The differences as "CLASS PATH WHAT" joined by ", ". */
static const char *compared(struct record *a, struct record *b)
{
	static char out[1024];
	struct record_diffs d;

	out[0] = '\0';
	if (record_compare(&d, a, b) < 0)
		return "error";
	for (size_t i = 0; i < d.n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s %s %s", i ? ", " : "",
			 d.v[i].class, d.v[i].path, d.v[i].what);
	record_diffs_release(&d);
	return out;
}

/* The golden manifest with 'from' replaced by 'to' differs from 'm' in 'want'. */
#define CHANGED(from, to, want)                                       \
	do {                                                          \
		if (manifest(&n, from, to) == 0)                      \
			CHECK_STR(compared(&m, &n), want);            \
		else                                                  \
			CHECK(0, "%s", err_msg());                    \
		record_release(&n);                                   \
	} while (0)

int main(void)
{
	struct record r, s, m, n;
	char *text = NULL;
	size_t len = 0;

	CHECK(record_parse(&r, golden, sizeof(golden) - 1, "build.lock") == 0, "%s", err_msg());
	CHECK(r.nbuilds == 1 && r.builds[0].epoch == 1700000000 && r.language.n == 1 &&
	      !r.manifest && !r.files_read, "fields");
	CHECK(record_format(&text, &len, &r) == 0 && len == sizeof(golden) - 1 &&
	      !memcmp(text, golden, len), "written again, byte for byte:\n%s", text ? text : "");
	free(text);
	test_end("record: read, and written again with the same bytes");

	{
		static const struct {
			const char *from, *to, *msg;
		} bad[] = {
			{ "\"build_digest\": \"sha256:", "\"build_digest\": \"md5:",
			  "build.lock: build_digest: missing, or not a valid value" },
			{ "\"1:jq\": \"1.6-2.1+deb12u2\"", "\"1:jq\": \"1.6 2\"",
			  "build.lock: packages: holds a name or value that is not valid" },
			{ "\"epoch\": 1700000000", "\"epoch\": -1",
			  "build.lock: builds: epoch: not a time in seconds" },
			{ "\"version\": 2\n}", "\"version\": 1\n}",
			  "build.lock: not a build record of version 2" },
			{ "\"platform\": \"linux/amd64\"", "\"platform\": \"linux\\namd64\"",
			  "build.lock: builds: platform: missing, or not a valid value" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			CHECK(edited(&s, bad[i].from, bad[i].to) == ERR_FAIL, "'%s' refused", bad[i].to);
			CHECK_STR(err_msg(), bad[i].msg);
			record_release(&s);
		}
	}
	test_end("record: a value that is not valid is refused, by its place");

	CHECK(edited(&s, "\"version\": \"1.28.2\"", "\"version\": \"1.29\"") == 0, "%s", err_msg());
	CHECK_STR(compared(&r, &s), "");
	record_release(&s);
	test_end("record: what came out is no input: the same inputs compare equal");

	if (manifest(&m, NULL, NULL) == 0) {
		char *other;

		CHECK_STR(compared(&m, &m), "");
		CHANGED("f\t0644\t29\t" D("8"), "f\t0755\t30\t" D("0"),
			"context src/run.sh mode changed, context src/run.sh content changed");
		CHANGED("src/link\trun.sh", "src/link\tother", "context src/link link target changed");
		CHANGED("l\t0777\t0\t-\tsrc/link\trun.sh", "f\t0644\t0\t" D("0") "\tsrc/link",
			"context src/link type changed");
		CHANGED("d\t0755\t0\t-\tsrc/\n", "d\t0755\t0\t-\tsrc/\nd\t0755\t0\t-\tsrc/new/\n",
			"context src/new/ added");
		if (manifest(&n, "src/run.sh\n", "src/run.sh\nd\t0755\t0\t-\tsrc/s/\n") == 0)
			CHECK_STR(compared(&n, &m), "context src/s/ removed");
		record_release(&n);
		/* a manifest line that is not one is refused by its line, when read */
		if (manifest(&n, "f\t0644\t29\t", "f\t644\t29\t") == 0) {
			CHECK_STR(compared(&n, &m), "error");
			CHECK_STR(err_msg(), "lockfiles/build.manifest:6: not a manifest line");
		}
		record_release(&n);
		/* a manifest that is not the one the record names is refused */
		if (manifest(&n, NULL, NULL) == 0 && (other = strdup("# other\n"))) {
			CHECK(record_take_manifest(&n, other, 8, "build.manifest") == ERR_FAIL, "refused");
			CHECK(strstr(err_msg(), "build.manifest: not the manifest the record names ("),
			      "%s", err_msg());
		}
		record_release(&n);
	} else {
		CHECK(0, "%s", err_msg());
	}
	record_release(&m);
	test_end("record: context entries added, removed, and changed in content, mode, type or target");

	CHECK(edited(&s, "\"1:jq\": \"1.6-2.1+deb12u2\"", "\"1:jq\": \"1.6-2.1+deb12u3\"") == 0, "%s",
	      err_msg());
	CHECK_STR(compared(&r, &s), "package 1:jq changed");
	record_release(&s);
	CHECK(edited(&s, "\"docker.io/library/debian:bookworm-slim\": \"" D("a"),
		     "\"docker.io/library/debian:bookworm-slim\": \"" D("d")) == 0, "%s", err_msg());
	CHECK_STR(compared(&r, &s), "base image docker.io/library/debian:bookworm-slim changed");
	record_release(&s);
	/* a Dockerfile or lockfile in the context is said once, in its own class */
	CHECK(edited(&s, "\"digest\": \"" D("6") "\",\n    \"path\": \"Dockerfile\"",
		     "\"digest\": \"" D("e") "\",\n    \"path\": \"Dockerfile\"") == 0, "%s", err_msg());
	CHECK_STR(compared(&r, &s), "dockerfile Dockerfile changed");
	record_release(&s);
	CHECK(edited(&s, "  \"template\": {\n    \"digest\": \"" D("c") "\",\n    \"path\": \"Dockerfile.in\"\n  },\n",
		     "") == 0, "%s", err_msg());
	CHECK_STR(compared(&r, &s), "template Dockerfile.in removed");
	record_release(&s);
	test_end("record: the template, the Dockerfile, base images and packages, each in its class");

	/* what came out, for pinned diff: builder, time, then the image */
	if (edited(&s, "\"version\": \"1.28.2\"", "\"version\": \"1.29\"") == 0) {
		struct record_diffs d = { 0 };

		CHECK(record_compare_builds(&d, &r, &s) == 0 && d.n == 1 &&
		      !strcmp(d.v[0].class, "builder") && !strcmp(d.v[0].recorded, "buildah 1.28.2") &&
		      !strcmp(d.v[0].now, "buildah 1.29"), "the builder's version");
		record_diffs_release(&d);
	}
	record_release(&s);
	if (edited(&s, "\"manifest\": \"" D("4"), "\"manifest\": \"" D("0")) == 0) {
		struct record_diffs d = { 0 };

		CHECK(record_compare_builds(&d, &r, &s) == 0 && d.n == 1 &&
		      !strcmp(d.v[0].class, "image") && !strcmp(d.v[0].path, "linux/amd64"),
		      "the manifest alone: %zu", d.n);
		record_diffs_release(&d);
	}
	record_release(&s);
	if (edited(&s, "\"platform\": \"linux/amd64\"", "\"platform\": \"linux/arm64\"") == 0) {
		struct record_diffs d = { 0 };

		CHECK(record_compare_builds(&d, &r, &s) == 0 && d.n == 2 &&
		      !strcmp(d.v[0].what, "removed") && !strcmp(d.v[1].what, "added"),
		      "a platform built by one only");
		record_diffs_release(&d);
	}
	record_release(&s);
	test_end("record: the builds of two records, platform by platform");

	{
		static const char images[] =
			"{\"images\": {\"docker.io/r/a:1\": {\"digest\": \"" D("1") "\", \"mediaType\": "
			"\"application/vnd.oci.image.manifest.v1+json\", \"name\": \"docker.io/r/a\", "
			"\"reference\": \"r/a:1\", \"tag\": \"1\"}}, \"version\": 1}\n";
		static const char images2[] =
			"{\"images\": {\"docker.io/r/a:1\": {\"digest\": \"" D("2") "\", \"mediaType\": "
			"\"application/vnd.oci.image.manifest.v1+json\", \"name\": \"docker.io/r/a\", "
			"\"reference\": \"r/a:1\", \"tag\": \"1\"}}, \"version\": 1}\n";
		struct record a, b;
		enum record_kind ka, kb;

		if (record_read_any(&a, &ka, images, sizeof(images) - 1, "a.lock") == 0 &&
		    record_read_any(&b, &kb, images2, sizeof(images2) - 1, "b.lock") == 0) {
			CHECK(ka == RECORD_IMAGES_LOCK && kb == ka, "an images lock");
			CHECK_STR(compared(&a, &b), "base image docker.io/r/a:1 changed");
		} else {
			CHECK(0, "%s", err_msg());
		}
		record_release(&a);
		record_release(&b);
		if (record_read_any(&a, &ka, golden, sizeof(golden) - 1, "build.lock") == 0)
			CHECK(ka == RECORD_BUILD && a.nbuilds == 1, "a record");
		else
			CHECK(0, "%s", err_msg());
		record_release(&a);
		CHECK(record_read_any(&a, &ka, "[1]", 3, "x.json") == ERR_FAIL, "refused");
		CHECK_STR(err_msg(), "x.json: not a build record, images lock or apt lock (JSON with "
			  "\"build_digest\", \"images\" or \"stages\")");
		record_release(&a);
	}
	test_end("record: any lockfile read to compare, told apart by its keys");

	record_release(&r);
	return TEST_MAIN_RESULT();
}
