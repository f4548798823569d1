/*
 * pinned: reproducible, provable container image builds.
 * This file holds the command table and nothing else.
 */
#include "cmd.h"
#include "util/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "context", cmd_context, "write the canonical tar of the build context" },
	{ "hash", cmd_hash, "print the build digest of Dockerfile, context and lockfiles" },
	{ "lock", cmd_lock, "resolve the template's images to digests: lockfiles/images.lock" },
	{ "render", cmd_render, "Dockerfile.in + lockfiles -> Dockerfile" },
	{ "lint", cmd_lint, "report what breaks reproducibility in a Dockerfile" },
	{ "build", cmd_build, "build the image from the context, reproducibly: its digest" },
	{ "run", cmd_run, "run the image once as PlanQK does and print its result" },
	{ "verify", cmd_verify, "check a tree or revision against its build record" },
	{ "drift", cmd_drift, "say what moved upstream since the locks were made" },
	{ "diff", cmd_diff, "say what differs between two records, locks, revisions or images" },
	{ "provenance", cmd_provenance, "write the build's in-toto / SLSA v1 provenance" },
	{ "audit", cmd_audit, "say what an image carries that breaks reproducibility or leaks" },
	{ "package", cmd_package, "write the PlanQK upload as a deterministic zip of the context" },
	{ "init", cmd_init, "start a service with pinned's layout, or adopt a PlanQK project" },
};

static void usage(FILE *out)
{
	fputs("usage: pinned COMMAND [OPTIONS]\n\ncommands:\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\n'pinned COMMAND --help' describes one command; man pinned, all.\n"
	      "Exit status: 0 ok or same, 1 differs or found, 2 trouble.\n", out);
}

/*
 * What a command printed must have reached standard output: a full disk or
 * a closed descriptor turns success into trouble, as in git's
 * run_builtin(). A reader that went away (EPIPE) is not our failure.
 */
static int finish(int status)
{
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return status;
	if (errno == EPIPE || errno == EBADF)
		return status;
	fprintf(stderr, "pinned: cannot write to standard output: %s\n", strerror(errno));
	return EXIT_TROUBLE;
}

/*
 * Before anything is opened, descriptors 0-2 must be open, or the first file
 * a command opens becomes its standard output (the archive written into the
 * manifest). A closed one is filled with /dev/null opened read-only, so that
 * writing to it fails loudly instead of vanishing.
 */
static void hold_standard_descriptors(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", O_RDONLY) != fd)
			exit(EXIT_TROUBLE);
}

/* Interrupted: remove our temporary files, then die of the signal. */
static void interrupted(int sig)
{
	outfile_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void remove_temporaries_on_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = interrupted };

	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* a signal the caller ignores stays ignored (nohup) */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

int main(int argc, char **argv)
{
	hold_standard_descriptors();
	remove_temporaries_on_signals();
	if (argc < 2) {
		usage(stderr);
		return EXIT_TROUBLE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return finish(EXIT_SAME);
	}
	if (!strcmp(argv[1], "--version")) {
		puts("pinned " PINNED_VERSION);
		return finish(EXIT_SAME);
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return finish(commands[i].run(argc - 1, argv + 1));
	fprintf(stderr, "pinned: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_TROUBLE;
}
