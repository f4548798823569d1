/* libFuzzer: a service's stdout and output.json as pinned run reads them.
 * The first byte is the exit status; a NUL splits stdout from output.json. */
#include "verify/runtime.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct runtime_report r;
	const char *text = (const char *)data + 1, *nul;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	nul = memchr(text, '\0', len);
	if (nul)
		runtime_check(&r, text, (size_t)(nul - text), data[0] & 3, nul + 1,
			      len - (size_t)(nul - text) - 1);
	else
		runtime_check(&r, text, len, data[0] & 3, NULL, 0);
	runtime_report_release(&r);
	return 0;
}
