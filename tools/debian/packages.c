/* Packages indexes and dpkg's status, kept compactly for the resolver. */
#include "debian/packages.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debian/deb822.h"
#include "debian/version.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/grow.h"

int deb_index_new(struct deb_index **out, const char *arch)
{
	struct deb_index *ix = calloc(1, sizeof(*ix));

	*out = NULL;
	if (!ix || !(ix->arch = strdup(arch))) {
		deb_index_free(ix);
		return err_nomem();
	}
	ix->strs = (struct buf)BUF_INIT(UINT32_MAX);
	/* offset 0 is "" */
	if (buf_add(&ix->strs, "", 1) < 0) {
		deb_index_free(ix);
		return ERR_NOMEM;
	}
	*out = ix;
	return 0;
}

void deb_index_free(struct deb_index *ix)
{
	if (!ix)
		return;
	free(ix->arch);
	buf_release(&ix->strs);
	free(ix->pkg);
	free(ix->name);
	free(ix->rel);
	free(ix->prov);
	free(ix->hash);
	free(ix);
}

/* Keep 'len' bytes as a string; its offset in '*off'. */
static int str_add(struct deb_index *ix, const char *s, size_t len, uint32_t *off)
{
	size_t at = ix->strs.len;
	int rc;

	if (len == 0) {
		*off = 0;
		return 0;
	}
	/* each string is followed by a NUL of its own */
	if ((rc = buf_add(&ix->strs, s, len)) < 0 || (rc = buf_add(&ix->strs, "", 1)) < 0) {
		buf_truncate(&ix->strs, at);
		return rc == ERR_TOOBIG ? err_code_set(ERR_TOOBIG, "more than 4 GiB of package data")
					: rc;
	}
	*off = (uint32_t)at;
	return 0;
}

uint32_t deb_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static int rehash(struct deb_index *ix)
{
	size_t size = ix->hash_size ? ix->hash_size * 2 : 4096;
	struct deb_slot *h = calloc(size, sizeof(*h));

	if (!h)
		return err_nomem();
	for (size_t id = 0; id < ix->nname; id++) {
		size_t i = ix->name[id].hash & (size - 1);

		while (h[i].id)
			i = (i + 1) & (size - 1);
		h[i].id = (uint32_t)id + 1;
		h[i].hash = ix->name[id].hash;
	}
	free(ix->hash);
	ix->hash = h;
	ix->hash_size = size;
	return 0;
}

/* The slot of name 's' in the hash: holding its id + 1, or 0 when absent. */
static size_t slot(const struct deb_index *ix, const char *s, size_t len, uint32_t h)
{
	size_t i = h & (ix->hash_size - 1);

	/* the hash beside the id: a probe that differs touches nothing else */
	while (ix->hash[i].id) {
		if (ix->hash[i].hash == h) {
			const struct deb_name *n = &ix->name[ix->hash[i].id - 1];

			const char *str = ix->strs.s + n->str;

			if (memcmp(str, s, len) == 0 && str[len] == '\0')
				break;
		}
		i = (i + 1) & (ix->hash_size - 1);
	}
	return i;
}

long deb_index_find(const struct deb_index *ix, const char *name)
{
	size_t i;

	if (!ix->hash_size)
		return -1;
	i = slot(ix, name, strlen(name), deb_hash(name, strlen(name)));
	return ix->hash[i].id ? (long)ix->hash[i].id - 1 : -1;
}

/* The id of name 's', added when new. */
static int intern(struct deb_index *ix, const char *s, size_t len, uint32_t *id)
{
	uint32_t h = deb_hash(s, len);
	size_t i;

	if ((ix->nname + 1) * 2 > ix->hash_size && rehash(ix))
		return ERR_NOMEM;
	i = slot(ix, s, len, h);
	if (ix->hash[i].id) {
		*id = ix->hash[i].id - 1;
		return 0;
	}
	if (GROW(ix->name, ix->nname, ix->name_alloc) ||
	    str_add(ix, s, len, &ix->name[ix->nname].str))
		return err_code();
	ix->name[ix->nname].hash = h;
	ix->hash[i].id = (uint32_t)ix->nname + 1;
	ix->hash[i].hash = h;
	*id = (uint32_t)ix->nname++;
	return 0;
}

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
	       c == '.';
}

