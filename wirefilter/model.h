/*
 * The link model: a pure function of (frame length, time, seeded random streams, parameters)
 * deciding what happens to each frame: dropped (mtu, loss, capacity), or delivered as one or
 * more copies, each with a due time and a seed for its bit errors. No I/O, no clock, no logs.
 * Parameters live per Markov node and per direction (LR = left to right, RL = right to left).
 * Times are nanoseconds of the caller's monotonic clock; sizes exclude any stream header.
 */
#ifndef WF_MODEL_H
#define WF_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "markov.h"
#include "value.h"

enum model_dir { MODEL_LR = 0, MODEL_RL = 1 };

enum model_param {
	MP_LOSS,      /* percent */
	MP_LOSTBURST, /* mean burst length in frames (Gilbert model), 0 = independent losses */
	MP_DELAY,     /* milliseconds */
	MP_DUP,       /* percent: each copy is followed by another with this probability */
	MP_BANDWIDTH, /* bytes/s of a bottleneck queue, 0 = off */
	MP_SPEED,     /* bytes/s of the sending interface, 0 = off */
	MP_NOISE,     /* damaged bits per MiB */
	MP_MTU,       /* bytes, 0 = off */
	MP_CAPACITY,  /* bytes queued per direction, 0 = off */
	MP_COUNT
};

enum model_cause { MC_NONE, MC_MTU, MC_LOSS, MC_CAPACITY };

/* Most copies one frame can produce (dup close to 100% would otherwise never end). */
#define MODEL_MAXCOPIES 64
#define MODEL_MARKOV_MS 100.0

struct model_copy {
	uint64_t due_ns;
	uint64_t noise_seed;
	double noise_q; /* probability that a bit is flipped; 0 = none */
};

struct model_decision {
	enum model_cause cause; /* why the frame, or its last copies, were dropped */
	unsigned ncopies;       /* copies to deliver, 0 = dropped */
	uint64_t hold_until_ns; /* speed: read no more input in this direction before this */
	struct model_copy copy[MODEL_MAXCOPIES];
};

struct model_stats {
	uint64_t in, in_bytes, out, out_bytes;
	uint64_t drop_mtu, drop_loss, drop_capacity, drop_discard;
	uint64_t dups, delayed, corrupted, bitflips;
	uint64_t qframes, qbytes; /* copies accepted and not yet output */
};

struct model;

/* Called on every change of the current Markov node. */
typedef void model_node_cb(void *arg, unsigned from, unsigned to);

struct model *model_new(uint64_t seed);
void model_free(struct model *m);
uint64_t model_seed(const struct model *m);
void model_set_node_cb(struct model *m, model_node_cb *cb, void *arg);

/* Name of a parameter as the console calls it ("loss", "bandwidth"...). */
const char *model_param_name(enum model_param p);
/*
 * Sets p from a parsed argument (its directions, its node or node 0). Absurd values are refused
 * with errno EINVAL and a reason, and the previous setting stays.
 */
int model_set(struct model *m, enum model_param p, const struct value_arg *a,
	      const char **errstr);
const struct value *model_get(const struct model *m, unsigned node, enum model_param p, int dir);

void model_set_fifo(struct model *m, int on);
int model_fifo(const struct model *m);

/* The chain, for reading (names, weights, current node). Change it only through the setters. */
const struct markov *model_markov(const struct model *m);
int model_set_numnodes(struct model *m, unsigned n, const char **errstr);
int model_set_edge(struct model *m, unsigned i, unsigned j, double w, const char **errstr);
int model_set_name(struct model *m, unsigned i, const char *name, const char **errstr);
int model_set_current(struct model *m, unsigned i, const char **errstr);
/* Step period in milliseconds (> 0); the schedule restarts at the next model_advance. */
int model_set_markov_time(struct model *m, double ms, const char **errstr);
double model_markov_time(const struct model *m);

/* Runs the Markov steps due at now; returns when the next one is due (UINT64_MAX: none). */
uint64_t model_advance(struct model *m, uint64_t now_ns);

/* Decides the fate of a frame of len bytes entering in direction dir at now_ns. */
void model_input(struct model *m, int dir, size_t len, uint64_t now_ns, struct model_decision *d);
/* A copy accepted by model_input left the queue: delivered, or discarded (its side is gone). */
void model_output(struct model *m, int dir, size_t len, int delivered);
/* Applies a copy's bit errors to frame; returns the number of bits flipped. */
size_t model_corrupt(struct model *m, int dir, const struct model_copy *c, unsigned char *frame,
		     size_t len);

const struct model_stats *model_stats(const struct model *m, int dir);
void model_stats_reset(struct model *m);

#endif
