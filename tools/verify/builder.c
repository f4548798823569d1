#include "verify/builder.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fileio.h"
#include "util/process.h"
#include "docker/oci.h"
#include "verify/imagediff.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARGS_MAX 200	/* room for 64 build arguments */
#define TAIL_BYTES 4096

/* Run 'argv' quietly; its standard output into 'out' (when not NULL).
 * 0 when it ran and exited 0. */
static int probe(const char *const *argv, struct buf *out, long timeout_ms)
{
	struct process_opts o = PROCESS_OPTS_INIT;
	struct process_result r;
	int ok;

	o.argv = argv;
	o.capture_stdout = 1;
	o.capture_stderr = 1;
	o.max_output = 4096;
	o.timeout_ms = timeout_ms;
	if (process_run(&r, &o) < 0) {
		process_result_release(&r);
		return -1;
	}
	ok = process_exited_ok(&r);
	if (ok && out) {
		*out = r.out;
		r.out = (struct buf)BUF_INIT(0);
	}
	process_result_release(&r);
	return ok ? 0 : -1;
}

/* The first thing in 'text' that looks like a version: digits and dots. */
static void version_of(char out[64], const char *text)
{
	const char *p = text;
	size_t n;

	while (*p && !(p[0] >= '0' && p[0] <= '9' && (p == text || p[-1] == ' ' || p[-1] == 'v')))
		p++;
	n = strspn(p, "0123456789.");
	snprintf(out, 64, "%.*s", (int)(n < 63 ? n : 63), n ? p : "unknown");
}

/* No DOCKER_HOST and no socket: no daemon can answer, and asking costs time. */
static int daemon_may_answer(void)
{
	const char *host = getenv("DOCKER_HOST");

	return (host && *host) || access("/var/run/docker.sock", F_OK) == 0;
}

static int try_builder(struct builder *b, enum builder_kind kind)
{
	static const char *const buildah_version[] = { "buildah", "--version", NULL };
	static const char *const podman_version[] = { "podman", "--version", NULL };
	static const char *const docker_server[] = { "docker", "version", "--format",
						     "{{.Server.Version}}", NULL };
	static const char *const docker_buildx[] = { "docker", "buildx", "version", NULL };
	struct buf out = BUF_INIT(0);
	int rc;

	b->kind = kind;
	b->name = kind == BUILDER_BUILDAH ? "buildah" : kind == BUILDER_PODMAN ? "podman" : "docker";
	if (kind == BUILDER_DOCKER)	/* the CLI alone builds nothing: a daemon must answer */
		rc = !daemon_may_answer() || probe(docker_server, &out, 10000) < 0 ||
		     probe(docker_buildx, NULL, 10000) < 0 ? -1 : 0;
	else
		rc = probe(kind == BUILDER_BUILDAH ? buildah_version : podman_version, &out, 10000);
	version_of(b->version, buf_str(&out));
	buf_release(&out);
	b->source_date_epoch = kind == BUILDER_BUILDAH && builder_version_at_least(b->version, 1, 41);
	return rc;
}

int builder_version_at_least(const char *v, int major, int minor)
{
	char *end;
	long ma = strtol(v, &end, 10), mi = *end == '.' ? strtol(end + 1, NULL, 10) : 0;

	return ma > major || (ma == major && mi >= minor);
}

int builder_find(struct builder *b, const char *name)
{
	static const enum builder_kind order[] = { BUILDER_DOCKER, BUILDER_BUILDAH, BUILDER_PODMAN };

	memset(b, 0, sizeof(*b));
	if (name) {
		enum builder_kind kind;

		if (!strcmp(name, "buildah"))
			kind = BUILDER_BUILDAH;
		else if (!strcmp(name, "podman"))
			kind = BUILDER_PODMAN;
		else if (!strcmp(name, "docker"))
			kind = BUILDER_DOCKER;
		else
			return err_set("unknown builder '%s': buildah, podman or docker", name);
		if (try_builder(b, kind) < 0)
			return err_code_set(ERR_NOTFOUND, kind == BUILDER_DOCKER ?
					    "builder 'docker' does not work here: no daemon answers, "
					    "or buildx is missing" :
					    "builder '%s' is not installed (or does not run)", name);
		return 0;
	}
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (try_builder(b, order[i]) == 0)
			return 0;
	return err_code_set(ERR_NOTFOUND, "no image builder found: install buildah (apt-get "
			    "install buildah), podman, or docker with buildx and a daemon");
}

struct args {
	const char *v[ARGS_MAX + 1];
	size_t n;
	char text[8][4096];	/* room for the arguments we format */
	size_t ntext;
};

