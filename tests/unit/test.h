#ifndef PINNED_TEST_H
#define PINNED_TEST_H

/*
 * A small test harness: each test prints "PASS: name" or "FAIL: name: why";
 * tests/run.sh counts those lines. CHECK() records a failure with its place
 * and goes on, so one run reports every broken expectation.
 */
#include <stdio.h>
#include <string.h>

static int test_failures;	/* failures in the current test */
static int test_total_failed;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			test_failures++;                                     \
			printf("  %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
		}                                                            \
	} while (0)

#define CHECK_STR(got, want)                                                 \
	CHECK(strcmp((got), (want)) == 0, "got '%s', want '%s'", (got), (want))

/* Report the current test under 'name' and reset for the next one. */
static inline void test_end(const char *name)
{
	printf("%s: %s\n", test_failures ? "FAIL" : "PASS", name);
	if (test_failures)
		test_total_failed++;
	test_failures = 0;
}

/* Report the current test as skipped, saying why; it must not have run. */
static inline void test_skip(const char *name, const char *why)
{
	printf("SKIP: %s: %s\n", name, why);
	test_failures = 0;
}

#define TEST_MAIN_RESULT() (test_total_failed ? 1 : 0)

#endif
