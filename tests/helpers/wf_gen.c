/*
 * wf_gen: frame generator and meter for the wirefilter tests and benchmark. Sends numbered,
 * timestamped frames on one plug and receives them on another, in one process (one clock), then
 * prints one line of key=value results: loss, bursts of consecutive losses, duplicates,
 * reordering, corrupted frames, one-way delay statistics (with quantiles and a trimmed mean,
 * robust to scheduling outliers), the received rate (rate_bps: between the first and the last
 * frame received) and the goodput (bytes received over the time from the first send).
 * Payload: "WFGN", 4-byte sequence, 8-byte send time (ns), then bytes (seq + i) & 0xff.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"

#define GEN_TYPE 0x88b5
#define GEN_HDR 14
#define GEN_PAY 16 /* magic, seq, time */
#define GEN_MAX 65535

struct gen {
	unsigned long count, rate, linger_ms, wait_ms;
	unsigned char id; /* in the MAC addresses: concurrent generators do not mix */
	size_t size;
	VDECONN *tx, *rx;
	uint32_t *copies;
	double *delay_ms; /* first copy */
	double *arrival_s; /* first copy, from the start */
	unsigned long unique, dups, reordered, corrupted, foreign, oversize;
	long long maxseq;
	uint64_t start_ns, first_ns, last_ns, bytes;
	size_t maxlen;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void
put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
build(unsigned char *f, size_t size, uint32_t seq, unsigned char id)
{
	const unsigned char dst[6] = { 0x02, 0x77, 0x66, 0, id, 2 };
	const unsigned char src[6] = { 0x02, 0x77, 0x66, 0, id, 1 };
	uint64_t t = now_ns();
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = GEN_TYPE >> 8;
	f[13] = GEN_TYPE & 0xff;
	memcpy(f + GEN_HDR, "WFGN", 4);
	put32(f + GEN_HDR + 4, seq);
	put32(f + GEN_HDR + 8, (uint32_t)(t >> 32));
	put32(f + GEN_HDR + 12, (uint32_t)t);
	for (i = GEN_HDR + GEN_PAY; i < size; i++)
		f[i] = (unsigned char)(seq + i);
}

static void
account(struct gen *g, const unsigned char *f, size_t len, uint64_t t)
{
	uint32_t seq;
	uint64_t sent;
	size_t i;

	if (len < GEN_HDR + GEN_PAY || f[12] != (GEN_TYPE >> 8) || f[13] != (GEN_TYPE & 0xff) ||
	    memcmp(f + GEN_HDR, "WFGN", 4) != 0) {
		g->foreign++;
		return;
	}
	seq = get32(f + GEN_HDR + 4);
	if (seq >= g->count) {
		g->corrupted++;
		return;
	}
	for (i = GEN_HDR + GEN_PAY; i < len; i++)
		if (f[i] != (unsigned char)(seq + i))
			break;
	if (i < len || len != g->size) {
		g->corrupted++;
		return;
	}
	if (len > g->maxlen)
		g->maxlen = len;
	if (g->copies[seq]++ > 0) {
		g->dups++;
		return;
	}
	sent = (uint64_t)get32(f + GEN_HDR + 8) << 32 | get32(f + GEN_HDR + 12);
	g->delay_ms[seq] = (double)(t - sent) / 1e6;
	g->arrival_s[g->unique] = (double)(t - g->start_ns) / 1e9;
	g->unique++;
	if ((long long)seq < g->maxseq)
		g->reordered++;
	else
		g->maxseq = seq;
	if (g->first_ns == 0)
		g->first_ns = t;
	g->last_ns = t;
	g->bytes += len;
}

/* Receives what is there, waiting at most wait_ms for the first frame; returns frames read. */
static unsigned long
drain(struct gen *g, unsigned char *buf, int wait_ms)
{
	struct pollfd pfd = { .fd = vde_datafd(g->rx), .events = POLLIN };
	unsigned long n = 0;
	ssize_t len;

	if (poll(&pfd, 1, wait_ms) <= 0)
		return 0;
	while ((len = vde_recv(g->rx, buf, GEN_MAX + 1, MSG_DONTWAIT)) >= 0) {
		account(g, buf, (size_t)len, now_ns());
		n++;
	}
	return n;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of the n sorted values v. */
static double
quantile(const double *v, unsigned long n, double q)
{
	return n ? v[(unsigned long)(q * (double)(n - 1) + 0.5)] : 0.0;
}

/* Mean of the sorted values without the lowest and highest 2%: robust to scheduling outliers. */
static double
tmean(const double *v, unsigned long n)
{
	unsigned long i, cut = n / 50;
	double s = 0;

	if (n <= 2 * cut)
		return 0.0;
	for (i = cut; i < n - cut; i++)
		s += v[i];
	return s / (double)(n - 2 * cut);
}

/* Received rate over the middle 90% of the frames: robust to a stall at either end. */
static double
rate_mid(const struct gen *g)
{
	unsigned long a = g->unique / 20, b = g->unique - 1 - g->unique / 20;
	double dt;

	if (g->unique < 20)
		return 0.0;
	dt = g->arrival_s[b] - g->arrival_s[a];
	return dt > 0 ? (double)(b - a) * (double)g->size * 8.0 / dt : 0.0;
}

static void
report(struct gen *g)
{
	double *sorted = malloc((g->unique + 1) * sizeof(*sorted));
	unsigned long k = 0;
	unsigned long i, lost = 0, bursts = 0, run = 0;
	double s = 0, s2 = 0, lo = 1e18, hi = 0, mean = 0, sd = 0, secs;

	for (i = 0; i < g->count; i++) {
		if (g->copies[i] == 0) {
			lost++;
			run++;
			continue;
		}
		if (run > 0)
			bursts++;
		run = 0;
		if (sorted)
			sorted[k++] = g->delay_ms[i];
		s += g->delay_ms[i];
		s2 += g->delay_ms[i] * g->delay_ms[i];
		lo = g->delay_ms[i] < lo ? g->delay_ms[i] : lo;
		hi = g->delay_ms[i] > hi ? g->delay_ms[i] : hi;
	}
	if (run > 0)
		bursts++;
	if (g->unique > 0) {
		mean = s / (double)g->unique;
		sd = sqrt(fmax(0.0, s2 / (double)g->unique - mean * mean));
	} else {
		lo = 0;
	}
	secs = (double)(g->last_ns - g->first_ns) / 1e9;
	if (sorted)
		qsort(sorted, k, sizeof(*sorted), cmp_double);
	printf("sent=%lu received=%lu dups=%lu lost=%lu loss=%.5f bursts=%lu burst_mean=%.3f "
	       "reordered=%lu corrupted=%lu foreign=%lu delay_mean_ms=%.3f delay_sd_ms=%.3f "
	       "delay_min_ms=%.3f delay_max_ms=%.3f delay_p1_ms=%.3f delay_p25_ms=%.3f "
	       "delay_p50_ms=%.3f delay_p75_ms=%.3f delay_p90_ms=%.3f delay_p99_ms=%.3f delay_tmean_ms=%.3f "
	       "rate_bps=%.0f rate_mid_bps=%.0f goodput_bps=%.0f maxlen=%zu\n",
	       g->count, g->unique, g->dups, lost, g->count ? (double)lost / (double)g->count : 0.0,
	       bursts, bursts ? (double)lost / (double)bursts : 0.0, g->reordered, g->corrupted,
	       g->foreign, mean, sd, lo, hi, quantile(sorted, k, 0.01), quantile(sorted, k, 0.25),
	       quantile(sorted, k, 0.5), quantile(sorted, k, 0.75), quantile(sorted, k, 0.9),
	       quantile(sorted, k, 0.99),
	       tmean(sorted, k),
	       secs > 0 && g->unique > 1
		       ? (double)(g->bytes - g->bytes / g->unique) * 8.0 / secs
		       : 0.0,
	       rate_mid(g),
	       g->last_ns > g->start_ns ? (double)g->bytes * 8e9 / (double)(g->last_ns - g->start_ns)
					 : 0.0,
	       g->maxlen);
	free(sorted);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: wf_gen [--count N] [--size BYTES] [--rate FPS] [--linger MS] "
		    "[--wait MS] [--id N] TX_VNL RX_VNL\n"
		    "  sends N frames on TX_VNL (at FPS frames/s, 0 = as fast as possible) and\n"
		    "  measures them on RX_VNL until no frame came for MS ms after the last one\n"
		    "  (--wait: give up on the first frame after MS ms); --id N (0-255) puts N in\n"
		    "  the MAC addresses so that concurrent generators do not see each other\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' }, { "size", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },  { "linger", required_argument, NULL, 'l' },
		{ "wait", required_argument, NULL, 'w' },  { "help", no_argument, NULL, 'h' },
		{ "id", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g = { .count = 1000, .size = 100, .linger_ms = 500, .wait_ms = 10000,
			 .maxseq = -1 };
	struct vde_open_args args = { 0 };
	unsigned char *buf;
	uint64_t start, next, last_rx;
	unsigned long i;
	int ch;

	while ((ch = getopt_long(argc, argv, "n:s:r:l:w:i:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			g.id = (unsigned char)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			g.count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			g.size = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			g.rate = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			g.linger_ms = strtoul(optarg, NULL, 0);
			break;
		case 'w':
			g.wait_ms = strtoul(optarg, NULL, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 2 || g.size < GEN_HDR + GEN_PAY || g.size > GEN_MAX || g.count == 0 ||
	    g.count > 100000000) {
		usage(stderr);
		return 2;
	}
	g.copies = calloc(g.count, sizeof(*g.copies));
	g.delay_ms = calloc(g.count, sizeof(*g.delay_ms));
	g.arrival_s = calloc(g.count, sizeof(*g.arrival_s));
	buf = malloc(GEN_MAX + 1);
	if (!g.copies || !g.delay_ms || !g.arrival_s || !buf)
		return 1;
	if ((g.rx = vde_open(argv[optind + 1], "wf_gen rx", &args)) == NULL ||
	    (g.tx = vde_open(argv[optind], "wf_gen tx", &args)) == NULL) {
		perror("wf_gen: vde_open");
		return 1;
	}
	/* a broadcast from the receiver's address: switches learn where it lives */
	memset(buf, 0xff, 6);
	memcpy(buf + 6, (const unsigned char[6]){ 0x02, 0x77, 0x66, 0, g.id, 2 }, 6);
	buf[12] = (GEN_TYPE + 1) >> 8;
	buf[13] = (GEN_TYPE + 1) & 0xff;
	memset(buf + GEN_HDR, 0, 46);
	vde_send(g.rx, buf, 60, 0);
	usleep(20000);
	drain(&g, buf, 0);
	g.foreign = 0;
	start = g.start_ns = now_ns();
	for (i = 0; i < g.count; i++) {
		if (g.rate > 0) {
			next = start + (uint64_t)((double)i * 1e9 / (double)g.rate);
			for (uint64_t t = now_ns(); t < next; t = now_ns())
				drain(&g, buf, next - t > 2000000 ? (int)((next - t) / 1000000) - 1 : 0);
		} else if ((i & 15) == 0) {
			drain(&g, buf, 0);
		}
		build(buf, g.size, (uint32_t)i, g.id);
		while (vde_send(g.tx, buf, g.size, 0) < 0 && (errno == EAGAIN || errno == EINTR))
			drain(&g, buf, 1);
	}
	/* wait for stragglers: until linger_ms pass without a frame (the first may take wait_ms) */
	last_rx = now_ns();
	for (;;) {
		uint64_t quiet = g.unique + g.dups + g.corrupted > 0 ? g.linger_ms : g.wait_ms;

		if (drain(&g, buf, 10) > 0)
			last_rx = now_ns();
		else if (now_ns() - last_rx > quiet * 1000000ULL)
			break;
	}
	report(&g);
	vde_close(g.tx);
	vde_close(g.rx);
	free(g.copies);
	free(g.delay_ms);
	free(g.arrival_s);
	free(buf);
	return 0;
}
