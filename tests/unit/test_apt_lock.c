/* lockfiles/apt.lock: golden bytes, reading back, refusals; and what
 * render makes of a locked install. */
#include "debian/apt_lock.h"
#include "debian/apt_render.h"
#include "docker/dockerfile.h"
#include "test.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *comps[] = { "main", NULL };
static char *requested[] = { "jq", NULL };
static char target[] = "bookworm-backports";
static struct apt_lock_package pkgs[] = {
	{ "jq", "1.6-2.1+deb12u2", "amd64", "pool/main/j/jq/jq_1.6-2.1+deb12u2_amd64.deb",
	  "f2303584378ac85f6d3a9ae8e46412196061681e81610d3b020abe4b5d389eb0", 63984, 1, NULL },
	{ "libcrypt-dev", "1:4.4.33-2", "amd64", "pool/main/libx/libxcrypt/libcrypt-dev_4.4.33-2_amd64.deb",
	  "81ccd29130f75a9e3adabc80e61921abff42f76761e1f792fa2d1bb69af7f52f", 122000, 0, NULL },
	{ "libssl3", "3.0.22-1~deb12u2", "amd64", "pool/updates/main/o/openssl/libssl3_3.0.22-1~deb12u2_amd64.deb",
	  "cb4784740daa9b3b0eaea2b444bbefa686794afbbf3d678d238c1fd9875f2efd", 2000000, 0, "3.0.17-1~deb12u1" },
};

static const char golden[] =
	"{\n"
	"  \"stages\": [\n"
	"    {\n"
	"      \"architecture\": \"amd64\",\n"
	"      \"base\": \"docker.io/library/debian@sha256:b8a3fcf962c8cd696fa7949230435fbbf1ebf6b8a939d723548b2d7657d6e288\",\n"
	"      \"codename\": \"bookworm\",\n"
	"      \"installs\": [\n"
	"        {\n"
	"          \"packages\": [\n"
	"            {\n"
	"              \"architecture\": \"amd64\",\n"
	"              \"filename\": \"pool/main/j/jq/jq_1.6-2.1+deb12u2_amd64.deb\",\n"
	"              \"name\": \"jq\",\n"
	"              \"requested\": true,\n"
	"              \"sha256\": \"f2303584378ac85f6d3a9ae8e46412196061681e81610d3b020abe4b5d389eb0\",\n"
	"              \"size\": 63984,\n"
	"              \"version\": \"1.6-2.1+deb12u2\"\n"
	"            },\n";

