/* The provenance statement of a record: its shape, each digest where the
 * specs put it, packages as purls, every suite and package once, a
 * subject per manifest. Validation against the published schemas needs
 * protoc: tests/e2e/provenance.sh and image.sh. */
#include "verify/provenance.h"
#include "test.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define HEX(c) (D(c) + 7)

/* The string at 'path' ("a.b.0.c": members and array indexes), or "". */
static const char *at(json_t *v, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_is_array(v) ? json_array_get(v, strtoul(k, NULL, 10)) : json_object_get(v, k);
	return json_is_string(v) ? json_string_value(v) : "";
}

/* The resolved dependency named 'name', or NULL. */
static json_t *dep(json_t *st, const char *name)
{
	json_t *deps = json_object_get(json_object_get(json_object_get(st, "predicate"),
						       "buildDefinition"), "resolvedDependencies");
	size_t i;
	json_t *d;

	json_array_foreach(deps, i, d)
		if (!strcmp(at(d, "name"), name))
			return d;
	return NULL;
}

static size_t count(json_t *st, const char *path, const char *prefix)
{
	json_t *v = st;
	char buf[256], *save = NULL;
	size_t n = 0, i;
	json_t *d;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_object_get(v, k);
	json_array_foreach(v, i, d)
		n += !strncmp(at(d, "uri"), prefix, strlen(prefix));
	return n;
}

