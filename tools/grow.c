#include "grow.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

int grow(void *array, const size_t *count, size_t *alloc, size_t size)
{
	void **p = array;

	if (*count == *alloc) {
		size_t a = *alloc ? 2 * *alloc : 16;
		void *n = realloc(*p, a * size);

		if (!n)
			return err_set("out of memory");
		*p = n;
		*alloc = a;
	}
	memset((char *)*p + *count * size, 0, size);
	return 0;
}
