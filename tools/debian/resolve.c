/* apt-get install's choices, as a function of an index. */
#include "debian/resolve.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "debian/version.h"
#include "util/error.h"
#include "util/grow.h"

struct state {
	const struct deb_index *ix;
	const struct deb_resolve_opts *opts;
	uint32_t *cur;		/* by name: the version the system has, +1; 0: none */
	uint32_t *fut;		/* by name: the version it will have, +1; 0: none */
	uint32_t *cand;		/* by name: its candidate, +1; 0: none; computed lazily */
	uint8_t *marked;	/* by name: 1 new or upgraded, 2 also requested */
	uint8_t *cand_done;
	uint32_t *src_head;	/* by hash of a source's name: its first version, +1 */
	uint32_t *src_next;	/* by version: the next of a source with that hash, +1 */
	size_t src_size;	/* a power of two; 0: not made yet */
	unsigned depth;
	char why[512];		/* why the first attempt that failed did */
};

#define MAX_DEPTH 3000

static const char *pkg_name(const struct state *s, uint32_t pkg)
{
	return deb_pkg_name(s->ix, &s->ix->pkg[pkg]);
}

static const char *pkg_version(const struct state *s, uint32_t pkg)
{
	return deb_str(s->ix, s->ix->pkg[pkg].version);
}

/* The version of 'name' the system has, +1; 0: none. */
static uint32_t current(const struct state *s, uint32_t name)
{
	return s->cur[name];
}

/* 1 when version 'pkg' is the one the system has. */
static int installed(const struct state *s, uint32_t pkg)
{
	return s->cur[s->ix->pkg[pkg].name] == pkg + 1;
}

/*
 * apt's priority for version 'pkg' (its policy's): the highest of the
 * indexes that list it, each as opts->pin says (500 without one), and 100
 * for the version the system has; a version only dpkg's status lists that
 * is no longer installed has none.
 */
static int priority(const struct state *s, uint32_t pkg)
{
	const struct deb_pkg *p = &s->ix->pkg[pkg];
	int best = installed(s, pkg) ? 100 : 0;

	if (!(p->flags & DEB_INSTALLED) && !p->origins)
		best = 500;
	for (unsigned k = 0; k < DEB_ORIGINS; k++)
		if (p->origins & (1u << k)) {
			int v = s->opts->pin && k < s->opts->npin ? s->opts->pin[k] : 500;

			if (v > best)
				best = v;
		}
	return best;
}

/* The priority of version 'v' of 'name': of all the entries that have it. */
static int version_priority(const struct state *s, uint32_t name, const char *v)
{
	int best = 0;

	for (uint32_t i = s->ix->name[name].pkgs; i; i = s->ix->pkg[i - 1].next)
		if (!strcmp(pkg_version(s, i - 1), v)) {
			int prio = priority(s, i - 1);

			if (prio > best)
				best = prio;
		}
	return best;
}

/*
 * The candidate of 'name', +1, as apt's pkgPolicy::GetCandidateVer chooses
 * it: of the versions not older than the one the system has (never a
 * downgrade below priority 1000, which pinned does not give), the one of
 * the highest priority above 0, the newest of those; the system's own
 * entry when that is the version it has.
 */
static uint32_t candidate(struct state *s, uint32_t name)
{
	uint32_t best = 0, cur = current(s, name);
	int best_prio = 0;

	if (s->cand_done[name])
		return s->cand[name];
	for (uint32_t i = s->ix->name[name].pkgs; i; i = s->ix->pkg[i - 1].next) {
		const char *v = pkg_version(s, i - 1);
		int prio, c;

		if (cur && deb_version_cmp(v, pkg_version(s, cur - 1)) < 0)
			continue;
		if ((prio = version_priority(s, name, v)) <= 0)
			continue;
		c = best ? deb_version_cmp(v, pkg_version(s, best - 1)) : 1;
		if (prio > best_prio || (prio == best_prio && c > 0) || (c == 0 && installed(s, i - 1))) {
			best = i;
			best_prio = prio;
		}
	}
	s->cand[name] = best;
	s->cand_done[name] = 1;
	return best;
}

