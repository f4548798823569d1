#ifndef PINNED_RUNTIME_H
#define PINNED_RUNTIME_H

#include <stddef.h>

#include <jansson.h>

/*
 * PlanQK's runtime interface, both generations, read from what a service
 * did: its standard output, its exit status and the files it left in
 * /var/runtime/output.
 *
 * The current platform: the result is /var/runtime/output/output.json,
 * other files there are downloads. The 2024 rules: the result is the first
 * stdout line starting "PlanQK:Job:Result:", the rest of it JSON; or JSON
 * between two lines "PlanQK:Job:MultilineResult"; interim results are lines
 * "PlanQK:Job:InterimResult:" followed by JSON. Everything else is log.
 */
enum runtime_source { RUNTIME_NONE, RUNTIME_OUTPUT_JSON, RUNTIME_RESULT_LINE,
		      RUNTIME_MULTILINE };

struct runtime_report {
	enum runtime_source source;
	json_t *result;		/* the result, or NULL */
	json_t *interim;	/* array of the interim results */
	json_t *files;		/* array of the other files' names in the output folder */
	int exit_status;
};

/*
 * Read what the service did: 'out' (its stdout, 'len' bytes), its
 * 'exit_status', and 'output_json' (the bytes of output.json, or NULL when
 * it wrote none). Fills 'r' (empty it with runtime_report_release()).
 * Returns 0 when the run kept the contract; otherwise -1 with the message
 * naming the rule broken.
 */
int runtime_check(struct runtime_report *r, const char *out, size_t len, int exit_status,
		  const char *output_json, size_t output_len);

void runtime_report_release(struct runtime_report *r);

/* The input folder as the platform passes it: data.json and params.json,
 * both JSON. Returns 0, or a negative code naming what is wrong. */
int runtime_input_check(const char *dir);

/* What a service left in its output folder 'dir': output.json (NULL when
 * it wrote none) and the names of the other files, appended to 'files'. */
int runtime_output_read(char **json, size_t *len, json_t *files, const char *dir);

/* "output.json" (the current platform) or "stdout" (the 2024 rules). */
const char *runtime_source_name(enum runtime_source s);

#endif
