#ifndef PINNED_PROCESS_H
#define PINNED_PROCESS_H

#include <stddef.h>

#include "util/buf.h"

/*
 * Run a program as a child process, without a shell: argv[0] is looked up
 * on PATH, standard input is 'input' (or /dev/null), standard output and
 * standard error are captured (each up to its cap; more is dropped) or left
 * as ours. No descriptor of ours leaks into the child, the child starts with
 * default signal handling and an empty signal mask, and a child that runs
 * past 'timeout_ms' is killed.
 */
struct process_opts {
	const char *const *argv;	/* the program and its arguments, NULL-terminated */
	const void *input;		/* written to the child's standard input, or NULL */
	size_t input_len;
	int capture_stdout;		/* 1: into result->out, else inherit ours */
	int capture_stderr;		/* 1: into result->err, else inherit ours */
	size_t max_output;		/* cap for each captured stream; 0: 1 MiB */
	int keep_tail;			/* 1: keep a stream's last max_output bytes, not its first */
	int echo;			/* 1: also copy captured output to our stderr as it comes */
	long timeout_ms;		/* kill the child after this long; 0: no limit */
};

#define PROCESS_OPTS_INIT { NULL, NULL, 0, 0, 0, 0, 0, 0, 0 }

struct process_result {
	int status;		/* the wait status: see process_status() */
	struct buf out;		/* standard output, when captured */
	struct buf err;		/* standard error, when captured */
};

/*
 * Run the program and wait for it. Returns 0 when it ran, whatever its exit
 * status (read it with process_exited_ok() and process_status()); otherwise a
 * negative code with the message set: ERR_NOTFOUND when the program is not
 * on PATH, ERR_TIMEOUT when it was killed for running too long, ERR_FAIL for
 * a pipe, fork or wait that failed. 'out' is filled either way; empty it
 * with process_result_release().
 */
int process_run(struct process_result *out, const struct process_opts *opts);

/* 1 when the child exited with status 0. */
int process_exited_ok(const struct process_result *r);

/*
 * How the child ended, for messages: "exited with status 3" or "was killed
 * by signal 9 (Killed)". Writes into 'buf' (at least 64 bytes) and returns it.
 */
const char *process_status(char *buf, size_t size, int status);

/* Empty the captured output; accepts a zeroed result. */
void process_result_release(struct process_result *r);

#endif
