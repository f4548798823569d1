/* The sample service's simulator: every gate's amplitudes, sampling with a
 * seed, and every bad input refused with an errorResponse. */
#include "sim.h"
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int near(double complex a, double complex b)
{
	return cabs(a - b) < 1e-12;
}

/* Run one gate on 'qubits' qubits prepared by 'prep' (X on the qubits set
 * in the mask), and compare the whole state with 'want'. */
static int gate_gives(int qubits, unsigned prep, struct sim_op op, const double complex *want)
{
	double complex s[4] = { 0 };
	int ok = 1;

	s[prep] = 1;
	sim_apply(s, qubits, &op);
	for (size_t i = 0; i < (size_t)1 << qubits; i++)
		ok &= near(s[i], want[i]);
	return ok;
}

static void test_gates(void)
{
	const double r = 1 / sqrt(2), pi = M_PI;
	struct {
		const char *name;
		int qubits;
		unsigned prep;
		struct sim_op op;
		double complex want[4];
	} cases[] = {
		{ "h|0>", 1, 0, { SIM_H, { 0 }, 0 }, { r, r } },
		{ "h|1>", 1, 1, { SIM_H, { 0 }, 0 }, { r, -r } },
		{ "x|0>", 1, 0, { SIM_X, { 0 }, 0 }, { 0, 1 } },
		{ "y|0>", 1, 0, { SIM_Y, { 0 }, 0 }, { 0, I } },
		{ "y|1>", 1, 1, { SIM_Y, { 0 }, 0 }, { -I, 0 } },
		{ "z|1>", 1, 1, { SIM_Z, { 0 }, 0 }, { 0, -1 } },
		{ "s|1>", 1, 1, { SIM_S, { 0 }, 0 }, { 0, I } },
		{ "t|1>", 1, 1, { SIM_T, { 0 }, 0 }, { 0, r + r * I } },
		{ "rx(pi)|0>", 1, 0, { SIM_RX, { 0 }, pi }, { 0, -I } },
		{ "ry(pi/2)|0>", 1, 0, { SIM_RY, { 0 }, pi / 2 }, { r, r } },
		{ "rz(pi)|1>", 1, 1, { SIM_RZ, { 0 }, pi }, { 0, I } },
		{ "x on qubit 1", 2, 0, { SIM_X, { 1 }, 0 }, { 0, 0, 1, 0 } },
		{ "cx, control 0 set", 2, 1, { SIM_CX, { 0, 1 }, 0 }, { 0, 0, 0, 1 } },
		{ "cx, control 0 clear", 2, 2, { SIM_CX, { 0, 1 }, 0 }, { 0, 0, 1, 0 } },
		{ "cx, control 1", 2, 2, { SIM_CX, { 1, 0 }, 0 }, { 0, 0, 0, 1 } },
		{ "cz|11>", 2, 3, { SIM_CZ, { 0, 1 }, 0 }, { 0, 0, 0, -1 } },
		{ "cz|01>", 2, 1, { SIM_CZ, { 0, 1 }, 0 }, { 0, 1, 0, 0 } },
		{ "swap|01>", 2, 1, { SIM_SWAP, { 0, 1 }, 0 }, { 0, 0, 1, 0 } },
		{ "swap|11>", 2, 3, { SIM_SWAP, { 1, 0 }, 0 }, { 0, 0, 0, 1 } },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(gate_gives(cases[i].qubits, cases[i].prep, cases[i].op, cases[i].want), "%s",
		      cases[i].name);
	test_end("sim: the amplitudes of every gate");
}

static json_t *parse(const char *text)
{
	json_t *v = json_loads(text, 0, NULL);

	CHECK(v != NULL, "test JSON: %s", text);
	return v;
}

static void test_bell(void)
{
	json_t *data = parse("{\"qubits\": 2, \"gates\": [{\"gate\": \"h\", \"qubits\": [0]},"
			     " {\"gate\": \"cx\", \"qubits\": [0, 1]}]}");
	json_t *params = parse("{\"shots\": 1024, \"seed\": 7}"), *result;
	struct sim_circuit c;
	struct sim_error err;
	unsigned long counts[4], again[4];
	double complex *s;
	uint64_t seed;
	long shots;
	char *text;

	CHECK(sim_circuit_parse(&c, data, &err) == 0, "%s", err.detail);
	CHECK(sim_params_parse(&shots, &seed, params, &err) == 0, "%s", err.detail);
	s = sim_run(&c);
	CHECK(s && near(s[0], 1 / sqrt(2)) && near(s[3], 1 / sqrt(2)) && near(s[1], 0) &&
	      near(s[2], 0), "the Bell state");
	CHECK(sim_sample(counts, s, 2, shots, seed) == 0, "sample");
	CHECK(counts[1] == 0 && counts[2] == 0 && counts[0] + counts[3] == 1024, "only 00 and 11");
	sim_sample(again, s, 2, shots, seed);
	CHECK(!memcmp(counts, again, sizeof(counts)), "the same seed, the same counts");
	result = sim_result(counts, 2, shots);
	text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
	/* pinned: a change here changes every image's result */
	CHECK_STR(text, "{\"counts\":{\"00\":496,\"11\":528},\"shots\":1024}");
	sim_sample(again, s, 2, shots, 8);
	CHECK(memcmp(counts, again, sizeof(counts)), "another seed, other counts");
	free(text);
	json_decref(result);
	free(s);
	sim_circuit_release(&c);
	json_decref(data);
	json_decref(params);
	test_end("sim: a Bell state, 1024 shots with seed 7: only 00 and 11, the same every time");
}

static void test_bits(void)
{
	json_t *data = parse("{\"qubits\": 3, \"gates\": [{\"gate\": \"x\", \"qubits\": [0]}]}");
	struct sim_circuit c;
	struct sim_error err;
	unsigned long counts[8];
	double complex *s;
	json_t *result;
	char *text;

	CHECK(sim_circuit_parse(&c, data, &err) == 0, "%s", err.detail);
	s = sim_run(&c);
	sim_sample(counts, s, 3, 10, 1);
	result = sim_result(counts, 3, 10);
	text = json_dumps(result, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(text, "{\"counts\":{\"001\":10},\"shots\":10}");
	free(text);
	json_decref(result);
	free(s);
	sim_circuit_release(&c);
	json_decref(data);
	test_end("sim: bitstrings have qubit 0 rightmost");
}

static void test_bad_input(void)
{
	static const struct {
		const char *data, *params, *code, *detail;
	} cases[] = {
		{ "[]", NULL, "invalid_input", "data.json is not a JSON object" },
		{ "{\"gates\": []}", NULL, "invalid_input", "\"qubits\" is not a positive integer" },
		{ "{\"qubits\": 0, \"gates\": []}", NULL, "invalid_input",
		  "\"qubits\" is not a positive integer" },
		{ "{\"qubits\": 1.5, \"gates\": []}", NULL, "invalid_input",
		  "\"qubits\" is not a positive integer" },
		{ "{\"qubits\": 17, \"gates\": []}", NULL, "too_large",
		  "17 qubits: this simulator takes at most 16" },
		{ "{\"qubits\": 1}", NULL, "invalid_input", "\"gates\" is not an array" },
		{ "{\"qubits\": 1, \"gates\": [1]}", NULL, "invalid_input",
		  "gates[0] is not an object" },
		{ "{\"qubits\": 1, \"gates\": [{\"qubits\": [0]}]}", NULL, "invalid_input",
		  "gates[0] has no \"gate\" name" },
		{ "{\"qubits\": 1, \"gates\": [{\"gate\": \"toffoli\", \"qubits\": [0]}]}", NULL,
		  "invalid_input", "gates[0]: unknown gate 'toffoli'" },
		{ "{\"qubits\": 2, \"gates\": [{\"gate\": \"cx\", \"qubits\": [0]}]}", NULL,
		  "invalid_input", "gates[0]: 'cx' takes 2 qubits" },
		{ "{\"qubits\": 2, \"gates\": [{\"gate\": \"h\", \"qubits\": [2]}]}", NULL,
		  "invalid_input", "gates[0]: qubit 0 is not an integer from 0 to 1" },
		{ "{\"qubits\": 2, \"gates\": [{\"gate\": \"cz\", \"qubits\": [1, 1]}]}", NULL,
		  "invalid_input", "gates[0]: 'cz' needs two different qubits" },
		{ "{\"qubits\": 1, \"gates\": [{\"gate\": \"rx\", \"qubits\": [0]}]}", NULL,
		  "invalid_input", "gates[0]: 'rx' needs a finite \"theta\"" },
		{ "{\"qubits\": 1, \"gates\": [{\"gate\": \"h\", \"qubits\": [0], \"theta\": 1}]}",
		  NULL, "invalid_input", "gates[0]: 'h' takes no \"theta\"" },
		{ NULL, "[]", "invalid_input", "params.json is not a JSON object" },
		{ NULL, "{\"shots\": 0, \"seed\": 1}", "invalid_input",
		  "\"shots\" is not an integer from 1 to 1000000" },
		{ NULL, "{\"shots\": 10}", "invalid_input", "\"seed\" is not an integer from 0 to 2^53" },
		{ NULL, "{\"shots\": 10, \"seed\": -1}", "invalid_input",
		  "\"seed\" is not an integer from 0 to 2^53" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sim_error err = { "", "" };
		struct sim_circuit c;
		uint64_t seed;
		long shots;
		json_t *v = parse(cases[i].data ? cases[i].data : cases[i].params), *e;
		int rc = cases[i].data ? sim_circuit_parse(&c, v, &err) :
					 sim_params_parse(&shots, &seed, v, &err);

		CHECK(rc == -1, "accepted: %s", cases[i].data ? cases[i].data : cases[i].params);
		CHECK_STR(err.code, cases[i].code);
		CHECK_STR(err.detail, cases[i].detail);
		e = sim_error_json(&err);
		CHECK(e && json_is_string(json_object_get(e, "code")) &&
		      json_is_string(json_object_get(e, "detail")), "errorResponse shape");
		json_decref(e);
		json_decref(v);
	}
	test_end("sim: every bad input gives an errorResponse naming what is wrong");
}

int main(void)
{
	test_gates();
	test_bell();
	test_bits();
	test_bad_input();
	return TEST_MAIN_RESULT();
}
