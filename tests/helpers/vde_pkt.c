/*
 * vde_pkt: a frame generator, sniffer and tiny IPv4 responder over libvdeplug, for tests.
 * Every frame sent or received is printed as one line "len=N dst=MAC src=MAC type=0xTTTT
 * seq=N crc=XXXXXXXX" (crc = CRC-32 of everything after the 14-byte header), so a test can
 * compare what "send" printed with what "recv" printed. Payloads are deterministic: a 4-byte
 * big-endian sequence number (after the IPv4 header with --ipv4), then a pattern of (seq, index).
 * VNL "-" speaks the vde_plug stream format (2-byte big-endian length, frame) on stdin/stdout,
 * framed here independently of libvdeplug; the lines then go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/uio.h>

#include "libvdeplug.h"
#include "parse.h"

#define PKT_HDR 14
#define PKT_MAX 65535
#define PKT_DEFAULT_TYPE 0x88b5 /* IEEE local experimental ethertype 1 */

enum pkt_cmd { PKT_SEND, PKT_RECV, PKT_ECHO };

/* Where frames come from and go to: a libvdeplug connection or a stream on stdin/stdout. */
struct pkt_io {
	VDECONN *conn;	/* NULL in stream mode */
	uint8_t *sbuf;	/* stream input not yet delivered */
	size_t slen;
	int eof;
};

struct pkt_opts {
	enum pkt_cmd cmd;
	char *vnl;
	char *descr;
	char *ready;	      /* file created once the plug is open (recv, echo) */
	char *out;	      /* file for the frame lines instead of stdout/stderr */
	uint8_t src[6];
	uint8_t dst[6];
	uint16_t type;
	size_t size;	      /* whole frame, header included */
	unsigned long count;  /* send: frames; recv: frames to wait for; echo: replies (0 = any) */
	uint32_t seq;	      /* first sequence number */
	long interval_ms;     /* send: pause between frames */
	long linger_ms;	      /* send: pause before closing so the switch drains our frames */
	long timeout_ms;      /* recv/echo: total time budget, 0 = none */
	int filter_type;      /* recv: only this ethertype, -1 = all */
	int filter_src_set;
	uint8_t filter_src[6];
	struct in_addr ip;    /* echo: our address */
	int quiet;
	int ipv4;	      /* send: frames carry an IPv4 header (ethertype 0x0800) */
};

static volatile sig_atomic_t pkt_stop;
static FILE *pkt_out; /* where frame lines go: stdout, or stderr in stream mode */

static void
pkt_onsignal(int sig)
{
	(void)sig;
	pkt_stop = 1;
}

/* CRC-32 (IEEE 802.3, reflected 0xEDB88320, init and xorout 0xFFFFFFFF). */
static uint32_t
pkt_crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static long
pkt_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
pkt_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !pkt_stop)
		;
}

/* Where the sequence number sits: after the IPv4 header in IPv4 frames, else right after 14. */
static size_t
pkt_body(const uint8_t *f, size_t len)
{
	if (len >= PKT_HDR + 20 && f[12] == 0x08 && f[13] == 0x00 && (f[14] >> 4) == 4)
		return PKT_HDR + (size_t)(f[14] & 0xf) * 4;
	return PKT_HDR;
}

/* One line describing a frame; the same function prints sent and received frames. */
static void
pkt_print(const uint8_t *f, size_t len)
{
	char d[18], s[18], seq[16] = "-";
	size_t b;

	if (len < PKT_HDR) {
		fprintf(pkt_out, "len=%zu runt\n", len);
		return;
	}
	b = pkt_body(f, len);
	if (len >= b + 4)
		snprintf(seq, sizeof(seq), "%u", (unsigned)f[b] << 24 | (unsigned)f[b + 1] << 16 |
			 (unsigned)f[b + 2] << 8 | f[b + 3]);
	fprintf(pkt_out, "len=%zu dst=%s src=%s type=0x%02x%02x seq=%s crc=%08x\n", len,
		format_mac(d, f), format_mac(s, f + 6), f[12], f[13], seq,
		pkt_crc32(f + PKT_HDR, len - PKT_HDR));
}

