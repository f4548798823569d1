#ifndef SERVICE_SIM_H
#define SERVICE_SIM_H

/*
 * A state-vector simulator for circuits of up to 16 qubits: the sample
 * PlanQK service. Qubit i is bit i of a basis-state index; a measured
 * bitstring is written with qubit 0 rightmost, as Qiskit does.
 */
#include <complex.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define SIM_QUBITS_MAX 16
#define SIM_SHOTS_MAX 1000000
#define SIM_GATES_MAX 100000

enum sim_gate {
	SIM_H, SIM_X, SIM_Y, SIM_Z, SIM_S, SIM_T, SIM_RX, SIM_RY, SIM_RZ,	/* one qubit */
	SIM_CX, SIM_CZ, SIM_SWAP						/* two qubits */
};

struct sim_op {
	enum sim_gate gate;
	int q[2];		/* the qubits: for cx, control then target */
	double theta;		/* rx, ry, rz: the angle in radians */
};

struct sim_circuit {
	int qubits;
	struct sim_op *ops;
	size_t nops;
};

/* What was wrong with the input, as the errorResponse of openapi-spec.yml. */
struct sim_error {
	char code[32];		/* "invalid_input", "too_large" */
	char detail[256];
};

/* Read data.json: {"qubits": N, "gates": [{"gate": "h", "qubits": [0]}, ...]}.
 * Returns 0, or -1 with 'err' filled. Free with sim_circuit_release(). */
int sim_circuit_parse(struct sim_circuit *c, const json_t *data, struct sim_error *err);
void sim_circuit_release(struct sim_circuit *c);

/* Read params.json: {"shots": 1..1000000, "seed": 0..2^53}. */
int sim_params_parse(long *shots, uint64_t *seed, const json_t *params, struct sim_error *err);

/* Apply one gate to the state of 'qubits' qubits (2^qubits amplitudes). */
void sim_apply(double complex *state, int qubits, const struct sim_op *op);

/* The state after the circuit, from |0...0>, in new memory (NULL: no memory). */
double complex *sim_run(const struct sim_circuit *c);

/*
 * Measure 'shots' times with a PRNG seeded by 'seed' (xoshiro256**, seeded
 * by splitmix64): counts[i] for each basis state i (2^qubits of them). The
 * same state, shots and seed give the same counts on every machine.
 * Returns 0, or -1 when out of memory.
 */
int sim_sample(unsigned long *counts, const double complex *state, int qubits, long shots,
	       uint64_t seed);

/* {"counts": {"BITS": n, ...}, "shots": N}, keys sorted, zero counts left out. */
json_t *sim_result(const unsigned long *counts, int qubits, long shots);

/* {"code": ..., "detail": ...} */
json_t *sim_error_json(const struct sim_error *err);

#endif
