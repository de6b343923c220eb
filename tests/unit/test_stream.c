/*
 * Stream codec tests: every chunking yields the same frames; length-0 headers are skipped;
 * after garbage (random bytes, text, a truncated frame) the valid frames that follow are all
 * recovered; random input never crashes and stays within the memory bound. Also vdestream_send
 * (EINVAL limits, partial writes on a small non-blocking pipe) through the public API.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvdeplug.h"
#include "streamcodec.h"
#include "tap.h"

struct out {
	unsigned char *data; /* concatenated frames, each prefixed by its 4-byte length */
	size_t len, cap;
	size_t frames;
	int garbage;
	size_t maxbuf;
};

static uint32_t rng_state;

static uint32_t
rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
out_frame(void *opaque, unsigned char *frame, size_t len)
{
	struct out *o = opaque;

	if (o->len + len + 4 > o->cap) {
		o->cap = (o->len + len + 4) * 2;
		o->data = realloc(o->data, o->cap);
	}
	o->data[o->len++] = (unsigned char)(len >> 24);
	o->data[o->len++] = (unsigned char)(len >> 16);
	o->data[o->len++] = (unsigned char)(len >> 8);
	o->data[o->len++] = (unsigned char)len;
	memcpy(o->data + o->len, frame, len);
	o->len += len;
	o->frames++;
}

static void
out_garbage(void *opaque, unsigned int len)
{
	((struct out *)opaque)->garbage++;
}

/* Build a frame: IPv4 with a consistent total length when SIZE >= 34, else type 0x88b5. */
static size_t
frame_make(unsigned char *f, size_t size, uint32_t seq, int ip)
{
	size_t i;
	static const unsigned char dst[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
	static const unsigned char src[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	for (i = 12; i < size; i++)
		f[i] = (unsigned char)(seq * 7 + i);
	if (ip && size >= 34) {
		f[12] = 0x08;
		f[13] = 0x00;
		f[14] = 0x45;
		f[16] = (unsigned char)((size - 14) >> 8);
		f[17] = (unsigned char)(size - 14);
	} else {
		f[12] = 0x88;
		f[13] = 0xb5;
	}
	if (size >= 22) {
		f[18] = (unsigned char)(seq >> 24);
		f[19] = (unsigned char)(seq >> 16);
		f[20] = (unsigned char)(seq >> 8);
		f[21] = (unsigned char)seq;
	}
	return size;
}

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2 + 1024;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* Append an encoded frame to the stream S and (if E) to the expected output E. */
static void
emit(struct buf *s, struct buf *e, size_t size, uint32_t seq, int ip)
{
	static unsigned char f[65535];
	unsigned char hdr[4];

	frame_make(f, size, seq, ip);
	streamcodec_header(hdr, size);
	buf_add(s, hdr, 2);
	buf_add(s, f, size);
	if (e) {
		hdr[0] = 0;
		hdr[1] = 0;
		hdr[2] = (unsigned char)(size >> 8);
		hdr[3] = (unsigned char)size;
		buf_add(e, hdr, 4);
		buf_add(e, f, size);
	}
}

/* Decode S with the given chunking: 0 = all at once, 1.. = fixed size, -1 = random sizes. */
static void
decode(const struct buf *s, long chunk, struct out *o)
{
	struct streamcodec *sc;
	size_t off = 0;

	memset(o, 0, sizeof(*o));
	sc = streamcodec_new(out_frame, out_garbage, o);
	while (off < s->len) {
		size_t n = chunk == 0 ? s->len : chunk > 0 ? (size_t)chunk : 1 + rng() % 3000;

		if (n > s->len - off)
			n = s->len - off;
		streamcodec_push(sc, s->p + off, n);
		if (streamcodec_buffered(sc) > o->maxbuf)
			o->maxbuf = streamcodec_buffered(sc);
		off += n;
	}
	streamcodec_free(sc);
}

static int
out_same(const struct out *a, const struct out *b)
{
	return a->frames == b->frames && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* Does the decoded output end with exactly the expected frames E? */
static int
out_endswith(const struct out *o, const struct buf *e)
{
	return o->len >= e->len && memcmp(o->data + o->len - e->len, e->p, e->len) == 0;
}

static void
test_chunking(void)
{
	static const size_t sizes[] = {14, 60, 1514, 9000, 65535, 60, 14, 1514, 65535, 9000};
	const long chunks[] = {1, 2, 3, 7, 1500, 65536, -1, -1, -1};
	struct buf s = {0}, e = {0};
	struct out all, o;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		emit(&s, &e, sizes[i], (uint32_t)i, i % 2 || sizes[i] > 9234); /* jumbo: IP */
		if (i % 3 == 0)
			buf_add(&s, "\0\0", 2); /* length 0: skipped */
	}
	decode(&s, 0, &all);
	is_int(all.frames, sizeof(sizes) / sizeof(sizes[0]), "all at once: every frame");
	ok(all.len == e.len && memcmp(all.data, e.p, e.len) == 0, "all at once: exact frames");
	is_int(all.garbage, 0, "all at once: no garbage reported");
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		rng_state = 12345 + (uint32_t)i;
		decode(&s, chunks[i], &o);
		ok(out_same(&o, &all) && o.garbage == 0, "chunks of %ld: same frames", chunks[i]);
		ok(o.maxbuf <= STREAMCODEC_BUFSIZE, "chunks of %ld: bounded buffer (%zu)",
		   chunks[i], o.maxbuf);
		free(o.data);
	}
	free(all.data);
	free(s.p);
	free(e.p);
}

static void
test_zero_length(void)
{
	struct buf s = {0}, e = {0};
	struct out o;

	buf_add(&s, "\0\0", 2);
	emit(&s, &e, 60, 1, 1);
	buf_add(&s, "\0\0\0\0", 4);
	emit(&s, &e, 100, 2, 0);
	decode(&s, 1, &o);
	is_int(o.frames, 2, "length 0 headers skipped, frames kept");
	ok(o.len == e.len && memcmp(o.data, e.p, e.len) == 0 && o.garbage == 0,
	   "length 0: exact frames, no garbage");
	free(o.data);
	free(s.p);
	free(e.p);
}

/*
 * 10 good frames, the garbage, then 100 good frames (IP or not): the 100 must all come out,
 * in order, at the end of the output, whatever the chunking, and the garbage must be reported.
 */
static void
check_recovery(const char *name, const unsigned char *garbage, size_t glen, int ip)
{
	struct buf s = {0}, tail = {0};
	struct out ref, o;
	long chunks[] = {1, -1, 4096};
	uint32_t i;
	size_t c;

	rng_state = 777;
	for (i = 0; i < 10; i++)
		emit(&s, NULL, 60 + rng() % 1455, i, 1);
	buf_add(&s, garbage, glen);
	for (i = 0; i < 100; i++)
		emit(&s, &tail, 60 + rng() % 1455, 1000 + i, ip);
	decode(&s, 0, &ref);
	ok(out_endswith(&ref, &tail), "%s: the 100 frames after it are recovered", name);
	ok(ref.garbage >= 1, "%s: reported (%d)", name, ref.garbage);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		rng_state = 99 + (uint32_t)c;
		decode(&s, chunks[c], &o);
		ok(out_same(&o, &ref), "%s: chunks of %ld give the same result", name, chunks[c]);
		free(o.data);
	}
	free(ref.data);
	free(s.p);
	free(tail.p);
}