int deb_name_valid(const char *s, size_t len)
{
	if (len < 2 || !name_char(s[0]) || s[0] == '+' || s[0] == '-' || s[0] == '.')
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!name_char(s[i]))
			return 0;
	return 1;
}

static int space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* 1 for the characters that end a name in a relation. */
static int name_end(char c)
{
	switch (c) {
	case ' ': case '\t': case '\n': case '\r': case ',': case '|': case '(': case ')':
	case ':': case '[': case ']': case '<': case '>':
		return 1;
	default:
		return 0;
	}
}

/* A relation field's text, for its messages. */
struct field_ctx {
	const char *file, *field;
	size_t line;
};

static int rel_error(const struct field_ctx *fc, const char *what)
{
	return err_set("%s:%zu: %s: %s", fc->file, fc->line, fc->field, what);
}

/* How parse_rels() keeps what it reads. */
enum rel_mode { REL_KEEP, REL_PROVIDES, REL_NAMES };

/* Parse relation field 'v' ('len' bytes) into new relations of 'ix'; with
 * REL_NAMES only its names are kept (numbered), not the relations. */
static int parse_rels(struct deb_index *ix, const char *v, size_t len, enum rel_mode mode,
		      const struct field_ctx *fc, uint16_t *count)
{
	int provides = mode == REL_PROVIDES;
	const char *p = v, *end = v + len;
	size_t n = 0;

	while (p < end) {
		struct deb_rel *r;
		const char *s;
		char vbuf[256];

		while (p < end && space(*p))
			p++;
		if (p == end)
			break;
		if (GROW(ix->rel, ix->nrel, ix->rel_alloc))
			return ERR_NOMEM;
		r = &ix->rel[ix->nrel];
		for (s = p; p < end && !name_end(*p); p++)
			;
		if (!deb_name_valid(s, (size_t)(p - s)))
			return rel_error(fc, "a package name is not valid");
		if (intern(ix, s, (size_t)(p - s), &r->name))
			return err_code();
		r = &ix->rel[ix->nrel];
		if (p < end && *p == ':') {
			size_t alen;

			for (s = ++p; p < end && !name_end(*p); p++)
				;
			if (p == s)
				return rel_error(fc, "':' with no architecture after it");
			alen = (size_t)(p - s);
			if (alen == 3 && memcmp(s, "any", 3) == 0)
				r->archq = DEB_ARCHQ_ANY;
			else if ((alen == 6 && memcmp(s, "native", 6) == 0) ||
				 (strlen(ix->arch) == alen && memcmp(s, ix->arch, alen) == 0))
				r->archq = DEB_ARCHQ_NATIVE;
			else
				r->archq = DEB_ARCHQ_OTHER;
		}
		while (p < end && space(*p))
			p++;
		if (p < end && *p == '(') {
			size_t vlen;

			p++;
			while (p < end && space(*p))
				p++;
			if (end - p >= 2 && (memcmp(p, "<<", 2) == 0 || memcmp(p, ">>", 2) == 0 ||
					     memcmp(p, "<=", 2) == 0 || memcmp(p, ">=", 2) == 0)) {
				r->op = p[0] == '<' ? (p[1] == '<' ? DEB_OP_LT : DEB_OP_LE)
						    : (p[1] == '>' ? DEB_OP_GT : DEB_OP_GE);
				p += 2;
			} else if (p < end && (*p == '=' || *p == '<' || *p == '>')) {
				/* a lone '<' or '>' is the obsolete spelling of <= and >= */
				r->op = *p == '=' ? DEB_OP_EQ : *p == '<' ? DEB_OP_LE : DEB_OP_GE;
				p++;
			} else {
				return rel_error(fc, "a version relation must be <<, <=, =, >= or >>");
			}
			while (p < end && space(*p))
				p++;
			for (s = p; p < end && *p != ')' && !space(*p); p++)
				;
			vlen = (size_t)(p - s);
			while (p < end && space(*p))
				p++;
			if (p == end || *p != ')')
				return rel_error(fc, "'(' with no ')'");
			p++;
			if (vlen == 0 || vlen >= sizeof(vbuf))
				return rel_error(fc, "a version relation with no version");
			memcpy(vbuf, s, vlen);
			vbuf[vlen] = '\0';
			if (deb_version_check(vbuf))
				return err_prefix("%s:%zu: %s: version '%s'", fc->file, fc->line,
						  fc->field, vbuf);
			if (mode != REL_NAMES && str_add(ix, s, vlen, &r->version))
				return err_code();
			r = &ix->rel[ix->nrel];
			if (provides && r->op != DEB_OP_EQ)
				return rel_error(fc, "a Provides may only name a version with '='");
			while (p < end && space(*p))
				p++;
		}
		if (p < end && (*p == '[' || *p == '<'))
			return rel_error(fc, "architecture and profile restrictions belong in "
					     "source packages");
		if (p < end && *p == '|') {
			if (provides)
				return rel_error(fc, "a Provides has no alternatives");
			r->or_next = 1;
			p++;
		} else if (p < end && *p == ',') {
			p++;
		} else if (p < end) {
			return rel_error(fc, "expected ',' or '|' after a relation");
		}
		if (mode == REL_NAMES)
			memset(r, 0, sizeof(*r));
		if (mode != REL_NAMES) {
			ix->nrel++;
			n++;
		}
		if (r->or_next) {
			while (p < end && space(*p))
				p++;
			if (p == end || *p == ',')
				return rel_error(fc, "'|' with no alternative after it");
		}
	}
	if (n > UINT16_MAX)
		return rel_error(fc, "more than 65535 relations");
	*count = (uint16_t)n;
	return 0;
}

