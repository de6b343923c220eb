/*
 * Line reader and queued writer for non-blocking descriptors.
 * The line reader frames any chunking into complete lines ('\n' terminated, a trailing '\r'
 * removed); a line longer than max is reported once, as too long, when its end arrives.
 * NUL bytes inside a line are replaced with '?', so the line is a C string of exactly len bytes.
 */
#ifndef VDE_IOBUF_H
#define VDE_IOBUF_H

#include <stddef.h>
#include <sys/types.h>

struct linebuf {
	char *buf;
	size_t len, cap, max;
	int overflow; /* discarding the rest of a too-long line */
};

/* Called for each complete line (NUL-terminated, without the newline); toolong set when the line
 * exceeded max (line then holds its first max bytes). Return non-zero to stop feeding. */
typedef int linebuf_cb(void *arg, char *line, size_t len, int toolong);

int linebuf_init(struct linebuf *lb, size_t max);
void linebuf_fini(struct linebuf *lb);
/* Feeds n bytes; returns the number consumed (less than n only when cb asked to stop). */
size_t linebuf_feed(struct linebuf *lb, const char *data, size_t n, linebuf_cb *cb, void *arg);

struct wqueue {
	char *buf;
	size_t off, len, cap;
	size_t max; /* beyond this append fails with ENOBUFS; 0 = unlimited */
};

void wqueue_init(struct wqueue *q, size_t max);
void wqueue_fini(struct wqueue *q);
int wqueue_append(struct wqueue *q, const void *data, size_t n);
int wqueue_printf(struct wqueue *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Writes as much as fd takes; returns bytes still pending, or -1 on a write error (not EAGAIN). */
ssize_t wqueue_flush(struct wqueue *q, int fd);
size_t wqueue_pending(const struct wqueue *q);

#endif
