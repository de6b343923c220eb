/*
 * The link model. Per frame, in the reference's order: mtu, loss (Bernoulli or Gilbert), dup;
 * then per copy: capacity, speed (the sender's interface), bandwidth (a bottleneck's virtual
 * clock), delay, fifo. Each direction draws from its own random stream in a fixed order, so a
 * direction's decisions depend only on the seed and the frames it has seen; the chain steps
 * draw from a third stream. Sizes are frame sizes: no stream header is counted.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "rng.h"

#define PF_ZERO_OFF 0x1u /* 0 disables the parameter */
#define PF_NO_ZERO  0x2u /* 0 is refused ("off" disables it) */
#define PF_FLOOR    0x4u /* when on, value - spread must stay >= floor */
#define PF_TRUNC    0x8u /* normal draws are truncated to value +- spread */
#define PF_BELOW    0x10u /* value must stay strictly below max */

#define BITS_PER_MIB (8.0 * 1024 * 1024)
#define MAX_STEPS_PER_ADVANCE 1000000u

enum { STREAM_LR = 1, STREAM_RL = 2, STREAM_MARKOV = 3 };

struct param_info {
	const char *name;
	double floor, max;
	unsigned flags;
	const char *toolarge;
};

static const struct param_info params[MP_COUNT] = {
	[MP_LOSS] = { "loss", 0, 100, 0, "too large (at most 100%)" },
	[MP_LOSTBURST] = { "lostburst", 1, 1e9, PF_ZERO_OFF | PF_FLOOR | PF_TRUNC,
			   "too large (at most 1e9 frames)" },
	[MP_DELAY] = { "delay", 0, 86400000, 0, "too large (at most one day: 86400000 ms)" },
	[MP_DUP] = { "dup", 0, 100, PF_BELOW, "too large (below 100%)" },
	[MP_BANDWIDTH] = { "bandwidth", 1, 1e12, PF_NO_ZERO | PF_FLOOR | PF_TRUNC,
			   "too large (at most 1e12 bytes/s)" },
	[MP_SPEED] = { "speed", 1, 1e12, PF_NO_ZERO | PF_FLOOR | PF_TRUNC,
		       "too large (at most 1e12 bytes/s)" },
	[MP_NOISE] = { "noise", 0, BITS_PER_MIB, 0,
		       "too large (at most 8388608 bits per MiB: every bit)" },
	[MP_MTU] = { "mtu", 1, 65535, PF_ZERO_OFF | PF_FLOOR | PF_TRUNC,
		     "too large (frames are at most 65535 bytes)" },
	[MP_CAPACITY] = { "capacity", 1, 1e12, PF_ZERO_OFF | PF_FLOOR | PF_TRUNC,
			  "too large (at most 1e12 bytes)" },
};

struct model_node {
	struct value p[MP_COUNT][2];
};

struct model_dirstate {
	struct rng rng;
	int bad;                /* Gilbert model: in the lossy state */
	uint64_t band_next_ns;  /* bandwidth: when the bottleneck is free again */
	uint64_t speed_next_ns; /* speed: when the interface is free again */
	uint64_t last_due_ns;   /* latest due time handed out (fifo) */
	struct model_stats st;
};

struct model {
	uint64_t seed;
	struct markov mc;
	struct model_node *nodes;
	int fifo;
	double markov_ms;
	uint64_t next_step_ns; /* 0: schedule not started */
	struct rng mrng;
	struct model_dirstate d[2];
	model_node_cb *cb;
	void *cbarg;
};

static int
model_fail(const char **errstr, const char *why)
{
	*errstr = why;
	errno = EINVAL;
	return -1;
}

struct model *
model_new(uint64_t seed)
{
	struct model *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (markov_init(&m->mc) < 0 || (m->nodes = calloc(1, sizeof(*m->nodes))) == NULL) {
		model_free(m);
		errno = ENOMEM;
		return NULL;
	}
	m->seed = seed;
	m->fifo = 1;
	m->markov_ms = MODEL_MARKOV_MS;
	rng_seed(&m->d[MODEL_LR].rng, seed, STREAM_LR);
	rng_seed(&m->d[MODEL_RL].rng, seed, STREAM_RL);
	rng_seed(&m->mrng, seed, STREAM_MARKOV);
	return m;
}

void
model_free(struct model *m)
{
	if (m == NULL)
		return;
	markov_fini(&m->mc);
	free(m->nodes);
	free(m);
}

uint64_t
model_seed(const struct model *m)
{
	return m->seed;
}

