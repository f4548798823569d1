/* Reading Debian control data: stanzas, fields, continuations, refusals. */
#include "debian/deb822.h"
#include "test.h"
#include "util/error.h"

#include <string.h>

static const char *value(const struct deb822 *d, const char *name)
{
	static char out[256];
	const struct deb822_field *f = deb822_get(d, name);

	if (!f)
		return "(none)";
	snprintf(out, sizeof(out), "%.*s", (int)f->value_len, f->value);
	return out;
}

/* The message of reading 'text' to its end, or "" when it reads. */
static const char *refusal(const char *text)
{
	struct deb822 d = { 0 };
	int r;

	deb822_start(&d, text, strlen(text), "Packages", 1);
	while ((r = deb822_next(&d)) == 1)
		;
	deb822_release(&d);
	return r ? err_msg() : "";
}

int main(void)
{
	static const char text[] =
		"Package: a\n"
		"Version:   1.0  \n"
		"Description: first line\n"
		" second line\n"
		" .\n"
		"\n"
		"\n"
		"package: b\r\n"
		"SHA256:\n"
		" 00 1 x\n"
		" 11 2 y\n"
		" \t \n"
		"Package: c\n";
	struct deb822 d = { 0 };

	deb822_start(&d, text, sizeof(text) - 1, "Packages", 1);
	CHECK(deb822_next(&d) == 1, "%s", err_msg());
	CHECK(d.nf == 3 && d.stanza_line == 1, "%zu fields from line %zu", d.nf, d.stanza_line);
	CHECK_STR(value(&d, "package"), "a");
	CHECK_STR(value(&d, "Version"), "1.0");
	CHECK_STR(value(&d, "Description"), "first line\n second line\n .");
	CHECK(deb822_get(&d, "Version")->line == 2, "line");
	CHECK(deb822_next(&d) == 1, "%s", err_msg());
	CHECK(d.stanza_line == 8, "stanza at line %zu", d.stanza_line);
	CHECK_STR(value(&d, "Package"), "b");
	CHECK_STR(value(&d, "sha256"), "00 1 x\n 11 2 y");
	CHECK(deb822_next(&d) == 1, "%s", err_msg());
	CHECK_STR(value(&d, "Package"), "c");
	CHECK(deb822_next(&d) == 0, "the end");
	CHECK(deb822_next(&d) == 0, "still the end");
	test_end("deb822: stanzas, any-case names, continuations, blank separators, CRLF");

	deb822_start(&d, "", 0, "empty", 1);
	CHECK(deb822_next(&d) == 0, "empty text has no stanza");
	deb822_start(&d, "\n\n  \n", 4, "blank", 1);
	CHECK(deb822_next(&d) == 0, "blank lines are no stanza");
	deb822_release(&d);
	test_end("deb822: empty and blank texts");

	CHECK_STR(refusal("Package: a\nnot a field\n"),
		  "Packages:2: 'not a field' is not a field ('Name: value')");
	CHECK_STR(refusal(" continued\n"),
		  "Packages:1: a continuation line with no field before it");
	CHECK_STR(refusal("Package: a\n\n continued\n"),
		  "Packages:3: a continuation line with no field before it");
	CHECK_STR(refusal("Package: a\nversion: 1\nVersion: 2\n"),
		  "Packages:3: field 'Version' given twice (first on line 2)");
	CHECK_STR(refusal(": no name\n"), "Packages:1: a field with no name");
	CHECK_STR(refusal("Package: a\0b\n"), "");	/* strlen stops at the NUL */
	{
		static const char nul[] = "Package: a\nDepends: b\0c\n";

		deb822_start(&d, nul, sizeof(nul) - 1, "Packages", 1);
		CHECK(deb822_next(&d) == ERR_FAIL, "a NUL byte is refused");
		CHECK_STR(err_msg(), "Packages:2: a NUL byte");
		deb822_release(&d);
	}
	test_end("deb822: refusals name the file and line");

	CHECK(deb822_whole("a: 1\n\nb: 2\n", 11) == 6, "whole up to the separator");
	CHECK(deb822_whole("a: 1\nb: 2\n", 10) == 0, "no separator");
	CHECK(deb822_whole("a: 1\n\nb: 2\n\n", 12) == 12, "all");
	test_end("deb822: where whole stanzas end, for reading a stream");
	return TEST_MAIN_RESULT();
}
