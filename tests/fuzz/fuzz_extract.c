/* libFuzzer: a tar archive unpacked for a builder, into a folder it must
 * never leave. The archive's own digest is passed, so every input unpacks. */
#include "archive/extract.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[64];

static void cleanup(void)
{
	remove_tree(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char tar[128], out[128];
	unsigned char digest[SHA256_LEN];
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/pinned-fuzz-extract-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	snprintf(tar, sizeof(tar), "%s/in.tar", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	if (!(f = fopen(tar, "wb")) || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (sha256_buffer(digest, data, size) < 0)
		abort();
	remove_tree(out);
	extract_checked(tar, digest, out);
	remove_tree(out);
	return 0;
}
