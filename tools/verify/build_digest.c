#include "verify/build_digest.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>

size_t build_digest_text(char *out, const char *dockerfile_digest, const char *context_digest)
{
	return (size_t)snprintf(out, BUILD_DIGEST_TEXT_MAX,
				"pinned build digest v1\ndockerfile %s\ncontext %s\n",
				dockerfile_digest, context_digest);
}

int build_digest(char out[SHA256_STRING_LEN + 1], struct context *ctx, const char *dockerfile)
{
	unsigned char digest[SHA256_LEN];
	char dfile[SHA256_STRING_LEN + 1], context[SHA256_STRING_LEN + 1];
	char text[BUILD_DIGEST_TEXT_MAX];
	char *content;
	size_t len;
	int rc;

	if ((rc = context_read(&content, &len, ctx, dockerfile)) < 0)
		return rc;
	rc = sha256_string(dfile, content, len);
	free(content);
	if (rc < 0 || (rc = context_archive(digest, ctx, -1, NULL, NULL)) < 0)
		return rc;
	sha256_format(context, digest);
	len = build_digest_text(text, dfile, context);
	return sha256_string(out, text, len);
}
