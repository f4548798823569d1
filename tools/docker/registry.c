#include "docker/registry.h"
#include "util/sha256.h"
#include "util/error.h"
#include "docker/oci.h"
#include "docker/regauth.h"
#include "util/buf.h"
#include "util/fileio.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char accept_header[] =
	"Accept: application/vnd.oci.image.index.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, "
	"application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.v2+json";

struct registry_client {
	struct registry_opts opts;
	struct http_client *http;
	struct regauth *auth;
};

int registry_client_new(struct registry_client **out, const struct registry_opts *opts)
{
	struct registry_client *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (!c)
		return err_nomem();
	c->opts = *opts;
	if ((rc = http_client_new(&c->http, &opts->http)) < 0 ||
	    (rc = regauth_new(&c->auth, opts->docker_config, opts->http.timeout)) < 0) {
		registry_client_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void registry_client_free(struct registry_client *c)
{
	if (!c)
		return;
	http_client_free(c->http);
	regauth_free(c->auth);
	free(c);
}

void registry_resolved_release(struct registry_resolved *r)
{
	free(r->digest);
	free(r->media_type);
	images_lock_platforms_free(r->platforms, r->nplatforms);
	memset(r, 0, sizeof(*r));
}

/* ---- the manifest -------------------------------------------------------- */

static int is_index(const char *media_type)
{
	return !strcmp(media_type, "application/vnd.oci.image.index.v1+json") ||
	       !strcmp(media_type, "application/vnd.docker.distribution.manifest.list.v2+json");
}

static int platform_compare(const void *a, const void *b)
{
	return strcmp(((const struct images_lock_platform *)a)->platform,
		      ((const struct images_lock_platform *)b)->platform);
}

/* An index's per-platform manifests into out->platforms. */
static int read_platforms(struct registry_resolved *out, json_t *manifests)
{
	json_t *m;
	size_t i;

	if (!(out->platforms = calloc(json_array_size(manifests) + 1, sizeof(*out->platforms))))
		return err_nomem();
	json_array_foreach(manifests, i, m) {
		json_t *p = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *arch = json_string_value(json_object_get(p, "architecture"));
		const char *variant = json_string_value(json_object_get(p, "variant"));
		const char *d = json_string_value(json_object_get(m, "digest"));
		struct images_lock_platform *pd = &out->platforms[out->nplatforms];

		/* attestations are listed as unknown/unknown */
		if (!os || !arch || !d || !strcmp(os, "unknown"))
			continue;
		if (asprintf(&pd->platform, "%s/%s%s%s", os, arch, variant ? "/" : "",
			     variant ? variant : "") < 0) {
			pd->platform = NULL;
			return err_nomem();
		}
		out->nplatforms++;
		if (!oci_platform_valid(pd->platform))
			return err_set("an index names a platform that is not os/architecture[/variant]");
		if (!oci_digest_valid(d))
			return err_set("the index's digest for '%s' is not a sha256 digest", pd->platform);
		if (!(pd->digest = strdup(d)))
			return err_nomem();
	}
	if (out->nplatforms > 1)
		qsort(out->platforms, out->nplatforms, sizeof(*out->platforms), platform_compare);
	return 0;
}

int registry_read_manifest(struct registry_resolved *out, const char *body, size_t len,
			   const char *content_type, const char *header_digest,
			   const char *host, const char *what)
{
	char hex[SHA256_STRING_LEN + 1];
	const char *type;
	json_t *root, *manifests;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sha256_string(hex, body, len)) < 0)
		return rc;
	if (header_digest && strcmp(header_digest, hex))
		return err_set("registry '%s' sent '%s' with Docker-Content-Digest %s, but the body's "
			       "digest is %s", host, what, header_digest, hex);
	if (!(root = json_loadb(body, len, 0, NULL)))
		return err_set("registry '%s' sent '%s' as invalid JSON", host, what);
	type = json_string_value(json_object_get(root, "mediaType"));
	if (!type)
		type = content_type;
	if (!type || (!is_index(type) && strstr(type, "manifest") == NULL)) {
		json_decref(root);
		return err_set("registry '%s' sent '%s' with no manifest media type", host, what);
	}
	rc = 0;
	if (!(out->digest = strdup(hex)) || !(out->media_type = strndup(type, strcspn(type, "; "))))
		rc = err_nomem();
	else if (!oci_media_type_valid(out->media_type))
		rc = err_set("registry '%s' sent '%s' with a media type that is not one", host, what);
	manifests = json_object_get(root, "manifests");
	if (rc == 0 && is_index(out->media_type) && json_is_array(manifests) &&
	    (rc = read_platforms(out, manifests)) < 0 && rc != ERR_NOMEM)
		rc = err_prefix("registry '%s' sent '%s'", host, what);
	json_decref(root);
	if (rc < 0)
		registry_resolved_release(out);
	return rc;
}

