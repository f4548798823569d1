/*
 * libFuzzer: a Docker config.json as the credentials reader takes it. PATH
 * names nothing, so no credential helper a config names can be run.
 */
#include "docker/regauth.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("PATH", "/nonexistent", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const domains[] = { "docker.io", "r.example", "127.0.0.1:5000" };
	struct regauth *a;
	const char *creds;
	char path[64];
	int fd = memfd_create("config", 0);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (regauth_new(&a, path, 1) == 0) {
			for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
				regauth_credentials(&creds, a, domains[i]);
			regauth_free(a);
		}
	}
	close(fd);
	return 0;
}
