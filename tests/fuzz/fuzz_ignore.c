/* libFuzzer: .dockerignore parsing and matching. */
#include "archive/ignore.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ignore *ig;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
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
	free(text);
	return 0;
}