void
model_set_node_cb(struct model *m, model_node_cb *cb, void *arg)
{
	m->cb = cb;
	m->cbarg = arg;
}

const char *
model_param_name(enum model_param p)
{
	return p < MP_COUNT ? params[p].name : "?";
}

/* The checks every new value of p must pass; NULL if it is acceptable. */
static const char *
model_check(enum model_param p, const struct value *v)
{
	const struct param_info *pi = &params[p];

	if (v->val == 0.0 && (pi->flags & PF_NO_ZERO))
		return "0 would never deliver anything: use \"off\" to remove the limit";
	if (v->val > pi->max)
		return pi->toolarge;
	if ((pi->flags & PF_BELOW) && v->val >= pi->max)
		return "must be below 100 (100% would repeat every frame forever)";
	if (v->val == 0.0 && (pi->flags & PF_ZERO_OFF))
		return v->spread > 0.0 ? "a spread needs a value (0 means off)" : NULL;
	if (v->val < pi->floor)
		return (pi->flags & PF_NO_ZERO) ? "must be at least 1 byte/s (\"off\" removes the limit)"
					       : "must be at least 1 (0 or \"off\" disables it)";
	if ((pi->flags & PF_FLOOR) && v->val - v->spread < pi->floor)
		return "spread larger than the value allows (value - spread must stay >= 1)";
	if (v->spread > pi->max)
		return "spread too large";
	if (v->val + v->spread > pi->max && (pi->flags & PF_FLOOR))
		return "value + spread too large";
	return NULL;
}

int
model_set(struct model *m, enum model_param p, const struct value_arg *a, const char **errstr)
{
	struct value v = a->off ? (struct value){ 0.0, 0.0, VALUE_UNIFORM } : a->v;
	unsigned node = a->node < 0 ? 0 : (unsigned)a->node;
	const char *why;

	if (p >= MP_COUNT)
		return model_fail(errstr, "no such parameter");
	if (a->node >= (long)m->mc.n)
		return model_fail(errstr, "no such Markov node");
	if (!a->off && (why = model_check(p, &v)) != NULL)
		return model_fail(errstr, why);
	if (a->dirs & VALUE_LR)
		m->nodes[node].p[p][MODEL_LR] = v;
	if (a->dirs & VALUE_RL)
		m->nodes[node].p[p][MODEL_RL] = v;
	return 0;
}

const struct value *
model_get(const struct model *m, unsigned node, enum model_param p, int dir)
{
	if (node >= m->mc.n)
		node = m->mc.cur;
	return &m->nodes[node].p[p][dir & 1];
}

void
model_set_fifo(struct model *m, int on)
{
	m->fifo = !!on;
}

int
model_fifo(const struct model *m)
{
	return m->fifo;
}

const struct markov *
model_markov(const struct model *m)
{
	return &m->mc;
}

