/*
 * Seeded pseudo-random numbers for the link model: xoshiro256** seeded through splitmix64.
 * Every random decision of wirefilter draws from one of these streams, so a seed and the same
 * input reproduce the same drops, delays, duplicates and bit errors. Not cryptographic.
 */
#ifndef WF_RNG_H
#define WF_RNG_H

#include <math.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

static inline uint64_t
rng_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seeds a stream; different stream numbers give independent sequences for one seed. */
static inline void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1342543de82ef95ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = rng_splitmix64(&x);
}

static inline uint64_t
rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
rng_u64(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return res;
}

/* Uniform in [0, 1). */
static inline double
rng_double(struct rng *r)
{
	return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform in (0, 1]: safe for log(). */
static inline double
rng_double_pos(struct rng *r)
{
	return (double)((rng_u64(r) >> 11) + 1) * 0x1.0p-53;
}

/* Standard normal deviate (Box-Muller, one value per call: no hidden state). */
static inline double
rng_gauss(struct rng *r)
{
	double u = rng_double_pos(r), v = rng_double(r);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* Failures before the first success of Bernoulli trials with success probability p (0 < p <= 1). */
static inline uint64_t
rng_geometric(struct rng *r, double p)
{
	double g;

	if (p >= 1.0)
		return 0;
	g = floor(log(rng_double_pos(r)) / log1p(-p));
	return g >= 1.8e19 ? UINT64_MAX : (uint64_t)g;
}

#endif
