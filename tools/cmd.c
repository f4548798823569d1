#include "cmd.h"
#include "util/error.h"
#include "util/buf.h"
#include "archive/context.h"
#include "util/fileio.h"
#include "util/http.h"
#include "docker/dockerfile.h"
#include "docker/image_ref.h"
#include "docker/registry.h"
#include "archive/extract.h"
#include "util/jsonw.h"
#include "verify/record.h"
#include "verify/statcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

static int print_escaped(FILE *f, const char *fmt, va_list ap)
{
	struct buf text = BUF_INIT(SIZE_MAX / 2);
	int rc = 0;

	if (buf_vprintf(&text, fmt, ap) < 0)	/* no memory: the format itself, still escaped */
		buf_adds(&text, fmt);
	for (const unsigned char *p = (const unsigned char *)buf_str(&text); *p && rc != EOF; p++) {
		if (*p == '\\')
			rc = fputs("\\\\", f);
		else if (*p == '\n')
			rc = fputs("\\n", f);
		else if (*p == '\t')
			rc = fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			rc = fprintf(f, "\\x%02x", *p) < 0 ? EOF : 0;
		else
			rc = putc(*p, f);
	}
	if (rc != EOF)
		rc = putc('\n', f);
	buf_release(&text);
	return rc == EOF ? EOF : 0;
}

int cmd_print(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = print_escaped(f, fmt, ap);
	va_end(ap);
	return rc;
}

int cmd_fail(void)
{
	cmd_print(stderr, "pinned: %s", err_msg());
	return EXIT_TROUBLE;
}

int cmd_usage_error(const char *usage, const char *fmt, ...)
{
	char message[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	cmd_print(stderr, "pinned: %s", message);
	fputs(usage, stderr);
	return EXIT_TROUBLE;
}

int cmd_other_option(int c, char **argv, const char *usage)
{
	if (c == 'h') {
		fputs(usage, stdout);
		return EXIT_SAME;
	}
	return cmd_usage_error(usage, "unknown or incomplete option '%s'", argv[optind - 1]);
}

int cmd_begin(int argc, char **argv, const char *usage, const char *dir)
{
	if (optind < argc)
		return cmd_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (dir && chdir(dir) < 0) {
		err_errno("cannot change to directory '%s'", dir);
		return cmd_fail();
	}
	return -1;
}

/* 1 when the file at 'path' is empty or holds 'magic' at byte 'at': what
 * we write there. */
static int ours(const char *path, const char *magic, size_t at)
{
	char head[512];
	ssize_t n;
	size_t len = strlen(magic);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n == 0 || (n >= (ssize_t)(at + len) && !memcmp(head + at, magic, len));
}

int cmd_open_output(struct outfile *out, struct context *ctx, const char *path, const char *what,
		    const char *magic, size_t at)
{
	int held;

	if (strcmp(path, "-")) {
		if ((held = context_holds(ctx, path)) < 0)
			return -1;
		if (held && !ours(path, magic, at))
			return err_set("refusing to write the %s over '%s', a file of the context: "
				       "write it elsewhere, or exclude it in .dockerignore", what, path);
		if (context_skip_path(ctx, path) < 0)
			return -1;
	}
	if (outfile_open(out, path) < 0)
		return -1;
	return out->tmp ? context_skip(ctx, out->fd) : 0;
}

int cmd_open_context(struct context **out, struct context_opts *opts)
{
	static const char *const never[] = { RECORD_PATH, RECORD_MANIFEST_PATH, NULL };

	opts->never = never;
	return context_open(out, opts) < 0 || cmd_skip_own(*out) < 0 ? -1 : 0;
}

int cmd_skip_own(struct context *ctx)
{
	static const char *const own[] = {
		DEFAULT_OUTPUT, "build/context.manifest", "build/build-context", BUILD_STORAGE,
		BUILD_STORAGE "-twice", BUILD_IMAGE, BUILD_IMAGE "-twice", BUILD_IMAGE ".new",
		BUILD_IMAGE "-twice.new", "build/registries.conf", STATCACHE_PATH,
		BUILD_STORAGE "-rebuild", BUILD_IMAGE "-rebuild", BUILD_IMAGE "-rebuild.new",
		BUILD_IMAGE "-pulled", NULL
	};

	for (const char *const *p = own; *p; p++)
		if (context_skip_path(ctx, *p) < 0)
			return -1;
	return 0;
}

/* The Docker config the Docker CLI would read: $DOCKER_CONFIG/config.json,
 * else ~/.docker/config.json; NULL when neither can be named. */
char *cmd_docker_config(void)
{
	const char *dir = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
	char *path = NULL;

	if (dir && *dir && asprintf(&path, "%s/config.json", dir) < 0)
		path = NULL;
	else if ((!dir || !*dir) && home && *home &&
		 asprintf(&path, "%s/.docker/config.json", home) < 0)
		path = NULL;
	return path;
}

int cmd_insecure_host(const char *host, const char *const *insecure, size_t ninsecure)
{
	for (size_t i = 0; i < ninsecure; i++)
		if (!strcmp(insecure[i], host))
			return 1;
	return http_loopback(host);
}

const char *cmd_mirror_host(char out[256], const char *arg, const char *const *insecure,
			    size_t ninsecure)
{
	int plain = !strncmp(arg, "http://", 7), allowed;
	size_t n;

	if (plain)
		arg += 7;
	else if (!strncmp(arg, "https://", 8))
		arg += 8;
	n = strcspn(arg, "/");
	if (n == 0 || n >= 256 || (arg[n] && strcmp(arg + n, "/")) || memchr(arg, '@', n))
		return NULL;
	memcpy(out, arg, n);
	out[n] = '\0';
	allowed = !plain || cmd_insecure_host(out, insecure, ninsecure);
	return allowed ? out : NULL;
}

void cmd_diff_detail(char *out, size_t size, const struct record_diff *d, const char *then)
{
	const char *a = d->recorded, *b = d->now;

	out[0] = '\0';
	if (!strcmp(d->class, "context")) {
		/* a manifest value: "TYPE MODE SIZE DIGEST[ TARGET]" */
		if (!strcmp(d->what, "mode changed"))
			snprintf(out, size, " (%.4s, %s %.4s)", a + 2, then, b + 2);
		else if (!strcmp(d->what, "type changed"))
			snprintf(out, size, " (%c, %s %c)", a[0], then, b[0]);
	} else if (a && b)
		snprintf(out, size, " (%s, %s %s%s%s)", a, then, b, d->from ? " from " : "",
			 d->from ? d->from : "");
	else
		snprintf(out, size, " (%s)", a ? a : b);
}

int cmd_json_lines(json_t *a, const char *text, size_t len)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (json_array_append_new(a, json_stringn(p, n)) < 0)
			return -1;
		p += n + 1;
	}
	return 0;
}