const struct deb_rel *deb_pkg_field(const struct deb_index *ix, const struct deb_pkg *p,
				    enum deb_field f, size_t *n)
{
	size_t at = p->rels;

	for (int i = 0; i < (int)f; i++)
		at += p->nrel[i];
	*n = p->nrel[f];
	return ix->rel ? ix->rel + at : NULL;	/* none at all: n is 0 */
}

int deb_op_holds(const char *version, enum deb_op op, const char *want)
{
	int c;

	if (op == DEB_OP_NONE)
		return 1;
	c = deb_version_cmp(version, want);
	switch (op) {
	case DEB_OP_LT: return c < 0;
	case DEB_OP_LE: return c <= 0;
	case DEB_OP_EQ: return c == 0;
	case DEB_OP_GE: return c >= 0;
	case DEB_OP_GT: return c > 0;
	default: return 0;
	}
}

const char *deb_rel_text(const struct deb_index *ix, const struct deb_rel *r, char *out,
			 size_t size)
{
	static const char *const ops[] = { "", "<<", "<=", "=", ">=", ">>" };

	if (r->op)
		snprintf(out, size, "%s (%s %s)", deb_str(ix, ix->name[r->name].str), ops[r->op],
			 deb_str(ix, r->version));
	else
		snprintf(out, size, "%s", deb_str(ix, ix->name[r->name].str));
	return out;
}

/* The fields a stanza gives us. */
struct stanza {
	const struct deb822_field *package, *version, *arch, *multiarch, *essential, *protected_,
		*priority, *status, *filename, *size, *sha256, *source, *rel[DEB_NFIELDS],
		*names[3];	/* Suggests, Replaces, Enhances: their names only */
};

