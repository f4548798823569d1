/* libFuzzer: lockfiles/images.lock as the lock reader takes it, then written again. */
#include "docker/images_lock.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct images_lock lock;
	char path[64], *text;
	size_t len;
	int fd = memfd_create("lock", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (images_lock_read(&lock, path) == 0) {
			if (images_lock_format(&text, &len, &lock) == 0)
				free(text);
			images_lock_release(&lock);
		}
	}
	close(fd);
	return 0;
}
