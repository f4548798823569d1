/* The PlanQK upload of a context. */
#include "archive/package.h"
#include "archive/ignore.h"
#include "archive/zip.h"
#include "util/error.h"

#include <stdlib.h>
#include <string.h>

struct packing {
	struct zip_writer *zip;
	struct ignore *planqk;	/* or NULL */
};

static int add(void *arg, const struct tar_entry *e, int fd, const void *data)
{
	struct packing *p = arg;
	size_t n = strlen(e->path);
	char *path;
	int excluded = 0;

	if (p->planqk) {
		if (!(path = strndup(e->path, n && e->path[n - 1] == '/' ? n - 1 : n)))
			return err_nomem();
		excluded = ignore_excluded(p->planqk, path);
		free(path);
	}
	return excluded ? 0 : zip_writer_add(p->zip, e, fd, data);
}

/* .planqkignore, read as .dockerignore is, from the context's source. */
static int parse_ignore(void *out, const char *text, size_t len, const char *name)
{
	return ignore_parse(out, text, len, name);
}

int package_write(unsigned char digest[SHA256_LEN], struct context *ctx, int fd, const char *name)
{
	struct packing p = { NULL, NULL };
	int rc;

	if ((rc = context_parse(ctx, PACKAGE_IGNORE, parse_ignore, &p.planqk)) == 0 &&
	    (rc = zip_writer_new(&p.zip, fd, name, context_mtime(ctx))) == 0 &&
	    (rc = context_walk(ctx, add, &p)) == 0)
		rc = zip_writer_finish(p.zip, digest);
	zip_writer_free(p.zip);
	ignore_free(p.planqk);
	return rc;
}
