#ifndef PINNED_CMD_H
#define PINNED_CMD_H

#include <stddef.h>

/* Exit statuses, as diff(1): same/ok, differs/found, trouble. */
#define EXIT_SAME 0
#define EXIT_DIFFERS 1
#define EXIT_TROUBLE 2

/* The subcommands; each parses its own options. */
int cmd_context(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_render(int argc, char **argv);

/* The Dockerfile that 'template' and lockfiles/images.lock make (cmd_render.c). */
int render_project(char **out, size_t *len, const char *template);

/* Print "pinned: " and err_msg() on stderr; returns EXIT_TROUBLE. */
int cmd_fail(void);

/*
 * For bad usage: print "pinned: MESSAGE" and the usage text on stderr and
 * return EXIT_TROUBLE.
 */
int cmd_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The -C DIR option: change to DIR. Returns 0, or EXIT_TROUBLE after saying why. */
int cmd_chdir(const char *dir);

#endif
