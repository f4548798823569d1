/*
 * Words as BuildKit's shell lexer reads them: every substitution form of
 * the Dockerfile reference with its documented results, the pattern
 * rules, word splitting, the errors BuildKit gives.
 */
#include "docker/lex.h"
#include "util/error.h"
#include "test.h"

#include <stdlib.h>

/* The variables of the cases: S is the reference's "foobarbaz". */
static const char *const env[][2] = {
	{ "S", "foobarbaz" },
	{ "E", "" },
	{ "P", "/home/user/src/app.tar.gz" },
	{ "SP", "a b  c" },
	{ "NL", "ab\nab" },
	{ "K", "\xed\x95\x9c\xea\xb5\xad" },	/* two Korean letters */
	{ "STAR", "a*b" },
};

static const char *lookup(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		if (strlen(env[i][0]) == n && !memcmp(env[i][0], name, n))
			return env[i][1];
	return NULL;
}

static char unset_names[256];

static int unset(void *ctx, const char *name, size_t n, size_t at)
{
	size_t len = strlen(unset_names);

	(void)ctx;
	snprintf(unset_names + len, sizeof(unset_names) - len, "%s%.*s@%zu", len ? "," : "",
		 (int)n, name, at);
	return 0;
}

static struct lex lexer(char escape, unsigned flags)
{
	return (struct lex){ .escape = escape, .flags = flags, .max_depth = 32, .max = 1 << 20,
			     .lookup = lookup, .unset = unset };
}

static const struct {
	const char *in, *out;
} words[] = {
	/* the reference's examples */
	{ "${S#*o}", "obarbaz" },
	{ "${S##*o}", "barbaz" },
	{ "${S%a*}", "foobarb" },
	{ "${S%%a*}", "foob" },
	{ "${S/ba/fo}", "fooforbaz" },
	{ "${S//ba/fo}", "fooforfoz" },
	/* set, unset, empty */
	{ "$S", "foobarbaz" },
	{ "${S}", "foobarbaz" },
	{ "$NOPE", "" },
	{ "${NOPE}", "" },
	{ "x${NOPE}y", "xy" },
	{ "${NOPE:-d}", "d" },
	{ "${NOPE-d}", "d" },
	{ "${E:-d}", "d" },
	{ "${E-d}", "" },
	{ "${S:-d}", "foobarbaz" },
	{ "${NOPE:+d}", "" },
	{ "${NOPE+d}", "" },
	{ "${E:+d}", "" },
	{ "${E+d}", "d" },
	{ "${S:+d}", "d" },
	{ "${E?m}", "" },
	{ "${S:?m}", "foobarbaz" },
	/* words of defaults are words: quotes, nesting, escapes */
	{ "${NOPE:-\"a b\"}", "a b" },
	{ "${NOPE:-'}'}", "}" },
	{ "${NOPE:-${E:-${S}}}", "foobarbaz" },
	{ "${NOPE:-a\\}b}", "a}b" },
	/* patterns */
	{ "${P##*/}", "app.tar.gz" },
	{ "${P#*/}", "home/user/src/app.tar.gz" },
	{ "${P%.*}", "/home/user/src/app.tar" },
	{ "${P%%.*}", "/home/user/src/app" },
	{ "${P%/*}", "/home/user/src" },
	{ "${P#/home}", "/user/src/app.tar.gz" },
	{ "${P#nomatch}", "/home/user/src/app.tar.gz" },
	{ "${S#???}", "barbaz" },
	{ "${S%b?z}", "foobar" },
	{ "${S#f*b}", "arbaz" },
	{ "${S##f*b}", "az" },
	{ "${S#*}", "foobarbaz" },
	{ "${S##*}", "" },
	{ "${S%*}", "foobarbaz" },
	{ "${S%%*}", "" },
	{ "${STAR#a\\*}", "b" },
	{ "${STAR#a*}", "*b" },
	{ "${S/o/0}", "f0obarbaz" },
	{ "${S//o/0}", "f00barbaz" },
	{ "${S/#/x}", "foobarbaz" },
	{ "${S/b*/X}", "fooX" },
	{ "${S//a?/_}", "foob_b_" },
	{ "${S//[/x}", "foobarbaz" },
	{ "${S/.*/x}", "foobarbaz" },
	{ "${P//\\//:}", ":home:user:src:app.tar.gz" },
	{ "${S//o/$$}", "fbarbaz" },
	{ "${NOPE/a/b}", "" },
	{ "${NL##*b}", "\nab" },
	{ "${NL%%a*}", "ab\n" },
	{ "${K#?}", "\xea\xb5\xad" },
	{ "${K%?}", "\xed\x95\x9c" },
	/* quotes and escapes */
	{ "'$S'", "$S" },
	{ "\"$S\"", "foobarbaz" },
	{ "\"a\\\"b\"", "a\"b" },
	{ "\"a\\xb\"", "a\\xb" },
	{ "a\\ b", "a b" },
	{ "\\$S", "$S" },
	{ "$", "$" },
	{ "a$", "a$" },
	{ "$-", "" },
	{ "$1x", "x" },
	{ "$S-x", "foobarbaz-x" },
	{ "${S}x", "foobarbazx" },
	{ "\xef\xbb\xbf$S", "foobarbaz" },
	{ "a\xff", "a\xef\xbf\xbd" },
};

static void test_words(void)
{
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct lex lx = lexer('\\', 0);
		char *out = NULL, name[128];

		if (lex_word(&lx, &out, words[i].in, strlen(words[i].in)) < 0)
			CHECK(0, "'%s': %s", words[i].in, err_msg());
		else
			CHECK_STR(out, words[i].out);
		free(out);
		snprintf(name, sizeof(name), "lex: '%s' as BuildKit reads it", words[i].in);
		test_end(name);
	}
}

