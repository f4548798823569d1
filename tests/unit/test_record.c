/* lockfiles/build.lock: the record read, written again byte for byte,
 * refused where a value is not valid, and compared class by class; and the
 * inputs taken from a working tree. */
#include "verify/record.h"
#include "test.h"
#include "util/error.h"

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
	"    \"files\": {\n"
	"      \"Dockerfile\": \"f 0644 10 " D("6") "\",\n"
	"      \"src/\": \"d 0755 0 -\",\n"
	"      \"src/link\": \"l 0777 0 - run.sh\",\n"
	"      \"src/requirements.txt\": \"f 0644 11 " D("7") "\",\n"
	"      \"src/run.sh\": \"f 0644 29 " D("8") "\"\n"
	"    },\n"
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
	"  \"version\": 1\n"
	"}\n";

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

/* The differences as "CLASS PATH WHAT" joined by ", ". */
static const char *compared(const struct record *a, const struct record *b)
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

int main(void)
{
	struct record r, s;
	char *text = NULL;
	size_t len = 0;

	CHECK(record_parse(&r, golden, sizeof(golden) - 1, "build.lock") == 0, "%s", err_msg());
	CHECK(r.nbuilds == 1 && r.builds[0].epoch == 1700000000 && r.files.n == 5 &&
	      !strcmp(r.files.v[2].name, "src/link"), "fields");
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
			{ "f 0644 29 ", "f 644 29 ",
			  "build.lock: context.files: holds a name or value that is not valid" },
			{ "\"1:jq\": \"1.6-2.1+deb12u2\"", "\"1:jq\": \"1.6 2\"",
			  "build.lock: packages: holds a name or value that is not valid" },
			{ "\"epoch\": 1700000000", "\"epoch\": -1",
			  "build.lock: builds: epoch: not a time in seconds" },
			{ "\"version\": 1\n}", "\"version\": 2\n}",
			  "build.lock: not a build record of version 1" },
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

	CHECK(edited(&s, "\"src/run.sh\": \"f 0644 29 " D("8"), "\"src/run.sh\": \"f 0755 30 " D("0")) == 0,
	      "%s", err_msg());
	CHECK_STR(compared(&r, &s),
		  "context src/run.sh mode changed, context src/run.sh content changed");
	record_release(&s);
	CHECK(edited(&s, "\"src/link\": \"l 0777 0 - run.sh\"", "\"src/link\": \"l 0777 0 - other\"") == 0,
	      "%s", err_msg());
	CHECK_STR(compared(&r, &s), "context src/link link target changed");
	record_release(&s);
	CHECK(edited(&s, "\"src/link\": \"l 0777 0 - run.sh\"", "\"src/link\": \"f 0644 0 " D("0") "\"") == 0,
	      "%s", err_msg());
	CHECK_STR(compared(&r, &s), "context src/link type changed");
	record_release(&s);
	CHECK(edited(&s, "\"src/\": \"d 0755 0 -\",", "\"src/\": \"d 0755 0 -\",\n\"src/new\": \"d 0755 0 -\",") == 0,
	      "%s", err_msg());
	CHECK_STR(compared(&r, &s), "context src/new added");
	CHECK_STR(compared(&s, &r), "context src/new removed");
	record_release(&s);
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

	record_release(&r);
	return TEST_MAIN_RESULT();
}
