#ifndef PINNED_RECORD_H
#define PINNED_RECORD_H

#include <stddef.h>

#include <jansson.h>

#include "archive/context.h"

/*
 * lockfiles/build.lock, the record of a build. What went in, by digest: the
 * template, the rendered Dockerfile, each lockfile, the context (its
 * archive and its manifest), the language lockfiles the context holds, the
 * images and packages the locks pin, the build digest and the git commit;
 * and what came out, per builder and platform: the image manifest, its
 * config and each layer's diff_id. JSON with sorted keys, 2-space indent
 * and a final newline, as the locks.
 *
 * Beside it, lockfiles/build.manifest: the context's manifest itself, whose
 * digest the record names, read only when a tree's manifest is not that
 * one, to name the entries that differ. Apart, so that an unchanged tree
 * is proven without reading a line per file of JSON. Neither is ever part
 * of the context (context_opts.never).
 */
#define RECORD_PATH "lockfiles/build.lock"
#define RECORD_MANIFEST_PATH "lockfiles/build.manifest"
#define RECORD_VERSION 2

/* Names with values, sorted by name. */
struct record_pair {
	char *name, *value;
};

struct record_pairs {
	struct record_pair *v;
	size_t n, alloc;
};

/* One image built. */
struct record_build {
	char *builder, *builder_version;
	json_t *options;	/* the builder's options that change digests */
	char *platform;		/* "linux/amd64" */
	long long epoch;	/* every timestamp of the image */
	char *manifest, *config;	/* "sha256:..." */
	char **diff_ids;	/* each layer's, uncompressed; NULL-terminated */
};

struct record {
	char *build_digest;
	char *commit;			/* the git commit, or NULL */
	char *template_name, *template_digest;	/* NULL when there is no template */
	char *dockerfile_name, *dockerfile_digest;
	char *context_digest;		/* the canonical archive's */
	char *manifest_digest;		/* its manifest's */
	char *manifest;			/* that manifest's bytes, NUL-terminated, or
					 * NULL when not read (record_take_manifest) */
	size_t manifest_len;
	size_t entries;			/* its entries: the inputs' only */
	char *upload_digest;		/* the PlanQK upload's (archive/package.h), or NULL */
	char *upload_ignore;		/* .planqkignore's digest, or "none": with the
					 * manifest, it decides the upload */
	struct record_pairs locks;	/* "lockfiles/images.lock" -> "sha256:..." */
	struct record_pairs files;	/* archive path -> "TYPE MODE SIZE DIGEST[ TARGET]",
					 * as the manifest gives them (escaped); read from
					 * 'manifest' by record_compare(), when needed */
	int files_read;
	struct record_pairs language;	/* requirements*.txt, poetry.lock, uv.lock,
					 * package-lock.json, go.sum, Cargo.lock -> digest */
	struct record_pairs images;	/* the images lock's keys -> digest */
	struct record_pairs packages;	/* "STAGE:NAME" -> version, from the apt lock */
	struct record_build *builds;
	size_t nbuilds, builds_alloc;
};

/*
 * The inputs of a build, as 'ctx' (a working tree or a revision) has them:
 * 'template' (may be missing) and 'dockerfile' (must be there), the
 * lockfiles, the context's manifest (a copy) and archive digest, the build
 * digest and the commit; the upload is record_add_upload()'s. 'manifest' (a
 * manifest file's bytes, CONTEXT_MANIFEST_HEADER first, with its length),
 * its digest 'manifest_digest' ("sha256:...") and 'context_digest' are the
 * context's, as the caller took them. 'out' is zeroed first; release it
 * with record_release() either way. Returns 0 or a negative code.
 */
int record_inputs(struct record *out, struct context *ctx, const char *template,
		  const char *dockerfile, const char *manifest, size_t manifest_len,
		  const char *manifest_digest, const char *context_digest);

/* Add the digest of the PlanQK upload of 'ctx' (archive/package.h): a
 * second read of every file, so taken only when it can tell something
 * (record_upload_known()). Returns 0 or a negative code. */
int record_add_upload(struct record *r, struct context *ctx);

/*
 * Add what a build made: the image in the OCI layout 'layout', built by
 * 'builder' at 'version' with 'options' (taken) for 'platform' (NULL: the
 * image config's) with every time 'epoch'. Returns 0 or a negative code.
 */
int record_add_build(struct record *r, const char *builder, const char *version, json_t *options,
		     const char *platform, long long epoch, const char *layout);

