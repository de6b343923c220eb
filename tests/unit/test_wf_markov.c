/*
 * Unit tests of wirefilter's Markov chain (wirefilter/markov.c): implied self-loops, edge
 * validation, the reference's resize rules, transitions, and the occupancy of a long run
 * against the chain's stationary distribution.
 */
#include <errno.h>
#include <math.h>

#include "markov.h"
#include "rng.h"
#include "tap.h"

/* Stationary distribution by power iteration. */
static void
stationary(const struct markov *mc, double *pi)
{
	double next[MARKOV_MAXNODES];
	unsigned i, j, it;

	for (i = 0; i < mc->n; i++)
		pi[i] = 1.0 / mc->n;
	for (it = 0; it < 10000; it++) {
		for (j = 0; j < mc->n; j++)
			next[j] = 0;
		for (i = 0; i < mc->n; i++)
			for (j = 0; j < mc->n; j++)
				next[j] += pi[i] * markov_weight(mc, i, j) / 100.0;
		for (j = 0; j < mc->n; j++)
			pi[j] = next[j];
	}
}

int
main(void)
{
	struct markov mc;
	const char *why;
	double pi[4], occ[4] = { 0 };
	struct rng r;
	unsigned i, steps = 1000000;
	int ok_occ = 1;

	ok(markov_init(&mc) == 0 && mc.n == 1 && mc.cur == 0, "one node to start with");
	ok(markov_weight(&mc, 0, 0) == 100.0, "a lone node loops on itself");
	ok(markov_resize(&mc, 0, &why) == -1 && errno == EINVAL, "0 nodes refused");
	ok(markov_resize(&mc, 65536, &why) == -1 && errno == EINVAL && mc.n == 1,
	   "65536 nodes refused, size kept");
	ok(markov_resize(&mc, 3, &why) == 0 && mc.n == 3, "resize to 3");
	ok(markov_weight(&mc, 1, 1) == 100.0 && markov_weight(&mc, 1, 0) == 0.0,
	   "new nodes only loop on themselves");
	ok(markov_setedge(&mc, 0, 1, 30, &why) == 0, "edge 0->1 30");
	ok(markov_setedge(&mc, 0, 2, 20.5, &why) == 0, "edge 0->2 20.5");
	ok(fabs(markov_weight(&mc, 0, 0) - 49.5) < 1e-12, "self-loop is the rest: 49.5");
	ok(markov_setedge(&mc, 0, 2, 70.5, &why) == -1 && errno == EINVAL &&
		   markov_weight(&mc, 0, 2) == 20.5,
	   "a row above 100%% is refused, old weight kept");
	ok(markov_setedge(&mc, 0, 2, 70, &why) == 0 && markov_weight(&mc, 0, 0) == 0.0,
	   "exactly 100%% leaves no self-loop");
	ok(markov_setedge(&mc, 0, 2, 20.5, &why) == 0, "back to 20.5");
	ok(markov_setedge(&mc, 1, 1, 10, &why) == -1, "self-loop cannot be set");
	ok(markov_setedge(&mc, 1, 3, 10, &why) == -1, "unknown node refused");
	ok(markov_setedge(&mc, 1, 0, -1, &why) == -1, "negative weight refused");
	ok(markov_setedge(&mc, 1, 0, 101, &why) == -1, "weight above 100 refused");
	ok(markov_setedge(&mc, 1, 0, NAN, &why) == -1, "NaN weight refused");

	ok(markov_setname(&mc, 1, "bad", &why) == 0 && strcmp(markov_name(&mc, 1), "bad") == 0,
	   "names");
	ok(markov_setname(&mc, 5, "x", &why) == -1, "name of an unknown node refused");
	ok(markov_setname(&mc, 1, "a\"b", &why) == -1 && strcmp(markov_name(&mc, 1), "bad") == 0,
	   "quotes refused (they would break showedges)");

	/* transitions from node 0: [0, 30) -> 1, [30, 50.5) -> 2, rest -> 0 */
	mc.cur = 0;
	is_int(markov_step(&mc, 0.10), 1, "u=0.10 -> node 1");
	mc.cur = 0;
	is_int(markov_step(&mc, 0.35), 2, "u=0.35 -> node 2");
	mc.cur = 0;
	is_int(markov_step(&mc, 0.60), 0, "u=0.60 -> stays");

	/* shrinking folds the edge into 2 into the self-loop; the current node 2 goes to 0 */
	mc.cur = 2;
	ok(markov_resize(&mc, 2, &why) == 0 && mc.cur == 0, "removing the current node -> node 0");
	ok(fabs(markov_weight(&mc, 0, 0) - 70.0) < 1e-12 && markov_weight(&mc, 0, 1) == 30.0,
	   "edge into a removed node folded into the self-loop");
	ok(markov_resize(&mc, 3, &why) == 0 && markov_weight(&mc, 0, 2) == 0.0 &&
		   strcmp(markov_name(&mc, 1), "bad") == 0 && markov_name(&mc, 2)[0] == '\0',
	   "growing again: no edge into the new node, names kept");
	ok(markov_setcurrent(&mc, 3, &why) == -1 && markov_setcurrent(&mc, 2, &why) == 0 &&
		   mc.cur == 2,
	   "setcurrent checks the range");

	/* occupancy of a long run against the stationary distribution */
	markov_resize(&mc, 4, &why);
	markov_setedge(&mc, 0, 1, 10, &why);
	markov_setedge(&mc, 0, 3, 5, &why);
	markov_setedge(&mc, 1, 2, 40, &why);
	markov_setedge(&mc, 1, 0, 20, &why);
	markov_setedge(&mc, 2, 0, 25, &why);
	markov_setedge(&mc, 2, 3, 5, &why);
	markov_setedge(&mc, 3, 0, 50, &why);
	stationary(&mc, pi);
	rng_seed(&r, 1234, 0);
	mc.cur = 0;
	for (i = 0; i < steps; i++)
		occ[markov_step(&mc, rng_double(&r))] += 1.0 / steps;
	for (i = 0; i < 4; i++) {
		/* correlated samples: allow ~10 binomial sigmas */
		double tol = 10 * sqrt(pi[i] * (1 - pi[i]) / steps) * 3;

		if (fabs(occ[i] - pi[i]) > tol) {
			ok_occ = 0;
			printf("#   node %u: occupancy %.4f, stationary %.4f\n", i, occ[i], pi[i]);
		}
	}
	ok(ok_occ, "occupancy of 10^6 steps matches the stationary distribution (%.3f %.3f %.3f %.3f)",
	   pi[0], pi[1], pi[2], pi[3]);
	markov_fini(&mc);
	return done_testing();
}
