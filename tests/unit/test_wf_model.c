/*
 * Unit tests of wirefilter's link model (wirefilter/model.c) with fixed seeds: loss rates within
 * binomial bounds, Gilbert burst length and stationary loss, delay moments for U and N spreads,
 * bandwidth pacing, speed, mtu, capacity, dup, fifo, noise, Markov occupancy, reproducibility,
 * and refusal of absurd values with the previous setting kept.
 */
#include <errno.h>
#include <math.h>

#include "model.h"
#include "tap.h"

#define MS 1000000ULL

static struct model_decision dec;

static int
set(struct model *m, enum model_param p, const char *s)
{
	struct value_arg a;
	const char *why = NULL;

	if (value_parse(s, &a, &why) < 0) {
		printf("#   parse %s: %s\n", s, why);
		return -1;
	}
	if (model_set(m, p, &a, &why) < 0) {
		printf("#   %s %s: %s\n", model_param_name(p), s, why);
		return -1;
	}
	return 0;
}

/* Feeds n frames of len bytes in direction dir at time t, draining the queue; counts drops. */
static unsigned long
lost_frames(struct model *m, int dir, unsigned long n, size_t len)
{
	unsigned long lost = 0, i, k;

	for (i = 0; i < n; i++) {
		model_input(m, dir, len, 1000 + i, &dec);
		lost += dec.ncopies == 0;
		for (k = 0; k < dec.ncopies; k++)
			model_output(m, dir, len, 1);
	}
	return lost;
}

static void
test_loss(void)
{
	struct model *m = model_new(1);
	unsigned long n = 200000, lost;
	double rate, bound = 4.5 * sqrt(0.1 * 0.9 / n);

	ok(set(m, MP_LOSS, "10") == 0, "loss 10");
	lost = lost_frames(m, MODEL_LR, n, 100);
	rate = (double)lost / n;
	ok(fabs(rate - 0.1) < bound, "Bernoulli loss %.4f within 0.1 +- %.4f", rate, bound);
	is_int(model_stats(m, MODEL_LR)->drop_loss, lost, "drop_loss counter");
	is_int(model_stats(m, MODEL_LR)->in, n, "in counter");
	is_int(lost_frames(m, MODEL_RL, 1000, 100) >= 50, 1, "both directions lose");

	ok(set(m, MP_LOSS, "RL0") == 0, "RL0");
	is_int(lost_frames(m, MODEL_RL, 10000, 100), 0, "RL no longer loses");
	ok(lost_frames(m, MODEL_LR, 10000, 100) > 800, "LR still loses");
	ok(set(m, MP_LOSS, "100") == 0 && lost_frames(m, MODEL_LR, 1000, 100) == 1000,
	   "loss 100 drops everything");
	model_free(m);
}

static void
test_gilbert(void)
{
	struct model *m = model_new(2);
	unsigned long n = 1000000, i, k, lost = 0, bursts = 0, run = 0;
	double mean, rate;

	set(m, MP_LOSS, "10");
	set(m, MP_LOSTBURST, "5");
	for (i = 0; i < n; i++) {
		model_input(m, MODEL_LR, 60, i, &dec);
		for (k = 0; k < dec.ncopies; k++)
			model_output(m, MODEL_LR, 60, 1);
		if (dec.ncopies == 0) {
			lost++;
			run++;
		} else if (run > 0) {
			bursts++;
			run = 0;
		}
	}
	rate = (double)lost / n;
	mean = (double)lost / bursts;
	ok(fabs(rate - 0.1) < 0.005, "Gilbert stationary loss %.4f ~ 0.10", rate);
	ok(fabs(mean - 5) < 0.15, "Gilbert mean burst length %.3f ~ 5", mean);
	model_free(m);
}

static void
moments(struct model *m, unsigned long n, double *mean, double *sd, double *lo, double *hi)
{
	double s = 0, s2 = 0, x;
	unsigned long i;

	*lo = 1e18;
	*hi = -1e18;
	for (i = 0; i < n; i++) {
		uint64_t now = i * 10 * MS;

		model_input(m, MODEL_LR, 100, now, &dec);
		x = (double)(dec.copy[0].due_ns - now) / MS;
		model_output(m, MODEL_LR, 100, 1);
		s += x;
		s2 += x * x;
		*lo = x < *lo ? x : *lo;
		*hi = x > *hi ? x : *hi;
	}
	*mean = s / n;
	*sd = sqrt(s2 / n - *mean * *mean);
}