static void pick(struct stanza *st, const struct deb822 *d)
{
	/* the fields we keep, with their lengths, checked length first */
	static const struct {
		const char *name;
		size_t len, at;
	} want[] = {
#define W(n, m) { n, sizeof(n) - 1, offsetof(struct stanza, m) }
		W("Package", package), W("Version", version), W("Architecture", arch),
		W("Multi-Arch", multiarch), W("Essential", essential), W("Protected", protected_),
		W("Important", protected_), W("Priority", priority), W("Status", status),
		W("Filename", filename), W("Size", size), W("SHA256", sha256), W("Source", source),
		W("Pre-Depends", rel[DEB_PRE_DEPENDS]), W("Depends", rel[DEB_DEPENDS]),
		W("Recommends", rel[DEB_RECOMMENDS]), W("Conflicts", rel[DEB_CONFLICTS]),
		W("Breaks", rel[DEB_BREAKS]), W("Provides", rel[DEB_PROVIDES]),
		W("Suggests", names[0]), W("Replaces", names[1]), W("Enhances", names[2]),
#undef W
	};

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < d->nf; i++) {
		const struct deb822_field *f = &d->f[i];

		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			if (want[k].len == f->name_len && (f->name[0] | 0x20) == (want[k].name[0] | 0x20) &&
			    strncasecmp(f->name, want[k].name, f->name_len) == 0) {
				*(const struct deb822_field **)((char *)st + want[k].at) = f;
				break;
			}
	}
}

static int is(const struct deb822_field *f, const char *s)
{
	return f && f->value_len == strlen(s) && memcmp(f->value, s, f->value_len) == 0;
}

/* dpkg's Status: "want flag status"; installed when status is "installed". */
static int installed(const struct deb822_field *f)
{
	static const char word[] = " installed";

	return f && f->value_len >= sizeof(word) - 1 &&
	       memcmp(f->value + f->value_len - (sizeof(word) - 1), word, sizeof(word) - 1) == 0;
}

static int priority(const struct deb822_field *f)
{
	static const char *const names[] = { "", "required", "important", "standard", "optional",
					     "extra" };

	for (int i = 1; i < 6; i++)
		if (is(f, names[i]))
			return i;
	return DEB_PRIO_NONE;
}

static int missing(const char *file, const struct deb822 *d, const char *pkg, size_t pkg_len,
		   const char *field)
{
	return err_set("%s:%zu: package '%.*s' has no %s field", file, d->stanza_line,
		       (int)pkg_len, pkg, field);
}

int deb_filename_valid(const char *s, size_t len)
{
	if (len == 0 || s[0] == '/')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '`' || c == '$')
			return 0;
		if (c == '.' && i + 1 < len && s[i + 1] == '.' && (i == 0 || s[i - 1] == '/') &&
		    (i + 2 == len || s[i + 2] == '/'))
			return 0;
	}
	return 1;
}

/* 1 when each of the 'len' bytes at 's' is a digit, or with 'hex' a
 * lowercase hex digit. */