/* The code of a registry's {"errors": [{"code", "message"}]} body, as words. */
static const char *registry_error(const struct http_response *r, char *buf, size_t size)
{
	json_t *root = json_loadb(buf_str(&r->body), r->body.len, 0, NULL);
	json_t *first = json_array_get(json_object_get(root, "errors"), 0);
	const char *code = json_string_value(json_object_get(first, "code"));

	snprintf(buf, size, "%s", code ? code : "");
	json_decref(root);
	for (char *p = buf; *p; p++)
		*p = *p == '_' ? ' ' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return buf;
}

/* The answer to a request that succeeded at the HTTP level. */
static int read_answer(struct registry_resolved *out, const struct http_response *r, const char *host,
		       const char *what)
{
	char why[256], *digest, *type;
	int rc;

	if (r->status == 200) {
		digest = http_header(r, "Docker-Content-Digest");
		type = http_header(r, "Content-Type");
		rc = registry_read_manifest(out, buf_str(&r->body), r->body.len, type, digest, host,
					    what);
		free(digest);
		free(type);
		return rc;
	}
	registry_error(r, why, sizeof(why));
	if (r->status == 404)
		return err_code_set(ERR_NOTFOUND, "registry '%s' has no '%s'%s%s", host, what,
				    why[0] ? ": " : "", why);
	if (r->status == 401 || r->status == 403)
		return err_code_set(ERR_REFUSED, "registry '%s' refused access to '%s' (%ld)%s%s",
				    host, what, r->status, why[0] ? ": " : "", why);
	return err_set("registry '%s' answered %ld for '%s'%s", host, r->status, what,
		       r->retries ? " (after retries)" : "");
}

/* The host that serves 'ref', and the domain whose credentials it gets. */
static const char *serving_host(const struct registry_client *c, const struct image_ref *ref,
				const char **cred_domain)
{
	*cred_domain = ref->domain;
	if (strcmp(ref->domain, "docker.io"))
		return ref->domain;
	/* a mirror gets its own credentials, never Docker Hub's */
	if (c->opts.mirror)
		*cred_domain = c->opts.mirror;
	return c->opts.mirror ? c->opts.mirror : "registry-1.docker.io";
}

/*
 * GET /v2/NAME/'kind'/'object' of the repository of 'ref' over 'conn',
 * answering a 401 once with a bearer token or Basic credentials. Returns 0
 * with the answer in 'r' (whatever its status), or a negative code.
 */
static int get_authed(struct http_response *r, struct registry_client *c, struct http_conn *conn,
		      const struct image_ref *ref, const char *kind, const char *object, size_t max,
		      const char *what)
{
	const char *cred_domain, *host = serving_host(c, ref, &cred_domain), *creds = NULL;
	char *path = NULL, *server = NULL, *authorization = NULL, *header = NULL;
	char *challenge = NULL;
	const char *headers[3] = { accept_header, NULL, NULL };
	struct http_request req = { 0 };
	int rc;

	memset(r, 0, sizeof(*r));
	/* a failed asprintf() leaves its pointer undefined: only that one is reset,
	 * the ones made before it are freed at 'done' */
	if (asprintf(&server, "registry '%s'", host) < 0) {
		server = NULL;
		goto oom;
	}
	if (asprintf(&path, "/v2/%s/%s/%s", ref->path, kind, object) < 0) {
		path = NULL;
		goto oom;
	}
	if ((rc = regauth_credentials(&creds, c->auth, cred_domain)) < 0)
		goto done;
	req = (struct http_request){ .host = host, .path = path, .headers = headers,
				     .max = max, .server = server, .what = what };
	for (int authed = 0;; authed = 1) {
		if ((rc = http_get(r, conn, &req)) < 0)
			goto done;
		if (r->status != 401 || authed || !(challenge = http_header(r, "WWW-Authenticate")))
			break;
		if (!strncasecmp(challenge, "Bearer", 6)) {
			if ((rc = regauth_token(&authorization, conn, challenge, ref->path, creds)) < 0)
				goto done;
		} else if (!strncasecmp(challenge, "Basic", 5) && creds) {
			if (!(authorization = regauth_basic(creds)))
				goto oom;
		} else {
			rc = err_code_set(ERR_REFUSED,
					  "registry '%s' wants credentials for '%s' and none are configured",
					  host, what);
			goto done;
		}
		if (asprintf(&header, "Authorization: %s", authorization) < 0) {
			header = NULL;
			goto oom;
		}
		headers[1] = header;
		http_response_release(r);
	}
	goto done;
oom:
	rc = err_nomem();
done:
	free(challenge);
	free(authorization);
	free(header);
	free(path);
	free(server);
	return rc;
}