int cmd_pull(const char *name, const char *platform, const struct build_settings *s,
	     const char *layout)
{
	struct registry_opts opts = REGISTRY_OPTS_INIT;
	struct registry_client *client = NULL;
	struct image_ref ref = { 0 };
	char *config = cmd_docker_config();
	int rc;

	opts.http.insecure = s->insecure;
	opts.http.ninsecure = s->ninsecure;
	opts.http.ca_file = getenv("SSL_CERT_FILE");
	opts.mirror = s->mirror;
	opts.docker_config = config;
	rc = image_ref_parse(&ref, name) < 0 || remove_tree(layout) < 0 ||
	     http_global_init() < 0 || registry_client_new(&client, &opts) < 0 ||
	     registry_pull(client, &ref, platform, layout) < 0 ? -1 : 0;
	registry_client_free(client);
	image_ref_free(&ref);
	free(config);
	return rc;
}

json_t *cmd_diffs_json(const struct record_diffs *d, const char *ka, const char *kb)
{
	json_t *list = json_array();

	for (size_t i = 0; list && i < d->n; i++) {
		json_t *o = json_object();

		if (!o || jsonw_set(o, "class", json_string(d->v[i].class)) < 0 ||
		    jsonw_set(o, "path", json_string(d->v[i].path)) < 0 ||
		    jsonw_set(o, "what", json_string(d->v[i].what)) < 0 ||
		    (d->v[i].recorded && jsonw_set(o, ka, json_string(d->v[i].recorded)) < 0) ||
		    (d->v[i].now && jsonw_set(o, kb, json_string(d->v[i].now)) < 0) ||
		    (d->v[i].from && jsonw_set(o, "from", json_string(d->v[i].from)) < 0)) {
			json_decref(o);
			json_decref(list);
			return NULL;
		}
		if (json_array_append_new(list, o) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

/* 'spec' as "PATH[:TAG]": PATH whole when it exists, else split at the
 * last ':'. */
static int path_tag(char **path, char **tag, const char *spec)
{
	const char *colon = strrchr(spec, ':');
	struct stat st;

	if (stat(spec, &st) == 0 || !colon || colon == spec)
		return (*path = strdup(spec)) ? 0 : err_nomem();
	if (!(*path = strndup(spec, (size_t)(colon - spec))) || !(*tag = strdup(colon + 1)))
		return err_nomem();
	return 0;
}

int cmd_image_operand(char **layout, char **tag, const char *arg, const char *dir,
		      const struct build_settings *s)
{
	char index[4200], *file = NULL;
	struct stat st;
	int rc;

	*layout = *tag = NULL;
	if (!strncmp(arg, "oci:", 4))
		return path_tag(layout, tag, arg + 4) < 0 ? -1 : 1;
	if (!strncmp(arg, "oci-archive:", 12)) {
		if (path_tag(&file, tag, arg + 12) < 0)
			return -1;
		rc = extract_checked(file, NULL, dir);
		free(file);
		return rc < 0 ? -1 : (*layout = strdup(dir)) ? 1 : err_nomem();
	}
	if (!strncmp(arg, "docker://", 9))
		return cmd_pull(arg + 9, dockerfile_host_platform(), s, dir) < 0 ? -1
		       : (*layout = strdup(dir))				 ? 1
								 : err_nomem();
	snprintf(index, sizeof(index), "%s/index.json", arg);
	if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	if (access(index, F_OK) < 0)
		return err_set("'%s': a folder that is no OCI layout (no index.json)", arg);
	return (*layout = strdup(arg)) ? 1 : err_nomem();
}

int cmd_temp_dir(char out[4096], const char *what)
{
	const char *base = getenv("TMPDIR");

	base = base && *base ? base : "/tmp";
	snprintf(out, 4096, "%s/pinned-%s.XXXXXX", base, what);
	return mkdtemp(out) ? 0 : err_errno("cannot create a directory in '%s'", base);
}

int cmd_net_option(struct net_settings *s, int c, const char *arg, const char *usage)
{
	char *end;

	switch (c) {
	case 'm': s->opts.mirror = arg; return 0;
	case 'a': s->opts.http.ca_file = arg; return 0;
	case 'i':
		if (s->opts.http.ninsecure == sizeof(s->insecure) / sizeof(s->insecure[0]))
			return cmd_usage_error(usage, "too many --insecure-registry hosts");
		s->insecure[s->opts.http.ninsecure++] = arg;
		return 0;
	case 'j':
		s->jobs = (int)strtol(arg, &end, 10);
		if (*end || s->jobs < 1 || s->jobs > 64)
			return cmd_usage_error(usage, "--jobs takes a number from 1 to 64");
		return 0;
	case 't':
		s->opts.http.timeout = strtol(arg, &end, 10);
		if (*end || s->opts.http.timeout < 1)
			return cmd_usage_error(usage, "--timeout takes a number of seconds");
		return 0;
	case 'T':
		s->connect_timeout = strtol(arg, &end, 10);
		if (*end || s->connect_timeout < 1)
			return cmd_usage_error(usage, "--connect-timeout takes a number of seconds");
		return 0;
	default: return 1;
	}
}

int cmd_net_done(struct net_settings *s, const char *usage)
{
	struct http_opts *h = &s->opts.http;

	h->insecure = s->insecure;
	if (s->opts.mirror && !(s->opts.mirror = cmd_mirror_host(s->mirror, s->opts.mirror,
								  s->insecure, h->ninsecure)))
		return cmd_usage_error(usage, CMD_MIRROR_USAGE);
	if (s->connect_timeout)
		h->connect_timeout = s->connect_timeout;
	if (h->connect_timeout > h->timeout)
		h->connect_timeout = h->timeout;
	if (!h->ca_file)
		h->ca_file = getenv("SSL_CERT_FILE");
	return -1;
}

int cmd_read_record(struct record *rec, struct context *ctx, const char *rev)
{
	char *text = NULL;
	size_t len;
	int rc = context_read(&text, &len, ctx, RECORD_PATH);

	memset(rec, 0, sizeof(*rec));
	if (rc == ERR_NOTFOUND)
		rc = err_code_set(ERR_NOTFOUND, "no record %s%s%s: build first (pinned build, "
				  "make image)", RECORD_PATH, rev ? " in revision " : "", rev ? rev : "");
	else if (rc == 0)
		rc = record_parse(rec, text, len, RECORD_PATH);
	free(text);
	return rc;
}
