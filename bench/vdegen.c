/*
 * vdegen: frame generator, sink and ping-pong client for the benchmark in bench/run.sh.
 * Every mode opens one or more ports of a switch through libvdeplug and prints its result as
 * "key=value" pairs on one line of stdout. MACs are 02:00:00:00:ROLE:INDEX. Each connection
 * broadcasts a hello when it opens; sinks answer every source's hello again, because a switch may
 * forget its MAC table when a port connects, so that data is never flooded to other ports.
 * The flooder sends from pseudo-random sources 06:xx:xx:xx:xx:xx drawn from N addresses.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"

#define GEN_MAXCONN 64
#define GEN_ETH_DATA 0x88b5  /* IEEE local experimental ethertype 1 */
#define GEN_ETH_HELLO 0x88b6 /* IEEE local experimental ethertype 2 */
#define GEN_MAGIC 0x56444547 /* "VDEG" */
#define GEN_MINFRAME 60
#define GEN_BUFSIZE 65536
#define GEN_BATCH 64
#define GEN_RXSIZE 9216

enum gen_role {
	ROLE_SRC = 0,
	ROLE_SINK = 1,
	ROLE_IDLE = 2,
	ROLE_PING = 3,
	ROLE_PONG = 4,
	ROLE_FLOOD = 5,
};

/* Payload after the 14-byte Ethernet header of every data frame. */
struct gen_payload {
	uint32_t magic;
	uint32_t flow;
	uint64_t seq;
	uint64_t stamp_ns;
} __attribute__((packed));

struct gen {
	const char *vnl;
	const char *readyfile;
	int nconn;
	size_t size;
	uint64_t count;     /* frames to send (0: until duration ends) */
	double duration;    /* seconds to send, or the sink's overall deadline */
	double rate;        /* frames/s over all connections (0: as fast as possible) */
	int idle_ms;        /* sink: stop after this long without data once data started */
	int burst;          /* src: frames per send burst */
	int broadcast;
	uint64_t flood_macs; /* flood: distinct source addresses to draw from */
	uint64_t rng;        /* flood: xorshift64* state */
	VDECONN *conn[GEN_MAXCONN];
	struct pollfd pfd[GEN_MAXCONN];
	int dgram[GEN_MAXCONN]; /* the data descriptor is the datagram socket of the frames */
};

static volatile sig_atomic_t gen_stop, gen_mark;
static unsigned char gen_rxbuf[GEN_BATCH][GEN_RXSIZE];
static unsigned int gen_rxlen[GEN_BATCH];

static void
gen_on_signal(int sig)
{
	if (sig == SIGUSR1)
		gen_mark = 1;
	else
		gen_stop = 1;
}

static uint64_t
gen_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
gen_mac(unsigned char *mac, int role, int index)
{
	static const unsigned char base[4] = { 0x02, 0x00, 0x00, 0x00 };

	memcpy(mac, base, sizeof(base));
	mac[4] = (unsigned char)role;
	mac[5] = (unsigned char)index;
}

/*
 * Flood source address number i < 2^40: i times an odd constant modulo 2^40 (a bijection, so
 * N numbers give N addresses, spread over all bytes) after 06, a locally administered unicast
 * prefix no other role uses.
 */
static void
gen_flood_mac(unsigned char *mac, uint64_t i)
{
	uint64_t v = (i * 0x9e3779b97f4a7c15ull) & ((1ull << 40) - 1);

	mac[0] = 0x06;
	for (int b = 1; b < 6; b++)
		mac[b] = (unsigned char)(v >> (40 - 8 * b));
}

/* A pseudo-random number in [0, n): xorshift64*, good enough to pick addresses. */
static uint64_t
gen_random(struct gen *g, uint64_t n)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return ((g->rng * 0x2545f4914f6cdd1dull) >> 11) % n;
}

