#include "util/process.h"
#include "util/error.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is ready on '*fd' into 'b': its first bytes up to the cap, or
 * with opts->keep_tail its last ones; with opts->echo a copy to our stderr. */
static void drain(int *fd, struct buf *b, const struct process_opts *opts)
{
	char chunk[16384];
	const char *p = chunk;
	ssize_t n = read(*fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close_fd(fd);
		return;
	}
	if (opts->echo)
		for (ssize_t done = 0, w; done < n; done += w)
			if ((w = write(STDERR_FILENO, chunk + done, (size_t)(n - done))) <= 0)
				break;	/* our stderr is gone: keep capturing */
	if (opts->keep_tail) {
		if ((size_t)n > b->max) {
			p += (size_t)n - b->max;
			n = (ssize_t)b->max;
		}
		if (b->len + (size_t)n > b->max) {
			size_t drop = b->len + (size_t)n - b->max;

			memmove(b->s, b->s + drop, b->len - drop);
			buf_truncate(b, b->len - drop);
		}
	}
	if (b->len < b->max)
		(void)buf_add(b, p, (size_t)n < b->max - b->len ? (size_t)n : b->max - b->len);
}

/*
 * Feed the input and collect the outputs until the child closes them, or
 * until 'deadline' (0: none). Returns 0, or ERR_TIMEOUT.
 */
static int exchange(int *in, int *out, int *err, struct process_result *r,
		    const struct process_opts *opts, long deadline)
{
	size_t written = 0;

	while (*in >= 0 || *out >= 0 || *err >= 0) {
		struct pollfd p[3] = { { *in, POLLOUT, 0 }, { *out, POLLIN, 0 }, { *err, POLLIN, 0 } };
		int wait = -1, n;

		if (deadline && (wait = (int)(deadline - now_ms())) <= 0)
			return ERR_TIMEOUT;
		n = poll(p, 3, wait);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_errno("cannot wait for a child process");
		if (p[0].revents) {
			ssize_t w = p[0].revents & POLLOUT ?
					    write(*in, (const char *)opts->input + written,
						  opts->input_len - written) : -1;

			if (w > 0)
				written += (size_t)w;
			if ((w < 0 && errno != EINTR && errno != EAGAIN) ||
			    written == opts->input_len)
				close_fd(in);	/* the child stopped reading: its status tells */
		}
		if (p[1].revents)
			drain(out, &r->out, opts);
		if (p[2].revents)
			drain(err, &r->err, opts);
	}
	return 0;
}

int process_run(struct process_result *r, const struct process_opts *opts)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err[2] = { -1, -1 };
	size_t max = opts->max_output ? opts->max_output : 1u << 20;
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	sigset_t none, defaults, pipe_blocked, old;
	pid_t pid;
	int rc = -1, e, timed_out = 0;

	memset(r, 0, sizeof(*r));
	r->out = (struct buf)BUF_INIT(max);
	r->err = (struct buf)BUF_INIT(max);
	if ((opts->input ? pipe2(in, O_CLOEXEC) :
			   (in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC))) < 0 ||
	    (opts->capture_stdout && pipe2(out, O_CLOEXEC) < 0) ||
	    (opts->capture_stderr && pipe2(err, O_CLOEXEC) < 0)) {
		rc = err_errno("cannot run '%s': cannot make a pipe", opts->argv[0]);
		goto done;
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
	if (out[1] >= 0)
		posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
	if (err[1] >= 0)
		posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigfillset(&defaults);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	e = posix_spawnp(&pid, opts->argv[0], &actions, &attr, (char *const *)opts->argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	if (e) {
		errno = e;
		rc = err_errno("cannot run '%s'", opts->argv[0]);
		goto done;
	}
	close_fd(&in[0]);
	close_fd(&out[1]);
	close_fd(&err[1]);
	for (int i = 0; i < 3; i++) {
		int fd = i == 0 ? in[1] : i == 1 ? out[0] : err[0];

		if (fd >= 0)
			fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	/* a child that stops reading its input must not kill us with SIGPIPE */
	sigemptyset(&pipe_blocked);
	sigaddset(&pipe_blocked, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_blocked, &old);
	e = exchange(&in[1], &out[0], &err[0], r, opts,
		     opts->timeout_ms ? now_ms() + opts->timeout_ms : 0);
	if (sigismember(&old, SIGPIPE) == 0) {
		sigset_t pending;
		struct timespec zero = { 0, 0 };

		sigpending(&pending);
		if (sigismember(&pending, SIGPIPE))
			sigtimedwait(&pipe_blocked, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e == ERR_TIMEOUT) {
		timed_out = 1;
		kill(pid, SIGKILL);
	} else if (e < 0) {
		kill(pid, SIGKILL);
	}
	while (waitpid(pid, &r->status, 0) < 0) {
		if (errno != EINTR) {
			rc = err_errno("cannot wait for '%s'", opts->argv[0]);
			goto done;
		}
	}
	if (timed_out)
		rc = err_code_set(ERR_TIMEOUT, "'%s' did not finish within %ld ms", opts->argv[0],
				  opts->timeout_ms);
	else
		rc = e;
done:
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&err[0]);
	close_fd(&err[1]);
	return rc;
}

int process_exited_ok(const struct process_result *r)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
}

const char *process_status(char *buf, size_t size, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "ended with wait status %d", status);
	return buf;
}

void process_result_release(struct process_result *r)
{
	buf_release(&r->out);
	buf_release(&r->err);
}
