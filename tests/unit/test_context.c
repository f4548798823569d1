/* The context handle: the working tree and a revision resolved once; the
 * build digest over it. */
#include "archive/context.h"
#include "util/error.h"
#include "util/gitrepo.h"
#include "verify/build_digest.h"
#include "test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/pinned-test-context-XXXXXX";
static char names[2048];

static int sh(const char *fmt, const char *arg)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), fmt, arg, arg, arg, arg);
	return system(cmd);
}

static int collect(void *arg, const struct tar_entry *e, int fd, const void *data)
{
	(void)arg;
	(void)fd;
	(void)data;
	snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s ", e->path);
	return 0;
}

/* A stat cache that knows every file: its digest, read here. */
static size_t known_calls;
static int know_all(void *arg, const struct tar_entry *e, const struct stat *st,
		    unsigned char digest[SHA256_LEN])
{
	char path[4096];
	int fd, rc;

	(void)st;
	snprintf(path, sizeof(path), "%s/%s", (const char *)arg, e->path);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	rc = sha256_fd(digest, fd, e->size, e->path);
	close(fd);
	known_calls++;
	return rc < 0 ? -1 : 1;
}

static char *read_all(struct context *ctx, const char *name)
{
	char *text = NULL;
	size_t len;

	return context_read(&text, &len, ctx, name) == 0 ? text : NULL;
}