static void
test_delay(void)
{
	struct model *m = model_new(3);
	double mean, sd, lo, hi;

	model_set_fifo(m, 0); /* frames 10 ms apart with 20 ms of jitter would be held back */
	set(m, MP_DELAY, "50+10U");
	moments(m, 100000, &mean, &sd, &lo, &hi);
	ok(fabs(mean - 50) < 0.1, "U delay mean %.3f ms ~ 50", mean);
	ok(fabs(sd - 10 / sqrt(3)) < 0.1, "U delay stddev %.3f ~ 5.774", sd);
	ok(lo >= 40 && hi <= 60, "U delay within [40, 60] (%.2f..%.2f)", lo, hi);
	set(m, MP_DELAY, "50+10N");
	moments(m, 100000, &mean, &sd, &lo, &hi);
	ok(fabs(mean - 50) < 0.1, "N delay mean %.3f ms ~ 50", mean);
	ok(fabs(sd - 10.0 / 3) < 0.1, "N delay stddev %.3f ~ 3.333", sd);
	set(m, MP_DELAY, "0.25");
	moments(m, 10, &mean, &sd, &lo, &hi);
	ok(lo == 0.25 && hi == 0.25, "sub-millisecond delay 0.25 ms exactly");
	model_free(m);
}

static void
test_fifo(void)
{
	struct model *m = model_new(4);
	uint64_t prev = 0;
	int i, ordered = 1, reordered = 0;

	set(m, MP_DELAY, "50+40");
	for (i = 0; i < 1000; i++) {
		model_input(m, MODEL_LR, 100, (uint64_t)i * MS, &dec);
		ordered &= dec.copy[0].due_ns >= prev;
		prev = dec.copy[0].due_ns;
	}
	ok(ordered, "fifo: due times never go backwards");
	model_set_fifo(m, 0);
	for (i = 1000; i < 2000; i++) {
		model_input(m, MODEL_LR, 100, (uint64_t)i * MS, &dec);
		reordered |= dec.copy[0].due_ns < prev;
		prev = dec.copy[0].due_ns;
	}
	ok(reordered, "nofifo: jitter reorders frames");
	model_free(m);
}

static void
test_bandwidth(void)
{
	struct model *m = model_new(5);
	int i, exact = 1, free_run = 1;

	/* 125000 B/s: a 1250-byte frame takes 10 ms; a burst at t=0 leaves paced */
	ok(set(m, MP_BANDWIDTH, "125000") == 0, "bandwidth 125000");
	for (i = 1; i <= 1000; i++) {
		model_input(m, MODEL_LR, 1250, 0, &dec);
		exact &= dec.copy[0].due_ns == (uint64_t)i * 10 * MS;
	}
	ok(exact, "burst of 1000 frames paced at exactly 10 ms each (last at 10 s)");
	is_int(model_stats(m, MODEL_LR)->qframes, 1000, "1000 frames queued");
	/* frames arriving slower than the rate only wait their own transmission time */
	for (i = 0; i < 100; i++) {
		uint64_t now = 20000 * MS + (uint64_t)i * 20 * MS;

		model_input(m, MODEL_RL, 1250, now, &dec);
		free_run &= dec.copy[0].due_ns == now + 10 * MS;
	}
	ok(free_run, "an unsaturated bottleneck adds only the transmission time");
	ok(set(m, MP_BANDWIDTH, "off") == 0, "bandwidth off");
	model_input(m, MODEL_RL, 1250, 50000 * MS, &dec);
	ok(dec.copy[0].due_ns == 50000 * MS, "no bandwidth: no delay");
	model_free(m);
}

