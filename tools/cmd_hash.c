#include "cmd.h"
#include "context.h"
#include "digest.h"
#include "error.h"
#include "tar.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinned hash [-C DIR] [-f DOCKERFILE] [--rev REV]\n"
	"\n"
	"Print the build digest: one SHA-256 over the Dockerfile and the\n"
	"canonical context archive (see pinned context).\n"
	"\n"
	"  -C DIR         run as if started in DIR\n"
	"  -f DOCKERFILE  the Dockerfile, relative to the context (default Dockerfile)\n"
	"  --rev REV      hash git revision REV instead of the working tree\n"
	"  -h, --help     show this help\n";

static int add_entry(void *arg, const struct entry *e, int fd, const void *data)
{
	return tar_writer_add(arg, e, fd, data);
}

/* The digest of the context archive, computed without writing it. */
static int context_digest(unsigned char digest[DIGEST_LEN],
			  const struct context_opts *opts)
{
	struct tar_options topts = { .fd = -1 };
	struct tar_writer *w = NULL;
	int rc = -1;

	if (context_mtime(&topts.mtime, opts) == 0 &&
	    tar_writer_new(&w, &topts) == 0 &&
	    context_walk(opts, add_entry, w) == 0 &&
	    tar_writer_finish(w, digest) == 0)
		rc = 0;
	tar_writer_free(w);
	return rc;
}

/*
 * The build digest is the SHA-256 of a small text naming each input by
 * digest, one per line, in a fixed order:
 *   pinned build digest v1
 *   dockerfile sha256:...
 *   context sha256:...
 */
static int build_digest(char out[DIGEST_STRING_LEN + 1],
			const struct context_opts *opts)
{
	unsigned char digest[DIGEST_LEN];
	char dockerfile[DIGEST_STRING_LEN + 1], context[DIGEST_STRING_LEN + 1];
	char text[64 + 2 * DIGEST_STRING_LEN];
	char *content;
	size_t len;
	int rc;

	if (context_read(&content, &len, opts, opts->dockerfile) < 0)
		return -1;
	rc = sha256_buffer(digest, content, len);
	free(content);
	if (rc < 0)
		return -1;
	digest_format(dockerfile, digest);
	if (context_digest(digest, opts) < 0)
		return -1;
	digest_format(context, digest);
	len = (size_t)snprintf(text, sizeof(text),
			       "pinned build digest v1\ndockerfile %s\ncontext %s\n",
			       dockerfile, context);
	if (sha256_buffer(digest, text, len) < 0)
		return -1;
	digest_format(out, digest);
	return 0;
}

int cmd_hash(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rev", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct context_opts opts = { .root = ".", .dockerfile = "Dockerfile" };
	char digest[DIGEST_STRING_LEN + 1];
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
	if (build_digest(digest, &opts) < 0)
		return cmd_fail();
	puts(digest);
	return EXIT_SAME;
}
