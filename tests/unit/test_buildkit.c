/*
 * Conformance with BuildKit's Dockerfile parser: its parser test cases
 * (testfiles/, testfiles-negative/, the heredoc and directive tests),
 * restated, and one case for each rule of issue 9. Each positive case is
 * compared as a dump of what pinned uses: the escape character, where the
 * directives end, each instruction (keyword | arguments, heredocs with
 * their delimiter, flags and body, exec form), each image and each unset
 * variable. Each negative case must be refused with the reason given.
 */
#include "docker/dockerfile.h"
#include "util/buf.h"
#include "util/error.h"
#include "test.h"

#include <stdlib.h>

/* the cases leave .platform out unless they need one */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

static void dump(struct buf *b, const struct dockerfile *df)
{
	static const char *const places[] = { "syntax", "from", "copy-from", "mount-from" };

	buf_printf(b, "escape %c, directives end at %zu\n", df->escape, df->directives_end);
	for (size_t i = 0; i < df->ninstructions; i++) {
		const struct dockerfile_instruction *ins = &df->instructions[i];

		buf_printf(b, "%zu:%zu %s|%s%s\n", ins->line, ins->col, ins->keyword, ins->args,
			   ins->json ? " (exec form)" : "");
		for (size_t h = 0; h < ins->nheredocs; h++) {
			const struct dockerfile_heredoc *d = &ins->heredocs[h];

			buf_printf(b, "  heredoc %u<<%s%s%s: %s", d->fd, d->chomp ? "-" : "", d->name,
				   d->expand ? "" : " (quoted)", d->content);
		}
	}
	for (size_t i = 0; i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];

		buf_printf(b, "%zu:%zu %s %s", img->line, img->col, places[img->place], img->expanded);
		if (img->stage)
			buf_adds(b, " (stage)");
		else if (img->scratch)
			buf_adds(b, " (scratch)");
		else
			buf_printf(b, " = %s/%s:%s", img->ref.domain, img->ref.path, img->ref.tag);
		buf_adds(b, "\n");
	}
	for (size_t i = 0; i < df->nunset; i++)
		buf_printf(b, "%zu:%zu unset %s\n", df->unset[i].line, df->unset[i].col, df->unset[i].name);
}

struct conformance {
	const char *what, *text, *want;	/* want: the dump, or "error: ..." */
	const char *platform;
	const char *const *build_args;
};

static const char *const tag_args[] = { "TAG=3.20", "V=given", NULL };

