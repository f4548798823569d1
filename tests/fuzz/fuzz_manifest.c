/* libFuzzer: a registry's manifest or index body, as the client reads it. */
#include "docker/registry.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry_resolved r;

	if (registry_read_manifest(&r, (const char *)data, size,
				   "application/vnd.oci.image.index.v1+json", NULL, "h", "w") == 0)
		registry_resolved_release(&r);
	return 0;
}