int main(void)
{
	struct context_opts opts = { .root = dir, .source_date_epoch = "1700000000" };
	struct context *ctx = NULL;
	char head[64] = "", *text;
	FILE *p;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp");
	CHECK(sh("cd %s && mkdir -p src skip && echo one >src/a && echo FROM scratch >Dockerfile &&"
		 " echo x >skip/x && printf 'skip\\n' >.dockerignore", dir) == 0, "tree");
	CHECK(context_open(&ctx, &opts) == 0, "%s", err_msg());
	CHECK(context_mtime(ctx) == 1700000000 && !context_commit(ctx), "epoch, no commit");
	CHECK(context_walk(ctx, collect, NULL) == 0, "%s", err_msg());
	CHECK_STR(names, ".dockerignore Dockerfile src/ src/a ");
	text = read_all(ctx, "src/a");
	CHECK(text && !strcmp(text, "one\n"), "read");
	free(text);
	CHECK(context_read(&text, &(size_t){ 0 }, ctx, "nothing") == ERR_NOTFOUND, "missing");
	context_free(ctx);
	opts.source_date_epoch = "12a";
	CHECK(context_open(&ctx, &opts) < 0, "a bad epoch");
	CHECK_STR(err_msg(), "invalid SOURCE_DATE_EPOCH '12a': not a non-negative integer of seconds");
	test_end("context: the working tree, .dockerignore, reads, SOURCE_DATE_EPOCH");

	CHECK(sh("cd %s && git init -q && git add -A && GIT_COMMITTER_DATE='@1600000000 +0000'"
		 " git -c user.name=t -c user.email=t@example.org commit -qm one", dir) == 0, "commit");
	opts.source_date_epoch = NULL;
	opts.rev = "HEAD";
	CHECK(context_open(&ctx, &opts) == 0, "%s", err_msg());
	snprintf(names, sizeof(names), "git -C %s rev-parse HEAD", dir);
	p = popen(names, "r");
	CHECK(p && fgets(head, sizeof(head), p), "rev-parse");
	if (p)
		pclose(p);
	head[strcspn(head, "\n")] = '\0';
	CHECK(context_commit(ctx) && !strcmp(context_commit(ctx), head), "the commit id");
	CHECK(context_mtime(ctx) == 1600000000, "the commit time: %lld",
	      (long long)context_mtime(ctx));
	/* a commit landing after the open changes nothing the run reads */
	CHECK(sh("cd %s && echo two >src/a && echo FROM other >Dockerfile && git add -A &&"
		 " git -c user.name=t -c user.email=t@example.org commit -qm two", dir) == 0, "commit");
	names[0] = '\0';
	CHECK(context_walk(ctx, collect, NULL) == 0, "%s", err_msg());
	CHECK_STR(names, ".dockerignore Dockerfile src/ src/a ");
	text = read_all(ctx, "Dockerfile");
	CHECK(text && !strcmp(text, "FROM scratch\n"), "the Dockerfile of the first commit");
	free(text);
	context_free(ctx);
	opts.rev = "nosuch";
	CHECK(context_open(&ctx, &opts) == ERR_NOTFOUND, "unknown revision");
	CHECK_STR(err_msg(), "unknown revision 'nosuch'");
	test_end("context: a revision is resolved once; a later commit changes nothing read");

	{
		unsigned char d[SHA256_LEN];
		char ctxd[SHA256_STRING_LEN + 1], dfd[SHA256_STRING_LEN + 1], got[SHA256_STRING_LEN + 1];
		char want[SHA256_STRING_LEN + 1], textbuf[1024], lockd[SHA256_STRING_LEN + 1];
		int n;

		opts.rev = NULL;
		opts.source_date_epoch = "0";
		CHECK(context_open(&ctx, &opts) == 0, "%s", err_msg());
		CHECK(build_digest(got, ctx, "Dockerfile") == 0, "%s", err_msg());
		CHECK(context_archive(d, ctx, -1, NULL, NULL) == 0, "%s", err_msg());
		sha256_format(ctxd, d);
		CHECK(context_archive(d, ctx, -1, NULL, NULL) == 0, "%s", err_msg());
		sha256_format(want, d);
		CHECK_STR(want, ctxd);	/* a handle walks the same tree every time */
		sha256_buffer(d, "FROM other\n", 11);
		sha256_format(dfd, d);
		n = snprintf(textbuf, sizeof(textbuf), "pinned build digest v2\ndockerfile %s\ncontext %s\n",
			     dfd, ctxd);
		sha256_buffer(d, textbuf, (size_t)n);
		sha256_format(want, d);
		CHECK_STR(got, want);
		context_free(ctx);

		/* a lockfile is named; the record and its manifest are never archived */
		sh("mkdir -p '%s/lockfiles' && printf '{}\\n' >'%s/lockfiles/images.lock' && "
		   "printf x >'%s/lockfiles/build.lock' && printf y >'%s/lockfiles/build.manifest'",
		   dir);
		opts.never = (const char *const[]){ "lockfiles/build.lock", "lockfiles/build.manifest",
						    NULL };
		CHECK(context_open(&ctx, &opts) == 0, "%s", err_msg());
		CHECK(build_digest(got, ctx, "Dockerfile") == 0, "%s", err_msg());
		CHECK(context_archive(d, ctx, -1, NULL, NULL) == 0, "%s", err_msg());
		sha256_format(ctxd, d);
		sha256_buffer(d, "{}\n", 3);
		sha256_format(lockd, d);
		n = snprintf(textbuf, sizeof(textbuf), "pinned build digest v2\ndockerfile %s\ncontext %s\n"
			     "lock lockfiles/images.lock %s\n", dfd, ctxd, lockd);
		sha256_buffer(d, textbuf, (size_t)n);
		sha256_format(want, d);
		CHECK_STR(got, want);
		names[0] = '\0';
		CHECK(context_walk(ctx, collect, NULL) == 0, "%s", err_msg());
		CHECK(strstr(names, "lockfiles/images.lock") && !strstr(names, "build.lock") &&
			      !strstr(names, "build.manifest"),
		      "the record is not archived: %s", names);
		context_free(ctx);
		opts.never = NULL;
		test_end("build digest: one SHA-256 over the inputs named by digest, lockfiles too");
	}
	/* the manifest without the archive is the archive's, tree and revision */
	for (int rev = 0; rev < 2; rev++) {
		unsigned char d[SHA256_LEN];
		char *a = NULL, *b = NULL;
		size_t alen = 0, blen = 0;
		FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);

		opts.rev = rev ? "HEAD~1" : NULL;
		sh("cd %s && ln -sf src/a link && chmod +x src/a", dir);
		CHECK(context_open(&ctx, &opts) == 0, "%s", err_msg());
		CHECK(context_archive(d, ctx, -1, NULL, fa) == 0, "%s", err_msg());
		CHECK(context_manifest(ctx, fb, NULL, NULL, NULL) == 0, "%s", err_msg());
		fclose(fa);
		fclose(fb);
		CHECK(alen > 100 && alen == blen && !memcmp(a, b, alen), "got\n%s\nwant\n%s", b, a);
		free(a);
		free(b);
		context_free(ctx);
		test_end(rev ? "context manifest: a revision's is its archive's"
			     : "context manifest: the tree's is its archive's, without an archive");
	}
	/* with a 'known', files are stated ahead by a second thread: the
	 * manifest is the same however the two divide a directory, across
	 * subdirectories, and below the depth where descriptors are reopened */
	{
		char *a = NULL, *b = NULL;
		size_t alen = 0, blen = 0;
		FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);

		/* shell builtins only: the allocation-failure pass runs this often */
		CHECK(sh("cd %s && mkdir -p many/g many/zz && i=10 && while [ $i -lt 26 ]; do"
			 " echo $i >many/f$i; i=$((i + 1)); done && echo in >many/g/x &&"
			 " echo z >many/zz/z && d=deep && i=0 && while [ $i -lt 32 ]; do"
			 " d=$d/d; i=$((i + 1)); done && mkdir -p $d && d=deep && i=0 &&"
			 " while [ $i -lt 32 ]; do echo $i >$d/a; echo $i >$d/z; d=$d/d;"
			 " i=$((i + 1)); done", dir) == 0, "tree");
		opts.rev = NULL;
		CHECK(context_open(&ctx, &opts) == 0, "%s", err_msg());
		known_calls = 0;
		CHECK(context_manifest(ctx, fa, NULL, NULL, NULL) == 0, "%s", err_msg());
		CHECK(context_manifest(ctx, fb, know_all, NULL, dir) == 0, "%s", err_msg());
		fclose(fa);
		fclose(fb);
		CHECK(alen > 80 * 70 && alen == blen && !memcmp(a, b, alen), "got\n%s\nwant\n%s",
		      b, a);
		{
			size_t files = 0;

			for (const char *l = a; *l; l++) {
				files += *l == 'f';
				if (!(l = strchr(l, '\n')))
					break;
			}
			CHECK(files > 80 && known_calls == files, "%zu of %zu files known",
			      known_calls, files);
		}
		free(a);
		free(b);
		context_free(ctx);
		test_end("context manifest: known files stated ahead give the manifest read");
	}
	sh("rm -rf '%s'", dir);
	return TEST_MAIN_RESULT();
}
