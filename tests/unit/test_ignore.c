/* .dockerignore: reading and matching as Docker does. */
#include "util/error.h"
#include "archive/ignore.h"
#include "test.h"

#include <stdlib.h>
#include <unistd.h>

struct match_case {
	const char *patterns;	/* the file's text */
	const char *path;
	int excluded;
};

/*
 * Single patterns, most from moby/patternmatcher's own tests, then the
 * combinations that decide what a build context holds.
 */
static const struct match_case cases[] = {
	/* '**' forms */
	{ "**", "file", 1 },
	{ "**", "dir/file", 1 },
	{ "**/", "file", 1 },
	{ "**file", "file", 1 },
	{ "**file", "dir/file", 1 },
	{ "**/file", "dir/file", 1 },
	{ "**file", "dir/dir/file", 1 },
	{ "**/file", "dir/dir/file", 1 },
	{ "**/file*", "dir/dir/file", 1 },
	{ "**/file*", "dir/dir/file.txt", 1 },
	{ "**/file*txt", "dir/dir/file.txt", 1 },
	{ "**/file*.txt", "dir/dir/file.txt", 1 },
	{ "**/file*.txt*", "dir/dir/file.txt", 1 },
	{ "**/**/*.txt", "dir/dir/file.txt", 1 },
	{ "**/**/*.txt2", "dir/dir/file.txt", 0 },
	{ "**/*.txt", "file.txt", 1 },
	{ "**/**/*.txt", "file.txt", 1 },
	{ "a**/*.txt", "a/file.txt", 1 },
	{ "a**/*.txt", "a/dir/file.txt", 1 },
	{ "a**/*.txt", "a/dir/dir/file.txt", 1 },
	{ "a/*.txt", "a/dir/file.txt", 0 },
	{ "a/*.txt", "a/file.txt", 1 },
	{ "a/*.txt**", "a/file.txt", 1 },
	{ "**/foo/bar", "foo/bar", 1 },
	{ "**/foo/bar", "dir/foo/bar", 1 },
	{ "**/foo/bar", "dir/dir2/foo/bar", 1 },
	{ "abc/**", "abc", 0 },
	{ "abc/**", "abc/def", 1 },
	{ "abc/**", "abc/def/ghi", 1 },
	{ "**/.foo", ".foo", 1 },
	{ "**/.foo", "bar.foo", 0 },
	/* Docker's suffix fast path: "**foo" is a plain suffix test */
	{ "**foo", "xfoo", 1 },
	{ "**/foo", "xfoo", 0 },
	/* its prefix fast path: "abc**" is a plain prefix test */
	{ "abc**", "abcdef/x", 1 },
	/* character classes, '?', escapes, regexp characters taken literally */
	{ "a[b-d]e", "ae", 0 },
	{ "a[b-d]e", "ace", 1 },
	{ "a[b-d]e", "aae", 0 },
	{ "a[^b-d]e", "aze", 1 },
	{ "a[^b-d]e", "ace", 0 },
	{ "a[\\]]e", "a]e", 1 },
	{ "[é]", "é", 1 },
	{ "?", "é", 1 },
	{ ".*", ".foo", 1 },
	{ ".*", "foo", 0 },
	{ "abc.def", "abcdef", 0 },
	{ "abc.def", "abc.def", 1 },
	{ "abc.def", "abcZdef", 0 },
	{ "abc?def", "abcZdef", 1 },
	{ "abc?def", "abcdef", 0 },
	{ "abc?def", "abc/def", 0 },
	{ "a\\\\", "a\\", 1 },
	{ "a\\*b", "a*b", 1 },
	{ "a\\*b", "axb", 0 },
	{ "a(b)c/def", "a(b)c/def", 1 },
	{ "a(b)c/def", "a(b)c/xyz", 0 },
	{ "a.|)$(}+{bc", "a.|)$(}+{bc", 1 },
	{ "dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 1 },
	{ "*", "a", 1 },
	{ "*", "a/b", 1 },		/* through the parent "a" */
	{ "*/b", "a/b", 1 },
	{ "*/b", "a/c/b", 0 },
	/* a pattern matching a parent directory excludes what is below it */
	{ "dir", "dir/file", 1 },
	{ "dir", "dir/sub/file", 1 },
	{ "dir", "dirt", 0 },
	{ "dir/sub", "dir/sub/deeper/file", 1 },
	/* exceptions, the last matching pattern wins */
	{ "*.md\n!README.md", "README.md", 0 },
	{ "*.md\n!README.md", "CHANGES.md", 1 },
	{ "!README.md\n*.md", "README.md", 1 },
	{ "dir\n!dir/keep", "dir/keep", 0 },
	{ "dir\n!dir/keep", "dir/other", 1 },
	{ "!dir/keep\ndir", "dir/keep", 1 },
	{ "docs\n!docs/*.md", "docs/a.md", 0 },
	{ "docs\n!docs/*.md", "docs/sub/b.md", 1 },
	{ "a\n!a/b", "a/b/c", 0 },
	{ "**/*.pyc\n!keep/**", "keep/x.pyc", 0 },
	/* reading: comments, spaces, cleaning, leading '/', line ends */
	{ "# comment", "# comment", 0 },
	{ " # not a comment", "# not a comment", 1 },
	{ "  spaced  ", "spaced", 1 },
	{ "/abs", "abs", 1 },
	{ "./rel", "rel", 1 },
	{ "x/../y", "y", 1 },
	{ "dir/", "dir/file", 1 },
	{ "a//b", "a/b", 1 },
	{ "crlf\r\nnext", "crlf", 1 },
	{ "\xef\xbb\xbf" "bom", "bom", 1 },
	{ "! spaced", "spaced", 0 },
	{ "foo /", "foo", 1 },		/* cleaned to "foo " then trimmed again */
	{ "./!bang\nbang", "bang", 1 },
	{ "\n\n   \n", "anything", 0 },
};

/* Parse 'text', or record the failure and return NULL. */
static struct ignore *parse(const char *text)
{
	struct ignore *ig;

	if (ignore_parse(&ig, text, strlen(text), ".dockerignore") < 0) {
		CHECK(0, "parse '%s': %s", text, err_msg());
		return NULL;
	}
	return ig;
}

static void test_matching(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct match_case *c = &cases[i];
		struct ignore *ig;
		char name[512];

		snprintf(name, sizeof(name), "ignore: pattern(s) '%s' %s '%s'",
			 c->patterns, c->excluded ? "exclude" : "keep", c->path);
		for (char *p = name; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = '|';
		if ((ig = parse(c->patterns))) {
			CHECK(ignore_excluded(ig, c->path) == c->excluded,
			      "excluded=%d", ignore_excluded(ig, c->path));
			ignore_free(ig);
		}
		test_end(name);
	}
}

struct error_case {
	const char *patterns;
	const char *message;
};

static const struct error_case errors[] = {
	{ "a[", ".dockerignore:1:3: malformed pattern 'a[': unterminated character class" },
	{ "ok\n[]", ".dockerignore:2:2: malformed pattern '[]': bad range in character class" },
	{ "[a-]", ".dockerignore:1:4: malformed pattern '[a-]': bad range in character class" },
	{ "[z-a]", ".dockerignore:1:4: malformed pattern '[z-a]': range out of order in character class" },
	{ "  a\\", ".dockerignore:1:4: malformed pattern 'a\\': '\\' at the end" },
	{ "!", ".dockerignore:1:1: malformed pattern '!': an exception needs a pattern" },
	{ "x\n\n  !  ", ".dockerignore:3:3: malformed pattern '!': an exception needs a pattern" },
	{ "a\\d", ".dockerignore:1:2: malformed pattern 'a\\d': '\\' before a letter, digit or non-ASCII character has a regular-expression meaning in Docker" },
	{ "[*]", ".dockerignore:1:2: malformed pattern '[*]': '[', '*' and '?' inside a character class are read differently by Docker; escape them with '\\'" },
};

static void test_malformed(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct ignore *ig = NULL;
		char name[256];
		int rc = ignore_parse(&ig, errors[i].patterns,
				      strlen(errors[i].patterns), ".dockerignore");

		CHECK(rc == -1 && ig == NULL, "parse succeeded");
		if (rc == -1)
			CHECK_STR(err_msg(), errors[i].message);
		ignore_free(ig);
		snprintf(name, sizeof(name), "ignore: malformed '%s' is an error", errors[i].patterns);
		for (char *p = name; *p; p++)
			if (*p == '\n')
				*p = '|';
		test_end(name);
	}
}