/* Does version 'pkg' satisfy relation 'r' on its own name? */
static int satisfies(const struct state *s, uint32_t pkg, const struct deb_rel *r)
{
	const struct deb_pkg *p = &s->ix->pkg[pkg];

	if (r->archq == DEB_ARCHQ_OTHER ||
	    (r->archq == DEB_ARCHQ_ANY && p->multiarch != DEB_MA_ALLOWED))
		return 0;
	return deb_op_holds(deb_str(s->ix, p->version), (enum deb_op)r->op,
			    deb_str(s->ix, r->version));
}

/* Does provider 'pv' satisfy relation 'r' on the name it provides? */
static int provides(const struct state *s, const struct deb_provider *pv, const struct deb_rel *r)
{
	const struct deb_rel *given = &s->ix->rel[pv->rel];
	const struct deb_pkg *p = &s->ix->pkg[pv->pkg];

	if (r->archq == DEB_ARCHQ_OTHER ||
	    (r->archq == DEB_ARCHQ_ANY && p->multiarch != DEB_MA_ALLOWED &&
	     p->multiarch != DEB_MA_FOREIGN))
		return 0;
	if (r->op == DEB_OP_NONE)
		return 1;
	return given->op == DEB_OP_EQ &&
	       deb_op_holds(deb_str(s->ix, given->version), (enum deb_op)r->op,
			    deb_str(s->ix, r->version));
}

/* The future version that satisfies 'r', +1 (other than one of 'self'); 0: none. */
static uint32_t satisfied_by(const struct state *s, const struct deb_rel *r, long self)
{
	uint32_t f = s->fut[r->name];

	if (f && (long)r->name != self && satisfies(s, f - 1, r))
		return f;
	for (uint32_t i = s->ix->name[r->name].providers; i; i = s->ix->prov[i - 1].next) {
		const struct deb_provider *pv = &s->ix->prov[i - 1];
		uint32_t n = s->ix->pkg[pv->pkg].name;

		if ((long)n != self && s->fut[n] == pv->pkg + 1 && provides(s, pv, r))
			return pv->pkg + 1;
	}
	return 0;
}

static void mark(struct state *s, uint32_t pkg, int requested)
{
	uint32_t name = s->ix->pkg[pkg].name;

	s->fut[name] = pkg + 1;
	s->marked[name] = requested ? 2 : 1;
}

/* Back to what the system has. */
static void unmark(struct state *s, uint32_t name)
{
	s->fut[name] = current(s, name);
	s->marked[name] = 0;
}