static void
test_speed(void)
{
	struct model *m = model_new(6);

	set(m, MP_SPEED, "1000000");
	model_input(m, MODEL_LR, 10000, 0, &dec);
	ok(dec.hold_until_ns == 10 * MS && dec.copy[0].due_ns == 10 * MS,
	   "speed: 10 ms of transmission, input held meanwhile");
	model_input(m, MODEL_LR, 10000, 5 * MS, &dec);
	ok(dec.copy[0].due_ns == 20 * MS, "a frame read during the hold waits for the interface");
	model_input(m, MODEL_LR, 10000, 23 * MS, &dec);
	ok(dec.copy[0].due_ns == 30 * MS,
	   "read 3 ms after the interface freed up (a late wake-up): sent back to back");
	model_input(m, MODEL_LR, 10000, 45 * MS, &dec);
	ok(dec.copy[0].due_ns == 55 * MS, "read after an idle period: starts when it arrives");
	model_free(m);
}

static void
test_mtu_capacity(void)
{
	struct model *m = model_new(7);
	int i;

	set(m, MP_MTU, "1500");
	model_input(m, MODEL_LR, 1500, 0, &dec);
	ok(dec.ncopies == 1, "mtu 1500: a 1500-byte frame passes (no stream header counted)");
	model_input(m, MODEL_LR, 1501, 0, &dec);
	ok(dec.ncopies == 0 && dec.cause == MC_MTU, "a 1501-byte frame is dropped (mtu)");
	is_int(model_stats(m, MODEL_LR)->drop_mtu, 1, "drop_mtu counter");
	model_output(m, MODEL_LR, 1500, 1);

	set(m, MP_MTU, "0");
	set(m, MP_CAPACITY, "3000");
	set(m, MP_DELAY, "100");
	for (i = 0; i < 3; i++) {
		model_input(m, MODEL_LR, 1000, 0, &dec);
		ok(dec.ncopies == 1, "capacity 3000: frame %d of 1000 bytes queued", i + 1);
	}
	model_input(m, MODEL_LR, 1000, 0, &dec);
	ok(dec.ncopies == 0 && dec.cause == MC_CAPACITY, "the 4th is dropped (capacity)");
	model_input(m, MODEL_RL, 1000, 0, &dec);
	ok(dec.ncopies == 1, "the other direction has its own queue");
	model_output(m, MODEL_LR, 1000, 1);
	model_input(m, MODEL_LR, 1000, 0, &dec);
	ok(dec.ncopies == 1, "room again once a frame left");
	is_int(model_stats(m, MODEL_LR)->drop_capacity, 1, "drop_capacity counter");
	is_int(model_stats(m, MODEL_LR)->qbytes, 3000, "queued bytes");
	model_free(m);
}

static void
test_dup(void)
{
	struct model *m = model_new(8);
	unsigned long n = 200000, i, copies = 0, dupped = 0, k;
	double mean, frac;

	ok(set(m, MP_DUP, "20") == 0, "dup 20");
	for (i = 0; i < n; i++) {
		model_input(m, MODEL_LR, 100, i, &dec);
		copies += dec.ncopies;
		dupped += dec.ncopies > 1;
		for (k = 0; k < dec.ncopies; k++)
			model_output(m, MODEL_LR, 100, 1);
	}
	mean = (double)copies / n;
	frac = (double)dupped / n;
	ok(fabs(frac - 0.2) < 4.5 * sqrt(0.2 * 0.8 / n), "%.4f of frames duplicated ~ 0.2", frac);
	ok(fabs(mean - 1.25) < 0.01, "mean copies %.4f ~ 1/(1-0.2)", mean);
	is_int(model_stats(m, MODEL_LR)->dups, copies - n, "dups counter");
	set(m, MP_DUP, "99.9");
	model_input(m, MODEL_LR, 100, n, &dec);
	ok(dec.ncopies >= 1 && dec.ncopies <= MODEL_MAXCOPIES, "dup 99.9 is bounded (%u copies)",
	   dec.ncopies);
	model_free(m);
}

