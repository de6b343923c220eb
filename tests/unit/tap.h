/*
 * Minimal TAP producer for the unit tests: ok(), is_int(), is_mem(), done_testing().
 * Each test program prints "1..N" at the end and exits non-zero if any check failed.
 */
#ifndef VDE_TAP_H
#define VDE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                                            \
	do {                                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);                  \
		if (!tap_ok(g_ == w_, __FILE__, __LINE__, __VA_ARGS__))                   \
			printf("#   got %lld, want %lld\n", g_, w_);                          \
	} while (0)
#define is_str(got, want, ...)                                                            \
	do {                                                                              \
		const char *g_ = (got), *w_ = (want);                                     \
		if (!tap_ok(g_ && w_ && strcmp(g_, w_) == 0, __FILE__, __LINE__, __VA_ARGS__)) \
			printf("#   got \"%s\"\n#  want \"%s\"\n", g_ ? g_ : "(null)",        \
			       w_ ? w_ : "(null)");                                        \
	} while (0)
#define is_mem(got, want, n, ...)                                                          \
	tap_ok(memcmp((got), (want), (n)) == 0, __FILE__, __LINE__, __VA_ARGS__)

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
