/* PlanQK's runtime interface, both generations, read from a service's output. */
#include "verify/runtime.h"
#include "util/error.h"
#include "test.h"

#include <stdlib.h>

static int check(struct runtime_report *r, const char *out, int status, const char *json)
{
	return runtime_check(r, out, strlen(out), status, json, json ? strlen(json) : 0);
}

static char *dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

int main(void)
{
	static const struct {
		const char *name, *out, *json, *result, *source;
		int status;
	} good[] = {
		{ "a result line", "log\nPlanQK:Job:Result: {\"a\": 1}\nmore log\n", NULL, "{\"a\":1}",
		  "the PlanQK:Job:Result: line", 0 },
		{ "the first result line counts", "PlanQK:Job:Result: 1\nPlanQK:Job:Result: 2\n", NULL,
		  "1", "the PlanQK:Job:Result: line", 0 },
		{ "a multiline block", "PlanQK:Job:MultilineResult\n{\"a\":\n [1,\n 2]}\n"
		  "PlanQK:Job:MultilineResult\n", NULL, "{\"a\":[1,2]}",
		  "the PlanQK:Job:MultilineResult block", 0 },
		{ "output.json wins", "PlanQK:Job:Result: 1\n", "{\"b\": 2}\n", "{\"b\":2}",
		  "/var/runtime/output/output.json", 0 },
		{ "CRLF lines", "PlanQK:Job:Result: [true]\r\n", NULL, "[true]",
		  "the PlanQK:Job:Result: line", 0 },
		{ "no newline at the end", "PlanQK:Job:Result: \"x\"", NULL, "\"x\"",
		  "the PlanQK:Job:Result: line", 0 },
	};
	static const struct {
		const char *name, *out, *json, *error;
		int status;
	} bad[] = {
		{ "no result", "hello\n", NULL, "no result: the service wrote no "
		  "/var/runtime/output/output.json and printed no PlanQK:Job:Result: line or "
		  "PlanQK:Job:MultilineResult block", 0 },
		{ "a result that is not JSON", "x\nPlanQK:Job:Result: {\n", NULL,
		  "stdout line 2: the PlanQK:Job:Result: line does not hold valid JSON on one line", 0 },
		{ "an unclosed block", "PlanQK:Job:MultilineResult\n{}\n", NULL,
		  "stdout line 1: a PlanQK:Job:MultilineResult block that is never closed", 0 },
		{ "a block that is not JSON", "PlanQK:Job:MultilineResult\n{\nPlanQK:Job:MultilineResult\n",
		  NULL, "stdout line 1: the PlanQK:Job:MultilineResult block is not valid JSON", 0 },
		{ "a non-zero exit", "PlanQK:Job:Result: {}\n", NULL,
		  "the service exited with status 1: a job that succeeds exits 0", 1 },
		{ "output.json not JSON", "", "{", "/var/runtime/output/output.json is not valid JSON", 0 },
		{ "an interim result not JSON", "PlanQK:Job:InterimResult: ?\nPlanQK:Job:Result: 1\n",
		  NULL, "stdout line 1: an interim result that is not valid JSON", 0 },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct runtime_report r;
		char *got;

		CHECK(check(&r, good[i].out, good[i].status, good[i].json) == 0, "%s: %s",
		      good[i].name, err_msg());
		got = r.result ? dump(r.result) : NULL;
		CHECK(got && !strcmp(got, good[i].result), "%s: got %s", good[i].name,
		      got ? got : "nothing");
		CHECK_STR(runtime_source_name(r.source), good[i].source);
		free(got);
		runtime_report_release(&r);
	}
	{
		struct runtime_report r;

		CHECK(check(&r, "PlanQK:Job:InterimResult: {\"p\": 1}\nPlanQK:Job:InterimResult: 2\n"
			    "PlanQK:Job:Result: 3\n", 0, NULL) == 0, "%s", err_msg());
		CHECK(json_array_size(r.interim) == 2, "two interim results");
		runtime_report_release(&r);
	}
	test_end("runtime: results from output.json, a result line or a block; interim results");

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct runtime_report r;

		CHECK(check(&r, bad[i].out, bad[i].status, bad[i].json) < 0, "%s: accepted",
		      bad[i].name);
		CHECK_STR(err_msg(), bad[i].error);
		runtime_report_release(&r);
	}
	test_end("runtime: each broken rule is named");
	return TEST_MAIN_RESULT();
}
