/* verify/audit.h: an OCI layout written here, one layer made with
 * libarchive, audited rule by rule; the look-alikes are not findings. */
#include "verify/audit.h"
#include "test.h"
#include "util/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEX "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"

static int put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* One entry of the layer: a file of 'data' (a directory when NULL). */
static void entry(struct archive *a, const char *path, const char *data, size_t len, long uid,
		  long long mtime)
{
	struct archive_entry *e = archive_entry_new();

	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, data ? AE_IFREG : AE_IFDIR);
	archive_entry_set_perm(e, data ? 0644 : 0755);
	archive_entry_set_uid(e, uid);
	archive_entry_set_mtime(e, mtime, 0);
	archive_entry_set_size(e, data ? (la_int64_t)len : 0);
	archive_write_header(a, e);
	if (data)
		archive_write_data(a, data, len);
	archive_entry_free(e);
}

static const char pyc_time[16] = "\xa7\r\r\n";
static const char pyc_hash[16] = "\xa7\r\r\n\x01";

/* The layout: index, manifest, a config whose history says 'created_by'. */
static int layout(const char *dir, const char *created_by)
{
	char path[512], text[1024];
	struct archive *a = archive_write_new();
	int rc;

	snprintf(path, sizeof(path), "%s/blobs", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/blobs/sha256/" HEX, dir);
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_filename(a, path) != ARCHIVE_OK)
		return -1;
	entry(a, "./var/log/dpkg.log", "log\n", 4, 0, 100);
	entry(a, "var/log/apt/term.log", "log\n", 4, 0, 100);
	entry(a, "var/log/alternatives.log", "log\n", 4, 0, 100);
	entry(a, "var/cache/ldconfig/aux-cache", "c", 1, 0, 100);
	entry(a, "var/lib/apt/lists/lock", "", 0, 0, 100);
	entry(a, "var/lib/apt/lists/x_Packages", "p", 1, 0, 100);
	entry(a, "app/t.pyc", pyc_time, 16, 0, 100);
	entry(a, "app/h.pyc", pyc_hash, 16, 0, 100);
	entry(a, "app/.env", "A=1\n", 4, 0, 100);
	entry(a, "app/.envrc", "A=1\n", 4, 0, 100);
	entry(a, "app/k.pem", "-----BEGIN RSA PRIVATE KEY-----\n", 32, 0, 100);
	entry(a, "app/c.pem", "-----BEGIN CERTIFICATE-----\n", 28, 0, 100);
	entry(a, "root/.ssh/id_ed25519", "k", 1, 0, 100);
	entry(a, "root/.ssh/id_ed25519.pub", "k", 1, 0, 100);
	entry(a, "srv/", NULL, 0, 0, 300);
	entry(a, "srv/mine", "m", 1, 1000, 100);
	entry(a, "srv/.wh.gone", "", 0, 0, 100);
	rc = archive_write_close(a) == ARCHIVE_OK ? 0 : -1;
	archive_write_free(a);
	snprintf(text, sizeof(text), "{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:%.64s\"}]}",
		 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	if (rc < 0 || put(dir, "index.json", text) < 0)
		return -1;
	snprintf(text, sizeof(text),
		 "{\"config\":{\"digest\":\"sha256:%.64s\"},\"layers\":[{\"digest\":\"sha256:" HEX "\"}]}",
		 "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	if (put(dir, "blobs/sha256/cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
		text) < 0)
		return -1;
	snprintf(text, sizeof(text), "{\"history\":[{\"created_by\":\"%s\"}]}", created_by);
	return put(dir, "blobs/sha256/dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
		   text);
}

/* The findings as "LAYER PATH WHAT" joined by ", ". */
static const char *said(const struct audit *a)
{
	static char out[2048];

	out[0] = '\0';
	for (size_t i = 0; i < a->n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%zu %s %s", i ? ", " : "",
			 a->v[i].layer, a->v[i].path, a->v[i].what);
	return out;
}

int main(void)
{
	char dir[] = "/tmp/test_audit.XXXXXX", cmd[600];
	struct audit a;

	if (!mkdtemp(dir))
		return 2;
	CHECK(layout(dir, "COPY srv/ /srv/") == 0, "the layout");
	if (image_audit(&a, dir, NULL, 200) == 0) {
		CHECK_STR(said(&a), "1 var/log/dpkg.log dpkg log, 1 var/log/apt/term.log apt log, "
				    "1 var/cache/ldconfig/aux-cache ldconfig cache, "
				    "1 var/lib/apt/lists/x_Packages apt lists, 1 app/t.pyc timestamped pyc, "
				    "1 app/.env secret, 1 app/k.pem secret, 1 root/.ssh/id_ed25519 secret, "
				    "1 srv/ time after the epoch, 1 srv/mine non-root owner");
		CHECK(a.layers == 1 && a.files == 16, "%zu layers, %zu entries", a.layers, a.files);
	} else {
		CHECK(0, "%s", err_msg());
	}
	audit_release(&a);
	test_end("audit: each rule, by layer, and not its look-alikes");

	if (image_audit(&a, dir, NULL, -1) == 0)
		CHECK(!strstr(said(&a), "time after"), "%s", said(&a));
	else
		CHECK(0, "%s", err_msg());
	audit_release(&a);
	CHECK(layout(dir, "COPY --chown=1000 srv/ /srv/") == 0, "the layout again");
	if (image_audit(&a, dir, NULL, 300) == 0)
		CHECK(!strstr(said(&a), "non-root") && !strstr(said(&a), "time after"), "%s", said(&a));
	else
		CHECK(0, "%s", err_msg());
	audit_release(&a);
	test_end("audit: no epoch, no times; a step that sets owners, no owner finding");

	CHECK(image_audit(&a, "/nonexistent", NULL, 0) == ERR_NOTFOUND, "no layout");
	audit_release(&a);
	test_end("audit: no layout is an error");

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 2;
	return TEST_MAIN_RESULT();
}