static void
test_noise(void)
{
	struct model *m = model_new(9);
	unsigned char buf[1000 + 16];
	unsigned long total = 0;
	size_t i, j, changed;
	int inside = 1;

	/* 1% of the bits: noise = 0.01 * 8 * 2^20 bits per MiB */
	ok(set(m, MP_NOISE, "83886.08") == 0, "noise 1%% of bits");
	for (i = 0; i < 1000; i++) {
		memset(buf, 0, sizeof(buf));
		model_input(m, MODEL_LR, 1000, i, &dec);
		changed = model_corrupt(m, MODEL_LR, &dec.copy[0], buf, 1000);
		total += changed;
		for (j = 1000; j < sizeof(buf); j++)
			inside &= buf[j] == 0;
		for (j = 0; j < 1000; j++)
			changed -= (size_t)__builtin_popcount(buf[j]);
		inside &= changed == 0;
		model_output(m, MODEL_LR, 1000, 1);
	}
	ok(inside, "bit flips stay inside the frame and match the count");
	ok(fabs(total / 1000.0 - 80) < 1.5, "mean %.2f flipped bits per 8000 ~ 80", total / 1000.0);
	model_input(m, MODEL_LR, 1000, 0, &dec);
	memset(buf, 0, sizeof(buf));
	changed = model_corrupt(m, MODEL_LR, &dec.copy[0], buf, 1000);
	memset(buf, 0, sizeof(buf));
	ok(model_corrupt(m, MODEL_LR, &dec.copy[0], buf, 1000) == changed,
	   "a copy's bit errors are reproducible from its seed");
	model_free(m);
}

static unsigned node_changes;

static void
on_node(void *arg, unsigned from, unsigned to)
{
	(void)arg;
	(void)from;
	(void)to;
	node_changes++;
}

static void
test_markov(void)
{
	struct model *m = model_new(10);
	const char *why;
	double occ[3] = { 0 }, pi[3];
	uint64_t t;
	unsigned long steps = 300000, i;

	model_set_node_cb(m, on_node, NULL);
	ok(set(m, MP_LOSS, "10[2]") == -1, "node 2 does not exist yet");
	ok(model_set_numnodes(m, 65536, &why) == -1 && model_markov(m)->n == 1,
	   "markov-numnodes 65536 refused");
	ok(model_set_numnodes(m, 3, &why) == 0, "3 nodes");
	ok(set(m, MP_LOSS, "100[2]") == 0 && set(m, MP_DELAY, "LR7[1]") == 0, "per-node values");
	ok(model_get(m, 2, MP_LOSS, MODEL_LR)->val == 100 &&
		   model_get(m, 0, MP_LOSS, MODEL_LR)->val == 0 &&
		   model_get(m, 1, MP_DELAY, MODEL_RL)->val == 0,
	   "node values stay on their node and direction");
	/* 0 -> 1 (50%), 1 -> 2 (50%), 2 -> 0 (25%): stationary (1/4, 1/4, 1/2) */
	model_set_edge(m, 0, 1, 50, &why);
	model_set_edge(m, 1, 2, 50, &why);
	model_set_edge(m, 2, 0, 25, &why);
	ok(model_set_markov_time(m, 0, &why) == -1, "markov-time 0 refused");
	ok(model_set_markov_time(m, 10, &why) == 0, "markov-time 10 ms");
	pi[0] = 0.25;
	pi[1] = 0.25;
	pi[2] = 0.5;
	model_advance(m, 0);
	for (i = 1; i <= steps; i++) {
		t = i * 10 * MS;
		model_advance(m, t);
		occ[model_markov(m)->cur] += 1.0 / steps;
	}
	ok(fabs(occ[0] - pi[0]) < 0.01 && fabs(occ[1] - pi[1]) < 0.01 && fabs(occ[2] - pi[2]) < 0.01,
	   "occupancy %.3f %.3f %.3f ~ stationary 0.25 0.25 0.5", occ[0], occ[1], occ[2]);
	ok(node_changes > steps / 4, "node changes reported (%u)", node_changes);
	model_set_current(m, 2, &why);
	model_input(m, MODEL_LR, 100, t, &dec);
	ok(dec.ncopies == 0, "in node 2 everything is lost");
	model_set_current(m, 1, &why);
	model_input(m, MODEL_LR, 100, t, &dec);
	ok(dec.ncopies == 1 && dec.copy[0].due_ns == t + 7 * MS, "node 1 delays LR by 7 ms");
	ok(model_set_numnodes(m, 1, &why) == 0 && model_markov(m)->cur == 0 &&
		   model_advance(m, t + 1000 * MS) == UINT64_MAX,
	   "back to one node: no more steps");
	model_free(m);
}

