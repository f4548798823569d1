#include "cmd.h"
#include "docker/dockerfile.h"
#include "util/error.h"
#include "docker/images_lock.h"
#include "docker/lock.h"
#include "docker/registry.h"
#include "docker/render.h"
#include "util/http.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

static const char usage[] =
	"usage: pinned lock [-C DIR] [-f TEMPLATE] [--update] [--jobs N]\n"
	"                   [--build-arg NAME=VALUE]... [--platform OS/ARCH[,...]]... [--defaults]\n"
	"                   [--insecure-registry HOST]... [--registry-mirror HOST]\n"
	"                   [--ca-file FILE] [--timeout SECONDS] [--connect-timeout SECONDS]\n"
	"\n"
	"Resolve every image the template names to a digest and write\n"
	"lockfiles/images.lock. Images already locked keep their digest unless\n"
	"--update is given. A failed run leaves the lock as it was.\n"
	"\n"
	"The template is read with the build arguments and for the platforms the\n"
	"lock records; --build-arg and --platform replace them, --defaults forgets\n"
	"them (the template's ARG defaults, this host's platform).\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  -f TEMPLATE               the Dockerfile template (default Dockerfile.in)\n"
	"  --update                  resolve every image again\n"
	"  --build-arg NAME=VALUE    read ARG NAME as VALUE, as a build given it would\n"
	"  --platform OS/ARCH        lock for these target platforms (TARGETOS, TARGETARCH,\n"
	"                            ...); several: repeat it or separate them by commas\n"
	"  --defaults                lock for no build arguments and this host's platform\n"
	"  --jobs N                  resolve N images at a time (default 8)\n"
	"  --insecure-registry HOST  HOST may answer plain HTTP (loopback hosts may anyway)\n"
	"  --registry-mirror HOST    resolve Docker Hub images through HOST\n"
	"  --ca-file FILE            trust the CAs in FILE (default $SSL_CERT_FILE or the system's)\n"
	"  --timeout SECONDS         give up on a request after SECONDS (default 30)\n"
	"  --connect-timeout SECONDS give up connecting after SECONDS (default 10)\n"
	"  -h, --help                show this help\n";

/* The Docker config the Docker CLI would read: $DOCKER_CONFIG/config.json,
 * else ~/.docker/config.json; NULL when neither can be named. */
static char *docker_config_path(void)
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

/* What to read the template with: given on the command line, or kept from the lock. */
struct inputs {
	/* NULL-terminated */
	const char *args[IMAGES_LOCK_ARGS_MAX + 1], *platforms[IMAGES_LOCK_ARGS_MAX + 1];
	size_t nargs, nplatforms;
	int defaults;
};

