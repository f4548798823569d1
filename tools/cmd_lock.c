#include "cmd.h"
#include "debian/apt_lock.h"
#include "debian/apt_plan.h"
#include "docker/dockerfile.h"
#include "util/error.h"
#include "docker/images_lock.h"
#include "docker/lock.h"
#include "docker/registry.h"
#include "docker/render.h"
#include "util/fileio.h"
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
#include <time.h>
#include <unistd.h>

static const char usage[] =
	"usage: pinned lock [-C DIR] [-f TEMPLATE] [--update] [--jobs N]\n"
	"                   [--build-arg NAME=VALUE]... [--platform OS/ARCH[,...]]... [--defaults]\n"
	"                   [--insecure-registry HOST]... [--registry-mirror HOST]\n"
	"                   [--ca-file FILE] [--timeout SECONDS] [--connect-timeout SECONDS]\n"
	"                   [--apt-mirror URI] [--apt-snapshot YYYYMMDDTHHMMSSZ]\n"
	"                   [--apt-keyring FILE] [--apt-component NAME]...\n"
	"\n"
	"Resolve every image the template names to a digest and write\n"
	"lockfiles/images.lock; resolve every package its apt-get installs would\n"
	"install, from the archive state the base image's release reads, and\n"
	"write lockfiles/apt.lock. What is locked is kept unless --update is\n"
	"given or the template asks for other things. A failed run leaves both\n"
	"locks as they were.\n"
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
	"  --defaults                lock for no build arguments, this host's platform and\n"
	"                            Debian's own archive as it is now\n"
	NET_OPTIONS_USAGE
	"  --apt-mirror URI          the Debian archive (default http://deb.debian.org/debian,\n"
	"                            and .../debian-security for the security suite); with\n"
	"                            --apt-snapshot, the snapshot service (default\n"
	"                            http://snapshot.debian.org)\n"
	"  --apt-snapshot TIME       the archive as it was at TIME (YYYYMMDDTHHMMSSZ), from\n"
	"                            URI/archive/debian/TIME as Debian's snapshot archive\n"
	"                            lays it out\n"
	"  --apt-keyring FILE        verify the archive's InRelease with FILE (default\n"
	"                            /usr/share/keyrings/debian-archive-keyring.gpg)\n"
	"  --apt-component NAME      read this component of each suite (default main;\n"
	"                            repeat it for several: main contrib non-free-firmware)\n"
	"  -h, --help                show this help\n";

