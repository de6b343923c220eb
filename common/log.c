/*
 * Logging: "prog: message" on stderr in the foreground, syslog(LOG_DAEMON) once daemonized.
 * Debug messages are shown only when verbose. The state is process-wide: one program, one log.
 * Messages caused by peers go through log_warnx_rl and have their text escaped with log_escape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static const char *log_prog = "vde";
static int log_foreground = 1;
static int log_verbose;

void
log_init(const char *prog, int foreground, int verbose)
{
	const char *slash;

	if (prog != NULL) {
		slash = strrchr(prog, '/');
		log_prog = slash ? slash + 1 : prog;
	}
	log_verbose = verbose;
	log_foreground = foreground;
	if (!foreground)
		log_to_syslog();
}

void
log_to_syslog(void)
{
	log_foreground = 0;
	openlog(log_prog, LOG_PID, LOG_DAEMON);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

int
log_getverbose(void)
{
	return log_verbose;
}

static void __attribute__((format(printf, 3, 0)))
log_vlog(int pri, const char *emsg, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_foreground) {
		if (emsg)
			fprintf(stderr, "%s: %s: %s\n", log_prog, msg, emsg);
		else
			fprintf(stderr, "%s: %s\n", log_prog, msg);
		fflush(stderr);
	} else if (emsg) {
		syslog(pri, "%s: %s", msg, emsg);
	} else {
		syslog(pri, "%s", msg);
	}
}

void
log_warn(const char *fmt, ...)
{
	const char *emsg = strerror(errno);
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, emsg, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_ERR, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_info(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_debug(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vlog(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	const char *emsg = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, emsg, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vlog(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}

static uint64_t
log_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Fixed windows of interval_s seconds: the first burst messages of a window are logged, the
 * rest counted; the first message logged in a later window reports that count.
 */
void
log_warnx_rl(struct log_rl *rl, const char *fmt, ...)
{
	uint64_t now = log_now_us();
	int saved = errno;
	char msg[1024];
	va_list ap;

	if (rl->window_start_us == 0 ||
	    now - rl->window_start_us >= (uint64_t)rl->interval_s * 1000000u) {
		rl->window_start_us = now;
		rl->count = 0;
	}
	if (rl->count >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rl->suppressed) {
		log_warnx("%s (%lu similar messages suppressed)", msg, rl->suppressed);
		rl->suppressed = 0;
	} else {
		log_warnx("%s", msg);
	}
	errno = saved;
}

char *
log_escape(char *dst, size_t n, const char *src, size_t srclen)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0;
	unsigned char c;

	if (n == 0)
		return dst;
	for (i = 0; i < srclen; i++) {
		c = (unsigned char)src[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= n)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= n)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 0xf];
		}
	}
	dst[o] = '\0';
	return dst;
}
