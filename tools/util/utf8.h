#ifndef PINNED_UTF8_H
#define PINNED_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode one UTF-8 character of the 'len' bytes at 's' (len >= 1) into
 * '*out'; a byte that does not start a valid sequence reads as U+FFFD of
 * width 1, as Go does. Returns the width.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *out);

/* 1 when the string 's' is valid UTF-8. */
int utf8_valid(const char *s);

/*
 * A copy of 's' that is valid UTF-8: each byte that does not start a valid
 * sequence becomes the four characters "\xNN". The caller frees it; NULL
 * with ERR_NOMEM.
 */
char *utf8_escape(const char *s);

/*
 * A copy of the 'len' bytes at 's' with each byte that does not start a
 * valid sequence replaced by U+FFFD, as Go's decoders read it (JSON
 * included); its length in '*outlen'. The caller frees it; NULL with
 * ERR_NOMEM.
 */
char *utf8_replace(const char *s, size_t len, size_t *outlen);

#endif