/* Resolve one reference over 'conn'. */
static int resolve_one(struct registry_resolved *out, struct registry_client *c, struct http_conn *conn,
		       const struct image_ref *ref)
{
	const char *cred_domain, *host = serving_host(c, ref, &cred_domain);
	struct http_response r = { 0 };
	char *what = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (asprintf(&what, "%s/%s:%s", ref->domain, ref->path, ref->tag) < 0)
		return err_nomem();
	rc = get_authed(&r, c, conn, ref, "manifests", ref->tag, c->opts.max_manifest, what);
	if (rc == ERR_TOOBIG)
		err_code_set(ERR_TOOBIG, "registry '%s' sent a manifest for '%s' larger than %zu bytes",
			     host, what, c->opts.max_manifest);
	if (!rc)
		rc = read_answer(out, &r, host, what);
	http_response_release(&r);
	free(what);
	return rc;
}

int registry_fetch(struct buf *out, struct registry_client *c, const struct image_ref *ref,
		   const char *kind, const char *digest, size_t max)
{
	const char *cred_domain, *host = serving_host(c, ref, &cred_domain);
	struct http_response r = { 0 };
	struct http_conn *conn = NULL;
	char *what = NULL, got[SHA256_STRING_LEN + 1], why[256];
	int rc;

	if (!oci_digest_valid(digest))
		return err_set("'%s' is not a sha256 digest", digest);
	if (asprintf(&what, "%s/%s@%s", ref->domain, ref->path, digest) < 0)
		return err_nomem();
	if ((rc = http_conn_new(&conn, c->http)) < 0 ||
	    (rc = get_authed(&r, c, conn, ref, kind, digest, max, what)) < 0)
		goto done;
	if (r.status != 200) {
		registry_error(&r, why, sizeof(why));
		rc = err_code_set(r.status == 404 ? ERR_NOTFOUND : r.status == 401 || r.status == 403
				  ? ERR_REFUSED : ERR_FAIL, "registry '%s' answered %ld for '%s'%s%s",
				  host, r.status, what, why[0] ? ": " : "", why);
		goto done;
	}
	if ((rc = sha256_string(got, buf_str(&r.body), r.body.len)) < 0)
		goto done;
	if (strcmp(got, digest)) {
		rc = err_code_set(ERR_REFUSED, "registry '%s' sent %s for '%s'", host, got, what);
		goto done;
	}
	*out = r.body;
	memset(&r.body, 0, sizeof(r.body));
done:
	http_response_release(&r);
	http_conn_free(conn);
	free(what);
	return rc;
}

/* ---- many at once -------------------------------------------------------- */

struct pool {
	pthread_mutex_t lock;
	size_t next, n;
	struct registry_client *client;
	struct registry_resolved *out;
	char **errors;
	int *codes;
	const struct image_ref *const *refs;
	int failed, lost;	/* some failed; some failure could not be kept */
};

static void *resolver(void *arg)
{
	struct pool *p = arg;
	struct http_conn *conn = NULL;
	int started = http_conn_new(&conn, p->client->http);

	for (;;) {
		size_t i;
		int rc = 0;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		if (started == 0 && (rc = resolve_one(&p->out[i], p->client, conn, p->refs[i])) == 0)
			continue;
		if (p->codes)
			p->codes[i] = started ? started : rc;
		p->errors[i] = strdup(err_msg());
		pthread_mutex_lock(&p->lock);
		p->failed = 1;
		p->lost |= !p->errors[i];
		pthread_mutex_unlock(&p->lock);
	}
	http_conn_free(conn);
	return NULL;
}

int registry_resolve_all(struct registry_client *c, struct registry_resolved *out, char **errors,
			 int *codes, const struct image_ref *const *refs, size_t n, int jobs)
{
	struct pool p = { .n = n, .client = c, .out = out, .errors = errors, .codes = codes,
			  .refs = refs };
	pthread_t threads[64];
	int started = 0;

	memset(out, 0, n * sizeof(*out));
	memset(errors, 0, n * sizeof(*errors));
	if (codes)
		memset(codes, 0, n * sizeof(*codes));
	if (jobs < 1)
		jobs = 1;
	if (jobs > 64)
		jobs = 64;
	if ((size_t)jobs > n)
		jobs = (int)n;
	pthread_mutex_init(&p.lock, NULL);
	for (int i = 0; i < jobs; i++)
		if (pthread_create(&threads[started], NULL, resolver, &p) == 0)
			started++;
	if (!started && n)
		resolver(&p);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&p.lock);
	if (p.lost)
		return err_nomem();
	return p.failed ? ERR_FAIL : 0;
}

