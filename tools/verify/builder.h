#ifndef PINNED_BUILDER_H
#define PINNED_BUILDER_H

#include <stdint.h>

#include <jansson.h>

#include "util/process.h"
#include "util/sha256.h"

/*
 * The image builders pinned drives, each a child process started without a
 * shell: buildah (chroot isolation, vfs storage: no daemon needed), podman
 * (the same options), docker with buildx when a daemon answers.
 */
enum builder_kind { BUILDER_BUILDAH, BUILDER_PODMAN, BUILDER_DOCKER };

struct builder {
	enum builder_kind kind;
	const char *name;	/* "buildah", "podman", "docker" */
	char version[64];	/* as the builder says it */
	int source_date_epoch;	/* buildah 1.41 and later: --source-date-epoch and
				 * --rewrite-timestamp instead of --timestamp */
};

/* 1 when version 'v' ("1.28.2") is at least major.minor. */
int builder_version_at_least(const char *v, int major, int minor);

/*
 * Find the builder named 'name' ("buildah", "podman" or "docker"), or with
 * NULL the first that works here: docker when a daemon answers and buildx
 * is there, else buildah, else podman. Returns 0, or ERR_NOTFOUND naming
 * what was looked for.
 */
int builder_find(struct builder *b, const char *name);

struct builder_job {
	const char *context_dir;	/* the unpacked context, its Dockerfile at the top */
	const char *storage;		/* buildah and podman: their storage, kept here */
	const char *layout;		/* the OCI image layout to write: a new directory */
	const char *tag;		/* the image's name in the builder's storage */
	int64_t epoch;			/* every timestamp of the image */
	const char *registries_conf;	/* a registries.conf (mirror, insecure hosts), or NULL */
	const char *const *build_args;	/* "NAME=VALUE" the lock was made with, NULL-terminated,
					 * at most 64; or NULL */
};

/*
 * Build the image and export it as an OCI layout. The builder's output
 * streams to our stderr; a failure names the builder, how it ended and its
 * last lines. The digest of the image manifest ("sha256:...") goes to
 * 'digest'. Returns 0, or a negative code with the message set.
 */
int builder_build(char digest[SHA256_STRING_LEN + 1], const struct builder *b,
		  const struct builder_job *job);

/*
 * Push the image built under job->tag to 'ref' ("host/name:tag") and check
 * that the registry got the digest 'digest'. 'insecure': the host may
 * answer plain HTTP. Returns 0, or a negative code with the message set.
 */
int builder_push(const struct builder *b, const struct builder_job *job, const char *ref,
		 int insecure, const char *digest);

struct builder_run {
	const char *storage;	/* the builder's storage */
	const char *layout;	/* the OCI layout holding the image */
	const char *input;	/* absolute: mounted read-only at both PlanQK input paths */
	const char *output;	/* absolute: mounted writable at /var/runtime/output */
	int network;		/* 1: the host's network; else none where runc can cut it */
	int echo;		/* 1: the service's output to our stderr as it comes */
};

#define BUILDER_RUN_STDOUT_MAX (16u << 20)

/*
 * Run the image once, as PlanQK runs a job: podman (a one-shot container
 * with the image's entrypoint) or buildah (a working container, the
 * entrypoint and command from the layout, removed after). With runc the
 * container has no network unless asked; without it '*shared_network' is
 * set: buildah's chroot isolation cannot cut it. Returns 0 when the
 * service ran, its exit status and output in 'svc' (empty it with
 * process_result_release()); a negative code when it could not be run.
 */
int builder_run_image(struct process_result *svc, const struct builder *b,
		      const struct builder_run *run, int *shared_network);

/* The builder's options that change digests, for the record. */
json_t *builder_options(const struct builder *b, const struct builder_job *job);

#endif
