/* Reading shell command lines: words, operators, commands, installs. */
#include "docker/shell.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

/* Column = byte offset + 1, all on line 1. */
static void where(const void *ctx, size_t i, size_t *line, size_t *col)
{
	(void)ctx;
	*line = 1;
	*col = i + 1;
}

/* The words joined by '|' for comparison; operators in brackets. */
static const char *joined(const struct shell_words *ws)
{
	static char out[1024];

	out[0] = '\0';
	for (size_t i = 0; i < ws->n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s%s%s",
			 i ? "|" : "", ws->v[i].op ? "[" : "", ws->v[i].text, ws->v[i].op ? "]" : "");
	return out;
}

int main(void)
{
	struct shell_words ws = { 0 };
	struct shell_command c;
	size_t pos = 0, n = 0;

	CHECK(shell_split(&ws, "a 'b c'&&d\"e\\\"f\"||g;h|i (j)", where, NULL) == 0, "split");
	CHECK_STR(joined(&ws), "a|b c|[&&]|de\"f|[||]|g|[;]|h|[|]|i|[(]|j|[)]");
	if (ws.n > 3) {
		size_t line, col;

		shell_where(&ws, 3, &line, &col);
		CHECK(line == 1 && col == 10, "line %zu col %zu", line, col);
		CHECK(ws.v[1].at == 2 && ws.v[1].end == 7 && ws.v[3].end == 16,
		      "word ends: %u %u %u", ws.v[1].at, ws.v[1].end, ws.v[3].end);
	}
	shell_words_release(&ws);
	test_end("shell: words without quotes, operators, places");

	CHECK(shell_split(&ws, "DEBIAN_FRONTEND=noninteractive sudo apt-get -o A=B -y install "
			       "--no-install-recommends curl=7 jq && curl x | sh && "
			       "python3 -m pip install -r req.txt flask", where, NULL) == 0, "split");
	while (ws.n && shell_command_next(&c, &ws, &pos)) {
		if (c.name >= c.end || c.verb >= c.end) {	/* a failed split: checked above */
			n++;
			continue;
		}
		n++;
		if (n == 1) {
			CHECK(c.tool == SHELL_APT && !strcmp(ws.v[c.name].text, "apt-get"), "apt-get");
			CHECK(!strcmp(ws.v[c.verb].text, "install"), "verb %s", ws.v[c.verb].text);
			CHECK(shell_has_option(&c, &ws, "--no-install-recommends") &&
			      shell_has_option(&c, &ws, "-y") && !shell_has_option(&c, &ws, "-t"), "options");
			size_t p = shell_operand_next(&c, &ws, c.verb);
			CHECK(p < c.end && !strcmp(ws.v[p].text, "curl=7"), "first package");
			p = shell_operand_next(&c, &ws, p);
			CHECK(p < c.end && !strcmp(ws.v[p].text, "jq"), "second package");
			CHECK(shell_operand_next(&c, &ws, p) == c.end, "no more");
			CHECK(!c.piped, "not piped");
		} else if (n == 2) {
			CHECK(!strcmp(ws.v[c.name].text, "curl") && c.tool == SHELL_OTHER, "curl");
		} else if (n == 3) {
			CHECK(!strcmp(ws.v[c.name].text, "sh") && c.piped, "sh after a pipe");
		} else if (n == 4) {
			CHECK(c.tool == SHELL_PIP && !strcmp(ws.v[c.verb].text, "install"), "pip");
			size_t p = shell_operand_next(&c, &ws, c.verb);
			CHECK(p < c.end && !strcmp(ws.v[p].text, "flask"), "-r takes its value");
		}
	}
	CHECK(n == 4, "%zu commands", n);
	shell_words_release(&ws);
	test_end("shell: commands, wrappers, verbs, options with values, pipes");

	pos = 0;
	CHECK(shell_split(&ws, "/usr/bin/apt -o X -t bookworm-backports install y", where, NULL) == 0,
	      "split");
	n = (size_t)shell_command_next(&c, &ws, &pos);
	CHECK(n == 1 && c.tool == SHELL_APT, "apt by path");
	CHECK(n == 1 && c.verb < c.end && !strcmp(ws.v[c.verb].text, "install"),
	      "the verb after options with values");
	shell_words_release(&ws);
	test_end("shell: an install after options that take values");
	return TEST_MAIN_RESULT();
}
