/* Locking the apt installs of a template. */
#include "debian/apt_plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian/archive.h"
#include "debian/base.h"
#include "debian/installs.h"
#include "debian/packages.h"
#include "debian/resolve.h"
#include "util/error.h"
#include "util/grow.h"

/* One base image and the archive state for its release: an index shared by
 * the stages built on it. */
struct root {
	long image;			/* in df->images */
	int unpinned;			/* not Debian: its installs are left as written */
	struct deb_index *ix;
	struct apt_lock_stage head;	/* base, codename, architecture, snapshot, sources */
	struct apt_archive_suite *read;	/* what was read of each source, as head.sources */
};

struct planner {
	const struct dockerfile *df;
	const struct images_lock *images;
	const struct apt_plan_opts *o;
	struct registry_client *registry;
	struct http_conn *conn;
	struct apt_archive_cache cache;
	struct apt_installs installs;
	struct root *roots;
	size_t nroots, roots_alloc;
	uint32_t **installed;		/* by stage: versions installed by its end */
	size_t *ninstalled, *installed_alloc;
	long *root_of;			/* by stage */
	struct apt_lock *out;
	struct lock_failures *notes;
};

/* Say why installs are left as written. */
static int note(struct planner *p, size_t line, size_t col, const char *why)
{
	struct lock_failure *f;

	if (GROW(p->notes->v, p->notes->n, p->notes->alloc))
		return ERR_NOMEM;
	f = &p->notes->v[p->notes->n];
	f->line = line;
	f->col = col;
	if (!(f->message = strdup(why)))
		return err_nomem();
	p->notes->n++;
	return 0;
}

