/*
 * The counter behind tests/oom/oom.h. PINNED_OOM_FAIL=N makes the Nth
 * allocation fail (once; 0: none), jansson's included; PINNED_OOM_COUNT=FILE
 * writes how many allocations were made to FILE at exit.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long count, fail_at;

/* 1 when this allocation is to fail. */
static int fail_now(void)
{
	if (++count == fail_at) {
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

void *oom_malloc(size_t size)
{
	return fail_now() ? NULL : malloc(size);
}

void *oom_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : calloc(n, size);
}

void *oom_realloc(void *p, size_t size)
{
	return fail_now() ? NULL : realloc(p, size);
}

char *oom_strdup(const char *s)
{
	return fail_now() ? NULL : strdup(s);
}

char *oom_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : strndup(s, n);
}

int oom_vasprintf(char **out, const char *fmt, va_list ap)
{
	if (fail_now()) {
		*out = NULL;	/* glibc leaves it undefined; callers must not read it */
		return -1;
	}
	return vasprintf(out, fmt, ap);
}

int oom_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = oom_vasprintf(out, fmt, ap);
	va_end(ap);
	return rc;
}

static void report(void)
{
	const char *path = getenv("PINNED_OOM_COUNT");
	FILE *f;

	if (path && (f = fopen(path, "w"))) {
		fprintf(f, "%lu\n", count);
		fclose(f);
	}
}

__attribute__((constructor)) static void start(void)
{
	const char *n = getenv("PINNED_OOM_FAIL");

	fail_at = n ? strtoul(n, NULL, 10) : 0;
	json_set_alloc_funcs(oom_malloc, free);
	atexit(report);
}
