/*
 * Force-included (-include) into the library objects of the allocation-
 * failure build: every allocation our library code makes goes through a
 * counter that can fail the Nth (tests/oom/oom.c). Test code and other
 * libraries are not compiled with it.
 */
#ifndef PINNED_OOM_H
#define PINNED_OOM_H

#include <stdarg.h>
#include <stddef.h>

void *oom_malloc(size_t size);
void *oom_calloc(size_t n, size_t size);
void *oom_realloc(void *p, size_t size);
char *oom_strdup(const char *s);
char *oom_strndup(const char *s, size_t n);
int oom_asprintf(char **out, const char *fmt, ...);
int oom_vasprintf(char **out, const char *fmt, va_list ap);

#define malloc(n) oom_malloc(n)
#define calloc(n, s) oom_calloc(n, s)
#define realloc(p, s) oom_realloc(p, s)
#define strdup(s) oom_strdup(s)
#define strndup(s, n) oom_strndup(s, n)
#define asprintf(...) oom_asprintf(__VA_ARGS__)
#define vasprintf(o, f, a) oom_vasprintf(o, f, a)

#endif
