#ifndef PINNED_PACKAGE_H
#define PINNED_PACKAGE_H

#include "archive/context.h"
#include "util/sha256.h"

/*
 * The PlanQK upload: a zip (archive/zip.h) of exactly the context's
 * entries, in archive order, with .planqkignore (read from the context's
 * source as .dockerignore is) applied on top of .dockerignore, every time
 * the context's. Written to 'fd' ('name' for messages), or only hashed
 * with -1; 'digest' gets the SHA-256 of its bytes. Returns 0, or a negative
 * code with the message set.
 */
#define PACKAGE_IGNORE ".planqkignore"

int package_write(unsigned char digest[SHA256_LEN], struct context *ctx, int fd, const char *name);

#endif
