#include "cmd.h"
#include "dockerfile.h"
#include "error.h"
#include "lint.h"
#include "render.h"

#include <getopt.h>
#include <jansson.h>
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
	"  PIN004 apt-unpinned              apt-get install without =version\n"
	"  PIN005 pip-unpinned              pip install without ==version\n"
	"  PIN006 npm-unpinned              npm install without @version\n"
	"  PIN007 pipe-to-shell             curl or wget piped into a shell\n"
	"  PIN008 apt-upgrade               apt-get upgrade / dist-upgrade\n"
	"  PIN009 stale-dockerfile          Dockerfile is not what pinned render makes\n"
	"\n"
	"  -C DIR         run as if started in DIR\n"
	"  -f DOCKERFILE  the file to check (default Dockerfile, else Dockerfile.in);\n"
	"                 Dockerfile is also compared with Dockerfile.in and the locks\n"
	"  --json         print the findings as a JSON array\n"
	"  -h, --help     show this help\n";

/* PIN009: compare 'path' with what render makes of the template and lock. */
static int lint_stale(struct lint_finding **findings, size_t *n, const char *path)
{
	char *want;
	size_t wlen, line;
	int differs;

	if (render_project(&want, &wlen, DOCKERFILE_TEMPLATE, IMAGES_LOCK_PATH) < 0)
		return lint_add(findings, n, LINT_STALE, 1, 1, "cannot render %s to compare: %s",
				DOCKERFILE_TEMPLATE, err_msg());
	differs = render_compare(&line, path, want, wlen);
	free(want);
	if (differs <= 0)
		return differs;
	return lint_add(findings, n, LINT_STALE, line, 1,
			"differs from what pinned render makes of %s and %s: edited by hand, or stale",
			DOCKERFILE_TEMPLATE, IMAGES_LOCK_PATH);
}

static int print_json(const struct lint_finding *f, size_t n, const char *path)
{
	json_t *list = json_array();
	char *text;

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "file", json_string(path));
		json_object_set_new(o, "line", json_integer((json_int_t)f[i].line));
		json_object_set_new(o, "column", json_integer((json_int_t)f[i].col));
		json_object_set_new(o, "id", json_string(lint_id(f[i].rule)));
		json_object_set_new(o, "name", json_string(lint_name(f[i].rule)));
		json_object_set_new(o, "message", json_string(f[i].message));
		json_array_append_new(list, o);
	}
	text = json_dumps(list, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(list);
	if (!text)
		return err_set("out of memory");
	puts(text);
	free(text);
	return 0;
}

int cmd_lint(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *path = NULL;
	struct lint_finding *findings = NULL;
	struct dockerfile *df = NULL;
	size_t n = 0;
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
	if (dockerfile_load(&df, path) < 0 || lint_dockerfile(&findings, &n, df) < 0)
		goto fail;
	if (strcmp(path, DOCKERFILE_TEMPLATE) && access(DOCKERFILE_TEMPLATE, F_OK) == 0 &&
	    lint_stale(&findings, &n, path) < 0)
		goto fail;
	if (json) {
		if (print_json(findings, n, path) < 0)
			goto fail;
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s:%zu:%zu: %s %s: %s\n", path, findings[i].line, findings[i].col,
			       lint_id(findings[i].rule), lint_name(findings[i].rule),
			       findings[i].message);
	}
	rc = n ? EXIT_DIFFERS : EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	dockerfile_free(df);
	lint_findings_free(findings, n);
	return rc;
}
