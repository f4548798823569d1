#ifndef PINNED_PACKAGES_H
#define PINNED_PACKAGES_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/*
 * What a Debian system could install and what it has: the stanzas of apt's
 * Packages indexes and of dpkg's status file, for one architecture (and
 * "all"), kept as compactly as apt's cache keeps them: names interned, each
 * relation parsed once, the rest of a stanza dropped. Bookworm's main index
 * (63,000 stanzas, 48 MiB) loads in about a tenth of a second into about
 * 25 MiB. Strings are offsets into one block (0 is "").
 */

/* Version relations; DEB_OP_NONE for none. */
enum deb_op { DEB_OP_NONE, DEB_OP_LT, DEB_OP_LE, DEB_OP_EQ, DEB_OP_GE, DEB_OP_GT };

/* The architecture qualifier of a relation: none, ":any", ":native" or the
 * native architecture named, or another architecture. */
enum deb_archq { DEB_ARCHQ_NONE, DEB_ARCHQ_ANY, DEB_ARCHQ_NATIVE, DEB_ARCHQ_OTHER };

/* One alternative of a relation field (Depends, Provides, ...). */
struct deb_rel {
	uint32_t name;		/* a name id */
	uint32_t version;	/* a string, or 0 */
	uint8_t op;		/* enum deb_op */
	uint8_t archq;		/* enum deb_archq */
	uint8_t or_next;	/* 1: the next relation is an alternative of this one */
};

/* The relation fields of a stanza that are kept, in the order apt reads
 * them (which decides the order names are first seen in). */
enum deb_field {
	DEB_PRE_DEPENDS, DEB_DEPENDS, DEB_CONFLICTS, DEB_BREAKS, DEB_RECOMMENDS, DEB_PROVIDES,
	DEB_NFIELDS
};

enum deb_multiarch { DEB_MA_NO, DEB_MA_SAME, DEB_MA_FOREIGN, DEB_MA_ALLOWED };

/* Priorities as apt numbers them: lower is more important. */
enum deb_priority {
	DEB_PRIO_NONE, DEB_PRIO_REQUIRED, DEB_PRIO_IMPORTANT, DEB_PRIO_STANDARD,
	DEB_PRIO_OPTIONAL, DEB_PRIO_EXTRA
};

#define DEB_ESSENTIAL 1u	/* Essential: yes */
#define DEB_PROTECTED 2u	/* Protected: yes (or Important: yes) */
#define DEB_INSTALLED 4u	/* from the status file: installed on the system */
#define DEB_ARCH_ALL 8u		/* Architecture: all */

/* One version of one package. */
struct deb_pkg {
	uint32_t name;		/* name id */
	uint32_t version, filename, sha256;	/* strings */
	uint32_t source, source_version;	/* strings: its Source field's; empty: as
						 * its name, as its version */
	uint64_t size;
	uint32_t rels;		/* its relations: rel[rels ...] */
	uint16_t nrel[DEB_NFIELDS];	/* how many in each field, in enum order */
	uint32_t next;		/* the next version of the same name, +1; 0: none */
	uint32_t origins;	/* the indexes that list it: bit N-1 for origin N */
	uint8_t multiarch, priority, flags;
	uint32_t line;		/* where its stanza starts in its file */
};

/* A name: of packages, of what they provide, of what they refer to. Names
 * are numbered in the order the indexes first mention them, stanza by
 * stanza, in apt's order of fields: apt numbers its packages so, and
 * breaks ties between equally good providers by that number. */
struct deb_name {
	uint32_t str;		/* the name */
	uint32_t pkgs;		/* its first version, +1; 0: no package has it */
	uint32_t providers;	/* its first provider, +1, in deb_index.prov */
	uint32_t hash;		/* of the name */
};

/* A package version providing a name. */
struct deb_provider {
	uint32_t pkg;		/* the providing version */
	uint32_t rel;		/* its Provides relation (with the version provided) */
	uint32_t next;		/* the next provider, +1 */
};

