#include "cmd.h"
#include "archive/context.h"
#include "debian/apt_lock.h"
#include "docker/images_lock.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "util/sha256.h"
#include "verify/provenance.h"
#include "verify/record.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: pinned provenance [-C DIR] [-o FILE] [--rev REV] [--name NAME]\n"
	"                         [--builder-id URI]\n"
	"\n"
	"Write the provenance of the build lockfiles/build.lock records: an in-toto\n"
	"Statement v1 whose predicate is SLSA provenance v1. Its subject is each image\n"
	"manifest built, by digest; its build definition names pinned, its version and\n"
	"the build digest; its resolved dependencies are the git commit, the context,\n"
	"the template, the Dockerfile, the lockfiles, the base images, the archive\n"
	"state (each suite's InRelease) and the packages, each by digest. The locks\n"
	"must be the ones the record names. Nothing in it is a time or a path of this\n"
	"machine: the same record gives the same bytes. Not signed: sign it with the\n"
	"tool your release uses (cosign attest-blob, in-toto-sign).\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  -o FILE                   write it to FILE (default standard output)\n"
	"  --rev REV                 the build recorded in revision REV, without checkout\n"
	"  --name NAME               the subject's name (default: image)\n"
	"  --builder-id URI          who ran the build (default\n"
	"                            " PROVENANCE_BUILDER_ID ")\n"
	"  -h, --help                show this help\n";

/* Lockfile 'path' of 'ctx', parsed by 'parse', when it is the one the
 * record names (or, named by none, absent). */
static int read_lock(struct context *ctx, const struct record *rec, const char *path,
		     int (*parse)(void *, const char *, size_t, const char *), void *out)
{
	const char *recorded = NULL;
	char digest[SHA256_STRING_LEN + 1] = "", *text = NULL;
	size_t len = 0;
	int rc = context_read(&text, &len, ctx, path);

	for (size_t i = 0; i < rec->locks.n; i++)
		if (!strcmp(rec->locks.v[i].name, path))
			recorded = rec->locks.v[i].value;
	if (rc == 0)
		rc = sha256_string(digest, text, len);
	else if (rc == ERR_NOTFOUND)
		rc = 0;
	if (rc == 0 && (recorded ? strcmp(digest, recorded) : !!digest[0]))
		rc = err_set("%s is not the one %s records: build again (make image), or see what "
			     "changed (pinned verify)", path, RECORD_PATH);
	if (rc == 0 && text)
		rc = parse(out, text, len, path);
	free(text);
	return rc;
}

static int parse_images(void *out, const char *text, size_t len, const char *path)
{
	return images_lock_parse(out, text, len, path);
}

static int parse_apt(void *out, const char *text, size_t len, const char *path)
{
	return apt_lock_parse(out, text, len, path);
}

/* What a statement pinned wrote holds at byte 4, after "{\n  ": a file the
 * context holds is overwritten only when it is one (cmd_open_output). */
#define STATEMENT_MAGIC "\"_type\": \"" PROVENANCE_STATEMENT_TYPE "\""

static int provenance(const char *rev, const char *output, struct provenance_input *in)
{
	struct context_opts opts = { .root = ".", .rev = rev };
	struct context *ctx = NULL;
	struct outfile out = { .fd = -1 };
	struct record rec = { 0 };
	struct images_lock images = { 0 };
	struct apt_lock apt = { 0 };
	json_t *statement = NULL;
	char *text = NULL;
	size_t len;
	int rc;

	if ((rc = cmd_open_context(&ctx, &opts)) < 0 || (rc = cmd_read_record(&rec, ctx, rev)) < 0 ||
	    (rc = read_lock(ctx, &rec, IMAGES_LOCK_PATH, parse_images, &images)) < 0 ||
	    (rc = read_lock(ctx, &rec, APT_LOCK_PATH, parse_apt, &apt)) < 0)
		goto done;
	in->record = &rec;
	in->images = &images;
	in->apt = &apt;
	if ((rc = provenance_statement(&statement, in)) < 0)
		goto done;
	if (jsonw_dump(&text, &len, statement) < 0)
		rc = err_nomem();
	else if ((rc = cmd_open_output(&out, ctx, output, "provenance", STATEMENT_MAGIC, 4)) == 0 &&
		 (rc = write_all(out.fd, text, len)) < 0) {
		if (strcmp(output, "-"))
			err_errno("cannot write '%s'", output);
		else
			err_errno("cannot write to standard output");
	}
	rc = rc < 0 ? rc : outfile_commit(&out);
done:
	if (rc < 0)
		outfile_abort(&out);
	json_decref(statement);
	free(text);
	images_lock_release(&images);
	apt_lock_release(&apt);
	record_release(&rec);
	context_free(ctx);
	return rc < 0 ? cmd_fail() : EXIT_SAME;
}

int cmd_provenance(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rev", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "builder-id", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	struct provenance_input in = { .name = "image", .version = PINNED_VERSION };
	const char *dir = NULL, *output = "-", *rev = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'o': output = optarg; break;
		case 'r': rev = optarg; break;
		case 'n': in.name = optarg; break;
		case 'b': in.builder_id = optarg; break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	if (!*in.name)
		return cmd_usage_error(usage, "--name takes a name");
	if (in.builder_id && !strstr(in.builder_id, "://"))
		return cmd_usage_error(usage, "--builder-id takes a URI (https://...)");
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	return provenance(rev, output, &in);
}
