/*
 * Logging in the OpenSMTPD style: stderr in the foreground, syslog as a daemon.
 * log_warn appends strerror(errno); fatal/fatalx exit(1) and are used only before the loop
 * starts or on a broken invariant, never on peer input.
 */
#ifndef VDE_LOG_H
#define VDE_LOG_H

#include <stdarg.h>
#include <stdint.h>

void log_init(const char *prog, int foreground, int verbose);
/* Switches to syslog (daemon mode); call after daemonizing. */
void log_to_syslog(void);
void log_setverbose(int verbose);
int log_getverbose(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * Rate limit for messages caused by peers: at most burst messages per interval; the next
 * message after a quiet period says how many were suppressed.
 */
struct log_rl {
	uint64_t window_start_us;
	unsigned interval_s;
	unsigned burst;
	unsigned count;
	unsigned long suppressed;
};
#define LOG_RL_INIT(interval, burst) { 0, (interval), (burst), 0, 0 }
void log_warnx_rl(struct log_rl *rl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies src into dst (size n) escaping control and non-ASCII bytes, and '\\', as \xNN;
 * truncated to fit, always NUL-terminated. Returns dst. */
char *log_escape(char *dst, size_t n, const char *src, size_t srclen);

#endif