static void arg(struct args *a, const char *s)
{
	if (a->n < ARGS_MAX)
		a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

static const char *argf(struct args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static const char *argf(struct args *a, const char *fmt, ...)
{
	va_list ap;
	char *t = a->text[a->ntext < 8 ? a->ntext++ : 7];

	va_start(ap, fmt);
	vsnprintf(t, sizeof(a->text[0]), fmt, ap);
	va_end(ap);
	arg(a, t);
	return t;
}

/* buildah and podman: where they keep images, and how they reach registries. */
static void storage_args(struct args *a, const struct builder_job *job)
{
	argf(a, "--root=%s/root", job->storage);
	argf(a, "--runroot=%s/run", job->storage);
	arg(a, "--storage-driver=vfs");
}

/* Run the builder; a failure names it, how it ended and its last lines. */
static int run_builder(const struct builder *b, const struct args *a, const char *step)
{
	struct process_opts o = PROCESS_OPTS_INIT;
	struct process_result r;
	char how[128];
	int rc;

	o.argv = a->v;
	o.capture_stdout = 1;
	o.capture_stderr = 1;
	o.echo = 1;
	o.keep_tail = 1;
	o.max_output = TAIL_BYTES;
	if ((rc = process_run(&r, &o)) < 0) {
		process_result_release(&r);
		return err_prefix("%s %s", b->name, step);
	}
	if (!process_exited_ok(&r)) {
		const char *tail = buf_str(&r.err)[0] ? buf_str(&r.err) : buf_str(&r.out);
		const char *end = tail + strlen(tail), *line[3] = { "", "", "" };
		int len[3] = { 0, 0, 0 }, lines = 0;

		/* its last three lines that say something, the last one last */
		while (end > tail && lines < 3) {
			const char *start = end;

			while (start > tail && start[-1] != '\n' && start[-1] != '\r')
				start--;
			if (end > start) {
				line[2 - lines] = start;
				len[2 - lines] = (int)(end - start);
				lines++;
			}
			end = start > tail ? start - 1 : tail;
		}
		rc = err_set("%s %s %s; its last lines: %.*s%s%.*s%s%.*s", b->name, step,
			     process_status(how, sizeof(how), r.status), len[0], line[0],
			     len[0] ? " / " : "", len[1], line[1], len[1] ? " / " : "", len[2], line[2]);
	}
	process_result_release(&r);
	return rc;
}

/* The lock's build arguments, each as "--build-arg NAME=VALUE". */
static void build_arg_flags(struct args *a, const struct builder_job *job)
{
	for (size_t i = 0; job->build_args && job->build_args[i]; i++) {
		arg(a, "--build-arg");
		arg(a, job->build_args[i]);
	}
}

static int build_with_buildah(const struct builder *b, const struct builder_job *job,
			      const char *digestfile)
{
	struct args a = { .n = 0 };

	arg(&a, b->name);
	storage_args(&a, job);
	arg(&a, "build");
	if (job->registries_conf)
		argf(&a, "--registries-conf=%s", job->registries_conf);
	arg(&a, "--isolation=chroot");
	arg(&a, "--layers=false");
	if (b->source_date_epoch) {	/* 1.41+: the reproducible-builds way */
		argf(&a, "--source-date-epoch=%lld", (long long)job->epoch);
		arg(&a, "--rewrite-timestamp");
	} else {
		argf(&a, "--timestamp=%lld", (long long)job->epoch);
	}
	arg(&a, "--identity-label=false");
	build_arg_flags(&a, job);
	argf(&a, "--file=%s/Dockerfile", job->context_dir);
	argf(&a, "--tag=%s", job->tag);
	arg(&a, job->context_dir);
	if (run_builder(b, &a, "build") < 0)
		return -1;
	a = (struct args){ .n = 0 };
	arg(&a, b->name);
	storage_args(&a, job);
	arg(&a, "push");
	argf(&a, "--digestfile=%s", digestfile);
	arg(&a, job->tag);
	argf(&a, "oci:%s:latest", job->layout);
	return run_builder(b, &a, "push");
}

static int build_with_docker(const struct builder *b, const struct builder_job *job,
			     const char *digestfile)
{
	struct args a = { .n = 0 };

	(void)digestfile;
	arg(&a, b->name);
	arg(&a, "buildx");
	arg(&a, "build");
	argf(&a, "--build-arg=SOURCE_DATE_EPOCH=%lld", (long long)job->epoch);
	build_arg_flags(&a, job);
	/* BuildKit 0.31 changed the oci-mediatypes default, and every digest with it */
	argf(&a, "--output=type=oci,dest=%s.tar,rewrite-timestamp=true,oci-mediatypes=true,"
	     "tar=true", job->layout);
	arg(&a, "--provenance=false");
	argf(&a, "--file=%s/Dockerfile", job->context_dir);
	arg(&a, job->context_dir);
	return run_builder(b, &a, "build");
}

int builder_build(char digest[SHA256_STRING_LEN + 1], const struct builder *b,
		  const struct builder_job *job)
{
	char *digestfile = NULL, *text = NULL;
	size_t len;
	int rc = -1;

	if (asprintf(&digestfile, "%s.digest", job->layout) < 0)
		return err_nomem();
	if (b->kind == BUILDER_DOCKER) {
		rc = build_with_docker(b, job, digestfile);
		if (rc == 0)
			rc = err_set("docker: exporting the OCI layout from docker's tar is not done "
				     "yet; use --builder buildah");
		goto done;
	}
	if (build_with_buildah(b, job, digestfile) < 0)
		goto done;
	if (file_read_at(&text, &len, AT_FDCWD, digestfile) < 0)
		goto done;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	if (!oci_digest_valid(text)) {
		err_set("%s push wrote no digest of the image ('%s')", b->name, digestfile);
		goto done;
	}
	snprintf(digest, SHA256_STRING_LEN + 1, "%s", text);
	rc = 0;
done:
	if (digestfile)
		unlink(digestfile);
	free(digestfile);
	free(text);
	return rc;
}

int builder_push(const struct builder *b, const struct builder_job *job, const char *ref,
		 int insecure, const char *digest)
{
	struct args a = { .n = 0 };
	char *digestfile = NULL, *text = NULL;
	size_t len;
	int rc = -1;

	if (b->kind == BUILDER_DOCKER)
		return err_set("docker: --push is not done yet; use --builder buildah");
	if (asprintf(&digestfile, "%s.pushed", job->layout) < 0)
		return err_nomem();
	arg(&a, b->name);
	storage_args(&a, job);
	arg(&a, "push");
	if (job->registries_conf)
		argf(&a, "--registries-conf=%s", job->registries_conf);
	arg(&a, insecure ? "--tls-verify=false" : "--tls-verify=true");
	argf(&a, "--digestfile=%s", digestfile);
	arg(&a, job->tag);
	argf(&a, "docker://%s", ref);
	if (run_builder(b, &a, "push") < 0 ||
	    file_read_at(&text, &len, AT_FDCWD, digestfile) < 0)
		goto done;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	if (strcmp(text, digest)) {
		err_set("%s pushed '%s' as %s, not as the %s built", b->name, ref, text, digest);
		goto done;
	}
	rc = 0;
done:
	unlink(digestfile);
	free(digestfile);
	free(text);
	return rc;
}

json_t *builder_options(const struct builder *b, const struct builder_job *job)
{
	json_t *opts, *args = job->build_args ? json_array() : NULL;
	char ts[64];

	snprintf(ts, sizeof(ts), "%lld", (long long)job->epoch);
	for (size_t i = 0; args && job->build_args[i]; i++)
		if (json_array_append_new(args, json_string(job->build_args[i])) < 0) {
			json_decref(args);
			return NULL;
		}
	if (b->kind == BUILDER_DOCKER)
		opts = json_pack("[s, s, s, s, s]", "buildx build", "--provenance=false",
				 "rewrite-timestamp=true", "oci-mediatypes=true", ts);
	else
		opts = json_pack("{s:s, s:s, s:b, s:b, s:s, s:s}", "timestamp", ts, "isolation",
				 "chroot", "layers", 0, "identity-label", 0, "storage-driver", "vfs",
				 "timestamps", b->source_date_epoch ?
				 "--source-date-epoch --rewrite-timestamp" :
				 "--timestamp (this buildah has no --source-date-epoch)");
	if (!args || !opts) {
		json_decref(args);
		return opts;
	}
	/* given only when the lock has them, so other records keep their bytes */
	if ((b->kind == BUILDER_DOCKER ?
	     json_array_append_new(opts, json_pack("{s:o}", "build-args", args)) :
	     json_object_set_new(opts, "build-args", args)) == 0)
		return opts;
	json_decref(opts);
	return NULL;
}

/* 1 when 'program' is on PATH. */
static int on_path(const char *program)
{
	const char *path = getenv("PATH");
	char file[4096];

	for (const char *p = path ? path : ""; *p; p += strcspn(p, ":"), p += *p == ':') {
		snprintf(file, sizeof(file), "%.*s/%s", (int)strcspn(p, ":"), p, program);
		if (access(file, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* Run 'a' with both streams captured up to 'max' bytes each. */
static int capture(struct process_result *r, const struct args *a, size_t max, int echo)
{
	struct process_opts o = PROCESS_OPTS_INIT;

	o.argv = a->v;
	o.capture_stdout = 1;
	o.capture_stderr = 1;
	o.max_output = max;
	o.echo = echo;
	return process_run(r, &o);
}

/* The image's entrypoint and command, from its config: pointers into 'img'. */
static int image_argv(struct args *a, const struct layout_image *img)
{
	const json_t *config = json_object_get(img->config, "config");

	for (int i = 0; i < 2; i++) {
		const json_t *part = json_object_get(config, i ? "Cmd" : "Entrypoint");

		for (size_t k = 0; k < json_array_size(part); k++) {
			const char *word = json_string_value(json_array_get(part, k));

			if (!word || a->n == ARGS_MAX)
				return err_set("the image's entrypoint or command is not a list of at "
					       "most %d strings", ARGS_MAX);
			arg(a, word);
		}
	}
	if (!a->n)
		return err_set("the image has no entrypoint and no command: nothing to run");
	return 0;
}

int builder_run_image(struct process_result *svc, const struct builder *b,
		      const struct builder_run *run, int *shared_network)
{
	struct builder_job job = { .storage = run->storage };
	struct args a = { .n = 0 }, entry = { .n = 0 };
	struct layout_image img;
	struct process_result r;
	char name[64], how[128];
	int runc = on_path("runc"), rc;

	memset(svc, 0, sizeof(*svc));
	*shared_network = b->kind == BUILDER_BUILDAH && !runc && !run->network;
	if (b->kind == BUILDER_DOCKER)
		return err_set("pinned run takes --builder buildah or podman, not 'docker'");
	/* there is an image, and it says what it runs */
	if ((rc = layout_image_load(&img, run->layout)) < 0 || (rc = image_argv(&entry, &img)) < 0)
		goto done;
	arg(&a, b->name);
	storage_args(&a, &job);
	arg(&a, "run");
	if (b->kind == BUILDER_PODMAN) {	/* a one-shot container, the image's entrypoint */
		arg(&a, "--rm");
		arg(&a, "--quiet");
		if (runc)
			arg(&a, "--runtime=runc");
		if (!run->network)
			arg(&a, "--network=none");
		/* podman's defaults fail without CAP_SYS_RESOURCE */
		arg(&a, "--ulimit=nofile=1024:1024");
		arg(&a, "--ulimit=nproc=1024:1024");
	} else if (runc) {
		arg(&a, "--isolation=oci");
		arg(&a, "--runtime=runc");
		if (!run->network)
			arg(&a, "--network=none");
	} else {
		arg(&a, "--isolation=chroot");	/* it cannot cut the network */
	}
	arg(&a, "-v");
	argf(&a, "%s:/var/runtime/input:ro", run->input);
	arg(&a, "-v");
	argf(&a, "%s:/var/input:ro", run->input);
	arg(&a, "-v");
	argf(&a, "%s:/var/runtime/output", run->output);
	if (b->kind == BUILDER_PODMAN) {
		argf(&a, "oci:%s:latest", run->layout);
		rc = capture(svc, &a, BUILDER_RUN_STDOUT_MAX, run->echo);
		goto done;
	}
	/* buildah: a working container from the image, the command, then gone */
	snprintf(name, sizeof(name), "pinned-run-%ld", (long)getpid());
	arg(&a, name);
	arg(&a, "--");
	for (size_t i = 0; i < entry.n; i++)
		arg(&a, entry.v[i]);
	{
		struct args from = { .n = 0 };

		arg(&from, b->name);
		storage_args(&from, &job);
		arg(&from, "from");
		arg(&from, "--name");
		arg(&from, name);
		argf(&from, "oci:%s:latest", run->layout);
		if ((rc = capture(&r, &from, 65536, 0)) == 0 && !process_exited_ok(&r))
			rc = err_set("%s from %s: %.200s", b->name,
				     process_status(how, sizeof(how), r.status), buf_str(&r.err));
		process_result_release(&r);
		if (rc < 0)
			goto done;
	}
	rc = capture(svc, &a, BUILDER_RUN_STDOUT_MAX, run->echo);
	{
		struct args rm = { .n = 0 };

		arg(&rm, b->name);
		storage_args(&rm, &job);
		arg(&rm, "rm");
		arg(&rm, name);
		capture(&r, &rm, 65536, 0);	/* the container goes, whatever happened */
		process_result_release(&r);
	}
done:
	layout_image_release(&img);
	return rc;
}
