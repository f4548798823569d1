/* Packages indexes and dpkg's status: what is kept, relations, refusals. */
#include "debian/packages.h"
#include "deb_fixture.h"
#include "test.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

static const struct deb_pkg *find(const struct deb_index *ix, const char *name, unsigned flags)
{
	long id = deb_index_find(ix, name);

	if (id < 0)
		return NULL;
	for (uint32_t i = ix->name[id].pkgs; i; i = ix->pkg[i - 1].next)
		if ((ix->pkg[i - 1].flags & DEB_INSTALLED) == flags)
			return &ix->pkg[i - 1];
	return NULL;
}

/* The relations of a field, written back as Debian writes them. */
static const char *field(const struct deb_index *ix, const struct deb_pkg *p, enum deb_field f)
{
	static char out[512];
	char one[128];
	size_t n;
	const struct deb_rel *r = deb_pkg_field(ix, p, f, &n);

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s",
			 deb_rel_text(ix, &r[i], one, sizeof(one)),
			 r[i].archq == DEB_ARCHQ_ANY ? ":any" : r[i].archq == DEB_ARCHQ_NATIVE ? ":native"
			 : r[i].archq == DEB_ARCHQ_OTHER ? ":other" : "",
			 i + 1 == n ? "" : r[i].or_next ? " | " : ", ");
	return out;
}

/* The message of adding 'text' as a Packages index, or "" when it loads. */
static const char *refusal(const char *text)
{
	struct deb_index *ix;
	int r;

	if (deb_index_new(&ix, "amd64"))
		return "out of memory";
	r = deb_index_add_memory(ix, text, strlen(text), "Packages", DEB_PACKAGES, 1);
	deb_index_free(ix);
	return r ? err_msg() : "";
}

/* The refusal of an archive stanza of "foo" 1 with 'extra' fields. */
static const char *refusal_of(const char *extra)
{
	static char text[1024];

	text[0] = '\0';
	archive_stanza(text, sizeof(text), "foo", "1", extra);
	return refusal(text);
}