/* ---- an image into an OCI layout ------------------------------------------- */

#define PULL_LAYER_MAX (4ull << 30)

/* Fetch blob or manifest 'digest' of 'ref' and write it into 'layout'. */
static int pull_blob(struct buf *out, struct registry_client *c, const struct image_ref *ref,
		     const char *kind, const char *digest, size_t max, const char *layout)
{
	char path[4096];
	int rc;

	buf_release(out);
	if ((rc = registry_fetch(out, c, ref, kind, digest, max)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, digest + 7);
	return outfile_write(path, out->s, out->len) < 0 ? -1 : 0;
}

int registry_pull(struct registry_client *c, const struct image_ref *ref, const char *platform,
		  const char *layout)
{
	struct registry_resolved resolved = { 0 };
	struct buf body = BUF_INIT(0), blob = BUF_INIT(0);
	json_t *root = NULL, *layers;
	const char *digest = ref->digest, *media;
	char *text = NULL, path[4096];
	size_t i;
	int rc;

	if (!digest) {
		/* in this thread: OpenSSL keeps per-thread state a short-lived
		 * thread would take away unreleased */
		struct http_conn *conn = NULL;

		if ((rc = http_conn_new(&conn, c->http)) == 0)
			rc = resolve_one(&resolved, c, conn, ref);
		http_conn_free(conn);
		if (rc < 0)
			goto done;
		digest = resolved.digest;
	}
	snprintf(path, sizeof(path), "%s/blobs/sha256", layout);
	if ((rc = dir_make(path)) < 0)
		goto done;
	if ((rc = registry_fetch(&body, c, ref, "manifests", digest, 4u << 20)) < 0)
		goto done;
	root = json_loadb(buf_str(&body), body.len, 0, NULL);
	if (json_is_array(json_object_get(root, "manifests"))) {
		digest = oci_index_platform(root, platform);
		if (!digest || !oci_digest_valid(digest)) {
			rc = err_code_set(ERR_NOTFOUND, "%s/%s has no image for %s", ref->domain,
					  ref->path, platform);
			goto done;
		}
		/* 'digest' lives in 'root' until the manifest replaces it */
		if (!(digest = strdup(digest))) {
			rc = err_nomem();
			goto done;
		}
		free(resolved.digest);
		resolved.digest = (char *)digest;
		json_decref(root);
		root = NULL;
		if ((rc = pull_blob(&body, c, ref, "manifests", digest, 4u << 20, layout)) < 0)
			goto done;
		root = json_loadb(buf_str(&body), body.len, 0, NULL);
	} else {
		snprintf(path, sizeof(path), "%s/blobs/sha256/%s", layout, digest + 7);
		if ((rc = outfile_write(path, body.s, body.len)) < 0)
			goto done;
	}
	layers = json_object_get(root, "layers");
	media = json_string_value(json_object_get(root, "mediaType"));
	if (!json_is_array(layers) || !json_is_object(json_object_get(root, "config"))) {
		rc = err_set("%s/%s@%s is not an image manifest: no config or layers", ref->domain,
			     ref->path, digest);
		goto done;
	}
	for (i = 0; i <= json_array_size(layers); i++) {
		const char *d = json_string_value(json_object_get(
			i ? json_array_get(layers, i - 1) : json_object_get(root, "config"), "digest"));

		if (!d || !oci_digest_valid(d)) {
			rc = err_set("%s/%s@%s: %s has no sha256 digest", ref->domain, ref->path,
				     digest, i ? "a layer" : "the config");
			goto done;
		}
		if ((rc = pull_blob(&blob, c, ref, "blobs", d, i ? (size_t)PULL_LAYER_MAX : 4u << 20,
				    layout)) < 0)
			goto done;
	}
	if (asprintf(&text, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
		     "\"digest\":\"%s\",\"size\":%zu}]}\n",
		     media && oci_media_type_valid(media) ? media
							  : "application/vnd.oci.image.manifest.v1+json",
		     digest, body.len) < 0) {
		text = NULL;
		rc = err_nomem();
		goto done;
	}
	snprintf(path, sizeof(path), "%s/index.json", layout);
	if ((rc = outfile_write(path, text, strlen(text))) < 0)
		goto done;
	snprintf(path, sizeof(path), "%s/oci-layout", layout);
	rc = outfile_write(path, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
done:
	json_decref(root);
	buf_release(&body);
	buf_release(&blob);
	registry_resolved_release(&resolved);
	free(text);
	return rc < 0 ? rc : 0;
}
