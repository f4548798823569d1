#include "cmd.h"
#include "digest.h"
#include "dockerfile.h"
#include "error.h"
#include "fileio.h"
#include "lockfile.h"
#include "render.h"

#include <errno.h>
#include <fcntl.h>
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

#define LOCK_PATH "lockfiles/images.lock"

/* "sha256:..." of the bytes of 'path' into 'out'. */
static int file_digest(char out[DIGEST_STRING_LEN + 1], const char *path)
{
	unsigned char digest[DIGEST_LEN];
	char *text;
	size_t len;
	int rc;

	if (file_read_at(&text, &len, AT_FDCWD, path) < 0)
		return err_errno("cannot read '%s'", path);
	rc = sha256_buffer(digest, text, len);
	free(text);
	if (rc == 0)
		digest_format(out, digest);
	return rc;
}

/*
 * The Dockerfile that 'template' and the lock make. Returns 0, or -1 with
 * err_msg() set.
 */
int render_project(char **out, size_t *len, const char *template)
{
	struct dockerfile *df = NULL;
	struct images_lock lock = { 0 };
	char tdigest[DIGEST_STRING_LEN + 1], ldigest[DIGEST_STRING_LEN + 1];
	struct render_inputs in = { template, tdigest, LOCK_PATH, ldigest };
	int rc = -1;

	*out = NULL;
	if (dockerfile_load(&df, template) == 0 && file_digest(tdigest, template) == 0 &&
	    file_digest(ldigest, LOCK_PATH) == 0 && images_lock_read(&lock, LOCK_PATH) == 0)
		rc = render_dockerfile(out, len, df, &lock, &in);
	if (rc < 0 && errno == ENOENT && strstr(err_msg(), LOCK_PATH))
		err_set("cannot read '%s': no such file: run pinned lock", LOCK_PATH);
	dockerfile_free(df);
	images_lock_free(&lock);
	return rc;
}

/* The first line where 'a' and 'b' differ, 1-based. */
static size_t first_difference(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t line = 1;

	for (size_t i = 0; i < alen && i < blen && a[i] == b[i]; i++)
		line += a[i] == '\n';
	return line;
}

static int check(const char *want, size_t wlen, const char *path, const char *template)
{
	char *have;
	size_t hlen;

	if (file_read_at(&have, &hlen, AT_FDCWD, path) < 0) {
		if (errno != ENOENT)
			return cmd_fail();
		printf("%s: missing: run pinned render\n", path);
		return EXIT_DIFFERS;
	}
	if (hlen == wlen && !memcmp(have, want, wlen)) {
		free(have);
		return EXIT_SAME;
	}
	printf("%s:%zu: differs from what pinned render makes of %s and %s\n", path,
	       first_difference(have, hlen, want, wlen), template, LOCK_PATH);
	free(have);
	return EXIT_DIFFERS;
}

int cmd_render(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "check", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *template = "Dockerfile.in", *output = "Dockerfile";
	struct outfile out;
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
		case 'h': fputs(usage, stdout); return EXIT_SAME;
		default:
			return cmd_usage_error(usage, "unknown or incomplete option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cmd_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if ((rc = cmd_chdir(dir)))
		return rc;
	if (render_project(&text, &len, template) < 0)
		return cmd_fail();
	if (do_check) {
		rc = check(text, len, output, template);
		free(text);
		return rc;
	}
	rc = outfile_open(&out, output) < 0 || write_all(out.fd, text, len) < 0 ?
		     (errno ? err_errno("cannot write '%s'", output) : -1) :
		     outfile_commit(&out);
	free(text);
	if (rc < 0) {
		outfile_abort(&out);
		return cmd_fail();
	}
	return EXIT_SAME;
}
