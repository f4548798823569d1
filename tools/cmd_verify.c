#include "cmd.h"
#include "archive/context.h"
#include "archive/extract.h"
#include "debian/apt_lock.h"
#include "docker/dockerfile.h"
#include "docker/image_ref.h"
#include "docker/registry.h"
#include "docker/images_lock.h"
#include "docker/render.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/jsonw.h"
#include "verify/imagediff.h"
#include "verify/record.h"
#include "verify/statcache.h"

#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned verify [-C DIR] [--rev REV] [--rebuild] [--image REF|[oci:]DIR] [--json]\n"
	"                     [--builder NAME] [--registry-mirror HOST] [--insecure-registry HOST]...\n"
	"\n"
	"Check the tree (or git revision REV, without a checkout) against the record\n"
	"of its build, lockfiles/build.lock: compute again the digests of the\n"
	"template, the Dockerfile, each lockfile and every entry of the context (with\n"
	"the time the record was built with), the images and packages the locks pin,\n"
	"and the build digest, and name every difference, by class: template,\n"
	"dockerfile, lock, base image, package, context. In the working tree the\n"
	"Dockerfile must also be what pinned render makes of the template and the\n"
	"locks, and build/verify.cache spares reading the files whose stat is\n"
	"unchanged. With --image, an image is compared too (from an OCI layout, or\n"
	"copied from a registry into build/image-pulled), as images are compared now:\n"
	"its platform's manifest, config and each layer's diff_id, never the index;\n"
	"and, when build/image holds the recorded image, how they differ, file by\n"
	"file. With --rebuild, the image is built again from the\n"
	"tree at the record's time (into build/image-rebuild, with the recorded builder\n"
	"unless --builder names one) and compared so. Exit 0 same, 1 differs, 2 trouble.\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  --rev REV                 verify git revision REV against its own record\n"
	"  --rebuild                 build the working tree again and compare the image\n"
	"  --image REF|[oci:]DIR     compare this image with the record's: a registry\n"
	"                            reference (host/name:tag or @digest), or an OCI layout\n"
	"  --json                    print the report as JSON\n"
	BUILD_OPTIONS_USAGE
	"  -h, --help                show this help\n";

#define REBUILD_STORAGE BUILD_STORAGE "-rebuild"
#define REBUILD_IMAGE BUILD_IMAGE "-rebuild"
#define PULLED_IMAGE BUILD_IMAGE "-pulled"

#define DOCKERFILE "Dockerfile"

/* The record, from the tree or from the revision 'rev' (then '*commit' gets
 * the commit it resolved to, so that the run reads one revision). */
static int read_record(struct record *rec, const char *rev, char **commit)
{
	/* a file is read, nothing archived: any time will do, and with one
	 * given the working tree's HEAD is not looked up */
	struct context_opts opts = { .root = ".", .rev = rev, .source_date_epoch = "0" };
	struct context *ctx = NULL;
	int rc;

	*commit = NULL;
	if ((rc = cmd_open_context(&ctx, &opts)) < 0) {
		context_free(ctx);
		return rc;
	}
	if (rev && !(*commit = strdup(context_commit(ctx))))
		rc = err_nomem();
	else
		rc = cmd_read_record(rec, ctx, rev);
	context_free(ctx);
	return rc;
}

/* How the image differs, when build/image holds the recorded image. */
struct explanation {
	char *text;	/* image_diff()'s lines, or NULL: no recorded image to read */
	size_t len;
	int causes;
};

/* How the image at 'layout' differs from the recorded one, file by file,
 * when 'd' names an image difference and build/image holds that image. */
static int explain(struct explanation *x, const struct record_diffs *d,
		   const struct record *recorded, const char *layout)
{
	struct layout_image built;
	int image = 0, same = 0;
	FILE *f;

	for (size_t i = 0; i < d->n; i++)
		image |= !strncmp(d->v[i].class, "image", 5);
	if (!image)
		return 0;
	if (layout_image_load(&built, BUILD_IMAGE) == 0)
		for (size_t i = 0; i < recorded->nbuilds; i++)
			same |= !strcmp(recorded->builds[i].manifest, built.manifest_digest);
	layout_image_release(&built);
	if (!same)
		return 0;
	if (!(f = open_memstream(&x->text, &x->len)))
		return err_nomem();
	x->causes = image_diff(f, BUILD_IMAGE, layout);
	if (fclose(f) != 0 && x->causes >= 0)
		x->causes = err_nomem();
	return x->causes < 0 ? -1 : 0;
}

