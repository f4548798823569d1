#ifndef PINNED_CMD_H
#define PINNED_CMD_H

/* Exit statuses, as diff(1): same/ok, differs/found, trouble. */
#define EXIT_SAME 0
#define EXIT_DIFFERS 1
#define EXIT_TROUBLE 2

/* The subcommands; each parses its own options. */
int cmd_build(int argc, char **argv);
int cmd_context(int argc, char **argv);
int cmd_hash(int argc, char **argv);
int cmd_lock(int argc, char **argv);
int cmd_render(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_package(int argc, char **argv);

#include <stddef.h>
#include <stdio.h>

/*
 * Print one line to 'f': the formatted text with every control byte and
 * backslash escaped as in C ("\n", "\x1b", "\\"), so that a name holding
 * a newline or a terminal escape stays one harmless line. Returns 0, or EOF.
 */
int cmd_print(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Write the context's canonical tar to 'output' (NULL: DEFAULT_OUTPUT,
 *, made when missing; "-": standard output) and, when given, its
 * manifest, both in place together; never over an input. The digest of
 * the tar goes to 'digest'. Returns 0, or -1 with err_msg() set.
 */
#define DEFAULT_OUTPUT "build/context.tar"
/* Where pinned build keeps the builder's storage and the image it made,
 * and pinned run finds them. */
#define BUILD_STORAGE "build/buildah"
#define BUILD_IMAGE "build/image"
struct context;
int cmd_write_context(unsigned char digest[32], struct context *ctx, const char *output,
		      const char *manifest_path);

/*
 * Open 'path' ("-": standard output) to write the 'what' (an archive) of
 * 'ctx', and keep it, new and old, out of the context it may lie in:
 * archiving the previous output would change every digest. A file of the
 * context is overwritten only when it is empty or holds 'magic' at byte
 * 'at' (a previous output). Returns 0, or -1 with err_msg() set.
 */
struct outfile;
int cmd_open_output(struct outfile *out, struct context *ctx, const char *path, const char *what,
		    const char *magic, size_t at);

/*
 * Open the context as every command reads it: 'opts' with the build record
 * (lockfiles/build.lock) never archived, and none of what pinned writes
 * under build/ (cmd_skip_own). Returns 0, or -1 with err_msg() set; free
 * '*out' with context_free() either way.
 */
struct context_opts;
int cmd_open_context(struct context **out, struct context_opts *opts);

/* Never archive what pinned itself writes under build/ (the default
 * archive, the builder's storage and layouts, the record): so context, hash
 * and build agree on the context whatever .dockerignore says. */
int cmd_skip_own(struct context *ctx);

/* 1 when 'host' may answer plain HTTP: loopback, or one of 'insecure'
 * (--insecure-registry), as the registry client decides it. */
int cmd_insecure_host(const char *host, const char *const *insecure, size_t ninsecure);

/*
 * The host of --registry-mirror, given as Docker's daemon.json takes it
 * ("https://host[:port]", a trailing '/' allowed) or as a bare host; plain
 * http:// only for a loopback host or one of 'insecure'. NULL when it is
 * none of those (then say CMD_MIRROR_USAGE).
 */
const char *cmd_mirror_host(char out[256], const char *arg, const char *const *insecure,
			    size_t ninsecure);
#define CMD_MIRROR_USAGE "--registry-mirror takes HOST[:PORT] or https://HOST[:PORT] " \
	"(http:// for a host named with --insecure-registry)"

/* Print "pinned: " and err_msg() on stderr; returns EXIT_TROUBLE. */
int cmd_fail(void);

/*
 * For bad usage: print "pinned: MESSAGE" and the usage text on stderr and
 * return EXIT_TROUBLE.
 */
int cmd_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * For getopt's answers a command does not handle itself: -h prints the
 * usage (exit 0), anything else is a usage error (exit 2). Returns the
 * exit status.
 */
int cmd_other_option(int c, char **argv, const char *usage);

/*
 * After the options: refuse operands, then change to 'dir' (-C DIR) when
 * given. Returns -1 to go on, or the exit status after saying why not.
 */
int cmd_begin(int argc, char **argv, const char *usage, const char *dir);

#endif