/* Quiet variant of check_recovery for sweeps: 1 if all 100 frames came out at the end. */
static int
recovers(const unsigned char *garbage, size_t glen, int ip, long chunk)
{
	struct buf s = {0}, tail = {0};
	struct out o;
	uint32_t i;
	int r;

	for (i = 0; i < 10; i++)
		emit(&s, NULL, 60 + rng() % 1455, i, 1);
	buf_add(&s, garbage, glen);
	for (i = 0; i < 100; i++)
		emit(&s, &tail, 60 + rng() % 1455, 1000 + i, ip);
	decode(&s, chunk, &o);
	r = out_endswith(&o, &tail);
	free(o.data);
	free(s.p);
	free(tail.p);
	return r;
}

/* Many random garbage runs and truncation points: count the failures. */
static void
test_sweep(void)
{
	static unsigned char g[4000];
	struct buf f = {0};
	int seed, fail_ip = 0, fail_raw = 0, fail_trunc = 0;
	size_t i, cut;

	for (seed = 1; seed <= 200; seed++) {
		rng_state = (uint32_t)seed * 40503u + 1;
		for (i = 0; i < sizeof(g); i++)
			g[i] = (unsigned char)rng();
		fail_ip += !recovers(g, 1 + rng() % sizeof(g), 1, 0);
		fail_raw += !recovers(g, 1 + rng() % sizeof(g), 0, 0);
	}
	ok(fail_ip == 0, "200 random garbage runs before IP frames: all recovered (%d failed)",
	   fail_ip);
	ok(fail_raw <= 4, "200 random garbage runs before non-IP frames: recovered in >= 98%% "
			  "(%d failed)", fail_raw);
	emit(&f, NULL, 1514, 77, 1);
	for (cut = 3; cut < f.len; cut += 37) {
		rng_state = (uint32_t)cut;
		fail_trunc += !recovers(f.p, cut, 1, -1);
	}
	ok(fail_trunc == 0, "frames truncated at 41 points: all recovered (%d failed)", fail_trunc);
	free(f.p);
}

