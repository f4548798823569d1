/* The Dockerfile reader: every construct of issue 3, and malformed files. */
#include "docker/dockerfile.h"
#include "util/error.h"
#include "util/buf.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char multistage[] =
	"# syntax=docker/dockerfile:1.7\n"
	"# escape=\\\n"
	"\n"
	"ARG BASE=debian\n"
	"ARG TAG=bookworm\n"
	"ARG PY\n"
	"FROM --platform=$BUILDPLATFORM ${BASE}:${TAG}-slim AS build\n"
	"RUN apt-get update && \\\n"
	"    # a comment inside a continuation\n"
	"    apt-get install -y gcc\n"
	"RUN <<EOF cat >/x && cat <<-'END'\n"
	"echo hi\n"
	"EOF\n"
	"\ttabbed\n"
	"\tEND\n"
	"COPY --from=golang:1.22 /usr/local/go /go\n"
	"RUN --mount=type=cache,target=/root/.cache,from=alpine:3.19 true\n"
	"FROM build AS test\n"
	"COPY --from=build /x /y\n"
	"COPY --from=0 /x /y\n"
	"FROM scratch\n"
	"from python:${PY:-3.12}\n"
	"FROM ghcr.io/org/app@" DIGEST "\n"
	"FROM \\\n"
	"  nvidia/cuda:12.2.0-runtime-ubuntu22.04\n";

static void test_multistage(void)
{
	struct dockerfile *df;
	static const struct {
		enum dockerfile_place place;
		const char *written, *expanded;
		int stage, scratch;
		size_t line, col;
	} want[] = {
		{ DOCKERFILE_SYNTAX, "docker/dockerfile:1.7", "docker/dockerfile:1.7", 0, 0, 1, 10 },
		{ DOCKERFILE_FROM, "${BASE}:${TAG}-slim", "debian:bookworm-slim", 0, 0, 7, 32 },
		{ DOCKERFILE_COPY_FROM, "golang:1.22", "golang:1.22", 0, 0, 16, 13 },
		{ DOCKERFILE_MOUNT_FROM, "alpine:3.19", "alpine:3.19", 0, 0, 17, 49 },
		{ DOCKERFILE_FROM, "build", "build", 1, 0, 18, 6 },
		{ DOCKERFILE_COPY_FROM, "build", "build", 1, 0, 19, 13 },
		{ DOCKERFILE_COPY_FROM, "0", "0", 1, 0, 20, 13 },
		{ DOCKERFILE_FROM, "scratch", "scratch", 0, 1, 21, 6 },
		{ DOCKERFILE_FROM, "python:${PY:-3.12}", "python:3.12", 0, 0, 22, 6 },
		{ DOCKERFILE_FROM, "ghcr.io/org/app@" DIGEST, "ghcr.io/org/app@" DIGEST, 0, 0, 23, 6 },
		{ DOCKERFILE_FROM, "nvidia/cuda:12.2.0-runtime-ubuntu22.04",
		  "nvidia/cuda:12.2.0-runtime-ubuntu22.04", 0, 0, 25, 3 },
	};
	size_t n = sizeof(want) / sizeof(want[0]);

	if (dockerfile_parse(&df, multistage, strlen(multistage), "Dockerfile.in") < 0) {
		CHECK(0, "%s", err_msg());
		test_end("dockerfile: a multi-stage file with every construct");
		return;
	}
	CHECK(df->nimages == n, "%zu images", df->nimages);
	for (size_t i = 0; i < n && i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];

		CHECK(img->place == want[i].place, "image %zu: place %d", i, img->place);
		CHECK_STR(img->written, want[i].written);
		CHECK_STR(img->expanded, want[i].expanded);
		CHECK(img->stage == want[i].stage && img->scratch == want[i].scratch,
		      "image %zu: stage %d scratch %d", i, img->stage, img->scratch);
		CHECK(img->line == want[i].line && img->col == want[i].col,
		      "image %zu '%s': at %zu:%zu, want %zu:%zu", i, img->written, img->line,
		      img->col, want[i].line, want[i].col);
		CHECK(!memcmp(multistage + img->end - strlen(want[i].written), want[i].written,
			      strlen(want[i].written)), "image %zu: end offset", i);
	}
	CHECK_STR(df->images[1].ref.path, "library/debian");
	CHECK_STR(df->images[2].ref.domain, "docker.io");
	CHECK(df->images[9].ref.digest != NULL, "digest kept");
	CHECK(df->directives_end == strlen("# syntax=docker/dockerfile:1.7\n# escape=\\\n"),
	      "directives end at %zu", df->directives_end);
	CHECK(df->ninstructions == 15, "%zu instructions", df->ninstructions);
	if (df->ninstructions > 6) {
		const struct dockerfile_instruction *run = &df->instructions[5];

		CHECK_STR(df->instructions[4].args, "apt-get update &&     apt-get install -y gcc");
		CHECK_STR(run->keyword, "run");
		CHECK(run->nheredocs == 2, "%zu heredocs", run->nheredocs);
		if (run->nheredocs == 2) {
			CHECK_STR(run->heredocs[0].name, "EOF");
			CHECK_STR(run->heredocs[0].content, "echo hi\n");
			CHECK(run->heredocs[0].expand && !run->heredocs[0].chomp, "<<EOF");
			CHECK_STR(run->heredocs[1].name, "END");
			CHECK_STR(run->heredocs[1].content, "\ttabbed\n");
			CHECK(!run->heredocs[1].expand && run->heredocs[1].chomp, "<<-'END'");
		}
		CHECK(df->instructions[6].line == 16, "COPY after the heredocs is on line %zu",
		      df->instructions[6].line);
	}
	dockerfile_free(df);
	test_end("dockerfile: a multi-stage file with every construct");
}

