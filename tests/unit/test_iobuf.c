/*
 * Unit tests for common/iobuf.c: the line framer fed at once and one byte at a time must agree;
 * CRLF, NUL bytes, too-long lines and stopping from the callback; the write queue over a pipe
 * whose buffer is made small, so that flushes are partial.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "iobuf.h"
#include "tap.h"

struct rec {
	char out[4096];
	size_t outlen;
	int nlines, ntoolong;
	int stop_after;
};

/* Records each line as "<line>|" or "!<line>|" when too long. */
static int
rec_cb(void *arg, char *line, size_t len, int toolong)
{
	struct rec *r = arg;

	if (strlen(line) != len)
		r->outlen += (size_t)snprintf(r->out + r->outlen, sizeof(r->out) - r->outlen,
					      "<len mismatch>");
	r->outlen += (size_t)snprintf(r->out + r->outlen, sizeof(r->out) - r->outlen, "%s%s|",
				      toolong ? "!" : "", line);
	r->nlines++;
	r->ntoolong += toolong;
	return r->stop_after && r->nlines >= r->stop_after;
}

static void
feed_whole(const char *in, size_t n, size_t max, struct rec *r)
{
	struct linebuf lb;

	memset(r, 0, sizeof(*r));
	linebuf_init(&lb, max);
	linebuf_feed(&lb, in, n, rec_cb, r);
	linebuf_fini(&lb);
}

static void
feed_bytes(const char *in, size_t n, size_t max, struct rec *r)
{
	struct linebuf lb;
	size_t i;

	memset(r, 0, sizeof(*r));
	linebuf_init(&lb, max);
	for (i = 0; i < n; i++)
		linebuf_feed(&lb, in + i, 1, rec_cb, r);
	linebuf_fini(&lb);
}

static void
check(const char *name, const char *in, size_t n, size_t max, const char *want)
{
	struct rec a, b;

	feed_whole(in, n, max, &a);
	feed_bytes(in, n, max, &b);
	is_str(a.out, want, "%s: fed at once", name);
	is_str(b.out, want, "%s: fed byte by byte", name);
}

