/*
 * usage: gen_tree DIR [tiny]
 * Generate the benchmark context of issue 2, the same bytes on every run:
 * 20,000 files of 1-64 KiB in nested folders plus eleven 50 MiB files
 * (about 1.2 GB), from a fixed-seed xorshift generator; or, with "tiny",
 * 100,000 one-byte files in 100 folders, the worst case for memory. A
 * finished tree is marked with DIR/.complete and reused.
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

	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "tiny"))) {
		fputs("usage: gen_tree DIR [tiny]\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/.complete", argv[1]);
	if (access(path, F_OK) == 0)
		return 0;
	for (int i = 0; argc == 3 && i < 100000; i++) {
		snprintf(path, sizeof(path), "%s/d%02d", argv[1], i % 100);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/d%02d/f%05d", argv[1], i % 100, i);
		write_file(path, 1);
	}
	for (int i = 0; argc == 2 && i < 20000; i++) {
		snprintf(path, sizeof(path), "%s/d%02d/e%02d", argv[1], i % 37, i % 11);
		mkdirs(path);
		snprintf(path, sizeof(path), "%s/d%02d/e%02d/f%05d.bin", argv[1],
			 i % 37, i % 11, i);
		write_file(path, 1024 + next() % (64 * 1024 - 1024 + 1));
	}
	for (int i = 0; argc == 2 && i < 11; i++) {
		snprintf(path, sizeof(path), "%s/big%02d.bin", argv[1], i);
		write_file(path, 50 << 20);
	}
	snprintf(path, sizeof(path), "%s/.complete", argv[1]);
	write_file(path, 0);
	return 0;
}
