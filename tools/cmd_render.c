#include "cmd.h"
#include "debian/apt_lock.h"
#include "util/error.h"
#include "util/fileio.h"
#include "docker/render.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinned render [-C DIR] [-f TEMPLATE] [-o DOCKERFILE] [--check]\n"
	"\n"
	"Render the template with the digests of lockfiles/images.lock: every\n"
	"registry image gets its locked digest, every other byte stays as it is,\n"
	"and a header names the inputs by digest.\n"
	"\n"
	"  -C DIR         run as if started in DIR\n"
	"  -f TEMPLATE    the template (default Dockerfile.in)\n"
	"  -o DOCKERFILE  where the result goes (default Dockerfile)\n"
	"  --check        write nothing; exit 1 and name the first line that\n"
	"                 differs when DOCKERFILE is not what render would write\n"
	"  -h, --help     show this help\n";

static int check(const char *want, size_t wlen, const char *path, const char *template)
{
	size_t line;
	int differs = render_compare(&line, path, want, wlen);

	if (differs < 0 && differs != ERR_NOTFOUND)
		return cmd_fail();
	if (differs < 0)
		cmd_print(stdout, "%s: missing: run pinned render", path);
	else if (differs)
		cmd_print(stdout, "%s:%zu: differs from what pinned render makes of %s and %s", path,
		       line, template, IMAGES_LOCK_PATH);
	return differs ? EXIT_DIFFERS : EXIT_SAME;
}

/* Refuse to write 'output' over the input 'path'. */
static int refuse_input(const char *output, const char *path, const char *what)
{
	int same = strcmp(output, "-") ? path_same(output, path) : 0;

	if (same > 0)
		return err_set("refusing to write the Dockerfile over %s '%s'", what, path);
	return same;
}

int cmd_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *template = DOCKERFILE_TEMPLATE, *output = "Dockerfile";
	char *text;
	size_t len;
	int do_check = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:f:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'f': template = optarg; break;
		case 'o': output = optarg; break;
		case 'c': do_check = 1; break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	if (!do_check && refuse_input(output, template, "its template") < 0)
		return cmd_fail();
	if (!do_check && refuse_input(output, IMAGES_LOCK_PATH, "the lock") < 0)
		return cmd_fail();
	if (render_project(&text, &len, template, IMAGES_LOCK_PATH, APT_LOCK_PATH) < 0)
		return cmd_fail();
	if (do_check) {
		rc = check(text, len, output, template);
		free(text);
		return rc;
	}
	rc = EXIT_SAME;
	if (outfile_write(output, text, len) < 0)
		rc = cmd_fail();
	free(text);
	return rc;
}