static void test_backtick(void)
{
	static const char text[] = "# escape=`\nFROM debian\nRUN echo a `\n  b\nRUN dir C:\\\n";
	struct dockerfile *df;

	if (dockerfile_parse(&df, text, strlen(text), "Dockerfile") < 0) {
		CHECK(0, "%s", err_msg());
	} else {
		CHECK(df->escape == '`', "escape");
		CHECK(df->ninstructions == 3, "%zu instructions", df->ninstructions);
		CHECK_STR(df->instructions[1].args, "echo a   b");
		CHECK_STR(df->instructions[2].args, "dir C:\\");
		dockerfile_free(df);
	}
	test_end("dockerfile: # escape=` continues lines with a backtick, not a backslash");
}

static const struct {
	const char *text, *error;
} errors[] = {
	{ "FROM debian\nRUN <<EOF\necho\n", "Dockerfile:2:1: unterminated heredoc 'EOF'" },
	{ "FROM\n", "Dockerfile:1:1: FROM needs an image" },
	{ "FROM --platform=linux/amd64\n", "Dockerfile:1:1: FROM needs an image" },
	{ "FROM ${BASE}\n", "Dockerfile:1:6: base name (${BASE}) should not be blank" },
	{ "ARG BASE\nFROM $BASE:1\n", "Dockerfile:2:6: invalid repository name in image reference ':1'" },
	{ "FROM a b c\n", "Dockerfile:1:8: FROM takes an image and an optional 'AS name'" },
	{ "FROM Debian\n", "Dockerfile:1:6: repository name must be lowercase in image reference 'Debian'" },
	{ "ARG V=1\nFROM debian:${V\n", "Dockerfile:2:13: syntax error: missing '}'" },
	{ "RUN true\nFROM debian\n", "Dockerfile:1:1: run before the first FROM" },
	{ "# escape=x\nFROM debian\n", "Dockerfile:1:10: invalid escape token 'x' does not match ` or \\" },
	{ "ARG X\n", "Dockerfile: no FROM instruction" },
	{ "FROM debian\nCOPY --from=bad:tag: /a /b\n", "Dockerfile:2:13: invalid tag '' in image reference 'bad:tag:'" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct dockerfile *df = NULL;
		char name[256];

		CHECK(dockerfile_parse(&df, errors[i].text, strlen(errors[i].text), "Dockerfile") == -1,
		      "accepted");
		CHECK(df == NULL, "no result");
		CHECK_STR(err_msg(), errors[i].error);
		snprintf(name, sizeof(name), "dockerfile: error '%s'", errors[i].error);
		test_end(name);
	}
}

