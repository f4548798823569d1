#include "cmd.h"
#include "archive/context.h"
#include "archive/extract.h"
#include "docker/dockerfile.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "verify/imagediff.h"
#include "verify/record.h"

#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned diff [-C DIR] [--semantic] [--json] [--registry-mirror HOST]\n"
	"                   [--insecure-registry HOST]... A B\n"
	"\n"
	"Say what differs between A and B, two of a kind, by class as verify does:\n"
	"  build records   lockfiles/build.lock files (their build.manifest beside them\n"
	"                  names the context's entries), or two git revisions of the\n"
	"                  project, each by the record it holds: template, Dockerfile,\n"
	"                  locks, base images, packages, context entries, and the images\n"
	"                  built (builder, time, manifest, config, layers)\n"
	"  locks           two images.lock or two apt.lock files: the images and\n"
	"                  packages that moved, from what to what\n"
	"  images          oci:DIR[:TAG] or a folder holding an OCI layout,\n"
	"                  oci-archive:FILE[:TAG], or a registry reference (docker://REF\n"
	"                  to say so): config fields, then layers by position and in a\n"
	"                  layer that differs each file (content, with a text's first\n"
	"                  differing line; mode, owner, mtime, xattrs, link target;\n"
	"                  whiteouts), never by the order of a layer's files\n"
	"An operand that is not a file or folder is a revision when the project has\n"
	"it, else an image reference. Exit status 0 same, 1 differs, 2 trouble.\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  --semantic                images: leave out file times, the creation time and\n"
	"                            the history, as diffoci --semantic does, and say so\n"
	"  --json                    the same as JSON\n"
	"  --registry-mirror HOST    pull Docker Hub images through HOST\n"
	"  --insecure-registry HOST  HOST may answer plain HTTP (loopback hosts may anyway)\n"
	"  -h, --help                show this help\n";

/* One operand, read. */
struct side {
	const char *arg;
	int image;		/* 1: an image in 'layout'; 0: a record or lock in 'rec' */
	char *layout, *tag;	/* owned */
	enum record_kind kind;
	struct record rec;
	char *manifest;		/* a record file's manifest beside it, or NULL */
	struct context *ctx;	/* a revision's, to read its manifest */
};

static void side_release(struct side *s)
{
	free(s->layout);
	free(s->tag);
	free(s->manifest);
	record_release(&s->rec);
	context_free(s->ctx);
}

/* 'file', a record or a lock. A record's manifest is the file beside it:
 * NAME.lock's NAME.manifest. */
static int read_file(struct side *s, const char *file)
{
	char *text = NULL;
	size_t len, n = strlen(file);
	int rc;

	if ((rc = file_read_at(&text, &len, AT_FDCWD, file)) < 0)
		return rc;
	rc = record_read_any(&s->rec, &s->kind, text, len, file);
	free(text);
	if (rc == 0 && s->kind == RECORD_BUILD &&
	    asprintf(&s->manifest, "%.*s.manifest",
		     (int)(n > 5 && !strcmp(file + n - 5, ".lock") ? n - 5 : n), file) < 0) {
		s->manifest = NULL;
		rc = err_nomem();
	}
	return rc;
}

/* The record revision 'rev' holds; err_code() ERR_NOTFOUND: no such
 * revision here, or no repository. */
static int read_revision(struct side *s, const char *rev)
{
	struct context_opts opts = { .root = ".", .rev = rev };
	int rc;

	if ((rc = cmd_open_context(&s->ctx, &opts)) < 0)
		return rc;
	s->kind = RECORD_BUILD;
	/* a revision without a record is trouble, never an image to pull */
	if ((rc = cmd_read_record(&s->rec, s->ctx, rev)) == ERR_NOTFOUND)
		return err_set("revision %s holds no record %s", rev, RECORD_PATH);
	return rc;
}

