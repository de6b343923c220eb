/*
 * Markov chain of link states: weights, names, resizing and one-step transitions.
 * Weights are kept only for edges between distinct nodes; a row's self-loop is what is left of
 * 100%, which makes the reference's resize rule (edges into removed nodes fold into the
 * self-loop) fall out of simply dropping those columns.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "markov.h"

/* Rounding slack when checking that a row does not exceed 100%. */
#define MARKOV_EPS 1e-9

static int
markov_fail(const char **errstr, int err, const char *why)
{
	*errstr = why;
	errno = err;
	return -1;
}

int
markov_init(struct markov *mc)
{
	mc->n = 1;
	mc->cur = 0;
	mc->w = calloc(1, sizeof(*mc->w));
	mc->names = calloc(1, sizeof(*mc->names));
	if (mc->w == NULL || mc->names == NULL) {
		markov_fini(mc);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void
markov_fini(struct markov *mc)
{
	free(mc->w);
	free(mc->names);
	mc->w = NULL;
	mc->names = NULL;
	mc->n = 0;
}

int
markov_resize(struct markov *mc, unsigned n, const char **errstr)
{
	double *w;
	char (*names)[MARKOV_NAMELEN];
	unsigned i, j, keep;

	if (n < 1 || n > MARKOV_MAXNODES)
		return markov_fail(errstr, EINVAL, "number of nodes out of range (1..256)");
	w = calloc((size_t)n * n, sizeof(*w));
	names = calloc(n, sizeof(*names));
	if (w == NULL || names == NULL) {
		free(w);
		free(names);
		return markov_fail(errstr, ENOMEM, "out of memory");
	}
	keep = n < mc->n ? n : mc->n;
	for (i = 0; i < keep; i++) {
		for (j = 0; j < keep; j++)
			w[i * n + j] = mc->w[i * mc->n + j];
		memcpy(names[i], mc->names[i], sizeof(names[i]));
	}
	free(mc->w);
	free(mc->names);
	mc->w = w;
	mc->names = names;
	mc->n = n;
	if (mc->cur >= n)
		mc->cur = 0;
	return 0;
}

int
markov_setedge(struct markov *mc, unsigned i, unsigned j, double w, const char **errstr)
{
	double sum = 0.0;
	unsigned k;

	if (i >= mc->n || j >= mc->n)
		return markov_fail(errstr, EINVAL, "no such node");
	if (i == j)
		return markov_fail(errstr, EINVAL,
				   "the self-loop weight is implied (100 minus the other edges)");
	if (!(w >= 0.0 && w <= 100.0))
		return markov_fail(errstr, EINVAL, "weight out of range (0..100)");
	for (k = 0; k < mc->n; k++)
		if (k != i && k != j)
			sum += mc->w[i * mc->n + k];
	if (sum + w > 100.0 + MARKOV_EPS)
		return markov_fail(errstr, EINVAL, "edges leaving the node would exceed 100%");
	mc->w[i * mc->n + j] = w;
	return 0;
}

double
markov_weight(const struct markov *mc, unsigned i, unsigned j)
{
	double sum = 0.0;
	unsigned k;

	if (i >= mc->n || j >= mc->n)
		return 0.0;
	if (i != j)
		return mc->w[i * mc->n + j];
	for (k = 0; k < mc->n; k++)
		if (k != i)
			sum += mc->w[i * mc->n + k];
	return sum >= 100.0 ? 0.0 : 100.0 - sum;
}

int
markov_setname(struct markov *mc, unsigned i, const char *name, const char **errstr)
{
	if (i >= mc->n)
		return markov_fail(errstr, EINVAL, "no such node");
	if (strlen(name) >= MARKOV_NAMELEN)
		return markov_fail(errstr, EINVAL, "name too long (63 bytes at most)");
	if (strpbrk(name, "\"\n\r"))
		return markov_fail(errstr, EINVAL, "name contains a quote or a newline");
	snprintf(mc->names[i], sizeof(mc->names[i]), "%s", name);
	return 0;
}

const char *
markov_name(const struct markov *mc, unsigned i)
{
	return i < mc->n ? mc->names[i] : "";
}

int
markov_setcurrent(struct markov *mc, unsigned i, const char **errstr)
{
	if (i >= mc->n)
		return markov_fail(errstr, EINVAL, "no such node");
	mc->cur = i;
	return 0;
}

unsigned
markov_step(struct markov *mc, double u)
{
	double x = u * 100.0, acc = 0.0;
	unsigned i = mc->cur, j;

	for (j = 0; j < mc->n; j++) {
		if (j == i)
			continue;
		acc += mc->w[i * mc->n + j];
		if (x < acc) {
			mc->cur = j;
			return j;
		}
	}
	return i; /* the self-loop takes what is left */
}