static void
test_absurd(void)
{
	struct model *m = model_new(11);
	struct value_arg a;
	const char *why;

	set(m, MP_DUP, "10");
	set(m, MP_BANDWIDTH, "1000");
	set(m, MP_SPEED, "2000");
	set(m, MP_LOSS, "5");
	ok(set(m, MP_DUP, "100") == -1 && model_get(m, 0, MP_DUP, MODEL_LR)->val == 10,
	   "dup 100 refused, 10 kept");
	ok(set(m, MP_BANDWIDTH, "0.5") == -1 && model_get(m, 0, MP_BANDWIDTH, MODEL_LR)->val == 1000,
	   "bandwidth 0.5 refused");
	ok(set(m, MP_BANDWIDTH, "0") == -1, "bandwidth 0 refused");
	ok(set(m, MP_SPEED, "0") == -1 && model_get(m, 0, MP_SPEED, MODEL_RL)->val == 2000,
	   "speed 0 refused");
	ok(set(m, MP_SPEED, "100+100") == -1, "speed whose spread reaches 0 refused");
	ok(set(m, MP_LOSS, "101") == -1 && model_get(m, 0, MP_LOSS, MODEL_LR)->val == 5,
	   "loss 101 refused");
	ok(set(m, MP_MTU, "70000") == -1, "mtu 70000 refused");
	ok(set(m, MP_DELAY, "1e12") == -1, "absurd delay refused");
	ok(set(m, MP_LOSTBURST, "0.5") == -1, "lostburst 0.5 refused");
	ok(set(m, MP_LOSS, "5[1]") == -1, "unknown node refused");
	ok(value_parse("-5", &a, &why) == -1, "negative refused by the parser");
	ok(set(m, MP_SPEED, "off") == 0 && model_get(m, 0, MP_SPEED, MODEL_LR)->val == 0,
	   "speed off");
	model_input(m, MODEL_LR, 1000, 0, &dec);
	ok(dec.hold_until_ns == 0, "no hold without speed");
	model_free(m);
}

static void
test_reproducible(void)
{
	struct model *a = model_new(99), *b = model_new(99), *c = model_new(100);
	struct model_decision da, db;
	int i, k, same = 1, differ = 0;

	for (i = 0; i < 3; i++) {
		struct model *m = i == 0 ? a : i == 1 ? b : c;

		set(m, MP_LOSS, "20");
		set(m, MP_DUP, "10");
		set(m, MP_DELAY, "10+5N");
		set(m, MP_NOISE, "1000");
		model_set_fifo(m, 0);
	}
	for (i = 0; i < 10000; i++) {
		model_input(a, i & 1, 500, (uint64_t)i * MS, &da);
		model_input(b, i & 1, 500, (uint64_t)i * MS, &db);
		same &= da.ncopies == db.ncopies;
		for (k = 0; same && k < (int)da.ncopies; k++)
			same &= da.copy[k].due_ns == db.copy[k].due_ns &&
				da.copy[k].noise_seed == db.copy[k].noise_seed;
		model_input(c, i & 1, 500, (uint64_t)i * MS, &db);
		differ |= da.ncopies != db.ncopies ||
			  (da.ncopies && da.copy[0].due_ns != db.copy[0].due_ns);
	}
	ok(same, "same seed, same input: same drops, delays, duplicates and bit errors");
	ok(differ, "another seed gives other decisions");
	model_free(a);
	model_free(b);
	model_free(c);
}

int
main(void)
{
	test_loss();
	test_gilbert();
	test_delay();
	test_fifo();
	test_bandwidth();
	test_speed();
	test_mtu_capacity();
	test_dup();
	test_noise();
	test_markov();
	test_absurd();
	test_reproducible();
	return done_testing();
}
