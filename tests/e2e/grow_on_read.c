/*
 * A preload library for one test: after the first read() from the file
 * named by $CHANGE_FILE it really changes that file on disk, appending to it
 * ($CHANGE_HOW=grow) or truncating it ($CHANGE_HOW=shrink), so the test can
 * show that a file changing while it is archived is refused. Only the
 * moment is arranged; the change is a real one.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t read(int fd, void *buf, size_t count)
{
	static ssize_t (*real_read)(int, void *, size_t);
	static int done;
	const char *target = getenv("CHANGE_FILE"), *how = getenv("CHANGE_HOW");
	char link[64], path[4096];
	ssize_t r, len;
	int wfd;

	if (!real_read)
		real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	r = real_read(fd, buf, count);
	if (done || !target || !how || r <= 0)
		return r;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len <= 0)
		return r;
	path[len] = '\0';
	if (strcmp(path, target))
		return r;
	done = 1;
	if ((wfd = open(target, O_WRONLY | O_APPEND)) >= 0) {
		if (!strcmp(how, "grow"))
			(void)!write(wfd, "more", 4);
		else
			(void)!ftruncate(wfd, 1);
		close(wfd);
	}
	return r;
}
