/* libFuzzer: the input as lockfiles/images.lock, lockfiles/apt.lock,
 * lockfiles/build.lock (the build record) and lockfiles/build.manifest (its
 * manifest), as their readers take them; what each accepts is written, read
 * again and written again to the same bytes, each locked install is
 * rendered, a record is compared with itself, and a manifest's entries
 * with none, each then removed; and as pinned diff reads any of them, each
 * the same as itself. */
#include "debian/apt_lock.h"
#include "debian/apt_render.h"
#include "docker/images_lock.h"
#include "util/sha256.h"
#include "verify/record.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Read data[0, size) as a lock file with 'reader'; 0 when it is one. */
static int read_as(int (*reader)(void *, const char *), void *lock, const void *data, size_t size)
{
	char path[64];
	int fd = memfd_create("lock", 0), rc = -1;

	if (fd < 0)
		return -1;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rc = reader(lock, path);
	}
	close(fd);
	return rc;
}

static int images_reader(void *lock, const char *path) { return images_lock_read(lock, path); }
static int apt_reader(void *lock, const char *path) { return apt_lock_read(lock, path); }

static int read_bytes(struct images_lock *lock, const void *data, size_t size)
{
	return read_as(images_reader, lock, data, size);
}

static void apt(const void *data, size_t size)
{
	struct apt_lock lock, again;
	char *text = NULL, *text2 = NULL;
	size_t len, len2;

	if (read_as(apt_reader, &lock, data, size) != 0)
		return;
	for (size_t i = 0; i < lock.n; i++)
		for (size_t k = 0; k < lock.stages[i].ninstalls; k++)
			free(apt_render_install(&lock.stages[i], &lock.stages[i].installs[k], ""));
	if (apt_lock_format(&text, &len, &lock) == 0 &&
	    read_as(apt_reader, &again, text, len) == 0) {
		if (apt_lock_format(&text2, &len2, &again) == 0 &&
		    (len2 != len || memcmp(text, text2, len)))
			abort();	/* what is written must read back the same */
		free(text2);
		apt_lock_release(&again);
	}
	free(text);
	apt_lock_release(&lock);
}

static void record(const void *data, size_t size)
{
	struct record r, again;
	struct record_diffs d;
	char *text = NULL, *text2 = NULL;
	size_t len, len2;

	if (record_parse(&r, data, size, "build.lock") != 0)
		return;
	if (record_compare(&d, &r, &r) == 0 && d.n)
		abort();	/* a record is the same as itself */
	record_diffs_release(&d);
	if (record_format(&text, &len, &r) == 0 && record_parse(&again, text, len, "again") == 0) {
		if (record_format(&text2, &len2, &again) == 0 &&
		    (len2 != len || memcmp(text, text2, len)))
			abort();
		free(text2);
		record_release(&again);
	}
	free(text);
	record_release(&r);
}

static void manifest(const void *data, size_t size)
{
	struct record a = { 0 }, none = { 0 };
	struct record_diffs d = { 0 };
	char digest[SHA256_STRING_LEN + 1], *text = malloc(size + 1);

	if (!text || sha256_string(digest, data, size) < 0 || !(a.manifest_digest = strdup(digest)) ||
	    !(none.manifest_digest = strdup("-")) || !(none.manifest = strdup(""))) {
		free(text);
		goto done;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	if (record_take_manifest(&a, text, size, "build.manifest") == 0 &&
	    record_compare(&d, &a, &none) == 0)
		for (size_t i = 0; i < d.n; i++)
			if (strcmp(d.v[i].class, "context") || strcmp(d.v[i].what, "removed"))
				abort();	/* against no entries, each is removed */
done:
	record_diffs_release(&d);
	record_release(&a);
	record_release(&none);
}

static void any(const void *data, size_t size)
{
	struct record r;
	struct record_diffs d = { 0 };
	enum record_kind kind;

	if (record_read_any(&r, &kind, data, size, "any") == 0) {
		if (record_compare(&d, &r, &r) == 0 && d.n)
			abort();	/* each is the same as itself */
		record_diffs_release(&d);
		if (record_compare_builds(&d, &r, &r) == 0 && d.n)
			abort();
		record_diffs_release(&d);
	}
	record_release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct images_lock lock, again;
	char *text = NULL, *text2 = NULL;
	size_t len, len2;

	apt(data, size);
	record(data, size);
	manifest(data, size);
	any(data, size);
	if (read_bytes(&lock, data, size) < 0)
		return 0;
	if (images_lock_format(&text, &len, &lock) == 0 && read_bytes(&again, text, len) == 0) {
		if (images_lock_format(&text2, &len2, &again) == 0 &&
		    (len2 != len || memcmp(text, text2, len)))
			abort();	/* what is written must read back the same */
		free(text2);
		images_lock_release(&again);
	}
	free(text);
	images_lock_release(&lock);
	return 0;
}
