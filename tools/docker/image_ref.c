#include "docker/image_ref.h"
#include "util/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component ['/' path-component]*, where a component is
 * alnum+ (separator alnum+)* and a separator is '.', '_', '__' or '-'+. */
static int valid_path(const char *p)
{
	while (*p) {
		if (!is_lower_alnum(*p))
			return 0;
		while (is_lower_alnum(*p))
			p++;
		if (*p == '/' ) {
			p++;
			if (!*p)
				return 0;
			continue;
		}
		if (!*p)
			return 1;
		if (*p == '.' || (*p == '_' && p[1] != '_'))
			p++;
		else if (*p == '_')
			p += 2;
		else if (*p == '-')
			while (*p == '-')
				p++;
		else
			return 0;
		if (!is_lower_alnum(*p))
			return 0;
	}
	return 1;
}

/* host [':' port]: dot-separated components of [A-Za-z0-9-], or [IPv6]. */
static int valid_domain(const char *d)
{
	const char *colon;

	if (*d == '[') {
		const char *end = strchr(d, ']');

		if (!end || end == d + 1 || strspn(d + 1, "0123456789abcdefABCDEF:.") !=
						    (size_t)(end - d - 1))
			return 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (!colon && end[1])
			return 0;
	} else {
		colon = strchr(d, ':');
		for (const char *p = d; p < (colon ? colon : d + strlen(d)); p++) {
			int alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9');

			if (alnum)
				continue;
			if (*p == '-' && p != d && p[1] != '.' && p[1] != ':' && p[1])
				continue;
			if (*p == '.' && p != d && p[1] && p[1] != '.' && p[1] != ':')
				continue;
			return 0;
		}
		if (colon == d)
			return 0;
	}
	return !colon || (colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1));
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return 0;
	return strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

static int valid_digest(const char *d)
{
	return !strncmp(d, "sha256:", 7) && strlen(d) == 71 &&
	       strspn(d + 7, "0123456789abcdef") == 64;
}

void image_ref_free(struct image_ref *ref)
{
	free(ref->domain);
	free(ref->path);
	free(ref->tag);
	free(ref->digest);
	memset(ref, 0, sizeof(*ref));
}

int image_ref_parse(struct image_ref *out, const char *text)
{
	char *copy = strdup(text), *at, *slash, *colon, *name;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!copy)
		return err_nomem();
	if (!*copy) {
		err_set("empty image reference");
		goto done;
	}
	if ((at = strchr(copy, '@'))) {
		*at++ = '\0';
		if (!valid_digest(at)) {
			err_set("invalid digest '%s' in image reference '%s'", at, text);
			goto done;
		}
		out->digest = strdup(at);
	}
	/* a tag follows the last ':' after the last '/' */
	slash = strrchr(copy, '/');
	colon = strrchr(slash ? slash : copy, ':');
	if (colon) {
		*colon++ = '\0';
		if (!valid_tag(colon)) {
			err_set("invalid tag '%s' in image reference '%s'", colon, text);
			goto done;
		}
		out->tag = strdup(colon);
	}
	/* Docker's splitDockerDomain: the first component is a registry when
	 * it has '.' or ':', is "localhost", or has an upper-case letter */
	name = copy;
	slash = strchr(name, '/');
	if (slash) {
		size_t n = (size_t)(slash - name);
		int registry = memchr(name, '.', n) || memchr(name, ':', n) ||
			       (n == 9 && !strncmp(name, "localhost", 9));

		for (size_t i = 0; i < n; i++)
			registry |= name[i] >= 'A' && name[i] <= 'Z';
		if (!registry)
			slash = NULL;
	}
	if (!slash) {
		out->domain = strdup("docker.io");
		out->path = strdup(name);
	} else {
		*slash = '\0';
		out->domain = strdup(!strcmp(name, "index.docker.io") ? "docker.io" : name);
		out->path = strdup(slash + 1);
	}
	if (!out->domain || !out->path || (at && !out->digest) || (colon && !out->tag)) {
		err_nomem();
		goto done;
	}
	if (!valid_domain(out->domain)) {
		err_set("invalid registry '%s' in image reference '%s'", out->domain, text);
		goto done;
	}
	if (!strcmp(out->domain, "docker.io") && !strchr(out->path, '/')) {
		char *p;

		if (asprintf(&p, "library/%s", out->path) < 0) {
			err_nomem();
			goto done;
		}
		free(out->path);
		out->path = p;
	}
	if (!valid_path(out->path)) {
		int upper = 0;

		for (const char *p = out->path; *p; p++)
			upper |= *p >= 'A' && *p <= 'Z';
		err_set(upper ? "repository name must be lowercase in image reference '%s'" :
				"invalid repository name in image reference '%s'", text);
		goto done;
	}
	if (!out->tag && !out->digest && !(out->tag = strdup("latest"))) {
		err_nomem();
		goto done;
	}
	rc = 0;
done:
	free(copy);
	if (rc < 0)
		image_ref_free(out);
	return rc;
}

char *image_ref_name(const struct image_ref *ref)
{
	char *s;

	return asprintf(&s, "%s/%s", ref->domain, ref->path) < 0 ? NULL : s;
}

char *image_ref_name_tag(const struct image_ref *ref)
{
	char *s;

	if (!ref->tag)
		return image_ref_name(ref);
	return asprintf(&s, "%s/%s:%s", ref->domain, ref->path, ref->tag) < 0 ? NULL : s;
}
