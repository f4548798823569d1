/* libFuzzer: an image layer as the apt lock reads a base image's: the input
 * applied as a layer twice over (a tar, plain or compressed), then the
 * os-release it leaves read. */
#include "debian/base.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deb_base b = { 0 };

	if (deb_base_add_layer(&b, data, size, "fuzz") == 0)
		deb_base_add_layer(&b, data, size, "fuzz again");
	deb_base_finish(&b);
	deb_base_release(&b);
	return 0;
}