/* The Debian architecture of an OCI platform. */
static const char *debian_arch(const char *platform, char *buf, size_t size)
{
	static const struct { const char *oci, *debian; } map[] = {
		{ "linux/amd64", "amd64" }, { "linux/arm64", "arm64" }, { "linux/386", "i386" },
		{ "linux/arm/v7", "armhf" }, { "linux/arm/v6", "armel" }, { "linux/arm/v5", "armel" },
		{ "linux/ppc64le", "ppc64el" }, { "linux/s390x", "s390x" },
		{ "linux/mips64le", "mips64el" }, { "linux/riscv64", "riscv64" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strncmp(platform, map[i].oci, strlen(map[i].oci)) &&
		    (!platform[strlen(map[i].oci)] || platform[strlen(map[i].oci)] == '/'))
			return snprintf(buf, size, "%s", map[i].debian), buf;
	return NULL;
}

static int add_source(struct apt_lock_stage *st, const char *uri, const char *suite,
		      const char *const *components)
{
	static const char *const main_only[] = { "main", NULL };
	struct apt_lock_source *src;
	size_t n = 0;

	if (!components)
		components = main_only;
	while (components[n])
		n++;
	if (GROW(st->sources, st->nsources, st->sources_alloc))
		return ERR_NOMEM;
	src = &st->sources[st->nsources++];
	if (!(src->uri = strdup(uri)) || !(src->suite = strdup(suite)) ||
	    !(src->components = calloc(n + 1, sizeof(*src->components))))
		return err_nomem();
	for (size_t i = 0; i < n; i++)
		if (!(src->components[i] = strdup(components[i])))
			return err_nomem();
	return 0;
}

/* The FROM image the chain of stages of stage 's' starts from, or -1 for
 * scratch. */
static long chain_image(const struct planner *p, size_t s)
{
	size_t at = s;
	int hops = 0;

	while (p->installs.stages[at].parent >= 0 && hops++ < 100000)
		at = (size_t)p->installs.stages[at].parent;
	if (p->installs.stages[at].scratch)
		return -1;
	return p->installs.stages[at].from_image;
}

/* 1 when apt-get -t 'target' asks for a suite beside release 'codename'
 * that its sources do not hold: CODENAME-backports or -backports-sloppy. */
static int extra_suite(const char *target, const char *codename)
{
	size_t n = strlen(codename);

	return !strncmp(target, codename, n) &&
	       (!strcmp(target + n, "-backports") || !strcmp(target + n, "-backports-sloppy"));
}

/*
 * The sources of release 'codename' for the stages built on image 'image':
 * its suite, -updates and -security, and the backports suites that their
 * installs name with -t.
 */
static int sources(struct apt_lock_stage *st, const struct planner *p, long image)
{
	const struct apt_plan_opts *o = p->o;
	char main_uri[2048], security[2048], suite[256];
	const char *c = st->codename;

	if (o->snapshot) {
		const char *at = o->mirror ? o->mirror : APT_DEBIAN_SNAPSHOTS;

		snprintf(main_uri, sizeof(main_uri), "%s/archive/debian/%s", at, o->snapshot);
		snprintf(security, sizeof(security), "%s/archive/debian-security/%s", at, o->snapshot);
	} else {
		snprintf(main_uri, sizeof(main_uri), "%s", o->mirror ? o->mirror : APT_DEBIAN_MIRROR);
		snprintf(security, sizeof(security), "%s", o->mirror ? o->mirror : APT_DEBIAN_SECURITY);
	}
	if (add_source(st, main_uri, c, o->components))
		return err_code();
	snprintf(suite, sizeof(suite), "%s-updates", c);
	if (add_source(st, main_uri, suite, o->components))
		return err_code();
	snprintf(suite, sizeof(suite), "%s-security", c);
	if (add_source(st, security, suite, o->components))
		return err_code();
	for (size_t k = 0; k < p->installs.n; k++) {
		const char *t = p->installs.v[k].target_release;
		int have = 0;

		if (!t || chain_image(p, p->installs.v[k].stage) != image || !extra_suite(t, c))
			continue;
		for (size_t i = 0; i < st->nsources && !have; i++)
			have = !strcmp(st->sources[i].suite, t);
		if (!have && add_source(st, main_uri, t, o->components))
			return err_code();
	}
	return 0;
}

/* The image and digest a stage starts from. */
static int image_of(const struct planner *p, long image, const struct dockerfile_image **img,
		    const char **digest, char **base)
{
	const struct images_lock_entry *e;
	char *key, *name;

	*img = &p->df->images[image];
	*digest = (*img)->ref.digest;
	if (!*digest) {
		if (!(key = image_ref_name_tag(&(*img)->ref)))
			return err_nomem();
		e = images_lock_find(p->images, key);
		free(key);
		if (!e)
			return err_set("%s:%zu:%zu: image '%s' is not locked: run pinned lock", p->df->name,
				       (*img)->line, (*img)->col, (*img)->expanded);
		*digest = e->digest;
	}
	/* named as the lock names it (image_ref_name), by digest */
	if (!(name = image_ref_name(&(*img)->ref)) || asprintf(base, "%s@%s", name, *digest) < 0) {
		free(name);
		*base = NULL;
		return err_nomem();
	}
	free(name);
	return 0;
}

static int copy_str(char **to, const char *from)
{
	return from && !(*to = strdup(from)) ? err_nomem() : 0;
}

/* The index of the base image 'image' (a FROM in df->images). */
static int root_for(struct planner *p, long image, long *out)
{
	const struct dockerfile_image *img;
	struct deb_base base = { 0 };
	struct root *r;
	const char *digest;
	char arch[32];
	int rc;

	for (size_t i = 0; i < p->nroots; i++)
		if (p->roots[i].image == image) {
			*out = (long)i;
			return 0;
		}
	if (GROW(p->roots, p->nroots, p->roots_alloc))
		return ERR_NOMEM;
	r = &p->roots[p->nroots++];
	r->image = image;
	if ((rc = image_of(p, image, &img, &digest, &r->head.base)) < 0)
		return rc;
	if (!debian_arch(p->o->platform, arch, sizeof(arch)))
		return err_set("%s:%zu:%zu: no Debian architecture for platform %s", p->df->name,
			       img->line, img->col, p->o->platform);
	if ((rc = deb_base_fetch(&base, p->registry, &img->ref, digest, p->o->platform)) < 0)
		return err_prefix("%s:%zu:%zu: base image %s", p->df->name, img->line, img->col,
				  img->expanded);
	if (!base.status || !base.id || strcmp(base.id, "debian") || !base.codename) {
		/* not ours to pin: said, and left as written */
		char why[512];

		snprintf(why, sizeof(why), "the apt installs on %s are not locked: it is not Debian "
			 "with dpkg (%s%s%s), and pinned reads Debian's archives", img->expanded,
			 base.id ? "ID=" : "no os-release", base.id ? base.id : "",
			 base.status ? "" : ", no /var/lib/dpkg/status");
		rc = note(p, img->line, img->col, why);
		r->unpinned = 1;
		*out = (long)(p->nroots - 1);
		goto done;
	}
	if (!(r->head.codename = strdup(base.codename)) || !(r->head.architecture = strdup(arch)) ||
	    (p->o->snapshot && !(r->head.snapshot = strdup(p->o->snapshot)))) {
		rc = err_nomem();
		goto done;
	}
	if ((rc = sources(&r->head, p, image)) < 0 || (rc = deb_index_new(&r->ix, arch)) < 0)
		goto done;
	if (!(r->read = calloc(r->head.nsources, sizeof(*r->read)))) {
		rc = err_nomem();
		goto done;
	}
	for (size_t i = 0; i < r->head.nsources; i++) {
		struct apt_lock_source *src = &r->head.sources[i];
		struct apt_archive_opts ao = { p->o->keyring ? p->o->keyring : APT_DEBIAN_KEYRING, arch,
					       p->o->now, !p->o->snapshot };

		if ((rc = apt_archive_read(r->ix, &r->read[i], &p->cache, p->conn, src->uri,
					   src->suite, (const char *const *)src->components, &ao,
					   (unsigned)i + 1)) < 0 ||
		    (rc = copy_str(&src->inrelease, r->read[i].inrelease)) < 0)
			goto done;
	}
	/* apt reads the status after the archive's indexes */
	rc = deb_index_add_memory(r->ix, base.status, base.status_len, "/var/lib/dpkg/status",
				  DEB_STATUS, 0);
	if (rc < 0)
		err_prefix("base image %s", img->expanded);
	*out = (long)(p->nroots - 1);
done:
	deb_base_release(&base);
	return rc;
}

/* The lock's stage for 'stage', made from its root's head when new. */
static int lock_stage(struct planner *p, size_t stage, const struct root *r,
		      struct apt_lock_stage **out)
{
	struct apt_lock_stage *st;

	for (size_t i = 0; i < p->out->n; i++)
		if (p->out->stages[i].stage == stage) {
			*out = &p->out->stages[i];
			return 0;
		}
	if (GROW(p->out->stages, p->out->n, p->out->alloc))
		return ERR_NOMEM;
	st = &p->out->stages[p->out->n++];
	st->stage = stage;
	if (copy_str(&st->base, r->head.base) || copy_str(&st->codename, r->head.codename) ||
	    copy_str(&st->architecture, r->head.architecture) ||
	    copy_str(&st->snapshot, r->head.snapshot))
		return err_code();
	for (size_t i = 0; i < r->head.nsources; i++) {
		const struct apt_lock_source *from = &r->head.sources[i];

		if (add_source(st, from->uri, from->suite, (const char *const *)from->components) ||
		    copy_str(&st->sources[st->nsources - 1].inrelease, from->inrelease))
			return err_code();
	}
	*out = st;
	return 0;
}

/*
 * apt's priority for each source of root 'r' (origin i + 1 is source i), as
 * install 'in' sees them: with -t RELEASE, apt refuses a release that no
 * source is, and prefers those that are.
 */
static int pins(const struct planner *p, const struct apt_install *in, const struct root *r,
		struct deb_resolve_opts *ro)
{
	const char *t = in->target_release;
	int *pin = calloc(r->head.nsources, sizeof(*pin)), found = 0;

	if (!pin)
		return err_nomem();
	for (size_t i = 0; i < r->head.nsources; i++) {
		pin[i] = deb_release_pin(&r->read[i].meta, t);
		found |= pin[i] == DEB_PIN_TARGET;
	}
	ro->pin = pin;
	ro->npin = r->head.nsources;
	if (t && !found) {
		char read[1024] = "";

		for (size_t i = 0, n = 0; i < r->head.nsources && n < sizeof(read); i++)
			n += (size_t)snprintf(read + n, sizeof(read) - n, "%s%s", i ? ", " : "",
					      r->head.sources[i].suite);
		return err_set("%s:%zu:%zu: apt-get install -t %s: no suite read for this stage is "
			       "that release (%s; CODENAME-backports is added when named)",
			       p->df->name, in->line, in->col, t, read);
	}
	return 0;
}

/* Resolve install 'k' and record it in its stage of the lock. */
static int plan_install(struct planner *p, size_t k)
{
	const struct apt_install *in = &p->installs.v[k];
	const struct root *r = p->root_of[in->stage] < 0 ? NULL : &p->roots[p->root_of[in->stage]];
	struct deb_resolve_opts ro = { !in->no_recommends, p->installed[in->stage],
				       p->ninstalled[in->stage], NULL, 0 };
	struct deb_request *req = calloc(in->npackages + 1, sizeof(*req));
	struct deb_plan plan = { 0 };
	struct apt_lock_stage *st = NULL;
	struct apt_lock_install *li;
	int rc;

	if (r && r->unpinned) {
		free(req);
		return 0;
	}
	if (p->root_of[in->stage] < 0) {
		free(req);
		return err_set("%s:%zu:%zu: apt-get install in a stage built on scratch: there is no "
			       "apt", p->df->name, in->line, in->col);
	}
	if (!req)
		return err_nomem();
	if ((rc = pins(p, in, r, &ro)) < 0)
		goto done;
	for (size_t i = 0; i < in->npackages; i++) {
		/* NAME=VERSION: cut a copy at the '=' */
		char *eq = strchr(in->packages[i], '=');

		if (!(req[i].name = strndup(in->packages[i], eq ? (size_t)(eq - in->packages[i])
								 : strlen(in->packages[i])))) {
			rc = err_nomem();
			goto done;
		}
		req[i].version = eq ? eq + 1 : NULL;
	}
	if ((rc = deb_resolve(&plan, r->ix, req, in->npackages, &ro)) < 0) {
		rc = err_prefix("%s:%zu:%zu: apt-get install", p->df->name, in->line, in->col);
		goto done;
	}
	if ((rc = lock_stage(p, in->stage, r, &st)) < 0)
		goto done;
	if (GROW(st->installs, st->ninstalls, st->installs_alloc)) {
		rc = ERR_NOMEM;
		goto done;
	}
	li = &st->installs[st->ninstalls++];
	li->recommends = !in->no_recommends;
	if ((rc = copy_str(&li->target_release, in->target_release)) < 0)
		goto done;
	if (!(li->requested = calloc(in->npackages + 1, sizeof(*li->requested)))) {
		rc = err_nomem();
		goto done;
	}
	for (size_t i = 0; i < in->npackages; i++)
		if ((rc = copy_str(&li->requested[i], in->packages[i])) < 0)
			goto done;
	if (!(li->packages = calloc(plan.n + 1, sizeof(*li->packages)))) {
		rc = err_nomem();
		goto done;
	}
	li->alloc = plan.n + 1;
	for (size_t i = 0; i < plan.n; i++) {
		const struct deb_pkg *pkg = &r->ix->pkg[plan.v[i].pkg];
		struct apt_lock_package *lp = &li->packages[li->npackages++];

		if (GROW(p->installed[in->stage], p->ninstalled[in->stage],
			 p->installed_alloc[in->stage])) {
			rc = ERR_NOMEM;
			goto done;
		}
		p->installed[in->stage][p->ninstalled[in->stage]++] = plan.v[i].pkg;
		lp->size = pkg->size;
		lp->requested = plan.v[i].requested;
		if (copy_str(&lp->name, deb_pkg_name(r->ix, pkg)) ||
		    copy_str(&lp->version, deb_str(r->ix, pkg->version)) ||
		    copy_str(&lp->architecture, pkg->flags & DEB_ARCH_ALL ? "all" : r->ix->arch) ||
		    copy_str(&lp->filename, deb_str(r->ix, pkg->filename)) ||
		    copy_str(&lp->sha256, deb_str(r->ix, pkg->sha256)) ||
		    (plan.v[i].replaces &&
		     copy_str(&lp->replaces, deb_str(r->ix, r->ix->pkg[plan.v[i].replaces - 1].version)))) {
			rc = ERR_NOMEM;
			goto done;
		}
	}
done:
	deb_plan_release(&plan);
	for (size_t i = 0; i < in->npackages; i++)
		free((char *)req[i].name);
	free(req);
	free((int *)ro.pin);
	return rc;
}

/* Start stage 's' with what its parent stage ends with. */
static int inherit(struct planner *p, size_t s)
{
	long parent = p->installs.stages[s].parent;

	if (parent < 0 || !p->ninstalled[parent])
		return 0;
	if (!(p->installed[s] = malloc(p->ninstalled[parent] * sizeof(uint32_t))))
		return err_nomem();
	memcpy(p->installed[s], p->installed[parent], p->ninstalled[parent] * sizeof(uint32_t));
	p->ninstalled[s] = p->installed_alloc[s] = p->ninstalled[parent];
	return 0;
}

/* The root of stage 's': the registry image its chain of stages starts from. */
static int stage_root(struct planner *p, size_t s)
{
	long image = chain_image(p, s);

	return image < 0 ? 0 : root_for(p, image, &p->root_of[s]);
}

/* 1 when 'old' locks exactly these installs on these bases from these
 * sources: what was locked holds, and nothing is fetched. */
static int old_holds(struct planner *p, const struct apt_lock *old)
{
	size_t k = 0, nstages = 0;

	for (size_t s = 0; s < p->installs.nstages; s++) {
		const struct apt_lock_stage *st = apt_lock_stage(old, s);
		struct apt_lock_stage want = { 0 };
		long image = chain_image(p, s);
		size_t n = 0;
		int same;

		for (size_t i = k; i < p->installs.n && p->installs.v[i].stage == s; i++)
			n++;
		if (!n)
			continue;
		nstages++;
		if (!st || st->ninstalls != n || image < 0)
			return 0;
		{
			const struct dockerfile_image *img;
			const char *digest;

			want.codename = st->codename;
			same = image_of(p, image, &img, &digest, &want.base) == 0 &&
			       !strcmp(want.base, st->base) && sources(&want, p, image) == 0 &&
			       want.nsources == st->nsources &&
			       !(p->o->snapshot ? !st->snapshot || strcmp(st->snapshot, p->o->snapshot)
						: st->snapshot != NULL);
			for (size_t i = 0; same && i < want.nsources; i++) {
				size_t c = 0;

				same = !strcmp(want.sources[i].uri, st->sources[i].uri) &&
				       !strcmp(want.sources[i].suite, st->sources[i].suite);
				for (; same && want.sources[i].components[c]; c++)
					same = st->sources[i].components[c] &&
					       !strcmp(want.sources[i].components[c],
						       st->sources[i].components[c]);
				same = same && !st->sources[i].components[c];
			}
			want.codename = NULL;
			apt_lock_stage_release(&want);
		}
		for (size_t i = 0; same && i < n; i++, k++)
			same = apt_lock_install_matches(&st->installs[i], &p->installs.v[k]);
		if (!same)
			return 0;
	}
	return nstages == old->n;
}

int apt_plan(struct apt_lock *out, const struct dockerfile *df, const struct images_lock *images,
	     const struct apt_lock *old, const struct apt_plan_opts *o,
	     struct registry_client *registry, struct http_client *http, struct lock_failures *notes)
{
	struct planner p = { df, images, o, registry, NULL, { 0 }, { 0 }, NULL, 0, 0, NULL, NULL,
			     NULL, NULL, out, notes };
	size_t ns;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = apt_installs_find(&p.installs, df)) < 0)
		return rc;
	if (!p.installs.n) {
		apt_installs_release(&p.installs);
		return 0;
	}
	if (old && old->n && old_holds(&p, old)) {
		apt_installs_release(&p.installs);
		return 1;
	}
	ns = p.installs.nstages;
	p.installed = calloc(ns, sizeof(*p.installed));
	p.ninstalled = calloc(ns, sizeof(*p.ninstalled));
	p.installed_alloc = calloc(ns, sizeof(*p.installed_alloc));
	p.root_of = malloc(ns * sizeof(*p.root_of));
	if (!p.installed || !p.ninstalled || !p.installed_alloc || !p.root_of) {
		rc = err_nomem();
		goto done;
	}
	for (size_t s = 0; s < ns; s++)
		p.root_of[s] = -1;
	if ((rc = http_conn_new(&p.conn, http)) < 0)
		goto done;
	for (size_t s = 0, k = 0; s < ns && !rc; s++) {
		int any = 0;

		for (size_t i = k; i < p.installs.n && p.installs.v[i].stage == s; i++)
			any = 1;
		/* a stage is read when it installs, or a later stage builds on it */
		for (size_t t = s + 1; t < ns && !any; t++)
			any = p.installs.stages[t].parent == (long)s;
		if (!any)
			continue;
		if ((rc = stage_root(&p, s)) < 0 || (rc = inherit(&p, s)) < 0)
			break;
		for (; k < p.installs.n && p.installs.v[k].stage == s && !rc; k++)
			rc = plan_install(&p, k);
	}
done:
	for (size_t i = 0; i < p.nroots; i++) {
		for (size_t k = 0; p.roots[i].read && k < p.roots[i].head.nsources; k++)
			apt_archive_suite_release(&p.roots[i].read[k]);
		free(p.roots[i].read);
		deb_index_free(p.roots[i].ix);
		apt_lock_stage_release(&p.roots[i].head);
	}
	free(p.roots);
	for (size_t s = 0; p.installed && s < ns; s++)
		free(p.installed[s]);
	free(p.installed);
	free(p.ninstalled);
	free(p.installed_alloc);
	free(p.root_of);
	http_conn_free(p.conn);
	apt_archive_cache_release(&p.cache);
	apt_installs_release(&p.installs);
	if (rc)
		apt_lock_release(out);
	return rc;
}
