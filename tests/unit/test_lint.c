/* The lint rules on a parsed Dockerfile. */
#include "docker/dockerfile.h"
#include "docker/lint.h"
#include "util/error.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

static const char text[] =
	"FROM python\n"
	"FROM debian:bookworm@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef AS b\n"
	"RUN apt-get update && apt-get install -y curl jq=1.6 \\\n"
	"    && curl -fsSL https://x.example/i.sh | sh\n"
	"RUN pip install flask==3.0 requests && npm i left-pad\n"
	"ADD https://x.example/f.tgz /f.tgz\n"
	"ADD --checksum=sha256:00 https://x.example/g.tgz /g.tgz\n"
	"RUN apt-get dist-upgrade\n"
	"FROM debian:${V:-bookworm}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";

static const char *const want[] = {
	"1:6 PIN001 image 'python' has no digest: run pinned lock and pinned render",
	"1:6 PIN002 image 'python' has no tag, so it means latest: name the version you mean",
	"3:42 PIN004 apt install without a version: curl",
	"4:8 PIN007 curl output piped into sh runs whatever the server sends that day",
	"5:28 PIN005 pip install without a version: requests",
	"5:46 PIN006 npm install without a version: left-pad",
	"6:5 PIN003 ADD https://x.example/f.tgz without --checksum takes whatever the server sends",
	"8:13 PIN008 apt-get dist-upgrade makes the image depend on the day it is built",
	"9:6 PIN011 image 'debian:${V:-bookworm}@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef' "
	"depends on V: it is locked as 'debian:bookworm', and a build given another value gets that digest; "
	"lock for the values built (pinned lock --build-arg, --platform), or pin each value in a stage of "
	"its own and choose the stage by the ARG",
};

int main(void)
{
	struct dockerfile *df = NULL;
	struct lint_findings f = { 0 };
	size_t n = sizeof(want) / sizeof(want[0]);

	CHECK(dockerfile_parse(&df, text, strlen(text), "Dockerfile") == 0, "%s", err_msg());
	CHECK(df && lint_dockerfile(&f, df) == 0, "%s", err_msg());
	CHECK(f.n == n, "%zu findings, want %zu", f.n, n);
	for (size_t i = 0; i < f.n && i < n; i++) {
		char got[1024];

		snprintf(got, sizeof(got), "%zu:%zu %s %s", f.v[i].line, f.v[i].col,
			 lint_id(f.v[i].rule), f.v[i].message);
		CHECK_STR(got, want[i]);
	}
	lint_findings_release(&f);
	dockerfile_free(df);
	test_end("lint: every rule, in order of place, with its message");
	return TEST_MAIN_RESULT();
}
