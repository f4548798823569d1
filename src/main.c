/*
 * The sample PlanQK service: a state-vector simulator run once per job.
 *
 * usage: service [INPUT_DIR [OUTPUT_DIR]]
 * Reads data.json (the circuit) and params.json ({shots, seed}) from
 * INPUT_DIR, else /var/runtime/input (the current platform's mount), else
 * /var/input (the 2024 runtime's). Writes the result to OUTPUT_DIR/output.json
 * (default /var/runtime/output, when that folder exists) and prints it as
 * the line "PlanQK:Job:Result: JSON". Bad input gives an errorResponse
 * ({"code", "detail"}) in the same two places and exit status 1.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static json_t *load(const char *dir, const char *name, struct sim_error *err)
{
	char path[4096];
	json_error_t jerr;
	json_t *v;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(v = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr))) {
		snprintf(err->code, sizeof(err->code), "invalid_input");
		if (jerr.line > 0)
			snprintf(err->detail, sizeof(err->detail), "%s:%d:%d: not valid JSON: %s",
				 name, jerr.line, jerr.column, jerr.text);
		else
			snprintf(err->detail, sizeof(err->detail), "%s: %s", name, jerr.text);
	}
	return v;
}

/* Print the result line and write output.json; 0, or -1 when it could not be written. */
static int emit(const json_t *result, const char *out_dir)
{
	char *text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS), path[4096];
	int rc = 0;

	if (!text)
		return -1;
	if (out_dir && is_dir(out_dir)) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/output.json", out_dir);
		if (!(f = fopen(path, "w")) || fprintf(f, "%s\n", text) < 0)
			rc = -1;
		if (f && fclose(f) != 0)
			rc = -1;
		if (rc < 0)
			fprintf(stderr, "service: cannot write %s\n", path);
	}
	printf("PlanQK:Job:Result: %s\n", text);
	free(text);
	return fflush(stdout) == 0 ? rc : -1;
}

static int run(json_t **result, const char *in_dir, struct sim_error *err)
{
	json_t *data = NULL, *params = NULL;
	struct sim_circuit c = { 0 };
	double complex *state = NULL;
	unsigned long *counts = NULL;
	uint64_t seed;
	long shots;
	int rc = -1;

	if (!(data = load(in_dir, "data.json", err)) || !(params = load(in_dir, "params.json", err)) ||
	    sim_circuit_parse(&c, data, err) < 0 || sim_params_parse(&shots, &seed, params, err) < 0)
		goto done;
	if (!(state = sim_run(&c)) ||
	    !(counts = calloc((size_t)1 << c.qubits, sizeof(*counts))) ||
	    sim_sample(counts, state, c.qubits, shots, seed) < 0 ||
	    !(*result = sim_result(counts, c.qubits, shots))) {
		snprintf(err->code, sizeof(err->code), "out_of_memory");
		snprintf(err->detail, sizeof(err->detail), "no memory for %d qubits", c.qubits);
		goto done;
	}
	fprintf(stderr, "service: %d qubits, %zu gates, %ld shots, seed %llu\n", c.qubits, c.nops,
		shots, (unsigned long long)seed);
	rc = 0;
done:
	free(counts);
	free(state);
	sim_circuit_release(&c);
	json_decref(data);
	json_decref(params);
	return rc;
}

int main(int argc, char **argv)
{
	const char *in_dir = argc > 1 ? argv[1] :
			     is_dir("/var/runtime/input") ? "/var/runtime/input" : "/var/input";
	const char *out_dir = argc > 2 ? argv[2] : "/var/runtime/output";
	struct sim_error err = { "", "" };
	json_t *result = NULL;
	int ok = run(&result, in_dir, &err) == 0;

	if (!ok)
		result = sim_error_json(&err);
	if (!result || emit(result, out_dir) < 0) {
		fprintf(stderr, "service: cannot write the result\n");
		return 2;
	}
	json_decref(result);
	return ok ? 0 : 1;
}