static int report_text(const struct record *recorded, const struct record *now,
		       const struct record_diffs *d, int stale, size_t stale_line, const char *image,
		       const struct statcache *cache, const struct explanation *how)
{
	char more[300], files[100] = "";
	size_t cached = 0, read = 0;
	int images = 0;

	for (size_t i = 0; i < d->n; i++) {
		cmd_diff_detail(more, sizeof(more), &d->v[i], "now");
		cmd_print(stdout, "%s: %s: %s%s", d->v[i].class, d->v[i].path, d->v[i].what, more);
		images |= !strncmp(d->v[i].class, "image", 5);
	}
	if (images && !how->text)
		cmd_print(stdout, "(build/image does not hold the recorded image: no file by file "
			  "comparison)");
	if (how->text) {
		cmd_print(stdout, "how the image differs from the recorded one (%s), %d difference%s:",
			  BUILD_IMAGE, how->causes, how->causes == 1 ? "" : "s");
		fwrite(how->text, 1, how->len, stdout);
	}
	if (stale)
		cmd_print(stdout, "dockerfile: %s:%zu: stale: not what pinned render makes of %s and "
			  "the locks now", DOCKERFILE, stale_line, DOCKERFILE_TEMPLATE);
	if (d->n || stale)
		cmd_print(stdout, "%zu difference%s from %s: build digest %s recorded, %s now",
			  d->n + (size_t)stale, d->n + (size_t)stale == 1 ? "" : "s", RECORD_PATH,
			  recorded->build_digest, now->build_digest);
	else {
		if (cache) {
			statcache_counts(cache, &cached, &read);
			snprintf(files, sizeof(files), " (%zu files read, %zu known by their stat)",
				 read, cached);
		}
		cmd_print(stdout, "same as %s: %sDockerfile, %zu lockfile%s, %zu context "
			  "entries%s, %zu images, %zu packages; build digest %s%s", RECORD_PATH,
			  now->template_digest ? "template, " : "", now->locks.n,
			  now->locks.n == 1 ? "" : "s", now->entries, files, now->images.n,
			  now->packages.n, now->build_digest,
			  image ? "; and the image is the recorded one" : "");
	}
	return 0;
}

static int report_json(const struct record *recorded, const struct record *now,
		       const struct record_diffs *d, int stale, size_t stale_line,
		       const struct statcache *cache, const struct explanation *how)
{
	size_t cached = 0, read = 0;
	json_t *root = json_object(), *list = cmd_diffs_json(d, "recorded", "now");
	json_t *lines = json_array();
	char *text = NULL;
	size_t len;
	int rc = -1;

	if (stale && list &&
	    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}", "class", "dockerfile",
						  "path", DOCKERFILE, "what", "stale",
						  "line", (json_int_t)stale_line)) < 0)
		goto done;
	if (jsonw_set(root, "record", json_string(RECORD_PATH)) < 0 ||
	    jsonw_set(root, "same", json_boolean(!d->n && !stale)) < 0 ||
	    jsonw_set(root, "build_digest", json_pack("{s:s, s:s}", "recorded", recorded->build_digest,
						      "now", now->build_digest)) < 0 ||
	    jsonw_set(root, "differences", json_incref(list)) < 0 ||
	    (how->text && (!lines || cmd_json_lines(lines, how->text, how->len) < 0 ||
			   jsonw_set(root, "image_explanation",
				     json_pack("{s:s, s:i, s:O}", "against", BUILD_IMAGE, "causes",
					       how->causes, "lines", lines)) < 0)) ||
	    (cache && (statcache_counts(cache, &cached, &read),
		       jsonw_set(root, "files", json_pack("{s:I, s:I}", "read", (json_int_t)read,
							  "known_by_stat", (json_int_t)cached)) < 0)) ||
	    jsonw_dump(&text, &len, root) < 0)
		goto done;
	rc = fwrite(text, 1, len, stdout) == len ? 0 : -1;
done:
	json_decref(lines);
	json_decref(list);
	json_decref(root);
	free(text);
	return rc < 0 ? err_nomem() : 0;
}

struct manifest_out {
	struct buf text;
	struct sha256 sha;
};

/* The manifest as context_manifest() writes it: kept, and hashed while
 * its bytes are still in the cache. */
static ssize_t manifest_write(void *cookie, const char *data, size_t len)
{
	struct manifest_out *m = cookie;

	if (buf_add(&m->text, data, len) < 0)
		return -1;
	sha256_update(&m->sha, data, len);
	return (ssize_t)len;
}

/*
 * The inputs as the tree or revision 'ctx' has them, into 'now'. The
 * context's manifest first, each file's digest from 'cache' when its stat
 * allows (NULL: a revision, read whole); the archive's digest is the
 * record's when the manifest and the time are (the two decide the
 * archive), else the archive is made again to hash it.
 */