int main(void)
{
	static char text[8192], status[2048];
	struct deb_index *ix = NULL;
	const struct deb_pkg *p;

	archive_stanza(text, sizeof(text), "libfoo1", "1.2-1",
		       "Multi-Arch: same\nPriority: optional\n"
		       "Pre-Depends: dpkg (>= 1.15)\n"
		       "Depends: libc6 (>= 2.34), libbar1 | libbaz1 (>> 2:1.0~rc1),\n python3:any (<< 3.12), perl:native\n"
		       "Recommends: foo-data (= 1.2-1)\nSuggests: foo-doc\n"
		       "Conflicts: libfoo0 (< 1.0)\nBreaks: old (> 2)\nReplaces: libfoo0\n"
		       "Provides: libfoo (= 1.2), foo-api\n");
	archive_stanza(text, sizeof(text), "foo-data", "1.2-1",
		       "Architecture: all\nMulti-Arch: foreign\nEssential: yes\nPriority: required\n");
	archive_stanza(text, sizeof(text), "libfoo1", "1.2-1", "");	/* again: kept once */
	archive_stanza(text, sizeof(text), "libfoo1", "1.3-1", "");
	archive_stanza(text, sizeof(text), "armonly", "1.0", "Architecture: arm64\n");
	status_stanza(status, sizeof(status), "libc6", "2.36-9", "Essential: yes\nProvides: libc-api\n");
	strcat(status, "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\nArchitecture: amd64\n\n");
	status_stanza(status, sizeof(status), "libfoo1", "1.2-1", "");

	CHECK(deb_index_new(&ix, "amd64") == 0, "new");
	CHECK(deb_index_add_memory(ix, text, strlen(text), "Packages", DEB_PACKAGES, 1) == 0,
	      "%s", err_msg());
	CHECK(deb_index_add_memory(ix, status, strlen(status), "status", DEB_STATUS, 0) == 0,
	      "%s", err_msg());
	CHECK(ix->npkg == 5, "%zu versions: two of libfoo1 and foo-data, libc6 and libfoo1 installed",
	      ix->npkg);
	CHECK(ix->skipped == 1, "the arm64 stanza is skipped");
	CHECK(deb_index_find(ix, "gone") < 0, "what is not installed is not kept");
	p = find(ix, "libfoo1", 0);
	CHECK(p != NULL, "libfoo1");
	if (p) {
		CHECK_STR(deb_str(ix, p->version), "1.2-1");
		CHECK(p->multiarch == DEB_MA_SAME && p->priority == DEB_PRIO_OPTIONAL && p->line == 1,
		      "multiarch %d priority %d line %u", p->multiarch, p->priority, p->line);
		CHECK_STR(deb_str(ix, p->filename), "pool/main/l/libfoo1/libfoo1_1.2-1_amd64.deb");
		CHECK(p->size == 1000 && strlen(deb_str(ix, p->sha256)) == 64, "size, sha256");
		CHECK_STR(field(ix, p, DEB_PRE_DEPENDS), "dpkg (>= 1.15)");
		CHECK_STR(field(ix, p, DEB_DEPENDS),
			  "libc6 (>= 2.34), libbar1 | libbaz1 (>> 2:1.0~rc1), python3 (<< 3.12):any, perl:native");
		CHECK_STR(field(ix, p, DEB_RECOMMENDS), "foo-data (= 1.2-1)");
		CHECK_STR(field(ix, p, DEB_CONFLICTS), "libfoo0 (<= 1.0)");
		CHECK_STR(field(ix, p, DEB_BREAKS), "old (>= 2)");
		CHECK_STR(field(ix, p, DEB_PROVIDES), "libfoo (= 1.2), foo-api");
		CHECK(deb_index_find(ix, "foo-doc") >= 0, "names of Suggests are numbered");
		{
			uint32_t pv = ix->name[deb_index_find(ix, "libfoo")].providers;

			CHECK(pv && ix->pkg[ix->prov[pv - 1].pkg].name == p->name && !ix->prov[pv - 1].next,
			      "libfoo is provided by libfoo1 alone");
		}
	}
	p = find(ix, "foo-data", 0);
	CHECK(p && (p->flags & (DEB_ARCH_ALL | DEB_ESSENTIAL)) == (DEB_ARCH_ALL | DEB_ESSENTIAL) &&
		      p->priority == DEB_PRIO_REQUIRED && p->multiarch == DEB_MA_FOREIGN,
	      "foo-data: all, essential, required, foreign");
	p = find(ix, "libc6", DEB_INSTALLED);
	CHECK(p && strcmp(deb_str(ix, p->version), "2.36-9") == 0 && p->filename == 0,
	      "libc6 installed, without pool fields");
	CHECK(find(ix, "libfoo1", DEB_INSTALLED) != NULL, "the same version installed is its own entry");
	CHECK(deb_index_find(ix, "foo-data") < deb_index_find(ix, "foo-doc") &&
		      deb_index_find(ix, "foo-doc") < deb_index_find(ix, "libfoo"),
	      "names are numbered as apt first reads them: Recommends, Suggests, Provides");
	deb_index_free(ix);
	test_end("packages: stanzas, relations, provides, status, architectures");

	CHECK(deb_op_holds("2.36-9", DEB_OP_GE, "2.34"), ">=");
	CHECK(!deb_op_holds("2.36-9", DEB_OP_LT, "2.36-9"), "<<");
	CHECK(deb_op_holds("2.36-9", DEB_OP_LE, "2.36-9") && deb_op_holds("1:0", DEB_OP_GT, "9"),
	      "<= and >>");
	CHECK(deb_op_holds("1.0", DEB_OP_EQ, "1.0-0") && deb_op_holds("x", DEB_OP_NONE, NULL), "=");
	test_end("packages: version relations");

	CHECK_STR(refusal("Version: 1\n"), "Packages:1: a stanza with no Package field");
	CHECK_STR(refusal("Package: Foo\nVersion: 1\n"), "Packages:1: 'Foo' is not a valid package name");
	CHECK_STR(refusal("Package: a;rm\nVersion: 1\n"), "Packages:1: 'a;rm' is not a valid package name");
	CHECK_STR(refusal("Package: foo\nArchitecture: amd64\n"),
		  "Packages:1: package 'foo' has no Version field");
	CHECK_STR(refusal("Package: foo\nVersion: 1.0$x\nArchitecture: amd64\n"),
		  "Packages:2: package 'foo': version '1.0$x': invalid character in version number");
	CHECK_STR(refusal("Package: foo\nVersion: 1\nArchitecture: amd64\n"),
		  "Packages:1: package 'foo' has no Filename field");
	CHECK_STR(refusal("Package: foo\nVersion: 1\nArchitecture: amd64\nFilename: ../x.deb\n"
			  "Size: 1\nSHA256: 00\n"),
		  "Packages:4: package 'foo': Filename '../x.deb' is not a pool path");
	CHECK_STR(refusal("Package: foo\nVersion: 1\nArchitecture: amd64\nFilename: x.deb\n"
			  "Size: 1\nSHA256: 00\n"),
		  "Packages:6: package 'foo': SHA256 is not 64 hex digits");
	CHECK_STR(refusal_of("Depends: bar (>= )\n"), "Packages:4: Depends: a version relation with no version");
	CHECK_STR(refusal_of("Depends: bar (~ 1)\n"), "Packages:4: Depends: a version relation must be <<, <=, =, >= or >>");
	CHECK_STR(refusal_of("Depends: bar |\n"), "Packages:4: Depends: '|' with no alternative after it");
	CHECK_STR(refusal_of("Depends: bar (>= 1\n"), "Packages:4: Depends: '(' with no ')'");
	CHECK_STR(refusal_of("Provides: bar (>= 1)\n"), "Packages:4: Provides: a Provides may only name a version with '='");
	CHECK_STR(refusal_of("Depends: bar [amd64]\n"),
		  "Packages:4: Depends: architecture and profile restrictions belong in source packages");
	CHECK_STR(refusal_of("Depends: bar baz\n"), "Packages:4: Depends: expected ',' or '|' after a relation");
	{
		/* half of a gzip stream */
		static const char cut[] =
			"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\x0b\x48\x4c\xce\x4e\x4c"
			"\x4f\xb5\x52\x48\xcb\xcf\xe7\x0a\x4b\x2d\x2a\xce\xcc\xcf\xb3\x52"
			"\x30\xe4\x72\x2c\x4a\xce\xc8\x2c\x49\x4d\x2e\x29\x2d\x02\x4a\x26"
			"\xe6\xa6";
		struct deb_index *g;

		CHECK(deb_index_new(&g, "amd64") == 0, "new");
		CHECK(deb_index_add_memory(g, cut, sizeof(cut) - 1, "Packages.gz", DEB_PACKAGES, 1) ==
			      ERR_FAIL, "a truncated gzip stream is refused");
		CHECK_STR(err_msg(), "Packages.gz: truncated gzip input");
		deb_index_free(g);
	}
	CHECK_STR(refusal(""), "");
	test_end("packages: refusals name the file, line and field");

	CHECK(deb_index_new(&ix, "amd64") == 0, "new");
	CHECK(deb_index_add_file(ix, "/nonexistent/Packages", DEB_PACKAGES, 1) == ERR_NOTFOUND,
	      "a missing file");
	CHECK_STR(err_msg(), "/nonexistent/Packages: No such file or directory");
	deb_index_free(ix);
	test_end("packages: a missing file");
	return TEST_MAIN_RESULT();
}
