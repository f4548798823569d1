#ifndef PINNED_PROVENANCE_H
#define PINNED_PROVENANCE_H

#include <jansson.h>

#include "debian/apt_lock.h"
#include "docker/images_lock.h"
#include "verify/record.h"

/*
 * The provenance of a recorded build as an in-toto Statement v1 whose
 * predicate is SLSA provenance v1 (https://slsa.dev/spec/v1.1/provenance):
 *
 *   subject                the image manifest of each build the record
 *                          names, by digest
 *   buildDefinition        buildType PROVENANCE_BUILD_TYPE; externalParameters
 *                          the template, the Dockerfile, the build digest,
 *                          the build arguments and platforms locked for;
 *                          internalParameters pinned's version and each
 *                          build's builder, version, options and epoch;
 *                          resolvedDependencies the git commit, the context
 *                          (its archive and its manifest), the template, the
 *                          Dockerfile, each lockfile and language lockfile,
 *                          each base image (with its platforms' digests), each
 *                          suite's InRelease read (the archive state) and
 *                          each package (a purl, its SHA-256, its pool file)
 *   runDetails             builder.id and the versions of pinned and of each
 *                          builder; byproducts each build's config and
 *                          layers (diff_id)
 *
 * Nothing in it is a time or a path of this machine: the same record and
 * locks give the same bytes.
 */
#define PROVENANCE_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define PROVENANCE_PREDICATE_TYPE "https://slsa.dev/provenance/v1"
/* Names, not addresses: pinned has no home on the web yet. */
#define PROVENANCE_BUILD_TYPE "https://pinned.invalid/buildtypes/image/v1"
#define PROVENANCE_BUILDER_ID "https://pinned.invalid/builders/local/v1"

struct provenance_input {
	const struct record *record;
	const struct images_lock *images;	/* the locks the record names */
	const struct apt_lock *apt;
	const char *name;		/* the subject's name */
	const char *builder_id;		/* NULL: PROVENANCE_BUILDER_ID */
	const char *version;		/* pinned's */
};

/*
 * The statement for 'in' into '*out' (the caller releases it). Returns 0,
 * ERR_FAIL for a record without a build, or ERR_NOMEM.
 */
int provenance_statement(json_t **out, const struct provenance_input *in);

#endif
