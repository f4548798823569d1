#ifndef PINNED_STATCACHE_H
#define PINNED_STATCACHE_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "archive/tar.h"
#include "util/sha256.h"

/*
 * The stat cache of pinned verify (build/verify.cache): for each file of
 * the working tree's context, what stat said when its content was hashed
 * (device, inode, size, mode, modification and change times) and the
 * digest. A file whose stat is still the same is not read again, unless it
 * is "racily clean" (git's rule): its modification or change time is not
 * before the time the cache was written, so a change within the
 * timestamp's granularity could hide behind the same stat; it is hashed
 * again. The change time, which no one can set, catches a content change
 * behind a restored modification time.
 *
 * The file: a line "pinned stat cache 1", then one line per file, sorted
 * by path: "DIGEST DEV INO SIZE MODE MTIME CTIME PATH", the digest as 64
 * hex digits, MODE in octal, each time as SECONDS.NANOSECONDS. A path
 * holding a newline is not kept.
 */
#define STATCACHE_PATH "build/verify.cache"

struct statcache;

/*
 * Read the cache 'text' written at 'written'. Returns 0, ERR_FAIL naming
 * the line that is wrong (the caller starts empty instead: it is only a
 * cache), or ERR_NOMEM. Free '*out' with statcache_free() either way.
 */
int statcache_parse(struct statcache **out, const char *text, size_t len,
		    const struct timespec *written);

/* Read the cache at 'path': missing or not a cache is an empty one.
 * Returns 0, or ERR_NOMEM. */
int statcache_load(struct statcache **out, const char *path);

/*
 * A context_known_fn (archive/context.h) with the cache as 'arg': the
 * digest of the file 'e' whose stat is 'st', when the cache has it for
 * that stat and the file is not racily clean: 1 with 'digest' set; else 0.
 */
int statcache_known(void *cache, const struct tar_entry *e, const struct stat *st,
		    unsigned char digest[SHA256_LEN]);

/*
 * A context_digest_fn (archive/context.h) with the cache as 'arg': the
 * digest of the file 'e', from the cache when its stat allows, else read
 * from 'fd'; given 'data' (a revision's blob), hashed. Every file asked
 * about (here or by statcache_known()) is in the cache statcache_save()
 * writes; the others are left out.
 */
int statcache_digest(void *cache, const struct tar_entry *e, int fd, const void *data,
		     unsigned char digest[SHA256_LEN]);

/* How many files came from the cache, and how many were read. */
void statcache_counts(const struct statcache *c, size_t *cached, size_t *read);

/* Write the files asked about to 'path', whole or not at all; nothing
 * when every one was known by the same stat (the file is this cache).
 * Returns 0, or -1 with the message set. */
int statcache_save(struct statcache *c, const char *path);

void statcache_free(struct statcache *c);

#endif
