#include "util/jsonw.h"

#include <stdlib.h>
#include <string.h>

int jsonw_set(json_t *obj, const char *key, json_t *value)
{
	if (!obj) {
		json_decref(value);
		return -1;
	}
	/* json_object_set_new() takes 'value' even when it fails */
	return value && json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

json_t *jsonw_strings(char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a && v && v[i]; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int jsonw_dump(char **out, size_t *len, const json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);

	*out = NULL;
	if (!text)
		return -1;
	*len = strlen(text);
	if (!(*out = realloc(text, *len + 2))) {
		free(text);
		return -1;
	}
	(*out)[(*len)++] = '\n';
	(*out)[*len] = '\0';
	return 0;
}