/* Whether a frame comes from one of the generator's own roles (02:00:00:00:ROLE:N). */
static int
gen_from_role(const unsigned char *frame, ssize_t len)
{
	static const unsigned char base[4] = { 0x02, 0x00, 0x00, 0x00 };

	return len >= 14 && memcmp(frame + 6, base, sizeof(base)) == 0;
}

/* Write the 14-byte Ethernet header. */
static void
gen_header(unsigned char *frame, const unsigned char *dst, const unsigned char *src, int type)
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, src, 6);
	frame[12] = (unsigned char)(type >> 8);
	frame[13] = (unsigned char)type;
}

static int
gen_frame_type(const unsigned char *frame, ssize_t len)
{
	if (len < 14)
		return -1;
	return frame[12] << 8 | frame[13];
}

/* Send one frame, waiting while the switch's queue is full (a nonblocking or busy library). */
static int
gen_send(VDECONN *conn, const void *frame, size_t len)
{
	for (;;) {
		ssize_t n = vde_send(conn, frame, len, 0);

		if (n >= 0)
			return 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			struct pollfd pfd = { .fd = vde_datafd(conn), .events = POLLOUT };

			poll(&pfd, 1, 10);
		} else if (errno == ENOBUFS) {
			struct timespec ts = { 0, 20000 };

			nanosleep(&ts, NULL);
		} else if (errno != EINTR) {
			return -1;
		}
		if (gen_stop)
			return -1;
	}
}

/* Open the connections and broadcast one hello from each so the switch learns their MACs. */
/*
 * 1 if FD is a datagram socket, one frame per datagram (vde:// on datagrams): sendmmsg and
 * recvmmsg on it are frames. With our library's shared-memory rings the data descriptor is
 * a doorbell (a stream socket that only signals): frames go through vde_send/vde_recv.
 */
static int
is_dgram(int fd)
{
	int type;
	socklen_t len = sizeof(type);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM;
}

