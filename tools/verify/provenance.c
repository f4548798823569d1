/* The provenance of a recorded build: in-toto Statement v1, SLSA provenance v1. */
#include "verify/provenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/jsonw.h"

/* {"sha256": HEX} of "sha256:HEX" (or of HEX alone). */
static json_t *digest_set(const char *digest)
{
	const char *hex = strncmp(digest, "sha256:", 7) ? digest : digest + 7;

	return json_pack("{s:s}", "sha256", hex);
}

/*
 * Append a ResourceDescriptor to 'list': its digest set 'digest' and, where
 * given, 'annotations' (both taken whatever happens; NULL annotations: none),
 * 'name', 'uri' and 'media_type'. Returns 0, or -1 with nothing appended.
 */
static int add(json_t *list, const char *name, const char *uri, json_t *digest,
	       const char *media_type, json_t *annotations)
{
	json_t *o = json_object();
	int rc = jsonw_set(o, "digest", digest);

	rc |= annotations ? jsonw_set(o, "annotations", annotations) : 0;
	rc |= name ? jsonw_set(o, "name", json_string(name)) : 0;
	rc |= uri ? jsonw_set(o, "uri", json_string(uri)) : 0;
	rc |= media_type ? jsonw_set(o, "mediaType", json_string(media_type)) : 0;
	if (rc) {
		json_decref(o);
		return -1;
	}
	return json_array_append_new(list, o);
}

/* A purl's version: percent-encoded but for what RFC 3986 leaves
 * unreserved ("1:2.36-9+deb12u4" is "1%3A2.36-9%2Bdeb12u4"). */
static void purl_escape(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s && n + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    strchr("-._~", c)) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

/* The base images: each by the digest FROM uses, with its platforms'. */
static int add_images(json_t *deps, const struct images_lock *images)
{
	for (size_t i = 0; i < images->count; i++) {
		const struct images_lock_entry *e = &images->images[i];
		json_t *ann = NULL;

		if (e->nplatforms && !(ann = json_pack("{s:o}", "platforms",
						       images_lock_platforms_json(e))))
			return -1;
		if (add(deps, e->key, NULL, digest_set(e->digest), e->media_type, ann) < 0)
			return -1;
	}
	return 0;
}

/* 1 when 'stages' before 'st' already read source 'src'. */
static int source_seen(const struct apt_lock *apt, size_t st, const struct apt_lock_source *src)
{
	for (size_t i = 0; i < st; i++)
		for (size_t k = 0; k < apt->stages[i].nsources; k++)
			if (!strcmp(apt->stages[i].sources[k].uri, src->uri) &&
			    !strcmp(apt->stages[i].sources[k].suite, src->suite))
				return 1;
	return 0;
}

/* The archive state (each suite's InRelease, as read) and each package. */
static int add_packages(json_t *deps, const struct apt_lock *apt)
{
	char uri[4096], name[512], version[256];

	for (size_t s = 0; s < apt->n; s++) {
		const struct apt_lock_stage *st = &apt->stages[s];

		for (size_t i = 0; i < st->nsources; i++) {
			const struct apt_lock_source *src = &st->sources[i];
			json_t *ann = NULL;

			if (source_seen(apt, s, src))
				continue;
			snprintf(uri, sizeof(uri), "%s/dists/%s/InRelease", src->uri, src->suite);
			if ((st->snapshot && !(ann = json_pack("{s:s}", "snapshot", st->snapshot))) ||
			    add(deps, src->suite, uri, digest_set(src->inrelease), NULL, ann) < 0)
				return -1;
		}
		for (size_t k = 0; k < st->ninstalls; k++)
			for (size_t i = 0; i < st->installs[k].npackages; i++) {
				const struct apt_lock_package *p = &st->installs[k].packages[i];
				json_t *ann;

				if (apt_lock_package_seen(st, k, p))
					continue;
				purl_escape(version, sizeof(version), p->version);
				snprintf(uri, sizeof(uri), "pkg:deb/debian/%s@%s?arch=%s", p->name, version,
					 p->architecture);
				snprintf(name, sizeof(name), "%zu:%s", st->stage, p->name);
				ann = json_pack("{s:s, s:I, s:b}", "filename", p->filename, "size",
						(json_int_t)p->size, "requested", p->requested);
				if (!ann || add(deps, name, uri, digest_set(p->sha256),
						"application/vnd.debian.binary-package", ann) < 0)
					return -1;
			}
	}
	return 0;
}

static int add_pairs(json_t *deps, const struct record_pairs *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (add(deps, p->v[i].name, NULL, digest_set(p->v[i].value), NULL, NULL) < 0)
			return -1;
	return 0;
}