int main(void)
{
	struct apt_lock_source src = { "http://snapshot.debian.org/archive/debian/20250520T000000Z",
				       "bookworm", comps,
				       "sha256:77737fa43b4a51cb2f6f5b0d8dbb1c9b1eb4e0d5a2e4f01b0cc0a6c1e7a9e8f1" };
	struct apt_lock_install in = { requested, 0, target, pkgs, 3, 3 };
	struct apt_lock_stage st = { 1, "docker.io/library/debian@sha256:b8a3fcf962c8cd696fa7949230435fbbf1ebf6b8a939d723548b2d7657d6e288",
				     "bookworm", "amd64", "20250520T000000Z", &src, 1, 1, &in, 1, 1 };
	struct apt_lock lock = { &st, 1, 1 }, back = { 0 };
	char dir[] = "/tmp/pinned-aptlock.XXXXXX", path[256], *text = NULL, *again = NULL, *cmd;
	size_t len = 0, alen = 0;
	FILE *f;

	CHECK(apt_lock_format(&text, &len, &lock) == 0, "format");
	CHECK(text && strncmp(text, golden, sizeof(golden) - 1) == 0, "golden start:\n%s", text);
	CHECK(text && strstr(text, "\"replaces\": \"3.0.17-1~deb12u1\"") &&
		      strstr(text, "\"snapshot\": \"20250520T000000Z\"") &&
		      strstr(text, "\"requested\": [\n            \"jq\"\n          ]") &&
		      strstr(text, "\"target_release\": \"bookworm-backports\"") &&
		      strstr(text, "\"version\": 1\n}\n"), "fields");
	test_end("apt lock: the bytes written");

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/apt.lock", dir);
	CHECK((f = fopen(path, "w")) && fwrite(text, 1, len, f) == len && fclose(f) == 0, "write");
	CHECK(apt_lock_read(&back, path) == 0, "%s", err_msg());
	CHECK(apt_lock_format(&again, &alen, &back) == 0 && alen == len && !memcmp(again, text, len),
	      "reading and writing again gives the same bytes");
	CHECK(apt_lock_stage(&back, 1) && !apt_lock_stage(&back, 0), "stage by number");
	apt_lock_release(&back);
	snprintf(path, sizeof(path), "%s/none.lock", dir);
	CHECK(apt_lock_read(&back, path) == 0 && back.n == 0, "a missing lock is empty");
	test_end("apt lock: read back, the same bytes again");

	{
		static const struct {
			const char *from, *to, *msg;
		} bad[] = {
			{ "\"name\": \"jq\"", "\"name\": \"jq;rm\"",
			  "stages[0].installs[0].packages[0].name: not a valid value" },
			{ "\"version\": \"1.6-2.1+deb12u2\"", "\"version\": \"1.6 x\"",
			  "stages[0].installs[0].packages[0].version: not a valid value" },
			{ "\"uri\": \"http://", "\"uri\": \"ftp://",
			  "stages[0].sources[0].uri: not a valid value" },
			{ "pool/main/j/jq/jq_", "../j/jq/jq_",
			  "stages[0].installs[0].packages[0].filename: not a valid value" },
			{ "\"snapshot\": \"20250520T000000Z\"", "\"snapshot\": \"yesterday\"",
			  "stages[0].snapshot: not a valid value" },
			{ "\"size\": 63984", "\"size\": -1",
			  "stages[0].installs[0].packages[0].size: not a number of bytes" },
			{ "\"bookworm-backports\"", "\"bookworm backports\"",
			  "stages[0].installs[0].target_release: not a valid value" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *t = strstr(text, bad[i].from), want[512];

			CHECK(t != NULL, "'%s' in the golden lock", bad[i].from);
			if (!t)
				continue;
			snprintf(path, sizeof(path), "%s/bad.lock", dir);
			f = fopen(path, "w");
			fprintf(f, "%.*s%s%s", (int)(t - text), text, bad[i].to, t + strlen(bad[i].from));
			fclose(f);
			CHECK(apt_lock_read(&back, path) == ERR_FAIL, "'%s' refused", bad[i].to);
			snprintf(want, sizeof(want), "%s: %s", path, bad[i].msg);
			CHECK_STR(err_msg(), want);
			apt_lock_release(&back);
		}
	}
	test_end("apt lock: what cannot reach a Dockerfile is refused, by its place");

	cmd = apt_render_install(&st, &in, "");
	CHECK(cmd && !strncmp(cmd, "{ printf '%s\\n' 'deb [check-valid-until=no] http://snapshot.debian.org/archive/debian/20250520T000000Z bookworm main' >/tmp/pinned-apt.list && apt-get -o Dir::Etc::SourceList=/tmp/pinned-apt.list -o Dir::Etc::SourceParts=- -q update && { apt-get -o Dir::Etc::SourceList=/tmp/pinned-apt.list -o Dir::Etc::SourceParts=- install -y --no-install-recommends --download-only jq=1.6-2.1+deb12u2 libcrypt-dev=1:4.4.33-2 libssl3=3.0.22-1~deb12u2 2>/tmp/pinned-apt.err", 200),
	      "%s", cmd ? cmd : "(none)");
	CHECK(cmd && strstr(cmd, " f2303584378ac85f6d3a9ae8e46412196061681e81610d3b020abe4b5d389eb0 jq_1.6-2.1+deb12u2_amd64.deb ") &&
		      strstr(cmd, " libcrypt-dev_1%3a4.4.33-2_amd64.deb "), "the .deb files apt keeps, checked");
	CHECK(cmd && strstr(cmd, " && apt-mark auto libcrypt-dev >/dev/null && rm -rf "),
	      "only the new dependency is marked automatic: %s", cmd ? strstr(cmd, "apt-mark") : "");
	free(cmd);
	cmd = apt_render_install(&st, &in, "sudo ");
	CHECK(cmd && strstr(cmd, "&& sudo apt-get -o") && strstr(cmd, "&& sudo apt-mark auto") &&
		      strstr(cmd, "&& sudo rm -rf"), "the wrapper before each command");
	free(cmd);
	test_end("apt render: the command a locked install becomes");

	{
		/* an exec-form RUN becomes the same command, JSON-encoded, run by a shell */
		static const char *const texts[] = {
			"FROM debian:12\nFROM debian:12\nRUN [\"apt-get\", \"install\", \"-y\", \"-t\", "
			"\"bookworm-backports\", \"--no-install-recommends\", \"jq\"]\n",
			"FROM debian:12\nFROM debian:12\nRUN --mount=type=tmpfs,target=/x [\"sh\", \"-c\", "
			"\"apt-get update && apt-get install -y --no-install-recommends jq; echo done\"]  \n",
		};
		static const char *const heads[] = {
			"[\"/bin/sh\",\"-c\",\"{ printf '%s\\\\n' 'deb [check-valid-until=no] ",
			"[\"sh\",\"-c\",\"apt-get update && { printf '%s\\\\n' 'deb [check-valid-until=no] ",
		};
		static const char *const tails[] = {
			"/var/cache/debconf/*-old; }\"]",
			"/var/cache/debconf/*-old; }; echo done\"]",
		};

		for (int k = 0; k < 2; k++) {
			struct dockerfile *df = NULL;
			struct apt_edits edits = { 0 };

			in.target_release = k ? NULL : target;	/* the lock says what the RUN says */
			CHECK(dockerfile_read(&df, texts[k], strlen(texts[k]), "Dockerfile.in", NULL) == 0,
			      "%s", err_msg());
			CHECK(df && apt_render_edits(&edits, df, &lock, "lockfiles/apt.lock") == 0, "%s",
			      err_msg());
			CHECK(edits.n == 1, "one edit: %zu", edits.n);
			if (df && edits.n == 1) {
				const char *t = edits.v[0].text;

				CHECK(!strstr(t, "-t "), "every version is named: no -t");
				CHECK(!strncmp(t, heads[k], strlen(heads[k])), "%s", t);
				CHECK(strlen(t) > strlen(tails[k]) &&
					      !strcmp(t + strlen(t) - strlen(tails[k]), tails[k]), "%s", t);
				CHECK(!strncmp(df->text + edits.v[0].at, k ? "[\"sh\"" : "[\"apt-get\"", 5) &&
					      df->text[edits.v[0].end] == (k ? ' ' : '\n'),
				      "the edit covers the array: [%zu, %zu)", edits.v[0].at, edits.v[0].end);
			}
			apt_edits_release(&edits);
			dockerfile_free(df);
		}
	}
	test_end("apt render: an exec-form RUN, plain and through a shell");

	free(text);
	free(again);
	unlink(path);
	snprintf(path, sizeof(path), "%s/apt.lock", dir);
	unlink(path);
	rmdir(dir);
	return TEST_MAIN_RESULT();
}