/* What to read the template with: given on the command line, or kept from the lock. */
struct inputs {
	/* NULL-terminated */
	const char *args[IMAGES_LOCK_ARGS_MAX + 1], *platforms[IMAGES_LOCK_ARGS_MAX + 1];
	size_t nargs, nplatforms;
	int defaults;
	struct apt_plan_opts apt;	/* mirror and snapshot: NULL unless given */
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

/* The archive an apt lock was made from, when no other is given: the
 * mirror (when not Debian's) and the snapshot of its first stage. Points
 * into 'old'; 'buf' holds a snapshot service's root. */
static void apt_kept(struct apt_plan_opts *o, const struct apt_lock *old, char *buf, size_t size)
{
	const struct apt_lock_stage *st = old->n ? &old->stages[0] : NULL;
	const char *uri = st && st->nsources ? st->sources[0].uri : NULL;

	if (!uri)
		return;
	if (st->snapshot) {
		const char *at = strstr(uri, "/archive/debian/");

		o->snapshot = st->snapshot;
		if (at && (size_t)(at - uri) < size) {
			snprintf(buf, size, "%.*s", (int)(at - uri), uri);
			if (strcmp(buf, APT_DEBIAN_SNAPSHOTS))
				o->mirror = buf;
		}
	} else if (strcmp(uri, APT_DEBIAN_MIRROR)) {
		o->mirror = uri;
	}
}

/* Write the two locks together: both are in place, or neither changed. An
 * apt lock with no stage is removed. */
static int write_locks(const struct images_lock *images, const struct apt_lock *apt)
{
	struct outfile a = { 0 }, b = { 0 }, *outs[2] = { &a, &b };
	char *text = NULL, *atext = NULL;
	size_t len, alen = 0;
	int rc = -1;

	if (images_lock_format(&text, &len, images) < 0 ||
	    (apt->n && apt_lock_format(&atext, &alen, apt) < 0))
		goto done;
	if (outfile_open(&a, IMAGES_LOCK_PATH) < 0 || write_all(a.fd, text, len) < 0)
		goto done;
	if (apt->n && (outfile_open(&b, APT_LOCK_PATH) < 0 || write_all(b.fd, atext, alen) < 0))
		goto done;
	rc = outfile_commit_all(outs, apt->n ? 2 : 1);
	if (!rc && !apt->n && unlink(APT_LOCK_PATH) < 0 && errno != ENOENT)
		rc = err_errno("cannot remove %s", APT_LOCK_PATH);
done:
	if (rc < 0) {
		outfile_abort(&a);
		outfile_abort(&b);
	}
	free(text);
	free(atext);
	return rc;
}

/* Lock the images and apt installs of the template and write both locks;
 * prints one line per image that could not be resolved. */
static int run(const char *template, const struct inputs *in, const struct registry_opts *opts,
	       int update, int jobs)
{
	struct images_lock old = { 0 }, lock = { 0 };
	struct apt_lock apt_old = { 0 }, apt = { 0 };
	struct apt_plan_opts ao = in->apt;
	struct lock_failures failures = { 0 }, notes = { 0 };
	struct registry_client *client = NULL;
	struct http_client *http = NULL;
	struct dockerfile **dfs = NULL;
	size_t ndfs = 0;
	char kept[1024];
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
	if (images_lock_read(&old, IMAGES_LOCK_PATH) < 0 || apt_lock_read(&apt_old, APT_LOCK_PATH) < 0 ||
	    images_lock_set_inputs(&lock, in->nargs || in->defaults ? in->args :
				   (const char *const *)old.build_args,
				   in->nplatforms || in->defaults ? in->platforms :
				   (const char *const *)old.platforms) < 0)
		goto fail;
	if (!ao.mirror && !ao.snapshot && !in->defaults)
		apt_kept(&ao, &apt_old, kept, sizeof(kept));
	if (!ao.components && !in->defaults && apt_old.n && apt_old.stages[0].nsources)
		ao.components = (const char *const *)apt_old.stages[0].sources[0].components;
	/* every platform reads the template to the same images: lock the first read's */
	if (render_read_template(&dfs, &ndfs, template, &lock) < 0 || check_taken(dfs[0], &lock) < 0 ||
	    http_global_init() < 0 || registry_client_new(&client, opts) < 0 ||
	    http_client_new(&http, &opts->http) < 0)
		goto fail;
	c = lock_images(&lock, &failures, dfs[0], &old, update, client, jobs);
	for (size_t i = 0; i < failures.n; i++)
		cmd_print(stderr, "pinned: %s:%zu:%zu: %s", dfs[0]->name, failures.v[i].line,
			failures.v[i].col, failures.v[i].message);
	if (c < 0 && failures.n)
		goto done;
	if (c < 0)
		goto fail;
	ao.platform = dfs[0]->platform;
	ao.now = (long long)time(NULL);
	c = apt_plan(&apt, dfs[0], &lock, update ? NULL : &apt_old, &ao, client, http, &notes);
	for (size_t i = 0; i < notes.n; i++)
		cmd_print(stderr, "pinned: %s:%zu:%zu: warning: %s", dfs[0]->name, notes.v[i].line,
			  notes.v[i].col, notes.v[i].message);
	if (c < 0)
		goto fail;
	if (apt.n && ndfs > 1) {
		err_set("apt installs are locked for one platform, and the lock is for %zu: lock "
			"them with one --platform", ndfs);
		goto fail;
	}
	if (mkdir("lockfiles", 0777) < 0 && errno != EEXIST) {
		err_errno("cannot create directory 'lockfiles'");
		goto fail;
	}
	if (write_locks(&lock, c == 1 ? &apt_old : &apt) < 0)
		goto fail;
	rc = EXIT_SAME;
	goto done;
fail:
	cmd_fail();
done:
	if (project >= 0)
		close(project);
	registry_client_free(client);
	http_client_free(http);
	render_templates_free(dfs, ndfs);
	lock_failures_release(&failures);
	lock_failures_release(&notes);
	images_lock_release(&old);
	images_lock_release(&lock);
	apt_lock_release(&apt_old);
	apt_lock_release(&apt);
	return rc;
}

int cmd_lock(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "update", no_argument, NULL, 'u' },
		NET_LONGOPTS,
		{ "build-arg", required_argument, NULL, 'b' },
		{ "platform", required_argument, NULL, 'p' },
		{ "defaults", no_argument, NULL, 'd' },
		{ "apt-mirror", required_argument, NULL, 'M' },
		{ "apt-snapshot", required_argument, NULL, 'S' },
		{ "apt-keyring", required_argument, NULL, 'K' },
		{ "apt-component", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct inputs in = { 0 };
	struct net_settings net = NET_SETTINGS_INIT;
	const char *dir = NULL, *template = DOCKERFILE_TEMPLATE, *components[17] = { 0 };
	size_t ncomponents = 0;
	int update = 0, c, rc;
	char *config;

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
		case 'M':
			if (!apt_uri_valid(optarg))
				return cmd_usage_error(usage, "--apt-mirror takes an http:// or https:// URI "
						       "without spaces or quotes");
			/* "URI/" is "URI" */
			while (strlen(optarg) > 8 && optarg[strlen(optarg) - 1] == '/')
				optarg[strlen(optarg) - 1] = '\0';
			in.apt.mirror = optarg;
			break;
		case 'S':
			if (!apt_snapshot_valid(optarg))
				return cmd_usage_error(usage, "--apt-snapshot takes a time as "
						       "YYYYMMDDTHHMMSSZ (20250520T000000Z)");
			in.apt.snapshot = optarg;
			break;
		case 'K': in.apt.keyring = optarg; break;
		case 'c':
			if (ncomponents == sizeof(components) / sizeof(components[0]) - 1)
				return cmd_usage_error(usage, "too many --apt-component values");
			if (!*optarg || strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789-_.") !=
					    strlen(optarg))
				return cmd_usage_error(usage, "--apt-component takes a component name "
						       "(main, contrib, non-free-firmware)");
			components[ncomponents++] = optarg;
			in.apt.components = components;
			break;
		default:
			if ((rc = cmd_net_option(&net, c, optarg, usage)) == 1)
				return cmd_other_option(c, argv, usage);
			if (rc)
				return rc;
		}
	}
	if ((rc = cmd_net_done(&net, usage)) >= 0)
		return rc;
	if (in.defaults && (in.nargs || in.nplatforms))
		return cmd_usage_error(usage, "--defaults forgets build arguments and platforms: "
				       "give it alone, or give --build-arg and --platform alone");
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	net.opts.docker_config = config = cmd_docker_config();
	rc = run(template, &in, &net.opts, update, net.jobs);
	free(config);
	return rc;
}