/* ARGs of a stage belong to that stage only (found leaking by fuzz_dockerfile). */
static void test_stage_args(void)
{
	static const char text[] = "FROM a:1\nARG X=1\nARG Y\nFROM b:${X:-2}\n";
	struct dockerfile *df;

	if (dockerfile_parse(&df, text, strlen(text), "Dockerfile") < 0) {
		CHECK(0, "%s", err_msg());
	} else {
		CHECK(df->nimages == 2, "%zu images", df->nimages);
		if (df->nimages == 2)
			CHECK_STR(df->images[1].expanded, "b:2");
		dockerfile_free(df);
	}
	test_end("dockerfile: a stage's ARGs end with the stage");
}

/* "ARG NAME=" with nothing after the '=' at the end of the arguments read
 * one past the offsets of the line (found by fuzz_dockerfile); the
 * arguments are 16 bytes, so the array is full and ASan sees the read. */
static void test_empty_arg_value(void)
{
	static const char text[] = "ARG ABCDEFGHIJKLMNO=\nFROM a:1${ABCDEFGHIJKLMNO}\nARG W=";
	struct dockerfile *df;

	if (dockerfile_parse(&df, text, strlen(text), "Dockerfile") < 0) {
		CHECK(0, "%s", err_msg());
	} else {
		CHECK(df->nimages == 1 && !strcmp(df->images[0].expanded, "a:1"), "the empty value");
		dockerfile_free(df);
	}
	test_end("dockerfile: an ARG whose value is empty, last on its line");
}

/* The variables each FROM names, and which ARGs a --build-arg may set. */
static void test_uses(void)
{
	static const char text[] = "ARG R=r.example B\nARG T\n"
				   "FROM ${R}/$B:${T:-1}${R}\nARG S\nFROM a:1\nCOPY --from=b:2 / /\n";
	const char *const args[] = { "T=2", NULL };
	struct dockerfile_opts opts = { "linux/arm64", args };
	struct dockerfile *df;

	if (dockerfile_read(&df, text, strlen(text), "Dockerfile", &opts) < 0) {
		CHECK(0, "%s", err_msg());
	} else {
		const struct dockerfile_image *img = &df->images[0];

		CHECK(img->nuses == 3 && !strcmp(img->uses[0], "R") && !strcmp(img->uses[1], "B") &&
		      !strcmp(img->uses[2], "T"), "R, B, T once each in order (%zu)", img->nuses);
		CHECK_STR(img->expanded, "r.example/:2r.example");
		CHECK(df->images[1].nuses == 0 && df->images[2].nuses == 0, "none");
		CHECK(dockerfile_declares_arg(df, "T") == 1 && dockerfile_declares_arg(df, "B") == 1 &&
		      dockerfile_declares_arg(df, "S") == 1 && dockerfile_declares_arg(df, "R") == 1,
		      "ARGs with and without values, before and in a stage");
		CHECK(dockerfile_declares_arg(df, "TARGETARCH") == 0 &&
		      dockerfile_declares_arg(df, "r") == 0 && dockerfile_declares_arg(df, "") == 0,
		      "a platform ARG not declared, another case, no name");
		dockerfile_free(df);
	}
	test_end("dockerfile: the variables an image's name uses; the ARGs a build argument may set");
}

/* Expect 'text' (built by the caller) to be refused with 'error', fast. */
static void refused(const char *text, const char *error, const char *what)
{
	struct dockerfile *df = NULL;

	alarm(10);
	CHECK(dockerfile_parse(&df, text, strlen(text), "Dockerfile") == -1, "accepted");
	alarm(0);
	CHECK(df == NULL, "no result");
	CHECK_STR(err_msg(), error);
	dockerfile_free(df);
	test_end(what);
}

