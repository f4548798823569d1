/* Reading one suite of a Debian archive over HTTP. */
#include "debian/archive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian/release.h"
#include "util/error.h"
#include "util/grow.h"
#include "util/sha256.h"

#define INRELEASE_MAX (64u << 20)
#define INDEX_MAX (1u << 30)

/* GET 'uri'/'path': 0 with the body, ERR_NOTFOUND for a 404, else an error. */
static int fetch(struct http_response *r, struct http_conn *conn, const char *uri,
		 const char *path, size_t max, const char *what)
{
	char url[4096], server[512];
	struct http_request req = { 0 };
	int rc;

	snprintf(url, sizeof(url), "%s/%s", uri, path);
	snprintf(server, sizeof(server), "archive '%s'", uri);
	req.url = url;
	req.max = max;
	req.server = server;
	req.what = what;
	if ((rc = http_get(r, conn, &req)) < 0)
		return rc;
	if (r->status == 404)
		return err_code_set(ERR_NOTFOUND, "archive '%s' has no %s (%s: 404)", uri, what, path);
	if (r->status != 200)
		return err_set("archive '%s' answered %ld for %s", uri, r->status, path);
	return 0;
}

static void fetched_release(struct apt_archive_fetched *f)
{
	for (size_t k = 0; k < f->n; k++) {
		free(f->v[k].name);
		buf_release(&f->v[k].body);
	}
	free(f->v);
	free(f->uri);
	free(f->suite);
	apt_archive_suite_release(&f->read);
	memset(f, 0, sizeof(*f));
}

void apt_archive_suite_release(struct apt_archive_suite *s)
{
	free(s->inrelease);
	deb_release_meta_release(&s->meta);
	memset(s, 0, sizeof(*s));
}

void apt_archive_cache_release(struct apt_archive_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		fetched_release(&c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* Keep index 'body' (taken) as fetched for 'f'. */
static int keep(struct apt_archive_fetched *f, const char *name, struct buf *body)
{
	if (GROW(f->v, f->n, f->alloc))
		return ERR_NOMEM;
	if (!(f->v[f->n].name = strdup(name)))
		return err_nomem();
	f->v[f->n++].body = *body;
	memset(body, 0, sizeof(*body));
	return 0;
}

/* Read what was fetched into 'ix'. */
static int replay(struct deb_index *ix, struct apt_archive_suite *out,
		  const struct apt_archive_fetched *f, unsigned origin)
{
	for (size_t k = 0; k < f->n; k++)
		if (deb_index_add_memory(ix, buf_str(&f->v[k].body), f->v[k].body.len, f->v[k].name,
					 DEB_PACKAGES, origin) < 0)
			return err_code();
	if (!(out->inrelease = strdup(f->read.inrelease)))
		return err_nomem();
	return deb_release_meta_copy(&out->meta, &f->read.meta);
}

static int fetch_suite(struct apt_archive_fetched *f, struct http_conn *conn, const char *uri,
		       const char *suite, const char *const *components,
		       const struct apt_archive_opts *o)
{
	static const char *const forms[] = { ".xz", ".gz", "" };
	struct http_response r = { 0 };
	struct deb_release rel = { 0 };
	struct deb_release_opts ro;
	char path[1024], what[600], name[4096], url[4096], digest[SHA256_STRING_LEN + 1];
	int rc;

	snprintf(path, sizeof(path), "dists/%s/InRelease", suite);
	snprintf(what, sizeof(what), "suite '%s'", suite);
	if ((rc = fetch(&r, conn, uri, path, INRELEASE_MAX, what)) < 0)
		goto done;
	snprintf(name, sizeof(name), "%s/%s", uri, path);
	ro.keyring = o->keyring;
	ro.name = name;
	ro.now = o->now;
	ro.ignore_valid_until = !o->check_valid_until;
	if ((rc = sha256_string(digest, buf_str(&r.body), r.body.len)) < 0 ||
	    (rc = deb_release_verify(&rel, buf_str(&r.body), r.body.len, &ro)) < 0)
		goto done;
	if (rel.meta.codename && rel.meta.suite && strcmp(rel.meta.codename, suite) &&
	    strcmp(rel.meta.suite, suite)) {
		rc = err_code_set(ERR_REFUSED, "%s: the file is for suite '%s' (%s), not '%s'", name,
				  rel.meta.suite, rel.meta.codename, suite);
		goto done;
	}
	http_response_release(&r);
	for (size_t c = 0; components[c]; c++) {
		const char *form = NULL;
		char index[512];

		for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]) && !form; k++) {
			snprintf(index, sizeof(index), "%s/binary-%s/Packages%s", components[c], o->arch,
				 forms[k]);
			if (deb_release_find(&rel, index))
				form = forms[k];
		}
		if (!form) {
			rc = err_code_set(ERR_NOTFOUND, "%s lists no %s/binary-%s/Packages: the suite has "
					  "no component '%s' for %s", name, components[c], o->arch,
					  components[c], o->arch);
			goto done;
		}
		snprintf(path, sizeof(path), "dists/%s/%s", suite, index);
		snprintf(what, sizeof(what), "index %s", index);
		if ((rc = fetch(&r, conn, uri, path, INDEX_MAX, what)) < 0)
			goto done;
		if ((rc = deb_release_check(&rel, index, buf_str(&r.body), r.body.len)) < 0) {
			rc = err_prefix("%s/dists/%s", uri, suite);
			goto done;
		}
		snprintf(url, sizeof(url), "%s/%s", uri, path);
		if ((rc = keep(f, url, &r.body)) < 0)
			goto done;
		http_response_release(&r);
	}
	if (!(f->read.inrelease = strdup(digest))) {
		rc = err_nomem();
		goto done;
	}
	f->read.meta = rel.meta;	/* taken */
	memset(&rel.meta, 0, sizeof(rel.meta));
done:
	http_response_release(&r);
	deb_release_release(&rel);
	return rc;
}

int apt_archive_read(struct deb_index *ix, struct apt_archive_suite *out,
		     struct apt_archive_cache *cache,
		     struct http_conn *conn, const char *uri, const char *suite,
		     const char *const *components, const struct apt_archive_opts *o,
		     unsigned origin)
{
	struct apt_archive_fetched one = { 0 }, *f = &one;
	int rc;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; cache && i < cache->n; i++)
		if (!strcmp(cache->v[i].uri, uri) && !strcmp(cache->v[i].suite, suite))
			return replay(ix, out, &cache->v[i], origin);
	if (cache) {
		if (GROW(cache->v, cache->n, cache->alloc))
			return ERR_NOMEM;
		f = &cache->v[cache->n++];
	}
	if (!(f->uri = strdup(uri)) || !(f->suite = strdup(suite))) {
		fetched_release(f);
		if (cache)
			cache->n--;
		return err_nomem();
	}
	rc = fetch_suite(f, conn, uri, suite, components, o);
	if (!rc)
		rc = replay(ix, out, f, origin);
	if (!cache)
		fetched_release(&one);
	else if (rc) {
		fetched_release(f);	/* what failed is not kept */
		cache->n--;
	}
	return rc;
}