int main(void)
{
	char *layers[] = { (char *)D("3"), (char *)D("4"), NULL };
	struct record_build builds[2] = {
		{ (char *)"buildah", (char *)"1.28.2", NULL, (char *)"linux/amd64", 0, (char *)D("1"),
		  (char *)D("2"), layers },
		{ (char *)"buildah", (char *)"1.28.2", NULL, (char *)"linux/arm64", 0, (char *)D("5"),
		  (char *)D("6"), layers },
	};
	struct record_pair locks[] = { { (char *)"lockfiles/apt.lock", (char *)D("7") } };
	struct record rec = { 0 };
	struct images_lock_platform plats[] = { { (char *)"linux/amd64", (char *)D("8") } };
	struct images_lock_entry img = { (char *)"docker.io/library/debian:bookworm-slim",
					 (char *)"debian:bookworm-slim", (char *)"docker.io/library/debian",
					 (char *)"bookworm-slim", (char *)D("9"),
					 (char *)"application/vnd.oci.image.index.v1+json", plats, 1 };
	struct images_lock images = { &img, 1, 1, NULL, NULL };
	struct apt_lock_source sources[2] = {
		{ (char *)"http://deb.debian.org/debian", (char *)"bookworm", NULL, (char *)D("a") },
		{ (char *)"http://deb.debian.org/debian-security", (char *)"bookworm-security", NULL,
		  (char *)D("b") },
	};
	struct apt_lock_package pkgs[] = {
		{ (char *)"libc6", (char *)"2.36-9+deb12u4", (char *)"amd64",
		  (char *)"pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb", (char *)HEX("c"), 1000, 1,
		  NULL },
		{ (char *)"zz", (char *)"1:2.0~rc1", (char *)"all", (char *)"pool/main/z/zz/zz_2.0~rc1_all.deb",
		  (char *)HEX("d"), 10, 0, NULL },
	};
	struct apt_lock_install installs[2] = { { NULL, 0, NULL, pkgs, 2, 2 },
						{ NULL, 0, NULL, pkgs, 1, 1 } };
	struct apt_lock_stage stages[2] = {
		{ 0, (char *)"x", (char *)"bookworm", (char *)"amd64", NULL, sources, 2, 2, installs, 2, 2 },
		{ 1, (char *)"x", (char *)"bookworm", (char *)"amd64", NULL, sources, 2, 2, installs, 1, 1 },
	};
	struct apt_lock apt = { stages, 2, 2 };
	struct provenance_input in = { &rec, &images, &apt, "image", NULL, "0.1.0" };
	json_t *st = NULL;

	rec.build_digest = (char *)D("e");
	rec.commit = (char *)"0123456789abcdef0123456789abcdef01234567";
	rec.template_name = (char *)"Dockerfile.in";
	rec.template_digest = (char *)D("f");
	rec.dockerfile_name = (char *)"Dockerfile";
	rec.dockerfile_digest = (char *)D("0");
	rec.context_digest = (char *)D("1");
	rec.manifest_digest = (char *)D("2");
	rec.locks.v = locks;
	rec.locks.n = 1;
	rec.builds = builds;

	CHECK(provenance_statement(&st, &in) == ERR_FAIL && !st, "a record with no build is refused");
	CHECK_STR(err_msg(), "lockfiles/build.lock records no build: build first (make image)");
	test_end("provenance: a record without a build is refused");

	rec.nbuilds = 1;
	CHECK(provenance_statement(&st, &in) == 0, "%s", err_msg());
	CHECK_STR(at(st, "_type"), "https://in-toto.io/Statement/v1");
	CHECK_STR(at(st, "predicateType"), "https://slsa.dev/provenance/v1");
	CHECK_STR(at(st, "subject.0.name"), "image");
	CHECK_STR(at(st, "subject.0.digest.sha256"), HEX("1"));
	CHECK_STR(at(st, "predicate.buildDefinition.buildType"), PROVENANCE_BUILD_TYPE);
	CHECK_STR(at(st, "predicate.buildDefinition.externalParameters.buildDigest"), D("e"));
	CHECK_STR(at(st, "predicate.buildDefinition.internalParameters.pinnedVersion"), "0.1.0");
	CHECK_STR(at(st, "predicate.runDetails.builder.id"), PROVENANCE_BUILDER_ID);
	CHECK_STR(at(st, "predicate.runDetails.builder.version.buildah"), "1.28.2");
	CHECK_STR(at(dep(st, "source"), "digest.gitCommit"), rec.commit);
	CHECK_STR(at(dep(st, "context"), "digest.sha256"), HEX("1"));
	CHECK_STR(at(dep(st, "context"), "annotations.manifest"), D("2"));
	CHECK_STR(at(dep(st, "lockfiles/apt.lock"), "digest.sha256"), HEX("7"));
	CHECK_STR(at(dep(st, "docker.io/library/debian:bookworm-slim"), "digest.sha256"), HEX("9"));
	CHECK_STR(at(dep(st, "docker.io/library/debian:bookworm-slim"),
		     "annotations.platforms.linux/amd64"), D("8"));
	CHECK_STR(at(dep(st, "bookworm-security"), "uri"),
		  "http://deb.debian.org/debian-security/dists/bookworm-security/InRelease");
	CHECK_STR(at(dep(st, "bookworm-security"), "digest.sha256"), HEX("b"));
	CHECK_STR(at(dep(st, "0:libc6"), "uri"), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64");
	CHECK_STR(at(dep(st, "0:libc6"), "digest.sha256"), HEX("c"));
	CHECK_STR(at(dep(st, "0:zz"), "uri"), "pkg:deb/debian/zz@1%3A2.0~rc1?arch=all");
	CHECK_STR(at(dep(st, "1:libc6"), "uri"), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64");
	CHECK(count(st, "predicate.buildDefinition.resolvedDependencies", "pkg:deb/") == 4,
	      "each package once per stage: 0:libc6 (twice installed), 0:zz, 1:libc6, 1:zz");
	CHECK(count(st, "predicate.buildDefinition.resolvedDependencies", "http://") == 2,
	      "each suite once, whatever stages read it");
	CHECK_STR(at(st, "predicate.runDetails.byproducts.0.digest.sha256"), HEX("2"));
	CHECK_STR(at(st, "predicate.runDetails.byproducts.2.name"), "layer 2 linux/amd64");
	json_decref(st);
	test_end("provenance: every input and output by digest where the specs put them");

	rec.nbuilds = 2;
	CHECK(provenance_statement(&st, &in) == 0, "%s", err_msg());
	CHECK_STR(at(st, "subject.0.name"), "image (linux/amd64)");
	CHECK_STR(at(st, "subject.1.name"), "image (linux/arm64)");
	CHECK_STR(at(st, "subject.1.digest.sha256"), HEX("5"));
	json_decref(st);
	builds[1].manifest = builds[0].manifest;
	CHECK(provenance_statement(&st, &in) == 0, "%s", err_msg());
	CHECK(json_array_size(json_object_get(st, "subject")) == 1, "one manifest, one subject");
	json_decref(st);
	test_end("provenance: a subject per manifest built, named by platform when several");
	return TEST_MAIN_RESULT();
}