static void
test_linebuf(void)
{
	static const char nul[] = "ab\0cd\nef\n";
	struct linebuf lb;
	struct rec r;
	size_t used;
	char big[300];

	check("plain", "one\ntwo\nthree\n", 14, 64, "one|two|three|");
	check("crlf", "one\r\ntwo\r\n", 10, 64, "one|two|");
	check("mixed endings", "a\r\nb\nc\r\n", 8, 64, "a|b|c|");
	check("inner cr kept", "a\rb\n", 4, 64, "a\rb|");
	check("empty lines", "\n\r\n\n", 4, 64, "|||");
	check("partial last line held", "one\ntw", 6, 64, "one|");
	check("nul replaced", nul, sizeof(nul) - 1, 64, "ab?cd|ef|");
	check("exactly max", "abcd\nx\n", 7, 4, "abcd|x|");
	check("exactly max with crlf", "abcd\r\nx\n", 8, 4, "abcd|x|");
	check("max plus one", "abcde\nx\n", 8, 4, "!abcd|x|");
	check("too long then intact", "abcdefghijklmnop\nnext\n", 22, 4, "!abcd|next|");
	check("too long crlf", "abcdefgh\r\nok\r\n", 14, 4, "!abcd|ok|");
	check("two too long", "aaaaaaa\nbbbbbbb\nc\n", 18, 4, "!aaaa|!bbbb|c|");

	memset(big, 'z', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	feed_bytes(big, sizeof(big), 16, &r);
	is_int(r.nlines, 1, "long line fed byte by byte: one callback");
	is_int(r.ntoolong, 1, "long line: reported once as too long");
	is_str(r.out, "!zzzzzzzzzzzzzzzz|", "long line: first max bytes");

	/* Growth beyond the initial allocation keeps the content. */
	memset(big, 'y', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	feed_whole(big, sizeof(big), 1024, &r);
	ok(r.ntoolong == 0 && r.outlen == sizeof(big) - 1 + 1 && r.out[0] == 'y' &&
	   r.out[sizeof(big) - 2] == 'y', "299-byte line within max 1024");

	/* Stopping from the callback leaves the rest unconsumed. */
	memset(&r, 0, sizeof(r));
	r.stop_after = 1;
	linebuf_init(&lb, 64);
	used = linebuf_feed(&lb, "one\ntwo\nthree\n", 14, rec_cb, &r);
	is_int(used, 4, "stop: consumed up to the first newline");
	r.stop_after = 0;
	used = linebuf_feed(&lb, "one\ntwo\nthree\n" + 4, 10, rec_cb, &r);
	is_int(used, 10, "resume: all consumed");
	is_str(r.out, "one|two|three|", "stop and resume: same lines");
	linebuf_fini(&lb);

	errno = 0;
	ok(linebuf_init(&lb, 0) < 0 && errno == EINVAL, "max 0 refused");
}

static void
test_wqueue_basic(void)
{
	struct wqueue q;
	char big[100];

	wqueue_init(&q, 64);
	ok(wqueue_append(&q, "hello ", 6) == 0, "append");
	ok(wqueue_printf(&q, "%s %d", "world", 42) == 0, "printf");
	is_int(wqueue_pending(&q), 14, "pending after append+printf");
	ok(memcmp(q.buf + q.off, "hello world 42", 14) == 0, "content");
	memset(big, 'x', sizeof(big));
	errno = 0;
	ok(wqueue_append(&q, big, 51) < 0 && errno == ENOBUFS, "append beyond max: ENOBUFS");
	is_int(wqueue_pending(&q), 14, "failed append leaves queue intact");
	ok(wqueue_append(&q, big, 50) == 0, "append up to exactly max");
	ok(wqueue_printf(&q, "x") < 0 && errno == ENOBUFS, "printf beyond max: ENOBUFS");
	wqueue_fini(&q);

	wqueue_init(&q, 10);
	ok(wqueue_printf(&q, "%s", "0123456789") == 0, "printf filling exactly max");
	is_int(wqueue_pending(&q), 10, "printf does not count its NUL");
	wqueue_fini(&q);
}

static void
test_wqueue_pipe(void)
{
	char data[200000], got[200000];
	size_t sent = 0, rcvd = 0;
	int p[2], partial = 0, i;
	struct wqueue q;
	ssize_t left, r;

	for (i = 0; i < (int)sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 251);
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0) {
		ok(0, "pipe2: %s", strerror(errno));
		return;
	}
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	wqueue_init(&q, 0);
	/* Producer appends in odd-sized chunks; consumer drains slowly, in small reads. */
	while (rcvd < sizeof(data)) {
		if (sent < sizeof(data) && wqueue_pending(&q) < 8192) {
			size_t n = sizeof(data) - sent < 7777 ? sizeof(data) - sent : 7777;

			if (wqueue_append(&q, data + sent, n) < 0)
				break;
			sent += n;
		}
		left = wqueue_flush(&q, p[1]);
		if (left < 0)
			break;
		if (left > 0)
			partial++;
		r = read(p[0], got + rcvd, 1000);
		if (r > 0)
			rcvd += (size_t)r;
	}
	is_int(rcvd, sizeof(data), "all bytes came through the pipe");
	ok(memcmp(got, data, sizeof(data)) == 0, "bytes in order, none lost or repeated");
	ok(partial > 0, "some flushes were partial (%d)", partial);
	is_int(wqueue_pending(&q), 0, "queue drained");
	ok(q.cap <= 65536, "queue stayed bounded by compaction (cap %zu)", q.cap);

	/* A closed reader is a write error, not EAGAIN. */
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	wqueue_append(&q, "x", 1);
	errno = 0;
	ok(wqueue_flush(&q, p[1]) < 0 && errno == EPIPE, "flush to a closed pipe fails with EPIPE");
	close(p[1]);
	wqueue_fini(&q);
}

int
main(void)
{
	test_linebuf();
	test_wqueue_basic();
	test_wqueue_pipe();
	return done_testing();
}