static const struct {
	const char *in, *error;
	size_t at;
} errors[] = {
	{ "${", "syntax error: missing '}'", 0 },
	{ "x${}", "syntax error: bad substitution", 1 },
	{ "${:-a}", "syntax error: bad substitution", 0 },
	{ "${{S}}", "syntax error: bad substitution", 0 },
	{ "${S", "syntax error: missing '}'", 0 },
	{ "${S:-a", "syntax error: missing '}'", 0 },
	{ "${S:=a}", "unsupported modifier (:=) in substitution", 0 },
	{ "${S=a}", "unsupported modifier (=) in substitution", 0 },
	{ "${S:#a}", "unsupported modifier (:#) in substitution", 0 },
	{ "${#S}", "unsupported modifier (S) in substitution", 0 },
	{ "${NOPE?}", "NOPE: is not allowed to be unset", 0 },
	{ "${NOPE:?}", "NOPE: is not allowed to be unset", 0 },
	{ "${E:?}", "E: is not allowed to be empty", 0 },
	{ "${NOPE?set it}", "NOPE: set it", 0 },
	{ "${S/a}", "syntax error: missing '/' in ${}", 0 },
	{ "${S#a\\x}", "invalid pattern (a\\x) in substitution: invalid escape '\\x'", 0 },
	{ "'abc", "unexpected end of statement while looking for matching single-quote", 0 },
	{ "a\"bc", "unexpected end of statement while looking for matching double-quote", 1 },
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct lex lx = lexer('\\', 0);
		char *out = NULL, name[160];

		CHECK(lex_word(&lx, &out, errors[i].in, strlen(errors[i].in)) < 0, "accepted: '%s'",
		      out);
		CHECK_STR(err_msg(), errors[i].error);
		CHECK(lx.at == errors[i].at, "at %zu, want %zu", lx.at, errors[i].at);
		free(out);
		snprintf(name, sizeof(name), "lex: '%s' is refused: %s", errors[i].in, errors[i].error);
		test_end(name);
	}
}

/* Words split after substitution, as ProcessWords; a value's spaces split. */
static void test_split(void)
{
	static const struct {
		const char *in, *want;	/* words joined by '|' */
	} cases[] = {
		{ "a b  c", "a|b|c" },
		{ "  a\t\"b c\" ", "a|b c" },
		{ "x$SP", "xa|b|c" },
		{ "\"$SP\"", "a b  c" },
		{ "a \"\" b", "a|b" },
		{ "a\\ b c", "a b|c" },
		{ "a\xc2\xa0" "b", "a|b" },
		/* BuildKit's quirk: a ${...} with a word empties the word before it */
		{ "ab${NOPE:-c}d x", "cd|x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lex lx = lexer('\\', 0);
		char **w = NULL, joined[128] = "", name[128];
		size_t n;

		if (lex_words(&lx, &w, &n, cases[i].in, strlen(cases[i].in)) < 0) {
			CHECK(0, "%s", err_msg());
		} else {
			for (size_t k = 0; k < n; k++)
				snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
					 k ? "|" : "", w[k]);
			CHECK_STR(joined, cases[i].want);
			CHECK(w[n] == NULL, "NULL-terminated");
		}
		lex_words_free(w);
		snprintf(name, sizeof(name), "lex: '%s' splits into '%s'", cases[i].in, cases[i].want);
		test_end(name);
	}
}

static void test_flags(void)
{
	struct lex lx = lexer('\\', LEX_RAW_QUOTES | LEX_RAW_ESCAPES | LEX_SKIP_UNSET);
	static const char raw[] = "<<E\"O\"F\\' $X ${Y:-z} $S", bt[] = "C:\\dir` x`$S",
		refs[] = "$A ${B} ${C:-x} ${D+y} ${S} ${E#x}";
	char *out = NULL;

	CHECK(lex_word(&lx, &out, raw, strlen(raw)) == 0, "%s", err_msg());
	if (out)
		CHECK_STR(out, "<<E\"O\"F\\' $X ${Y:-z} foobarbaz");
	free(out);
	test_end("lex: raw quotes, raw escapes and unset variables kept as written");

	lx = lexer('`', 0);
	CHECK(lex_word(&lx, &out, bt, strlen(bt)) == 0, "%s", err_msg());
	if (out)
		CHECK_STR(out, "C:\\dir x$S");
	free(out);
	test_end("lex: the backtick escape leaves backslashes alone");

	lx = lexer('\\', 0);
	unset_names[0] = '\0';
	CHECK(lex_word(&lx, &out, refs, strlen(refs)) == 0, "%s", err_msg());
	CHECK_STR(unset_names, "A@0,B@3,D@16");
	free(out);
	test_end("lex: references to unset variables are reported, defaults are not");
}

static void test_bounds(void)
{
	char text[400] = "";
	struct lex lx = lexer('\\', 0);
	char *out = NULL;

	for (int i = 0; i < 40; i++)
		strcat(text, "${N:-");
	strcat(text, "x");
	for (int i = 0; i < 40; i++)
		strcat(text, "}");
	lx.max_depth = 32;
	CHECK(lex_word(&lx, &out, text, strlen(text)) == ERR_TOOBIG, "accepted");
	CHECK_STR(err_msg(), "${...} nested more than 32 deep");
	CHECK(lx.at == 32 * 5, "at %zu", lx.at);
	free(out);
	test_end("lex: nesting is bounded");
}

int main(void)
{
	test_words();
	test_errors();
	test_split();
	test_flags();
	test_bounds();
	return TEST_MAIN_RESULT();
}
