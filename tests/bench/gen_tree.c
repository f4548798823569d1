/*
 * usage: gen_tree DIR [tiny|medium]
 * Generate a benchmark context, the same bytes on every run, from a
 * fixed-seed xorshift generator: 20,000 files of 1-64 KiB in nested folders
 * plus eleven 50 MiB files (about 1.2 GB); with "medium", 5,000 such files
 * and three 50 MiB files (about 320 MB); with "tiny", 100,000 one-byte files
 * in 100 folders, the worst case for memory. A finished tree is marked with
 * DIR/.complete and reused.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../xorshift.h"

static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	return xorshift64(&state);
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "gen_tree: %s '%s': %s\n", what, path, strerror(errno));
	exit(2);
}

static void mkdirs(const char *path)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0755) < 0 && errno != EEXIST)
				die("cannot create", buf);
			*p = '/';
		}
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		die("cannot create", buf);
}

static void write_file(const char *path, size_t size)
{
	static uint64_t buf[1 << 17];	/* 1 MiB */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("cannot create", path);
	while (size > 0) {
		size_t n = size < sizeof(buf) ? size : sizeof(buf);

		for (size_t i = 0; i < (n + 7) / 8; i++)
			buf[i] = next();
		if (write(fd, buf, n) != (ssize_t)n)
			die("cannot write", path);
		size -= n;
	}
	close(fd);
}

int main(int argc, char **argv)
{
	char path[4096];
	int tiny = argc == 3 && !strcmp(argv[2], "tiny");
	int medium = argc == 3 && !strcmp(argv[2], "medium");
	int files = medium ? 5000 : tiny ? 0 : 20000, big = medium ? 3 : tiny ? 0 : 11;

	if (argc < 2 || argc > 3 || (argc == 3 && !tiny && !medium)) {
		fputs("usage: gen_tree DIR [tiny|medium]\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/.complete", argv[1]);
	if (access(path, F_OK) == 0)
		return 0;
	for (int i = 0; tiny && i < 100000; i++) {
		snprintf(path, sizeof(path), "%s/d%02d", argv[1], i % 100);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/d%02d/f%05d", argv[1], i % 100, i);
		write_file(path, 1);
	}
	for (int i = 0; i < files; i++) {
		snprintf(path, sizeof(path), "%s/d%02d/e%02d", argv[1], i % 37, i % 11);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/d%02d/e%02d/f%05d.bin", argv[1],
			 i % 37, i % 11, i);
		write_file(path, 1024 + next() % (64 * 1024 - 1024 + 1));
	}
	for (int i = 0; i < big; i++) {
		snprintf(path, sizeof(path), "%s/big%02d.bin", argv[1], i);
		write_file(path, 50 << 20);
	}
	snprintf(path, sizeof(path), "%s/.complete", argv[1]);
	write_file(path, 0);
	return 0;
}
