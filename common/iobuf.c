/*
 * Line framing for input and a bounded queue for output on non-blocking descriptors.
 * The line buffer holds at most max + 1 bytes of the current line (the extra byte may be the
 * '\r' of "\r\n"); beyond that the line is discarded up to its '\n' and reported once as too
 * long with its first max bytes. NUL bytes inside a line are replaced with '?' so that the line
 * handed to the callback is a C string of exactly len bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iobuf.h"

#define LINEBUF_MINCAP 256

int
linebuf_init(struct linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	if (max == 0 || max > ((size_t)-1) / 2) {
		errno = EINVAL;
		return -1;
	}
	lb->max = max;
	return 0;
}

void
linebuf_fini(struct linebuf *lb)
{
	free(lb->buf);
	memset(lb, 0, sizeof(*lb));
}

/* Makes room for one more byte plus the terminating NUL. */
static int
linebuf_grow(struct linebuf *lb)
{
	size_t need = lb->len + 2, cap;
	char *nb;

	if (need <= lb->cap)
		return 0;
	cap = lb->cap ? lb->cap * 2 : LINEBUF_MINCAP;
	if (cap < need)
		cap = need;
	if (cap > lb->max + 2)
		cap = lb->max + 2;
	if ((nb = realloc(lb->buf, cap)) == NULL)
		return -1;
	lb->buf = nb;
	lb->cap = cap;
	return 0;
}

/* Hands the completed line to cb and resets for the next one. */
static int
linebuf_emit(struct linebuf *lb, linebuf_cb *cb, void *arg)
{
	int toolong = lb->overflow;
	size_t len = lb->len;
	char empty = '\0';
	char *line;

	if (len > 0 && lb->buf[len - 1] == '\r')
		len--;
	if (len > lb->max) {
		toolong = 1;
		len = lb->max;
	}
	line = lb->buf ? lb->buf : &empty;
	line[len] = '\0';
	lb->len = 0;
	lb->overflow = 0;
	return cb(arg, line, len, toolong);
}

size_t
linebuf_feed(struct linebuf *lb, const char *data, size_t n, linebuf_cb *cb, void *arg)
{
	const char *nl;
	size_t i = 0, chunk, room, k;

	while (i < n) {
		nl = memchr(data + i, '\n', n - i);
		chunk = (nl ? (size_t)(nl - data) : n) - i;
		if (!lb->overflow) {
			room = lb->max + 1 - lb->len;
			for (k = 0; k < chunk && k < room; k++) {
				if (linebuf_grow(lb) < 0) {
					/* Out of memory: treat what we have as a too-long line. */
					lb->overflow = 1;
					break;
				}
				lb->buf[lb->len++] = data[i + k] ? data[i + k] : '?';
			}
			if (chunk > room)
				lb->overflow = 1;
		}
		i += chunk;
		if (nl == NULL)
			break;
		i++; /* the '\n' */
		if (linebuf_emit(lb, cb, arg) != 0)
			return i;
	}
	return n;
}

void
wqueue_init(struct wqueue *q, size_t max)
{
	memset(q, 0, sizeof(*q));
	q->max = max;
}

void
wqueue_fini(struct wqueue *q)
{
	free(q->buf);
	memset(q, 0, sizeof(*q));
}

size_t
wqueue_pending(const struct wqueue *q)
{
	return q->len;
}

/*
 * Ensures n + slack more bytes fit after the pending data (buf[off .. off + len)), compacting
 * first; only n counts against max (slack is room for vsnprintf's NUL).
 */
static int
wqueue_reserve(struct wqueue *q, size_t n, size_t slack)
{
	size_t need, cap;
	char *nb;

	if (n > ((size_t)-1) / 4 - q->len || (q->max && q->len + n > q->max)) {
		errno = ENOBUFS;
		return -1;
	}
	need = q->len + n + slack;
	if (q->off + need <= q->cap)
		return 0;
	if (q->off > 0) {
		memmove(q->buf, q->buf + q->off, q->len);
		q->off = 0;
	}
	if (need <= q->cap)
		return 0;
	cap = q->cap ? q->cap : 1024;
	while (cap < need)
		cap *= 2;
	if (q->max && cap > q->max + slack)
		cap = q->max + slack;
	if ((nb = realloc(q->buf, cap)) == NULL)
		return -1;
	q->buf = nb;
	q->cap = cap;
	return 0;
}

int
wqueue_append(struct wqueue *q, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	if (wqueue_reserve(q, n, 0) < 0)
		return -1;
	memcpy(q->buf + q->off + q->len, data, n);
	q->len += n;
	return 0;
}

int
wqueue_printf(struct wqueue *q, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	if (wqueue_reserve(q, (size_t)r, 1) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(q->buf + q->off + q->len, (size_t)r + 1, fmt, ap);
	va_end(ap);
	q->len += (size_t)r;
	return 0;
}

ssize_t
wqueue_flush(struct wqueue *q, int fd)
{
	ssize_t w;

	while (q->len > 0) {
		w = write(fd, q->buf + q->off, q->len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		q->off += (size_t)w;
		q->len -= (size_t)w;
	}
	if (q->len == 0)
		q->off = 0;
	return (ssize_t)q->len;
}
