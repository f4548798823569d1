#include "cmd.h"
#include "context.h"
#include "error.h"
#include "fileio.h"
#include "tar.h"

#include <errno.h>
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

static int print_path(void *arg, const struct entry *e, int fd, const void *data)
{
	(void)arg;
	(void)fd;
	(void)data;
	if (puts(e->path) == EOF)
		return err_errno("cannot write the list");
	return 0;
}

static int add_entry(void *arg, const struct entry *e, int fd, const void *data)
{
	return tar_writer_add(arg, e, fd, data);
}

static int list(const struct context_opts *opts)
{
	if (context_walk(opts, print_path, NULL) < 0)
		return cmd_fail();
	if (fflush(stdout) == EOF || ferror(stdout)) {
		err_errno("cannot write the list");
		return cmd_fail();
	}
	return EXIT_SAME;
}

/* Never archive our own output file when it lies inside the context. */
static void skip_output(struct context_opts *opts, const struct outfile *out)
{
	struct stat st;

	if (out->tmp && fstat(out->fd, &st) == 0) {
		opts->skip[opts->nskip].dev = st.st_dev;
		opts->skip[opts->nskip].ino = st.st_ino;
		opts->nskip++;
	}
}

static int archive(struct context_opts *opts, const char *output,
		   const char *manifest_path)
{
	struct outfile out = { .fd = -1 }, mout = { .fd = -1 };
	struct tar_writer *w = NULL;
	struct tar_options topts = { .fd = -1 };
	unsigned char digest[DIGEST_LEN];
	char line[DIGEST_STRING_LEN + 1];
	FILE *manifest = NULL;
	int rc = EXIT_TROUBLE;

	if (context_mtime(&topts.mtime, opts) < 0)
		goto fail;
	if (!output) {
		output = "build/context.tar";
		if (mkdir("build", 0777) < 0 && errno != EEXIST) {
			err_errno("cannot create directory 'build'");
			goto fail;
		}
	}
	if (outfile_open(&out, output) < 0)
		goto fail;
	skip_output(opts, &out);
	if (manifest_path) {
		if (outfile_open(&mout, manifest_path) < 0)
			goto fail;
		skip_output(opts, &mout);
		if (!(manifest = fdopen(dup(mout.fd), "w"))) {
			err_errno("cannot write '%s'", manifest_path);
			goto fail;
		}
		fputs("# pinned context manifest v1: type mode size sha256 path [target]\n",
		      manifest);
	}
	topts.fd = out.fd;
	topts.manifest = manifest;
	if (tar_writer_new(&w, &topts) < 0 ||
	    context_walk(opts, add_entry, w) < 0 ||
	    tar_writer_finish(w, digest) < 0)
		goto fail;
	if (manifest) {
		int bad = ferror(manifest) | fclose(manifest);

		manifest = NULL;
		if (bad) {
			err_errno("cannot write '%s'", manifest_path);
			goto fail;
		}
		if (outfile_commit(&mout) < 0)
			goto fail;
	}
	if (outfile_commit(&out) < 0)
		goto fail;
	digest_format(line, digest);
	fprintf(strcmp(output, "-") ? stdout : stderr, "%s\n", line);
	rc = EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	tar_writer_free(w);
	if (manifest)
		fclose(manifest);
	outfile_abort(&mout);
	outfile_abort(&out);
	return rc;
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
	return do_list ? list(&opts) : archive(&opts, output, manifest);
}