static const struct conformance cases[] = {
	/* BuildKit testfiles/continueIndent, with today's result: comment and
	 * empty lines inside a continuation are skipped, not ends */
	{ "testfiles/continueIndent",
	  "FROM ubuntu:14.04\n\nRUN echo hello\\\n  world\\\n  goodnight  \\\n  moon\\\n  light\\\nning\n"
	  "RUN echo hello  \\\n  world\nRUN echo hello  \\\nworld\nRUN echo hello \\\ngoodbye\\\nfrog\n"
	  "RUN echo hi \\\n \\\n world \\\n\\\n good\\\n\\\nnight\nRUN echo goodbye\\\nfrog\n"
	  "RUN echo good\\\nbye\\\nfrog\n\nRUN echo hello \\\n# this is a comment that breaks escape continuation\n"
	  "RUN echo this is some more useful stuff\n",
	  "escape \\, directives end at 0\n"
	  "1:1 from|ubuntu:14.04\n"
	  "3:1 run|echo hello  world  goodnight    moon  lightning\n"
	  "9:1 run|echo hello    world\n"
	  "11:1 run|echo hello  world\n"
	  "13:1 run|echo hello goodbyefrog\n"
	  "16:1 run|echo hi   world  goodnight\n"
	  "23:1 run|echo goodbyefrog\n"
	  "25:1 run|echo goodbyefrog\n"
	  "29:1 run|echo hello RUN echo this is some more useful stuff\n"
	  "1:6 from ubuntu:14.04 = docker.io/library/ubuntu:14.04\n" },
	{ "testfiles/empty-line-after-escape",
	  "FROM busybox\n\nRUN foo \\\n\nbar\n",
	  "escape \\, directives end at 0\n1:1 from|busybox\n3:1 run|foo bar\n"
	  "1:6 from busybox = docker.io/library/busybox:latest\n" },
	{ "testfiles/escape: # escape = ` makes ` the escape character",
	  "#escape = `\n\nFROM image\nMAINTAINER foo@bar.com\nENV GOPATH `\n\\go",
	  "escape `, directives end at 12\n3:1 from|image\n4:1 maintainer|foo@bar.com\n5:1 env|GOPATH \\go\n"
	  "3:6 from image = docker.io/library/image:latest\n" },
	{ "testfiles/escape-after-comment: a directive after a comment is a comment",
	  "# Comment here. Should not be looking for the following parser directive.\n"
	  "# escape = `\n\nFROM image\nENV GOPATH \\\n\\go",
	  "escape \\, directives end at 0\n4:1 from|image\n5:1 env|GOPATH \\go\n"
	  "4:6 from image = docker.io/library/image:latest\n" },
	{ "testfiles/escape_whitespace: white space before the directive's #",
	  "  #escape = `\n\nFROM image\nENV foo `\nENV bar baz",
	  "escape `, directives end at 14\n3:1 from|image\n4:1 env|foo ENV bar baz\n"
	  "3:6 from image = docker.io/library/image:latest\n" },
	{ "testfiles/ADD-COPY-with-JSON: the exec form",
	  "FROM ubuntu:14.04\nADD . /\nADD [\".\", \"/\"]\nCOPY [\"foo\", \"bar\"]\nRUN [\"a\"] b\n",
	  "escape \\, directives end at 0\n1:1 from|ubuntu:14.04\n2:1 add|. /\n"
	  "3:1 add|[\".\", \"/\"] (exec form)\n4:1 copy|[\"foo\", \"bar\"] (exec form)\n5:1 run|[\"a\"] b\n"
	  "1:6 from ubuntu:14.04 = docker.io/library/ubuntu:14.04\n" },
	{ "exec form with bytes that are not UTF-8: JSON, as Go reads them (no heredoc)",
	  "FROM a\nRUN [\"cat\", \"<<EOF\xff\"]\nEOF\n",
	  "escape \\, directives end at 0\n1:1 from|a\n2:1 run|[\"cat\", \"<<EOF\xff\"] (exec form)\n"
	  "3:1 eof|\n1:6 from a = docker.io/library/a:latest\n" },
	{ "testfiles/health: HEALTHCHECK CMD in exec form",
	  "FROM debian\nHEALTHCHECK --interval=5s CMD [\"stat\", \"/x\"]\nHEALTHCHECK NONE\n",
	  "escape \\, directives end at 0\n1:1 from|debian\n"
	  "2:1 healthcheck|--interval=5s CMD [\"stat\", \"/x\"] (exec form)\n3:1 healthcheck|NONE\n"
	  "1:6 from debian = docker.io/library/debian:latest\n" },
	/* parser_heredoc_test.go: TestParseExtractsHeredoc, restated */
	{ "heredocs: names, quoting, file descriptors, <<-",
	  "FROM alpine:3.6\nUSER <<INVALID\nRUN <<EMPTY\nEMPTY\nRUN 3<<EMPTY2\nEMPTY2\nRUN \"<<NOHEREDOC\"\n"
	  "RUN <<-UNINDENT2\n\tbaz\n\tUNINDENT2\nRUN <<-'NOEXPAND'\n\tdon't expand $NAME\nNOEXPAND\n"
	  "COPY <<X <<Y /dest\nY\nX\nX\nY\nRUN <<eo'f'\necho foo\neof\nRUN <<eo\\'f\necho foo\neo'f\n"
	  "RUN <<'e'o\\'f\necho foo\neo'f\nRUN <<'one two'\necho bar\none two\nRUN <<$EOF\n$EOF\n"
	  "RUN <<  EOF  > foo\nEOF\nRUN <<COMMENT\n# internal comment\nCOMMENT\n",
	  "escape \\, directives end at 0\n1:1 from|alpine:3.6\n2:1 user|<<INVALID\n"
	  "3:1 run|<<EMPTY\n  heredoc 0<<EMPTY: "
	  "5:1 run|3<<EMPTY2\n  heredoc 3<<EMPTY2: "
	  "7:1 run|\"<<NOHEREDOC\"\n"
	  "8:1 run|<<-UNINDENT2\n  heredoc 0<<-UNINDENT2: \tbaz\n"
	  "11:1 run|<<-'NOEXPAND'\n  heredoc 0<<-NOEXPAND (quoted): \tdon't expand $NAME\n"
	  "14:1 copy|<<X <<Y /dest\n  heredoc 0<<X: Y\n  heredoc 0<<Y: X\n"
	  "19:1 run|<<eo'f'\n  heredoc 0<<eof (quoted): echo foo\n"
	  "22:1 run|<<eo\\'f\n  heredoc 0<<eo'f: echo foo\n"
	  "25:1 run|<<'e'o\\'f\n  heredoc 0<<eo'f (quoted): echo foo\n"
	  "28:1 run|<<'one two'\n  heredoc 0<<one two (quoted): echo bar\n"
	  "31:1 run|<<$EOF\n  heredoc 0<<$EOF: "
	  "33:1 run|<<  EOF  > foo\n  heredoc 0<<EOF: "
	  "35:1 run|<<COMMENT\n  heredoc 0<<COMMENT: # internal comment\n"
	  "1:6 from alpine:3.6 = docker.io/library/alpine:3.6\n" },
	{ "heredocs: never in the exec form (TestParseJSONHeredoc)",
	  "FROM alpine:3.6\nRUN [\"<<EOF\"]\nRUN [\"<<'EOF'\"]\n",
	  "escape \\, directives end at 0\n1:1 from|alpine:3.6\n2:1 run|[\"<<EOF\"] (exec form)\n"
	  "3:1 run|[\"<<'EOF'\"] (exec form)\n1:6 from alpine:3.6 = docker.io/library/alpine:3.6\n" },
	{ "heredocs: under ONBUILD, bodies as written (CRLF kept)",
	  "FROM a:1\r\nONBUILD RUN <<EOF\r\necho hi\r\nEOF\r\nRUN true\r\n",
	  "escape \\, directives end at 0\n1:1 from|a:1\n2:1 onbuild|RUN <<EOF\n  heredoc 0<<EOF: echo hi\r\n"
	  "5:1 run|true\n1:6 from a:1 = docker.io/library/a:1\n" },
	/* directives_test.go: DetectSyntax and the directive parser, restated */
	{ "directives: the syntax image is the value's first word",
	  "# syntax = dockerfile:experimental // opts\nFROM busybox\n",
	  "escape \\, directives end at 43\n2:1 from|busybox\n"
	  "1:12 syntax dockerfile:experimental = docker.io/library/dockerfile:experimental\n"
	  "2:6 from busybox = docker.io/library/busybox:latest\n" },
	{ "directives: a shebang is skipped by DetectSyntax (and ends Parse's directives)",
	  "#!/bin/sh\n# syntax = dockerfile:experimental\n# escape=`\nFROM busybox\n",
	  "escape \\, directives end at 56\n4:1 from|busybox\n"
	  "2:12 syntax dockerfile:experimental = docker.io/library/dockerfile:experimental\n"
	  "4:6 from busybox = docker.io/library/busybox:latest\n" },
	{ "directives: an empty line after the shebang ends them",
	  "#!/bin/sh\n\n# syntax = dockerfile:experimental\nFROM busybox\n",
	  "escape \\, directives end at 10\n4:1 from|busybox\n"
	  "4:6 from busybox = docker.io/library/busybox:latest\n" },
	{ "directives: // syntax= is found when no # one is",
	  "//syntax=foo\nFROM busybox\n",
	  "escape \\, directives end at 13\n2:1 from|busybox\n"
	  "1:10 syntax foo = docker.io/library/foo:latest\n"
	  "2:6 from busybox = docker.io/library/busybox:latest\n" },
	{ "directives: a BOM is dropped; check is a directive; an unknown key ends them",
	  "\xef\xbb\xbf# check=skip=all\n# escape=`\n# key=value\n# syntax=x\nFROM a:`\n1\n",
	  "escape `, directives end at 31\n5:1 from|a:1\n"
	  "5:6 from a:1 = docker.io/library/a:1\n" },
	{ "directives: indented syntax is a directive for Parse, not an image for DetectSyntax",
	  "  # syntax=docker/dockerfile:1\nFROM a:1\n",
	  "escape \\, directives end at 31\n2:1 from|a:1\n2:6 from a:1 = docker.io/library/a:1\n" },
	/* line continuation: the escape character must not be escaped itself */
	{ "continuation: RUN echo C:\\\\ does not continue",
	  "FROM a:1\nRUN echo C:\\\\\nRUN echo \\ \t\n  b\n",
	  "escape \\, directives end at 0\n1:1 from|a:1\n2:1 run|echo C:\\\\\n3:1 run|echo   b\n"
	  "1:6 from a:1 = docker.io/library/a:1\n" },
	{ "continuation: with the backtick escape, Windows paths keep their backslashes",
	  "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir C:\\ `\n  && echo ``\n"
	  "COPY . C:\\app\\\n",
	  "escape `, directives end at 11\n2:1 from|mcr.microsoft.com/windows/servercore:ltsc2022\n"
	  "3:1 run|dir C:\\   && echo ``\n5:1 copy|. C:\\app\\\n"
	  "2:6 from mcr.microsoft.com/windows/servercore:ltsc2022 = mcr.microsoft.com/windows/servercore:ltsc2022\n" },
	/* variables */
	{ "variables: every substitution form in FROM",
	  "ARG P=/x/y.z\nARG S=foobarbaz\nFROM a:${P##*/}\nFROM a:${S%%a*}\nFROM a:${S//ba/fo}\n"
	  "FROM a:${NONE:-d}${S:+-s}\nFROM a:${S#???}\n",
	  "escape \\, directives end at 0\n1:1 arg|P=/x/y.z\n2:1 arg|S=foobarbaz\n3:1 from|a:${P##*/}\n"
	  "4:1 from|a:${S%%a*}\n5:1 from|a:${S//ba/fo}\n6:1 from|a:${NONE:-d}${S:+-s}\n7:1 from|a:${S#???}\n"
	  "3:6 from a:y.z = docker.io/library/a:y.z\n4:6 from a:foob = docker.io/library/a:foob\n"
	  "5:6 from a:fooforfoz = docker.io/library/a:fooforfoz\n6:6 from a:d-s = docker.io/library/a:d-s\n"
	  "7:6 from a:barbaz = docker.io/library/a:barbaz\n" },
	{ "variables: the platform ARGs, for the platform read for",
	  "FROM --platform=$BUILDPLATFORM golang:1.22-${TARGETARCH}${TARGETVARIANT:+-}${TARGETVARIANT} AS b\n"
	  "FROM alpine:${TARGETOS}\n",
	  "escape \\, directives end at 0\n"
	  "1:1 from|--platform=$BUILDPLATFORM golang:1.22-${TARGETARCH}${TARGETVARIANT:+-}${TARGETVARIANT} AS b\n"
	  "2:1 from|alpine:${TARGETOS}\n"
	  "1:32 from golang:1.22-arm-v7 = docker.io/library/golang:1.22-arm-v7\n"
	  "2:6 from alpine:linux = docker.io/library/alpine:linux\n",
	  "linux/arm/v7" },
	{ "variables: an ARG without a value is unset, so empty; unset uses before a stage are kept for lint",
	  "ARG TAG\nARG D=${TAG-dflt}\nARG G=$NOPE\nFROM a:1${TAG}\nARG W=$PATH\nENV E=1\nARG V=$E\nFROM a:$D\n",
	  "escape \\, directives end at 0\n1:1 arg|TAG\n2:1 arg|D=${TAG-dflt}\n3:1 arg|G=$NOPE\n"
	  "4:1 from|a:1${TAG}\n5:1 arg|W=$PATH\n6:1 env|E=1\n7:1 arg|V=$E\n8:1 from|a:$D\n"
	  "4:6 from a:1 = docker.io/library/a:1\n8:6 from a:dflt = docker.io/library/a:dflt\n"
	  "3:7 unset NOPE\n4:9 unset TAG\n" },
	{ "variables: a name that expands to a stage is that stage",
	  "FROM a:1 AS base-amd64\nFROM a:2 AS base-arm64\nFROM base-${TARGETARCH}\n",
	  "escape \\, directives end at 0\n1:1 from|a:1 AS base-amd64\n2:1 from|a:2 AS base-arm64\n"
	  "3:1 from|base-${TARGETARCH}\n1:6 from a:1 = docker.io/library/a:1\n"
	  "2:6 from a:2 = docker.io/library/a:2\n3:6 from base-arm64 (stage)\n",
	  "linux/arm64" },
	{ "variables: ARG TARGETARCH without a value keeps the platform's value",
	  "ARG TARGETARCH\nFROM a:${TARGETARCH}\nARG TARGETARCH\nENV E=1\nARG E\nARG V=$TARGETARCH$E\n",
	  "escape \\, directives end at 0\n1:1 arg|TARGETARCH\n2:1 from|a:${TARGETARCH}\n3:1 arg|TARGETARCH\n"
	  "4:1 env|E=1\n5:1 arg|E\n6:1 arg|V=$TARGETARCH$E\n2:6 from a:amd64 = docker.io/library/a:amd64\n" },
	{ "variables: a --build-arg beats an ARG's default, and a global's without one",
	  "ARG TAG=3.19\nARG V\nFROM alpine:${TAG}-$V\n",
	  "escape \\, directives end at 0\n1:1 arg|TAG=3.19\n2:1 arg|V\n3:1 from|alpine:${TAG}-$V\n"
	  "3:6 from alpine:3.20-given = docker.io/library/alpine:3.20-given\n",
	  NULL, tag_args },
	{ "stages: FROM 0 is an image; --from=0 a stage; a stage starts with its parent's ENV",
	  "FROM a:1 AS one\nENV X=y\nFROM one\nARG Z=$X\nCOPY --from=0 / /\nFROM 0\n",
	  "escape \\, directives end at 0\n1:1 from|a:1 AS one\n2:1 env|X=y\n3:1 from|one\n4:1 arg|Z=$X\n"
	  "5:1 copy|--from=0 / /\n6:1 from|0\n1:6 from a:1 = docker.io/library/a:1\n3:6 from one (stage)\n"
	  "5:13 copy-from 0 (stage)\n6:6 from 0 = docker.io/library/0:latest\n" },
	/* testfiles-negative and what BuildKit refuses */
	{ "negative: an empty file", "", "error: Dockerfile: no FROM instruction" },
	{ "negative: only comments", "# comment\n", "error: Dockerfile: no FROM instruction" },
	{ "negative: env_no_value", "FROM busybox\n\nENV PATH\n",
	  "error: Dockerfile:3:5: ENV must have two arguments: ENV PATH has no value (write ENV PATH=\"\" for an empty one)" },
	{ "negative: ENV a=1 b", "FROM busybox\nENV a=1 b\n",
	  "error: Dockerfile:2:9: Syntax error - can't find = in \"b\". Must be of the form: name=value" },
	{ "negative: shykes-nested-json", "FROM busybox\nCMD [ \"echo\", [ \"nested json\" ] ]\n",
	  "error: Dockerfile:2:5: when using JSON array syntax, arrays must be comprised of strings only" },
	{ "negative: RUN [\"a\", 1]", "FROM busybox\nRUN --network=none [\"a\", 1]\n",
	  "error: Dockerfile:2:20: when using JSON array syntax, arrays must be comprised of strings only" },
	{ "negative: two escape directives", "# escape=\\\n# escape=`\nFROM a\n",
	  "error: Dockerfile:2:1: only one escape parser directive can be used" },
	{ "negative: an escape directive of two characters", "# escape = ``\nFROM a\n",
	  "error: Dockerfile:1:12: invalid escape token '``' does not match ` or \\" },
	{ "negative: COPY --from with a variable", "ARG S=a:1\nFROM b:1\nCOPY --from=$S / /\n",
	  "error: Dockerfile:3:13: variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround" },
	{ "negative: RUN --mount from= with a variable", "FROM b:1\nRUN --mount=type=bind,from=${S},target=/s true\n",
	  "error: Dockerfile:2:28: variable expansion is not supported for --mount from=, define a new stage with FROM using ARG from global scope as a workaround" },
	{ "negative: --from naming a stage defined later", "FROM b:1 AS first\nCOPY --from=later / /\nFROM c:1 AS later\n",
	  "error: Dockerfile:2:13: cannot copy from stage \"later\", it needs to be defined before current stage \"first\"" },
	{ "negative: --from naming its own stage", "FROM b:1 AS me\nCOPY --from=ME / /\n",
	  "error: Dockerfile:2:13: circular dependency detected on stage: me" },
	{ "negative: a stage name with symbols", "FROM b:1 AS 1st\n",
	  "error: Dockerfile:1:13: invalid name for build stage: \"1st\", name can't start with a number or contain symbols" },
	{ "negative: a duplicate stage name", "FROM b:1 AS x\nFROM c:1 AS X\n",
	  "error: Dockerfile:2:13: duplicate stage name \"x\"" },
	{ "negative: ${X:?} of an unset ARG", "FROM b:${TAG:?}\n",
	  "error: Dockerfile:1:8: TAG: is not allowed to be unset" },
	{ "negative: an unsupported modifier", "ARG T=1\nFROM b:${T:=2}\n",
	  "error: Dockerfile:2:8: unsupported modifier (:=) in substitution" },
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct conformance *c = &cases[i];
		struct dockerfile_opts opts = { .platform = c->platform ? c->platform : "linux/amd64",
						.build_args = c->build_args };
		struct dockerfile *df = NULL;
		struct buf got = BUF_INIT(1 << 20);
		char name[200];

		if (dockerfile_read(&df, c->text, strlen(c->text), "Dockerfile", &opts) < 0)
			buf_printf(&got, "error: %s", err_msg());
		else
			dump(&got, df);
		CHECK(!strcmp(buf_str(&got), c->want), "got\n%s\nwant\n%s", buf_str(&got), c->want);
		dockerfile_free(df);
		buf_release(&got);
		snprintf(name, sizeof(name), "buildkit: %s", c->what);
		test_end(name);
	}
}

int main(void)
{
	test_cases();
	return TEST_MAIN_RESULT();
}