static void test_walk_decisions(void)
{
	struct ignore *ig;

	if ((ig = parse("vendor\nbuild\n!vendor/keep.go\nnode_modules\n!**/LICENSE\n"))) {
		CHECK(ignore_may_include_below(ig, "vendor") == 1, "vendor");
		CHECK(ignore_may_include_below(ig, "build") == 1, "build: '!**/LICENSE' may match below");
		ignore_free(ig);
	}
	if ((ig = parse("vendor\nbuild\n!vendor/keep.go\n"))) {
		CHECK(ignore_may_include_below(ig, "vendor") == 1, "vendor");
		CHECK(ignore_may_include_below(ig, "build") == 0, "build");
		CHECK(ignore_may_include_below(ig, "vendor/sub") == 0, "vendor/sub");
		ignore_free(ig);
	}
	test_end("ignore: excluded directories that an exception may reach into");
}

static void test_keep(void)
{
	struct ignore *ig = parse("*\n");

	if (ig) {
		CHECK(ignore_excluded(ig, "Dockerfile") == 1, "before");
		CHECK(ignore_keep(ig, "Dockerfile") == 0, "keep");
		CHECK(ignore_keep(ig, ".dockerignore") == 0, "keep");
		CHECK(ignore_excluded(ig, "Dockerfile") == 0, "Dockerfile is sent");
		CHECK(ignore_excluded(ig, ".dockerignore") == 0, ".dockerignore is sent");
		CHECK(ignore_excluded(ig, "other") == 1, "other");
		ignore_free(ig);
	}
	test_end("ignore: Dockerfile and .dockerignore are always sent, as the Docker CLI does");
}

