/* What moved upstream since the locks were made. */
#include "verify/drift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian/archive.h"
#include "debian/packages.h"
#include "debian/release.h"
#include "debian/resolve.h"
#include "debian/version.h"
#include "util/buf.h"
#include "util/error.h"

#define MANIFEST_MAX (4u << 20)

/* ---- images --------------------------------------------------------------- */

/* The platforms the locked index 'e' lists and the tag's index 'now' does
 * not, and the other way round; both lists are sorted. */
static int platforms_moved(struct record_diffs *out, const struct images_lock_entry *e,
			   const struct registry_resolved *now)
{
	size_t i = 0, k = 0;
	int rc = 0;

	while (!rc && (i < e->nplatforms || k < now->nplatforms)) {
		int c = i == e->nplatforms ? 1 : k == now->nplatforms ? -1 :
			strcmp(e->platforms[i].platform, now->platforms[k].platform);

		if (c < 0)
			rc = record_diffs_add(out, "platform", e->key, "removed",
					      e->platforms[i++].platform, NULL);
		else if (c > 0)
			rc = record_diffs_add(out, "platform", e->key, "added", NULL,
					      now->platforms[k++].platform);
		else
			i++, k++;
	}
	return rc;
}

/* Whether the locked digest of 'e' is still there: a finding when not. */
static int digest_gone(struct record_diffs *out, struct registry_client *client,
		       const struct image_ref *ref, const struct images_lock_entry *e)
{
	struct buf body = { 0 };
	int rc = registry_fetch(&body, client, ref, "manifests", e->digest, MANIFEST_MAX);

	buf_release(&body);
	if (rc == ERR_NOTFOUND)
		return record_diffs_add(out, "image", e->key,
					"locked digest deleted: every rebuild fails", e->digest,
					NULL);
	return rc < 0 ? err_prefix("image %s", e->key) : 0;
}

/* What the tag of 'e' names now ('now', or 'error' when it could not be
 * resolved), against the lock. */
static int image_moved(struct record_diffs *out, struct registry_client *client,
		       const struct image_ref *ref, const struct images_lock_entry *e,
		       const struct registry_resolved *now, const char *error)
{
	int rc;

	if (error)
		rc = record_diffs_add(out, "image", e->key, "tag deleted", e->digest, NULL);
	else if (!strcmp(now->digest, e->digest))
		return 0;
	else if (!(rc = record_diffs_add(out, "image", e->key, "tag moved", e->digest,
					 now->digest)) && e->nplatforms && now->nplatforms)
		rc = platforms_moved(out, e, now);
	return rc < 0 ? rc : digest_gone(out, client, ref, e);
}

int drift_images(struct record_diffs *out, struct drift_counts *n, const struct images_lock *lock,
		 struct registry_client *client, int jobs)
{
	size_t count = lock->count, bad = 0, first = 0;
	struct image_ref *refs = calloc(count + 1, sizeof(*refs));
	const struct image_ref **prefs = calloc(count + 1, sizeof(*prefs));
	struct registry_resolved *now = calloc(count + 1, sizeof(*now));
	char **errors = calloc(count + 1, sizeof(*errors));
	int *codes = calloc(count + 1, sizeof(*codes)), rc = 0;

	if (!refs || !prefs || !now || !errors || !codes) {
		rc = err_nomem();
		goto done;
	}
	for (size_t i = 0; i < count && !rc; i++) {
		if ((rc = image_ref_parse(&refs[i], lock->images[i].key)) < 0)
			err_prefix("%s: image '%s'", IMAGES_LOCK_PATH, lock->images[i].key);
		prefs[i] = &refs[i];
	}
	if (rc < 0 ||
	    (rc = registry_resolve_all(client, now, errors, codes, prefs, count, jobs)) == ERR_NOMEM)
		goto done;
	/* a tag the registry does not have is a finding; any other failure is trouble */
	for (size_t i = 0; i < count; i++)
		if (errors[i] && codes[i] != ERR_NOTFOUND && !bad++)
			first = i;
	if (bad) {
		rc = err_set("%s%s", errors[first], bad > 1 ? " (and more images could not be asked)" :
			     "");
		goto done;
	}
	rc = 0;
	for (size_t i = 0; i < count && !rc; i++) {
		const struct images_lock_entry *e = &lock->images[i];

		n->images++;
		n->platforms += e->nplatforms ? e->nplatforms : 1;
		rc = image_moved(out, client, &refs[i], e, &now[i], errors[i]);
	}
done:
	for (size_t i = 0; i < count; i++) {
		if (refs)
			image_ref_free(&refs[i]);
		if (now)
			registry_resolved_release(&now[i]);
		if (errors)
			free(errors[i]);
	}
	free(refs);
	free(prefs);
	free(now);
	free(errors);
	free(codes);
	return rc;
}

/* ---- packages ------------------------------------------------------------- */

/* One stage read: its index, what each source's release says. */
struct stage_read {
	const struct apt_lock_stage *st;
	const struct deb_index *ix;
	const struct deb_release_meta *meta;
};

/* The suite that has version 'v', a -security one when one has it. */
static const char *suite_of(const struct stage_read *r, const struct deb_pkg *v, int *security)
{
	const char *found = NULL;

	*security = 0;
	for (size_t i = 0; i < r->st->nsources && i < DEB_ORIGINS; i++) {
		const char *s = r->st->sources[i].suite;
		size_t len = strlen(s);

		if (!(v->origins & (1u << i)))
			continue;
		if (len > 9 && !strcmp(s + len - 9, "-security")) {
			*security = 1;
			return s;
		}
		if (!found)
			found = s;
	}
	return found;
}