/* Read operand 'arg' into 's'; images from elsewhere go to 'tmp'/'name'. */
static int read_side(struct side *s, const char *arg, const char *tmp, const char *name,
		     const struct build_settings *settings)
{
	char dir[4096];
	struct stat st;
	int rc;

	s->arg = arg;
	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	if ((rc = cmd_image_operand(&s->layout, &s->tag, arg, dir, settings)) != 0) {
		s->image = 1;
		return rc < 0 ? rc : 0;
	}
	if (stat(arg, &st) == 0)
		return read_file(s, arg);
	if ((rc = read_revision(s, arg)) == 0 || err_code() != ERR_NOTFOUND)
		return rc;
	record_release(&s->rec);
	context_free(s->ctx);
	s->ctx = NULL;
	/* no such revision here: an image in a registry */
	s->image = 1;
	if (cmd_pull(arg, dockerfile_host_platform(), settings, dir) < 0)
		return err_prefix("'%s' is not a file, a folder or a revision here, nor an image "
				  "that could be pulled", arg);
	return (s->layout = strdup(dir)) ? 0 : err_nomem();
}

/* The manifest of a record: beside its file, or in its revision. */
static int read_manifest(struct side *s)
{
	char *text = NULL;
	size_t len;
	int rc = s->ctx ? context_read(&text, &len, s->ctx, RECORD_MANIFEST_PATH)
			: file_read_at(&text, &len, AT_FDCWD, s->manifest);
	const char *name = s->ctx ? RECORD_MANIFEST_PATH : s->manifest;

	if (rc == ERR_NOTFOUND)
		return err_set("no %s beside the record %s: its context entries cannot be named",
			       name, s->arg);
	return rc < 0 ? rc : record_take_manifest(&s->rec, text, len, name);
}

static const char *kind_name(const struct side *s)
{
	static const char *const names[] = {
		[RECORD_UNKNOWN] = "?", [RECORD_BUILD] = "build records",
		[RECORD_IMAGES_LOCK] = "images locks", [RECORD_APT_LOCK] = "apt locks",
	};

	return s->image ? "images" : names[s->kind];
}

/* Two records or locks: as verify says it, with "then". */
static int diff_recorded(struct side *a, struct side *b, int json)
{
	struct record_diffs d = { 0 };
	json_t *root = NULL;
	char more[300], *text = NULL;
	size_t len;
	int rc = -1;

	if (a->kind == RECORD_BUILD && strcmp(a->rec.manifest_digest, b->rec.manifest_digest) &&
	    (read_manifest(a) < 0 || read_manifest(b) < 0))
		goto done;
	if (record_compare(&d, &a->rec, &b->rec) < 0 ||
	    (a->kind == RECORD_BUILD && record_compare_builds(&d, &a->rec, &b->rec) < 0))
		goto done;
	if (json) {
		root = json_pack("{s:s, s:s, s:s, s:b}", "a", a->arg, "b", b->arg, "kind",
				 kind_name(a), "same", !d.n);
		if (jsonw_set(root, "differences", cmd_diffs_json(&d, "a", "b")) < 0 ||
		    (a->kind == RECORD_BUILD &&
		     jsonw_set(root, "build_digest", json_pack("{s:s, s:s}", "a", a->rec.build_digest,
							       "b", b->rec.build_digest)) < 0) ||
		    jsonw_dump(&text, &len, root) < 0) {
			err_nomem();
			goto done;
		}
		fwrite(text, 1, len, stdout);
	} else {
		for (size_t i = 0; i < d.n; i++) {
			cmd_diff_detail(more, sizeof(more), &d.v[i], "then");
			cmd_print(stdout, "%s: %s: %s%s", d.v[i].class, d.v[i].path, d.v[i].what, more);
		}
		if (d.n)
			cmd_print(stdout, "%zu difference%s between the %s %s and %s%s%s%s%s", d.n,
				  d.n == 1 ? "" : "s", kind_name(a), a->arg, b->arg,
				  a->kind == RECORD_BUILD ? ": build digest " : "",
				  a->kind == RECORD_BUILD ? a->rec.build_digest : "",
				  a->kind == RECORD_BUILD ? ", then " : "",
				  a->kind == RECORD_BUILD ? b->rec.build_digest : "");
		else if (a->kind == RECORD_BUILD)
			cmd_print(stdout, "same: the %s %s and %s: build digest %s", kind_name(a),
				  a->arg, b->arg, a->rec.build_digest);
		else
			cmd_print(stdout, "same: the %s %s and %s (%zu %s)", kind_name(a), a->arg,
				  b->arg, a->kind == RECORD_APT_LOCK ? a->rec.packages.n : a->rec.images.n,
				  a->kind == RECORD_APT_LOCK ? "packages" : "images");
	}
	rc = d.n ? EXIT_DIFFERS : EXIT_SAME;
done:
	json_decref(root);
	free(text);
	record_diffs_release(&d);
	return rc;
}

