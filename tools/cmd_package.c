#include "cmd.h"
#include "archive/context.h"
#include "archive/package.h"
#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"usage: pinned package [-C DIR] [-o FILE] [--rev REV]\n"
	"\n"
	"Write the PlanQK upload: a zip of exactly the build context's entries\n"
	"(.dockerignore applied, then .planqkignore when there is one), sorted, every\n"
	"time the context's (SOURCE_DATE_EPOCH, else the commit time), stored, names\n"
	"flagged UTF-8, no extra fields: the same bytes on every machine. Print its\n"
	"SHA-256 as sha256:HEX.\n"
	"\n"
	"  -C DIR     run as if started in DIR\n"
	"  -o FILE    where it goes (default build/service.zip)\n"
	"  --rev REV  package git revision REV instead of the working tree\n"
	"  -h, --help show this help\n";

#define DEFAULT_PACKAGE "build/service.zip"
static int package(const char *output, const char *rev)
{
	struct context_opts opts = { .root = ".", .rev = rev,
				     .source_date_epoch = getenv("SOURCE_DATE_EPOCH") };
	struct context *ctx = NULL;
	struct outfile out = { .fd = -1 };
	unsigned char digest[SHA256_LEN];
	char hex[SHA256_STRING_LEN + 1];
	int rc = EXIT_TROUBLE;

	if (!output) {
		output = DEFAULT_PACKAGE;
		if (mkdir("build", 0777) < 0 && errno != EEXIST) {
			err_errno("cannot create directory 'build'");
			goto fail;
		}
	}
	if (cmd_open_context(&ctx, &opts) < 0 ||
	    cmd_open_output(&out, ctx, output, "package", "PK", 0) < 0 ||
	    package_write(digest, ctx, out.fd, output) < 0 || outfile_commit(&out) < 0)
		goto fail;
	sha256_format(hex, digest);
	if (strcmp(output, "-"))
		printf("%s\n", hex);
	else
		fprintf(stderr, "%s\n", hex);
	rc = EXIT_SAME;
	goto done;
fail:
	outfile_abort(&out);
	cmd_fail();
done:
	context_free(ctx);
	return rc;
}

int cmd_package(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rev", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *output = NULL, *rev = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'o': output = optarg; break;
		case 'r': rev = optarg; break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	if (output && !*output)
		return cmd_usage_error(usage, "-o needs a file name");
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	return package(output, rev);
}