/* Each build argument given must be one an ARG of the template takes. */
static int check_taken(const struct dockerfile *df, const struct images_lock *lock)
{
	for (size_t i = 0; lock->build_args && lock->build_args[i]; i++) {
		const char *a = lock->build_args[i];
		char *name = strndup(a, strcspn(a, "="));
		int rc = name ? dockerfile_declares_arg(df, name) : err_nomem();

		if (rc == 0)
			rc = err_set("--build-arg %s: %s has no ARG %s", a, df->name, name);
		free(name);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Lock the images of the template and write the lock; prints one line per
 * image that could not be resolved. */
static int run(const char *template, const struct inputs *in, const struct registry_opts *opts,
	       int update, int jobs)
{
	struct images_lock old = { 0 }, lock = { 0 };
	struct lock_failures failures = { 0 };
	struct registry_client *client = NULL;
	struct dockerfile **dfs = NULL;
	size_t ndfs = 0;
	int rc = EXIT_TROUBLE, c, project = -1;

	/* one lock run per project at a time: the second says why it stops */
	if ((project = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    flock(project, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			err_set("another pinned lock is running in this project; "
				"run again when it has ended");
		else
			err_errno("cannot lock the project directory");
		goto fail;
	}
	/* what was given replaces what the lock recorded; --defaults gives none */
	if (images_lock_read(&old, IMAGES_LOCK_PATH) < 0 ||
	    images_lock_set_inputs(&lock, in->nargs || in->defaults ? in->args :
				   (const char *const *)old.build_args,
				   in->nplatforms || in->defaults ? in->platforms :
				   (const char *const *)old.platforms) < 0)
		goto fail;
	/* every platform reads the template to the same images: lock the first read's */
	if (render_read_template(&dfs, &ndfs, template, &lock) < 0 || check_taken(dfs[0], &lock) < 0 ||
	    http_global_init() < 0 || registry_client_new(&client, opts) < 0)
		goto fail;
	c = lock_images(&lock, &failures, dfs[0], &old, update, client, jobs);
	for (size_t i = 0; i < failures.n; i++)
		cmd_print(stderr, "pinned: %s:%zu:%zu: %s", dfs[0]->name, failures.v[i].line,
			failures.v[i].col, failures.v[i].message);
	if (c < 0 && failures.n)
		goto done;
	if (c < 0)
		goto fail;
	if (mkdir("lockfiles", 0777) < 0 && errno != EEXIST) {
		err_errno("cannot create directory 'lockfiles'");
		goto fail;
	}
	if (images_lock_write(&lock, IMAGES_LOCK_PATH) < 0)
		goto fail;
	rc = EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	if (project >= 0)
		close(project);
	registry_client_free(client);
	render_templates_free(dfs, ndfs);
	lock_failures_release(&failures);
	images_lock_release(&old);
	images_lock_release(&lock);
	return rc;
}

int cmd_lock(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "update", no_argument, NULL, 'u' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "insecure-registry", required_argument, NULL, 'i' },
		{ "registry-mirror", required_argument, NULL, 'm' },
		{ "ca-file", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "connect-timeout", required_argument, NULL, 'T' },
		{ "build-arg", required_argument, NULL, 'b' },
		{ "platform", required_argument, NULL, 'p' },
		{ "defaults", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct inputs in = { 0 };
	struct registry_opts opts = REGISTRY_OPTS_INIT;
	const char *dir = NULL, *template = DOCKERFILE_TEMPLATE, *insecure[64];
	char mirror[256];
	int update = 0, jobs = 8, c, rc;
	long connect_timeout = 0;
	char *end, *config;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'f': template = optarg; break;
		case 'u': update = 1; break;
		case 'd': in.defaults = 1; break;
		case 'b':
			if (in.nargs == sizeof(in.args) / sizeof(in.args[0]) - 1)
				return cmd_usage_error(usage, "too many --build-arg values");
			if (!strchr(optarg, '='))
				return cmd_usage_error(usage, "--build-arg takes NAME=VALUE");
			in.args[in.nargs++] = optarg;
			break;
		case 'p':
			if (!*optarg || *optarg == ',' || optarg[strlen(optarg) - 1] == ',' ||
			    strstr(optarg, ",,"))
				return cmd_usage_error(usage, "--platform takes OS/ARCH[/VARIANT][,...]");
			/* "linux/amd64,linux/arm64": cut in place */
			for (char *p = strtok(optarg, ","); p; p = strtok(NULL, ",")) {
				if (in.nplatforms == sizeof(in.platforms) / sizeof(in.platforms[0]) - 1)
					return cmd_usage_error(usage, "too many --platform values");
				in.platforms[in.nplatforms++] = p;
			}
			break;
		case 'm': opts.mirror = optarg; break;
		case 'a': opts.http.ca_file = optarg; break;
		case 'i':
			if (opts.http.ninsecure == sizeof(insecure) / sizeof(insecure[0]))
				return cmd_usage_error(usage, "too many --insecure-registry hosts");
			insecure[opts.http.ninsecure++] = optarg;
			break;
		case 'j':
			jobs = (int)strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 64)
				return cmd_usage_error(usage, "--jobs takes a number from 1 to 64");
			break;
		case 't':
			opts.http.timeout = strtol(optarg, &end, 10);
			if (*end || opts.http.timeout < 1)
				return cmd_usage_error(usage, "--timeout takes a number of seconds");
			break;
		case 'T':
			connect_timeout = strtol(optarg, &end, 10);
			if (*end || connect_timeout < 1)
				return cmd_usage_error(usage, "--connect-timeout takes a number of seconds");
			break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	opts.http.insecure = insecure;
	if (opts.mirror && !(opts.mirror = cmd_mirror_host(mirror, opts.mirror, insecure,
							    opts.http.ninsecure)))
		return cmd_usage_error(usage, CMD_MIRROR_USAGE);
	if (connect_timeout)
		opts.http.connect_timeout = connect_timeout;
	if (opts.http.connect_timeout > opts.http.timeout)
		opts.http.connect_timeout = opts.http.timeout;
	if (!opts.http.ca_file)
		opts.http.ca_file = getenv("SSL_CERT_FILE");
	if (in.defaults && (in.nargs || in.nplatforms))
		return cmd_usage_error(usage, "--defaults forgets build arguments and platforms: "
				       "give it alone, or give --build-arg and --platform alone");
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	opts.docker_config = config = docker_config_path();
	rc = run(template, &in, &opts, update, jobs);
	free(config);
	return rc;
}
