#include "util/jsonw.h"

int jsonw_set(json_t *obj, const char *key, json_t *value)
{
	if (!obj) {
		json_decref(value);
		return -1;
	}
	/* json_object_set_new() takes 'value' even when it fails */
	return value && json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}
