#include "cmd.h"
#include "util/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <getopt.h>
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

int cmd_other_option(int c, char **argv, const char *usage)
{
	if (c == 'h') {
		fputs(usage, stdout);
		return EXIT_SAME;
	}
	return cmd_usage_error(usage, "unknown or incomplete option '%s'", argv[optind - 1]);
}

int cmd_begin(int argc, char **argv, const char *usage, const char *dir)
{
	if (optind < argc)
		return cmd_usage_error(usage, "unexpected argument '%s'", argv[optind]);
	if (dir && chdir(dir) < 0) {
		err_errno("cannot change to directory '%s'", dir);
		return cmd_fail();
	}
	return -1;
}