/* What went in, each by digest. */
static json_t *dependencies(const struct provenance_input *in)
{
	const struct record *r = in->record;
	json_t *deps = json_array(), *ann;

	if (!deps ||
	    (r->commit && add(deps, "source", NULL, json_pack("{s:s}", "gitCommit", r->commit),
			      NULL, NULL) < 0) ||
	    !(ann = json_pack("{s:s}", "manifest", r->manifest_digest)) ||
	    add(deps, "context", NULL, digest_set(r->context_digest), "application/x-tar", ann) < 0 ||
	    add(deps, RECORD_MANIFEST_PATH, NULL, digest_set(r->manifest_digest), "text/plain",
		NULL) < 0 ||
	    (r->template_name && add(deps, r->template_name, NULL, digest_set(r->template_digest),
				     NULL, NULL) < 0) ||
	    add(deps, r->dockerfile_name, NULL, digest_set(r->dockerfile_digest), NULL, NULL) < 0 ||
	    add_pairs(deps, &r->locks) < 0 || add_pairs(deps, &r->language) < 0 ||
	    add_images(deps, in->images) < 0 || add_packages(deps, in->apt) < 0) {
		json_decref(deps);
		return NULL;
	}
	return deps;
}

static json_t *external_parameters(const struct provenance_input *in)
{
	const struct record *r = in->record;
	json_t *o = json_pack("{s:s, s:s}", "dockerfile", r->dockerfile_name, "buildDigest",
			      r->build_digest);

	if ((r->template_name && jsonw_set(o, "template", json_string(r->template_name)) < 0) ||
	    (in->images->build_args &&
	     jsonw_set(o, "buildArgs", jsonw_strings(in->images->build_args)) < 0) ||
	    (in->images->platforms && jsonw_set(o, "platforms", jsonw_strings(in->images->platforms)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Each build: its parameters, its byproducts (config, layers), its
 * builder's version; the subjects, one per manifest. */
static int builds(json_t *internal, json_t *byproducts, json_t *versions, json_t *subjects,
		  const struct provenance_input *in)
{
	const struct record *r = in->record;
	json_t *list = json_array();
	char name[1024];

	if (jsonw_set(internal, "builds", list) < 0)
		return -1;
	for (size_t i = 0; i < r->nbuilds; i++) {
		const struct record_build *b = &r->builds[i];
		int seen = 0;

		if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:O?, s:I}", "platform",
							  b->platform, "builder", b->builder,
							  "version", b->builder_version, "options",
							  b->options, "epoch",
							  (json_int_t)b->epoch)) < 0 ||
		    jsonw_set(versions, b->builder, json_string(b->builder_version)) < 0)
			return -1;
		snprintf(name, sizeof(name), "config %s", b->platform);
		if (add(byproducts, name, NULL, digest_set(b->config),
			"application/vnd.oci.image.config.v1+json", NULL) < 0)
			return -1;
		for (size_t k = 0; b->diff_ids[k]; k++) {
			snprintf(name, sizeof(name), "layer %zu %s", k + 1, b->platform);
			if (add(byproducts, name, NULL, digest_set(b->diff_ids[k]),
				"application/vnd.oci.image.layer.v1.tar", NULL) < 0)
				return -1;
		}
		for (size_t k = 0; k < i && !seen; k++)
			seen = !strcmp(r->builds[k].manifest, b->manifest);
		if (seen)
			continue;
		if (r->nbuilds == 1)
			snprintf(name, sizeof(name), "%s", in->name);
		else
			snprintf(name, sizeof(name), "%s (%s)", in->name, b->platform);
		if (json_array_append_new(subjects, json_pack("{s:s, s:o}", "name", name, "digest",
							      digest_set(b->manifest))) < 0)
			return -1;
	}
	return 0;
}

int provenance_statement(json_t **out, const struct provenance_input *in)
{
	json_t *subjects = json_array(), *internal = json_object(), *byproducts = json_array();
	json_t *versions = json_pack("{s:s}", "pinned", in->version), *deps, *root = NULL;

	*out = NULL;
	if (!in->record->nbuilds) {
		json_decref(subjects);
		json_decref(internal);
		json_decref(byproducts);
		json_decref(versions);
		return err_set("%s records no build: build first (make image)", RECORD_PATH);
	}
	deps = dependencies(in);
	if (jsonw_set(internal, "pinnedVersion", json_string(in->version)) == 0 &&
	    builds(internal, byproducts, versions, subjects, in) == 0)
		root = json_pack("{s:s, s:O, s:s, s:{s:{s:s, s:o, s:O, s:O}, s:{s:{s:s, s:O}, "
				 "s:O}}}",
				 "_type", PROVENANCE_STATEMENT_TYPE, "subject", subjects,
				 "predicateType", PROVENANCE_PREDICATE_TYPE, "predicate",
				 "buildDefinition", "buildType", PROVENANCE_BUILD_TYPE,
				 "externalParameters", external_parameters(in),
				 "internalParameters", internal, "resolvedDependencies", deps,
				 "runDetails", "builder", "id",
				 in->builder_id ? in->builder_id : PROVENANCE_BUILDER_ID,
				 "version", versions, "byproducts", byproducts);
	json_decref(subjects);
	json_decref(internal);
	json_decref(byproducts);
	json_decref(versions);
	json_decref(deps);
	if (!root)
		return err_nomem();
	*out = root;
	return 0;
}
