#include "cmd.h"
#include "archive/context.h"
#include "util/error.h"
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned context [-C DIR] [-o FILE] [--manifest FILE] [--rev REV]\n"
	"       pinned context [-C DIR] --list [--rev REV]\n"
	"\n"
	"Write the canonical tar of the build context and print its digest.\n"
	"\n"
	"  -C DIR           run as if started in DIR\n"
	"  -o FILE          write the archive to FILE (default build/context.tar);\n"
	"                   '-' writes it to standard output and the digest to stderr\n"
	"  --manifest FILE  also write a per-entry manifest: type, mode, size,\n"
	"                   SHA-256 of the content, path, link target\n"
	"  --list           print the paths that would be archived, in order\n"
	"  --rev REV        archive git revision REV from the object database\n"
	"  -h, --help       show this help\n";


static int print_path(void *arg, const struct tar_entry *e, int fd, const void *data)
{
	(void)arg;
	(void)fd;
	(void)data;
	if (cmd_print(stdout, "%s", e->path) == EOF)
		return err_errno("cannot write the list");
	return 0;
}

int cmd_write_context(unsigned char digest[SHA256_LEN], struct context *ctx, const char *output,
		      const char *manifest_path)
{
	struct outfile out = { .fd = -1 }, mout = { .fd = -1 };
	FILE *manifest = NULL;
	int rc = -1, fd = -1;

	if (!output) {
		output = DEFAULT_OUTPUT;
		if (mkdir("build", 0777) < 0 && errno != EEXIST) {
			err_errno("cannot create directory 'build'");
			goto fail;
		}
	}
	if (manifest_path && strcmp(output, "-") && strcmp(manifest_path, "-")) {
		int same = path_same(output, manifest_path);

		if (same < 0)
			goto fail;
		if (same) {
			err_set("-o and --manifest name the same file '%s'", manifest_path);
			goto fail;
		}
	}
	if (cmd_open_output(&out, ctx, output, "archive", "ustar", 257) < 0)
		goto fail;
	if (manifest_path) {
		if (cmd_open_output(&mout, ctx, manifest_path, "manifest", CONTEXT_MANIFEST_HEADER, 0) < 0)
			goto fail;
		if ((fd = dup(mout.fd)) < 0 || !(manifest = fdopen(fd, "w"))) {
			err_errno("cannot write '%s'", manifest_path);
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		fputs(CONTEXT_MANIFEST_HEADER, manifest);
	}
	if (context_archive(digest, ctx, out.fd, output, manifest) < 0)
		goto fail;
	if (manifest) {
		int bad = ferror(manifest) | fclose(manifest);

		manifest = NULL;
		if (bad) {
			err_errno("cannot write '%s'", manifest_path);
			goto fail;
		}
	}
	/* both or neither: never a new manifest beside an old archive */
	if (outfile_commit_all((struct outfile *[]){ &out, &mout }, manifest_path ? 2 : 1) < 0)
		goto fail;
	rc = 0;
fail:
	if (manifest)
		fclose(manifest);
	outfile_abort(&mout);
	outfile_abort(&out);
	return rc;
}

static int archive(struct context *ctx, const char *output, const char *manifest_path)
{
	unsigned char digest[SHA256_LEN];
	char line[SHA256_STRING_LEN + 1];

	if (cmd_write_context(digest, ctx, output, manifest_path) < 0)
		return cmd_fail();
	sha256_format(line, digest);
	fprintf(output && !strcmp(output, "-") ? stderr : stdout, "%s\n", line);
	return EXIT_SAME;
}

int cmd_context(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "list", no_argument, NULL, 'l' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "rev", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct context_opts opts = { .root = "." };
	struct context *ctx = NULL;
	const char *dir = NULL, *output = NULL, *manifest = NULL;
	int do_list = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'o': output = optarg; break;
		case 'm': manifest = optarg; break;
		case 'l': do_list = 1; break;
		case 'r': opts.rev = optarg; break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	if (do_list && (output || manifest))
		return cmd_usage_error(usage, "--list writes nothing: it takes no -o or --manifest");
	if (output && manifest && !strcmp(output, "-") && !strcmp(manifest, "-"))
		return cmd_usage_error(usage, "the archive and the manifest cannot both go to standard output");
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	opts.source_date_epoch = getenv("SOURCE_DATE_EPOCH");
	if (cmd_open_context(&ctx, &opts) < 0) {
		context_free(ctx);
		return cmd_fail();
	}
	if (do_list)	/* what the default run would archive: never its output */
		rc = context_walk(ctx, print_path, NULL) < 0 ? cmd_fail() : EXIT_SAME;
	else
		rc = archive(ctx, output, manifest);
	context_free(ctx);
	return rc;
}
