/* libFuzzer: a registry's manifest or index body, as the client reads it,
 * and an index's manifest for a platform as pull and the apt lock find it. */
#include "docker/oci.h"
#include "docker/registry.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry_resolved r;
	json_t *root = json_loadb((const char *)data, size, 0, NULL);

	if (registry_read_manifest(&r, (const char *)data, size,
				   "application/vnd.oci.image.index.v1+json", NULL, "h", "w") == 0)
		registry_resolved_release(&r);
	oci_index_platform(root, "linux/amd64");
	oci_index_platform(root, "linux/arm64/v8");
	json_decref(root);
	return 0;
}
