#ifndef PINNED_CMD_H
#define PINNED_CMD_H

#ifndef PINNED_VERSION
#define PINNED_VERSION "0.1.0"
#endif

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
int cmd_diff(int argc, char **argv);
int cmd_drift(int argc, char **argv);
int cmd_provenance(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_package(int argc, char **argv);
int cmd_init(int argc, char **argv);

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "docker/images_lock.h"
#include "docker/registry.h"
#include "util/sha256.h"
#include "verify/builder.h"

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

/* The Docker config the Docker CLI would read: $DOCKER_CONFIG/config.json,
 * else ~/.docker/config.json; NULL when neither can be named (the caller
 * frees). */
char *cmd_docker_config(void);

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

/*
 * What pinned build and pinned verify --rebuild share (cmd_build.c): the
 * builder's options, then a build of the working tree's context.
 */
struct build_settings {
	const char *builder, *mirror, *push;
	const char *insecure[64];
	size_t ninsecure;
	int twice;
	char mirror_host[256];
};

#define BUILD_OPTIONS_USAGE \
	"  --builder NAME            buildah, podman or docker (default $PINNED_BUILDER, else\n" \
	"                            docker when a daemon answers, else buildah, else podman)\n" \
	"  --registry-mirror HOST    pull Docker Hub images through HOST\n" \
	"  --insecure-registry HOST  HOST may answer plain HTTP (loopback hosts may anyway)\n"
#define REGISTRY_LONGOPTS \
	{ "registry-mirror", required_argument, NULL, 'm' }, \
	{ "insecure-registry", required_argument, NULL, 'i' }
#define BUILD_LONGOPTS \
	{ "builder", required_argument, NULL, 'b' }, \
	REGISTRY_LONGOPTS

/*
 * What lock and drift take to reach registries and archives: the
 * registry's options (mirror, insecure hosts, CA file, time-outs) and how
 * many images to ask at a time.
 */
struct net_settings {
	struct registry_opts opts;
	const char *insecure[64];
	long connect_timeout;
	int jobs;
	char mirror[256];
};

#define NET_SETTINGS_INIT { .opts = REGISTRY_OPTS_INIT, .jobs = 8 }
#define NET_LONGOPTS \
	REGISTRY_LONGOPTS, \
	{ "jobs", required_argument, NULL, 'j' }, \
	{ "ca-file", required_argument, NULL, 'a' }, \
	{ "timeout", required_argument, NULL, 't' }, \
	{ "connect-timeout", required_argument, NULL, 'T' }
#define NET_OPTIONS_USAGE \
	"  --jobs N                  ask about N images at a time (default 8)\n" \
	"  --insecure-registry HOST  HOST may answer plain HTTP (loopback hosts may anyway)\n" \
	"  --registry-mirror HOST    reach Docker Hub images through HOST\n" \
	"  --ca-file FILE            trust the CAs in FILE (default $SSL_CERT_FILE or the system's)\n" \
	"  --timeout SECONDS         give up on a request after SECONDS (default 30)\n" \
	"  --connect-timeout SECONDS give up connecting after SECONDS (default 10)\n"

/* Take getopt's answer 'c' when it is one of NET_LONGOPTS: 0 taken, 1 not
 * one of them, or the exit status of a usage error. */
int cmd_net_option(struct net_settings *s, int c, const char *arg, const char *usage);

/* After the options: the mirror checked, the time-outs settled, the CA
 * file from $SSL_CERT_FILE when none was given. -1 to go on, or the exit
 * status. 's' must not move afterwards (its options point into it). */
int cmd_net_done(struct net_settings *s, const char *usage);

/* Take getopt's answer 'c' when it is one of BUILD_LONGOPTS: 0 taken, 1
 * not one of them, or the exit status of a usage error. */
int cmd_build_option(struct build_settings *s, int c, const char *arg, const char *help);

/* After the options: the mirror checked. -1 to go on, or the exit status. */
int cmd_build_settings_done(struct build_settings *s, const char *help);

struct build_run {
	struct images_lock lock;
	struct builder b;
	struct builder_job job;
	unsigned char cdigest[SHA256_LEN];
	char context_digest[SHA256_STRING_LEN + 1];
};

/* The images lock (its build arguments; this host's platform) and the
 * builder 's' names. Release 'r' with cmd_build_release() either way.
 * Returns 0, or -1 with err_msg() set. */
int cmd_build_find(struct build_run *r, const struct build_settings *s);

/* The context 'ctx', its time the image's, archived to build/context.tar
 * with its manifest, unpacked for the builder while hashed again, and the
 * builder's registries.conf. Returns 0, or -1 with err_msg() set. */
int cmd_build_context(struct build_run *r, struct context *ctx, const struct build_settings *s);

/* Build into a new layout at 'layout' with storage 'storage'; the image
 * manifest's digest into 'digest'. Returns 0, or -1 with err_msg() set. */
int cmd_build_once(char digest[SHA256_STRING_LEN + 1], struct build_run *r, const char *storage,
		   const char *layout);

void cmd_build_release(struct build_run *r);

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

/* How verify, diff and drift say a difference (verify/record.h): the
 * detail after its path for a text report, " (A, THEN B[ from WHERE])" with
 * 'then' between the two values ("now", "then"); for a context entry only
 * its mode or type. */
struct record_diff;
struct record_diffs;
void cmd_diff_detail(char *out, size_t size, const struct record_diff *d, const char *then);

/* The differences 'd' as a JSON array of {class, path, what, KA, KB, from},
 * the two values under the names 'ka' and 'kb' where there are values, and
 * where the second was found when known. NULL: no memory. */
json_t *cmd_diffs_json(const struct record_diffs *d, const char *ka, const char *kb);

/* Each line of 'text' ('len' bytes) appended to the array 'a'. Returns 0,
 * or -1 (no memory). */
int cmd_json_lines(json_t *a, const char *text, size_t len);

/*
 * Copy the image 'name' names (a registry reference) from its registry
 * into the OCI layout 'layout', replaced, for 'platform': with the Docker
 * config's credentials, the mirror and insecure hosts of 's'. Returns 0,
 * or -1 with err_msg() set.
 */
int cmd_pull(const char *name, const char *platform, const struct build_settings *s,
	     const char *layout);

/*
 * An image operand as an OCI layout: oci:DIR[:TAG], oci-archive:FILE[:TAG]
 * (unpacked into the new directory 'dir'), docker://REF (pulled into 'dir'
 * for this host's platform), or a folder holding index.json. '*layout' and
 * '*tag' (NULL: the layout's first image) are the caller's to free. Returns
 * 1 when 'arg' is one of those, 0 when it is none (the caller may take it
 * otherwise), or -1 with err_msg() set (also for a folder that is no
 * layout).
 */
int cmd_image_operand(char **layout, char **tag, const char *arg, const char *dir,
		      const struct build_settings *s);

/*
 * The build record (lockfiles/build.lock) that 'ctx' holds, a working tree
 * or revision 'rev' (NULL: the tree), into 'rec' (release it either way).
 * Returns 0, ERR_NOTFOUND saying there is none and to build first, or
 * another negative code.
 */
struct record;
int cmd_read_record(struct record *rec, struct context *ctx, const char *rev);

/* A new directory for 'what' (a command's name) in $TMPDIR, else /tmp,
 * into 'out'; the caller removes it (remove_tree). Returns 0, or -1 with
 * err_msg() set. */
int cmd_temp_dir(char out[4096], const char *what);

#endif
