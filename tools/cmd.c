#include "cmd.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_fail(void)
{
	fprintf(stderr, "pinned: %s\n", err_msg());
	return EXIT_TROUBLE;
}

int cmd_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("pinned: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	return EXIT_TROUBLE;
}

int cmd_chdir(const char *dir)
{
	if (dir && chdir(dir) < 0) {
		err_errno("cannot change to directory '%s'", dir);
		return cmd_fail();
	}
	return 0;
}
