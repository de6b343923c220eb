/*
 * The reference wirefilter's value syntax, parsed by a pure function:
 *   [LR|RL] value [+spread] [K|M|G] [U|N] [[node]]     or     [LR|RL] off [[node]]
 * LR/RL restrict the setting to one direction; a value is a random variable: value +- spread,
 * uniform (U, default) or normal (N, spread = 3 sigma); K/M/G multiply by 2^10/2^20/2^30.
 */
#ifndef WF_VALUE_H
#define WF_VALUE_H

#include <stddef.h>

#include "rng.h"

enum value_dist { VALUE_UNIFORM, VALUE_NORMAL };

#define VALUE_LR 0x1u
#define VALUE_RL 0x2u
#define VALUE_BOTH (VALUE_LR | VALUE_RL)

struct value {
	double val, spread;
	enum value_dist dist;
};

/* One parsed argument: which directions, which Markov node (-1: none given), and the value. */
struct value_arg {
	struct value v;
	unsigned dirs;
	long node;
	int off; /* "off": the parameter is disabled (v is zero) */
};

/*
 * Parses s. Multipliers: a suffix right after the value applies to the value only, and then a
 * suffix after the spread to the spread only; a single suffix after the spread applies to both
 * (the reference's reading of "10+5K" as 10K+5K). Negative, non-finite and malformed numbers
 * are rejected. Returns 0, or -1 with errno EINVAL and *errstr set.
 */
int value_parse(const char *s, struct value_arg *out, const char **errstr);

/* One draw: uniform in [val - spread, val + spread], or normal with sigma spread / 3. */
double value_sample(const struct value *v, struct rng *r);

/* "10+0U", as the reference's showinfo prints values. */
char *value_format(char *buf, size_t n, const struct value *v);

#endif