/* Many stars backtrack exponentially without memory of failed states. */
static void test_backtracking(void)
{
	char path[64];
	struct ignore *ig;

	alarm(10);	/* a regression fails by SIGALRM rather than hanging */
	memset(path, 'a', 40);
	path[40] = '\0';
	if ((ig = parse("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n**/x*y*z*q\n"))) {
		CHECK(ignore_excluded(ig, path) == 0, "no b");
		path[40] = 'b';
		path[41] = '\0';
		CHECK(ignore_excluded(ig, path) == 1, "ends in b");
		ignore_free(ig);
	}
	alarm(0);
	test_end("ignore: patterns with many stars match in bounded time");
}

/*
 * A 300 KB line of "**\/" crashed by recursing per token, and long lines of
 * stars took minutes on a thousand paths: matching recurses on nothing and
 * takes pattern length times path length.
 */
static void test_huge_patterns(void)
{
	size_t n = 100000, i;
	char *text, path[4096];
	struct ignore *ig;

	/* a time bound, not an allocation path: under the allocation-failure
	 * pass (one ASan run per allocation) it would take many minutes */
	if (getenv("PINNED_OOM_FAIL") || getenv("PINNED_OOM_COUNT"))
		return;
	text = malloc(3 * n + 16);
	alarm(20);
	for (i = 0; i < n; i++)
		memcpy(text + 3 * i, "**/", 3);
	strcpy(text + 3 * n, "x\n");
	if ((ig = parse(text))) {
		CHECK(ignore_excluded(ig, "a/b/c/x") == 1, "a/b/c/x");
		CHECK(ignore_excluded(ig, "x") == 1, "x");
		CHECK(ignore_excluded(ig, "a/b/c/y") == 0, "a/b/c/y");
		ignore_free(ig);
	}
	for (i = 0; i < n; i++)
		memcpy(text + 3 * i, "*a/", 3);
	strcpy(text + 3 * n - 1, "\n");
	for (i = 0; i + 3 < sizeof(path); i += 3)
		memcpy(path + i, "ba/", 3);
	path[i - 1] = '\0';
	if ((ig = parse(text))) {
		CHECK(ignore_excluded(ig, path) == 0, "a 4 KB path");
		for (i = 0; i < 1000; i++) {
			snprintf(path, sizeof(path), "src/pkg%zu/module/file%zu.c", i % 7, i);
			CHECK(ignore_excluded(ig, path) == 0, "%s", path);
		}
		ignore_free(ig);
	}
	free(text);
	alarm(0);
	test_end("ignore: 300 KB patterns of '**/' or '*a/' match without recursion, in bounded time");
}

int main(void)
{
	test_huge_patterns();
	test_backtracking();
	test_matching();
	test_malformed();
	test_walk_decisions();
	test_keep();
	return TEST_MAIN_RESULT();
}
