/* The apt installs of a Dockerfile: per stage, with options, from shell
 * form and heredocs; refusals for what cannot be locked. */
#include "debian/installs.h"
#include "test.h"
#include "util/error.h"

#include <string.h>

static struct dockerfile *read_df(const char *text)
{
	struct dockerfile *df = NULL;

	if (dockerfile_read(&df, text, strlen(text), "Dockerfile.in", NULL) < 0)
		printf("  cannot read: %s\n", err_msg());
	return df;
}

/* "stage:line:col:pkg,pkg[:norec][:t=REL]" per install, joined by spaces. */
static const char *found(const char *text)
{
	static char out[1024];
	struct apt_installs a;
	struct dockerfile *df = read_df(text);

	out[0] = '\0';
	if (!df)
		return "unreadable";
	if (apt_installs_find(&a, df) < 0) {
		snprintf(out, sizeof(out), "error: %s", err_msg());
		dockerfile_free(df);
		return out;
	}
	for (size_t i = 0; i < a.n; i++) {
		const struct apt_install *in = &a.v[i];

		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%zu:%zu:%zu:", i ? " " : "",
			 in->stage, in->line, in->col);
		for (size_t k = 0; k < in->npackages; k++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", k ? "," : "",
				 in->packages[k]);
		if (in->no_recommends)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), ":norec");
		if (in->target_release)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), ":t=%s",
				 in->target_release);
		if (in->exec_script)
			snprintf(out + strlen(out), sizeof(out) - strlen(out), ":exec%s",
				 in->exec_shell ? "-shell" : "");
		if (in->prefix[0])
			snprintf(out + strlen(out), sizeof(out) - strlen(out), ":prefix=%s", in->prefix);
	}
	apt_installs_release(&a);
	dockerfile_free(df);
	return out;
}

int main(void)
{
	CHECK_STR(found("FROM debian:12\n"
			"RUN apt-get update && apt-get install -y --no-install-recommends curl \\\n"
			"    ca-certificates; apt install -t bookworm-backports git || true\n"
			"FROM debian:12 AS two\n"
			"RUN sudo DEBIAN_FRONTEND=noninteractive apt-get -q install -y jq=1.6-2.1 ''\n"),
		  "0:2:23:curl,ca-certificates:norec 0:3:22:git:t=bookworm-backports 1:5:5:jq=1.6-2.1:prefix=sudo DEBIAN_FRONTEND=noninteractive ");
	test_end("installs: each command, its stage, place, options and packages");

	CHECK_STR(found("FROM debian:12\nRUN apt-get install --target-release=bookworm-backports git\n"
			"RUN apt-get install --target-release '*-backports' git\n"),
		  "0:2:5:git:t=bookworm-backports 0:3:5:git:t=*-backports");
	CHECK_STR(found("FROM debian:12\nRUN apt-get install -t \"$REL\" git\n"),
		  "error: Dockerfile.in:2:5: apt-get install -t '$REL': a variable or command "
		  "substitution cannot be locked; name the release");
	CHECK_STR(found("FROM debian:12\nRUN apt-get install -t 'a b' git\n"),
		  "error: Dockerfile.in:2:5: apt-get install -t 'a b': not a release");
	test_end("installs: the target release, in each spelling; one that cannot be locked");

	CHECK_STR(found("FROM debian:12\nRUN <<EOF\nset -e\napt-get install -y curl\nEOF\n"), "0:2:1:curl");
	CHECK_STR(found("FROM debian:12\nRUN [\"apt-get\", \"install\", \"curl\"]\n"), "0:2:1:curl:exec");
	CHECK_STR(found("FROM debian:12\nRUN [\"echo\", \"apt-get install curl\"]\n"), "");
	CHECK_STR(found("FROM debian:12\nRUN --mount=type=cache,target=/var/cache/apt "
			"[\"/bin/sh\", \"-c\", \"apt-get update && apt-get install -y curl\"]\n"),
		  "0:2:1:curl:exec-shell");
	test_end("installs: heredocs, and the exec form, plain and through a shell");

	CHECK_STR(found("FROM debian:12\nRUN apt-get install -y $PKG\n"),
		  "error: Dockerfile.in:2:24: apt-get install '$PKG': a variable or command "
		  "substitution cannot be locked; name each package");
	CHECK_STR(found("FROM debian:12\nRUN apt-get install -y 'lib*'\n"),
		  "error: Dockerfile.in:2:24: apt-get install 'lib*': a glob cannot be locked; name "
		  "each package");
	CHECK_STR(found("FROM debian:12\nRUN apt-get install -y git/bookworm-backports\n"),
		  "error: Dockerfile.in:2:24: apt-get install 'git/bookworm-backports': pinned locks a "
		  "package named alone, or NAME=VERSION; not a release (NAME/RELEASE), a file or a "
		  "pattern");
	CHECK_STR(found("FROM scratch\nRUN apt-get install -y curl\n"),
		  "error: Dockerfile.in:2:5: apt-get install in a stage FROM scratch: there is no apt");
	test_end("installs: what cannot be locked is refused with its place");

	{
		struct apt_installs a;
		struct dockerfile *df = read_df("FROM debian:12 AS base\nFROM base\n"
						"RUN apt-get install -y curl\nFROM scratch\n");

		CHECK(df && apt_installs_find(&a, df) == 0, "%s", err_msg());
		if (df) {
			CHECK(a.nstages == 3, "%zu stages", a.nstages);
			CHECK(a.nstages == 3 && a.stages[0].parent == -1 && a.stages[1].parent == 0 &&
				      a.stages[2].scratch, "parents and scratch");
			apt_installs_release(&a);
			dockerfile_free(df);
		}
	}
	test_end("installs: stages, the stage each builds on, scratch");
	return TEST_MAIN_RESULT();
}
