/* Child processes without a shell. */
#include "util/error.h"
#include "util/process.h"
#include "test.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int run(struct process_result *r, const char *const *argv, const char *input,
	       long timeout_ms)
{
	struct process_opts o = PROCESS_OPTS_INIT;

	o.argv = argv;
	o.input = input;
	o.input_len = input ? strlen(input) : 0;
	o.capture_stdout = o.capture_stderr = 1;
	o.timeout_ms = timeout_ms;
	return process_run(r, &o);
}

int main(void)
{
	struct process_result r;
	char why[64];

	{
		const char *argv[] = { "cat", NULL };

		CHECK(run(&r, argv, "through a pipe\n", 0) == 0, "%s", err_msg());
		CHECK(process_exited_ok(&r), "exit status");
		CHECK_STR(buf_str(&r.out), "through a pipe\n");
		process_result_release(&r);
	}
	{
		const char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };

		CHECK(run(&r, argv, NULL, 0) == 0, "%s", err_msg());
		CHECK(!process_exited_ok(&r), "status 3 is not ok");
		CHECK_STR(buf_str(&r.out), "out\n");
		CHECK_STR(buf_str(&r.err), "err\n");
		CHECK_STR(process_status(why, sizeof(why), r.status), "exited with status 3");
		process_result_release(&r);
	}
	test_end("process: input, output, error output and exit status");

	{
		const char *argv[] = { "sh", "-c", "kill -TERM $$", NULL };

		CHECK(run(&r, argv, NULL, 0) == 0, "%s", err_msg());
		CHECK_STR(process_status(why, sizeof(why), r.status),
			  "was killed by signal 15 (Terminated)");
		process_result_release(&r);
	}
	{
		const char *argv[] = { "pinned-no-such-program", NULL };

		CHECK(run(&r, argv, NULL, 0) == ERR_NOTFOUND, "missing program");
		CHECK_STR(err_msg(), "cannot run 'pinned-no-such-program': No such file or directory");
		process_result_release(&r);
	}
	{
		const char *argv[] = { "sleep", "10", NULL };

		CHECK(run(&r, argv, NULL, 100) == ERR_TIMEOUT, "time limit");
		CHECK_STR(err_msg(), "'sleep' did not finish within 100 ms");
		CHECK(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGKILL, "killed");
		process_result_release(&r);
	}
	test_end("process: a signal, a missing program and a time limit, in words");

	{
		/* a descriptor of ours without O_CLOEXEC must not reach the child, and
		 * neither must the pipes */
		const char *argv[] = { "sh", "-c",
				       "for f in 3 4 5 6 7 8 9; do [ -e /proc/$$/fd/$f ] && echo $f; done; true",
				       NULL };
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

		CHECK(run(&r, argv, "x", 0) == 0, "%s", err_msg());
		CHECK_STR(buf_str(&r.out), "");
		process_result_release(&r);
		close(fd);
	}
	{
		/* a child that reads none of a large input must not kill us with SIGPIPE */
		static char input[1 << 20];
		const char *argv[] = { "true", NULL };

		memset(input, 'x', sizeof(input) - 1);
		CHECK(run(&r, argv, input, 0) == 0 && process_exited_ok(&r), "%s", err_msg());
		process_result_release(&r);
	}
	test_end("process: no descriptor leaks into the child; an unread input is no SIGPIPE");
	{
		/* a builder's output: streamed on, its last bytes kept for the message */
		const char *argv[] = { "sh", "-c", "seq 1 20000 >&2; echo the end >&2; exit 1", NULL };
		struct process_opts o = PROCESS_OPTS_INIT;
		int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);

		o.argv = argv;
		o.capture_stdout = o.capture_stderr = 1;
		o.keep_tail = 1;
		o.echo = 1;
		o.max_output = 64;
		dup2(devnull, STDERR_FILENO);	/* where the echo goes */
		CHECK(process_run(&r, &o) == 0, "%s", err_msg());
		dup2(saved, STDERR_FILENO);
		close(saved);
		close(devnull);
		CHECK(!process_exited_ok(&r), "exit status 1");
		CHECK(r.err.len == 64, "kept %zu bytes", r.err.len);
		CHECK(r.err.len >= 8 && !strcmp(buf_str(&r.err) + r.err.len - 8, "the end\n"),
		      "the last bytes: %s", buf_str(&r.err));
		process_result_release(&r);
		test_end("process: keep_tail keeps a stream's last bytes; echo copies it on");
	}
	return TEST_MAIN_RESULT();
}