struct deb_index {
	char *arch;		/* the native architecture */
	struct buf strs;	/* every string, each followed by a NUL */
	struct deb_pkg *pkg;
	size_t npkg, pkg_alloc;
	struct deb_name *name;
	size_t nname, name_alloc;
	struct deb_rel *rel;
	size_t nrel, rel_alloc;
	struct deb_provider *prov;
	size_t nprov, prov_alloc;
	struct deb_slot {
		uint32_t id;	/* a name id + 1; 0: empty */
		uint32_t hash;	/* of the name */
	} *hash;		/* open addressing by the hash of the name */
	size_t hash_size;
	size_t skipped;		/* stanzas of other architectures */
};

/* How many origins an index tells apart. */
#define DEB_ORIGINS 32

/* Where an index comes from: an archive's Packages, or dpkg's status
 * (only its "install ok installed" stanzas are kept, flagged DEB_INSTALLED). */
enum deb_source { DEB_PACKAGES, DEB_STATUS };

/* An empty index for architecture 'arch' ("amd64"). Returns 0 or ERR_NOMEM;
 * free with deb_index_free() (accepts NULL). */
int deb_index_new(struct deb_index **out, const char *arch);
void deb_index_free(struct deb_index *ix);

/*
 * Add the stanzas of an index, plain or compressed with gzip or xz, from
 * 'len' bytes in memory or from file 'path'; 'name' names it in messages.
 * 'origin' (1 to DEB_ORIGINS, or 0: none) is kept with each version. A
 * version already there (same name, version and architecture) is kept once,
 * with the stanza of the first index and the origins of all. Returns 0,
 * or ERR_FAIL ("NAME:LINE: ...") for a stanza or relation that is not
 * well-formed or lacks a field it needs, ERR_NOTFOUND for a missing file,
 * ERR_NOMEM, ERR_TOOBIG past 4 GiB of strings; the index may then hold part
 * of it, and is still valid.
 */
int deb_index_add_memory(struct deb_index *ix, const void *data, size_t len, const char *name,
			 enum deb_source src, unsigned origin);
int deb_index_add_file(struct deb_index *ix, const char *path, enum deb_source src,
		       unsigned origin);

/* The hash the index keeps names by (FNV-1a of 'len' bytes). */
uint32_t deb_hash(const char *s, size_t len);

/* The id of 'name', or -1 when the index never mentions it. */
long deb_index_find(const struct deb_index *ix, const char *name);

/* The syntax of what an index gives, checked where it enters: names by
 * Debian policy 5.6.1 (lowercase letters, digits, '+', '-' and '.', at
 * least two, starting with a letter or digit); pool file names relative,
 * printable, without "..", spaces or quotes; architectures of a-z, 0-9 and
 * '-'. Each 1 when 'len' bytes at 's' are valid. */
int deb_name_valid(const char *s, size_t len);
int deb_filename_valid(const char *s, size_t len);
int deb_arch_valid(const char *s, size_t len);
/* 1 when 'len' bytes at 's' are a SHA-256 as Debian writes it: 64 lowercase
 * hex digits (Packages, Release, apt.lock). */
int deb_sha256_valid(const char *s, size_t len);

/* A string of the index. */
static inline const char *deb_str(const struct deb_index *ix, uint32_t off)
{
	return ix->strs.s + off;
}

/* The name of a version. */
static inline const char *deb_pkg_name(const struct deb_index *ix, const struct deb_pkg *p)
{
	return ix->strs.s + ix->name[p->name].str;
}

/* The source package a version is built from, and its version. */
static inline const char *deb_pkg_source(const struct deb_index *ix, const struct deb_pkg *p)
{
	return p->source ? ix->strs.s + p->source : deb_pkg_name(ix, p);
}

static inline const char *deb_pkg_source_version(const struct deb_index *ix,
						 const struct deb_pkg *p)
{
	return ix->strs.s + (p->source_version ? p->source_version : p->version);
}

/* The relations of field 'f' of version 'p': '*n' of them. */
const struct deb_rel *deb_pkg_field(const struct deb_index *ix, const struct deb_pkg *p,
				    enum deb_field f, size_t *n);

/* 1 when 'version' satisfies 'op' 'want' ("2.36" DEB_OP_GE "2.28"). */
int deb_op_holds(const char *version, enum deb_op op, const char *want);

/* Writes relation 'r' as Debian writes it ("libc6 (>= 2.36)") into 'out';
 * returns 'out'. */
const char *deb_rel_text(const struct deb_index *ix, const struct deb_rel *r, char *out,
			 size_t size);

#endif
