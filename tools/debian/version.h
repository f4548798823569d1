#ifndef PINNED_VERSION_H
#define PINNED_VERSION_H

#include <stddef.h>

/*
 * Debian package versions, [epoch:]upstream[-revision], read and ordered
 * exactly as dpkg does (deb-version(7)): epochs compared as numbers of any
 * length, then upstream and revision compared part by part, where a run of
 * digits is a number and, between them, '~' sorts before everything, even
 * the end, and letters sort before every other character. The revision is
 * what follows the last '-'; none is the same as "0".
 */

/* <0, 0 or >0 as version 'a' is older than, the same as or newer than 'b'.
 * Any two strings compare; a version that deb_version_check() refuses is
 * ordered as dpkg and apt order it anyway. */
int deb_version_cmp(const char *a, const char *b);

/* The same for 'alen' and 'blen' bytes, which need not be NUL-terminated. */
int deb_version_ncmp(const char *a, size_t alen, const char *b, size_t blen);

/*
 * 0 when 'v' is a version dpkg accepts; otherwise ERR_FAIL with dpkg's
 * reason as the message ("version number does not start with digit").
 */
int deb_version_check(const char *v);

#endif
