#ifndef PINNED_ZIP_H
#define PINNED_ZIP_H

#include <stdint.h>

#include "archive/tar.h"
#include "util/sha256.h"

/*
 * A zip archive whose bytes depend only on the entries given, in the order
 * given, and one time: every entry stored (no compression, so no
 * compressor's version can move a byte), its name flagged UTF-8, the time
 * 'mtime' as an MS-DOS time in UTC (1980 to 2107), no extra fields, no
 * comments, Unix mode and type in the external attributes (made by Unix),
 * CRC-32 and sizes in the local header (no data descriptors). Files
 * (mode 0644 or 0755), directories (a name ending in '/') and symbolic
 * links (the target as content) are written; at most 65,535 entries and
 * 4 GiB, as zip64 is not written.
 */
struct zip_writer;

/* Start an archive written to 'fd' ('name' for messages; -1: only hash
 * it). Returns 0, or a negative code. */
int zip_writer_new(struct zip_writer **out, int fd, const char *name, int64_t mtime);

/*
 * Add an entry: a file's content from 'fd' (read twice: for the CRC-32 the
 * header needs, then into the archive; a file that changes in between is an
 * error) or from 'data'. Returns 0, or a negative code with the message set.
 */
int zip_writer_add(struct zip_writer *w, const struct tar_entry *e, int fd, const void *data);

/* Write the central directory; 'digest' gets the SHA-256 of every byte
 * written. Returns 0, or a negative code. */
int zip_writer_finish(struct zip_writer *w, unsigned char digest[SHA256_LEN]);

void zip_writer_free(struct zip_writer *w);

#endif
