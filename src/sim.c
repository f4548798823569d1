#include "sim.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(struct sim_error *err, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct sim_error *err, const char *code, const char *fmt, ...)
{
	va_list ap;

	snprintf(err->code, sizeof(err->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
	return -1;
}

static const struct {
	const char *name;
	enum sim_gate gate;
	int qubits;
	int angle;
} gates[] = {
	{ "h", SIM_H, 1, 0 }, { "x", SIM_X, 1, 0 }, { "y", SIM_Y, 1, 0 }, { "z", SIM_Z, 1, 0 },
	{ "s", SIM_S, 1, 0 }, { "t", SIM_T, 1, 0 }, { "rx", SIM_RX, 1, 1 }, { "ry", SIM_RY, 1, 1 },
	{ "rz", SIM_RZ, 1, 1 }, { "cx", SIM_CX, 2, 0 }, { "cz", SIM_CZ, 2, 0 },
	{ "swap", SIM_SWAP, 2, 0 },
};

/* An integer in [lo, hi] held exactly by a JSON number. */
static int json_int_in(const json_t *v, long long lo, long long hi, long long *out)
{
	double d = json_is_real(v) ? json_real_value(v) : 0.5;

	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (d == floor(d) && fabs(d) < 9e15)
		*out = (long long)d;
	else
		return 0;
	return *out >= lo && *out <= hi;
}

static int parse_op(struct sim_op *op, const json_t *g, size_t i, int qubits,
		    struct sim_error *err)
{
	const char *name = json_string_value(json_object_get(g, "gate"));
	const json_t *qs = json_object_get(g, "qubits"), *theta = json_object_get(g, "theta");
	size_t k;

	if (!json_is_object(g))
		return fail(err, "invalid_input", "gates[%zu] is not an object", i);
	if (!name)
		return fail(err, "invalid_input", "gates[%zu] has no \"gate\" name", i);
	for (k = 0; k < sizeof(gates) / sizeof(gates[0]); k++)
		if (!strcmp(gates[k].name, name))
			break;
	if (k == sizeof(gates) / sizeof(gates[0]))
		return fail(err, "invalid_input", "gates[%zu]: unknown gate '%.40s'", i, name);
	op->gate = gates[k].gate;
	if (!json_is_array(qs) || json_array_size(qs) != (size_t)gates[k].qubits)
		return fail(err, "invalid_input", "gates[%zu]: '%s' takes %d qubit%s", i, name,
			    gates[k].qubits, gates[k].qubits > 1 ? "s" : "");
	for (int j = 0; j < gates[k].qubits; j++) {
		long long q;

		if (!json_int_in(json_array_get(qs, (size_t)j), 0, qubits - 1, &q))
			return fail(err, "invalid_input",
				    "gates[%zu]: qubit %d is not an integer from 0 to %d", i, j,
				    qubits - 1);
		op->q[j] = (int)q;
	}
	if (gates[k].qubits == 2 && op->q[0] == op->q[1])
		return fail(err, "invalid_input", "gates[%zu]: '%s' needs two different qubits", i,
			    name);
	if (gates[k].angle) {
		if (!json_is_number(theta) || !isfinite(json_number_value(theta)))
			return fail(err, "invalid_input", "gates[%zu]: '%s' needs a finite \"theta\"",
				    i, name);
		op->theta = json_number_value(theta);
	} else if (theta) {
		return fail(err, "invalid_input", "gates[%zu]: '%s' takes no \"theta\"", i, name);
	}
	return 0;
}

int sim_circuit_parse(struct sim_circuit *c, const json_t *data, struct sim_error *err)
{
	const json_t *gs = json_object_get(data, "gates");
	long long qubits;

	memset(c, 0, sizeof(*c));
	if (!json_is_object(data))
		return fail(err, "invalid_input", "data.json is not a JSON object");
	if (!json_int_in(json_object_get(data, "qubits"), 1, 1000000, &qubits))
		return fail(err, "invalid_input", "\"qubits\" is not a positive integer");
	if (qubits > SIM_QUBITS_MAX)
		return fail(err, "too_large", "%lld qubits: this simulator takes at most %d", qubits,
			    SIM_QUBITS_MAX);
	if (!json_is_array(gs))
		return fail(err, "invalid_input", "\"gates\" is not an array");
	if (json_array_size(gs) > SIM_GATES_MAX)
		return fail(err, "too_large", "%zu gates: this simulator takes at most %d",
			    json_array_size(gs), SIM_GATES_MAX);
	c->qubits = (int)qubits;
	if (json_array_size(gs) && !(c->ops = calloc(json_array_size(gs), sizeof(*c->ops))))
		return fail(err, "out_of_memory", "no memory for %zu gates", json_array_size(gs));
	for (c->nops = 0; c->nops < json_array_size(gs); c->nops++)
		if (parse_op(&c->ops[c->nops], json_array_get(gs, c->nops), c->nops, c->qubits,
			     err) < 0) {
			sim_circuit_release(c);
			return -1;
		}
	return 0;
}

void sim_circuit_release(struct sim_circuit *c)
{
	free(c->ops);
	memset(c, 0, sizeof(*c));
}

int sim_params_parse(long *shots, uint64_t *seed, const json_t *params, struct sim_error *err)
{
	long long v;

	if (!json_is_object(params))
		return fail(err, "invalid_input", "params.json is not a JSON object");
	if (!json_int_in(json_object_get(params, "shots"), 1, SIM_SHOTS_MAX, &v))
		return fail(err, "invalid_input", "\"shots\" is not an integer from 1 to %d",
			    SIM_SHOTS_MAX);
	*shots = (long)v;
	if (!json_int_in(json_object_get(params, "seed"), 0, 1LL << 53, &v))
		return fail(err, "invalid_input", "\"seed\" is not an integer from 0 to 2^53");
	*seed = (uint64_t)v;
	return 0;
}

/* Apply the 2x2 matrix [a b; c d] to qubit q. */
static void one_qubit(double complex *s, int n, int q, double complex a, double complex b,
		      double complex c, double complex d)
{
	size_t bit = (size_t)1 << q, size = (size_t)1 << n;

	for (size_t i = 0; i < size; i++) {
		if (i & bit)
			continue;
		double complex x = s[i], y = s[i | bit];

		s[i] = a * x + b * y;
		s[i | bit] = c * x + d * y;
	}
}

void sim_apply(double complex *s, int n, const struct sim_op *op)
{
	const double r = 1 / sqrt(2), h = op->theta / 2;
	size_t size = (size_t)1 << n, b0 = (size_t)1 << op->q[0], b1 = (size_t)1 << op->q[1];

	switch (op->gate) {
	case SIM_H: one_qubit(s, n, op->q[0], r, r, r, -r); break;
	case SIM_X: one_qubit(s, n, op->q[0], 0, 1, 1, 0); break;
	case SIM_Y: one_qubit(s, n, op->q[0], 0, -I, I, 0); break;
	case SIM_Z: one_qubit(s, n, op->q[0], 1, 0, 0, -1); break;
	case SIM_S: one_qubit(s, n, op->q[0], 1, 0, 0, I); break;
	case SIM_T: one_qubit(s, n, op->q[0], 1, 0, 0, cexp(I * M_PI / 4)); break;
	case SIM_RX: one_qubit(s, n, op->q[0], cos(h), -I * sin(h), -I * sin(h), cos(h)); break;
	case SIM_RY: one_qubit(s, n, op->q[0], cos(h), -sin(h), sin(h), cos(h)); break;
	case SIM_RZ: one_qubit(s, n, op->q[0], cexp(-I * h), 0, 0, cexp(I * h)); break;
	case SIM_CX:	/* control q[0], target q[1] */
		for (size_t i = 0; i < size; i++)
			if ((i & b0) && !(i & b1)) {
				double complex t = s[i];

				s[i] = s[i | b1];
				s[i | b1] = t;
			}
		break;
	case SIM_CZ:
		for (size_t i = 0; i < size; i++)
			if ((i & b0) && (i & b1))
				s[i] = -s[i];
		break;
	case SIM_SWAP:
		for (size_t i = 0; i < size; i++)
			if ((i & b0) && !(i & b1)) {
				size_t j = (i & ~b0) | b1;
				double complex t = s[i];

				s[i] = s[j];
				s[j] = t;
			}
		break;
	}
}

double complex *sim_run(const struct sim_circuit *c)
{
	double complex *s = calloc((size_t)1 << c->qubits, sizeof(*s));

	if (!s)
		return NULL;
	s[0] = 1;
	for (size_t i = 0; i < c->nops; i++)
		sim_apply(s, c->qubits, &c->ops[i]);
	return s;
}

/* xoshiro256**, seeded through splitmix64 (Blackman and Vigna). */
struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(struct rng *r)
{
	uint64_t *s = r->s, result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

int sim_sample(unsigned long *counts, const double complex *state, int qubits, long shots,
	       uint64_t seed)
{
	size_t size = (size_t)1 << qubits;
	double *cum = malloc(size * sizeof(*cum)), total = 0;
	struct rng r;

	if (!cum)
		return -1;
	for (int i = 0; i < 4; i++)
		r.s[i] = splitmix64(&seed);
	for (size_t i = 0; i < size; i++) {
		double re = creal(state[i]), im = cimag(state[i]);

		total += re * re + im * im;
		cum[i] = total;
		counts[i] = 0;
	}
	for (long k = 0; k < shots; k++) {
		/* a uniform double in [0, total) from the top 53 bits */
		double u = (double)(next(&r) >> 11) * 0x1.0p-53 * total;
		size_t lo = 0, hi = size - 1;

		while (lo < hi) {	/* the first state whose cumulative sum passes u */
			size_t mid = (lo + hi) / 2;

			if (cum[mid] > u)
				hi = mid;
			else
				lo = mid + 1;
		}
		counts[lo]++;
	}
	free(cum);
	return 0;
}

json_t *sim_result(const unsigned long *counts, int qubits, long shots)
{
	json_t *result = json_object(), *c = json_object();
	char bits[SIM_QUBITS_MAX + 1];

	if (!result || !c || json_object_set_new(result, "counts", c) < 0 ||
	    json_object_set_new(result, "shots", json_integer(shots)) < 0) {
		json_decref(result);
		return NULL;
	}
	for (size_t i = 0; i < (size_t)1 << qubits; i++) {
		if (!counts[i])
			continue;
		for (int q = 0; q < qubits; q++)	/* qubit 0 rightmost */
			bits[qubits - 1 - q] = (char)('0' + ((i >> q) & 1));
		bits[qubits] = '\0';
		if (json_object_set_new(c, bits, json_integer((json_int_t)counts[i])) < 0) {
			json_decref(result);
			return NULL;
		}
	}
	return result;
}

json_t *sim_error_json(const struct sim_error *err)
{
	return json_pack("{s:s, s:s}", "code", err->code, "detail", err->detail);
}