static uint16_t
pkt_csum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
pkt_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* IPv4 header for --ipv4 frames: protocol 253 (experimental), 192.0.2.1 -> 192.0.2.2. */
static void
pkt_fill_ipv4(uint8_t *ip, size_t len, uint32_t seq)
{
	static const uint8_t addrs[8] = { 192, 0, 2, 1, 192, 0, 2, 2 };

	memset(ip, 0, 20);
	ip[0] = 0x45;
	pkt_put16(ip + 2, (uint16_t)len);
	pkt_put16(ip + 4, (uint16_t)seq);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 253;
	memcpy(ip + 12, addrs, 8);
	pkt_put16(ip + 10, pkt_csum(ip, 20));
}

static void
pkt_fill(uint8_t *f, const struct pkt_opts *o, uint32_t seq)
{
	size_t i, b = PKT_HDR;

	memcpy(f, o->dst, 6);
	memcpy(f + 6, o->src, 6);
	f[12] = o->type >> 8;
	f[13] = o->type & 0xff;
	if (o->ipv4) {
		pkt_fill_ipv4(f + PKT_HDR, o->size - PKT_HDR, seq);
		b += 20;
	}
	for (i = b; i < o->size; i++) {
		if (i < b + 4)
			f[i] = (uint8_t)(seq >> (8 * (3 - (i - b))));
		else
			f[i] = (uint8_t)(seq * 131 + i * 7 + (i >> 8));
	}
}

