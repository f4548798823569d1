#ifndef PINNED_EXTRACT_H
#define PINNED_EXTRACT_H

#include "util/sha256.h"

/*
 * Unpack the tar archive at 'path' into the new directory 'dir' (which must
 * not exist) for a builder, and hash the archive's bytes as they are read.
 * Extraction never leaves 'dir': absolute names, '..' and writing through a
 * symbolic link are refused, as are entries other than files, directories
 * and symbolic links. When the bytes read do not hash to 'expect' (the
 * archive changed after it was hashed; NULL: not checked), 'dir' is
 * removed and the result is ERR_CHANGED. Returns 0, or a negative code with the message set; on any
 * failure 'dir' is gone.
 */
int extract_checked(const char *path, const unsigned char expect[SHA256_LEN], const char *dir);

/* Remove 'path' and everything below it, never following a link. Returns 0
 * (also when it did not exist), or a negative code. */
int remove_tree(const char *path);

#endif
