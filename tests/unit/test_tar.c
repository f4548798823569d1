/* The tar format and the pipelined writer, read back with libarchive. */
#include "util/sha256.h"
#include "util/error.h"
#include "archive/tar.h"
#include "test.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned char header[TAR_HEADER_MAX];

/* The checksum a reader computes: header bytes with the field as spaces. */
static unsigned int checksum(const unsigned char *b)
{
	unsigned int sum = 0;

	for (int i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	return sum;
}

static void test_ustar_fields(void)
{
	struct tar_entry e = { "dir/file.txt", TAR_FILE, 0644, 1234, NULL };
	size_t len = tar_header(header, &e, 1700000000);
	char sum[8];

	CHECK(len == 512, "len %zu", len);
	CHECK_STR((char *)header, "dir/file.txt");
	CHECK(!memcmp(header + 100, "0000644\0", 8), "mode");
	CHECK(!memcmp(header + 108, "0000000\0", 8), "uid");
	CHECK(!memcmp(header + 116, "0000000\0", 8), "gid");
	CHECK(!memcmp(header + 124, "00000002322\0", 12), "size");
	CHECK(!memcmp(header + 136, "14524770400\0", 12), "mtime");
	CHECK(header[156] == '0', "type");
	CHECK(!memcmp(header + 257, "ustar\0" "00", 8), "magic");
	CHECK(header[265] == 0 && header[297] == 0, "user and group names are empty");
	snprintf(sum, sizeof(sum), "%06o", checksum(header));
	CHECK(!memcmp(header + 148, sum, 6) && header[154] == 0 && header[155] == ' ',
	      "checksum");
	test_end("tar: ustar header fields: uid/gid 0, empty names, octal fields, checksum");
}

static void test_long_names(void)
{
	char path[300], target[160];
	struct tar_entry e = { path, TAR_FILE, 0755, 1, NULL };
	size_t len;

	/* 150 bytes with a '/' that leaves a name under 100: ustar prefix */
	memset(path, 'a', 60);
	path[60] = '/';
	memset(path + 61, 'b', 89);
	path[150] = '\0';
	len = tar_header(header, &e, 0);
	CHECK(len == 512, "prefix split: len %zu", len);
	CHECK(!memcmp(header, path + 61, 89) && header[89] == 0, "name part");
	CHECK(!memcmp(header + 345, path, 60) && header[405] == 0, "prefix part");

	/* one 200-byte component: a pax header carries the path */
	memset(path, 'n', 200);
	path[200] = '\0';
	len = tar_header(header, &e, 0);
	CHECK(len == 3 * 512, "pax: len %zu", len);
	CHECK(header[156] == 'x', "pax type");
	CHECK_STR((char *)header, "././@PaxHeader");
	CHECK(!strncmp((char *)header + 512, "210 path=", 9), "pax record '%.12s'", header + 512);
	CHECK(header[1024 + 156] == '0', "file type after pax");

	/* a long link target */
	memset(target, 't', 150);
	target[150] = '\0';
	e = (struct tar_entry){ "l", TAR_SYMLINK, 0777, 0, target };
	len = tar_header(header, &e, 0);
	CHECK(len == 3 * 512, "linkpath: len %zu", len);
	CHECK(!strncmp((char *)header + 512, "164 linkpath=", 13), "record '%.16s'", header + 512);

	/* an mtime past what 11 octal digits hold */
	e = (struct tar_entry){ "f", TAR_FILE, 0644, 0, NULL };
	len = tar_header(header, &e, 10000000000000LL);
	CHECK(len == 3 * 512, "mtime: len %zu", len);
	CHECK(!strncmp((char *)header + 512, "24 mtime=10000000000000\n", 24), "record");
	/* a size past what 11 octal digits hold (8 GiB) */
	e = (struct tar_entry){ "huge", TAR_FILE, 0644, 10ULL << 30, NULL };
	len = tar_header(header, &e, 0);
	CHECK(len == 3 * 512, "size: len %zu", len);
	CHECK(!strncmp((char *)header + 512, "20 size=10737418240\n", 20), "record '%.20s'",
	      header + 512);
	CHECK(!memcmp(header + 1024 + 124, "00000000000\0", 12), "ustar size field is zero");
	test_end("tar: long names, link targets, sizes and times go to pax records");
}

struct item {
	struct tar_entry e;
	const char *content;	/* file content, or NULL */
};

static const char big_marker[] = "big";

static char *make_big(size_t size)
{
	char *p = malloc(size);

	for (size_t i = 0; i < size; i++)
		p[i] = (char)(i * 2654435761u >> 24);
	return p;
}

static void test_roundtrip(void)
{
	char longname[220];
	size_t big_size = 5 * 1024 * 1024 + 123;
	char *big = make_big(big_size);
	struct item items[] = {
		{ { "a/", TAR_DIR, 0755, 0, NULL }, NULL },
		{ { "a/exec.sh", TAR_FILE, 0755, 10, NULL }, "#!/bin/sh\n" },
		{ { "a/link", TAR_SYMLINK, 0777, 0, "exec.sh" }, NULL },
		{ { "big.bin", TAR_FILE, 0644, big_size, NULL }, big_marker },
		{ { "empty", TAR_FILE, 0644, 0, NULL }, "" },
		{ { longname, TAR_FILE, 0644, 3, NULL }, "xyz" },
		{ { "tab\there", TAR_FILE, 0644, 1, NULL }, "t" },
	};
	size_t n = sizeof(items) / sizeof(items[0]);
	char path[] = "/tmp/pinned-test-tar-XXXXXX";
	int fd = mkstemp(path);
	char *manifest_text = NULL;
	size_t manifest_len = 0;
	FILE *manifest = open_memstream(&manifest_text, &manifest_len);
	struct tar_options opts = { .fd = fd, .manifest = manifest, .mtime = 1234567890 };
	struct tar_writer *w;
	unsigned char digest[SHA256_LEN], want[SHA256_LEN];
	struct archive *a;
	struct archive_entry *ae;
	size_t i = 0;

	memset(longname, 'L', 210);
	longname[210] = '\0';
	CHECK(tar_writer_new(&w, &opts) == 0, "%s", err_msg());
	for (size_t k = 0; k < n; k++) {
		const char *data = items[k].content == big_marker ? big : items[k].content;

		CHECK(tar_writer_add(w, &items[k].e, -1, data) == 0, "%s", err_msg());
	}
	CHECK(tar_writer_finish(w, digest) == 0, "%s", err_msg());
	tar_writer_free(w);
	fclose(manifest);

	/* the digest is the SHA-256 of exactly the bytes written */
	{
		off_t size = lseek(fd, 0, SEEK_END);
		char *bytes = malloc((size_t)size);

		CHECK(pread(fd, bytes, (size_t)size, 0) == size, "read back");
		CHECK(size % 512 == 0, "size %lld", (long long)size);
		sha256_buffer(want, bytes, (size_t)size);
		CHECK(!memcmp(digest, want, SHA256_LEN), "archive digest");
		free(bytes);
	}

	a = archive_read_new();
	archive_read_support_format_tar(a);
	CHECK(archive_read_open_filename(a, path, 10240) == ARCHIVE_OK, "%s",
	      archive_error_string(a));
	while (archive_read_next_header(a, &ae) == ARCHIVE_OK) {
		const struct item *it = &items[i];
		const char *name = archive_entry_pathname(ae);

		if (i >= n) {
			CHECK(0, "extra entry '%s'", name);
			break;
		}
		CHECK_STR(name, it->e.path);
		CHECK(archive_entry_uid(ae) == 0 && archive_entry_gid(ae) == 0, "%s: owner", name);
		CHECK(!archive_entry_uname(ae) || !*archive_entry_uname(ae), "%s: uname", name);
		CHECK(!archive_entry_gname(ae) || !*archive_entry_gname(ae), "%s: gname", name);
		CHECK(archive_entry_mtime(ae) == 1234567890, "%s: mtime", name);
		CHECK(!archive_entry_atime_is_set(ae) && !archive_entry_ctime_is_set(ae),
		      "%s: atime/ctime", name);
		CHECK((archive_entry_perm(ae) & 07777) == it->e.mode, "%s: mode %o", name,
		      archive_entry_perm(ae));
		if (it->e.type == TAR_SYMLINK)
			CHECK_STR(archive_entry_symlink(ae), it->e.target);
		if (it->e.type == TAR_FILE) {
			char *got = malloc(it->e.size + 1);
			const char *data = it->content == big_marker ? big : it->content;

			CHECK((uint64_t)archive_entry_size(ae) == it->e.size, "%s: size", name);
			CHECK(archive_read_data(a, got, it->e.size + 1) == (la_ssize_t)it->e.size,
			      "%s: data size", name);
			CHECK(!memcmp(got, data, it->e.size), "%s: content", name);
			free(got);
		}
		i++;
	}
	CHECK(i == n, "read %zu of %zu entries", i, n);
	archive_read_free(a);

	/* the manifest: one line per entry, digests of the content */
	{
		char line[512], hex[SHA256_STRING_LEN + 1];

		sha256_buffer(want, big, big_size);
		sha256_format(hex, want);
		snprintf(line, sizeof(line), "f\t0644\t%zu\t%s\tbig.bin\n", big_size, hex);
		CHECK(manifest_text && strstr(manifest_text, line), "big.bin line in:\n%s", manifest_text);
		CHECK(manifest_text && strstr(manifest_text, "d\t0755\t0\t-\ta/\n"), "dir line");
		CHECK(manifest_text && strstr(manifest_text, "l\t0777\t0\t-\ta/link\texec.sh\n"), "link line");
		CHECK(manifest_text && strstr(manifest_text, "\ttab\\there\n"), "escaped tab");
		CHECK(manifest_text && strstr(manifest_text,
			"f\t0644\t0\tsha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\tempty\n"),
		      "empty file line");
	}
	free(manifest_text);
	free(big);
	close(fd);
	unlink(path);
	test_end("tar: writer output reads back with libarchive, digest and manifest exact");
}

/* A file shorter than its entry is refused; what a longer one holds past
 * the entry's size is left out (the caller's fstat() check refuses it). */
static void test_changed_file(void)
{
	char path[] = "/tmp/pinned-test-tar-XXXXXX", outpath[] = "/tmp/pinned-test-tar-XXXXXX";
	int fd = mkstemp(path), out = mkstemp(outpath);
	struct tar_options opts = { .fd = -1 };
	struct tar_entry e = { "f", TAR_FILE, 0644, 10, NULL };
	static unsigned char archive[4096], zeros[2048];
	struct tar_writer *w;
	unsigned char digest[SHA256_LEN];

	CHECK(write(fd, "12345", 5) == 5, "write");
	lseek(fd, 0, SEEK_SET);
	CHECK(tar_writer_new(&w, &opts) == 0, "%s", err_msg());
	CHECK(tar_writer_add(w, &e, fd, NULL) == -1, "shorter file accepted");
	CHECK_STR(err_msg(), "'f' changed while it was archived: it shrank");
	tar_writer_free(w);

	e.size = 3;
	lseek(fd, 0, SEEK_SET);
	opts.fd = out;
	CHECK(tar_writer_new(&w, &opts) == 0, "%s", err_msg());
	CHECK(tar_writer_add(w, &e, fd, NULL) == 0, "%s", err_msg());
	CHECK(tar_writer_finish(w, digest) == 0, "%s", err_msg());
	tar_writer_free(w);
	/* header, the first 3 bytes and zero padding, then the two end blocks */
	CHECK(pread(out, archive, sizeof(archive), 0) == 2048, "archive of %d bytes", 2048);
	CHECK(!memcmp(archive + 512, "123", 3), "the entry holds the first 3 bytes");
	CHECK(!memcmp(archive + 515, zeros, sizeof(zeros) - 515), "the 2 bytes past it are left out");
	close(fd);
	close(out);
	unlink(path);
	unlink(outpath);
	test_end("tar: a file shorter than its entry is an error; past its size is left out");
}

/*
 * A big file read from a descriptor, with a manifest: the reading thread
 * hashes it, or hands the rest to the worker (with SHA-NI) whenever the
 * worker runs short; the digest must come out the same either way.
 */
static void test_handoff(void)
{
	size_t size = 20 * 1024 * 1024 + 77;
	char *data = make_big(size), path[] = "/tmp/pinned-test-tar-XXXXXX";
	int fd = mkstemp(path);
	char *text = NULL, want_line[256], hex[SHA256_STRING_LEN + 1];
	size_t text_len = 0;
	FILE *manifest = open_memstream(&text, &text_len);
	struct tar_options opts = { .fd = -1, .manifest = manifest };
	struct tar_entry e = { "big", TAR_FILE, 0644, size, NULL };
	unsigned char digest[SHA256_LEN], want[SHA256_LEN];
	struct tar_writer *w;
	unsigned long handoffs = 0;

	CHECK(write(fd, data, size) == (ssize_t)size, "write");
	lseek(fd, 0, SEEK_SET);
	CHECK(tar_writer_new(&w, &opts) == 0, "%s", err_msg());
	for (int i = 0; i < 3; i++) {
		lseek(fd, 0, SEEK_SET);
		CHECK(tar_writer_add(w, &e, fd, NULL) == 0, "%s", err_msg());
	}
	CHECK(tar_writer_finish(w, digest) == 0, "%s", err_msg());
	tar_writer_free(w);
	fclose(manifest);
	/* the same, with the handoff forced at every file and never made */
	for (int mode = 0; mode < 2; mode++) {
		char *t = NULL;
		size_t tl = 0;
		unsigned char d[SHA256_LEN];
		struct tar_options o = { .fd = -1, .manifest = open_memstream(&t, &tl),
					 .handoff = mode ? TAR_HANDOFF_NEVER : TAR_HANDOFF_ALWAYS };

		CHECK(tar_writer_new(&w, &o) == 0, "%s", err_msg());
		for (int i = 0; i < 3; i++) {
			lseek(fd, 0, SEEK_SET);
			CHECK(tar_writer_add(w, &e, fd, NULL) == 0, "%s", err_msg());
		}
		CHECK(tar_writer_finish(w, d) == 0, "%s", err_msg());
		if (mode == 0)
			handoffs = tar_writer_handoffs(w);
		else
			CHECK(tar_writer_handoffs(w) == 0, "a handoff was made when forbidden");
		tar_writer_free(w);
		fclose(o.manifest);
		CHECK(!memcmp(d, digest, SHA256_LEN), "mode %d: archive digest", mode);
		CHECK(t && text && !strcmp(t, text), "mode %d: manifest", mode);
		free(t);
	}
	sha256_buffer(want, data, size);
	sha256_format(hex, want);
	snprintf(want_line, sizeof(want_line), "f\t0644\t%zu\t%s\tbig\n", size, hex);
	CHECK(text && strstr(text, want_line) &&
	      strstr(strstr(text, want_line) + 1, want_line) &&
	      strstr(strstr(strstr(text, want_line) + 1, want_line) + 1, want_line),
	      "three lines '%s' in:\n%s", want_line, text);
	free(text);
	free(data);
	close(fd);
	unlink(path);
	test_end("tar: a file's digest is the same whoever hashes which part of it");
	if (!sha256_accelerated(-1)) {
		test_skip("tar: the forced handoff happened", "this CPU has no SHA extensions, so nothing is handed off");
	} else {
		CHECK(handoffs == 3, "%lu handoffs, want one per file", handoffs);
		test_end("tar: the forced handoff happened");
	}
}

/* An archive of nothing is the two end blocks. */
static void test_empty(void)
{
	struct tar_options opts = { .fd = -1 };
	struct tar_writer *w;
	unsigned char digest[SHA256_LEN], want[SHA256_LEN];
	static const unsigned char zeros[1024];

	CHECK(tar_writer_new(&w, &opts) == 0, "%s", err_msg());
	CHECK(tar_writer_finish(w, digest) == 0, "%s", err_msg());
	tar_writer_free(w);
	sha256_buffer(want, zeros, sizeof(zeros));
	CHECK(!memcmp(digest, want, SHA256_LEN), "digest");
	test_end("tar: an empty archive is 1024 zero bytes");
}

int main(void)
{
	test_ustar_fields();
	test_long_names();
	test_roundtrip();
	test_changed_file();
	test_handoff();
	test_empty();
	return TEST_MAIN_RESULT();
}
