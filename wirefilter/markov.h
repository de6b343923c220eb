/*
 * The Markov chain of wirefilter's link states: n nodes with names, weighted edges in percent,
 * and a current node. The self-loop weight is implied: 100 minus the weights leaving the node,
 * so every row is a probability distribution by construction. Pure: the caller supplies the
 * uniform draw of each step.
 */
#ifndef WF_MARKOV_H
#define WF_MARKOV_H

#define MARKOV_MAXNODES 256
#define MARKOV_NAMELEN 64

struct markov {
	unsigned n, cur;
	double *w; /* n * n weights in percent, w[i * n + j] for i != j; diagonal unused (0) */
	char (*names)[MARKOV_NAMELEN];
};

/* One node (n = 1), current node 0. Returns 0 or -1 with errno. */
int markov_init(struct markov *mc);
void markov_fini(struct markov *mc);

/*
 * Resizes to n nodes (1..MARKOV_MAXNODES): new nodes have no edges (100% self-loop); weights of
 * edges into removed nodes fold into the self-loop of their source; if the current node is
 * removed, node 0 becomes current. Errors: -1 with errno EINVAL/ENOMEM and *errstr set.
 */
int markov_resize(struct markov *mc, unsigned n, const char **errstr);

/* Sets the edge from i to j (i != j) to w percent; the edges leaving i must total <= 100. */
int markov_setedge(struct markov *mc, unsigned i, unsigned j, double w, const char **errstr);
/* Weight of the edge i -> j, self-loops included. */
double markov_weight(const struct markov *mc, unsigned i, unsigned j);

int markov_setname(struct markov *mc, unsigned i, const char *name, const char **errstr);
const char *markov_name(const struct markov *mc, unsigned i);
int markov_setcurrent(struct markov *mc, unsigned i, const char **errstr);

/* One transition from the current node with u uniform in [0, 1); returns the new node. */
unsigned markov_step(struct markov *mc, double u);

#endif
