/* The lint rules on a parsed Dockerfile. */
#include "debian/apt_lock.h"
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
	"RUN apt-get dist-upgrade && apt-get install -y \"$EXTRA\" lib*-dev\n"
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
	"8:48 PIN012 apt install '$EXTRA': a variable or command substitution cannot be locked; name each package",
	"8:57 PIN012 apt install 'lib*-dev': a glob cannot be locked; name each package",
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

	{
		/* the installs apt.lock pins are not PIN004 in the template */
		static const char tpl[] = "FROM debian:bookworm\nRUN apt-get install -y curl\n"
					  "FROM debian:bookworm\nRUN apt-get install -y jq\n";
		static char *req[] = { "curl", NULL };
		struct apt_lock_install in = { req, 1, NULL, NULL, 0, 0 };
		struct apt_lock_stage st = { 0 };
		struct apt_lock apt = { &st, 1, 1 };

		st.installs = &in;
		st.ninstalls = 1;
		df = NULL;
		CHECK(dockerfile_parse(&df, tpl, strlen(tpl), "Dockerfile.in") == 0, "%s", err_msg());
		CHECK(df && lint_dockerfile(&f, df) == 0 && lint_drop_locked(&f, df, &apt) == 0, "lint");
		CHECK(f.n == 3 && f.v[2].rule == LINT_APT_UNPINNED && f.v[2].line == 4,
		      "only the second stage's install, which the lock does not pin: %zu findings", f.n);
		lint_findings_release(&f);
		dockerfile_free(df);
	}
	test_end("lint: in the template, what apt.lock pins is not unpinned");
	return TEST_MAIN_RESULT();
}
