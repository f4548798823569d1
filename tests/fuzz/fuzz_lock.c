/* libFuzzer: lockfiles/images.lock as the lock reader takes it; what it
 * accepts is written, read again and written again to the same bytes. */
#include "docker/images_lock.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Read data[0, size) as a lock file; 0 when it is one. */
static int read_bytes(struct images_lock *lock, const void *data, size_t size)
{
	char path[64];
	int fd = memfd_create("lock", 0), rc = -1;

	if (fd < 0)
		return -1;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		rc = images_lock_read(lock, path);
	}
	close(fd);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct images_lock lock, again;
	char *text = NULL, *text2 = NULL;
	size_t len, len2;

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