static int all_of(const char *s, size_t len, int hex)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (hex && s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int deb_sha256_valid(const char *s, size_t len)
{
	return len == 64 && all_of(s, len, 1);
}

int deb_arch_valid(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return 1;
}

/* An index line number, for messages. */
static uint32_t line32(size_t line)
{
	return line > UINT32_MAX ? UINT32_MAX : (uint32_t)line;
}

/* The version of the same name, version and architecture already held, +1. */
static uint32_t held(const struct deb_index *ix, uint32_t name, const char *version, size_t len,
		     unsigned flags)
{
	for (uint32_t i = ix->name[name].pkgs; i; i = ix->pkg[i - 1].next) {
		const struct deb_pkg *p = &ix->pkg[i - 1];
		const char *v = ix->strs.s + p->version;

		if ((p->flags & (DEB_ARCH_ALL | DEB_INSTALLED)) == flags &&
		    strncmp(v, version, len) == 0 && v[len] == '\0')
			return i;
	}
	return 0;
}

/* "Source: NAME" or "NAME (VERSION)": 0 with the parts, or -1. */
static int read_source(const struct deb822_field *f, const char **name, size_t *name_len,
		       const char **version, size_t *version_len)
{
	const char *v = f->value, *end = v + f->value_len, *sp = memchr(v, ' ', f->value_len);
	char buf[256];

	*name = v;
	*name_len = sp ? (size_t)(sp - v) : f->value_len;
	if (!deb_name_valid(*name, *name_len))
		return -1;
	if (!sp)
		return 0;
	while (sp < end && *sp == ' ')
		sp++;
	if (sp == end || *sp != '(' || end[-1] != ')' || (size_t)(end - sp) - 2 >= sizeof(buf))
		return -1;
	*version = sp + 1;
	*version_len = (size_t)(end - sp) - 2;
	memcpy(buf, *version, *version_len);
	buf[*version_len] = '\0';
	return deb_version_check(buf) ? -1 : 0;
}

static int add_stanza(struct deb_index *ix, const struct deb822 *d, const char *file,
		      enum deb_source src, unsigned origin)
{
	struct stanza st;
	struct deb_pkg *p;
	struct field_ctx fc = { file, NULL, 0 };
	const char *pkg;
	size_t pkg_len, rels = ix->nrel;
	unsigned flags = 0;
	uint32_t name, seen;
	const char *srcname = NULL, *srcver = NULL;
	size_t srcname_len = 0, srcver_len = 0;
	char vbuf[256];

	pick(&st, d);
	if (!st.package)
		return err_set("%s:%zu: a stanza with no Package field", file, d->stanza_line);
	pkg = st.package->value;
	pkg_len = st.package->value_len;
	if (!deb_name_valid(pkg, pkg_len))
		return err_set("%s:%zu: '%.*s' is not a valid package name", file, d->stanza_line,
			       (int)(pkg_len > 64 ? 64 : pkg_len), pkg);
	if (src == DEB_STATUS) {
		if (!installed(st.status))
			return 0;
		flags |= DEB_INSTALLED;
	}
	if (!st.version)
		return missing(file, d, pkg, pkg_len, "Version");
	if (!st.arch)
		return missing(file, d, pkg, pkg_len, "Architecture");
	if (!deb_arch_valid(st.arch->value, st.arch->value_len))
		return err_set("%s:%zu: package '%.*s': '%.*s' is not an architecture", file,
			       st.arch->line, (int)pkg_len, pkg,
			       (int)(st.arch->value_len > 32 ? 32 : st.arch->value_len), st.arch->value);
	if (is(st.arch, "all"))
		flags |= DEB_ARCH_ALL;
	else if (!is(st.arch, ix->arch)) {
		ix->skipped++;
		return 0;
	}
	if (st.version->value_len >= sizeof(vbuf))
		return err_set("%s:%zu: package '%.*s': a version of %zu bytes", file,
			       st.version->line, (int)pkg_len, pkg, st.version->value_len);
	memcpy(vbuf, st.version->value, st.version->value_len);
	vbuf[st.version->value_len] = '\0';
	if (deb_version_check(vbuf))
		return err_prefix("%s:%zu: package '%.*s': version '%s'", file, st.version->line,
				  (int)pkg_len, pkg, vbuf);
	if (st.source && read_source(st.source, &srcname, &srcname_len, &srcver, &srcver_len))
		return err_set("%s:%zu: package '%.*s': Source '%.*s' is not NAME or NAME (VERSION)",
			       file, st.source->line, (int)pkg_len, pkg,
			       (int)(st.source->value_len > 64 ? 64 : st.source->value_len),
			       st.source->value);
	if (src == DEB_PACKAGES) {
		if (!st.filename)
			return missing(file, d, pkg, pkg_len, "Filename");
		if (!st.size)
			return missing(file, d, pkg, pkg_len, "Size");
		if (!st.sha256)
			return missing(file, d, pkg, pkg_len, "SHA256");
		if (!deb_filename_valid(st.filename->value, st.filename->value_len))
			return err_set("%s:%zu: package '%.*s': Filename '%.*s' is not a pool path",
				       file, st.filename->line, (int)pkg_len, pkg,
				       (int)(st.filename->value_len > 64 ? 64 : st.filename->value_len),
				       st.filename->value);
		if (!deb_sha256_valid(st.sha256->value, st.sha256->value_len))
			return err_set("%s:%zu: package '%.*s': SHA256 is not 64 hex digits", file,
				       st.sha256->line, (int)pkg_len, pkg);
		if (st.size->value_len == 0 || st.size->value_len > 15 ||
		    !all_of(st.size->value, st.size->value_len, 0))
			return err_set("%s:%zu: package '%.*s': Size is not a number of bytes", file,
				       st.size->line, (int)pkg_len, pkg);
	}
	if (intern(ix, pkg, pkg_len, &name))
		return err_code();
	if ((seen = held(ix, name, st.version->value, st.version->value_len, flags))) {
		ix->pkg[seen - 1].origins |= origin ? 1u << (origin - 1) : 0;
		return 0;
	}
	if (is(st.essential, "yes"))
		flags |= DEB_ESSENTIAL;
	if (is(st.protected_, "yes"))
		flags |= DEB_PROTECTED;
	if (GROW(ix->pkg, ix->npkg, ix->pkg_alloc))
		return ERR_NOMEM;
	p = &ix->pkg[ix->npkg];
	p->name = name;
	p->origins = origin ? 1u << (origin - 1) : 0;
	p->flags = (uint8_t)flags;
	p->priority = (uint8_t)priority(st.priority);
	p->multiarch = is(st.multiarch, "same") ? DEB_MA_SAME
		       : is(st.multiarch, "foreign") ? DEB_MA_FOREIGN
		       : is(st.multiarch, "allowed") ? DEB_MA_ALLOWED : DEB_MA_NO;
	p->line = line32(d->stanza_line);
	p->rels = (uint32_t)rels;
	if (str_add(ix, st.version->value, st.version->value_len, &ix->pkg[ix->npkg].version) ||
	    str_add(ix, srcname, srcname_len, &ix->pkg[ix->npkg].source) ||
	    str_add(ix, srcver, srcver_len, &ix->pkg[ix->npkg].source_version))
		return err_code();
	if (src == DEB_PACKAGES) {
		p = &ix->pkg[ix->npkg];
		for (size_t i = 0; i < st.size->value_len; i++)	/* checked: 1 to 15 digits */
			p->size = p->size * 10 + (uint64_t)(st.size->value[i] - '0');
		if (str_add(ix, st.filename->value, st.filename->value_len, &p->filename) ||
		    str_add(ix, st.sha256->value, 64, &ix->pkg[ix->npkg].sha256))
			return err_code();
	}
	/* apt's order: the relations, then the names of three it does not
	 * keep, then Provides */
	for (int k = 0; k < DEB_NFIELDS + 3; k++) {
		static const char *const names[] = {
			"Pre-Depends", "Depends", "Conflicts", "Breaks", "Recommends", "Suggests",
			"Replaces", "Enhances", "Provides"
		};
		const struct deb822_field *f = k < DEB_PROVIDES ? st.rel[k]
					       : k < DEB_NFIELDS + 2 ? st.names[k - DEB_PROVIDES]
					       : st.rel[DEB_PROVIDES];
		enum rel_mode mode = k < DEB_PROVIDES ? REL_KEEP
				     : k < DEB_NFIELDS + 2 ? REL_NAMES : REL_PROVIDES;
		uint16_t unused, *count = k < DEB_PROVIDES ? &ix->pkg[ix->npkg].nrel[k]
					  : k < DEB_NFIELDS + 2 ? &unused
					  : &ix->pkg[ix->npkg].nrel[DEB_PROVIDES];

		if (!f)
			continue;
		fc.line = f->line;
		fc.field = names[k];
		if (parse_rels(ix, f->value, f->value_len, mode, &fc, count)) {
			ix->nrel = rels;
			return err_code();
		}
	}
	/* the new version goes last in its name's list; its provides after it */
	p = &ix->pkg[ix->npkg];
	{
		uint32_t *link = &ix->name[name].pkgs;

		while (*link)
			link = &ix->pkg[*link - 1].next;
		*link = (uint32_t)ix->npkg + 1;
	}
	for (size_t r = ix->nrel - p->nrel[DEB_PROVIDES]; r < ix->nrel; r++) {
		struct deb_provider *pv;
		uint32_t *link;

		if (GROW(ix->prov, ix->nprov, ix->prov_alloc))
			return ERR_NOMEM;
		pv = &ix->prov[ix->nprov];
		pv->pkg = (uint32_t)ix->npkg;
		pv->rel = (uint32_t)r;
		for (link = &ix->name[ix->rel[r].name].providers; *link; link = &ix->prov[*link - 1].next)
			;
		*link = (uint32_t)ix->nprov++ + 1;
	}
	ix->npkg++;
	return 0;
}

/* Read whole stanzas from a stream of pieces. */
struct feed {
	struct deb_index *ix;
	struct deb822 d;
	const char *name;
	enum deb_source src;
	unsigned origin;
	size_t line;		/* the line the next piece starts on */
};

static int feed_text(struct feed *f, const char *text, size_t len)
{
	int r;

	deb822_start(&f->d, text, len, f->name, f->line);
	while ((r = deb822_next(&f->d)) == 1)
		if (add_stanza(f->ix, &f->d, f->name, f->src, f->origin))
			return err_code();
	if (r < 0)
		return r;
	f->line = f->d.line + 1;
	return 0;
}

#define PIECE (1u << 20)
#define STANZA_MAX (64u << 20)

static int feed_archive(struct feed *f, struct archive *a)
{
	struct archive_entry *e;
	char *buf = NULL;
	size_t have = 0, alloc = 0;
	int r = 0;

	if (archive_read_next_header(a, &e) != ARCHIVE_OK) {
		if (archive_errno(a) == 0 && archive_error_string(a) == NULL)
			return 0;	/* empty */
		return err_set("%s: %s", f->name, archive_error_string(a));
	}
	for (;;) {
		la_ssize_t n;
		size_t whole;

		if (alloc - have < PIECE) {
			char *p;

			if (alloc >= STANZA_MAX) {
				r = err_code_set(ERR_TOOBIG, "%s:%zu: a stanza of more than %u MiB",
						 f->name, f->line, STANZA_MAX >> 20);
				break;
			}
			if (!(p = realloc(buf, alloc + PIECE))) {
				r = err_nomem();
				break;
			}
			buf = p;
			alloc += PIECE;
		}
		n = archive_read_data(a, buf + have, alloc - have);
		if (n < 0) {
			r = err_set("%s: %s", f->name, archive_error_string(a));
			break;
		}
		have += (size_t)n;
		whole = n == 0 ? have : deb822_whole(buf, have);
		if (whole && (r = feed_text(f, buf, whole)) != 0)
			break;
		memmove(buf, buf + whole, have - whole);
		have -= whole;
		if (n == 0)
			break;
	}
	free(buf);
	return r;
}

static struct archive *reader(void)
{
	struct archive *a = archive_read_new();

	if (a && (archive_read_support_filter_gzip(a) != ARCHIVE_OK ||
		  archive_read_support_filter_xz(a) != ARCHIVE_OK ||
		  archive_read_support_format_raw(a) != ARCHIVE_OK ||
		  archive_read_support_format_empty(a) != ARCHIVE_OK)) {
		archive_read_free(a);
		a = NULL;
	}
	if (!a)
		err_nomem();
	return a;
}

static int add_archive(struct deb_index *ix, struct archive *a, const char *name,
		       enum deb_source src, unsigned origin)
{
	struct feed f = { ix, { 0 }, name, src, origin, 1 };
	int r = origin > DEB_ORIGINS ? err_set("%s: origin %u: an index tells %d apart", name,
					       origin, DEB_ORIGINS)
				     : feed_archive(&f, a);

	deb822_release(&f.d);
	archive_read_free(a);
	return r;
}

int deb_index_add_memory(struct deb_index *ix, const void *data, size_t len, const char *name,
			 enum deb_source src, unsigned origin)
{
	struct archive *a = reader();

	if (!a)
		return ERR_NOMEM;
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		int r = err_set("%s: %s", name, archive_error_string(a));

		archive_read_free(a);
		return r;
	}
	return add_archive(ix, a, name, src, origin);
}

int deb_index_add_file(struct deb_index *ix, const char *path, enum deb_source src,
		       unsigned origin)
{
	struct archive *a;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return err_errno("%s", path);
	if (!(a = reader())) {
		close(fd);
		return ERR_NOMEM;
	}
	if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK) {
		r = err_set("%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		close(fd);
		return r;
	}
	r = add_archive(ix, a, path, src, origin);
	close(fd);
	return r;
}