static int inputs(struct record *now, struct context *ctx, const struct record *recorded,
		  struct statcache *cache)
{
	char digest[SHA256_STRING_LEN + 1], archive[SHA256_STRING_LEN + 1];
	const char *context_digest = recorded->context_digest;
	unsigned char d[SHA256_LEN];
	struct manifest_out m = { BUF_INIT(SIZE_MAX / 2), { 0 } };
	cookie_io_functions_t io = { .write = manifest_write };
	FILE *f = NULL;
	int rc;

	if (sha256_init(&m.sha) < 0)
		return -1;
	if (!(f = fopencookie(&m, "w", io))) {
		sha256_free(&m.sha);
		return err_nomem();
	}
	fputs(CONTEXT_MANIFEST_HEADER, f);
	rc = context_manifest(ctx, f, cache ? statcache_known : NULL,
			      cache ? statcache_digest : NULL, cache);
	if (fclose(f) != 0 && rc == 0)
		rc = err_nomem();
	sha256_final(&m.sha, d);
	sha256_free(&m.sha);
	sha256_format(digest, d);
	if (rc == 0 && (!recorded->nbuilds || strcmp(digest, recorded->manifest_digest))) {
		rc = context_archive(d, ctx, -1, NULL, NULL);
		sha256_format(archive, d);
		context_digest = archive;
	}
	if (rc == 0)
		rc = record_inputs(now, ctx, DOCKERFILE_TEMPLATE, DOCKERFILE, buf_str(&m.text),
				   m.text.len, digest, context_digest);
	buf_release(&m.text);
	return rc;
}

/* The manifest beside the record, as 'ctx' (the tree or the revision) has
 * it: read only when the context's is not the recorded one, to name the
 * entries that differ. */
static int recorded_manifest(struct record *recorded, struct context *ctx)
{
	char *text = NULL;
	size_t len;
	int rc = context_read(&text, &len, ctx, RECORD_MANIFEST_PATH);

	if (rc == ERR_NOTFOUND)
		return err_code_set(ERR_FAIL, "no %s beside %s: build again (pinned build, make "
				    "image)", RECORD_MANIFEST_PATH, RECORD_PATH);
	return rc < 0 ? rc : record_take_manifest(recorded, text, len, RECORD_MANIFEST_PATH);
}

/* Keep the working tree's digests for the next run; a cache that cannot be
 * written only makes the next run read every file again. */
static void keep_cache(struct statcache *cache)
{
	if (dir_make("build") == 0)
		(void)statcache_save(cache, STATCACHE_PATH);
}

/* Build the context 'ctx' again into REBUILD_IMAGE, with the recorded
 * builder unless 's' names one. */
static int rebuild(struct context *ctx, struct build_settings *s, const struct record *recorded)
{
	struct build_run run;
	char digest[SHA256_STRING_LEN + 1];
	int rc;

	if (!s->builder && recorded->nbuilds)
		s->builder = recorded->builds[0].builder;
	rc = cmd_build_find(&run, s) < 0 || cmd_build_context(&run, ctx, s) < 0 ||
	     remove_tree(REBUILD_STORAGE) < 0 ||
	     cmd_build_once(digest, &run, REBUILD_STORAGE, REBUILD_IMAGE) < 0 ? -1 : 0;
	remove_tree(REBUILD_STORAGE);
	cmd_build_release(&run);
	return rc;
}

/* 1 when the Dockerfile is not what render makes of the template and the
 * locks ('*line': the first line that differs), 0 when it is. */
static int stale_here(size_t *line)
{
	char *want = NULL;
	size_t wlen;
	int rc;

	if ((rc = render_project(&want, &wlen, DOCKERFILE_TEMPLATE, IMAGES_LOCK_PATH,
				 APT_LOCK_PATH)) == 0)
		rc = render_compare(line, DOCKERFILE, want, wlen);
	free(want);
	return rc;
}

/*
 * The same of the working tree, or of the revision 'ctx' reads: its
 * template, locks and Dockerfile written to a temporary folder and
 * rendered there (render reads files), named as in the tree.
 */
