/*
 * Option and argument parsing: pure functions, 0 on success, -1 with errno (EINVAL or ERANGE)
 * and *errstr set to a short reason ("not a number", "too large", ...) on failure.
 */
#ifndef VDE_PARSE_H
#define VDE_PARSE_H

#include <stdint.h>
#include <sys/types.h>

int parse_ll(const char *s, long long min, long long max, long long *out, const char **errstr);
int parse_ull(const char *s, unsigned long long min, unsigned long long max,
	      unsigned long long *out, const char **errstr);
/* Integer with an optional binary suffix k/K, m/M, g/G (2^10, 2^20, 2^30). */
int parse_size(const char *s, unsigned long long max, unsigned long long *out,
	       const char **errstr);
/* Octal permission bits, 0..07777. */
int parse_mode(const char *s, mode_t *out, const char **errstr);
/* "aa:bb:cc:dd:ee:ff" or "aa.bb.cc.dd.ee.ff". */
int parse_mac(const char *s, uint8_t mac[6], const char **errstr);
/* "0/1", "on/off", "yes/no", "true/false". */
int parse_bool(const char *s, int *out, const char **errstr);
/* Group name or number. */
int parse_group(const char *s, gid_t *out, const char **errstr);
/* User name or number. */
int parse_user(const char *s, uid_t *out, const char **errstr);
/* Formats a MAC as xx:xx:xx:xx:xx:xx into buf (at least 18 bytes). */
char *format_mac(char *buf, const uint8_t mac[6]);

#endif
