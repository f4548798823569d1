#ifndef PINNED_SHELL_H
#define PINNED_SHELL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Shell command lines read far enough to say which commands they run and
 * what a package installer is asked to install: words with their quotes
 * removed, and the operators that end a command (&&, ||, ;, |, (, ),
 * newline). Both lint and the apt resolver read RUN lines through this
 * module, so they never disagree about what a line installs.
 */
struct shell_word {
	const char *text;	/* the word, quotes and backslashes removed */
	uint32_t at;		/* where it starts in the text: see shell_where() */
	uint32_t end;		/* where it ends: the offset just after it */
	uint32_t op;		/* 1 for an operator that ends a command */
};

/* Where byte 'i' of the text is: its line and column in the file. */
typedef void (*shell_where_fn)(const void *ctx, size_t i, size_t *line, size_t *col);

struct shell_words {
	struct shell_word *v;
	size_t n, alloc;
	char *arena;		/* the words' texts */
	shell_where_fn where;
	const void *ctx;
};

/*
 * Split 'text' into words and operators, into 'out' (zeroed): 24 bytes per
 * word, and the words' texts in one block. Returns 0, or ERR_NOMEM, or
 * ERR_TOOBIG for a text of 4 GiB; empty 'out' with shell_words_release()
 * either way.
 */
int shell_split(struct shell_words *out, const char *text, shell_where_fn where,
		const void *ctx);

/* The line and column where word 'i' is written. */
void shell_where(const struct shell_words *ws, size_t i, size_t *line, size_t *col);

void shell_words_release(struct shell_words *ws);

/* The package installers we read. */
enum shell_tool { SHELL_OTHER, SHELL_APT, SHELL_PIP, SHELL_NPM };

/*
 * One simple command: words [start, end) between operators. 'name' is the
 * command word after wrappers (sudo, env, nice, time, exec) and VAR=value
 * assignments, and after "python -m" for pip; 'verb' is the first word after
 * it that is not an option ("install", "upgrade"), or 'end' when none.
 */
struct shell_command {
	size_t start, end, name, verb;
	enum shell_tool tool;
	int piped;		/* the operator before it is "|" */
};

/*
 * The next command at or after word '*pos'. Returns 1 and fills 'out' (and
 * moves '*pos' past it), or 0 at the end of the words.
 */
int shell_command_next(struct shell_command *out, const struct shell_words *ws, size_t *pos);

/*
 * The operands of the command's verb (the packages of an install): the
 * index of the next word after 'i' that is not an option or an option's
 * value, or c->end. Start with i = c->verb.
 */
size_t shell_operand_next(const struct shell_command *c, const struct shell_words *ws,
			  size_t i);

/* 1 when an option word of the command equals 'option' ("-y", "--no-install-recommends"). */
int shell_has_option(const struct shell_command *c, const struct shell_words *ws,
		     const char *option);

/* 1 when the basename of 'word' is one of 'names' (NULL-terminated). */
int shell_is(const char *word, const char *const *names);

/* The basename of a command word: "/usr/bin/pip3" is "pip3". */
const char *shell_basename(const char *word);

#endif