static int stale_check(size_t *line, struct context *ctx)
{
	static const char *const names[] = { DOCKERFILE_TEMPLATE, IMAGES_LOCK_PATH, APT_LOCK_PATH,
					     DOCKERFILE };
	const char *tmp = getenv("TMPDIR");
	char *dir = NULL, *text = NULL;
	size_t len;
	int here = -1, rc = -1;

	if (!ctx)
		return stale_here(line);
	if (asprintf(&dir, "%s/pinned-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return err_nomem();
	if (!mkdtemp(dir) || (here = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_errno("cannot make a temporary folder '%s'", dir);
		goto done;
	}
	if (chdir(dir) < 0 || mkdir("lockfiles", 0700) < 0) {
		err_errno("cannot use the temporary folder '%s'", dir);
		goto done;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int r = context_read(&text, &len, ctx, names[i]);

		if (r == 0)
			r = outfile_write(names[i], text, len);
		free(text);
		text = NULL;
		if (r < 0 && r != ERR_NOTFOUND)
			goto done;
	}
	rc = stale_here(line);
done:
	if (here >= 0 && fchdir(here) < 0 && rc >= 0)
		rc = err_errno("cannot go back to the project folder");
	if (here >= 0)
		close(here);
	if (dir && remove_tree(dir) < 0 && rc >= 0)
		rc = -1;
	free(dir);
	return rc;
}

static int verify(const char *rev, const char *image, const char *reference, int json,
		  struct build_settings *settings, int again)
{
	struct record recorded = { 0 }, now = { 0 };
	struct record_diffs d = { 0 };
	struct context *ctx = NULL;
	struct statcache *cache = NULL;
	struct explanation how = { NULL, 0, 0 };
	char epoch[32], *commit = NULL;
	size_t stale_line = 0;
	int stale = 0, rc = EXIT_TROUBLE;

	if (read_record(&recorded, rev, &commit) < 0 ||
	    (!rev && statcache_load(&cache, STATCACHE_PATH) < 0))
		goto fail;
	if (reference && cmd_pull(reference, recorded.nbuilds ? recorded.builds[0].platform
							    : dockerfile_host_platform(),
				  settings, PULLED_IMAGE) < 0) {
		err_prefix("--image %s", reference);
		goto fail;
	}
	/* the time the record was built with: the commit that holds the record
	 * is not the one it was built from, and its time is no input */
	if (recorded.nbuilds)
		snprintf(epoch, sizeof(epoch), "%lld", recorded.builds[0].epoch);
	{
		struct context_opts opts = { .root = ".", .rev = commit,
					     .source_date_epoch = recorded.nbuilds ? epoch : NULL };

		if (cmd_open_context(&ctx, &opts) < 0 || inputs(&now, ctx, &recorded, cache) < 0 ||
		    (strcmp(now.manifest_digest, recorded.manifest_digest) &&
		     recorded_manifest(&recorded, ctx) < 0) ||
		    record_compare(&d, &recorded, &now) < 0 ||
		    /* the upload, read again only when nothing else explains it */
		    (!d.n && recorded.upload_digest && !record_upload_known(&d, &recorded, &now) &&
		     (record_add_upload(&now, ctx) < 0 || record_compare_upload(&d, &recorded, &now) < 0)) ||
		    (again && rebuild(ctx, settings, &recorded) < 0) ||
		    (image && record_compare_image(&d, &recorded, image) < 0))
			goto fail;
	}
	if (cache)
		keep_cache(cache);
	/* the Dockerfile must be what render makes of the template and locks */
	if (now.template_digest && (stale = stale_check(&stale_line, rev ? ctx : NULL)) < 0)
		goto fail;
	if (explain(&how, &d, &recorded, image) < 0 ||
	    (json ? report_json(&recorded, &now, &d, stale, stale_line, cache, &how)
		  : report_text(&recorded, &now, &d, stale, stale_line, image, cache, &how)) < 0)
		goto fail;
	rc = d.n || stale ? EXIT_DIFFERS : EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	free(how.text);
	free(commit);
	statcache_free(cache);
	record_diffs_release(&d);
	record_release(&recorded);
	record_release(&now);
	context_free(ctx);
	return rc;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "rev", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "image", required_argument, NULL, 'I' },
		{ "rebuild", no_argument, NULL, 'R' },
		BUILD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct build_settings s = { .builder = getenv("PINNED_BUILDER") };
	const char *dir = NULL, *rev = NULL, *image = NULL, *reference = NULL;
	struct stat st;
	int json = 0, again = 0, oci = 0, c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'r': rev = optarg; break;
		case 'j': json = 1; break;
		case 'I': image = optarg; break;
		case 'R': again = 1; break;
		default:
			if ((rc = cmd_build_option(&s, c, optarg, usage)) == 1)
				return cmd_other_option(c, argv, usage);
			if (rc)
				return rc;
		}
	}
	if (image && !strncmp(image, "oci:", 4)) {
		image += 4;
		oci = 1;
	}
	if (again && (image || rev))
		return cmd_usage_error(usage, "--rebuild builds the working tree and compares that "
				       "image: not with %s", image ? "--image" : "--rev");
	if ((rc = cmd_build_settings_done(&s, usage)) >= 0 ||
	    (rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	/* a folder is a layout; else, naming a registry, a reference */
	if (image && !oci && (stat(image, &st) < 0 || !S_ISDIR(st.st_mode)) && strpbrk(image, ":@/"))
		reference = image;
	return verify(rev, again ? REBUILD_IMAGE : reference ? PULLED_IMAGE : image, reference, json,
		      &s, again);
}