/* The record's bytes, as written; the caller frees '*out'. Its manifest
 * is written apart: r->manifest, to RECORD_MANIFEST_PATH. */
int record_format(char **out, size_t *len, const struct record *r);

/*
 * Read 'len' bytes of a record; 'name' names it in messages. Every value is
 * checked (digests, paths, the manifest lines). Returns 0, or ERR_FAIL
 * naming the file and what is wrong, or ERR_NOMEM. 'out' is zeroed first.
 */
int record_parse(struct record *out, const char *text, size_t len, const char *name);

/*
 * Take 'text' ('len' bytes, NUL-terminated; freed here either way), the
 * manifest file 'name' beside record 'r', as r->manifest: refused with
 * ERR_FAIL unless its digest is the one the record names. Its lines are
 * checked when record_compare() reads them. Returns 0 or a negative code.
 */
int record_take_manifest(struct record *r, char *text, size_t len, const char *name);

void record_release(struct record *r);

/* One way the inputs differ from the record. */
struct record_diff {
	const char *class;	/* "template", "dockerfile", "lock", "base image",
				 * "package", "context", "upload" */
	char *path;		/* what: a file, an image, "STAGE:NAME" */
	const char *what;	/* "changed", "added", "removed", "content changed",
				 * "mode changed", "type changed", "link target changed" */
	char *recorded, *now;	/* the values, or NULL where there is none */
	char *from;		/* where 'now' was found (a suite), or NULL */
};

struct record_diffs {
	struct record_diff *v;
	size_t n, alloc;
};

/*
 * Every way the inputs 'now' differ from 'recorded', never only the first:
 * class by class in the order above, each by name. The context's entries
 * are compared when the manifests' digests differ, then read from both
 * manifests, which must be there (recorded: record_take_manifest()).
 * Returns 0, ERR_NOMEM, or ERR_FAIL for a manifest line that is not one
 * (or a manifest missing); release 'out' with record_diffs_release()
 * either way.
 */
int record_compare(struct record_diffs *out, struct record *recorded, struct record *now);

/*
 * The image in the OCI layout 'layout' against the recorded build of its
 * platform, as images are compared now: the manifest, then the config,
 * then each layer's diff_id (never an index); the differences are added to
 * 'out', classes "image", "image config", "image layer". Returns 0, or a
 * negative code (a layout that cannot be read).
 */
int record_compare_image(struct record_diffs *out, const struct record *recorded,
			 const char *layout);

/*
 * The upload of 'now' against the record's, when both name one, added to
 * 'out' as class "upload": the context's entries less .planqkignore's, so
 * worth asking only when nothing else differs (then .planqkignore moved
 * it). Returns 0 or ERR_NOMEM.
 */
int record_compare_upload(struct record_diffs *out, const struct record *recorded,
			  const struct record *now);

/* 1 when the upload of 'now' is the record's without reading it: nothing
 * else differs ('d') and .planqkignore is the one recorded; the context's
 * entries and .planqkignore decide every byte of the upload. */
int record_upload_known(const struct record_diffs *d, const struct record *recorded,
			const struct record *now);

/* Add a difference: 'class' and 'what' are kept as given (static text),
 * the rest copied ('recorded', 'now' may be NULL). Returns 0 or ERR_NOMEM. */
int record_diffs_add(struct record_diffs *d, const char *class, const char *path,
		     const char *what, const char *recorded, const char *now);

void record_diffs_release(struct record_diffs *d);

/*
 * The builds of two records, platform by platform, added to 'out': class
 * "builder" (name and version), "time" (the epoch), then the image as
 * record_compare_image() says it; "image" added or removed for a platform
 * built by one only. Returns 0 or ERR_NOMEM.
 */
int record_compare_builds(struct record_diffs *out, const struct record *a,
			  const struct record *b);

/*
 * A file of lockfiles/, read to be compared (pinned diff): a build record
 * (record_parse()), an images lock (into 'images' only) or an apt lock
 * (into 'packages' only), told apart by their top-level keys; '*kind' says
 * which. Returns 0, or ERR_FAIL naming 'name' and what is wrong, or
 * ERR_NOMEM; release 'out' either way.
 */
enum record_kind { RECORD_UNKNOWN, RECORD_BUILD, RECORD_IMAGES_LOCK, RECORD_APT_LOCK };
int record_read_any(struct record *out, enum record_kind *kind, const char *text, size_t len,
		    const char *name);

#endif
