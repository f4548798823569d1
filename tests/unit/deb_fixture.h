/* Helpers for the tests of Debian indexes: stanzas of a Packages file and
 * of dpkg's status, written into one text. */
#ifndef PINNED_DEB_FIXTURE_H
#define PINNED_DEB_FIXTURE_H

#include <stdio.h>
#include <string.h>

/* Append an archive stanza: Package, Version, Architecture (amd64 unless
 * 'extra' gives one), the pool fields, and 'extra' ("Field: value\n"...). */
static inline void archive_stanza(char *text, size_t size, const char *name, const char *version,
				  const char *extra)
{
	size_t n = strlen(text);

	snprintf(text + n, size - n,
		 "Package: %s\nVersion: %s\n%s%s"
		 "Filename: pool/main/%c/%s/%s_%s_amd64.deb\nSize: 1000\n"
		 "SHA256: %064d\n\n",
		 name, version, strstr(extra, "Architecture:") ? "" : "Architecture: amd64\n", extra,
		 name[0], name, name, version, 7);
}

/* Append an installed stanza of dpkg's status. */
static inline void status_stanza(char *text, size_t size, const char *name, const char *version,
				 const char *extra)
{
	size_t n = strlen(text);

	snprintf(text + n, size - n,
		 "Package: %s\nStatus: install ok installed\nVersion: %s\nArchitecture: amd64\n%s\n",
		 name, version, extra);
}

#endif
