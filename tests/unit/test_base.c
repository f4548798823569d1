/* A base image's os-release and dpkg status out of its layers: files
 * replaced by later layers, whiteouts and opaque directories, a link. */
#include "debian/base.h"
#include "test.h"
#include "util/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

/* A layer: "path=content" regular files, "path->target" links, "path/"
 * directories, as a tar (gzip when 'gz') in '*out'. */
static size_t layer(char *out, size_t size, int gz, const char *const *entries)
{
	struct archive *a = archive_write_new();
	size_t used = 0;

	archive_write_set_format_pax_restricted(a);
	if (gz)
		archive_write_add_filter_gzip(a);
	archive_write_set_bytes_in_last_block(a, 1);
	archive_write_open_memory(a, out, size, &used);
	for (size_t i = 0; entries[i]; i++) {
		struct archive_entry *e = archive_entry_new();
		const char *eq = strchr(entries[i], '='), *arrow = strstr(entries[i], "->");
		char path[256];

		snprintf(path, sizeof(path), "%.*s", (int)(eq ? eq - entries[i] : arrow ? arrow - entries[i]
						     : (long)strlen(entries[i])), entries[i]);
		archive_entry_set_pathname(e, path);
		if (eq) {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_size(e, (la_int64_t)strlen(eq + 1));
		} else if (arrow) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, arrow + 2);
		} else {
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
		}
		archive_write_header(a, e);
		if (eq)
			archive_write_data(a, eq + 1, strlen(eq + 1));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return used;
}

int main(void)
{
	static const char *const l1[] = {
		"./etc/", "./etc/os-release->../usr/lib/os-release",
		"./usr/lib/os-release=PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\n"
		"VERSION_CODENAME=bookworm\n",
		"./var/lib/dpkg/status=Package: a\n", NULL };
	static const char *const l2[] = { "var/lib/dpkg/status=Package: b\n", NULL };
	static const char *const l3[] = { "var/lib/dpkg/.wh.status=", NULL };
	static const char *const l4[] = { "var/lib/dpkg/status=Package: d\n",
					  "var/lib/dpkg/.wh..wh..opq=", NULL };
	static const char *const l5[] = { "var/lib/.wh.dpkg=", "etc/os-release=ID='ubuntu'\n", NULL };
	static char buf[1 << 16];
	struct deb_base b = { 0 };
	size_t n;

	n = layer(buf, sizeof(buf), 1, l1);
	CHECK(deb_base_add_layer(&b, buf, n, "one") == 0, "%s", err_msg());
	CHECK(deb_base_finish(&b) == 0, "finish");
	CHECK(b.id && !strcmp(b.id, "debian") && b.codename && !strcmp(b.codename, "bookworm"),
	      "os-release through its link: %s %s", b.id ? b.id : "-", b.codename ? b.codename : "-");
	CHECK(b.status && !strcmp(b.status, "Package: a\n"), "status");
	n = layer(buf, sizeof(buf), 0, l2);
	CHECK(deb_base_add_layer(&b, buf, n, "two") == 0, "%s", err_msg());
	CHECK(b.status && !strcmp(b.status, "Package: b\n"), "a later layer replaces the file");
	n = layer(buf, sizeof(buf), 0, l3);
	CHECK(deb_base_add_layer(&b, buf, n, "three") == 0 && !b.status, "a whiteout removes it");
	n = layer(buf, sizeof(buf), 0, l4);
	CHECK(deb_base_add_layer(&b, buf, n, "four") == 0 && b.status &&
		      !strcmp(b.status, "Package: d\n"),
	      "an opaque directory hides the layers below, not its own layer's files");
	n = layer(buf, sizeof(buf), 0, l5);
	free(b.id);
	free(b.codename);
	b.id = b.codename = NULL;
	CHECK(deb_base_add_layer(&b, buf, n, "five") == 0 && !b.status, "a whited-out directory");
	CHECK(deb_base_finish(&b) == 0 && b.id && !strcmp(b.id, "ubuntu") && !b.codename,
	      "a file replacing the link, quotes removed");
	test_end("base: files through the layers, whiteouts, opaque directories, os-release");

	CHECK(deb_base_add_layer(&b, "not a tar at all, not at all", 28, "sha256:x") == ERR_FAIL,
	      "a layer that is not a tar");
	CHECK(strncmp(err_msg(), "layer sha256:x: ", 16) == 0, "%s", err_msg());
	deb_base_release(&b);
	test_end("base: a layer that is not a tar is refused");

	{
		/* a GNU tar header whose real size (of a sparse file), in
		 * base-256, is -1: refused, never read as SIZE_MAX bytes (found
		 * by fuzz_layer) */
		static unsigned char tar[512 * 4];
		unsigned sum = 0;

		memcpy(tar, "etc/os-release", 14);
		memcpy(tar + 100, "0000644", 8);
		memcpy(tar + 124, "00000000046", 12);
		memset(tar + 148, ' ', 8);
		tar[156] = '0';
		memcpy(tar + 257, "ustar  ", 8);
		memset(tar + 483, 0xff, 12);
		for (size_t i = 0; i < 512; i++)
			sum += tar[i];
		snprintf((char *)tar + 148, 8, "%06o", sum);
		memset(&b, 0, sizeof(b));
		CHECK(deb_base_add_layer(&b, tar, sizeof(tar), "sha256:y") == ERR_FAIL,
		      "a file of size -1");
		CHECK_STR(err_msg(), "layer sha256:y: /etc/os-release has no size");
		deb_base_release(&b);
	}
	test_end("base: a file whose size is negative is refused");
	return TEST_MAIN_RESULT();
}