static int
pkt_touch(const char *path)
{
	int fd;

	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Stream mode: the 2-byte length and the frame to stdout, in one write when the pipe allows. */
static int
pkt_write_frame(const uint8_t *f, size_t len)
{
	uint8_t hdr[2] = { len >> 8, len & 0xff };
	struct iovec iov[2] = { { hdr, 2 }, { (void *)f, len } };
	ssize_t n;
	int i = 0;

	while (i < 2) {
		n = writev(STDOUT_FILENO, iov + i, 2 - i);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (; i < 2 && (size_t)n >= iov[i].iov_len; i++)
			n -= (ssize_t)iov[i].iov_len;
		if (i < 2) {
			iov[i].iov_base = (uint8_t *)iov[i].iov_base + n;
			iov[i].iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* Send one frame; 0 or -1 with errno. Transient errors are retried. */
static int
pkt_xmit(struct pkt_io *io, uint8_t *f, size_t len)
{
	ssize_t n;

	if (io->conn == NULL)
		return pkt_write_frame(f, len);
	while ((n = vde_send(io->conn, f, len, 0)) < 0 &&
	       (errno == EINTR || errno == EAGAIN || errno == ENOBUFS))
		pkt_sleep_ms(1);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

static int
pkt_send(struct pkt_io *io, const struct pkt_opts *o, uint8_t *f)
{
	unsigned long i;

	for (i = 0; i < o->count && !pkt_stop; i++) {
		pkt_fill(f, o, o->seq + (uint32_t)i);
		if (pkt_xmit(io, f, o->size) < 0) {
			fprintf(stderr, "vde_pkt: send: %s\n", strerror(errno));
			return -1;
		}
		if (!o->quiet)
			pkt_print(f, o->size);
		if (o->interval_ms > 0 && i + 1 < o->count)
			pkt_sleep_ms(o->interval_ms);
	}
	pkt_sleep_ms(o->linger_ms);
	return 0;
}

/* A complete frame from the stream buffer into f; its length, or 0 if more input is needed. */
static size_t
pkt_unframe(struct pkt_io *io, uint8_t *f)
{
	size_t len;

	while (io->slen >= 2) {
		len = (size_t)io->sbuf[0] << 8 | io->sbuf[1];
		if (io->slen < 2 + len)
			return 0;
		memcpy(f, io->sbuf + 2, len);
		io->slen -= 2 + len;
		memmove(io->sbuf, io->sbuf + 2 + len, io->slen);
		if (len > 0)
			return len;
	}
	return 0;
}

/* Read what stdin has into the stream buffer; -1 on error, sets io->eof at end of file. */
static int
pkt_fill_stream(struct pkt_io *io)
{
	ssize_t n;

	n = read(STDIN_FILENO, io->sbuf + io->slen, 2 + PKT_MAX - io->slen);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		io->eof = 1;
	io->slen += (size_t)n;
	return 0;
}

/* Wait for a frame until the deadline (0 = none); returns its length, 0 on timeout, -1. */
static ssize_t
pkt_wait(struct pkt_io *io, uint8_t *f, long deadline)
{
	struct pollfd pfd = { .events = POLLIN };
	long left;
	ssize_t n;
	size_t len;
	int rc;

	pfd.fd = io->conn ? vde_datafd(io->conn) : STDIN_FILENO;
	for (;;) {
		if (io->conn == NULL) {
			while ((len = pkt_unframe(io, f)) > 0)
				if (len >= PKT_HDR)
					return (ssize_t)len;
			if (io->eof) {
				errno = ECONNRESET;
				return -1;
			}
		}
		if (pkt_stop)
			return 0;
		left = deadline ? deadline - pkt_now_ms() : -1;
		if (deadline && left <= 0)
			return 0;
		rc = poll(&pfd, 1, left > 0 ? (int)left : -1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 0;
		if (io->conn == NULL) {
			if (pkt_fill_stream(io) < 0)
				return -1;
			continue;
		}
		n = vde_recv(io->conn, f, PKT_MAX, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (n >= PKT_HDR)
			return n;
	}
}

/* pkt_wait for the receiving commands: the same, with the reason of a failure printed. */
static ssize_t
pkt_next(struct pkt_io *io, uint8_t *f, long deadline)
{
	ssize_t n = pkt_wait(io, f, deadline);

	if (n < 0)
		fprintf(stderr, "vde_pkt: receive: %s\n", strerror(errno));
	return n;
}

static int
pkt_wanted(const struct pkt_opts *o, const uint8_t *f)
{
	if (o->filter_type >= 0 && (f[12] << 8 | f[13]) != o->filter_type)
		return 0;
	if (o->filter_src_set && memcmp(f + 6, o->filter_src, 6) != 0)
		return 0;
	return 1;
}

static int
pkt_recv(struct pkt_io *io, const struct pkt_opts *o, uint8_t *f)
{
	long deadline = o->timeout_ms ? pkt_now_ms() + o->timeout_ms : 0;
	unsigned long got = 0;
	ssize_t n = 0;

	while ((o->count == 0 || got < o->count) && (n = pkt_next(io, f, deadline)) > 0) {
		if (!pkt_wanted(o, f))
			continue;
		pkt_print(f, (size_t)n);
		got++;
	}
	if (n < 0)
		return -1;
	if (o->count && got < o->count) {
		fprintf(stderr, "vde_pkt: received %lu of %lu frames\n", got, o->count);
		return -1;
	}
	return 0;
}

/* ARP request for our address: answer in place; returns the reply length or 0. */
static size_t
pkt_arp(const struct pkt_opts *o, uint8_t *f, size_t len)
{
	uint8_t *a = f + PKT_HDR;
	char mac[18];

	if (len < PKT_HDR + 28 || a[7] != 1 || memcmp(a + 24, &o->ip, 4) != 0)
		return 0;
	fprintf(pkt_out, "arp who-has %s from %s\n", inet_ntoa(o->ip), format_mac(mac, a + 8));
	memcpy(f, a + 8, 6);
	memcpy(f + 6, o->src, 6);
	a[7] = 2;
	memcpy(a + 18, a + 8, 10); /* requester's MAC and IP become the target */
	memcpy(a + 8, o->src, 6);
	memcpy(a + 14, &o->ip, 4);
	return PKT_HDR + 28;
}

/* ICMP echo request or UDP datagram to our address: answer ICMP and UDP port 7 in place. */
static size_t
pkt_ipv4(const struct pkt_opts *o, uint8_t *f, size_t len)
{
	uint8_t *ip = f + PKT_HDR, *l4, tmp[4];
	size_t ihl, tot;
	struct in_addr from;
	uint16_t sport, dport;

	if (len < PKT_HDR + 20 || (ip[0] >> 4) != 4 || memcmp(ip + 16, &o->ip, 4) != 0)
		return 0;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = (size_t)ip[2] << 8 | ip[3];
	if (ihl < 20 || tot < ihl || PKT_HDR + tot > len)
		return 0;
	l4 = ip + ihl;
	memcpy(&from, ip + 12, 4);
	if (ip[9] == 1 && tot - ihl >= 8 && l4[0] == 8) {
		fprintf(pkt_out, "icmp echo from %s id %u seq %u\n", inet_ntoa(from), l4[4] << 8 | l4[5],
		       l4[6] << 8 | l4[7]);
		l4[0] = 0;
		pkt_put16(l4 + 2, 0);
		pkt_put16(l4 + 2, pkt_csum(l4, tot - ihl));
	} else if (ip[9] == 17 && tot - ihl >= 8) {
		sport = (uint16_t)(l4[0] << 8 | l4[1]);
		dport = (uint16_t)(l4[2] << 8 | l4[3]);
		fprintf(pkt_out, "udp from %s:%u to port %u len %zu data %.*s\n", inet_ntoa(from), sport, dport,
		       tot - ihl - 8, (int)(tot - ihl - 8), (const char *)l4 + 8);
		if (dport != 7)
			return 0;
		pkt_put16(l4, dport);
		pkt_put16(l4 + 2, sport);
		pkt_put16(l4 + 6, 0);
	} else {
		return 0;
	}
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	ip[8] = 64;
	pkt_put16(ip + 10, 0);
	pkt_put16(ip + 10, pkt_csum(ip, ihl));
	memcpy(f, f + 6, 6);
	memcpy(f + 6, o->src, 6);
	return PKT_HDR + tot;
}

static int
pkt_echo(struct pkt_io *io, const struct pkt_opts *o, uint8_t *f)
{
	long deadline = o->timeout_ms ? pkt_now_ms() + o->timeout_ms : 0;
	unsigned long answered = 0;
	size_t out;
	ssize_t n = 0;
	int type;

	while ((o->count == 0 || answered < o->count) && (n = pkt_next(io, f, deadline)) > 0) {
		type = f[12] << 8 | f[13];
		out = 0;
		if (type == 0x0806)
			out = pkt_arp(o, f, (size_t)n);
		else if (type == 0x0800)
			out = pkt_ipv4(o, f, (size_t)n);
		if (out == 0)
			continue;
		if (pkt_xmit(io, f, out) < 0)
			fprintf(stderr, "vde_pkt: send: %s\n", strerror(errno));
		if (type == 0x0800)
			answered++;
	}
	return n < 0 ? -1 : 0;
}

static void
pkt_usage(FILE *fp)
{
	fprintf(fp,
		"usage: vde_pkt send VNL [--src MAC] [--dst MAC] [--type 0xTTTT] [--size N]\n"
		"                        [--count N] [--seq N] [--interval MS] [--linger MS] [-q]\n"
		"                        [--ipv4]\n"
		"       vde_pkt recv VNL [--count N] [--timeout MS] [--type 0xTTTT] [--from MAC]\n"
		"                        [--ready FILE]\n"
		"       vde_pkt echo VNL --ip A.B.C.D [--src MAC] [--count N] [--timeout MS]\n"
		"                        [--ready FILE]\n"
		"common: [--descr TEXT] [--out FILE]. Sizes count the 14-byte header (14..65535).\n"
		"VNL \"-\": vde_plug stream format on stdin/stdout; lines go to stderr (or FILE).\n"
		"recv prints one line per frame and fails unless --count frames arrive in time;\n"
		"echo answers ARP and ICMP echo for --ip, and UDP to port 7, printing what it saw.\n"
		"--ipv4 sends IPv4 packets (protocol 253) instead of raw ethertype frames.\n");
}

static int
pkt_num(const char *name, const char *s, unsigned long long min, unsigned long long max,
	unsigned long long *out)
{
	const char *why;

	if (parse_ull(s, min, max, out, &why) < 0) {
		fprintf(stderr, "vde_pkt: --%s %s: %s\n", name, s, why);
		return -1;
	}
	return 0;
}

static int
pkt_mac(const char *name, const char *s, uint8_t mac[6])
{
	const char *why;

	if (parse_mac(s, mac, &why) < 0) {
		fprintf(stderr, "vde_pkt: --%s %s: %s\n", name, s, why);
		return -1;
	}
	return 0;
}

/* The options taking a number, and its range. */
static const struct pkt_numopt {
	int c;
	const char *name;
	unsigned long long min, max;
} pkt_numopts[] = {
	{ 't', "type", 0, 0xffff },
	{ 'S', "size", PKT_HDR, PKT_MAX },
	{ 'c', "count", 0, 100000000 },
	{ 'n', "seq", 0, UINT32_MAX },
	{ 'i', "interval", 0, 86400000 },
	{ 'l', "linger", 0, 86400000 },
	{ 'T', "timeout", 0, 86400000 },
};

/* Apply one option; 0 or -1 after printing why. */
static int
pkt_option(struct pkt_opts *o, int c, const char *arg)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; i < sizeof(pkt_numopts) / sizeof(pkt_numopts[0]); i++)
		if (pkt_numopts[i].c == c &&
		    pkt_num(pkt_numopts[i].name, arg, pkt_numopts[i].min, pkt_numopts[i].max, &v) < 0)
			return -1;
	switch (c) {
	case 's':
		return pkt_mac("src", arg, o->src);
	case 'd':
		return pkt_mac("dst", arg, o->dst);
	case 'f':
		o->filter_src_set = 1;
		return pkt_mac("from", arg, o->filter_src);
	case 't':
		o->type = (uint16_t)v;
		o->filter_type = (int)v;
		return 0;
	case 'S':
		o->size = (size_t)v;
		return 0;
	case 'c':
		o->count = (unsigned long)v;
		return 0;
	case 'n':
		o->seq = (uint32_t)v;
		return 0;
	case 'i':
		o->interval_ms = (long)v;
		return 0;
	case 'l':
		o->linger_ms = (long)v;
		return 0;
	case 'T':
		o->timeout_ms = (long)v;
		return 0;
	case 'I':
		if (inet_aton(arg, &o->ip) == 0) {
			fprintf(stderr, "vde_pkt: --ip %s: not an IPv4 address\n", arg);
			return -1;
		}
		return 0;
	default:
		return -1;
	}
}

static int
pkt_parse(int argc, char **argv, struct pkt_opts *o)
{
	static const struct option longopts[] = {
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },
		{ "size", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'c' },
		{ "seq", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "linger", required_argument, NULL, 'l' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "from", required_argument, NULL, 'f' },
		{ "ip", required_argument, NULL, 'I' },
		{ "ready", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "descr", required_argument, NULL, 'D' },
		{ "ipv4", no_argument, NULL, '4' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		if (c == 'r')
			o->ready = optarg;
		else if (c == 'o')
			o->out = optarg;
		else if (c == 'D')
			o->descr = optarg;
		else if (c == '4')
			o->ipv4 = 1;
		else if (c == 'q')
			o->quiet = 1;
		else if (c == 'h') {
			pkt_usage(stdout);
			exit(0);
		} else if (pkt_option(o, c, optarg) < 0)
			return -1;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "vde_pkt: expected exactly one VNL\n");
		return -1;
	}
	o->vnl = argv[optind];
	if (o->ipv4) {
		if (o->size < PKT_HDR + 24) {
			fprintf(stderr, "vde_pkt: --ipv4 needs --size >= %d\n", PKT_HDR + 24);
			return -1;
		}
		o->type = 0x0800;
	}
	if (o->cmd != PKT_RECV)
		o->filter_type = -1;
	if (o->cmd == PKT_ECHO && o->ip.s_addr == 0) {
		fprintf(stderr, "vde_pkt: echo needs --ip\n");
		return -1;
	}
	return 0;
}

/* The command word and its defaults: send 1 frame; recv 1 frame within 5 s; echo until killed. */
static int
pkt_command(const char *word, struct pkt_opts *o)
{
	if (strcmp(word, "send") == 0) {
		o->cmd = PKT_SEND;
	} else if (strcmp(word, "recv") == 0) {
		o->cmd = PKT_RECV;
		o->timeout_ms = 5000;
	} else if (strcmp(word, "echo") == 0) {
		o->cmd = PKT_ECHO;
		o->count = 0;
	} else {
		return -1;
	}
	return 0;
}

/* Open the plug (or the stream), do the command, close. */
static int
pkt_run(const struct pkt_opts *o)
{
	struct pkt_io io = { 0 };
	uint8_t *f;
	int rc = -1;

	f = calloc(1, PKT_MAX + 1);
	io.sbuf = malloc(2 + PKT_MAX);
	if (f == NULL || io.sbuf == NULL)
		goto out_free;
	if (strcmp(o->vnl, "-") != 0 && (io.conn = vde_open(o->vnl, o->descr, NULL)) == NULL) {
		fprintf(stderr, "vde_pkt: vde_open %s: %s\n", o->vnl, strerror(errno));
		goto out_free;
	}
	if (pkt_touch(o->ready) < 0)
		fprintf(stderr, "vde_pkt: %s: %s\n", o->ready, strerror(errno));
	if (o->cmd == PKT_SEND)
		rc = pkt_send(&io, o, f);
	else if (o->cmd == PKT_RECV)
		rc = pkt_recv(&io, o, f);
	else
		rc = pkt_echo(&io, o, f);
	if (io.conn)
		vde_close(io.conn);
out_free:
	free(io.sbuf);
	free(f);
	return rc;
}

int
main(int argc, char **argv)
{
	struct pkt_opts o = {
		.descr = "vde_pkt",
		.src = { 0x02, 0, 0, 0, 0, 0x01 },
		.dst = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		.type = PKT_DEFAULT_TYPE,
		.size = 60,
		.count = 1,
		.seq = 1,
		.linger_ms = 200,
		.filter_type = -1,
	};
	struct sigaction sa = { .sa_handler = pkt_onsignal };
	int rc;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		pkt_usage(stdout);
		return 0;
	}
	if (argc < 2 || pkt_command(argv[1], &o) < 0) {
		pkt_usage(stderr);
		return 2;
	}
	if (pkt_parse(argc - 1, argv + 1, &o) < 0)
		return 2;
	pkt_out = strcmp(o.vnl, "-") == 0 ? stderr : stdout;
	if (o.out && (pkt_out = fopen(o.out, "we")) == NULL) {
		fprintf(stderr, "vde_pkt: %s: %s\n", o.out, strerror(errno));
		return 1;
	}
	setvbuf(pkt_out, NULL, _IOLBF, 0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = pkt_run(&o);
	if (o.out)
		fclose(pkt_out);
	return rc < 0 ? 1 : 0;
}
