/*
 * Locator parser: splits "scheme://rest", and for the vde transport the vde2/vdeplug4 port
 * suffix "PATH[N]", "PATH[]", "PATH[N/group=G/mode=0660]", "PATH[port=N,group=G]", and
 * vdeplug4's port groups "PATH[NAME]", "PATH[portgroup=NAME]" (NAME not starting with a digit,
 * '-' or '.': a file name in the switch directory). The last port or port group given wins.
 * Pure: no I/O, no allocation; every field of struct vnl is bounded.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vnl.h"

static int
vnl_fail(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	errno = EINVAL;
	return -1;
}

/* Parse a decimal port 0..65535 from [s, s+n). 0 means the management port. */
static int
vnl_port(const char *s, size_t n, int *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	*port = v == 0 ? VNL_PORT_MGMT : (int)v;
	return 0;
}

/* A port number, or a port group name, from [s, s+n) into v. */
static int
vnl_portspec(const char *s, size_t n, struct vnl *v, const char **why)
{
	if (n > 0 && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-')) {
		if (vnl_port(s, n, &v->port) < 0)
			return vnl_fail(why, "bad port number in [...]");
		v->portgroup[0] = '\0';
	} else {
		if (n == 0 || n >= sizeof(v->portgroup) || s[0] == '.')
			return vnl_fail(why, "bad port group name in [...]");
		memcpy(v->portgroup, s, n);
		v->portgroup[n] = '\0';
		v->port = VNL_PORT_ANY;
	}
	v->has_port = 1;
	return 0;
}

/* Parse an octal mode from [s, s+n), at most 0777. */
static int
vnl_mode(const char *s, size_t n, mode_t *mode)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 4)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		v = v * 8 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 0777)
		return -1;
	*mode = (mode_t)v;
	return 0;
}

/* One element of the bracket: "N" or "NAME" (first only), "port=", "portgroup=", "group=G" or
 * "mode=M". */
static int
vnl_option(const char *s, size_t n, int first, struct vnl *v, const char **why)
{
	const char *eq = memchr(s, '=', n);
	size_t klen, vlen;
	const char *val;

	if (n == 0)
		return 0;
	if (!eq) {
		if (!first)
			return vnl_fail(why, "a port must come first in [...]");
		return vnl_portspec(s, n, v, why);
	}
	klen = (size_t)(eq - s);
	val = eq + 1;
	vlen = n - klen - 1;
	if ((klen == 4 && memcmp(s, "port", 4) == 0) ||
	    (klen == 9 && memcmp(s, "portgroup", 9) == 0)) {
		return vnl_portspec(val, vlen, v, why);
	} else if (klen == 5 && memcmp(s, "group", 5) == 0) {
		if (vlen == 0 || vlen >= sizeof(v->group))
			return vnl_fail(why, "bad group in [...]");
		memcpy(v->group, val, vlen);
		v->group[vlen] = '\0';
	} else if (klen == 4 && memcmp(s, "mode", 4) == 0) {
		if (vnl_mode(val, vlen, &v->mode) < 0)
			return vnl_fail(why, "bad mode in [...] (octal, 1..0777)");
	} else {
		return vnl_fail(why, "unknown option in [...]");
	}
	return 0;
}

/* Strip and parse a trailing "[...]" from v->path (vde transport only). */
static int
vnl_brackets(struct vnl *v, const char **why)
{
	size_t len = strlen(v->path);
	char *open, *p, *end;
	int first = 1;

	if (len == 0 || v->path[len - 1] != ']')
		return 0;
	open = strrchr(v->path, '[');
	if (!open)
		return vnl_fail(why, "unbalanced ']'");
	end = v->path + len - 1;
	if (end == open + 1)
		v->has_port = 1; /* "[]": any port, explicitly */
	for (p = open + 1; p <= end; first = 0) {
		char *sep = p;

		while (sep < end && *sep != '/' && *sep != ',')
			sep++;
		if (vnl_option(p, (size_t)(sep - p), first, v, why) < 0)
			return -1;
		p = sep + 1;
	}
	*open = '\0';
	return 0;
}

int
vnl_parse(const char *s, struct vnl *v, const char **why)
{
	const char *sep, *rest;
	size_t n;

	memset(v, 0, sizeof(*v));
	if (!s)
		s = "";
	sep = strstr(s, "://");
	if (sep) {
		n = (size_t)(sep - s);
		if (n == 0 || n >= sizeof(v->scheme))
			return vnl_fail(why, "bad scheme");
		memcpy(v->scheme, s, n);
		rest = sep + 3;
	} else {
		strcpy(v->scheme, "vde");
		rest = s;
	}
	for (size_t i = 0; v->scheme[i]; i++) {
		char c = v->scheme[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return vnl_fail(why, "bad scheme");
	}
	if (strlen(rest) >= sizeof(v->path))
		return vnl_fail(why, "locator too long");
	strcpy(v->path, rest);
	if (strcmp(v->scheme, "vde") == 0)
		return vnl_brackets(v, why);
	return 0;
}
