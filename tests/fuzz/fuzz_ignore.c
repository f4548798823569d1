/* libFuzzer: .dockerignore parsing and matching, and image references. */
#include "archive/ignore.h"
#include "docker/image_ref.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ignore *ig;
	struct image_ref ref;
	char *text = malloc(size + 1);

	memcpy(text, data, size);
	text[size] = '\0';
	if (ignore_parse(&ig, text, size, ".dockerignore") == 0) {
		static const char *const paths[] = { "a", "a/b", "src/main.c", "x/y/z.txt",
						     ".git", "node_modules/p/q", "\xc3\xa9/\xff" };

		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			ignore_excluded(ig, paths[i]);
			ignore_may_include_below(ig, paths[i]);
		}
		ignore_free(ig);
	}
	if (image_ref_parse(&ref, text) == 0)
		image_ref_free(&ref);
	free(text);
	return 0;
}