static int
gen_open(struct gen *g, int role)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char frame[GEN_MINFRAME] = { 0 };
	unsigned char mac[6];
	char descr[32];

	for (int i = 0; i < g->nconn; i++) {
		snprintf(descr, sizeof(descr), "vdegen role=%d #%d", role, i);
		g->conn[i] = vde_open((char *)g->vnl, descr, NULL);
		if (g->conn[i] == NULL) {
			fprintf(stderr, "vdegen: cannot open %s: %s\n", g->vnl, strerror(errno));
			return -1;
		}
		g->pfd[i].fd = vde_datafd(g->conn[i]);
		g->pfd[i].events = POLLIN;
		g->dgram[i] = is_dgram(g->pfd[i].fd);
		gen_mac(mac, role, i);
		gen_header(frame, bcast, mac, GEN_ETH_HELLO);
		if (gen_send(g->conn[i], frame, sizeof(frame)) < 0) {
			fprintf(stderr, "vdegen: hello: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Answer a source's hello with our own, so the switch (re)learns where we are. */
static void
gen_answer_hello(struct gen *g, int i, int role, const unsigned char *frame, ssize_t len)
{
	unsigned char reply[GEN_MINFRAME] = { 0 }, mac[6];

	if (gen_frame_type(frame, len) != GEN_ETH_HELLO ||
	    (frame[10] != ROLE_SRC && frame[10] != ROLE_PING))
		return;
	gen_mac(mac, role, i);
	gen_header(reply, frame + 6, mac, GEN_ETH_HELLO);
	vde_send(g->conn[i], reply, sizeof(reply), 0);
}

static void
gen_close(struct gen *g)
{
	for (int i = 0; i < g->nconn; i++)
		if (g->conn[i] != NULL)
			vde_close(g->conn[i]);
}

/*
 * Read up to GEN_BATCH frames already queued on connection i without blocking. The sink reads
 * the data socket directly with recvmmsg (one datagram is one frame with the vde:// transport)
 * so that measuring costs the machine as little as possible, or the library's shared-memory
 * ring with vde_recv; returns the count, 0 or -1.
 */
static int
gen_drain(struct gen *g, int i)
{
	static struct mmsghdr msg[GEN_BATCH];
	static struct iovec iov[GEN_BATCH];
	int n;

	for (int j = 0; j < GEN_BATCH; j++) {
		iov[j].iov_base = gen_rxbuf[j];
		iov[j].iov_len = sizeof(gen_rxbuf[j]);
		msg[j].msg_hdr = (struct msghdr){ .msg_iov = &iov[j], .msg_iovlen = 1 };
	}
	if (!g->dgram[i]) {
		/* shared-memory rings: the data descriptor only signals; frames via vde_recv */
		for (n = 0; n < GEN_BATCH; n++) {
			ssize_t len = vde_recv(g->conn[i], gen_rxbuf[n], sizeof(gen_rxbuf[n]),
					       MSG_DONTWAIT);

			if (len < 0)
				break;
			gen_rxlen[n] = (unsigned)len;
		}
		return n > 0 ? n : -1;
	}
	n = recvmmsg(g->pfd[i].fd, msg, GEN_BATCH, MSG_DONTWAIT, NULL);
	for (int j = 0; j < n; j++)
		gen_rxlen[j] = msg[j].msg_len;
	return n;
}

/* Tell the driver we are connected and learned, by creating the ready file. */
static void
gen_ready(const struct gen *g)
{
	FILE *f;

	if (g->readyfile == NULL)
		return;
	/* Give the switch time to process the hellos before the sender starts. */
	usleep(20000);
	f = fopen(g->readyfile, "w");
	if (f != NULL)
		fclose(f);
}

static void
gen_sleep_until(uint64_t when_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(when_ns / 1000000000u),
			       .tv_nsec = (long)(when_ns % 1000000000u) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !gen_stop)
		;
}

/* Send frames [0, n) of a burst on connection i with sendmmsg, resuming after partial sends. */
static int
gen_send_burst(struct gen *g, int i, struct mmsghdr *msg, int n)
{
	int done = 0;

	while (done < n) {
		int k = sendmmsg(g->pfd[i].fd, msg + done, (unsigned int)(n - done), 0);

		if (k > 0) {
			done += k;
		} else if (errno == EAGAIN || errno == ENOBUFS) {
			struct pollfd pfd = { .fd = g->pfd[i].fd, .events = POLLOUT };

			if (gen_stop)
				return -1;
			poll(&pfd, 1, 1);
		} else if (errno != EINTR || gen_stop) {
			return -1;
		}
	}
	return 0;
}

/*
 * Header j of a burst on connection i: a source sends from its own address to sink i (or to
 * broadcast); the flooder from a random one of its addresses to its own address, so that the
 * switch learns (or refuses) the source and then drops the frame, delivering it to nobody.
 */
static void
gen_src_header(struct gen *g, unsigned char *head, int i)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	unsigned char src[6], dst[6];

	if (g->flood_macs > 0) {
		gen_flood_mac(src, gen_random(g, g->flood_macs));
		gen_mac(dst, ROLE_FLOOD, i);
		gen_header(head, dst, src, GEN_ETH_DATA);
		return;
	}
	gen_mac(src, ROLE_SRC, i);
	gen_mac(dst, ROLE_SINK, i);
	gen_header(head, g->broadcast ? bcast : dst, src, GEN_ETH_DATA);
}

/* The flooder repeats its own address every 50 ms, in case the switch forgot where it is. */
static void
gen_flood_hello(struct gen *g, uint64_t now, uint64_t *next)
{
	unsigned char frame[GEN_MINFRAME] = { 0 }, mac[6];

	if (now < *next)
		return;
	*next = now + 50000000u;
	for (int i = 0; i < g->nconn; i++) {
		gen_mac(mac, ROLE_FLOOD, i);
		gen_header(frame, mac, mac, GEN_ETH_HELLO);
		vde_send(g->conn[i], frame, sizeof(frame), 0);
	}
}

/*
 * Source (and flooder): send data frames in bursts of g->burst frames, rotating over the
 * connections. Bursts of 1 go through vde_send; longer bursts use sendmmsg on the data socket
 * (vde:// on datagrams only; shared-memory rings are cheaper than that anyway) so that
 * generating costs less than switching. SIGUSR1 prints the count so far.
 */
static int
gen_src(struct gen *g)
{
	static unsigned char filler[GEN_BUFSIZE], head[GEN_BATCH][14 + sizeof(struct gen_payload)];
	static struct mmsghdr msg[GEN_BATCH];
	static struct iovec iov[GEN_BATCH][2];
	struct gen_payload pl = { .magic = GEN_MAGIC };
	uint64_t start, end, now, sent = 0, hello = 0;
	int round = 0;

	if (gen_open(g, g->flood_macs > 0 ? ROLE_FLOOD : ROLE_SRC) < 0)
		return -1;
	/* Switches may flush their MAC table when a port connects: let the sinks answer first. */
	usleep(50000);
	memset(filler, 0x5a, sizeof(filler));
	for (int j = 0; j < GEN_BATCH; j++) {
		iov[j][0] = (struct iovec){ .iov_base = head[j], .iov_len = sizeof(head[j]) };
		iov[j][1] = (struct iovec){ .iov_base = filler, .iov_len = g->size - sizeof(head[j]) };
		msg[j].msg_hdr = (struct msghdr){ .msg_iov = iov[j], .msg_iovlen = 2 };
	}
	/* bursts are for datagram sockets only */
	for (int i = 0; i < g->nconn; i++)
		if (!g->dgram[i])
			g->burst = 1;
	start = gen_now_ns();
	end = g->duration > 0 ? start + (uint64_t)(g->duration * 1e9) : UINT64_MAX;
	now = start;
	while (!gen_stop && (g->count == 0 || sent < g->count) && now < end) {
		int i = round++ % g->nconn, n = g->burst;

		if (g->count > 0 && g->count - sent < (uint64_t)n)
			n = (int)(g->count - sent);
		if (gen_mark) {
			gen_mark = 0;
			printf("mark sent=%" PRIu64 " secs=%.6f\n", sent,
			       (double)(now - start) / 1e9);
		}
		if (g->flood_macs > 0)
			gen_flood_hello(g, now, &hello);
		pl.flow = (uint32_t)i;
		pl.stamp_ns = now;
		for (int j = 0; j < n; j++) {
			gen_src_header(g, head[j], i);
			pl.seq = sent + (uint64_t)j;
			memcpy(head[j] + 14, &pl, sizeof(pl));
		}
		if (n == 1) {
			memcpy(filler, head[0], sizeof(head[0]));
			if (gen_send(g->conn[i], filler, g->size) < 0)
				break;
		} else if (gen_send_burst(g, i, msg, n) < 0) {
			if (errno != EDESTADDRREQ && errno != ENOTCONN)
				break;
			/* The library does not connect its data socket: fall back to vde_send. */
			g->burst = 1;
			continue;
		}
		sent += (uint64_t)n;
		now = gen_now_ns();
		if (g->rate > 0)
			gen_sleep_until(start + (uint64_t)((double)sent * 1e9 / g->rate));
	}
	if (!gen_stop && now < end && (g->count == 0 || sent < g->count))
		fprintf(stderr, "vdegen: send: %s\n", strerror(errno));
	now = gen_now_ns();
	printf("sent=%" PRIu64 " secs=%.6f rate=%.1f\n", sent, (double)(now - start) / 1e9,
	       (double)sent * 1e9 / (double)(now - start));
	gen_close(g);
	return 0;
}

/* Sink: count data frames addressed to us until idle_ms of silence or the deadline. */
static int
gen_sink(struct gen *g)
{
	uint64_t total = 0, bytes = 0, first = 0, last = 0, min_conn = UINT64_MAX, foreign = 0;
	uint64_t got[GEN_MAXCONN] = { 0 };
	uint64_t deadline;

	if (gen_open(g, ROLE_SINK) < 0)
		return -1;
	gen_ready(g);
	deadline = gen_now_ns() + (uint64_t)(g->duration * 1e9);
	while (!gen_stop) {
		uint64_t now = gen_now_ns();
		int timeout = 100, n;

		if (now >= deadline)
			break;
		if (total > 0) {
			uint64_t quiet = last + (uint64_t)g->idle_ms * 1000000u;

			if (now >= quiet)
				break;
			timeout = (int)((quiet - now) / 1000000u) + 1;
		}
		n = poll(g->pfd, (nfds_t)g->nconn, timeout);
		if (n < 0 && errno != EINTR)
			return -1;
		for (int i = 0; i < g->nconn && n > 0; i++) {
			if (!(g->pfd[i].revents & POLLIN))
				continue;
			for (;;) {
				int k = gen_drain(g, i);
				uint64_t before = total;

				if (k <= 0)
					break;
				for (int j = 0; j < k; j++) {
					ssize_t len = (ssize_t)gen_rxlen[j];

					if (gen_frame_type(gen_rxbuf[j], len) != GEN_ETH_DATA) {
						gen_answer_hello(g, i, ROLE_SINK, gen_rxbuf[j], len);
						continue;
					}
					if (!gen_from_role(gen_rxbuf[j], len)) {
						foreign++; /* a flooder's frame sent to us */
						continue;
					}
					if (total == 0)
						first = gen_now_ns();
					total++;
					got[i]++;
					bytes += (uint64_t)len;
				}
				if (total != before)
					last = gen_now_ns();
				if (k < GEN_BATCH)
					break;
			}
		}
	}
	for (int i = 0; i < g->nconn; i++)
		if (got[i] < min_conn)
			min_conn = got[i];
	printf("frames=%" PRIu64 " bytes=%" PRIu64 " secs=%.6f rate=%.1f min_per_port=%" PRIu64
	       " foreign=%" PRIu64 "\n",
	       total, bytes, (double)(last - first) / 1e9,
	       total > 1 ? (double)(total - 1) * 1e9 / (double)(last - first) : 0.0, min_conn,
	       foreign);
	gen_close(g);
	return 0;
}

/* Idle ports: connected, learned, reading and discarding whatever is flooded to them. */
static int
gen_idle(struct gen *g)
{
	static unsigned char buf[GEN_BUFSIZE];
	uint64_t deadline, frames = 0;

	if (gen_open(g, ROLE_IDLE) < 0)
		return -1;
	gen_ready(g);
	deadline = gen_now_ns() + (uint64_t)(g->duration * 1e9);
	while (!gen_stop && gen_now_ns() < deadline) {
		if (poll(g->pfd, (nfds_t)g->nconn, 100) <= 0)
			continue;
		for (int i = 0; i < g->nconn; i++)
			if ((g->pfd[i].revents & POLLIN) &&
			    vde_recv(g->conn[i], buf, sizeof(buf), 0) > 0)
				frames++;
	}
	printf("frames=%" PRIu64 "\n", frames);
	gen_close(g);
	return 0;
}

/* Pong: send every data frame addressed to us back to its sender. */
static int
gen_pong(struct gen *g)
{
	static unsigned char buf[GEN_BUFSIZE];
	unsigned char me[6];
	uint64_t deadline, echoed = 0;

	g->nconn = 1;
	if (gen_open(g, ROLE_PONG) < 0)
		return -1;
	gen_mac(me, ROLE_PONG, 0);
	gen_ready(g);
	deadline = gen_now_ns() + (uint64_t)(g->duration * 1e9);
	while (!gen_stop && gen_now_ns() < deadline) {
		ssize_t len;

		if (poll(g->pfd, 1, 100) <= 0)
			continue;
		len = vde_recv(g->conn[0], buf, sizeof(buf), 0);
		gen_answer_hello(g, 0, ROLE_PONG, buf, len);
		if (gen_frame_type(buf, len) != GEN_ETH_DATA || memcmp(buf, me, 6) != 0)
			continue;
		memcpy(buf, buf + 6, 6);
		memcpy(buf + 6, me, 6);
		if (gen_send(g->conn[0], buf, (size_t)len) < 0)
			break;
		echoed++;
	}
	printf("echoed=%" PRIu64 "\n", echoed);
	gen_close(g);
	return 0;
}

static int
gen_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Wait up to timeout_ms for the echo of frame seq; returns the round trip in ns, 0 if lost. */
static uint64_t
gen_ping_wait(struct gen *g, uint64_t seq, uint64_t sent_ns, int timeout_ms)
{
	static unsigned char buf[GEN_BUFSIZE];
	uint64_t limit = sent_ns + (uint64_t)timeout_ms * 1000000u;

	for (;;) {
		uint64_t now = gen_now_ns();
		struct gen_payload pl;
		ssize_t len;

		if (now >= limit || gen_stop)
			return 0;
		if (poll(g->pfd, 1, (int)((limit - now) / 1000000u) + 1) <= 0)
			continue;
		len = vde_recv(g->conn[0], buf, sizeof(buf), 0);
		now = gen_now_ns();
		if (gen_frame_type(buf, len) != GEN_ETH_DATA ||
		    (size_t)len < 14 + sizeof(pl))
			continue;
		memcpy(&pl, buf + 14, sizeof(pl));
		if (pl.magic == GEN_MAGIC && pl.seq == seq)
			return now - sent_ns;
	}
}

/* Ping: count round trips of one frame at a time; prints median and 99th percentile in us. */
static int
gen_ping(struct gen *g)
{
	static unsigned char frame[GEN_BUFSIZE];
	struct gen_payload pl = { .magic = GEN_MAGIC };
	unsigned char src[6], dst[6];
	uint64_t *rtt, n = 0, lost = 0, warmup = 50;

	g->nconn = 1;
	rtt = calloc(g->count, sizeof(*rtt));
	if (rtt == NULL || gen_open(g, ROLE_PING) < 0) {
		free(rtt);
		return -1;
	}
	usleep(50000);
	gen_mac(src, ROLE_PING, 0);
	gen_mac(dst, ROLE_PONG, 0);
	gen_header(frame, dst, src, GEN_ETH_DATA);
	memset(frame + 14, 0x5a, g->size - 14);
	for (uint64_t seq = 0; seq < g->count + warmup && !gen_stop; seq++) {
		uint64_t t;

		pl.seq = seq;
		pl.stamp_ns = gen_now_ns();
		memcpy(frame + 14, &pl, sizeof(pl));
		if (gen_send(g->conn[0], frame, g->size) < 0)
			break;
		t = gen_ping_wait(g, seq, pl.stamp_ns, 200);
		if (seq < warmup)
			continue;
		if (t == 0)
			lost++;
		else
			rtt[n++] = t;
	}
	if (n > 0) {
		qsort(rtt, n, sizeof(*rtt), gen_cmp_u64);
		printf("rtt_median_us=%.2f rtt_p99_us=%.2f rtt_min_us=%.2f samples=%" PRIu64
		       " lost=%" PRIu64 "\n",
		       (double)rtt[n / 2] / 1e3, (double)rtt[n * 99 / 100] / 1e3, (double)rtt[0] / 1e3,
		       n, lost);
	} else {
		printf("rtt_median_us=nan samples=0 lost=%" PRIu64 "\n", lost);
	}
	free(rtt);
	gen_close(g);
	return n > 0 ? 0 : -1;
}

static void
gen_usage(FILE *out)
{
	fprintf(out,
		"usage: vdegen MODE [options] VNL\n"
		"modes: src, sink, idle, ping, pong, flood\n"
		"  -c N     number of connections (ports) to open (default 1, max %d)\n"
		"  -s LEN   frame length in bytes, Ethernet header included (default 64)\n"
		"  -n N     frames to send (src) or round trips to time (ping, default 1000)\n"
		"  -t SECS  src/flood: send for SECS; others: give up after SECS (default 10)\n"
		"  -r FPS   src/flood: total send rate in frames/s (default: as fast as possible)\n"
		"  -b       src: send to ff:ff:ff:ff:ff:ff instead of sink i\n"
		"  -B N     src/flood: bursts of N frames with sendmmsg (default 1: vde_send)\n"
		"  -m, --flood-macs N\n"
		"           flood: pseudo-random sources among N addresses (default 1000000),\n"
		"           sent to the flooder's own address; SIGUSR1 prints the count so far\n"
		"  -i MS    sink: stop after MS without data once data arrived (default 300)\n"
		"  -R FILE  sink/idle/pong: create FILE once connected and announced\n",
		GEN_MAXCONN);
}

static int
gen_parse(struct gen *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flood-macs", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "c:s:n:t:r:bB:i:R:m:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			g->nconn = atoi(optarg);
			break;
		case 's':
			g->size = (size_t)strtoul(optarg, NULL, 10);
			break;
		case 'n':
			g->count = strtoull(optarg, NULL, 10);
			break;
		case 't':
			g->duration = strtod(optarg, NULL);
			break;
		case 'r':
			g->rate = strtod(optarg, NULL);
			break;
		case 'b':
			g->broadcast = 1;
			break;
		case 'B':
			g->burst = atoi(optarg);
			break;
		case 'i':
			g->idle_ms = atoi(optarg);
			break;
		case 'R':
			g->readyfile = optarg;
			break;
		case 'm':
			g->flood_macs = strtoull(optarg, NULL, 10);
			if (g->flood_macs == 0 || g->flood_macs > 1ull << 40)
				return -1;
			break;
		case 'h':
			gen_usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc - 1 || g->nconn < 1 || g->nconn > GEN_MAXCONN ||
	    g->size < 14 + sizeof(struct gen_payload) || g->size > GEN_BUFSIZE || g->idle_ms < 1 ||
	    g->burst < 1 || g->burst > GEN_BATCH)
		return -1;
	g->vnl = argv[optind];
	return 0;
}

