#include "cmd.h"
#include "archive/context.h"
#include "archive/extract.h"
#include "docker/dockerfile.h"
#include "docker/images_lock.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/http.h"
#include "verify/builder.h"
#include "verify/imagediff.h"
#include "verify/record.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned build [-C DIR] [--builder NAME] [--twice] [--push REF]\n"
	"                    [--registry-mirror HOST] [--insecure-registry HOST]...\n"
	"\n"
	"Build the image from exactly the bytes pinned context archives (build/context.tar,\n"
	"its digest checked again before the builder starts), with every timestamp set\n"
	"from the context's (SOURCE_DATE_EPOCH, else the commit time). The image goes to\n"
	"build/image/ as an OCI layout, the record of what went in and came out to\n"
	"lockfiles/build.lock (pinned verify checks a tree against it), and the digest\n"
	"of its image manifest is the last line of output. The build arguments that\n"
	"lockfiles/images.lock was made with are given to the builder.\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	BUILD_OPTIONS_USAGE
	"  --twice                   build again from clean builder storage; exit 1 and say\n"
	"                            what differs when the two images differ\n"
	"  --push REF                push the image to REF (host/name:tag) and check the\n"
	"                            registry got the digest built\n"
	"  -h, --help                show this help\n";

#define BUILD_CONTEXT_DIR "build/build-context"
#define REGISTRIES_CONF "build/registries.conf"
#define IMAGE_TAG "localhost/pinned-build:latest"

static int named_insecure(const struct build_settings *s, const char *host)
{
	return cmd_insecure_host(host, s->insecure, s->ninsecure);
}

/*
 * Every registry image of the Dockerfile must carry its digest (render put
 * it there); the hosts that may answer plain HTTP go to the builder's
 * registries.conf, with the mirror, and short names resolve on Docker Hub as
 * Docker resolves them.
 */
static int registries_conf(const struct build_settings *s, const char *context_dir,
			   const struct images_lock *lock)
{
	struct dockerfile_opts opts = { NULL, (const char *const *)lock->build_args };
	struct dockerfile *df = NULL;
	struct buf conf = BUF_INIT(1 << 20);
	char path[4096];
	int rc = -1;

	snprintf(path, sizeof(path), "%s/Dockerfile", context_dir);
	if (access(path, F_OK) < 0)
		return err_code_set(ERR_NOTFOUND, "the context has no Dockerfile: run pinned render");
	if (dockerfile_load(&df, path, &opts) < 0)
		return -1;
	free(df->name);
	if (!(df->name = strdup("Dockerfile"))) {
		err_nomem();
		goto done;
	}
	if (buf_adds(&conf, "unqualified-search-registries = [\"docker.io\"]\n"
		     "short-name-mode = \"permissive\"\n") < 0 ||
	    (s->mirror &&
	     buf_printf(&conf, "\n[[registry]]\nprefix = \"docker.io\"\nlocation = \"docker.io\"\n"
			"[[registry.mirror]]\nlocation = \"%s\"\ninsecure = %s\n", s->mirror,
			named_insecure(s, s->mirror) ? "true" : "false") < 0))
		goto done;
	for (size_t i = 0; i < df->nimages; i++) {
		const struct dockerfile_image *img = &df->images[i];

		if (!dockerfile_is_registry_image(img))
			continue;
		if (!img->ref.digest) {
			err_set("Dockerfile:%zu:%zu: image '%s' has no digest: run pinned lock and "
				"pinned render", img->line, img->col, img->expanded);
			goto done;
		}
		if (strcmp(img->ref.domain, "docker.io") && named_insecure(s, img->ref.domain) &&
		    buf_printf(&conf, "\n[[registry]]\nlocation = \"%s\"\ninsecure = true\n",
			       img->ref.domain) < 0)
			goto done;
	}
	rc = outfile_write(REGISTRIES_CONF, conf.s, conf.len);
done:
	buf_release(&conf);
	dockerfile_free(df);
	return rc;
}

int cmd_build_once(char digest[SHA256_STRING_LEN + 1], struct build_run *r, const char *storage,
		   const char *layout)
{
	const struct builder *b = &r->b;
	struct builder_job *job = &r->job;
	char *fresh = NULL;
	int rc;

	if (asprintf(&fresh, "%s.new", layout) < 0)
		return err_nomem();
	job->storage = storage;
	job->layout = fresh;
	if ((rc = remove_tree(fresh)) == 0 && (rc = builder_build(digest, b, job)) == 0 &&
	    (rc = remove_tree(layout)) == 0 && rename(fresh, layout) < 0)
		rc = err_errno("cannot rename '%s' to '%s'", fresh, layout);
	if (rc < 0)
		remove_tree(fresh);
	job->layout = layout;
	free(fresh);
	return rc;
}

