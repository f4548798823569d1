/* libFuzzer: the stat cache verify keeps in build/ (verify/statcache.h):
 * any bytes are read as a cache or refused with a message, without a
 * crash, a leak or undefined behaviour. */
#include "verify/statcache.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct statcache *c = NULL;
	struct timespec t = { 1700000000, 0 };
	int rc = statcache_parse(&c, (const char *)data, size, &t);

	if (rc == ERR_FAIL && !*err_msg())
		abort();
	statcache_free(c);
	return 0;
}
