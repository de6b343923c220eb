/*
 * Option and argument parsers. Pure functions: no I/O besides the user and group database
 * lookups, no logging. Every failure sets errno (EINVAL or ERANGE) and a short reason in *errstr
 * so a console or a command line can say why the input was refused.
 */
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

static int
parse_fail(const char **errstr, const char *why, int err)
{
	if (errstr)
		*errstr = why;
	errno = err;
	return -1;
}

static int
parse_ok(const char **errstr)
{
	if (errstr)
		*errstr = NULL;
	return 0;
}

/*
 * Decimal (leading zeros allowed, never octal) or 0x hexadecimal digits; *end is left after them.
 * Blanks and signs are refused: strtoull would silently accept and wrap them.
 */
static int
parse_digits(const char *s, unsigned long long *v, const char **end, const char **errstr)
{
	char *e;

	if (s == NULL || *s == '\0')
		return parse_fail(errstr, "empty", EINVAL);
	if (!isdigit((unsigned char)*s))
		return parse_fail(errstr, "not a number", EINVAL);
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2]))
		*v = strtoull(s + 2, &e, 16);
	else
		*v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return parse_fail(errstr, "too large", ERANGE);
	if (e == s)
		return parse_fail(errstr, "not a number", EINVAL);
	*end = e;
	return 0;
}

int
parse_ull(const char *s, unsigned long long min, unsigned long long max,
	  unsigned long long *out, const char **errstr)
{
	unsigned long long v;
	const char *end;

	if (parse_digits(s, &v, &end, errstr) < 0)
		return -1;
	if (*end != '\0')
		return parse_fail(errstr, "trailing garbage", EINVAL);
	if (v < min)
		return parse_fail(errstr, "too small", ERANGE);
	if (v > max)
		return parse_fail(errstr, "too large", ERANGE);
	*out = v;
	return parse_ok(errstr);
}

int
parse_ll(const char *s, long long min, long long max, long long *out, const char **errstr)
{
	unsigned long long mag;
	const char *end;
	int neg = 0;
	long long v;

	if (s != NULL && (*s == '-' || *s == '+')) {
		neg = *s == '-';
		s++;
	}
	if (parse_digits(s, &mag, &end, errstr) < 0) {
		if (errno == ERANGE && neg)
			return parse_fail(errstr, "too small", ERANGE);
		return -1;
	}
	if (*end != '\0')
		return parse_fail(errstr, "trailing garbage", EINVAL);
	if (neg) {
		if (mag > (unsigned long long)LLONG_MAX + 1)
			return parse_fail(errstr, "too small", ERANGE);
		v = mag == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)mag;
	} else {
		if (mag > (unsigned long long)LLONG_MAX)
			return parse_fail(errstr, "too large", ERANGE);
		v = (long long)mag;
	}
	if (v < min)
		return parse_fail(errstr, "too small", ERANGE);
	if (v > max)
		return parse_fail(errstr, "too large", ERANGE);
	*out = v;
	return parse_ok(errstr);
}

int
parse_size(const char *s, unsigned long long max, unsigned long long *out, const char **errstr)
{
	unsigned long long v;
	const char *end;
	unsigned shift = 0;

	if (parse_digits(s, &v, &end, errstr) < 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return parse_fail(errstr, "trailing garbage", EINVAL);
	}
	if (shift && end[1] != '\0')
		return parse_fail(errstr, "trailing garbage", EINVAL);
	if (v > (ULLONG_MAX >> shift))
		return parse_fail(errstr, "too large", ERANGE);
	v <<= shift;
	if (v > max)
		return parse_fail(errstr, "too large", ERANGE);
	*out = v;
	return parse_ok(errstr);
}

int
parse_mode(const char *s, mode_t *out, const char **errstr)
{
	unsigned long v = 0;
	const char *p;

	if (s == NULL || *s == '\0')
		return parse_fail(errstr, "empty", EINVAL);
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '7')
			return parse_fail(errstr, isdigit((unsigned char)*p) || p == s ?
					  "not an octal mode" : "trailing garbage", EINVAL);
		v = v * 8 + (unsigned long)(*p - '0');
		if (v > 07777)
			return parse_fail(errstr, "too large", ERANGE);
	}
	*out = (mode_t)v;
	return parse_ok(errstr);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
parse_mac(const char *s, uint8_t mac[6], const char **errstr)
{
	uint8_t m[6];
	char sep = 0;
	int i, h;

	if (s == NULL)
		return parse_fail(errstr, "bad MAC address", EINVAL);
	for (i = 0; i < 6; i++) {
		if (i > 0) {
			if (*s != ':' && *s != '.')
				return parse_fail(errstr, "bad MAC address", EINVAL);
			if (sep && *s != sep)
				return parse_fail(errstr, "bad MAC address", EINVAL);
			sep = *s++;
		}
		if ((h = hexval((unsigned char)*s)) < 0)
			return parse_fail(errstr, "bad MAC address", EINVAL);
		m[i] = (uint8_t)h;
		s++;
		if ((h = hexval((unsigned char)*s)) >= 0) {
			m[i] = (uint8_t)(m[i] << 4 | h);
			s++;
		}
	}
	if (*s != '\0')
		return parse_fail(errstr, "bad MAC address", EINVAL);
	memcpy(mac, m, sizeof(m));
	return parse_ok(errstr);
}

int
parse_bool(const char *s, int *out, const char **errstr)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };
	size_t i;

	if (s == NULL)
		return parse_fail(errstr, "not a boolean", EINVAL);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return parse_ok(errstr);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return parse_ok(errstr);
		}
	}
	return parse_fail(errstr, "not a boolean", EINVAL);
}

/* A group (GROUP 1) or user name, or a decimal id below the (id_t)-1 sentinel. */
static int
parse_id(const char *s, int group, id_t *out, const char **errstr)
{
	unsigned long long v;
	struct passwd *pw;
	struct group *gr;
	const char *p;

	if (s == NULL || *s == '\0')
		return parse_fail(errstr, "empty", EINVAL);
	for (p = s; isdigit((unsigned char)*p); p++)
		;
	if (*p == '\0') {
		if (parse_ull(s, 0, (unsigned long long)(id_t)-1 - 1, &v, errstr) < 0)
			return -1;
		*out = (id_t)v;
	} else if (group && (gr = getgrnam(s)) != NULL) {
		*out = gr->gr_gid;
	} else if (!group && (pw = getpwnam(s)) != NULL) {
		*out = pw->pw_uid;
	} else {
		return parse_fail(errstr, group ? "no such group" : "no such user", EINVAL);
	}
	return parse_ok(errstr);
}

/* uid_t and gid_t are id_t on every system we build on: one parser writes all three. */
_Static_assert(sizeof(uid_t) == sizeof(id_t) && sizeof(gid_t) == sizeof(id_t), "id sizes");

int
parse_group(const char *s, gid_t *out, const char **errstr)
{
	return parse_id(s, 1, out, errstr);
}

int
parse_user(const char *s, uid_t *out, const char **errstr)
{
	return parse_id(s, 0, out, errstr);
}

char *
format_mac(char *buf, const uint8_t mac[6])
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}