/* The record's inputs, taken before the build from the context and the
 * manifest just written: what the builder is given. */
static int record_prepare(struct record *rec, struct context *ctx, const char *context_digest)
{
	char *manifest = NULL, digest[SHA256_STRING_LEN + 1];
	size_t mlen;
	int rc;

	if ((rc = file_read_at(&manifest, &mlen, AT_FDCWD, "build/context.manifest")) == 0 &&
	    (rc = sha256_string(digest, manifest, mlen)) == 0)
		rc = record_inputs(rec, ctx, DOCKERFILE_TEMPLATE, "Dockerfile", manifest, mlen,
				   digest, context_digest);
	if (rc == 0)
		rc = record_add_upload(rec, ctx);
	free(manifest);
	return rc < 0 ? err_prefix("the record %s", RECORD_PATH) : 0;
}

/* lockfiles/build.lock, the inputs and the image built, and beside it
 * lockfiles/build.manifest: both in place, or neither. */
static int write_record(struct record *rec, const struct builder *b, const struct builder_job *job)
{
	struct outfile out = { 0 }, mout = { 0 };
	char *text = NULL;
	size_t len;
	int rc;

	if ((rc = record_add_build(rec, b->name, b->version, builder_options(b, job),
				   dockerfile_host_platform(), (long long)job->epoch, BUILD_IMAGE)) == 0 &&
	    (rc = record_format(&text, &len, rec)) == 0 &&
	    (rc = outfile_open(&out, RECORD_PATH)) == 0 &&
	    (rc = outfile_open(&mout, RECORD_MANIFEST_PATH)) == 0) {
		if (write_all(out.fd, text, len) < 0)
			rc = err_errno("cannot write '%s'", RECORD_PATH);
		else if (write_all(mout.fd, rec->manifest, rec->manifest_len) < 0)
			rc = err_errno("cannot write '%s'", RECORD_MANIFEST_PATH);
		else
			rc = outfile_commit_all((struct outfile *[]){ &out, &mout }, 2);
	}
	if (rc < 0) {
		outfile_abort(&out);
		outfile_abort(&mout);
	}
	free(text);
	return rc < 0 ? err_prefix("cannot write the record %s", RECORD_PATH) : 0;
}

/*
 * The lock render used: its build arguments go to the builder, and a lock
 * made for other platforms than this host's cannot be built here.
 */
static int read_lock(struct images_lock *lock)
{
	const char *host = dockerfile_host_platform();
	size_t i = 0;

	if (images_lock_read(lock, IMAGES_LOCK_PATH) < 0)
		return -1;
	while (lock->platforms && lock->platforms[i] && strcmp(lock->platforms[i], host))
		i++;
	if (lock->platforms && !lock->platforms[i])
		return err_set("%s is for %s%s, not for %s, which this host builds: lock with "
			       "--platform %s too", IMAGES_LOCK_PATH, lock->platforms[0],
			       lock->platforms[1] ? " and others" : "", host, host);
	return 0;
}

int cmd_build_find(struct build_run *r, const struct build_settings *s)
{
	memset(r, 0, sizeof(*r));
	r->job.tag = IMAGE_TAG;
	if (read_lock(&r->lock) < 0 || builder_find(&r->b, s->builder) < 0)
		return -1;
	r->job.build_args = (const char *const *)r->lock.build_args;
	return 0;
}

int cmd_build_context(struct build_run *r, struct context *ctx, const struct build_settings *s)
{
	if (cmd_write_context(r->cdigest, ctx, NULL, "build/context.manifest") < 0)
		return -1;
	sha256_format(r->context_digest, r->cdigest);
	r->job.epoch = context_mtime(ctx);
	r->job.context_dir = BUILD_CONTEXT_DIR;
	r->job.registries_conf = REGISTRIES_CONF;
	/* the builder gets exactly the bytes hashed: unpacked while hashed again */
	if (remove_tree(BUILD_CONTEXT_DIR) < 0 ||
	    extract_checked(DEFAULT_OUTPUT, r->cdigest, BUILD_CONTEXT_DIR) < 0 ||
	    registries_conf(s, BUILD_CONTEXT_DIR, &r->lock) < 0 ||
	    cmd_skip_own(ctx) < 0)	/* what appeared since: the unpacked context */
		return -1;
	fprintf(stderr, "pinned: building %s with %s %s\n", r->context_digest, r->b.name,
		r->b.version);
	return 0;
}