/* Package 'p' of stage 'r', whose candidate now is 'cand' (+1; 0: none). */
static int package_moved(struct record_diffs *out, const struct stage_read *r,
			 const struct apt_lock_package *p, uint32_t cand)
{
	const struct deb_index *ix = r->ix;
	long id = deb_index_find(ix, p->name);
	const struct deb_pkg *have = NULL;
	char path[512];
	int rc = 0, security = 0;

	snprintf(path, sizeof(path), "%zu:%s", r->st->stage, p->name);
	for (uint32_t v = id < 0 ? 0 : ix->name[id].pkgs; v && !have; v = ix->pkg[v - 1].next)
		if (!strcmp(deb_str(ix, ix->pkg[v - 1].version), p->version))
			have = &ix->pkg[v - 1];
	if (!have)
		rc = record_diffs_add(out, "package", path, "left the archive", p->version, NULL);
	else if (strcmp(deb_str(ix, have->sha256), p->sha256))
		rc = record_diffs_add(out, "package", path, "changed in the archive", p->sha256,
				      deb_str(ix, have->sha256));
	if (!rc && cand && deb_version_cmp(deb_str(ix, ix->pkg[cand - 1].version), p->version) > 0) {
		const char *suite = suite_of(r, &ix->pkg[cand - 1], &security);

		rc = record_diffs_add(out, "package", path, security ? "security update" :
				      "newer version", p->version,
				      deb_str(ix, ix->pkg[cand - 1].version));
		if (!rc && suite && !(out->v[out->n - 1].from = strdup(suite)))
			rc = err_nomem();
	}
	return rc;
}

/* Install 'k' of the stage: each package it locked against its candidate
 * now, as the install is written (-t, apt's priorities). */
static int install_moved(struct record_diffs *out, struct drift_counts *n,
			 const struct stage_read *r, size_t k)
{
	const struct apt_lock_install *in = &r->st->installs[k];
	size_t ns = r->st->nsources;
	struct deb_resolve_opts ro = { 0 };
	uint32_t *names = calloc(in->npackages + 1, sizeof(*names));
	uint32_t *cand = calloc(in->npackages + 1, sizeof(*cand));
	int *pin = calloc(ns + 1, sizeof(*pin)), rc;

	if (!names || !cand || !pin) {
		rc = err_nomem();
		goto done;
	}
	for (size_t i = 0; i < ns; i++)
		pin[i] = deb_release_pin(&r->meta[i], in->target_release);
	ro.pin = pin;
	ro.npin = ns;
	for (size_t i = 0; i < in->npackages; i++) {
		long id = deb_index_find(r->ix, in->packages[i].name);

		names[i] = id < 0 ? UINT32_MAX : (uint32_t)id;
	}
	rc = deb_candidates(cand, r->ix, names, in->npackages, &ro);
	for (size_t i = 0; i < in->npackages && !rc; i++) {
		if (apt_lock_package_seen(r->st, k, &in->packages[i]))
			continue;
		n->packages++;
		rc = package_moved(out, r, &in->packages[i], cand[i]);
	}
done:
	free(names);
	free(cand);
	free(pin);
	return rc;
}

int drift_stage(struct record_diffs *out, struct drift_counts *n, const struct apt_lock_stage *st,
		const struct deb_index *ix, const struct deb_release_meta *meta)
{
	struct stage_read r = { st, ix, meta };
	int rc = 0;

	for (size_t k = 0; k < st->ninstalls && !rc; k++)
		rc = install_moved(out, n, &r, k);
	return rc;
}

/* Stage 'st' read again from its sources, then compared. */
static int stage_moved(struct record_diffs *out, struct drift_counts *n,
		       const struct apt_lock_stage *st, struct apt_archive_cache *cache,
		       struct http_conn *conn, const char *keyring, long long now)
{
	struct apt_archive_suite *read = calloc(st->nsources + 1, sizeof(*read));
	struct deb_release_meta *meta = calloc(st->nsources + 1, sizeof(*meta));
	struct deb_index *ix = NULL;
	int rc;

	if (!read || !meta) {
		rc = err_nomem();
		goto done;
	}
	if (st->nsources > DEB_ORIGINS) {
		rc = err_set("%s: stage %zu reads %zu suites, more than %d", APT_LOCK_PATH, st->stage,
			     st->nsources, DEB_ORIGINS);
		goto done;
	}
	if ((rc = deb_index_new(&ix, st->architecture)) < 0)
		goto done;
	for (size_t i = 0; i < st->nsources && !rc; i++) {
		const struct apt_lock_source *src = &st->sources[i];
		struct apt_archive_opts ao = { keyring, st->architecture, now, !st->snapshot };

		rc = apt_archive_read(ix, &read[i], cache, conn, src->uri, src->suite,
				      (const char *const *)src->components, &ao, (unsigned)i + 1);
		meta[i] = read[i].meta;
	}
	if (!rc)
		rc = drift_stage(out, n, st, ix, meta);
done:
	for (size_t i = 0; read && i < st->nsources; i++)
		apt_archive_suite_release(&read[i]);
	free(read);
	free(meta);
	deb_index_free(ix);
	return rc;
}

int drift_packages(struct record_diffs *out, struct drift_counts *n, const struct apt_lock *lock,
		   struct http_client *http, const char *keyring, long long now)
{
	struct apt_archive_cache cache = { 0 };
	struct http_conn *conn = NULL;
	int rc = lock->n ? http_conn_new(&conn, http) : 0;

	for (size_t i = 0; i < lock->n && !rc; i++)
		rc = stage_moved(out, n, &lock->stages[i], &cache, conn, keyring, now);
	n->suites += cache.n;
	apt_archive_cache_release(&cache);
	http_conn_free(conn);
	return rc;
}