int
model_set_numnodes(struct model *m, unsigned n, const char **errstr)
{
	struct model_node *nodes;
	unsigned old = m->mc.n, cur = m->mc.cur;

	if (n < 1 || n > MARKOV_MAXNODES)
		return model_fail(errstr, "number of nodes out of range (1..256)");
	if ((nodes = calloc(n, sizeof(*nodes))) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	if (markov_resize(&m->mc, n, errstr) < 0) {
		free(nodes);
		return -1;
	}
	memcpy(nodes, m->nodes, (n < old ? n : old) * sizeof(*nodes));
	free(m->nodes);
	m->nodes = nodes;
	if (m->mc.cur != cur && m->cb)
		m->cb(m->cbarg, cur, m->mc.cur);
	return 0;
}

int
model_set_edge(struct model *m, unsigned i, unsigned j, double w, const char **errstr)
{
	return markov_setedge(&m->mc, i, j, w, errstr);
}

int
model_set_name(struct model *m, unsigned i, const char *name, const char **errstr)
{
	return markov_setname(&m->mc, i, name, errstr);
}

int
model_set_current(struct model *m, unsigned i, const char **errstr)
{
	unsigned cur = m->mc.cur;

	if (markov_setcurrent(&m->mc, i, errstr) < 0)
		return -1;
	if (cur != i && m->cb)
		m->cb(m->cbarg, cur, i);
	return 0;
}

int
model_set_markov_time(struct model *m, double ms, const char **errstr)
{
	if (!(ms >= 0.1 && ms <= 86400000.0))
		return model_fail(errstr, "period out of range (0.1 ms .. 1 day)");
	m->markov_ms = ms;
	m->next_step_ns = 0;
	return 0;
}

double
model_markov_time(const struct model *m)
{
	return m->markov_ms;
}

uint64_t
model_advance(struct model *m, uint64_t now_ns)
{
	uint64_t period = (uint64_t)(m->markov_ms * 1e6);
	unsigned steps = 0, from, to;

	if (m->mc.n <= 1) {
		m->next_step_ns = 0;
		return UINT64_MAX;
	}
	if (m->next_step_ns == 0) {
		m->next_step_ns = now_ns + period;
		return m->next_step_ns;
	}
	while (now_ns >= m->next_step_ns) {
		if (++steps > MAX_STEPS_PER_ADVANCE) {
			m->next_step_ns = now_ns + period; /* idle for ages: skip ahead */
			break;
		}
		from = m->mc.cur;
		to = markov_step(&m->mc, rng_double(&m->mrng));
		if (to != from && m->cb)
			m->cb(m->cbarg, from, to);
		m->next_step_ns += period;
	}
	return m->next_step_ns;
}

/* A draw of p for this frame, within the parameter's range. */
static double
model_draw(const struct value *v, enum model_param p, struct rng *r)
{
	double x = value_sample(v, r);

	if ((params[p].flags & PF_TRUNC) && v->dist == VALUE_NORMAL) {
		if (x < v->val - v->spread)
			x = v->val - v->spread;
		if (x > v->val + v->spread)
			x = v->val + v->spread;
	}
	if (x < params[p].floor)
		x = params[p].floor;
	if (x > params[p].max)
		x = params[p].max;
	return x;
}

/* Loss decision for one frame: independent, or through the Gilbert two-state chain. */
static int
model_lost(struct model_dirstate *ds, const struct value *loss, const struct value *burst)
{
	double p, len, enter;

	if (loss->val == 0.0 && loss->spread == 0.0 && !ds->bad)
		return 0;
	p = model_draw(loss, MP_LOSS, &ds->rng) / 100.0;
	if (burst->val == 0.0) {
		ds->bad = 0;
		return p >= 1.0 || (p > 0.0 && rng_double(&ds->rng) < p);
	}
	len = model_draw(burst, MP_LOSTBURST, &ds->rng);
	if (ds->bad) {
		if (rng_double(&ds->rng) < 1.0 / len)
			ds->bad = 0;
	} else {
		/* stationary loss p: enter/(enter + 1/len) = p */
		enter = p >= 1.0 ? 1.0 : p / (len * (1.0 - p));
		if (enter > 0.0 && rng_double(&ds->rng) < enter)
			ds->bad = 1;
	}
	return ds->bad;
}

/* Copies of a frame: each is followed by another with the dup probability. */
static unsigned
model_copies(struct model_dirstate *ds, const struct value *dup)
{
	double p;
	uint64_t extra;

	if (dup->val == 0.0 && dup->spread == 0.0)
		return 1;
	p = model_draw(dup, MP_DUP, &ds->rng) / 100.0;
	if (p <= 0.0)
		return 1;
	if (p >= 1.0)
		return MODEL_MAXCOPIES;
	extra = rng_geometric(&ds->rng, 1.0 - p);
	return extra >= MODEL_MAXCOPIES - 1 ? MODEL_MAXCOPIES : (unsigned)extra + 1;
}

static uint64_t
tx_ns(size_t len, double rate)
{
	return (uint64_t)llround((double)len * 1e9 / rate);
}

/* Schedules one copy; 0, or -1 if the capacity is exhausted. */
static int
model_schedule(struct model *m, int dir, size_t len, uint64_t now, struct model_decision *d)
{
	const struct model_node *nd = &m->nodes[m->mc.cur];
	struct model_dirstate *ds = &m->d[dir];
	struct model_copy *c = &d->copy[d->ncopies];
	const struct value *v;
	uint64_t t = now, start;
	double x;

	v = &nd->p[MP_CAPACITY][dir];
	if (v->val > 0.0 && (double)(ds->st.qbytes + len) > model_draw(v, MP_CAPACITY, &ds->rng))
		return -1;
	v = &nd->p[MP_SPEED][dir];
	if (v->val > 0.0) {
		uint64_t tx = tx_ns(len, model_draw(v, MP_SPEED, &ds->rng));

		/*
		 * Input is held while the interface is busy, so a frame read less than one
		 * transmission after it became free was waiting: it starts back to back (the
		 * lateness of our wake-up must not slow the interface down).
		 */
		start = ds->speed_next_ns;
		if (start < t && t - start >= tx)
			start = t;
		ds->speed_next_ns = start + tx;
		t = d->hold_until_ns = ds->speed_next_ns > t ? ds->speed_next_ns : t;
	}
	v = &nd->p[MP_BANDWIDTH][dir];
	if (v->val > 0.0) {
		start = ds->band_next_ns > t ? ds->band_next_ns : t;
		ds->band_next_ns = start + tx_ns(len, model_draw(v, MP_BANDWIDTH, &ds->rng));
		t = ds->band_next_ns;
	}
	v = &nd->p[MP_DELAY][dir];
	if (v->val > 0.0 || v->spread > 0.0) {
		x = model_draw(v, MP_DELAY, &ds->rng);
		t += (uint64_t)llround(x * 1e6);
	}
	if (m->fifo && t < ds->last_due_ns)
		t = ds->last_due_ns;
	if (t > ds->last_due_ns)
		ds->last_due_ns = t;
	c->due_ns = t;
	c->noise_q = 0.0;
	c->noise_seed = 0;
	v = &nd->p[MP_NOISE][dir];
	if (v->val > 0.0 || v->spread > 0.0) {
		c->noise_q = model_draw(v, MP_NOISE, &ds->rng) / BITS_PER_MIB;
		c->noise_seed = rng_u64(&ds->rng);
	}
	if (t > now)
		ds->st.delayed++;
	ds->st.qframes++;
	ds->st.qbytes += len;
	d->ncopies++;
	return 0;
}

void
model_input(struct model *m, int dir, size_t len, uint64_t now_ns, struct model_decision *d)
{
	struct model_dirstate *ds;
	const struct model_node *nd;
	const struct value *v;
	unsigned n, k;

	dir &= 1;
	ds = &m->d[dir];
	model_advance(m, now_ns);
	nd = &m->nodes[m->mc.cur];
	d->cause = MC_NONE;
	d->ncopies = 0;
	d->hold_until_ns = 0;
	ds->st.in++;
	ds->st.in_bytes += len;
	v = &nd->p[MP_MTU][dir];
	if (v->val > 0.0 && (double)len > model_draw(v, MP_MTU, &ds->rng)) {
		d->cause = MC_MTU;
		ds->st.drop_mtu++;
		return;
	}
	if (model_lost(ds, &nd->p[MP_LOSS][dir], &nd->p[MP_LOSTBURST][dir])) {
		d->cause = MC_LOSS;
		ds->st.drop_loss++;
		return;
	}
	n = model_copies(ds, &nd->p[MP_DUP][dir]);
	for (k = 0; k < n; k++) {
		if (model_schedule(m, dir, len, now_ns, d) < 0) {
			d->cause = MC_CAPACITY;
			ds->st.drop_capacity++;
			break;
		}
		if (k > 0)
			ds->st.dups++;
	}
}

void
model_output(struct model *m, int dir, size_t len, int delivered)
{
	struct model_dirstate *ds = &m->d[dir & 1];

	if (ds->st.qframes > 0) {
		ds->st.qframes--;
		ds->st.qbytes -= len <= ds->st.qbytes ? len : ds->st.qbytes;
	}
	if (delivered) {
		ds->st.out++;
		ds->st.out_bytes += len;
	} else {
		ds->st.drop_discard++;
	}
}

size_t
model_corrupt(struct model *m, int dir, const struct model_copy *c, unsigned char *frame,
	      size_t len)
{
	struct model_dirstate *ds = &m->d[dir & 1];
	uint64_t bits = (uint64_t)len * 8, pos;
	struct rng r;
	size_t flips = 0;

	if (c->noise_q <= 0.0 || len == 0)
		return 0;
	rng_seed(&r, c->noise_seed, 0);
	/* positions of the flipped bits: gaps between them are geometric */
	for (pos = rng_geometric(&r, c->noise_q); pos < bits;
	     pos += 1 + rng_geometric(&r, c->noise_q)) {
		frame[pos >> 3] ^= (unsigned char)(0x80u >> (pos & 7));
		flips++;
	}
	if (flips > 0) {
		ds->st.corrupted++;
		ds->st.bitflips += flips;
	}
	return flips;
}

const struct model_stats *
model_stats(const struct model *m, int dir)
{
	return &m->d[dir & 1].st;
}

void
model_stats_reset(struct model *m)
{
	int dir;

	for (dir = 0; dir < 2; dir++) {
		uint64_t qf = m->d[dir].st.qframes, qb = m->d[dir].st.qbytes;

		memset(&m->d[dir].st, 0, sizeof(m->d[dir].st));
		m->d[dir].st.qframes = qf;
		m->d[dir].st.qbytes = qb;
	}
}