/* Why the last attempt failed, kept from the first failure. */
static void why(struct state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct state *s, const char *fmt, ...)
{
	va_list ap;

	if (s->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/*
 * apt's CompareProviders: 1 when 'a' is to be tried before 'b' for relation
 * 'r': a requested package, an installed one, the package named itself, an
 * essential, a protected, a more important one, and else the one apt saw
 * last.
 */
static int better(const struct state *s, uint32_t a, uint32_t b, const struct deb_rel *r)
{
	const struct deb_pkg *pa = &s->ix->pkg[a], *pb = &s->ix->pkg[b];

	if ((s->marked[pa->name] == 2) != (s->marked[pb->name] == 2))
		return s->marked[pa->name] == 2;
	if ((current(s, pa->name) != 0) != (current(s, pb->name) != 0))
		return current(s, pa->name) != 0;
	if ((pa->name == r->name) != (pb->name == r->name))
		return pa->name == r->name;
	if ((pa->flags & DEB_ESSENTIAL) != (pb->flags & DEB_ESSENTIAL))
		return (pa->flags & DEB_ESSENTIAL) != 0;
	if ((pa->flags & DEB_PROTECTED) != (pb->flags & DEB_PROTECTED))
		return (pa->flags & DEB_PROTECTED) != 0;
	if (pa->priority != pb->priority)
		return pa->priority < pb->priority;
	return pa->name > pb->name;
}

/* The group of alternatives starting at 'g' ('n' of them). */
static void group_text(const struct state *s, const struct deb_rel *g, size_t n, char *text,
		       size_t size)
{
	char one[160];

	text[0] = '\0';
	for (size_t k = 0; k < n; k++)
		snprintf(text + strlen(text), size - strlen(text), "%s%s", k ? " | " : "",
			 deb_rel_text(s->ix, &g[k], one, sizeof(one)));
}

/* Can some candidate, or the future, satisfy relation 'r'? */
static int satisfiable(struct state *s, const struct deb_rel *r)
{
	uint32_t c = candidate(s, r->name);

	if (satisfied_by(s, r, -1) || (c && satisfies(s, c - 1, r)))
		return 1;
	for (uint32_t i = s->ix->name[r->name].providers; i; i = s->ix->prov[i - 1].next) {
		const struct deb_provider *pv = &s->ix->prov[i - 1];

		if (candidate(s, s->ix->pkg[pv->pkg].name) == pv->pkg + 1 && provides(s, pv, r))
			return 1;
	}
	return 0;
}

static int install(struct state *s, uint32_t pkg, int requested);

/* The solutions of a group, apt's order: per alternative the candidates
 * that satisfy it, best first; upgrades of installed packages before new
 * ones. Into 'out' (room for 'max'); returns how many. */
static size_t solutions(struct state *s, uint32_t pkg, const struct deb_rel *g, size_t n,
			uint32_t *out, size_t max)
{
	size_t nout = 0;

	for (int pass = 0; pass < 2; pass++)
		for (size_t k = 0; k < n; k++) {
			const struct deb_rel *r = &g[k];
			uint32_t list[64], c = candidate(s, r->name);
			size_t m = 0;

			if (c && !installed(s, c - 1) && satisfies(s, c - 1, r))
				list[m++] = c - 1;
			for (uint32_t i = s->ix->name[r->name].providers; i && m < 64;
			     i = s->ix->prov[i - 1].next) {
				const struct deb_provider *pv = &s->ix->prov[i - 1];
				uint32_t p = pv->pkg;

				if (installed(s, p) || candidate(s, s->ix->pkg[p].name) != p + 1 ||
				    s->ix->pkg[p].name == s->ix->pkg[pkg].name || !provides(s, pv, r))
					continue;
				list[m++] = p;
			}
			/* insertion sort, stable: lists are short */
			for (size_t i = 1; i < m; i++)
				for (size_t j = i; j > 0 && better(s, list[j], list[j - 1], r); j--) {
					uint32_t t = list[j];

					list[j] = list[j - 1];
					list[j - 1] = t;
				}
			for (size_t i = 0; i < m && nout < max; i++) {
				int upgrade = current(s, s->ix->pkg[list[i]].name) != 0;

				if (upgrade != (pass == 0))
					continue;
				if (nout && out[nout - 1] == list[i])
					continue;
				out[nout++] = list[i];
			}
		}
	return nout;
}

/* Satisfy the group at 'g' for 'pkg', as apt does: try each solution in
 * turn. Returns 0 when one was installed, or for a Recommends that none
 * satisfies; 1 when a Depends cannot be met; <0 for trouble. */
static int choose(struct state *s, uint32_t pkg, const struct deb_rel *g, size_t n,
		  enum deb_field field)
{
	uint32_t sol[256];
	size_t m = solutions(s, pkg, g, n, sol, 256);
	char text[512];
	int rc;

	for (size_t i = 0; i < m; i++) {
		if (candidate(s, s->ix->pkg[sol[i]].name) != sol[i] + 1)
			continue;
		if ((rc = install(s, sol[i], 0)) <= 0)
			return rc;
	}
	if (field == DEB_RECOMMENDS)
		return 0;
	group_text(s, g, n, text, sizeof(text));
	why(s, "%s %s %s %s, which %s", pkg_name(s, pkg), pkg_version(s, pkg),
	    field == DEB_PRE_DEPENDS ? "pre-depends on" : "depends on", text,
	    m ? "cannot be installed with the rest" : "no version in the archive satisfies");
	return 1;
}

/* The groups of field 'f' of 'pkg': 'fn' is called for each unsatisfied
 * one and its answer returned when not 0. */
static int each_unsatisfied(struct state *s, uint32_t pkg, enum deb_field f,
			    int (*fn)(struct state *, uint32_t, const struct deb_rel *, size_t,
				      enum deb_field))
{
	size_t n, start;
	const struct deb_rel *r = deb_pkg_field(s->ix, &s->ix->pkg[pkg], f, &n);

	for (size_t i = 0; i < n; i = start) {
		int sat = 0, rc;

		for (start = i; start < n; start++) {
			if (!sat && satisfied_by(s, &r[start], -1))
				sat = 1;
			if (!r[start].or_next) {
				start++;
				break;
			}
		}
		if (!sat && (rc = fn(s, pkg, r + i, start - i, f)) != 0)
			return rc;
	}
	return 0;
}

/* 1 when no alternative of the group can be satisfied by a candidate. */
static int unsatisfiable(struct state *s, uint32_t pkg, const struct deb_rel *g, size_t n,
			 enum deb_field f)
{
	char text[512];

	for (size_t k = 0; k < n; k++)
		if (satisfiable(s, &g[k]))
			return 0;
	group_text(s, g, n, text, sizeof(text));
	why(s, "%s %s %s %s, which no version in the archive satisfies", pkg_name(s, pkg),
	    pkg_version(s, pkg), f == DEB_PRE_DEPENDS ? "pre-depends on" : "depends on", text);
	return 1;
}

/* A conflict or break of 'pkg' with what will be there, other than an
 * installed package that can be upgraded: 1 (saying why), else 0; the
 * upgradable ones are added to 'up'. */
static int conflicting(struct state *s, uint32_t pkg, uint32_t *up, size_t *nup, size_t max)
{
	for (int f = DEB_CONFLICTS; f <= DEB_BREAKS; f++) {
		size_t n;
		const struct deb_rel *r = deb_pkg_field(s->ix, &s->ix->pkg[pkg], (enum deb_field)f, &n);

		for (size_t i = 0; i < n; i++) {
			uint32_t other = satisfied_by(s, &r[i], (long)s->ix->pkg[pkg].name), name, c;
			char text[160];

			if (!other)
				continue;
			name = s->ix->pkg[other - 1].name;
			c = candidate(s, name);
			if (!s->marked[name] && installed(s, other - 1) && c && c != other &&
			    *nup < max) {
				up[(*nup)++] = c - 1;
				continue;
			}
			why(s, "%s %s %s %s, and %s %s is to be there too", pkg_name(s, pkg),
			    pkg_version(s, pkg), f == DEB_BREAKS ? "breaks" : "conflicts with",
			    deb_rel_text(s->ix, &r[i], text, sizeof(text)), pkg_name(s, other - 1),
			    pkg_version(s, other - 1));
			return 1;
		}
	}
	return 0;
}

static int install_deps(struct state *s, uint32_t pkg)
{
	int rc;

	if (++s->depth > MAX_DEPTH) {
		s->depth--;
		return err_set("dependencies of %s nest more than %d deep", pkg_name(s, pkg), MAX_DEPTH);
	}
	rc = each_unsatisfied(s, pkg, DEB_PRE_DEPENDS, choose);
	if (!rc)
		rc = each_unsatisfied(s, pkg, DEB_DEPENDS, choose);
	if (!rc && s->opts->recommends)
		rc = each_unsatisfied(s, pkg, DEB_RECOMMENDS, choose);
	s->depth--;
	return rc;
}

/* The bucket of source name 'src' in a table of 'size' (a power of two). */
static uint32_t source_slot(const char *src, size_t size)
{
	return deb_hash(src, strlen(src)) & (uint32_t)(size - 1);
}

/* The versions by source package, made the first time they are needed. */
static int sources(struct state *s)
{
	size_t size = 1024;

	if (s->src_size)
		return 0;
	while (size < s->ix->npkg * 2)
		size *= 2;
	if (!(s->src_head = calloc(size, sizeof(*s->src_head))) ||
	    !(s->src_next = calloc(s->ix->npkg + 1, sizeof(*s->src_next)))) {
		free(s->src_head);
		s->src_head = NULL;
		return err_nomem();
	}
	s->src_size = size;
	for (size_t i = s->ix->npkg; i-- > 0;) {
		uint32_t h = source_slot(deb_pkg_source(s->ix, &s->ix->pkg[i]), size);

		s->src_next[i] = s->src_head[h];
		s->src_head[h] = (uint32_t)i + 1;
	}
	return 0;
}

/*
 * apt 2.6's Upgrade-By-Source-Package, as 'pkg' is marked: each other
 * installed package built from the same source, whose candidate is built
 * from the same source version, is upgraded to it too. One that cannot be
 * is left as it is.
 */
static int install(struct state *s, uint32_t pkg, int requested);

static int upgrade_siblings(struct state *s, uint32_t pkg)
{
	const struct deb_pkg *p = &s->ix->pkg[pkg];
	const char *src = deb_pkg_source(s->ix, p), *ver = deb_pkg_source_version(s->ix, p);
	int rc;

	if ((rc = sources(s)) < 0)
		return rc;
	for (uint32_t i = s->src_head[source_slot(src, s->src_size)]; i;
	     i = s->src_next[i - 1]) {
		const struct deb_pkg *o = &s->ix->pkg[i - 1];
		char kept[sizeof(s->why)];

		if (o->name == p->name || !current(s, o->name) || s->marked[o->name] ||
		    installed(s, i - 1) || candidate(s, o->name) != i ||
		    strcmp(deb_pkg_source(s->ix, o), src) ||
		    strcmp(deb_pkg_source_version(s->ix, o), ver))
			continue;
		memcpy(kept, s->why, sizeof(kept));
		if ((rc = install(s, i - 1, 0)) < 0)
			return rc;
		memcpy(s->why, kept, sizeof(kept));	/* a sibling that fails is no failure */
	}
	return 0;
}

/*
 * apt's MarkInstall: install version 'pkg' and what it needs. Returns 0, or
 * 1 when it cannot be (then nothing of it is marked; the reason is kept in
 * s->why), or <0 for trouble.
 */
static int install(struct state *s, uint32_t pkg, int requested)
{
	uint32_t name = s->ix->pkg[pkg].name, up[16];
	size_t nup = 0;
	int rc;

	if (s->marked[name] && s->fut[name] == pkg + 1) {
		if (requested)
			s->marked[name] = 2;
		return 0;
	}
	if ((rc = each_unsatisfied(s, pkg, DEB_PRE_DEPENDS, unsatisfiable)) != 0 ||
	    (rc = each_unsatisfied(s, pkg, DEB_DEPENDS, unsatisfiable)) != 0 ||
	    (rc = conflicting(s, pkg, up, &nup, 16)) != 0)
		return rc;
	mark(s, pkg, requested);
	rc = upgrade_siblings(s, pkg);
	for (size_t i = 0; i < nup && !rc; i++)
		rc = install(s, up[i], 0);
	if (!rc)
		rc = install_deps(s, pkg);
	if (rc > 0)
		unmark(s, name);
	return rc;
}

/* What is to be there must not conflict: the last word, after every
 * request has had its dependencies installed. */
static int check_conflicts(struct state *s)
{
	for (size_t name = 0; name < s->ix->nname; name++) {
		uint32_t up[16];
		size_t nup = 0;

		if (!s->fut[name])
			continue;
		if (conflicting(s, s->fut[name] - 1, up, &nup, 16))
			return err_set("%s", s->why);
		for (size_t i = 0; i < nup; i++)
			if (install(s, up[i], 0))
				return err_set("%s", s->why);
	}
	return 0;
}

/* apt-get's MarkInstall of a request, already marked: settle its
 * conflicts and install its dependencies. */
static int install_request(struct state *s, uint32_t pkg)
{
	uint32_t up[16];
	size_t nup = 0;
	int rc;

	s->why[0] = '\0';
	if ((rc = upgrade_siblings(s, pkg)) < 0)
		return rc;
	rc = conflicting(s, pkg, up, &nup, 16);
	for (size_t i = 0; i < nup && !rc; i++)
		rc = install(s, up[i], 0);
	if (!rc)
		rc = install_deps(s, pkg);
	if (rc > 0)
		return err_set("cannot install %s %s: %s", pkg_name(s, pkg), pkg_version(s, pkg), s->why);
	return rc;
}

/* The version a request names, +1. */
static int request_pkg(struct state *s, const struct deb_request *q, uint32_t *out)
{
	long name = deb_index_find(s->ix, q->name);
	uint32_t c = 0, only = 0, nprov = 0;

	if (name < 0)
		return err_code_set(ERR_NOTFOUND, "package '%s' is not in the archive", q->name);
	if (q->version) {
		for (uint32_t i = s->ix->name[name].pkgs; i; i = s->ix->pkg[i - 1].next)
			if (strcmp(pkg_version(s, i - 1), q->version) == 0 &&
			    (!c || installed(s, c - 1)))
				c = i;
		if (!c)
			return err_code_set(ERR_NOTFOUND,
					    "version '%s' of package '%s' is not in the archive",
					    q->version, q->name);
		*out = c;
		return 0;
	}
	if ((c = candidate(s, (uint32_t)name)) != 0) {
		*out = c;
		return 0;
	}
	for (uint32_t i = s->ix->name[name].providers; i; i = s->ix->prov[i - 1].next) {
		uint32_t p = s->ix->prov[i - 1].pkg;

		if (candidate(s, s->ix->pkg[p].name) == p + 1 && only != p + 1) {
			only = p + 1;
			nprov++;
		}
	}
	if (nprov == 1) {
		*out = only;
		return 0;
	}
	if (nprov > 1)
		return err_set("package '%s' is a virtual package provided by %u packages: "
			       "name one of them", q->name, nprov);
	return err_code_set(ERR_NOTFOUND, "package '%s' has no installation candidate", q->name);
}

static int by_name(const void *a, const void *b, void *ix)
{
	const struct deb_install *x = a, *y = b;

	return strcmp(deb_pkg_name(ix, &((struct deb_index *)ix)->pkg[x->pkg]),
		      deb_pkg_name(ix, &((struct deb_index *)ix)->pkg[y->pkg]));
}

static int plan(struct deb_plan *out, struct state *s)
{
	for (uint32_t name = 0; name < s->ix->nname; name++) {
		uint32_t pkg = s->fut[name] - 1;
		struct deb_install *in;

		if (!s->marked[name] || installed(s, pkg))
			continue;
		if (GROW(out->v, out->n, out->alloc))
			return ERR_NOMEM;
		in = &out->v[out->n++];
		in->pkg = pkg;
		in->replaces = current(s, name);
		in->requested = s->marked[name] == 2;
	}
	if (out->n > 1)
		qsort_r(out->v, out->n, sizeof(*out->v), by_name, (void *)s->ix);
	return 0;
}

/* The state for 'ix' and 'opts': the system's versions, nothing marked. */
static int state_init(struct state *s, const struct deb_index *ix,
		      const struct deb_resolve_opts *opts)
{
	memset(s, 0, sizeof(*s));
	s->ix = ix;
	s->opts = opts;
	s->cur = calloc(ix->nname + 1, sizeof(*s->cur));
	s->fut = calloc(ix->nname + 1, sizeof(*s->fut));
	s->cand = calloc(ix->nname + 1, sizeof(*s->cand));
	s->marked = calloc(ix->nname + 1, 1);
	s->cand_done = calloc(ix->nname + 1, 1);
	if (!s->cur || !s->fut || !s->cand || !s->marked || !s->cand_done)
		return err_nomem();
	for (size_t i = 0; i < ix->npkg; i++)
		if (ix->pkg[i].flags & DEB_INSTALLED)
			s->cur[ix->pkg[i].name] = (uint32_t)i + 1;
	for (size_t i = 0; i < opts->ninstalled; i++)
		s->cur[ix->pkg[opts->installed[i]].name] = opts->installed[i] + 1;
	memcpy(s->fut, s->cur, (ix->nname + 1) * sizeof(*s->fut));
	return 0;
}

static void state_release(struct state *s)
{
	free(s->cur);
	free(s->fut);
	free(s->cand);
	free(s->marked);
	free(s->cand_done);
	free(s->src_head);
	free(s->src_next);
}

int deb_resolve(struct deb_plan *out, const struct deb_index *ix, const struct deb_request *req,
		size_t nreq, const struct deb_resolve_opts *opts)
{
	struct state s;
	uint32_t *pkgs = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = state_init(&s, ix, opts)) < 0)
		goto done;
	if (!(pkgs = calloc(nreq + 1, sizeof(*pkgs)))) {
		rc = err_nomem();
		goto done;
	}
	/* as apt-get: first every request, then their dependencies in order */
	for (size_t i = 0; i < nreq && !rc; i++)
		if (!(rc = request_pkg(&s, &req[i], &pkgs[i])) && !installed(&s, pkgs[i] - 1))
			mark(&s, pkgs[i] - 1, 1);
	for (size_t i = 0; i < nreq && !rc; i++)
		if (!installed(&s, pkgs[i] - 1))
			rc = install_request(&s, pkgs[i] - 1);
	if (!rc)
		rc = check_conflicts(&s);
	if (!rc)
		rc = plan(out, &s);
done:
	if (rc)
		deb_plan_release(out);
	state_release(&s);
	free(pkgs);
	return rc;
}

int deb_candidates(uint32_t *out, const struct deb_index *ix, const uint32_t *names, size_t n,
		   const struct deb_resolve_opts *opts)
{
	struct state s;
	int rc = state_init(&s, ix, opts);

	for (size_t i = 0; i < n && !rc; i++)
		out[i] = names[i] < ix->nname ? candidate(&s, names[i]) : 0;
	state_release(&s);
	return rc;
}

void deb_plan_release(struct deb_plan *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}
