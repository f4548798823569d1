/* libFuzzer: image references, parsed and normalised as Docker does. */
#include "docker/image_ref.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_ref ref;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (image_ref_parse(&ref, text) == 0) {
		free(image_ref_name(&ref));
		free(image_ref_name_tag(&ref));
		image_ref_free(&ref);
	}
	free(text);
	return 0;
}