/*
 * Nested ${U:-...} ran for a minute and crashed; ARGs that double each
 * other exhausted memory. Depth, a word's size and the file's total are
 * bounded, each with its place in the file.
 */
static void test_expansion_bounds(void)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);

	/* size and time bounds, not allocation paths: under the allocation-
	 * failure pass (one ASan run per allocation) they would take minutes */
	if (getenv("PINNED_OOM_FAIL") || getenv("PINNED_OOM_COUNT"))
		return;

	buf_adds(&b, "FROM a:");
	for (int i = 0; i < 100000; i++)
		buf_adds(&b, "${U:-");
	buf_adds(&b, "x");
	for (int i = 0; i < 100000; i++)
		buf_adds(&b, "}");
	buf_adds(&b, "\n");
	refused(buf_str(&b), "Dockerfile:1:168: ${...} nested more than 32 deep",
		"dockerfile: ${U:-${U:-...}} nested 100,000 deep is refused at depth 32");

	buf_truncate(&b, 0);
	buf_adds(&b, "ARG A0=xxxxxxxxxxxxxxxx\n");
	for (int i = 1; i < 40; i++)
		buf_printf(&b, "ARG A%d=${A%d}${A%d}\n", i, i - 1, i - 1);
	buf_adds(&b, "FROM a:1\n");
	refused(buf_str(&b), "Dockerfile:18:9: '${A16}${A16}' expands to more than 1 MiB",
		"dockerfile: forty ARGs that double in size stop at 1 MiB a word");

	buf_truncate(&b, 0);
	buf_adds(&b, "ARG A0=xxxxxxxxxxxxxxxx\n");
	for (int i = 1; i < 16; i++)
		buf_printf(&b, "ARG A%d=${A%d}${A%d}\n", i, i - 1, i - 1);
	for (int i = 0; i < 200; i++)
		buf_printf(&b, "ARG B%d=${A15}\n", i);
	buf_adds(&b, "FROM a:1\n");
	refused(buf_str(&b), "Dockerfile:143:10: variables expand to more than 64 MiB in all",
		"dockerfile: ARG values stop at 64 MiB for the whole file");
	buf_release(&b);
}

/* Stage names are found in any case among many stages (an index, since a
 * scan per reference made 10,000 stages quadratic). */
static void test_many_stages(void)
{
	struct buf b = BUF_INIT(BUF_MAX_TEXT);
	struct dockerfile *df;
	size_t stages = 0;

	buf_adds(&b, "FROM a:1 AS Stage0\n");
	for (int i = 1; i < 300; i++)
		buf_printf(&b, "FROM stage%d AS Stage%d\nCOPY --from=STAGE%d / /\n", i - 1, i, i / 2);
	if (dockerfile_parse(&df, buf_str(&b), b.len, "Dockerfile") < 0) {
		CHECK(0, "%s", err_msg());
	} else {
		for (size_t i = 1; i < df->nimages; i++)
			stages += df->images[i].stage;
		CHECK(df->nimages == 599 && stages == 598, "%zu images, %zu stages", df->nimages, stages);
		dockerfile_free(df);
	}
	buf_truncate(&b, 0);
	buf_adds(&b, "FROM a:1 AS one\nFROM a:1 AS two\nCOPY --from=three / /\nFROM a:1 AS Three\n");
	CHECK(dockerfile_parse(&df, buf_str(&b), b.len, "Dockerfile") < 0, "a later stage accepted");
	CHECK_STR(err_msg(), "Dockerfile:3:13: cannot copy from stage \"three\", it needs to be defined before current stage \"two\"");
	buf_release(&b);
	test_end("dockerfile: 300 stages found by name in any case; a later one is refused");
}

int main(void)
{
	test_many_stages();
	test_expansion_bounds();
	test_empty_arg_value();
	test_uses();
	test_stage_args();
	test_multistage();
	test_backtick();
	test_errors();
	return TEST_MAIN_RESULT();
}