int
main(int argc, char **argv)
{
	static struct gen g = { .nconn = 1, .size = 64, .duration = 10, .idle_ms = 300, .burst = 1 };
	struct sigaction sa = { .sa_handler = gen_on_signal };
	const char *mode;
	int ret;

	if (argc < 2) {
		gen_usage(stderr);
		return 2;
	}
	mode = argv[1];
	if (gen_parse(&g, argc - 1, argv + 1) < 0) {
		gen_usage(stderr);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "src") == 0) {
		g.flood_macs = 0;
		ret = gen_src(&g);
	} else if (strcmp(mode, "flood") == 0) {
		if (g.flood_macs == 0)
			g.flood_macs = 1000000;
		g.rng = 0x9e3779b97f4a7c15ull;
		ret = gen_src(&g);
	} else if (strcmp(mode, "sink") == 0) {
		ret = gen_sink(&g);
	} else if (strcmp(mode, "idle") == 0) {
		ret = gen_idle(&g);
	} else if (strcmp(mode, "pong") == 0) {
		ret = gen_pong(&g);
	} else if (strcmp(mode, "ping") == 0) {
		if (g.count == 0)
			g.count = 1000;
		ret = gen_ping(&g);
	} else {
		gen_usage(stderr);
		return 2;
	}
	return ret < 0 ? 1 : 0;
}