static void
test_garbage(void)
{
	static const char banner[] =
		"Welcome to Debian GNU/Linux 12 (bookworm)!\n\nThe programs included with the "
		"Debian GNU/Linux system are free software;\n"
		"Last login: Sat Nov 21 10:00:00 2026 from 10.0.0.1\n";
	static const char bash[] = "bash: line 1: vde_plug: command not found\n";
	unsigned char rnd[3000], trunc[2 + 700];
	struct buf s = {0};
	int seed;

	check_recovery("ssh banner", (const unsigned char *)banner, strlen(banner), 1);
	check_recovery("shell error", (const unsigned char *)bash, strlen(bash), 1);
	check_recovery("banner, non-IP frames", (const unsigned char *)banner, strlen(banner), 0);
	for (seed = 1; seed <= 5; seed++) {
		char name[64];
		size_t i;

		rng_state = (uint32_t)seed * 2654435761u;
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)rng();
		snprintf(name, sizeof(name), "random bytes (seed %d)", seed);
		check_recovery(name, rnd, 100 + (size_t)seed * 500, 1);
	}
	/* a frame announced as 1514 bytes that stops after 700 */
	emit(&s, NULL, 1514, 4242, 1);
	memcpy(trunc, s.p, sizeof(trunc));
	check_recovery("truncated frame", trunc, sizeof(trunc), 1);
	free(s.p);

	/* garbage before the very first frame (a login banner on the ssh channel) */
	{
		struct buf st = {0}, e = {0};
		struct out o;
		uint32_t i;

		buf_add(&st, banner, strlen(banner));
		for (i = 0; i < 100; i++)
			emit(&st, &e, 60 + i * 13, i, 1);
		decode(&st, 1, &o);
		ok(o.len == e.len && memcmp(o.data, e.p, e.len) == 0,
		   "banner before the first frame: all 100 frames, nothing else");
		is_int(o.garbage, 1, "banner before the first frame: reported once");
		free(o.data);
		free(st.p);
		free(e.p);
	}
}

static void
test_random_input(void)
{
	struct buf s = {0};
	struct out o;
	size_t i;

	rng_state = 4242;
	s.p = malloc(1 << 20);
	s.len = s.cap = 1 << 20;
	for (i = 0; i < s.len; i++)
		s.p[i] = (unsigned char)rng();
	decode(&s, -1, &o);
	ok(o.maxbuf <= STREAMCODEC_BUFSIZE, "1 MiB random: buffer bounded (%zu <= %d)", o.maxbuf,
	   STREAMCODEC_BUFSIZE);
	ok(o.garbage >= 1, "1 MiB random: garbage reported");
	free(o.data);
	/* the worst case for buffering: huge lengths everywhere */
	memset(s.p, 0xfe, s.len);
	decode(&s, 1000, &o);
	ok(o.maxbuf <= STREAMCODEC_BUFSIZE, "1 MiB of 0xfe: buffer bounded (%zu)", o.maxbuf);
	free(o.data);
	free(s.p);
}

static ssize_t
vs_recv(void *opaque, void *buf, size_t count)
{
	out_frame(opaque, buf, count);
	return (ssize_t)count;
}

static void
vs_err(void *opaque, int type, char *format, ...)
{
	((struct out *)opaque)->garbage++;
}

static void
test_vdestream(void)
{
	static unsigned char f[65535], in[70000];
	struct out o = {0};
	VDESTREAM *vs;
	int p[2];
	pid_t pid;
	ssize_t n;
	size_t got = 0;
	int status;

	ok(pipe(p) == 0, "pipe");
	vs = vdestream_open(&o, p[1], vs_recv, vs_err);
	ok(vs != NULL, "vdestream_open");
	errno = 0;
	is_int(vdestream_send(vs, f, 0), -1, "send of 0 bytes fails");
	is_int(errno, EINVAL, "... with EINVAL");
	errno = 0;
	is_int(vdestream_send(vs, f, 65536), -1, "send of 65536 bytes fails");
	is_int(errno, EINVAL, "... with EINVAL");
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	frame_make(f, sizeof(f), 1, 1);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		_exit(vdestream_send(vs, f, sizeof(f)) == (ssize_t)sizeof(f) ? 0 : 1);
	}
	close(p[1]);
	while ((n = read(p[0], in + got, sizeof(in) - got)) > 0) {
		got += (size_t)n;
		usleep(1000); /* a slow reader forces partial writes */
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "65535-byte frame through a 4 KiB "
							   "non-blocking pipe: send completes");
	is_int(got, 65537, "header + frame written");
	vdestream_recv(vs, in, got);
	ok(o.frames == 1 && o.len == 65539 && memcmp(o.data + 4, f, 65535) == 0,
	   "vdestream_recv gives the frame back");
	vdestream_close(vs);
	close(p[0]);
	free(o.data);
}

int
main(void)
{
	test_chunking();
	test_zero_length();
	test_garbage();
	test_sweep();
	test_random_input();
	test_vdestream();
	return done_testing();
}