void cmd_build_release(struct build_run *r)
{
	images_lock_release(&r->lock);
}

static int build(const struct build_settings *s)
{
	struct build_run run;
	struct record rec = { 0 };
	struct context_opts copts = { .root = "." };
	struct context *ctx = NULL;
	char digest[SHA256_STRING_LEN + 1], again[SHA256_STRING_LEN + 1];
	int rc = EXIT_TROUBLE;

	if (cmd_build_find(&run, s) < 0)
		goto fail;
	/* the record's folder, made before the context is read: a folder that
	 * appeared with the record would be an input the record never saw */
	if (mkdir("lockfiles", 0777) < 0 && errno != EEXIST) {
		err_errno("cannot make 'lockfiles'");
		goto fail;
	}
	copts.source_date_epoch = getenv("SOURCE_DATE_EPOCH");
	if (cmd_open_context(&ctx, &copts) < 0 || cmd_build_context(&run, ctx, s) < 0 ||
	    record_prepare(&rec, ctx, run.context_digest) < 0 ||
	    cmd_build_once(digest, &run, BUILD_STORAGE, BUILD_IMAGE) < 0 ||
	    write_record(&rec, &run.b, &run.job) < 0)
		goto fail;
	if (s->twice) {
		fprintf(stderr, "pinned: building again from clean storage\n");
		if (remove_tree(BUILD_STORAGE "-twice") < 0 ||
		    cmd_build_once(again, &run, BUILD_STORAGE "-twice", BUILD_IMAGE "-twice") < 0)
			goto fail;
		remove_tree(BUILD_STORAGE "-twice");
		if (strcmp(again, digest)) {
			printf("the two builds differ: %s, then %s\n", digest, again);
			if (image_diff(stdout, BUILD_IMAGE, BUILD_IMAGE "-twice") < 0)
				goto fail;
			rc = EXIT_DIFFERS;
			goto done;
		}
		printf("%s\n", again);	/* the two agree */
	}
	if (s->push) {
		char host[256];

		run.job.storage = BUILD_STORAGE;	/* the first build's image */
		run.job.layout = BUILD_IMAGE;
		snprintf(host, sizeof(host), "%.*s", (int)strcspn(s->push, "/"), s->push);
		if (builder_push(&run.b, &run.job, s->push, named_insecure(s, host), digest) < 0)
			goto fail;
		fprintf(stderr, "pinned: pushed %s as %s\n", digest, s->push);
	}
	printf("%s\n", digest);
	rc = EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	record_release(&rec);
	context_free(ctx);
	cmd_build_release(&run);
	return rc;
}

int cmd_build_option(struct build_settings *s, int c, const char *arg, const char *help)
{
	switch (c) {
	case 'b': s->builder = arg; return 0;
	case 'm': s->mirror = arg; return 0;
	case 'i':
		if (s->ninsecure == sizeof(s->insecure) / sizeof(s->insecure[0]))
			return cmd_usage_error(help, "too many --insecure-registry hosts");
		s->insecure[s->ninsecure++] = arg;
		return 0;
	default: return 1;
	}
}

int cmd_build_settings_done(struct build_settings *s, const char *help)
{
	if (s->builder && !*s->builder)
		s->builder = NULL;
	if (s->mirror && !(s->mirror = cmd_mirror_host(s->mirror_host, s->mirror, s->insecure,
						       s->ninsecure)))
		return cmd_usage_error(help, CMD_MIRROR_USAGE);
	return -1;
}

int cmd_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "twice", no_argument, NULL, '2' },
		{ "push", required_argument, NULL, 'p' },
		BUILD_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct build_settings s = { .builder = getenv("PINNED_BUILDER") };
	const char *dir = NULL;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case '2': s.twice = 1; break;
		case 'p': s.push = optarg; break;
		default:
			if ((rc = cmd_build_option(&s, c, optarg, usage)) == 1)
				return cmd_other_option(c, argv, usage);
			if (rc)
				return rc;
		}
	}
	if ((rc = cmd_build_settings_done(&s, usage)) >= 0 ||
	    (rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	return build(&s);
}
