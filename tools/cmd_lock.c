#include "cmd.h"
#include "dockerfile.h"
#include "error.h"
#include "lockfile.h"
#include "registry.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
	"usage: pinned lock [-C DIR] [-f TEMPLATE] [--update] [--jobs N]\n"
	"                   [--insecure-registry HOST]... [--registry-mirror HOST]\n"
	"                   [--ca-file FILE] [--timeout SECONDS]\n"
	"\n"
	"Resolve every image the template names to a digest and write\n"
	"lockfiles/images.lock. Images already locked keep their digest unless\n"
	"--update is given. A failed run leaves the lock as it was.\n"
	"\n"
	"  -C DIR                    run as if started in DIR\n"
	"  -f TEMPLATE               the Dockerfile template (default Dockerfile.in)\n"
	"  --update                  resolve every image again\n"
	"  --jobs N                  resolve N images at a time (default 8)\n"
	"  --insecure-registry HOST  HOST may answer plain HTTP (loopback hosts may anyway)\n"
	"  --registry-mirror HOST    resolve Docker Hub images through HOST\n"
	"  --ca-file FILE            trust the CAs in FILE (default $SSL_CERT_FILE or the system's)\n"
	"  --timeout SECONDS         give up on a request after SECONDS (default 30)\n"
	"  -h, --help                show this help\n";

/*
 * A new lock: the template's images, from 'old' unless to be resolved.
 * Returns 0; -1 with err_msg() set; or -2 when it has already printed one
 * line for each image that could not be resolved.
 */
static int lock_images(const struct dockerfile *df, const struct images_lock *old,
		       int update, const struct registry_opts *opts, int jobs,
		       struct images_lock *lock)
{
	/* the images to resolve: where each is written, its reference, its key */
	const struct df_image **from = calloc(df->nimages + 1, sizeof(*from));
	const struct image_ref **refs = calloc(df->nimages + 1, sizeof(*refs));
	char **keys = calloc(df->nimages + 1, sizeof(*keys));
	struct resolved *results = calloc(df->nimages + 1, sizeof(*results));
	char **errors = calloc(df->nimages + 1, sizeof(*errors));
	size_t n = 0;
	int rc = -1;

	if (!from || !refs || !keys || !results || !errors) {
		err_nomem();
		goto done;
	}
	for (size_t i = 0; i < df->nimages; i++) {
		const struct df_image *img = &df->images[i];
		const struct image_lock *e;
		char *key;
		int queued = 0;

		if (!df_is_registry_image(img) || img->ref.digest)
			continue;
		if (!(key = image_ref_name_tag(&img->ref))) {
			err_nomem();
			goto done;
		}
		if ((e = update ? NULL : images_lock_find(old, key))) {
			int put = images_lock_find(lock, key) ? 0 : images_lock_put(lock, e);

			free(key);
			if (put < 0)
				goto done;
			continue;
		}
		for (size_t k = 0; k < n && !queued; k++)
			queued = !strcmp(keys[k], key);
		if (queued) {
			free(key);
			continue;
		}
		keys[n] = key;
		refs[n] = &img->ref;
		from[n++] = img;
	}
	if (registry_resolve_all(results, errors, refs, n, opts, jobs) < 0) {
		/* one line for each image that failed, where it is written */
		for (size_t k = 0; k < n; k++)
			if (errors[k])
				fprintf(stderr, "pinned: %s:%zu:%zu: %s\n", df->name, from[k]->line,
					from[k]->col, errors[k]);
		rc = -2;
		goto done;
	}
	for (size_t k = 0; k < n; k++) {
		struct image_lock e = {
			.key = keys[k],
			.reference = from[k]->expanded,
			.name = image_ref_name(refs[k]),
			.tag = refs[k]->tag,
			.digest = results[k].digest,
			.media_type = results[k].media_type,
			.platforms = results[k].platforms,
			.nplatforms = results[k].nplatforms,
		};
		int put = e.name ? images_lock_put(lock, &e) : err_nomem();

		free(e.name);
		if (put < 0)
			goto done;
	}
	rc = 0;
done:
	for (size_t k = 0; k < n; k++) {
		free(keys[k]);
		resolved_release(&results[k]);
		free(errors[k]);
	}
	free(from);
	free(refs);
	free(keys);
	free(results);
	free(errors);
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
		{ NULL, 0, NULL, 0 },
	};
	struct registry_opts opts = REGISTRY_OPTS_INIT;
	const char *dir = NULL, *template = DOCKERFILE_TEMPLATE, *insecure[64];
	struct images_lock old = { 0 }, lock = { 0 };
	struct dockerfile *df = NULL;
	int update = 0, jobs = 8, c, rc;
	char *end;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+C:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dir = optarg; break;
		case 'f': template = optarg; break;
		case 'u': update = 1; break;
		case 'm': opts.mirror = optarg; break;
		case 'a': opts.ca_file = optarg; break;
		case 'i':
			if (opts.ninsecure == sizeof(insecure) / sizeof(insecure[0]))
				return cmd_usage_error(usage, "too many --insecure-registry hosts");
			insecure[opts.ninsecure++] = optarg;
			break;
		case 'j':
			jobs = (int)strtol(optarg, &end, 10);
			if (*end || jobs < 1 || jobs > 64)
				return cmd_usage_error(usage, "--jobs takes a number from 1 to 64");
			break;
		case 't':
			opts.timeout = strtol(optarg, &end, 10);
			if (*end || opts.timeout < 1)
				return cmd_usage_error(usage, "--timeout takes a number of seconds");
			if (opts.connect_timeout > opts.timeout)
				opts.connect_timeout = opts.timeout;
			break;
		default: return cmd_other_option(c, argv, usage);
		}
	}
	opts.insecure = insecure;
	if ((rc = cmd_begin(argc, argv, usage, dir)) >= 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	rc = EXIT_TROUBLE;
	if (dockerfile_load(&df, template) < 0 || images_lock_read(&old, IMAGES_LOCK_PATH) < 0 ||
	    registry_global_init() < 0)
		goto fail;
	if ((c = lock_images(df, &old, update, &opts, jobs, &lock)) == -2)
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
	dockerfile_free(df);
	images_lock_free(&old);
	images_lock_free(&lock);
	return rc;
}
