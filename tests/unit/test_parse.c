/*
 * Unit tests for common/parse.c: valid inputs, boundaries, overflow and the reason strings
 * reported for each kind of bad input.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>

#include "parse.h"
#include "tap.h"

static void
test_ll(void)
{
	const char *why;
	long long v;

	ok(parse_ll("42", 0, 100, &v, &why) == 0 && v == 42 && why == NULL, "ll: 42");
	ok(parse_ll("-7", -10, 10, &v, &why) == 0 && v == -7, "ll: -7");
	ok(parse_ll("+7", -10, 10, &v, &why) == 0 && v == 7, "ll: +7");
	ok(parse_ll("0x1f", 0, 100, &v, &why) == 0 && v == 31, "ll: hex");
	ok(parse_ll("010", 0, 100, &v, &why) == 0 && v == 10, "ll: leading zero is decimal");
	ok(parse_ll("0", 0, 0, &v, &why) == 0 && v == 0, "ll: 0 in [0,0]");
	ok(parse_ll("100", 0, 100, &v, &why) == 0 && v == 100, "ll: max boundary");
	ok(parse_ll("-10", -10, 10, &v, &why) == 0 && v == -10, "ll: min boundary");
	ok(parse_ll("9223372036854775807", LLONG_MIN, LLONG_MAX, &v, &why) == 0 && v == LLONG_MAX,
	   "ll: LLONG_MAX");
	ok(parse_ll("-9223372036854775808", LLONG_MIN, LLONG_MAX, &v, &why) == 0 &&
	   v == LLONG_MIN, "ll: LLONG_MIN");

	v = 1234;
	errno = 0;
	ok(parse_ll("101", 0, 100, &v, &why) < 0 && errno == ERANGE, "ll: above max");
	is_str(why, "too large", "ll: above max reason");
	is_int(v, 1234, "ll: output untouched on failure");
	ok(parse_ll("-11", -10, 10, &v, &why) < 0 && errno == ERANGE, "ll: below min");
	is_str(why, "too small", "ll: below min reason");
	ok(parse_ll("99999999999999999999999", LLONG_MIN, LLONG_MAX, &v, &why) < 0 &&
	   errno == ERANGE, "ll: overflow");
	is_str(why, "too large", "ll: overflow reason");
	ok(parse_ll("-99999999999999999999999", LLONG_MIN, LLONG_MAX, &v, &why) < 0 &&
	   errno == ERANGE, "ll: negative overflow");
	is_str(why, "too small", "ll: negative overflow reason");
	ok(parse_ll("9223372036854775808", LLONG_MIN, LLONG_MAX, &v, &why) < 0, "ll: LLONG_MAX+1");
	ok(parse_ll("-9223372036854775809", LLONG_MIN, LLONG_MAX, &v, &why) < 0,
	   "ll: LLONG_MIN-1");

	errno = 0;
	ok(parse_ll("abc", 0, 100, &v, &why) < 0 && errno == EINVAL, "ll: letters");
	is_str(why, "not a number", "ll: letters reason");
	ok(parse_ll("12abc", 0, 100, &v, &why) < 0 && errno == EINVAL, "ll: trailing letters");
	is_str(why, "trailing garbage", "ll: trailing reason");
	ok(parse_ll("12 ", 0, 100, &v, &why) < 0, "ll: trailing blank");
	ok(parse_ll(" 12", 0, 100, &v, &why) < 0, "ll: leading blank");
	ok(parse_ll("", 0, 100, &v, &why) < 0 && errno == EINVAL, "ll: empty");
	ok(parse_ll("-", -10, 100, &v, &why) < 0, "ll: lone minus");
	ok(parse_ll("--1", -10, 100, &v, &why) < 0, "ll: double minus");
	ok(parse_ll("0x", 0, 100, &v, &why) < 0, "ll: bare 0x");
	ok(parse_ll(NULL, 0, 100, &v, &why) < 0, "ll: NULL");
	ok(parse_ll("1.5", 0, 100, &v, &why) < 0, "ll: decimal point");
}

static void
test_ull(void)
{
	unsigned long long v;
	const char *why;

	ok(parse_ull("18446744073709551615", 0, ULLONG_MAX, &v, &why) == 0 && v == ULLONG_MAX,
	   "ull: ULLONG_MAX");
	ok(parse_ull("18446744073709551616", 0, ULLONG_MAX, &v, &why) < 0 && errno == ERANGE,
	   "ull: ULLONG_MAX+1");
	is_str(why, "too large", "ull: overflow reason");
	ok(parse_ull("-1", 0, ULLONG_MAX, &v, &why) < 0 && errno == EINVAL,
	   "ull: negative refused (strtoull would wrap)");
	ok(parse_ull("5", 10, 20, &v, &why) < 0 && errno == ERANGE, "ull: below min");
	is_str(why, "too small", "ull: below min reason");
	ok(parse_ull("15", 10, 20, &v, &why) == 0 && v == 15, "ull: in range");
	ok(parse_ull("+5", 0, 20, &v, &why) < 0, "ull: plus sign refused");
}

static void
test_size(void)
{
	unsigned long long v;
	const char *why;

	ok(parse_size("0", 100, &v, &why) == 0 && v == 0, "size: 0");
	ok(parse_size("512", ULLONG_MAX, &v, &why) == 0 && v == 512, "size: plain");
	ok(parse_size("4k", ULLONG_MAX, &v, &why) == 0 && v == 4096, "size: 4k");
	ok(parse_size("4K", ULLONG_MAX, &v, &why) == 0 && v == 4096, "size: 4K");
	ok(parse_size("3m", ULLONG_MAX, &v, &why) == 0 && v == 3ull << 20, "size: 3m");
	ok(parse_size("2G", ULLONG_MAX, &v, &why) == 0 && v == 2ull << 30, "size: 2G");
	ok(parse_size("1k", 1024, &v, &why) == 0 && v == 1024, "size: at max");
	ok(parse_size("1025", 1024, &v, &why) < 0 && errno == ERANGE, "size: above max");
	is_str(why, "too large", "size: above max reason");
	ok(parse_size("2k", 1024, &v, &why) < 0 && errno == ERANGE, "size: suffix above max");
	ok(parse_size("17179869184G", ULLONG_MAX, &v, &why) < 0 && errno == ERANGE,
	   "size: suffix overflow");
	ok(parse_size("99999999999999999999999", ULLONG_MAX, &v, &why) < 0 && errno == ERANGE,
	   "size: digits overflow");
	ok(parse_size("4kb", ULLONG_MAX, &v, &why) < 0 && errno == EINVAL, "size: 4kb");
	is_str(why, "trailing garbage", "size: 4kb reason");
	ok(parse_size("4x", ULLONG_MAX, &v, &why) < 0, "size: unknown suffix");
	ok(parse_size("k", ULLONG_MAX, &v, &why) < 0, "size: suffix alone");
	ok(parse_size("-1k", ULLONG_MAX, &v, &why) < 0, "size: negative");
	ok(parse_size("", ULLONG_MAX, &v, &why) < 0, "size: empty");
}

static void
test_mode(void)
{
	const char *why;
	mode_t m;

	ok(parse_mode("0600", &m, &why) == 0 && m == 0600, "mode: 0600");
	ok(parse_mode("600", &m, &why) == 0 && m == 0600, "mode: 600");
	ok(parse_mode("02700", &m, &why) == 0 && m == 02700, "mode: 02700");
	ok(parse_mode("07777", &m, &why) == 0 && m == 07777, "mode: 07777");
	ok(parse_mode("0", &m, &why) == 0 && m == 0, "mode: 0");
	ok(parse_mode("00000000000777", &m, &why) == 0 && m == 0777, "mode: many leading zeros");
	ok(parse_mode("10000", &m, &why) < 0 && errno == ERANGE, "mode: 010000 too large");
	is_str(why, "too large", "mode: too large reason");
	ok(parse_mode("99999999999999999999999", &m, &why) < 0, "mode: overflow digits");
	ok(parse_mode("0680", &m, &why) < 0 && errno == EINVAL, "mode: digit 8");
	ok(parse_mode("9", &m, &why) < 0 && errno == EINVAL, "mode: digit 9");
	ok(parse_mode("0600x", &m, &why) < 0 && errno == EINVAL, "mode: trailing garbage");
	is_str(why, "trailing garbage", "mode: trailing reason");
	ok(parse_mode("rw", &m, &why) < 0, "mode: letters");
	ok(parse_mode("-600", &m, &why) < 0, "mode: negative");
	ok(parse_mode("", &m, &why) < 0, "mode: empty");
}

static void
test_mac(void)
{
	static const uint8_t want[6] = { 0x02, 0x00, 0xab, 0xcd, 0xef, 0x01 };
	static const uint8_t small[6] = { 1, 2, 3, 4, 5, 0xa };
	uint8_t mac[6], keep[6];
	const char *why;
	char buf[18];

	ok(parse_mac("02:00:ab:cd:ef:01", mac, &why) == 0 && memcmp(mac, want, 6) == 0,
	   "mac: colons");
	ok(parse_mac("02.00.AB.CD.EF.01", mac, &why) == 0 && memcmp(mac, want, 6) == 0,
	   "mac: dots, upper case");
	ok(parse_mac("1:2:3:4:5:a", mac, &why) == 0 && memcmp(mac, small, 6) == 0,
	   "mac: single digits");
	ok(parse_mac("ff:ff:ff:ff:ff:ff", mac, &why) == 0 && mac[5] == 0xff, "mac: broadcast");
	is_str(format_mac(buf, want), "02:00:ab:cd:ef:01", "mac: format");

	memset(keep, 0x55, sizeof(keep));
	memcpy(mac, keep, sizeof(mac));
	ok(parse_mac("02:00:ab:cd:ef", mac, &why) < 0 && errno == EINVAL, "mac: 5 pairs");
	is_str(why, "bad MAC address", "mac: reason");
	ok(memcmp(mac, keep, 6) == 0, "mac: output untouched on failure");
	ok(parse_mac("02:00:ab:cd:ef:01:02", mac, &why) < 0, "mac: 7 pairs");
	ok(parse_mac("02:00:ab:cd:ef:012", mac, &why) < 0, "mac: 3 digits");
	ok(parse_mac("02:00:ab:cd:ef:0g", mac, &why) < 0, "mac: bad hex");
	ok(parse_mac("02:00.ab:cd:ef:01", mac, &why) < 0, "mac: mixed separators");
	ok(parse_mac("02-00-ab-cd-ef-01", mac, &why) < 0, "mac: dashes");
	ok(parse_mac("02::ab:cd:ef:01", mac, &why) < 0, "mac: empty pair");
	ok(parse_mac("02:00:ab:cd:ef:01:", mac, &why) < 0, "mac: trailing separator");
	ok(parse_mac("", mac, &why) < 0, "mac: empty");
	ok(parse_mac("020000abcdef", mac, &why) < 0, "mac: no separators");
}

static void
test_bool(void)
{
	const char *why;
	int b = -1;

	ok(parse_bool("1", &b, &why) == 0 && b == 1, "bool: 1");
	ok(parse_bool("0", &b, &why) == 0 && b == 0, "bool: 0");
	ok(parse_bool("on", &b, &why) == 0 && b == 1, "bool: on");
	ok(parse_bool("off", &b, &why) == 0 && b == 0, "bool: off");
	ok(parse_bool("yes", &b, &why) == 0 && b == 1, "bool: yes");
	ok(parse_bool("no", &b, &why) == 0 && b == 0, "bool: no");
	ok(parse_bool("TRUE", &b, &why) == 0 && b == 1, "bool: TRUE");
	ok(parse_bool("false", &b, &why) == 0 && b == 0, "bool: false");
	ok(parse_bool("2", &b, &why) < 0 && errno == EINVAL, "bool: 2");
	ok(parse_bool("onn", &b, &why) < 0, "bool: onn");
	ok(parse_bool("", &b, &why) < 0, "bool: empty");
}

static void
test_user_group(void)
{
	const char *why;
	gid_t g;
	uid_t u;

	ok(parse_user("0", &u, &why) == 0 && u == 0, "user: 0");
	ok(parse_user("root", &u, &why) == 0 && u == 0, "user: root");
	ok(parse_user("12345", &u, &why) == 0 && u == 12345, "user: unknown number accepted");
	ok(parse_user("no-such-user-xyzzy", &u, &why) < 0 && errno == EINVAL, "user: unknown");
	is_str(why, "no such user", "user: unknown reason");
	ok(parse_user("4294967295", &u, &why) < 0, "user: (uid_t)-1 refused");
	ok(parse_user("99999999999999999999999", &u, &why) < 0 && errno == ERANGE,
	   "user: overflow");
	ok(parse_user("", &u, &why) < 0, "user: empty");

	ok(parse_group("0", &g, &why) == 0 && g == 0, "group: 0");
	ok(parse_group("root", &g, &why) == 0 && g == 0, "group: root");
	ok(parse_group("4242", &g, &why) == 0 && g == 4242, "group: number");
	ok(parse_group("no-such-group-xyzzy", &g, &why) < 0 && errno == EINVAL, "group: unknown");
	is_str(why, "no such group", "group: unknown reason");
	ok(parse_group("4294967295", &g, &why) < 0, "group: (gid_t)-1 refused");
}

int
main(void)
{
	test_ll();
	test_ull();
	test_size();
	test_mode();
	test_mac();
	test_bool();
	test_user_group();
	return done_testing();
}
