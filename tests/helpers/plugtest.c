/*
 * plugtest: a tiny libvdeplug client for the bats suites. Opens a locator, then optionally
 * sends COUNT numbered Ethernet frames of SIZE bytes and/or receives COUNT frames, printing one
 * line per frame ("frame LEN SEQ ok|bad"). With -H it prints "ready" and waits for the switch to
 * close the control stream ("ctl eof") or to be killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libvdeplug.h"

static void
usage(void)
{
	fprintf(stderr, "usage: plugtest [-d DESCR] [-P PORT] [-m MODE] [-g GROUP] [-s COUNT] "
			"[-z SIZE] [-i USECS] [-r COUNT] [-t SECONDS] [-H] VNL\n"
			"       plugtest -S (seqpacket:// self test)\n");
	exit(2);
}

static void
frame_fill(unsigned char *f, size_t size, uint32_t seq, const unsigned char src[6])
{
	size_t i;

	memset(f, 0xff, 6);
	memcpy(f + 6, src, 6);
	for (i = 12; i < size; i++)
		f[i] = (unsigned char)(seq + i);
	if (size >= 34) { /* an IPv4 header with a consistent length: any decoder accepts it */
		f[12] = 0x08;
		f[13] = 0x00;
		f[14] = 0x45;
		f[15] = 0;
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
}

/* Check a received frame against the pattern; returns its sequence number or -1. */
static long
frame_check(const unsigned char *f, size_t size)
{
	uint32_t seq;
	size_t i;

	if (size < 14 || f[6] != 0x02)
		return -1;
	if (size < 22)
		return 0; /* too short to carry a sequence number */
	seq = (uint32_t)f[18] << 24 | (uint32_t)f[19] << 16 | (uint32_t)f[20] << 8 | f[21];
	for (i = size >= 34 ? 22 : 14; i < size; i++)
		if ((i < 18 || i >= 22) && f[i] != (unsigned char)(seq + i))
			return -1;
	return seq;
}

/* Stay connected until the control stream ends (or forever without one: kill us). */
static int
hold(VDECONN *conn)
{
	struct pollfd pfd = {.fd = vde_ctlfd(conn), .events = POLLIN};
	char c;

	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(&pfd, 1, -1) < 0)
			return 1;
		if ((pfd.revents & (POLLIN | POLLHUP)) && read(pfd.fd, &c, 1) <= 0) {
			printf("ctl eof\n");
			return 0;
		}
	}
}

/* seqpacket://FD over one end of a socketpair: frames both ways, one packet each. */
static int
selftest_seqpacket(void)
{
	unsigned char f[1514], g[2000];
	char vnl[32];
	VDECONN *conn;
	int sv[2], i, bad = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0)
		return 1;
	snprintf(vnl, sizeof(vnl), "seqpacket://%d", sv[0]);
	conn = vde_open(vnl, "plugtest", NULL);
	if (!conn) {
		printf("open failed: %s\n", strerror(errno));
		return 3;
	}
	for (i = 0; i < 3; i++) {
		frame_fill(f, sizeof(f), (uint32_t)i, (const unsigned char *)"\x02\0\0\0\0\1");
		bad |= vde_send(conn, f, sizeof(f), 0) != (ssize_t)sizeof(f);
		bad |= recv(sv[1], g, sizeof(g), 0) != (ssize_t)sizeof(f);
		bad |= memcmp(f, g, sizeof(f)) != 0;
		bad |= send(sv[1], f, 100, 0) != 100;
		bad |= vde_recv(conn, g, sizeof(g), 0) != 100 || memcmp(f, g, 100);
	}
	bad |= vde_ctlfd(conn) != -1 || vde_datafd(conn) != sv[0];
	vde_close(conn);
	bad |= fcntl(sv[0], F_GETFD) != -1; /* vde_close closed it */
	printf("seqpacket %s\n", bad ? "bad" : "ok");
	return bad;
}

static int
receive(VDECONN *conn, long count, int timeout_s)
{
	static unsigned char buf[VDE_MAXFRAME + 1];
	struct pollfd pfd = {.fd = vde_datafd(conn), .events = POLLIN};
	long got = 0;

	while (got < count) {
		ssize_t n;
		long seq;

		if (poll(&pfd, 1, timeout_s * 1000) <= 0) {
			printf("timeout after %ld frames\n", got);
			return 1;
		}
		n = vde_recv(conn, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue; /* a wake-up with nothing to read (shared-memory rings) */
		if (n < 0) {
			printf("recv error: %s\n", strerror(errno));
			return 1;
		}
		if (n < 14 || buf[6] != 0x02 || buf[7] != 0 || buf[8] != 0 || buf[9] != 0)
			continue; /* not from a plugtest (e.g. a stray frame from the network) */
		seq = frame_check(buf, (size_t)n);
		printf("frame %zd %ld %s\n", n, seq, seq >= 0 ? "ok" : "bad");
		got++;
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct vde_open_args args = {0};
	char *descr = "plugtest";
	long nsend = 0, nrecv = 0, size = 60, i;
	int timeout_s = 10, do_hold = 0, opt, rc = 0, gap_us = 0;
	unsigned char src[6] = {0x02, 0, 0, 0, 0, 0};
	unsigned char *frame;
	VDECONN *conn;

	while ((opt = getopt(argc, argv, "d:P:m:g:s:z:r:t:i:HS")) != -1) {
		switch (opt) {
		case 'd': descr = optarg; break;
		case 'P': args.port = atoi(optarg); break;
		case 'm': args.mode = (mode_t)strtol(optarg, NULL, 8); break;
		case 'g': args.group = optarg; break;
		case 's': nsend = atol(optarg); break;
		case 'z': size = atol(optarg); break;
		case 'r': nrecv = atol(optarg); break;
		case 't': timeout_s = atoi(optarg); break;
		case 'i': gap_us = atoi(optarg); break;
		case 'H': do_hold = 1; break;
		case 'S': return selftest_seqpacket();
		default: usage();
		}
	}
	if (optind != argc - 1 || size < 14 || size > VDE_MAXFRAME)
		usage();
	conn = vde_open(argv[optind], descr, &args);
	if (!conn) {
		printf("open failed: %s\n", strerror(errno));
		return 3;
	}
	if (do_hold) {
		rc = hold(conn);
		vde_close(conn);
		return rc;
	}
	src[4] = (unsigned char)(getpid() >> 8);
	src[5] = (unsigned char)getpid();
	frame = malloc((size_t)size);
	if (!frame)
		return 1;
	for (i = 0; i < nsend; i++) {
		frame_fill(frame, (size_t)size, (uint32_t)i, src);
		if (vde_send(conn, frame, (size_t)size, 0) != size) {
			printf("send error at %ld: %s\n", i, strerror(errno));
			rc = 1;
			break;
		}
		if (gap_us > 0)
			usleep((useconds_t)gap_us);
	}
	if (nsend) {
		printf("sent %ld\n", i);
		fflush(stdout);
		poll(NULL, 0, 300); /* let the switch drain our frames before we hang up */
	}
	if (nrecv)
		rc |= receive(conn, nrecv, timeout_s);
	free(frame);
	vde_close(conn);
	return rc;
}
