#include "verify/build_digest.h"
#include "util/buf.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const build_digest_locks[BUILD_DIGEST_NLOCKS] = BUILD_DIGEST_LOCKS;

/* The digest of file 'name' of the context into 'out'; "" when there is
 * none and it may be missing. */
static int file_digest_of(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *name,
			  int optional)
{
	int rc = context_file_digest(out, ctx, name);

	return optional && rc == ERR_NOTFOUND ? 0 : rc;
}

int build_inputs_read(struct build_inputs *in, struct context *ctx, const char *dockerfile,
		      const char *context)
{
	unsigned char digest[SHA256_LEN];
	int rc;

	memset(in, 0, sizeof(*in));
	if ((rc = file_digest_of(in->dockerfile, ctx, dockerfile, 0)) < 0)
		return rc;
	for (size_t i = 0; i < BUILD_DIGEST_NLOCKS; i++)
		if ((rc = file_digest_of(in->locks[i], ctx, build_digest_locks[i], 1)) < 0)
			return rc;
	if (context) {
		snprintf(in->context, sizeof(in->context), "%s", context);
		return 0;
	}
	if ((rc = context_archive(digest, ctx, -1, NULL, NULL)) < 0)
		return rc;
	sha256_format(in->context, digest);
	return 0;
}

int build_digest_of(char out[SHA256_STRING_LEN + 1], const struct build_inputs *in)
{
	struct buf text = BUF_INIT(4096);
	int rc = buf_printf(&text, "pinned build digest v2\ndockerfile %s\ncontext %s\n",
			    in->dockerfile, in->context);

	for (size_t i = 0; i < BUILD_DIGEST_NLOCKS && !rc; i++)
		if (in->locks[i][0])
			rc = buf_printf(&text, "lock %s %s\n", build_digest_locks[i], in->locks[i]);
	if (!rc)
		rc = sha256_string(out, buf_str(&text), text.len);
	buf_release(&text);
	return rc < 0 ? rc : 0;
}

int build_digest(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *dockerfile)
{
	struct build_inputs in;
	int rc;

	if ((rc = build_inputs_read(&in, ctx, dockerfile, NULL)) < 0)
		return rc;
	return build_digest_of(out, &in);
}
