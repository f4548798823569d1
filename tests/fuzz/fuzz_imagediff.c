/* libFuzzer: two image layers (a tar, plain or compressed, with any
 * headers, xattrs and contents) compared file by file as pinned diff and
 * verify compare images (verify/imagediff.h), strict and semantic, and the
 * first audited as pinned audit does (verify/audit.h). The
 * input is "LEN A B": two bytes of A's length, then the two layers; each
 * goes into an OCI layout of its own in a directory made once. */
#include "verify/audit.h"
#include "verify/imagediff.h"

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define MANIFEST "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define CONFIG "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

static char dir[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The layouts go when the fuzzer ends. */
static void clean(void)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int put(const char *layout, const char *name, const void *data, size_t size)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", layout, name);
	if (!(f = fopen(path, "wb")))
		return -1;
	ok = fwrite(data, 1, size, f) == size;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The layout 'name' whose one image has the one layer 'layer'. */
static int layout(const char *name, const char *layer)
{
	char path[256], text[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(path, 0700) < 0)
		return -1;
	snprintf(text, sizeof(text), "%s/blobs", path);
	mkdir(text, 0700);
	snprintf(text, sizeof(text), "%s/blobs/sha256", path);
	mkdir(text, 0700);
	snprintf(text, sizeof(text),
		 "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" MANIFEST "\"}]}");
	if (put(path, "index.json", text, strlen(text)) < 0)
		return -1;
	snprintf(text, sizeof(text),
		 "{\"config\":{\"digest\":\"sha256:" CONFIG "\"},\"layers\":[{\"digest\":\"%s\"}]}",
		 layer);
	if (put(path, "blobs/sha256/" MANIFEST, text, strlen(text)) < 0)
		return -1;
	snprintf(text, sizeof(text), "{\"rootfs\":{\"diff_ids\":[\"%s\"]}}", layer);
	return put(path, "blobs/sha256/" CONFIG, text, strlen(text));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct audit audit;
	char a[128], b[128];
	size_t la;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "%s/fuzz-imagediff.XXXXXX",
			 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(dir) || layout("a", "sha256:" HEX_A) < 0 || layout("b", "sha256:" HEX_B) < 0 ||
		    !(null = fopen("/dev/null", "w")))
			abort();
		atexit(clean);
	}
	if (size < 2)
		return 0;
	la = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	if (put(a, "blobs/sha256/" HEX_A, data + 2, la) < 0 ||
	    put(b, "blobs/sha256/" HEX_B, data + 2 + la, size - 2 - la) < 0)
		abort();
	image_diff_tags(null, a, NULL, b, NULL, 0);
	image_diff_tags(null, a, NULL, b, NULL, IMAGE_DIFF_SEMANTIC);
	image_audit(&audit, a, NULL, 1000);
	audit_release(&audit);
	return 0;
}
