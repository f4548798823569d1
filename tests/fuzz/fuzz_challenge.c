/* libFuzzer: a WWW-Authenticate challenge's parameters. */
#include "docker/regauth.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "realm", "service", "scope", "error" };
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		free(regauth_challenge_param(text, keys[i]));
	free(text);
	return 0;
}
