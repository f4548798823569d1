#include "docker/oci.h"

#include <stdio.h>
#include <string.h>

int oci_digest_valid(const char *s)
{
	if (strncmp(s, "sha256:", 7) || strlen(s) != 7 + 64)
		return 0;
	for (s += 7; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static int alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The length of a restricted-name at 's', or 0 when there is none. */
static size_t restricted_name(const char *s)
{
	size_t n = 0;

	if (!alnum(s[0]))
		return 0;
	while (alnum(s[n]) || (s[n] && strchr("!#$&-^_.+", s[n])))
		n++;
	return n <= 127 ? n : 0;
}

int oci_media_type_valid(const char *s)
{
	size_t type = restricted_name(s), sub;

	if (!type || s[type] != '/')
		return 0;
	sub = restricted_name(s + type + 1);
	return sub && !s[type + 1 + sub];
}

int oci_platform_valid(const char *s)
{
	int parts = 0;

	for (;;) {
		size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-");

		if (n == 0 || n > 64)
			return 0;
		parts++;
		s += n;
		if (!*s)
			return parts >= 2;
		if (*s != '/' || parts == 3)
			return 0;
		s++;
	}
}

int oci_text_valid(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

const char *oci_index_platform(const json_t *index, const char *platform)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(index, "manifests"), i, m) {
		json_t *p = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *arch = json_string_value(json_object_get(p, "architecture"));
		const char *variant = json_string_value(json_object_get(p, "variant"));
		char name[256];

		if (!os || !arch)
			continue;
		snprintf(name, sizeof(name), "%s/%s%s%s", os, arch, variant ? "/" : "",
			 variant ? variant : "");
		if (!strcmp(name, platform) ||
		    (!variant && !strncmp(platform, name, strlen(name)) && platform[strlen(name)] == '/'))
			return json_string_value(json_object_get(m, "digest"));
	}
	return NULL;
}
