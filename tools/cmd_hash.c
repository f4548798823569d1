#include "verify/build_digest.h"
#include "cmd.h"
#include "archive/context.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinned hash [-C DIR] [-f DOCKERFILE] [--rev REV]\n"
	"\n"
	"Print the build digest: one SHA-256 over the Dockerfile, the canonical\n"
	"context archive (see pinned context) and the lockfiles.\n"
	"\n"
	"  -C DIR         run as if started in DIR\n"
	"  -f DOCKERFILE  the Dockerfile, relative to the context (default Dockerfile)\n"
	"  --rev REV      hash git revision REV instead of the working tree\n"
	"  -h, --help     show this help\n";

int cmd_hash(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rev", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct context_opts opts = { .root = ".", .dockerfile = "Dockerfile" };
	char digest[SHA256_STRING_LEN + 1];
	struct context *ctx = NULL;
	const char *dir = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'f': opts.dockerfile = optarg; break;
		case 'r': opts.rev = optarg; break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	opts.source_date_epoch = getenv("SOURCE_DATE_EPOCH");
	rc = EXIT_SAME;
	if (cmd_open_context(&ctx, &opts) < 0 ||
	    build_digest(digest, ctx, opts.dockerfile) < 0)
		rc = cmd_fail();
	else
		puts(digest);
	context_free(ctx);
	return rc;
}