#define SEMANTIC_NOTE "(--semantic: file times, the creation time and the history not compared)"

/* Two images, file by file. */
static int diff_images(const struct side *a, const struct side *b, unsigned flags, int json)
{
	char *lines = NULL, *text = NULL;
	size_t nlines = 0, len;
	json_t *root = NULL, *list = json_array();
	FILE *f = open_memstream(&lines, &nlines);
	int n = -1, rc = -1;

	if (!f) {
		err_nomem();
		goto done;
	}
	n = image_diff_tags(f, a->layout, a->tag, b->layout, b->tag, flags);
	if (fclose(f) != 0 && n >= 0)
		n = err_nomem();
	if (n < 0)
		goto done;
	if (json) {
		root = json_pack("{s:s, s:s, s:s, s:b, s:b, s:i}", "a", a->arg, "b", b->arg, "kind",
				 "images", "same", !n, "semantic", !!(flags & IMAGE_DIFF_SEMANTIC),
				 "causes", n);
		if (!list || cmd_json_lines(list, lines, nlines) < 0 ||
		    jsonw_set(root, "lines", json_incref(list)) < 0 || jsonw_dump(&text, &len, root) < 0) {
			err_nomem();
			goto done;
		}
		fwrite(text, 1, len, stdout);
	} else {
		fwrite(lines, 1, nlines, stdout);
		if (flags & IMAGE_DIFF_SEMANTIC)
			cmd_print(stdout, "%s", SEMANTIC_NOTE);
		if (n)
			cmd_print(stdout, "%d difference%s between the images %s and %s", n,
				  n == 1 ? "" : "s", a->arg, b->arg);
		else
			cmd_print(stdout, "same: the images %s and %s", a->arg, b->arg);
	}
	rc = n ? EXIT_DIFFERS : EXIT_SAME;
done:
	json_decref(root);
	json_decref(list);
	free(lines);
	free(text);
	return rc;
}

static int diff(const char *arg_a, const char *arg_b, unsigned flags, int json,
		const struct build_settings *settings)
{
	struct side a = { 0 }, b = { 0 };
	char tmp[4096];
	int rc = EXIT_TROUBLE;

	if (cmd_temp_dir(tmp, "diff") < 0)
		return cmd_fail();
	if (read_side(&a, arg_a, tmp, "a", settings) < 0 ||
	    read_side(&b, arg_b, tmp, "b", settings) < 0)
		goto fail;
	if (a.image != b.image || (!a.image && a.kind != b.kind)) {
		err_set("%s and %s are not two of a kind (%s, then %s)", arg_a, arg_b,
			kind_name(&a), kind_name(&b));
		goto fail;
	}
	if ((flags & IMAGE_DIFF_SEMANTIC) && !a.image) {
		err_set("--semantic is for images, and these are %s", kind_name(&a));
		goto fail;
	}
	rc = a.image ? diff_images(&a, &b, flags, json) : diff_recorded(&a, &b, json);
	if (rc >= 0)
		goto done;
fail:
	rc = cmd_fail();
done:
	side_release(&a);
	side_release(&b);
	remove_tree(tmp);
	return rc;
}

int cmd_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "semantic", no_argument, NULL, 's' },
		REGISTRY_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct build_settings s = { 0 };
	const char *dir = NULL;
	unsigned flags = 0;
	int json = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'j': json = 1; break;
		case 's': flags |= IMAGE_DIFF_SEMANTIC; break;
		default:
			if ((rc = cmd_build_option(&s, c, optarg, usage)) == 1)
				return cmd_other_option(c, argv, usage);
			if (rc)
				return rc;
		}
	}
	if (argc - optind != 2)
		return cmd_usage_error(usage, "diff takes two operands, A and B");
	if ((rc = cmd_build_settings_done(&s, usage)) >= 0 ||
	    (rc = cmd_begin(optind, argv, usage, dir)) >= 0)
		return rc;
	return diff(argv[optind], argv[optind + 1], flags, json, &s);
}
