/*
 * Unit tests of wirefilter's value parser (wirefilter/value.c): the reference syntax with
 * directions, spreads, distributions, multipliers and Markov nodes, and its error reasons.
 */
#include <errno.h>
#include <math.h>

#include "tap.h"
#include "value.h"

static void
parses(const char *s, double val, double spread, enum value_dist dist, unsigned dirs, long node)
{
	struct value_arg a;
	const char *why = NULL;
	int r = value_parse(s, &a, &why);

	ok(r == 0 && a.v.val == val && a.v.spread == spread && a.v.dist == dist && a.dirs == dirs &&
		   a.node == node && !a.off,
	   "\"%s\" -> %g+%g%c dirs %u node %ld", s, val, spread, dist == VALUE_NORMAL ? 'N' : 'U',
	   dirs, node);
	if (r != 0)
		printf("#   error: %s\n", why);
	else if (a.v.val != val || a.v.spread != spread)
		printf("#   got %g+%g dirs %u node %ld\n", a.v.val, a.v.spread, a.dirs, a.node);
}

static void
fails(const char *s, const char *reason)
{
	struct value_arg a;
	const char *why = NULL;
	int r;

	errno = 0;
	r = value_parse(s, &a, &why);
	ok(r == -1 && errno == EINVAL && why && strcmp(why, reason) == 0, "\"%s\" rejected: %s", s,
	   reason);
	if (r == 0)
		printf("#   accepted as %g+%g\n", a.v.val, a.v.spread);
	else if (why && strcmp(why, reason) != 0)
		printf("#   reason: %s\n", why);
}

int
main(void)
{
	struct value_arg a;
	const char *why;
	struct value v;
	struct rng r;
	char buf[64];
	double sum = 0, sum2 = 0, x, lo = 1e9, hi = -1e9;
	int i, n = 200000;

	parses("10", 10, 0, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("20.5", 20.5, 0, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("LR20.5", 20.5, 0, VALUE_UNIFORM, VALUE_LR, -1);
	parses("RL10", 10, 0, VALUE_UNIFORM, VALUE_RL, -1);
	parses("rl 10", 10, 0, VALUE_UNIFORM, VALUE_RL, -1);
	parses("1000+500", 1000, 500, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("1000+500U", 1000, 500, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("1000+500N", 1000, 500, VALUE_NORMAL, VALUE_BOTH, -1);
	parses("128K", 131072, 0, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("128+64K", 131072, 65536, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("128+64KN", 131072, 65536, VALUE_NORMAL, VALUE_BOTH, -1);
	parses("1M+10K", 1048576, 10240, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("10K+5", 10240, 5, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("2G", 2147483648.0, 0, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("1.5m", 1.5 * 1048576, 0, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("5[2]", 5, 0, VALUE_UNIFORM, VALUE_BOTH, 2);
	parses("LR50+10N[3]", 50, 10, VALUE_NORMAL, VALUE_LR, 3);
	parses("  RL7[0]  ", 7, 0, VALUE_UNIFORM, VALUE_RL, 0);
	parses("0", 0, 0, VALUE_UNIFORM, VALUE_BOTH, -1);
	parses("1e3", 1000, 0, VALUE_UNIFORM, VALUE_BOTH, -1);

	ok(value_parse("off", &a, &why) == 0 && a.off && a.dirs == VALUE_BOTH && a.node == -1,
	   "\"off\"");
	ok(value_parse("LRoff[1]", &a, &why) == 0 && a.off && a.dirs == VALUE_LR && a.node == 1,
	   "\"LRoff[1]\"");

	fails("", "missing value");
	fails("LR", "missing value");
	fails("[2]", "missing value");
	fails("abc", "not a number");
	fails("-5", "negative value");
	fails("LR-5", "negative value");
	fails("10+-5", "negative value");
	fails("10+", "not a number");
	fails("10+x", "not a number");
	fails("10x", "trailing garbage");
	fails("10 20", "trailing garbage");
	fails("10KK", "trailing garbage");
	fails("nan", "not a number");
	fails("inf", "not a number");
	fails("1e400", "number out of range");
	fails("5[", "trailing garbage");
	fails("5]", "unbalanced ']'");
	fails("5[x]", "node is not a number");
	fails("5[-1]", "node is not a number");
	fails("5[1x]", "node is not a number");
	fails("5[99999999999]", "no such node");
	fails("1111111111111111111111111111111111111111111111111111111111111111111111111111111111"
	      "11111111111111111111111111111111111111111111111111", "too long");

	v = (struct value){ 10, 0, VALUE_UNIFORM };
	is_str(value_format(buf, sizeof(buf), &v), "10+0U", "format 10+0U");
	v = (struct value){ 50, 10, VALUE_NORMAL };
	is_str(value_format(buf, sizeof(buf), &v), "50+10N", "format 50+10N");
	v = (struct value){ 1250000, 0, VALUE_UNIFORM };
	is_str(value_format(buf, sizeof(buf), &v), "1250000+0U", "large values without exponent");

	/* draws: uniform stays within value +- spread with the right moments */
	rng_seed(&r, 42, 0);
	v = (struct value){ 50, 10, VALUE_UNIFORM };
	for (i = 0; i < n; i++) {
		x = value_sample(&v, &r);
		sum += x;
		sum2 += x * x;
		lo = x < lo ? x : lo;
		hi = x > hi ? x : hi;
	}
	ok(lo >= 40 && hi <= 60 && lo < 40.01 && hi > 59.99, "uniform 50+10 spans [40, 60]");
	ok(fabs(sum / n - 50) < 0.05, "uniform mean %.4f ~ 50", sum / n);
	ok(fabs(sqrt(sum2 / n - (sum / n) * (sum / n)) - 10 / sqrt(3)) < 0.05,
	   "uniform stddev ~ 10/sqrt(3)");
	sum = sum2 = 0;
	v = (struct value){ 50, 9, VALUE_NORMAL };
	for (i = 0; i < n; i++) {
		x = value_sample(&v, &r);
		sum += x;
		sum2 += x * x;
	}
	ok(fabs(sum / n - 50) < 0.03, "normal mean %.4f ~ 50", sum / n);
	ok(fabs(sqrt(sum2 / n - (sum / n) * (sum / n)) - 3) < 0.03, "normal stddev %.4f ~ 3",
	   sqrt(sum2 / n - (sum / n) * (sum / n)));
	return done_testing();
}
