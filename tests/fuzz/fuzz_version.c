/* libFuzzer: Debian version ordering. The input is up to three versions
 * separated by newlines; the order must be a total order on them: the same
 * both ways round, reflexive, and transitive. */
#include "debian/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *v[3] = { "", "", "" };
	char *text = malloc(size + 1), *p, *nl;
	int n = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; n < 3; p = nl + 1) {
		v[n++] = p;
		if (!(nl = strchr(p, '\n')))
			break;
		*nl = '\0';
	}
	for (int i = 0; i < 3; i++) {
		deb_version_check(v[i]);
		if (deb_version_cmp(v[i], v[i]) != 0)
			abort();
		for (int j = 0; j < 3; j++) {
			int ij = deb_version_cmp(v[i], v[j]);

			if (ij != -deb_version_cmp(v[j], v[i]))
				abort();
			for (int k = 0; k < 3; k++)
				if (ij <= 0 && deb_version_cmp(v[j], v[k]) <= 0 &&
				    deb_version_cmp(v[i], v[k]) > 0)
					abort();
		}
	}
	free(text);
	return 0;
}
