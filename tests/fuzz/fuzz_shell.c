/* libFuzzer: shell command lines as lint and the apt resolver read them. */
#include "docker/shell.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void where(const void *ctx, size_t i, size_t *line, size_t *col)
{
	(void)ctx;
	*line = 1;
	*col = i + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shell_words ws = { 0 };
	struct shell_command c;
	char *text = malloc(size + 1);
	size_t pos = 0;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (shell_split(&ws, text, where, NULL) == 0) {
		while (shell_command_next(&c, &ws, &pos)) {
			for (size_t i = shell_operand_next(&c, &ws, c.verb); i < c.end;
			     i = shell_operand_next(&c, &ws, i))
				;
			shell_has_option(&c, &ws, "-y");
		}
	}
	shell_words_release(&ws);
	free(text);
	return 0;
}
