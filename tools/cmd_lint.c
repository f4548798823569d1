#include "cmd.h"
#include "debian/apt_lock.h"
#include "docker/dockerfile.h"
#include "util/error.h"
#include "docker/lint.h"
#include "docker/images_lock.h"
#include "docker/render.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned lint [-C DIR] [-f DOCKERFILE] [--json]\n"
	"\n"
	"Report what breaks reproducibility, one finding per line as\n"
	"FILE:LINE:COL: ID name: reason. Exit 1 when there is any.\n"
	"\n"
	"  PIN001 unpinned-image            an image without a digest\n"
	"  PIN002 latest-tag                :latest, or no tag\n"
	"  PIN003 add-url-without-checksum  ADD <url> without --checksum\n"
	"  PIN004 apt-unpinned              apt-get install without =version (in\n"
	"                                   Dockerfile.in: one lockfiles/apt.lock does not pin)\n"
	"  PIN005 pip-unpinned              pip install without ==version\n"
	"  PIN006 npm-unpinned              npm install without @version\n"
	"  PIN007 pipe-to-shell             curl or wget piped into a shell\n"
	"  PIN008 apt-upgrade               apt-get upgrade / dist-upgrade\n"
	"  PIN009 stale-dockerfile          Dockerfile is not what pinned render makes\n"
	"  PIN010 undefined-variable        $NAME in FROM that no ARG sets (read as empty)\n"
	"  PIN011 image-depends-on-arg      an image name that a build argument or the\n"
	"                                   platform can change: the digest stays\n"
	"  PIN012 apt-package-not-lockable  apt-get install of $VARIABLE or a glob\n"
	"\n"
	"The file is read with the build arguments and platforms of the lock beside it.\n"
	"\n"
	"  -C DIR         run as if started in DIR\n"
	"  -f DOCKERFILE  the file to check (default Dockerfile, else Dockerfile.in);\n"
	"                 a Dockerfile is also compared with the Dockerfile.in and\n"
	"                 lockfiles/ beside it\n"
	"  --json         print the findings as a JSON array\n"
	"  -h, --help     show this help\n";

int cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *path = NULL, *base;
	char *template = NULL, *lock = NULL, *apt_lock = NULL;
	size_t blen;
	struct lint_findings findings = { 0 };
	struct images_lock inputs = { 0 };
	struct apt_lock apt = { 0 };
	struct dockerfile **dfs = NULL;
	size_t ndfs = 0;
	int json = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'f': path = optarg; break;
		case 'j': json = 1; break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	if (!path)
		path = access("Dockerfile", F_OK) == 0 || access(DOCKERFILE_TEMPLATE, F_OK) < 0 ?
			       "Dockerfile" : DOCKERFILE_TEMPLATE;
	rc = EXIT_TROUBLE;
	/* the template and the lock beside the file, never the working folder's */
	base = strrchr(path, '/');
	blen = base ? (size_t)(base - path) + 1 : 0;
	if (asprintf(&template, "%.*s%s", (int)blen, path, DOCKERFILE_TEMPLATE) < 0 ||
	    asprintf(&lock, "%.*s%s", (int)blen, path, IMAGES_LOCK_PATH) < 0 ||
	    asprintf(&apt_lock, "%.*s%s", (int)blen, path, APT_LOCK_PATH) < 0) {
		err_nomem();
		goto fail;
	}
	if (images_lock_read(&inputs, lock) < 0 ||
	    render_read_template(&dfs, &ndfs, path, &inputs) < 0 ||
	    lint_dockerfile(&findings, dfs[0]) < 0)
		goto fail;
	/* in the template, the installs the apt lock pins are not unpinned */
	if (!strcmp(path + blen, DOCKERFILE_TEMPLATE) &&
	    (apt_lock_read(&apt, apt_lock) < 0 || lint_drop_locked(&findings, dfs[0], &apt) < 0))
		goto fail;
	if (strcmp(path + blen, DOCKERFILE_TEMPLATE) && access(template, F_OK) == 0 &&
	    lint_stale(&findings, path, template, lock, apt_lock) < 0)
		goto fail;
	if (json) {
		char *text;

		if (lint_json(&text, &findings, path) < 0)
			goto fail;
		puts(text);
		free(text);
	} else {
		for (size_t i = 0; i < findings.n; i++) {
			const struct lint_finding *f = &findings.v[i];

			cmd_print(stdout, "%s:%zu:%zu: %s %s: %s", path, f->line, f->col,
				  lint_id(f->rule), lint_name(f->rule), f->message);
		}
	}
	rc = findings.n ? EXIT_DIFFERS : EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	free(template);
	free(lock);
	free(apt_lock);
	apt_lock_release(&apt);
	render_templates_free(dfs, ndfs);
	images_lock_release(&inputs);
	lint_findings_release(&findings);
	return rc;
}
