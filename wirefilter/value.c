/*
 * Parser of the reference value syntax ("LR50+10N[2]") and the random draws it describes.
 * Pure: no I/O, no globals. The parse works from the end of the string inwards, as the
 * reference does: node, distribution letter, multiplier, then "value+spread".
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "value.h"

#define VALUE_MAXLEN 128
#define VALUE_MAXNODE 1000000L

static int
value_fail(const char **errstr, const char *why)
{
	*errstr = why;
	errno = EINVAL;
	return -1;
}

/* Multiplier of a suffix letter, 0 if c is not one. */
static double
value_mult(char c)
{
	switch (toupper((unsigned char)c)) {
	case 'K':
		return 1024.0;
	case 'M':
		return 1024.0 * 1024.0;
	case 'G':
		return 1024.0 * 1024.0 * 1024.0;
	default:
		return 0.0;
	}
}

/*
 * One number of "value+spread" starting at p (no sign, finite) with an optional multiplier
 * letter; *end gets the first character after it, *mult the multiplier (1 if none).
 */
static int
value_number(const char *p, double *out, double *mult, const char **end, const char **errstr)
{
	char *e;
	double d;

	if (!isdigit((unsigned char)*p) && *p != '.')
		return value_fail(errstr, *p == '-' ? "negative value" : "not a number");
	errno = 0;
	d = strtod(p, &e);
	if (e == p)
		return value_fail(errstr, "not a number");
	if (errno == ERANGE || !isfinite(d))
		return value_fail(errstr, "number out of range");
	*mult = value_mult(*e);
	if (*mult != 0.0)
		e++;
	else
		*mult = 1.0;
	*out = d;
	*end = e;
	return 0;
}

/* The trailing "[n]" at the end of s[0..*len), if any: removed from *len. */
static int
value_node(const char *s, size_t *len, long *node, const char **errstr)
{
	const char *open;
	char *e;
	long n;

	*node = -1;
	if (*len == 0 || s[*len - 1] != ']')
		return 0;
	open = memrchr(s, '[', *len);
	if (open == NULL)
		return value_fail(errstr, "unbalanced ']'");
	if (!isdigit((unsigned char)open[1]))
		return value_fail(errstr, "node is not a number");
	errno = 0;
	n = strtol(open + 1, &e, 10);
	if (e != s + *len - 1)
		return value_fail(errstr, "node is not a number");
	if (errno == ERANGE || n > VALUE_MAXNODE)
		return value_fail(errstr, "no such node");
	*node = n;
	*len = (size_t)(open - s);
	return 0;
}

int
value_parse(const char *s, struct value_arg *out, const char **errstr)
{
	char buf[VALUE_MAXLEN + 1];
	const char *p, *e;
	double mv = 1.0, ms = 1.0, tail = 0.0;
	size_t len;
	struct value_arg a = { .dirs = VALUE_BOTH, .v.dist = VALUE_UNIFORM };

	s += strspn(s, " \t");
	if (strncasecmp(s, "LR", 2) == 0 || strncasecmp(s, "RL", 2) == 0) {
		a.dirs = toupper((unsigned char)s[0]) == 'L' ? VALUE_LR : VALUE_RL;
		s += 2;
		s += strspn(s, " \t");
	}
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > VALUE_MAXLEN)
		return value_fail(errstr, "too long");
	if (value_node(s, &len, &a.node, errstr) < 0)
		return -1;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (len == 0)
		return value_fail(errstr, "missing value");
	if (strcasecmp(buf, "off") == 0) {
		a.off = 1;
		*out = a;
		return 0;
	}
	if (len > 1 && (buf[len - 1] == 'U' || buf[len - 1] == 'u' || buf[len - 1] == 'N' ||
			buf[len - 1] == 'n')) {
		a.v.dist = toupper((unsigned char)buf[len - 1]) == 'N' ? VALUE_NORMAL : VALUE_UNIFORM;
		buf[--len] = '\0';
	}
	if (value_number(buf, &a.v.val, &mv, &p, errstr) < 0)
		return -1;
	if (*p == '+') {
		if (value_number(p + 1, &a.v.spread, &ms, &e, errstr) < 0)
			return -1;
		p = e;
		/* a lone suffix on the spread is the reference's multiplier for both numbers */
		if (mv == 1.0 && ms != 1.0)
			tail = ms;
	}
	if (*p != '\0')
		return value_fail(errstr, *p == '-' ? "negative value" : "trailing garbage");
	if (tail != 0.0)
		mv = tail;
	a.v.val *= mv;
	a.v.spread *= ms;
	if (!isfinite(a.v.val) || !isfinite(a.v.spread))
		return value_fail(errstr, "number out of range");
	*out = a;
	return 0;
}

double
value_sample(const struct value *v, struct rng *r)
{
	if (v->spread == 0.0)
		return v->val;
	if (v->dist == VALUE_NORMAL)
		return v->val + v->spread / 3.0 * rng_gauss(r);
	return v->val + v->spread * (2.0 * rng_double(r) - 1.0);
}

char *
value_format(char *buf, size_t n, const struct value *v)
{
	snprintf(buf, n, "%.10g+%.10g%c", v->val, v->spread, v->dist == VALUE_NORMAL ? 'N' : 'U');
	return buf;
}
