#ifndef PINNED_LEX_H
#define PINNED_LEX_H

#include <stddef.h>

/*
 * Dockerfile words as BuildKit's shell lexer (frontend/dockerfile/shell)
 * reads them: single and double quotes, the escape character, and every
 * substitution of the Dockerfile reference: $V ${V} ${V:-w} ${V-w} ${V:+w}
 * ${V+w} ${V:?w} ${V?w} ${V#p} ${V##p} ${V%p} ${V%%p} ${V/p/r} ${V//p/r},
 * patterns with * and ? (no brackets). A variable that is not set is the
 * empty string. Its quirks are kept, because they decide what a build
 * does: a byte that is not UTF-8 becomes U+FFFD, and a ${...} with a word
 * empties the word being split around it (lex_words()).
 */

enum lex_flags {
	LEX_RAW_QUOTES = 1,	/* keep the quote characters */
	LEX_RAW_ESCAPES = 2,	/* keep the escape characters */
	LEX_SKIP_UNSET = 4,	/* a reference to an unset variable stays as written */
};

/* The value of the variable name[0, n), or NULL when it is not set. */
typedef const char *(*lex_lookup_fn)(void *ctx, const char *name, size_t n);

/*
 * Told of a reference to a variable that is not set, where the reference
 * does not handle that itself (as ${V-w}, ${V:?w} do); 'at' is where its
 * '$' is in the input. Returns 0, or a negative code to stop.
 */
typedef int (*lex_unset_fn)(void *ctx, const char *name, size_t n, size_t at);

struct lex {
	char escape;		/* '\\' or '`' */
	unsigned flags;		/* enum lex_flags */
	int max_depth;		/* most ${...} nested in each other */
	size_t max;		/* most bytes of a result */
	lex_lookup_fn lookup;	/* NULL: nothing is set */
	lex_unset_fn unset;	/* NULL: not told */
	void *ctx;
	size_t at;		/* after a failure: where in the input it is */
	int deep;		/* after ERR_TOOBIG: max_depth was passed, not max */
};

/*
 * The word s[0, n) processed: quotes and escapes removed (unless 'flags'
 * keep them), variables substituted. Returns 0 and the result in '*out'
 * (caller frees), or a negative code with err_msg() set (BuildKit's
 * reason, as "unsupported modifier (:=) in substitution") and lx->at:
 * ERR_TOOBIG past lx->max or lx->max_depth (lx->deep set), ERR_NOMEM.
 */
int lex_word(struct lex *lx, char **out, const char *s, size_t n);

/*
 * The words of s[0, n) after substitution, split at white space outside
 * quotes, as BuildKit's ProcessWords: '*words' is a NULL-terminated array
 * of '*count' strings (free with lex_words_free()). Errors as lex_word().
 */
int lex_words(struct lex *lx, char ***words, size_t *count, const char *s, size_t n);

void lex_words_free(char **words);

/* Bytes of the one character of Unicode white space (Go's unicode.IsSpace)
 * at s[0, n), or 0. */
size_t lex_space(const char *s, size_t n);

/* Bytes of the run of white space that s[0, n) starts with. */
size_t lex_spaces(const char *s, size_t n);

#endif
