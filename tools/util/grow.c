#include "util/grow.h"
#include "util/error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grow_array(void **array, size_t size, size_t count, size_t *alloc)
{
	if (count >= *alloc) {
		size_t a = *alloc ? *alloc : 16;
		void *n;

		while (a <= count)
			a *= 2;
		if (a > SIZE_MAX / size)
			return err_nomem();
		if (!(n = realloc(*array, a * size)))
			return err_nomem();
		*array = n;
		*alloc = a;
	}
	memset((char *)*array + count * size, 0, size);
	return 0;
}
